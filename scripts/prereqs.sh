#!/usr/bin/env bash
# Checks (and on Debian, as root, installs) what building Tamga needs beyond
# the Rust toolchain: libclang for RocksDB's bindgen and a C++ compiler (and,
# for the tests, python3).
# Sourced by scripts/test.sh and scripts/devnet.sh.
set -euo pipefail

tamga_need_pkgs=()
if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo not found. Install the Rust toolchain (https://rustup.rs) and re-run." >&2
  exit 1
fi
# bindgen loads libclang.so itself (libclang-N.so or libclang.so.N); the
# C++ library libclang-cpp.so that other packages bring does not do.
tamga_have_libclang() {
  local f
  for f in /usr/lib/llvm-*/lib/libclang.so* /usr/lib/llvm-*/lib/libclang-[0-9]*.so* \
    /usr/lib/*/libclang.so* /usr/lib/*/libclang-[0-9]*.so*; do
    [ -e "$f" ] && return 0
  done
  return 1
}
if [ -z "${LIBCLANG_PATH:-}" ] && ! tamga_have_libclang; then
  tamga_need_pkgs+=(libclang-dev)
fi
if ! command -v c++ >/dev/null 2>&1; then
  tamga_need_pkgs+=(g++)
fi
if ! command -v ip >/dev/null 2>&1; then
  tamga_need_pkgs+=(iproute2)
fi
# The reference verifier (docs/reference/tamga_verify.py) and its tests,
# run by tests/tests/it/reference_verifier.rs, need python3 (the standard
# library only). Needed by the test command (scripts/test.sh), or with
# TAMGA_NEED_PYTHON=1; a devnet alone does not need it.
if [ "$(basename "$0")" = test.sh ] || [ -n "${TAMGA_NEED_PYTHON:-}" ]; then
  if ! command -v python3 >/dev/null 2>&1; then
    tamga_need_pkgs+=(python3)
  fi
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
# The regulator console's browser test (tests/tests/it/console.rs) drives a
# headless Chromium through chromedriver. When the test command (scripts/test.sh)
# sources this file, or TAMGA_NEED_BROWSER=1, install both from the
# distribution's packages if they are missing (idempotent). A failed install
# is reported, not fatal here: the console test then fails and says why.
if [ "$(basename "$0")" = test.sh ] || [ -n "${TAMGA_NEED_BROWSER:-}" ]; then
  if ! command -v chromedriver >/dev/null 2>&1 || ! { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }; then
    echo "The console browser test needs chromium and chromium-driver (not found)." >&2
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "Installing chromium chromium-driver with apt-get…" >&2
      if DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; then
        echo "Installed: $(chromium --version 2>/dev/null || true); $(chromedriver --version 2>/dev/null || true)" >&2
      else
        echo "warning: apt-get could not install chromium chromium-driver; the console browser test will fail" >&2
      fi
    else
      echo "warning: install them yourself (sudo apt-get install chromium chromium-driver) or set CHROMEDRIVER" >&2
      echo "  and CHROMIUM; the console browser test fails without them" >&2
    fi
  fi
fi
# The indexer scenarios (tests/tests/it/indexer.rs) run a throwaway
# PostgreSQL cluster with initdb/pg_ctl (tests/src/postgres.rs): as root,
# install Debian's postgresql package when initdb is missing (it also
# creates the `postgres` OS user the harness runs the cluster as, since
# PostgreSQL refuses root). Idempotent; a failed install is reported, not
# fatal here: the indexer tests then fail and say why.
if [ "$(basename "$0")" = test.sh ] || [ -n "${TAMGA_NEED_POSTGRES:-}" ]; then
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
    echo "The indexer tests need PostgreSQL (initdb, pg_ctl; not found)." >&2
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "Installing postgresql with apt-get…" >&2
      if DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; then
        echo "Installed: $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tr '\n' ' ')" >&2
      else
        echo "warning: apt-get could not install postgresql; the indexer tests will fail" >&2
      fi
    else
      echo "warning: install it yourself (sudo apt-get install postgresql) or set TAMGA_PG_BIN to a" >&2
      echo "  directory holding initdb and pg_ctl; the indexer tests fail without them" >&2
    fi
  fi
fi
# Test-only tools from the distribution's packages, installed like the
# browser above when the test command (scripts/test.sh) sources this file or
# the named variable is set (idempotent). A failed install is reported, not
# fatal here: the tests that need the tool then fail and say why.
#   tamga_test_tool VAR COMMAND PACKAGE WHAT
tamga_test_tool() {
  local var=$1 cmd=$2 pkg=$3 what=$4
  if [ "$(basename "$0")" != test.sh ] && [ -z "${!var:-}" ]; then
    return 0
  fi
  command -v "$cmd" >/dev/null 2>&1 && return 0
  echo "$what need $cmd (package $pkg, not found)." >&2
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing $pkg with apt-get…" >&2
    if DEBIAN_FRONTEND=noninteractive apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null; then
      echo "Installed $pkg." >&2
    else
      echo "warning: apt-get could not install $pkg; $what will fail" >&2
    fi
  else
    echo "warning: install it yourself (sudo apt-get install $pkg); $what fail without it" >&2
  fi
}
# The PKCS#11 signer tests (node signer::tests, tests it::hsm) run against
# SoftHSM2, a software token.
tamga_test_tool TAMGA_NEED_SOFTHSM softhsm2-util softhsm2 "The PKCS#11 signer tests"
# The alert rules' test (tests/tests/it/alerts.rs) runs promtool, from the
# package prometheus (its prometheus service is not needed; set PROMTOOL to
# use another promtool).
if [ -z "${PROMTOOL:-}" ]; then
  tamga_test_tool TAMGA_NEED_PROMTOOL promtool prometheus "The alert rules tests"
fi
# The deployment kit's test (tests/tests/it/deployment.rs) verifies the
# systemd unit with systemd-analyze (package systemd; nothing is started).
tamga_test_tool TAMGA_NEED_SYSTEMD systemd-analyze systemd "The deployment kit tests"
# Where the build goes: the environment's CARGO_TARGET_DIR, else ./target.
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
