# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every playbook example in the docs runs, as written, against the emulator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import glob
import os
import re
import textwrap

import pytest
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


def docsite_yaml_blocks():
    """Return (name, YAML text) for every YAML code block of the docsite guides."""
    blocks = []
    for path in sorted(glob.glob(os.path.join(REPO, "docs", "docsite", "rst", "*.rst"))):
        with open(path) as handle:
            text = handle.read()
        found = re.findall(r"\.\. code-block:: (?:yaml\+jinja|yaml)\n\n((?:   .*\n|\n)+)", text)
        for number, block in enumerate(found):
            blocks.append(("%s-%d" % (os.path.basename(path)[:-4], number), textwrap.dedent(block)))
    return blocks


@pytest.mark.parametrize("block", [block for _name, block in docsite_yaml_blocks()], ids=[name for name, _block in docsite_yaml_blocks()])
def test_docsite_example_runs(run_playbook, gz, tmp_path, block):
    """Plays and task lists run against the emulator; settings fragments must parse.

    A block marked "reads the status once" shows a form that does not work
    with until:, so it is only parsed.
    """
    data = yaml.safe_load(block)
    if not isinstance(data, list) or "reads the status once" in block:
        assert data
        return
    for action_id in EXAMPLE_IDS:
        gz.add_actions({"id": action_id, "type": 3, "statuses": [3, 4]})
    if "hosts" in data[0]:
        path = tmp_path / "docsite_play.yml"
        path.write_text(block)
        playbook = str(path)
    else:
        playbook = write_play(tmp_path, data, "docsite_tasks.yml")
    run = run_playbook(playbook, {"gravityzone_base_url": gz.url, "gravityzone_api_key": API_KEY, "response_action_id": EXAMPLE_IDS[0]})
    assert run.rc == 0, run.output
