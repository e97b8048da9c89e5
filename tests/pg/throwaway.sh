#!/usr/bin/env bash
# Run one command against a throwaway PostgreSQL cluster, then stop and remove the cluster.
#
#   tests/pg/throwaway.sh COMMAND [ARGS...]
#
# The cluster is made with initdb in a temporary folder and started with pg_ctl; it listens
# on a unix socket inside that folder only (no TCP port, so no clash with anything else on the
# machine, and no system service is used or needed). COMMAND runs with
#
#   TEST_DATABASE_URL=postgresql+psycopg://nara@/nara_test?host=<folder>
#
# which tests/conftest.py picks up, and the script exits with COMMAND's status. Debian's
# `postgresql` package is installed when initdb/pg_ctl are missing (it may start a system
# cluster of its own: harmless, this script never talks to it).
set -euo pipefail

SUDO=$([ "$(id -u)" = 0 ] || echo sudo)

if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

# The newest server binaries Debian installed (they are not on PATH by default).
find_bindir() {
    local dir
    for dir in $(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

if ! BINDIR=$(find_bindir); then
    echo "throwaway.sh: installing Debian's postgresql (initdb/pg_ctl not found)" >&2
    # The lock timeout waits for another apt/dpkg run instead of failing at once.
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q -o DPkg::Lock::Timeout=300 postgresql
    BINDIR=$(find_bindir)
fi

# initdb refuses to run as root: as root, the cluster belongs to Debian's `postgres` user
# (made by the package).
if [ "$(id -u)" = 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "throwaway.sh: as root, a postgres user must own the cluster; there is none" >&2
        exit 1
    fi
    AS_OWNER=(runuser -u postgres --)
else
    AS_OWNER=()
fi

# Under /tmp, not $TMPDIR: the owner must reach it, and a socket's path must stay short.
DIR=$(mktemp -d /tmp/nara-pg.XXXXXX)
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -f "$DIR/data/postmaster.pid" ]; then
        "${AS_OWNER[@]}" "$BINDIR/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 ||
            true
    fi
    rm -rf "$DIR"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [ "$(id -u)" = 0 ]; then
    chown postgres: "$DIR"
fi
CALLER_DIR=$PWD
cd "$DIR" # the owner may not be allowed into the caller's folder

# trust on the socket is safe: the socket's folder is readable by its owner only (and root).
"${AS_OWNER[@]}" "$BINDIR/initdb" -D "$DIR/data" -U nara --auth=trust -E UTF8 \
    --locale=C.UTF-8 --no-sync >"$DIR/initdb.log" 2>&1 || {
    cat "$DIR/initdb.log" >&2
    exit 1
}
# Durability is worthless here and fsync is what makes per-test DROP/CREATE slow.
OPTIONS="-c listen_addresses='' -c unix_socket_directories='$DIR' -c unix_socket_permissions=0700"
OPTIONS+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
"${AS_OWNER[@]}" "$BINDIR/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -o "$OPTIONS" -w -s start || {
    cat "$DIR/server.log" >&2
    exit 1
}
"${AS_OWNER[@]}" "$BINDIR/createdb" -h "$DIR" -U nara nara_test

export TEST_DATABASE_URL="postgresql+psycopg://nara@/nara_test?host=$DIR"
VERSION=$("$BINDIR/pg_ctl" --version | awk '{print $3}')
echo "throwaway.sh: PostgreSQL $VERSION at $TEST_DATABASE_URL" >&2

# Not exec: the trap must still run to stop the server and remove the folder.
cd "$CALLER_DIR"
status=0
"$@" || status=$?
exit "$status"
