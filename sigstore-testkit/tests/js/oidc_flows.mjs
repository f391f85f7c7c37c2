// Runs the same OIDC client flows against npm `oauth2-mock-server` and against the testkit's
// issuer (URL in argv[2]) to show the two are interchangeable for those flows: discovery,
// JWKS, authorization code + PKCE S256 + state (and a refused wrong verifier), ID token
// signature/claims, client credentials. Prints one JSON line per issuer and exits non-zero on
// any difference from the expected behaviour.
import crypto from 'node:crypto';
import { OAuth2Server } from 'oauth2-mock-server';

const CLIENT_ID = 'sigstore';
const REDIRECT = 'http://127.0.0.1:9/callback';

const b64url = (b) => Buffer.from(b).toString('base64url');

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function verifyJwt(token, jwksUri) {
  const [h, p, s] = token.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const jwks = await (await fetch(jwksUri)).json();
  const jwk = jwks.keys.find((k) => !header.kid || k.kid === header.kid) ?? jwks.keys[0];
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
  const data = Buffer.from(`${h}.${p}`);
  const sig = Buffer.from(s, 'base64url');
  const ok = header.alg.startsWith('ES')
    ? crypto.verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig)
    : crypto.verify('sha256', data, key, sig);
  check(ok, `bad ${header.alg} signature`);
  return { header, claims: JSON.parse(Buffer.from(p, 'base64url')) };
}

async function form(url, params) {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return { status: r.status, body: await r.json().catch(() => ({})) };
}

async function authorize(disco, verifier, state) {
  const challenge = b64url(crypto.createHash('sha256').update(verifier).digest());
  const u = new URL(disco.authorization_endpoint);
  for (const [k, v] of Object.entries({
    response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: 'openid email',
    state, nonce: 'n-' + state, code_challenge: challenge, code_challenge_method: 'S256',
  })) u.searchParams.set(k, v);
  const r = await fetch(u, { redirect: 'manual' });
  check(r.status === 302, `authorize status ${r.status}`);
  const loc = new URL(r.headers.get('location'));
  check(loc.origin + loc.pathname === REDIRECT, `redirect to ${loc}`);
  check(loc.searchParams.get('state') === state, 'state not echoed');
  return loc.searchParams.get('code');
}

async function flows(issuer) {
  const disco = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  check(disco.issuer === issuer, 'issuer mismatch');
  check(disco.code_challenge_methods_supported.includes('S256'), 'no S256');
  const verifier = b64url(crypto.randomBytes(32));
  // Wrong verifier refused.
  const code1 = await authorize(disco, verifier, 'state-1');
  const bad = await form(disco.token_endpoint, {
    grant_type: 'authorization_code', code: code1, redirect_uri: REDIRECT,
    client_id: CLIENT_ID, code_verifier: b64url(crypto.randomBytes(32)),
  });
  check(bad.status >= 400, `wrong verifier accepted (${bad.status})`);
  const code2 = await authorize(disco, verifier, 'state-2');
  const ok = await form(disco.token_endpoint, {
    grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT,
    client_id: CLIENT_ID, code_verifier: verifier,
  });
  check(ok.status === 200, `token status ${ok.status} ${JSON.stringify(ok.body)}`);
  const { header, claims } = await verifyJwt(ok.body.id_token, disco.jwks_uri);
  check(claims.iss === issuer, 'iss');
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  check(aud.includes(CLIENT_ID), `aud ${claims.aud}`);
  check(claims.exp > Date.now() / 1000, 'exp');
  check(claims.nonce === 'n-state-2', 'nonce');
  const cc = await form(disco.token_endpoint, { grant_type: 'client_credentials', client_id: CLIENT_ID, scope: 'openid' });
  check(cc.status === 200 && typeof cc.body.access_token === 'string', `client_credentials ${cc.status}`);
  return { issuer, alg: header.alg, sub: claims.sub, aud: claims.aud };
}

const mock = new OAuth2Server();
await mock.issuer.keys.generate('ES256');
await mock.start(0, '127.0.0.1');
try {
  const results = [];
  for (const issuer of [mock.issuer.url, process.argv[2]]) {
    results.push(await flows(issuer));
  }
  console.log(JSON.stringify(results));
} finally {
  await mock.stop();
}
