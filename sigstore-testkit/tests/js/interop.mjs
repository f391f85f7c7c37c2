// Drives sigstore-js (npm `sigstore`, pinned in package-lock.json) against a running
// sigstore-testkit. Usage: node interop.mjs CONFIG.json, where CONFIG holds
// {fulcio, rekor, tsa, token, artifact, bundle, trustedRoot, email, issuer}.
// Signs the artifact (message signature) and an in-toto attestation (DSSE), writes the
// bundles, then verifies both offline against the testkit's trusted root.
import fs from 'node:fs';
import { sign, attest } from 'sigstore';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const artifact = fs.readFileSync(cfg.artifact);
const options = {
  fulcioURL: cfg.fulcio,
  rekorURL: cfg.rekor,
  tsaServerURL: cfg.tsa,
  identityToken: cfg.token,
  timeout: 10000,
  retry: 0,
};

const bundle = await sign(artifact, options);
fs.writeFileSync(cfg.bundle, JSON.stringify(bundle));
const statement = Buffer.from(JSON.stringify({
  _type: 'https://in-toto.io/Statement/v1',
  subject: [{ name: 'artifact', digest: { sha256: '0'.repeat(64) } }],
  predicateType: 'https://example.com/testkit/v1',
  predicate: {},
}));
const dsse = await attest(statement, 'application/vnd.in-toto+json', options);
fs.writeFileSync(cfg.bundle.replace(/\.json$/, '.dsse.json'), JSON.stringify(dsse));

const trustMaterial = toTrustMaterial(
  TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(cfg.trustedRoot, 'utf8')))
);
const verifier = new Verifier(trustMaterial, {
  tlogThreshold: 1,
  ctlogThreshold: 1,
  timestampThreshold: 1,
});
const policy = { subjectAlternativeName: cfg.email, extensions: { issuer: cfg.issuer } };
verifier.verify(toSignedEntity(bundleFromJSON(bundle), artifact), policy);
verifier.verify(toSignedEntity(bundleFromJSON(dsse)), policy);
let refused = false;
try {
  verifier.verify(toSignedEntity(bundleFromJSON(bundle), artifact), {
    subjectAlternativeName: 'mallory@example.com',
    extensions: { issuer: cfg.issuer },
  });
} catch (e) {
  refused = true;
}
if (!refused) {
  throw new Error('sigstore-js accepted the wrong identity');
}
console.log('OK');
