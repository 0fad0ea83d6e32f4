# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tests of the response_action_info module: argument spec, results and failures.

main() runs in-process with exit_json, fail_json and warn replaced, against
the scripted local server. The module's client and reader run on the fake
clock, so waits take no real time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import json
import sys

from unittest import mock

import pytest

from ansible.module_utils import basic

from ansible_collections.bitdefender.gravityzone.plugins.module_utils import module_support
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.client import GravityZoneClient
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.reader import StatusReader
from ansible_collections.bitdefender.gravityzone.plugins.modules import response_action_info
from ansible_collections.bitdefender.gravityzone.tests.unit.conftest import UNPACED_RATE
from ansible_collections.bitdefender.gravityzone.tests.unit.scripted_api import (
    API_KEY,
    BASIC_CREDENTIALS,
    SECRETS,
    error_reply,
    raw_reply,
    status_reply,
)

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:
    # ansible-core before 2.19 reads the arguments from basic._ANSIBLE_ARGS.
    patch_module_args = None

RESULT_KEYS = {"changed", "retryable", "actions", "terminal", "succeeded", "needs_attention", "open_ids",
               "unsuccessful_ids", "needs_attention_ids"}

ACTION_ID = "6912758f88df334ddbfb7e1a"


@contextlib.contextmanager
def module_args(args):
    """Expose args to AnsibleModule on every supported ansible-core version."""
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
    else:
        serialized = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode("utf-8")
        with mock.patch.object(basic, "_ANSIBLE_ARGS", serialized):
            yield


class ModuleExit(Exception):
    """Raised by the patched exit_json, with its keyword arguments in result."""

    def __init__(self, result):
        super(ModuleExit, self).__init__(result)
        self.result = result


class ModuleFailed(Exception):
    """Raised by the patched fail_json, with its keyword arguments in result.

    exception_active records whether an exception was being handled at the
    time. ansible-core 2.16 attaches its traceback to the result at -vvv then.
    """

    def __init__(self, result, exception_active):
        super(ModuleFailed, self).__init__(result)
        self.result = result
        self.exception_active = exception_active


@pytest.fixture
def warnings(monkeypatch):
    """Replace exit_json, fail_json and warn, and return the list that collects the warnings."""
    collected = []

    def exit_json(module, **kwargs):
        raise ModuleExit(kwargs)

    def fail_json(module, msg=None, **kwargs):
        kwargs["msg"] = msg
        raise ModuleFailed(kwargs, sys.exc_info()[0] is not None)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda module, warning: collected.append(warning))
    return collected


@pytest.fixture
def fake_clock_module(monkeypatch, clock):
    """Build the module's client and reader on the fake clock, without pacing."""
    class FakeClockClient(GravityZoneClient):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("rate", UNPACED_RATE)
            kwargs.setdefault("clock", clock.monotonic)
            kwargs.setdefault("sleep", clock.sleeper("pacer"))
            super(FakeClockClient, self).__init__(*args, **kwargs)

    def make_reader(client):
        return StatusReader(client, clock=clock.monotonic, sleep=clock.sleeper("reader"))

    monkeypatch.setattr(module_support, "GravityZoneClient", FakeClockClient)
    monkeypatch.setattr(response_action_info, "StatusReader", make_reader)


@pytest.fixture
def run(warnings, fake_clock_module, api):
    """Return a function that runs the module with args plus the api's connection and returns the end state."""
    def run_module(connection=True, **args):
        if connection:
            args.setdefault("base_url", api.base_url)
            args.setdefault("api_key", API_KEY)
            args.setdefault("request_retries", 0)
        with module_args(args):
            with pytest.raises((ModuleExit, ModuleFailed)) as caught:
                response_action_info.main()
        return caught.value
    return run_module


def succeeded(end):
    assert isinstance(end, ModuleExit), end.result.get("msg")
    return end.result


def failed(end):
    assert isinstance(end, ModuleFailed), end.result
    return end.result


# Argument spec


def test_module_ids_mutually_exclusive(api, run):
    result = failed(run(action_id="a", action_ids=["b"]))
    assert "mutually exclusive" in result["msg"]
    assert api.requests == []


def test_module_one_id_option_required(api, run):
    result = failed(run())
    assert "one of the following is required: action_id, action_ids" in result["msg"]
    assert api.requests == []


