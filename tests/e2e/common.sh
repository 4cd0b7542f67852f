# common.sh - helpers shared by the suites that run clamgate behind a
# real MTA (sourced by tests/e2e/*.sh and tests/detect/run.sh).  Expects
# $T, $BIN, $TOP and $PORT_MILTER.

. "$TOP/tests/lib.sh"
CG_PID=""

# cg_start [policy settings] - (re)start clamgate on the milter port;
# $CG_SCANNER adds scanner keys, $CG_QUARANTINE quarantine keys,
# $CG_EXTRA whole groups; it is ready once the log shows $CG_READY
# ("signatures loaded").  The log ($T/clamgate.log) keeps every run.
cg_start() {
	cg_stop
	mkdir -p "$T/q" "$T/cgtmp"
	scanner_keys=${CG_SCANNER:-"temp_dir = \"$T/cgtmp\";"}
	cat > "$T/clamgate.conf" <<CONF
milter: { socket = "inet:$PORT_MILTER@127.0.0.1"; user = ""; };
scanner: { database = "$TOP/signatures-test"; $scanner_keys };
quarantine: { directory = "$T/q"; ${CG_QUARANTINE:-} };
policy: { ${1:-} };
${CG_EXTRA:-}
CONF
	ready=${CG_READY:-signatures loaded}
	loaded=$(lines_with "$T/clamgate.log" "$ready")
	"$BIN" -f -c "$T/clamgate.conf" > /dev/null 2>> "$T/clamgate.log" &
	CG_PID=$!
	wait_log "$T/clamgate.log" "$ready" $((loaded + 1)) 10 ||
		bad "clamgate did not start: $(tail -n 5 "$T/clamgate.log")"
}

cg_stop() {
	[ -n "$CG_PID" ] || return 0
	kill -TERM "$CG_PID" 2>/dev/null
	wait "$CG_PID" 2>/dev/null
	CG_PID=""
}

# reply NAME - the server's answer to the message data (last 2xx-5xx)
# in the swaks transcript $T/out/NAME
reply() {
	grep -E '^<(-|\*\*) +[2-5][0-9][0-9] ' "$T/out/$1" | grep -v -E ' (221|250-|220) ' \
		| tail -n 1 | sed -E 's/^<(-|\*\*) +//'
}

replied() { reply "$1" | grep -q -- "$2"; }

# wait_log_line PATTERN - until clamgate's log shows it (15 s)
wait_log_line() { wait_log "$T/clamgate.log" "$1" 1 15; }

# sendmail_wrapper - $T/sendmail-wrapper: the private Postfix's
# sendmail, keeping a copy of each submission in $T/submitted (for
# quarantine.sendmail and notify.sendmail)
sendmail_wrapper() {
	mkdir -p "$T/submitted"
	cat > "$T/sendmail-wrapper" <<SH
#!/bin/sh
f=\$(mktemp "$T/submitted/XXXXXX")
cat > "\$f"
exec /usr/sbin/sendmail -C "$T/etc" "\$@" < "\$f"
SH
	chmod 755 "$T/sendmail-wrapper"
}

# --- Postfix suites (run.sh, tempdir.sh); sendmail.sh has its own smtp ---

# smtp NAME [swaks args] - one SMTP transaction into the milter listener
# from an outside client (XCLIENT ADDR=192.0.2.10) unless args say else;
# the transcript is $T/out/NAME
smtp() {
	name=$1; shift
	mkdir -p "$T/out"
	swaks --server "127.0.0.1:${PORT:-$PORT_IN}" --from "${FROM:-forged@victim.example}" \
		--to "${TO:-user@dest.example}" --header "Subject: e2e-$name" \
		--timeout 60 "$@" > "$T/out/$name" 2>&1
}

# heads - the header sections of the notices in the sink
heads() {
	for f in $(grep -l -s '^Subject: \[clamgate\] ' "$T"/sink/*); do
		awk '/^\r?$/ { exit } { print }' "$f"
	done
}

# (only the message's own headers count: a notice quotes the original's)
delivered() {
	awk -v s="Subject: e2e-$1" 'FNR == 1 { h = 1 } h && /^\r?$/ { h = 0 }
		h && $0 == s { print FILENAME; nextfile }' "$T"/sink/* 2>/dev/null | head -n 1
}

# wait_found FUNC NAME - until FUNC NAME names a file (15 s)
wait_found() {
	for _ in $(seq 1 150); do
		[ -n "$("$1" "$2")" ] && return 0
		sleep 0.1
	done
	return 1
}
wait_delivered() { wait_found delivered "$1"; }

# quarantined NAME - the quarantine file of the message
quarantined() { grep -l -s "^Subject: e2e-$1" "$T"/q/*.eml | head -n 1; }

wait_quarantined() { wait_found quarantined "$1"; }

# qid NAME - the queue id Postfix gave the message
qid() { sed -n 's/.*Ok: queued as \([0-9A-F]*\).*/\1/p' "$T/out/$1" | tail -n 1; }

# wait_sent NAME - until Postfix logged its delivery to the sink
wait_sent() {
	q=$(qid "$1")
	[ -n "$q" ] || return 1
	for _ in $(seq 1 300); do
		grep -q "$q: to=<.*status=sent" "$T/maillog" && return 0
		sleep 0.1
	done
	return 1
}

