#!/usr/bin/env python
"""Local HTTPS emulator of the GravityZone Incidents API (JSON-RPC 2.0) for tests, demos and benchmarks.

Run it as a script (see --help), or import it and use Emulator, which serves on a background thread.
It needs only the standard library and trustme, which makes the throwaway CA and server certificate.
README.md beside this file describes the keys, the admin API under /_emulator/ and the fault list.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import collections
import copy
import datetime
import hashlib
import ipaddress
import json
import logging
import math
import os
import secrets
import shutil
import signal
import socket
import socketserver
import ssl
import struct
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

LOGGER = logging.getLogger("gravityzone_emulator")

DEFAULT_SEED_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seed.json")
STATE_FILE_NAME = "emulator.json"
CA_FILE_NAME = "ca.pem"

API_PREFIX = "/api/v1.0/jsonrpc/"
ADMIN_PREFIX = "/_emulator/"

# Endpoint name in the URL path -> the enabled API area that a key needs to call it (None: any valid key).
ENDPOINT_AREAS = {"incidents": "Incidents", "general": None}

DEFAULT_CREATED_AT = "2024-03-05T10:11:12+00:00"
# userName and userId are the console user tied to a key, which createResponseAction reports as the user who
# requested the action. getApiKeyDetails returns only enabledApis and createdAt.
DEFAULT_KEYS = {
    "gz-demo-key-incidents": {"enabledApis": ["Incidents", "Network", "Companies"], "createdAt": DEFAULT_CREATED_AT,
                              "userName": "soc.analyst@example.com", "userId": "64b7d31ec9e1a30012f4b6e2"},
    "gz-demo-key-no-incidents": {"enabledApis": ["Network", "Companies"], "createdAt": DEFAULT_CREATED_AT,
                                 "userName": "it.admin@example.com", "userId": "64b7d3a4c9e1a30012f4b712"},
}

PROGRESS_MODES = ("per-read", "clock")
# Server certificates the emulator can present, for TLS failure tests. Only "valid" passes a client that trusts
# ca.pem: "expired" ended a day before the start, "wrong_host" names only WRONG_CERTIFICATE_HOST, and
# "self_signed" is signed by its own key, and ca.pem then contains that certificate itself.
CERTIFICATE_KINDS = ("valid", "expired", "wrong_host", "self_signed")
WRONG_CERTIFICATE_HOST = "gravityzone.invalid"
LOOPBACK_IDENTITIES = ("127.0.0.1", "::1", "localhost")
# Statuses after which an action no longer changes. 7 (external action needed) may still become 8.
FINAL_STATUSES = frozenset((4, 5, 6, 8))
# Action types whose result carries targetEmailId: 6 (delete one e-mail) and 11 (delete similar e-mails).
EMAIL_ACTION_TYPES = frozenset((6, 11))
SIMILAR_EMAILS_TYPE = 11

# Result fields that a definition may set at its top level, and the values used when it does not.
DEFAULT_RESULT_FIELDS = {
    "companyId": "64b7d2f0c9e1a30012f4b6d8",
    "userId": "64b7d31ec9e1a30012f4b6e2",
    "userName": "soc.analyst@example.com",
    "targetUserId": "64b7d35ac9e1a30012f4b6f0",
    "targetUserName": "jane.doe@example.com",
}
DEFAULT_TARGET_EMAIL_ID = "6912800c88df334ddbfb7f01"
OPTIONAL_RESULT_FIELDS = ("incidentId", "targetEmailId")
OUTCOME_KEYS = ("succeededIds", "failedRetriableIds", "failedPermanentIds", "errors")
ERROR_KEYS = ("errorId", "errorDescription")
DEFINITION_KEYS = frozenset(
    ("id", "type", "statuses", "progress", "step_seconds", "fields", "omit", "error", "outcome", "comment")
    + tuple(DEFAULT_RESULT_FIELDS) + OPTIONAL_RESULT_FIELDS
)

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
SERVER_ERROR = -32000

MAX_BODY_BYTES = 1024 * 1024
# A body over MAX_BODY_BYTES is read and dropped up to this size before the 413 reply. Closing a socket with
# unread data sends a TCP RST, which can destroy the 413 reply before the client reads it.
MAX_DISCARD_BYTES = 16 * 1024 * 1024
MAX_HUGE_BODY_MB = 256
STATS_LOG_LENGTH = 1000
# Pause between the partial body and the reset. It gives the client time to read the headers before the RST arrives.
RESET_AFTER_HEADERS_PAUSE_SECONDS = 0.05
# Maximum seconds that a restart fault or POST /_emulator/restart may keep the listener closed.
MAX_DOWN_SECONDS = 300

HTML_PAGE = """<html>
<head><title>{status} {reason}</title></head>
<body>
<center><h1>{status} {reason}</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def is_loopback_host(host):
    """Return True if host is "localhost" or a loopback IP address (127.0.0.0/8 or ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def mask_key(key):
    """Return the form of an API key that may appear in logs: its first 4 characters and "...".

    Keys of 8 characters or fewer are masked completely, so that the shown part is never most of the key.
    """
    if not key:
        return None
    if len(key) <= 8:
        return "..."
    return key[:4] + "..."


def format_generated_on(moment):
    """Format a UTC datetime like generatedOn in the vendor's example: no fraction and no zone."""
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def is_integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_valid_down_seconds(value):
    return is_number(value) and 0 < value <= MAX_DOWN_SECONDS


def html_page(status, reason):
    return HTML_PAGE.format(status=status, reason=reason).encode("utf-8")


def write_json_atomically(path, data):
    """Write data as JSON to a temporary file beside path and rename it, so that readers never see half a file."""
    directory = os.path.dirname(path) or "."
    handle, temp_path = tempfile.mkstemp(prefix=".emulator-", suffix=".json", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=2, sort_keys=True)
            stream.write("\n")
        os.replace(temp_path, path)
    except BaseException:
        if os.path.exists(temp_path):
            os.unlink(temp_path)
        raise


# ---------------------------------------------------------------------------
# JSON-RPC errors and parameter checks
# ---------------------------------------------------------------------------

class RpcError(Exception):
    """JSON-RPC error that the emulator sends in place of a result."""

    def __init__(self, code, message, details, http_status=200):
        super().__init__(details)
        self.code = code
        self.message = message
        self.details = details
        self.http_status = http_status

    def to_json(self):
        return {"code": self.code, "message": self.message, "data": {"details": self.details}}


def invalid_params(details):
    return RpcError(INVALID_PARAMS, "Invalid params", details)


TYPE_NAMES = {str: "a string", int: "an integer", dict: "an object", list: "an array", bool: "a boolean"}


def check_params(params, required, optional=None):
    """Raise an Invalid params error unless params has all required names, no others, and values of the given types.

    required and optional map each parameter name to its Python type. The error for an unexpected name uses
    the wording of the real API. The texts for missing names and wrong types are this emulator's own.
    """
    optional = optional or {}
    unexpected = [name for name in params if name not in required and name not in optional]
    if unexpected:
        raise invalid_params("One or more parameters are not expected: %s" % ", ".join(unexpected))

    for name in required:
        if name not in params:
            raise invalid_params('The parameter "%s" is required.' % name)

    expected_types = dict(optional)
    expected_types.update(required)
    for name, value in params.items():
        expected_type = expected_types[name]
        wrong_bool = isinstance(value, bool) and expected_type is not bool
        if wrong_bool or not isinstance(value, expected_type):
            raise invalid_params('The parameter "%s" must be %s.' % (name, TYPE_NAMES.get(expected_type, expected_type.__name__)))


def validate_envelope(envelope):
    """Raise an Invalid Request error (HTTP 400) unless envelope is a JSON-RPC 2.0 request object.

    "jsonrpc" may be the string "2.0" or, for tolerance, the number 2.0. "params" may be absent, and each
    method then decides whether it needs any. Batch requests (arrays) are not supported.
    """
    def reject(details):
        raise RpcError(INVALID_REQUEST, "Invalid Request", details, http_status=400)

    if not isinstance(envelope, dict):
        reject("The request must be a JSON object.")

    if "id" not in envelope:
        reject('The "id" member is missing.')
    request_id = envelope["id"]
    if not isinstance(request_id, str) and not is_number(request_id):
        reject('The "id" member must be a string or a number.')

    version = envelope.get("jsonrpc")
    if version != "2.0" and not (is_number(version) and version == 2.0):
        reject('The "jsonrpc" member must be "2.0".')

    if not isinstance(envelope.get("method"), str):
        reject('The "method" member must be a string.')

    if "params" in envelope and not isinstance(envelope["params"], dict):
        reject('The "params" member must be an object.')


def peek_request_fields(envelope):
    """Return the id, method and params.actionId of a parsed body as far as they are usable, else None each.

    Replies echo the id even when the request fails before its envelope is checked (401, 403, 429), and the
    stats need the method and the action ID.
    """
    if not isinstance(envelope, dict):
        return None, None, None
    request_id = envelope.get("id")
    if not isinstance(request_id, str) and not is_number(request_id):
        request_id = None
    method = envelope.get("method")
    if not isinstance(method, str):
        method = None
    params = envelope.get("params")
    action_id = params.get("actionId") if isinstance(params, dict) else None
    if not isinstance(action_id, str):
        action_id = None
    return request_id, method, action_id


# ---------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------

# Optional string fields of a key table entry, and the values used when an entry leaves them out.
KEY_FIELD_DEFAULTS = {
    "createdAt": DEFAULT_CREATED_AT,
    "userName": DEFAULT_RESULT_FIELDS["userName"],
    "userId": DEFAULT_RESULT_FIELDS["userId"],
}


