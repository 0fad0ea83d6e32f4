# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the create rules and the createResponseAction call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket

import pytest

from ansible_collections.bitdefender.gravityzone.plugins.module_utils.actions import (
    ACTION_TYPES,
    ParameterError,
    create_action,
    create_params,
)
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.client import GravityZoneError
from ansible_collections.bitdefender.gravityzone.tests.unit.conftest import LOOPBACK
from ansible_collections.bitdefender.gravityzone.tests.unit.scripted_api import SECRETS, error_reply, raw_reply, result_reply

NEW_ID = "6560a95884f89d6eca0b61b1"
INCIDENT = {"incident_id": "6912740188df334ddbfb7d90"}
USERNAME_ACTIONS = ("reset_credentials_m365", "reset_credentials_ad", "disable_user_m365", "disable_user_ad",
                    "mark_compromised_m365", "disable_user_google", "reset_credentials_google", "disable_user_aws")


def options(**given):
    names = ("username", "email_id", "incident_id", "integration_identifiers", "targets", "file_url")
    return dict((name, given.get(name)) for name in names)


def rejection(action, **given):
    with pytest.raises(ParameterError) as caught:
        create_params(action, options(**given))
    return str(caught.value)


@pytest.mark.parametrize("action", USERNAME_ACTIONS)
def test_username_required(action):
    message = rejection(action, **INCIDENT)
    assert message.startswith(action)
    assert "username" in message


@pytest.mark.parametrize("action", sorted(ACTION_TYPES))
def test_incident_or_integration_required(action):
    message = rejection(action, username="jane.doe@example.com", email_id="m1", targets=[{"id": "m2"}], file_url="https://x/f")
    assert "incident_id or integration_identifiers" in message


def test_incident_and_integration_both_rejected():
    message = rejection("disable_user_aws", username="u", incident_id="i", integration_identifiers={"companyId": "c"})
    assert "not both" in message


def test_delete_email_needs_email_id():
    assert "email_id" in rejection("delete_email_m365", **INCIDENT)


def test_delete_email_needs_username_without_incident():
    message = rejection("delete_email_m365", email_id="m1", integration_identifiers={"companyId": "c"})
    assert "username (required when incident_id is not set)" in message


def test_delete_email_with_incident_needs_no_username():
    params = create_params("delete_email_m365", options(email_id="m1", **INCIDENT))
    assert params == {"actionType": 6, "emailId": "m1", "incidentId": INCIDENT["incident_id"]}


def test_similar_emails_need_targets():
    assert "targets" in rejection("delete_similar_emails_m365", email_id="m1", **INCIDENT)


def test_similar_emails_with_incident_need_email_id():
    message = rejection("delete_similar_emails_m365", targets=[{"id": "m2"}], **INCIDENT)
    assert "email_id (the reference e-mail, required with incident_id)" in message


def test_delete_file_needs_file_url():
    assert "file_url" in rejection("delete_file_m365", **INCIDENT)


def test_targets_only_for_similar_emails():
    message = rejection("disable_user_m365", username="u", targets=[{"id": "m"}], **INCIDENT)
    assert "targets applies only to delete_similar_emails_m365" in message


def test_file_url_only_for_delete_file():
    message = rejection("disable_user_m365", username="u", file_url="https://x/f", **INCIDENT)
    assert "file_url applies only to delete_file_m365" in message


def test_unknown_action_lists_choices():
    message = rejection("disable_everything", username="u", **INCIDENT)
    assert "disable_user_m365" in message


def test_several_missing_named_together():
    message = rejection("delete_file_m365")
    assert "incident_id or integration_identifiers and file_url" in message


def test_only_set_params_sent():
    params = create_params("disable_user_aws", options(username="arn-user", integration_identifiers={"companyId": "c", "accessKeyId": "k"}))
    assert params == {"actionType": 12, "username": "arn-user", "integrationIdentifiers": {"companyId": "c", "accessKeyId": "k"}}


