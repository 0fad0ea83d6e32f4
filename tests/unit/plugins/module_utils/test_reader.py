# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tests of action ID validation and of StatusReader.read and .wait over a scripted local server.

Each action ID gets its own list of replies, one per read. The fake clock
starts at 1000 and moves only by the reader's pauses (recorded under
"reader") and by the cost a reply declares, so the round timing is exact.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.bitdefender.gravityzone.plugins.module_utils.reader import (
    FINAL_ROUND_MARGIN,
    MAX_ACTION_IDS,
    ActionIdError,
    StatusReader,
    validate_action_ids,
    validate_wait_options,
)
from ansible_collections.bitdefender.gravityzone.tests.unit.scripted_api import (
    error_reply,
    raw_reply,
    result_reply,
    status_reply,
)

START = 1000.0


@pytest.fixture
def make_reader(make_client, clock):
    def factory(request_retries=0, **client_options):
        client = make_client(request_retries=request_retries, **client_options)
        return StatusReader(client, clock=clock.monotonic, sleep=clock.sleeper("reader"))
    return factory


@pytest.fixture
def reader(make_reader):
    return make_reader()


def id_rejection(values, **kwargs):
    with pytest.raises(ActionIdError) as caught:
        validate_action_ids(values, **kwargs)
    return str(caught.value)


def round_starts(api, action_id):
    return [request.started - START for request in api.requests if request.action_id == action_id]


# validate_action_ids


def test_ids_list_returned():
    assert validate_action_ids(["a", "b"]) == ["a", "b"]


def test_ids_single_string_wrapped():
    assert validate_action_ids("6912758f88df334ddbfb7e1a") == ["6912758f88df334ddbfb7e1a"]


def test_ids_tuple_gives_list():
    assert validate_action_ids(("a", "b")) == ["a", "b"]


@pytest.mark.parametrize("value", [
    "action-1",
    "6912758F88DF334DDBFB7E1A",
    "x",
    "ÄÖÜ-äöü",
    "a b",
    "a" * 500,
])
def test_ids_any_non_hex_string_accepted(value):
    assert validate_action_ids([value]) == [value]


def test_ids_empty_list_rejected():
    assert id_rejection([]) == "action_ids is empty. Give at least one response action ID."


@pytest.mark.parametrize("value", ["", " ", "\t\n"])
def test_ids_blank_rejected(value):
    message = id_rejection(value)
    assert "action_ids is empty or only whitespace" in message
    assert "createResponseAction" in message


@pytest.mark.parametrize("value", [" abc", "abc ", "abc\n", "\tabc"])
def test_ids_surrounding_whitespace_rejected(value):
    message = id_rejection([value])
    assert repr(value) in message
    assert "surrounding whitespace" in message


@pytest.mark.parametrize("value, type_name", [
    (1234, "int"),
    (1.234e+25, "float"),
    (float("inf"), "float"),
    (True, "bool"),
    (None, "NoneType"),
])
def test_ids_non_string_rejected_with_quoting_advice(value, type_name):
    message = id_rejection([value])
    assert "action_ids is %r, of type %s, not a string" % (value, type_name) in message
    assert "Quote the action ID in YAML" in message


@pytest.mark.parametrize("value, kind", [(["a"], "list"), ({"id": "a"}, "mapping")])
def test_ids_nested_collection_points_to_action_ids(value, kind):
    message = id_rejection([value])
    assert message.startswith("action_ids is a %s, not one action ID" % kind)
    assert "use action_ids" in message


def test_ids_message_names_position():
    assert id_rejection(["a", 5, "c"]).startswith("action_ids[1] is 5")


def test_ids_message_names_option():
    assert id_rejection([5], option="action_id").startswith("action_id is 5")


def test_ids_duplicates_named_once_each():
    message = id_rejection(["a", "b", "a", "c", "b", "a"])
    assert "lists these IDs more than once: 'a', 'b'." in message
    assert "'c'" not in message


def test_ids_at_limit_accepted():
    values = ["id-%d" % number for number in range(MAX_ACTION_IDS)]
    assert validate_action_ids(values) == values


