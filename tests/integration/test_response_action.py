# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""response_action, similar_emails_info, api_key_info and the incident-response
example playbooks, in real ansible-playbook runs against the emulator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest
import requests

from conftest import NO_INCIDENTS_KEY, REPO

INCIDENT_ID = "6912740188df334ddbfb7d90"
EXAMPLES = os.path.join(REPO, "playbooks")


def set_create_plans(gz, *plans):
    response = requests.post(gz.admin + "/create_plans", json={"plans": list(plans)}, verify=gz.ca_path, timeout=10)
    response.raise_for_status()


@pytest.fixture
def plans(gz):
    """Create plans cleared before and after the test."""
    requests.delete(gz.admin + "/create_plans", verify=gz.ca_path, timeout=10).raise_for_status()
    yield lambda *plans: set_create_plans(gz, *plans)
    requests.delete(gz.admin + "/create_plans", verify=gz.ca_path, timeout=10).raise_for_status()


def creates(gz):
    return gz.stats().get("creates", 0)


def test_create_returns_id_and_changed(run_playbook, gz, plans):
    before = creates(gz)
    run = run_playbook("create.yml", {"action": "disable_user_m365", "username": "jane.doe@example.com", "incident_id": INCIDENT_ID})
    result = run.task("Create", "ok")["result"]
    assert result["changed"] is True
    assert len(result["action_id"]) == 24
    assert creates(gz) - before == 1
    assert gz.action(result["action_id"])["status"] == 0


def test_create_and_wait_succeeds(run_playbook, gz, plans):
    run = run_playbook("create.yml", {"action": "reset_credentials_ad", "username": "CONTOSO\\jdoe", "incident_id": INCIDENT_ID,
                                      "wait": True, "wait_sleep": 0.1})
    result = run.task("Create", "ok")["result"]
    assert result["action"]["status_name"] == "execution_success"
    assert result["succeeded"] is True
    assert result["action"]["target_user_name"] == "CONTOSO\\jdoe"


def test_create_wait_failure_keeps_action_id(run_playbook, gz, plans):
    plans({"statuses": [1, 3, 5], "error": {"errorId": 1002, "errorDescription": "User not found"}})
    run = run_playbook("create.yml", {"action": "disable_user_m365", "username": "ghost@example.com", "incident_id": INCIDENT_ID,
                                      "wait": True, "wait_sleep": 0.1})
    result = run.task("Create", "failed")["result"]
    assert len(result["action_id"]) == 24
    assert "User not found" in result["msg"]
    assert result["unsuccessful_ids"] == [result["action_id"]]


def test_check_mode_creates_nothing(run_playbook, gz, plans):
    before = gz.stats()["requests"]
    run = run_playbook("create.yml", {"action": "disable_user_m365", "username": "jane.doe@example.com", "incident_id": INCIDENT_ID,
                                      "wait": True}, args=["--check"])
    result = run.task("Create", "ok")["result"]
    assert result["changed"] is True
    assert result["action_id"] is None
    assert gz.stats()["requests"] == before


@pytest.mark.parametrize("extra_vars, expected", [
    ({"action": "disable_user_m365", "incident_id": INCIDENT_ID}, "disable_user_m365 needs username"),
    ({"action": "reset_credentials_google", "username": "u@example.com"}, "needs incident_id or integration_identifiers"),
    ({"action": "delete_email_m365", "incident_id": INCIDENT_ID}, "delete_email_m365 needs email_id"),
    ({"action": "delete_email_m365", "email_id": "m1", "integration_identifiers": {"companyId": "c"}}, "username (required when incident_id"),
    ({"action": "delete_similar_emails_m365", "incident_id": INCIDENT_ID, "targets": {"similarityHash": "h"}}, "email_id (the reference"),
    ({"action": "delete_similar_emails_m365", "incident_id": INCIDENT_ID, "email_id": "m1"}, "needs targets"),
    ({"action": "delete_file_m365", "incident_id": INCIDENT_ID}, "delete_file_m365 needs file_url"),
    ({"action": "disable_user_aws", "username": "u", "incident_id": INCIDENT_ID, "integration_identifiers": {"companyId": "c"}}, "not both"),
    ({"action": "disable_user_m365", "username": "u", "incident_id": INCIDENT_ID, "file_url": "https://x/f"}, "file_url applies only"),
])
def test_missing_parameter_fails_before_request(run_playbook, gz, extra_vars, expected):
    before = gz.stats()["requests"]
    result = run_playbook("create.yml", extra_vars).task("Create", "failed")["result"]
    assert expected in result["msg"]
    assert gz.stats()["requests"] == before


def test_create_timeout_makes_one_request(run_playbook, gz, plans):
    gz.set_faults({"fault": "delay", "seconds": 3, "method": "createResponseAction"})
    before_creates = creates(gz)
    before_calls = gz.stats()["by_method"].get("createResponseAction", 0)
    run = run_playbook("create.yml", {"action": "disable_user_m365", "username": "jane.doe@example.com", "incident_id": INCIDENT_ID,
                                      "timeout": 1, "request_retries": 3})
    result = run.task("Create", "failed")["result"]
    assert gz.stats()["by_method"].get("createResponseAction", 0) - before_calls == 1
    assert creates(gz) - before_creates == 1
    assert "may already exist" in result["msg"]
    assert "jane.doe@example.com" in result["msg"]
    assert "JSON-RPC request id" in result["msg"]


