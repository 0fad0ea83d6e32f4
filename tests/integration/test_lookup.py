# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The response_action lookup in real ansible-playbook runs against the emulator.

The emulator runs in per-read mode: each status read of an action moves it
one status on. Counting the reads of an action therefore shows how often
ansible-core ran the lookup, which is what the until: tests check.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import os
import re

import yaml

from conftest import API_KEY, NO_INCIDENTS_KEY, REPO
from test_documented_examples import EXAMPLE_IDS, write_play

LOOKUP_FILE = os.path.join(REPO, "plugins", "lookup", "response_action.py")
WAITING_DOC = os.path.join(REPO, "docs", "waiting.md")

# not_started to execution_success: five reads take an action to a final status.
FULL_PROGRESS = [0, 1, 2, 3, 4]

ACTION_KEYS = {
    "id", "type", "type_name", "status", "status_name", "terminal", "succeeded", "needs_attention", "generated_on",
    "generated_on_utc", "error_id", "error_description", "incident_id", "company_id", "user_id", "user_name",
    "target_user_id", "target_user_name", "target_email_id", "outcome", "raw"}

# A loopback port where nothing listens, for connection options that must lose.
UNUSED_URL = "https://127.0.0.1:9/api"


def lookup_examples():
    with open(LOOKUP_FILE) as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [target.id for target in node.targets] == ["EXAMPLES"]:
            return node.value.value
    raise AssertionError("the lookup has no EXAMPLES")


def waiting_doc_yaml_blocks():
    with open(WAITING_DOC) as handle:
        return re.findall(r"```yaml\n(.*?)```", handle.read(), re.S)


# Documented examples


def test_lookup_examples_run(run_playbook, gz, tmp_path):
    for action_id in EXAMPLE_IDS:
        gz.add_actions({"id": action_id, "type": 3, "statuses": [3, 4]})
    tasks = yaml.safe_load(lookup_examples())
    extra_vars = {"gravityzone_base_url": gz.url, "gravityzone_api_key": API_KEY}
    run = run_playbook(write_play(tmp_path, tasks, "lookup_examples.yml"), extra_vars)
    assert run.rc == 0, run.output
    assert run.task("Close the ticket only when the account was really disabled")["outcome"] == "ok"
    assert run.task("Escalate when an action did not succeed")["outcome"] == "skipped"


def test_waiting_doc_blocks_run(run_playbook, gz, tmp_path):
    for action_id in EXAMPLE_IDS:
        gz.add_actions({"id": action_id, "type": 3, "statuses": [4]})
    blocks = waiting_doc_yaml_blocks()
    tasks = [task for block in blocks for task in yaml.safe_load(block)]
    run = run_playbook(write_play(tmp_path, tasks, "waiting_doc.yml"))
    assert len(blocks) == 4
    assert run.rc == 0, run.output
    assert len([entry for entry in run.results if entry["outcome"] == "ok"]) == len(tasks) - 1


# until: forms that read again on every attempt


def test_until_expression_reads_every_attempt(run_playbook, gz):
    action_id = gz.new_action(FULL_PROGRESS)
    run = run_playbook("lookup_until_expression.yml", {"action_id": action_id})
    assert run.rc == 0, run.output
    assert gz.reads(action_id) == 5
    assert len(run.retries("Poll")) == 4


def test_until_task_vars_read_every_attempt(run_playbook, gz):
    action_id = gz.new_action(FULL_PROGRESS)
    shown_id = gz.new_action(FULL_PROGRESS)
    run = run_playbook("lookup_until_task_vars.yml", {"action_id": action_id, "second_action_id": shown_id})
    assert run.rc == 0, run.output
    assert gz.reads(action_id) == 5
    assert len(run.retries("Poll")) == 4


def test_until_task_vars_in_arguments_stay_stale(run_playbook, gz):
    action_id = gz.new_action(FULL_PROGRESS)
    shown_id = gz.new_action(FULL_PROGRESS)
    run = run_playbook("lookup_until_task_vars.yml", {"action_id": action_id, "second_action_id": shown_id})
    assert gz.reads(shown_id) == 5
    assert len(run.retries("Poll and show the status")) == 3
    assert run.task("Poll and show the status", "ok")["result"]["msg"] == "not_started"


def test_until_assert_reads_every_attempt(run_playbook, gz):
    action_id = gz.new_action(FULL_PROGRESS)
    run = run_playbook("lookup_until_assert.yml", {"action_id": action_id})
    assert run.rc == 0, run.output
    assert gz.reads(action_id) == 5
    assert len(run.retries("Poll")) == 4


def test_lookup_wait_polls_until_final(run_playbook, gz):
    action_id = gz.new_action(FULL_PROGRESS)
    run = run_playbook("lookup_wait.yml", {"action_id": action_id})
    waited = run.task("Report", "ok")["result"]["msg"]
    assert run.rc == 0, run.output
    assert gz.reads(action_id) == 5
    assert waited["status_name"] == "execution_success"
    assert set(waited) == ACTION_KEYS


