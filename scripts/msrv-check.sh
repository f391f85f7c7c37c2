#!/usr/bin/env bash
# Checks that the committed HEAD builds with its declared minimum Rust version (`rust-version` in
# Cargo.toml), every target, default and all features.
#
#   bash scripts/msrv-check.sh            # installs the toolchain with rustup if needed
#
# The committed Cargo.lock follows the newest compatible releases, some of which need a newer
# rustc than the MSRV (time 0.3.55 and icu 2.4 need 1.88). A user on the MSRV gets older,
# compatible releases from Cargo's rust-version-aware resolver, so this check does the same in
# a scratch clone (resolver fallback) and never touches the repository's lockfile.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MSRV=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' "$ROOT/Cargo.toml" | head -n 1)
[ -n "$MSRV" ] || { echo "no rust-version in $ROOT/Cargo.toml" >&2; exit 1; }
rustup toolchain list | grep -q "^$MSRV" || rustup toolchain install "$MSRV" --profile minimal
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
git clone --quiet "$ROOT" "$WORK/repo"
cd "$WORK/repo"
CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback cargo "+$MSRV" update --quiet
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$WORK/target}"
cargo "+$MSRV" check --workspace --all-targets
cargo "+$MSRV" check --workspace --all-targets --all-features
echo "MSRV $MSRV: workspace checks with default and all features"
