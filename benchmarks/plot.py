# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Draw how API calls, controller CPU and module memory grow with N.

Usage: python plot.py RESULTS_JSON OUTPUT_PNG. Needs matplotlib
(benchmarks/requirements.txt).
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  pylint: disable=wrong-import-position

# Label, marker and line style per way to wait. The two until variants make
# the same number of API calls, so distinct styles keep both lines visible.
STYLES = {
    "wait": ("response_action_info wait=true", "o", "-"),
    "until_module": ("response_action_info + until", "s", "--"),
    "until_uri": ("ansible.builtin.uri + until", "^", ":"),
}
# Result key, title and whether the y axis is logarithmic.
PANELS = (
    ("api_calls", "API calls", True),
    ("cpu", "controller CPU (s, whole process tree)", True),
    ("module_peak_rss_mib", "module process peak RSS (MiB)", False),
)
MEMORY_TARGET_MIB = 100


def main(results_path, output_path):
    with open(results_path) as results_file:
        results = json.load(results_file)
    figure, axes = plt.subplots(1, len(PANELS), figsize=(15, 4.5))
    for axis, (key, title, logarithmic) in zip(axes, PANELS):
        for variant, (label, marker, line_style) in STYLES.items():
            points = sorted((entry["n"], entry[key]) for entry in results["fanout"] if entry["variant"] == variant)
            if points:
                axis.plot([size for size, value in points], [value for size, value in points], marker=marker, linestyle=line_style,
                          label=label)
        axis.set_xscale("log")
        if logarithmic:
            axis.set_yscale("log")
        else:
            axis.axhline(MEMORY_TARGET_MIB, color="grey", linestyle="--", linewidth=1, label="target: < 100 MiB")
            axis.set_ylim(0, MEMORY_TARGET_MIB * 1.1)
            axis.legend(fontsize=8, loc="lower right")
        axis.set_xlabel("N actions")
        axis.set_title(title)
        axis.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8)
    settings = results["settings"]
    figure.suptitle("Fan-out: N actions finishing within %.0f s, polled every %.0f s (loops run up to N=%d)"
                    % (settings["window"], settings["wait_sleep"], settings["loop_max_n"]))
    figure.tight_layout()
    figure.savefig(output_path, dpi=100)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
