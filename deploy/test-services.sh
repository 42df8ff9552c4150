#!/usr/bin/env bash
# Installs and starts the services the test suite talks to, and exports where they are:
#   MIAOJING_TEST_PG_URL   PostgreSQL role with CREATEDB (deploy/pg-test-env.sh)
#   MIAOJING_TEST_SMTP     host:port of a real SMTP sink (aiosmtpd)
#   MIAOJING_TEST_MAILDIR  the Maildir the sink delivers into
#   MIAOJING_TEST_S3_ENDPOINT  http://host:port of a real S3-compatible server (moto_server);
#                          tests create their own buckets there (any access key is accepted)
# Source it (`source deploy/test-services.sh`); `mj_stop_test_services` stops what it started.
# Idempotent; needs root for apt-get on a fresh machine.

_mj_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

_mj_apt() {
    local missing=()
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "test-services: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "${missing[@]}" >&2 || { apt-get update -q >&2 && apt-get install -y -q "${missing[@]}" >&2; }
}

_mj_python_tools() {
    local venv="$_mj_root/.tools/venv"
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv" >&2 || { _mj_apt python3-venv && python3 -m venv "$venv" >&2; } || return 1
    fi
    if ! "$venv/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
        "$venv/bin/pip" install -q 'aiosmtpd>=1.4,<2' >&2 || return 1
    fi
    if [ ! -x "$venv/bin/moto_server" ]; then
        "$venv/bin/pip" install -q 'moto[server]>=5,<6' >&2 || return 1
    fi
    # The OpenAPI validator (the API suite's openapi test) and the fuzzer (e2e/fuzz.sh).
    if [ ! -x "$venv/bin/openapi-spec-validator" ]; then
        "$venv/bin/pip" install -q 'openapi-spec-validator>=0.7,<0.8' >&2 || return 1
    fi
    if [ ! -x "$venv/bin/st" ]; then
        "$venv/bin/pip" install -q 'schemathesis>=4.3,<5' >&2 || return 1
    fi
}

# Waits until something listens on 127.0.0.1:$1 while process $2 lives; $3 names it, $4 is its log.
_mj_wait_port() {
    local i
    for i in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        if ! kill -0 "$2" 2>/dev/null || [ "$i" -eq 100 ]; then
            echo "test-services: $3 did not start:" >&2
            cat "$4" >&2
            return 1
        fi
        sleep 0.1
    done
}

_mj_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

mj_start_test_services() {
    _mj_apt pkg-config libssl-dev python3 python3-venv || return 1
    # FFmpeg libraries for the storage crate's video code (ffmpeg-next; bindgen needs clang).
    _mj_apt pkg-config clang libclang-dev libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libavfilter-dev libavdevice-dev libswresample-dev || return 1
    # shellcheck source=deploy/pg-test-env.sh
    source "$_mj_root/deploy/pg-test-env.sh" >/dev/null || return 1
    _mj_python_tools || return 1
    local port maildir
    port="$(_mj_free_port)"
    maildir="$(mktemp -d /tmp/miaojing-maildir.XXXXXX)"
    mkdir -p "$maildir"/{new,cur,tmp}
    "$_mj_root/.tools/venv/bin/python" -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$maildir" >"$maildir.log" 2>&1 &
    MJ_SMTP_PID=$!
    local i
    for i in $(seq 1 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        if ! kill -0 "$MJ_SMTP_PID" 2>/dev/null || [ "$i" -eq 50 ]; then
            echo "test-services: the SMTP sink did not start:" >&2
            cat "$maildir.log" >&2
            return 1
        fi
        sleep 0.1
    done
    export MIAOJING_TEST_SMTP="127.0.0.1:$port" MIAOJING_TEST_MAILDIR="$maildir" MJ_SMTP_PID
    local s3port
    s3port="$(_mj_free_port)"
    "$_mj_root/.tools/venv/bin/moto_server" -H 127.0.0.1 -p "$s3port" >"$maildir.s3.log" 2>&1 &
    MJ_S3_PID=$!
    _mj_wait_port "$s3port" "$MJ_S3_PID" "the S3 server (moto_server)" "$maildir.s3.log" || return 1
    export MIAOJING_TEST_S3_ENDPOINT="http://127.0.0.1:$s3port" MJ_S3_PID
    echo "test-services: PostgreSQL $MIAOJING_TEST_PG_URL, SMTP sink $MIAOJING_TEST_SMTP -> $MIAOJING_TEST_MAILDIR, S3 $MIAOJING_TEST_S3_ENDPOINT" >&2
}

mj_stop_test_services() {
    if [ -n "${MJ_S3_PID:-}" ]; then
        kill "$MJ_S3_PID" 2>/dev/null || true
        wait "$MJ_S3_PID" 2>/dev/null || true
    fi
    if [ -n "${MJ_SMTP_PID:-}" ]; then
        kill "$MJ_SMTP_PID" 2>/dev/null || true
        wait "$MJ_SMTP_PID" 2>/dev/null || true
    fi
    if [ -n "${MIAOJING_TEST_MAILDIR:-}" ] && [ -d "$MIAOJING_TEST_MAILDIR" ]; then
        rm -rf "$MIAOJING_TEST_MAILDIR" "$MIAOJING_TEST_MAILDIR.log" "$MIAOJING_TEST_MAILDIR.s3.log"
    fi
}

# Starts the mock-upstream binary $1 on a free port, logging into directory $2; sets mock_pid,
# mock_url and mock_hostport (host:port, for MIAOJING_OUTBOUND_ALLOWLIST).
mj_start_mock_upstream() {
    "$1" --port 0 >"$2/mock.url" 2>"$2/mock.log" &
    mock_pid=$!
    for _ in $(seq 1 100); do [ -s "$2/mock.url" ] && break; sleep 0.1; done
    mock_url="$(head -n1 "$2/mock.url")"
    mock_hostport="${mock_url#http://}"
    mock_hostport="${mock_hostport%%/*}"
}
