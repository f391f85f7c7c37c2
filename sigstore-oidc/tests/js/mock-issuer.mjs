// Starts oauth2-mock-server (pinned in package.json) on 127.0.0.1 with an ephemeral port for
// the sigstore-oidc interop tests (tests/mock_server.rs), prints one JSON line
// {"port": N, "issuer": "http://127.0.0.1:N"} and runs until stdin closes or it is killed.
//
// Flags:
//   --expired   every issued token gets an `exp` in the past
//   --email     ID tokens also carry email / email_verified claims
import { OAuth2Server } from 'oauth2-mock-server';

const args = new Set(process.argv.slice(2));
const server = new OAuth2Server();
await server.issuer.keys.generate('ES256');
await server.start(0, '127.0.0.1');
const port = server.address().port;
// The library names itself "localhost"; pin the issuer to the address we listen on.
server.issuer.url = `http://127.0.0.1:${port}`;

server.service.on('beforeTokenSigning', (token) => {
  const now = Math.floor(Date.now() / 1000);
  if (args.has('--expired')) {
    token.payload.iat = now - 7200;
    token.payload.nbf = now - 7200;
    token.payload.exp = now - 3600;
  }
  if (args.has('--email')) {
    token.payload.email = 'johndoe@example.com';
    token.payload.email_verified = true;
  }
});

process.stdout.write(JSON.stringify({ port, issuer: server.issuer.url }) + '\n');

const shutdown = async () => {
  try {
    await server.stop();
  } finally {
    process.exit(0);
  }
};
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();
process.on('SIGTERM', shutdown);
