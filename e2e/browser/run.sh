#!/usr/bin/env bash
# Browser tests of the MiaoJing SPA: starts the real `miaojing` binary on a fresh data dir
# with the built web app (frontend/dist), creates an admin with the CLI, and drives the
# system Chromium through playwright-core. Screenshots go to e2e/artifacts/.
# The real mock upstream (`miaojing-mock-upstream`, next to the miaojing binary or named by
# MIAOJING_MOCK_UPSTREAM) runs on a free loopback port that the server's outbound guard allows;
# a real SMTP sink (aiosmtpd, installed like deploy/test-services.sh does) receives the mail.
# Usage: e2e/browser/run.sh path/to/miaojing   (build the SPA first: deploy/build-frontend.sh;
# `cargo build -p miaojing-server -p miaojing-mock-upstream`)
# Runs tests.mjs (user SPA) then console.mjs (admin console); each prints "N passed, M failed";
# exits non-zero when either suite fails.
set -euo pipefail
bin="$(realpath "${1:?usage: e2e/browser/run.sh path/to/miaojing [test-name-filter]}")"
shift
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dist="$root/frontend/dist"
[ -f "$dist/index.html" ] || { echo "no $dist/index.html: run deploy/build-frontend.sh first" >&2; exit 2; }
chromium="${MIAOJING_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get install -y --no-install-recommends chromium >/dev/null
fi
[ -x "$chromium" ] || { echo "$chromium not found: apt-get install chromium" >&2; exit 2; }

# npm dependencies, installed only when missing or when the lock file changed.
cd "$here"
stamp="node_modules/.lock-stamp"
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

mock_bin="${MIAOJING_MOCK_UPSTREAM:-$(dirname "$bin")/miaojing-mock-upstream}"
[ -x "$mock_bin" ] || { echo "$mock_bin not found: cargo build -p miaojing-mock-upstream" >&2; exit 2; }

data="$(mktemp -d)"
# A real SMTP sink (aiosmtpd writing a Maildir, as in deploy/test-services.sh) for the mail
# the console sends (the author notice of a prompt edit).
# shellcheck source=deploy/test-services.sh
source "$root/deploy/test-services.sh"
_mj_python_tools
smtp_port="$(_mj_free_port)"
maildir="$data/maildir"
mkdir -p "$maildir"/{new,cur,tmp}
"$root/.tools/venv/bin/python" -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$maildir" >"$data/smtp.log" 2>&1 &
smtp_pid=$!
mj_start_mock_upstream "$mock_bin" "$data"
port="$(_mj_free_port)"
admin_email="e2e-admin@example.com"
admin_password="e2e-admin-pass1"
"$bin" admin create --email "$admin_email" --password "$admin_password" --data-dir "$data" >/dev/null

# The tests configure their own models against the external mock; no demo models.
MIAOJING_DEMO_WHEN_EMPTY=false MIAOJING_OUTBOUND_ALLOWLIST="$mock_hostport" MIAOJING_STATIC_DIR="$dist" "$bin" serve --port "$port" --data-dir "$data" >"$data/server.log" 2>&1 &
pid=$!
cleanup() {
  kill "$pid" "$mock_pid" "$smtp_pid" 2>/dev/null || true
  wait "$pid" "$mock_pid" "$smtp_pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break; sleep 0.1; done
_mj_wait_port "$smtp_port" "$smtp_pid" "the SMTP sink" "$data/smtp.log"

mkdir -p "$root/e2e/artifacts"
export MJ_BASE="http://127.0.0.1:$port" MJ_MOCK_URL="$mock_url" MJ_ADMIN_EMAIL="$admin_email" MJ_ADMIN_PASSWORD="$admin_password" \
  MJ_ARTIFACTS="$root/e2e/artifacts" MJ_CHROMIUM="$chromium" MJ_SMTP="127.0.0.1:$smtp_port" MJ_MAILDIR="$maildir"
# The user SPA suite, then the admin console suite; fails when either fails.
spa=0 console=0
node "$here/tests.mjs" "$@" || spa=$?
node "$here/console.mjs" "$@" || console=$?
if (( spa || console )); then
  # The server's side of a failure: its log is kept beside the screenshots, its tail printed.
  cp "$data/server.log" "$root/e2e/artifacts/server.log"
  echo "--- last 60 lines of the server log (all of it: e2e/artifacts/server.log) ---" >&2
  tail -n 60 "$data/server.log" >&2
fi
exit $(( spa || console ))
