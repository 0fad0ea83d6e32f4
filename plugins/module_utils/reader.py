# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read and wait for response action statuses; shared by modules and the lookup.

Nothing here depends on AnsibleModule or lookups: callers turn the returned
ReadOutcome into a task result or a lookup value, and word their own failure.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import time

from ansible_collections.bitdefender.gravityzone.plugins.module_utils.client import GravityZoneError, type_name
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.status import (
    EXTERNAL_ACTION_NEEDED,
    normalise_action,
    summarise,
    unknown_value_warnings,
)

INCIDENTS_AREA = "incidents"
STATUS_METHOD = "getResponseActionStatus"

# One task or lookup call reads at most this many actions. At the paced 9
# requests per second, 1000 IDs take about two minutes per round.
MAX_ACTION_IDS = 1000

DEFAULT_WAIT_TIMEOUT = 600
DEFAULT_WAIT_SLEEP = 5

# The last round of a wait starts this many seconds before the deadline, so
# that its reads can finish within it.
FINAL_ROUND_MARGIN = 1.0

# How many failed IDs a message lists by name before it summarises the rest.
MAX_NAMED_IN_MESSAGE = 10


class ActionIdError(ValueError):
    """An invalid action ID list; raised before any request."""


def validate_action_ids(values, option="action_ids"):
    """Return values as a list of ID strings, or raise ActionIdError.

    An ID is any non-empty string without surrounding whitespace: the 24-hex
    form of GravityZone Cloud is not enforced, because other deployments and
    test tools use other shapes. A number is rejected rather than converted,
    because YAML reads an unquoted ID of digits as a number: 0123 becomes
    the octal 83, and the digits of the ID are lost.
    """
    if not isinstance(values, (list, tuple)):
        values = [values]
    if not values:
        raise ActionIdError("%s is empty. Give at least one response action ID." % option)
    if len(values) > MAX_ACTION_IDS:
        raise ActionIdError(
            "%s has %d IDs; one task or lookup reads at most %d. Split the list into chunks of %d or fewer, "
            "for example with the batch filter." % (option, len(values), MAX_ACTION_IDS, MAX_ACTION_IDS))
    seen = set()
    duplicates = []
    for position, value in enumerate(values):
        where = option if len(values) == 1 else "%s[%d]" % (option, position)
        if isinstance(value, (list, tuple, dict)):
            raise ActionIdError(
                "%s is a %s, not one action ID. Give one ID as a string, or use action_ids (or one lookup term per ID) "
                "for several." % (where, "list" if isinstance(value, (list, tuple)) else "mapping"))
        if isinstance(value, bool) or not isinstance(value, str):
            raise ActionIdError(
                "%s is %r, of type %s, not a string. Quote the action ID in YAML (for example '%s'), because an unquoted "
                "ID can be read as a number and lose its digits." % (where, value, type_name(value), value))
        if not value.strip():
            raise ActionIdError("%s is empty or only whitespace. Give the ID returned by createResponseAction." % where)
        if value != value.strip():
            raise ActionIdError("%s %r has surrounding whitespace. Remove it." % (where, value))
        if value in seen and value not in duplicates:
            duplicates.append(value)
        seen.add(value)
    if duplicates:
        raise ActionIdError("%s lists these IDs more than once: %s. Give each ID once." % (option, ", ".join(repr(d) for d in duplicates)))
    return [str(value) for value in values]