def normalize_keys(keys):
    """Return a key table {key: {"enabledApis": [...], "createdAt": str, "userName": str, "userId": str}} built from keys.

    Each value of keys is either a list of enabled API areas or an object with "enabledApis" and the optional
    strings "createdAt", "userName" and "userId". Missing ones get the defaults. Raise ValueError on anything
    else. The error message shows keys masked only.
    """
    if not isinstance(keys, dict) or not keys:
        raise ValueError("The key table must be a non-empty JSON object that maps each API key to its enabled API areas.")

    table = {}
    for position, (key, value) in enumerate(keys.items(), start=1):
        if not isinstance(key, str) or not key:
            raise ValueError("Key number %d of the key table is empty." % position)
        if isinstance(value, list):
            value = {"enabledApis": value}
        if not isinstance(value, dict):
            raise ValueError("Key number %d (%s): the value must be a list of API areas or an object with enabledApis." % (position, mask_key(key)))
        enabled = value.get("enabledApis")
        if not isinstance(enabled, list) or not all(isinstance(area, str) for area in enabled):
            raise ValueError("Key number %d (%s): enabledApis must be a list of strings." % (position, mask_key(key)))
        details = {"enabledApis": list(enabled)}
        for name, default in KEY_FIELD_DEFAULTS.items():
            details[name] = value.get(name, default)
            if not isinstance(details[name], str):
                raise ValueError("Key number %d (%s): %s must be a string." % (position, mask_key(key), name))
        table[key] = details
    return table


def load_json_file(path, description):
    """Read a JSON file and return its content. Raise ValueError naming the file and its description."""
    try:
        with open(path, encoding="utf-8") as stream:
            return json.load(stream)
    except OSError as error:
        raise ValueError("Cannot read the %s %s: %s" % (description, path, error.strerror or error)) from error
    except ValueError as error:
        raise ValueError("The %s %s is not valid JSON: %s" % (description, path, error)) from error


def parse_basic_auth(header):
    """Return the user name (the API key) of an HTTP Basic Authorization header, or None if it is missing or malformed.

    The password is ignored: clients send the key as the user name with an empty password.
    """
    if not header:
        return None
    scheme, _space, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, separator, _password = decoded.partition(":")
    if not separator or not user:
        return None
    return user


# ---------------------------------------------------------------------------
# Response actions
# ---------------------------------------------------------------------------

def parse_action_definition(raw, default_progress, default_step_seconds):
    """Validate one action definition and return a normalized deep copy with progress and step_seconds filled in.

    Raise ValueError naming the action and the field. Unknown keys are rejected so that typos show up.
    """
    if not isinstance(raw, dict):
        raise ValueError("Each action definition must be a JSON object.")
    action_id = raw.get("id")
    if not isinstance(action_id, str) or not action_id:
        raise ValueError('Each action definition needs a non-empty string "id".')

    def reject(details):
        raise ValueError('Action "%s": %s' % (action_id, details))

    unknown = sorted(set(raw) - DEFINITION_KEYS)
    if unknown:
        reject("unknown keys %s. The allowed keys are %s." % (", ".join(unknown), ", ".join(sorted(DEFINITION_KEYS))))
    if not is_integer(raw.get("type")):
        reject('"type" must be an integer.')
    return normalize_definition(raw, default_progress, default_step_seconds, reject)


def normalize_definition(raw, default_progress, default_step_seconds, reject):
    """Check the statuses, progress, result fields, error and outcome of a definition or create plan.

    Return a deep copy without "comment" and with progress and step_seconds filled in. reject(details) raises.
    """
    statuses = raw.get("statuses")
    if not isinstance(statuses, list) or not statuses or not all(is_integer(status) for status in statuses):
        reject('"statuses" must be a non-empty list of integers.')

    definition = copy.deepcopy(raw)
    definition.pop("comment", None)
    definition.setdefault("progress", default_progress)
    definition.setdefault("step_seconds", default_step_seconds)
    if definition["progress"] not in PROGRESS_MODES:
        reject('"progress" must be one of %s.' % ", ".join(PROGRESS_MODES))
    if not is_number(definition["step_seconds"]) or definition["step_seconds"] <= 0:
        reject('"step_seconds" must be a number greater than 0.')

    for name in tuple(DEFAULT_RESULT_FIELDS) + OPTIONAL_RESULT_FIELDS:
        if name in definition and not isinstance(definition[name], str):
            reject('"%s" must be a string. Use "fields" to send another type.' % name)
    if not isinstance(definition.get("fields", {}), dict):
        reject('"fields" must be an object.')
    omit = definition.get("omit", [])
    if not isinstance(omit, list) or not all(isinstance(name, str) for name in omit):
        reject('"omit" must be a list of field names.')

    error = definition.get("error", {})
    if not isinstance(error, dict) or set(error) - set(ERROR_KEYS):
        reject('"error" must be an object with errorId and errorDescription.')
    outcome = definition.get("outcome", {})
    if not isinstance(outcome, dict) or set(outcome) - set(OUTCOME_KEYS):
        reject('"outcome" must be an object with only %s.' % ", ".join(OUTCOME_KEYS))
    return definition


def build_action_result(definition, status_index, generated_on):
    """Build the getResponseActionStatus result of an action whose status is statuses[status_index].

    errorId and errorDescription come from "error" when the status is final (4, 5, 6 or 8). A type 11 action
    carries "outcome" once it is at its last status. "fields" is merged last and "omit" removes fields.
    """
    statuses = definition["statuses"]
    status = statuses[status_index]
    action_type = definition["type"]

    result = {"type": action_type, "generatedOn": generated_on, "status": status}
    for name, default in DEFAULT_RESULT_FIELDS.items():
        result[name] = definition.get(name, default)
    if "incidentId" in definition:
        result["incidentId"] = definition["incidentId"]
    if "targetEmailId" in definition or action_type in EMAIL_ACTION_TYPES:
        result["targetEmailId"] = definition.get("targetEmailId", DEFAULT_TARGET_EMAIL_ID)

    if "error" in definition and status in FINAL_STATUSES:
        result.update(definition["error"])

    if action_type == SIMILAR_EMAILS_TYPE and status_index == len(statuses) - 1:
        outcome = {name: [] for name in OUTCOME_KEYS}
        outcome.update(definition.get("outcome", {}))
        result["outcome"] = copy.deepcopy(outcome)

    result.update(copy.deepcopy(definition.get("fields", {})))
    for name in definition.get("omit", []):
        result.pop(name, None)
    return result


class ActionState:
    """A stored action definition with its read count, creation time and, for a created action, the create params."""

    def __init__(self, definition, created_monotonic, created_utc, create_params=None):
        self.definition = definition
        self.reads = 0
        self.created_monotonic = created_monotonic
        self.created_utc = created_utc
        self.create_params = create_params

    def status_index(self, reads, now):
        """Return the index into statuses for a read that follows `reads` earlier reads at monotonic time now."""
        last = len(self.definition["statuses"]) - 1
        if self.definition["progress"] == "per-read":
            return min(reads, last)
        elapsed = max(0.0, now - self.created_monotonic)
        return min(int(elapsed / self.definition["step_seconds"]), last)


class ActionStore:
    """Thread-safe table of response actions, keyed by action ID."""

    def __init__(self):
        self._lock = threading.Lock()
        self._actions = {}

    def put(self, definitions, created_monotonic=None):
        """Add or replace parsed definitions. Each starts again with no reads and its clock at created_monotonic."""
        created_monotonic = time.monotonic() if created_monotonic is None else created_monotonic
        created_utc = datetime.datetime.now(datetime.timezone.utc)
        with self._lock:
            for definition in definitions:
                self._actions[definition["id"]] = ActionState(definition, created_monotonic, created_utc)

    def clear(self):
        with self._lock:
            self._actions.clear()

    def restart_clocks(self):
        """Set the creation time of every stored action to now, for clock progress and generatedOn."""
        created_monotonic = time.monotonic()
        created_utc = datetime.datetime.now(datetime.timezone.utc)
        with self._lock:
            for state in self._actions.values():
                state.created_monotonic = created_monotonic
                state.created_utc = created_utc

    def add_created(self, definition, create_params):
        """Store a definition without "id" under a new unique action ID and return that ID.

        The ID has 24 hexadecimal characters like the real API's: the Unix time in 8 characters, then 16 random ones.
        """
        created_monotonic = time.monotonic()
        created_utc = datetime.datetime.now(datetime.timezone.utc)
        with self._lock:
            while True:
                action_id = "%08x%s" % (int(time.time()) & 0xFFFFFFFF, secrets.token_hex(8))
                if action_id not in self._actions:
                    break
            definition["id"] = action_id
            self._actions[action_id] = ActionState(definition, created_monotonic, created_utc, copy.deepcopy(create_params))
        return action_id

    def ids(self):
        with self._lock:
            return sorted(self._actions)

    def read(self, action_id):
        """Count one status read of the action and return its result, or None if the ID is unknown."""
        now = time.monotonic()
        with self._lock:
            state = self._actions.get(action_id)
            if state is None:
                return None
            index = state.status_index(state.reads, now)
            state.reads += 1
            definition = state.definition
            created_utc = state.created_utc
        return build_action_result(definition, index, format_generated_on(created_utc))

    def describe(self, action_id):
        """Return the definition with "reads" and "status", or None if the ID is unknown.

        An action made by createResponseAction also has "createParams", the params of that call.

        In per-read mode "status" is the status that the last read returned (the first status before any
        read). In clock mode it is the status that a read would return now.
        """
        now = time.monotonic()
        with self._lock:
            state = self._actions.get(action_id)
            if state is None:
                return None
            reads = state.reads
            if state.definition["progress"] == "per-read":
                index = state.status_index(max(reads - 1, 0), now)
            else:
                index = state.status_index(reads, now)
            description = copy.deepcopy(state.definition)
            create_params = copy.deepcopy(state.create_params)
        if create_params is not None:
            description["createParams"] = create_params
        description["reads"] = reads
        description["status"] = description["statuses"][index]
        return description


