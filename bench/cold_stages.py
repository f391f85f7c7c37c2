#!/usr/bin/env python3
"""Split the cold-process time of `cold_verify` into stages (issue 9, BENCHMARKS.md).

    bench/cold_stages.py BIN [PEER_RUNNER] [SPAWNS]

BIN is a `cold_verify` build (`cargo build --release -p sigstore-verify --example cold_verify
[--features aws-lc]`); PEER_RUNNER optionally the sigstore-rust runner built by
bench/peers/run.sh (target/peers/bin/sigstore-rust-runner), spawned as `cold-args` with case
a's bundle, artifact, identity and issuer (its embedded production root, like ours). Each stage
is a separate process stopped by COLD_VERIFY_STOP_AFTER; spawns are interleaved and the median
is printed. Fixtures come from ../shared/perf-fixtures (or SIGSTORE_SHARED_DIR).
"""
import os
import statistics
import subprocess
import sys
import time

from fixtures import FIXTURES as fix, case as fixture_case

case = fixture_case("a")
binary = sys.argv[1]
args = [binary, str(fix / case["bundle"]), str(fix / case["artifact"]), case["identity"], case["issuer"]]
runs = {stage: (args, {"COLD_VERIFY_STOP_AFTER": stage}) for stage in ("start", "load", "build", "parse")}
runs["verify"] = (args, {})
if len(sys.argv) > 2 and sys.argv[2]:
    # Its embedded production root and the case on the command line, like cold_verify.
    runs["sigstore-rust"] = ([sys.argv[2], "cold-args"] + args[1:], {})
spawns = int(sys.argv[3]) if len(sys.argv) > 3 else 60
times = {k: [] for k in runs}
for _ in range(spawns):
    for name, (cmd, env) in runs.items():
        t = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, env={**os.environ, **env})
        times[name].append((time.perf_counter() - t) * 1e3)
        if r.returncode != 0:
            sys.exit(f"{name}: exit {r.returncode}: {r.stderr.decode()[-500:]}")
prev = None
for name, v in times.items():
    m = statistics.median(v)
    step = f"  (+{m - prev:.3f})" if prev is not None and name != "sigstore-rust" else ""
    print(f"{name:14} {m:7.3f} ms{step}")
    if name != "sigstore-rust":
        prev = m
