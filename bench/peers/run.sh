#!/usr/bin/env bash
# Peer comparison in one run (issue 9): install the peers pinned, build ours with both
# backends, then run everything on the same fixtures, interleaved, and print ratios.
#
#   bench/peers/run.sh                  # everything (installs on first use)
#   ROUNDS=5 CASES="a d" bench/peers/run.sh
#
# Peers (pinned): sigstore-python 4.5.1 (pip, venv under target/peers), sigstore-js 5.0.1
# (npm ci from bench/peers/js/package-lock.json), sigstore-rust = crates.io sigstore-verify
# 0.15.1 with its aws-lc-rs backend (bench/peers/rust, its own workspace), sigstore-rs =
# crates.io sigstore 0.15.0 (bench/peers/rust-rs, its own workspace; it skips the SET,
# checkpoint and inclusion-proof checks, so its figures are shown but not like for like). A peer
# that cannot be installed or run is reported with its exact error and the others still run.
#
# Environment: SIGSTORE_SHARED_DIR (default ../shared next to the repository), PEERS_OUT
# (default target/peers), CARGO_TARGET_DIR (ours; default target), ROUNDS (3), CASES
# ("a b c d"), COLD (cold-process spawns per implementation, 20).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${SIGSTORE_SHARED_DIR:-$ROOT/../shared}
FIX=$SHARED/perf-fixtures
OUT=${PEERS_OUT:-$ROOT/target/peers}
OURS_TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
mkdir -p "$OUT/bin" "$OUT/logs"
[ -f "$FIX/cases.json" ] || { echo "perf fixtures not found at $FIX (set SIGSTORE_SHARED_DIR)"; exit 1; }

status() { echo "== $*" >&2; }
fail_note() { echo "$1" > "$OUT/logs/$2.error"; status "$2 unavailable: $(tail -n 3 "$1" 2>/dev/null || echo "$1")"; }
rm -f "$OUT"/logs/*.error

# --- ours, every backend -------------------------------------------------------------------
status "building ours (rustcrypto, ring, aws-lc)"
for backend in rustcrypto ring aws-lc; do
  feat=(); [ "$backend" != rustcrypto ] && feat=(--features "$backend")
  if (cd "$ROOT" && CARGO_TARGET_DIR="$OURS_TARGET" cargo build --release -q -p sigstore-verify \
        "${feat[@]}" --example perf_runner --example cold_verify) > "$OUT/logs/ours-$backend.log" 2>&1; then
    cp "$OURS_TARGET/release/examples/perf_runner" "$OUT/bin/ours-$backend-runner"
    cp "$OURS_TARGET/release/examples/cold_verify" "$OUT/bin/ours-$backend-cold"
  else
    fail_note "$OUT/logs/ours-$backend.log" "ours-$backend"
  fi
done

# --- the Rust peers, each a bench-only crate with its own workspace and Cargo.lock -----------
# build_rust_peer NAME CRATE_DIR BINARY: build bench/peers/CRATE_DIR into $OUT/NAME-target and
# copy BINARY to $OUT/bin/NAME-runner, or record the build log as NAME's error.
build_rust_peer() {
  status "building $1 peer"
  if CARGO_TARGET_DIR="$OUT/$1-target" cargo build --release -q \
       --manifest-path "$ROOT/bench/peers/$2/Cargo.toml" > "$OUT/logs/$1.log" 2>&1; then
    cp "$OUT/$1-target/release/$3" "$OUT/bin/$1-runner"
  else
    fail_note "$OUT/logs/$1.log" "$1"
  fi
}
# sigstore-rust: crates.io sigstore-verify 0.15.1 with aws-lc-rs.
build_rust_peer sigstore-rust rust sigstore-peer-bench-rust
# sigstore-rs: crates.io sigstore 0.15.0 (skips the SET, checkpoint and inclusion proof).
build_rust_peer sigstore-rs rust-rs sigstore-peer-bench-rs

# --- sigstore-python 4.5.1 -----------------------------------------------------------------
status "installing sigstore-python 4.5.1"
if [ ! -x "$OUT/venv/bin/python" ] || ! "$OUT/venv/bin/python" -c 'import sigstore, sys; sys.exit(sigstore.__version__ != "4.5.1")' 2>/dev/null; then
  { python3 -m venv "$OUT/venv" && "$OUT/venv/bin/pip" install -q "sigstore==4.5.1"; } \
    > "$OUT/logs/sigstore-python.log" 2>&1 || fail_note "$OUT/logs/sigstore-python.log" sigstore-python
fi

# --- sigstore-js 5 -------------------------------------------------------------------------
status "installing sigstore-js (package-lock.json)"
(cd "$ROOT/bench/peers/js" && npm ci --no-audit --no-fund) > "$OUT/logs/sigstore-js.log" 2>&1 \
  || fail_note "$OUT/logs/sigstore-js.log" sigstore-js

# --- the run -------------------------------------------------------------------------------
status "running (rounds=${ROUNDS:-3}, cases=${CASES:-a b c d})"
exec python3 "$ROOT/bench/peers/compare.py" --fixtures "$FIX" --out "$OUT" --root "$ROOT"
