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
        return self.session.post("%s/v1.0/jsonrpc/%s" % (self.emulator.url, endpoint), data=data, headers=all_headers,
                                 verify=self.emulator.ca_path, timeout=10, **kwargs)

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
