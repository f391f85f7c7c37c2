#!/usr/bin/env python3
"""Builds real TUF repositories with python-tuf for the sigstore-tuf tests.

Usage: make_repos.py <outdir> <scenario>

Layout written to <outdir>:
  initial_root.json          root the client starts from (trust anchor)
  stage1/metadata/...        repository state served first
  stage1/targets/...
  stage2/...                 (some scenarios) state served on a second run
  expected/<stage>/<target>  bytes the repository published in each stage

Metadata is written the way a consistent-snapshot repository publishes it
(N.root.json, timestamp.json, N.snapshot.json, N.targets.json,
N.<role>.json, targets/<hash>.<name>), plus unversioned copies.
"""

import os
import sys
from datetime import datetime, timedelta, timezone

from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

SPEC = "1.0.31"
NOW = datetime.now(timezone.utc).replace(microsecond=0)
FUTURE = NOW + timedelta(days=30)
PAST = NOW - timedelta(days=1)
SER = JSONSerializer(compact=False)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def sign(signed, signers):
    md = Metadata(signed)
    for s in signers:
        md.sign(s, append=True)
    return md.to_bytes(SER)


class Repo:
    """Keys, root history and targets of one test repository."""

    def __init__(self, consistent=True):
        self.consistent = consistent
        # One key type per role to exercise every supported scheme.
        self.signers = {
            "root": [CryptoSigner.generate_ecdsa()],
            "timestamp": [CryptoSigner.generate_ed25519()],
            "snapshot": [CryptoSigner.generate_rsa()],
            "targets": [CryptoSigner.generate_ecdsa()],
        }
        self.deleg_signers = {
            "deleg": CryptoSigner.generate_ed25519(),
            "term": CryptoSigner.generate_ecdsa(),
            "after": CryptoSigner.generate_ecdsa(),
        }
        self.root_history = []  # signed bytes, index = version - 1
        self.root = None
        self.targets_content = {
            "trusted_root.json": b'{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1", "tlogs": []}\n',
            "signing_config.v0.2.json": b'{"mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json"}\n',
        }
        # Callers (sigstore-verify's TUF integration test) may publish real Sigstore trust
        # files instead of the placeholders: SIGSTORE_TUF_TARGETS_DIR holds files named like
        # the targets.
        override = os.environ.get("SIGSTORE_TUF_TARGETS_DIR")
        if override:
            for name in list(self.targets_content):
                with open(os.path.join(override, name), "rb") as f:
                    self.targets_content[name] = f.read()
        self.deleg_content = {
            "deleg": {"deleg/file.txt": b"delegated target\n"},
            "term": {},
            "after": {"term/hidden.txt": b"must never be found\n"},
        }

    def make_root(self, version, sign_with, threshold=None, extra_root_keys=()):
        root = Root(version=version, spec_version=SPEC, expires=FUTURE,
                    consistent_snapshot=self.consistent)
        for role, signers in self.signers.items():
            for s in signers:
                root.add_key(s.public_key, role)
        for k in extra_root_keys:
            root.add_key(k, "root")
        if threshold:
            root.roles["root"].threshold = threshold
        self.root = root
        data = sign(root, sign_with)
        self.root_history.append(data)
        return data

    def publish(self, stage, ts_version=1, snap_version=1, targets_version=1,
                ts_expires=FUTURE, snapshot_meta_version=None,
                targets_meta_version=None, snapshot_override=None,
                ts_meta_hashes=True):
        meta_dir = os.path.join(stage, "metadata")
        self.write_expected(stage)
        tgt_dir = os.path.join(stage, "targets")
        for i, data in enumerate(self.root_history):
            write(os.path.join(meta_dir, f"{i + 1}.root.json"), data)
        write(os.path.join(meta_dir, "root.json"), self.root_history[-1])

        def put_target(name, content, targets):
            tf = TargetFile.from_data(name, content, ["sha256", "sha512"])
            targets.targets[name] = tf
            d, _, base = name.rpartition("/")
            sub = os.path.join(tgt_dir, d) if d else tgt_dir
            for h in tf.hashes.values():
                write(os.path.join(sub, f"{h}.{base}"), content)
            write(os.path.join(sub, base), content)

        # Delegated roles (all version 1).
        deleg_meta = {}
        for role, signer in self.deleg_signers.items():
            t = Targets(version=1, spec_version=SPEC, expires=FUTURE)
            for name, content in self.deleg_content[role].items():
                put_target(name, content, t)
            data = sign(t, [signer])
            write(os.path.join(meta_dir, f"1.{role}.json"), data)
            write(os.path.join(meta_dir, f"{role}.json"), data)
            deleg_meta[f"{role}.json"] = MetaFile(version=1)

        targets = Targets(version=targets_version, spec_version=SPEC, expires=FUTURE)
        for name, content in self.targets_content.items():
            put_target(name, content, targets)
        targets.delegations = Delegations(keys={}, roles={})
        for role, paths, terminating in (
            ("deleg", ["deleg/*"], False),
            ("term", ["term/*"], True),
            ("after", ["term/*"], False),
        ):
            key = self.deleg_signers[role].public_key
            targets.delegations.keys[key.keyid] = key
            targets.delegations.roles[role] = DelegatedRole(
                role, [key.keyid], 1, terminating, paths=paths)
        tdata = sign(targets, self.signers["targets"])
        write(os.path.join(meta_dir, f"{targets_version}.targets.json"), tdata)
        write(os.path.join(meta_dir, "targets.json"), tdata)

        tmv = targets_meta_version or targets_version
        snap = Snapshot(version=snap_version, spec_version=SPEC, expires=FUTURE,
                        meta={"targets.json": MetaFile(version=tmv), **deleg_meta})
        sdata = sign(snap, self.signers["snapshot"])
        if snapshot_override is not None:
            sdata = snapshot_override
        write(os.path.join(meta_dir, f"{snap_version}.snapshot.json"), sdata)
        write(os.path.join(meta_dir, "snapshot.json"), sdata)

        smv = snapshot_meta_version or snap_version
        if ts_meta_hashes and snapshot_override is None:
            sm = MetaFile.from_data(smv, sdata, ["sha256"])
        else:
            sm = MetaFile(version=smv)
        ts = Timestamp(version=ts_version, spec_version=SPEC, expires=ts_expires,
                       snapshot_meta=sm)
        write(os.path.join(meta_dir, "timestamp.json"),
              sign(ts, self.signers["timestamp"]))
        return sdata

    def write_expected(self, stage):
        """Records the published target bytes of a stage in
        <outdir>/expected/<stage name>/<target>."""
        out = os.path.join(os.path.dirname(stage), "expected",
                           os.path.basename(stage))
        for name, content in self.targets_content.items():
            write(os.path.join(out, name), content)
        for content in self.deleg_content.values():
            for name, c in content.items():
                write(os.path.join(out, name), c)