def test_ids_over_limit_rejected_with_split_advice():
    message = id_rejection(["id-%d" % number for number in range(MAX_ACTION_IDS + 1)])
    assert "has 1001 IDs" in message
    assert "at most 1000" in message
    assert "Split the list into chunks of 1000 or fewer" in message
    assert "batch filter" in message


@pytest.mark.parametrize("value", [0, -1, float("nan"), True, "5", None])
@pytest.mark.parametrize("name", ["wait_timeout", "wait_sleep"])
def test_wait_options_rejected(name, value):
    options = {"wait_timeout": 600, "wait_sleep": 5}
    options[name] = value
    with pytest.raises(ActionIdError) as caught:
        validate_wait_options(**options)
    assert str(caught.value) == "%s must be a finite number of seconds greater than 0, got %r." % (name, value)


def test_wait_options_accepted():
    assert validate_wait_options(0.5, 0.1) is None


# StatusReader.read


def test_read_one_action(api, reader):
    api.script_action("a", status_reply(4))
    outcome = reader.read(["a"])
    assert outcome.actions["a"]["status_name"] == "execution_success"
    assert outcome.failure_message() is None
    assert outcome.retryable is True
    assert outcome.summary()["succeeded"] is True


def test_read_sends_action_id(api, reader):
    api.script_action("6912758f88df334ddbfb7e1a", status_reply(2))
    reader.read(["6912758f88df334ddbfb7e1a"])
    assert api.requests[0].body["params"] == {"actionId": "6912758f88df334ddbfb7e1a"}


@pytest.mark.parametrize("status", [0, 2, 5, 6, 7])
def test_read_unfinished_or_failed_action_is_data(api, reader, status):
    api.script_action("a", status_reply(status))
    outcome = reader.read(["a"])
    assert outcome.failure_message() is None
    assert outcome.errors == {}


def test_read_each_id_once_in_order(api, reader):
    for action_id in ("c", "a", "b"):
        api.script_action(action_id, status_reply(2))
    reader.read(["c", "a", "b"])
    assert api.action_order() == ["c", "a", "b"]


def test_read_bad_id_others_still_read(api, reader):
    api.script_action("a", status_reply(4))
    api.script_action("bad", error_reply(-32602, "Invalid params", "Response action not found."))
    api.script_action("c", status_reply(2))
    outcome = reader.read(["a", "bad", "c"])
    assert api.action_order() == ["a", "bad", "c"]
    assert sorted(outcome.actions) == ["a", "c"]
    assert list(outcome.errors) == ["bad"]


def test_read_bad_id_message_names_it(api, reader):
    api.script_action("a", status_reply(4))
    api.script_action("bad", error_reply(-32602, "Invalid params", "Response action not found."))
    outcome = reader.read(["a", "bad"])
    message = outcome.failure_message()
    assert message.startswith("Reading the status of response action 'bad' failed:")
    assert "Response action not found." in message
    assert "'a'" not in message
    assert outcome.retryable is False


def test_read_bad_id_summary_incomplete(api, reader):
    api.script_action("a", status_reply(4))
    api.script_action("bad", error_reply(-32602, "Invalid params", "Response action not found."))
    summary = reader.read(["a", "bad"]).summary()
    assert summary["terminal"] is False
    assert summary["succeeded"] is False
    assert summary["open_ids"] == ["bad"]
    assert [action["id"] for action in summary["actions"]] == ["a"]


def test_read_bad_id_http_500_others_read(api, reader):
    api.script_action("a", status_reply(4))
    api.script_action("bad", error_reply(-32602, "Invalid params", "Response action not found.", status=500))
    api.script_action("c", status_reply(2))
    outcome = reader.read(["a", "bad", "c"])
    assert sorted(outcome.actions) == ["a", "c"]


def test_read_global_error_stops_round(api, reader):
    api.script_action("a", status_reply(4))
    api.script_action("b", raw_reply(401, "Unauthorized"))
    api.script_action("c", status_reply(4))
    outcome = reader.read(["a", "b", "c"])
    assert api.action_order() == ["a", "b"]
    assert list(outcome.errors) == ["b"]
    assert "HTTP 401" in outcome.failure_message()
    assert outcome.retryable is False
    assert outcome.summary()["open_ids"] == ["b", "c"]


