# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tests of base_url normalisation, connection option validation and key redaction."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.bitdefender.gravityzone.plugins.module_utils import client as client_module
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.client import (
    ConnectionOptionError,
    GravityZoneClient,
    GravityZoneError,
    is_loopback_host,
    normalise_base_url,
    redact,
    validate_connection_options,
)
from ansible_collections.bitdefender.gravityzone.tests.unit.scripted_api import API_KEY, BASIC_CREDENTIALS, SECRETS

ACCESS_URL = "https://cloud.gravityzone.bitdefender.com/api"


def rejection(base_url):
    with pytest.raises(ConnectionOptionError) as caught:
        normalise_base_url(base_url)
    return str(caught.value)


@pytest.mark.parametrize("base_url", [
    "https://cloud.gravityzone.bitdefender.com",
    "https://cloud.gravityzone.bitdefender.com/",
    "https://cloud.gravityzone.bitdefender.com/api",
    "https://cloud.gravityzone.bitdefender.com/api/",
    "https://cloud.gravityzone.bitdefender.com/api//",
    "https://cloud.gravityzone.bitdefender.com/api/v1.0/jsonrpc",
    "https://cloud.gravityzone.bitdefender.com/api/v1.0/jsonrpc/incidents",
    "https://cloud.gravityzone.bitdefender.com/api/v1.0/jsonrpc/incidents/",
    "https://cloud.gravityzone.bitdefender.com/api/v1.0/jsonrpc/general",
    "  https://cloud.gravityzone.bitdefender.com/api  ",
    "HTTPS://Cloud.GravityZone.Bitdefender.com/api",
])
def test_base_url_forms_give_access_url(base_url):
    assert normalise_base_url(base_url) == ACCESS_URL


@pytest.mark.parametrize("base_url, expected", [
    ("https://gz.example.test:8443", "https://gz.example.test:8443/api"),
    ("https://gz.example.test:8443/api/v1.0/jsonrpc/incidents", "https://gz.example.test:8443/api"),
    ("https://gz.example.test/tenant-a", "https://gz.example.test/tenant-a/api"),
    ("https://gz.example.test/tenant-a/api/", "https://gz.example.test/tenant-a/api"),
    ("https://gz.example.test/tenant-a/api/v1.0/jsonrpc/incidents", "https://gz.example.test/tenant-a/api"),
    ("https://[2001:db8::1]:8443/api", "https://[2001:db8::1]:8443/api"),
    ("http://[::1]:8080", "http://[::1]:8080/api"),
    ("http://[::1]:8080/api/v1.0/jsonrpc/incidents", "http://[::1]:8080/api"),
])
def test_base_url_port_prefix_and_ipv6_kept(base_url, expected):
    assert normalise_base_url(base_url) == expected


@pytest.mark.parametrize("base_url", [
    "http://127.0.0.1:8080/api",
    "http://127.10.20.30/api",
    "http://localhost:8080",
    "http://LOCALHOST/api",
    "http://[::1]/api",
])
def test_base_url_http_to_loopback_accepted(base_url):
    assert normalise_base_url(base_url).startswith("http://")


@pytest.mark.parametrize("base_url", [
    "http://cloud.gravityzone.bitdefender.com/api",
    "http://10.0.0.5/api",
    "http://0.0.0.0:8080/api",
    "http://localhost.example.test/api",
    "http://[2001:db8::1]/api",
])
def test_base_url_http_to_other_host_rejected(base_url):
    message = rejection(base_url)
    assert base_url in message
    assert "clear text" in message
    assert "Use https://" in message


@pytest.mark.parametrize("base_url", [
    "ftp://cloud.gravityzone.bitdefender.com/api",
    "cloud.gravityzone.bitdefender.com/api",
    "cloud.gravityzone.bitdefender.com:443/api",
    "https:///api",
])
def test_base_url_not_https_rejected(base_url):
    message = rejection(base_url)
    assert repr(base_url) in message
    assert "https://cloud.gravityzone.bitdefender.com/api" in message


