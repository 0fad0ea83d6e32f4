# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Bad input, TLS failures, proxies and key leaks, in real ansible-playbook runs.

Every run here is at -vvvv. The run_playbook fixture fails a run whose output
or results contain the key or its base64 form; these tests also look for the
Authorization header.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import select
import socket
import socketserver
import threading

import pytest
import yaml

import conftest  # noqa: F401  pylint: disable=unused-import  # puts tests/emulator on sys.path
from gravityzone_emulator import Emulator
from test_fault_matrix import assert_no_credentials_header, heavy_suites_enabled

# The lookup variants and the pinned bugs run on the newest matrix cell only,
# so that the other cells stay under two minutes.
HEAVY = pytest.mark.skipif(not heavy_suites_enabled(), reason="heavy suite: runs on the newest matrix cell only")
LOOKUP_PLAYBOOK = pytest.param("fault_lookup.yml", marks=HEAVY)

INCIDENT_ID = "6912740188df334ddbfb7d90"

# Bad values of the connection options, shared by every module: (option, value, fragments of the message).
CONNECTION_CASES = [
    ("base_url", "", ["base_url is missing or empty", "GRAVITYZONE_BASE_URL"]),
    ("base_url", "   ", ["base_url is missing or empty"]),
    ("base_url", "gravityzone.example.com/api", ["base_url 'gravityzone.example.com/api' is not an https:// URL"]),
    ("base_url", "ftp://127.0.0.1/api", ["base_url 'ftp://127.0.0.1/api' is not an https:// URL"]),
    ("base_url", "http://gravityzone.example.com/api", ["base_url 'http://gravityzone.example.com/api'", "clear text", "Use https://"]),
    ("base_url", "https://user:secret@127.0.0.1/api", ["base_url must not contain a user name or password"]),
    ("base_url", "https://127.0.0.1:99999/api", ["base_url 'https://127.0.0.1:99999/api' is not a valid URL"]),
    ("base_url", "https://127.0.0.1/api?page=1", ["base_url 'https://127.0.0.1/api?page=1' has a query"]),
    ("api_key", "", ["api_key is missing or empty", "GRAVITYZONE_API_KEY"]),
    ("api_key", " padded-key ", ["api_key has surrounding whitespace"]),
    ("api_key", "kéy-with-accent", ["api_key contains characters other than printable ASCII"]),
    ("timeout", 0, ["timeout must be a finite number greater than 0, got 0"]),
    ("timeout", -5, ["timeout must be a finite number greater than 0, got -5"]),
    ("timeout", "nan", ["timeout must be a finite number greater than 0, got nan"]),
    ("timeout", 3601, ["timeout must be at most 3600.0 seconds, got 3601"]),
    ("timeout", "soon", ["argument 'timeout'", "convert to float"]),
    ("request_retries", -1, ["request_retries must be a whole number from 0 to 20, got -1"]),
    ("request_retries", 21, ["request_retries must be a whole number from 0 to 20, got 21"]),
    ("request_retries", "many", ["argument 'request_retries'", "convert to int"]),
    ("ca_path", "/nonexistent/ca.pem", ["ca_path '/nonexistent/ca.pem' does not exist"]),
    ("validate_certs", "maybe", ["validate_certs", "maybe"]),
]

TEN_THOUSAND_IDS = ["id-%05d" % number for number in range(10000)]

