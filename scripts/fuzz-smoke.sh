#!/usr/bin/env bash
# Fuzz smoke check: builds every cargo-fuzz target in fuzz/ and runs each one briefly over a
# seed corpus extracted at run time from the shared conformance data (never committed).
#
# Only a stable toolchain is needed: cargo-fuzz passes nightly-only flags (-Zsanitizer,
# -Cpasses=sancov-module), which stable rustc accepts under RUSTC_BOOTSTRAP=1.
#
#   scripts/fuzz-smoke.sh                 # build + every target for FUZZ_SECONDS (default 10) each
#   FUZZ_SECONDS=600 scripts/fuzz-smoke.sh   # long run (10 minutes per target)
#   FUZZ_TARGETS="verify_bundle jwt" scripts/fuzz-smoke.sh
#   FUZZ_SANITIZER=address scripts/fuzz-smoke.sh   # ASan (slower build and run; default: none,
#                                                  # all crates are #![forbid(unsafe_code)])
#
# Run one target by hand, long, two cores:
#   cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run verify_bundle --fuzz-dir . -- \
#       -max_total_time=3600 -rss_limit_mb=2048 -timeout=10 -max_len=65536 -jobs=2 -workers=2
# A crash is written to fuzz/artifacts/<target>/; reproduce with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run <target> --fuzz-dir . fuzz/artifacts/<target>/crash-...
# Coverage report: RUSTC_BOOTSTRAP=1 cargo fuzz coverage <target> --fuzz-dir .
#
# Cost: about 230 CPU-seconds for the build (release, sanitizer none) plus 11 targets x 10 s;
# about 4-5 minutes on two idle cores (9.5 minutes measured on a loaded shared machine), plus
# about 2 minutes the first time to install cargo-fuzz.
#
# Shared data: SIGSTORE_SHARED_DIR (default ../shared). Missing data fails under CI=true and
# otherwise only seeds from the repository's embedded trust material.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
export RUSTC_BOOTSTRAP=1
export SIGSTORE_SHARED_DIR="${SIGSTORE_SHARED_DIR:-$(cd .. && pwd)/../shared}"
SECONDS_EACH="${FUZZ_SECONDS:-10}"
SANITIZER="${FUZZ_SANITIZER:-none}"
TARGETS="${FUZZ_TARGETS:-bundle_json trusted_root signing_config checkpoint certificate rfc3161 rekor_body jwt tuf_metadata base64_codec verify_bundle}"

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2

if [ ! -d "$SIGSTORE_SHARED_DIR/sigstore-conformance" ]; then
    if [ "${CI:-}" = "true" ]; then
        echo "shared test data not found at $SIGSTORE_SHARED_DIR (set SIGSTORE_SHARED_DIR); required under CI" >&2
        exit 1
    fi
    echo "notice: shared test data not found at $SIGSTORE_SHARED_DIR; seeding from embedded trust material only"
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
python3 seed_corpus.py "$SIGSTORE_SHARED_DIR" "$WORK/corpus"

echo "== cargo fuzz build (sanitizer: $SANITIZER)"
cargo fuzz build --fuzz-dir . --sanitizer "$SANITIZER"
TRIPLE="$(rustc -vV | sed -n 's/^host: //p')"
BIN="${CARGO_TARGET_DIR:-target}/$TRIPLE/release"

status=0
for t in $TARGETS; do
    mkdir -p "$WORK/corpus/$t" "$WORK/artifacts/$t"
    if "$BIN/$t" "$WORK/corpus/$t" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 \
        -timeout=10 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$WORK/artifacts/$t/" >"$WORK/$t.log" 2>&1; then
        stats="$(grep -E 'stat::number_of_executed_units' "$WORK/$t.log" | awk '{print $2}')"
        cov="$(grep -E '^#[0-9]+.*cov:' "$WORK/$t.log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+')"
        echo "ok   $t: ${stats:-?} execs, $cov"
    else
        status=1
        echo "FAIL $t (log below; crashing input kept in fuzz/artifacts/$t/)"
        tail -n 40 "$WORK/$t.log"
        mkdir -p "artifacts/$t"
        cp "$WORK/artifacts/$t/"* "artifacts/$t/" 2>/dev/null || true
    fi
done
exit $status
