#!/usr/bin/env bash
# Run one command beside a throwaway Redis server, then stop it and remove its folder.
#
#   tests/redis/throwaway.sh COMMAND [ARGS...]
#
# The server listens on a unix socket in a temporary folder only (no TCP port: no clash with
# anything else on the machine), keeps nothing on disk, and COMMAND runs with
#
#   TEST_REDIS_URL=redis+unix://<folder>/redis.sock
#
# (Flask-Limiter's storage URI for it), which tests/test_rate_limits_shared.py picks up. The
# script exits with COMMAND's status. Debian's `redis-server` is installed when neither it nor
# Valkey's `valkey-server` (the same protocol) is found; a system service the package may
# start is never used.
set -euo pipefail

SUDO=$([ "$(id -u)" = 0 ] || echo sudo)

if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

find_server() {
    command -v redis-server || command -v valkey-server || return 1
}

if ! SERVER=$(find_server); then
    echo "throwaway.sh: installing Debian's redis-server (no redis-server or valkey-server)" >&2
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q -o DPkg::Lock::Timeout=300 redis-server
    SERVER=$(find_server)
fi

DIR=$(mktemp -d /tmp/nara-redis.XXXXXX)
SOCKET="$DIR/redis.sock"
PID=""
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -n "$PID" ]; then
        kill "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$DIR"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$SERVER" --port 0 --unixsocket "$SOCKET" --unixsocketperm 700 --save '' --appendonly no \
    --dir "$DIR" --logfile "$DIR/server.log" --daemonize no &
PID=$!

# Ready when the socket answers PING; a deadline, never an open-ended wait.
CLI=$(command -v redis-cli || command -v valkey-cli || true)
ready=""
for _ in $(seq 100); do
    if [ -S "$SOCKET" ] && { [ -z "$CLI" ] || "$CLI" -s "$SOCKET" ping 2>/dev/null | grep -q PONG; }; then
        ready=1
        break
    fi
    if ! kill -0 "$PID" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
if [ -z "$ready" ]; then
    echo "throwaway.sh: Redis did not start" >&2
    cat "$DIR/server.log" >&2
    exit 1
fi

export TEST_REDIS_URL="redis+unix://$SOCKET"
VERSION=$("$SERVER" --version | head -1)
echo "throwaway.sh: $VERSION at $TEST_REDIS_URL" >&2

# Not exec: the trap must still stop the server and remove the folder.
status=0
"$@" || status=$?
exit "$status"
