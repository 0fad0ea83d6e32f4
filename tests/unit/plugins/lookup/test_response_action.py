# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tests of the response_action lookup: options, terms, result shapes and errors.

The lookup comes from ansible-core's lookup loader, as in a play, and reads
from the scripted local server. Its client and reader run on the fake clock,
so waits take no real time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

from unittest import mock

import pytest

from ansible.errors import AnsibleLookupError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.bitdefender.gravityzone.plugins.module_utils.client import GravityZoneClient
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.reader import StatusReader
from ansible_collections.bitdefender.gravityzone.tests.unit.conftest import UNPACED_RATE
from ansible_collections.bitdefender.gravityzone.tests.unit.scripted_api import (
    API_KEY,
    BASIC_CREDENTIALS,
    SECRETS,
    error_reply,
    status_reply,
)

try:
    from ansible.template import trust_as_template
except ImportError:
    # ansible-core before 2.19 templates every string it is given.
    def trust_as_template(value):
        return value

LOOKUP_NAME = "bitdefender.gravityzone.response_action"
ACTION_ID = "6912758f88df334ddbfb7e1a"
OTHER_ID = "65a1f0c2e4b0a1b2c3d4e5f6"

# A loopback port where nothing listens, for connection options that must lose.
UNUSED_URL = "http://127.0.0.1:9/api"


def _install_collection_finder():
    """Let plain pytest load collection plugins, as ansible-test units does.

    The lookup loader finds collection plugins only through ansible-core's
    collection finder. ansible-test installs it before any test module is
    imported. Under plain pytest, tests/unit/conftest.py has already imported
    the collection as a namespace package, so the finder is installed here
    and that package gets the routing metadata the finder would have given it.
    """
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

    if any(isinstance(finder, _AnsibleCollectionFinder) for finder in sys.meta_path):
        return
    collection_root = os.path.dirname(os.path.abspath(__file__))
    for dummy in range(7):
        collection_root = os.path.dirname(collection_root)
    _AnsibleCollectionFinder(paths=[collection_root])._install()  # pylint: disable=protected-access
    package = sys.modules.get("ansible_collections.bitdefender.gravityzone")
    if package is not None and getattr(package, "_collection_meta", None) is None:
        # NOTE: empty routing metadata, which is right only while meta/runtime.yml
        # redirects no plugin that these tests load.
        package._collection_meta = {}  # pylint: disable=protected-access


_install_collection_finder()

from ansible.plugins.loader import lookup_loader  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.bitdefender.gravityzone.plugins.lookup import response_action as lookup_module  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture
def display(monkeypatch):
    """Replace the lookup's Display, and return the mock that records its warnings."""
    fake = mock.Mock()
    monkeypatch.setattr(lookup_module, "display", fake)
    return fake


@pytest.fixture(autouse=True)
def fake_clock_lookup(monkeypatch, clock, display):
    """Build the lookup's client and reader on the fake clock, without pacing."""
    class FakeClockClient(GravityZoneClient):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("rate", UNPACED_RATE)
            kwargs.setdefault("clock", clock.monotonic)
            kwargs.setdefault("sleep", clock.sleeper("pacer"))
            super(FakeClockClient, self).__init__(*args, **kwargs)

    def make_reader(client):
        return StatusReader(client, clock=clock.monotonic, sleep=clock.sleeper("reader"))

    monkeypatch.setattr(lookup_module, "GravityZoneClient", FakeClockClient)
    monkeypatch.setattr(lookup_module, "StatusReader", make_reader)


def templar_for(variables):
    trusted = dict((name, trust_as_template(value) if isinstance(value, str) else value) for name, value in variables.items())
    return Templar(loader=DataLoader(), variables=trusted)


def run_lookup(terms, variables=None, **kwargs):
    """Run the lookup as ansible-core does, with variables that are not templated yet."""
    variables = dict(variables or {})
    templar = templar_for(variables)
    lookup = lookup_loader.get(LOOKUP_NAME, loader=DataLoader(), templar=templar)
    trusted = dict((name, trust_as_template(value) if isinstance(value, str) else value) for name, value in variables.items())
    return lookup.run(terms, variables=trusted, **kwargs)


def connection(api, **extra):
    options = {"base_url": api.base_url, "api_key": API_KEY, "request_retries": 0}
    options.update(extra)
    return options


def lookup_error(terms, variables=None, **kwargs):
    with pytest.raises(AnsibleLookupError) as caught:
        run_lookup(terms, variables, **kwargs)
    message = str(caught.value)
    for secret in SECRETS:
        assert secret not in message
    return message


# Option precedence


def test_lookup_keyword_wins_over_variable(api, monkeypatch):
    monkeypatch.setenv("GRAVITYZONE_BASE_URL", UNUSED_URL)
    api.script_action(ACTION_ID, status_reply(4))
    result = run_lookup([ACTION_ID], {"gravityzone_base_url": UNUSED_URL}, **connection(api))
    assert result[0]["status_name"] == "execution_success"


