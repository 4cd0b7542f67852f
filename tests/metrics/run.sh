#!/bin/sh
# The metrics, read by a real Prometheus (Debian's, on 127.0.0.1) from
# clamgate behind the real Postfix (tests/e2e/postfix.sh):
#  - a known mix of mail from outside clients (clean, infected and
#    rejected, infected from a trusted relay and quarantined, too large
#    and tempfailed) must show in Prometheus's query API as exactly the
#    numbers sent, by verdict, action and tempfail reason, with the scan
#    and size histograms, the quarantine's entries and the signatures;
#  - promtool check metrics accepts the endpoint's text, promtool check
#    rules the shipped alert rules, and promtool test rules runs
#    tests/metrics/alerts-test.yml (each alert fires where it should);
#  - the endpoint answers 404 and 405 where it should, and closes on a
#    client outside metrics.allow;
#  - the textfile holds the same counts, mode 0644, and is removed at
#    stop; clamgate -s prints them, as root, and refuses another user;
#  - and nothing went to a sender.
# usage: tests/metrics/run.sh BUILD_DIR     (as root)
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$TOP/$BUILD/clamgate
T=$(mktemp -d /tmp/clamgate-metrics.XXXXXX)
chmod 755 "$T"
BASE=$((31000 + $$ % 250 * 6)) # below the ephemeral ports (32768-)
PORT_IN=$BASE PORT_SINK=$((BASE + 1)) PORT_HOP=$((BASE + 2)) PORT_MILTER=$((BASE + 3))
PORT_METRICS=$((BASE + 4)) PORT_PROM=$((BASE + 5))
. "$TOP/tests/e2e/postfix.sh"
. "$TOP/tests/e2e/common.sh"
PROM_PID=""

