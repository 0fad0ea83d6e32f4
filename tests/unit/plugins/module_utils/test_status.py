# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tests of the status mapping: names, flags, time stamps, outcome and aggregates."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

import pytest

from ansible_collections.bitdefender.gravityzone.plugins.module_utils.status import (
    normalise_action,
    parse_timestamp_utc,
    summarise,
    unknown_value_warnings,
)
from ansible_collections.bitdefender.gravityzone.tests.unit.scripted_api import status_result

ACTION_ID = "6912758f88df334ddbfb7e1a"

RESULT_KEYS = {
    "id", "type", "type_name", "status", "status_name", "terminal", "succeeded", "needs_attention", "generated_on",
    "generated_on_utc", "error_id", "error_description", "incident_id", "company_id", "user_id", "user_name",
    "target_user_id", "target_user_name", "target_email_id", "outcome", "raw",
}

# status: (name, terminal, succeeded, needs_attention)
STATUS_TABLE = {
    0: ("not_started", False, False, False),
    1: ("to_be_executed", False, False, False),
    2: ("pending", False, False, False),
    3: ("in_execution", False, False, False),
    4: ("execution_success", True, True, False),
    5: ("execution_failed", True, False, False),
    6: ("dismissed", True, False, False),
    7: ("external_action_needed", True, False, True),
    8: ("done_externally", True, True, False),
}

TYPE_TABLE = {
    1: "reset_credentials_m365",
    2: "reset_credentials_ad",
    3: "disable_user_m365",
    4: "disable_user_ad",
    5: "mark_compromised_m365",
    6: "delete_email_m365",
    7: "unknown",
    8: "disable_user_google",
    9: "reset_credentials_google",
    10: "delete_file_m365",
    11: "delete_similar_emails_m365",
    12: "disable_user_aws",
}

ODD_VALUES = [42, -1, "4", "pending", None, True, False, [4], {"value": 4}, 4.0]


def normalise(result, unknown_values=None):
    return normalise_action(ACTION_ID, result, unknown_values)


# Status and type names


@pytest.mark.parametrize("status", sorted(STATUS_TABLE))
def test_status_name(status):
    assert normalise(status_result(status))["status_name"] == STATUS_TABLE[status][0]


@pytest.mark.parametrize("status", sorted(STATUS_TABLE))
def test_status_terminal_flag(status):
    assert normalise(status_result(status))["terminal"] is STATUS_TABLE[status][1]


@pytest.mark.parametrize("status", sorted(STATUS_TABLE))
def test_status_succeeded_flag(status):
    assert normalise(status_result(status))["succeeded"] is STATUS_TABLE[status][2]


@pytest.mark.parametrize("status", sorted(STATUS_TABLE))
def test_status_needs_attention_flag(status):
    assert normalise(status_result(status))["needs_attention"] is STATUS_TABLE[status][3]


@pytest.mark.parametrize("action_type", sorted(TYPE_TABLE))
def test_type_name(action_type):
    assert normalise(status_result(4, action_type))["type_name"] == TYPE_TABLE[action_type]


def test_type_seven_recorded_unknown():
    unknown = set()
    normalise(status_result(4, 7), unknown)
    assert unknown == {("type", 7)}


@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
def test_status_odd_value_unknown_and_not_final(value):
    action = normalise(status_result(value))
    assert action["status_name"] == "unknown"
    assert action["status"] == value
    assert action["terminal"] is False
    assert action["succeeded"] is False
    assert action["needs_attention"] is False


@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
def test_type_odd_value_unknown(value):
    action = normalise(status_result(4, value))
    assert action["type_name"] == "unknown"
    assert action["type"] == value
    assert action["succeeded"] is True


@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
def test_status_odd_value_recorded_once(value):
    unknown = set()
    normalise(status_result(value), unknown)
    normalise(status_result(value), unknown)
    assert len(unknown) == 1
    assert len(unknown_value_warnings(unknown)) == 1


def test_missing_status_and_type_unknown():
    unknown = set()
    action = normalise({"generatedOn": "2023-08-06T23:43:27"}, unknown)
    assert action["status_name"] == "unknown"
    assert action["type_name"] == "unknown"
    assert unknown == {("status", None), ("type", None)}


def test_known_values_record_nothing():
    unknown = set()
    for status in STATUS_TABLE:
        normalise(status_result(status), unknown)
    assert unknown == set()


def test_unknown_values_without_set_tolerated():
    assert normalise(status_result(99, 99))["status_name"] == "unknown"


def test_warning_names_field_and_value():
    warnings = unknown_value_warnings({("status", 42)})
    assert warnings == [
        "GravityZone sent the status value 42, which this collection does not know; it is reported as 'unknown'. "
        "A newer collection version may know it."]


def test_warning_for_missing_value():
    assert unknown_value_warnings({("type", None)}) == [
        "GravityZone sent a response action without a type; it is reported as 'unknown'."]


