# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The status mapping: one getResponseActionStatus result to one plain dict.

The tables follow the vendor's getResponseActionStatus reference page. The
result holds only JSON types (str, int, bool, list, dict, None), because it
travels through module JSON and conditionals on every ansible-core version.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

# Statuses as the vendor lists them.
STATUS_NAMES = {
    0: "not_started",
    1: "to_be_executed",
    2: "pending",
    3: "in_execution",
    4: "execution_success",
    5: "execution_failed",
    6: "dismissed",
    7: "external_action_needed",
    8: "done_externally",
}

# GravityZone will not move these on by itself. 7 is included because it
# needs someone to act outside GravityZone; it may still turn into 8 later.
TERMINAL_STATUSES = frozenset((4, 5, 6, 7, 8))
SUCCEEDED_STATUSES = frozenset((4, 8))
ATTENTION_STATUSES = frozenset((7,))
EXTERNAL_ACTION_NEEDED = 7

# Action types as the newer vendor page numbers them; 7 is not defined there.
# An older page swapped 3 and 4; the vendor's own n8n node uses this table.
TYPE_NAMES = {
    1: "reset_credentials_m365",
    2: "reset_credentials_ad",
    3: "disable_user_m365",
    4: "disable_user_ad",
    5: "mark_compromised_m365",
    6: "delete_email_m365",
    8: "disable_user_google",
    9: "reset_credentials_google",
    10: "delete_file_m365",
    11: "delete_similar_emails_m365",
    12: "disable_user_aws",
}

UNKNOWN = "unknown"

# Result fields passed through as sent, in (API name, result key) pairs.
PASSTHROUGH_FIELDS = (
    ("generatedOn", "generated_on"),
    ("errorId", "error_id"),
    ("errorDescription", "error_description"),
    ("incidentId", "incident_id"),
    ("companyId", "company_id"),
    ("userId", "user_id"),
    ("userName", "user_name"),
    ("targetUserId", "target_user_id"),
    ("targetUserName", "target_user_name"),
    ("targetEmailId", "target_email_id"),
)

OUTCOME_ID_LISTS = (
    ("succeededIds", "succeeded_ids"),
    ("failedRetriableIds", "failed_retriable_ids"),
    ("failedPermanentIds", "failed_permanent_ids"),
)

# generatedOn comes without a zone ("2023-08-06T23:43:27"); other GravityZone
# methods send "+hh:mm" offsets or "Z" with milliseconds. All are accepted.
_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(Z|z|[+-]\d{2}:?\d{2})?$")


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def parse_timestamp_utc(value):
    """Return value as ISO 8601 in UTC with an explicit +00:00, or None.

    A time stamp without a zone is taken as UTC, which is what GravityZone
    Cloud sends. None comes back for anything that is not a valid time stamp.
    """
    if not isinstance(value, str):
        return None
    match = _TIMESTAMP.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    microsecond = int((fraction or "0")[:6].ljust(6, "0"))
    offset = datetime.timedelta(0)
    if zone and zone not in ("Z", "z"):
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    try:
        moment = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), microsecond,
                                   tzinfo=datetime.timezone(offset))
        return moment.astimezone(datetime.timezone.utc).isoformat()
    except (ValueError, OverflowError):
        return None


def _normalise_outcome(outcome):
    """Map the type 11 outcome to snake_case keys; None when the API sent none.

    A missing or non-list ID list reads as an empty list, so that templates
    can count it without a default filter.
    """
    if not isinstance(outcome, dict):
        return None
    mapped = {}
    for api_name, key in OUTCOME_ID_LISTS:
        ids = outcome.get(api_name)
        mapped[key] = list(ids) if isinstance(ids, list) else []
    errors = outcome.get("errors")
    mapped["errors"] = [
        {
            "error_code": item.get("errorCode"),
            "error_message": item.get("errorMessage"),
            "count": item.get("count"),
        }
        for item in (errors if isinstance(errors, list) else [])
        if isinstance(item, dict)
    ]
    return mapped


def normalise_action(action_id, result, unknown_values=None):
    """Return the plain result dict for one action.

    result must be the JSON-RPC result object (a dict); the caller checks
    that. Unknown type and status values map to "unknown" and are added to
    unknown_values (a set of (field, value) pairs) so that the caller can
    warn once per distinct value.
    """
    status = result.get("status")
    action_type = result.get("type")

    status_name = STATUS_NAMES.get(status, UNKNOWN) if _is_int(status) else UNKNOWN
    type_name = TYPE_NAMES.get(action_type, UNKNOWN) if _is_int(action_type) else UNKNOWN
    if unknown_values is not None:
        if status_name == UNKNOWN:
            unknown_values.add(("status", _hashable(status)))
        if type_name == UNKNOWN:
            unknown_values.add(("type", _hashable(action_type)))

    known_status = status if status_name != UNKNOWN else None
    action = {
        "id": action_id,
        "type": action_type,
        "type_name": type_name,
        "status": status,
        "status_name": status_name,
        "terminal": known_status in TERMINAL_STATUSES,
        "succeeded": known_status in SUCCEEDED_STATUSES,
        "needs_attention": known_status in ATTENTION_STATUSES,
    }
    for api_name, key in PASSTHROUGH_FIELDS:
        action[key] = result.get(api_name)
    action["generated_on_utc"] = parse_timestamp_utc(action["generated_on"])
    action["outcome"] = _normalise_outcome(result.get("outcome"))
    action["raw"] = result
    return action


def _hashable(value):
    """Return a set-friendly form of an odd JSON value for the warning set."""
    if isinstance(value, (dict, list)):
        return repr(value)
    return value


def unknown_value_warnings(unknown_values):
    """Return one warning text per distinct unknown type or status value."""
    warnings = []
    for field, value in sorted(unknown_values, key=repr):
        if value is None:
            warnings.append("GravityZone sent a response action without a %s; it is reported as %r." % (field, UNKNOWN))
        else:
            warnings.append(
                "GravityZone sent the %s value %r, which this collection does not know; it is reported as %r. "
                "A newer collection version may know it." % (field, value, UNKNOWN))
    return warnings


def summarise(action_ids, actions, complete):
    """Return the aggregates and ID lists over the actions as read.

    action_ids is the list asked for, in order; actions maps ID to result
    dict for those that were read. complete is false when any read failed:
    then terminal, succeeded and needs_attention are false, because the
    status of the unread actions is not known.
    """
    read = [actions[action_id] for action_id in action_ids if action_id in actions]
    everything_read = complete and len(read) == len(action_ids)
    return {
        "actions": read,
        "terminal": everything_read and all(action["terminal"] for action in read),
        "succeeded": everything_read and all(action["succeeded"] for action in read),
        "needs_attention": everything_read and any(action["needs_attention"] for action in read),
        "open_ids": [action_id for action_id in action_ids if action_id not in actions or not actions[action_id]["terminal"]],
        "unsuccessful_ids": [action["id"] for action in read if action["terminal"] and not action["succeeded"]],
        "needs_attention_ids": [action["id"] for action in read if action["needs_attention"]],
    }
