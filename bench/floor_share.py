#!/usr/bin/env python3
"""How far a bundle's verification is from its signature floor (issue 9, BENCHMARKS.md item 35).

    bench/floor_share.py [--iterations N] [--frequency HZ] [--repeat K] RUNNER CASE [CASE ...]

RUNNER is a `perf_runner` build (`cargo build --release -p sigstore-verify --example
perf_runner`, with or without a backend feature). For each CASE (a, b, c, d of
../shared/perf-fixtures/cases.json, or SIGSTORE_SHARED_DIR), the runner verifies the case's
bundle N times (`perf_runner bench DIR N CASE`, default 3000) under `perf record -e cpu-clock
--call-graph dwarf`, and the samples taken inside `Verifier::verify_json` are split by whether
`PublicKey::verify` is on their stack. That function is the signature primitive: it hashes
the signed message and verifies one signature, with whatever the key has cached (comb tables
for trusted keys). Its share of the bundle is the bundle's own floor measured in place, with
the bundle's keys, messages and signatures; `ratio` (bundle / floor) is what the issue's
"within 1.2x of its own primitive floor" asks about. Everything else (JSON, base64, DER, the
Merkle proof's hashing, policy, allocation) is outside the floor.

Both sides are measured in the same process over the same seconds, so the ratio does not
follow the host's overall speed. It does follow the host's state in part (on the noisy Xeon
host the non-signature work, more memory-bound, slowed more than the field arithmetic in
slow spells), and carries the sampling error of a share (about +-0.5 % at 6,000 samples):
repeated runs of one binary there moved by up to 0.03 in the ratio (2026-11-26), so compare
builds over several alternating runs (`--repeat K` measures each case K times in a row and
prints the median and range of the ratios), or with callgrind's instruction counts.
Needs `perf` with call-graph support and a runner with debug information (the release
profile of this workspace keeps it).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

from fixtures import FIXTURES


BUNDLE_FRAME = "Verifier::verify_json"
FLOOR_FRAME = "PublicKey::verify"


def shares(perf_script_output: str) -> tuple[int, int]:
    """(samples inside the bundle's verification, those of them inside the floor)."""
    total = floor = 0
    for sample in perf_script_output.split("\n\n"):
        if BUNDLE_FRAME not in sample:
            continue
        total += 1
        if FLOOR_FRAME in sample:
            floor += 1
    return total, floor


def measure(runner: str, case: str, iterations: int, frequency: int) -> tuple[int, int]:
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        subprocess.run(
            ["perf", "record", "-q", "-F", str(frequency), "-e", "cpu-clock",
             "--call-graph", "dwarf,16384", "-o", data, "--",
             runner, "bench", str(FIXTURES), str(iterations), case],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        script = subprocess.run(
            ["perf", "script", "-i", data, "-F", "ip,sym"],
            check=True, capture_output=True, text=True).stdout
    return shares(script)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=3000)
    ap.add_argument("--frequency", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=1, help="measurements per case (default 1)")
    ap.add_argument("runner")
    ap.add_argument("cases", nargs="+")
    args = ap.parse_args()
    if not (FIXTURES / "cases.json").is_file():
        print(f"perf fixtures not found at {FIXTURES} (set SIGSTORE_SHARED_DIR)", file=sys.stderr)
        return 2
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    for case in args.cases:
        ratios = []
        for _ in range(args.repeat):
            total, floor = measure(args.runner, case, args.iterations, args.frequency)
            if total == 0 or floor == 0:
                print(f"case {case}: no samples inside {BUNDLE_FRAME} / {FLOOR_FRAME}; "
                      "is the runner built with debug information?", file=sys.stderr)
                return 1
            ratios.append(total / floor)
            print(f"case {case}: {total} samples, floor share {floor / total:.3f}, "
                  f"bundle / floor {total / floor:.3f}x")
        if args.repeat > 1:
            print(f"case {case}: median {statistics.median(ratios):.3f}x over {len(ratios)} "
                  f"runs ({min(ratios):.3f}-{max(ratios):.3f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
