#!/usr/bin/env bash
# Serving figure (issue 3): requests per second for a cached thumbnail through
# GET /api/local-storage/ at 64 connections (wrk, 2 threads, same machine), release build.
# The thumbnail is made by the server's own background backfill from ../shared/bench's PNG
# (or any PNG given as $2), then its watermarked render is cached on the first request.
# Usage: e2e/bench/serving.sh [seconds] [image.png]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
duration="${1:-15}"
image="${2:-$root/../shared/bench/gradient-noise-2048x2048.png}"
[ -f "$image" ] || image="/work/shared/bench/gradient-noise-2048x2048.png"
dpkg -s wrk >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q wrk >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }; }
# MIAOJING_BENCH_BIN: measure a release binary built earlier instead of building one now.
bin="${MIAOJING_BENCH_BIN:-}"
if [ -z "$bin" ]; then
    cargo build --release -q -p miaojing-server
    bin="${CARGO_TARGET_DIR:-$root/target}/release/miaojing"
fi

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
data="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$data"' EXIT
mkdir -p "$data/storage/generated/images"
cp "$image" "$data/storage/generated/images/bench.png"
RUST_LOG=warn "$bin" serve --port "$port" --data-dir "$data" >"$data/log" 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
url="$base/api/local-storage/thumbnails/generated/images/bench-m1280q86.webp"
for _ in $(seq 1 600); do
    curl -fs -o /dev/null "$url" && break
    sleep 0.1
done
curl -fs -o /dev/null "$url" || { echo "the thumbnail never appeared"; cat "$data/log"; exit 1; }
size="$(curl -fs "$url" | wc -c)"
out="$(wrk -t2 -c64 -d"${duration}s" --latency "$url")"
rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
errors="$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)"
printf 'cached watermarked thumbnail (%s bytes) via /api/local-storage/, 64 conn, %ss: %s req/s  p50 %s  p99 %s  %s\n' \
    "$size" "$duration" "$rps" "$p50" "$p99" "${errors:-no errors}"
