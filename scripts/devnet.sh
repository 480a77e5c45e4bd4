#!/usr/bin/env bash
# The main job of README.md: build tamgad and run a local 4-validator devnet
# (separate processes) in .devnet/, bootstrapped with a regulator, an issuer
# with a token class, a miner and 1000 funded participants. Ctrl-C stops it;
# a second run resumes the same chain.
# Usage: scripts/devnet.sh [--validators N] [--participants P] [--home DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/prereqs.sh
echo "==> building tamgad and tamga (release; the first build takes a while)"
cargo build --release -p tamga-node -p tamga-client
target=${CARGO_TARGET_DIR:-target}
echo "==> the tamga CLI is at $target/release/tamga"
exec "$target/release/tamgad" devnet "$@"