def test_lookup_wait_returns_failed_action(run_playbook, gz):
    action_id = gz.new_action([2, 5], error={"errorId": 1002, "errorDescription": "User not found"})
    run = run_playbook("lookup_wait.yml", {"action_id": action_id})
    waited = run.task("Report", "ok")["result"]["msg"]
    assert run.rc == 0, run.output
    assert waited["succeeded"] is False
    assert waited["error_description"] == "User not found"


def test_lookup_wait_timeout_fails_task(run_playbook, gz):
    action_id = gz.new_action([2])
    run = run_playbook("lookup_wait.yml", {"action_id": action_id, "wait_timeout": 1.5})
    result = run.task("Wait", "failed")["result"]
    assert run.rc == 2
    assert "Timed out after 1.5 seconds" in result["msg"]
    assert action_id in result["msg"]


# until: forms that read once, as documented


def test_until_module_arguments_read_once(run_playbook, gz):
    debug_id = gz.new_action(FULL_PROGRESS)
    set_fact_id = gz.new_action(FULL_PROGRESS)
    run = run_playbook("lookup_until_module_args.yml", {"action_id": debug_id, "second_action_id": set_fact_id})
    assert run.rc == 0, run.output
    assert gz.reads(debug_id) == 1
    assert gz.reads(set_fact_id) == 1
    assert len(run.retries("Poll through debug msg")) == 3
    assert run.task("Poll through debug msg")["outcome"] == "failed"
    assert run.task("Poll through set_fact")["outcome"] == "failed"


# Results and branching


def test_branch_on_succeeded_closes_ticket(run_playbook, gz):
    action_id = gz.new_action([4])
    other_id = gz.new_action([3])
    run = run_playbook("lookup_branch.yml", {"action_ids": [action_id, other_id]})
    facts = run.task("Read", "ok")["result"]["ansible_facts"]
    assert run.rc == 0, run.output
    assert run.task("Close the ticket")["outcome"] == "ok"
    assert run.task("Escalate")["outcome"] == "skipped"
    assert [action["id"] for action in facts["read_actions"]] == [action_id, other_id]
    assert facts["first_action"]["id"] == action_id


def test_branch_on_failure_escalates(run_playbook, gz):
    action_id = gz.new_action([5], error={"errorId": 1002, "errorDescription": "User not found"})
    run = run_playbook("lookup_branch.yml", {"action_ids": [action_id]})
    assert run.rc == 0, run.output
    assert run.task("Close the ticket")["outcome"] == "skipped"
    assert run.task("Escalate")["result"]["msg"] == "%s ended as execution_failed" % action_id


# errors= modes


def test_errors_strict_fails_task(run_playbook, gz):
    run = run_playbook("lookup_errors.yml", {"action_id": "no-such-action", "errors_mode": "strict"})
    result = run.task("Read", "failed")["result"]
    assert run.rc == 2
    assert "Reading the status of response action 'no-such-action' failed" in result["msg"]


def test_errors_warn_gives_warning(run_playbook, gz):
    run = run_playbook("lookup_errors.yml", {"action_id": "no-such-action", "errors_mode": "warn"})
    assert run.rc == 0, run.output
    assert run.task("Read", "ok")["result"]["msg"] == "nothing"
    assert "no-such-action" in run.output


def test_errors_ignore_is_silent(run_playbook, gz):
    run = run_playbook("lookup_errors.yml", {"action_id": "no-such-action", "errors_mode": "ignore"})
    assert run.rc == 0, run.output
    assert run.task("Read", "ok")["result"]["msg"] == "nothing"
    assert "no-such-action" not in run.output


def test_errors_strict_rejected_key_has_no_traceback(run_playbook, gz):
    action_id = gz.new_action([4])
    run = run_playbook("lookup_errors.yml", {"action_id": action_id, "errors_mode": "strict"},
                       env={"GRAVITYZONE_API_KEY": NO_INCIDENTS_KEY}, verbosity=3)
    result = run.task("Read", "failed")["result"]
    assert run.rc == 2
    assert "HTTP 403" in result["msg"]


# Connection options


def test_connection_from_templated_variable(run_playbook, gz):
    action_id = gz.new_action([4])
    run = run_playbook("lookup_connection.yml", {"action_id": action_id, "emulator_url": gz.url, "keyword_base_url": UNUSED_URL},
                       env={"GRAVITYZONE_BASE_URL": UNUSED_URL})
    assert run.rc == 0, run.output
    assert run.task("Read with variables", "ok")["result"]["msg"] == "execution_success"


def test_connection_keyword_wins_over_variable(run_playbook, gz):
    action_id = gz.new_action([4])
    run = run_playbook("lookup_connection.yml", {"action_id": action_id, "emulator_url": gz.url, "keyword_base_url": UNUSED_URL})
    result = run.task("Read with keyword arguments", "failed")["result"]
    assert gz.reads(action_id) == 1
    assert "127.0.0.1:9" in result["msg"]


def test_validate_certs_false_warns(run_playbook, gz):
    action_id = gz.new_action([4])
    run = run_playbook("lookup_errors.yml", {"action_id": action_id, "errors_mode": "strict"},
                       env={"GRAVITYZONE_VALIDATE_CERTS": "false", "GRAVITYZONE_CA_PATH": None})
    assert run.rc == 0, run.output
    assert "validate_certs is false" in run.output
