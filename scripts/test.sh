#!/usr/bin/env bash
# The test command of README.md: formatting, lints, then every test of the
# workspace (unit, property, deterministic simulation, multi-node).
# Usage: scripts/test.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/prereqs.sh

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy (profile ci)"
cargo clippy --workspace --all-targets --profile ci -- -D warnings
echo "==> cargo clippy (profile ci, the test-only byzantine build)"
cargo clippy --workspace --lib --bins --profile ci --features tamga-node/byzantine -- -D warnings
echo "==> cargo build (profile ci, every target, so tests reuse one RocksDB build)"
cargo build --workspace --all-targets --profile ci
# The Byzantine validator of scenario 7 (a test-only binary, never in release
# builds); built with the workspace selection so RocksDB is not rebuilt.
cargo build --workspace --bin tamgad-byzantine --profile ci --features tamga-node/byzantine
# The multi-node suite runs these exact binaries (tests/README.md).
export TAMGAD_BIN="${CARGO_TARGET_DIR:-$PWD/target}/ci/tamgad"
export TAMGA_BIN="${CARGO_TARGET_DIR:-$PWD/target}/ci/tamga"
export TAMGAD_BYZANTINE_BIN="${CARGO_TARGET_DIR:-$PWD/target}/ci/tamgad-byzantine"
echo "==> cargo test (profile ci)"
cargo test --workspace --profile ci "$@"
