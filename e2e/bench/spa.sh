#!/usr/bin/env bash
# SPA figures (issue 6), headless Chromium (playwright-core from e2e/browser) against the real
# server on a fresh SQLite data dir with the built app (frontend/dist):
#  - bytes transferred by the first load of /create and /gallery (WASM + JS + CSS as served,
#    i.e. compressed), and the encoding and caching headers of the hashed assets;
#  - first contentful paint of /create and the time until its model picker is usable
#    (a platform model listed, signed in), each run in a fresh browser with a cold profile;
#  - the gallery with 1,000 public works (seeded with SQL) scrolled to the end: most DOM
#    nodes and cards at any time, and the longest long task (PerformanceObserver 'longtask').
# Usage: e2e/bench/spa.sh [path/to/miaojing] [runs=7]
#   Without a binary it builds the release server (cargo build --release). Build the SPA first
#   (deploy/build-frontend.sh); it is built here when frontend/dist is missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/e2e/bench"
bin="${1:-}"
runs="${2:-7}"
if [ -z "$bin" ]; then
    (cd "$root" && cargo build --release -q -p miaojing-server -p miaojing-mock-upstream)
    bin="${CARGO_TARGET_DIR:-$root/target}/release/miaojing"
fi
bin="$(realpath "$bin")"
dist="$root/frontend/dist"
[ -f "$dist/index.html" ] || "$root/deploy/build-frontend.sh" >/dev/null
[ -d "$root/e2e/browser/node_modules/playwright-core" ] || (cd "$root/e2e/browser" && npm ci --no-audit --no-fund --loglevel=error)
mock_bin="${MIAOJING_MOCK_UPSTREAM:-$(dirname "$bin")/miaojing-mock-upstream}"
[ -x "$mock_bin" ] || { echo "$mock_bin not found: cargo build -p miaojing-mock-upstream" >&2; exit 2; }

data="$(mktemp -d)"
pid="" mock_pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$data"
}
trap cleanup EXIT

admin_email="bench-admin@example.com"
admin_password="bench-admin-pass1"
# Creates the store (migrations) and the admin, who owns the seeded works.
"$bin" admin create --email "$admin_email" --password "$admin_password" --data-dir "$data" >/dev/null
db="$(ls "$data"/*.db | head -n1)"
mkdir -p "$data/storage/bench"
python3 - "$db" "$data/storage/bench/work.png" <<'PY'
import sqlite3, struct, sys, zlib
# One small stored image that every seeded work shows.
def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
w = h = 96
raw = b"".join(b"\x00" + b"".join(bytes((20 + x // 2, 30 + y // 2, 90)) for x in range(w)) for y in range(h))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(sys.argv[2], "wb").write(png)
db = sqlite3.connect(sys.argv[1], timeout=30)
db.execute("""
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
INSERT INTO works (id, user_id, mode, prompt, params, original_key, thumbnail_key, width, height, model,
                   credits_cost, is_public, published_at, like_count, created_at)
SELECT randomblob(16), (SELECT id FROM users WHERE email = 'bench-admin@example.com'), 'text2img',
       'bench prompt ' || i || ': a quiet mountain lake at dawn, mist over the water, soft light',
       '{}', 'bench/work.png', NULL,
       CASE i % 3 WHEN 0 THEN 1024 WHEN 1 THEN 768 ELSE 1344 END,
       CASE i % 3 WHEN 0 THEN 1024 WHEN 1 THEN 1344 ELSE 768 END,
       'flux-dev', 5, 1, strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-' || i || ' minutes'), i % 7,
       strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-' || i || ' minutes')
FROM n""")
db.commit()
PY

# shellcheck source=deploy/test-services.sh
source "$root/deploy/test-services.sh"
mj_start_mock_upstream "$mock_bin" "$data"
port="$(_mj_free_port)"
MIAOJING_OUTBOUND_ALLOWLIST="$mock_hostport" MIAOJING_STATIC_DIR="$dist" "$bin" serve --port "$port" --data-dir "$data" >"$data/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break; sleep 0.1; done

echo "server: $bin"
MJ_BASE="http://127.0.0.1:$port" MJ_MOCK_URL="$mock_url" MJ_ADMIN_EMAIL="$admin_email" MJ_ADMIN_PASSWORD="$admin_password" \
    MJ_RUNS="$runs" MJ_CHROMIUM="${MIAOJING_CHROMIUM:-/usr/bin/chromium}" node "$here/spa.mjs"
