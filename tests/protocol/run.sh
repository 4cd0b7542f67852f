#!/bin/sh
# Protocol tests: the real clamgate daemon, driven by miltertest (Lua)
# playing the MTA, with the real libclamav and signatures-test/.
# Each profile starts its own daemon with its own configuration, runs one
# or more Lua scripts, and stops the daemon by PID.
#
# usage: tests/protocol/run.sh BUILD_DIR
# Prints "ok - ..." / "not ok - ..." lines; exit status 1 if any failed.
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$TOP/$BUILD/clamgate
HERE=$TOP/tests/protocol
SIGS=$TOP/signatures-test
T=$(mktemp -d /tmp/clamgate-proto.XXXXXX)
chmod 755 "$T"
PIDS=""
. "$TOP/tests/lib.sh"

cleanup() {
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
	for p in $PIDS; do wait_exit "$p" 5 || kill -KILL "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT INT TERM


# make_data - generated inputs: a 6 MB attachment, then EICAR
make_data() {
	mkdir -p "$T/data"
	eicar_b64='WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FSLVNUQU5EQVJELUFOVElWSVJVUy1URVNULUZJTEUhJEgrSCo='
	{
		printf -- '--b1\r\nContent-Type: application/octet-stream\r\n'
		printf -- 'Content-Transfer-Encoding: base64\r\n\r\n'
		head -c 4718592 /dev/urandom | base64 -w 76 | sed 's/$/\r/'
		printf -- '--b1\r\nContent-Type: application/octet-stream\r\n'
		printf -- 'Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b1--\r\n' "$eicar_b64"
	} > "$T/data/large-virus.txt"
}

# start NAME SOCKET [config lines...] - start a daemon for a profile;
# $MILTER_EXTRA and $SCANNER_EXTRA add keys to those groups
start() {
	name=$1 sock=$2
	shift 2
	d=$T/$name
	mkdir -p "$d/q" "$d/tmp"
	[ -d "$d/db" ] || { mkdir -p "$d/db"; cp "$SIGS"/*.hdb "$SIGS"/*.ndb "$d/db/"; }
	{
		printf 'milter: { socket = "%s"; %s };\n' "$sock" "${MILTER_EXTRA:-user = \"\";}"
		printf 'scanner: { database = "%s/db"; temp_dir = "%s/tmp";\n' "$d" "$d"
		printf '  spool_memory = "256K"; reload_interval = 1; timeout = 30; %s };\n' \
			"${SCANNER_EXTRA:-}"
		printf 'quarantine: { directory = "%s/q"; };\n' "$d"
		printf 'log: { level = "debug"; };\n'
		printf 'notify: { admin = [ "admin@local.example" ]; from = "clamgate@local.example";\n'
		printf '  smtp = ""; sendmail = "%s"; %s };\n' "$TOP/tests/quarantine/fake-sendmail" "${NOTIFY_EXTRA:-}"
		for line in "$@"; do printf '%s\n' "$line"; done
	} > "$d/clamgate.conf"
	mkdir -p "$d/notices"
	chmod 1777 "$d/notices"
	FAKE_DIR="$d/notices" "$BIN" -f -c "$d/clamgate.conf" 2> "$d/log" &
	PID=$!
	PIDS="$PIDS $PID"
	SOCK=$sock
	DIR=$d
}

# lua SCRIPT - run a script against the current daemon
lua() {
	miltertest -D lib="$HERE/lib.lua" -D sock="$SOCK" -D qdir="$DIR/q" \
		-D data="$T/data" -D pid="$PID" -s "$HERE/$1" || FAILED=1
}

# stop - SIGTERM the current daemon and wait for it
stop() {
	kill -TERM "$PID" 2>/dev/null
	wait_exit "$PID" || bad "daemon $PID did not stop after SIGTERM"
}


make_data

# default profile; its last test sends SIGTERM in the middle of a message
start default "unix:$T/default.sock"
wait_log "$DIR/log" "signatures loaded" 1 || bad "default: signatures not loaded"
lua default.lua
if wait_exit "$PID"; then good "daemon exits after draining on SIGTERM"
else bad "daemon still running 15 s after SIGTERM"; fi
[ -e "$T/default.sock" ] && bad "unix socket left behind" || good "unix socket removed at exit"
grep -q "QID1: client=mx.remote.example\[192.0.2.10\] from=<sender@remote.example> nrcpt=1 size=[0-9]* verdict=infected virus=Clamgate.Test.EICAR.UNOFFICIAL action=reject reason=safe ms=[0-9]*" "$DIR/log" \
	&& good "one log line per message with the decision" || bad "log line format"

start nonsmtp "unix:$T/nonsmtp.sock" \
	'policy: { trusted_relays = [ ]; noreject_daemons = [ "REINJECT" ];' \
	'  reject_authenticated = false; };'
wait_log "$DIR/log" "signatures loaded" 1
lua nonsmtp.lua; stop

start replace "unix:$T/replace.sock" 'policy: { headers = "replace"; };'
wait_log "$DIR/log" "signatures loaded" 1
lua replace.lua; stop

start add "unix:$T/add.sock" 'policy: { headers = "add"; };'
wait_log "$DIR/log" "signatures loaded" 1
lua add.lua; stop

# the second MIME view: on (the default), and off for comparison
start view "unix:$T/view.sock"
wait_log "$DIR/log" "signatures loaded" 1
miltertest -D lib="$HERE/lib.lua" -D sock="$SOCK" -D want=reject -s "$HERE/view.lua" || FAILED=1
grep -q "verdict=infected .* view=lenient" "$DIR/log" \
	&& good "view: the log names the view that found it (view=lenient)" \
	|| bad "view: no view= field in the log"
grep -q "verdict=incomplete virus=Clamgate.Limits.MimeView .* view=walk" "$DIR/log" \
	&& good "view: the limit is logged (Clamgate.Limits.MimeView, view=walk)" \
	|| bad "view: no incomplete line for the view's limit"
stop
SCANNER_EXTRA="mime_view = false;" start noview "unix:$T/noview.sock"
wait_log "$DIR/log" "signatures loaded" 1
miltertest -D lib="$HERE/lib.lua" -D sock="$SOCK" -D want=accept -s "$HERE/view.lua" || FAILED=1
stop

# the outbound gate, with catalogues of its own that a test extends
mkdir -p "$T/gate"
cp "$TOP/etc/outbound-markers" "$TOP/etc/outbound-subjects" "$T/gate/"
start gate "unix:$T/gate.sock" \
	"outbound: { mode = \"on\"; internal_domains = [ \"local.example\" ];" \
	"  trusted_authserv_ids = [ \"mx.local.example\" ]; store = \"$T/gate/v.db\";" \
	"  catalogues = [ \"$T/gate/outbound-markers\", \"$T/gate/outbound-subjects\" ]; };"
wait_log "$DIR/log" "signatures loaded" 1
miltertest -D lib="$HERE/lib.lua" -D sock="$SOCK" -D qdir="$DIR/q" -D pid="$PID" \
	-D cat="$T/gate/outbound-subjects" -s "$HERE/gate.lua" || FAILED=1
grep -q "dir=out kind=dsn gate=verified-only:trim stopped=1/3 why=unverified" "$DIR/log" \
	&& good "gate: the log line names kind, rule, verdict and reason" \
	|| bad "gate: no dir=out kind=dsn ... trim line in the log"
grep -q "outbound catalogues reloaded" "$DIR/log" \
	&& good "gate: SIGUSR2 reloads the catalogues" || bad "gate: no catalogue reload logged"
stop
grep -q "outbound gate: stopped since start: dsn=3 autoreply=5 challenge=1 av-notice=1" "$DIR/log" \
	&& good "gate: the stopped mail is counted per kind at shutdown" \
	|| bad "gate: per-kind counts at shutdown: $(grep 'stopped since start' "$DIR/log")"
# what the daemon remembered, through the admin's tool
QCLI="$TOP/$BUILD/clamgate-quarantine -c $DIR/clamgate.conf"
out=$($QCLI verified list 2>&1)
printf '%s\n' "$out" | grep -q "alice@remote.example" && ! printf '%s\n' "$out" | grep -q "mallory\|bob@" \
	&& good "gate: verified list: alice (trusted A-R), not mallory (another id) nor bob (none)" \
	|| bad "gate: verified list: $out"
$QCLI verified show --json alice@remote.example 2>&1 | grep -q '"how":"dkim"' \
	&& good "gate: verified show --json: verified by dkim" \
	|| bad "gate: verified show --json: $($QCLI verified show --json alice@remote.example 2>&1)"
$QCLI verified list --contacts 2>&1 | grep -q "bob@remote.example.*user@local.example" \
	&& good "gate: verified list --contacts: bob wrote to user" \
	|| bad "gate: contacts: $($QCLI verified list --contacts 2>&1)"
$QCLI verified forget ALICE@remote.example > /dev/null 2>&1 && ! $QCLI verified show alice@remote.example > /dev/null 2>&1 \
	&& good "gate: verified forget (any case), then show fails" || bad "gate: verified forget"
$QCLI verified forget alice@remote.example > /dev/null 2>&1 \
	&& bad "gate: a second forget succeeded" || good "gate: forgetting an unknown address exits non-zero"
$QCLI verified add partner@remote.example > /dev/null 2>&1 && $QCLI verified show partner@remote.example 2>&1 | grep -q admin \
	&& good "gate: verified add marks a sender verified by the admin" || bad "gate: verified add"

start rules "unix:$T/rules.sock" \
	'policy: { fallback = "hold"; reject_reply = "550 5.7.0 100%% sure: %v";' \
	'  rules = ( { match = "Clamgate.Test.Marker*"; action = "accept"; } ); };'
wait_log "$DIR/log" "signatures loaded" 1
lua rules.lua; stop

SCANNER_EXTRA='max_message_size = "4K";'
start oversize "unix:$T/oversize.sock"
wait_log "$DIR/log" "signatures loaded" 1
lua oversize.lua; stop

start oversize_reject "unix:$T/oversize_reject.sock" \
	'policy: { on_oversize = "reject"; fallback = "discard"; };'
wait_log "$DIR/log" "signatures loaded" 1
lua oversize_reject.lua; stop
SCANNER_EXTRA=

# inet socket (TCP_NODELAY path)
PORT=$((29000 + $$ % 3000)) # below the ephemeral ports (32768-)
start inet "inet:$PORT@127.0.0.1"
wait_log "$DIR/log" "signatures loaded" 1
lua inet.lua
grep -q "TCP_NODELAY set on listening socket" "$DIR/log" \
	&& good "TCP_NODELAY set on the inet listener" || bad "TCP_NODELAY not set"
stop

# no signatures yet: tempfail; then the loader picks them up
mkdir -p "$T/notready/db"
start notready "unix:$T/notready.sock"
wait_log "$DIR/log" "signature reload failed" 1 || bad "notready: no load failure logged"
lua notready.lua
cp "$SIGS"/*.hdb "$SIGS"/*.ndb "$DIR/db/"
wait_log "$DIR/log" "signatures loaded" 1 && good "first signatures loaded by the retry" \
	|| bad "signatures not loaded after they appeared"
printf 'Clamgate.Test.Reloaded:0:*:%s\n' \
	"$(printf 'CLAMGATE-RELOAD-MARKER-51d0' | od -An -tx1 | tr -d ' \n')" > "$DIR/db/reload.ndb"
wait_log "$DIR/log" "signatures loaded" 2 && good "changed database reloaded by the periodic check" \
	|| bad "periodic reload did not happen"
lua loaded.lua
kill -USR2 "$PID"
wait_log "$DIR/log" "signatures loaded" 3 && good "SIGUSR2 forces a reload" \
	|| bad "SIGUSR2 did not reload"
kill -0 "$PID" && good "daemon still running after SIGUSR2" || bad "SIGUSR2 killed the daemon"
printf 'broken' > "$DIR/db/broken.ndb"
kill -USR2 "$PID"
wait_log "$DIR/log" "signature reload failed" 2 && good "failed reload is logged" \
	|| bad "failed reload not logged"
lua loaded.lua
stop

# running as nobody with a quarantine directory it cannot write
mkdir -p "$T/qfail/q" "$T/qfail/tmp" "$T/qfail/db"
cp "$SIGS"/*.hdb "$SIGS"/*.ndb "$T/qfail/db/"
chmod 1777 "$T/qfail/tmp"; chmod 755 "$T/qfail" "$T/qfail/db"; chmod 644 "$T"/qfail/db/*
chown root:root "$T/qfail/q"; chmod 700 "$T/qfail/q"
MILTER_EXTRA='user = "nobody";'
start qfail "unix:$T/qfail.sock"
MILTER_EXTRA=
wait_log "$DIR/log" "signatures loaded" 1
[ "$(stat -c %U "$T/qfail.sock")" = nobody ] && good "socket owned by milter.user" \
	|| bad "socket owner is $(stat -c %U "$T/qfail.sock")"
[ "$(ps -o user= -p "$PID")" = nobody ] && good "daemon runs as milter.user" \
	|| bad "daemon runs as $(ps -o user= -p "$PID")"
m=$(stat -c '%U %G %a' "$T/qfail.sock")
[ "$m" = "nobody nogroup 660" ] && good "socket: milter.user, the user's group, mode socket_mode (0660)" \
	|| bad "socket is $m, not nobody nogroup 660"
lua qfail.lua; stop

# started as a user (the unit's User=): milter.group must be one of its
# groups (the unit's SupplementaryGroups=); any other is a clear start-up
# error, never silently ignored.  The binary is copied out of the
# checkout, which nobody may not be able to enter (a clone in /root).
cp "$BIN" "$T/clamgate-copy"
chmod 755 "$T/clamgate-copy"
for g in nogrp withgrp; do
	mkdir -p "$T/$g/q" "$T/$g/tmp"
	cp -r "$T/qfail/db" "$T/$g/db"
	printf 'milter: { socket = "unix:%s/sock"; user = ""; group = "mail"; };\n' "$T/$g" > "$T/$g/c.conf"
	printf 'scanner: { database = "%s/db"; temp_dir = "%s/tmp"; };\n' "$T/$g" "$T/$g" >> "$T/$g/c.conf"
	printf 'quarantine: { directory = "%s/q"; };\n' "$T/$g" >> "$T/$g/c.conf"
	chown -R nobody "$T/$g"
done
rmdir "$T/withgrp/q" # the daemon makes it
timeout 60 setpriv --reuid=nobody --regid=nogroup --clear-groups "$T/clamgate-copy" -f \
	-c "$T/nogrp/c.conf" 2> "$T/nogrp/log"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q "milter.group: cannot give $T/nogrp/sock to group \"mail\": clamgate runs as uid [0-9]*, not a member of it" "$T/nogrp/log" \
	&& good "as a user, milter.group it is not in: exit $rc, says why" \
	|| bad "as a user, milter.group it is not in: exit $rc, $(tail -n 2 "$T/nogrp/log")"
setpriv --reuid=nobody --regid=nogroup --groups=mail "$T/clamgate-copy" -f \
	-c "$T/withgrp/c.conf" 2> "$T/withgrp/log" &
PID=$!
PIDS="$PIDS $PID"
wait_log "$T/withgrp/log" "signatures loaded" 1
m=$(stat -c '%U %G %a' "$T/withgrp/sock" 2>&1)
[ "$m" = "nobody mail 660" ] && good "as a user in milter.group (SupplementaryGroups=): the socket is the group's, 0660" \
	|| bad "as a user in milter.group: socket is $m ($(tail -n 2 "$T/withgrp/log"))"
m=$(stat -c '%U %a' "$T/withgrp/q" 2>&1)
[ "$m" = "nobody 700" ] && good "the quarantine directory the daemon makes: its user's, 0700" \
	|| bad "quarantine directory made as $m"
kill -TERM "$PID"; wait_exit "$PID" 30

# the default limits against big envelopes, many headers, NULs, 500 idle
# connections; its last test sends SIGTERM with 32 messages in flight
start edge "unix:$T/edge.sock"
wait_log "$DIR/log" "signatures loaded" 1
lua edge.lua
wait_exit "$PID" && good "edge: exits once the 32 messages in flight are done" \
	|| bad "edge: still running after SIGTERM"
grep -q 'from=<sender@remote.example> nrcpt=10000 size=' "$DIR/log" \
	&& good "edge: the log line counts 10000 recipients" || bad "edge: nrcpt=10000 not logged"

# a 100 MB message, max_message_size above and below it (check-full)
if [ "${DETECT:-slice}" = full ]; then
	{
		printf -- '--b1\r\nContent-Type: application/octet-stream\r\n'
		printf -- 'Content-Transfer-Encoding: base64\r\n\r\n'
		head -c 78643200 /dev/urandom | base64 -w 76 | sed 's/$/\r/'
		printf -- '--b1\r\nContent-Type: application/octet-stream\r\n'
		printf -- 'Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b1--\r\n' "$eicar_b64"
	} > "$T/data/huge-virus.txt"
	for limit in above below; do
		[ $limit = above ] && size=120M || size=50M
		SCANNER_EXTRA="max_message_size = \"$size\";"
		start "huge-$limit" "unix:$T/huge-$limit.sock"
		SCANNER_EXTRA=
		wait_log "$DIR/log" "signatures loaded" 1
		miltertest -D lib="$HERE/lib.lua" -D sock="$SOCK" -D qdir="$DIR/q" \
			-D data="$T/data" -D pid="$PID" -D limit="$limit" \
			-s "$HERE/huge.lua" || FAILED=1
		stop
	done
	rm -f "$T/data/huge-virus.txt"
fi

# limits: each is a tempfail and one log line, never a loss
MILTER_EXTRA='user = ""; max_sessions = 20; max_recipients = 100;'
SCANNER_EXTRA='max_spool_disk = "2M";'
start limits "unix:$T/limits.sock" 'policy: { on_error = "accept"; };'
MILTER_EXTRA= SCANNER_EXTRA=
wait_log "$DIR/log" "signatures loaded" 1
lua limits.lua; stop
[ "$(grep -c 'more than milter.max_sessions (20): 1 tempfailed$' "$DIR/log")" -eq 1 ] \
	&& good "limits: the first refused connection is logged at once, the rest at most once a minute" \
	|| bad "limits: max_sessions log line"
[ "$(grep -c 'more than milter.max_recipients (100) recipients: the rest get 452 4.5.3' "$DIR/log")" -eq 1 ] \
	&& good "limits: 20 refused recipients, one log line" || bad "limits: max_recipients log line (SMTP)"
grep -q 'more than milter.max_recipients (100) recipients: the rest are not recorded, and an infected message is held' "$DIR/log" &&
	grep -q 'nrcpt=100 .*verdict=infected .*action=hold reason=hold-partial-envelope' "$DIR/log" \
	&& good "limits: non-SMTP over the limit is logged, and held" || bad "limits: max_recipients log lines (non-SMTP)"
[ "$(grep -c 'would pass scanner.max_spool_disk' "$DIR/log")" -eq 1 ] &&
	grep -q 'verdict=limit .*action=tempfail reason=limit .*detail="spool: Disk quota exceeded"' "$DIR/log" \
	&& good "limits: the spool budget is one error line and a tempfail" || bad "limits: max_spool_disk log lines"

# 500 infected messages in a burst, max_per_hour = 10: at most 10 notices
# and one digest that counts all 500
NOTIFY_EXTRA='max_per_hour = 10;'
start flood "unix:$T/flood.sock"
NOTIFY_EXTRA=
wait_log "$DIR/log" "signatures loaded" 1
lua flood.lua; stop
n=$(ls "$DIR"/notices/argv.* 2>/dev/null | wc -l)
[ "$n" -ge 2 ] && [ "$n" -le 11 ] && good "flood: $n mails for 500 events (at most 10 notices + 1 digest)" \
	|| bad "flood: $n notification mails for 500 events"
digests=$(grep -l '^Subject: \[clamgate\] digest: 500 messages stopped' "$DIR"/notices/stdin.* 2>/dev/null | wc -l)
[ "$digests" -eq 1 ] && good "flood: one digest counting all 500" || bad "flood: $digests digests counting 500"
grep -q -h 'Messages stopped in this period: 500' "$DIR"/notices/stdin.* \
	&& good "flood: the digest's text counts 500" || bad "flood: digest text"

# notify-admin across every profile above
notices=$(ls "$T"/*/notices/argv.* 2>/dev/null | wc -l)
[ "$notices" -ge 10 ] && good "notify: $notices notices were sent across the profiles" \
	|| bad "notify: only $notices notices"
bad_rcpt=$(for f in "$T"/*/notices/argv.*; do sed '1,/^--$/d' "$f"; done | grep -v -x 'admin@local.example' | wc -l)
[ "$bad_rcpt" -eq 0 ] && good "notify: every recipient was notify.admin" \
	|| bad "notify: $bad_rcpt recipients outside notify.admin"
[ "$(cat "$T"/*/notices/argv.* | grep -c -x -- '-t')" -eq 0 ] && good "notify: sendmail never run with -t" \
	|| bad "notify: -t used"
if grep -l -E 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE|WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9|CLAMGATE-LONG-NAME-MARKER|CLAMGATE-TEST-MARKER' \
	"$T"/*/notices/stdin.* 2>/dev/null; then
	bad "notify: a notice carries message body or attachment bytes"
else
	good "notify: no notice carries any body or attachment bytes"
fi
[ "$(grep -L '^Auto-Submitted: auto-generated' "$T"/*/notices/stdin.* | wc -l)" -eq 0 ] \
	&& good "notify: every notice is Auto-Submitted: auto-generated" || bad "notify: Auto-Submitted missing"

# under -fsanitize, a daemon's findings land in its log
sanitizer_check "$T"/*/log

exit $FAILED
