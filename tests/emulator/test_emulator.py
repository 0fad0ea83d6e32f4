"""Tests of the GravityZone API emulator itself, against a real server on a loopback port.

Each test starts its own emulator (port 0, fresh state) and talks to it over HTTPS with requests,
trusting the CA that the emulator writes. The environment may set REQUESTS_CA_BUNDLE, so every
request passes verify= explicitly.
"""

import base64
import http.client
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import threading
import time

import pytest
import requests

import gravityzone_emulator

SCRIPT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gravityzone_emulator.py")
INCIDENTS_KEY = "gz-demo-key-incidents"
NO_INCIDENTS_KEY = "gz-demo-key-no-incidents"
VENDOR_ACTION_ID = "6912758f88df334ddbfb7e1a"
UNKNOWN_ACTION_ID = "ffffffffffffffffffffffff"
TYPE_11_ACTION_ID = "69127a7c88df334ddbfb7ec3"
GENERATED_ON_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


class Client:
    """Small requests wrapper for the API endpoints and the admin API of one emulator."""

    def __init__(self, emulator):
        self.emulator = emulator
        self.session = requests.Session()
        self.base = emulator.url[:-len("/api")]

    def close(self):
        self.session.close()

    def post_raw(self, body, endpoint="incidents", key=INCIDENTS_KEY, headers=None, **kwargs):
        all_headers = {"Content-Type": "application/json"}
        if key is not None:
            token = base64.b64encode(("%s:" % key).encode("utf-8")).decode("ascii")
            all_headers["Authorization"] = "Basic " + token
        all_headers.update(headers or {})
        data = kwargs.pop("data", body if isinstance(body, bytes) else json.dumps(body).encode("utf-8"))
        timeout = kwargs.pop("timeout", 10)
        return self.session.post("%s/v1.0/jsonrpc/%s" % (self.emulator.url, endpoint), data=data, headers=all_headers,
                                 verify=self.emulator.ca_path, timeout=timeout, **kwargs)

    def rpc(self, method, params=None, endpoint="incidents", key=INCIDENTS_KEY, request_id="req-1", **kwargs):
        body = {"id": request_id, "jsonrpc": "2.0", "method": method}
        if params is not None:
            body["params"] = params
        return self.post_raw(body, endpoint=endpoint, key=key, **kwargs)

    def status(self, action_id, **kwargs):
        return self.rpc("getResponseActionStatus", {"actionId": action_id}, **kwargs)

    def read_statuses(self, action_id, count):
        return [self.status(action_id).json()["result"]["status"] for _index in range(count)]

    def admin(self, verb, path, body=None):
        return self.session.request(verb, "%s/_emulator/%s" % (self.base, path), json=body, verify=self.emulator.ca_path, timeout=10)

    def set_faults(self, *rules):
        response = self.admin("POST", "faults", {"faults": list(rules)})
        assert response.status_code == 200, response.text
        return response

    def add_actions(self, *definitions):
        response = self.admin("POST", "actions", {"actions": list(definitions)})
        assert response.status_code == 200, response.text
        return response


@pytest.fixture(name="emulator")
def emulator_fixture(tmp_path):
    # The rate limit is off so that tests with many reads stay deterministic. The test_rate_limit_* tests turn it on.
    with gravityzone_emulator.Emulator(state_dir=str(tmp_path), rate_limit=0) as running:
        yield running


@pytest.fixture(name="client")
def client_fixture(emulator):
    client = Client(emulator)
    yield client
    client.close()


def rpc_error(response):
    return response.json()["error"]


# Authentication ----------------------------------------------------------------

def test_auth_missing_key_is_401(client):
    response = client.status(VENDOR_ACTION_ID, key=None)
    assert response.status_code == 401


def test_auth_unknown_key_is_401(client):
    response = client.status(VENDOR_ACTION_ID, key="gz-not-a-real-key-0000")
    assert response.status_code == 401


@pytest.mark.parametrize("header", ["Basic !!!not-base64!!!", "Bearer gz-demo-key-incidents", "Basic " + base64.b64encode(b"no-colon").decode()])
def test_auth_malformed_header_is_401(client, header):
    response = client.status(VENDOR_ACTION_ID, key=None, headers={"Authorization": header})
    assert response.status_code == 401


def test_auth_401_body_echoes_id(client):
    response = client.status(VENDOR_ACTION_ID, key=None, request_id="abc")
    assert response.json()["id"] == "abc"
    assert response.headers["Content-Type"] == "application/json"


def test_auth_key_without_incidents_is_403(client):
    response = client.status(VENDOR_ACTION_ID, key=NO_INCIDENTS_KEY)
    assert response.status_code == 403


def test_api_key_details_without_incidents(client):
    response = client.rpc("getApiKeyDetails", {}, endpoint="general", key=NO_INCIDENTS_KEY)
    assert response.status_code == 200
    assert response.json()["result"]["enabledApis"] == ["Network", "Companies"]


def test_api_key_details_result(client):
    result = client.rpc("getApiKeyDetails", endpoint="general").json()["result"]
    assert result == {"enabledApis": ["Incidents", "Network", "Companies"], "createdAt": "2024-03-05T10:11:12+00:00"}


def test_custom_key_table_replaces_demo_keys(tmp_path):
    with gravityzone_emulator.Emulator(state_dir=str(tmp_path), keys={"custom-test-key-0123": ["Incidents"]}) as emulator:
        client = Client(emulator)
        custom = client.status(VENDOR_ACTION_ID, key="custom-test-key-0123")
        demo = client.status(VENDOR_ACTION_ID, key=INCIDENTS_KEY)
        client.close()
    assert custom.status_code == 200
    assert demo.status_code == 401


# Routing and envelope ----------------------------------------------------------------

def test_unknown_path_is_html_404(client):
    response = client.session.post(client.base + "/api/v1.0/jsonrpc/network", data=b"{}", verify=client.emulator.ca_path, timeout=10)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/html"
    assert "<html>" in response.text


def test_get_on_endpoint_is_405(client):
    response = client.session.get(client.emulator.url + "/v1.0/jsonrpc/incidents", verify=client.emulator.ca_path, timeout=10)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


def test_keep_alive_reuses_connection(emulator):
    connection = http.client.HTTPSConnection("127.0.0.1", emulator.port, context=ssl.create_default_context(cafile=emulator.ca_path), timeout=10)
    headers = {"Authorization": "Basic " + base64.b64encode(b"gz-demo-key-incidents:").decode(), "Content-Type": "application/json"}
    body = json.dumps({"id": "1", "jsonrpc": "2.0", "method": "getApiKeyDetails"})
    connection.request("POST", "/api/v1.0/jsonrpc/general", body=body, headers=headers)
    first = connection.getresponse()
    first.read()
    first_socket = connection.sock
    connection.request("POST", "/api/v1.0/jsonrpc/general", body=body, headers=headers)
    second = connection.getresponse()
    second.read()
    second_socket = connection.sock
    connection.close()
    assert first.getheader("Content-Length") is not None
    assert second.status == 200
    # http.client drops its socket after a reply that closes the connection, so the same object means keep-alive.
    assert first_socket is not None
    assert second_socket is first_socket


def test_chunked_body_accepted(client):
    chunks = iter([b'{"id": "1", "jsonrpc": "2.0", ', b'"method": "getApiKeyDetails"}'])
    response = client.post_raw(b"", endpoint="general", data=chunks)
    assert response.status_code == 200
    assert "result" in response.json()


def test_body_over_limit_is_413(client):
    response = client.post_raw(b"x" * (gravityzone_emulator.MAX_BODY_BYTES + 1))
    stats = client.admin("GET", "stats").json()
    assert response.status_code == 413
    assert stats["by_http_status"] == {"413": 1}


def test_chunked_body_over_limit_is_413(client):
    chunks = (b"x" * 65536 for _index in range(20))
    response = client.post_raw(b"", data=chunks)
    assert response.status_code == 413


def test_envelope_not_json_is_parse_error(client):
    response = client.post_raw(b"{not json")
    assert response.status_code == 400
    assert response.json()["id"] is None
    assert rpc_error(response)["code"] == -32700
    assert rpc_error(response)["message"] == "Parse error"
    assert rpc_error(response)["data"]["details"]


