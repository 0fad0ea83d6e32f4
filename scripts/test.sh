#!/usr/bin/env bash
# Run the collection's tests on every cell of the matrix in scripts/lib.sh:
# ansible-test sanity and units, then pytest on tests/emulator and
# tests/integration with the cell's ansible-core. Then, once: ansible-lint,
# and the release checks of scripts/release_checks.sh (changelog, docsite,
# execution environment metadata and the Galaxy artifact).
# It prints a summary of stage by cell and exits non-zero if any stage
# failed. Run `bash scripts/test.sh --help` for the options.
#
# ansible-test only runs on a collection under
# .../ansible_collections/<namespace>/<name>/, so each run copies the working
# tree (tracked and untracked files) to build/collections and runs from there.

# run_stage calls the stage functions through "$@", which shellcheck 0.9
# reports as unreachable code.
# shellcheck disable=SC2317
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/release_checks.sh
source "$REPO_ROOT/scripts/release_checks.sh"

ALL_STAGES=(sanity units emulator integration benchmarks lint changelog docs ee artifact)
CELL_STAGES=(sanity units emulator integration benchmarks)
# The stages that run once, in this order, each with the virtual environment
# that scripts/bootstrap.sh prepares for it.
ONCE_STAGES=(lint changelog docs ee artifact)
declare -A ONCE_STAGE_VENV=([lint]=lint [changelog]=docs [docs]=docs [ee]=ee [artifact]=importer)

COLLECTIONS_DIR="$REPO_ROOT/build/collections"
STAGED_ROOT="$COLLECTIONS_DIR/ansible_collections/bitdefender/gravityzone"
# ansible-test output (junit files and the like) of each stage, moved out of
# the staged tests/output so that no stage reads the leftovers of another.
RESULTS_DIR="$REPO_ROOT/build/test-results"
GET_PIP_CACHE_DIR="$HOME/.ansible/test/cache"

# Results, keyed by "<stage> <cell>". The steps that run once (bootstrap,
# staging, lint) use the cell name "all".
declare -A RESULT=()
declare -A DURATION=()
PASSED=0
FAILED=0
SKIPPED=0

usage() {
    cat <<EOF
Usage: bash scripts/test.sh [--cell CELL]... [--only STAGE]...

Run the collection's tests and print a summary of stage by cell.

  --cell CELL    run only this matrix cell (repeatable): $(cell_names | tr '\n' ' ')
  --only STAGE   run only this stage (repeatable, or comma-separated):
                 ${ALL_STAGES[*]}
  -h, --help     show this help

Without options, every stage runs, each cell stage on every cell and these
stages once: ${ONCE_STAGES[*]}. The virtual environments under .venv/ are
created or updated first (scripts/bootstrap.sh).
EOF
}

header() {
    printf '\n%s\n== %s\n%s\n' "$(printf '=%.0s' {1..72})" "$*" "$(printf '=%.0s' {1..72})"
}

record() {
    local stage=$1 cell=$2 status=$3 seconds=$4
    RESULT["$stage $cell"]=$status
    DURATION["$stage $cell"]=$seconds
    case $status in
        pass) PASSED=$((PASSED + 1)) ;;
        fail) FAILED=$((FAILED + 1)) ;;
        skip) SKIPPED=$((SKIPPED + 1)) ;;
    esac
    log "-- $stage ($cell): $status after ${seconds}s"
}

skip_stage() {
    local stage=$1 cell=$2 reason=$3
    header "$stage | $(describe_cell "$cell")"
    log "Skipped: $reason"
    record "$stage" "$cell" skip 0.0
}

# Run "$@" as stage $1 on cell $2 in a subshell with errexit on, record
# pass or fail with the elapsed wall-clock time, and store the exit status in
# STAGE_STATUS. It always returns 0: bash ignores errexit in every command
# inside a call that if, ||, && or ! tests, even after a new set -e, so a
# caller must not test run_stage itself but read STAGE_STATUS.
run_stage() {
    local stage=$1 cell=$2 start
    shift 2
    header "$stage | $(describe_cell "$cell")"
    start=$EPOCHREALTIME

    set +e
    (
        set -e
        "$@"
    )
    STAGE_STATUS=$?
    set -e

    if ((STAGE_STATUS == 0)); then
        record "$stage" "$cell" pass "$(elapsed_since "$start")"
    else
        log "$stage failed on $(describe_cell "$cell") with exit status $STAGE_STATUS."
        record "$stage" "$cell" fail "$(elapsed_since "$start")"
    fi
}

