#!/usr/bin/env bash
# Build the MiaoJing SPA (frontend/) in release mode into frontend/dist/.
#
# Runs deploy/install-wasm-toolchain.sh first, then `trunk build --release` on the path it
# detected (rustup wasm32 target, or Debian rustc-web + build-std) once per page: the user app
# (frontend/index.html), the account area (frontend/account.html, the same crate with the
# `account` feature) and the admin console (frontend/console.html, the `console` feature); the
# last two become dist/account.html and dist/console.html next to their own hashed files (the
# server picks the page by path, crates/server/src/spa.rs). Then it writes precompressed
# .gz (and .br when `brotli` is installed) copies of the hashed .wasm/.js/.css files.
# The frontend has its own target dir (frontend/target): it is not part of the root
# workspace and may build with a different rustc. Idempotent. Prints the dist path.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FRONTEND="$ROOT/frontend"
DIST="$FRONTEND/dist"

"$ROOT/deploy/install-wasm-toolchain.sh"
MODE="$("$ROOT/deploy/install-wasm-toolchain.sh" --print-mode)"

cd "$FRONTEND"
export CARGO_TARGET_DIR="$FRONTEND/target"
# Settings meant for the root workspace must not leak into the wasm build.
unset CARGO_BUILD_TARGET RUSTC_WRAPPER

start=$(date +%s)
# Leptos type erasure: views become AnyView at component boundaries instead of one nested
# generic type per page, which cuts the monomorphized code (and the wasm) a lot.
ERASE="--cfg erase_components"
case "$MODE" in
  debian)
    # Debian's rustc-web 1.96 builds std for wasm32 from rust-web-src (build-std).
    export PATH="/usr/bin:$HOME/.cargo/bin:$PATH"
    export RUSTC=/usr/bin/rustc
    export RUSTC_BOOTSTRAP=1
    export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
    export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-22/bin/wasm-ld
    # Without -reference-types wasm-bindgen exports the wrong table and the page fails with
    # "WebAssembly.Table.set(): Argument 1 is invalid for table".
    # (-Cpanic=immediate-abort, -Zlocation-detail=none and -Zfmt-debug=none were measured: about
    # 2% smaller, at the cost of every panic message and all Debug text; not worth it.)
    export RUSTFLAGS="-C target-feature=-reference-types,-multivalue $ERASE"
    # trunk --offline also makes cargo offline: fetch the app's and std's crates first.
    cargo fetch --target wasm32-unknown-unknown \
      || echo "[build-frontend] cargo fetch failed; trying the build with the local cache" >&2
    # --offline: trunk uses the pinned wasm-bindgen/wasm-opt found on PATH, never downloads.
    TRUNK_ARGS=(--offline)
    ;;
  rustup)
    export PATH="$HOME/.cargo/bin:$PATH"
    unset RUSTC CARGO_UNSTABLE_BUILD_STD
    export RUSTFLAGS="$ERASE"
    TRUNK_ARGS=()
    ;;
esac
# One bundle per page (frontend/src/bundle.rs): the user app's index.html is built into dist/
# (trunk empties its dist, so it goes first), every other page into its own dir, whose page
# becomes dist/<page>.html next to its hashed files (the server sends it for that page's paths).
(cd "$ROOT" && trunk build --release "${TRUNK_ARGS[@]}")
for page in account console; do
  page_dist="$FRONTEND/target/dist-$page"
  (cd "$ROOT" && trunk build "frontend/$page.html" --release --dist "$page_dist" "${TRUNK_ARGS[@]}")
  cp "$page_dist/index.html" "$DIST/$page.html"
  find "$page_dist" -maxdepth 1 -type f ! -name index.html -exec cp {} "$DIST/" \;
done
echo "[build-frontend] trunk build ($MODE) took $(( $(date +%s) - start ))s" >&2

# Precompressed copies for the server (only the hashed assets; index.html stays dynamic).
shopt -s nullglob
have_brotli=0
command -v brotli >/dev/null 2>&1 && have_brotli=1
for f in "$DIST"/*.wasm "$DIST"/*.js "$DIST"/*.css; do
  gzip -9 -n -k -f "$f"
  if ((have_brotli)); then
    brotli -q 11 -k -f "$f"
  fi
done
((have_brotli)) || echo "[build-frontend] brotli not installed: wrote .gz only" >&2

echo "[build-frontend] dist files:" >&2
find "$DIST" -maxdepth 1 -type f -printf '  %10s  %f\n' | sort -k2 >&2
echo "$DIST"
