#!/usr/bin/env bash
# Property-based fuzzing of the HTTP API against its own OpenAPI document (schemathesis).
#
#   e2e/fuzz.sh path/to/miaojing [sqlite|postgres]...
#
# For each backend named (default: sqlite, plus postgres when MIAOJING_TEST_PG_URL is set), starts
# the real binary on a fresh data dir (a fresh database for PostgreSQL) in demo mode with an
# admin, signs up a user, and runs schemathesis over every operation as the user, then over
# the admin operations as the admin. Checks: no 5xx, every status code, content type and body
# as documented; a schema-valid request refused as invalid fails the run too (the document
# must be as strict as the server; exceptions and why in e2e/schemathesis.toml). A bounded number of cases per operation (FUZZ_EXAMPLES, default 10) keeps a run
# to a few minutes. Fails when schemathesis finds a failure; its report is kept in
# e2e/artifacts/fuzz-<backend>/. Needs the Python tools of deploy/test-services.sh.
set -uo pipefail
bin="${1:?usage: e2e/fuzz.sh path/to/miaojing [sqlite|postgres]...}"
shift
root="$(cd "$(dirname "$0")/.." && pwd)"
st="$root/.tools/venv/bin/st"
if [ ! -x "$st" ]; then
    echo "fuzz: $st is missing: source deploy/test-services.sh && mj_start_test_services" >&2
    exit 1
fi
backends=("$@")
if [ ${#backends[@]} -eq 0 ]; then
    backends=(sqlite)
    [ -n "${MIAOJING_TEST_PG_URL:-}" ] && backends+=(postgres)
fi
examples="${FUZZ_EXAMPLES:-10}"
checks="not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"

# Runs schemathesis as one caller; "$@" adds filters.
fuzz_as() {
    local base="$1" token="$2" report="$3"
    shift 3
    "$st" --config-file "$root/e2e/schemathesis.toml" run "$base/api/openapi.json" --url "$base" \
        -H "Authorization: Bearer $token" \
        --checks "$checks" \
        --max-examples "$examples" \
        --phases examples,coverage,fuzzing \
        --seed "${FUZZ_SEED:-20261207}" \
        --workers 1 \
        --request-timeout 20 \
        --suppress-health-check all \
        --generation-database none \
        --no-color \
        --exclude-path /api/auth/logout \
        --exclude-path /api/generation-jobs/events \
        --report junit --report-dir "$report" \
        "$@"
}

run_backend() {
    local backend="$1" data port base pid db_url="" db_name="" status=0
    data="$(mktemp -d)"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    base="http://127.0.0.1:$port"
    if [ "$backend" = postgres ]; then
        [ -n "${MIAOJING_TEST_PG_URL:-}" ] || { echo "fuzz: MIAOJING_TEST_PG_URL is not set" >&2; return 1; }
        db_name="mj_fuzz_$(date +%s)_$$"
        psql "$MIAOJING_TEST_PG_URL" -q -c "CREATE DATABASE $db_name" || return 1
        db_url="${MIAOJING_TEST_PG_URL%/*}/$db_name"
    fi
    echo "== fuzz ($backend) on $base"
    DATABASE_URL="$db_url" MIAOJING_DEMO=1 ADMIN_EMAIL=fuzz-admin@example.com ADMIN_PASSWORD=fuzz-admin-pass1 \
        RATE_LIMIT_LOGIN_IP_MAX=100000 RATE_LIMIT_LOGIN_ACCOUNT_MAX=100000 RATE_LIMIT_REGISTER_MAX=100000 RATE_LIMIT_EMAIL_MAX=100000 RATE_LIMIT_ADMIN_MAX=100000 \
        "$bin" serve --port "$port" --data-dir "$data" >"$data/server.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 150); do curl -fs "$base/api/health" >/dev/null 2>&1 && break; sleep 0.2; done
    local admin user
    admin="$(curl -fs -H 'content-type: application/json' -d '{"email":"fuzz-admin@example.com","password":"fuzz-admin-pass1","adminOnly":true}' "$base/api/auth/login" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["session"]["access_token"])')"
    user="$(curl -fs -H 'content-type: application/json' -d '{"email":"fuzz-user@example.com","nickname":"fuzzuser","password":"fuzz-user-pass1","acceptedTerms":true}' "$base/api/auth/register" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["session"]["access_token"])')"
    if [ -z "$admin" ] || [ -z "$user" ]; then
        echo "fuzz: could not sign in the admin and the user" >&2
        cat "$data/server.log" >&2
        status=1
    else
        local report="$root/e2e/artifacts/fuzz-$backend"
        rm -rf "$report"
        fuzz_as "$base" "$user" "$report/user" || status=1
        fuzz_as "$base" "$admin" "$report/admin" --include-tag admin || status=1
        # Admin-only operations filed under other tags.
        fuzz_as "$base" "$admin" "$report/admin-other" \
            --include-path-regex '^/api/(site-config|announcements|email/send-notification)$' || status=1
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "fuzz: the server died" >&2
            status=1
        fi
        if grep -q "panicked" "$data/server.log"; then
            echo "fuzz: the server panicked:" >&2
            grep -A3 "panicked" "$data/server.log" >&2
            status=1
        fi
    fi
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rm -rf "$data"
    if [ -n "$db_name" ]; then
        psql "$MIAOJING_TEST_PG_URL" -q -c "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" >/dev/null 2>&1
    fi
    return "$status"
}

failed=0
for b in "${backends[@]}"; do
    run_backend "$b" || failed=$((failed + 1))
done
if [ "$failed" -gt 0 ]; then
    echo "fuzz: $failed backend run(s) found failures"
    exit 1
fi
echo "fuzz: no failures"