elapsed_since() {
    awk -v start="$1" -v end="$EPOCHREALTIME" 'BEGIN { printf "%.1f", end - start }'
}

describe_cell() {
    if [[ $1 == all ]]; then
        printf 'once for all cells\n'
    else
        printf 'cell %s: %s on Python %s\n' "$1" "$(cell_requirement "$1")" "$(cell_python_version "$1")"
    fi
}

# Succeed when folder $1 of the staged collection contains a file that
# pytest collects by default (test_*.py or *_test.py).
has_test_files() {
    [[ -d $STAGED_ROOT/$1 ]] &&
        [[ -n $(find "$STAGED_ROOT/$1" -type f \( -name 'test_*.py' -o -name '*_test.py' \) -print -quit) ]]
}

# Copy the working tree to the staged collection path. The copy leaves out
# .git, the virtual environments, build output, tests/output and caches, and
# starts from an empty folder, so nothing from an earlier run survives.
stage_collection() {
    rm -rf "$STAGED_ROOT" "$RESULTS_DIR"
    mkdir -p "$STAGED_ROOT" "$RESULTS_DIR"
    tar -C "$REPO_ROOT" -cf - \
        --exclude=./.git --exclude=./.venv --exclude=./build --exclude=./.ansible \
        --exclude=./tests/output --exclude=__pycache__ --exclude=.pytest_cache \
        --exclude='*.pyc' --exclude='./*.tar.gz' \
        . | tar -C "$STAGED_ROOT" -xf -

    # ansible-test lists a collection's files with git when it finds a .git
    # folder in the collection root or any parent. The staged copy sits
    # inside this repository's ignored build/ folder, where git lists
    # nothing, so the copy gets its own empty repository. ansible-test then
    # lists every file that the copied .gitignore does not exclude.
    git -C "$STAGED_ROOT" init --quiet
    log "Staged the collection at ${STAGED_ROOT#"$REPO_ROOT"/}."
}

# Put the offline get-pip stand-in at each cache path that the cell's
# ansible-test reads before it would download get-pip.py, unless a file is
# already there. scripts/get_pip_standin.py explains why.
install_get_pip_standin() {
    local cell=$1 venv pip_version cache_file
    venv=$(cell_venv "$cell")
    # get_venv_packages() is internal to ansible-test, so a later release may
    # move it. The error below names what to update then.
    if ! pip_version=$("$venv/bin/python" - "$(cell_python_version "$cell")" <<'EOF'
import sys
from ansible_test._internal.python_requirements import get_venv_packages


class PythonVersion:
    version = sys.argv[1]


print(get_venv_packages(PythonVersion())['pip'])
EOF
    ); then
        log "error: cannot read which pip version ansible-test in $venv bootstraps."
        log "Update install_get_pip_standin in scripts/test.sh for this ansible-core release."
        return 1
    fi

    cache_file="$GET_PIP_CACHE_DIR/get_pip_${pip_version//./_}.py"
    if [[ -e $cache_file ]]; then
        log "Using the existing $cache_file for pip $pip_version."
    else
        mkdir -p "$GET_PIP_CACHE_DIR"
        cp "$REPO_ROOT/scripts/get_pip_standin.py" "$cache_file"
        log "Installed the get-pip stand-in as $cache_file for pip $pip_version."
    fi
}

# Keep what ansible-test wrote to the staged tests/output for this stage in
# build/test-results/<cell>/<stage>, and leave tests/output empty.
collect_ansible_test_output() {
    local stage=$1 cell=$2
    if [[ -d $STAGED_ROOT/tests/output ]]; then
        mkdir -p "$RESULTS_DIR/$cell"
        rm -rf "${RESULTS_DIR:?}/$cell/$stage"
        mv "$STAGED_ROOT/tests/output" "$RESULTS_DIR/$cell/$stage"
    fi
}

