#!/usr/bin/env bash
# Siegel's one test command: installs what the tests need (idempotently), then runs the format
# check, clippy with warnings denied, rustdoc with warnings denied, and the whole test suite.
# Exits non-zero on the first failure. Usage: ./scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

# A build cache outside the clone, so fresh clones (CI) reuse earlier builds on the same machine.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/siegel/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

log "toolchain"
if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust $(grep -m1 rust-version Cargo.toml | cut -d'"' -f2) or newer" >&2
  exit 1
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^${component}"; then
    rustup component add "${component}"
  fi
done
cargo --version

log "EVM tools from npm (solc ${SOLC_VERSION:-0.8.37}, anvil, ethr-did-registry)"
if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: installing Debian's nodejs and npm"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
# Exactly the locked versions; reinstalled only when the lock file changed (a stamp records it).
stamp=tools/evm/node_modules/.siegel-lock-stamp
if [ -x tools/evm/node_modules/.bin/anvil ] && cmp -s tools/evm/package-lock.json "$stamp"; then
  echo "npm packages up to date"
else
  (cd tools/evm && npm ci --no-audit --no-fund --loglevel=error)
  cp tools/evm/package-lock.json "$stamp"
fi
tools/evm/node_modules/.bin/anvil --version | head -1

log "Mesa: software rendering for the desktop app's headless tests (egui_kittest on wgpu)"
missing=""
for pkg in libegl1 libegl-mesa0 libgl1-mesa-dri mesa-vulkan-drivers; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
  echo "Mesa packages present"
fi

log "contracts: ERC-1056 source unmodified, artifacts match a fresh solc build"
cmp registry/contracts/EthereumDIDRegistry.sol \
  tools/evm/node_modules/ethr-did-registry/contracts/EthereumDIDRegistry.sol
artifacts_tmp="$(mktemp -d)"
trap 'rm -rf "$artifacts_tmp"' EXIT
node tools/evm/compile.mjs "$artifacts_tmp" >/dev/null
if ! diff -r "$artifacts_tmp" registry/artifacts >/dev/null; then
  echo "registry/artifacts are stale: run 'node tools/evm/compile.mjs' and commit the result" >&2
  diff -r "$artifacts_tmp" registry/artifacts | head -20 >&2
  exit 1
fi
echo "artifacts up to date"

log "vendored crates unchanged (vendor/README.md)"
(cd vendor && sha256sum --check --quiet oxjsonld.sha256)
echo "vendor/oxjsonld matches its recorded sums"

# In CI a missing EVM node is a failure, not a skip.
if [ "${CI:-}" = "true" ]; then
  export REQUIRE_EVM_NODE="${REQUIRE_EVM_NODE:-1}"
fi

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy (-D warnings)"
cargo clippy --locked --workspace --all-targets -- -D warnings

log "cargo doc (-D warnings)"
RUSTDOCFLAGS="-D warnings" cargo doc --locked --workspace --no-deps --quiet

log "cargo test"
cargo test --locked --workspace
