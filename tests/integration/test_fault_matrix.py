# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every injected fault against every way of calling the API, in real ansible-playbook runs.

Each cell of faults x targets checks that the task gives the right result or
fails with a clear message, ends within its time bound, never creates an
action twice, and prints neither the key nor an Authorization header at
-vvvv (the run_playbook fixture checks the key and its base64 form).

The full matrix is heavy, so it runs only on the newest matrix cell
(GRAVITYZONE_TEST_NEWEST_CELL=true, set by scripts/test.sh) or when neither
GRAVITYZONE_TEST_CELL nor GRAVITYZONE_TEST_NEWEST_CELL is set, as in a
pytest run by hand. A few cells in SMOKE_CELLS run on every matrix cell.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time

import pytest
import requests

# Short timeouts and one retry keep each cell to a few seconds; the wait
# targets absorb what the single reads give up on.
FAULT_ENV = {"GRAVITYZONE_TIMEOUT": "1", "GRAVITYZONE_REQUEST_RETRIES": "1"}

# Seconds one cell may take, ansible-playbook start-up included. The slowest
# cells are the 429 storms inside a wait: 4 Retry-After pauses of 1 to 2 seconds.
CELL_TIME_BOUND = 45

# Text that would show the Basic credentials header; the key and its base64
# form are checked by the run_playbook fixture.
HEADER_MARKERS = ("Authorization", "Basic ")

# name: (fault rule without "method", fragment of the failure message of a single read)
# A fragment of None means a single read with request_retries 1 absorbs the
# fault and succeeds.
FAULTS = {
    "latency": ({"fault": "delay", "seconds": 0.3}, None),
    "slow_past_timeout": ({"fault": "delay", "seconds": 2.5, "times": 1}, None),
    "reset_before_reply": ({"fault": "reset", "times": 1}, None),
    "reset_after_headers": ({"fault": "reset_after_headers", "times": 1}, None),
    "http_500_burst": ({"fault": "http_status", "status": 500, "times": 3}, "HTTP 500"),
    "http_502_burst": ({"fault": "http_status", "status": 502, "times": 3}, "HTTP 502"),
    "http_503_burst": ({"fault": "http_status", "status": 503, "times": 3}, "HTTP 503"),
    "http_504_burst": ({"fault": "http_status", "status": 504, "times": 3}, "HTTP 504"),
    "429_storm_retry_after": ({"fault": "http_status", "status": 429, "retry_after": 1, "times": 4}, "HTTP 429"),
    "429_storm_no_retry_after": ({"fault": "http_status", "status": 429, "times": 4}, "HTTP 429"),
    "truncated_json": ({"fault": "truncated_json", "times": 1}, "not valid JSON"),
    "wrong_content_type": ({"fault": "wrong_content_type"}, None),
    "html_body": ({"fault": "html", "times": 1}, "not valid JSON"),
    "huge_body_10_mb": ({"fault": "huge_body", "size_mb": 10, "times": 1}, "larger than 4194304 bytes"),
    "wrong_reply_id": ({"fault": "wrong_id", "times": 1}, "does not match the request id"),
    "restart_2s": ({"fault": "restart", "down_seconds": 2, "times": 1}, "could not connect"),
}

# Faults whose request runs the method in the emulator, so a create hit by
# them creates its action although the reply is lost or damaged.
METHOD_RUNS = frozenset(("latency", "slow_past_timeout", "reset_after_headers", "truncated_json", "wrong_content_type",
                         "huge_body_10_mb", "wrong_reply_id"))

# Faults after which a create succeeds: nothing reached the client that
# could make it doubt the reply.
CREATE_SUCCEEDS = frozenset(("latency", "wrong_content_type"))
CREATE_RATE_LIMITED = frozenset(("429_storm_retry_after", "429_storm_no_retry_after"))

TARGETS = ("read", "wait", "lookup", "lookup_wait", "create")

# Cells that run on every matrix cell, not only the newest.
SMOKE_CELLS = frozenset((("restart_2s", "wait"), ("http_503_burst", "read"), ("reset_after_headers", "create")))


def heavy_suites_enabled():
    """Return True on the newest matrix cell, or when the matrix variables are unset (a run by hand)."""
    cell = os.environ.get("GRAVITYZONE_TEST_CELL")
    newest = os.environ.get("GRAVITYZONE_TEST_NEWEST_CELL")
    if cell is None and newest is None:
        return True
    return newest == "true"