def load_seed_file(path, default_progress, default_step_seconds):
    """Read and validate the seed file and return (action definitions, similar e-mail sets by reference e-mail ID).

    The file is {"actions": [definition, ...], "similar_emails": {emailId: set, ...}}, with "similar_emails"
    optional, or a bare list of definitions.
    """
    content = load_json_file(path, "seed file")
    actions = content.get("actions") if isinstance(content, dict) else content
    if not isinstance(actions, list):
        raise ValueError('The seed file %s must contain {"actions": [...]}.' % path)
    similar_emails = content.get("similar_emails", {}) if isinstance(content, dict) else {}
    if not isinstance(similar_emails, dict):
        raise ValueError('Invalid seed file %s: "similar_emails" must map each reference e-mail ID to its similar e-mails.' % path)
    try:
        definitions = [parse_action_definition(raw, default_progress, default_step_seconds) for raw in actions]
        email_sets = {reference_id: parse_similar_email_set(reference_id, raw) for reference_id, raw in similar_emails.items()}
    except ValueError as error:
        raise ValueError("Invalid seed file %s: %s" % (path, error)) from error
    return definitions, email_sets


# ---------------------------------------------------------------------------
# createResponseAction: parameter rules and create plans
# ---------------------------------------------------------------------------

CREATE_ACTION_TYPES = (1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12)
DELETE_EMAIL_TYPE = 6
DELETE_FILE_TYPE = 10
# createResponseAction parameter -> the Python types of the JSON values that it accepts.
CREATE_PARAM_TYPES = {
    "actionType": (int,),
    "username": (str,),
    "emailId": (str,),
    "incidentId": (str,),
    "integrationIdentifiers": (dict,),
    "targets": (list, dict),
    "fileUrl": (str,),
}
# Parameters that only one action type accepts.
SINGLE_TYPE_PARAMS = {"targets": SIMILAR_EMAILS_TYPE, "fileUrl": DELETE_FILE_TYPE}
# (parameter, action types that require it, condition on incidentId): True means only when incidentId is sent,
# False only when it is not sent, None always.
CREATE_REQUIRED_PARAMS = (
    ("username", frozenset((1, 2, 3, 4, 5, 8, 9, 12)), None),
    ("username", frozenset((DELETE_EMAIL_TYPE,)), False),
    ("emailId", frozenset((DELETE_EMAIL_TYPE,)), None),
    ("emailId", frozenset((SIMILAR_EMAILS_TYPE,)), True),
    ("targets", frozenset((SIMILAR_EMAILS_TYPE,)), None),
    ("fileUrl", frozenset((DELETE_FILE_TYPE,)), None),
)
INCIDENT_CONDITION_TEXTS = {None: "", True: ' when "incidentId" is sent', False: ' when "incidentId" is not sent'}

DEFAULT_CREATE_STATUSES = (0, 1, 3, 4)
# Keys of an object in a type 11 "targets" list that may contain the e-mail ID, in the order tried.
# NOTE: the vendor does not publish these names. "emailId" matches the create parameter and "_id" the
# e-mails that getSimilarEmails returns.
TARGET_EMAIL_ID_KEYS = ("emailId", "_id")

PLAN_DEFINITION_KEYS = ("statuses", "progress", "step_seconds", "fields", "omit", "error", "outcome")
PLAN_KEYS = frozenset(PLAN_DEFINITION_KEYS + ("match", "times", "comment"))


def describe_json_type(value):
    """Return the JSON type of a parsed value in words, for error texts: "null", "a string", "an array" and so on."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, float):
        return "a number"
    return TYPE_NAMES.get(type(value), type(value).__name__)


def check_create_params(params):
    """Raise an Invalid params error unless params follow the createResponseAction rules. Return the action type.

    The text for an unexpected name is the real API's. The other texts are this emulator's own, and each names
    the parameter and, once actionType is valid, the action type. A parameter sent as null has the wrong type.
    """
    unexpected = [name for name in params if name not in CREATE_PARAM_TYPES]
    if unexpected:
        raise invalid_params("One or more parameters are not expected: %s" % ", ".join(unexpected))

    if "actionType" not in params:
        raise invalid_params('The parameter "actionType" is required.')
    action_type = params["actionType"]
    if not is_integer(action_type):
        raise invalid_params('The parameter "actionType" must be an integer, not %s.' % describe_json_type(action_type))
    if action_type not in CREATE_ACTION_TYPES:
        allowed = ", ".join(str(value) for value in CREATE_ACTION_TYPES)
        raise invalid_params('The parameter "actionType" must be one of %s, not %d.' % (allowed, action_type))

    for name, value in params.items():
        expected_types = CREATE_PARAM_TYPES[name]
        if isinstance(value, bool) or not isinstance(value, expected_types):
            expected_text = " or ".join(TYPE_NAMES[expected] for expected in expected_types)
            raise invalid_params('The parameter "%s" must be %s for actionType %d, not %s.' % (name, expected_text, action_type, describe_json_type(value)))

    for name, only_type in SINGLE_TYPE_PARAMS.items():
        if name in params and action_type != only_type:
            raise invalid_params('The parameter "%s" is accepted only for actionType %d, not for actionType %d.' % (name, only_type, action_type))

    has_incident = "incidentId" in params
    if has_incident and "integrationIdentifiers" in params:
        raise invalid_params('Send either "incidentId" or "integrationIdentifiers" for actionType %d, not both.' % action_type)
    if not has_incident and "integrationIdentifiers" not in params:
        raise invalid_params('One of the parameters "incidentId" and "integrationIdentifiers" is required for actionType %d.' % action_type)

    for name, action_types, incident_condition in CREATE_REQUIRED_PARAMS:
        applies = action_type in action_types and incident_condition in (None, has_incident)
        if applies and name not in params:
            raise invalid_params('The parameter "%s" is required for actionType %d%s.' % (name, action_type, INCIDENT_CONDITION_TEXTS[incident_condition]))
    return action_type


def default_similar_emails_outcome(targets):
    """Return the type 11 outcome used when no create plan sets one: every e-mail ID listed in targets succeeded.

    targets counts only when it is a list of objects with an e-mail ID (TARGET_EMAIL_ID_KEYS). Otherwise, for
    example with a similarity hash object, succeededIds is empty.
    """
    succeeded = []
    if isinstance(targets, list):
        for target in targets:
            if not isinstance(target, dict):
                continue
            for key in TARGET_EMAIL_ID_KEYS:
                if isinstance(target.get(key), str):
                    succeeded.append(target[key])
                    break
    return {"succeededIds": succeeded, "failedRetriableIds": [], "failedPermanentIds": [], "errors": []}


def build_created_definition(params, action_type, key_details, planned):
    """Build the action definition, without "id", of a createResponseAction call.

    The result fields come from the params and from the console user tied to the calling key. planned is the
    normalized definition part of the create plan, or of the default plan, and sets statuses, progress, error,
    outcome, fields and omit.
    """
    definition = {"type": action_type, "userName": key_details["userName"], "userId": key_details["userId"]}
    if "username" in params:
        definition["targetUserName"] = params["username"]
    if "incidentId" in params:
        definition["incidentId"] = params["incidentId"]
    if "emailId" in params:
        definition["targetEmailId"] = params["emailId"]
    definition.update(copy.deepcopy(planned))
    if action_type == SIMILAR_EMAILS_TYPE and "outcome" not in planned:
        definition["outcome"] = default_similar_emails_outcome(params.get("targets"))
    return definition


def parse_create_plan(raw, position, default_progress, default_step_seconds):
    """Validate one create plan and return a CreatePlan. Raise ValueError naming the plan by position and the field."""
    def reject(details):
        raise ValueError("Create plan number %d: %s" % (position, details))

    if not isinstance(raw, dict):
        reject("each plan must be a JSON object.")
    unknown = sorted(set(raw) - PLAN_KEYS)
    if unknown:
        reject("unknown keys %s. The allowed keys are %s." % (", ".join(unknown), ", ".join(sorted(PLAN_KEYS))))
    match = raw.get("match", {})
    if not isinstance(match, dict):
        reject('"match" must be an object of createResponseAction params.')
    unknown_params = sorted(set(match) - set(CREATE_PARAM_TYPES))
    if unknown_params:
        reject('"match" names %s, which are not createResponseAction params. Use %s.' % (", ".join(unknown_params), ", ".join(CREATE_PARAM_TYPES)))
    times = raw.get("times")
    if times is not None and (not is_integer(times) or times < 0):
        reject('"times" must be an integer of 0 or more.')

    definition_part = {name: raw[name] for name in PLAN_DEFINITION_KEYS if name in raw}
    definition_part.setdefault("statuses", list(DEFAULT_CREATE_STATUSES))
    planned = normalize_definition(definition_part, default_progress, default_step_seconds, reject)
    return CreatePlan(copy.deepcopy(raw), planned)


class CreatePlan:
    """A parsed create plan: which createResponseAction calls it matches, how often, and the action it makes."""

    def __init__(self, raw, planned):
        self.raw = raw
        self.match = raw.get("match", {})
        self.times = raw.get("times")
        self.planned = planned
        self.used = 0

    def matches(self, params):
        return all(name in params and params[name] == value for name, value in self.match.items())

    def is_spent(self):
        return self.times is not None and self.used >= self.times

    def describe(self):
        description = copy.deepcopy(self.raw)
        description["used"] = self.used
        return description


class CreatePlanList:
    """Thread-safe ordered list of create plans. The first plan that matches a call and is not spent applies."""

    def __init__(self):
        self._lock = threading.Lock()
        self._plans = []

    def replace(self, plans):
        with self._lock:
            self._plans = list(plans)

    def clear(self):
        self.replace([])

    def describe(self):
        with self._lock:
            return [plan.describe() for plan in self._plans]

    def take(self, params):
        """Count one use of the first plan that matches params and is not spent, and return a copy of its definition part.

        Return None when no plan applies.
        """
        with self._lock:
            for plan in self._plans:
                if plan.matches(params) and not plan.is_spent():
                    plan.used += 1
                    return copy.deepcopy(plan.planned)
        return None


# ---------------------------------------------------------------------------
# Similar e-mails
# ---------------------------------------------------------------------------

SIMILAR_EMAIL_SET_KEYS = frozenset(("count", "similarityHash", "userEmails", "companyId", "subject", "comment"))
MAX_SIMILAR_EMAILS = 1000000
DEFAULT_SIMILAR_EMAILS_PER_PAGE = 30
MAX_SIMILAR_EMAILS_PER_PAGE = 1000
DEFAULT_SIMILAR_EMAIL_USERS = ("jane.doe@example.com",)
DEFAULT_SIMILAR_EMAIL_SUBJECT = "Action required: confirm your mailbox password"
# receivedAt of the first similar e-mail. Each next one is received a minute later.
SIMILAR_EMAILS_FIRST_RECEIVED = datetime.datetime(2025, 11, 10, 8, 0, 0, tzinfo=datetime.timezone.utc)


def parse_similar_email_set(reference_id, raw):
    """Validate the description of the e-mails similar to reference_id and return it with the defaults filled in.

    Raise ValueError naming the reference e-mail ID and the field.
    """
    def reject(details):
        raise ValueError('Similar e-mails of "%s": %s' % (reference_id, details))

    if not isinstance(reference_id, str) or not reference_id:
        raise ValueError("Each reference e-mail ID of similar e-mails must be a non-empty string.")
    if not isinstance(raw, dict):
        reject("the description must be a JSON object.")
    unknown = sorted(set(raw) - SIMILAR_EMAIL_SET_KEYS)
    if unknown:
        reject("unknown keys %s. The allowed keys are %s." % (", ".join(unknown), ", ".join(sorted(SIMILAR_EMAIL_SET_KEYS))))
    count = raw.get("count")
    if not is_integer(count) or not 0 <= count <= MAX_SIMILAR_EMAILS:
        reject('"count" must be an integer from 0 to %d.' % MAX_SIMILAR_EMAILS)
    user_emails = raw.get("userEmails", list(DEFAULT_SIMILAR_EMAIL_USERS))
    if not isinstance(user_emails, list) or not user_emails or not all(isinstance(address, str) for address in user_emails):
        reject('"userEmails" must be a non-empty list of strings.')
    for name in ("similarityHash", "companyId", "subject"):
        if name in raw and not isinstance(raw[name], str):
            reject('"%s" must be a string.' % name)
    return {
        "count": count,
        "similarityHash": raw.get("similarityHash", hashlib.sha256(reference_id.encode("utf-8")).hexdigest()[:32]),
        "userEmails": list(user_emails),
        "companyId": raw.get("companyId", DEFAULT_RESULT_FIELDS["companyId"]),
        "subject": raw.get("subject", DEFAULT_SIMILAR_EMAIL_SUBJECT),
    }


def build_similar_email(reference_id, email_set, index):
    """Build the index-th (from 0) e-mail similar to reference_id. The same arguments always give the same e-mail.

    NOTE: the vendor publishes only _id, companyId and similarityHash. userEmail, subject and receivedAt are
    guessed names for plausible extra fields.
    """
    digest = hashlib.sha256(("%s:%d" % (reference_id, index)).encode("utf-8")).hexdigest()
    received_at = SIMILAR_EMAILS_FIRST_RECEIVED + datetime.timedelta(minutes=index)
    user_emails = email_set["userEmails"]
    return {
        "_id": digest[:24],
        "companyId": email_set["companyId"],
        "similarityHash": email_set["similarityHash"],
        "userEmail": user_emails[index % len(user_emails)],
        "subject": email_set["subject"],
        "receivedAt": received_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }


class SimilarEmailStore:
    """Thread-safe table of similar e-mail sets, keyed by reference e-mail ID. E-mails are built when a page is read."""

    def __init__(self):
        self._lock = threading.Lock()
        self._sets = {}

    def replace_all(self, email_sets):
        with self._lock:
            self._sets = copy.deepcopy(email_sets)

    def put(self, reference_id, email_set):
        with self._lock:
            self._sets[reference_id] = copy.deepcopy(email_set)

    def describe(self):
        with self._lock:
            return copy.deepcopy(self._sets)

    def page(self, reference_id, page, per_page):
        """Return the e-mails on page `page` (from 1) of per_page e-mails each, and the total. An unknown ID has none."""
        with self._lock:
            email_set = copy.deepcopy(self._sets.get(reference_id))
        if email_set is None:
            return [], 0
        first = (page - 1) * per_page
        last = min(first + per_page, email_set["count"])
        return [build_similar_email(reference_id, email_set, index) for index in range(first, last)], email_set["count"]


# ---------------------------------------------------------------------------
# Rate limit
# ---------------------------------------------------------------------------

class RateLimiter:
    """Token bucket per API key: `rate` requests per second with a burst of `burst`. A rate of 0 disables it."""

    def __init__(self, rate, burst):
        self.rate = rate
        self.burst = burst
        self._lock = threading.Lock()
        self._buckets = {}

    def acquire(self, key):
        """Take one token from the key's bucket. Return 0 if the request may go on, else the seconds to wait."""
        if self.rate <= 0:
            return 0
        now = time.monotonic()
        with self._lock:
            tokens, updated = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - updated) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0
            self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / self.rate

    def reset(self):
        with self._lock:
            self._buckets.clear()


