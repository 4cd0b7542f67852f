#!/bin/sh
# The shipped systemd unit's hardening, checked without systemd as PID 1:
#  - systemd-analyze security --offline scores it no worse than recorded
#    in docs/design.md;
#  - the daemon, run as the unit would run it (another user, a
#    supplementary group for milter.group, no new privileges, umask 0077),
#    is traced with strace through start-up, clean, infected, quarantined
#    and spooled mail, a notice over SMTP, a signature reload and SIGTERM: every
#    system call it makes must be allowed by the unit's SystemCallFilter
#    lines.
# usage: tests/cli/unit.sh BUILD_DIR     (as root)
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/lib.sh"
UNIT=$TOP/etc/clamgate.service
MAX_EXPOSURE=1.4 # docs/design.md, "The service's hardening"
D=$(mktemp -d /tmp/clamgate-svc.XXXXXX)
chmod 755 "$D"
PID="" TRACER="" SMTPD=""
cleanup() {
	[ -n "$SMTPD" ] && kill "$SMTPD" 2>/dev/null
	[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait_for 10 sh -c "! kill -0 $PID 2>/dev/null"
	[ -n "$TRACER" ] && kill -TERM "$TRACER" 2>/dev/null && wait_exit "$TRACER" 10
	rm -rf "$D"
}
trap cleanup EXIT INT TERM

score=$(systemd-analyze security --offline=true "$UNIT" 2>/dev/null |
	sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ -z "$score" ]; then
	bad "systemd-analyze security --offline gave no score"
elif [ "$(echo "$score <= $MAX_EXPOSURE" | bc)" -eq 1 ]; then
	good "unit exposure $score (systemd-analyze security --offline), at most $MAX_EXPOSURE"
else
	bad "unit exposure $score is worse than the recorded $MAX_EXPOSURE"
fi

# the allowed system calls: the unit's SystemCallFilter lines in order, as
# systemd combines them (the first line's kind sets the default; later
# lines add or remove), groups expanded by systemd-analyze itself
grep '^SystemCallFilter=' "$UNIT" | sed 's/^SystemCallFilter=//' > "$D/filters"
python3 - "$D/filters" > "$D/allowed" <<'PY'
import subprocess, sys
def expand(name, seen=None):
    seen = seen or set()
    if not name.startswith("@"):
        return {name}
    if name in seen:
        return set()
    seen.add(name)
    out = subprocess.run(["systemd-analyze", "syscall-filter", name],
                         capture_output=True, text=True, check=True).stdout
    calls = set()
    for line in out.splitlines()[1:]:
        w = line.strip()
        if w and not w.startswith("#"):
            calls |= expand(w, seen)
    return calls
allowed = None
for line in open(sys.argv[1]):
    line = line.strip()
    deny = line.startswith("~")
    names = set()
    for w in line.lstrip("~").split():
        names |= expand(w)
    if allowed is None:
        if deny:
            sys.exit("a deny list first is not what this test reads")
        allowed = names
    elif deny:
        allowed -= names
    else:
        allowed |= names
print("\n".join(sorted(allowed or ())))
PY
[ -s "$D/allowed" ] && good "unit: SystemCallFilter allows $(wc -l < "$D/allowed") system calls" \
	|| bad "unit: no SystemCallFilter allow list read"

# the daemon as the unit runs it: user nobody, milter.group in its groups;
# the metrics endpoint, textfile and control socket on
MPORT=$((33000 + $$ % 2000))
mkdir -p "$D/q" "$D/tmp" "$D/db"
cp "$TOP"/signatures-test/*.hdb "$TOP"/signatures-test/*.ndb "$D/db/"
cp "$TOP/$BUILD/clamgate" "$D/clamgate"
cp "$TOP/etc/outbound-markers" "$TOP/etc/outbound-subjects" "$D/"
cat > "$D/c.conf" <<CONF
milter: { socket = "unix:$D/sock"; user = ""; group = "mail"; };
scanner: { database = "$D/db"; temp_dir = "$D/tmp"; spool_memory = "64K";
  reload_interval = 1; };
quarantine: { directory = "$D/q"; };
notify: { admin = [ "admin@local.example" ]; from = "clamgate@local.example";
  smtp = "unix:$D/smtp.sock"; };
outbound: { mode = "on"; internal_domains = [ "local.example" ]; store = "$D/v.db";
  catalogues = [ "$D/outbound-markers", "$D/outbound-subjects" ]; };
metrics: { listen = "inet:$MPORT@127.0.0.1"; control = "$D/ctl";
  textfile = "$D/clamgate.prom"; textfile_interval = 1; };
CONF
# an SMTP listener for the notice (notify.smtp, the default way): it
# answers every command and keeps what came after DATA
python3 - "$D/smtp.sock" "$D/notice" <<'PY' &
import os, socket, sys
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o777); srv.listen(1)
c, _ = srv.accept(); f = c.makefile("rb"); c.sendall(b"220 test\r\n")
data, body = False, b""
for line in f:
    if data:
        if line == b".\r\n":
            open(sys.argv[2], "wb").write(body); data = False; c.sendall(b"250 queued\r\n")
        else:
            body += line
        continue
    if line.upper().startswith(b"DATA"):
        data = True; c.sendall(b"354 go\r\n")
    elif line.upper().startswith(b"QUIT"):
        try:
            c.sendall(b"221 bye\r\n")
        except OSError:
            pass
        break
    else:
        c.sendall(b"250 ok\r\n")
PY
SMTPD=$!
chown -R nobody "$D"
(umask 077; exec strace -f -qq -o "$D/trace" \
	setpriv --no-new-privs --reuid=nobody --regid=nogroup --groups=mail \
	"$D/clamgate" -f -c "$D/c.conf") 2> "$D/log" &
TRACER=$!
wait_log "$D/log" "signatures loaded" 1 30 || bad "clamgate did not start under strace: $(tail -n 3 "$D/log")"
PID=$(pgrep -u nobody -f "^$D/clamgate -f")
printf 'Clamgate.Test.Unit:0:*:%s\n' "$(printf 'CLAMGATE-UNIT-RELOAD' | od -An -tx1 | tr -d ' \n')" \
	> "$D/db/unit.ndb"
wait_log "$D/log" "signatures loaded" 2 30 || bad "no reload under strace"
big=$(head -c 200000 /dev/zero | tr '\0' 'a' | fold -w 70)
cat > "$D/t.lua" <<LUA
dofile(lib)
local c = open()
send(c, { body = "clean\r\n" })
expect(c, SMFIR_ACCEPT, "accept")
send(c, { body = "x " .. EICAR .. "\r\n" })
expect_reject(c, EICAR_REPLY)
mt.disconnect(c)
c = open("127.0.0.1", "localhost")
send(c, { body = [[$big]] .. "\r\nx " .. EICAR .. "\r\n" })
expect(c, SMFIR_DISCARD, "discard")
mt.disconnect(c)
c = open("127.0.0.1", "localhost", { daemon_port = "0" })
send(c, { from = "<user@local.example>", rcpts = { "<stranger@remote.example>" },
	  headers = { { "Auto-Submitted", "auto-replied" } }, body = "away\r\n" })
expect(c, SMFIR_DISCARD, "an unverified autoreply stopped")
mt.disconnect(c)
print("ok - traffic under strace: accepted, rejected, quarantined, gated")
finish()
LUA
miltertest -D lib="$TOP/tests/protocol/lib.lua" -D sock="unix:$D/sock" -D qdir="$D/q" \
	-D data="$D" -D pid="$PID" -s "$D/t.lua" > "$D/lua.out" 2>&1 \
	&& good "traffic under strace: accepted, rejected, quarantined, gated (the outbound store written and read)" \
	|| bad "traffic under strace: $(tail -n 3 "$D/lua.out")"
curl -s "http://127.0.0.1:$MPORT/metrics" > "$D/metrics.txt"
"$D/clamgate" -s -c "$D/c.conf" > "$D/status.txt" 2>&1
grep -q '^clamgate_messages_total{direction="inbound",verdict="infected",action="reject"} 1$' "$D/metrics.txt" &&
	grep -q '^  inbound clean accept  *1$' "$D/status.txt" &&
	wait_log "$D/clamgate.prom" 'action="accept"} 1' 1 5 \
	&& good "under strace: the metrics endpoint, clamgate -s and the textfile answer" \
	|| bad "under strace: metrics: $(head -c 300 "$D/metrics.txt") / $(head -n 2 "$D/status.txt")"
wait_for 15 test -s "$D/notice" && grep -q '^X-Clamgate-Notify: ' "$D/notice" \
	&& good "a notice was submitted over SMTP (notify.smtp) under strace" \
	|| bad "no notice over SMTP under strace: $(grep notify "$D/log" | tail -n 1)"
wait_exit "$SMTPD" 5 || kill "$SMTPD" 2>/dev/null
kill -TERM "$PID"
wait_exit "$TRACER" 60 && good "clamgate under strace stops on SIGTERM" \
	|| bad "clamgate under strace did not stop"
PID="" TRACER=""

# the calls clamgate made: everything after setpriv's execve of it
sed -n "\|execve(\"$D/clamgate\"|,\$p" "$D/trace" |
	sed -n -E 's/^[0-9]+ +(<\.\.\. )?([a-z0-9_]+)[( ].*/\2/p' | grep -v '^exited$\|^killed$' |
	sort -u > "$D/used"
n=$(wc -l < "$D/used")
[ "$n" -gt 40 ] && good "strace saw $n distinct system calls" || bad "strace saw only $n system calls"
outside=$(comm -23 "$D/used" "$D/allowed" | tr '\n' ' ')
[ -z "$outside" ] && good "every system call clamgate made is allowed by the unit" \
	|| bad "system calls outside the unit's SystemCallFilter: $outside"
m=$(stat -c %a "$(ls "$D"/q/*.eml | head -n 1)")
[ "$m" = 600 ] && good "quarantine file under umask 0077: mode 0600" || bad "quarantine file mode $m"
exit $FAILED
