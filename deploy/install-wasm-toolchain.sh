#!/usr/bin/env bash
# Make this machine able to build the MiaoJing SPA (frontend/, Leptos CSR + Trunk).
#
# Two toolchain paths, detected automatically:
#   rustup  - `rustup target list --installed` has wasm32-unknown-unknown:
#             the ordinary path, plain `trunk build`.
#   debian  - no rustup wasm32 target (e.g. Debian 12 machines where `rustup target add`
#             cannot download): Debian's rustc-web/cargo-web 1.96 + rust-web-src build the
#             standard library from source (build-std), lld-22 provides wasm-ld.
# Force a path with MIAOJING_WASM_PATH=rustup|debian.
#
# Then installs, only if missing or at the wrong version, into ~/.cargo/bin:
#   trunk            $TRUNK_VERSION (with --locked)
#   wasm-bindgen-cli exactly the wasm-bindgen version in frontend/Cargo.lock (without --locked)
#
# Idempotent and fast when everything is present.
#   deploy/install-wasm-toolchain.sh               install / verify
#   deploy/install-wasm-toolchain.sh --print-mode  only print "rustup" or "debian"
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FRONTEND="$ROOT/frontend"
TRUNK_VERSION="${TRUNK_VERSION:-0.21.14}"
DEBIAN_PACKAGES=(rustc-web cargo-web rust-web-src lld-22 binaryen brotli)
WASM_LD=/usr/lib/llvm-22/bin/wasm-ld

export PATH="$HOME/.cargo/bin:$PATH"

log() { echo "[install-wasm-toolchain] $*" >&2; }
die() { log "error: $*"; exit 1; }

detect_mode() {
  case "${MIAOJING_WASM_PATH:-}" in
    rustup|debian) echo "$MIAOJING_WASM_PATH"; return ;;
    "") ;;
    *) die "MIAOJING_WASM_PATH must be 'rustup' or 'debian'" ;;
  esac
  if command -v rustup >/dev/null 2>&1 \
     && rustup target list --installed 2>/dev/null | grep -qx 'wasm32-unknown-unknown'; then
    echo rustup
  else
    echo debian
  fi
}

MODE="$(detect_mode)"
if [[ "${1:-}" == "--print-mode" ]]; then
  echo "$MODE"
  exit 0
fi
log "toolchain path: $MODE"

as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root (or sudo) to run: $*"
  fi
}

# --- Debian packages (build-std path) -------------------------------------------------------
if [[ "$MODE" == debian ]]; then
  missing=()
  for p in "${DEBIAN_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if ((${#missing[@]})); then
    command -v apt-get >/dev/null 2>&1 \
      || die "no rustup wasm32 target and no apt-get: run 'rustup target add wasm32-unknown-unknown'"
    log "installing Debian packages: ${missing[*]}"
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; then
      log "apt-get install failed; refreshing package lists and retrying"
      as_root apt-get update
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    fi
  fi
  [[ -x /usr/bin/rustc && -x /usr/bin/cargo ]] || die "/usr/bin/rustc or /usr/bin/cargo missing after install"
  [[ -x "$WASM_LD" ]] || die "$WASM_LD missing (package lld-22)"
  sysroot="$(/usr/bin/rustc --print sysroot)"
  [[ -d "$sysroot/lib/rustlib/src/rust/library" ]] \
    || die "standard library source missing under $sysroot/lib/rustlib/src (package rust-web-src)"
fi

# --- cargo-installed tools ---------------------------------------------------------------------
command -v cargo >/dev/null 2>&1 || die "cargo not found (install rustup, or Debian cargo-web)"

[[ -f "$FRONTEND/Cargo.lock" ]] || die "$FRONTEND/Cargo.lock missing"
WASM_BINDGEN_VERSION="$(awk '
  /^name = "wasm-bindgen"$/ { found = 1; next }
  found && /^version = / { gsub(/version = |"/, ""); print; exit }
' "$FRONTEND/Cargo.lock")"
[[ -n "$WASM_BINDGEN_VERSION" ]] || die "no wasm-bindgen entry in $FRONTEND/Cargo.lock"

tool_version() { # $1 = binary; prints the version or nothing
  command -v "$1" >/dev/null 2>&1 || return 0
  "$1" --version 2>/dev/null | awk '{print $2; exit}'
}

have="$(tool_version trunk)"
if [[ "$have" != "$TRUNK_VERSION" ]]; then
  log "installing trunk $TRUNK_VERSION (found: ${have:-none})"
  cargo install trunk --version "$TRUNK_VERSION" --locked
else
  log "trunk $have ok"
fi

have="$(tool_version wasm-bindgen)"
if [[ "$have" != "$WASM_BINDGEN_VERSION" ]]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (found: ${have:-none})"
  # Not --locked: its locked dependency set needs a crate version some registries lack.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
else
  log "wasm-bindgen $have ok"
fi

for t in trunk wasm-bindgen; do
  command -v "$t" >/dev/null 2>&1 || die "$t not on PATH after install (is ~/.cargo/bin on PATH?)"
done
[[ "$(tool_version trunk)" == "$TRUNK_VERSION" ]] \
  || die "'trunk' on PATH is $(tool_version trunk), expected $TRUNK_VERSION ($(command -v trunk))"
[[ "$(tool_version wasm-bindgen)" == "$WASM_BINDGEN_VERSION" ]] \
  || die "'wasm-bindgen' on PATH is $(tool_version wasm-bindgen), expected $WASM_BINDGEN_VERSION ($(command -v wasm-bindgen))"

if [[ "$MODE" == debian ]] && ! command -v wasm-opt >/dev/null 2>&1; then
  die "wasm-opt missing (package binaryen)"
fi
log "ready: trunk $TRUNK_VERSION, wasm-bindgen $WASM_BINDGEN_VERSION, path $MODE"