# ---------------------------------------------------------------------------
# Faults
# ---------------------------------------------------------------------------

# Fault name -> the parameters it accepts besides the common rule keys.
FAULT_PARAMETERS = {
    "delay": ("seconds",),
    "reset": (),
    "reset_after_headers": (),
    "http_status": ("status", "body", "content_type", "retry_after"),
    "html": ("status",),
    "empty": ("status",),
    "truncated_json": (),
    "wrong_content_type": (),
    "wrong_id": (),
    "no_result": (),
    "rpc_error": ("code", "message", "details", "status"),
    "huge_body": ("size_mb",),
    "restart": ("down_seconds",),
}
# Faults that run the method first and then delay, damage or cut its normal reply. The others reply in its
# place, so the method does not run: no status read is counted and no action is created.
FAULTS_RUNNING_METHOD = frozenset(("delay", "reset_after_headers", "truncated_json", "wrong_content_type", "wrong_id", "huge_body"))
RULE_KEYS = frozenset(("fault", "method", "action_id", "times", "skip", "comment"))


def parse_fault_rule(raw):
    """Validate one fault rule and return a normalized copy. Raise ValueError naming the rule and the field."""
    if not isinstance(raw, dict):
        raise ValueError("Each fault rule must be a JSON object.")
    name = raw.get("fault")
    if name not in FAULT_PARAMETERS:
        raise ValueError('Unknown fault %s. Use one of %s.' % (json.dumps(name), ", ".join(sorted(FAULT_PARAMETERS))))

    def reject(details):
        raise ValueError('Fault rule "%s": %s' % (name, details))

    unknown = sorted(set(raw) - RULE_KEYS - set(FAULT_PARAMETERS[name]))
    if unknown:
        reject("unknown keys %s. This fault accepts %s." % (", ".join(unknown), ", ".join(sorted(RULE_KEYS | set(FAULT_PARAMETERS[name])))))
    for key in ("method", "action_id"):
        if key in raw and not isinstance(raw[key], str):
            reject('"%s" must be a string.' % key)
    for key in ("times", "skip"):
        if key in raw and (not is_integer(raw[key]) or raw[key] < 0):
            reject('"%s" must be an integer of 0 or more.' % key)

    if "status" in raw and (not is_integer(raw["status"]) or not 100 <= raw["status"] <= 599):
        reject('"status" must be an HTTP status code from 100 to 599.')
    if name == "http_status" and "status" not in raw:
        reject('"status" is required.')
    if "seconds" in raw and (not is_number(raw["seconds"]) or raw["seconds"] < 0):
        reject('"seconds" must be a number of 0 or more.')
    if name == "delay" and "seconds" not in raw:
        reject('"seconds" is required.')
    if name == "restart" and "down_seconds" not in raw:
        reject('"down_seconds" is required.')
    if "down_seconds" in raw and not is_valid_down_seconds(raw["down_seconds"]):
        reject('"down_seconds" must be a number greater than 0 and at most %d.' % MAX_DOWN_SECONDS)
    if "size_mb" in raw and (not is_number(raw["size_mb"]) or not 0 < raw["size_mb"] <= MAX_HUGE_BODY_MB):
        reject('"size_mb" must be a number greater than 0 and at most %d.' % MAX_HUGE_BODY_MB)
    if "retry_after" in raw and not (isinstance(raw["retry_after"], str) or (is_integer(raw["retry_after"]) and raw["retry_after"] >= 0)):
        reject('"retry_after" must be an integer of 0 or more, or a string.')
    if "code" in raw and not is_integer(raw["code"]):
        reject('"code" must be an integer.')
    for key in ("content_type", "message", "details"):
        if key in raw and not isinstance(raw[key], str):
            reject('"%s" must be a string.' % key)
    return dict(raw)


class FaultRule:
    """A parsed fault rule with its counts of skipped and faulted requests."""

    def __init__(self, params):
        self.params = params
        self.name = params["fault"]
        self.skipped = 0
        self.applied = 0

    def matches(self, method, action_id):
        if "method" in self.params and self.params["method"] != method:
            return False
        if "action_id" in self.params and self.params["action_id"] != action_id:
            return False
        return True

    def is_spent(self):
        return "times" in self.params and self.applied >= self.params["times"]

    def describe(self):
        description = dict(self.params)
        description["skipped"] = self.skipped
        description["applied"] = self.applied
        return description


