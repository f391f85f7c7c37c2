"""Peer runner for sigstore-python (pinned by bench/peers/run.sh).

Same protocol as every runner of bench/peers (see ../run.sh):
  runner.py bench DIR ITERATIONS CASE...  one JSON line per case: median per bundle
                                          (parse + verify, trust root loaded once)
  runner.py load DIR ITERATIONS           median trust-root load (parse + Verifier)
  runner.py cold DIR CASE                 load the trust root, verify one bundle, exit
"""

import hashlib
import json
import sys
import time
from pathlib import Path

from sigstore.models import Bundle, TrustedRoot
from sigstore.verify import Verifier
from sigstore.verify.policy import Identity

IMPL = "sigstore-python-" + __import__("sigstore").__version__


def load_case(d: Path, cid: str) -> dict:
    cases = json.loads((d / "cases.json").read_text())
    c = next(c for c in cases if c["id"].startswith(cid))
    c = dict(c)
    c["bundle_json"] = (d / c["bundle"]).read_bytes()
    c["artifact_bytes"] = (d / c["artifact"]).read_bytes() if "artifact" in c else None
    c["policy"] = Identity(identity=c["identity"], issuer=c["issuer"])
    return c


def verify_once(verifier: Verifier, c: dict) -> None:
    bundle = Bundle.from_json(c["bundle_json"])
    if c["content"] == "dsse":
        ptype, payload = verifier.verify_dsse(bundle, c["policy"])
        if ptype != "application/vnd.in-toto+json":
            raise RuntimeError("payload type")
        # sigstore-python leaves the subject binding to the caller: do it here, as the other
        # verifiers do it internally.
        if c["artifact_bytes"] is not None:
            want = hashlib.sha256(c["artifact_bytes"]).hexdigest()
        else:
            want = c["digest"].split(":", 1)[1]
        subjects = json.loads(payload)["subject"]
        if not any(s.get("digest", {}).get("sha256") == want for s in subjects):
            raise RuntimeError("artifact not among the subjects")
    else:
        verifier.verify_artifact(c["artifact_bytes"], bundle, c["policy"])


def root(d: Path) -> TrustedRoot:
    return TrustedRoot.from_file(str(d / "trusted_root.public-good.json"))


def median(v: list) -> float:
    v = sorted(v)
    return v[len(v) // 2]


def main() -> None:
    mode, d = sys.argv[1], Path(sys.argv[2])
    if mode == "bench":
        iterations = int(sys.argv[3])
        verifier = Verifier(trusted_root=root(d))
        for cid in sys.argv[4:]:
            c = load_case(d, cid)
            try:
                verify_once(verifier, c)
            except Exception as e:  # report, keep going
                print(json.dumps({"impl": IMPL, "case": c["id"], "error": f"{type(e).__name__}: {e}"}))
                continue
            warm = max(iterations // 10, 3)
            times = []
            for i in range(warm + iterations):
                t = time.perf_counter()
                verify_once(verifier, c)
                if i >= warm:
                    times.append((time.perf_counter() - t) * 1e6)
            print(json.dumps({"impl": IMPL, "case": c["id"], "median_us": median(times), "n": iterations}))
    elif mode == "load":
        iterations = int(sys.argv[3])
        times = []
        for _ in range(iterations):
            t = time.perf_counter()
            Verifier(trusted_root=root(d))
            times.append((time.perf_counter() - t) * 1e6)
        print(json.dumps({"impl": IMPL, "case": "trust_root_load", "median_us": median(times), "n": iterations}))
    elif mode == "cold":
        c = load_case(d, sys.argv[3])
        verify_once(Verifier(trusted_root=root(d)), c)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
