# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""response_action_info in real ansible-playbook runs against the emulator.

The emulator runs in per-read mode: each status read of an action moves it
one status on, so these tests do not depend on the speed of the machine.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from conftest import API_KEY, NO_INCIDENTS_KEY, REPO

RESULT_KEYS = ("actions", "terminal", "succeeded", "needs_attention", "open_ids", "unsuccessful_ids", "needs_attention_ids", "retryable")

ACTION_KEYS = (
    "id", "type", "type_name", "status", "status_name", "terminal", "succeeded", "needs_attention", "generated_on",
    "generated_on_utc", "error_id", "error_description", "incident_id", "company_id", "user_id", "user_name",
    "target_user_id", "target_user_name", "target_email_id", "outcome", "raw")

VENDOR_EXAMPLE_ID = "6912758f88df334ddbfb7e1a"


def test_until_stops_on_success(run_playbook, gz):
    action_id = gz.new_action([0, 1, 2, 3, 4])
    run = run_playbook("until.yml", {"action_id": action_id})
    assert run.rc == 0, run.output
    assert len(run.retries("Wait with until")) == 4
    assert gz.reads(action_id) == 5
    assert "attempts" in run.task("Wait with until")["result"]


def test_until_stops_at_once_on_unknown_id(run_playbook, gz):
    run = run_playbook("until.yml", {"action_id": "no-such-action"})
    result = run.task("Wait with until", "failed")["result"]
    assert run.rc == 2
    assert run.retries("Wait with until") == []
    assert result["retryable"] is False
    assert "no-such-action" in result["msg"]


def test_vendor_example_progresses(run_playbook, gz):
    gz.add_actions({"id": VENDOR_EXAMPLE_ID, "type": 3, "statuses": [0, 1, 2, 3, 4]})
    first = run_playbook("read.yml", {"action_id": VENDOR_EXAMPLE_ID}).task("Read")["result"]
    second = run_playbook("read.yml", {"action_id": VENDOR_EXAMPLE_ID}).task("Read")["result"]
    assert first["action"]["status_name"] == "not_started"
    assert second["action"]["status_name"] == "to_be_executed"
    assert first["action"]["type_name"] == "disable_user_m365"


@pytest.mark.parametrize("status, name, succeeded, needs_attention", [
    (4, "execution_success", True, False),
    (5, "execution_failed", False, False),
    (6, "dismissed", False, False),
    (7, "external_action_needed", False, True),
    (8, "done_externally", True, False),
])
def test_terminal_status_is_data(run_playbook, gz, status, name, succeeded, needs_attention):
    action_id = gz.new_action([status], error={"errorId": 1002, "errorDescription": "User not found"} if status == 5 else None)
    run = run_playbook("read.yml", {"action_id": action_id})
    result = run.task("Read", "ok")["result"]
    assert run.rc == 0, run.output
    assert result["action"]["status_name"] == name
    assert result["terminal"] is True
    assert result["succeeded"] is succeeded
    assert result["needs_attention"] is needs_attention
    assert result["changed"] is False


def test_failed_action_carries_error(run_playbook, gz):
    action_id = gz.new_action([5], error={"errorId": 1002, "errorDescription": "User not found"})
    action = run_playbook("read.yml", {"action_id": action_id}).task("Read")["result"]["action"]
    assert action["error_id"] == 1002
    assert action["error_description"] == "User not found"
    assert sorted(action) == sorted(ACTION_KEYS)


def test_type_11_outcome_mapped(run_playbook, gz):
    outcome = {"succeededIds": ["m1", "m2"], "failedRetriableIds": ["m3"], "failedPermanentIds": [],
               "errors": [{"errorCode": 7, "errorMessage": "Access denied", "count": 1}]}
    action_id = gz.new_action([4], action_type=11, outcome=outcome)
    action = run_playbook("read.yml", {"action_id": action_id}).task("Read")["result"]["action"]
    assert action["type_name"] == "delete_similar_emails_m365"
    assert action["outcome"]["succeeded_ids"] == ["m1", "m2"]
    assert action["outcome"]["failed_retriable_ids"] == ["m3"]
    assert action["outcome"]["errors"] == [{"error_code": 7, "error_message": "Access denied", "count": 1}]


