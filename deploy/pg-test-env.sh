#!/usr/bin/env bash
# Prepares a local PostgreSQL for the test suites and exports MIAOJING_TEST_PG_URL.
#
#   source deploy/pg-test-env.sh     # exports MIAOJING_TEST_PG_URL into the current shell
#   bash deploy/pg-test-env.sh       # prepares and prints the variable (for eval or copy)
#
# For Debian 12 (or any Debian-like system with postgresql-common), run as root (or with sudo
# available). Idempotent: installs the `postgresql` package if missing, makes sure a cluster
# is running (creating one when none exists), creates the role `miaojing` (password
# `miaojing`, CREATEDB) and the database `miaojing_test` owned by it if missing. Safe to run
# again while the cluster is up.
#
# Tests create one database per test (`mj_test_<uuid>`) through this role; the role needs
# CREATEDB for that.

_mj_pg_test_env() {
    local role="miaojing" password="miaojing" db="miaojing_test"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo="sudo"
        else
            echo "pg-test-env: run as root (or install sudo)" >&2
            return 1
        fi
    fi

    # 1. The server package.
    if ! command -v pg_lsclusters >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        echo "pg-test-env: installing postgresql" >&2
        export DEBIAN_FRONTEND=noninteractive
        if ! $sudo apt-get install -y -q postgresql >&2; then
            $sudo apt-get update -q >&2 || return 1
            $sudo apt-get install -y -q postgresql >&2 || return 1
        fi
    fi

    # 2. A running cluster (the first one listed; the newest installed version if none).
    local version name port status
    read -r version name port status < <(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1, $2, $3, $4}')
    if [ -z "${version:-}" ]; then
        version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
        name="main"
        echo "pg-test-env: creating cluster $version/$name" >&2
        $sudo pg_createcluster "$version" "$name" >&2 || return 1
        read -r version name port status < <(pg_lsclusters --no-header | awk -v v="$version" -v n="$name" '$1==v && $2==n {print $1, $2, $3, $4}')
    fi
    case "$status" in
        online*) ;;
        *)
            echo "pg-test-env: starting cluster $version/$name" >&2
            $sudo pg_ctlcluster "$version" "$name" start >&2 || return 1
            ;;
    esac
    local i
    for i in $(seq 1 60); do
        if pg_isready -q -h 127.0.0.1 -p "$port"; then
            break
        fi
        if [ "$i" -eq 60 ]; then
            echo "pg-test-env: PostgreSQL on 127.0.0.1:$port did not become ready" >&2
            return 1
        fi
        sleep 0.5
    done

    # 3. Role and database, as the postgres superuser over the local socket.
    local as_postgres
    if command -v runuser >/dev/null 2>&1 && [ -z "$sudo" ]; then
        as_postgres=(runuser -u postgres --)
    else
        as_postgres=(sudo -u postgres)
    fi
    local psql=("${as_postgres[@]}" psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres)
    (cd / && "${psql[@]}" >&2) <<SQL || return 1
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN
        CREATE ROLE $role LOGIN CREATEDB PASSWORD '$password';
    ELSE
        ALTER ROLE $role LOGIN CREATEDB PASSWORD '$password';
    END IF;
END
\$\$;
SQL
    if [ "$(cd / && "${psql[@]}" -At -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]; then
        (cd / && "${as_postgres[@]}" createdb -p "$port" -O "$role" "$db") >&2 || return 1
    fi

    MIAOJING_TEST_PG_URL="postgres://$role:$password@127.0.0.1:$port/$db"
    export MIAOJING_TEST_PG_URL
    # The password login over TCP must work, or the tests cannot connect.
    if ! PGCONNECT_TIMEOUT=5 psql -X -q "$MIAOJING_TEST_PG_URL" -c 'SELECT 1' >/dev/null; then
        echo "pg-test-env: cannot log in as $role over TCP (check pg_hba.conf)" >&2
        return 1
    fi
    echo "export MIAOJING_TEST_PG_URL=$MIAOJING_TEST_PG_URL"
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
    # Sourced: keep the caller's shell options and never exit it.
    _mj_pg_test_env
    _mj_pg_test_env_rc=$?
    unset -f _mj_pg_test_env
    return "$_mj_pg_test_env_rc" 2>/dev/null || true
else
    set -uo pipefail
    _mj_pg_test_env
    exit $?
fi
