#!/usr/bin/env bash
# Signed-in GET /api/model-config under load (issue 4): release build, SQLite and PostgreSQL,
# 10 platform display names (2 channels each, one tier-restricted pair) and 5 of the user's
# own keys seeded; wrk with 64 connections for N seconds (default 15). Every answer is checked
# (e2e/bench/model-config.lua): a non-200, empty or partial answer counts as bad.
# Usage: e2e/bench/model-config.sh [seconds]. Goal: >= 3,000 req/s, 0 bad answers.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
duration="${1:-15}"
dpkg -s wrk >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q wrk >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }; }
# shellcheck source=deploy/pg-test-env.sh
source "$root/deploy/pg-test-env.sh" >/dev/null
target="${CARGO_TARGET_DIR:-$root/target}"
# MIAOJING_BENCH_BIN: measure a release binary built earlier instead of building one now.
bin="${MIAOJING_BENCH_BIN:-}"
if [ -z "$bin" ]; then
    cargo build --release -q -p miaojing-server
    bin="$target/release/miaojing"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json_field() { python3 -c "import sys,json; print(json.load(sys.stdin)$1)"; }
post() { curl -fs -H 'content-type: application/json' -H "Authorization: Bearer $1" -d "$3" "$base$2"; }

for backend in sqlite postgres; do
    data="$(mktemp -d)"
    port="$(free_port)"
    base="http://127.0.0.1:$port"
    db_url=""
    if [ "$backend" = postgres ]; then
        name="mj_bench_$(date +%s%N)"
        psql -q "$MIAOJING_TEST_PG_URL" -c "CREATE DATABASE $name" >/dev/null
        db_url="${MIAOJING_TEST_PG_URL%/*}/$name"
    fi
    ADMIN_EMAIL=admin@example.com ADMIN_PASSWORD=adminpass1 DATABASE_URL="$db_url" RUST_LOG=warn MIAOJING_DEMO_WHEN_EMPTY=false \
        "$bin" serve --port "$port" --data-dir "$data" >"$data/log" 2>&1 &
    pid=$!
    until curl -fs "$base/api/health" >/dev/null 2>&1; do sleep 0.05; done
    admin="$(curl -fs -H 'content-type: application/json' -d '{"email":"admin@example.com","password":"adminpass1","adminOnly":true}' "$base/api/auth/login" | json_field '["session"]["access_token"]')"
    for i in $(seq 1 10); do
        tiers='[]'
        [ "$i" = 10 ] && tiers='["ultra"]'
        for c in 1 2; do
            post "$admin" /api/admin/system-apis "{\"name\":\"Model $i\",\"modelName\":\"m$i-$c\",\"apiUrl\":\"https://api.example.com/v1\",\"apiKey\":\"sk-bench-$i-$c\",\"allowedMembershipTiers\":$tiers,\"capabilities\":{\"aspectRatios\":[\"1:1\",\"16:9\"]}}" >/dev/null
        done
    done
    post "$admin" /api/admin/providers '{"name":"OpenAI","defaultApiUrl":"https://api.openai.com/v1"}' >/dev/null
    token="$(curl -fs -H 'content-type: application/json' -d '{"email":"bench@example.com","nickname":"bench","password":"benchpass1","acceptedTerms":true}' "$base/api/auth/register" | json_field '["session"]["access_token"]')"
    for k in $(seq 1 5); do
        post "$token" /api/user-api-keys "{\"apiKey\":\"sk-user-$k-abcdef\",\"apiUrl\":\"https://api.example.com/v1\",\"modelName\":\"u$k\"}" >/dev/null
    done
    out="$(EXPECT_MODELS=9 EXPECT_KEYS=5 wrk -t2 -c64 -d"${duration}s" --latency -s "$root/e2e/bench/model-config.lua" -H "Authorization: Bearer $token" "$base/api/model-config")"
    rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
    p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
    p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
    bad="$(awk '/bad_answers/ {print $2}' <<<"$out")"
    errors="$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)"
    printf '%-10s GET /api/model-config (64 conn) %10s req/s   p50 %-8s p99 %-8s bad answers %s %s\n' "$backend" "$rps" "$p50" "$p99" "$bad" "${errors:-}"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rm -rf "$data"
done