def test_lookup_variable_wins_over_env(api, monkeypatch):
    monkeypatch.setenv("GRAVITYZONE_BASE_URL", UNUSED_URL)
    monkeypatch.setenv("GRAVITYZONE_API_KEY", "wrong-key")
    api.script_action(ACTION_ID, status_reply(4))
    variables = {"gravityzone_base_url": api.base_url, "gravityzone_api_key": API_KEY, "gravityzone_request_retries": 0}
    result = run_lookup([ACTION_ID], variables)
    assert result[0]["succeeded"] is True
    assert api.requests[0].headers["Authorization"] == "Basic " + BASIC_CREDENTIALS


def test_lookup_env_used_without_variables(api, monkeypatch):
    monkeypatch.setenv("GRAVITYZONE_BASE_URL", api.base_url)
    monkeypatch.setenv("GRAVITYZONE_API_KEY", API_KEY)
    monkeypatch.setenv("GRAVITYZONE_REQUEST_RETRIES", "0")
    api.script_action(ACTION_ID, status_reply(3))
    assert run_lookup([ACTION_ID])[0]["status_name"] == "in_execution"


def test_lookup_templates_variables(api):
    api.script_action(ACTION_ID, status_reply(4))
    variables = {
        "emulator_url": api.base_url,
        "vaulted_key": API_KEY,
        "gravityzone_base_url": "{{ emulator_url }}",
        "gravityzone_api_key": "{{ vaulted_key }}",
        "gravityzone_request_retries": "{{ 1 - 1 }}",
        "gravityzone_validate_certs": "{{ true }}",
    }
    result = run_lookup([ACTION_ID], variables)
    assert result[0]["id"] == ACTION_ID
    assert api.requests[0].headers["Authorization"] == "Basic " + BASIC_CREDENTIALS


def test_lookup_undefined_variable_raises(api):
    message = lookup_error([ACTION_ID], {"gravityzone_base_url": "{{ no_such_variable }}", "gravityzone_api_key": API_KEY})
    assert "no_such_variable" in message
    assert api.requests == []


def test_lookup_invalid_option_type_raises(api):
    message = lookup_error([ACTION_ID], {"gravityzone_request_retries": "many"}, base_url=api.base_url, api_key=API_KEY)
    assert "request_retries" in message
    assert api.requests == []


# Terms and result shapes


def test_lookup_returns_list_in_term_order(api):
    api.script_action(ACTION_ID, status_reply(4))
    api.script_action(OTHER_ID, status_reply(2))
    result = run_lookup([OTHER_ID, ACTION_ID], **connection(api))
    assert [action["id"] for action in result] == [OTHER_ID, ACTION_ID]
    assert api.action_order() == [OTHER_ID, ACTION_ID]


def test_lookup_flattens_list_term(api):
    api.script_action(ACTION_ID, status_reply(4))
    api.script_action(OTHER_ID, status_reply(2))
    result = run_lookup([[ACTION_ID, OTHER_ID]], **connection(api))
    assert [action["id"] for action in result] == [ACTION_ID, OTHER_ID]


def test_lookup_function_gives_dict(api):
    api.script_action(ACTION_ID, status_reply(4))
    variables = connection(api)
    variables = dict(("gravityzone_%s" % name, value) for name, value in variables.items())
    variables["action_id"] = ACTION_ID
    templar = templar_for(variables)
    result = templar.template(trust_as_template("{{ lookup('%s', action_id) }}" % LOOKUP_NAME))
    assert isinstance(result, dict)
    assert result["status_name"] == "execution_success"


def test_query_function_gives_list(api):
    api.script_action(ACTION_ID, status_reply(4))
    api.script_action(OTHER_ID, status_reply(5))
    variables = dict(("gravityzone_%s" % name, value) for name, value in connection(api).items())
    templar = templar_for(variables)
    result = templar.template(trust_as_template("{{ query('%s', '%s', '%s') }}" % (LOOKUP_NAME, OTHER_ID, ACTION_ID)))
    assert [action["id"] for action in result] == [OTHER_ID, ACTION_ID]
    assert [action["succeeded"] for action in result] == [False, True]


def test_query_function_one_term_gives_list(api):
    api.script_action(ACTION_ID, status_reply(4))
    variables = dict(("gravityzone_%s" % name, value) for name, value in connection(api).items())
    result = templar_for(variables).template(trust_as_template("{{ query('%s', '%s') }}" % (LOOKUP_NAME, ACTION_ID)))
    assert isinstance(result, list)
    assert len(result) == 1


def test_lookup_failed_action_is_data(api):
    api.script_action(ACTION_ID, status_reply(5, errorId=1002, errorDescription="User not found"))
    result = run_lookup([ACTION_ID], **connection(api))
    assert result[0]["succeeded"] is False
    assert result[0]["error_description"] == "User not found"


