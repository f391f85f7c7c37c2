#!/usr/bin/env bash
# Run the official sigstore-conformance suite (verification cases, offline, --skip-signing)
# against target/release/conformance.
#
#   conformance/scripts/run-official-suite.sh [SUITE_CHECKOUT]
#
# SUITE_CHECKOUT (or $SIGSTORE_CONFORMANCE_DIR) is a checkout of
# https://github.com/sigstore/sigstore-conformance; without one, the suite is cloned at the
# commit the shared test data comes from into a temporary directory. Nothing of the suite is
# copied into this repository.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
COMMIT=a73de4970176d258e0154c530b89d20b89444e4d
SUITE="${1:-${SIGSTORE_CONFORMANCE_DIR:-}}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
if [ -z "$SUITE" ]; then
    git clone --quiet https://github.com/sigstore/sigstore-conformance "$WORK/suite"
    git -C "$WORK/suite" checkout --quiet "$COMMIT"
    SUITE="$WORK/suite"
fi
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
(cd "$ROOT" && cargo build --release -p conformance)
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet -r "$SUITE/requirements.txt"
cd "$SUITE"
PYTHONPATH="$ROOT/conformance/scripts" "$WORK/venv/bin/python" -m pytest -p offline_token \
    -p no:cacheprovider test --skip-signing --entrypoint "$TARGET/release/conformance" -q