def test_read_transient_error_retryable(api, reader):
    api.script_action("a", raw_reply(503, "busy"))
    api.script_action("b", status_reply(4))
    outcome = reader.read(["a", "b"])
    assert api.action_order() == ["a", "b"]
    assert outcome.retryable is True
    assert "HTTP 503" in outcome.failure_message()


@pytest.mark.parametrize("result, type_name", [(["x"], "list"), ("6912758f88df334ddbfb7e1a", "str"), (None, "NoneType")])
def test_read_result_not_object(api, reader, result, type_name):
    api.script_action("a", result_reply(result))
    outcome = reader.read(["a"])
    message = outcome.failure_message()
    assert "returned %s instead of a status object" % type_name in message
    assert outcome.retryable is True


def test_read_many_failures_summarised(api, reader):
    ids = ["bad-%02d" % number for number in range(12)]
    for action_id in ids:
        api.script_action(action_id, error_reply(-32602, "Invalid params", "not found"))
    message = reader.read(ids).failure_message()
    assert "'bad-09'" in message
    assert "'bad-10'" not in message
    assert "and 2 more action(s) failed" in message


def test_read_unknown_values_warned_once_each(api, reader):
    api.script_action("a", status_reply(42))
    api.script_action("b", status_reply(42))
    api.script_action("c", status_reply(4, action_type=99))
    warnings = reader.read(["a", "b", "c"]).warnings
    assert len(warnings) == 2
    assert any("status value 42" in warning for warning in warnings)
    assert any("type value 99" in warning for warning in warnings)


def test_read_warnings_reset_between_calls(api, reader):
    api.script_action("a", status_reply(42), status_reply(4))
    reader.read(["a"])
    assert reader.read(["a"]).warnings == []


# StatusReader.wait


def test_wait_success_after_progress(api, reader, clock):
    api.script_action("a", status_reply(2), status_reply(3), status_reply(4))
    outcome = reader.wait(["a"], wait_timeout=600, wait_sleep=5)
    assert outcome.failure_message() is None
    assert outcome.timed_out is False
    assert outcome.actions["a"]["succeeded"] is True
    assert api.reads_of("a") == 3
    assert clock.slept("reader") == [5, 5]


def test_wait_already_final_reads_once(api, reader, clock):
    api.script_action("a", status_reply(8))
    outcome = reader.wait(["a"])
    assert outcome.failure_message() is None
    assert api.reads_of("a") == 1
    assert clock.slept("reader") == []


def test_wait_polls_only_open_ids(api, reader):
    api.script_action("a", status_reply(4))
    api.script_action("b", status_reply(2), status_reply(4))
    api.script_action("c", status_reply(1), status_reply(2), status_reply(3), status_reply(4))
    outcome = reader.wait(["a", "b", "c"], wait_sleep=5)
    assert outcome.failure_message() is None
    assert api.reads_of("a") == 1
    assert api.reads_of("b") == 2
    assert api.reads_of("c") == 4
    assert api.action_order() == ["a", "b", "c", "b", "c", "c", "c"]


def test_wait_summary_keeps_requested_order(api, reader):
    api.script_action("a", status_reply(2), status_reply(4))
    api.script_action("b", status_reply(4))
    summary = reader.wait(["a", "b"], wait_sleep=5).summary()
    assert [action["id"] for action in summary["actions"]] == ["a", "b"]
    assert summary["succeeded"] is True


def test_wait_sleep_measured_start_to_start(api, reader, clock):
    api.script_action("a", status_reply(2, cost=2), status_reply(2, cost=2), status_reply(4, cost=2))
    reader.wait(["a"], wait_sleep=5)
    assert clock.slept("reader") == [3, 3]
    assert round_starts(api, "a") == [0, 5, 10]


def test_wait_long_round_starts_next_at_once(api, reader, clock):
    api.script_action("a", status_reply(2, cost=3), status_reply(4, cost=3))
    api.script_action("b", status_reply(2, cost=3), status_reply(4, cost=3))
    reader.wait(["a", "b"], wait_sleep=5)
    assert clock.slept("reader") == []
    assert round_starts(api, "a") == [0, 6]


