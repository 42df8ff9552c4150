#!/usr/bin/env bash
# Gallery figure (issue 5): GET /api/gallery?limit=18 with 200 public and 50 private works, wrk at
# 64 connections (2 threads, same machine), release build, on SQLite and on PostgreSQL.
# Users are registered through the public API; works are inserted with SQL (the job runner is
# the only writer of works in the product, and a bench should not need it). Each backend runs
# `runs` times; every run and the medians (req/s, p99) are printed.
# Usage: e2e/bench/gallery.sh [seconds] [runs]     (PostgreSQL is prepared by deploy/pg-test-env.sh)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
duration="${1:-10}"
runs="${2:-3}"
dpkg -s wrk >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q wrk >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }; }
# MIAOJING_BENCH_BIN: measure a release binary built earlier instead of building one now.
bin="${MIAOJING_BENCH_BIN:-}"
if [ -z "$bin" ]; then
    cargo build --release -q -p miaojing-server
    bin="${CARGO_TARGET_DIR:-$root/target}/release/miaojing"
fi
# shellcheck source=/dev/null
source "$root/deploy/pg-test-env.sh" >/dev/null

data="$(mktemp -d)"
pid=""
pg_db="mj_bench_gallery_$$"
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    psql -X -q "$MIAOJING_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true
    rm -rf "$data"
}
trap cleanup EXIT

# Starts the server on $1 (a database URL) with a fresh data dir; sets $pid and $base.
start() {
    local port dir="$data/$2"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    mkdir -p "$dir"
    DATABASE_URL="$1" RUST_LOG=warn "$bin" serve --port "$port" --data-dir "$dir" >"$dir/log" 2>&1 &
    pid=$!
    base="http://127.0.0.1:$port"
    for _ in $(seq 1 300); do
        curl -fs -o /dev/null "$base/api/health" && return 0
        sleep 0.1
    done
    echo "the server did not start"; cat "$dir/log"; exit 1
}

stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

# Registers the two authors through the API.
register() {
    for who in painter filmer; do
        curl -fs -o /dev/null -H 'content-type: application/json' "$base/api/auth/register" \
            -d "{\"email\":\"$who@bench.test\",\"nickname\":\"$who\",\"password\":\"bench-passw0rd\",\"acceptedTerms\":true}"
    done
}

# 250 works (1..200 public, 201..250 private), alternating authors, one a minute back in time.
seed_sqlite() {
    python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
db.execute("""
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250)
INSERT INTO works (id, user_id, mode, prompt, params, original_key, thumbnail_key, width, height, model,
                   credits_cost, is_public, published_at, created_at)
SELECT randomblob(16),
       (SELECT id FROM users WHERE email = CASE WHEN i % 2 = 0 THEN 'painter@bench.test' ELSE 'filmer@bench.test' END),
       CASE WHEN i % 5 = 0 THEN 'text2video' ELSE 'text2img' END,
       'bench prompt ' || i || ': a quiet mountain lake at dawn, mist over the water, soft light',
       '{"size":"1024x1024"}', 'generated/images/bench-' || i || '.png',
       'thumbnails/generated/images/bench-' || i || '-m1280q86.webp', 1024, 1024, 'flux-dev', 5,
       i <= 200,
       CASE WHEN i <= 200 THEN strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-' || i || ' minutes') END,
       strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-' || i || ' minutes')
FROM n""")
db.commit()
PY
}

seed_postgres() {
    psql -X -q -v ON_ERROR_STOP=1 "$1" <<'SQL'
INSERT INTO works (id, user_id, mode, prompt, params, original_key, thumbnail_key, width, height, model,
                   credits_cost, is_public, published_at, created_at)
SELECT gen_random_uuid(),
       (SELECT id FROM users WHERE email = CASE WHEN i % 2 = 0 THEN 'painter@bench.test' ELSE 'filmer@bench.test' END),
       CASE WHEN i % 5 = 0 THEN 'text2video' ELSE 'text2img' END,
       'bench prompt ' || i || ': a quiet mountain lake at dawn, mist over the water, soft light',
       '{"size":"1024x1024"}', 'generated/images/bench-' || i || '.png',
       'thumbnails/generated/images/bench-' || i || '-m1280q86.webp', 1024, 1024, 'flux-dev', 5,
       i <= 200,
       CASE WHEN i <= 200 THEN now() - make_interval(mins => i) END,
       now() - make_interval(mins => i)
FROM generate_series(1, 250) AS i;
ANALYZE works;
SQL
}

# Runs wrk $runs times; prints each run and the medians.
measure() {
    local label="$1" url="$base/api/gallery?limit=18" out rps p99 all=""
    local got
    # Works were written with SQL, behind the server's back: let any page cached before expire.
    sleep 2.5
    got="$(curl -fs "$url" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["works"]))')"
    [ "$got" = "18" ] || { echo "$label: expected 18 works, got $got"; exit 1; }
    wrk -t2 -c64 -d2s "$url" >/dev/null # warm-up
    for r in $(seq 1 "$runs"); do
        out="$(wrk -t2 -c64 -d"${duration}s" --latency "$url")"
        rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
        p99="$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' <<<"$out")"
        errors="$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)"
        printf '  %s run %s: %s req/s  p99 %.2f ms  %s\n' "$label" "$r" "$rps" "$p99" "${errors:-no errors}"
        all+="$rps $p99"$'\n'
    done
    local med_rps med_p99
    med_rps="$(awk 'NF {print $1}' <<<"$all" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
    med_p99="$(awk 'NF {print $2}' <<<"$all" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
    printf '%s: GET /api/gallery?limit=18 (200 public + 50 private), 64 conn, %ss x %s: median %s req/s, median p99 %.2f ms\n' \
        "$label" "$duration" "$runs" "$med_rps" "$med_p99"
}

# SQLite.
start "sqlite://$data/sqlite/miaojing.db" sqlite
register
seed_sqlite "$data/sqlite/miaojing.db"
measure sqlite
stop

# PostgreSQL: a fresh database owned by the test role.
psql -X -q -v ON_ERROR_STOP=1 "$MIAOJING_TEST_PG_URL" -c "CREATE DATABASE $pg_db" >/dev/null
pg_url="${MIAOJING_TEST_PG_URL%/*}/$pg_db"
start "$pg_url" postgres
register
seed_postgres "$pg_url"
measure postgres
stop
