# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Create response actions: per-type parameter rules and the createResponseAction call.

The rules follow the vendor's createResponseAction reference. They are
checked before any request, so that a playbook error never reaches an API
that has no idempotency key.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.bitdefender.gravityzone.plugins.module_utils.client import GravityZoneError, type_name
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.reader import INCIDENTS_AREA
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.status import TYPE_NAMES

CREATE_METHOD = "createResponseAction"

# Collection name of each action type to its API number.
ACTION_TYPES = dict((name, number) for number, name in TYPE_NAMES.items())

# Types whose target is a user account, given as username.
USERNAME_TYPES = frozenset(("reset_credentials_m365", "reset_credentials_ad", "disable_user_m365", "disable_user_ad",
                            "mark_compromised_m365", "disable_user_google", "reset_credentials_google", "disable_user_aws"))

# Module option name to API parameter name. Only options that are set are
# sent: the API rejects parameter names it does not expect, and null values.
API_PARAMETERS = (
    ("username", "username"),
    ("email_id", "emailId"),
    ("incident_id", "incidentId"),
    ("integration_identifiers", "integrationIdentifiers"),
    ("targets", "targets"),
    ("file_url", "fileUrl"),
)


class ParameterError(ValueError):
    """A create parameter missing or not allowed for the action type; raised before any request."""


# Options that name one thing by a string. They are checked as strings
# rather than converted, so that YAML's reading of an unquoted 0123... as
# an octal number, or a list where one value belongs, fails before a create.
STRING_OPTIONS = ("username", "email_id", "incident_id", "file_url")

# email_id has no meaning for an action on a user account or a file. The API
# rejects parameters it does not expect, so they are rejected here first.
EMAIL_ACTIONS = frozenset(("delete_email_m365", "delete_similar_emails_m365"))


def _is_set(value):
    return value is not None and value != "" and value != {} and value != []


def _check_strings(options):
    for name in STRING_OPTIONS:
        value = options.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str):
            raise ParameterError("%s is %r, of type %s, not a string. Quote it in YAML; an unquoted value such as 0123 is "
                                 "read as a number." % (name, value, type_name(value)))
        if not value.strip() or value != value.strip():
            raise ParameterError("%s %r is empty or has surrounding whitespace. Give the value without spaces around it." % (name, value))


def create_params(action, options):
    """Return the createResponseAction params for action, or raise ParameterError.

    options maps module option names (username, email_id, ...) to values,
    None for unset. Messages name the option, not the API parameter.
    """
    if action not in ACTION_TYPES:
        raise ParameterError("action %r is not a known response action. Use one of: %s."
                             % (action, ", ".join(sorted(ACTION_TYPES))))
    _check_strings(options)
    given = dict((name, value) for name, value in options.items() if _is_set(value))
    missing = []

    if "incident_id" in given and "integration_identifiers" in given:
        raise ParameterError("%s takes incident_id or integration_identifiers, not both. Remove one of them." % action)
    if "incident_id" not in given and "integration_identifiers" not in given:
        missing.append("incident_id or integration_identifiers")
    if action in USERNAME_TYPES and "username" not in given:
        missing.append("username")
    if action == "delete_email_m365":
        if "email_id" not in given:
            missing.append("email_id")
        if "incident_id" not in given and "username" not in given:
            missing.append("username (required when incident_id is not set)")
    if action == "delete_similar_emails_m365":
        if "incident_id" in given and "email_id" not in given:
            missing.append("email_id (the reference e-mail, required with incident_id)")
        if "targets" not in given:
            missing.append("targets")
    if action == "delete_file_m365" and "file_url" not in given:
        missing.append("file_url")
    if missing:
        raise ParameterError("%s needs %s. Set %s and run the task again." % (
            action, " and ".join(missing), "them" if len(missing) > 1 else "it"))

    if "targets" in given and action != "delete_similar_emails_m365":
        raise ParameterError("targets applies only to delete_similar_emails_m365, not to %s. Remove it." % action)
    if "file_url" in given and action != "delete_file_m365":
        raise ParameterError("file_url applies only to delete_file_m365, not to %s. Remove it." % action)
    if "email_id" in given and action not in EMAIL_ACTIONS:
        raise ParameterError("email_id applies only to delete_email_m365 and delete_similar_emails_m365, not to %s. Remove it." % action)

    params = {"actionType": ACTION_TYPES[action]}
    for option, api_name in API_PARAMETERS:
        if option in given:
            params[api_name] = given[option]
    return params


def describe_target(action, params):
    """Return a short text naming what the action was aimed at, for messages."""
    parts = []
    for api_name, label in (("username", "user"), ("emailId", "e-mail"), ("fileUrl", "file"), ("incidentId", "incident")):
        if api_name in params:
            parts.append("%s %r" % (label, params[api_name]))
    return "%s on %s" % (action, ", ".join(parts) if parts else "the given integration")


def utc_now_iso():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


def create_action(client, action, params):
    """Call createResponseAction once and return the new action ID.

    Raises GravityZoneError. When the request may have reached GravityZone
    (maybe_delivered), the message states that an action may exist, with the
    action, its target, the UTC time of the call and the JSON-RPC request id,
    so that the user can look for it in the console before trying again.
    """
    called_at = utc_now_iso()
    try:
        action_id = client.call(INCIDENTS_AREA, CREATE_METHOD, params, creates=True)
    except GravityZoneError as error:
        if error.maybe_delivered:
            error.message = (
                "%s. The request may have reached GravityZone, so the action may already exist: %s, called at %s "
                "(JSON-RPC request id %s). Check the response actions in the GravityZone console before running the "
                "task again; this module does not retry a create that may have been carried out."
                % (error.summary.rstrip(" ."), describe_target(action, params), called_at, error.request_id))
            error.retryable = False
        raise
    if not isinstance(action_id, str) or not action_id:
        raise GravityZoneError(
            "%s returned %r instead of an action ID, so the new action cannot be followed. It may exist: %s, called at %s. "
            "Check the response actions in the GravityZone console." % (CREATE_METHOD, action_id, describe_target(action, params),
                                                                        called_at))
    return action_id
