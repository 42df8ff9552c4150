#!/usr/bin/env bash
# Runs the whole test suite: formatting, lints, unit and contract tests on SQLite and
# PostgreSQL, API tests against both, an end-to-end smoke test of the real binary with the
# built web app, and fuzzing of the API against its OpenAPI document on both backends.
# Installs and starts what it needs (PostgreSQL, an SMTP sink, the WASM toolchain, the Python
# test tools). Safe to run again.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# shellcheck source=deploy/test-services.sh
source "$root/deploy/test-services.sh"
mj_start_test_services
trap mj_stop_test_services EXIT

echo "== web app build"
"$root/deploy/build-frontend.sh"

echo "== cargo fmt"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
# The production build without demo mode (and its mock upstream) must compile too.
cargo clippy -p miaojing-server --no-default-features -- -D warnings
echo "== cargo test (SQLite and PostgreSQL)"
cargo test --workspace
echo "== end-to-end smoke test"
cargo build -p miaojing-server
"$root/e2e/smoke.sh" "$root/target/debug/miaojing"
echo "== API fuzzing against the OpenAPI document (SQLite and PostgreSQL)"
"$root/e2e/fuzz.sh" "$root/target/debug/miaojing" sqlite postgres
echo "== browser tests (headless Chromium)"
"$root/e2e/browser/run.sh" "$root/target/debug/miaojing"
