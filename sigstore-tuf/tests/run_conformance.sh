#!/bin/sh
# Runs the public tuf-conformance suite (theupdateframework/tuf-conformance,
# fetched at run time, never vendored) against examples/conformance_client.rs.
# Needs: git, python3 (venv), faketime, network access to GitHub and PyPI.
# Usage: sigstore-tuf/tests/run_conformance.sh [git-ref]
set -eu
REF="${1:-main}"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${TUF_CONFORMANCE_DIR:-${TMPDIR:-/tmp}/tuf-conformance}"
TARGET="${CARGO_TARGET_DIR:-$HERE/../target}"
cargo build -p sigstore-tuf --features client --example conformance_client
if [ ! -d "$WORK/.git" ]; then
  git clone https://github.com/theupdateframework/tuf-conformance "$WORK"
fi
git -C "$WORK" checkout -q "$REF"
python3 -m venv "$WORK/env"
"$WORK/env/bin/pip" install -q -e "$WORK"
cd "$WORK"
"$WORK/env/bin/python" -m pytest tuf_conformance \
  --entrypoint "$TARGET/debug/examples/conformance_client" -q
