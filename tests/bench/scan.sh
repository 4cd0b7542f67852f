#!/bin/sh
# The scanning benchmark: the same unique corpus, the same synthetic
# database and the same load generator against
#   bare      libclamav alone, from memory (tests/bench/barescan.c)
#   bare-b    the same again, last at each level: bare-b/bare shows how
#             much two identical systems differ in this run (the noise)
#   cg-unix   clamgate, embedded engine, unix socket
#   cg-noview the same with the second MIME view off (scanner.mime_view)
#   cg-gate   the same with the outbound gate on: every message verifies
#             its sender (a trusted A-R) and records a contact
#   cg-metrics the same as cg-unix with the metrics endpoint scraped every
#             second, the textfile and the control socket on
#   cg-inet   clamgate, embedded engine, inet socket
#   cg-clamd  clamgate, clamd backend (unix clamd socket), inet socket
#   peer-inet clamav-milter + clamd (Debian's configuration), inet socket
#   peer-unix clamav-milter + clamd, unix socket
# at 1, 2, 8, 32 and 64 concurrent sessions, then 64 idle sessions, the
# reload under load and the large messages on cg-unix.
#
# All systems are started first (each with its own engine or clamd),
# then the runs are interleaved: every system at 1 session, then every
# system at 2, and so on, so that a slow minute of a noisy machine
# falls on all of them alike.  Each level has its own slice of the
# corpus and each system sees each slice once: libclamav's cache of
# clean files cannot flatter anyone (one labelled run, cg-repeat,
# replays a slice on purpose to show what that cache is worth).  Raw
# results go to $OUT (default BUILD_DIR/bench/results.txt, key=value
# lines); tests/bench/report.awk turns them into the report.
# usage: tests/bench/scan.sh BUILD_DIR [quick]
set -u
BUILD=${1:-build}
MODE=${2:-full}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=$TOP/$BUILD/bench
CG=$TOP/$BUILD/clamgate
CONCS="1 2 8 32 64"
if [ "$MODE" = quick ]; then
	N=80 HASH=200000 BODY=40000 RELOAD_N=300 LARGE="1 10"
else
	N=400 HASH=1000000 BODY=200000 RELOAD_N=1200 LARGE="1 10 50"