def test_unknown_status_warns_once(run_playbook, gz):
    first = gz.new_action([4], fields={"status": 42})
    second = gz.new_action([4], fields={"status": 42})
    run = run_playbook("read.yml", {"action_ids": [first, second]})
    result = run.task("Read")["result"]
    assert result["actions"][0]["status_name"] == "unknown"
    assert len([w for w in result.get("warnings", []) if "42" in w]) == 1


def test_action_ids_order_and_aggregates(run_playbook, gz):
    done = gz.new_action([4])
    failed = gz.new_action([5])
    attention = gz.new_action([7])
    running = gz.new_action([3])
    ids = [running, attention, failed, done]
    result = run_playbook("read.yml", {"action_ids": ids}).task("Read", "ok")["result"]
    assert [action["id"] for action in result["actions"]] == ids
    assert result["terminal"] is False
    assert result["succeeded"] is False
    assert result["needs_attention"] is True
    assert result["open_ids"] == [running]
    assert result["unsuccessful_ids"] == [attention, failed]
    assert result["needs_attention_ids"] == [attention]
    assert "action" not in result


def test_check_mode_reads(run_playbook, gz):
    action_id = gz.new_action([4])
    run = run_playbook("read.yml", {"action_id": action_id}, args=["--check"])
    assert run.rc == 0, run.output
    assert gz.reads(action_id) == 1


def test_wait_succeeds_and_polls_open_only(run_playbook, gz):
    quick = gz.new_action([4])
    slow = gz.new_action([1, 2, 3, 4])
    run = run_playbook("read.yml", {"action_ids": [quick, slow], "wait": True, "wait_sleep": 0.1, "wait_timeout": 60})
    result = run.task("Read", "ok")["result"]
    assert result["succeeded"] is True
    assert gz.reads(quick) == 1
    assert gz.reads(slow) == 4


def test_wait_fails_on_failed_action(run_playbook, gz):
    action_id = gz.new_action([2, 3, 5], error={"errorId": 1002, "errorDescription": "User not found"})
    run = run_playbook("read.yml", {"action_id": action_id, "wait": True, "wait_sleep": 0.1})
    result = run.task("Read", "failed")["result"]
    assert action_id in result["msg"]
    assert "User not found" in result["msg"]
    assert result["unsuccessful_ids"] == [action_id]
    assert result["terminal"] is True


def test_wait_times_out_naming_open_action(run_playbook, gz):
    action_id = gz.new_action([2])
    run = run_playbook("read.yml", {"action_id": action_id, "wait": True, "wait_sleep": 0.5, "wait_timeout": 3})
    result = run.task("Read", "failed")["result"]
    assert "Timed out after 3" in result["msg"]
    assert "pending" in result["msg"]
    assert action_id in result["msg"]
    assert result["open_ids"] == [action_id]
    assert result["retryable"] is True


def test_wait_stops_at_external_action(run_playbook, gz):
    action_id = gz.new_action([3, 7, 8])
    run = run_playbook("read.yml", {"action_id": action_id, "wait": True, "wait_sleep": 0.1})
    result = run.task("Read", "failed")["result"]
    assert "external_action_needed" in result["msg"]
    assert result["needs_attention_ids"] == [action_id]


def test_wait_on_external_action_keeps_waiting(run_playbook, gz):
    action_id = gz.new_action([3, 7, 7, 8])
    run = run_playbook("read.yml", {"action_id": action_id, "wait": True, "wait_sleep": 0.1, "wait_on_external_action": True})
    result = run.task("Read", "ok")["result"]
    assert result["action"]["status_name"] == "done_externally"


def test_block_rescue_escalates(run_playbook, gz):
    good = gz.new_action([3, 4])
    bad = gz.new_action([3, 6])
    run = run_playbook("block_rescue.yml", {"action_ids": [good, bad]})
    assert run.rc == 0, run.output
    assert run.task("Escalate")["result"]["msg"] == "Escalate %s" % bad


