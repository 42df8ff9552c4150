#!/usr/bin/env bash
# Foundation figures (issue "Foundation"): for SQLite and PostgreSQL, start-up time to healthy
# on an empty data dir, idle resident memory, and load on authenticated GET /api/profile and
# GET /api/site-config at 64 connections for 15 s (wrk on the same machine); plus the median
# login time over HTTP. Usage: e2e/bench/foundation.sh [seconds]   (needs root on a fresh
# machine to install wrk and PostgreSQL). Prints one summary line per figure.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
duration="${1:-15}"
dpkg -s wrk >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q wrk >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }; }
# shellcheck source=deploy/pg-test-env.sh
source "$root/deploy/pg-test-env.sh" >/dev/null
# MIAOJING_BENCH_BIN: measure a release binary built earlier instead of building one now.
bin="${MIAOJING_BENCH_BIN:-}"
if [ -z "$bin" ]; then
    cargo build --release -q -p miaojing-server
    bin="${CARGO_TARGET_DIR:-$root/target}/release/miaojing"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }

fresh_pg_url() {
    local name="mj_bench_$(date +%s%N)"
    psql -q "$MIAOJING_TEST_PG_URL" -c "CREATE DATABASE $name" >/dev/null
    echo "${MIAOJING_TEST_PG_URL%/*}/$name"
}

wrk_line() { # label url [token]
    local label="$1" url="$2" token="${3:-}" out
    if [ -n "$token" ]; then
        out="$(wrk -t2 -c64 -d"${duration}s" --latency -H "Authorization: Bearer $token" "$url")"
    else
        out="$(wrk -t2 -c64 -d"${duration}s" --latency "$url")"
    fi
    local rps p50 p99 errors
    rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
    p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
    p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
    errors="$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)"
    printf '%-10s %-34s %10s req/s   p50 %-8s p99 %-8s %s\n' "$backend" "$label" "$rps" "$p50" "$p99" "${errors:-no errors}"
}

for backend in sqlite postgres; do
    data="$(mktemp -d)"
    port="$(free_port)"
    base="http://127.0.0.1:$port"
    db_url=""
    [ "$backend" = postgres ] && db_url="$(fresh_pg_url)"
    start="$(now_ms)"
    # The login-time sample below would exceed the default per-account login limit.
    RATE_LIMIT_LOGIN_IP_MAX=1000 RATE_LIMIT_LOGIN_ACCOUNT_MAX=1000 DATABASE_URL="$db_url" RUST_LOG=warn "$bin" serve --port "$port" --data-dir "$data" >"$data/log" 2>&1 &
    pid=$!
    until curl -fs "$base/api/health" >/dev/null 2>&1; do sleep 0.005; done
    ready="$(now_ms)"
    printf '%-10s %-34s %10s ms\n' "$backend" "start-up to healthy (empty data)" "$((ready - start))"
    sleep 2
    printf '%-10s %-34s %10s MiB\n' "$backend" "idle resident memory" "$(awk '/VmRSS/ {printf "%.1f", $2/1024}' /proc/$pid/status)"
    token="$(curl -fs -H 'content-type: application/json' -d '{"email":"bench@example.com","nickname":"bench","password":"benchpass1","acceptedTerms":true}' "$base/api/auth/register" | python3 -c 'import sys,json; print(json.load(sys.stdin)["session"]["access_token"])')"
    times=()
    for _ in $(seq 1 21); do
        times+=("$(curl -fs -o /dev/null -w '%{time_total}' -H 'content-type: application/json' -d '{"account":"bench","password":"benchpass1"}' "$base/api/auth/login")")
    done
    printf '%-10s %-34s %10s ms\n' "$backend" "login (median of 21, sequential)" "$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1000}')"
    wrk_line "GET /api/profile (auth, 64 conn)" "$base/api/profile" "$token"
    wrk_line "GET /api/site-config (64 conn)" "$base/api/site-config"
    printf '%-10s %-34s %10s MiB\n' "$backend" "resident memory after load" "$(awk '/VmRSS/ {printf "%.1f", $2/1024}' /proc/$pid/status)"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rm -rf "$data"
    if [ -n "$db_url" ]; then psql -q "$MIAOJING_TEST_PG_URL" -c "DROP DATABASE IF EXISTS ${db_url##*/}" >/dev/null; fi
done
echo "argon2id parameters: m=19456 KiB, t=2, p=1 (crates/auth/src/password.rs)"
