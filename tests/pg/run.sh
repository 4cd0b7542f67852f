#!/bin/sh
# The verified senders in a shared PostgreSQL (outbound.store_backend =
# "postgresql"), with Debian's real server in a private cluster
# (tests/pg/lib.sh) and two clamgate daemons, mx-a and submit-b, on the
# same database, driven by miltertest (tests/pg/shared.lua):
#  - a sender verified by a trusted Authentication-Results on mx-a lets
#    submit-b's gate pass the vacation reply to it; a reply to a sender
#    nobody verified is stopped; clamgate-quarantine verified list of
#    submit-b's configuration shows the row mx-a wrote;
#  - the database stopped: the reply is tempfailed (never passed to an
#    unverified sender, never lost), and clamgate -t says the database
#    cannot be reached; restarted: submit-b reconnects on its own and
#    passes the reply again within seconds (the time is printed);
#  - the database down at a daemon's start: it starts, tempfails the
#    reply, and passes it once the database is back;
#  - -t reports the schema's state; the schema is created once, by the
#    first daemon; a password in the connection string is not printed;
#  - and first, the store's contract of tests/unit/test_vstore.c (the
#    suite vstore-postgresql), each test in a schema of its own.
# usage: tests/pg/run.sh BUILD_DIR     (as root: the server runs as postgres)
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$TOP/$BUILD/clamgate
CLI=$TOP/$BUILD/clamgate-quarantine
. "$TOP/tests/lib.sh"
T=$(mktemp -d /tmp/clamgate-pg.XXXXXX)
chmod 755 "$T"
PGT=$T/pg
. "$TOP/tests/pg/lib.sh"
PIDS=""