def test_warnings_one_per_distinct_value():
    unknown = set()
    for value in (42, 43, 42, "x", "x"):
        normalise(status_result(value, value), unknown)
    assert len(unknown_value_warnings(unknown)) == 6


# The result dict


def test_result_has_every_key_for_empty_result():
    action = normalise({})
    assert set(action) == RESULT_KEYS
    assert action["id"] == ACTION_ID
    assert action["outcome"] is None
    assert action["generated_on_utc"] is None


def test_result_passes_fields_through():
    result = status_result(5, errorId=1002, errorDescription="The user could not be found.", incidentId="inc-1",
                           targetEmailId="AAMkAGI2TG93AAA=")
    action = normalise(result)
    assert action["error_id"] == 1002
    assert action["error_description"] == "The user could not be found."
    assert action["incident_id"] == "inc-1"
    assert action["company_id"] == result["companyId"]
    assert action["user_id"] == result["userId"]
    assert action["user_name"] == result["userName"]
    assert action["target_user_id"] == result["targetUserId"]
    assert action["target_user_name"] == result["targetUserName"]
    assert action["target_email_id"] == "AAMkAGI2TG93AAA="
    assert action["generated_on"] == "2023-08-06T23:43:27"


def test_result_string_error_id_kept():
    assert normalise(status_result(5, errorId="E1002"))["error_id"] == "E1002"


def test_result_raw_unchanged():
    result = status_result(11, 11, futureField={"nested": [1, 2]}, outcome={"succeededIds": ["a"]})
    before = copy.deepcopy(result)
    action = normalise(result)
    assert action["raw"] == before
    assert result == before


def test_result_plain_json_types_only():
    result = status_result(11, 11, outcome={"succeededIds": ["a"], "errors": [{"errorCode": 1, "errorMessage": "m", "count": 1}]})
    action = normalise(result)
    assert json.loads(json.dumps(action)) == action


# Time stamps


@pytest.mark.parametrize("value, expected", [
    ("2023-08-06T23:43:27", "2023-08-06T23:43:27+00:00"),
    ("2023-08-06 23:43:27", "2023-08-06T23:43:27+00:00"),
    ("2023-08-06T23:43:27Z", "2023-08-06T23:43:27+00:00"),
    ("2023-08-06T23:43:27.123Z", "2023-08-06T23:43:27.123000+00:00"),
    ("2023-08-06T23:43:27.123z", "2023-08-06T23:43:27.123000+00:00"),
    ("2023-08-06T23:43:27.123456789Z", "2023-08-06T23:43:27.123456+00:00"),
    ("2023-08-07T01:43:27+02:00", "2023-08-06T23:43:27+00:00"),
    ("2023-08-07T01:43:27+0200", "2023-08-06T23:43:27+00:00"),
    ("2023-08-06T18:13:27-05:30", "2023-08-06T23:43:27+00:00"),
    ("2023-12-31T23:30:00-01:00", "2024-01-01T00:30:00+00:00"),
    ("2024-02-29T12:00:00", "2024-02-29T12:00:00+00:00"),
    ("  2023-08-06T23:43:27  ", "2023-08-06T23:43:27+00:00"),
])
def test_timestamp_to_utc(value, expected):
    assert parse_timestamp_utc(value) == expected


@pytest.mark.parametrize("value", [
    None,
    "",
    "garbage",
    "2023-08-06",
    "23:43:27",
    "2023-02-30T00:00:00",
    "2023-13-01T00:00:00",
    "2023-08-06T24:00:00",
    "2023-08-06T23:43:27+25:00",
    "2023-08-06T23:43:27 UTC",
    "0001-01-01T00:30:00+01:00",
    1691365407,
    ["2023-08-06T23:43:27"],
])
def test_timestamp_invalid_gives_none(value):
    assert parse_timestamp_utc(value) is None


def test_timestamp_raw_string_kept():
    action = normalise(status_result(4, generatedOn="2023-08-07T01:43:27+02:00"))
    assert action["generated_on"] == "2023-08-07T01:43:27+02:00"
    assert action["generated_on_utc"] == "2023-08-06T23:43:27+00:00"


# Outcome of type 11


def test_outcome_mapped():
    outcome = {
        "succeededIds": ["m1", "m2"],
        "failedRetriableIds": ["m3"],
        "failedPermanentIds": ["m4"],
        "errors": [{"errorCode": 404, "errorMessage": "Message not found", "count": 1}],
    }
    assert normalise(status_result(4, 11, outcome=outcome))["outcome"] == {
        "succeeded_ids": ["m1", "m2"],
        "failed_retriable_ids": ["m3"],
        "failed_permanent_ids": ["m4"],
        "errors": [{"error_code": 404, "error_message": "Message not found", "count": 1}],
    }