@pytest.mark.parametrize("base_url", [
    "https://user:secret@cloud.gravityzone.bitdefender.com/api",
    "https://%s:@cloud.gravityzone.bitdefender.com/api" % API_KEY,
    "https://%s@cloud.gravityzone.bitdefender.com/api" % API_KEY,
    "http://user:secret@example.test/api",
])
def test_base_url_credentials_rejected(base_url):
    message = rejection(base_url)
    assert "user name or password" in message
    assert "api_key" in message


@pytest.mark.parametrize("base_url", [
    "https://user:secret@cloud.gravityzone.bitdefender.com/api",
    "https://user:secret@cloud.gravityzone.bitdefender.com/api?x=1",
    "http://user:secret@example.test/api",
    "ftp://user:secret@cloud.gravityzone.bitdefender.com/api",
    "https://user:secret@cloud.gravityzone.bitdefender.com:99999/api",
])
def test_base_url_password_never_echoed(base_url):
    assert "secret" not in rejection(base_url)


@pytest.mark.parametrize("base_url", [
    "https://cloud.gravityzone.bitdefender.com/api?key=value",
    "https://cloud.gravityzone.bitdefender.com/api#section",
])
def test_base_url_query_or_fragment_rejected(base_url):
    message = rejection(base_url)
    assert repr(base_url) in message
    assert "query or fragment" in message
    assert "https://HOST/api" in message


def test_base_url_invalid_port_rejected():
    message = rejection("https://cloud.gravityzone.bitdefender.com:99999/api")
    assert "not a valid URL" in message
    assert "https://HOST/api" in message


@pytest.mark.parametrize("base_url", [None, "", "   ", 42])
def test_base_url_missing_names_fix(base_url):
    message = rejection(base_url)
    assert "base_url is missing or empty" in message
    assert "GRAVITYZONE_BASE_URL" in message
    assert "Control Center API" in message


@pytest.mark.parametrize("host, expected", [
    ("localhost", True),
    ("LocalHost", True),
    ("127.0.0.1", True),
    ("127.255.255.254", True),
    ("::1", True),
    ("128.0.0.1", False),
    ("::2", False),
    ("example.test", False),
    ("", False),
])
def test_is_loopback_host(host, expected):
    assert is_loopback_host(host) is expected


def test_options_valid_values_normalised(tmp_path):
    ca_path = tmp_path / "ca.pem"
    ca_path.write_text("placeholder")
    options = validate_connection_options(
        "https://cloud.gravityzone.bitdefender.com", API_KEY, validate_certs=False, ca_path=str(ca_path), timeout=5,
        request_retries=0)
    assert options == {
        "access_url": ACCESS_URL,
        "api_key": API_KEY,
        "validate_certs": False,
        "ca_path": str(ca_path),
        "timeout": 5.0,
        "request_retries": 0,
    }


def test_options_defaults():
    options = validate_connection_options(ACCESS_URL, API_KEY)
    assert options["validate_certs"] is True
    assert options["ca_path"] is None
    assert options["timeout"] == 30.0
    assert options["request_retries"] == 3


def test_options_whole_float_retries_accepted():
    assert validate_connection_options(ACCESS_URL, API_KEY, request_retries=2.0)["request_retries"] == 2


def option_rejection(**overrides):
    arguments = dict(base_url=ACCESS_URL, api_key=API_KEY)
    arguments.update(overrides)
    with pytest.raises(ConnectionOptionError) as caught:
        validate_connection_options(**arguments)
    message = str(caught.value)
    for secret in SECRETS:
        assert secret not in message
    return message


@pytest.mark.parametrize("api_key", [None, "", "   ", "\n", 12345])
def test_options_missing_key_rejected(api_key):
    message = option_rejection(api_key=api_key)
    assert "api_key is missing or empty" in message
    assert "GRAVITYZONE_API_KEY" in message


