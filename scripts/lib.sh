# shellcheck shell=bash
# Shared settings and helpers for scripts/bootstrap.sh and scripts/test.sh.
# Source this file. It runs nothing by itself, and the scripts that source it
# read the settings below.
# shellcheck disable=SC2034

# EPOCHREALTIME and namerefs (local -n) need bash 5.
if ((BASH_VERSINFO[0] < 5)); then
    printf 'error: these scripts need bash 5 or newer; this is bash %s.\n' "$BASH_VERSION" >&2
    exit 1
fi

# Test matrix, one cell per line: cell name, Python version, ansible-core
# requirement. The cell name is what `--cell` takes and names the virtual
# environment `.venv/core-<cell>`. To add a cell, add one line.
# ansible-core 2.20 and later need Python 3.12 or newer. Keep the lines in
# order from oldest to newest, because scripts/test.sh takes the last one as
# the newest cell.
MATRIX=(
    "2.16 3.11 ansible-core==2.16.19"
    "2.18 3.11 ansible-core==2.18.19"
    "2.21 3.12 ansible-core==2.21.5"
)

# ansible-lint runs once, from its own virtual environment on this Python.
LINT_PYTHON_VERSION=3.12

# The release tools run once, each from its own virtual environment on this
# Python: antsibull-changelog, antsibull-docs and Sphinx in .venv/docs,
# ansible-builder in .venv/ee, and galaxy-importer in .venv/importer.
# galaxy-importer pins its own ansible-core and ansible-lint, so it shares
# an environment with neither of the others.
TOOLS_PYTHON_VERSION=3.12

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV_ROOT="$REPO_ROOT/.venv"
LINT_VENV="$VENV_ROOT/lint"
DOCS_VENV="$VENV_ROOT/docs"
EE_VENV="$VENV_ROOT/ee"
IMPORTER_VENV="$VENV_ROOT/importer"

# Requirement files that every matrix cell installs, relative to REPO_ROOT.
# tests/emulator/requirements.txt is optional and used when it exists.
CELL_REQUIREMENT_FILES=(
    requirements.txt
    tests/integration/requirements.txt
    tests/emulator/requirements.txt
)
LINT_REQUIREMENT_FILES=(
    scripts/lint-requirements.txt
)
DOCS_REQUIREMENT_FILES=(
    scripts/docs-requirements.txt
)
EE_REQUIREMENT_FILES=(
    scripts/ee-requirements.txt
)
IMPORTER_REQUIREMENT_FILES=(
    scripts/importer-requirements.txt
)

log() {
    printf '%s\n' "$*" >&2
}

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

cell_names() {
    local line
    for line in "${MATRIX[@]}"; do
        printf '%s\n' "${line%% *}"
    done
}

# Print the matrix line of cell $1, or fail when the matrix has no such cell.
cell_line() {
    local line
    for line in "${MATRIX[@]}"; do
        if [[ ${line%% *} == "$1" ]]; then
            printf '%s\n' "$line"
            return 0
        fi
    done
    return 1
}

cell_python_version() {
    local python_version
    read -r _ python_version _ <<<"$(cell_line "$1")"
    printf '%s\n' "$python_version"
}

cell_requirement() {
    local requirement
    read -r _ _ requirement <<<"$(cell_line "$1")"
    printf '%s\n' "$requirement"
}

cell_venv() {
    printf '%s/core-%s\n' "$VENV_ROOT" "$1"
}

# Succeed when $1 runs and is Python version $2 (major.minor).
python_is_version() {
    [[ -n $1 ]] || return 1
    "$1" -c 'import sys; sys.exit(0 if "%d.%d" % sys.version_info[:2] == sys.argv[1] else 1)' "$2" \
        >/dev/null 2>&1
}

# Print the path of a working interpreter for Python version $1 (for example
# 3.12). pyenv shims for a version other than the active one fail unless
# PYENV_VERSION names an installed version, so ask pyenv for the real path of
# its newest matching installation first, then try python$1 on PATH.
find_python() {
    local version=$1 installed candidate
    if command -v pyenv >/dev/null 2>&1; then
        installed=$(pyenv versions --bare 2>/dev/null |
            grep -E "^${version//./\\.}\.[0-9]+$" | sort -V | tail -n 1 || true)
        if [[ -n $installed ]]; then
            candidate=$(PYENV_VERSION=$installed pyenv which "python$version" 2>/dev/null || true)
            if python_is_version "$candidate" "$version"; then
                printf '%s\n' "$candidate"
                return 0
            fi
        fi
    fi
    candidate=$(command -v "python$version" || true)
    if python_is_version "$candidate" "$version"; then
        printf '%s\n' "$candidate"
        return 0
    fi
    log "error: no working Python $version found: neither pyenv nor python$version on PATH gives one."
    log "Install Python $version (for example 'pyenv install $version') or put a working python$version on PATH."
    return 1
}

# Print a SHA-256 over everything a virtual environment is built from: the
# interpreter, the extra requirements given as arguments after the
# interpreter, and the names and contents of the requirement files in the
# array named by $1. A changed hash means the environment is out of date.
requirements_hash() {
    local -n files=$1
    local python=$2
    shift 2
    {
        printf 'python %s %s\n' "$python" "$("$python" -c 'import sys; print(sys.version)')"
        printf 'requirement %s\n' "$@"
        local file
        for file in "${files[@]}"; do
            if [[ -f $REPO_ROOT/$file ]]; then
                printf 'file %s\n' "$file"
                cat "$REPO_ROOT/$file"
            fi
        done
    } | sha256sum | cut -d ' ' -f 1
}
