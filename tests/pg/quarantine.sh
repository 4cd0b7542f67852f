#!/bin/sh
# The quarantine in a shared PostgreSQL (quarantine.backend =
# "postgresql"), with Debian's real server in a private cluster
# (tests/pg/lib.sh), a real Postfix (tests/e2e/postfix.sh) and two
# clamgate daemons with host names of their own (a UTS namespace each,
# unshare -u): mx-a filters the SMTP listener, mx-b the non-SMTP mail
# (sendmail, and so the releases).
#  - a virus from a trusted relay is quarantined by mx-a: a row naming
#    mx-a, no file; clamgate-quarantine with mx-b's configuration, run as
#    host mx-b, lists it, shows it, exports it byte for byte (the bytes
#    in the database, and the body as sent) and releases it through the
#    local Postfix; mx-b honours the token (the key copied, as
#    docs/scale-out.md says), the message is delivered; the audit row
#    names mx-b and the person; the token's use is a row, and the same
#    released message submitted again to mx-a is not let through: the
#    use mx-b recorded holds on mx-a;
#  - PostgreSQL stopped during a load of infected mail through Postfix:
#    every message is either stored (250, and its row is there) or
#    tempfailed (4xx, and no row), none delivered; restarted: mx-a
#    stores again on its own within seconds; down at mx-a's start: it
#    starts, tempfails, and stores once the database is back;
#  - migrate copies the database into a directory store and a directory
#    store into the database, with counts and checksums, and a second
#    run copies nothing; stats, delete and purge from either host work on
#    every host's entries, and each delete and purge is an audit row;
#  - -t reports the schema; a password in quarantine.dsn of a file
#    others can read is refused, naming the line.
# First, the store's contract (tests/unit/test_qstore.c, the suite
# qstore-postgresql).
# usage: tests/pg/quarantine.sh BUILD_DIR     (as root)
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$TOP/$BUILD/clamgate
CLI=$TOP/$BUILD/clamgate-quarantine
T=$(mktemp -d /tmp/clamgate-pgq.XXXXXX)
chmod 755 "$T"
PGT=$T/pg
BASE=$((25000 + $$ % 500 * 4)) # below the ephemeral ports (32768-)
PORT_IN=$BASE PORT_SINK=$((BASE + 1)) PORT_HOP=$((BASE + 2)) PORT_MILTER=$((BASE + 3))
. "$TOP/tests/e2e/postfix.sh"
. "$TOP/tests/e2e/common.sh"
. "$TOP/tests/pg/lib.sh"
A_PID="" B_PID=""