# (module, arguments besides the connection, fragments of the message)
MODULE_CASES = [
    ("response_action_info", {"action_id": ""}, ["action_id is empty or only whitespace"]),
    ("response_action_info", {"action_id": "   "}, ["action_id is empty or only whitespace"]),
    ("response_action_info", {"action_id": " a1"}, ["action_id ' a1' has surrounding whitespace. Remove it."]),
    ("response_action_info", {"action_id": 12345}, ["action_id is 12345, of type int, not a string", "Quote the action ID"]),
    ("response_action_info", {"action_id": True}, ["action_id is True, of type bool, not a string"]),
    ("response_action_info", {"action_id": ["a1", "a2"]}, ["action_id is a list, not one action ID", "use action_ids"]),
    ("response_action_info", {"action_id": {"id": "a1"}}, ["action_id is a mapping, not one action ID"]),
    ("response_action_info", {"action_ids": []}, ["action_ids is empty"]),
    ("response_action_info", {"action_ids": ["a1", "a2", "a1", "a2"]}, ["more than once: 'a1', 'a2'"]),
    ("response_action_info", {"action_ids": ["a1", 5]}, ["action_ids[1] is 5, of type int, not a string"]),
    ("response_action_info", {"action_ids": ["a1", " "]}, ["action_ids[1] is empty or only whitespace"]),
    ("response_action_info", {"action_ids": ["a1", None]}, ["action_ids[1] is None, of type NoneType, not a string"]),
    ("response_action_info", {"action_ids": TEN_THOUSAND_IDS}, ["action_ids has 10000 IDs", "Split the list"]),
    ("response_action_info", {"action_id": "a1", "action_ids": ["a2"]}, ["mutually exclusive", "action_id", "action_ids"]),
    ("response_action_info", {}, ["one of the following is required: action_id, action_ids"]),
    ("response_action_info", {"action_id": "a1", "wait": True, "wait_timeout": 0}, ["wait_timeout must be a finite number of seconds greater than 0, got 0"]),
    ("response_action_info", {"action_id": "a1", "wait": True, "wait_timeout": -10},
     ["wait_timeout must be a finite number of seconds greater than 0, got -10"]),
    ("response_action_info", {"action_id": "a1", "wait": True, "wait_sleep": 0}, ["wait_sleep must be a finite number of seconds greater than 0, got 0"]),
    ("response_action_info", {"action_id": "a1", "wait": True, "wait_sleep": -1}, ["wait_sleep must be a finite number of seconds greater than 0, got -1"]),
    ("response_action", {"action": "disable_everything", "incident_id": INCIDENT_ID}, ["action", "disable_everything", "disable_user_m365"]),
    ("response_action", {"action": "disable_user_m365", "username": 1234, "incident_id": INCIDENT_ID}, ["username is 1234, of type int, not a string"]),
    ("response_action", {"action": "disable_user_m365", "username": "  ", "incident_id": INCIDENT_ID},
     ["username '  ' is empty or has surrounding whitespace"]),
    ("response_action", {"action": "disable_user_m365", "username": "", "incident_id": INCIDENT_ID}, ["username '' is empty or has surrounding whitespace"]),
    ("response_action", {"action": "disable_user_m365", "username": "u@example.com", "incident_id": " 69 "},
     ["incident_id ' 69 ' is empty or has surrounding whitespace"]),
    ("response_action", {"action": "delete_email_m365", "email_id": ["m1"], "incident_id": INCIDENT_ID}, ["email_id is ['m1'], of type list, not a string"]),
    # ansible-core's own type check names the option but not the value.
    ("response_action", {"action": "disable_user_m365", "username": "u@example.com", "integration_identifiers": "c1"},
     ["integration_identifiers", "convert to dict"]),
    ("response_action", {"action": "disable_user_m365", "username": "u@example.com", "incident_id": INCIDENT_ID, "targets": {"h": 1}},
     ["targets applies only to delete_similar_emails_m365"]),
    ("response_action", {"action": "disable_user_m365", "username": "u@example.com", "incident_id": INCIDENT_ID, "wait": True, "wait_timeout": 0},
     ["wait_timeout must be a finite number of seconds greater than 0, got 0"]),
    ("similar_emails_info", {"email_id": 123}, ["email_id is 123, of type int, not a string"]),
    ("similar_emails_info", {"email_id": ""}, ["email_id '' is empty or has surrounding whitespace"]),
    ("similar_emails_info", {"email_id": "m1", "per_page": 0}, ["per_page must be from 1 to 1000, got 0"]),
    ("similar_emails_info", {"email_id": "m1", "per_page": 1001}, ["per_page must be from 1 to 1000, got 1001"]),
    ("similar_emails_info", {"email_id": "m1", "max_emails": -1}, ["max_emails must be 0 (all) or more, got -1"]),
]

MODULE_VALID_ARGUMENTS = {
    "response_action_info": {"action_id": "a1"},
    "response_action": {"action": "disable_user_m365", "username": "u@example.com", "incident_id": INCIDENT_ID},
    "similar_emails_info": {"email_id": "m1"},
    "api_key_info": {},
}

