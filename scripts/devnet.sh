#!/usr/bin/env bash
# The main job of README.md: build tamgad and run a local devnet.
# Usage: scripts/devnet.sh [--validators N] [--home DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/prereqs.sh
if ! grep -q '^\[\[bin\]\]' node/Cargo.toml 2>/dev/null; then
  echo "error: the tamgad node binary is not built by this revision yet (see README, Status)." >&2
  exit 2
fi
cargo build --release -p tamga-node -p tamga-client
target=${CARGO_TARGET_DIR:-target}
exec "$target/release/tamgad" devnet --validators 4 --home .devnet "$@"