def test_lookup_wait_polls_until_final(api, clock):
    api.script_action(ACTION_ID, status_reply(2), status_reply(3), status_reply(4))
    result = run_lookup([ACTION_ID], wait=True, wait_sleep=2, **connection(api))
    assert result[0]["status_name"] == "execution_success"
    assert api.reads_of(ACTION_ID) == 3
    assert clock.slept("reader") == [2.0, 2.0]


def test_lookup_wait_returns_failed_action(api):
    api.script_action(ACTION_ID, status_reply(3), status_reply(6))
    result = run_lookup([ACTION_ID], wait=True, wait_sleep=1, **connection(api))
    assert result[0]["status_name"] == "dismissed"


def test_lookup_wait_on_external_action(api):
    api.script_action(ACTION_ID, status_reply(7), status_reply(8))
    result = run_lookup([ACTION_ID], wait=True, wait_sleep=1, wait_on_external_action=True, **connection(api))
    assert result[0]["status_name"] == "done_externally"
    assert api.reads_of(ACTION_ID) == 2


# Warnings


def test_lookup_validate_certs_false_warns(api, display):
    api.script_action(ACTION_ID, status_reply(4))
    run_lookup([ACTION_ID], validate_certs=False, **connection(api))
    warning = display.warning.call_args[0][0]
    assert "validate_certs is false" in warning


def test_lookup_unknown_status_warns(api, display):
    api.script_action(ACTION_ID, status_reply(42))
    result = run_lookup([ACTION_ID], **connection(api))
    warning = display.warning.call_args[0][0]
    assert result[0]["status_name"] == "unknown"
    assert "status value 42" in warning


# Errors


@pytest.mark.parametrize("terms, expected", [
    ([1234], "terms is 1234, of type int, not a string. Quote the action ID"),
    ([ACTION_ID, 1.5e+20], "terms[1] is 1.5e+20, of type float"),
    ([], "terms is empty"),
    ([" a"], "has surrounding whitespace"),
    (["a", "b", "a"], "lists these IDs more than once: 'a'"),
    (["id-%d" % number for number in range(1001)], "Split the list"),
])
def test_lookup_invalid_terms_raise(api, terms, expected):
    assert expected in lookup_error(terms, **connection(api))
    assert api.requests == []


@pytest.mark.parametrize("options, expected", [
    ({"base_url": None}, "base_url is missing or empty"),
    ({"api_key": None}, "api_key is missing or empty"),
    ({"base_url": "http://gravityzone.example.com/api"}, "uses plain http"),
    ({"timeout": 0}, "timeout must be a finite number"),
    ({"request_retries": -1}, "request_retries must be a whole number"),
    ({"ca_path": "/no/such/ca.pem"}, "ca_path '/no/such/ca.pem' does not exist"),
    ({"wait": True, "wait_timeout": 0}, "wait_timeout must be a finite number"),
    ({"wait": True, "wait_sleep": -1}, "wait_sleep must be a finite number"),
])
def test_lookup_invalid_options_raise(api, options, expected):
    kwargs = connection(api)
    kwargs.update(options)
    assert expected in lookup_error([ACTION_ID], **kwargs)
    assert api.requests == []


def test_lookup_read_error_raises(api):
    api.script_action(ACTION_ID, error_reply(-32602, "Invalid params", 'The response action with ID "x" was not found.'))
    message = lookup_error([ACTION_ID], **connection(api))
    assert message.startswith("Reading the status of response action %r failed" % ACTION_ID)
    assert "was not found" in message


def test_lookup_rejected_key_raises(api):
    api.queue(error_reply(-32000, "Unauthorized", status=401))
    message = lookup_error([ACTION_ID], **connection(api))
    assert "The API key was rejected" in message


def test_lookup_read_error_stops_others(api):
    api.script_action(ACTION_ID, error_reply(-32602, "Invalid params", "not found"))
    api.script_action(OTHER_ID, status_reply(4))
    message = lookup_error([ACTION_ID, OTHER_ID], **connection(api))
    assert repr(ACTION_ID) in message
    assert repr(OTHER_ID) not in message


def test_lookup_wait_timeout_raises(api):
    api.script_action(ACTION_ID, status_reply(2))
    message = lookup_error([ACTION_ID], wait=True, wait_timeout=10, wait_sleep=3, **connection(api))
    assert message.startswith("Timed out after 10.0 seconds")
    assert "pending" in message


def test_lookup_without_requests_raises(api, monkeypatch):
    monkeypatch.setattr(lookup_module, "HAS_REQUESTS", False)
    assert "requests" in lookup_error([ACTION_ID], **connection(api))
    assert api.requests == []


def test_lookup_unexpected_exception_raises_lookup_error(api, monkeypatch):
    def broken_reader(client):
        raise RuntimeError("bug while holding %s" % API_KEY)

    monkeypatch.setattr(lookup_module, "StatusReader", broken_reader)
    message = lookup_error([ACTION_ID], **connection(api))
    assert "failed unexpectedly: RuntimeError" in message
