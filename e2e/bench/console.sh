#!/usr/bin/env bash
# Console figure (issue 7): time to interactive of the /console dashboard on localhost with
# 10,000 users and 100,000 works in a fresh SQLite store (seeded with SQL; works 30 % public,
# plus 2,000 finished jobs and 20,000 model calls over two weeks so the aggregates have rows).
# Headless Chromium (playwright-core from e2e/browser) loads the dashboard `loads` times with a fresh page each time; "interactive"
# is the moment every dashboard block (stats, jobs chart, model calls, logs, works count) shows
# data. Prints each load and the median.
# Usage: e2e/bench/console.sh path/to/miaojing [loads]   (build the SPA first: deploy/build-frontend.sh)
set -euo pipefail
bin="$(realpath "${1:?usage: e2e/bench/console.sh path/to/miaojing [loads]}")"
loads="${2:-9}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
dist="$root/frontend/dist"
[ -f "$dist/index.html" ] || { echo "no $dist/index.html: run deploy/build-frontend.sh first" >&2; exit 2; }
[ -d "$root/e2e/browser/node_modules/playwright-core" ] || (cd "$root/e2e/browser" && npm ci --no-audit --no-fund --loglevel=error)

data="$(mktemp -d)"
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$data"
}
trap cleanup EXIT

admin_email="bench-admin@example.com"
admin_password="bench-admin-pass1"
# Creates the store (migrations) and the admin.
"$bin" admin create --email "$admin_email" --password "$admin_password" --data-dir "$data" >/dev/null
db="$(ls "$data"/*.db | head -n1)"

python3 - "$db" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=60)
t = time.time()
db.executescript("""
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO users (id, username, email, display_nickname, role, membership_tier, credits_balance, invite_code,
                   is_active, email_verified, created_at, updated_at)
SELECT randomblob(16), 'bench' || i, 'bench' || i || '@bench.test', 'Bench ' || i, 'user',
       CASE WHEN i % 10 = 0 THEN 'pro' ELSE 'free' END, i % 500, 'BENCH' || i, i % 50 != 0, 1,
       strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-' || (i % 900) || ' hours'),
       strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-' || (i % 900) || ' hours')
FROM n;
CREATE TEMP TABLE bench_users AS SELECT rowid AS r, id FROM users WHERE email LIKE '%@bench.test';
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO works (id, user_id, mode, prompt, params, original_key, thumbnail_key, width, height, model,
                   credits_cost, is_public, published_at, like_count, created_at)
SELECT randomblob(16), (SELECT id FROM bench_users WHERE r = (i % 10000) + (SELECT min(r) FROM bench_users)),
       CASE WHEN i % 5 = 0 THEN 'text2video' ELSE 'text2img' END,
       'bench prompt ' || i || ': a quiet mountain lake at dawn, mist over the water, soft light',
       '{"size":"1024x1024"}', 'generated/images/bench-' || i || '.png',
       'thumbnails/generated/images/bench-' || i || '-m1280q86.webp', 1024, 1024, 'flux-dev', 5,
       i % 10 < 3, CASE WHEN i % 10 < 3 THEN strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-' || i || ' minutes') END,
       i % 37, strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-' || i || ' minutes')
FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO generation_jobs (id, user_id, mode, model, status, deadline_at, estimated_cost, actual_cost, created_at,
                             finished_at, updated_at)
SELECT randomblob(16), (SELECT id FROM bench_users WHERE r = (i % 10000) + (SELECT min(r) FROM bench_users)),
       'text2img', 'flux-dev', CASE WHEN i % 7 = 0 THEN 'failed' ELSE 'succeeded' END,
       strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'), 5, 5,
       strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-' || i || ' minutes'),
       strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-' || i || ' minutes'),
       strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-' || i || ' minutes')
FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO model_call_records (id, source, operation, model, channel, status, credits_cost, created_at)
SELECT randomblob(16), 'generation-job', 'text2img',
       CASE i % 4 WHEN 0 THEN 'flux-dev' WHEN 1 THEN 'sdxl' WHEN 2 THEN 'veo-3' ELSE 'gpt-image-1' END, 'bench',
       CASE WHEN i % 9 = 0 THEN 'failed' ELSE 'succeeded' END, 5,
       strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-' || i || ' minutes')
FROM n;
ANALYZE;
""")
db.commit()
counts = [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("users", "works", "generation_jobs", "model_call_records")]
print(f"seeded users={counts[0]} works={counts[1]} jobs={counts[2]} calls={counts[3]} in {time.time() - t:.1f}s", file=sys.stderr)
PY

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
MIAOJING_STATIC_DIR="$dist" RUST_LOG=warn "$bin" serve --port "$port" --data-dir "$data" >"$data/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$port/api/health" && break; sleep 0.1; done

MJ_BASE="http://127.0.0.1:$port" MJ_ADMIN_EMAIL="$admin_email" MJ_ADMIN_PASSWORD="$admin_password" MJ_LOADS="$loads" \
  MJ_CHROMIUM="${MIAOJING_CHROMIUM:-/usr/bin/chromium}" node "$root/e2e/bench/console-tti.mjs"
