# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every playbook example in the docs runs, as written, against the emulator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import os
import re

import yaml

from conftest import API_KEY, REPO

MODULES = os.path.join(REPO, "plugins", "modules")
EXAMPLE_IDS = ("6912758f88df334ddbfb7e1a", "65a1f0c2e4b0a1b2c3d4e5f6")


def module_examples(name):
    """Return the EXAMPLES string of a module file, without importing it."""
    with open(os.path.join(MODULES, name + ".py")) as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [target.id for target in node.targets] == ["EXAMPLES"]:
            return node.value.value
    raise AssertionError("%s has no EXAMPLES" % name)


def readme_yaml_blocks():
    with open(os.path.join(REPO, "README.md")) as handle:
        return re.findall(r"```yaml\n(.*?)```", handle.read(), re.S)


def write_play(tmp_path, tasks, name):
    play = [{
        "name": "Run the documented examples",
        "hosts": "localhost",
        "gather_facts": False,
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
        "tasks": tasks,
    }]
    path = tmp_path / name
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    return str(path)


def test_response_action_info_examples_run(run_playbook, gz, tmp_path):
    for action_id in EXAMPLE_IDS:
        gz.add_actions({"id": action_id, "type": 3, "statuses": [3, 4]})
    tasks = yaml.safe_load(module_examples("response_action_info"))
    extra_vars = {"gravityzone_base_url": gz.url, "gravityzone_api_key": API_KEY, "containment_action_ids": list(EXAMPLE_IDS)}
    run = run_playbook(write_play(tmp_path, tasks, "examples.yml"), extra_vars)
    assert run.rc == 0, run.output
    assert len([entry for entry in run.results if entry["outcome"] == "ok"]) == len(tasks) - 1


def test_readme_quick_start_runs(run_playbook, gz, tmp_path):
    gz.add_actions({"id": EXAMPLE_IDS[0], "type": 3, "statuses": [3, 4]})
    blocks = readme_yaml_blocks()
    assert len(blocks) == 1
    path = tmp_path / "quick_start.yml"
    path.write_text(blocks[0])
    run = run_playbook(str(path))
    assert run.rc == 0, run.output
    assert len(run.retries("Wait until the action is final, stopping at once on a permanent error")) == 1
