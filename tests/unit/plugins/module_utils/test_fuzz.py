# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Property tests: any JSON reply gives a valid result dict or a GravityZoneError, nothing else.

The reply bodies go through the client's real reply parser, without a
network, and the result objects through StatusReader and normalise_action.
The budget is fixed and derandomized so that CI runs the same examples in a
few seconds; GRAVITYZONE_FUZZ_EXAMPLES raises it for a longer run by hand.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.bitdefender.gravityzone.plugins.module_utils.client import GravityZoneClient, GravityZoneError
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.reader import StatusReader
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.status import normalise_action

EXAMPLES = int(os.environ.get("GRAVITYZONE_FUZZ_EXAMPLES", "200"))
REQUEST_ID = "fuzz-request-1"
ACTION_ID = "6912758f88df334ddbfb7e1a"
RESULT_KEYS = {
    "id", "type", "type_name", "status", "status_name", "terminal", "succeeded", "needs_attention", "generated_on",
    "generated_on_utc", "error_id", "error_description", "incident_id", "company_id", "user_id", "user_name",
    "target_user_id", "target_user_name", "target_email_id", "outcome", "raw"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)

# Objects shaped like a status result, with any JSON value in each known field.
result_like = st.fixed_dictionaries({}, optional={
    "type": json_values, "status": json_values, "generatedOn": json_values, "errorId": json_values,
    "errorDescription": json_values, "outcome": json_values, "targetEmailId": json_values})

# Reply envelopes: the id right or wrong, and any JSON value as result or error.
envelopes = st.fixed_dictionaries({"jsonrpc": st.just("2.0")}, optional={
    "id": st.just(REQUEST_ID) | json_values,
    "result": json_values | result_like,
    "error": json_values,
})


class ReplyClient:
    """A GravityZoneClient whose call() parses a given reply body instead of sending a request."""

    def __init__(self, status, body):
        self.client = GravityZoneClient("https://127.0.0.1/api", "fuzz-key-0123456789")
        self.status = status
        self.body = body

    def call(self, area, method, params, deadline=None, creates=False, request_id=None):
        url = self.client.endpoint(area)
        return self.client._parse_reply(self.status, {"Content-Type": "application/json"}, self.body, REQUEST_ID, method, url)


def check_action(action):
    assert set(action) == RESULT_KEYS
    assert action["id"] == ACTION_ID
    for key in ("terminal", "succeeded", "needs_attention"):
        assert isinstance(action[key], bool)
    assert isinstance(action["status_name"], str)
    assert isinstance(action["type_name"], str)
    assert action["generated_on_utc"] is None or isinstance(action["generated_on_utc"], str)
    json.dumps(action)


def read_through_reader(status, body):
    """Return the action dict that StatusReader.read_one makes of the reply, or None for a GravityZoneError."""
    reader = StatusReader(ReplyClient(status, body))
    try:
        return reader.read_one(ACTION_ID)
    except GravityZoneError as error:
        assert error.message
        assert "fuzz-key-0123456789" not in error.message
        return None


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(envelope=envelopes, status=st.sampled_from([200, 200, 200, 400, 429, 500, 503]))
def test_any_reply_envelope_maps_or_raises(envelope, status):
    action = read_through_reader(status, json.dumps(envelope).encode("utf-8"))
    if action is not None:
        check_action(action)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(body=st.binary(max_size=200) | json_values.map(lambda value: json.dumps(value).encode("utf-8")))
def test_any_reply_body_maps_or_raises(body):
    action = read_through_reader(200, body)
    if action is not None:
        check_action(action)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(result=result_like | st.dictionaries(st.text(max_size=12), json_values, max_size=6))
def test_any_result_object_normalises(result):
    unknown_values = set()
    check_action(normalise_action(ACTION_ID, result, unknown_values))
    for field, _value in unknown_values:
        assert field in ("type", "status")