def test_outcome_missing_lists_empty():
    assert normalise(status_result(4, 11, outcome={}))["outcome"] == {
        "succeeded_ids": [],
        "failed_retriable_ids": [],
        "failed_permanent_ids": [],
        "errors": [],
    }


@pytest.mark.parametrize("value", [None, "m1", 3, {"id": "m1"}])
def test_outcome_non_list_ids_empty(value):
    outcome = normalise(status_result(4, 11, outcome={"succeededIds": value, "errors": value}))["outcome"]
    assert outcome["succeeded_ids"] == []
    assert outcome["errors"] == []


def test_outcome_malformed_error_entries():
    errors = ["text", None, 7, {"errorCode": 5}, {"errorMessage": "m", "count": 2, "extra": True}]
    outcome = normalise(status_result(4, 11, outcome={"errors": errors}))["outcome"]
    assert outcome["errors"] == [
        {"error_code": 5, "error_message": None, "count": None},
        {"error_code": None, "error_message": "m", "count": 2},
    ]


def test_outcome_ids_copied():
    ids = ["m1"]
    outcome = normalise(status_result(4, 11, outcome={"succeededIds": ids}))["outcome"]
    outcome["succeeded_ids"].append("m2")
    assert ids == ["m1"]


@pytest.mark.parametrize("value", [None, [], "done", 0])
def test_outcome_absent_or_not_object_is_null(value):
    assert normalise(status_result(4, 11, outcome=value))["outcome"] is None


def test_outcome_null_without_field():
    assert normalise(status_result(4, 3))["outcome"] is None


# Aggregates


def actions_by_id(statuses):
    return {action_id: normalise_action(action_id, status_result(status)) for action_id, status in statuses.items()}


def test_summary_all_succeeded():
    actions = actions_by_id({"a": 4, "b": 8})
    summary = summarise(["a", "b"], actions, complete=True)
    assert summary["terminal"] is True
    assert summary["succeeded"] is True
    assert summary["needs_attention"] is False
    assert summary["open_ids"] == []
    assert summary["unsuccessful_ids"] == []
    assert summary["needs_attention_ids"] == []


def test_summary_keeps_requested_order():
    actions = actions_by_id({"a": 4, "b": 2, "c": 5})
    summary = summarise(["c", "a", "b"], actions, complete=True)
    assert [action["id"] for action in summary["actions"]] == ["c", "a", "b"]


def test_summary_mixed_statuses():
    actions = actions_by_id({"a": 4, "b": 2, "c": 5, "d": 7, "e": 6, "f": 0})
    summary = summarise(["a", "b", "c", "d", "e", "f"], actions, complete=True)
    assert summary["terminal"] is False
    assert summary["succeeded"] is False
    assert summary["needs_attention"] is True
    assert summary["open_ids"] == ["b", "f"]
    assert summary["unsuccessful_ids"] == ["c", "d", "e"]
    assert summary["needs_attention_ids"] == ["d"]


def test_summary_all_terminal_not_all_succeeded():
    summary = summarise(["a", "b"], actions_by_id({"a": 4, "b": 5}), complete=True)
    assert summary["terminal"] is True
    assert summary["succeeded"] is False


def test_summary_unknown_status_open():
    summary = summarise(["a"], actions_by_id({"a": 42}), complete=True)
    assert summary["terminal"] is False
    assert summary["open_ids"] == ["a"]
    assert summary["unsuccessful_ids"] == []


def test_summary_incomplete_read_aggregates_false():
    summary = summarise(["a", "b"], actions_by_id({"a": 7}), complete=False)
    assert summary["terminal"] is False
    assert summary["succeeded"] is False
    assert summary["needs_attention"] is False
    assert summary["actions"][0]["id"] == "a"
    assert summary["open_ids"] == ["b"]
    assert summary["needs_attention_ids"] == ["a"]


def test_summary_incomplete_even_when_all_read():
    summary = summarise(["a"], actions_by_id({"a": 4}), complete=False)
    assert summary["terminal"] is False
    assert summary["succeeded"] is False


def test_summary_missing_action_counts_as_incomplete():
    summary = summarise(["a", "b"], actions_by_id({"a": 4}), complete=True)
    assert summary["terminal"] is False
    assert summary["succeeded"] is False
    assert summary["open_ids"] == ["b"]


def test_summary_nothing_read():
    summary = summarise(["a", "b"], {}, complete=False)
    assert summary == {
        "actions": [],
        "terminal": False,
        "succeeded": False,
        "needs_attention": False,
        "open_ids": ["a", "b"],
        "unsuccessful_ids": [],
        "needs_attention_ids": [],
    }


def test_summary_booleans_are_real_booleans():
    summary = summarise(["a"], actions_by_id({"a": 4}), complete=True)
    for key in ("terminal", "succeeded", "needs_attention"):
        assert isinstance(summary[key], bool)
