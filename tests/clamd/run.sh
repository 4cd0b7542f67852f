#!/bin/sh
# The clamd companion backend against a real clamd (Debian's
# clamav-daemon, started here on a private unix socket and a 127.0.0.1
# port with the test signatures) and a misbehaving fake clamd (fakeclamd):
# the same protocol suites as the embedded engine, then the faults.
# usage: tests/clamd/run.sh BUILD_DIR
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$TOP/$BUILD/clamgate
FAKE=$TOP/$BUILD/fakeclamd
HERE=$TOP/tests/clamd
T=$(mktemp -d /tmp/clamgate-clamd.XXXXXX)
chmod 755 "$T"
BASE=$((10000 + $$ % 400 * 10)) # below the ephemeral ports (32768-)
PORT_CLAMD=$BASE PORT_FAKE2=$((BASE + 9)) PORT_SHORT=$((BASE + 8))
CLAMD_PID="" PID="" FAKE_PIDS=""
. "$TOP/tests/lib.sh"

cleanup() {
	[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null
	for p in $CLAMD_PID $FAKE_PIDS; do kill -TERM "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

# start_clamd NAME [clamd.conf lines] - a real clamd with the test
# signatures on $T/NAME.sock (and whatever TCP port the lines give)
start_clamd() {
	n=$1; shift
	mkdir -p "$T/db"
	cp "$TOP"/signatures-test/*.hdb "$TOP"/signatures-test/*.ndb "$T/db/"
	{
		printf 'LogFile %s/%s.log\nPidFile %s/%s.pid\n' "$T" "$n" "$T" "$n"
		printf 'DatabaseDirectory %s/db\nLocalSocket %s/%s.sock\n' "$T" "$T" "$n"
		printf 'Foreground yes\n'
		for l in "$@"; do printf '%s\n' "$l"; done
	} > "$T/$n.conf"
	clamd -c "$T/$n.conf" > "$T/$n.out" 2>&1 &
	CLAMD_PID="$CLAMD_PID $!"
	LAST_CLAMD=$!
	for _ in $(seq 1 150); do [ -S "$T/$n.sock" ] && return 0; sleep 0.2; done
	bad "clamd $n did not start: $(tail -n 3 "$T/$n.out")"
	return 1
}

# the settings clamgate needs for the embedded engine's verdicts
# (docs/clamd.md); "stock" is clamd's own defaults, "short" a stream
# limit below max_message_size
PARITY="AlertExceedsMax yes|StreamMaxLength 60M|MaxFileSize 400M|MaxScanSize 400M"

fake() { # PORT MODE
	"$FAKE" "$1" "$2" >> "$T/fake.log" 2>&1 & FAKE_PIDS="$FAKE_PIDS $!"
	LAST_FAKE=$!
	sleep 0.2
	kill -0 "$LAST_FAKE" 2>/dev/null || bad "fakeclamd $2 did not start: $(cat "$T/fake.log")"
}

# cg NAME SERVERS [policy] - clamgate on the clamd backend
cg() {
	[ -n "$PID" ] && { kill -TERM "$PID"; wait "$PID"; }
	D=$T/$1
	mkdir -p "$D/q"
	cat > "$D/c.conf" <<CONF
milter: { socket = "unix:$D/sock"; user = ""; };
scanner: { backend = "clamd"; clamd = [ $2 ]; temp_dir = "$D"; spool_memory = "256K";
  timeout = 6; clamd_probe_interval = 1; clamd_connect_timeout = 1; };
quarantine: { directory = "$D/q"; };
log: { level = "debug"; };
${3:-}
CONF
	"$BIN" -f -c "$D/c.conf" 2> "$D/log" & PID=$!
	for _ in $(seq 1 50); do [ -S "$D/sock" ] && break; sleep 0.1; done
	[ -S "$D/sock" ] || bad "$1: clamgate did not start: $(cat "$D/log")"
}

# up SPEC - until clamgate put that server in service (it passed the
# canaries)
up() {
	wait_log "$D/log" "clamd $1 is up" 1 || bad "$(basename "$D"): clamd $1 not in service: $(grep "clamd $1" "$D/log" | tail -n 1)"
}

lua() { # SCRIPT [case]
	miltertest -D lib="$TOP/tests/protocol/lib.lua" -D sock="unix:$D/sock" \
		-D qdir="$D/q" -D data="$T/data" -D pid="$PID" -D case="${2:-}" \
		-s "$1" || FAILED=1
}

mkdir -p "$T/data"
# 2 MB of clean text: more than the short clamd's StreamMaxLength (1M)
head -c 1500000 /dev/urandom | base64 -w 76 | sed 's/$/\r/' > "$T/data/big-clean.txt"
eicar_b64='WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FSLVNUQU5EQVJELUFOVElWSVJVUy1URVNULUZJTEUhJEgrSCo='
{ printf -- '--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n'
  head -c 4718592 /dev/urandom | base64 -w 76 | sed 's/$/\r/'
  printf -- '--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n--b1--\r\n' "$eicar_b64"
} > "$T/data/large-virus.txt"
# EICAR in 25 nested (deflated) zips, as an attachment
python3 - "$T/data/nested.txt" <<'PY'
import base64, io, sys, zipfile
data, name = b'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*', 'eicar.com'
for i in range(25):
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, data)
    data, name = b.getvalue(), 'nested.zip'
b64 = base64.encodebytes(data).decode().replace('\n', '\r\n')
open(sys.argv[1], 'w', newline='').write(
    '--b1\r\nContent-Type: application/zip\r\nContent-Transfer-Encoding: base64\r\n\r\n'
    + b64 + '--b1--\r\n')
PY
IFS='|'; set -- $PARITY; unset IFS
start_clamd clamd "$@" "TCPSocket $PORT_CLAMD" "TCPAddr 127.0.0.1" || exit 1
CLAMD_MAIN=$LAST_CLAMD
start_clamd stock || exit 1
start_clamd short "AlertExceedsMax yes" "StreamMaxLength 1M" "TCPSocket $PORT_SHORT" \
	"TCPAddr 127.0.0.1" || exit 1
start_clamd cut "AlertExceedsMax yes" "StreamMaxLength 60M" "MaxFileSize 100M" \
	"MaxScanSize 400M" || exit 1
UNIX="\"unix:$T/clamd.sock\"" TCP="\"inet:$PORT_CLAMD@127.0.0.1\""
UNIXS="unix:$T/clamd.sock" TCPS="inet:$PORT_CLAMD@127.0.0.1"

# --- the same protocol suites as the embedded engine -----------------------
cg default "$UNIX"; up "$UNIXS"
lua "$TOP/tests/protocol/default.lua"     # ends with SIGTERM: drains
wait "$PID"; PID=""
cg nonsmtp "$UNIX" 'policy: { trusted_relays = [ ]; noreject_daemons = [ "REINJECT" ];
  reject_authenticated = false; };'
up "$UNIXS"
lua "$TOP/tests/protocol/nonsmtp.lua"
cg rules "$TCP" 'policy: { fallback = "hold"; reject_reply = "550 5.7.0 100%% sure: %v";
  rules = ( { match = "Clamgate.Test.Marker*"; action = "accept"; } ); };'
up "$TCPS"
lua "$TOP/tests/protocol/rules.lua"
cg replace "$TCP" 'policy: { headers = "replace"; };'; up "$TCPS"
lua "$TOP/tests/protocol/replace.lua"
grep -q "FILDES\|verdict=infected" "$T/default/log" && good "clamd: unix socket scans (FILDES for spooled files)" \
	|| bad "clamd: no scans logged"

# --- TCP: INSTREAM; clamd's limits ------------------------------------------
cg tcp "$TCP"; up "$TCPS"
lua "$HERE/clamd.lua" eicar
lua "$HERE/clamd.lua" nested
grep -q 'verdict=incomplete virus=Heuristics.Limits.Exceeded' "$D/log" \
	&& good "clamd with AlertExceedsMax yes: EICAR in 25 zips is incomplete, rejected as by the embedded engine" \
	|| bad "clamd: nested zips not reported as incomplete"

# clamd's own defaults (AlertExceedsMax no): never used, the mail waits
cg stock "\"unix:$T/stock.sock\""
wait_log "$D/log" "clamd unix:$T/stock.sock is down: it answers OK for a message past its limits: set \"AlertExceedsMax yes\"" 1 \
	&& good "clamd with stock limits: kept out of service, the log names AlertExceedsMax" \
	|| bad "clamd with stock limits: $(grep stock.sock "$D/log" | tail -n 1)"
lua "$HERE/clamd.lua" nested_tempfail
out=$("$BIN" -t -c "$D/c.conf" 2>&1)
printf '%s' "$out" | grep -q "clamd unix:$T/stock.sock: it answers OK for a message past its limits: set \"AlertExceedsMax yes\"" \
	&& good "clamgate -t names AlertExceedsMax for a clamd with stock limits" || bad "-t, stock clamd: $out"

# a StreamMaxLength below max_message_size: -t says so; a message over it
# is tempfailed, never accepted unscanned
cg short "\"inet:$PORT_SHORT@127.0.0.1\""; up "inet:$PORT_SHORT@127.0.0.1"
lua "$HERE/clamd.lua" overstream
grep -q 'verdict=error .*action=tempfail .*detail="clamd: INSTREAM size limit exceeded.*StreamMaxLength' "$D/log" \
	&& good "clamd: over StreamMaxLength is a scan error (tempfail), not oversize or clean" \
	|| bad "clamd: stream limit not a tempfail"
out=$("$BIN" -t -c "$D/c.conf" 2>&1)
printf '%s' "$out" | grep -q "it does not scan a message of scanner.max_message_size: set StreamMaxLength" \
	&& good "clamgate -t names StreamMaxLength for a clamd that refuses the largest message" \
	|| bad "-t, short clamd: $out"
# a MaxFileSize below MaxScanSize: clamd cuts a large zip member short,
# silently
cg cut "\"unix:$T/cut.sock\""
out=$("$BIN" -t -c "$D/c.conf" 2>&1)
printf '%s' "$out" | grep -q "clamd unix:$T/cut.sock: it cuts a large zip member short without an alert: set MaxFileSize as large as MaxScanSize" \
	&& good "clamgate -t names MaxFileSize for a clamd that cuts large members short" \
	|| bad "-t, cut clamd: $out"
cg parity "$UNIX, $TCP"
out=$("$BIN" -t -c "$D/c.conf" 2>&1)
printf '%s' "$out" | grep -q "^configuration OK" && good "clamgate -t: clamd set up as docs/clamd.md says: configuration OK" \
	|| bad "-t, parity clamd: $out"

# --- faults -------------------------------------------------------------------
PORT_FAKE=$((BASE + 1))
fake "$PORT_FAKE" silent
cg silent "\"inet:$PORT_FAKE@127.0.0.1\", $TCP" "metrics: { control = \"$T/silent/ctl\"; };"
up "inet:$PORT_FAKE@127.0.0.1"; up "$TCPS"
lua "$HERE/clamd.lua" eicar
grep -q "clamd inet:$PORT_FAKE@127.0.0.1 is down" "$D/log" \
	&& good "clamd: a server that never answers times out and is marked down" \
	|| bad "clamd: silent server not marked down"
# the metrics of each server: the silent one down, its requests failed;
# the real one up, with a result per scan and its signatures' age
python3 - "$T/silent/ctl" > "$T/silent/metrics.txt" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
out = b""
while True:
    b = s.recv(65536)
    if not b: break
    out += b
sys.stdout.write(out.decode())
PY
metric() { sed -n "s/^$1 \\([0-9.e+]*\\)\$/\\1/p" "$T/silent/metrics.txt"; }
fake_s="inet:$PORT_FAKE@127.0.0.1"
check "metrics: the silent server is down" \
	test "$(metric "clamgate_clamd_up{server=\"$fake_s\"}")" = 0
check "metrics: the real clamd is up" test "$(metric "clamgate_clamd_up{server=\"$TCPS\"}")" = 1
n_fail=$(metric "clamgate_clamd_requests_total{server=\"$fake_s\",result=\"failed\"}")
check "metrics: requests to the silent server failed ($n_fail)" test "${n_fail:-0}" -ge 1
n_inf=$(metric "clamgate_clamd_requests_total{server=\"$TCPS\",result=\"infected\"}")
n_rej=$(grep -c 'verdict=infected' "$D/log")
check "metrics: the real clamd's infected results, one per rejected message ($n_inf of $n_rej)" \
	test "${n_inf:-0}" -eq "$n_rej" -a "$n_rej" -ge 1
age=$(metric "clamgate_signatures_age_seconds{server=\"$fake_s\"}")
check "metrics: a server's signature age, from its VERSION reply (2 days: ${age:-none} s)" \
	test "${age:-0}" -ge 172790 -a "${age:-0}" -le 172900
check "metrics: no age for a clamd whose VERSION has no date (the test signatures)" \
	sh -c "! grep -q 'signatures_age_seconds{server=\"$TCPS\"}' '$T/silent/metrics.txt'"
kill "$LAST_FAKE"

PORT_FAKE=$((BASE + 2))
fake "$PORT_FAKE" hangup
cg hangup "\"inet:$PORT_FAKE@127.0.0.1\", $TCP"; up "inet:$PORT_FAKE@127.0.0.1"; up "$TCPS"
lua "$HERE/clamd.lua" eicar
kill "$LAST_FAKE"
grep -q "clamd inet:$PORT_FAKE@127.0.0.1 is down" "$D/log" \
	&& good "clamd: a server that dies mid-scan is marked down; the scan fails over" \
	|| bad "clamd: hangup not noticed"

PORT_FAKE=$((BASE + 3))
fake "$PORT_FAKE" garbage
cg garbage "\"inet:$PORT_FAKE@127.0.0.1\""; up "inet:$PORT_FAKE@127.0.0.1"
lua "$HERE/clamd.lua" tempfail
grep -q 'unexpected reply "what do you mean"' "$D/log" \
	&& good "clamd: garbage from the only server: tempfail, never accept" \
	|| bad "clamd: garbage reply not logged"
kill "$LAST_FAKE"

PORT_FAKE=$((BASE + 4))
fake "$PORT_FAKE" longname
cg longname "\"inet:$PORT_FAKE@127.0.0.1\""; up "inet:$PORT_FAKE@127.0.0.1"
lua "$HERE/clamd.lua" longname
kill "$LAST_FAKE"

# a server that drips its reply, a byte every 1.5 s: scanner.timeout (6)
# is a deadline for the whole scan, not a limit on each read
PORT_FAKE=$((BASE + 5))
fake "$PORT_FAKE" drip
cg drip "\"inet:$PORT_FAKE@127.0.0.1\""; up "inet:$PORT_FAKE@127.0.0.1"
lua "$HERE/clamd.lua" tempfail
kill "$LAST_FAKE"
ms=$(sed -n 's/.*verdict=error .*action=tempfail .* ms=\([0-9]*\).*/\1/p' "$D/log" | tail -n 1)
[ -n "$ms" ] && [ "$ms" -le 7500 ] \
	&& good "clamd: a server that drips its reply: tempfail at scanner.timeout ($ms ms), not when it is done" \
	|| bad "clamd: drip: ${ms:-no tempfail} ms (timeout 6 s): $(grep 'verdict=' "$D/log" | tail -n 1)"

# a real clamd killed (SIGKILL) mid-scan, by stream (inet) and by
# descriptor (unix): the only server is gone, so tempfail, never accept.
# The kill comes once clamd has a file open in its TemporaryDirectory
# (it writes the stream there, and the message's decoded parts).
{ printf -- '--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n'
  head -c 15000000 /dev/urandom | base64 -w 76 | sed 's/$/\r/'
  printf -- '--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n--b1--\r\n' "$eicar_b64"
} > "$T/data/huge-virus.txt"
# kill_when_busy PID DIR - SIGKILL PID once it has a file in DIR open
kill_when_busy() {
	for _ in $(seq 1 6000); do
		if ls -l "/proc/$1/fd" 2>/dev/null | grep -q -- "$2/"; then
			kill -KILL "$1" && : > "$2.killed"
			return
		fi
		sleep 0.01
	done
}
PORT_VICTIM=$((BASE + 6))
for how in inet unix; do
	mkdir -p "$T/victim-$how-tmp"
	if [ "$how" = inet ]; then
		start_clamd "victim-$how" "AlertExceedsMax yes" "StreamMaxLength 60M" \
			"MaxFileSize 400M" "MaxScanSize 400M" "TemporaryDirectory $T/victim-$how-tmp" \
			"TCPSocket $PORT_VICTIM" "TCPAddr 127.0.0.1" || continue
		spec="inet:$PORT_VICTIM@127.0.0.1"
	else
		start_clamd "victim-$how" "AlertExceedsMax yes" "StreamMaxLength 60M" \
			"MaxFileSize 400M" "MaxScanSize 400M" "TemporaryDirectory $T/victim-$how-tmp" || continue
		spec="unix:$T/victim-$how.sock"
	fi
	victim=$LAST_CLAMD
	cg "killed-$how" "\"$spec\""
	up "$spec"
	kill_when_busy "$victim" "$T/victim-$how-tmp" &
	watcher=$!
	lua "$HERE/clamd.lua" huge_tempfail
	wait "$watcher"
	wait "$victim" 2>/dev/null
	if [ -e "$T/victim-$how-tmp.killed" ]; then
		grep -q 'verdict=error .*action=tempfail' "$D/log" && ! grep -q 'action=accept' "$D/log" \
			&& good "clamd killed mid-scan ($how, $( [ $how = inet ] && echo INSTREAM || echo FILDES)): tempfail, never accept" \
			|| bad "clamd killed mid-scan ($how): $(grep 'verdict=' "$D/log" | tail -n 1)"
	else
		bad "clamd killed mid-scan ($how): clamd was never seen busy, so never killed"
	fi
done

cg onedead "\"unix:$T/no-such.sock\", $UNIX"; up "$UNIXS"
lua "$HERE/clamd.lua" eicar5
if grep -q "action=tempfail" "$D/log"; then bad "clamd: tempfail with one server dead"
else good "clamd: one server dead: all mail scanned by the other"; fi

# a server that comes back is used again; all down fails at once
cg comeback "\"inet:$PORT_FAKE2@127.0.0.1\", $TCP"; up "$TCPS"
wait_log "$D/log" "clamd inet:$PORT_FAKE2@127.0.0.1 is down" 1 \
	&& good "clamd: the probe notices a dead server" || bad "clamd: dead server not noticed"
fake "$PORT_FAKE2" ok
wait_log "$D/log" "clamd inet:$PORT_FAKE2@127.0.0.1 is up" 1 \
	&& good "clamd: the probe notices it come back within the interval" \
	|| bad "clamd: server coming back not noticed"
kill "$CLAMD_MAIN"; wait "$CLAMD_MAIN" 2>/dev/null
wait_log "$D/log" "clamd inet:$PORT_CLAMD@127.0.0.1 is down" 1
lua "$HERE/clamd.lua" clean
good "clamd: with the real clamd stopped, mail goes to the server that came back"
kill "$LAST_FAKE"; wait "$LAST_FAKE" 2>/dev/null
wait_log "$D/log" "clamd inet:$PORT_FAKE2@127.0.0.1 is down" 2
lua "$HERE/clamd.lua" tempfail
ms=$(sed -n 's/.*verdict=error .*action=tempfail .* ms=\([0-9]*\).*/\1/p' "$D/log" | tail -n 1)
[ -n "$ms" ] && [ "$ms" -lt 500 ] && good "clamd: all servers down: tempfail in $ms ms, not after a timeout" \
	|| bad "clamd: all down took ${ms:-?} ms"

out=$("$BIN" -t -c "$D/c.conf" 2>&1)
printf '%s' "$out" | grep -q "no answer to PING/VERSION" && good "clamgate -t reports each clamd" \
	|| bad "-t with clamd down: $out"

sanitizer_check "$T"/*/log
exit $FAILED
