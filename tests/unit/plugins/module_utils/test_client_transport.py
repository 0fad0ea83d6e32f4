# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tests of GravityZoneClient.call against a scripted local server.

The server is a real HTTP server on 127.0.0.1, so requests, urllib3's
Retry and the client's DeadlineRetry run as in production. Only the clock
is fake: urllib3's pauses are recorded under "retry" and the pacer's
under "pacer", and neither waits.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import socket
import time
import warnings

import pytest

from ansible_collections.bitdefender.gravityzone.plugins.module_utils import client as client_module
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.client import (
    MAX_REPLY_BYTES,
    MAX_RETRY_AFTER,
    READ_RETRY_STATUSES,
    DeadlineRetry,
    GravityZoneClient,
    GravityZoneError,
    _Pacer,
    normalise_base_url,
    read_retry_policy,
)
from ansible_collections.bitdefender.gravityzone.tests.unit.conftest import LOOPBACK, install_api
from ansible_collections.bitdefender.gravityzone.tests.unit.scripted_api import (
    API_KEY,
    BASIC_CREDENTIALS,
    ENDPOINT_PATH,
    SECRETS,
    STATUS_METHOD,
    FakeClock,
    Reply,
    error_reply,
    raw_reply,
    result_reply,
    status_result,
)

ACTION_ID = "6912758f88df334ddbfb7e1a"
OK_RESULT = status_result(4)


def call_status(client, action_id=ACTION_ID, deadline=None):
    return client.call("incidents", STATUS_METHOD, {"actionId": action_id}, deadline=deadline)


def call_error(client, **kwargs):
    with pytest.raises(GravityZoneError) as caught:
        call_status(client, **kwargs)
    return caught.value