cleanup() {
	for p in $A_PID $B_PID; do kill -TERM "$p" 2>/dev/null; done
	for p in $A_PID $B_PID; do wait_exit "$p" 20 || kill -KILL "$p" 2>/dev/null; done
	pf_stop
	pg_down
	if [ "$FAILED" -ne 0 ] && [ -n "${KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap 'cleanup; exit 1' HUP INT PIPE TERM
trap cleanup EXIT

[ -n "$PG_BIN" ] || { bad "no PostgreSQL server installed (postgresql)"; exit 1; }
pg_up || { bad "PostgreSQL did not start: $(tail -n 5 "$PGT"/*.log 2>/dev/null)"; exit 1; }

# the store's contract, against PostgreSQL
CLAMGATE_TEST_STORE_DSN="$PG_DSN" CK_RUN_SUITE=qstore-postgresql \
	"$TOP/$BUILD/unit-tests" > "$T/contract.out" 2>&1
rc=$?
checks=$(sed -n 's/.*Checks: \([0-9]*\), Failures: 0, Errors: 0.*/\1/p' "$T/contract.out")
check "the quarantine store's contract on PostgreSQL: ${checks:-no} checks pass" \
	sh -c "[ $rc -eq 0 ] && [ '${checks:-0}' -ge 7 ]"
[ "$rc" -eq 0 ] || grep -E ':[EF]:' "$T/contract.out" | head -n 5

# as_host NAME CMD... - CMD with the host name NAME; exec keeps the pid
as_host() { unshare -u sh -c 'hostname "$0" && exec "$@"' "$@"; }

# conf NAME SOCKET - a host's configuration on the shared store
conf() {
	d=$T/$1
	mkdir -p "$d/q" "$d/tmp"
	cat > "$d/c.conf" <<CONF
milter: { socket = "$2"; user = ""; socket_mode = "0666"; };
scanner: { database = "$TOP/signatures-test"; temp_dir = "$d/tmp"; };
quarantine: { directory = "$d/q"; backend = "postgresql"; dsn = "$PG_DSN";
  sendmail = "$T/sendmail-wrapper"; };
metrics: { control = ""; };
CONF
}

# start NAME - the daemon of host NAME; its pid in STARTED
start() {
	# not through as_host, a function: $! would be a subshell's pid
	unshare -u sh -c 'hostname "$0" && exec "$@"' "$1" \
		"$BIN" -f -c "$T/$1/c.conf" > /dev/null 2>> "$T/$1/log" &
	STARTED=$!
	n=$(lines_with "$T/$1/log" "signatures loaded")
	wait_log "$T/$1/log" "signatures loaded" $((n + 1)) 20 ||
		bad "$1 did not start: $(tail -n 3 "$T/$1/log")"
}
stop() { kill -TERM "$1" 2>/dev/null; wait_exit "$1" 20 || kill -KILL "$1" 2>/dev/null; }

# cli NAME ARGS... - clamgate-quarantine of host NAME
cli() { h=$1; shift; as_host "$h" "$CLI" -c "$T/$h/c.conf" "$@"; }

# relay NAME - a virus from a trusted relay (127.0.0.7): quarantined
relay() { smtp "$1" --xclient-addr 127.0.0.7 --xclient-name relay.local --data "$T/data/$1"; }

# message NAME - the message file: CRLF, a virus attached in base64
message() {
	mkdir -p "$T/data"
	{
		printf 'From: <forged@victim.example>\r\nTo: <user@dest.example>\r\n'
		printf 'Subject: e2e-%s\r\nMessage-ID: <%s@victim.example>\r\n' "$1" "$1"
		printf 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
		printf -- '--b\r\nContent-Type: text/plain\r\n\r\nsee attached %s\r\n' "$1"
		printf -- '--b\r\nContent-Type: application/octet-stream; name="e.com"\r\n'
		printf 'Content-Transfer-Encoding: base64\r\n\r\n'
		base64 -w 60 "$T/eicar.com" | sed 's/$/\r/'
		printf -- '--b--\r\n'
	} > "$T/data/$1"
}

# rows SQL-CONDITION - quarantine rows matching
rows() { pg_sql "SELECT count(*) FROM clamgate_quarantine WHERE $1"; }
# has NAME - the condition: the original is message NAME (its Message-ID)
has() { echo "position('<$1@victim.example>' IN encode(original, 'escape')) > 0"; }
# row_of NAME - the id of the entry of message NAME
row_of() { pg_sql "SELECT id FROM clamgate_quarantine WHERE $(has "$1")"; }
stored_soon() { wait_for 15 sh -c "[ -n \"\$(runuser -u postgres -- '$PG_BIN/psql' -h '$PGT' -U postgres -d clamgate -Atq -c \"SELECT 1 FROM clamgate_quarantine WHERE $(has "$1")\" 2>/dev/null)\" ]"; }

printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' > "$T/eicar.com"
sendmail_wrapper
conf mx-a "inet:$PORT_MILTER@127.0.0.1"
conf mx-b "unix:$T/mx-b/sock"
pf_write_config
sed -i "s|^non_smtpd_milters = .*|non_smtpd_milters = unix:$T/mx-b/sock|" "$T/etc/main.cf"
pf_start || { bad "private Postfix did not start"; exit 1; }

out=$("$BIN" -t -c "$T/mx-a/c.conf" 2>&1)
printf '%s' "$out" | grep -q "^quarantine store: postgresql: host=$PGT dbname=clamgate user=postgres: no schema yet" \
	&& good "-t on a new database: the quarantine has no schema yet" || bad "-t: $out"
start mx-a
A_PID=$STARTED
start mx-b
B_PID=$STARTED
# the release key, distributed as docs/scale-out.md says: one key, the
# same file on every host
cp -p "$T/mx-a/q/.release-key" "$T/mx-b/q/.release-key"
stop "$B_PID"
start mx-b
B_PID=$STARTED

# --- one message, seen from the other host ---------------------------------
message m1
relay m1
check "mx-a: a virus from a trusted relay is accepted for the quarantine (250)" replied m1 "^250 "
check "... stored as a row of the shared database" stored_soon m1
id=$(row_of m1)
check "... the row names the host that stored it, mx-a" test "$(pg_sql "SELECT host FROM clamgate_quarantine WHERE id = '$id'")" = mx-a
check "... and no file is written on mx-a" sh -c "! ls '$T/mx-a/q/' | grep -q '\.eml$'"
cli mx-b list > "$T/list.out" 2>&1
check "mx-b's clamgate-quarantine list shows it" grep -q "^$id .* e2e-m1\$" "$T/list.out"
cli mx-b show "$id" > "$T/show.out" 2>&1
check "mx-b's show: Host mx-a, the sender and the virus" sh -c \
	"grep -q '^Host: *mx-a\$' '$T/show.out' && grep -q '^Sender: *<forged@victim.example>' '$T/show.out' && grep -q '^Virus: *Clamgate.Test.EICAR' '$T/show.out'"
cli mx-b export "$id" -o "$T/export.out" > /dev/null 2>&1
pg_sql "SELECT encode(original, 'base64') FROM clamgate_quarantine WHERE id = '$id'" | base64 -d > "$T/db.out"
check "mx-b's export is the stored original byte for byte" cmp -s "$T/export.out" "$T/db.out"
body() { awk 'b { print } /^\r?$/ { b = 1 }' "$1"; }
# swaks ends the data with a line end of its own
{ body "$T/data/m1"; printf '\r\n'; } > "$T/body.sent"
body "$T/export.out" > "$T/body.export"
check "... and its body is the body as sent, byte for byte" cmp -s "$T/body.sent" "$T/body.export"
check "... its headers are the message's, as Postfix passed them on" \
	grep -q '^Message-ID: <m1@victim.example>' "$T/export.out"

SUDO_USER=alice SUDO_UID=1000 cli mx-b release "$id" > "$T/release.out" 2>&1
check "mx-b's release hands it to the local Postfix" grep -q "released to <user@dest.example>" "$T/release.out"
check "... mx-b honours the token (the shared key) and it is delivered" wait_delivered m1
check "... the audit row names the host mx-b and the person" test \
	"$(pg_sql "SELECT count(*) FROM clamgate_audit WHERE id = '$id' AND action = 'release' AND host = 'mx-b' AND who LIKE 'uid=0 user=root sudo_user=alice sudo_uid=1000 host=mx-b'")" = 1
check "... the entry is marked released" test \
	"$(pg_sql "SELECT count(*) FROM clamgate_quarantine WHERE id = '$id' AND released LIKE '% by uid=0 user=root sudo_user=alice %'")" = 1
check "... the token's use is recorded in the database" test "$(pg_sql "SELECT count(*) FROM clamgate_release_used")" = 1
# the released message, token and all, submitted again: to mx-a now
sub=$(grep -l -s '^X-Clamgate-Release:' "$T"/submitted/* | head -n 1)
postconf -c "$T/etc" -e "non_smtpd_milters = inet:127.0.0.1:$PORT_MILTER"
postfix -c "$T/etc" reload > /dev/null 2>&1
sleep 1
before=$(rows "$(has m1)")
/usr/sbin/sendmail -C "$T/etc" -f forged@victim.example user@dest.example < "$sub"
check "the same release submitted again to mx-a: the token is used (on mx-b)" \
	wait_log "$T/mx-a/log" "X-Clamgate-Release not honoured.*used before" 1 20
check "... so it is scanned and quarantined again, not delivered twice" sh -c \
	"sleep 2; [ \$(runuser -u postgres -- '$PG_BIN/psql' -h '$PGT' -U postgres -d clamgate -Atq -c \"SELECT count(*) FROM clamgate_quarantine WHERE $(has m1)\") -eq $((before + 1)) ] && [ \$(grep -l -s 'Subject: e2e-m1' '$T'/sink/* | wc -l) -eq 1 ]"

# --- the database stopped during a load -------------------------------------
N=40
for i in $(seq 1 $N); do message "load-$i"; done
(
	for i in $(seq 1 $N); do
		relay "load-$i"
		echo "$i" >> "$T/load.done"
	done
) &
LOAD=$!
wait_log "$T/load.done" '' 10 60
pg_down
wait_log "$T/load.done" '' 22 120
pg_up || bad "PostgreSQL did not start again"
t_up=$(date +%s)
wait "$LOAD"
ok=0 tf=0 other=0 lost=0 extra=0
for i in $(seq 1 $N); do
	r=$(reply "load-$i")
	n=$(rows "$(has "load-$i")")
	case $r in
	250*) ok=$((ok + 1)); [ "$n" = 1 ] || lost=$((lost + 1)) ;;
	4*) tf=$((tf + 1)); [ "$n" = 0 ] || extra=$((extra + 1)) ;;
	*) other=$((other + 1)) ;;
	esac
done
check "database stopped during $N messages: $ok stored (250), $tf tempfailed (4xx), $other other" \
	sh -c "[ $ok -gt 0 ] && [ $tf -gt 0 ] && [ $other -eq 0 ]"
check "... every 250 has its row ($lost without), no 4xx has one ($extra with)" \
	sh -c "[ $lost -eq 0 ] && [ $extra -eq 0 ]"
check "... none of them delivered" sh -c "! grep -l -s 'Subject: e2e-load-' '$T'/sink/*"
message back
back=1
for _ in $(seq 1 20); do
	relay back
	if replied back "^250 "; then back=0; break; fi
	sleep 1
done
check "database restarted: mx-a stores again on its own ($(($(date +%s) - t_up)) s after the restart)" \
	test "$back" -eq 0
check "... the message is there" stored_soon back
check "... the log says why the others were tempfailed" grep -q "cannot store in the quarantine: postgresql: host=$PGT" "$T/mx-a/log"

# --- the database down at the daemon's start --------------------------------
stop "$A_PID"
pg_down
start mx-a
A_PID=$STARTED
message late1
relay late1
check "database down at start: mx-a starts and tempfails (4xx)" replied late1 "^4[0-9][0-9] "
pg_up || bad "PostgreSQL did not start again"
message late2
for _ in $(seq 1 20); do relay late2; replied late2 "^250 " && break; sleep 1; done
check "... and stores once the database is back" stored_soon late2

# --- -t, and the schema ----------------------------------------------------
out=$("$BIN" -t -c "$T/mx-b/c.conf" 2>&1)
printf '%s' "$out" | grep -q "^quarantine store: postgresql: host=$PGT dbname=clamgate user=postgres: schema quarantine version 1 (current)" \
	&& good "-t reports the schema: quarantine version 1 (current)" || bad "-t: $out"
check "... created once: one row for it in clamgate_schema" \
	test "$(pg_sql "SELECT count(*) FROM clamgate_schema WHERE component = 'quarantine'")" = 1

# --- migrate, both ways ----------------------------------------------------
total=$(pg_sql "SELECT count(*) FROM clamgate_quarantine")
cli mx-a migrate --to dir > "$T/mig1.out" 2>&1
rc=$?
check "migrate --to dir: $total entries copied, each with its SHA-256 (exit $rc)" sh -c \
	"[ $rc -eq 0 ] && grep -q ': $total copied, 0 present, 0 failed\$' '$T/mig1.out' && [ \$(grep -c '^[0-9T-]*-[0-9a-f]*  [0-9a-f]\{64\}  copied\$' '$T/mig1.out') -eq $total ] && [ \$(ls '$T/mx-a/q' | grep -c '\.eml\$') -eq $total ]"
cli mx-a migrate --to dir > "$T/mig2.out" 2>&1
check "... run again: nothing copied, $total present" grep -q ": 0 copied, $total present, 0 failed\$" "$T/mig2.out"
f=$(ls "$T/mx-a/q/$id.eml" 2>/dev/null)
check "... the copy of m1 exports the same bytes" sh -c \
	"printf 'quarantine: { directory = \"%s\"; };\n' '$T/mx-a/q' > '$T/dir.conf' && '$CLI' -c '$T/dir.conf' export '$id' -o '$T/export2.out' && cmp -s '$T/export2.out' '$T/db.out'"
mkdir -p "$T/old/q"
"$TOP/$BUILD/mkstore" "$T/old/q" 12 7
sed "s|directory = \"$T/mx-a/q\"|directory = \"$T/old/q\"|" "$T/mx-a/c.conf" > "$T/old/c.conf"
cli old migrate --to postgresql --dry-run > "$T/mig3.out" 2>&1
check "migrate --to postgresql --dry-run: 12 to copy, nothing written" sh -c \
	"grep -q ': 12 to copy, 0 present, 0 failed\$' '$T/mig3.out' && [ \$(runuser -u postgres -- '$PG_BIN/psql' -h '$PGT' -U postgres -d clamgate -Atq -c 'SELECT count(*) FROM clamgate_quarantine') -eq $total ]"
cli old migrate --to postgresql > "$T/mig4.out" 2>&1
check "migrate --to postgresql: 12 copied, the database holds $((total + 12))" sh -c \
	"grep -q ': 12 copied, 0 present, 0 failed\$' '$T/mig4.out' && [ \$(runuser -u postgres -- '$PG_BIN/psql' -h '$PGT' -U postgres -d clamgate -Atq -c 'SELECT count(*) FROM clamgate_quarantine') -eq $((total + 12)) ]"
cli mx-b list --limit 100 > "$T/list2.out" 2>&1
check "... and mx-b lists them ($(grep -c 'invoice' "$T/list2.out") of 12)" test "$(grep -c 'invoice' "$T/list2.out")" -eq 12

cli mx-b stats > "$T/stats.out" 2>&1
check "mx-b's stats count every host's entries ($((total + 12)))" \
	grep -q "^total: $((total + 12)) messages" "$T/stats.out"
did=$(pg_sql "SELECT id FROM clamgate_quarantine WHERE host = 'mx-a' ORDER BY id LIMIT 1")
SUDO_USER=bob SUDO_UID=1001 cli mx-b delete "$did" > "$T/delete.out" 2>&1
check "mx-b deletes an entry mx-a stored; the audit row names mx-b and bob" sh -c \
	"[ -z \"\$(runuser -u postgres -- '$PG_BIN/psql' -h '$PGT' -U postgres -d clamgate -Atq -c \"SELECT 1 FROM clamgate_quarantine WHERE id = '$did'\")\" ] && [ \$(runuser -u postgres -- '$PG_BIN/psql' -h '$PGT' -U postgres -d clamgate -Atq -c \"SELECT count(*) FROM clamgate_audit WHERE id = '$did' AND action = 'delete' AND host = 'mx-b' AND who LIKE '% sudo_user=bob %'\") -eq 1 ]"
old=$(pg_sql "SELECT count(*) FROM clamgate_quarantine WHERE time < extract(epoch FROM now()) - 30 * 86400")
cli mx-a purge --older-than 30d > "$T/purge.out" 2>&1
check "mx-a purges the entries older than 30 days ($old), each recorded" sh -c \
	"[ $old -gt 0 ] && grep -q '^$old entries purged' '$T/purge.out' && [ \$(runuser -u postgres -- '$PG_BIN/psql' -h '$PGT' -U postgres -d clamgate -Atq -c \"SELECT count(*) FROM clamgate_audit WHERE action = 'purge' AND host = 'mx-a'\") -eq $old ]"

# --- a password in quarantine.dsn ------------------------------------------
sed "s|dsn = \"$PG_DSN\"|dsn = \"$PG_DSN password=s3cret-pw\"|" "$T/mx-b/c.conf" > "$T/pw.conf"
chmod 644 "$T/pw.conf"
"$BIN" -t -c "$T/pw.conf" > "$T/pw.out" 2>&1
rc=$?
check "a password in quarantine.dsn of a mode 0644 file: refused (exit $rc), naming the line" \
	sh -c "[ $rc -eq 1 ] && grep -q '^$T/pw.conf:[0-9]*: quarantine.dsn: holds a password' '$T/pw.out'"

sanitizer_check "$T/mx-a/log" "$T/mx-b/log"
exit "$FAILED"
