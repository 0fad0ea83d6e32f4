# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Argument specs and client set-up shared by every module of the collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import env_fallback

from ansible_collections.bitdefender.gravityzone.plugins.module_utils.client import (
    DEFAULT_REQUEST_RETRIES,
    DEFAULT_TIMEOUT,
    ConnectionOptionError,
    GravityZoneClient,
    GravityZoneError,
    insecure_tls_warning,
    validate_connection_options,
)
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.reader import DEFAULT_WAIT_SLEEP, DEFAULT_WAIT_TIMEOUT

# The environment names carry no ANSIBLE_ prefix because AWX refuses to
# inject variables with that prefix from a custom credential type.
CONNECTION_ARGUMENT_SPEC = dict(
    base_url=dict(type="str", fallback=(env_fallback, ["GRAVITYZONE_BASE_URL"])),
    api_key=dict(type="str", no_log=True, fallback=(env_fallback, ["GRAVITYZONE_API_KEY"])),
    validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["GRAVITYZONE_VALIDATE_CERTS"])),
    ca_path=dict(type="path", fallback=(env_fallback, ["GRAVITYZONE_CA_PATH"])),
    timeout=dict(type="float", default=DEFAULT_TIMEOUT, fallback=(env_fallback, ["GRAVITYZONE_TIMEOUT"])),
    request_retries=dict(type="int", default=DEFAULT_REQUEST_RETRIES, fallback=(env_fallback, ["GRAVITYZONE_REQUEST_RETRIES"])),
)

WAIT_ARGUMENT_SPEC = dict(
    wait=dict(type="bool", default=False),
    wait_timeout=dict(type="float", default=DEFAULT_WAIT_TIMEOUT),
    wait_sleep=dict(type="float", default=DEFAULT_WAIT_SLEEP),
    wait_on_external_action=dict(type="bool", default=False),
)


def connection_options_from_module(module, failure_result=None):
    """Return the validated connection options of a module, or fail the task.

    failure_result contains the keys that the task returns when it fails here.
    fail_json runs after the except block: ansible-core 2.18 and older attach
    the active exception's traceback to the result at -vvv otherwise.
    """
    params = module.params
    problem = None
    try:
        options = validate_connection_options(
            params["base_url"], params["api_key"], validate_certs=params["validate_certs"], ca_path=params["ca_path"],
            timeout=params["timeout"], request_retries=params["request_retries"])
    except ConnectionOptionError as exc:
        problem = str(exc)
    if problem is not None:
        module.fail_json(msg=problem, **(failure_result or {}))
    if not options["validate_certs"]:
        module.warn(insecure_tls_warning(options["access_url"]))
    return options


def client_from_module(module, failure_result=None):
    """Return a GravityZoneClient for the module's connection options, or fail the task."""
    options = connection_options_from_module(module, failure_result)
    problem = None
    try:
        client = GravityZoneClient.from_options(options)
    except GravityZoneError as exc:
        problem = str(exc)
    if problem is not None:
        module.fail_json(msg=problem, **(failure_result or {}))
    return client
