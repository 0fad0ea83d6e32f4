#!/usr/bin/env bash
# The README's first command: run a real playbook against the bundled
# GravityZone emulator, with no account needed.
#
# It builds the virtual environment of the newest matrix cell (see
# scripts/lib.sh), starts the emulator on a free loopback port with a freshly
# generated certificate authority, runs playbooks/demo.yml with the
# GRAVITYZONE_* variables pointing at it, and stops the emulator again.
# Actions advance on a clock (one status every DEMO_STEP_SECONDS, default 2).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DEMO_CELL=${DEMO_CELL:-$(cell_names | tail -n 1)}
DEMO_STEP_SECONDS=${DEMO_STEP_SECONDS:-2}
DEMO_DIR="$REPO_ROOT/build/demo"
COLLECTIONS="$DEMO_DIR/collections"

bash "$REPO_ROOT/scripts/bootstrap.sh" "$DEMO_CELL"
venv=$(cell_venv "$DEMO_CELL")

# ansible-core finds the collection through a symbolic link named the way it expects.
mkdir -p "$COLLECTIONS/ansible_collections/bitdefender"
ln -sfn "$REPO_ROOT" "$COLLECTIONS/ansible_collections/bitdefender/gravityzone"

state_dir="$DEMO_DIR/emulator"
rm -rf "$state_dir"
mkdir -p "$state_dir"
"$venv/bin/python" "$REPO_ROOT/tests/emulator/gravityzone_emulator.py" --state-dir "$state_dir" \
    --progress clock --step-seconds "$DEMO_STEP_SECONDS" >"$DEMO_DIR/emulator.log" 2>&1 &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true' EXIT

for _ in $(seq 100); do
    [[ -f $state_dir/emulator.json ]] && break
    kill -0 "$emulator_pid" 2>/dev/null || die "the emulator did not start; see $DEMO_DIR/emulator.log"
    sleep 0.1
done
[[ -f $state_dir/emulator.json ]] || die "the emulator did not start within 10 seconds; see $DEMO_DIR/emulator.log"
base_url=$("$venv/bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["url"])' "$state_dir/emulator.json")
log "Emulator running at $base_url (log: ${DEMO_DIR#"$REPO_ROOT"/}/emulator.log)"

# The key is the emulator's built-in demo key; it is no real credential.
export GRAVITYZONE_BASE_URL=$base_url
export GRAVITYZONE_API_KEY=gz-demo-key-incidents
export GRAVITYZONE_CA_PATH=$state_dir/ca.pem
export ANSIBLE_COLLECTIONS_PATH=$COLLECTIONS
export ANSIBLE_NOCOLOR=${ANSIBLE_NOCOLOR:-1}
"$venv/bin/ansible-playbook" -i localhost, -c local "$REPO_ROOT/playbooks/demo.yml" "$@"
