# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures that run real ansible-playbook against the emulator over HTTPS.

The ansible-playbook on PATH is the one under test (scripts/test.sh puts the
matrix cell's virtual environment first), and ANSIBLE_COLLECTIONS_PATH must
lead to a tree that contains ansible_collections/bitdefender/gravityzone.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
import shutil
import subprocess
import sys
import uuid

import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "emulator"))

from gravityzone_emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOKS = os.path.join(HERE, "playbooks")
API_KEY = "gz-demo-key-incidents"
NO_INCIDENTS_KEY = "gz-demo-key-no-incidents"

# Strings that must never appear in any output: the key, and the Basic
# credentials in base64 with and without padding.
BASIC_CREDENTIALS = base64.b64encode(("%s:" % API_KEY).encode()).decode()
SECRETS = (API_KEY, BASIC_CREDENTIALS, BASIC_CREDENTIALS.rstrip("="))

# One ansible-playbook run may not take longer than this; a hang fails the test.
PLAYBOOK_TIMEOUT = 300


class PlaybookRun:
    """The outcome of one ansible-playbook run: exit code, output and task results."""

    def __init__(self, completed, results):
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.results = results

    @property
    def output(self):
        return self.stdout + self.stderr

    def task(self, name, outcome=None):
        """Return the last recorded result of the task called name."""
        matches = [entry for entry in self.results if entry["task"] == name and (outcome is None or entry["outcome"] == outcome)]
        assert matches, "task %r (%s) not found in %s" % (name, outcome, [entry["task"] for entry in self.results])
        return matches[-1]

    def retries(self, name):
        return [entry for entry in self.results if entry["task"] == name and entry["outcome"] == "retry"]


class EmulatorControl:
    """The emulator's admin API, over HTTPS with its own CA."""

    def __init__(self, emulator):
        self.emulator = emulator
        self.url = emulator.url
        self.ca_path = emulator.ca_path
        self.admin = emulator.url[: -len("/api")] + "/_emulator"

    def add_actions(self, *definitions):
        response = requests.post(self.admin + "/actions", json={"actions": list(definitions)}, verify=self.ca_path, timeout=10)
        response.raise_for_status()

    def new_action(self, statuses, action_type=3, **extra):
        """Add an action with a fresh 24-hex ID and return the ID."""
        action_id = uuid.uuid4().hex[:24]
        definition = {"id": action_id, "type": action_type, "statuses": statuses}
        definition.update((key, value) for key, value in extra.items() if value is not None)
        self.add_actions(definition)
        return action_id

    def set_faults(self, *rules):
        response = requests.post(self.admin + "/faults", json={"faults": list(rules)}, verify=self.ca_path, timeout=10)
        response.raise_for_status()

    def clear_faults(self):
        requests.delete(self.admin + "/faults", verify=self.ca_path, timeout=10).raise_for_status()

    def reset(self):
        """Reload the seed actions and zero the counters."""
        requests.post(self.admin + "/reset", verify=self.ca_path, timeout=10).raise_for_status()

    def stats(self):
        response = requests.get(self.admin + "/stats", verify=self.ca_path, timeout=10)
        response.raise_for_status()
        return response.json()

    def action(self, action_id):
        response = requests.get(self.admin + "/actions/" + action_id, verify=self.ca_path, timeout=10)
        response.raise_for_status()
        return response.json()

    def reads(self, action_id):
        return self.action(action_id)["reads"]


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    state_dir = str(tmp_path_factory.mktemp("emulator"))
    server = Emulator(state_dir=state_dir, progress="per-read")
    server.start()
    yield EmulatorControl(server)
    server.stop()


@pytest.fixture
def gz(emulator):
    """The emulator with no faults left over from another test."""
    emulator.clear_faults()
    yield emulator
    emulator.clear_faults()


@pytest.fixture(scope="session")
def ansible_home(tmp_path_factory):
    """An ansible.cfg that enables the result recorder, and a local inventory."""
    home = tmp_path_factory.mktemp("ansible")
    config = home / "ansible.cfg"
    config.write_text(
        "[defaults]\n"
        "callback_plugins = %s\n"
        "callbacks_enabled = record_results\n"
        "stdout_callback = default\n"
        "retry_files_enabled = false\n"
        "host_key_checking = false\n"
        "interpreter_python = %s\n"
        "[gravityzone]\n" % (os.path.join(HERE, "callback_plugins"), sys.executable))
    inventory = home / "inventory.ini"
    inventory.write_text("localhost ansible_connection=local\n")
    return home


@pytest.fixture
def run_playbook(gz, ansible_home, tmp_path):
    """Run a playbook from tests/integration/playbooks; return a PlaybookRun.

    Connection settings come from the GRAVITYZONE_* environment, as AWX
    injects them, unless env overrides them.
    """

    def run(playbook, extra_vars=None, env=None, args=(), verbosity=0):
        results_path = tmp_path / ("results-%s.jsonl" % uuid.uuid4().hex)
        environment = dict(os.environ)
        for name in list(environment):
            if name.startswith("GRAVITYZONE_"):
                del environment[name]
        environment.update({
            "ANSIBLE_CONFIG": str(ansible_home / "ansible.cfg"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "GRAVITYZONE_TEST_RESULTS": str(results_path),
            "GRAVITYZONE_BASE_URL": gz.url,
            "GRAVITYZONE_API_KEY": API_KEY,
            "GRAVITYZONE_CA_PATH": gz.ca_path,
        })
        for name, value in (env or {}).items():
            if value is None:
                environment.pop(name, None)
            else:
                environment[name] = value
        command = [shutil.which("ansible-playbook") or "ansible-playbook", "-i", str(ansible_home / "inventory.ini"),
                   os.path.join(PLAYBOOKS, playbook)]
        if extra_vars:
            # A file, not the command line: ansible-playbook -vvvv prints its own arguments.
            vars_path = tmp_path / ("vars-%s.json" % uuid.uuid4().hex)
            vars_path.write_text(json.dumps(extra_vars))
            command += ["-e", "@%s" % vars_path]
        if verbosity:
            command.append("-" + "v" * verbosity)
        command += list(args)
        completed = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=PLAYBOOK_TIMEOUT, check=False)
        results = []
        if results_path.exists():
            results = [json.loads(line) for line in results_path.read_text().splitlines() if line.strip()]
        run_result = PlaybookRun(completed, results)
        assert "Traceback" not in run_result.output, run_result.output
        for secret in SECRETS:
            assert secret not in run_result.output, "the API key leaked into the output"
            assert secret not in json.dumps(results), "the API key leaked into a task result"
        return run_result

    return run
