#!/usr/bin/env bash
# Black-box checks of the real `miaojing` binary: CLI, start-up on an empty data dir, the
# web app with history fallback and precompressed assets, and an admin created by the CLI
# signing in over HTTP. Prints "N passed, M failed" and fails if anything failed.
set -uo pipefail
bin="${1:?usage: e2e/smoke.sh path/to/miaojing}"
root="$(cd "$(dirname "$0")/.." && pwd)"
data="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
passed=0; failed=0
check() { local name="$1"; shift; if "$@" >/dev/null 2>&1; then passed=$((passed+1)); echo "ok   $name"; else failed=$((failed+1)); echo "FAIL $name"; fi; }

check "help lists the subcommands" bash -c "'$bin' --help | grep -q serve && '$bin' --help | grep -q migrate && '$bin' --help | grep -q admin"
check "migrate on an empty data dir" "$bin" migrate --data-dir "$data"
check "admin create" "$bin" admin create --email smoke-admin@example.com --password smokepass1 --data-dir "$data"
check "admin create refuses a duplicate" bash -c "! '$bin' admin create --email smoke-admin@example.com --password smokepass1 --data-dir '$data'"

MIAOJING_STATIC_DIR="$root/frontend/dist" "$bin" serve --port "$port" --data-dir "$data" >"$data/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -fs "$base/api/health" >/dev/null 2>&1 && break; sleep 0.1; done
check "healthy" bash -c "curl -fs '$base/api/health' | grep -q '\"ok\":true'"
check "home page is the SPA" bash -c "curl -fs '$base/' | grep -q '_bg.wasm'"
check "deep link falls back to the SPA" bash -c "curl -fs '$base/gallery/some/deep/link' | grep -q '_bg.wasm'"
wasm="$(curl -fs "$base/" | grep -o '/[^"]*_bg\.wasm' | head -n 1)"
check "wasm served brotli-compressed with long caching" bash -c "curl -fsI -H 'accept-encoding: br' '$base$wasm' | grep -qi 'content-encoding: br' && curl -fsI '$base$wasm' | grep -qi 'immutable'"
check "admin from the CLI signs in" bash -c "curl -fs -H 'content-type: application/json' -d '{\"email\":\"smoke-admin@example.com\",\"password\":\"smokepass1\",\"adminOnly\":true}' '$base/api/auth/login' | grep -q access_token"
check "unknown API route is a JSON 404" bash -c "curl -s '$base/api/missing' | grep -q route_not_found"
check "secrets were generated into the data dir" test -s "$data/secrets/jwt_secret"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