class FaultList:
    """Thread-safe ordered list of fault rules. The first rule that matches a request and is not spent applies."""

    def __init__(self):
        self._lock = threading.Lock()
        self._rules = []

    def replace(self, rules):
        with self._lock:
            self._rules = [FaultRule(params) for params in rules]

    def clear(self):
        self.replace([])

    def describe(self):
        with self._lock:
            return [rule.describe() for rule in self._rules]

    def take(self, method, action_id):
        """Return the parameters of the fault to apply to a request, or None.

        A matching rule with "skip" left lets the request through to the later rules and counts it as skipped.
        """
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, action_id) or rule.is_spent():
                    continue
                if rule.skipped < rule.params.get("skip", 0):
                    rule.skipped += 1
                    continue
                rule.applied += 1
                return rule.params
        return None


# ---------------------------------------------------------------------------
# Stats
# ---------------------------------------------------------------------------

class Stats:
    """Counts of API requests since the start or the last reset. Admin requests are not counted."""

    def __init__(self):
        self._lock = threading.Lock()
        self._reset_counts()

    def _reset_counts(self):
        self.requests = 0
        self.by_method = collections.Counter()
        self.by_http_status = collections.Counter()
        self.by_action = collections.Counter()
        self.throttled = 0
        self.faults_applied = 0
        self.creates = 0
        self.tls_handshake_failures = 0
        self.listener_restarts = 0
        self.log = collections.deque(maxlen=STATS_LOG_LENGTH)

    def reset(self):
        with self._lock:
            self._reset_counts()

    def record(self, record):
        """Count one API request, described by a RequestRecord, once its reply is ready to send."""
        http_status = "reset" if record.http_status is None else str(record.http_status)
        with self._lock:
            self.requests += 1
            if record.method is not None:
                self.by_method[record.method] += 1
            self.by_http_status[http_status] += 1
            if record.read_action_id is not None:
                self.by_action[record.read_action_id] += 1
            if record.throttled:
                self.throttled += 1
            if record.fault is not None:
                self.faults_applied += 1
            if record.created_id is not None:
                self.creates += 1
            self.log.append({
                "t": time.monotonic(),
                "method": record.method,
                "action_id": record.action_id,
                "http_status": record.http_status,
                "key": record.key_mask,
                "created_id": record.created_id,
            })

    def count_listener_restart(self):
        with self._lock:
            self.listener_restarts += 1

    def count_tls_handshake_failure(self):
        with self._lock:
            self.tls_handshake_failures += 1
            return self.tls_handshake_failures

    def snapshot(self):
        with self._lock:
            return {
                "requests": self.requests,
                "by_method": dict(self.by_method),
                "by_http_status": dict(self.by_http_status),
                "by_action": dict(self.by_action),
                "throttled": self.throttled,
                "faults_applied": self.faults_applied,
                "creates": self.creates,
                "tls_handshake_failures": self.tls_handshake_failures,
                "listener_restarts": self.listener_restarts,
                "log": list(self.log),
            }


class RequestRecord:
    """What the stats and the log keep of one API request.

    http_status None means the connection was reset. created_id is the ID of the action that a
    createResponseAction call made, else None.
    """

    def __init__(self):
        self.method = None
        self.action_id = None
        self.read_action_id = None
        self.created_id = None
        self.http_status = None
        self.key_mask = None
        self.throttled = False
        self.fault = None


# ---------------------------------------------------------------------------
# JSON-RPC methods
# ---------------------------------------------------------------------------

class MethodCall:
    """One JSON-RPC call passed to a method handler: the emulator, the calling key's details, the params and the stats record."""

    def __init__(self, emulator, key_details, params, record):
        self.emulator = emulator
        self.key_details = key_details
        self.params = params
        self.record = record


def get_response_action_status(call):
    """Return the status and result of a response action: params exactly {"actionId": string}."""
    check_params(call.params, {"actionId": str})
    action_id = call.params["actionId"]
    result = call.emulator.actions.read(action_id)
    if result is None:
        # NOTE: the real API's text for an unknown ID is not published, so this wording is a guess.
        raise invalid_params('The response action with ID "%s" was not found.' % action_id)
    call.record.read_action_id = action_id
    return result


def get_api_key_details(call):
    """Return the enabled API areas and creation time of the calling key. It takes no params."""
    check_params(call.params, {})
    return {"enabledApis": list(call.key_details["enabledApis"]), "createdAt": call.key_details["createdAt"]}


def create_response_action(call):
    """Create a response action from the params and return its new ID.

    The first create plan that matches the params and is not spent sets the statuses, error and outcome. Without
    one, the action goes through DEFAULT_CREATE_STATUSES with the server's progress mode.
    """
    action_type = check_create_params(call.params)
    emulator = call.emulator
    planned = emulator.create_plans.take(call.params)
    if planned is None:
        planned = copy.deepcopy(emulator.default_create_plan.planned)
    definition = build_created_definition(call.params, action_type, call.key_details, planned)
    action_id = emulator.actions.add_created(definition, call.params)
    call.record.created_id = action_id
    LOGGER.info("Created action %s of type %d for key %s", action_id, action_type, call.record.key_mask)
    return action_id


def get_similar_emails(call):
    """Return one page of the e-mails similar to params.emailId, with the total. An unknown emailId has none."""
    check_params(call.params, {"emailId": str}, {"page": int, "perPage": int})
    page = call.params.get("page", 1)
    per_page = call.params.get("perPage", DEFAULT_SIMILAR_EMAILS_PER_PAGE)
    if page < 1:
        raise invalid_params('The parameter "page" must be 1 or more, not %d.' % page)
    if not 1 <= per_page <= MAX_SIMILAR_EMAILS_PER_PAGE:
        raise invalid_params('The parameter "perPage" must be from 1 to %d, not %d.' % (MAX_SIMILAR_EMAILS_PER_PAGE, per_page))
    emails, total = call.emulator.similar_emails.page(call.params["emailId"], page, per_page)
    return {"success": True, "emails": emails, "total": total}


# (endpoint name, method name) -> handler(MethodCall) returning the result or raising RpcError.
METHODS = {
    ("incidents", "getResponseActionStatus"): get_response_action_status,
    ("incidents", "createResponseAction"): create_response_action,
    ("incidents", "getSimilarEmails"): get_similar_emails,
    ("general", "getApiKeyDetails"): get_api_key_details,
}


# ---------------------------------------------------------------------------
# Replies
# ---------------------------------------------------------------------------

class Reply:
    """An HTTP reply for the request handler to send.

    disconnect is None for a normal reply, "reset" to reset the connection without a reply, or
    "reset_after_headers" to send the headers and half the body and then reset. delay_seconds is how long
    to wait before sending, after the request is counted in the stats. after_send, when set, is called with
    no arguments once the reply is sent or the connection reset.
    """

    def __init__(self, status, body=b"", content_type="application/json", headers=None, disconnect=None):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = list(headers or [])
        self.disconnect = disconnect
        self.delay_seconds = 0
        self.after_send = None


def encode_json(value):
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def rpc_result_reply(request_id, result):
    return Reply(200, encode_json({"id": request_id, "jsonrpc": "2.0", "result": result}))


def rpc_error_reply(request_id, error, headers=None):
    return Reply(error.http_status, encode_json({"id": request_id, "jsonrpc": "2.0", "error": error.to_json()}), headers=headers)


def admin_reply(status, value, headers=None):
    return Reply(status, encode_json(value), headers=headers)


def admin_error(status, message, headers=None):
    return admin_reply(status, {"error": message}, headers=headers)


