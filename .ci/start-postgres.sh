#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server for the tests (Debian's postgresql package) and prints its URL:
#   export PERF_BASELINE_TEST_PG=$(bash .ci/start-postgres.sh [PORT [DIR_FILE]])
# DIR_FILE, when given, receives the cluster's folder (for stopping it: pg_ctl -D <folder>/data stop).
# The cluster lives in a temp folder owned by the postgres user (the server refuses to run as root), listens
# on 127.0.0.1 only, trusts local connections and is stopped with: pg_ctl -D <dir> stop (printed on stderr).
set -euo pipefail
port="${1:-55432}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "start-postgres: no PostgreSQL server installed (apt-get install -y postgresql)" >&2
  exit 1
fi
dir="$(mktemp -d /tmp/pb-pg-XXXXXX)"
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$dir"
as_pg "'$bin/initdb' -D '$dir/data' -A trust -U postgres --no-sync >'$dir/initdb.log' 2>&1"
as_pg "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 -o \"-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100\" start >&2"
echo "start-postgres: server in $dir on 127.0.0.1:$port (stop: su postgres -c \"$bin/pg_ctl -D $dir/data stop\")" >&2
[ -n "${2:-}" ] && echo "$dir" >"$2"
echo "postgres://postgres@127.0.0.1:$port/postgres"
