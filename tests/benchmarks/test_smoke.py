# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Smoke run of the benchmark suite at tiny sizes (K=2, N=3, a 3-second window).

It checks that benchmarks/run.py still runs end to end against the emulator
and produces every figure. The figures of a run this small mean nothing, so
the targets are not asserted. It takes under a minute on two cores. The interpreter
running pytest must have ansible-core, requests and trustme (a matrix
virtual environment).

The plot needs matplotlib, which the matrix environments do not install.
Set GRAVITYZONE_BENCH_PLOT_PYTHON to a Python that has it (benchmarks/run.sh
builds .venv/bench/bin/python) to check the plot too.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import math
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN_PY = os.path.join(REPO, "benchmarks", "run.py")
PLOT_PY = os.path.join(REPO, "benchmarks", "plot.py")
VARIANTS = ("wait", "until_module", "until_uri")

# The smoke run takes under a minute on two cores; this bounds a hang.
SMOKE_TIMEOUT = 600

pytestmark = pytest.mark.skipif(os.environ.get("GRAVITYZONE_TEST_NEWEST_CELL") == "false",
                                reason="the benchmark smoke run runs on the newest matrix cell only")


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    completed = subprocess.run([sys.executable, RUN_PY, "--smoke", "--out", str(out)],
                               capture_output=True, text=True, timeout=SMOKE_TIMEOUT, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    with open(os.path.join(str(out), "results.json")) as results_file:
        results = json.load(results_file)
    return out, results


def test_poll_cost_figures(smoke_run):
    results = smoke_run[1]
    for variant in VARIANTS:
        entry = results["poll_cost"][variant]
        for key in ("cpu_per_poll", "wall_per_poll", "cpu_total", "wall_total"):
            assert _is_number(entry[key]), (variant, key, entry[key])
        assert entry["api_calls"] == results["settings"]["polls"], (variant, entry)


def test_fanout_figures(smoke_run):
    results = smoke_run[1]
    sizes = results["settings"]["fanout_sizes"]
    measured = {(entry["variant"], entry["n"]) for entry in results["fanout"]}
    assert measured == {(variant, size) for variant in VARIANTS for size in sizes}
    for entry in results["fanout"]:
        for key in ("cpu", "wall", "return_after_last_completion", "module_peak_rss_mib", "min_calls_cadence"):
            assert _is_number(entry[key]), (entry["variant"], key, entry[key])
        assert entry["api_calls"] >= entry["n"], entry
        assert entry["module_runs"] >= 1, entry


def test_latency_figures(smoke_run):
    results = smoke_run[1]
    for variant in VARIANTS:
        samples = results["latency"][variant]["samples"]
        assert len(samples) == results["settings"]["latency_repeats"], variant
        assert all(_is_number(sample) and sample > 0 for sample in samples), (variant, samples)


def test_targets_and_report(smoke_run):
    out, results = smoke_run
    assert len(results["targets"]) == 7
    for target in results["targets"]:
        assert _is_number(target["value"]), target
        assert isinstance(target["met"], bool), target
    with open(os.path.join(str(out), "results.md")) as markdown_file:
        markdown = markdown_file.read()
    for heading in ("### Cost per poll", "### Fan-out", "### Detection latency", "### Targets"):
        assert heading in markdown


def test_growth_plot(smoke_run):
    plot_python = os.environ.get("GRAVITYZONE_BENCH_PLOT_PYTHON")
    if not plot_python:
        pytest.skip("GRAVITYZONE_BENCH_PLOT_PYTHON is not set to a Python with matplotlib")
    out = smoke_run[0]
    png = os.path.join(str(out), "growth.png")
    subprocess.run([plot_python, PLOT_PY, os.path.join(str(out), "results.json"), png], check=True, timeout=120)
    with open(png, "rb") as png_file:
        assert png_file.read(8) == b"\x89PNG\r\n\x1a\n"