def validate_wait_options(wait_timeout, wait_sleep):
    """Check wait_timeout and wait_sleep; raise ActionIdError naming the bad one."""
    for name, value in (("wait_timeout", wait_timeout), ("wait_sleep", wait_sleep)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise ActionIdError("%s must be a finite number of seconds greater than 0, got %r." % (name, value))


class ReadOutcome:
    """The outcome of a read or a wait, for the caller to turn into a result.

    actions maps ID to result dict for every action read at least once.
    errors maps ID to the error that failed the work: any read error without
    a wait, only permanent ones with a wait. transient maps ID to the last
    transient error that a wait absorbed. timed_out is set when a wait
    passed its deadline.
    """

    def __init__(self, action_ids):
        self.action_ids = action_ids
        self.actions = {}
        self.errors = {}
        self.transient = {}
        self.timed_out = False
        self.waited = False
        self.wait_timeout = None
        self.wait_on_external_action = False
        self.warnings = []

    @property
    def retryable(self):
        """True when reading again could change the result."""
        return all(error.retryable for error in self.errors.values())

    def summary(self):
        """Return the aggregates and ID lists of status.summarise."""
        return summarise(self.action_ids, self.actions, complete=not self.errors)

    def failure_message(self):
        """Return why the work failed, or None when it did not.

        Without a wait, only read errors fail. With a wait, a passed deadline
        and an action that ended without succeeding fail too.
        """
        if self.errors:
            return _list_errors(self.action_ids, self.errors)
        if self.timed_out:
            return self._timeout_message()
        if self.waited:
            failed = [self.actions[action_id] for action_id in self.action_ids
                      if action_id in self.actions and self.actions[action_id]["terminal"] and not self.actions[action_id]["succeeded"]]
            if failed:
                return _list_unsuccessful(failed)
        return None

    def _timeout_message(self):
        still_open = []
        for action_id in self.action_ids:
            action = self.actions.get(action_id)
            if action is None:
                error = self.transient.get(action_id)
                state = "never read" + (": %s" % error.message if error else "")
            elif not _wait_is_over(action, self.wait_on_external_action):
                state = "%s, status %s" % (action["status_name"], action["status"])
            else:
                continue
            still_open.append("%r (%s)" % (action_id, state))
        named = still_open[:MAX_NAMED_IN_MESSAGE]
        more = len(still_open) - len(named)
        return ("Timed out after %s seconds waiting for %d of %d response action(s) to finish: %s%s. Raise wait_timeout, or "
                "check the actions in the GravityZone console." % (
                    self.wait_timeout, len(still_open), len(self.action_ids), ", ".join(named),
                    " and %d more" % more if more else ""))


def _list_errors(action_ids, errors):
    failed = [action_id for action_id in action_ids if action_id in errors]
    lines = ["Reading the status of response action %r failed: %s" % (action_id, errors[action_id].message)
             for action_id in failed[:MAX_NAMED_IN_MESSAGE]]
    more = len(failed) - len(lines)
    if more:
        lines.append("and %d more action(s) failed the same way or similarly" % more)
    return " | ".join(lines)


def _list_unsuccessful(failed):
    parts = []
    for action in failed[:MAX_NAMED_IN_MESSAGE]:
        text = "%r ended as %s (status %s)" % (action["id"], action["status_name"], action["status"])
        if action["status"] == EXTERNAL_ACTION_NEEDED:
            text += ", which needs someone to act outside GravityZone (set wait_on_external_action to keep waiting)"
        if action["error_description"]:
            text += ": %s" % str(action["error_description"]).rstrip(" .")
        elif action["error_id"] is not None:
            text += ": error %s" % action["error_id"]
        parts.append(text)
    more = len(failed) - len(parts)
    if more:
        parts.append("and %d more" % more)
    return "Response action(s) ended without succeeding: %s." % "; ".join(parts)


def _wait_is_over(action, wait_on_external_action):
    if wait_on_external_action and action["status"] == EXTERNAL_ACTION_NEEDED:
        return False
    return action["terminal"]


class StatusReader:
    """Reads statuses through one client and collects unknown-value warnings."""

    def __init__(self, client, clock=time.monotonic, sleep=time.sleep):
        self.client = client
        self.clock = clock
        self.sleep = sleep
        self.unknown_values = set()

    def read_one(self, action_id, deadline=None):
        """Return the result dict for action_id; raise GravityZoneError."""
        result = self.client.call(INCIDENTS_AREA, STATUS_METHOD, {"actionId": action_id}, deadline=deadline)
        if not isinstance(result, dict):
            raise GravityZoneError(
                "%s for %r returned %s instead of a status object; the API reply is malformed. Try again."
                % (STATUS_METHOD, action_id, type(result).__name__), retryable=True)
        return normalise_action(action_id, result, self.unknown_values)

    def _read_round(self, outcome, action_ids, deadline=None):
        """Read each ID once. Return False when an error ended the round early.

        An error that every other read would meet too (authentication, TLS,
        connection, rate limit after retries) ends the round. Any other error,
        such as the API rejecting one ID or a 5xx for one read, is recorded
        and the round goes on with the next action.
        """
        for action_id in action_ids:
            if deadline is not None and self.clock() >= deadline:
                return False
            try:
                outcome.actions[action_id] = self.read_one(action_id, deadline)
            except GravityZoneError as error:
                outcome.errors[action_id] = error
                if error.affects_all:
                    return False
            else:
                outcome.transient.pop(action_id, None)
        return True

    def read(self, action_ids):
        """Read every action once, in order."""
        outcome = ReadOutcome(action_ids)
        self._read_round(outcome, action_ids)
        self._finish(outcome)
        return outcome

    def wait(self, action_ids, wait_timeout=DEFAULT_WAIT_TIMEOUT, wait_sleep=DEFAULT_WAIT_SLEEP, wait_on_external_action=False):
        """Poll until every action is final or the deadline passes.

        wait_timeout is one deadline on the monotonic clock, request retries
        included. wait_sleep is the time from the start of one round to the
        start of the next; each round reads only the actions still open.
        Transient errors are absorbed until the deadline; a permanent error
        (authentication, permission, an ID the API rejects) stops at once.
        """
        outcome = ReadOutcome(action_ids)
        outcome.waited = True
        outcome.wait_timeout = wait_timeout
        outcome.wait_on_external_action = wait_on_external_action
        deadline = self.clock() + wait_timeout
        still_open = list(action_ids)
        last_round = False

        while True:
            round_start = self.clock()
            self._read_round(outcome, still_open, deadline)
            for action_id, error in list(outcome.errors.items()):
                if error.retryable:
                    outcome.transient[action_id] = outcome.errors.pop(action_id)
            if outcome.errors:
                break

            still_open = [action_id for action_id in action_ids
                          if action_id not in outcome.actions or not _wait_is_over(outcome.actions[action_id], wait_on_external_action)]
            if not still_open:
                break

            if last_round:
                outcome.timed_out = True
                break
            next_start = round_start + wait_sleep
            if next_start >= deadline - FINAL_ROUND_MARGIN:
                # One last round just before the deadline, so that an action
                # finishing between the last regular round and the deadline counts.
                next_start = deadline - FINAL_ROUND_MARGIN
                last_round = True
                if next_start <= round_start:
                    outcome.timed_out = True
                    break
            pause = next_start - self.clock()
            if pause > 0:
                self.sleep(pause)

        self._finish(outcome)
        return outcome

    def _finish(self, outcome):
        outcome.warnings = unknown_value_warnings(self.unknown_values)
        self.unknown_values = set()
