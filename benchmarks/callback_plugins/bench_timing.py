# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Record when each task starts and returns, for the benchmark runner.

The times are time.monotonic(), which on Linux is one clock for every
process, so the runner compares them with the emulator's action times.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: bench_timing
type: notification
short_description: Write task start and return times to the file in BENCH_EVENTS
description:
  - Appends one JSON line per task start, retry and result to the file named by the BENCH_EVENTS environment variable.
options: {}
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "bench_timing"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, event, task_name, **extra):
        path = os.environ.get("BENCH_EVENTS")
        if not path:
            return
        entry = {"t": time.monotonic(), "event": event, "task": task_name}
        entry.update(extra)
        with open(path, "a") as events:
            events.write(json.dumps(entry) + "\n")

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._record("start", task.get_name())

    def v2_runner_retry(self, result):
        self._record("retry", result.task_name)

    def v2_runner_on_ok(self, result):
        self._record("ok", result.task_name)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record("failed", result.task_name, message=str(result._result.get("msg", ""))[:500])