run_ansible_test() {
    local stage=$1 cell=$2 venv status
    shift 2
    venv=$(cell_venv "$cell")
    rm -rf "$STAGED_ROOT/tests/output"
    cd "$STAGED_ROOT"

    # With the cell's bin first on PATH, --python X.Y finds the cell's
    # interpreter as pythonX.Y.
    set +e
    PATH="$venv/bin:$PATH" "$venv/bin/ansible-test" "$stage" --local \
        --python "$(cell_python_version "$cell")" --color no "$@"
    status=$?
    set -e

    collect_ansible_test_output "$stage" "$cell"
    return "$status"
}

stage_sanity() {
    local cell=$1 ignore_files
    # The collection fixes what sanity reports instead of ignoring it.
    ignore_files=$(find "$STAGED_ROOT/tests/sanity" -name 'ignore-*.txt' 2>/dev/null || true)
    if [[ -n $ignore_files ]]; then
        log "error: this collection allows no sanity ignore files. Fix the issues they ignore, then delete:"
        log "${ignore_files//"$STAGED_ROOT"\//}"
        return 1
    fi

    install_get_pip_standin "$cell"
    run_ansible_test sanity "$cell"
}

stage_units() {
    local cell=$1
    run_ansible_test units "$cell" --requirements
}

# Run pytest on tests/$2 of the staged collection with the cell's
# interpreter. The cell's bin comes first on PATH, so the tests run that
# cell's ansible-playbook, and ANSIBLE_COLLECTIONS_PATH finds the staged
# collection. GRAVITYZONE_TEST_CELL names the cell, and
# GRAVITYZONE_TEST_NEWEST_CELL is "true" on the last cell of the matrix,
# where suites too slow for every cell run.
stage_pytest() {
    local cell=$1 folder=$2 venv status newest=false
    venv=$(cell_venv "$cell")
    if [[ $cell == "$(cell_names | tail -n 1)" ]]; then
        newest=true
    fi
    cd "$STAGED_ROOT"

    set +e
    PATH="$venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS_DIR" \
        GRAVITYZONE_TEST_CELL="$cell" GRAVITYZONE_TEST_NEWEST_CELL="$newest" \
        "$venv/bin/python" -m pytest -p no:cacheprovider -ra "tests/$folder"
    status=$?
    set -e

    # The caller runs this stage only when the folder has test files, so
    # exit status 5 (no tests collected) is a failure here.
    if ((status == 5)); then
        log "error: pytest collected no tests from tests/$folder, which has test files."
    fi
    return "$status"
}

stage_lint() {
    cd "$REPO_ROOT"
    local -a options=(--offline --profile production)
    if [[ ! -t 1 ]]; then
        options+=(--nocolor)
    fi
    # With --offline, ansible-lint does not install the collection it lints
    # into its cache, so its syntax check resolves the collection's modules
    # and action group through ANSIBLE_COLLECTIONS_PATH and the staged copy.
    # ansible-lint warns when its own bin is missing from PATH.
    PATH="$LINT_VENV/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS_DIR" \
        "$LINT_VENV/bin/ansible-lint" "${options[@]}"
}

run_cell() {
    local cell=$1 stage
    for stage in "${CELL_STAGES[@]}"; do
        stage_selected "$stage" || continue
        case $stage in
            sanity)
                run_stage sanity "$cell" stage_sanity "$cell"
                ;;
            units)
                if has_test_files tests/unit; then
                    run_stage units "$cell" stage_units "$cell"
                else
                    skip_stage units "$cell" "tests/unit has no test_*.py or *_test.py files yet."
                fi
                ;;
            emulator | integration)
                if has_test_files "tests/$stage"; then
                    run_stage "$stage" "$cell" stage_pytest "$cell" "$stage"
                else
                    skip_stage "$stage" "$cell" "tests/$stage has no test_*.py or *_test.py files yet."
                fi
                ;;
            benchmarks)
                # The smoke run at tiny sizes keeps the benchmark scripts
                # working; the full benchmark is bash benchmarks/run.sh.
                if [[ $cell == "$(cell_names | tail -n 1)" ]] && has_test_files tests/benchmarks; then
                    run_stage benchmarks "$cell" stage_pytest "$cell" benchmarks
                else
                    skip_stage benchmarks "$cell" "the benchmark smoke run runs on the newest cell only."
                fi
                ;;
        esac
    done
}

stage_selected() {
    local stage
    for stage in "${SELECTED_STAGES[@]}"; do
        [[ $stage == "$1" ]] && return 0
    done
    return 1
}

