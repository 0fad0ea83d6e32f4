# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmark the ways to wait for GravityZone response actions.

Runs real ansible-playbook processes against the bundled emulator, with its
10 requests per second per key limit on, and compares side by side in one
invocation:

* cost per poll: one action that needs K reads, waited for with
  ansible.builtin.uri + until, response_action_info + until, and
  response_action_info with wait=true;
* fan-out: N actions finishing at seeded random times within a window;
* detection latency: from an action turning final to the task returning.

Run it with the Python of a matrix virtual environment (ansible-core,
requests and trustme installed); benchmarks/run.sh does that and draws the
plot. Writes results.json and results.md into --out.
"""

import argparse
import json
import math
import os
import platform
import random
import shutil
import subprocess
import sys
import time
import uuid

import requests

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
PLAYBOOKS = os.path.join(BENCH_DIR, "playbooks")
EMULATOR = os.path.join(REPO_ROOT, "tests", "emulator", "gravityzone_emulator.py")
API_KEY = "gz-demo-key-incidents"
TASK_NAME = "Wait for the actions"

# Statuses 4 to 8 are final; the benchmark actions end at 4 (execution_success).
PENDING = 2
SUCCESS = 4

# The three ways to wait, by playbook.
VARIANTS = {
    "wait": "wait_builtin.yml",
    "until_module": "until_module.yml",
    "until_uri": "until_uri.yml",
}
VARIANT_LABELS = {
    "wait": "response_action_info wait=true",
    "until_module": "response_action_info + until",
    "until_uri": "ansible.builtin.uri + until",
}

FULL_SETTINGS = {
    "polls": 20,
    "poll_delay": 1.0,
    "fanout_sizes": [10, 100, 1000],
    "loop_max_n": 100,
    "window": 60.0,
    "wait_sleep": 5.0,
    "latency_repeats": 3,
    "latency_range": [3.0, 8.0],
    "seed": 20261204,
}
SMOKE_SETTINGS = {
    "polls": 2,
    "poll_delay": 0.5,
    "fanout_sizes": [3],
    "loop_max_n": 3,
    "window": 3.0,
    "wait_sleep": 1.0,
    "latency_repeats": 1,
    "latency_range": [1.0, 2.0],
    "seed": 20261204,
}

# Peak memory target for the module process, in MiB.
MEMORY_TARGET_MIB = 100

# Wrapper used as ansible_python_interpreter in the fan-out runs. It runs
# the real interpreter as a child and appends the child's peak RSS and its
# own CPU time (which the runner subtracts) to BENCH_RSS_LOG. -S skips the
# site module to keep its own start-up short.
RSS_WRAPPER = '''#!%(python)s -S
import json, os, resource, subprocess, sys
child = subprocess.run([%(python)r] + sys.argv[1:])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
own = resource.getrusage(resource.RUSAGE_SELF)
with open(os.environ["BENCH_RSS_LOG"], "a") as log:
    log.write(json.dumps({"maxrss_kib": usage.ru_maxrss, "child_cpu": usage.ru_utime + usage.ru_stime,
                          "wrapper_cpu": own.ru_utime + own.ru_stime}) + "\\n")
sys.exit(child.returncode)
'''


def log(message):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), message), file=sys.stderr, flush=True)


class EmulatorProcess:
    """The emulator in its own process, so that its CPU time is not counted."""

    def __init__(self, work_dir):
        self.state_dir = os.path.join(work_dir, "emulator")
        self.log_path = os.path.join(work_dir, "emulator.log")
        self.process = None
        self.url = None
        self.ca_path = None
        self.admin = None

    def start(self):
        os.makedirs(self.state_dir, exist_ok=True)
        with open(self.log_path, "w") as log_file:
            self.process = subprocess.Popen(
                [sys.executable, EMULATOR, "--state-dir", self.state_dir, "--host", "127.0.0.1",
                 "--rate-limit", "10", "--burst", "10"],
                stdout=log_file, stderr=subprocess.STDOUT)
        info_path = os.path.join(self.state_dir, "emulator.json")
        deadline = time.monotonic() + 30
        while not os.path.exists(info_path):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start; see %s" % self.log_path)
            time.sleep(0.1)
        with open(info_path) as info_file:
            info = json.load(info_file)
        self.url = info["url"]
        self.ca_path = info["ca_path"]
        self.admin = info["admin_url"]

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def _admin(self, method, path, body=None):
        response = requests.request(method, self.admin + path, json=body, verify=self.ca_path, timeout=60)
        response.raise_for_status()
        return response.json()

    def reset(self):
        self._admin("POST", "/reset")

    def add_actions(self, definitions):
        """Add the actions; return the monotonic time just before the request."""
        before = time.monotonic()
        self._admin("POST", "/actions", {"actions": definitions})
        return before

    def stats(self):
        return self._admin("GET", "/stats")


class Bench:
    """Runs the playbooks and turns their measurements into figures."""

    def __init__(self, settings, work_dir, emulator):
        self.settings = settings
        self.work_dir = work_dir
        self.emulator = emulator
        self.rng = random.Random(settings["seed"])
        self.collections = os.path.join(work_dir, "collections")
        link = os.path.join(self.collections, "ansible_collections", "bitdefender", "gravityzone")
        os.makedirs(os.path.dirname(link), exist_ok=True)
        if not os.path.lexists(link):
            os.symlink(REPO_ROOT, link)
        self.wrapper = os.path.join(work_dir, "peak_rss_python")
        with open(self.wrapper, "w") as wrapper_file:
            wrapper_file.write(RSS_WRAPPER % {"python": sys.executable})
        os.chmod(self.wrapper, 0o755)
        self.plain_cfg = self._write_config("plain", sys.executable)
        self.rss_cfg = self._write_config("rss", self.wrapper)
        self.inventory = os.path.join(work_dir, "inventory.ini")
        with open(self.inventory, "w") as inventory_file:
            inventory_file.write("localhost ansible_connection=local\n")
        self.run_count = 0

    def _write_config(self, name, interpreter):
        # internal_poll_interval 0.05: the default 0.001 makes the controller
        # spend about 30 ms of CPU per wall-second polling its workers, which
        # would blur every comparison. It is set the same for every variant.
        path = os.path.join(self.work_dir, "ansible-%s.cfg" % name)
        with open(path, "w") as config:
            config.write(
                "[defaults]\n"
                "internal_poll_interval = 0.05\n"
                "callback_plugins = %s\n"
                "callbacks_enabled = bench_timing\n"
                "retry_files_enabled = false\n"
                "host_key_checking = false\n"
                "interpreter_python = %s\n"
                "forks = 1\n" % (os.path.join(BENCH_DIR, "callback_plugins"), interpreter))
        return path

    def new_ids(self, count):
        return [uuid.uuid4().hex[:24] for index in range(count)]

    def run_playbook(self, playbook, extra_vars, measure_memory=False):
        """Run one playbook; return its wall time, tree CPU time, task times and module memory."""
        self.run_count += 1
        run_dir = os.path.join(self.work_dir, "runs", "%03d-%s" % (self.run_count, os.path.splitext(playbook)[0]))
        os.makedirs(run_dir)
        events_path = os.path.join(run_dir, "events.jsonl")
        rss_path = os.path.join(run_dir, "rss.jsonl")
        vars_path = os.path.join(run_dir, "vars.json")
        with open(vars_path, "w") as vars_file:
            json.dump(extra_vars, vars_file)
        environment = {name: value for name, value in os.environ.items() if not name.startswith(("GRAVITYZONE_", "ANSIBLE_"))}
        environment.update({
            "ANSIBLE_CONFIG": self.rss_cfg if measure_memory else self.plain_cfg,
            "ANSIBLE_COLLECTIONS_PATH": self.collections,
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_LOCAL_TEMP": os.path.join(run_dir, "tmp"),
            "BENCH_EVENTS": events_path,
            "BENCH_RSS_LOG": rss_path,
            "GRAVITYZONE_BASE_URL": self.emulator.url,
            "GRAVITYZONE_API_KEY": API_KEY,
            "GRAVITYZONE_CA_PATH": self.emulator.ca_path,
        })
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", self.inventory,
                   os.path.join(PLAYBOOKS, playbook), "-e", "@" + vars_path]
        with open(os.path.join(run_dir, "output.log"), "w") as output:
            started = time.monotonic()
            process = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT, cwd=run_dir)
            # wait4 returns the usage of the whole tree: ansible-playbook and
            # every descendant it waited for (workers, module processes).
            status, usage = os.wait4(process.pid, 0)[1:]
            wall = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise RuntimeError("%s failed with exit code %d; see %s" % (playbook, process.returncode, os.path.join(run_dir, "output.log")))

        events = _read_jsonl(events_path)
        starts = [entry["t"] for entry in events if entry["event"] == "start" and entry["task"] == TASK_NAME]
        ends = [entry["t"] for entry in events if entry["event"] in ("ok", "failed") and entry["task"] == TASK_NAME]
        records = _read_jsonl(rss_path)
        wrapper_cpu = sum(record["wrapper_cpu"] for record in records)
        return {
            "wall": wall,
            "cpu": usage.ru_utime + usage.ru_stime - wrapper_cpu,
            "task_start": starts[0] if starts else None,
            "task_end": ends[-1] if ends else None,
            "retries": sum(1 for entry in events if entry["event"] == "retry"),
            "module_runs": len(records),
            "module_peak_rss_mib": max(record["maxrss_kib"] for record in records) / 1024.0 if records else None,
            "wrapper_cpu": wrapper_cpu,
            "run_dir": run_dir,
        }

    def variant_vars(self, action_ids, retries, delay):
        return {
            "bench_action_ids": action_ids,
            "bench_wait_sleep": delay,
            "bench_wait_timeout": 3600,
            "bench_retries": retries,
            "bench_delay": delay,
            "bench_base_url": self.emulator.url,
            "bench_api_key": API_KEY,
            "bench_ca_path": self.emulator.ca_path,
        }

    def baseline(self):
        log("baseline: empty playbook")
        run = self.run_playbook("baseline.yml", {})
        return {"wall": run["wall"], "cpu": run["cpu"]}

    def poll_cost(self):
        """Cost per poll: the difference between K reads and 1 read, divided by K - 1."""
        polls = self.settings["polls"]
        delay = self.settings["poll_delay"]
        results = {}
        for variant, playbook in VARIANTS.items():
            runs = {}
            for reads in (1, polls):
                self.emulator.reset()
                action_id = self.new_ids(1)[0]
                self.emulator.add_actions([{"id": action_id, "type": 3, "statuses": [PENDING] * (reads - 1) + [SUCCESS],
                                            "progress": "per-read"}])
                log("poll cost: %s, %d read(s)" % (variant, reads))
                run = self.run_playbook(playbook, self.variant_vars([action_id], reads + 5, delay))
                stats = self.emulator.stats()
                run["api_calls"] = stats["by_method"].get("getResponseActionStatus", 0)
                run["throttled"] = stats["throttled"]
                runs[reads] = run
            one, many = runs[1], runs[polls]
            extra = polls - 1
            results[variant] = {
                "polls": polls,
                "delay": delay,
                "api_calls": many["api_calls"],
                "throttled": many["throttled"],
                "cpu_total": many["cpu"],
                "wall_total": many["wall"],
                "cpu_per_poll": (many["cpu"] - one["cpu"]) / extra,
                "wall_per_poll": (many["wall"] - one["wall"]) / extra,
                "overhead_per_poll": (many["wall"] - one["wall"]) / extra - delay,
            }
        return results

    def fanout(self):
        window = self.settings["window"]
        wait_sleep = self.settings["wait_sleep"]
        results = []
        for size in self.settings["fanout_sizes"]:
            finish_times = [self.rng.uniform(0, window) for index in range(size)]
            for variant, playbook in VARIANTS.items():
                if variant != "wait" and size > self.settings["loop_max_n"]:
                    continue
                self.emulator.reset()
                action_ids = self.new_ids(size)
                definitions = [{"id": action_id, "type": 3, "statuses": [PENDING, SUCCESS], "progress": "clock",
                                "step_seconds": max(finish, 0.001)}
                               for action_id, finish in zip(action_ids, finish_times)]
                log("fan-out: %s, N=%d" % (variant, size))
                retries = int(math.ceil(window / wait_sleep)) + 10
                added = self.emulator.add_actions(definitions)
                run = self.run_playbook(playbook, self.variant_vars(action_ids, retries, wait_sleep), measure_memory=True)
                stats = self.emulator.stats()
                last_completion = added + max(finish_times)
                results.append({
                    "variant": variant,
                    "n": size,
                    "api_calls": stats["by_method"].get("getResponseActionStatus", 0),
                    "throttled": stats["throttled"],
                    "min_calls_cadence": minimum_calls(finish_times, wait_sleep),
                    "cpu": run["cpu"],
                    "wall": run["wall"],
                    "task_seconds": run["task_end"] - run["task_start"],
                    "return_after_last_completion": run["task_end"] - last_completion,
                    "detection_limit": wait_sleep + size / 10.0,
                    "module_peak_rss_mib": run["module_peak_rss_mib"],
                    "module_runs": run["module_runs"],
                    "wrapper_cpu_subtracted": run["wrapper_cpu"],
                })
        return results

    def latency(self):
        wait_sleep = self.settings["wait_sleep"]
        low, high = self.settings["latency_range"]
        results = {}
        finish_times = [self.rng.uniform(low, high) for repeat in range(self.settings["latency_repeats"])]
        for variant, playbook in VARIANTS.items():
            samples = []
            for finish in finish_times:
                self.emulator.reset()
                action_id = self.new_ids(1)[0]
                log("detection latency: %s, final after %.2f s" % (variant, finish))
                added = self.emulator.add_actions([{"id": action_id, "type": 3, "statuses": [PENDING, SUCCESS],
                                                    "progress": "clock", "step_seconds": finish}])
                run = self.run_playbook(playbook, self.variant_vars([action_id], int(math.ceil(high / wait_sleep)) + 10, wait_sleep))
                samples.append(run["task_end"] - (added + finish))
            results[variant] = {"samples": samples, "max": max(samples), "mean": sum(samples) / len(samples),
                                "wait_sleep": wait_sleep}
        return results


def minimum_calls(finish_times, wait_sleep):
    """Return the reads that polling every wait_sleep seconds needs at the least.

    The poller starts a round every wait_sleep seconds from time 0 and reads
    each open action once per round, with no rate limit. An action that turns
    final at f is still open in ceil(f / wait_sleep) rounds and is read once
    more as final.
    """
    return sum(int(math.ceil(finish / wait_sleep)) + 1 for finish in finish_times)


def _read_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path) as lines:
        return [json.loads(line) for line in lines if line.strip()]


def machine_description():
    cpu_model = "unknown"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    cpu_model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        memory = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        memory = "unknown"
    import ansible  # pylint: disable=import-outside-toplevel
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory": memory,
        "python": platform.python_version(),
        "ansible_core": ansible.__version__,
        "platform": platform.platform(),
    }


def evaluate_targets(results):
    """Return the targets with the measured value, the limit and whether it is met."""
    targets = []
    poll = results["poll_cost"]
    uri_cpu = poll["until_uri"]["cpu_per_poll"]
    targets.append({"target": "wait=true CPU per poll <= 1/10 of uri + until",
                    "value": poll["wait"]["cpu_per_poll"], "limit": uri_cpu / 10.0,
                    "met": poll["wait"]["cpu_per_poll"] <= uri_cpu / 10.0})
    targets.append({"target": "module + until CPU per poll <= 1.2 x uri + until",
                    "value": poll["until_module"]["cpu_per_poll"], "limit": uri_cpu * 1.2,
                    "met": poll["until_module"]["cpu_per_poll"] <= uri_cpu * 1.2})
    largest = max(entry["n"] for entry in results["fanout"] if entry["variant"] == "wait")
    wait_run = [entry for entry in results["fanout"] if entry["variant"] == "wait" and entry["n"] == largest][0]
    targets.append({"target": "fan-out N=%d, wait=true: no HTTP 429" % largest,
                    "value": wait_run["throttled"], "limit": 0, "met": wait_run["throttled"] == 0})
    targets.append({"target": "fan-out N=%d, wait=true: API calls <= cadence minimum + N" % largest,
                    "value": wait_run["api_calls"], "limit": wait_run["min_calls_cadence"] + largest,
                    "met": wait_run["api_calls"] <= wait_run["min_calls_cadence"] + largest})
    targets.append({"target": "fan-out N=%d, wait=true: returns within wait_sleep + N/10 s of the last completion" % largest,
                    "value": wait_run["return_after_last_completion"], "limit": wait_run["detection_limit"],
                    "met": wait_run["return_after_last_completion"] <= wait_run["detection_limit"]})
    targets.append({"target": "fan-out N=%d, wait=true: module peak RSS < %d MiB" % (largest, MEMORY_TARGET_MIB),
                    "value": wait_run["module_peak_rss_mib"], "limit": MEMORY_TARGET_MIB,
                    "met": wait_run["module_peak_rss_mib"] < MEMORY_TARGET_MIB})
    latency = results["latency"]["wait"]
    targets.append({"target": "single action, wait=true: detection latency <= wait_sleep + 0.2 s",
                    "value": latency["max"], "limit": latency["wait_sleep"] + 0.2,
                    "met": latency["max"] <= latency["wait_sleep"] + 0.2})
    return targets


def render_markdown(results):
    """Return the result tables as Markdown, as docs/benchmarks.md shows them."""
    sections = (_poll_cost_table(results), _fanout_table(results), _latency_table(results),
                _baseline_line(results), _targets_table(results))
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"


def _poll_cost_table(results):
    settings = results["settings"]
    poll = results["poll_cost"]
    lines = ["### Cost per poll (one action, %d reads, %.1f s between polls)" % (settings["polls"], settings["poll_delay"]), "",
             "| way to wait | CPU s per poll | wall s per poll | overhead s per poll | CPU s total | wall s total | API calls | HTTP 429 |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for variant in VARIANTS:
        entry = poll[variant]
        lines.append("| %s | %.4f | %.3f | %.3f | %.2f | %.1f | %d | %d |" % (
            VARIANT_LABELS[variant], entry["cpu_per_poll"], entry["wall_per_poll"], entry["overhead_per_poll"],
            entry["cpu_total"], entry["wall_total"], entry["api_calls"], entry["throttled"]))
    uri_cpu = poll["until_uri"]["cpu_per_poll"]
    if uri_cpu > 0:
        lines.append("")
        lines.append("CPU per poll relative to `uri` + `until`: module + `until` %.2fx, `wait=true` %.3fx." % (
            poll["until_module"]["cpu_per_poll"] / uri_cpu, poll["wait"]["cpu_per_poll"] / uri_cpu))
    return lines


def _fanout_table(results):
    settings = results["settings"]
    lines = ["### Fan-out (finish times uniform in %.0f s, wait_sleep and delay %.0f s)" % (settings["window"], settings["wait_sleep"]), "",
             "| N | way to wait | API calls | cadence minimum | HTTP 429 | return after last completion s | limit s | CPU s "
             "| module peak RSS MiB | module runs | wall s |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for entry in results["fanout"]:
        lines.append("| %d | %s | %d | %d | %d | %.2f | %.1f | %.2f | %.1f | %d | %.1f |" % (
            entry["n"], VARIANT_LABELS[entry["variant"]], entry["api_calls"], entry["min_calls_cadence"], entry["throttled"],
            entry["return_after_last_completion"], entry["detection_limit"], entry["cpu"], entry["module_peak_rss_mib"],
            entry["module_runs"], entry["wall"]))
    return lines


def _latency_table(results):
    settings = results["settings"]
    lines = ["### Detection latency (one action, wait_sleep and delay %.0f s, %d runs each)"
             % (settings["wait_sleep"], settings["latency_repeats"]), "",
             "| way to wait | mean s | max s | samples s |",
             "|---|---:|---:|---|"]
    for variant in VARIANTS:
        entry = results["latency"][variant]
        samples = ", ".join("%.2f" % sample for sample in entry["samples"])
        lines.append("| %s | %.2f | %.2f | %s |" % (VARIANT_LABELS[variant], entry["mean"], entry["max"], samples))
    return lines


def _baseline_line(results):
    baseline = results["baseline"]
    return ["### Baseline", "",
            "An empty playbook (one `debug` task): %.2f s CPU, %.1f s wall." % (baseline["cpu"], baseline["wall"])]


def _targets_table(results):
    lines = ["### Targets", "", "| target | measured | limit | met |", "|---|---:|---:|---|"]
    for target in results["targets"]:
        lines.append("| %s | %.4g | %.4g | %s |" % (target["target"], target["value"], target["limit"], "yes" if target["met"] else "**no**"))
    return lines


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--out", default=os.path.join(REPO_ROOT, "build", "benchmarks"),
                        help="folder for results.json, results.md and the run logs (default: build/benchmarks)")
    parser.add_argument("--smoke", action="store_true", help="tiny settings (K=2, N=3, a 3-second window) that only check the scripts work")
    parser.add_argument("--polls", type=int, help="reads per action in the cost-per-poll comparison (K)")
    parser.add_argument("--sizes", type=lambda text: [int(part) for part in text.split(",")],
                        help="comma-separated fan-out sizes N, for example 10,100,1000")
    parser.add_argument("--loop-max-n", type=int, help="largest N that the loop + until variants run")
    parser.add_argument("--window", type=float, help="seconds within which the fan-out actions finish")
    parser.add_argument("--plot-python", help="Python with matplotlib; draws growth.png from results.json")
    arguments = parser.parse_args(argv)
    settings = dict(SMOKE_SETTINGS if arguments.smoke else FULL_SETTINGS)
    for option, key in (("polls", "polls"), ("sizes", "fanout_sizes"), ("loop_max_n", "loop_max_n"), ("window", "window")):
        value = getattr(arguments, option)
        if value is not None:
            settings[key] = value
    if settings["polls"] < 2:
        parser.error("--polls must be at least 2, because the cost per poll is the difference between K reads and 1 read.")
    return arguments, settings


def main(argv=None):
    arguments, settings = parse_arguments(argv)
    out = os.path.abspath(arguments.out)
    work_dir = os.path.join(out, "work")
    shutil.rmtree(work_dir, ignore_errors=True)
    os.makedirs(work_dir)

    emulator = EmulatorProcess(work_dir)
    emulator.start()
    started = time.monotonic()
    try:
        bench = Bench(settings, work_dir, emulator)
        results = {"settings": settings, "machine": machine_description(), "command": " ".join([os.path.basename(sys.argv[0])] + (argv or sys.argv[1:]))}
        results["baseline"] = bench.baseline()
        results["poll_cost"] = bench.poll_cost()
        results["fanout"] = bench.fanout()
        results["latency"] = bench.latency()
    finally:
        emulator.stop()

    results["targets"] = evaluate_targets(results)
    results["duration_seconds"] = time.monotonic() - started
    with open(os.path.join(out, "results.json"), "w") as results_file:
        json.dump(results, results_file, indent=2)
    markdown = render_markdown(results)
    with open(os.path.join(out, "results.md"), "w") as markdown_file:
        markdown_file.write(markdown)
    print(markdown)

    if arguments.plot_python:
        subprocess.run([arguments.plot_python, os.path.join(BENCH_DIR, "plot.py"), os.path.join(out, "results.json"),
                        os.path.join(out, "growth.png")], check=True)
    log("done in %.0f s; results in %s" % (results["duration_seconds"], out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