cleanup() {
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
	for p in $PIDS; do wait_exit "$p" 20 || kill -KILL "$p" 2>/dev/null; done
	pg_down
	if [ "$FAILED" -ne 0 ] && [ -n "${KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap 'cleanup; exit 1' HUP INT PIPE TERM
trap cleanup EXIT

[ -n "$PG_BIN" ] || { bad "no PostgreSQL server installed (postgresql)"; exit 1; }

# conf NAME - a daemon's configuration on the shared store
conf() {
	d=$T/$1
	mkdir -p "$d/q"
	cat > "$d/c.conf" <<CONF
milter: { socket = "unix:$d/sock"; user = ""; };
scanner: { database = "$TOP/signatures-test"; temp_dir = "$d"; };
quarantine: { directory = "$d/q"; };
outbound: { mode = "on"; internal_domains = [ "local.example" ];
  trusted_authserv_ids = [ "mx.local.example" ];
  store_backend = "postgresql"; store_dsn = "$PG_DSN";
  catalogues = [ "$TOP/etc/outbound-markers", "$TOP/etc/outbound-subjects" ]; };
metrics: { control = ""; };
CONF
}

# daemon NAME - its configuration, and start it; DAEMON_PID
daemon() {
	conf "$1"
	d=$T/$1
	"$BIN" -f -c "$d/c.conf" 2> "$d/log" &
	DAEMON_PID=$!
	PIDS="$PIDS $DAEMON_PID"
	wait_log "$d/log" "listening on" 1 20 || bad "$1 did not start: $(tail -n 3 "$d/log")"
	wait_for 20 test -S "$d/sock"
}

# step NAME CASE - one case of shared.lua against daemon NAME; 0 if it
# passed
step() {
	miltertest -D lib="$TOP/tests/protocol/lib.lua" -D sock="unix:$T/$1/sock" \
		-D data="$T" -D qdir="$T/$1/q" -D case="$2" -s "$TOP/tests/pg/shared.lua" \
		> "$T/$1.$2.out" 2>&1
}
# passes_soon NAME - until NAME passes the reply to alice (20 s); 0 if
# it did
passes_soon() {
	for _ in $(seq 1 40); do
		step "$1" reply_pass && return 0
		sleep 0.5
	done
	return 1
}
# expect_step NAME CASE WHAT - step, reported
expect_step() {
	if step "$1" "$2"; then good "$3"; else bad "$3: $(grep -v '^ok' "$T/$1.$2.out" | head -n 3)"; fi
}

pg_up || { bad "PostgreSQL did not start: $(tail -n 5 "$PGT"/*.log 2>/dev/null)"; exit 1; }

# the store's contract (tests/unit/test_vstore.c), against PostgreSQL
[ -x "$TOP/$BUILD/unit-tests" ] || bad "$BUILD/unit-tests is not built"
CLAMGATE_TEST_STORE_DSN="$PG_DSN" CK_RUN_SUITE=vstore-postgresql \
	"$TOP/$BUILD/unit-tests" > "$T/contract.out" 2>&1
rc=$?
checks=$(sed -n 's/.*Checks: \([0-9]*\), Failures: 0, Errors: 0.*/\1/p' "$T/contract.out")
check "the store's contract on PostgreSQL: ${checks:-no} checks pass (round trip, merge, trim, forget, threads)" \
	sh -c "[ $rc -eq 0 ] && [ '${checks:-0}' -ge 20 ]"
[ "$rc" -eq 0 ] || grep -E ':[EF]:' "$T/contract.out" | head -n 5

# -t before any daemon ran: the schema is not there yet, and -t creates
# nothing
conf mx-a
out=$("$BIN" -t -c "$T/mx-a/c.conf" 2>/dev/null)
printf '%s' "$out" | grep -q "^outbound store: postgresql: host=$PGT dbname=clamgate user=postgres: no schema yet: the daemon creates it (version 1)" \
	&& good "-t on a new database: no schema yet, the daemon creates it" || bad "-t: $out"
check "... and -t created nothing" test -z "$(pg_sql "SELECT to_regclass('clamgate_schema')")"
daemon mx-a
daemon submit-b

expect_step mx-a verify "mx-a: inbound mail with a trusted dkim=pass is accepted"
check "mx-a's writer stored alice in the shared database" \
	wait_for 10 sh -c "[ \"\$(runuser -u postgres -- '$PG_BIN/psql' -h '$PGT' -U postgres -d clamgate -Atq -c \"SELECT how FROM clamgate_verified WHERE addr = 'alice@remote.example'\" 2>/dev/null)\" = dkim ]"
out=$("$BIN" -t -c "$T/submit-b/c.conf" 2>/dev/null)
printf '%s' "$out" | grep -q "^outbound store: postgresql: host=$PGT dbname=clamgate user=postgres: schema vstore version 1 (current)" \
	&& good "-t reports the schema: vstore version 1 (current)" || bad "-t: $out"
check "the schema was created once: one row in clamgate_schema" \
	test "$(pg_sql "SELECT count(*) FROM clamgate_schema")" = 1
expect_step submit-b reply_pass "submit-b: the vacation reply to alice, verified on mx-a, passes"
expect_step submit-b reply_stop "submit-b: the reply to bob, verified nowhere, is stopped"
"$CLI" -c "$T/submit-b/c.conf" verified list > "$T/list.out" 2>&1
check "clamgate-quarantine verified list (submit-b's config) shows mx-a's row" \
	grep -q '^alice@remote.example  *dkim ' "$T/list.out"

# the database stopped while the daemons run
pg_down
expect_step submit-b reply_tempfail "database stopped: the reply to alice is tempfailed (not passed, not lost)"
check "... and the log says the store lookup failed" \
	grep -q 'outbound store lookup failed' "$T/submit-b/log"
"$BIN" -t -c "$T/submit-b/c.conf" > "$T/t-down.out" 2>&1
rc=$?
check "database stopped: clamgate -t fails (exit $rc) and names the store" \
	sh -c "[ $rc -eq 1 ] && grep -q 'outbound gate: postgresql: host=$PGT' '$T/t-down.out'"
t0=$(date +%s)
pg_up || bad "PostgreSQL did not start again"
passes_soon submit-b
rc=$?
secs=$(($(date +%s) - t0))
check "database restarted: submit-b reconnects on its own and passes the reply (${secs} s)" \
	test "$rc" -eq 0

# the database down when a daemon starts
pg_down
daemon late-c
expect_step late-c reply_tempfail "database down at start: the daemon starts and tempfails the reply"
pg_up || bad "PostgreSQL did not start again"
check "database back: the daemon started without it passes the reply" passes_soon late-c

# a password in the connection string: refused in a file others can
# read, and never printed
sed "s|store_dsn = \"$PG_DSN\"|store_dsn = \"$PG_DSN password=s3cret-pw\"|" \
	"$T/submit-b/c.conf" > "$T/pw.conf"
chmod 644 "$T/pw.conf"
"$BIN" -t -c "$T/pw.conf" > "$T/pw.out" 2>&1
rc=$?
check "a password in outbound.store_dsn of a mode 0644 file: refused (exit $rc), naming the line" \
	sh -c "[ $rc -eq 1 ] && grep -q '^$T/pw.conf:[0-9]*: outbound.store_dsn: holds a password' '$T/pw.out'"
chmod 600 "$T/pw.conf"
"$BIN" -t -c "$T/pw.conf" > "$T/pw.out" 2>&1
check "... accepted in a mode 0600 file, and the password is printed nowhere" \
	sh -c "grep -q '^configuration OK' '$T/pw.out' && ! grep -q s3cret '$T/pw.out'"
for d in mx-a submit-b late-c; do sanitizer_check "$T/$d/log"; done
exit "$FAILED"
