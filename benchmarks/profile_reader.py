# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Profile the polling path without Ansible: StatusReader.wait under cProfile.

Starts the emulator (rate limit on), adds N actions that finish at seeded
random times within --window seconds, and waits for them with the
collection's StatusReader and GravityZoneClient in this process, as the
module does. Prints the process CPU time per read, the peak RSS and the
functions with the most cumulative time.

Usage: python benchmarks/profile_reader.py [--n 1000] [--window 60] [--wait-sleep 5]
Run it with the Python of a matrix virtual environment.
"""

import argparse
import cProfile
import os
import pstats
import random
import resource
import sys
import tempfile
import time
import uuid

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH_DIR)

from run import API_KEY, PENDING, SUCCESS, EmulatorProcess, REPO_ROOT  # noqa: E402  pylint: disable=wrong-import-position


def import_reader(collections):
    """Import the collection's client and reader through a symbolic link named as ansible-core expects."""
    link = os.path.join(collections, "ansible_collections", "bitdefender", "gravityzone")
    os.makedirs(os.path.dirname(link), exist_ok=True)
    if not os.path.lexists(link):
        os.symlink(REPO_ROOT, link)
    sys.path.insert(0, collections)
    from ansible_collections.bitdefender.gravityzone.plugins.module_utils import client, reader  # pylint: disable=import-outside-toplevel
    return client, reader


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--n", type=int, default=1000, help="number of actions (default 1000)")
    parser.add_argument("--window", type=float, default=60.0, help="seconds within which the actions finish (default 60)")
    parser.add_argument("--wait-sleep", type=float, default=5.0, help="seconds between round starts (default 5)")
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--top", type=int, default=25, help="how many functions to list (default 25)")
    arguments = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as work_dir:
        emulator = EmulatorProcess(work_dir)
        emulator.start()
        try:
            client_module, reader_module = import_reader(os.path.join(work_dir, "collections"))
            rng = random.Random(arguments.seed)
            action_ids = [uuid.uuid4().hex[:24] for index in range(arguments.n)]
            emulator.add_actions([{"id": action_id, "type": 3, "statuses": [PENDING, SUCCESS], "progress": "clock",
                                   "step_seconds": max(rng.uniform(0, arguments.window), 0.001)} for action_id in action_ids])
            options = client_module.validate_connection_options(emulator.url, API_KEY, ca_path=emulator.ca_path)
            client = client_module.GravityZoneClient.from_options(options)
            status_reader = reader_module.StatusReader(client)

            profiler = cProfile.Profile()
            cpu_before = time.process_time()
            wall_before = time.monotonic()
            profiler.enable()
            outcome = status_reader.wait(action_ids, wait_timeout=3600, wait_sleep=arguments.wait_sleep)
            profiler.disable()
            cpu = time.process_time() - cpu_before
            wall = time.monotonic() - wall_before
            client.close()
            stats = emulator.stats()
        finally:
            emulator.stop()

    reads = stats["by_method"].get("getResponseActionStatus", 0)
    print("N=%d: %d reads, %d HTTP 429, wall %.1f s, process CPU %.2f s (%.2f ms per read, profiler overhead included), "
          "peak RSS %.1f MiB, failure: %s" % (
              arguments.n, reads, stats["throttled"], wall, cpu, 1000.0 * cpu / max(reads, 1),
              resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, outcome.failure_message()))
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(arguments.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
