#!/usr/bin/env python3
"""Cold-process comparison of a few binaries alone (issue 9, BENCHMARKS.md "Cold process").

    bench/cold_pair.py [--fresh] [--before BIN] [--flush] SPAWNS NAME=BIN [NAME=BIN ...]

Each BIN is spawned SPAWNS times, all of them in a fresh random order every round, with
nothing else in between (unlike bench/peers/run.sh, where sigstore-python and sigstore-js run
between the native processes). A BIN whose name contains `sigstore-rust` is that peer's
runner, spawned as `cold-args` with case a (its embedded production root, like ours); another
BIN whose name contains `runner` is a peer runner spawned as `cold DIR a`; any other is a `cold_verify` build (spawned with case
a's bundle, artifact, identity and issuer). Prints, per binary, the median wall time and the
mean CPU time of the process (user + system, from wait4), and both as a ratio to the last
binary named. Fixtures come from ../shared/perf-fixtures (or SIGSTORE_SHARED_DIR).

With --before BIN (for example an empty Rust `main`), BIN is spawned, unmeasured, before
every measured process, so that each one follows the same program: a process that follows a
copy of itself (or of a near-identical build) starts faster than one that follows another
program, which otherwise favours whichever binaries resemble each other.

With --fresh, every binary (the --before one included) is first copied into a new temporary
directory and the copies are measured: how long a binary's file has sat in the page cache
moves its cold figure (2026-11-26 14:03-14:29 UTC, with --before: the same two binaries
measured 0.71-0.72x from copies made about 12 minutes earlier and 0.69x from copies just
made), so copies of the same age compare fairly. The directory is removed afterwards.

With --flush, the harness pins itself (and so every process it spawns) to one CPU and, before
every measured process, writes one byte in every 64-byte line of a buffer twice the size of
the largest CPU cache (bench/cacheflush.py; at least 64 MiB), so that the CPU caches hold
nothing of the previous processes: the coldest start a process can have with its files in the
page cache. Every process then costs more (2026-11-26 16:10 UTC: an empty Rust `main` 0.83 ->
1.23 ms), by about the same amount for every binary, which moves their ratios toward 1
(BENCHMARKS.md, items 32 and 33).
"""
import os
import random
import statistics
import sys
import time
from pathlib import Path

from cacheflush import CacheFlush
from fixtures import FIXTURES as fix, case as fixture_case

case = fixture_case("a")


def command(binary):
    if "sigstore-rust" in Path(binary).name:
        # Its embedded production root and the case on the command line, like cold_verify.
        return [binary, "cold-args", str(fix / case["bundle"]), str(fix / case["artifact"]), case["identity"], case["issuer"]]
    if "runner" in Path(binary).name:
        return [binary, "cold", str(fix), "a"]
    return [binary, str(fix / case["bundle"]), str(fix / case["artifact"]), case["identity"], case["issuer"]]


args = sys.argv[1:]
fresh = False
before = None
flush = None
while args[:1] and args[0].startswith("--"):
    if args[0] == "--fresh":
        fresh = True
        args = args[1:]
    elif args[0] == "--before" and len(args) > 1:
        before = args[1]
        args = args[2:]
        if not os.access(before, os.X_OK):
            sys.exit(f"--before {before}: not an executable file")
    elif args[0] == "--flush":
        flush = CacheFlush()
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        args = args[1:]
    else:
        sys.exit(__doc__)
if len(args) < 2:
    sys.exit(__doc__)
spawns = int(args[0])
binaries = [spec.split("=", 1) for spec in args[1:]]
for spec, pair in zip(args[1:], binaries):
    if len(pair) != 2 or not os.access(pair[1], os.X_OK):
        sys.exit(f"{spec}: expected NAME=BIN with BIN an executable file")
if fresh:
    import atexit
    import shutil
    import tempfile

    copies = tempfile.mkdtemp(prefix="cold_pair.")
    atexit.register(shutil.rmtree, copies, ignore_errors=True)

    def copy(binary, label):
        # The file name is kept (command() reads it), under a directory per binary.
        target = Path(copies) / label / Path(binary).name
        target.parent.mkdir()
        shutil.copy2(binary, target)
        return str(target)

    if before:
        before = copy(before, "before")
    binaries = [[name, copy(binary, f"{i}")] for i, (name, binary) in enumerate(binaries)]
    os.sync()
wall = {name: [] for name, _ in binaries}
cpu = {name: [] for name, _ in binaries}
order = list(binaries)
with open(os.devnull, "wb") as null:
    for _ in range(spawns):
        random.shuffle(order)
        for name, binary in order:
            cmd = command(binary)
            if before:
                pid = os.posix_spawn(before, [before], os.environ, file_actions=[
                    (os.POSIX_SPAWN_DUP2, null.fileno(), 1),
                    (os.POSIX_SPAWN_DUP2, null.fileno(), 2),
                ])
                os.waitpid(pid, 0)
            if flush is not None:
                flush()
            start = time.perf_counter()
            pid = os.posix_spawn(cmd[0], cmd, os.environ, file_actions=[
                (os.POSIX_SPAWN_DUP2, null.fileno(), 1),
                (os.POSIX_SPAWN_DUP2, null.fileno(), 2),
            ])
            _, status, usage = os.wait4(pid, 0)
            wall[name].append((time.perf_counter() - start) * 1e3)
            cpu[name].append((usage.ru_utime + usage.ru_stime) * 1e3)
            if status != 0:
                sys.exit(f"{name}: exit status {status} ({' '.join(cmd)})")
reference = binaries[-1][0]
ref_wall = statistics.median(wall[reference])
ref_cpu = statistics.mean(cpu[reference])
for name, _ in binaries:
    w = statistics.median(wall[name])
    c = statistics.mean(cpu[name])
    print(f"{name:16} wall {w:.3f} ms ({w / ref_wall:.3f}x)   cpu {c:.3f} ms ({c / ref_cpu:.3f}x)")