def test_wait_timeout_names_open_ids_and_statuses(api, reader):
    api.script_action("slow", status_reply(2))
    api.script_action("fast", status_reply(3), status_reply(4))
    outcome = reader.wait(["slow", "fast"], wait_timeout=20, wait_sleep=5)
    message = outcome.failure_message()
    assert outcome.timed_out is True
    assert message.startswith("Timed out after 20 seconds waiting for 1 of 2 response action(s) to finish:")
    assert "'slow' (pending, status 2)" in message
    assert "'fast'" not in message
    assert "Raise wait_timeout" in message


def test_wait_timeout_result_retryable_with_open_ids(api, reader):
    api.script_action("slow", status_reply(2))
    outcome = reader.wait(["slow"], wait_timeout=20, wait_sleep=5)
    assert outcome.retryable is True
    assert outcome.summary()["open_ids"] == ["slow"]
    assert outcome.summary()["terminal"] is False


def test_wait_timeout_lists_at_most_ten(api, reader):
    ids = ["open-%02d" % number for number in range(12)]
    for action_id in ids:
        api.script_action(action_id, status_reply(1))
    message = reader.wait(ids, wait_timeout=3, wait_sleep=5).failure_message()
    assert "waiting for 12 of 12" in message
    assert "'open-09'" in message
    assert "'open-10'" not in message
    assert "and 2 more" in message


def test_wait_last_round_just_before_deadline(api, reader):
    api.script_action("a", status_reply(2))
    reader.wait(["a"], wait_timeout=12, wait_sleep=5)
    assert round_starts(api, "a") == [0, 5, 10, 12 - FINAL_ROUND_MARGIN]


def test_wait_last_round_counts_success(api, reader):
    api.script_action("a", status_reply(2), status_reply(2), status_reply(2), status_reply(4))
    outcome = reader.wait(["a"], wait_timeout=12, wait_sleep=5)
    assert outcome.timed_out is False
    assert outcome.failure_message() is None
    assert api.reads_of("a") == 4


def test_wait_sleep_longer_than_timeout(api, reader):
    api.script_action("a", status_reply(2))
    outcome = reader.wait(["a"], wait_timeout=3, wait_sleep=10)
    assert outcome.timed_out is True
    assert round_starts(api, "a") == [0, 3 - FINAL_ROUND_MARGIN]


def test_wait_timeout_below_margin_reads_once(api, reader):
    api.script_action("a", status_reply(2))
    outcome = reader.wait(["a"], wait_timeout=0.5, wait_sleep=5)
    assert outcome.timed_out is True
    assert api.reads_of("a") == 1


def test_wait_deadline_ends_round_early(api, reader):
    for action_id in ("a", "b", "c", "d"):
        api.script_action(action_id, status_reply(2, cost=4))
    outcome = reader.wait(["a", "b", "c", "d"], wait_timeout=10, wait_sleep=5)
    assert outcome.timed_out is True
    assert api.reads_of("d") == 0
    assert "'d' (never read)" in outcome.failure_message()


def test_wait_failed_action_fails_with_description(api, reader):
    api.script_action("a", status_reply(3), status_reply(5, errorId=1002, errorDescription="The user could not be found."))
    message = reader.wait(["a"], wait_sleep=5).failure_message()
    assert message.startswith("Response action(s) ended without succeeding:")
    assert "'a' ended as execution_failed (status 5): The user could not be found." in message


def test_wait_failed_action_without_description_gives_error_id(api, reader):
    api.script_action("a", status_reply(5, errorId=1002))
    assert "'a' ended as execution_failed (status 5): error 1002" in reader.wait(["a"]).failure_message()


def test_wait_dismissed_action_fails(api, reader):
    api.script_action("a", status_reply(2), status_reply(6))
    assert "'a' ended as dismissed (status 6)" in reader.wait(["a"], wait_sleep=5).failure_message()


def test_wait_failure_names_only_unsuccessful(api, reader):
    api.script_action("good", status_reply(4))
    api.script_action("bad", status_reply(5, errorDescription="Mailbox not found."))
    message = reader.wait(["good", "bad"]).failure_message()
    assert "'bad' ended as execution_failed" in message
    assert "'good'" not in message


def test_wait_failed_action_result_retryable(api, reader):
    api.script_action("a", status_reply(5))
    outcome = reader.wait(["a"])
    assert outcome.retryable is True
    assert outcome.summary()["unsuccessful_ids"] == ["a"]