def build_fault_reply(fault, request_id, run_method):
    """Build the reply for an API request hit by a fault. run_method() runs the method and returns its normal Reply.

    For a delay this is the normal reply with delay_seconds set.
    """
    name = fault["fault"]
    if name in ("reset", "restart"):
        return Reply(0, disconnect="reset")
    if name == "http_status":
        if "body" not in fault:
            body = encode_json({"id": request_id, "jsonrpc": "2.0", "error": RpcError(SERVER_ERROR, "Server error", "Injected fault").to_json()})
        elif isinstance(fault["body"], str):
            body = fault["body"].encode("utf-8")
        else:
            body = encode_json(fault["body"])
        headers = []
        if "retry_after" in fault:
            headers.append(("Retry-After", str(fault["retry_after"])))
        return Reply(fault["status"], body, content_type=fault.get("content_type", "application/json"), headers=headers)
    if name == "html":
        status = fault.get("status", 200)
        return Reply(status, html_page(status, "OK" if status == 200 else "Error"), content_type="text/html")
    if name == "empty":
        return Reply(fault.get("status", 200), b"")
    if name == "no_result":
        return Reply(200, encode_json({"id": request_id, "jsonrpc": "2.0"}))
    if name == "rpc_error":
        error = RpcError(fault.get("code", SERVER_ERROR), fault.get("message", "Server error"), fault.get("details", "Injected fault"),
                         http_status=fault.get("status", 200))
        return rpc_error_reply(request_id, error)

    normal = run_method()
    if name == "delay":
        normal.delay_seconds = fault["seconds"]
        return normal
    if name == "reset_after_headers":
        normal.disconnect = "reset_after_headers"
        return normal
    if name == "truncated_json":
        normal.body = normal.body[:max(1, len(normal.body) // 2)]
        return normal
    if name == "wrong_content_type":
        normal.content_type = "text/plain"
        return normal
    if name == "wrong_id":
        reply = json.loads(normal.body)
        reply["id"] = request_id + 1 if is_number(request_id) else "wrong-%s" % request_id
        normal.body = encode_json(reply)
        return normal
    # huge_body: pad the normal reply with a "padding" member up to size_mb MiB in all.
    target = int(fault.get("size_mb", 10) * 1024 * 1024)
    head = normal.body[:-1] + b',"padding":"'
    tail = b'"}'
    normal.body = b"".join((head, b"x" * max(0, target - len(head) - len(tail)), tail))
    return normal


# ---------------------------------------------------------------------------
# HTTP server
# ---------------------------------------------------------------------------

class BadRequestBody(Exception):
    """The request body could not be read: bad framing or too large. http_status is the reply to send."""

    def __init__(self, http_status, details):
        super().__init__(details)
        self.http_status = http_status


class RequestHandler(BaseHTTPRequestHandler):
    """Route requests to the API endpoints, the admin API or a 404 page, and send the replies."""

    protocol_version = "HTTP/1.1"
    server_version = "GravityZoneEmulator/1.0"
    sys_version = ""
    # Idle keep-alive connections are closed after this many seconds.
    timeout = 60

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    def do_OPTIONS(self):
        self.dispatch()

    @property
    def emulator(self):
        return self.server.emulator

    def version_string(self):
        return self.server_version

    def log_request(self, code="-", size="-"):
        pass  # dispatch() logs each API request with its key masked.

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        LOGGER.debug("%s %s", self.address_string(), format % args)

    def dispatch(self):
        path = urlsplit(self.path).path
        try:
            body = self.read_body()
        except BadRequestBody as error:
            LOGGER.info("Rejected a request body from %s: %s", self.address_string(), error)
            self.close_connection = True
            if not path.startswith(ADMIN_PREFIX):
                record = RequestRecord()
                record.http_status = error.http_status
                self.emulator.stats.record(record)
            self.send_reply(Reply(error.http_status, html_page(error.http_status, self.responses[error.http_status][0]), content_type="text/html"))
            return

        if path.startswith(ADMIN_PREFIX):
            reply = self.handle_admin(path[len(ADMIN_PREFIX):], body)
            self.send_reply(reply)
            if reply.after_send is not None:
                reply.after_send()
            return

        record = RequestRecord()
        endpoint = path[len(API_PREFIX):] if path.startswith(API_PREFIX) else None
        if endpoint not in ENDPOINT_AREAS:
            reply = Reply(404, html_page(404, "Not Found"), content_type="text/html")
        elif self.command != "POST":
            reply = Reply(405, html_page(405, "Not Allowed"), content_type="text/html", headers=[("Allow", "POST")])
        else:
            reply = self.emulator.handle_api_request(endpoint, self.headers.get("Authorization"), body, record)
        # Count the request before replying, so that a client that reads the stats after its reply finds the request counted.
        record.http_status = None if reply.disconnect == "reset" else reply.status
        self.emulator.stats.record(record)
        if reply.delay_seconds:
            # The method has run and the request is counted, so a client that times out during the delay finds
            # its status read or its created action counted, as a client of the real API may have made them.
            self.emulator.wait_unless_stopping(reply.delay_seconds)
        self.send_reply(reply)
        if reply.after_send is not None:
            reply.after_send()
        LOGGER.debug("API request: key %s, method %s, action %s, HTTP %s, fault %s", record.key_mask, record.method, record.action_id,
                     record.http_status or "reset", record.fault)

    def read_body(self):
        """Read the request body, from Content-Length or chunked transfer encoding.

        Raise BadRequestBody on bad framing or a body over MAX_BODY_BYTES.
        """
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self.read_chunked_body()
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            return b""
        try:
            length = int(length_header)
        except ValueError as error:
            raise BadRequestBody(400, "invalid Content-Length %r" % length_header) from error
        if length < 0:
            raise BadRequestBody(400, "invalid Content-Length %r" % length_header)
        if length > MAX_BODY_BYTES:
            if length <= MAX_DISCARD_BYTES:
                self.discard_body(length)
            raise BadRequestBody(413, "body of %d bytes is over the limit of %d" % (length, MAX_BODY_BYTES))
        body = self.rfile.read(length)
        if len(body) != length:
            raise BadRequestBody(400, "body ended after %d of %d bytes" % (len(body), length))
        return body

    def discard_body(self, length):
        remaining = length
        while remaining > 0:
            piece = self.rfile.read(min(remaining, 65536))
            if not piece:
                return
            remaining -= len(piece)

    def read_chunked_body(self):
        chunks = []
        total = 0
        while True:
            size_line = self.rfile.readline(1024)
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError as error:
                raise BadRequestBody(400, "invalid chunk size line %r" % size_line[:40]) from error
            if size == 0:
                break
            total += size
            if total > MAX_DISCARD_BYTES:
                raise BadRequestBody(413, "chunked body exceeds %d bytes, so the rest was not read" % MAX_DISCARD_BYTES)
            if total > MAX_BODY_BYTES:
                self.discard_body(size)
            else:
                chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)
        while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
            pass  # Skip the trailer fields.
        if total > MAX_BODY_BYTES:
            raise BadRequestBody(413, "chunked body of %d bytes is over the limit of %d" % (total, MAX_BODY_BYTES))
        return b"".join(chunks)

    def handle_admin(self, route, body):
        client_host = self.client_address[0]
        if not is_loopback_host(client_host):
            return admin_error(403, "The admin API accepts requests from loopback addresses only.")
        try:
            return self.emulator.handle_admin_request(self.command, unquote(route), body)
        except ValueError as error:
            LOGGER.info("Rejected admin request %s /_emulator/%s: %s", self.command, route, error)
            return admin_error(400, str(error))

    def send_reply(self, reply):
        if reply.disconnect == "reset":
            self.reset_connection()
            return

        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

        if self.command == "HEAD":
            return
        if reply.disconnect == "reset_after_headers":
            self.wfile.write(reply.body[:len(reply.body) // 2])
            self.wfile.flush()
            time.sleep(RESET_AFTER_HEADERS_PAUSE_SECONDS)
            self.reset_connection()
            return
        self.wfile.write(reply.body)

    def reset_connection(self):
        """Close the connection with a TCP RST (SO_LINGER 0) and no TLS close_notify."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError as error:
            LOGGER.debug("Could not set SO_LINGER before a reset: %s", error)
        self.connection.close()


class TLSServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that does the TLS handshake in each connection's thread, not in the accept loop."""

    daemon_threads = True

    def __init__(self, server_address, emulator, ssl_context):
        self.emulator = emulator
        self.ssl_context = ssl_context
        self._open_lock = threading.Lock()
        self._open_sockets = set()
        super().__init__(server_address, RequestHandler)

    def server_bind(self):
        # HTTPServer.server_bind calls socket.getfqdn(), which may wait on DNS, and the name is not needed here.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = self.server_address[1]

    def finish_request(self, request, client_address):
        try:
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            request.settimeout(RequestHandler.timeout)
            tls_socket = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as error:
            failures = self.emulator.stats.count_tls_handshake_failure()
            LOGGER.debug("TLS handshake with %s failed (%d failures so far): %s", client_address[0], failures, error)
            return

        with self._open_lock:
            self._open_sockets.add(tls_socket)
        try:
            self.RequestHandlerClass(tls_socket, client_address, self)
        finally:
            with self._open_lock:
                self._open_sockets.discard(tls_socket)
            try:
                tls_socket.shutdown(socket.SHUT_WR)
            except OSError:
                pass  # Already closed by a reset fault or by the client.
            tls_socket.close()

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError, ssl.SSLError)):
            LOGGER.debug("Connection from %s ended early: %s", client_address[0], error)
            return
        LOGGER.exception("Unexpected error while handling a request from %s", client_address[0])

    def close_open_connections(self):
        """Shut down the sockets of open keep-alive connections so that their threads end."""
        with self._open_lock:
            sockets = list(self._open_sockets)
        for tls_socket in sockets:
            try:
                tls_socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # The connection closed on its own meanwhile.


class TLSServer6(TLSServer):
    address_family = socket.AF_INET6


# ---------------------------------------------------------------------------
# Emulator
# ---------------------------------------------------------------------------

class Emulator:
    """GravityZone API emulator that serves HTTPS on a background thread.

    Use start() and stop(), or a with block. state_dir receives ca.pem and emulator.json. Without one, a
    temporary folder is made and removed on stop(). keys replaces the built-in key table (see normalize_keys).
    seed_path=None starts with no actions. certificate is one of CERTIFICATE_KINDS.
    """

    def __init__(self, state_dir=None, *, host="127.0.0.1", port=0, progress="per-read", step_seconds=2.0, rate_limit=10.0, burst=10,
                 seed_path=DEFAULT_SEED_PATH, keys=None, certificate="valid"):
        if not is_loopback_host(host):
            raise ValueError("Host %s is not a loopback address. Use 127.0.0.1, ::1 or localhost." % host)
        if not is_integer(port) or not 0 <= port <= 65535:
            raise ValueError("port must be a TCP port number from 0 to 65535, not %r." % (port,))
        if progress not in PROGRESS_MODES:
            raise ValueError("Progress mode %r is invalid. Use one of %s." % (progress, ", ".join(PROGRESS_MODES)))
        if not is_number(step_seconds) or step_seconds <= 0:
            raise ValueError("step_seconds must be a number greater than 0, not %r." % (step_seconds,))
        if not is_number(rate_limit) or rate_limit < 0:
            raise ValueError("rate_limit must be 0 (off) or a positive number of requests per second, not %r." % (rate_limit,))
        if not is_integer(burst) or burst < 1:
            raise ValueError("burst must be an integer of 1 or more, not %r." % (burst,))
        if certificate not in CERTIFICATE_KINDS:
            raise ValueError("certificate %r is invalid. Use one of %s." % (certificate, ", ".join(CERTIFICATE_KINDS)))

        self.host = host
        self.certificate = certificate
        self.requested_port = port
        self.progress = progress
        self.step_seconds = step_seconds
        self.seed_path = seed_path
        self.keys = normalize_keys(DEFAULT_KEYS if keys is None else keys)
        if seed_path is None:
            self.seed_definitions, self.seed_similar_emails = [], {}
        else:
            self.seed_definitions, self.seed_similar_emails = load_seed_file(seed_path, progress, step_seconds)
        # An empty plan is the default: DEFAULT_CREATE_STATUSES with the server's progress mode.
        self.default_create_plan = parse_create_plan({}, 0, progress, step_seconds)

        self.actions = ActionStore()
        self.create_plans = CreatePlanList()
        self.similar_emails = SimilarEmailStore()
        self.similar_emails.replace_all(self.seed_similar_emails)
        self.faults = FaultList()
        self.stats = Stats()
        self.limiter = RateLimiter(rate_limit, burst)
        self._stopping = threading.Event()
        self._server = None
        self._thread = None
        self._ssl_context = None
        # Held while the listener opens, closes or restarts, so that stop() never races a restart.
        self._lifecycle_lock = threading.RLock()
        self._running = False
        self._own_state_dir = state_dir is None
        self.state_dir = tempfile.mkdtemp(prefix="gz-emulator-") if state_dir is None else os.path.abspath(state_dir)
        self.ca_path = os.path.join(self.state_dir, CA_FILE_NAME)
        self.state_path = os.path.join(self.state_dir, STATE_FILE_NAME)
        self.port = None
        self.url = None
        self.actions.put(self.seed_definitions)

    # Lifecycle -------------------------------------------------------------

    def start(self):
        """Make the certificates, listen, serve on a background thread and write emulator.json. Return self."""
        with self._lifecycle_lock:
            if self._running:
                raise RuntimeError("The emulator is already running at %s." % self.url)
            os.makedirs(self.state_dir, exist_ok=True)
            self._ssl_context = self._make_ssl_context()
            self._stopping.clear()
            self._open_listener(self.requested_port)
            self._running = True
            url_host = "[%s]" % self.host if ":" in self.host else self.host
            self.url = "https://%s:%d/api" % (url_host, self.port)
            self.actions.restart_clocks()
            write_json_atomically(self.state_path, {
                "url": self.url,
                "admin_url": "https://%s:%d/_emulator" % (url_host, self.port),
                "ca_path": self.ca_path,
                "pid": os.getpid(),
                "port": self.port,
                "keys": {key: details["enabledApis"] for key, details in self.keys.items()},
            })
        if self.limiter.rate > 0:
            rate_text = "%g requests per second per key, burst %d" % (self.limiter.rate, self.limiter.burst)
        else:
            rate_text = "off"
        LOGGER.info("Emulator started on %s with %d seed actions, progress %s, rate limit %s, certificate %s", self.url,
                    len(self.seed_definitions), self.progress, rate_text, self.certificate)
        return self

    def _make_ssl_context(self):
        """Build the server's TLS context for self.certificate and write the PEM that clients should trust to ca.pem."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if self.certificate == "self_signed":
            cert_pem, key_pem = build_self_signed_certificate(LOOPBACK_IDENTITIES)
            with open(self.ca_path, "wb") as stream:
                stream.write(cert_pem)
            key_path = os.path.join(self.state_dir, "self-signed-key.pem")
            with open(key_path, "wb") as stream:
                stream.write(key_pem)
            context.load_cert_chain(self.ca_path, key_path)
            return context
        authority = trustme.CA(organization_name="GravityZone emulator test CA")
        if self.certificate == "expired":
            now = datetime.datetime.now(datetime.timezone.utc)
            server_cert = authority.issue_cert(*LOOPBACK_IDENTITIES, not_before=now - datetime.timedelta(days=30),
                                               not_after=now - datetime.timedelta(days=1))
        elif self.certificate == "wrong_host":
            server_cert = authority.issue_cert(WRONG_CERTIFICATE_HOST)
        else:
            server_cert = authority.issue_cert(*LOOPBACK_IDENTITIES)
        server_cert.configure_cert(context)
        authority.cert_pem.write_to_path(self.ca_path)
        return context

    def _open_listener(self, port):
        """Bind port (0 for a free one) with the existing TLS context and serve on a new background thread."""
        bind_host = "127.0.0.1" if self.host == "localhost" else self.host
        server_class = TLSServer6 if ":" in bind_host else TLSServer
        self._server = server_class((bind_host, port), self, self._ssl_context)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="gravityzone-emulator", daemon=True)
        self._thread.start()

    def _close_listener(self):
        """Stop accepting, shut down open connections and close the listening socket, if one is open."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.close_open_connections()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def restart_listener(self, down_seconds):
        """Close the listener and every open connection now, and listen again on the same port after down_seconds.

        Everything else (actions, stats, faults, create plans, rate-limit buckets, the certificate) is kept, as
        when a load balancer drops a backend and takes it back. The listener opens again on a background
        thread, which this returns (None when the emulator is not running). A request handler may call this:
        its own connection is closed with the others.
        """
        with self._lifecycle_lock:
            if not self._running:
                return None
            self._close_listener()
            self.stats.count_listener_restart()
        LOGGER.info("Listener on port %d closed for %s seconds", self.port, down_seconds)
        thread = threading.Thread(target=self._reopen_listener, args=(down_seconds,), name="gravityzone-emulator-restart", daemon=True)
        thread.start()
        return thread

    def _reopen_listener(self, down_seconds):
        if self._stopping.wait(down_seconds):
            return
        with self._lifecycle_lock:
            if not self._running or self._stopping.is_set():
                return
            self._open_listener(self.port)
        LOGGER.info("Listener on port %d open again", self.port)

    def stop(self):
        """Stop serving, close open connections and remove emulator.json (and the state folder if it was temporary)."""
        with self._lifecycle_lock:
            if not self._running:
                return
            self._stopping.set()
            self._close_listener()
            self._running = False
        if os.path.exists(self.state_path):
            os.unlink(self.state_path)
        if self._own_state_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)
        LOGGER.info("Emulator on %s stopped", self.url)

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc_value, traceback):
        self.stop()

    # State that the admin API also changes ------------------------------------

    def add_actions(self, definitions):
        """Validate all definitions, then add or replace them. Return how many were added."""
        if not isinstance(definitions, list):
            raise ValueError('"actions" must be a list of action definitions.')
        parsed = [parse_action_definition(raw, self.progress, self.step_seconds) for raw in definitions]
        self.actions.put(parsed)
        LOGGER.info("Added or replaced %d actions", len(parsed))
        return len(parsed)

    def set_faults(self, rules):
        """Validate all rules, then replace the fault list with them."""
        if not isinstance(rules, list):
            raise ValueError('"faults" must be a list of fault rules.')
        parsed = [parse_fault_rule(raw) for raw in rules]
        self.faults.replace(parsed)
        LOGGER.info("Fault list set: %s", ", ".join(rule["fault"] for rule in parsed) or "none")
        return len(parsed)

    def set_create_plans(self, plans):
        """Validate all create plans, then replace the plan list with them. Return how many there are."""
        if not isinstance(plans, list):
            raise ValueError('"plans" must be a list of create plans.')
        parsed = [parse_create_plan(raw, position, self.progress, self.step_seconds) for position, raw in enumerate(plans, start=1)]
        self.create_plans.replace(parsed)
        LOGGER.info("Create plans set: %d", len(parsed))
        return len(parsed)

    def add_similar_emails(self, request):
        """Add or replace the e-mails similar to request["emailId"], described by the other members. Return their count."""
        if not isinstance(request, dict):
            raise ValueError('The request body must be a JSON object with "emailId" and "count".')
        reference_id = request.get("emailId")
        if not isinstance(reference_id, str) or not reference_id:
            raise ValueError('"emailId" must be a non-empty string: the reference e-mail ID.')
        email_set = parse_similar_email_set(reference_id, {name: value for name, value in request.items() if name != "emailId"})
        self.similar_emails.put(reference_id, email_set)
        LOGGER.info("Similar e-mails of %s set: %d", reference_id, email_set["count"])
        return email_set["count"]

    def reset(self):
        """Zero the stats and clear the faults, the create plans and the rate-limit buckets.

        All actions and similar e-mails are replaced with those of the seed file.
        """
        self.stats.reset()
        self.faults.clear()
        self.create_plans.clear()
        self.limiter.reset()
        self.actions.clear()
        self.actions.put(self.seed_definitions)
        self.similar_emails.replace_all(self.seed_similar_emails)
        LOGGER.info("Reset: stats zeroed, faults and create plans cleared, %d seed actions reloaded", len(self.seed_definitions))

    # Request handling ------------------------------------------------------

    def wait_unless_stopping(self, seconds):
        """Wait for the given seconds, or less if the emulator is stopping."""
        self._stopping.wait(seconds)

    def handle_api_request(self, endpoint, authorization, body, record):
        """Return the Reply to a POST on an API endpoint, filling in record for the stats.

        The checks run in this order: key (401, 403), rate limit (429), JSON and envelope (400), faults, method.
        """
        try:
            envelope = json.loads(body)
            parse_error = None
        except (ValueError, RecursionError) as error:
            envelope = None
            parse_error = str(error)
        request_id, record.method, record.action_id = peek_request_fields(envelope)

        key = parse_basic_auth(authorization)
        record.key_mask = mask_key(key)
        key_details = self.keys.get(key) if key is not None else None
        if key_details is None:
            # NOTE: the real API's bodies for 401, 403 and 429 are not published, so these bodies are guesses.
            error = RpcError(SERVER_ERROR, "Unauthorized", "The API key is missing, malformed or unknown.", http_status=401)
            return rpc_error_reply(request_id, error, headers=[("WWW-Authenticate", 'Basic realm="GravityZone API"')])
        required_area = ENDPOINT_AREAS[endpoint]
        if required_area is not None and required_area not in key_details["enabledApis"]:
            error = RpcError(SERVER_ERROR, "Forbidden", "The API key does not have access to the %s API." % required_area, http_status=403)
            return rpc_error_reply(request_id, error)

        wait_seconds = self.limiter.acquire(key)
        if wait_seconds > 0:
            record.throttled = True
            retry_after = max(1, int(math.ceil(wait_seconds)))
            details = "The rate limit of %s requests per second for this API key was exceeded. Retry after %d seconds." % (self.limiter.rate, retry_after)
            error = RpcError(SERVER_ERROR, "Too Many Requests", details, http_status=429)
            return rpc_error_reply(request_id, error, headers=[("Retry-After", str(retry_after))])

        if parse_error is not None:
            return rpc_error_reply(None, RpcError(PARSE_ERROR, "Parse error", parse_error, http_status=400))
        try:
            validate_envelope(envelope)
        except RpcError as error:
            return rpc_error_reply(request_id, error)

        def run_method():
            return self.call_method(endpoint, envelope, key_details, record)

        fault = self.faults.take(record.method, record.action_id)
        if fault is None:
            return run_method()
        record.fault = fault["fault"]
        reply = build_fault_reply(fault, request_id, run_method)
        if fault["fault"] == "restart":
            reply.after_send = lambda: self.restart_listener(fault["down_seconds"])
        return reply

    def call_method(self, endpoint, envelope, key_details, record):
        """Run the handler of a validated request and return its result or error Reply."""
        request_id = envelope["id"]
        handler = METHODS.get((endpoint, envelope["method"]))
        if handler is None:
            error = RpcError(METHOD_NOT_FOUND, "Method not found", 'The method "%s" does not exist on the %s endpoint.' % (envelope["method"], endpoint))
            return rpc_error_reply(request_id, error)
        call = MethodCall(self, key_details, envelope.get("params", {}), record)
        try:
            return rpc_result_reply(request_id, handler(call))
        except RpcError as error:
            return rpc_error_reply(request_id, error)

    def handle_admin_request(self, command, route, body):
        """Return the Reply to a request under /_emulator/. Raise ValueError for an invalid body (HTTP 400)."""
        route = route.strip("/")
        routes = {
            "actions": {"POST": self._admin_add_actions, "GET": self._admin_list_actions},
            "faults": {"POST": self._admin_set_faults, "DELETE": self._admin_clear_faults, "GET": self._admin_list_faults},
            "create_plans": {"POST": self._admin_set_create_plans, "DELETE": self._admin_clear_create_plans, "GET": self._admin_list_create_plans},
            "similar_emails": {"POST": self._admin_add_similar_emails, "GET": self._admin_list_similar_emails},
            "stats": {"GET": self._admin_stats},
            "reset": {"POST": self._admin_reset},
            "restart": {"POST": self._admin_restart},
        }
        if route.startswith("actions/"):
            handlers = {"GET": lambda _body: self._admin_describe_action(route[len("actions/"):])}
        elif route in routes:
            handlers = routes[route]
        else:
            return admin_error(404, "Unknown admin path /_emulator/%s. The admin API is described in tests/emulator/README.md." % route)

        if command == "HEAD" and "GET" in handlers:
            command = "GET"
        if command not in handlers:
            allowed = ", ".join(sorted(handlers))
            return admin_error(405, "/_emulator/%s accepts %s, not %s." % (route, allowed, command), headers=[("Allow", allowed)])
        return handlers[command](body)

    @staticmethod
    def _parse_admin_object(body, member):
        """Return the admin request body as a JSON object. Raise ValueError unless it is one that has member."""
        try:
            content = json.loads(body) if body else None
        except (ValueError, RecursionError) as error:
            raise ValueError("The request body is not valid JSON: %s" % error) from error
        if not isinstance(content, dict) or member not in content:
            raise ValueError('The request body must be a JSON object with "%s".' % member)
        return content

    @classmethod
    def _parse_admin_body(cls, body, member):
        return cls._parse_admin_object(body, member)[member]

    def _admin_add_actions(self, body):
        return admin_reply(200, {"added": self.add_actions(self._parse_admin_body(body, "actions"))})

    def _admin_list_actions(self, _body):
        return admin_reply(200, {"ids": self.actions.ids()})

    def _admin_describe_action(self, action_id):
        description = self.actions.describe(action_id)
        if description is None:
            return admin_error(404, 'No action with ID "%s".' % action_id)
        return admin_reply(200, description)

    def _admin_set_faults(self, body):
        return admin_reply(200, {"faults": self.set_faults(self._parse_admin_body(body, "faults"))})

    def _admin_clear_faults(self, _body):
        self.faults.clear()
        LOGGER.info("Fault list cleared")
        return admin_reply(200, {"faults": 0})

    def _admin_list_faults(self, _body):
        return admin_reply(200, {"faults": self.faults.describe()})

    def _admin_set_create_plans(self, body):
        return admin_reply(200, {"plans": self.set_create_plans(self._parse_admin_body(body, "plans"))})

    def _admin_clear_create_plans(self, _body):
        self.create_plans.clear()
        LOGGER.info("Create plans cleared")
        return admin_reply(200, {"plans": 0})

    def _admin_list_create_plans(self, _body):
        return admin_reply(200, {"plans": self.create_plans.describe()})

    def _admin_add_similar_emails(self, body):
        request = self._parse_admin_object(body, "emailId")
        total = self.add_similar_emails(request)
        return admin_reply(200, {"emailId": request["emailId"], "total": total})

    def _admin_list_similar_emails(self, _body):
        return admin_reply(200, {"similar_emails": self.similar_emails.describe()})

    def _admin_stats(self, _body):
        return admin_reply(200, self.stats.snapshot())

    def _admin_restart(self, body):
        down_seconds = self._parse_admin_body(body, "down_seconds")
        if not is_valid_down_seconds(down_seconds):
            raise ValueError('"down_seconds" must be a number greater than 0 and at most %d.' % MAX_DOWN_SECONDS)
        reply = admin_reply(200, {"down_seconds": down_seconds, "port": self.port}, headers=[("Connection", "close")])
        reply.after_send = lambda: self.restart_listener(down_seconds)
        return reply

    def _admin_reset(self, _body):
        self.reset()
        return admin_reply(200, {"reset": True, "actions": len(self.seed_definitions)})


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

