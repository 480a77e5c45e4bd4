#!/usr/bin/env bash
# Checks (and on Debian, as root, installs) what building Tamga needs beyond
# the Rust toolchain: libclang for RocksDB's bindgen and a C++ compiler.
# Sourced by scripts/test.sh and scripts/devnet.sh.
set -euo pipefail

tamga_need_pkgs=()
if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo not found. Install the Rust toolchain (https://rustup.rs) and re-run." >&2
  exit 1
fi
if ! ls /usr/lib/llvm-*/lib/libclang*.so* >/dev/null 2>&1 && ! ls /usr/lib/*/libclang*.so* >/dev/null 2>&1; then
  tamga_need_pkgs+=(libclang-dev)
fi
if ! command -v c++ >/dev/null 2>&1; then
  tamga_need_pkgs+=(g++)
fi
if ! command -v ip >/dev/null 2>&1; then
  tamga_need_pkgs+=(iproute2)
fi
if [ ${#tamga_need_pkgs[@]} -gt 0 ]; then
  echo "Tamga needs these system packages: ${tamga_need_pkgs[*]}" >&2
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing them with apt-get…" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${tamga_need_pkgs[@]}" >/dev/null
  else
    echo "error: run as root on Debian/Ubuntu, or install them yourself:" >&2
    echo "  sudo apt-get install ${tamga_need_pkgs[*]}" >&2
    exit 1
  fi
fi
# Where the build goes: the environment's CARGO_TARGET_DIR, else ./target.
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
