#!/bin/sh
# Crashes and stalls through the real Postfix (tests/e2e/postfix.sh):
#  - clamgate killed (SIGKILL) in the middle of a quarantine write, at the
#    two points that matter: the data written but not yet synced (fsync),
#    and synced but not yet committed under its name (link).  strace
#    delivers the SIGKILL as the daemon enters that system call, so the
#    moment is exact, not a race.  The client must get a 4xx (Postfix's
#    milter_default_action), the CLI must show no entry, and the retry,
#    once clamgate is back, must land in the quarantine exactly once;
#  - an SMTP client that stalls in the middle of the message longer than
#    Postfix's smtpd_timeout: nothing is queued or delivered, clamgate
#    decides nothing, keeps no descriptor, and serves the next message.
#    (Postfix hands the body to milters only once it has all of it, so
#    the spool side of a stall is tests/protocol/limits.lua's.)
#
# usage: tests/e2e/faults.sh BUILD_DIR     (as root)
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$TOP/$BUILD/clamgate
CLI=$TOP/$BUILD/clamgate-quarantine
T=$(mktemp -d /tmp/clamgate-faults.XXXXXX)
chmod 755 "$T"
BASE=$((23000 + $$ % 500 * 4)) # below the ephemeral ports (32768-)
PORT_IN=$BASE PORT_SINK=$((BASE + 1)) PORT_HOP=$((BASE + 2)) PORT_MILTER=$((BASE + 3))
. "$TOP/tests/e2e/postfix.sh"
. "$TOP/tests/e2e/common.sh"
STRACE_PID=""

cleanup() {
	[ -n "$STRACE_PID" ] && kill -TERM "$STRACE_PID" 2>/dev/null
	cg_stop
	pf_stop
	if [ "$FAILED" -ne 0 ] && [ -n "${KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT INT TERM

printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' > "$T/eicar.com"
queue_empty() { [ -z "$(pf_queue)" ]; }

pf_write_config
printf 'smtpd_timeout = 3s\n' >> "$T/etc/main.cf"
pf_start || { bad "private Postfix did not start"; exit 1; }
cg_start
printf 'quarantine: { directory = "%s/q"; };\n' "$T" > "$T/cli.conf"

# relay NAME - a virus from a trusted relay: a reject would make the relay
# bounce, so clamgate quarantines it (and must write it down first)
relay() {
	smtp "$1" --xclient-addr 127.0.0.7 --xclient-name relay.local --attach "$T/eicar.com"
}

# entries NAME - how many entries clamgate-quarantine list shows for NAME
entries() { "$CLI" -c "$T/cli.conf" list 2>/dev/null | grep -c " e2e-$1\$"; }

# kill_at SYSCALL - SIGKILL clamgate as it enters SYSCALL; 0 once attached
kill_at() {
	: > "$T/strace.err"
	strace -f -p "$CG_PID" -e trace="$1" -e inject="$1":signal=KILL \
		-o /dev/null 2> "$T/strace.err" &
	STRACE_PID=$!
	wait_log "$T/strace.err" "attached" 1 10
}

for sc in fsync link; do
	kill_at "$sc" || bad "strace could not attach to clamgate ($(cat "$T/strace.err"))"
	victim=$CG_PID
	relay "crash-$sc"
	check "SIGKILL at $sc of the quarantine file: the client gets 451 4.7.1 (retry later)" \
		replied "crash-$sc" "^451 4.7.1"
	wait "$victim" 2>/dev/null
	rc=$?
	CG_PID=""
	wait "$STRACE_PID" 2>/dev/null
	STRACE_PID=""
	check "SIGKILL at $sc: clamgate died of it (status $rc)" test "$rc" -eq 137
	check "SIGKILL at $sc: the unfinished file is there, hidden (.ID.tmp)" \
		sh -c "ls -a '$T/q' | grep -q '^\.[0-9T-]*-[0-9a-f]*\.tmp$'"
	check "SIGKILL at $sc: no entry visible to clamgate-quarantine" \
		test "$(entries "crash-$sc")" -eq 0
	check "SIGKILL at $sc: nothing queued, nothing delivered" sh -c \
		"[ -z \"\$(postqueue -c '$T/etc' -j)\" ] && ! grep -l -s 'Subject: e2e-crash-$sc' '$T'/sink/*"
	cg_start
	relay "crash-$sc"
	check "after the restart, the retry is accepted (250)" replied "crash-$sc" "^250 "
	check "after the restart, the retry is quarantined" wait_quarantined "crash-$sc"
	n=$(entries "crash-$sc")
	check "clamgate-quarantine lists the message exactly once ($n)" test "$n" -eq 1
done

# stalled client: DATA, part of the message, then silence past smtpd_timeout
fds_before=$(ls /proc/"$CG_PID"/fd | wc -l)
verdicts_before=$(grep -c 'verdict=' "$T/clamgate.log")
python3 - "$PORT_IN" > "$T/out/stall" 2>&1 <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
f = s.makefile("rb")
def cmd(line):
    if line:
        s.sendall(line.encode() + b"\r\n")
    while True:
        r = f.readline().decode()
        print("<", r.rstrip())
        if r[3:4] != "-":
            return r
cmd(None)
cmd("EHLO stall.remote.example")
cmd("XCLIENT ADDR=192.0.2.10 NAME=mx.remote.example")
cmd("EHLO stall.remote.example")
cmd("MAIL FROM:<forged@victim.example>")
cmd("RCPT TO:<user@dest.example>")
cmd("DATA")
s.sendall(b"Subject: e2e-stall\r\n\r\n" + b"line of a message that never ends\r\n" * 20000)
time.sleep(6)
try:
    r = f.readline().decode()
    print("< after the stall:", r.rstrip() or "(closed)")
except OSError as e:
    print("< after the stall: error", e)
PY
check "stalled client: Postfix gives up (421 timeout, or the connection closed)" \
	grep -q -E "^< after the stall: (421|\(closed\)|error)" "$T/out/stall"
check "stalled client: Postfix logged the timeout" grep -q "timeout after" "$T/maillog"
check "stalled client: nothing queued" queue_empty
check "stalled client: nothing delivered" sh -c "! grep -l -s 'Subject: e2e-stall' '$T'/sink/*"
verdicts_after=$(grep -c 'verdict=' "$T/clamgate.log")
check "stalled client: clamgate decided nothing for it (no verdict logged)" \
	test "$verdicts_after" -eq "$verdicts_before"
sleep 1
fds_after=$(ls /proc/"$CG_PID"/fd | wc -l)
check "stalled client: clamgate holds no more descriptors than before ($fds_before, $fds_after)" \
	test "$fds_after" -le "$fds_before"
smtp after-stall --xclient-addr 192.0.2.10 --xclient-name mx.remote.example --attach "$T/eicar.com"
check "after the stall, a virus is rejected as ever (554)" replied after-stall "^554 5.7.1"

sanitizer_check "$T/clamgate.log"
exit $FAILED
