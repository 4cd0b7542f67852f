#!/bin/sh
# make demo / make demo-stop: clamgate and a private Postfix on
# 127.0.0.1:2525, to see an accept and a reject with two swaks commands.
# Delivered mail lands in $T/sink (smtp-sink); nothing leaves the machine.
# Needs root (Postfix).  usage: tests/demo.sh start|stop [BUILD_DIR]
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${2:-build}
T=${DEMO_DIR:-/tmp/clamgate-demo}
PORT_IN=2525 PORT_SINK=2526 PORT_HOP=2527 PORT_MILTER=2528
. "$TOP/tests/e2e/postfix.sh"

stop() {
	[ -f "$T/clamgate.pid" ] && kill -TERM "$(cat "$T/clamgate.pid")" 2>/dev/null
	[ -f "$T/sink.pid" ] && SINK_PID=$(cat "$T/sink.pid")
	pf_stop
	rm -f "$T/clamgate.pid" "$T/sink.pid"
	echo "demo stopped (files kept in $T)"
}

start() {
	[ "$(id -u)" -eq 0 ] || { echo "make demo needs root (it starts a private Postfix)"; exit 1; }
	[ -f "$T/clamgate.pid" ] && stop >/dev/null
	rm -rf "$T"; mkdir -p "$T/quarantine"; chmod 755 "$T"
	cat > "$T/clamgate.conf" <<CONF
milter: { socket = "inet:$PORT_MILTER@127.0.0.1"; user = ""; };
scanner: { database = "$TOP/signatures-test"; temp_dir = "$T"; };
quarantine: { directory = "$T/quarantine"; };
CONF
	"$TOP/$BUILD/clamgate" -f -c "$T/clamgate.conf" > /dev/null 2> "$T/clamgate.log" &
	echo $! > "$T/clamgate.pid"
	pf_write_config
	pf_start || { echo "Postfix did not start; see $T/maillog"; stop; exit 1; }
	echo "$SINK_PID" > "$T/sink.pid"
	printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' > "$T/eicar.com"
	cat <<MSG
clamgate is filtering a private Postfix on 127.0.0.1:$PORT_IN.
  clamgate log:   $T/clamgate.log
  Postfix log:    $T/maillog
  delivered mail: $T/sink/
  quarantine:     $T/quarantine/

A clean message (accepted, with X-Virus-Status: Clean):
  swaks --server 127.0.0.1:$PORT_IN --xclient-addr 192.0.2.10 --from a@remote.example --to b@dest.example

A message with the EICAR test file (rejected: 554 5.7.1 Virus ... found):
  swaks --server 127.0.0.1:$PORT_IN --xclient-addr 192.0.2.10 --from a@remote.example --to b@dest.example --attach $T/eicar.com

(XCLIENT plays an outside client; from 127.0.0.1 itself, a trusted relay,
the infected message would be quarantined instead of rejected.)
Stop with: make demo-stop
MSG
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*) echo "usage: $0 start|stop [BUILD_DIR]"; exit 2 ;;
esac