@pytest.mark.parametrize("body", [
    [{"id": "1", "jsonrpc": "2.0", "method": "getResponseActionStatus", "params": {}}],
    {"jsonrpc": "2.0", "method": "getResponseActionStatus", "params": {"actionId": VENDOR_ACTION_ID}},
    {"id": {"nested": 1}, "jsonrpc": "2.0", "method": "getResponseActionStatus", "params": {"actionId": VENDOR_ACTION_ID}},
    {"id": "1", "jsonrpc": "1.0", "method": "getResponseActionStatus", "params": {"actionId": VENDOR_ACTION_ID}},
    {"id": "1", "method": "getResponseActionStatus", "params": {"actionId": VENDOR_ACTION_ID}},
    {"id": "1", "jsonrpc": "2.0", "method": 7, "params": {"actionId": VENDOR_ACTION_ID}},
    {"id": "1", "jsonrpc": "2.0", "method": "getResponseActionStatus", "params": [VENDOR_ACTION_ID]},
], ids=["batch", "no-id", "object-id", "version-1.0", "no-version", "method-not-string", "params-array"])
def test_envelope_invalid_request(client, body):
    response = client.post_raw(body)
    assert response.status_code == 400
    assert rpc_error(response)["code"] == -32600
    assert rpc_error(response)["message"] == "Invalid Request"


def test_envelope_numeric_version_accepted(client):
    response = client.post_raw({"id": "1", "jsonrpc": 2.0, "method": "getResponseActionStatus", "params": {"actionId": VENDOR_ACTION_ID}})
    assert response.status_code == 200
    assert response.json()["jsonrpc"] == "2.0"


@pytest.mark.parametrize("request_id", ["7d2864e9-c67b-48a2-9ba3-0a11d47e83c8", 42])
def test_envelope_id_echoed(client, request_id):
    response = client.status(VENDOR_ACTION_ID, request_id=request_id)
    assert response.json()["id"] == request_id
    assert response.headers["Content-Type"] == "application/json"


def test_method_not_found(client):
    response = client.rpc("noSuchMethod", {})
    assert response.status_code == 200
    assert rpc_error(response)["code"] == -32601


def test_method_not_found_on_other_endpoint(client):
    response = client.rpc("getApiKeyDetails", {}, endpoint="incidents")
    assert rpc_error(response)["code"] == -32601


# getResponseActionStatus params ----------------------------------------------------------------

def test_params_unexpected_name(client):
    response = client.rpc("getResponseActionStatus", {"actionId": VENDOR_ACTION_ID, "verbose": True})
    assert response.status_code == 200
    assert rpc_error(response)["code"] == -32602
    assert rpc_error(response)["data"]["details"] == "One or more parameters are not expected: verbose"


def test_params_missing_action_id(client):
    response = client.rpc("getResponseActionStatus", {})
    assert rpc_error(response)["code"] == -32602


def test_params_absent(client):
    response = client.rpc("getResponseActionStatus")
    assert rpc_error(response)["code"] == -32602


@pytest.mark.parametrize("value", [12345, None, ["6912758f88df334ddbfb7e1a"]])
def test_params_action_id_not_string(client, value):
    response = client.rpc("getResponseActionStatus", {"actionId": value})
    assert rpc_error(response)["code"] == -32602


def test_params_api_key_details_rejects_params(client):
    response = client.rpc("getApiKeyDetails", {"verbose": True}, endpoint="general")
    assert rpc_error(response)["data"]["details"] == "One or more parameters are not expected: verbose"


def test_status_unknown_action_id(client):
    response = client.status(UNKNOWN_ACTION_ID)
    assert response.status_code == 200
    assert rpc_error(response)["code"] == -32602
    assert rpc_error(response)["data"]["details"] == 'The response action with ID "%s" was not found.' % UNKNOWN_ACTION_ID


# Progress ----------------------------------------------------------------

def test_per_read_vendor_example(client):
    assert client.read_statuses(VENDOR_ACTION_ID, 6) == [0, 1, 2, 3, 4, 4]


def test_result_fields_vendor_example(client):
    result = client.status(VENDOR_ACTION_ID).json()["result"]
    assert result["type"] == 3
    assert GENERATED_ON_PATTERN.match(result["generatedOn"])
    assert result["status"] == 0
    assert result["targetUserName"] == "jane.doe@example.com"
    assert result["incidentId"] == "6912740188df334ddbfb7d90"
    assert "targetEmailId" not in result
    assert "errorId" not in result
    assert "outcome" not in result
    for name in ("companyId", "userId", "userName", "targetUserId"):
        assert isinstance(result[name], str), name


def test_clock_progress_short_step(client):
    client.add_actions({"id": "5a1b2c3d4e5f60718293a4b5", "type": 3, "statuses": [0, 1, 2], "progress": "clock", "step_seconds": 0.5})
    first = client.status("5a1b2c3d4e5f60718293a4b5").json()["result"]["status"]
    time.sleep(0.75)
    second = client.status("5a1b2c3d4e5f60718293a4b5").json()["result"]["status"]
    time.sleep(0.5)
    third = client.status("5a1b2c3d4e5f60718293a4b5").json()["result"]["status"]
    assert first == 0
    assert second == 1
    assert third == 2


def test_clock_progress_server_default(tmp_path):
    with gravityzone_emulator.Emulator(state_dir=str(tmp_path), progress="clock", step_seconds=60, rate_limit=0) as emulator:
        client = Client(emulator)
        statuses = client.read_statuses(VENDOR_ACTION_ID, 3)
        client.close()
    assert statuses == [0, 0, 0]


@pytest.mark.parametrize("action_id, final_status", [
    ("6912761a88df334ddbfb7e2c", 4),
    ("691276b488df334ddbfb7e3f", 5),
    ("6912773e88df334ddbfb7e51", 6),
    ("691277c988df334ddbfb7e64", 7),
    ("6912785288df334ddbfb7e77", 8),
    ("69127b0588df334ddbfb7ed6", 5),
])
def test_seed_reaches_final_status(client, action_id, final_status):
    statuses = client.read_statuses(action_id, 6)
    assert statuses[-1] == final_status
    assert len(set(statuses)) >= 3, "expected intermediate statuses before %d, got %s" % (final_status, statuses)


@pytest.mark.parametrize("action_id", ["691276b488df334ddbfb7e3f", "69127b0588df334ddbfb7ed6"])
def test_seed_failed_has_error(client, action_id):
    client.read_statuses(action_id, 5)
    result = client.status(action_id).json()["result"]
    assert result["status"] == 5
    assert isinstance(result["errorId"], int)
    assert isinstance(result["errorDescription"], str)


def test_seed_failed_error_absent_before_final(client):
    result = client.status("691276b488df334ddbfb7e3f").json()["result"]
    assert "errorId" not in result


def test_seed_seven_then_eight(client):
    statuses = client.read_statuses("6912785288df334ddbfb7e77", 5)
    assert statuses[-2:] == [7, 8]


def test_seed_already_final(client):
    assert client.read_statuses("691278dd88df334ddbfb7e8a", 2) == [4, 4]


def test_seed_types_cover_all_defined(client):
    types = set()
    for action_id in client.emulator.actions.ids():
        types.add(client.status(action_id).json()["result"]["type"])
    assert types == {1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12}


def test_seed_delete_email_has_target_email(client):
    result = client.status("6912796788df334ddbfb7e9d").json()["result"]
    assert result["targetEmailId"] == "6912739a88df334ddbfb7d41"


def test_type_11_outcome_shape(client):
    client.read_statuses(TYPE_11_ACTION_ID, 3)
    outcome = client.status(TYPE_11_ACTION_ID).json()["result"]["outcome"]
    assert set(outcome) == {"succeededIds", "failedRetriableIds", "failedPermanentIds", "errors"}
    for name in ("succeededIds", "failedRetriableIds", "failedPermanentIds"):
        assert outcome[name], name
        assert all(isinstance(email_id, str) for email_id in outcome[name]), name
    for error in outcome["errors"]:
        assert isinstance(error["errorCode"], int)
        assert isinstance(error["errorMessage"], str)
        assert isinstance(error["count"], int)
    assert sum(error["count"] for error in outcome["errors"]) == len(outcome["failedRetriableIds"]) + len(outcome["failedPermanentIds"])


def test_type_11_no_outcome_before_last(client):
    result = client.status(TYPE_11_ACTION_ID).json()["result"]
    assert "outcome" not in result
    assert result["targetEmailId"] == "6912739a88df334ddbfb7d41"


