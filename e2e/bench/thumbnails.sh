#!/usr/bin/env bash
# Thumbnail and watermark benchmark, ours against sharp (libvips), same inputs, same machine, same run.
#
#   e2e/bench/thumbnails.sh [runs]      (default 20 timed runs after 2 warm-ups, like the sharp script)
#
# 1. Builds and runs crates/storage/benches/thumbnail.rs in release mode in its median mode, which
#    prints the median milliseconds per input image and for watermarking a 2048x2048 image.
# 2. Installs sharp@0.34.5 with npm into a temporary folder and runs the shared sharp script.
# 3. Prints ours/sharp for each image (goal: <= 0.8) and the watermark median (goal: <= 40 ms).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
shared="$(dirname "$repo")/shared/bench"
runs="${1:-20}"

for f in gradient-noise-2048x2048.png photo-like-4000x3000.jpg sharp-thumb-bench.mjs; do
  [[ -f "$shared/$f" ]] || { echo "missing $shared/$f: the shared benchmark inputs are required" >&2; exit 1; }
done

echo "== ours (release build, median of $runs) =="
ours="$(cd "$repo" && MIAOJING_BENCH_MEDIAN=1 MIAOJING_BENCH_RUNS="$runs" cargo bench -q -p miaojing-storage --bench thumbnail 2>/dev/null | grep '^median_ms')"
echo "$ours"

echo "== sharp 0.34.5 (libvips), median of $runs =="
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && npm init -y >/dev/null 2>&1 && npm install --no-audit --no-fund --silent sharp@0.34.5 >"$tmp/npm.log" 2>&1); then
  echo "npm install sharp@0.34.5 failed; no comparison:" >&2
  tail -20 "$tmp/npm.log" >&2
  exit 2
fi
sharp_json="$(node "$shared/sharp-thumb-bench.mjs" --sharp-from "$tmp" --runs "$runs")"
echo "$sharp_json" | node -e 'const r=JSON.parse(require("fs").readFileSync(0));console.log(`sharp ${r.sharp.sharp} libvips ${r.sharp.vips} concurrency ${r.vipsConcurrency}`);for(const x of r.results)console.log(`median_ms ${x.input} ${x.medianMs}`)'

echo "== ratio ours/sharp (goal <= 0.8) =="
SHARP_JSON="$sharp_json" OURS="$ours" node -e '
const sharp = Object.fromEntries(JSON.parse(process.env.SHARP_JSON).results.map(r => [r.input, r.medianMs]));
let ok = true;
for (const line of process.env.OURS.trim().split("\n")) {
  const [, name, ms] = line.split(/\s+/);
  if (name in sharp) {
    const ratio = Number(ms) / sharp[name];
    ok = ok && ratio <= 0.8;
    console.log(`${name}: ours ${ms} ms, sharp ${sharp[name]} ms, ratio ${ratio.toFixed(2)}`);
  } else if (name.startsWith("watermark")) {
    ok = ok && Number(ms) <= 40;
    console.log(`${name}: ${ms} ms (goal <= 40 ms)`);
  }
}
console.log(ok ? "all goals met" : "some goals not met");
'
