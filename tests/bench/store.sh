#!/bin/sh
# make bench: the shared stores against their local ones on the same
# machine (PostgreSQL in a private cluster, tests/pg/lib.sh; needs root,
# since the server runs as postgres):
#  - the verified senders, SQLite against PostgreSQL: N rows written in
#    batches as the daemon's writer does, then N lookups one at a time as
#    a mail thread does (vstorebench);
#  - the quarantine, the directory against PostgreSQL: N/10 messages of
#    8 KB stored durably one after another as a mail thread stores them,
#    then listed and read back as clamgate-quarantine list does
#    (qstorebench).
# Reported as figures and ratios of the same run.
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
Q=$TOP/$BUILD/bench/qstorebench
NQ=$((N / 10))
mkdir -p "$T/q"

echo "== the verified-sender store: $N rows written, $N lookups (half of them misses)"
sq=$("$B" sqlite "$T/verified.db" "$N") || { echo "bench: sqlite failed"; exit 1; }
echo "$sq"
echo "== the quarantine: $NQ messages of 8 KB stored, then listed and read"
qd=$("$Q" dir "$T/q" "$NQ") || { echo "bench: quarantine dir failed"; exit 1; }
echo "$qd"
if [ "$(id -u)" -ne 0 ] || [ -z "$PG_BIN" ]; then
	echo "(PostgreSQL skipped: needs root and Debian's postgresql)"
	exit 0
fi
pg_up || { echo "bench: PostgreSQL did not start"; exit 1; }
pg=$("$B" postgresql "$PG_DSN" "$N") || { echo "bench: postgresql failed"; exit 1; }
echo "$pg"
qp=$("$Q" postgresql "$PG_DSN" "$NQ") || { echo "bench: quarantine postgresql failed"; exit 1; }
echo "$qp"
val() { printf '%s\n' "$1" | sed -n "s/.* $2=\([0-9.]*\).*/\1/p"; }
printf 'postgresql / sqlite: writes per second %.3f, lookup p50 %.1f x, p99 %.1f x\n' \
	"$(echo "$(val "$pg" put_per_s) / $(val "$sq" put_per_s)" | bc -l)" \
	"$(echo "$(val "$pg" p50_us) / $(val "$sq" p50_us)" | bc -l)" \
	"$(echo "$(val "$pg" p99_us) / $(val "$sq" p99_us)" | bc -l)"
printf 'quarantine postgresql / dir: writes per second %.3f, write p50 %.1f x, p99 %.1f x, reads per second %.3f\n' \
	"$(echo "$(val "$qp" put_per_s) / $(val "$qd" put_per_s)" | bc -l)" \
	"$(echo "$(val "$qp" p50_us) / $(val "$qd" p50_us)" | bc -l)" \
	"$(echo "$(val "$qp" p99_us) / $(val "$qd" p99_us)" | bc -l)" \
	"$(echo "$(val "$qp" read_per_s) / $(val "$qd" read_per_s)" | bc -l)"