def wait_until_serving(gz, seconds=15):
    """Block until the emulator's admin API replies again, after a restart fault."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return gz.stats()
        except requests.exceptions.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def assert_no_credentials_header(run):
    for marker in HEADER_MARKERS:
        assert marker not in run.output, "%r appears in the -vvvv output" % marker
        assert marker not in str(run.results), "%r appears in a task result" % marker


def matrix_cells():
    for fault in FAULTS:
        for target in TARGETS:
            marks = []
            if (fault, target) not in SMOKE_CELLS:
                marks.append(pytest.mark.skipif(not heavy_suites_enabled(), reason="heavy suite: runs on the newest matrix cell only"))
            yield pytest.param(fault, target, id="%s-%s" % (fault, target), marks=marks)


def run_cell(run_playbook, gz, fault, target):
    """Set the fault, run the target's playbook at -vvvv and return (run, result, seconds, created)."""
    rule, _fragment = FAULTS[fault]
    rule = dict(rule, method="createResponseAction" if target == "create" else "getResponseActionStatus")
    extra_vars = {}
    if target != "create":
        extra_vars = {"action_id": gz.new_action([1, 4]), "wait": target.endswith("wait")}
    playbook = {"read": "fault_read.yml", "wait": "fault_read.yml", "lookup": "fault_lookup.yml", "lookup_wait": "fault_lookup.yml",
                "create": "fault_create.yml"}[target]

    creates_before = gz.stats()["creates"]
    gz.set_faults(rule)
    started = time.monotonic()
    try:
        run = run_playbook(playbook, extra_vars, env=FAULT_ENV, verbosity=4)
    finally:
        seconds = time.monotonic() - started
        wait_until_serving(gz)
    created = gz.stats()["creates"] - creates_before
    name = "Create" if target == "create" else "Read"
    entries = [entry for entry in run.results if entry["task"] == name]
    assert len(entries) == 1, run.output
    return run, entries[0], seconds, created, extra_vars.get("action_id")


@pytest.mark.parametrize("fault, target", list(matrix_cells()))
def test_fault_cell(run_playbook, gz, fault, target):
    run, entry, seconds, created, action_id = run_cell(run_playbook, gz, fault, target)
    result = entry["result"]
    _rule, fragment = FAULTS[fault]

    assert seconds < CELL_TIME_BOUND
    assert_no_credentials_header(run)

    if target == "create":
        assert created <= 1
        assert created == (1 if fault in METHOD_RUNS else 0)
        if fault in CREATE_SUCCEEDS:
            assert entry["outcome"] == "ok", result
            assert result["changed"] is True
            assert len(result["action_id"]) == 24
        elif fault in CREATE_RATE_LIMITED:
            assert entry["outcome"] == "failed", result
            assert "HTTP 429" in result["msg"]
            assert "rate limit" in result["msg"]
        else:
            assert entry["outcome"] == "failed", result
            assert "may already exist" in result["msg"]
            assert "jane.doe@example.com" in result["msg"]
            assert "JSON-RPC request id" in result["msg"]
            assert result["action_id"] is None
        return

    assert created == 0
    waits = target.endswith("wait")
    if waits or fragment is None:
        assert entry["outcome"] == "ok", result
        if target.startswith("lookup"):
            action = result["ansible_facts"]["read_action"]
        else:
            action = result["action"]
        assert action["id"] == action_id
        if waits:
            assert action["succeeded"] is True
        else:
            assert action["status_name"] in ("to_be_executed", "execution_success")
    else:
        assert entry["outcome"] == "failed", result
        assert fragment in result["msg"]
        assert action_id in result["msg"]
        if target == "read":
            assert result["retryable"] is True
            assert result["terminal"] is False


@pytest.mark.skipif(not heavy_suites_enabled(), reason="heavy suite: runs on the newest matrix cell only")
def test_read_retries_reset_after_headers(run_playbook, gz):
    run, entry, _seconds, _created, _action_id = run_cell(run_playbook, gz, "reset_after_headers", "read")
    assert entry["outcome"] == "ok", entry["result"]["msg"]