fi
NCPU=$(nproc)
T=$(mktemp -d /tmp/clamgate-bench.XXXXXX)
chmod 755 "$T"
OUT=${OUT:-$TOP/$BUILD/bench/results.txt}
: > "$OUT"
PORT=$((30000 + $$ % 10000))
PIDS=""
cleanup() {
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM
die() { echo "bench: $*" >&2; exit 1; }

# proc_cpu PID... - user+system seconds of these processes so far
proc_cpu() {
	hz=$(getconf CLK_TCK)
	for p in "$@"; do awk '{print $14 + $15}' "/proc/$p/stat"; done |
		awk -v hz="$hz" '{s += $1} END {printf "%.3f", s / hz}'
}
# proc_mem FIELD PID... - VmRSS or VmHWM of these processes, in MiB
proc_mem() {
	f=$1; shift
	for p in "$@"; do awk -v f="$f:" '$1 == f {print $2}' "/proc/$p/status"; done |
		awk '{s += $1} END {printf "%.0f", s / 1024}'
}
# reset_peak PID... - start VmHWM again from the current VmRSS
reset_peak() { for p in "$@"; do echo 5 > "/proc/$p/clear_refs"; done; }

wait_for() { # SECONDS COMMAND... - until COMMAND succeeds
	n=$(($1 * 5)); shift
	while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.2; n=$((n - 1)); done
	return 1
}
listening() { # SPEC
	"$B/loadgen" -s "$1" -I 1 -t 0 > /dev/null 2>&1
}

generate() {
	mkdir -p "$T/db" "$T/q" "$T/tmp"
	cp "$TOP"/signatures-test/*.hdb "$TOP"/signatures-test/*.ndb "$T/db/"
	"$B/mksigs" "$T/db" "$HASH" "$BODY" || die "mksigs failed"
	for c in $CONCS; do
		mkdir "$T/c$c" && "$B/mkcorpus" "$T/c$c" $((c * 100000)) "$N" || die "mkcorpus failed"
	done
	mkdir "$T/reload" && "$B/mkcorpus" "$T/reload" 5000000 "$RELOAD_N" || die "mkcorpus failed"
	for s in $LARGE; do
		mkdir "$T/large$s" && "$B/mkcorpus" -s $((s * 1048576)) "$T/large$s" $((6000000 + s)) ||
			die "mkcorpus failed"
	done
	printf 'corpus: %s messages per level, %s per message on average; database: %s hash + %s body signatures\n' \
		"$N" "$(ls -l "$T/c1" | awk 'NR > 1 {s += $5; n++} END {printf "%.0f KB", s / n / 1024}')" \
		"$HASH" "$BODY"
}

# level_run NAME SPEC CONC PID... - one level of one system
level_run() {
	name=$1 spec=$2 c=$3
	shift 3
	cpu0=$(proc_cpu "$@")
	line=$("$B/loadgen" -s "$spec" -d "$T/c$c" -c "$c" -n "$name")
	echo "$line syscpu=$(echo "$(proc_cpu "$@") - $cpu0" | bc -l)" >> "$OUT"
	echo "$line" | cut -d' ' -f1,3,6-12,17
}

# idle_run NAME SPEC PID... - the resident size with 64 idle sessions
idle_run() {
	name=$1 spec=$2
	shift 2
	rss=$(proc_mem VmRSS "$@")
	"$B/loadgen" -s "$spec" -I 64 -t 3 > "$T/idle.out" &
	idle=$!
	wait_for 20 grep -q ready "$T/idle.out"
	echo "run=$name idle_rss=$(proc_mem VmRSS "$@") before_idle=$rss peak=$(proc_mem VmHWM "$@") $(cat "$T/idle.out")" |
		tee -a "$OUT"
	wait "$idle"
}

# the systems: start, stop, and their socket and processes
. "$TOP/tests/bench/systems.sh"

generate
echo "== starting every system (each loads the database once)"
start_all
for c in $CONCS; do
	echo "== $c concurrent session(s)"
	threads=$([ "$c" -gt "$NCPU" ] && echo "$NCPU" || echo "$c")
	bare_run bare "$threads" "$T/c$c"
	for s in $SYSTEMS; do
		system "$s"
		level_run "$s" "$SPEC" "$c" $PIDLIST
	done
	bare_run bare-b "$threads" "$T/c$c"
done
echo "== 64 idle sessions"
for s in $SYSTEMS; do
	system "$s"
	idle_run "$s" "$SPEC" $PIDLIST
done
echo "== a repeated campaign, the reload under load and large messages (cg-unix)"
system cg-unix
line=$("$B/loadgen" -s "$SPEC" -d "$T/c2" -c 2 -n cg-repeat)
echo "$line" | tee -a "$OUT" | cut -d' ' -f1,3,6-8
reload_run
large_runs
stop_all
# the second view's cost, message by message in one process: the c=2
# slice (the messages cg-unix and cg-noview both had at c=2), each
# scanned whole, then through the view, back to back
printf 'scanner: { database = "%s/db"; temp_dir = "%s/tmp"; max_message_size = "100M"; };\n' \
	"$T" "$T" > "$T/viewcost.conf"
"$B/viewcost" "$T/viewcost.conf" "$T/c2" | tee -a "$OUT" || die "viewcost failed"
# the store cg-gate wrote: one verification per message it accepted
# (the levels reuse sender names, so rows count several each)
echo "run=cg-gate-store verified=$("$TOP/$BUILD/clamgate-quarantine" -c "$GATE_CONF" verified list --json 2>/dev/null |
	sed -n 's/.*"count":\([0-9]*\).*/\1/p' | awk '{ n += $1 } END { print n + 0 }')" |
	tee -a "$OUT"
echo
awk -v ncpu="$NCPU" -f "$TOP/tests/bench/report.awk" "$OUT"