def test_module_defaults_group(run_playbook, gz):
    action_id = gz.new_action([4])
    env = {"GRAVITYZONE_BASE_URL": None, "GRAVITYZONE_API_KEY": None, "GRAVITYZONE_CA_PATH": None}
    run = run_playbook("module_defaults.yml", {"action_id": action_id, "gz_url": gz.url, "gz_key": API_KEY, "gz_ca": gz.ca_path}, env=env)
    assert run.rc == 0, run.output


@pytest.mark.parametrize("base_url_form", ["{root}", "{root}/api", "{root}/api/", "{root}/api/v1.0/jsonrpc/incidents"])
def test_base_url_forms(run_playbook, gz, base_url_form):
    action_id = gz.new_action([4])
    root = gz.url[: -len("/api")]
    run = run_playbook("read.yml", {"action_id": action_id, "base_url": base_url_form.format(root=root)})
    assert run.rc == 0, run.output


# Every error path: the task fails with a message that says what to check,
# the result keys are all there, and no traceback or key is printed (the
# run_playbook fixture asserts those two on every run).

def _failed_read(run_playbook, extra_vars, env=None):
    run = run_playbook("read.yml", extra_vars, env=env)
    assert run.rc == 2, run.output
    result = run.task("Read", "failed")["result"]
    for key in RESULT_KEYS:
        assert key in result, key
    assert result["terminal"] is False
    assert "attempts" not in result
    return result


def test_wrong_key_fails_401(run_playbook, gz):
    result = _failed_read(run_playbook, {"action_id": gz.new_action([4])}, env={"GRAVITYZONE_API_KEY": "wrong-key-123"})
    assert "HTTP 401" in result["msg"]
    assert "Access URL" in result["msg"]
    assert result["retryable"] is False


def test_key_without_incidents_fails_403(run_playbook, gz):
    result = _failed_read(run_playbook, {"action_id": gz.new_action([4])}, env={"GRAVITYZONE_API_KEY": NO_INCIDENTS_KEY})
    assert "HTTP 403" in result["msg"]
    assert "Incidents API" in result["msg"]


def test_method_not_found_mentions_on_premises(run_playbook, gz):
    gz.set_faults({"fault": "rpc_error", "code": -32601, "message": "Method not found", "details": "Unknown method"})
    result = _failed_read(run_playbook, {"action_id": gz.new_action([4])})
    assert "-32601" in result["msg"]
    assert "on-premises" in result["msg"]
    assert result["retryable"] is False


def test_unknown_id_names_it(run_playbook, gz):
    good = gz.new_action([4])
    result = _failed_read(run_playbook, {"action_ids": ["6560a95884f89d6eca0b61b1", good]})
    assert "6560a95884f89d6eca0b61b1" in result["msg"]
    assert "-32602" in result["msg"]
    assert [action["id"] for action in result["actions"]] == [good]


@pytest.mark.parametrize("fault, expected", [
    ({"fault": "html"}, "not valid JSON"),
    ({"fault": "empty"}, "body is empty"),
    ({"fault": "wrong_id"}, "does not match the request id"),
    ({"fault": "no_result"}, "neither result nor error"),
    ({"fault": "truncated_json"}, "not valid JSON"),
    ({"fault": "http_status", "status": 503}, "HTTP 503"),
    ({"fault": "html", "status": 404}, "HTTP 404"),
])
def test_malformed_reply_is_clear(run_playbook, gz, fault, expected):
    gz.set_faults(fault)
    result = _failed_read(run_playbook, {"action_id": gz.new_action([4]), "request_retries": 1})
    assert expected in result["msg"]


def test_server_error_retried_then_succeeds(run_playbook, gz):
    before = gz.stats()["by_http_status"].get("503", 0)
    gz.set_faults({"fault": "http_status", "status": 503, "times": 2})
    action_id = gz.new_action([4])
    run = run_playbook("read.yml", {"action_id": action_id})
    assert run.rc == 0, run.output
    assert gz.stats()["by_http_status"].get("503", 0) - before == 2


