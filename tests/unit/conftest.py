# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures of the unit tests: local HTTP and HTTPS servers, a fake clock and clients bound to both.

The servers listen on 127.0.0.1 only. They are session-scoped because
pytest-httpserver's stop() can take half a second, the poll interval of the
werkzeug server loop. Each test installs its own ScriptedApi on them, so no
test sees the replies or the requests of another.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import ssl

import pytest
import trustme
import urllib3.util.retry

from pytest_httpserver import HTTPServer

from ansible_collections.bitdefender.gravityzone.plugins.module_utils import client as client_module
from ansible_collections.bitdefender.gravityzone.tests.unit.scripted_api import (
    API_KEY,
    FakeClock,
    FakeTimeModule,
    ScriptedApi,
)

LOOPBACK = "127.0.0.1"

# Rate for clients whose tests check other things than pacing: high enough
# that the pacer never sleeps, so the fake clock moves only when the test moves it.
UNPACED_RATE = 1e9


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch):
    """Keep the runner's proxy and GravityZone settings out of every test.

    A proxy variable would route the loopback test traffic elsewhere, and a
    GRAVITYZONE_* variable would fill in module options the test left unset.
    """
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("GRAVITYZONE_BASE_URL", "GRAVITYZONE_API_KEY", "GRAVITYZONE_VALIDATE_CERTS", "GRAVITYZONE_CA_PATH",
                 "GRAVITYZONE_TIMEOUT", "GRAVITYZONE_REQUEST_RETRIES"):
        monkeypatch.delenv(name, raising=False)


def _start_server(host=LOOPBACK, ssl_context=None):
    server = HTTPServer(host=host, port=0, ssl_context=ssl_context, threaded=True)
    server.start()
    return server


@pytest.fixture(scope="session")
def http_server():
    server = _start_server()
    yield server
    server.clear()
    server.stop()


@pytest.fixture(scope="session")
def ipv6_http_server():
    """A plain-HTTP server on ::1. Tests that use it are skipped where the host has no IPv6 loopback."""
    try:
        server = _start_server(host="::1")
    except OSError as exc:
        pytest.skip("no IPv6 loopback address: %s" % exc)
    yield server
    server.clear()
    server.stop()


@pytest.fixture(scope="session")
def test_ca():
    return trustme.CA()


@pytest.fixture(scope="session")
def https_server(test_ca):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    test_ca.issue_cert(LOOPBACK, "localhost").configure_cert(context)
    server = _start_server(ssl_context=context)
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def ca_file(test_ca, tmp_path):
    """Path of a PEM file with the CA that signed the HTTPS server's certificate."""
    path = tmp_path / "test-ca.pem"
    test_ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def other_ca_file(tmp_path):
    """Path of a PEM file with a CA that signed nothing the servers use."""
    path = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def clock(monkeypatch):
    """A FakeClock that also drives urllib3's Retry pauses and DeadlineRetry's deadline check.

    urllib3 sleeps with time.sleep of its retry module, and DeadlineRetry
    reads time.monotonic of the client module, so both module attributes
    point at the fake clock for the test.
    """
    fake = FakeClock()
    monkeypatch.setattr(urllib3.util.retry, "time", FakeTimeModule(fake, "retry"))
    monkeypatch.setattr(client_module, "time", FakeTimeModule(fake, "retry"))
    return fake


def install_api(server, clock, scheme="http", host=LOOPBACK):
    server.clear()
    api = ScriptedApi("%s://%s:%d/api" % (scheme, host, server.port), clock=clock)
    server.expect_request(re.compile(".*")).respond_with_handler(api.handle)
    return api


@pytest.fixture
def api(http_server, clock):
    """A ScriptedApi on the plain-HTTP loopback server, with its Access URL in api.base_url."""
    return install_api(http_server, clock)


@pytest.fixture
def tls_api(https_server, clock):
    """A ScriptedApi on the HTTPS loopback server, whose certificate test_ca signed."""
    return install_api(https_server, clock, scheme="https")


@pytest.fixture
def make_client(api, clock):
    """Return a factory of GravityZoneClients for api, on the fake clock, without pacing or Retry-After jitter."""
    def factory(base_url=None, api_key=API_KEY, **options):
        options.setdefault("rate", UNPACED_RATE)
        options.setdefault("retry_after_jitter", 0.0)
        options.setdefault("clock", clock.monotonic)
        options.setdefault("sleep", clock.sleeper("pacer"))
        access_url = client_module.normalise_base_url(base_url or api.base_url)
        return client_module.GravityZoneClient(access_url, api_key, **options)
    return factory
