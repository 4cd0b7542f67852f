#!/bin/sh
# Part of make check: the benchmark's load generator and corpus against
# the real daemon and real libclamav with signatures-test/, small and
# untimed.  Concurrent sessions over unix and inet sockets must get a
# 554 for every infected message of the corpus and an accept for every
# other one, with no tempfail and no protocol error; and clamgate must
# ask for DATA and answer it (neither SMFIP_NODATA nor SMFIP_NR_DATA):
# Postfix writes the message right after its unanswered DATA-stage
# packet otherwise, and Nagle holds it back 40 ms on an inet socket
# (docs/performance.md).
# usage: tests/bench/smoke.sh BUILD_DIR
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/lib.sh"
B=$TOP/$BUILD/bench
T=$(mktemp -d /tmp/clamgate-smoke.XXXXXX)
PORT=$((40000 + $$ % 10000))
PID=""
cleanup() {
	[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

field() { # LINE KEY
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

mkdir -p "$T/db" "$T/q" "$T/tmp" "$T/corpus"
cp "$TOP"/signatures-test/*.hdb "$TOP"/signatures-test/*.ndb "$T/db/"
# 60 messages, every 10th infected (EICAR attached, EICAR in a zip, or
# the marker in the text)
"$B/mkcorpus" "$T/corpus" 0 60 100 || bad "mkcorpus failed"
infected=6
cat > "$T/c.conf" <<CONF
milter: { socket = "unix:$T/cg.sock"; user = ""; };
scanner: { database = "$T/db"; temp_dir = "$T/tmp"; reload_interval = 0; };
quarantine: { directory = "$T/q"; };
CONF
sed "s|unix:$T/cg.sock|inet:$PORT@127.0.0.1|" "$T/c.conf" > "$T/i.conf"

for conf in c i; do
	[ $conf = c ] && spec="unix:$T/cg.sock" || spec="inet:$PORT@127.0.0.1"
	"$TOP/$BUILD/clamgate" -f -c "$T/$conf.conf" 2> "$T/log.$conf" &
	PID=$!
	n=0
	until "$B/loadgen" -s "$spec" -I 1 -t 0 > "$T/idle" 2>&1 || [ $n -ge 100 ]; do
		sleep 0.2; n=$((n + 1))
	done
	proto=$(field "$(cat "$T/idle")" proto)
	# SMFIP_NODATA 0x200, SMFIP_NR_DATA 0x10000
	if [ -n "$proto" ] && [ $(( proto & 0x10200 )) -eq 0 ]; then
		good "$spec: DATA is asked for and answered (protocol $proto)"
	else
		bad "$spec: negotiated protocol '$proto' leaves DATA unanswered"
	fi
	line=$("$B/loadgen" -s "$spec" -d "$T/corpus" -c 8 -k 3 -T 20)
	if [ "$(field "$line" reject)" = $infected ] &&
	   [ "$(field "$line" accept)" = $((60 - infected)) ] &&
	   [ "$(field "$line" tempfail)" = 0 ] && [ "$(field "$line" errors)" = 0 ]; then
		good "$spec: 8 sessions, 60 unique messages: $infected rejected, the rest accepted"
	else
		bad "$spec: expected $infected rejects and $((60 - infected)) accepts: $line"
	fi
	if [ "$(grep -c 'verdict=infected.*action=reject' "$T/log.$conf")" = $infected ]; then
		good "$spec: the log has one reject line per infected message"
	else
		bad "$spec: the log does not match: $(grep -c 'action=reject' "$T/log.$conf") rejects"
	fi
	kill -TERM "$PID"
	wait "$PID"
	PID=""
done
exit $FAILED