def closed_port():
    """Return a loopback port that nothing listens on."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind((LOOPBACK, 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


# The request on the wire


def test_call_sends_jsonrpc_post(api, make_client):
    api.queue(result_reply(OK_RESULT))
    call_status(make_client())
    request = api.requests[0]
    assert request.method == "POST"
    assert request.path == ENDPOINT_PATH
    assert request.headers["Content-Type"] == "application/json"
    assert sorted(request.body) == ["id", "jsonrpc", "method", "params"]
    assert request.body["jsonrpc"] == "2.0"
    assert request.body["method"] == STATUS_METHOD
    assert request.body["params"] == {"actionId": ACTION_ID}


def test_call_sends_basic_auth_of_key(api, make_client):
    api.queue(result_reply(OK_RESULT))
    call_status(make_client())
    assert api.requests[0].headers["Authorization"] == "Basic " + BASIC_CREDENTIALS


def test_call_sends_user_agent(api, make_client):
    api.queue(result_reply(OK_RESULT))
    call_status(make_client())
    assert "bitdefender.gravityzone" in api.requests[0].headers["User-Agent"]


def test_call_uses_fresh_string_id(api, make_client):
    api.queue(result_reply(OK_RESULT), result_reply(OK_RESULT))
    client = make_client()
    call_status(client)
    call_status(client)
    first, second = (request.request_id for request in api.requests)
    assert isinstance(first, str)
    assert first
    assert first != second


def test_call_returns_result(api, make_client):
    api.queue(result_reply(OK_RESULT))
    assert call_status(make_client()) == OK_RESULT


def test_call_returns_null_result(api, make_client):
    api.queue(result_reply(None))
    assert call_status(make_client()) is None


def test_call_other_area_path(api, make_client):
    api.queue(result_reply({"enabledApis": ["incidents"]}))
    make_client().call("general", "getApiKeyDetails", {})
    assert api.requests[0].path == "/api/v1.0/jsonrpc/general"
    assert api.requests[0].body["params"] == {}


@pytest.mark.parametrize("suffix", ["", "/", "/api", "/api/", "/api/v1.0/jsonrpc/incidents"])
def test_call_base_url_forms_reach_endpoint(api, make_client, suffix):
    root = api.base_url[:-len("/api")]
    api.queue(result_reply(OK_RESULT))
    call_status(make_client(base_url=root + suffix))
    assert api.requests[0].path == ENDPOINT_PATH


def test_call_base_url_path_prefix_kept(api, make_client):
    root = api.base_url[:-len("/api")]
    api.queue(result_reply(OK_RESULT))
    call_status(make_client(base_url=root + "/tenant-a"))
    assert api.requests[0].path == "/tenant-a" + ENDPOINT_PATH


def test_call_ipv6_loopback_with_port(ipv6_http_server, clock, make_client):
    api = install_api(ipv6_http_server, clock, host="[::1]")
    api.queue(result_reply(OK_RESULT))
    assert call_status(make_client(base_url=api.base_url)) == OK_RESULT
    assert api.requests[0].path == ENDPOINT_PATH


# HTTP status errors


def test_http_401_hints_access_url(api, make_client):
    api.queue(raw_reply(401, "Unauthorized"))
    error = call_error(make_client())
    assert "HTTP 401" in error.message
    assert "Access URL" in error.message
    assert "api_key" in error.message
    assert error.http_status == 401
    assert error.retryable is False
    assert len(api.requests) == 1


def test_http_403_hints_incidents_api(api, make_client):
    api.queue(raw_reply(403, "Forbidden"))
    error = call_error(make_client())
    assert "HTTP 403" in error.message
    assert "Enable the Incidents API" in error.message
    assert STATUS_METHOD in error.message
    assert error.retryable is False


def test_http_404_html_page_hints_base_url(api, make_client):
    api.queue(raw_reply(404, "<html><body><h1>Not Found</h1></body></html>", content_type="text/html"))
    error = call_error(make_client())
    assert "HTTP 404" in error.message
    assert "text/html" in error.message
    assert "<html><body><h1>Not Found" in error.message
    assert "ending in /api" in error.message
    assert error.retryable is False
    assert error.rpc_code is None


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_http_redirect_not_followed(api, make_client, status):
    target = api.base_url + "/moved"
    api.queue(raw_reply(status, "", headers={"Location": target}), result_reply(OK_RESULT))
    error = call_error(make_client())
    assert "HTTP %d" % status in error.message
    assert "redirect to %r" % target in error.message
    assert error.retryable is False
    assert len(api.requests) == 1


def test_http_400_plain_not_retryable(api, make_client):
    api.queue(raw_reply(400, "Bad Request"))
    error = call_error(make_client())
    assert "Check base_url and the task parameters" in error.message
    assert error.retryable is False


def test_http_429_retried_then_success(api, make_client, clock):
    api.queue(raw_reply(429, ""), raw_reply(429, ""), result_reply(OK_RESULT))
    assert call_status(make_client()) == OK_RESULT
    assert len(api.requests) == 3
    assert clock.slept("retry") == [1.0]


def test_http_429_retry_after_honoured(api, make_client, clock):
    api.queue(raw_reply(429, "", headers={"Retry-After": "3"}), result_reply(OK_RESULT))
    assert call_status(make_client()) == OK_RESULT
    assert clock.slept("retry") == [3]


def test_http_429_retry_after_at_limit_honoured(api, make_client, clock):
    api.queue(raw_reply(429, "", headers={"Retry-After": str(int(MAX_RETRY_AFTER))}), result_reply(OK_RESULT))
    assert call_status(make_client()) == OK_RESULT
    assert clock.slept("retry") == [MAX_RETRY_AFTER]


def test_http_429_exhausted_names_rate_limit(api, make_client, clock):
    api.queue(*[raw_reply(429, "", headers={"Retry-After": "2"})] * 4)
    error = call_error(make_client(request_retries=3))
    assert "HTTP 429" in error.message
    assert "rate limit" in error.message
    assert "when the retries ran out" in error.message
    assert "(Retry-After: 2)" in error.message
    assert error.retryable is True
    assert error.http_status == 429
    assert len(api.requests) == 4
    assert clock.slept("retry") == [2, 2, 2]


def test_http_429_long_retry_after_fails(api, make_client, clock):
    too_long = str(int(MAX_RETRY_AFTER) + 1)
    api.queue(raw_reply(429, "", headers={"Retry-After": too_long}), result_reply(OK_RESULT))
    error = call_error(make_client())
    assert "(Retry-After: %s)" % too_long in error.message
    assert error.retryable is True
    assert len(api.requests) == 1
    assert clock.slept("retry") == []


@pytest.mark.parametrize("status", sorted(READ_RETRY_STATUSES - {429}))
def test_http_gateway_errors_retried(api, make_client, clock, status):
    api.queue(raw_reply(status, "busy"), raw_reply(status, "busy"), raw_reply(status, "busy"), result_reply(OK_RESULT))
    assert call_status(make_client(request_retries=3)) == OK_RESULT
    assert len(api.requests) == 4
    assert clock.slept("retry") == [1.0, 2.0]


def test_http_503_exhausted_retryable(api, make_client):
    api.queue(*[raw_reply(503, "busy")] * 3)
    error = call_error(make_client(request_retries=2))
    assert "HTTP 503" in error.message
    assert "usually temporary" in error.message
    assert error.retryable is True
    assert len(api.requests) == 3


def test_http_500_not_retried(api, make_client, clock):
    api.queue(raw_reply(500, "Internal Server Error"), result_reply(OK_RESULT))
    error = call_error(make_client())
    assert "HTTP 500" in error.message
    assert error.retryable is True
    assert len(api.requests) == 1
    assert clock.slept("retry") == []


def test_request_retries_zero_sends_once(api, make_client):
    api.queue(raw_reply(503, "busy"), result_reply(OK_RESULT))
    error = call_error(make_client(request_retries=0))
    assert error.http_status == 503
    assert len(api.requests) == 1


# JSON-RPC errors


def test_rpc_error_http_200_details(api, make_client):
    api.queue(error_reply(-32000, "Server error", "The database is not reachable."))
    error = call_error(make_client())
    assert "JSON-RPC error -32000 Server error" in error.message
    assert "The database is not reachable." in error.message
    assert error.rpc_code == -32000
    assert error.details == "The database is not reachable."
    assert error.http_status == 200
    assert error.retryable is True
    assert error.action_specific is False


@pytest.mark.parametrize("status", [400, 500])
def test_rpc_error_http_error_body_details(api, make_client, status):
    api.queue(error_reply(-32000, "Server error", "Quota store failed.", status=status))
    error = call_error(make_client())
    assert "HTTP %d" % status in error.message
    assert "JSON-RPC -32000 Server error: Quota store failed." in error.message
    assert error.rpc_code == -32000
    assert error.details == "Quota store failed."


def test_rpc_method_not_found_mentions_on_premises(api, make_client):
    api.queue(error_reply(-32601, "Method not found"))
    error = call_error(make_client())
    assert "on-premises" in error.message
    assert "GravityZone Cloud" in error.message
    assert error.retryable is False
    assert error.action_specific is False


def test_rpc_invalid_params_action_specific(api, make_client):
    api.queue(error_reply(-32602, "Invalid params", "Invalid action id."))
    error = call_error(make_client())
    assert "Invalid action id." in error.message
    assert "Check the value sent to the API" in error.message
    assert error.action_specific is True
    assert error.retryable is False


@pytest.mark.parametrize("code", [-32700, -32600])
def test_rpc_request_format_errors_permanent(api, make_client, code):
    api.queue(error_reply(code, "Invalid Request"))
    error = call_error(make_client())
    assert "proxy may have altered the request" in error.message
    assert error.retryable is False
    assert error.action_specific is False


@pytest.mark.parametrize("status", [400, 500])
def test_rpc_invalid_params_error_body_specific(api, make_client, status):
    api.queue(error_reply(-32602, "Invalid params", "Invalid action id.", status=status))
    error = call_error(make_client())
    assert error.action_specific is True
    assert error.retryable is False


def test_rpc_method_not_found_500_permanent(api, make_client):
    api.queue(error_reply(-32601, "Method not found", status=500))
    error = call_error(make_client())
    assert error.retryable is False
    assert "on-premises" in error.message


def test_rpc_error_without_details(api, make_client):
    api.queue(error_reply(-32000, "Server error"))
    error = call_error(make_client())
    assert error.details is None
    assert "Server error." in error.message


def test_rpc_error_structured_details_as_json(api, make_client):
    api.queue(error_reply(-32602, "Invalid params", {"actionId": "not found"}))
    error = call_error(make_client())
    assert error.details == json.dumps({"actionId": "not found"})
    assert '"actionId": "not found"' in error.message


def test_rpc_error_member_not_object(api, make_client):
    api.queue(Reply(payload={"id": "ECHO", "error": "backend exploded"}))
    error = call_error(make_client())
    assert "backend exploded" in error.message
    assert error.rpc_code is None


def test_rpc_error_reported_before_id_check(api, make_client):
    api.queue(Reply(payload={"id": "another-id", "error": {"code": -32602, "message": "Invalid params"}}))
    error = call_error(make_client())
    assert error.rpc_code == -32602
    assert "does not match" not in error.message


# Malformed replies


def test_reply_not_json(api, make_client):
    api.queue(raw_reply(200, "<html>captive portal</html>", content_type="text/html"))
    error = call_error(make_client())
    assert "is not JSON-RPC" in error.message
    assert "text/html" in error.message
    assert "captive portal" in error.message
    assert error.retryable is True


def test_reply_not_utf8(api, make_client):
    api.queue(raw_reply(200, b"\xff\xfe\x00garbage", content_type="application/json"))
    error = call_error(make_client())
    assert "not valid JSON" in error.message
    assert error.retryable is True


def test_reply_empty_body(api, make_client):
    api.queue(raw_reply(200, ""))
    error = call_error(make_client())
    assert "the body is empty" in error.message
    assert error.retryable is True


def test_reply_json_not_object(api, make_client):
    api.queue(raw_reply(200, json.dumps([{"result": OK_RESULT}]), content_type="application/json"))
    error = call_error(make_client())
    assert "JSON but not a JSON-RPC object" in error.message
    assert error.retryable is True


def test_reply_id_mismatch(api, make_client):
    api.queue(Reply(payload={"id": "someone-else", "result": OK_RESULT}))
    error = call_error(make_client())
    assert "'someone-else' does not match the request id %r" % api.requests[0].request_id in error.message
    assert error.retryable is True


def test_reply_id_missing(api, make_client):
    api.queue(raw_reply(200, json.dumps({"jsonrpc": "2.0", "result": OK_RESULT}), content_type="application/json"))
    error = call_error(make_client())
    assert "reply id None does not match" in error.message


def test_reply_without_result_or_error(api, make_client):
    api.queue(Reply(payload={"id": "ECHO"}))
    error = call_error(make_client())
    assert "neither result nor error" in error.message
    assert error.retryable is True


def test_reply_over_size_limit_not_parsed(api, make_client):
    api.queue(raw_reply(200, b" " * (MAX_REPLY_BYTES + 1), content_type="application/json"))
    error = call_error(make_client())
    assert "larger than %d bytes" % MAX_REPLY_BYTES in error.message
    assert error.retryable is True


class PaddedReply(Reply):
    """A result reply padded with trailing spaces, which JSON allows, to exactly size bytes."""

    def __init__(self, result, size):
        super(PaddedReply, self).__init__(payload={"id": "ECHO", "result": result})
        self.size = size

    def render(self, recorded):
        response = super(PaddedReply, self).render(recorded)
        data = response.get_data()
        response.set_data(data + b" " * (self.size - len(data)))
        return response


def test_reply_at_size_limit_parsed(api, make_client):
    api.queue(PaddedReply(OK_RESULT, MAX_REPLY_BYTES))
    assert call_status(make_client()) == OK_RESULT


def test_reply_cut_short_retryable(api, make_client):
    api.queue(*[Reply(payload={"id": "ECHO", "result": OK_RESULT}, declared_length=10000)] * 2)
    error = call_error(make_client(request_retries=1))
    assert "connection broke while the reply was being read" in error.message
    assert error.retryable is True
    assert len(api.requests) == 2


def test_reply_cut_short_then_whole_succeeds(api, make_client):
    api.queue(Reply(payload={"id": "ECHO", "result": OK_RESULT}, declared_length=10000), result_reply(OK_RESULT))
    assert call_status(make_client(request_retries=1)) == OK_RESULT
    assert len(api.requests) == 2


def test_create_cut_short_not_repeated(api, make_client):
    api.queue(Reply(payload={"id": "ECHO", "result": "6560a95884f89d6eca0b61b1"}, declared_length=10000), result_reply("x"))
    with pytest.raises(GravityZoneError) as caught:
        make_client(request_retries=3).call("incidents", "createResponseAction", {"actionType": 3}, creates=True)
    assert caught.value.maybe_delivered is True
    assert len(api.requests) == 1


# Transport faults


def test_connection_refused_retried_then_retryable(make_client, clock):
    base_url = "http://%s:%d/api" % (LOOPBACK, closed_port())
    error = call_error(make_client(base_url=base_url, request_retries=3))
    assert "could not connect" in error.message
    assert "Check base_url" in error.message
    assert error.retryable is True
    assert clock.slept("retry") == [1.0, 2.0]


def test_proxy_unreachable_names_proxy(api, make_client, monkeypatch):
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://%s:%d" % (LOOPBACK, closed_port()))
    error = call_error(make_client(request_retries=0))
    assert "failed at the HTTPS proxy" in error.message
    assert "HTTPS_PROXY and NO_PROXY" in error.message
    assert error.retryable is True
    assert api.requests == []


def test_read_timeout_retried_then_success(api, make_client):
    api.queue(result_reply(OK_RESULT, delay=1.0), result_reply(OK_RESULT))
    assert call_status(make_client(timeout=0.3, request_retries=1)) == OK_RESULT
    assert len(api.requests) == 2


def test_read_timeout_exhausted_retryable(api, make_client):
    api.queue(result_reply(OK_RESULT, delay=0.4), result_reply(OK_RESULT, delay=0.4))
    error = call_error(make_client(timeout=0.1, request_retries=1))
    assert "got no reply within 0.1 seconds" in error.message
    assert "raise timeout (now 0.1 seconds)" in error.message
    assert error.retryable is True
    assert len(api.requests) == 2


# TLS


def test_tls_unknown_ca_gives_tls_message(tls_api, make_client):
    tls_api.queue(result_reply(OK_RESULT))
    error = call_error(make_client(base_url=tls_api.base_url))
    assert "failed the TLS handshake" in error.message
    assert "certificate verify failed" in error.message
    assert "set ca_path" in error.message
    assert error.retryable is False
    assert tls_api.requests == []


def test_tls_ca_path_wins_over_environment(tls_api, make_client, ca_file, other_ca_file, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", other_ca_file)
    monkeypatch.setenv("CURL_CA_BUNDLE", other_ca_file)
    tls_api.queue(result_reply(OK_RESULT))
    assert call_status(make_client(base_url=tls_api.base_url, ca_path=ca_file)) == OK_RESULT


def test_tls_environment_bundle_used_without_ca_path(tls_api, make_client, ca_file, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_file)
    tls_api.queue(result_reply(OK_RESULT))
    assert call_status(make_client(base_url=tls_api.base_url)) == OK_RESULT


def test_tls_validate_certs_false_skips_check(tls_api, make_client, other_ca_file, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", other_ca_file)
    tls_api.queue(result_reply(OK_RESULT))
    # The task warns once in Ansible's way; urllib3's per-request warning is silenced.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert call_status(make_client(base_url=tls_api.base_url, validate_certs=False)) == OK_RESULT
    assert [str(item.message) for item in caught] == []


def test_tls_validate_certs_false_wins_over_ca_path(tls_api, make_client, other_ca_file):
    tls_api.queue(result_reply(OK_RESULT))
    assert call_status(make_client(base_url=tls_api.base_url, validate_certs=False, ca_path=other_ca_file)) == OK_RESULT


# The deadline


def test_retry_policy_for_reads():
    policy = read_retry_policy(3, deadline=123.0)
    assert isinstance(policy, DeadlineRetry)
    assert policy.total == 3
    assert policy.status_forcelist == READ_RETRY_STATUSES
    assert "POST" in policy.allowed_methods
    assert policy.redirect == 0
    assert policy.other == 0
    assert policy.raise_on_status is False
    assert policy.deadline == 123.0


def test_retry_policy_copies_keep_deadline():
    policy = read_retry_policy(3, deadline=123.0)
    policy.max_retry_after = 7.0
    copy = policy.new(total=1)
    assert copy.deadline == 123.0
    assert copy.max_retry_after == 7.0


def test_deadline_stops_backoff_past_it(api, make_client, clock):
    api.queue(*[raw_reply(503, "busy")] * 4)
    # A retry is made only when its pause and one more 0.5 s attempt fit before the deadline.
    error = call_error(make_client(request_retries=3, timeout=0.5), deadline=clock.now + 1.6)
    assert error.http_status == 503
    assert error.retryable is True
    assert len(api.requests) == 3
    assert clock.slept("retry") == [1.0]


def test_deadline_stops_retry_after_past_it(api, make_client, clock):
    api.queue(raw_reply(429, "", headers={"Retry-After": "5"}), result_reply(OK_RESULT))
    error = call_error(make_client(), deadline=clock.now + 3)
    assert error.http_status == 429
    assert len(api.requests) == 1
    assert clock.slept("retry") == []


def test_deadline_allows_retry_after_within_it(api, make_client, clock):
    api.queue(raw_reply(429, "", headers={"Retry-After": "2"}), result_reply(OK_RESULT))
    assert call_status(make_client(timeout=0.5), deadline=clock.now + 3) == OK_RESULT
    assert clock.slept("retry") == [2]


def test_deadline_caps_request_timeout(api, make_client, clock):
    api.queue(result_reply(OK_RESULT, delay=1.0))
    started = time.monotonic()
    error = call_error(make_client(timeout=30, request_retries=0), deadline=clock.now + 0.2)
    elapsed = time.monotonic() - started
    assert "got no reply within 0.2 seconds" in error.message
    assert elapsed < 0.9


def test_deadline_passed_gives_minimal_timeout(api, make_client, clock):
    api.queue(result_reply(OK_RESULT, delay=0.3))
    error = call_error(make_client(timeout=30, request_retries=0), deadline=clock.now - 5)
    assert "got no reply within 0.0 seconds" in error.message


def test_deadline_uses_injected_client_clock(api, make_client, monkeypatch):
    monkeypatch.setattr(client_module, "time", time)
    own_clock = FakeClock(start=-1e9)
    api.queue(raw_reply(503, "busy"), result_reply(OK_RESULT))
    client = make_client(clock=own_clock.monotonic, request_retries=1)
    assert call_status(client, deadline=own_clock.now + 100) == OK_RESULT


def test_deadline_bounds_retry_attempt(api, make_client, monkeypatch):
    monkeypatch.setattr(client_module, "time", time)
    api.queue(raw_reply(503, "busy", delay=0.3), result_reply(OK_RESULT, delay=2.0))
    client = make_client(clock=time.monotonic, request_retries=1)
    started = time.monotonic()
    with pytest.raises(GravityZoneError):
        call_status(client, deadline=started + 1.0)
    assert time.monotonic() - started < 1.2


# Key redaction


@pytest.mark.parametrize("reply", [
    error_reply(-32000, "Server error", "Rejected key %s (Basic %s)" % (API_KEY, BASIC_CREDENTIALS), status=401),
    error_reply(-32000, "Key %s is locked" % API_KEY),
    error_reply(-32602, "Invalid params", {"authorization": "Basic " + BASIC_CREDENTIALS}),
    raw_reply(404, "%s is not a valid key for this host" % API_KEY, content_type="text/html"),
    raw_reply(200, "Basic %s rejected by the proxy" % BASIC_CREDENTIALS, content_type="text/html"),
    Reply(payload={"id": API_KEY, "result": OK_RESULT}),
], ids=["401-details", "rpc-message", "structured-details", "404-page", "200-page", "reply-id"])
def test_error_never_contains_key(api, make_client, reply):
    api.queue(reply)
    error = call_error(make_client())
    for secret in SECRETS:
        assert secret not in error.message
        assert secret not in str(error)
        assert secret not in (error.details or "")
    assert client_module.REDACTED in error.message


def test_transport_error_never_contains_key(make_client):
    base_url = "http://%s:%d/api" % (LOOPBACK, closed_port())
    error = call_error(make_client(base_url=base_url, request_retries=0))
    for secret in SECRETS:
        assert secret not in error.message


# Pacing


def test_pacing_spaces_request_starts(api, make_client, clock):
    api.queue(*[result_reply(OK_RESULT)] * 4)
    client = make_client(rate=client_module.REQUESTS_PER_SECOND)
    for request_number in range(4):
        call_status(client)
    starts = [request.started for request in api.requests]
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:])]
    assert all(gap >= 1.0 / 9 - 1e-9 for gap in gaps)
    assert clock.slept("pacer") == pytest.approx([1.0 / 9] * 3)


def test_pacing_no_pause_after_long_gap(api, make_client, clock):
    api.queue(result_reply(OK_RESULT), result_reply(OK_RESULT))
    client = make_client(rate=client_module.REQUESTS_PER_SECOND)
    call_status(client)
    clock.advance(1.0)
    call_status(client)
    assert clock.slept("pacer") == []


def test_pacer_sleeps_only_remaining_interval():
    clock = FakeClock(start=0.0)
    pacer = _Pacer(10.0, clock=clock.monotonic, sleep=clock.sleeper("pacer"))
    pacer.wait_turn()
    clock.advance(0.04)
    pacer.wait_turn()
    assert clock.slept("pacer") == pytest.approx([0.06])
    assert clock.now == pytest.approx(0.1)


def test_default_rate_under_api_limit():
    assert client_module.REQUESTS_PER_SECOND < 10


def test_client_default_clock_is_monotonic():
    client = GravityZoneClient(normalise_base_url("https://gz.example.test"), API_KEY)
    assert client.clock is time.monotonic
    client.close()
