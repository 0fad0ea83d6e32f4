#!/usr/bin/env bash
# Create or update the virtual environments under .venv/ that scripts/test.sh
# runs in: .venv/core-<cell> for each matrix cell in scripts/lib.sh, with its
# pinned ansible-core and the test requirement files, .venv/lint with
# ansible-lint, and the release tools in .venv/docs, .venv/ee and
# .venv/importer.
#
# Usage: bash scripts/bootstrap.sh [CELL|lint|docs|ee|importer]...
# Without arguments it prepares every environment.
#
# An environment is reused while the hash stored in it matches its
# interpreter and requirement files. Otherwise it is deleted and rebuilt.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HASH_FILE_NAME=.requirements.sha256

usage() {
    cat <<EOF
Usage: bash scripts/bootstrap.sh [CELL|lint|docs|ee|importer]...

Create or update the virtual environments that scripts/test.sh uses.
CELL is one of: $(cell_names | tr '\n' ' ')
'lint' is the ansible-lint environment, 'docs' the changelog and docsite
tools, 'ee' ansible-builder and 'importer' galaxy-importer.
Without arguments, all of them.
EOF
}

# Build (or keep) the virtual environment $1 on Python version $2.
# $3 names the array of requirement files; further arguments are extra
# requirements such as the pinned ansible-core.
ensure_venv() {
    local venv=$1 python_version=$2 files_name=$3
    shift 3
    local -n requirement_files=$files_name
    local python wanted_hash current_hash='' file
    local -a pip_args=()

    python=$(find_python "$python_version")
    wanted_hash=$(requirements_hash "$files_name" "$python" "$@")
    if [[ -f $venv/$HASH_FILE_NAME ]]; then
        current_hash=$(<"$venv/$HASH_FILE_NAME")
    fi
    if [[ $current_hash == "$wanted_hash" ]] && python_is_version "$venv/bin/python" "$python_version"; then
        log "Reusing ${venv#"$REPO_ROOT"/} (requirements unchanged)."
        return 0
    fi

    log "Building ${venv#"$REPO_ROOT"/} with $python ..."
    rm -rf "$venv"
    if ! "$python" -m venv "$venv"; then
        die "'$python -m venv' failed. On Debian and Ubuntu the venv module needs the python3-venv package."
    fi

    for file in "${requirement_files[@]}"; do
        if [[ -f $REPO_ROOT/$file ]]; then
            pip_args+=(--requirement "$REPO_ROOT/$file")
        fi
    done
    pip_args+=("$@")

    # The hash is written only after a successful install, so an interrupted
    # or failed install is rebuilt on the next run.
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${pip_args[@]}"
    printf '%s\n' "$wanted_hash" >"$venv/$HASH_FILE_NAME"
    log "Built ${venv#"$REPO_ROOT"/}."
}

main() {
    local -a targets=()
    local target

    for target in "$@"; do
        case $target in
            -h | --help)
                usage
                return 0
                ;;
            lint | docs | ee | importer)
                targets+=("$target")
                ;;
            *)
                cell_line "$target" >/dev/null ||
                    die "unknown cell '$target'; expected one of: $(cell_names | tr '\n' ' ')or lint, docs, ee, importer"
                targets+=("$target")
                ;;
        esac
    done
    if ((${#targets[@]} == 0)); then
        mapfile -t targets < <(cell_names)
        targets+=(lint docs ee importer)
    fi

    mkdir -p "$VENV_ROOT"
    for target in "${targets[@]}"; do
        case $target in
            lint)
                ensure_venv "$LINT_VENV" "$LINT_PYTHON_VERSION" LINT_REQUIREMENT_FILES
                ;;
            docs)
                ensure_venv "$DOCS_VENV" "$TOOLS_PYTHON_VERSION" DOCS_REQUIREMENT_FILES
                ;;
            ee)
                ensure_venv "$EE_VENV" "$TOOLS_PYTHON_VERSION" EE_REQUIREMENT_FILES
                ;;
            importer)
                ensure_venv "$IMPORTER_VENV" "$TOOLS_PYTHON_VERSION" IMPORTER_REQUIREMENT_FILES
                ;;
            *)
                ensure_venv "$(cell_venv "$target")" "$(cell_python_version "$target")" \
                    CELL_REQUIREMENT_FILES "$(cell_requirement "$target")"
                ;;
        esac
    done
}

main "$@"