@pytest.mark.parametrize("value, type_name", [(1234, "int"), (1.5e+20, "float"), (True, "bool")])
def test_module_numeric_id_rejected_with_quoting_advice(api, run, value, type_name):
    result = failed(run(action_id=value))
    assert "action_id is %r, of type %s, not a string" % (value, type_name) in result["msg"]
    assert "Quote the action ID in YAML" in result["msg"]
    assert api.requests == []


def test_module_numeric_id_in_list_named(api, run):
    result = failed(run(action_ids=["a", 1234]))
    assert result["msg"].startswith("action_ids[1] is 1234, of type int")


def test_module_empty_id_rejected(run):
    assert "action_id is empty or only whitespace" in failed(run(action_id=""))["msg"]


def test_module_empty_id_list_rejected(run):
    assert "action_ids is empty" in failed(run(action_ids=[]))["msg"]


def test_module_duplicate_ids_rejected(run):
    assert "lists these IDs more than once: 'a'" in failed(run(action_ids=["a", "b", "a"]))["msg"]


def test_module_too_many_ids_rejected(api, run):
    result = failed(run(action_ids=["id-%d" % number for number in range(1001)]))
    assert "Split the list" in result["msg"]
    assert api.requests == []


def test_module_env_fallbacks(api, run, monkeypatch):
    monkeypatch.setenv("GRAVITYZONE_BASE_URL", api.base_url)
    monkeypatch.setenv("GRAVITYZONE_API_KEY", API_KEY)
    api.script_action("a", status_reply(4))
    result = succeeded(run(connection=False, action_id="a"))
    assert result["succeeded"] is True
    assert api.requests[0].headers["Authorization"] == "Basic " + BASIC_CREDENTIALS


def test_module_env_request_retries(api, run, monkeypatch):
    monkeypatch.setenv("GRAVITYZONE_BASE_URL", api.base_url)
    monkeypatch.setenv("GRAVITYZONE_API_KEY", API_KEY)
    monkeypatch.setenv("GRAVITYZONE_REQUEST_RETRIES", "1")
    api.script_action("a", raw_reply(503, "busy"), status_reply(4))
    succeeded(run(connection=False, action_id="a"))
    assert api.reads_of("a") == 2


def test_module_option_wins_over_env(api, run, monkeypatch):
    monkeypatch.setenv("GRAVITYZONE_BASE_URL", "https://gz.invalid/api")
    api.script_action("a", status_reply(4))
    succeeded(run(action_id="a"))
    assert len(api.requests) == 1


def test_module_env_ca_path_wins_over_requests_bundle(tls_api, warnings, fake_clock_module, ca_file, other_ca_file,
                                                      monkeypatch):
    monkeypatch.setenv("GRAVITYZONE_CA_PATH", ca_file)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", other_ca_file)
    tls_api.script_action("a", status_reply(4))
    with module_args({"base_url": tls_api.base_url, "api_key": API_KEY, "action_id": "a"}):
        with pytest.raises(ModuleExit) as caught:
            response_action_info.main()
    assert caught.value.result["succeeded"] is True


