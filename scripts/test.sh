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

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy (-D warnings)"
cargo clippy --locked --workspace --all-targets -- -D warnings

log "cargo doc (-D warnings)"
RUSTDOCFLAGS="-D warnings" cargo doc --locked --workspace --no-deps --quiet

log "cargo test"
cargo test --locked --workspace
