# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Load: 50 hosts in one play, forks 50, one key, each waiting on several actions.

The emulator enforces the API's limit of 10 requests per second per key, so
most reads meet HTTP 429 at first. Every task must still end with its actions
read as succeeded. The test prints the 429 count and the total time for
docs/reliability.md. It runs only on the newest matrix cell, or by hand.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

import pytest

from test_fault_matrix import assert_no_credentials_header, heavy_suites_enabled

HOSTS = 50
ACTIONS_PER_HOST = 3
# not_started, in_execution, execution_success: three reads per action in per-read mode.
STATUSES = [0, 3, 4]

pytestmark = pytest.mark.skipif(not heavy_suites_enabled(), reason="heavy suite: runs on the newest matrix cell only")


def test_fifty_hosts_share_one_key(run_playbook, gz, tmp_path):
    inventory = tmp_path / "load.ini"
    hosts = ["load%02d" % number for number in range(HOSTS)]
    inventory.write_text("[load]\n" + "".join("%s ansible_connection=local\n" % host for host in hosts))
    actions = dict((host, [gz.new_action(STATUSES) for _index in range(ACTIONS_PER_HOST)]) for host in hosts)

    before = gz.stats()
    started = time.monotonic()
    run = run_playbook("load_wait.yml", {"load_actions": actions}, env={"ANSIBLE_FORKS": str(HOSTS)}, args=["-i", str(inventory)])
    seconds = time.monotonic() - started
    after = gz.stats()
    throttled = after["throttled"] - before["throttled"]
    reads = after["requests"] - before["requests"]
    print("\nload: %d hosts x %d actions, %d requests, %d HTTP 429, %.1f s" % (HOSTS, ACTIONS_PER_HOST, reads, throttled, seconds))

    assert run.rc == 0, run.output[-4000:]
    entries = [entry for entry in run.results if entry["task"] == "Wait"]
    assert sorted(entry["host"] for entry in entries) == hosts
    for entry in entries:
        assert entry["outcome"] == "ok", entry["result"].get("msg")
        assert entry["result"]["succeeded"] is True
        assert [action["id"] for action in entry["result"]["actions"]] == actions[entry["host"]]
    for host in hosts:
        for action_id in actions[host]:
            assert gz.reads(action_id) == len(STATUSES)
    assert_no_credentials_header(run)
