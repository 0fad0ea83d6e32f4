# shellcheck shell=bash
# The stages of scripts/test.sh that check the collection as it is released,
# once for all matrix cells: changelog, docs, ee and artifact. Source this
# file from scripts/test.sh, which defines STAGED_ROOT, log and the
# environment paths of scripts/lib.sh.

RELEASE_BUILD_DIR="$REPO_ROOT/build/release"

# Files that only serve development and must stay out of the artifact,
# as path prefixes inside it. galaxy.yml's build_ignore leaves them out.
ARTIFACT_FORBIDDEN_PREFIXES=(
    .ansible/ .ansible-lint .ci/ .gitignore .venv/ .pytest_cache/ benchmarks/ build/ scripts/
    changelogs/fragments/ changelogs/.plugin-cache.yaml docs/docsite/sphinx/
    playbooks/demo.yml tests/benchmarks/ tests/emulator/ tests/integration/ tests/output/
)
# Files that users, ansible-builder and Automation Hub read from the artifact.
ARTIFACT_REQUIRED_FILES=(
    MANIFEST.json FILES.json README.md CHANGELOG.rst changelogs/changelog.yaml
    meta/runtime.yml meta/execution-environment.yml requirements.txt
    docs/docsite/extra-docs.yml extensions/awx/credential_type.yml
)

# Build the artifact from the staged collection into folder $2 with the
# ansible-galaxy of virtual environment $1, and print its path.
build_artifact() {
    local venv=$1 output_dir=$2
    rm -rf "$output_dir"
    mkdir -p "$output_dir"
    (cd "$STAGED_ROOT" && "$venv/bin/ansible-galaxy" collection build --output-path "$output_dir" >&2)
    local -a artifacts=("$output_dir"/bitdefender-gravityzone-*.tar.gz)
    [[ -f ${artifacts[0]} ]] || {
        log "error: ansible-galaxy collection build wrote no artifact to $output_dir."
        return 1
    }
    printf '%s\n' "${artifacts[0]}"
}

# Install artifact $2 into folder $3 with the ansible-galaxy of virtual
# environment $1. The collection has no dependencies, and --offline keeps
# ansible-galaxy from asking a Galaxy server about any.
install_artifact() {
    local venv=$1 artifact=$2 collections_dir=$3
    rm -rf "$collections_dir"
    mkdir -p "$collections_dir"
    "$venv/bin/ansible-galaxy" collection install --offline -p "$collections_dir" "$artifact" >&2
}

stage_changelog() {
    cd "$STAGED_ROOT"
    "$DOCS_VENV/bin/antsibull-changelog" lint

    # CHANGELOG.rst must be what changelogs/changelog.yaml renders to.
    local committed="$RELEASE_BUILD_DIR/CHANGELOG.rst.committed"
    mkdir -p "$RELEASE_BUILD_DIR"
    cp CHANGELOG.rst "$committed"
    PATH="$DOCS_VENV/bin:$PATH" "$DOCS_VENV/bin/antsibull-changelog" generate
    if ! diff -u "$committed" CHANGELOG.rst; then
        log "error: CHANGELOG.rst differs from what changelogs/changelog.yaml renders to (diff above)."
        log "Run '.venv/docs/bin/antsibull-changelog generate' and commit CHANGELOG.rst."
        return 1
    fi
}

stage_docs() {
    cd "$STAGED_ROOT"
    PATH="$DOCS_VENV/bin:$PATH" "$DOCS_VENV/bin/antsibull-docs" lint-collection-docs --plugin-docs .
    bash "$REPO_ROOT/scripts/build-docs.sh"
}

