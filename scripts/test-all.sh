#!/usr/bin/env bash
# Runs every test of the workspace: once with default features (pure-Rust RustCrypto backend,
# no network clients) and once with all features (ring backend, HTTP clients against loopback
# servers). Test data is read from ../shared (override with SIGSTORE_SHARED_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== cargo test --workspace (default features: RustCrypto backend)"
cargo test --workspace --no-fail-fast
echo "== cargo test --workspace --all-features (ring backend, clients)"
cargo test --workspace --all-features --no-fail-fast
