#!/usr/bin/env python3
"""Fill fuzz/corpus/<target>/ with seeds extracted at run time from the shared conformance
data (never committed: fuzz/corpus is git-ignored) and from the repository's embedded trust
material. Usage: seed_corpus.py <shared-dir> <corpus-dir>"""
import base64
import hashlib
import json
import os
import sys
from pathlib import Path

shared = Path(sys.argv[1])
corpus = Path(sys.argv[2])
repo = Path(__file__).resolve().parent.parent


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def b64(s):
    try:
        return base64.b64decode(s)
    except Exception:
        return None


for env in ("production", "staging"):
    t = repo / "sigstore-bundle/trust" / env
    put("trusted_root", (t / "trusted_root.json").read_bytes())
    put("signing_config", (t / "signing_config.v0.2.json").read_bytes())
    put("tuf_metadata", (t / "root.json").read_bytes())

cases = shared / "sigstore-conformance/assets/bundle-verify"
perf = shared / "perf-fixtures"
bundles = sorted(cases.glob("*/bundle.sigstore.json")) + sorted(perf.glob("*.sigstore.json"))
for p in sorted(cases.glob("*/trusted_root.json")) + sorted(perf.glob("trusted_root*.json")):
    put("trusted_root", p.read_bytes())
for p in bundles:
    raw = p.read_bytes()
    put("bundle_json", raw)
    put("verify_bundle", raw)
    try:
        b = json.loads(raw)
    except Exception:
        continue
    vm = b.get("verificationMaterial", {}) if isinstance(b, dict) else {}
    certs = []
    if "certificate" in vm:
        certs.append(vm["certificate"].get("rawBytes", ""))
    for c in vm.get("x509CertificateChain", {}).get("certificates", []):
        certs.append(c.get("rawBytes", ""))
    for c in certs:
        der = b64(c)
        if der:
            put("certificate", der)
    for ts in vm.get("timestampVerificationData", {}).get("rfc3161Timestamps", []):
        der = b64(ts.get("signedTimestamp", "").replace("\n", ""))
        if der:
            put("rfc3161", der)
    for e in vm.get("tlogEntries", []):
        body = b64(e.get("canonicalizedBody", ""))
        if body:
            put("rekor_body", body)
            put("base64_codec", e["canonicalizedBody"])
        cp = e.get("inclusionProof", {}).get("checkpoint", {}).get("envelope")
        if cp:
            put("checkpoint", cp)
    if "dsseEnvelope" in b:
        put("bundle_json", json.dumps(b["dsseEnvelope"]))
        # The payload: an in-toto statement, read by both statement readers.
        statement = b64(b["dsseEnvelope"].get("payload", ""))
        if statement:
            put("bundle_json", statement)

def seg(obj):
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

hdr = {"alg": "RS256", "kid": "k"}
claims = {"iss": "https://oauth2.sigstore.dev/auth", "sub": "alice", "email": "a@example.com",
          "email_verified": True, "aud": "sigstore", "exp": 1800000000, "iat": 1700000000}
put("jwt", f"{seg(hdr)}.{seg(claims)}.c2ln")
put("jwt", f"{seg(hdr)}.{seg({'iss': 'https://token.actions.githubusercontent.com', 'sub': 'repo:o/r', 'aud': ['sigstore'], 'exp': 1})}.")
put("base64_codec", b"QUJD-_8=")
print("seeded", sum(1 for _ in corpus.rglob("*") if _.is_file()), "files in", corpus)
