#!/bin/sh
# make bench: the verified-sender store, SQLite against PostgreSQL on the
# same machine (a private cluster, tests/pg/lib.sh; needs root, since the
# server runs as postgres): N rows written in batches as the daemon's
# writer does, then N lookups one at a time as a mail thread does
# (vstorebench).  Reported as figures and ratios of the same run; the
# quarantine in PostgreSQL is not built yet (docs/scale-out.md).
# usage: tests/bench/store.sh BUILD_DIR [N]
set -u
BUILD=${1:-build}
N=${2:-20000}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/clamgate-bench-store.XXXXXX)
chmod 755 "$T"
PGT=$T/pg
. "$TOP/tests/pg/lib.sh"
trap 'pg_down; rm -rf "$T"' EXIT
trap 'exit 1' HUP INT PIPE TERM
B=$TOP/$BUILD/bench/vstorebench

echo "== the verified-sender store: $N rows written, $N lookups (half of them misses)"
sq=$("$B" sqlite "$T/verified.db" "$N") || { echo "bench: sqlite failed"; exit 1; }
echo "$sq"
if [ "$(id -u)" -ne 0 ] || [ -z "$PG_BIN" ]; then
	echo "(PostgreSQL skipped: needs root and Debian's postgresql)"
	exit 0
fi
pg_up || { echo "bench: PostgreSQL did not start"; exit 1; }
pg=$("$B" postgresql "$PG_DSN" "$N") || { echo "bench: postgresql failed"; exit 1; }
echo "$pg"
val() { printf '%s\n' "$1" | sed -n "s/.* $2=\([0-9.]*\).*/\1/p"; }
printf 'postgresql / sqlite: writes per second %.3f, lookup p50 %.1f x, p99 %.1f x\n' \
	"$(echo "$(val "$pg" put_per_s) / $(val "$sq" put_per_s)" | bc -l)" \
	"$(echo "$(val "$pg" p50_us) / $(val "$sq" p50_us)" | bc -l)" \
	"$(echo "$(val "$pg" p99_us) / $(val "$sq" p99_us)" | bc -l)"