def test_wait_external_action_ends_wait(api, reader):
    api.script_action("a", status_reply(7), status_reply(8))
    outcome = reader.wait(["a"], wait_sleep=5)
    message = outcome.failure_message()
    assert api.reads_of("a") == 1
    assert "'a' ended as external_action_needed (status 7)" in message
    assert "set wait_on_external_action to keep waiting" in message
    assert outcome.summary()["needs_attention_ids"] == ["a"]


def test_wait_on_external_action_keeps_waiting(api, reader):
    api.script_action("a", status_reply(7), status_reply(7), status_reply(8))
    outcome = reader.wait(["a"], wait_sleep=5, wait_on_external_action=True)
    assert outcome.failure_message() is None
    assert api.reads_of("a") == 3
    assert outcome.actions["a"]["status_name"] == "done_externally"


def test_wait_on_external_action_timeout_names_status(api, reader):
    api.script_action("a", status_reply(7))
    outcome = reader.wait(["a"], wait_timeout=12, wait_sleep=5, wait_on_external_action=True)
    assert "'a' (external_action_needed, status 7)" in outcome.failure_message()


def test_wait_transient_errors_absorbed(api, reader):
    api.script_action("a", raw_reply(503, "busy"), status_reply(2), raw_reply(502, "bad gateway"), status_reply(4))
    outcome = reader.wait(["a"], wait_sleep=5)
    assert outcome.failure_message() is None
    assert outcome.errors == {}
    assert outcome.transient == {}
    assert api.reads_of("a") == 4


def test_wait_transient_errors_until_deadline(api, reader):
    api.script_action("a", raw_reply(503, "busy"))
    outcome = reader.wait(["a"], wait_timeout=12, wait_sleep=5)
    message = outcome.failure_message()
    assert outcome.timed_out is True
    assert "'a' (never read: getResponseActionStatus: HTTP 503" in message
    assert outcome.retryable is True


def test_wait_transient_error_after_read_keeps_last_status(api, reader):
    api.script_action("a", status_reply(2), raw_reply(503, "busy"))
    outcome = reader.wait(["a"], wait_timeout=12, wait_sleep=5)
    assert "'a' (pending, status 2)" in outcome.failure_message()


def test_wait_permanent_error_stops_at_once(api, reader, clock):
    api.script_action("a", status_reply(2), raw_reply(401, "Unauthorized"), status_reply(4))
    outcome = reader.wait(["a"], wait_sleep=5)
    assert api.reads_of("a") == 2
    assert clock.slept("reader") == [5]
    assert outcome.timed_out is False
    assert "HTTP 401" in outcome.failure_message()
    assert outcome.retryable is False


def test_wait_rejected_id_stops_after_round(api, reader):
    api.script_action("a", status_reply(2), status_reply(4))
    api.script_action("bad", error_reply(-32602, "Invalid params", "Response action not found."))
    api.script_action("c", status_reply(2), status_reply(4))
    outcome = reader.wait(["a", "bad", "c"], wait_sleep=5)
    assert api.action_order() == ["a", "bad", "c"]
    assert "'bad'" in outcome.failure_message()
    assert outcome.retryable is False


def test_wait_retry_after_bounded_by_deadline(api, make_reader, clock):
    reader = make_reader(request_retries=3)
    api.script_action("a", raw_reply(429, "", headers={"Retry-After": "30"}), status_reply(4))
    outcome = reader.wait(["a"], wait_timeout=20, wait_sleep=5)
    assert outcome.failure_message() is None
    assert clock.slept("retry") == []
    assert api.reads_of("a") == 2


def test_wait_unknown_values_warned_once(api, reader):
    api.script_action("a", status_reply(42, action_type=99), status_reply(42, action_type=99), status_reply(4, action_type=99))
    outcome = reader.wait(["a"], wait_sleep=5)
    assert api.reads_of("a") == 3
    assert len(outcome.warnings) == 2


def test_wait_paced_within_round(api, make_reader, clock):
    reader = make_reader(rate=9.0)
    for action_id in ("a", "b", "c"):
        api.script_action(action_id, status_reply(4))
    reader.wait(["a", "b", "c"])
    starts = [request.started - START for request in api.requests]
    assert starts == pytest.approx([0, 1.0 / 9, 2.0 / 9])