def test_targets_pass_through_unchanged():
    targets = {"similarityHash": "9f2c"}
    params = create_params("delete_similar_emails_m365", options(targets=targets, email_id="m1", **INCIDENT))
    assert params["targets"] == targets


# The call itself: retried only where no action can have been created.


def create(make_client, **client_options):
    params = create_params("disable_user_m365", options(username="jane.doe@example.com", **INCIDENT))
    return create_action(make_client(**client_options), "disable_user_m365", params)


def create_error(make_client, **client_options):
    with pytest.raises(GravityZoneError) as caught:
        create(make_client, **client_options)
    return caught.value


def test_create_sends_method_and_params(api, make_client):
    api.queue(result_reply(NEW_ID))
    assert create(make_client) == NEW_ID
    body = api.requests[0].body
    assert body["method"] == "createResponseAction"
    assert body["params"] == {"actionType": 3, "username": "jane.doe@example.com", "incidentId": INCIDENT["incident_id"]}


def test_create_read_timeout_not_retried(api, make_client):
    api.queue(result_reply(NEW_ID, delay=0.5), result_reply(NEW_ID))
    error = create_error(make_client, timeout=0.1, request_retries=3)
    assert len(api.requests) == 1
    assert "may already exist" in error.message
    assert "disable_user_m365 on user 'jane.doe@example.com'" in error.message
    assert error.request_id in error.message
    assert error.retryable is False


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_create_5xx_not_retried(api, make_client, status):
    api.queue(raw_reply(status, "busy"), result_reply(NEW_ID))
    error = create_error(make_client, request_retries=3)
    assert len(api.requests) == 1
    assert "may already exist" in error.message


def test_create_garbled_reply_may_exist(api, make_client):
    api.queue(raw_reply(200, "<html>proxy</html>", content_type="text/html"))
    assert "may already exist" in create_error(make_client).message


def test_create_429_retried(api, make_client, clock):
    api.queue(raw_reply(429, "", headers={"Retry-After": "1"}), result_reply(NEW_ID))
    assert create(make_client) == NEW_ID
    assert len(api.requests) == 2
    assert clock.slept("retry") == [1]


def test_create_invalid_params_says_nothing_created(api, make_client):
    api.queue(error_reply(-32602, "Invalid params", "One or more parameters are not expected: foo"))
    error = create_error(make_client)
    assert "not expected: foo" in error.message
    assert "may already exist" not in error.message


def test_create_401_says_nothing_created(api, make_client):
    api.queue(raw_reply(401, "Unauthorized"))
    assert "may already exist" not in create_error(make_client).message


def test_create_connection_refused_retried_and_not_created(make_client, clock):
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port = probe.getsockname()[1]
    error = create_error(make_client, base_url="http://%s:%d/api" % (LOOPBACK, port), request_retries=2)
    assert "could not connect" in error.message
    assert "may already exist" not in error.message
    assert clock.slept("retry") == [1.0]


def test_create_non_string_result_fails(api, make_client):
    api.queue(result_reply({"id": NEW_ID}))
    assert "instead of an action ID" in create_error(make_client).message


def test_create_messages_never_hold_key(api, make_client):
    api.queue(result_reply(NEW_ID, delay=0.5))
    message = create_error(make_client, timeout=0.1).message
    for secret in SECRETS:
        assert secret not in message


@pytest.mark.parametrize("name, value", [
    ("username", ["jane@example.com", "john@example.com"]),
    ("username", "   "),
    ("incident_id", 5744368105847),
    ("email_id", True),
    ("file_url", " https://x/f"),
])
def test_string_options_checked_not_converted(name, value):
    given = {"username": "u@example.com", "incident_id": "i1"}
    given[name] = value
    message = rejection("delete_file_m365" if name == "file_url" else "disable_user_m365", **given)
    assert message.startswith(name)


def test_email_id_refused_for_user_action():
    message = rejection("disable_user_m365", username="u", email_id="m1", **INCIDENT)
    assert "email_id applies only to delete_email_m365" in message
