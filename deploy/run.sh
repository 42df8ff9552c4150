#!/usr/bin/env bash
# Builds and runs MiaoJing on the embedded default (SQLite + local disk in ./data), with the
# web app. Installs what it needs on Debian/Ubuntu (run as root there, or with sudo).
# Safe to run again: everything is reused. Settings: see docs/configuration.md
# (e.g. PORT=9000 HOST=0.0.0.0 deploy/run.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

apt_install() {
    local missing=()
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "run: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y -q "${missing[@]}" || { $sudo apt-get update -q && $sudo apt-get install -y -q "${missing[@]}"; }
}

if command -v dpkg >/dev/null 2>&1; then
    apt_install pkg-config libssl-dev gcc python3
    # FFmpeg libraries for video frames, watermarks and labels (ffmpeg-next; bindgen needs clang).
    apt_install pkg-config clang libclang-dev libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libavfilter-dev libavdevice-dev libswresample-dev
fi
command -v cargo >/dev/null 2>&1 || { echo "run: cargo is missing: install Rust from https://rustup.rs first" >&2; exit 1; }

echo "run: building the web app"
"$root/deploy/build-frontend.sh"
echo "run: building the server (release)"
cargo build --release -p miaojing-server

export MIAOJING_DATA_DIR="${MIAOJING_DATA_DIR:-$root/data}"
export MIAOJING_STATIC_DIR="${MIAOJING_STATIC_DIR:-$root/frontend/dist}"
mkdir -p "$MIAOJING_DATA_DIR/secrets"
# First start: an admin with a generated password (kept in the data dir, shown below).
if [ -z "${ADMIN_EMAIL:-}" ]; then
    export ADMIN_EMAIL="admin@miaojing.local"
    pw_file="$MIAOJING_DATA_DIR/secrets/admin_password"
    if [ ! -s "$pw_file" ]; then
        (umask 077; python3 -c 'import secrets; print("mj" + secrets.token_urlsafe(12) + "7")' > "$pw_file")
    fi
    export ADMIN_PASSWORD="$(cat "$pw_file")"
fi
host="${HOST:-127.0.0.1}"; port="${PORT:-8080}"
shown="$host"; [ "$host" = "0.0.0.0" ] && shown="127.0.0.1"
cat <<MSG

  MiaoJing (妙境) is starting at   http://$shown:$port
  Admin sign-in (first start):     $ADMIN_EMAIL / ${ADMIN_PASSWORD}
  (the password is kept in $MIAOJING_DATA_DIR/secrets/admin_password; change it in the profile page)
  API documentation:               http://$shown:$port/api/docs

MSG
exec "$root/target/release/miaojing" serve --host "$host" --port "$port"