def scenario(out, name):
    s1 = os.path.join(out, "stage1")
    s2 = os.path.join(out, "stage2")
    repo = Repo(consistent=(name != "nonconsistent"))
    initial = repo.make_root(1, repo.signers["root"])
    write(os.path.join(out, "initial_root.json"), initial)

    if name in ("normal", "nonconsistent"):
        repo.publish(s1)
        # stage2: a legitimate update with new target content.
        repo.targets_content["trusted_root.json"] = b'{"updated": true}\n'
        repo.publish(s2, ts_version=2, snap_version=2, targets_version=2)
    elif name == "rotation":
        repo.publish(s1, ts_version=5)
        # v2: new root key, signed by the old and the new root keys.
        old = repo.signers["root"]
        repo.signers["root"] = [CryptoSigner.generate_ecdsa()]
        repo.make_root(2, old + repo.signers["root"])
        # v3: another root key, and the timestamp key rotates too.
        old = repo.signers["root"]
        repo.signers["root"] = [CryptoSigner.generate_ed25519()]
        repo.signers["timestamp"] = [CryptoSigner.generate_ecdsa()]
        repo.make_root(3, old + repo.signers["root"])
        repo.targets_content["trusted_root.json"] = b'{"rotated": 3}\n'
        # Timestamp version restarts at 1 under the new timestamp key: the
        # client must have dropped its cached timestamp (fast-forward
        # recovery) to accept it.
        repo.publish(s2, ts_version=1, snap_version=2, targets_version=2)
    elif name == "expired_timestamp":
        repo.publish(s1, ts_expires=PAST)
    elif name == "rollback_timestamp":
        repo.publish(s1, ts_version=2)
        repo.publish(s2, ts_version=1)
    elif name == "rollback_snapshot":
        repo.publish(s1, ts_version=1, snap_version=2)
        repo.publish(s2, ts_version=2, snap_version=1)
    elif name == "rollback_targets":
        repo.publish(s1, targets_version=2)
        repo.publish(s2, ts_version=2, snap_version=2, targets_version=1)
    elif name == "mix_and_match":
        # Timestamp says snapshot v2, but 2.snapshot.json is the (validly
        # signed) snapshot v1.
        old_snapshot = repo.publish(os.path.join(out, "scratch"))
        repo.publish(s1, ts_version=2, snap_version=2,
                     snapshot_override=old_snapshot)
    elif name == "tampered_target":
        repo.publish(s1)
        tdir = os.path.join(s1, "targets")
        for f in os.listdir(tdir):
            if f.endswith("trusted_root.json"):
                p = os.path.join(tdir, f)
                data = bytearray(open(p, "rb").read())
                data[5] ^= 0x01  # same length, different bytes
                write(p, bytes(data))
    elif name == "threshold":
        # Root v1 requires 2 of 2 root keys; v2 carries only one signature.
        a, b = CryptoSigner.generate_ecdsa(), CryptoSigner.generate_ecdsa()
        repo.signers["root"] = [a, b]
        repo.root_history = []
        initial = repo.make_root(1, [a, b], threshold=2)
        write(os.path.join(out, "initial_root.json"), initial)
        repo.make_root(2, [a], threshold=2)
        repo.publish(s1)
    elif name == "bad_root_version":
        # 2.root.json is properly signed but says version 3.
        repo.publish(s1)
        r = repo.root
        r.version = 3
        write(os.path.join(s1, "metadata", "2.root.json"),
              sign(r, repo.signers["root"]))
    else:
        sys.exit(f"unknown scenario {name}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    scenario(sys.argv[1], sys.argv[2])