@pytest.mark.parametrize("api_key", [" " + API_KEY, API_KEY + " ", API_KEY + "\n", "\t" + API_KEY, API_KEY[:8] + "\n" + API_KEY[8:]])
def test_options_key_whitespace_rejected_without_echo(api_key):
    message = option_rejection(api_key=api_key)
    assert "surrounding whitespace or a line break" in message


@pytest.mark.parametrize("timeout", [0, 0.0, -1, -0.5, float("nan"), True, False, "abc", None, [30]])
def test_options_bad_timeout_rejected(timeout):
    message = option_rejection(timeout=timeout)
    assert message.startswith("timeout must be a finite number greater than 0")
    assert repr(timeout) in message


def test_options_infinite_timeout_rejected():
    option_rejection(timeout=float("inf"))


@pytest.mark.parametrize("request_retries", [-1, 1.5, True, False, "3", "x", None, float("nan")])
def test_options_bad_request_retries_rejected(request_retries):
    message = option_rejection(request_retries=request_retries)
    assert message.startswith("request_retries must be a whole number from 0 to 20")
    assert repr(request_retries) in message


def test_options_missing_ca_path_rejected(tmp_path):
    missing = str(tmp_path / "no-such-ca.pem")
    message = option_rejection(ca_path=missing)
    assert repr(missing) in message
    assert "does not exist" in message
    assert "PEM CA bundle" in message


def test_options_unreadable_ca_path_rejected(tmp_path, monkeypatch):
    ca_path = tmp_path / "ca.pem"
    ca_path.write_text("placeholder")
    ca_path.chmod(0)
    # root can read a mode 000 file, so os.access is replaced to give the denial that other users get.
    monkeypatch.setattr(client_module.os, "access", lambda path, mode: False)
    message = option_rejection(ca_path=str(ca_path))
    assert repr(str(ca_path)) in message
    assert "not readable" in message


def test_options_ca_directory_accepted(tmp_path):
    assert validate_connection_options(ACCESS_URL, API_KEY, ca_path=str(tmp_path))["ca_path"] == str(tmp_path)


def test_options_bad_base_url_checked_before_key():
    message = option_rejection(base_url="ftp://example.test", api_key="")
    assert "ftp://example.test" in message


def test_redact_masks_key_and_basic_credentials():
    text = "key %s header Basic %s bare %s" % (API_KEY, BASIC_CREDENTIALS, BASIC_CREDENTIALS.rstrip("="))
    redacted = redact(text, API_KEY)
    for secret in SECRETS:
        assert secret not in redacted
    assert redacted.count(client_module.REDACTED) == 3


@pytest.mark.parametrize("text", [None, 42])
def test_redact_passes_non_text_through(text):
    assert redact(text, API_KEY) == text


def test_redact_without_key_changes_nothing():
    assert redact("plain text", "") == "plain text"


def test_client_without_requests_names_fix(monkeypatch):
    monkeypatch.setattr(client_module, "HAS_REQUESTS", False)
    with pytest.raises(GravityZoneError) as caught:
        GravityZoneClient(ACCESS_URL, API_KEY)
    assert "pip install requests" in str(caught.value)
    assert "ansible_python_interpreter" in str(caught.value)


def test_client_from_options_uses_every_option(tmp_path):
    options = validate_connection_options(ACCESS_URL, API_KEY, validate_certs=True, ca_path=str(tmp_path), timeout=7,
                                          request_retries=1)
    client = GravityZoneClient.from_options(options)
    assert client.access_url == ACCESS_URL
    assert client.verify == str(tmp_path)
    assert client.timeout == 7.0
    assert client.request_retries == 1
    assert client.endpoint("general") == ACCESS_URL + "/v1.0/jsonrpc/general"
    client.close()


@pytest.mark.parametrize("validate_certs, ca_path, expected", [
    (True, None, True),
    (False, None, False),
    (True, "/ca.pem", "/ca.pem"),
])
def test_client_verify_setting(validate_certs, ca_path, expected):
    client = GravityZoneClient(ACCESS_URL, API_KEY, validate_certs=validate_certs, ca_path=ca_path)
    assert client.verify == expected
    client.close()
