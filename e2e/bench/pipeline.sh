#!/usr/bin/env bash
# Generation pipeline figures (issue 5) on SQLite and PostgreSQL: dispatch latency, platform
# overhead per 1024² image job, burst throughput and polling of 1,000 in-flight video tasks,
# measured by crates/server/benches/pipeline.rs (release build, app and mock upstream in one
# process). Usage: e2e/bench/pipeline.sh [burst-jobs]   (default 500)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
jobs="${1:-500}"
# shellcheck source=/dev/null
source "$root/deploy/pg-test-env.sh" >/dev/null
for backend in sqlite postgres; do
    cargo bench -q -p miaojing-server --bench pipeline -- "$backend" "$jobs" 2>/dev/null
done
