// Peer runner for sigstore-js (pinned in package.json + package-lock.json).
//
// Same protocol as every runner of bench/peers (see ../run.sh):
//   node runner.mjs bench DIR ITERATIONS CASE...  one JSON line per case: median per bundle
//                                                 (parse + verify, trust root loaded once)
//   node runner.mjs load DIR ITERATIONS           median trust-root load
//   node runner.mjs cold DIR CASE                 load the trust root, verify one bundle, exit
//
// This is what sigstore's createVerifier() builds, with the trusted root read from the
// fixtures instead of fetched through TUF (no network).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';

const require = createRequire(import.meta.url);
const IMPL = 'sigstore-js-' + require('sigstore/package.json').version;

function loadCase(dir, id) {
  const cases = JSON.parse(fs.readFileSync(path.join(dir, 'cases.json'), 'utf8'));
  const c = { ...cases.find((c) => c.id.startsWith(id)) };
  c.bundleText = fs.readFileSync(path.join(dir, c.bundle), 'utf8');
  c.artifactBytes = c.artifact ? fs.readFileSync(path.join(dir, c.artifact)) : undefined;
  c.policy = { subjectAlternativeName: c.identity, extensions: { issuer: c.issuer } };
  return c;
}

function makeVerifier(dir) {
  const root = JSON.parse(fs.readFileSync(path.join(dir, 'trusted_root.public-good.json'), 'utf8'));
  const trustMaterial = toTrustMaterial(TrustedRoot.fromJSON(root));
  // createVerifier's defaults: ctlogThreshold 1, tlogThreshold 1.
  return new Verifier(trustMaterial, { ctlogThreshold: 1, tlogThreshold: 1 });
}

function verifyOnce(verifier, c) {
  const bundle = bundleFromJSON(JSON.parse(c.bundleText));
  if (c.content === 'dsse') {
    verifier.verify(toSignedEntity(bundle), c.policy);
    // sigstore-js leaves the in-toto subject binding to the caller: do it here.
    const env = bundle.content.dsseEnvelope;
    if (env.payloadType !== 'application/vnd.in-toto+json') throw new Error('payload type');
    const want = c.artifactBytes
      ? crypto.createHash('sha256').update(c.artifactBytes).digest('hex')
      : c.digest.split(':')[1];
    const st = JSON.parse(Buffer.from(env.payload).toString('utf8'));
    if (!st.subject.some((s) => s.digest && s.digest.sha256 === want)) throw new Error('subject');
  } else {
    verifier.verify(toSignedEntity(bundle, c.artifactBytes), c.policy);
  }
}

const median = (v) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
const [mode, dir, ...rest] = process.argv.slice(2);
if (mode === 'bench') {
  const iterations = Number(rest[0]);
  const verifier = makeVerifier(dir);
  for (const id of rest.slice(1)) {
    const c = loadCase(dir, id);
    try {
      verifyOnce(verifier, c);
    } catch (e) {
      console.log(JSON.stringify({ impl: IMPL, case: c.id, error: String(e) }));
      continue;
    }
    const warm = Math.max(Math.floor(iterations / 10), 3);
    const times = [];
    for (let i = 0; i < warm + iterations; i++) {
      const t = process.hrtime.bigint();
      verifyOnce(verifier, c);
      if (i >= warm) times.push(Number(process.hrtime.bigint() - t) / 1e3);
    }
    console.log(JSON.stringify({ impl: IMPL, case: c.id, median_us: median(times), n: iterations }));
  }
} else if (mode === 'load') {
  const iterations = Number(rest[0]);
  const times = [];
  for (let i = 0; i < iterations; i++) {
    const t = process.hrtime.bigint();
    makeVerifier(dir);
    times.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  console.log(JSON.stringify({ impl: IMPL, case: 'trust_root_load', median_us: median(times), n: iterations }));
} else if (mode === 'cold') {
  verifyOnce(makeVerifier(dir), loadCase(dir, rest[0]));
} else {
  throw new Error('unknown mode ' + mode);
}