def test_definition_fields_and_omit(client):
    client.add_actions({"id": "5a1b2c3d4e5f60718293a4b6", "type": 6, "statuses": [1], "fields": {"status": 42, "generatedOn": "garbage", "extra": None},
                        "omit": ["targetEmailId"]})
    result = client.status("5a1b2c3d4e5f60718293a4b6").json()["result"]
    assert result["status"] == 42
    assert result["generatedOn"] == "garbage"
    assert result["extra"] is None
    assert "targetEmailId" not in result


def test_definition_error_with_success_status(client):
    client.add_actions({"id": "5a1b2c3d4e5f60718293a4b7", "type": 3, "statuses": [4], "error": {"errorId": "E-17", "errorDescription": "odd"}})
    result = client.status("5a1b2c3d4e5f60718293a4b7").json()["result"]
    assert result["errorId"] == "E-17"


# Rate limit ----------------------------------------------------------------

def fire_at_once(emulator, count):
    """Send count status requests at once, each on its own connection opened beforehand, and return the responses."""
    clients = [Client(emulator) for _index in range(count)]
    for client in clients:
        client.admin("GET", "stats")  # Opens the TLS connection without using a token, because admin calls are not rate-limited.
    barrier = threading.Barrier(count)
    responses = [None] * count

    def send(index):
        barrier.wait(timeout=10)
        responses[index] = clients[index].status(VENDOR_ACTION_ID)

    threads = [threading.Thread(target=send, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    for client in clients:
        client.close()
    return responses


def test_rate_limit_429_with_retry_after(tmp_path):
    with gravityzone_emulator.Emulator(state_dir=str(tmp_path), rate_limit=10, burst=10) as emulator:
        responses = fire_at_once(emulator, 15)
        throttled = [response for response in responses if response.status_code == 429]
        stats = emulator.stats.snapshot()
    assert throttled, "no 429 among %s" % [response.status_code for response in responses]
    assert int(throttled[0].headers["Retry-After"]) >= 1
    assert throttled[0].json()["error"]["code"] == -32000
    assert stats["throttled"] == len(throttled)
    assert stats["by_http_status"]["429"] == len(throttled)


def test_rate_limit_skips_admin_calls(tmp_path):
    with gravityzone_emulator.Emulator(state_dir=str(tmp_path), rate_limit=1, burst=1) as emulator:
        client = Client(emulator)
        codes = [client.admin("GET", "stats").status_code for _index in range(5)]
        client.close()
    assert codes == [200] * 5


def test_rate_limit_per_key(tmp_path):
    with gravityzone_emulator.Emulator(state_dir=str(tmp_path), rate_limit=1, burst=1) as emulator:
        client = Client(emulator)
        first = client.status(VENDOR_ACTION_ID).status_code
        second = client.status(VENDOR_ACTION_ID).status_code
        other_key = client.rpc("getApiKeyDetails", endpoint="general", key=NO_INCIDENTS_KEY).status_code
        client.close()
    assert first == 200
    assert second == 429
    assert other_key == 200


def test_rate_limit_off(emulator):
    responses = fire_at_once(emulator, 15)
    assert [response.status_code for response in responses] == [200] * 15


# Faults ----------------------------------------------------------------

def test_fault_delay(client):
    client.set_faults({"fault": "delay", "seconds": 0.3})
    started = time.monotonic()
    response = client.status(VENDOR_ACTION_ID)
    assert time.monotonic() - started >= 0.3
    assert response.json()["result"]["status"] == 0


def test_fault_reset(client):
    client.set_faults({"fault": "reset"})
    with pytest.raises(requests.exceptions.ConnectionError):
        client.status(VENDOR_ACTION_ID)


def test_fault_reset_after_headers(client):
    client.set_faults({"fault": "reset_after_headers"})
    response = client.status(VENDOR_ACTION_ID, stream=True)
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) > 0
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        response.content  # pylint: disable=pointless-statement


def test_fault_http_status_default_body(client):
    client.set_faults({"fault": "http_status", "status": 503, "retry_after": 7})
    response = client.status(VENDOR_ACTION_ID, request_id="r-503")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "7"
    assert response.json() == {"id": "r-503", "jsonrpc": "2.0", "error": {"code": -32000, "message": "Server error", "data": {"details": "Injected fault"}}}


def test_fault_http_status_custom_body(client):
    client.set_faults({"fault": "http_status", "status": 502, "body": "Bad gateway", "content_type": "text/plain"})
    response = client.status(VENDOR_ACTION_ID)
    assert response.status_code == 502
    assert response.headers["Content-Type"] == "text/plain"
    assert response.text == "Bad gateway"


def test_fault_html(client):
    client.set_faults({"fault": "html"})
    response = client.status(VENDOR_ACTION_ID)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html"
    assert response.text.startswith("<html>")


def test_fault_empty(client):
    client.set_faults({"fault": "empty", "status": 200})
    response = client.status(VENDOR_ACTION_ID)
    assert response.status_code == 200
    assert response.headers["Content-Length"] == "0"
    assert response.content == b""


def test_fault_truncated_json(client):
    client.set_faults({"fault": "truncated_json"})
    response = client.status(VENDOR_ACTION_ID)
    assert int(response.headers["Content-Length"]) == len(response.content)
    with pytest.raises(ValueError):
        json.loads(response.content)


def test_fault_wrong_content_type(client):
    client.set_faults({"fault": "wrong_content_type"})
    response = client.status(VENDOR_ACTION_ID)
    assert response.headers["Content-Type"] == "text/plain"
    assert response.json()["result"]["status"] == 0


@pytest.mark.parametrize("request_id", ["req-9", 9])
def test_fault_wrong_id(client, request_id):
    client.set_faults({"fault": "wrong_id"})
    response = client.status(VENDOR_ACTION_ID, request_id=request_id)
    assert response.json()["id"] != request_id
    assert "result" in response.json()


def test_fault_no_result(client):
    client.set_faults({"fault": "no_result"})
    response = client.status(VENDOR_ACTION_ID, request_id="r-1")
    assert response.json() == {"id": "r-1", "jsonrpc": "2.0"}


def test_fault_rpc_error(client):
    client.set_faults({"fault": "rpc_error", "code": -32603, "message": "Internal error", "details": "Backend unavailable", "status": 500})
    response = client.status(VENDOR_ACTION_ID)
    assert response.status_code == 500
    assert rpc_error(response) == {"code": -32603, "message": "Internal error", "data": {"details": "Backend unavailable"}}


def test_fault_huge_body(client):
    client.set_faults({"fault": "huge_body", "size_mb": 2})
    response = client.status(VENDOR_ACTION_ID)
    assert len(response.content) == 2 * 1024 * 1024
    assert response.json()["result"]["status"] == 0


def test_fault_times_then_spent(client):
    client.set_faults({"fault": "http_status", "status": 500, "times": 1})
    codes = [client.status(VENDOR_ACTION_ID).status_code for _index in range(3)]
    assert codes == [500, 200, 200]


def test_fault_skip_first(client):
    client.set_faults({"fault": "http_status", "status": 500, "skip": 1, "times": 1})
    codes = [client.status(VENDOR_ACTION_ID).status_code for _index in range(3)]
    assert codes == [200, 500, 200]


def test_fault_method_filter(client):
    client.set_faults({"fault": "http_status", "status": 500, "method": "getApiKeyDetails"})
    status_code = client.status(VENDOR_ACTION_ID).status_code
    details_code = client.rpc("getApiKeyDetails", endpoint="general").status_code
    assert status_code == 200
    assert details_code == 500


def test_fault_action_id_filter(client):
    client.set_faults({"fault": "http_status", "status": 500, "action_id": TYPE_11_ACTION_ID})
    assert client.status(VENDOR_ACTION_ID).status_code == 200
    assert client.status(TYPE_11_ACTION_ID).status_code == 500


def test_fault_after_auth(client):
    client.set_faults({"fault": "http_status", "status": 503})
    assert client.status(VENDOR_ACTION_ID, key="gz-not-a-real-key-0000").status_code == 401


def test_fault_http_status_skips_read(client):
    client.set_faults({"fault": "http_status", "status": 503, "times": 1})
    client.status(VENDOR_ACTION_ID)
    assert client.status(VENDOR_ACTION_ID).json()["result"]["status"] == 0


def test_fault_delete_clears(client):
    client.set_faults({"fault": "http_status", "status": 500})
    response = client.admin("DELETE", "faults")
    assert response.json() == {"faults": 0}
    assert client.status(VENDOR_ACTION_ID).status_code == 200


def test_fault_unknown_name_rejected(client):
    response = client.admin("POST", "faults", {"faults": [{"fault": "explode"}]})
    assert response.status_code == 400
    assert "explode" in response.json()["error"]


def test_fault_bad_param_rejected(client):
    response = client.admin("POST", "faults", {"faults": [{"fault": "delay", "seconds": "soon"}]})
    assert response.status_code == 400


# Admin API ----------------------------------------------------------------

def test_admin_action_reads_and_status(client):
    client.add_actions({"id": "5a1b2c3d4e5f60718293a4b8", "type": 1, "statuses": [0, 3, 4]})
    client.read_statuses("5a1b2c3d4e5f60718293a4b8", 2)
    description = client.admin("GET", "actions/5a1b2c3d4e5f60718293a4b8").json()
    assert description["reads"] == 2
    assert description["status"] == 3
    assert description["statuses"] == [0, 3, 4]


def test_admin_replace_resets_reads(client):
    client.read_statuses(VENDOR_ACTION_ID, 3)
    response = client.add_actions({"id": VENDOR_ACTION_ID, "type": 3, "statuses": [0, 1, 2, 3, 4]})
    assert response.json() == {"added": 1}
    assert client.status(VENDOR_ACTION_ID).json()["result"]["status"] == 0


def test_admin_unknown_action_404(client):
    assert client.admin("GET", "actions/" + UNKNOWN_ACTION_ID).status_code == 404


def test_admin_invalid_definition_400(client):
    response = client.admin("POST", "actions", {"actions": [{"id": "5a1b2c3d4e5f60718293a4b9", "type": 3, "statuses": []}]})
    assert response.status_code == 400
    assert "statuses" in response.json()["error"]


def test_admin_stats_counts(client):
    client.read_statuses(VENDOR_ACTION_ID, 2)
    client.status(UNKNOWN_ACTION_ID)
    client.status(VENDOR_ACTION_ID, key=None)
    client.rpc("getApiKeyDetails", endpoint="general")
    client.admin("GET", "actions/" + VENDOR_ACTION_ID)
    stats = client.admin("GET", "stats").json()
    assert stats["requests"] == 5
    assert stats["by_method"] == {"getResponseActionStatus": 4, "getApiKeyDetails": 1}
    assert stats["by_http_status"] == {"200": 4, "401": 1}
    assert stats["by_action"] == {VENDOR_ACTION_ID: 2}
    assert stats["throttled"] == 0
    assert stats["faults_applied"] == 0
    assert len(stats["log"]) == 5


def test_admin_stats_log_masks_key(client):
    client.status(VENDOR_ACTION_ID)
    entry = client.admin("GET", "stats").json()["log"][0]
    assert entry["key"] == "gz-d..."
    assert entry["method"] == "getResponseActionStatus"
    assert entry["action_id"] == VENDOR_ACTION_ID
    assert entry["http_status"] == 200


def test_admin_stats_counts_faults_and_resets(client):
    client.set_faults({"fault": "reset", "times": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        client.status(VENDOR_ACTION_ID)
    stats = client.admin("GET", "stats").json()
    assert stats["faults_applied"] == 1
    assert stats["by_http_status"] == {"reset": 1}


def test_admin_reset(client):
    client.read_statuses(VENDOR_ACTION_ID, 3)
    client.add_actions({"id": "5a1b2c3d4e5f60718293a4ba", "type": 3, "statuses": [4]})
    client.set_faults({"fault": "http_status", "status": 500, "method": "getApiKeyDetails"})
    response = client.admin("POST", "reset")
    stats = client.admin("GET", "stats").json()
    assert response.status_code == 200
    assert stats["requests"] == 0
    assert client.admin("GET", "faults").json() == {"faults": []}
    assert client.admin("GET", "actions/5a1b2c3d4e5f60718293a4ba").status_code == 404
    assert client.status(VENDOR_ACTION_ID).json()["result"]["status"] == 0


def test_admin_unknown_path_404(client):
    assert client.admin("GET", "nothing-here").status_code == 404


def test_admin_wrong_verb_405(client):
    assert client.admin("GET", "reset").status_code == 405


# Script ----------------------------------------------------------------

def wait_for_file(path, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return True
        time.sleep(0.05)
    return False


def test_script_start_and_sigterm(tmp_path):
    state_path = tmp_path / "emulator.json"
    process = subprocess.Popen([sys.executable, SCRIPT_PATH, "--state-dir", str(tmp_path), "--port", "0", "--verbose"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for_file(str(state_path), 15), "emulator.json did not appear"
        state = json.loads(state_path.read_text(encoding="utf-8"))
        response = requests.post(state["url"] + "/v1.0/jsonrpc/general", json={"id": "1", "jsonrpc": "2.0", "method": "getApiKeyDetails", "params": {}},
                                 auth=(INCIDENTS_KEY, ""), verify=state["ca_path"], timeout=10)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert state["url"] == "https://127.0.0.1:%d/api" % state["port"]
    assert state["pid"] == process.pid
    assert os.path.exists(state["ca_path"])
    assert state["keys"][INCIDENTS_KEY] == ["Incidents", "Network", "Companies"]
    assert response.status_code == 200
    assert stdout.strip() == "GravityZone emulator listening on %s" % state["url"]
    assert INCIDENTS_KEY not in stderr
    assert not state_path.exists()


@pytest.mark.parametrize("host", ["192.0.2.10", "0.0.0.0"])
def test_script_rejects_non_loopback_host(tmp_path, host):
    completed = subprocess.run([sys.executable, SCRIPT_PATH, "--state-dir", str(tmp_path), "--host", host],
                               capture_output=True, text=True, timeout=30, check=False)
    assert completed.returncode == 2
    assert "not a loopback address" in completed.stderr


def test_script_keys_file_replaces_table(tmp_path):
    keys_path = tmp_path / "keys.json"
    keys_path.write_text(json.dumps({"custom-script-key-0123": {"enabledApis": ["Incidents"], "createdAt": "2025-01-02T03:04:05+00:00"}}), encoding="utf-8")
    state_path = tmp_path / "emulator.json"
    process = subprocess.Popen([sys.executable, SCRIPT_PATH, "--state-dir", str(tmp_path), "--keys-file", str(keys_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for_file(str(state_path), 15), "emulator.json did not appear"
        state = json.loads(state_path.read_text(encoding="utf-8"))
        response = requests.post(state["url"] + "/v1.0/jsonrpc/general", json={"id": "1", "jsonrpc": "2.0", "method": "getApiKeyDetails"},
                                 auth=("custom-script-key-0123", ""), verify=state["ca_path"], timeout=10)
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert state["keys"] == {"custom-script-key-0123": ["Incidents"]}
    assert response.json()["result"]["createdAt"] == "2025-01-02T03:04:05+00:00"
    assert process.returncode == 0


def test_script_rejects_invalid_seed(tmp_path):
    seed_path = tmp_path / "seed.json"
    seed_path.write_text(json.dumps({"actions": [{"id": "6912758f88df334ddbfb7e1a", "type": 3, "statuses": "0,1,2"}]}), encoding="utf-8")
    completed = subprocess.run([sys.executable, SCRIPT_PATH, "--state-dir", str(tmp_path), "--seed", str(seed_path)],
                               capture_output=True, text=True, timeout=30, check=False)
    assert completed.returncode == 2
    assert "statuses" in completed.stderr


# createResponseAction ----------------------------------------------------------------

HEX_ID_PATTERN = re.compile(r"^[0-9a-f]{24}$")
INCIDENT_ID = "6912740188df334ddbfb7d90"
REFERENCE_EMAIL_ID = "6912739a88df334ddbfb7d41"
AWS_IDENTIFIERS = {"companyId": "64b7d2f0c9e1a30012f4b6d8", "accessKeyId": "AKIAIOSFODNN7EXAMPLE"}
FILE_URL = "https://contoso.sharepoint.com/sites/finance/Shared%20Documents/invoice.xlsm"
EMAIL_TARGETS = [{"username": "jane.doe@example.com", "emailId": "69127c1e88df334ddbfb7f11"},
                 {"username": "john.smith@example.com", "emailId": "69127c3588df334ddbfb7f1c"}]

# The smallest valid params of each action type.
VALID_CREATE_PARAMS = {
    1: {"actionType": 1, "username": "jane.doe@example.com", "incidentId": INCIDENT_ID},
    2: {"actionType": 2, "username": "CONTOSO\\jdoe", "incidentId": INCIDENT_ID},
    3: {"actionType": 3, "username": "jane.doe@example.com", "incidentId": INCIDENT_ID},
    4: {"actionType": 4, "username": "CONTOSO\\jdoe", "incidentId": INCIDENT_ID},
    5: {"actionType": 5, "username": "jane.doe@example.com", "incidentId": INCIDENT_ID},
    6: {"actionType": 6, "emailId": REFERENCE_EMAIL_ID, "incidentId": INCIDENT_ID},
    8: {"actionType": 8, "username": "mark.lee@example.com", "incidentId": INCIDENT_ID},
    9: {"actionType": 9, "username": "mark.lee@example.com", "incidentId": INCIDENT_ID},
    10: {"actionType": 10, "fileUrl": FILE_URL, "incidentId": INCIDENT_ID},
    11: {"actionType": 11, "emailId": REFERENCE_EMAIL_ID, "targets": EMAIL_TARGETS, "incidentId": INCIDENT_ID},
    12: {"actionType": 12, "username": "ci-deployer", "integrationIdentifiers": AWS_IDENTIFIERS},
}


def create(client, params, **kwargs):
    return client.rpc("createResponseAction", params, **kwargs)


def create_id(client, params):
    response = create(client, params)
    assert response.status_code == 200, response.text
    assert "result" in response.json(), response.text
    return response.json()["result"]


def without(params, name):
    return {key: value for key, value in params.items() if key != name}


def assert_invalid_params(response, *fragments):
    assert response.status_code == 200
    error = rpc_error(response)
    assert error["code"] == -32602
    assert error["message"] == "Invalid params"
    for fragment in fragments:
        assert fragment in error["data"]["details"], fragment


@pytest.mark.parametrize("action_type", sorted(VALID_CREATE_PARAMS))
def test_create_valid_each_type(client, action_type):
    action_id = create_id(client, VALID_CREATE_PARAMS[action_type])
    assert HEX_ID_PATTERN.match(action_id)
    assert client.status(action_id).json()["result"]["type"] == action_type


@pytest.mark.parametrize("params", [
    without(VALID_CREATE_PARAMS[6], "incidentId") | {"integrationIdentifiers": {}, "username": "jane.doe@example.com"},
    without(VALID_CREATE_PARAMS[11], "incidentId") | {"integrationIdentifiers": {}},
    without(without(VALID_CREATE_PARAMS[11], "incidentId"), "emailId") | {"integrationIdentifiers": {}},
    VALID_CREATE_PARAMS[11] | {"targets": {"similarityHash": "5f0c2d9a7e1b4c3f8a6d2e9b0c7f1a34"}},
    VALID_CREATE_PARAMS[10] | {"username": "jane.doe@example.com"},
], ids=["6-username-without-incident", "11-email-without-incident", "11-no-email-without-incident", "11-targets-object", "10-username"])
def test_create_valid_conditional(client, params):
    assert HEX_ID_PATTERN.match(create_id(client, params))


def test_create_ids_unique(client):
    ids = {create_id(client, VALID_CREATE_PARAMS[3]) for _index in range(20)}
    assert len(ids) == 20


@pytest.mark.parametrize("action_type", [1, 2, 3, 4, 5, 8, 9, 12])
def test_create_username_required(client, action_type):
    response = create(client, without(VALID_CREATE_PARAMS[action_type], "username"))
    assert_invalid_params(response, '"username"', "actionType %d" % action_type)


@pytest.mark.parametrize("action_type, params, name", [
    (6, without(VALID_CREATE_PARAMS[6], "emailId"), "emailId"),
    (6, without(VALID_CREATE_PARAMS[6], "incidentId") | {"integrationIdentifiers": {}}, "username"),
    (10, without(VALID_CREATE_PARAMS[10], "fileUrl"), "fileUrl"),
    (11, without(VALID_CREATE_PARAMS[11], "targets"), "targets"),
    (11, without(VALID_CREATE_PARAMS[11], "emailId"), "emailId"),
], ids=["6-email", "6-username-without-incident", "10-file-url", "11-targets", "11-email-with-incident"])
def test_create_conditional_required(client, action_type, params, name):
    response = create(client, params)
    assert_invalid_params(response, '"%s"' % name, "actionType %d" % action_type)


def test_create_type_6_condition_named(client):
    response = create(client, {"actionType": 6, "emailId": REFERENCE_EMAIL_ID, "integrationIdentifiers": {}})
    assert rpc_error(response)["data"]["details"] == 'The parameter "username" is required for actionType 6 when "incidentId" is not sent.'


def test_create_needs_incident_or_integration(client):
    response = create(client, without(VALID_CREATE_PARAMS[3], "incidentId"))
    assert_invalid_params(response, '"incidentId"', '"integrationIdentifiers"', "actionType 3")


def test_create_rejects_incident_and_integration(client):
    response = create(client, VALID_CREATE_PARAMS[3] | {"integrationIdentifiers": AWS_IDENTIFIERS})
    assert_invalid_params(response, '"incidentId"', '"integrationIdentifiers"', "not both", "actionType 3")


@pytest.mark.parametrize("action_type, extra, name", [
    (3, {"targets": EMAIL_TARGETS}, "targets"),
    (6, {"targets": {"similarityHash": "abc"}}, "targets"),
    (3, {"fileUrl": FILE_URL}, "fileUrl"),
    (11, {"fileUrl": FILE_URL}, "fileUrl"),
])
def test_create_param_for_other_type(client, action_type, extra, name):
    response = create(client, VALID_CREATE_PARAMS[action_type] | extra)
    assert_invalid_params(response, '"%s"' % name, "actionType %d" % action_type)


def test_create_unexpected_name(client):
    response = create(client, VALID_CREATE_PARAMS[3] | {"actionId": "x"})
    assert_invalid_params(response)
    assert rpc_error(response)["data"]["details"] == "One or more parameters are not expected: actionId"


def test_create_unexpected_names_listed(client):
    response = create(client, VALID_CREATE_PARAMS[3] | {"user_name": "x", "action": "disable"})
    assert rpc_error(response)["data"]["details"] == "One or more parameters are not expected: user_name, action"


@pytest.mark.parametrize("name", ["username", "incidentId", "emailId", "targets"])
def test_create_null_param_is_wrong_type(client, name):
    response = create(client, VALID_CREATE_PARAMS[11] | {"username": "jane.doe@example.com", name: None})
    assert_invalid_params(response, '"%s"' % name, "actionType 11", "not null")


def test_create_null_action_type(client):
    response = create(client, VALID_CREATE_PARAMS[3] | {"actionType": None})
    assert_invalid_params(response, '"actionType"', "not null")


@pytest.mark.parametrize("action_type, name, value, expected", [
    (3, "username", 42, "a string"),
    (3, "username", True, "a string"),
    (6, "emailId", ["6912739a88df334ddbfb7d41"], "a string"),
    (3, "incidentId", {"id": INCIDENT_ID}, "a string"),
    (11, "targets", "69127c1e88df334ddbfb7f11", "an array or an object"),
    (10, "fileUrl", 1, "a string"),
])
def test_create_wrong_type(client, action_type, name, value, expected):
    response = create(client, VALID_CREATE_PARAMS[action_type] | {name: value})
    assert_invalid_params(response, '"%s"' % name, "actionType %d" % action_type, expected)


def test_create_integration_identifiers_wrong_type(client):
    response = create(client, without(VALID_CREATE_PARAMS[12], "integrationIdentifiers") | {"integrationIdentifiers": "AKIAIOSFODNN7EXAMPLE"})
    assert_invalid_params(response, '"integrationIdentifiers"', "actionType 12", "an object")


@pytest.mark.parametrize("value", ["3", 3.0, True, [3]])
def test_create_action_type_wrong_type(client, value):
    response = create(client, VALID_CREATE_PARAMS[3] | {"actionType": value})
    assert_invalid_params(response, '"actionType"', "an integer")


@pytest.mark.parametrize("value", [0, 7, 13, -1])
def test_create_action_type_undefined(client, value):
    response = create(client, VALID_CREATE_PARAMS[3] | {"actionType": value})
    assert_invalid_params(response, '"actionType"', "not %d" % value)


def test_create_action_type_missing(client):
    assert_invalid_params(create(client, without(VALID_CREATE_PARAMS[3], "actionType")), '"actionType"', "required")


def test_create_params_absent(client):
    assert_invalid_params(create(client, None), '"actionType"', "required")


def test_create_invalid_makes_nothing(client):
    before = client.admin("GET", "actions").json()["ids"]
    create(client, without(VALID_CREATE_PARAMS[3], "username"))
    stats = client.admin("GET", "stats").json()
    assert client.admin("GET", "actions").json()["ids"] == before
    assert stats["creates"] == 0
    assert stats["log"][0]["created_id"] is None


def test_create_without_incidents_is_403(client):
    response = create(client, VALID_CREATE_PARAMS[3], key=NO_INCIDENTS_KEY)
    assert response.status_code == 403
    assert client.admin("GET", "stats").json()["creates"] == 0


def test_create_progress_and_fields(client):
    action_id = create_id(client, VALID_CREATE_PARAMS[3])
    results = [client.status(action_id).json()["result"] for _index in range(5)]
    assert [result["status"] for result in results] == [0, 1, 3, 4, 4]
    final = results[-1]
    assert final["type"] == 3
    assert final["targetUserName"] == "jane.doe@example.com"
    assert final["incidentId"] == INCIDENT_ID
    assert final["userName"] == "soc.analyst@example.com"
    assert GENERATED_ON_PATTERN.match(final["generatedOn"])
    assert "targetEmailId" not in final
    assert "errorId" not in final


def test_create_type_6_target_email(client):
    action_id = create_id(client, VALID_CREATE_PARAMS[6])
    result = client.status(action_id).json()["result"]
    assert result["targetEmailId"] == REFERENCE_EMAIL_ID
    assert result["targetUserName"] == "jane.doe@example.com"


def test_create_admin_describe(client):
    action_id = create_id(client, VALID_CREATE_PARAMS[12])
    client.status(action_id)
    description = client.admin("GET", "actions/" + action_id).json()
    assert description["reads"] == 1
    assert description["status"] == 0
    assert description["progress"] == "per-read"
    assert description["createParams"] == VALID_CREATE_PARAMS[12]
    assert action_id in client.admin("GET", "actions").json()["ids"]


def test_create_clock_server_default(tmp_path):
    with gravityzone_emulator.Emulator(state_dir=str(tmp_path), progress="clock", step_seconds=60, rate_limit=0) as emulator:
        client = Client(emulator)
        action_id = create_id(client, VALID_CREATE_PARAMS[3])
        statuses = client.read_statuses(action_id, 3)
        description = client.admin("GET", "actions/" + action_id).json()
        client.close()
    assert statuses == [0, 0, 0]
    assert description["progress"] == "clock"
    assert description["step_seconds"] == 60


def test_create_type_11_default_outcome(client):
    action_id = create_id(client, VALID_CREATE_PARAMS[11])
    results = [client.status(action_id).json()["result"] for _index in range(4)]
    assert "outcome" not in results[0]
    assert results[-1]["status"] == 4
    assert results[-1]["outcome"] == {"succeededIds": ["69127c1e88df334ddbfb7f11", "69127c3588df334ddbfb7f1c"],
                                      "failedRetriableIds": [], "failedPermanentIds": [], "errors": []}


def test_create_type_11_hash_target_outcome(client):
    action_id = create_id(client, VALID_CREATE_PARAMS[11] | {"targets": {"similarityHash": "5f0c2d9a7e1b4c3f8a6d2e9b0c7f1a34"}})
    outcomes = [client.status(action_id).json()["result"].get("outcome") for _index in range(4)]
    assert outcomes[-1]["succeededIds"] == []


def test_create_user_from_key(tmp_path):
    keys = {"custom-analyst-key-0123": {"enabledApis": ["Incidents"], "userName": "night.shift@example.com", "userId": "64b7d3f1c9e1a30012f4b7a0"},
            "custom-plain-key-4567": ["Incidents"]}
    with gravityzone_emulator.Emulator(state_dir=str(tmp_path), rate_limit=0, keys=keys) as emulator:
        client = Client(emulator)
        custom_id = create_id_with_key(client, "custom-analyst-key-0123")
        plain_id = create_id_with_key(client, "custom-plain-key-4567")
        custom = client.status(custom_id, key="custom-analyst-key-0123").json()["result"]
        plain = client.status(plain_id, key="custom-plain-key-4567").json()["result"]
        details = client.rpc("getApiKeyDetails", endpoint="general", key="custom-analyst-key-0123").json()["result"]
        client.close()
    assert custom["userName"] == "night.shift@example.com"
    assert custom["userId"] == "64b7d3f1c9e1a30012f4b7a0"
    assert plain["userName"] == "soc.analyst@example.com"
    assert details == {"enabledApis": ["Incidents"], "createdAt": "2024-03-05T10:11:12+00:00"}


def create_id_with_key(client, key):
    response = create(client, VALID_CREATE_PARAMS[3], key=key)
    assert response.status_code == 200, response.text
    return response.json()["result"]


def test_api_key_details_only_two_fields(client):
    for key in (INCIDENTS_KEY, NO_INCIDENTS_KEY):
        result = client.rpc("getApiKeyDetails", endpoint="general", key=key).json()["result"]
        assert set(result) == {"enabledApis", "createdAt"}, key


def test_create_stats_counted(client):
    first = create_id(client, VALID_CREATE_PARAMS[3])
    second = create_id(client, VALID_CREATE_PARAMS[6])
    create(client, without(VALID_CREATE_PARAMS[3], "username"))
    stats = client.admin("GET", "stats").json()
    assert stats["creates"] == 2
    assert stats["by_method"] == {"createResponseAction": 3}
    assert [entry["created_id"] for entry in stats["log"]] == [first, second, None]
    assert stats["by_action"] == {}


def test_create_reset_zeroes_and_removes(client):
    action_id = create_id(client, VALID_CREATE_PARAMS[3])
    client.admin("POST", "reset")
    assert client.admin("GET", "stats").json()["creates"] == 0
    assert client.admin("GET", "actions/" + action_id).status_code == 404


# Create plans ----------------------------------------------------------------

def set_plans(client, *plans):
    response = client.admin("POST", "create_plans", {"plans": list(plans)})
    assert response.status_code == 200, response.text
    return response


def test_plan_match_and_times(client):
    set_plans(client, {"match": {"actionType": 3, "username": "jane.doe@example.com"}, "statuses": [0, 5],
                       "error": {"errorId": 1010, "errorDescription": "The user does not exist in Entra ID."}, "times": 1})
    planned = create_id(client, VALID_CREATE_PARAMS[3])
    again = create_id(client, VALID_CREATE_PARAMS[3])
    other_user = create_id(client, VALID_CREATE_PARAMS[3] | {"username": "john.smith@example.com"})
    planned_reads = [client.status(planned).json()["result"] for _index in range(2)]
    assert [result["status"] for result in planned_reads] == [0, 5]
    assert planned_reads[-1]["errorId"] == 1010
    assert client.read_statuses(again, 5) == [0, 1, 3, 4, 4]
    assert client.read_statuses(other_user, 5) == [0, 1, 3, 4, 4]


def test_plan_used_counts(client):
    set_plans(client, {"match": {"actionType": 3}, "statuses": [4], "times": 2}, {"statuses": [6]})
    create_id(client, VALID_CREATE_PARAMS[3])
    create_id(client, VALID_CREATE_PARAMS[1])
    plans = client.admin("GET", "create_plans").json()["plans"]
    assert [plan["used"] for plan in plans] == [1, 1]
    assert plans[0]["times"] == 2


def test_plan_first_match_wins(client):
    set_plans(client, {"match": {"actionType": 1}, "statuses": [5]}, {"statuses": [6]})
    type_1 = create_id(client, VALID_CREATE_PARAMS[1])
    type_3 = create_id(client, VALID_CREATE_PARAMS[3])
    assert client.read_statuses(type_1, 1) == [5]
    assert client.read_statuses(type_3, 1) == [6]


def test_plan_match_needs_param_sent(client):
    set_plans(client, {"match": {"incidentId": INCIDENT_ID}, "statuses": [8]})
    by_integration = create_id(client, VALID_CREATE_PARAMS[12])
    by_incident = create_id(client, VALID_CREATE_PARAMS[1])
    assert client.read_statuses(by_integration, 1) == [0]
    assert client.read_statuses(by_incident, 1) == [8]


def test_plan_match_object_param(client):
    set_plans(client, {"match": {"integrationIdentifiers": AWS_IDENTIFIERS}, "statuses": [7]})
    action_id = create_id(client, VALID_CREATE_PARAMS[12])
    assert client.read_statuses(action_id, 1) == [7]


def test_plan_type_11_outcome(client):
    outcome = {"succeededIds": ["69127c1e88df334ddbfb7f11"], "failedPermanentIds": ["69127c3588df334ddbfb7f1c"],
               "errors": [{"errorCode": 404, "errorMessage": "The e-mail no longer exists in the mailbox.", "count": 1}]}
    set_plans(client, {"match": {"actionType": 11}, "statuses": [3, 4], "outcome": outcome})
    action_id = create_id(client, VALID_CREATE_PARAMS[11])
    client.status(action_id)
    result = client.status(action_id).json()["result"]
    assert result["outcome"] == outcome | {"failedRetriableIds": []}


def test_plan_without_statuses_uses_default(client):
    set_plans(client, {"match": {"actionType": 3}, "fields": {"companyId": None}})
    action_id = create_id(client, VALID_CREATE_PARAMS[3])
    results = [client.status(action_id).json()["result"] for _index in range(4)]
    assert [result["status"] for result in results] == [0, 1, 3, 4]
    assert results[0]["companyId"] is None


def test_plan_clock_progress(client):
    set_plans(client, {"statuses": [0, 4], "progress": "clock", "step_seconds": 60})
    action_id = create_id(client, VALID_CREATE_PARAMS[3])
    assert client.read_statuses(action_id, 3) == [0, 0, 0]


def test_plan_delete_clears(client):
    set_plans(client, {"statuses": [5]})
    response = client.admin("DELETE", "create_plans")
    action_id = create_id(client, VALID_CREATE_PARAMS[3])
    assert response.json() == {"plans": 0}
    assert client.admin("GET", "create_plans").json() == {"plans": []}
    assert client.read_statuses(action_id, 1) == [0]


def test_plan_reset_clears(client):
    set_plans(client, {"statuses": [5]})
    client.admin("POST", "reset")
    assert client.admin("GET", "create_plans").json() == {"plans": []}


def test_plan_post_replaces(client):
    set_plans(client, {"statuses": [5]}, {"statuses": [6]})
    response = set_plans(client, {"statuses": [8]})
    assert response.json() == {"plans": 1}
    assert len(client.admin("GET", "create_plans").json()["plans"]) == 1


@pytest.mark.parametrize("plan, fragment", [
    ({"statuses": []}, "statuses"),
    ({"match": {"action_type": 3}}, "action_type"),
    ({"match": [3]}, "match"),
    ({"times": -1}, "times"),
    ({"status": [4]}, "status"),
    ({"outcome": {"deleted": []}}, "outcome"),
    ({"progress": "fast"}, "progress"),
    ("statuses", "JSON object"),
])
def test_plan_invalid_rejected(client, plan, fragment):
    set_plans(client, {"statuses": [6]})
    response = client.admin("POST", "create_plans", {"plans": [{"statuses": [5]}, plan]})
    assert response.status_code == 400
    assert "Create plan number 2" in response.json()["error"]
    assert fragment in response.json()["error"]
    assert client.admin("GET", "create_plans").json()["plans"][0]["statuses"] == [6]


def test_plan_body_without_plans_rejected(client):
    response = client.admin("POST", "create_plans", {"plan": []})
    assert response.status_code == 400
    assert '"plans"' in response.json()["error"]


# Faults on createResponseAction ----------------------------------------------------------------

def created_count(client):
    return client.admin("GET", "stats").json()["creates"]


@pytest.mark.parametrize("fault", ["reset_after_headers", "truncated_json", "wrong_content_type", "wrong_id", "huge_body"])
def test_create_fault_after_method_creates(client, fault):
    rule = {"fault": fault, "method": "createResponseAction", "times": 1}
    if fault == "huge_body":
        rule["size_mb"] = 1
    client.set_faults(rule)
    before = set(client.admin("GET", "actions").json()["ids"])
    try:
        create(client, VALID_CREATE_PARAMS[3])
    except requests.exceptions.RequestException:
        pass  # reset_after_headers cuts the reply, and the action exists all the same.
    created = set(client.admin("GET", "actions").json()["ids"]) - before
    stats = client.admin("GET", "stats").json()
    assert len(created) == 1
    assert stats["creates"] == 1
    assert stats["faults_applied"] == 1
    assert stats["log"][0]["created_id"] in created


def test_create_delay_timeout_still_creates(client):
    client.set_faults({"fault": "delay", "seconds": 3, "method": "createResponseAction", "times": 1})
    before = set(client.admin("GET", "actions").json()["ids"])
    with pytest.raises(requests.exceptions.ReadTimeout):
        create(client, VALID_CREATE_PARAMS[3], timeout=0.3)
    created = set(client.admin("GET", "actions").json()["ids"]) - before
    stats = client.admin("GET", "stats").json()
    assert len(created) == 1
    assert stats["creates"] == 1
    assert stats["by_method"] == {"createResponseAction": 1}
    assert stats["log"][0]["created_id"] in created
    assert client.read_statuses(created.pop(), 1) == [0]


@pytest.mark.parametrize("rule", [
    {"fault": "reset"},
    {"fault": "http_status", "status": 503},
    {"fault": "html"},
    {"fault": "empty"},
    {"fault": "no_result"},
    {"fault": "rpc_error"},
], ids=lambda rule: rule["fault"])
def test_create_fault_in_place_creates_nothing(client, rule):
    client.set_faults(rule | {"method": "createResponseAction"})
    before = client.admin("GET", "actions").json()["ids"]
    try:
        create(client, VALID_CREATE_PARAMS[3])
    except requests.exceptions.ConnectionError:
        pass  # The reset fault closes the connection without a reply.
    assert client.admin("GET", "actions").json()["ids"] == before
    assert created_count(client) == 0


# getSimilarEmails ----------------------------------------------------------------

SMALL_REFERENCE_ID = "69127e2b88df334ddbfb7ee9"
LARGE_REFERENCE_ID = "69127eb688df334ddbfb7efc"


def similar(client, params, **kwargs):
    return client.rpc("getSimilarEmails", params, **kwargs)


def test_similar_small_set(client):
    result = similar(client, {"emailId": SMALL_REFERENCE_ID}).json()["result"]
    assert result["success"] is True
    assert result["total"] == 2
    assert len(result["emails"]) == 2
    assert [email["userEmail"] for email in result["emails"]] == ["jane.doe@example.com", "john.smith@example.com"]
    for email in result["emails"]:
        assert HEX_ID_PATTERN.match(email["_id"])
        assert email["similarityHash"] == "5f0c2d9a7e1b4c3f8a6d2e9b0c7f1a34"
        assert email["companyId"] == "64b7d2f0c9e1a30012f4b6d8"
        assert email["subject"] == "Your invoice INV-20931 is overdue"
        assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", email["receivedAt"])


def test_similar_deterministic(client):
    first = similar(client, {"emailId": LARGE_REFERENCE_ID, "page": 2, "perPage": 50}).json()["result"]
    second = similar(client, {"emailId": LARGE_REFERENCE_ID, "page": 2, "perPage": 50}).json()["result"]
    assert first == second


def test_similar_paging_max_per_page(client):
    pages = [similar(client, {"emailId": LARGE_REFERENCE_ID, "page": page, "perPage": 1000}).json()["result"] for page in (1, 2, 3, 4)]
    assert [len(page["emails"]) for page in pages] == [1000, 1000, 345, 0]
    assert [page["total"] for page in pages] == [2345] * 4
    ids = [email["_id"] for page in pages for email in page["emails"]]
    assert len(set(ids)) == 2345


def test_similar_pages_line_up(client):
    whole = similar(client, {"emailId": LARGE_REFERENCE_ID, "perPage": 60}).json()["result"]["emails"]
    second_half = similar(client, {"emailId": LARGE_REFERENCE_ID, "page": 2, "perPage": 30}).json()["result"]["emails"]
    assert whole[30:] == second_half


def test_similar_default_per_page(client):
    result = similar(client, {"emailId": LARGE_REFERENCE_ID}).json()["result"]
    assert len(result["emails"]) == 30
    assert result["total"] == 2345


def test_similar_unknown_email(client):
    result = similar(client, {"emailId": UNKNOWN_ACTION_ID}).json()["result"]
    assert result == {"success": True, "emails": [], "total": 0}


@pytest.mark.parametrize("params, fragment", [
    ({}, '"emailId"'),
    ({"emailId": None}, '"emailId"'),
    ({"emailId": 7}, '"emailId"'),
    ({"emailId": SMALL_REFERENCE_ID, "page": 0}, '"page"'),
    ({"emailId": SMALL_REFERENCE_ID, "page": "1"}, '"page"'),
    ({"emailId": SMALL_REFERENCE_ID, "page": None}, '"page"'),
    ({"emailId": SMALL_REFERENCE_ID, "perPage": 0}, '"perPage"'),
    ({"emailId": SMALL_REFERENCE_ID, "perPage": 1001}, '"perPage"'),
    ({"emailId": SMALL_REFERENCE_ID, "perPage": True}, '"perPage"'),
    ({"emailId": SMALL_REFERENCE_ID, "perPage": 10.0}, '"perPage"'),
], ids=["missing", "null", "number", "page-0", "page-string", "page-null", "per-page-0", "per-page-1001", "per-page-bool", "per-page-float"])
def test_similar_invalid_params(client, params, fragment):
    assert_invalid_params(similar(client, params), fragment)


def test_similar_unexpected_name(client):
    response = similar(client, {"emailId": SMALL_REFERENCE_ID, "limit": 5})
    assert rpc_error(response)["data"]["details"] == "One or more parameters are not expected: limit"


def test_similar_without_incidents_is_403(client):
    assert similar(client, {"emailId": SMALL_REFERENCE_ID}, key=NO_INCIDENTS_KEY).status_code == 403


def test_similar_admin_add(client):
    response = client.admin("POST", "similar_emails", {"emailId": "69127f4188df334ddbfb7f0f", "count": 3, "userEmails": ["ana.garcia@example.com"],
                                                       "similarityHash": "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a"})
    result = similar(client, {"emailId": "69127f4188df334ddbfb7f0f"}).json()["result"]
    assert response.json() == {"emailId": "69127f4188df334ddbfb7f0f", "total": 3}
    assert result["total"] == 3
    assert {email["userEmail"] for email in result["emails"]} == {"ana.garcia@example.com"}
    assert {email["similarityHash"] for email in result["emails"]} == {"0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a"}
    assert client.admin("GET", "similar_emails").json()["similar_emails"]["69127f4188df334ddbfb7f0f"]["count"] == 3


def test_similar_admin_replace_seed(client):
    client.admin("POST", "similar_emails", {"emailId": SMALL_REFERENCE_ID, "count": 0})
    assert similar(client, {"emailId": SMALL_REFERENCE_ID}).json()["result"]["total"] == 0


def test_similar_reset_restores_seed(client):
    client.admin("POST", "similar_emails", {"emailId": SMALL_REFERENCE_ID, "count": 9})
    client.admin("POST", "similar_emails", {"emailId": "69127f4188df334ddbfb7f0f", "count": 3})
    client.admin("POST", "reset")
    assert similar(client, {"emailId": SMALL_REFERENCE_ID}).json()["result"]["total"] == 2
    assert similar(client, {"emailId": "69127f4188df334ddbfb7f0f"}).json()["result"]["total"] == 0


@pytest.mark.parametrize("body, fragment", [
    ({"count": 3}, "emailId"),
    ({"emailId": "", "count": 3}, "emailId"),
    ({"emailId": "69127f4188df334ddbfb7f0f"}, "count"),
    ({"emailId": "69127f4188df334ddbfb7f0f", "count": -1}, "count"),
    ({"emailId": "69127f4188df334ddbfb7f0f", "count": 3, "userEmails": []}, "userEmails"),
    ({"emailId": "69127f4188df334ddbfb7f0f", "count": 3, "hash": "x"}, "hash"),
])
def test_similar_admin_invalid(client, body, fragment):
    response = client.admin("POST", "similar_emails", body)
    assert response.status_code == 400
    assert fragment in response.json()["error"]


def test_script_rejects_invalid_similar_seed(tmp_path):
    seed_path = tmp_path / "seed.json"
    seed_path.write_text(json.dumps({"actions": [], "similar_emails": {"69127e2b88df334ddbfb7ee9": {"count": "2"}}}), encoding="utf-8")
    completed = subprocess.run([sys.executable, SCRIPT_PATH, "--state-dir", str(tmp_path), "--seed", str(seed_path)],
                               capture_output=True, text=True, timeout=30, check=False)
    assert completed.returncode == 2
    assert "count" in completed.stderr


# Listener restarts ---------------------------------------------------------------


def wait_until_serving(client, seconds=10):
    """Poll the admin API every 0.05 seconds and return the seconds until it replied."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            client.session.close()
            client.admin("GET", "stats")
            return time.monotonic() - started
        except requests.exceptions.ConnectionError:
            time.sleep(0.05)
    raise AssertionError("the emulator did not listen again within %s seconds" % seconds)


def test_restart_fault_drops_listener_then_returns(client, emulator):
    port = emulator.port
    client.add_actions({"id": "5a1b2c3d4e5f60718293a4bb", "type": 3, "statuses": [0, 1, 4]})
    client.status("5a1b2c3d4e5f60718293a4bb")
    client.set_faults({"fault": "restart", "down_seconds": 0.5, "times": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        client.status("5a1b2c3d4e5f60718293a4bb")
    client.session.close()
    with pytest.raises(requests.exceptions.ConnectionError):
        client.status("5a1b2c3d4e5f60718293a4bb", timeout=1)
    assert wait_until_serving(client) < 5
    assert emulator.port == port
    assert client.status("5a1b2c3d4e5f60718293a4bb").json()["result"]["status"] == 1
    stats = client.admin("GET", "stats").json()
    assert stats["listener_restarts"] == 1
    assert stats["by_http_status"]["reset"] == 1


def test_restart_admin_keeps_state(client, emulator):
    client.set_faults({"fault": "http_status", "status": 503, "times": 5, "method": "getApiKeyDetails"})
    response = client.admin("POST", "restart", {"down_seconds": 0.3})
    assert response.json() == {"down_seconds": 0.3, "port": emulator.port}
    wait_until_serving(client)
    assert len(client.admin("GET", "faults").json()["faults"]) == 1
    assert client.admin("GET", "stats").json()["listener_restarts"] == 1


@pytest.mark.parametrize("body", [{}, {"down_seconds": 0}, {"down_seconds": "1"}, {"down_seconds": 301}])
def test_restart_admin_invalid_rejected(client, body):
    response = client.admin("POST", "restart", body)
    assert response.status_code == 400
    assert "down_seconds" in response.json()["error"]


def test_restart_fault_needs_down_seconds(client):
    response = client.admin("POST", "faults", {"faults": [{"fault": "restart"}]})
    assert response.status_code == 400
    assert '"down_seconds" is required' in response.json()["error"]


def test_stop_during_restart_ends_cleanly(tmp_path):
    emulator = gravityzone_emulator.Emulator(state_dir=str(tmp_path), rate_limit=0).start()
    thread = emulator.restart_listener(30)
    time.sleep(0.2)
    emulator.stop()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert not os.path.exists(emulator.state_path)


# Certificates --------------------------------------------------------------------


@pytest.mark.parametrize("certificate, fragment", [
    ("expired", "certificate has expired"),
    ("wrong_host", "mismatch, certificate is not valid for .127.0.0.1."),
    ("self_signed", "self-signed certificate"),
])
def test_certificate_kind_fails_verification(tmp_path, certificate, fragment):
    with gravityzone_emulator.Emulator(state_dir=str(tmp_path), rate_limit=0, certificate=certificate) as emulator:
        with pytest.raises(requests.exceptions.SSLError, match=fragment):
            requests.post(emulator.url + "/v1.0/jsonrpc/general", json={}, verify=emulator.ca_path if certificate != "self_signed" else True,
                          timeout=5)


def test_self_signed_trusted_through_ca_pem(tmp_path):
    with gravityzone_emulator.Emulator(state_dir=str(tmp_path), rate_limit=0, certificate="self_signed") as emulator:
        client = Client(emulator)
        assert client.admin("GET", "stats").status_code == 200
        client.close()


def test_certificate_kind_invalid_rejected(tmp_path):
    with pytest.raises(ValueError, match="certificate 'bogus' is invalid"):
        gravityzone_emulator.Emulator(state_dir=str(tmp_path), certificate="bogus")
