#!/usr/bin/env bash
# Run the benchmark suite: benchmarks/run.py on the newest matrix cell's
# ansible-core, then the growth plot from a separate virtual environment
# (.venv/bench, with matplotlib from benchmarks/requirements.txt), so the
# matrix environments stay free of plotting packages.
#
# Usage: bash benchmarks/run.sh [run.py options]   (for example --smoke)
# Results go to build/benchmarks/ unless --out names another folder.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

BENCH_CELL=${BENCH_CELL:-$(cell_names | tail -n 1)}
BENCH_VENV="$VENV_ROOT/bench"
# requirements_hash reads this array through a nameref.
# shellcheck disable=SC2034
BENCH_REQUIREMENTS=(benchmarks/requirements.txt)
HASH_FILE="$BENCH_VENV/.requirements.sha256"

bash "$REPO_ROOT/scripts/bootstrap.sh" "$BENCH_CELL"
cell_python="$(cell_venv "$BENCH_CELL")/bin/python"

# The plot environment is rebuilt only when its interpreter or
# requirements change, as scripts/bootstrap.sh does for the matrix cells.
plot_python=$(find_python "$(cell_python_version "$BENCH_CELL")")
wanted_hash=$(requirements_hash BENCH_REQUIREMENTS "$plot_python")
if [[ ! -f $HASH_FILE || $(<"$HASH_FILE") != "$wanted_hash" ]]; then
    log "Building ${BENCH_VENV#"$REPO_ROOT"/} with $plot_python ..."
    rm -rf "$BENCH_VENV"
    "$plot_python" -m venv "$BENCH_VENV"
    "$BENCH_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        --requirement "$REPO_ROOT/benchmarks/requirements.txt"
    printf '%s\n' "$wanted_hash" >"$HASH_FILE"
fi

exec "$cell_python" "$REPO_ROOT/benchmarks/run.py" --plot-python "$BENCH_VENV/bin/python" "$@"
