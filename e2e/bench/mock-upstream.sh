#!/usr/bin/env bash
# mock-upstream throughput (issue "Providers": it must sustain >= 2,000 image requests/s on this
# machine so it never limits a load test). Builds the release binary, starts it on a free port and
# runs wrk at 64 connections against POST /v1/images/generations for: 64x64 PNG b64_json, 64x64
# JPEG url mode, 1024x1024 PNG b64_json, plus GET /v1/models and chat completions.
# Usage: e2e/bench/mock-upstream.sh [seconds]   (default 10). Prints one line per scenario.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
duration="${1:-10}"
command -v wrk >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q wrk >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }; }
cargo build --release -q -p miaojing-mock-upstream
bin="$root/target/release/miaojing-mock-upstream"
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
"$bin" --port "$port" >"$work/log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
until curl -fs "$base/__mock/health" >/dev/null 2>&1; do sleep 0.02; done
# The record is capped (oldest dropped), so it does not grow without bound under load.

post_script() { # file body
    cat >"$1" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-bench"
wrk.body = '$2'
LUA
}

run() { # label path [lua-script]
    local label="$1" path="$2" script="${3:-}" out
    if [ -n "$script" ]; then
        out="$(wrk -t2 -c64 -d"${duration}s" --latency -s "$script" "$base$path")"
    else
        out="$(wrk -t2 -c64 -d"${duration}s" --latency -H "Authorization: Bearer sk-bench" "$base$path")"
    fi
    local rps p50 p99 tput errors
    rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
    tput="$(awk '/Transfer\/sec/ {print $2}' <<<"$out")"
    p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
    p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
    errors="$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)"
    printf '%-46s %10s req/s  %9s/s  p50 %-8s p99 %-8s %s\n' "$label" "$rps" "$tput" "$p50" "$p99" "${errors:-no errors}"
}

post_script "$work/small.lua" '{"model":"gpt-image-1","prompt":"bench small","size":"64x64","output_format":"png","response_format":"b64_json"}'
post_script "$work/small-url.lua" '{"model":"gpt-image-1","prompt":"bench url","size":"64x64","output_format":"jpeg","response_format":"url"}'
post_script "$work/large.lua" '{"model":"gpt-image-1","prompt":"bench large","size":"1024x1024","output_format":"png","response_format":"b64_json"}'
post_script "$work/chat.lua" '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"a quiet harbour at dawn"}]}'

echo "mock-upstream on $base, wrk -t2 -c64 -d${duration}s, $(nproc) cores (shared with whatever else runs)"
run "images/generations 64x64 png b64_json" /v1/images/generations "$work/small.lua"
run "images/generations 64x64 jpeg url" /v1/images/generations "$work/small-url.lua"
run "images/generations 1024x1024 png b64_json" /v1/images/generations "$work/large.lua"
run "chat/completions (text, non-stream)" /v1/chat/completions "$work/chat.lua"
run "GET /v1/models" /v1/models
printf '%-46s %10s MiB\n' "resident memory after load" "$(awk '/VmRSS/ {printf "%.1f", $2/1024}' /proc/$pid/status)"
