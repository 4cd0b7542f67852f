#!/bin/sh
# An A/B run of two clamgate binaries on the same work: the benchmark's
# database and one corpus of unique messages, each binary started afresh
# for every round (libclamav's cache of clean files starts empty), the
# rounds interleaved (A B, B A, ...) so that a slow spell of the machine
# hits both.  Prints each round, then the medians and their ratios B/A:
# messages per second and the daemon's CPU per message.
#
# usage: tests/bench/ab.sh BUILD_DIR A_BINARY B_BINARY [ROUNDS] [SESSIONS]
#   (make bench-ab A=... B=...)
# With TEMP_B=DIR, B runs with scanner.temp_dir = DIR (the same binary
# twice then compares two temp directories, e.g. a tmpfs against disk).
set -u
BUILD=${1:-build}
A=$2 B_BIN=$3 ROUNDS=${4:-5} C=${5:-2}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=$TOP/$BUILD/bench
T=$(mktemp -d /tmp/clamgate-ab.XXXXXX)
PID=""
trap '[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null; rm -rf "$T"' EXIT INT TERM
die() { echo "ab: $*" >&2; exit 1; }

mkdir -p "$T/db" "$T/c" "$T/tmp" "$T/q"
cp "$TOP"/signatures-test/*.hdb "$TOP"/signatures-test/*.ndb "$T/db/"
"$B/mksigs" "$T/db" 200000 40000 || die "mksigs failed"
"$B/mkcorpus" "$T/c" 700000 "${N:-300}" || die "mkcorpus failed"
cat > "$T/c.conf" <<CONF
milter: { socket = "unix:$T/sock"; user = ""; };
scanner: { database = "$T/db"; temp_dir = "$T/tmp"; max_message_size = "100M"; reload_interval = 0; };
quarantine: { directory = "$T/q"; };
CONF
sed "s|temp_dir = \"$T/tmp\"|temp_dir = \"${TEMP_B:-$T/tmp}\"|" "$T/c.conf" > "$T/b.conf"
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# one BIN CONF - start it, run the corpus once, stop it; "rate cpu_ms_per_msg"
one() {
	"$1" -f -c "$2" 2> "$T/log" & PID=$!
	n=600
	until grep -q "signatures loaded" "$T/log"; do
		n=$((n - 1)); [ $n -gt 0 ] || die "$1 did not load: $(tail -n 2 "$T/log")"; sleep 0.2
	done
	t0=$(ticks "$PID")
	line=$("$B/loadgen" -s "unix:$T/sock" -d "$T/c" -c "$C")
	t1=$(ticks "$PID")
	kill -TERM "$PID"; wait "$PID"; PID=""
	echo "$line" | awk -v t="$(($t1 - $t0))" -v hz="$(getconf CLK_TCK)" '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "%s %.2f\n", v["rate"], t * 1000 / hz / v["msgs"] }'
}

for r in $(seq 1 "$ROUNDS"); do
	if [ $((r % 2)) -eq 1 ]; then
		a=$(one "$A" "$T/c.conf"); b=$(one "$B_BIN" "$T/b.conf")
	else
		b=$(one "$B_BIN" "$T/b.conf"); a=$(one "$A" "$T/c.conf")
	fi
	echo "round $r: A $a  B $b" | tee -a "$T/rounds"
done
awk '{ ar[NR] = $4; ac[NR] = $5; br[NR] = $7; bc[NR] = $8 }
function med(x, n,   i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
		if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
	return n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2 }
END {
	n = NR; a1 = med(ar, n); a2 = med(ac, n); b1 = med(br, n); b2 = med(bc, n)
	printf "median msgs/s      A %.1f  B %.1f  B/A %.3f\n", a1, b1, b1 / a1
	printf "median CPU ms/msg  A %.2f  B %.2f  B/A %.3f\n", a2, b2, b2 / a2
}' "$T/rounds"