def build_self_signed_certificate(identities):
    """Return (certificate PEM, private key PEM) of a certificate signed by its own key, valid for identities."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "GravityZone emulator self-signed")])
    alternative_names = []
    for identity in identities:
        try:
            alternative_names.append(x509.IPAddress(ipaddress.ip_address(identity)))
        except ValueError:
            alternative_names.append(x509.DNSName(identity))
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(alternative_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem


def build_argument_parser():
    parser = argparse.ArgumentParser(description="Serve an emulated GravityZone Incidents API (JSON-RPC 2.0) over HTTPS on a loopback address.")
    parser.add_argument("--state-dir", required=True, help="folder for ca.pem and emulator.json (created if missing)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on: 127.0.0.1, ::1 or localhost (default: %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="TCP port to listen on, or 0 for a free one (default: %(default)s)")
    parser.add_argument("--progress", choices=PROGRESS_MODES, default="per-read",
                        help="how action statuses advance: one step per status read, or one step per --step-seconds (default: %(default)s)")
    parser.add_argument("--step-seconds", type=float, default=2.0, help="seconds per status step in clock mode (default: %(default)s)")
    parser.add_argument("--rate-limit", type=float, default=10.0, help="requests per second per API key, or 0 to turn the limit off (default: %(default)s)")
    parser.add_argument("--burst", type=int, default=10, help="requests per API key allowed at once before the rate limit applies (default: %(default)s)")
    parser.add_argument("--seed", default=DEFAULT_SEED_PATH, help="JSON file of the actions to start with (default: seed.json beside this script)")
    parser.add_argument("--keys-file", help='JSON file that replaces the built-in key table: {"KEY": ["Incidents", ...], ...}')
    parser.add_argument("--certificate", choices=CERTIFICATE_KINDS, default="valid",
                        help="server certificate to present; all but valid make TLS clients fail (default: %(default)s)")
    parser.add_argument("--verbose", action="store_true", help="log every request (keys are shown masked)")
    return parser


def main(argv=None):
    parser = build_argument_parser()
    args = parser.parse_args(argv)
    if not is_loopback_host(args.host):
        parser.error("argument --host: %s is not a loopback address. Use 127.0.0.1, ::1 or localhost." % args.host)
    if not 0 <= args.port <= 65535:
        parser.error("argument --port: %d is not a TCP port number (0 to 65535)" % args.port)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    try:
        keys = normalize_keys(load_json_file(args.keys_file, "keys file")) if args.keys_file else None
        emulator = Emulator(state_dir=args.state_dir, host=args.host, port=args.port, progress=args.progress, step_seconds=args.step_seconds,
                            rate_limit=args.rate_limit, burst=args.burst, seed_path=args.seed, keys=keys,
                            certificate=args.certificate)
    except ValueError as error:
        parser.error(str(error))

    stop_requested = threading.Event()

    def request_stop(signum, _frame):
        LOGGER.info("Received %s, stopping", signal.Signals(signum).name)
        stop_requested.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        emulator.start()
    except OSError as error:
        LOGGER.error("Cannot listen on %s port %d: %s", args.host, args.port, error)
        return 1
    print("GravityZone emulator listening on %s" % emulator.url, flush=True)

    while not stop_requested.wait(0.5):
        pass
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
