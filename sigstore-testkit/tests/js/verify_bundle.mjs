// Verifies a bundle offline with sigstore-js against a trusted root.
// Usage: node verify_bundle.mjs TRUSTED_ROOT BUNDLE ARTIFACT EMAIL ISSUER
import fs from 'node:fs';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';

const [root, bundlePath, artifact, email, issuer] = process.argv.slice(2);
const trustMaterial = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(root, 'utf8'))));
const verifier = new Verifier(trustMaterial, { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 });
const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
verifier.verify(toSignedEntity(bundle, fs.readFileSync(artifact)), {
  subjectAlternativeName: email,
  extensions: { issuer },
});
console.log('OK');