def test_slow_reply_times_out(run_playbook, gz):
    gz.set_faults({"fault": "delay", "seconds": 3})
    result = _failed_read(run_playbook, {"action_id": gz.new_action([4]), "timeout": 0.5, "request_retries": 0})
    assert "got no reply within 0.5 seconds" in result["msg"]
    assert result["retryable"] is True


def test_connection_refused_is_retryable(run_playbook, gz):
    result = _failed_read(run_playbook, {"action_id": "a1", "base_url": "https://127.0.0.1:9/api", "request_retries": 0})
    assert "could not connect" in result["msg"]
    assert result["retryable"] is True


def test_untrusted_certificate_fails_tls(run_playbook, gz):
    result = _failed_read(run_playbook, {"action_id": gz.new_action([4])}, env={"GRAVITYZONE_CA_PATH": None})
    assert "TLS" in result["msg"]
    assert "ca_path" in result["msg"]
    assert result["retryable"] is False


def test_validate_certs_false_warns(run_playbook, gz):
    action_id = gz.new_action([4])
    run = run_playbook("read.yml", {"action_id": action_id, "validate_certs": False}, env={"GRAVITYZONE_CA_PATH": None})
    result = run.task("Read", "ok")["result"]
    assert any("validate_certs is false" in warning for warning in result["warnings"])


@pytest.mark.parametrize("extra_vars, expected", [
    ({"action_id": "a1", "base_url": "http://gravityzone.example.com/api"}, "clear text"),
    ({"action_id": "a1", "base_url": "ftp://127.0.0.1/api"}, "is not an https:// URL"),
    ({"action_id": "a1", "base_url": "cloud.gravityzone.bitdefender.com"}, "is not an https:// URL"),
    ({"action_id": "a1", "timeout": 0}, "timeout must be a finite number greater than 0"),
    ({"action_id": "a1", "ca_path": "/nonexistent/ca.pem"}, "does not exist"),
    ({"action_id": " a1"}, "surrounding whitespace"),
    ({"action_id": ""}, "empty"),
    ({"action_ids": ["a1", "a2", "a1"]}, "more than once: 'a1'"),
    ({"action_ids": ["x%d" % number for number in range(1001)]}, "Split the list"),
    ({"action_id": "a1", "api_key": ""}, "api_key is missing"),
])
def test_bad_input_rejected_before_any_request(run_playbook, gz, extra_vars, expected):
    before = gz.stats()["requests"]
    run = run_playbook("read.yml", extra_vars)
    result = run.task("Read", "failed")["result"]
    assert expected in result["msg"]
    assert result["retryable"] is False
    assert gz.stats()["requests"] == before


def test_unquoted_numeric_id_rejected(run_playbook, gz):
    run = run_playbook("numeric_id.yml")
    result = run.task("Read", "failed")["result"]
    assert "691275888" in result["msg"]
    assert "Quote the action ID" in result["msg"]


def test_missing_base_url_names_variable(run_playbook, gz):
    run = run_playbook("read.yml", {"action_id": "a1"}, env={"GRAVITYZONE_BASE_URL": None})
    assert "GRAVITYZONE_BASE_URL" in run.task("Read", "failed")["result"]["msg"]


@pytest.mark.parametrize("scenario", ["ok", "401", "tls"])
def test_key_absent_at_vvvv(run_playbook, gz, scenario):
    action_id = gz.new_action([4])
    extra_vars = {"action_id": action_id, "api_key": API_KEY}
    env = {"GRAVITYZONE_API_KEY": None}
    if scenario == "401":
        gz.set_faults({"fault": "http_status", "status": 401, "body": "Unauthorized %s" % API_KEY, "content_type": "text/plain"})
    if scenario == "tls":
        env["GRAVITYZONE_CA_PATH"] = None
    run = run_playbook("read.yml", extra_vars, env=env, verbosity=4)
    assert "Read" in run.output


def test_demo_playbook_runs(run_playbook, gz):
    gz.reset()
    run = run_playbook(os.path.join(REPO, "playbooks", "demo.yml"))
    assert run.rc == 0, run.output
    assert "To escalate: 691276b488df334ddbfb7e3f, 6912773e88df334ddbfb7e51" in run.output