cleanup() {
	[ -n "$PROM_PID" ] && kill -TERM "$PROM_PID" 2>/dev/null && wait_exit "$PROM_PID" 15
	cg_stop
	pf_stop
	if [ "$FAILED" -ne 0 ] && [ -n "${KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap 'cleanup; exit 1' HUP INT PIPE TERM
trap cleanup EXIT

URL=http://127.0.0.1:$PORT_METRICS
printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' > "$T/eicar.com"
head -c 12000 /dev/zero | tr '\0' 'a' | fold -w 76 > "$T/big.txt"
mkdir -p "$T/tf"

pf_write_config
pf_start || { bad "private Postfix did not start"; exit 1; }
CG_SCANNER="temp_dir = \"$T/cgtmp\"; max_message_size = \"8K\";"
CG_EXTRA="metrics: { listen = \"inet:$PORT_METRICS@127.0.0.1\"; allow = [ \"127.0.0.1/32\" ];
	control = \"$T/ctl\"; textfile = \"$T/tf/clamgate.prom\"; textfile_interval = 1; };"
cg_start 'on_oversize = "tempfail";'

cat > "$T/prom.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: clamgate
    static_configs:
      - targets: ['127.0.0.1:$PORT_METRICS']
YML
prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/prom" \
	--web.listen-address="127.0.0.1:$PORT_PROM" > "$T/prom.log" 2>&1 &
PROM_PID=$!
wait_for 30 curl -sf "http://127.0.0.1:$PORT_PROM/-/ready" -o /dev/null ||
	bad "prometheus did not start: $(tail -n 3 "$T/prom.log")"

# the mix: what clamgate is expected to count
OUT="--xclient-addr 192.0.2.10 --xclient-name mx.remote.example"
for i in 1 2 3 4 5; do smtp "clean-$i" $OUT --body "clean message $i"; done
for i in 1 2 3; do smtp "virus-$i" $OUT --attach "$T/eicar.com"; done
smtp relay-virus --xclient-addr 127.0.0.7 --xclient-name relay.local --attach "$T/eicar.com"
for i in 1 2; do smtp "big-$i" $OUT --attach "$T/big.txt"; done
n_reject=0 n_temp=0 n_ok=0
for i in 1 2 3; do replied "virus-$i" "^554 5.7.1" && n_reject=$((n_reject + 1)); done
for i in 1 2; do replied "big-$i" "^451 4.7.1" && n_temp=$((n_temp + 1)); done
for i in 1 2 3 4 5; do replied "clean-$i" "^250 " && n_ok=$((n_ok + 1)); done
check "Postfix's clients got 5 x 250, 3 x 554, 2 x 451 ($n_ok, $n_reject, $n_temp)" \
	test "$n_ok$n_reject$n_temp" = 532
check "the relayed virus was taken (250) and quarantined" replied relay-virus "^250 "

# pq QUERY - the value of an instant query, "none" without a result
pq() {
	curl -s --get --data-urlencode "query=$1" "http://127.0.0.1:$PORT_PROM/api/v1/query" |
		jq -r 'if .data.result | length == 1 then .data.result[0].value[1] else "none" end'
}
is() { [ "$(pq "$1")" = "$2" ]; }
# expect QUERY VALUE - bad unless Prometheus answers VALUE
expect() {
	got=$(pq "$1")
	check "Prometheus: $1 = $2 (got $got)" test "$got" = "$2"
}
wait_for 30 is 'sum(clamgate_messages_total)' 11 ||
	bad "Prometheus never saw 11 messages: $(pq 'sum(clamgate_messages_total)')"
wait_for 15 is 'clamgate_quarantine_entries' 1
expect 'up{job="clamgate"}' 1
expect 'clamgate_messages_total{direction="inbound",verdict="clean",action="accept"}' 5
expect 'clamgate_messages_total{direction="inbound",verdict="infected",action="reject"}' 3
expect 'clamgate_messages_total{direction="inbound",verdict="infected",action="quarantine"}' 1
expect 'clamgate_messages_total{direction="inbound",verdict="oversize",action="tempfail"}' 2
# the four label sets sent, and per direction the three shown from the
# start (clean accept, infected reject, error tempfail), inbound's two
# of them among those sent
expect 'count(clamgate_messages_total)' 8
expect 'clamgate_messages_total{direction="outbound",verdict="error",action="tempfail"}' 0
expect 'clamgate_tempfails_total{reason="oversize"}' 2
expect 'sum(clamgate_tempfails_total)' 2
expect 'clamgate_scan_duration_seconds_count' 9
expect 'clamgate_message_size_bytes_count' 11
expect 'clamgate_message_size_bytes_bucket{le="4096"}' 9
expect 'clamgate_quarantine_entries' 1
qbytes=$(pq clamgate_quarantine_bytes)
check "Prometheus: clamgate_quarantine_bytes is the entry's file size (${qbytes})" \
	test "$qbytes" = "$(stat -c %s "$T"/q/*.eml)"
sigs=$(sed -n 's/.*signatures loaded from .*: \([0-9]*\) signatures.*/\1/p' "$T/clamgate.log" | tail -n 1)
expect 'clamgate_signatures' "${sigs:-unknown}"
expect 'clamgate_reload_last_success' 1
expect 'clamgate_sessions_in_flight' 0
expect 'clamgate_scan_slots' "$(nproc)"
# the test signatures are plain files: their age is the newest one's
newest=$(stat -c %Y "$TOP"/signatures-test/*.?db | sort -n | tail -n 1)
age=$(pq "clamgate_signatures_age_seconds - (time() - $newest)")
check "Prometheus: clamgate_signatures_age_seconds is the newest signature file's age (off by ${age} s)" \
	sh -c "[ '$age' != none ] && awk -v a='$age' 'BEGIN { exit !(a > -10 && a < 10) }'"

# the text itself, the alert rules and their tests
curl -s "$URL/metrics" > "$T/metrics.txt"
check "promtool check metrics accepts the endpoint's text" \
	sh -c "promtool check metrics < '$T/metrics.txt' > '$T/promtool.out' 2>&1"
check "promtool check rules accepts etc/clamgate-alerts.yml" \
	sh -c "promtool check rules '$TOP/etc/clamgate-alerts.yml' > /dev/null 2>&1"
promtool test rules "$TOP/tests/metrics/alerts-test.yml" > "$T/alerts.out" 2>&1
rc=$?
[ "$rc" -eq 0 ] || cat "$T/alerts.out"
check "promtool test rules: every alert fires where it should (tests/metrics/alerts-test.yml)" \
	test "$rc" -eq 0
check "the endpoint names no sender, recipient or virus" \
	sh -c "! grep -q -i -E 'victim|dest.example|eicar' '$T/metrics.txt'"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check "GET /nothing: 404" test "$(code "$URL/nothing")" = 404
check "POST /metrics: 405" test "$(code -X POST -d x "$URL/metrics")" = 405
check "a client outside metrics.allow (127.0.0.3) gets no answer" \
	test "$(code --interface 127.0.0.3 "$URL/metrics")" = 000

# the textfile and clamgate -s
line='clamgate_messages_total{direction="inbound",verdict="clean",action="accept"} 5'
check "metrics.textfile has the same counts" wait_log "$T/tf/clamgate.prom" "$line" 1 5
check "metrics.textfile is mode 0644, for node_exporter's user" \
	test "$(stat -c %a "$T/tf/clamgate.prom")" = 644
check "no temporary file is left beside it" test "$(ls -A "$T/tf")" = clamgate.prom
"$BIN" -s -c "$T/clamgate.conf" > "$T/status.out" 2>&1
check "clamgate -s: inbound clean accept 5" \
	grep -q -E '^  inbound clean accept +5$' "$T/status.out"
check "clamgate -s: oversize tempfails 2" grep -q -E '^  oversize +2$' "$T/status.out"
check "clamgate -s: the version on the first line" \
	sh -c "head -n 1 '$T/status.out' | grep -q '^clamgate [0-9.]* (libclamav .*), up '"
check "the control socket is mode 0660" test "$(stat -c %a "$T/ctl")" = 660
check "clamgate -s as another user (nobody) cannot read it" \
	sh -c "! setpriv --reuid=nobody --regid=nogroup --clear-groups '$BIN' -s -c '$T/clamgate.conf' > '$T/nobody.out' 2>&1"
check "... and says why" grep -q 'Permission denied' "$T/nobody.out"

check "invariant: nothing went to a sender (the sink has no mail for victim.example)" \
	sh -c "! grep -l -s -i '^To:.*victim.example' '$T'/sink/* | grep -q ."
cg_stop
check "at stop, the textfile is removed" test ! -e "$T/tf/clamgate.prom"
check "at stop, the control socket is removed" test ! -e "$T/ctl"

# the endpoint on a unix socket: mode 0660, served, removed at stop
CG_EXTRA="metrics: { listen = \"unix:$T/metrics.sock\"; control = \"\"; };"
cg_start
check "metrics.listen on a unix socket: mode 0660" test "$(stat -c %a "$T/metrics.sock")" = 660
check "metrics.listen on a unix socket: GET /metrics answers" \
	sh -c "curl -s --unix-socket '$T/metrics.sock' http://localhost/metrics | grep -q '^clamgate_build_info{'"
"$BIN" -s -c "$T/clamgate.conf" > "$T/noctl.out" 2>&1
rc=$?
check "metrics.control = \"\": clamgate -s exits 1 ($rc) and says there is no control socket" \
	sh -c "[ $rc -eq 1 ] && grep -q 'no control socket' '$T/noctl.out'"
cg_stop
check "at stop, the endpoint's unix socket is removed" test ! -e "$T/metrics.sock"

# what may sit at metrics.control: a socket nobody listens on is
# replaced; a live one, a regular file, and another user's socket that
# cannot be tested are left alone (the daemon runs without its control
# socket and says why)
python3 - "$T/stale.sock" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])  # closed, not removed
PY
CG_EXTRA="metrics: { control = \"$T/stale.sock\"; };"
cg_start
check "a stale control socket (nobody listens) is replaced: clamgate -s works" \
	sh -c "'$BIN' -s -c '$T/clamgate.conf' | grep -q '^clamgate '"
cg_stop
python3 - "$T/live.sock" "$T/live.ready" <<'PY' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(5)
open(sys.argv[2], "w").close()
time.sleep(30)
PY
LIVE=$!
wait_for 10 test -e "$T/live.ready"
ino=$(stat -c %i "$T/live.sock")
CG_EXTRA="metrics: { control = \"$T/live.sock\"; };"
cg_start
check "a live socket at metrics.control is left alone (same inode), the daemon says so" \
	sh -c "[ \"\$(stat -c %i '$T/live.sock')\" = '$ino' ] && grep -q 'live.sock is in use' '$T/clamgate.log'"
cg_stop
kill "$LIVE" 2>/dev/null
wait "$LIVE" 2>/dev/null
echo "not a socket" > "$T/plain"
CG_EXTRA="metrics: { control = \"$T/plain\"; };"
cg_start
check "a regular file at metrics.control is left alone, the daemon says so" \
	sh -c "[ \"\$(cat '$T/plain')\" = 'not a socket' ] && grep -q 'plain exists and is not a socket' '$T/clamgate.log'"
cg_stop
CG_EXTRA=""
sanitizer_check "$T/clamgate.log"
exit "$FAILED"