# (terms, keyword options, fragments of the message)
LOOKUP_CASES = [
    ([], {}, ["terms is empty"]),
    ([""], {}, ["terms is empty or only whitespace"]),
    ([" a1 "], {}, ["terms ' a1 ' has surrounding whitespace"]),
    # ansible-core 2.19 and later name the type _AnsibleTaggedInt.
    ([12345], {}, ["terms is 12345, of type", "not a string", "Quote the action ID"]),
    (["a1", "a1"], {}, ["terms lists these IDs more than once: 'a1'"]),
    (TEN_THOUSAND_IDS, {}, ["terms has 10000 IDs", "Split the list"]),
    (["a1"], {"wait": True, "wait_timeout": 0}, ["wait_timeout must be a finite number of seconds greater than 0, got 0"]),
    (["a1"], {"wait": True, "wait_sleep": -1}, ["wait_sleep must be a finite number of seconds greater than 0, got -1"]),
    (["a1"], {"wiat": True}, ["has no option wiat"]),
    (["a1"], {"base_url": "ftp://127.0.0.1/api"}, ["base_url 'ftp://127.0.0.1/api' is not an https:// URL"]),
    (["a1"], {"base_url": "http://gravityzone.example.com/api"}, ["base_url 'http://gravityzone.example.com/api'", "clear text"]),
    (["a1"], {"base_url": "127.0.0.1/api"}, ["base_url '127.0.0.1/api' is not an https:// URL"]),
    (["a1"], {"timeout": 0}, ["timeout must be a finite number greater than 0, got 0"]),
    (["a1"], {"timeout": -1}, ["timeout must be a finite number greater than 0, got -1"]),
    (["a1"], {"request_retries": -1}, ["request_retries must be a whole number from 0 to 20, got -1"]),
    (["a1"], {"ca_path": "/nonexistent/ca.pem"}, ["ca_path '/nonexistent/ca.pem' does not exist"]),
]


def bad_input_table():
    """Return every (module or "lookup", arguments, fragments) row, connection cases included for each module."""
    rows = list(MODULE_CASES)
    for module, valid in sorted(MODULE_VALID_ARGUMENTS.items()):
        for option, value, fragments in CONNECTION_CASES:
            rows.append((module, dict(valid, **{option: value}), fragments))
    return rows


