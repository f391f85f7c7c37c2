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
# ("a b c d"), COLD (cold-process spawns per implementation, 20), COLD_HARNESS (`spawn`, the
# default: posix_spawn and wait4; `subprocess`: subprocess.run with captured output, the
# protocol before 2026-11-26 12:00 UTC, ~0.1 ms more per spawn for every implementation),
# COLD_ORDER (`grouped`, the default: the native binaries' cold spawns interleaved among
# themselves, sigstore-python's and sigstore-js's in a block of their own afterwards; `mixed`:
# all shuffled together, the protocol before 2026-11-26 14:00 UTC), COLD_FLUSH (1: the CPU
# caches flushed before every cold spawn, the harness pinned to one CPU meanwhile; default 0),
# BATCH_REPEATS (3: batch measurements per backend and case; the median speedup is shown).
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

# --- statically linked builds, for the cold-process figures only ----------------------------
# Process start is about half of a cold verification here; a statically linked binary skips the
# dynamic loader and libgcc_s. Ours (pure Rust and aws-lc) and sigstore-rust are each built both
# ways, so cold ratios compare like with like (compare.py). Linux glibc hosts only.
HOST=$(rustc -vV | sed -n 's/^host: //p')
STATIC_FLAGS="-C target-feature=+crt-static"
if [[ "$HOST" == *-linux-gnu ]]; then
  status "building ours statically linked (rustcrypto, aws-lc; cold process only)"
  for backend in rustcrypto aws-lc; do
    feat=(); [ "$backend" != rustcrypto ] && feat=(--features "$backend")
    if (cd "$ROOT" && RUSTFLAGS="$STATIC_FLAGS" CARGO_TARGET_DIR="$OURS_TARGET/static" cargo build \
          --release -q -p sigstore-verify --target "$HOST" "${feat[@]}" --example cold_verify) \
          > "$OUT/logs/ours-$backend-static.log" 2>&1; then
      cp "$OURS_TARGET/static/$HOST/release/examples/cold_verify" "$OUT/bin/ours-$backend-static-cold"
    else
      fail_note "$OUT/logs/ours-$backend-static.log" "ours-$backend-static"
    fi
  done
fi

# --- the Rust peers, each a bench-only crate with its own workspace and Cargo.lock -----------
# build_rust_peer NAME CRATE_DIR BINARY: build bench/peers/CRATE_DIR into $OUT/NAME-target and
# copy BINARY to $OUT/bin/NAME-runner, or record the build log as NAME's error.
# With STATIC=1 in its environment the binary is linked statically (NAME gets a -static suffix).
build_rust_peer() {
  local name=$1 built=release flags=(); [ "${STATIC:-}" = 1 ] && { name=$1-static; built=$HOST/release; flags=(--target "$HOST"); }
  status "building $name peer"
  if RUSTFLAGS="${STATIC:+$STATIC_FLAGS}" CARGO_TARGET_DIR="$OUT/$name-target" cargo build --release -q "${flags[@]}" \
       --manifest-path "$ROOT/bench/peers/$2/Cargo.toml" > "$OUT/logs/$name.log" 2>&1; then
    cp "$OUT/$name-target/$built/$3" "$OUT/bin/$name-runner"
  else
    fail_note "$OUT/logs/$name.log" "$name"
  fi
}
# sigstore-rust: crates.io sigstore-verify 0.15.1 with aws-lc-rs (and statically linked, for
# the cold-process comparison).
build_rust_peer sigstore-rust rust sigstore-peer-bench-rust
[[ "$HOST" == *-linux-gnu ]] && STATIC=1 build_rust_peer sigstore-rust rust sigstore-peer-bench-rust
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