# Check the collection's ansible-builder metadata: introspect must find
# requests in the installed artifact, and create must write a build context
# for an execution environment that installs the artifact. No image is built,
# because that needs a container engine.
stage_ee() {
    local dir="$RELEASE_BUILD_DIR/ee" artifact
    artifact=$(build_artifact "$EE_VENV" "$dir/artifact")
    install_artifact "$EE_VENV" "$artifact" "$dir/collections"

    "$EE_VENV/bin/ansible-builder" introspect --sanitize --write-pip "$dir/requirements.txt" "$dir/collections"
    if ! grep -Eq '^requests>=2\.25\.0 +# from collection bitdefender\.gravityzone$' "$dir/requirements.txt"; then
        log "error: ansible-builder introspect did not find requests>=2.25.0 from bitdefender.gravityzone."
        log "Check meta/execution-environment.yml and requirements.txt, and that build_ignore keeps both."
        return 1
    fi

    # ansible-builder copies the artifact into the context's _build folder,
    # which the image build copies to /build.
    mkdir -p "$dir/definition"
    cat >"$dir/definition/requirements.yml" <<YAML
---
collections:
  - name: /build/collections/${artifact##*/}
    type: file
YAML
    cat >"$dir/definition/execution-environment.yml" <<YAML
---
version: 3
dependencies:
  ansible_core:
    package_pip: ansible-core
  ansible_runner:
    package_pip: ansible-runner
  galaxy: requirements.yml
additional_build_files:
  - src: $artifact
    dest: collections
YAML
    "$EE_VENV/bin/ansible-builder" create --file "$dir/definition/execution-environment.yml" \
        --context "$dir/context" --output-filename Containerfile -v 2

    local expected
    for expected in Containerfile _build/requirements.yml "_build/collections/${artifact##*/}" _build/scripts/introspect.py; do
        if [[ ! -f $dir/context/$expected ]]; then
            log "error: ansible-builder create wrote no $expected into ${dir#"$REPO_ROOT"/}/context."
            return 1
        fi
    done
    log "ansible-builder wrote the build context ${dir#"$REPO_ROOT"/}/context; no image was built."
}

# Print the files of artifact $1 that match ARTIFACT_FORBIDDEN_PREFIXES.
forbidden_artifact_files() {
    local file prefix
    while IFS= read -r file; do
        file=${file#./}
        for prefix in "${ARTIFACT_FORBIDDEN_PREFIXES[@]}"; do
            if [[ $file == "$prefix"* ]]; then
                printf '%s\n' "$file"
            fi
        done
    done < <(tar -tzf "$1")
}

check_artifact_contents() {
    local artifact=$1 forbidden file listing
    listing=$(tar -tzf "$artifact")
    forbidden=$(forbidden_artifact_files "$artifact")
    if [[ -n $forbidden ]]; then
        log "error: the artifact contains development files; add them to build_ignore in galaxy.yml:"
        log "$forbidden"
        return 1
    fi
    for file in "${ARTIFACT_REQUIRED_FILES[@]}"; do
        if ! grep -qxF -e "$file" -e "./$file" <<<"$listing"; then
            log "error: the artifact lacks $file; check build_ignore in galaxy.yml."
            return 1
        fi
    done
}

# Run galaxy-importer on artifact $1 with its ansible-test step off (with it
# on, it needs a container engine and still exits 0 when that fails).
# galaxy-importer exits 0 after warnings too, so its log is read: any
# WARNING or ERROR line fails the stage.
run_galaxy_importer() {
    local artifact=$1 dir=$2 status
    mkdir -p "$dir"
    cat >"$dir/galaxy-importer.cfg" <<CFG
[galaxy-importer]
RUN_ANSIBLE_TEST = False
RUN_ANSIBLE_LINT = True
LOG_LEVEL_MAIN = INFO
CFG
    # galaxy-importer writes importer_result.json into the working folder.
    set +e
    (cd "$dir" && GALAXY_IMPORTER_CONFIG="$dir/galaxy-importer.cfg" PATH="$IMPORTER_VENV/bin:$PATH" \
        "$IMPORTER_VENV/bin/python" -m galaxy_importer.main "$artifact" >"$dir/importer.log" 2>&1)
    status=$?
    set -e
    grep -v '^Loading ' "$dir/importer.log" >&2 || true

    if ((status != 0)); then
        log "error: galaxy-importer exited with status $status; its log is ${dir#"$REPO_ROOT"/}/importer.log."
        return 1
    fi
    if grep -Eq '^(WARNING|ERROR)' "$dir/importer.log"; then
        log "error: galaxy-importer reported the warnings or errors above."
        return 1
    fi
    if ! grep -q '^Importer processing completed successfully' "$dir/importer.log"; then
        log "error: galaxy-importer did not report a completed import; see ${dir#"$REPO_ROOT"/}/importer.log."
        return 1
    fi
}

# Run ansible-doc on every module and plugin of the collection installed in
# folder $1, and check that it reads each from there.
check_installed_plugins() {
    local collections_dir=$1 plugin_dir plugin_type file name doc_file count=0
    local installed="$collections_dir/ansible_collections/bitdefender/gravityzone"
    for plugin_dir in "$installed"/plugins/*/; do
        plugin_type=$(basename "$plugin_dir")
        case $plugin_type in
            module_utils | doc_fragments) continue ;;
            modules) plugin_type=module ;;
        esac
        for file in "$plugin_dir"*.py; do
            name=$(basename "$file" .py)
            [[ $name == __init__ ]] && continue
            doc_file=$(ANSIBLE_COLLECTIONS_PATH="$collections_dir" "$IMPORTER_VENV/bin/ansible-doc" --json \
                -t "$plugin_type" "bitdefender.gravityzone.$name" |
                "$IMPORTER_VENV/bin/python" -c 'import json, sys; print(next(iter(json.load(sys.stdin).values()))["doc"]["filename"])')
            if [[ $doc_file != "$installed"/* ]]; then
                log "error: ansible-doc read $plugin_type bitdefender.gravityzone.$name from $doc_file, not from $installed."
                return 1
            fi
            log "ansible-doc -t $plugin_type bitdefender.gravityzone.$name: read from the installed artifact."
            count=$((count + 1))
        done
    done
    if ((count == 0)); then
        log "error: found no plugins in $installed."
        return 1
    fi
}

# Build the Galaxy artifact, check what it contains, import it with
# galaxy-importer, install it into a fresh folder and load every plugin
# from there.
stage_artifact() {
    local dir="$RELEASE_BUILD_DIR/artifact" artifact
    artifact=$(build_artifact "$IMPORTER_VENV" "$dir/dist")
    log "Built ${artifact#"$REPO_ROOT"/}."
    check_artifact_contents "$artifact"
    run_galaxy_importer "$artifact" "$dir/importer"
    install_artifact "$IMPORTER_VENV" "$artifact" "$dir/collections"
    check_installed_plugins "$dir/collections"
}