def test_module_tls_failure_names_ca_path(tls_api, warnings, fake_clock_module, other_ca_file, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", other_ca_file)
    tls_api.script_action("a", status_reply(4))
    with module_args({"base_url": tls_api.base_url, "api_key": API_KEY, "action_id": "a"}):
        with pytest.raises(ModuleFailed) as caught:
            response_action_info.main()
    result = caught.value.result
    assert "'a'" in result["msg"]
    assert "failed the TLS handshake" in result["msg"]
    assert "set ca_path" in result["msg"]
    assert result["retryable"] is False


def test_module_env_validate_certs_false_warns(api, run, warnings, monkeypatch):
    monkeypatch.setenv("GRAVITYZONE_VALIDATE_CERTS", "false")
    api.script_action("a", status_reply(4))
    succeeded(run(action_id="a"))
    assert warnings[0].startswith("validate_certs is false")


def test_module_missing_base_url(api, run):
    result = failed(run(connection=False, api_key=API_KEY, action_id="a"))
    assert "base_url is missing or empty" in result["msg"]
    assert "GRAVITYZONE_BASE_URL" in result["msg"]


def test_module_missing_api_key(api, run):
    result = failed(run(connection=False, base_url=api.base_url, action_id="a"))
    assert "api_key is missing or empty" in result["msg"]
    assert api.requests == []


def test_module_plain_http_to_remote_host_rejected(run):
    result = failed(run(action_id="a", base_url="http://gz.example.test/api"))
    assert "clear text" in result["msg"]


def test_module_validate_certs_false_warns(api, run, warnings):
    api.script_action("a", status_reply(4))
    succeeded(run(action_id="a", validate_certs=False))
    assert len(warnings) == 1
    assert warnings[0].startswith("validate_certs is false")
    assert "ca_path" in warnings[0]


def test_module_no_warning_by_default(api, run, warnings):
    api.script_action("a", status_reply(4))
    succeeded(run(action_id="a"))
    assert warnings == []


def test_module_bad_wait_timeout_rejected(api, run):
    result = failed(run(action_id="a", wait=True, wait_timeout=0))
    assert result["msg"] == "wait_timeout must be a finite number of seconds greater than 0, got 0.0."
    assert api.requests == []


def test_module_wait_options_ignored_without_wait(api, run):
    api.script_action("a", status_reply(2))
    assert succeeded(run(action_id="a", wait_sleep=0))["open_ids"] == ["a"]


# Results


def test_module_read_result(api, run):
    api.script_action(ACTION_ID, status_reply(4))
    result = succeeded(run(action_id=ACTION_ID))
    assert result["changed"] is False
    assert result["retryable"] is True
    assert result["terminal"] is True
    assert result["succeeded"] is True
    assert result["needs_attention"] is False
    assert result["action"]["id"] == ACTION_ID
    assert result["actions"] == [result["action"]]


def test_module_result_keys(api, run):
    api.script_action("a", status_reply(4))
    result = succeeded(run(action_id="a"))
    assert set(result) == RESULT_KEYS | {"action"}


def test_module_list_result_has_no_action_key(api, run):
    api.script_action("a", status_reply(4))
    api.script_action("b", status_reply(2))
    result = succeeded(run(action_ids=["b", "a"]))
    assert set(result) == RESULT_KEYS
    assert [action["id"] for action in result["actions"]] == ["b", "a"]
    assert result["open_ids"] == ["b"]


def test_module_never_returns_attempts(api, run):
    api.script_action("a", status_reply(2))
    assert "attempts" not in succeeded(run(action_id="a"))


def test_module_pending_and_failed_are_data(api, run):
    api.script_action("a", status_reply(2))
    api.script_action("b", status_reply(5, errorDescription="Mailbox not found."))
    api.script_action("c", status_reply(7))
    result = succeeded(run(action_ids=["a", "b", "c"]))
    assert result["terminal"] is False
    assert result["needs_attention"] is True
    assert result["unsuccessful_ids"] == ["b", "c"]
    assert result["needs_attention_ids"] == ["c"]


def test_module_check_mode_reads(api, run):
    api.script_action("a", status_reply(4))
    result = succeeded(run(action_id="a", _ansible_check_mode=True))
    assert result["changed"] is False
    assert api.reads_of("a") == 1


def test_module_unknown_values_warned_once(api, run, warnings):
    api.script_action("a", status_reply(42))
    api.script_action("b", status_reply(42))
    succeeded(run(action_ids=["a", "b"]))
    assert len(warnings) == 1
    assert "status value 42" in warnings[0]


def test_module_result_plain_json(api, run):
    api.script_action("a", status_reply(4, action_type=11, outcome={"succeededIds": ["m1"]}))
    result = succeeded(run(action_id="a"))
    assert json.loads(json.dumps(result)) == result


# Failures


def test_module_auth_failure_keeps_result_keys(api, run):
    api.script_action("a", raw_reply(401, "Unauthorized"))
    result = failed(run(action_id="a"))
    assert set(result) == RESULT_KEYS | {"action", "msg"}
    assert result["changed"] is False
    assert result["retryable"] is False
    assert result["terminal"] is False
    assert result["succeeded"] is False
    assert result["needs_attention"] is False
    assert result["actions"] == []
    assert result["action"] is None
    assert result["open_ids"] == ["a"]


def test_module_auth_failure_message(api, run):
    api.script_action("a", raw_reply(401, "Unauthorized"))
    message = failed(run(action_id="a"))["msg"]
    assert "'a'" in message
    assert "HTTP 401" in message
    assert "Access URL" in message


def test_module_transient_failure_retryable(api, run):
    api.script_action("a", raw_reply(503, "busy"))
    result = failed(run(action_id="a"))
    assert result["retryable"] is True
    assert "attempts" not in result


def test_module_partial_read_failure_keeps_read_actions(api, run):
    api.script_action("a", status_reply(4))
    api.script_action("bad", error_reply(-32602, "Invalid params", "Response action not found."))
    api.script_action("c", status_reply(4))
    result = failed(run(action_ids=["a", "bad", "c"]))
    assert [action["id"] for action in result["actions"]] == ["a", "c"]
    assert result["open_ids"] == ["bad"]
    assert result["terminal"] is False
    assert result["retryable"] is False
    assert "'bad'" in result["msg"]
    assert "Response action not found." in result["msg"]


def test_module_method_not_found_mentions_on_premises(api, run):
    api.script_action("a", error_reply(-32601, "Method not found"))
    result = failed(run(action_id="a"))
    assert "on-premises" in result["msg"]
    assert result["retryable"] is False


def test_module_failure_never_contains_key(api, run):
    api.script_action("a", error_reply(-32000, "Key %s rejected" % API_KEY, "Basic %s" % BASIC_CREDENTIALS, status=401))
    result = failed(run(action_id="a"))
    text = json.dumps(result)
    for secret in SECRETS:
        assert secret not in text


@pytest.mark.parametrize("args", [
    {"action_id": 1234},
    {"action_id": "a", "base_url": "ftp://gz.example.test"},
    {"action_id": "a", "wait": True, "wait_sleep": -1},
], ids=["action-id", "connection-option", "wait-option"])
def test_module_option_failure_outside_except(run, args):
    end = run(**args)
    assert isinstance(end, ModuleFailed)
    assert end.exception_active is False


def test_module_read_failure_outside_except(api, run):
    api.script_action("a", raw_reply(401, "Unauthorized"))
    end = run(action_id="a")
    assert isinstance(end, ModuleFailed)
    assert end.exception_active is False


# Waiting


def test_module_wait_success(api, run, clock):
    api.script_action("a", status_reply(2), status_reply(3), status_reply(4))
    result = succeeded(run(action_id="a", wait=True, wait_sleep=5))
    assert result["succeeded"] is True
    assert result["action"]["status_name"] == "execution_success"
    assert clock.slept("reader") == [5, 5]


def test_module_wait_timeout_fails_with_keys(api, run):
    api.script_action("a", status_reply(2))
    result = failed(run(action_id="a", wait=True, wait_timeout=12, wait_sleep=5))
    assert result["msg"].startswith("Timed out after 12.0 seconds")
    assert "'a' (pending, status 2)" in result["msg"]
    assert result["retryable"] is True
    assert result["action"]["status"] == 2
    assert result["open_ids"] == ["a"]
    assert set(result) == RESULT_KEYS | {"action", "msg"}


def test_module_wait_failed_action_fails(api, run):
    api.script_action("a", status_reply(3), status_reply(5, errorDescription="The user could not be found."))
    result = failed(run(action_id="a", wait=True, wait_sleep=5))
    assert "'a' ended as execution_failed (status 5): The user could not be found." in result["msg"]
    assert result["unsuccessful_ids"] == ["a"]
    assert result["terminal"] is True
    assert result["succeeded"] is False


def test_module_wait_external_action_fails(api, run):
    api.script_action("a", status_reply(7), status_reply(8))
    result = failed(run(action_id="a", wait=True, wait_sleep=5))
    assert "wait_on_external_action" in result["msg"]
    assert result["needs_attention_ids"] == ["a"]


def test_module_wait_on_external_action(api, run):
    api.script_action("a", status_reply(7), status_reply(8))
    result = succeeded(run(action_id="a", wait=True, wait_sleep=5, wait_on_external_action=True))
    assert result["action"]["status_name"] == "done_externally"
    assert result["needs_attention"] is False


def test_module_wait_permanent_error_stops(api, run):
    api.script_action("a", status_reply(2), raw_reply(403, "Forbidden"), status_reply(4))
    result = failed(run(action_id="a", wait=True, wait_sleep=5))
    assert "HTTP 403" in result["msg"]
    assert result["retryable"] is False
    assert api.reads_of("a") == 2
