"""Runs ours and the peers on the same fixtures, interleaved, and prints ratios.

Called by run.sh (which installs and builds everything first). Every runner speaks the same
protocol: `bench DIR ITERATIONS CASE...`, `load DIR ITERATIONS`, `cold DIR CASE` (ours:
`cold_verify BUNDLE ARTIFACT IDENTITY ISSUER` with the embedded trusted root) and prints one
JSON line per measurement. Rounds rotate the order of the implementations; the figure kept
per implementation and case is the median of the per-round medians.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from cacheflush import CacheFlush  # noqa: E402  (bench/cacheflush.py)

p = argparse.ArgumentParser()
p.add_argument("--fixtures", required=True)
p.add_argument("--out", required=True)
p.add_argument("--root", required=True)
a = p.parse_args()
fix, out, root = Path(a.fixtures), Path(a.out), Path(a.root)
rounds = int(os.environ.get("ROUNDS", "3"))
cases = os.environ.get("CASES", "a b c d").split()
cold_n = int(os.environ.get("COLD", "20"))
bin_ = out / "bin"

# name -> (command prefix, iterations per case per round)
impls = {
    "ours-rustcrypto": ([str(bin_ / "ours-rustcrypto-runner")], 300),
    "ours-ring": ([str(bin_ / "ours-ring-runner")], 300),
    "ours-aws-lc": ([str(bin_ / "ours-aws-lc-runner")], 300),
    "sigstore-rust-0.15.1": ([str(bin_ / "sigstore-rust-runner")], 300),
    # sigstore-rs skips the SET, checkpoint and inclusion-proof checks: not like for like.
    "sigstore-rs-0.15.0": ([str(bin_ / "sigstore-rs-runner")], 300),
    "sigstore-python-4.5.1": ([str(out / "venv/bin/python"), str(root / "bench/peers/python/runner.py")], 60),
    "sigstore-js-5": (["node", str(root / "bench/peers/js/runner.mjs")], 20),
}
errors = {}
for name, (cmd, _) in list(impls.items()):
    if not Path(cmd[0]).exists() and cmd[0] != "node":
        errors[name] = f"not installed: {cmd[0]} (see {out}/logs)"
        del impls[name]
for f in (out / "logs").glob("*.error"):
    errors.setdefault(f.stem, (Path(f.read_text().strip()).read_text()[-2000:]
                               if Path(f.read_text().strip()).exists() else f.read_text()))


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    lines = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    if r.returncode != 0 and not lines:
        raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()[-1500:]}")
    return lines


per = {}  # (impl, case) -> [median per round]
names = list(impls)
for rnd in range(rounds):
    order = names[rnd % len(names):] + names[: rnd % len(names)]
    for name in order:
        cmd, iters = impls[name]
        try:
            for rec in run(cmd + ["bench", str(fix), str(iters)] + cases) + run(cmd + ["load", str(fix), str(iters)]):
                if "error" in rec:
                    errors[f"{name} {rec['case']}"] = rec["error"]
                else:
                    per.setdefault((name, rec["case"]), []).append(rec["median_us"])
        except Exception as e:  # keep the others running
            errors[name] = str(e)
    print(f"round {rnd + 1}/{rounds} done", file=sys.stderr)

# Cold process: start, load the trust root, verify case a once; spawns interleaved.
case_a = next(c for c in json.loads((fix / "cases.json").read_text()) if c["id"].startswith("a"))
args_a = [str(fix / case_a["bundle"]), str(fix / case_a["artifact"]), case_a["identity"], case_a["issuer"]]
cold_cmds = {}
for name, (cmd, _) in impls.items():
    if name.startswith("ours-"):
        cold_cmds[name] = [str(bin_ / (name + "-cold"))] + args_a
    elif name.startswith("sigstore-rust"):
        # Like ours: its embedded production root, the case on the command line (`cold DIR
        # CASE` also reads cases.json and the fixture root: ~50 µs more, 2026-11-26).
        cold_cmds[name] = cmd + ["cold-args"] + args_a
    else:
        cold_cmds[name] = cmd + ["cold", str(fix), "a"]
# Statically linked builds (run.sh, Linux glibc only): cold process only.
for name in ("ours-rustcrypto", "ours-aws-lc"):
    b = bin_ / f"{name}-static-cold"
    if b.exists():
        cold_cmds[f"{name}-static"] = [str(b)] + args_a
if (bin_ / "sigstore-rust-static-runner").exists():
    cold_cmds["sigstore-rust-0.15.1-static"] = [str(bin_ / "sigstore-rust-static-runner"), "cold-args"] + args_a
cold = {n: [] for n in cold_cmds}
cold_cpu = {n: [] for n in cold_cmds}
names = list(cold_cmds)
order = random.Random(9)
# COLD_HARNESS=subprocess times each spawn as `subprocess.run(..., capture_output=True)`, the
# protocol before 2026-11-26 12:00 UTC: Python's pipe set-up and reading add ~0.1 ms to every
# implementation's figure. The default, like bench/cold_pair.py, is posix_spawn with output to
# /dev/null and wait4 (the process's CPU time comes with it); a failing spawn is rerun once
# with its output captured, for the error report.
harness = os.environ.get("COLD_HARNESS", "spawn")
if harness not in ("spawn", "subprocess"):
    sys.exit(f"COLD_HARNESS={harness}: expected spawn or subprocess")
#
# COLD_ORDER: `grouped` (the default since 2026-11-26 14:00 UTC) spawns the native binaries
# (ours, sigstore-rust, sigstore-rs) in a fresh random order every round with nothing else in
# between, and sigstore-python and sigstore-js afterwards in a block of their own: a process
# started right after one of them exits (hundreds of MB freed) runs ~0.2-0.4 ms slower, an
# amount that has nothing to do with the implementation measured and that, added to both
# sides, pulls every ratio towards 1. `mixed` shuffles all of them together every round (the
# protocol before).
cold_order = os.environ.get("COLD_ORDER", "grouped")
if cold_order not in ("grouped", "mixed"):
    sys.exit(f"COLD_ORDER={cold_order}: expected grouped or mixed")
# COLD_FLUSH=1: before every cold spawn the harness, pinned to one CPU for the cold phase (so
# are the processes it spawns), writes every 64-byte line of a buffer twice the size of the
# largest CPU cache (bench/cacheflush.py, at least 64 MiB), so that the CPU caches hold nothing
# of the previous processes (BENCHMARKS.md item 32: the coldest start, which costs every
# process more and moves the ratios toward 1). Default: off.
cold_flush = os.environ.get("COLD_FLUSH", "0")
if cold_flush not in ("0", "1"):
    sys.exit(f"COLD_FLUSH={cold_flush}: expected 0 or 1")
flush_buffer = CacheFlush() if cold_flush == "1" else None
affinity = os.sched_getaffinity(0)
if flush_buffer is not None:
    os.sched_setaffinity(0, {min(affinity)})
interpreted = [n for n in names if n.startswith(("sigstore-python", "sigstore-js"))]
native = [n for n in names if n not in interpreted]
groups = [names] if cold_order == "mixed" else [native, interpreted]
# cold_round[name][i]: spawn round i's wall time, for the paired ratios printed below.
cold_round = {n: {} for n in cold_cmds}
null = os.open(os.devnull, os.O_WRONLY)
for group, i in [(g, i) for g in groups for i in range(cold_n)]:
    # A fresh order every spawn round (rotating would keep each one's predecessor).
    order.shuffle(group)
    for name in group:
        cmd = cold_cmds[name]
        if flush_buffer is not None:
            flush_buffer()
        if harness == "subprocess":
            t = time.perf_counter()
            r = subprocess.run(cmd, capture_output=True, text=True)
            dt = (time.perf_counter() - t) * 1e3
            if r.returncode != 0:
                errors[f"{name} cold"] = r.stderr.strip()[-1500:]
                continue
            cold[name].append(dt)
            cold_round[name][i] = dt
            continue
        t = time.perf_counter()
        pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=[
            (os.POSIX_SPAWN_DUP2, null, 1),
            (os.POSIX_SPAWN_DUP2, null, 2),
        ])
        _, status, usage = os.wait4(pid, 0)
        dt = (time.perf_counter() - t) * 1e3
        if status != 0:
            r = subprocess.run(cmd, capture_output=True, text=True)
            errors[f"{name} cold"] = f"exit status {status}: " + r.stderr.strip()[-1500:]
            continue
        cold[name].append(dt)
        cold_round[name][i] = dt
        cold_cpu[name].append((usage.ru_utime + usage.ru_stime) * 1e3)
os.close(null)
os.sched_setaffinity(0, affinity)
flush_buffer = None

# Batch throughput (ours): verify_json_batch on all cores vs one thread. Each `perf_runner
# batch` run times adjacent pairs of passes over 400 bundles (how many pairs: its `pairs`
# field) and reports the median of the pairs' ratios; a burst of load from outside (this VM's neighbours) can still halve a whole
# run, so BATCH_REPEATS (3) rounds go over all implementations and cases, and the run with the
# median speedup is kept for each.
batch_runs = {}
for _ in range(int(os.environ.get("BATCH_REPEATS", "3"))):
    for name in [n for n in impls if n.startswith("ours-")]:
        for c in ("a", "d"):
            try:
                rec = run(impls[name][0] + ["batch", str(fix), "400", c])[0]
                batch_runs.setdefault((name, c), []).append(rec)
            except Exception as e:
                errors[f"{name} batch {c}"] = str(e)
batch = {}
for key, recs in batch_runs.items():
    recs.sort(key=lambda rec: rec["speedup"])
    batch[key] = dict(recs[len(recs) // 2], speedups=[rec["speedup"] for rec in recs])

med = {k: statistics.median(v) for k, v in per.items()}
case_ids = sorted({k[1] for k in med})
ref = "sigstore-rust-0.15.1"
print()
print(f"machine: nproc={os.cpu_count()}; rounds={rounds}; per-bundle median (parse + verify, trust root loaded once), us")
print()
ours_names = [n for n in ("ours-aws-lc", "ours-ring", "ours-rustcrypto") if n in impls]
print("| case | " + " | ".join(impls) + " | " + " | ".join(f"{o} / sigstore-rust" for o in ours_names) + " |")
print("|---|" + "---|" * (len(impls) + len(ours_names)))
for c in case_ids:
    cells = [f"{med[(n, c)]:.0f}" if (n, c) in med else "n/a" for n in impls]
    ratios = []
    for ours in ours_names:
        if (ours, c) in med and (ref, c) in med:
            ratios.append(f"{med[(ours, c)] / med[(ref, c)]:.2f}x")
        else:
            ratios.append("n/a")
    print(f"| {c} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
print()
print(f"cold process (start, load trust root, verify case a once), median wall ms over {cold_n} spawns ({harness} harness, {cold_order} order{', CPU caches flushed before each spawn' if cold_flush == '1' else ''});")
print("ratios against sigstore-rust linked the same way (-static: both statically linked), as the ratio of")
print("the medians and, after 'paired', as the median and quartiles of the per-round ratios:")
for n, v in cold.items():
    if v:
        extra = ""
        r = ref + "-static" if n.endswith("-static") else ref
        if r in cold and cold[r] and n != r:
            extra = f"  ({statistics.median(v) / statistics.median(cold[r]):.2f}x {r}"
            # Only processes spawned in the same rounds pair up (not across COLD_ORDER's groups).
            same_group = cold_order == "mixed" or ((n in native) == (r in native))
            pairs = [cold_round[n][i] / cold_round[r][i] for i in cold_round[n] if i in cold_round[r]]
            if same_group and len(pairs) >= 4:
                q = statistics.quantiles(pairs, n=4)
                extra += f"; paired {statistics.median(pairs):.3f}x [{q[0]:.3f}, {q[2]:.3f}]"
            extra += ")"
        if n.endswith("-static") and ref in cold and cold[ref] and n != r:
            extra += f"  ({statistics.median(v) / statistics.median(cold[ref]):.2f}x {ref} dynamically linked)"
        if cold_cpu[n]:
            extra += f"  [CPU {statistics.mean(cold_cpu[n]):.2f} ms"
            if r in cold_cpu and cold_cpu[r] and n != r:
                extra += f", {statistics.mean(cold_cpu[n]) / statistics.mean(cold_cpu[r]):.2f}x"
            extra += "]"
        print(f"  {n}: {statistics.median(v):.2f} ms{extra}")
print()
for (n, c), b in batch.items():
    print(f"batch {n} case {c}: {b['batch_per_s']:.0f}/s on {b['threads']} threads vs {b['single_per_s']:.0f}/s on one (medians of the passes);"
          f" speedup {b['speedup']:.2f}x (median of the pairs' ratios; median of {len(b['speedups'])}: {', '.join(f'{x:.2f}' for x in b['speedups'])})")
if errors:
    print("\nerrors:")
    for k, v in errors.items():
        print(f"  {k}: {v}")
(out / "results.json").write_text(json.dumps({
    "per_bundle_us": {f"{k[0]} {k[1]}": v for k, v in med.items()},
    "rounds_us": {f"{k[0]} {k[1]}": v for k, v in per.items()},
    "cold_ms": {n: statistics.median(v) for n, v in cold.items() if v},
    "cold_cpu_ms": {n: statistics.mean(v) for n, v in cold_cpu.items() if v},
    "cold_harness": harness,
    "batch": {f"{k[0]} {k[1]}": v for k, v in batch.items()},
    "errors": errors,
}, indent=1))
