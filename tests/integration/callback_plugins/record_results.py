# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: record_results
type: aggregate
short_description: Write every task result to a JSON lines file for the integration tests
description:
  - Appends one JSON object per task result (task name, host, outcome, result) to the file named by the
    E(GRAVITYZONE_TEST_RESULTS) environment variable. Test-only; not part of the collection artifact.
requirements:
  - enabled in the tests' ansible.cfg
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "record_results"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, outcome, result):
        path = os.environ.get("GRAVITYZONE_TEST_RESULTS")
        if not path:
            return
        entry = {
            "task": result._task.get_name(),
            "host": result._host.get_name(),
            "outcome": outcome,
            "result": json.loads(json.dumps(result._result, default=str)),
        }
        with open(path, "a") as handle:
            handle.write(json.dumps(entry) + "\n")

    def v2_runner_on_ok(self, result):
        self._record("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record("failed", result)

    def v2_runner_on_skipped(self, result):
        self._record("skipped", result)

    def v2_runner_retry(self, result):
        self._record("retry", result)

    def v2_runner_on_unreachable(self, result):
        self._record("unreachable", result)