def test_create_server_error_not_retried(run_playbook, gz, plans):
    gz.set_faults({"fault": "http_status", "status": 503, "method": "createResponseAction"})
    before_calls = gz.stats()["by_method"].get("createResponseAction", 0)
    result = run_playbook("create.yml", {"action": "disable_user_m365", "username": "jane.doe@example.com",
                                         "incident_id": INCIDENT_ID}).task("Create", "failed")["result"]
    assert gz.stats()["by_method"].get("createResponseAction", 0) - before_calls == 1
    assert "may already exist" in result["msg"]


def test_create_rate_limited_is_retried(run_playbook, gz, plans):
    gz.set_faults({"fault": "http_status", "status": 429, "retry_after": 1, "method": "createResponseAction", "times": 1})
    before_creates = creates(gz)
    run = run_playbook("create.yml", {"action": "disable_user_m365", "username": "jane.doe@example.com", "incident_id": INCIDENT_ID})
    assert run.rc == 0, run.output
    assert creates(gz) - before_creates == 1


def test_similar_emails_reads_every_page(run_playbook, gz):
    requests.post(gz.admin + "/similar_emails", json={"emailId": "ref-2345", "count": 2345}, verify=gz.ca_path, timeout=10).raise_for_status()
    result = run_playbook("similar.yml", {"email_id": "ref-2345"}).task("List", "ok")["result"]
    assert result["total"] == 2345
    assert len(result["emails"]) == 2345
    assert result["pages"] == 3
    assert "similarity_hash" in result["emails"][0]
    assert "id" in result["emails"][0]


def test_api_key_info_reports_areas(run_playbook, gz):
    result = run_playbook("key.yml", {"required_apis": ["Incidents"]}).task("Check", "ok")["result"]
    assert result["incidents_api_enabled"] is True
    assert "Incidents" in result["enabled_apis"]
    assert result["created_at_utc"].endswith("+00:00")


def test_api_key_info_stops_on_missing_area(run_playbook, gz):
    run = run_playbook("key.yml", {"required_apis": ["Incidents"]}, env={"GRAVITYZONE_API_KEY": NO_INCIDENTS_KEY})
    result = run.task("Check", "failed")["result"]
    assert "lacks the API area(s) Incidents" in result["msg"]
    assert result["incidents_api_enabled"] is False


def test_api_key_info_wrong_key(run_playbook, gz):
    run = run_playbook("key.yml", {}, env={"GRAVITYZONE_API_KEY": "not-a-key"})
    assert "HTTP 401" in run.task("Check", "failed")["result"]["msg"]


# The example playbooks under playbooks/, run as written.


def test_contain_compromised_account_example(run_playbook, gz, plans):
    before = creates(gz)
    run = run_playbook(os.path.join(EXAMPLES, "contain_compromised_account.yml"), {"target_user": "jane.doe@example.com",
                                                                                   "incident_id": INCIDENT_ID})
    assert run.rc == 0, run.output
    assert creates(gz) - before == 2
    result = run.task("Wait until GravityZone has carried out both", "ok")["result"]
    assert result["succeeded"] is True
    assert [action["type_name"] for action in result["actions"]] == ["disable_user_m365", "reset_credentials_m365"]


def test_contain_example_check_mode(run_playbook, gz, plans):
    before = creates(gz)
    run = run_playbook(os.path.join(EXAMPLES, "contain_compromised_account.yml"), {"target_user": "jane.doe@example.com",
                                                                                   "incident_id": INCIDENT_ID}, args=["--check"])
    assert run.rc == 0, run.output
    assert creates(gz) == before


def test_remove_phishing_example(run_playbook, gz, plans):
    requests.post(gz.admin + "/similar_emails", json={"emailId": "phish-1", "count": 6}, verify=gz.ca_path, timeout=10).raise_for_status()
    plans({"match": {"actionType": 11}, "statuses": [1, 3, 4],
           "outcome": {"succeededIds": ["e1", "e2", "e3"], "failedRetriableIds": ["e4", "e5"], "failedPermanentIds": ["e6"],
                       "errors": [{"errorCode": 403, "errorMessage": "Access denied", "count": 2}]}})
    run = run_playbook(os.path.join(EXAMPLES, "remove_phishing_email.yml"), {"reference_email_id": "phish-1", "incident_id": INCIDENT_ID})
    assert run.rc == 0, run.output
    report = run.task("Report the outcome counts", "ok")["result"]["msg"]
    assert report == ["Similar e-mails found: 6", "Deleted: 3", "Not deleted, worth another try: 2", "Not deleted, for good: 1"]


@pytest.mark.parametrize("statuses, expected", [
    ([1, 3, 5], "status execution_failed"),
    ([1, 3, 7], "status external_action_needed"),
])
def test_escalate_example_escalates(run_playbook, gz, plans, statuses, expected):
    plans({"statuses": statuses, "error": {"errorId": 77, "errorDescription": "Integration offline"}})
    run = run_playbook(os.path.join(EXAMPLES, "escalate_on_failure.yml"), {"target_user": "jane.doe@example.com", "incident_id": INCIDENT_ID})
    assert run.rc == 0, run.output
    message = run.task("Escalate to a person", "ok")["result"]["msg"]
    assert expected in message
    assert run.results[-1]["task"] == "Record the escalation for the workflow"


def test_escalate_example_closes_on_success(run_playbook, gz, plans):
    run = run_playbook(os.path.join(EXAMPLES, "escalate_on_failure.yml"), {"target_user": "jane.doe@example.com", "incident_id": INCIDENT_ID})
    assert run.rc == 0, run.output
    assert "is disabled" in run.task("Close the case", "ok")["result"]["msg"]
