#!/usr/bin/env bash
# The main job, end to end:
#   1. verify a real public-good Sigstore bundle with the embedded production trust root
#      (`sigstore verify`), offline;
#   2. start a local virtual Sigstore (OIDC issuer, Fulcio, Rekor v1/v2, TSA on loopback), sign a
#      file with `sigstore sign` against it, verify the bundle, and check the log with `monitor`.
#
# Environment:
#   SIGSTORE_SHARED_DIR   shared test data (default: ../shared next to the checkout)
#   SIGSTORE_BIN_DIR      use the programs in this directory instead of building them
#   SIGSTORE_TESTKIT_DIR  use the running virtual Sigstore whose state directory this is
#                         (urls.json, trusted_root.json, client_trust_config.json) instead of
#                         starting one
# Exit status: 0 when every step succeeded.
set -euo pipefail
cd "$(dirname "$0")/.."

SHARED="${SIGSTORE_SHARED_DIR:-../shared}"
FIXTURES="$SHARED/perf-fixtures"
if [ ! -f "$FIXTURES/a_msgsig_v03.sigstore.json" ]; then
    echo "demo: shared data not found at $SHARED (set SIGSTORE_SHARED_DIR)" >&2
    exit 2
fi

if [ -n "${SIGSTORE_BIN_DIR:-}" ]; then
    BIN="$SIGSTORE_BIN_DIR"
else
    echo "== build"
    cargo build --release -p sigstore-examples -p sigstore-testkit
    BIN="${CARGO_TARGET_DIR:-target}/release"
fi

echo
echo "== 1. verify a public-good bundle with the embedded production trust root"
"$BIN/sigstore" verify "$FIXTURES/a.txt" \
    --bundle "$FIXTURES/a_msgsig_v03.sigstore.json" \
    --certificate-identity https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main \
    --certificate-oidc-issuer https://token.actions.githubusercontent.com

echo
echo "== 2. sign and verify against a local virtual Sigstore"
WORK="$(mktemp -d)"
TESTKIT_PID=""
cleanup() {
    if [ -n "$TESTKIT_PID" ]; then
        kill "$TESTKIT_PID" 2>/dev/null || true
        wait "$TESTKIT_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ -n "${SIGSTORE_TESTKIT_DIR:-}" ]; then
    STATE="$SIGSTORE_TESTKIT_DIR"
else
    STATE="$WORK/virtual-sigstore"
    "$BIN/sigstore-testkit" serve --dir "$STATE" > "$WORK/serve.json" &
    TESTKIT_PID=$!
    for _ in $(seq 1 100); do
        [ -s "$WORK/serve.json" ] && break
        sleep 0.1
    done
    [ -s "$WORK/serve.json" ] || { echo "demo: the virtual Sigstore did not start" >&2; exit 2; }
fi

json_field() { # json_field FILE KEY: the string value of "KEY" in a flat JSON object
    grep -o "\"$2\": *\"[^\"]*\"" "$1" | head -n 1 | sed 's/.*: *"\(.*\)"/\1/'
}
OIDC="$(json_field "$STATE/urls.json" oidc)"
REKOR_V2="$(json_field "$STATE/urls.json" rekor_v2)"
echo "virtual Sigstore: OIDC issuer $OIDC, Rekor v2 $REKOR_V2"

# An identity token from the virtual issuer (client-credentials grant; a real signer gets one
# from a browser login, a device code or CI).
curl -sf -d grant_type=client_credentials -d email=alice@example.com "$OIDC/token" > "$WORK/token.json"
json_field "$WORK/token.json" id_token > "$WORK/token"

echo "hello from the demo" > "$WORK/hello.txt"
"$BIN/sigstore" sign "$WORK/hello.txt" \
    --trust-config "$STATE/client_trust_config.json" \
    --identity-token-file "$WORK/token"
"$BIN/sigstore" verify "$WORK/hello.txt" \
    --bundle "$WORK/hello.txt.sigstore.json" \
    --trusted-root "$STATE/trusted_root.json" \
    --certificate-identity alice@example.com \
    --certificate-oidc-issuer "$OIDC"
"$BIN/sigstore" inspect "$WORK/hello.txt.sigstore.json" --trusted-root "$STATE/trusted_root.json"
"$BIN/monitor" --rekor-url "$REKOR_V2" --trusted-root "$STATE/trusted_root.json" \
    --state "$WORK/monitor.json" --from-index 0 --once --watch 'alice@example\.com'

echo
echo "demo: all steps succeeded"