print_summary() {
    local -a rows=(bootstrap staging "${ALL_STAGES[@]}")
    local -a columns=("${SELECTED_CELLS[@]}" all)
    local row column key text

    header "Summary: status and wall-clock seconds per stage"
    printf '%-12s' stage
    for column in "${columns[@]}"; do
        printf '  %-14s' "$column"
    done
    printf '\n'

    for row in "${rows[@]}"; do
        text=''
        for column in "${columns[@]}"; do
            key="$row $column"
            if [[ -n ${RESULT[$key]:-} ]]; then
                text+=$(printf '  %-14s' "${RESULT[$key]} ${DURATION[$key]}s")
            else
                text+=$(printf '  %-14s' -)
            fi
        done
        # Rows of stages that were not selected stay out of the table.
        if [[ $text =~ [a-z] ]]; then
            printf '%-12s%s\n' "$row" "$text"
        fi
    done
    printf '\nTotal: %ss. ansible-test output: %s\n' "$(elapsed_since "$RUN_START")" "${RESULTS_DIR#"$REPO_ROOT"/}"
    printf '%d passed, %d failed, %d skipped\n' "$PASSED" "$FAILED" "$SKIPPED"
}

finish() {
    print_summary
    if ((FAILED > 0)); then
        exit 1
    fi
    exit 0
}

parse_args() {
    local stage
    SELECTED_CELLS=()
    SELECTED_STAGES=()

    while (($# > 0)); do
        case $1 in
            -h | --help)
                usage
                exit 0
                ;;
            --cell | --only)
                (($# >= 2)) || die "$1 needs a value; see --help."
                set -- "$1=$2" "${@:3}"
                continue
                ;;
            --cell=*)
                cell_line "${1#*=}" >/dev/null ||
                    die "unknown cell '${1#*=}'; expected one of: $(cell_names | tr '\n' ' ')"
                SELECTED_CELLS+=("${1#*=}")
                ;;
            --only=*)
                local -a requested
                IFS=, read -r -a requested <<<"${1#*=}"
                for stage in "${requested[@]}"; do
                    [[ " ${ALL_STAGES[*]} " == *" $stage "* ]] ||
                        die "unknown stage '$stage'; expected one of: ${ALL_STAGES[*]}"
                    SELECTED_STAGES+=("$stage")
                done
                ;;
            *)
                die "unknown argument '$1'; see --help."
                ;;
        esac
        shift
    done

    if ((${#SELECTED_CELLS[@]} == 0)); then
        mapfile -t SELECTED_CELLS < <(cell_names)
    fi
    if ((${#SELECTED_STAGES[@]} == 0)); then
        SELECTED_STAGES=("${ALL_STAGES[@]}")
    fi
}

main() {
    local cell stage needs_cells=false
    local -a bootstrap_targets=()

    parse_args "$@"
    RUN_START=$EPOCHREALTIME

    for stage in "${CELL_STAGES[@]}"; do
        if stage_selected "$stage"; then
            needs_cells=true
        fi
    done
    if [[ $needs_cells == true ]]; then
        bootstrap_targets+=("${SELECTED_CELLS[@]}")
    fi
    for stage in "${ONCE_STAGES[@]}"; do
        if stage_selected "$stage" && [[ " ${bootstrap_targets[*]} " != *" ${ONCE_STAGE_VENV[$stage]} "* ]]; then
            bootstrap_targets+=("${ONCE_STAGE_VENV[$stage]}")
        fi
    done

    run_stage bootstrap all bash "$REPO_ROOT/scripts/bootstrap.sh" "${bootstrap_targets[@]}"
    if ((STAGE_STATUS != 0)); then
        log "The virtual environments could not be prepared, so no tests ran."
        finish
    fi

    # Every stage, lint included, reads the staged copy.
    run_stage staging all stage_collection
    if ((STAGE_STATUS != 0)); then
        log "The collection could not be staged, so no tests ran."
        finish
    fi

    if [[ $needs_cells == true ]]; then
        for cell in "${SELECTED_CELLS[@]}"; do
            run_cell "$cell"
        done
    fi

    for stage in "${ONCE_STAGES[@]}"; do
        if stage_selected "$stage"; then
            run_stage "$stage" all "stage_$stage"
        fi
    done

    finish
}

main "$@"