def write_bad_input_play(tmp_path, rows, lookup_rows):
    """Write one play with a task per row, each allowed to fail, and return its path."""
    tasks = []
    for index, (module, arguments, _fragments) in enumerate(rows):
        tasks.append({"name": "case %d" % index, "bitdefender.gravityzone.%s" % module: arguments, "ignore_errors": True})
    for index, (terms, options, _fragments) in enumerate(lookup_rows):
        tasks.append({
            "name": "lookup case %d" % index,
            "ansible.builtin.debug": {"msg": "{{ lookup('bitdefender.gravityzone.response_action', *case_terms, **case_options) }}"},
            "vars": {"case_terms": terms, "case_options": options},
            "ignore_errors": True,
        })
    play = [{"name": "Bad input", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    path = tmp_path / "bad_input.yml"
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    return str(path)


def test_bad_input_rejected_before_request(run_playbook, gz, tmp_path):
    rows = bad_input_table()
    playbook = write_bad_input_play(tmp_path, rows, LOOKUP_CASES)
    requests_before = gz.stats()["requests"]
    run = run_playbook(playbook, verbosity=4)
    stats = gz.stats()
    assert_no_credentials_header(run)

    problems = []
    cases = [("case %d" % index, row) for index, row in enumerate(rows)]
    cases += [("lookup case %d" % index, ("lookup",) + row) for index, row in enumerate(LOOKUP_CASES)]
    for name, row in cases:
        entry = run.task(name)
        message = entry["result"].get("msg", "")
        if entry["outcome"] != "failed":
            problems.append("%s %r was not rejected: %s" % (name, row[:-1], entry["outcome"]))
            continue
        missing = [fragment for fragment in row[-1] if fragment not in message]
        if missing:
            problems.append("%s %r: message %r lacks %r" % (name, row[:-1], message, missing))
    assert not problems, "\n".join(problems)
    assert stats["requests"] == requests_before, stats["log"][requests_before - stats["requests"]:]
    assert len(cases) == len(rows) + len(LOOKUP_CASES)


@HEAVY
def test_lookup_rejects_invalid_validate_certs(run_playbook, gz):
    action_id = gz.new_action([4])
    run = run_playbook("fault_lookup.yml", {"action_id": action_id},
                       env={"GRAVITYZONE_VALIDATE_CERTS": "maybe", "GRAVITYZONE_CA_PATH": None}, verbosity=4)
    entry = run.task("Read")
    assert entry["outcome"] == "failed"
    assert "validate_certs" in entry["result"]["msg"]


# TLS failures: each certificate problem fails with a message that names it
# and points to ca_path, for the module and the lookup alike.

@pytest.fixture(params=["expired", "wrong_host", "self_signed"])
def bad_certificate_emulator(request, tmp_path):
    emulator = Emulator(state_dir=str(tmp_path / "bad-cert"), certificate=request.param, rate_limit=0)
    emulator.start()
    yield request.param, emulator
    emulator.stop()


TLS_FRAGMENTS = {
    "expired": "certificate has expired",
    "wrong_host": "certificate is not valid for '127.0.0.1'",
    "self_signed": "self-signed certificate",
}


@pytest.mark.parametrize("playbook", ["fault_read.yml", LOOKUP_PLAYBOOK])
def test_tls_failure_is_clear(run_playbook, gz, bad_certificate_emulator, playbook):
    kind, emulator = bad_certificate_emulator
    env = {"GRAVITYZONE_BASE_URL": emulator.url, "GRAVITYZONE_CA_PATH": emulator.ca_path if kind != "self_signed" else None}
    run = run_playbook(playbook, {"action_id": "6912758f88df334ddbfb7e1a"}, env=env, verbosity=4)
    entry = run.task("Read")
    assert entry["outcome"] == "failed"
    assert "failed the TLS handshake" in entry["result"]["msg"]
    assert TLS_FRAGMENTS[kind] in entry["result"]["msg"]
    assert "ca_path" in entry["result"]["msg"]
    assert emulator.stats.snapshot()["requests"] == 0
    assert_no_credentials_header(run)


def test_self_signed_trusted_with_ca_path(run_playbook, gz, tmp_path):
    with Emulator(state_dir=str(tmp_path / "self-signed"), certificate="self_signed", rate_limit=0) as emulator:
        run = run_playbook("fault_read.yml", {"action_id": "6912758f88df334ddbfb7e1a"},
                           env={"GRAVITYZONE_BASE_URL": emulator.url, "GRAVITYZONE_CA_PATH": emulator.ca_path}, verbosity=4)
    assert run.task("Read")["outcome"] == "ok"


def test_create_validate_certs_false_warns(run_playbook, gz):
    run = run_playbook("fault_create.yml", env={"GRAVITYZONE_VALIDATE_CERTS": "false", "GRAVITYZONE_CA_PATH": None}, verbosity=4)
    result = run.task("Create", "ok")["result"]
    assert any("validate_certs is false" in warning for warning in result["warnings"])


# Proxies: HTTPS_PROXY is used, NO_PROXY bypasses it. requests consults
# NO_PROXY only, so without it even a loopback base_url goes through the proxy.

class TunnelCounter(socketserver.ThreadingTCPServer):
    """A CONNECT-only forward proxy on 127.0.0.1 that counts tunnels and allows loopback targets only."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.tunnels = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), TunnelHandler)


class TunnelHandler(socketserver.StreamRequestHandler):

    def handle(self):
        request_line = self.rfile.readline(4096).decode("latin-1").split()
        while self.rfile.readline(4096) not in (b"\r\n", b"\n", b""):
            pass
        if len(request_line) != 3 or request_line[0] != "CONNECT":
            self.wfile.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        host, port = request_line[1].rsplit(":", 1)
        if host not in ("127.0.0.1", "localhost"):
            self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        upstream = socket.create_connection((host, int(port)), timeout=10)
        with self.server.lock:
            self.server.tunnels += 1
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()
        self.relay(upstream)

    def relay(self, upstream):
        sockets = [self.connection, upstream]
        try:
            while True:
                readable = select.select(sockets, [], [], 10)[0]
                if not readable:
                    return
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is self.connection else self.connection).sendall(data)
        finally:
            upstream.close()


@pytest.fixture
def tunnel_proxy():
    proxy = TunnelCounter()
    thread = threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield proxy
    proxy.shutdown()
    proxy.server_close()


@pytest.mark.parametrize("playbook", ["fault_read.yml", LOOKUP_PLAYBOOK])
@pytest.mark.parametrize("no_proxy, tunnels", [(None, 1), ("127.0.0.1", 0)])
def test_https_proxy_and_no_proxy(run_playbook, gz, tunnel_proxy, playbook, no_proxy, tunnels):
    proxy_url = "http://127.0.0.1:%d" % tunnel_proxy.server_address[1]
    env = {"HTTPS_PROXY": proxy_url, "https_proxy": None, "NO_PROXY": no_proxy, "no_proxy": None}
    run = run_playbook(playbook, {"action_id": gz.new_action([4])}, env=env, verbosity=4)
    assert run.task("Read")["outcome"] == "ok", run.output
    assert tunnel_proxy.tunnels == tunnels
    assert_no_credentials_header(run)
