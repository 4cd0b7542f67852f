# common.sh - helpers shared by the end-to-end suites (sourced by run.sh
# and sendmail.sh).  Expects $T, $BIN, $TOP and $PORT_MILTER.

FAILED=0
CG_PID=""

good() { printf 'ok - %s\n' "$*"; }
bad() { printf 'not ok - %s\n' "$*"; FAILED=1; }
check() { name=$1; shift; if "$@"; then good "$name"; else bad "$name"; fi; }

# cg_start [policy settings] - (re)start clamgate on the milter port;
# $CG_QUARANTINE adds quarantine keys, $CG_EXTRA whole groups.  The log
# ($T/clamgate.log) keeps every run.
cg_start() {
	cg_stop
	mkdir -p "$T/q" "$T/cgtmp"
	cat > "$T/clamgate.conf" <<CONF
milter: { socket = "inet:$PORT_MILTER@127.0.0.1"; user = ""; };
scanner: { database = "$TOP/signatures-test"; temp_dir = "$T/cgtmp"; };
quarantine: { directory = "$T/q"; ${CG_QUARANTINE:-} };
policy: { ${1:-} };
${CG_EXTRA:-}
CONF
	touch "$T/clamgate.log"
	loaded=$(grep -c "signatures loaded" "$T/clamgate.log")
	"$BIN" -f -c "$T/clamgate.conf" > /dev/null 2>> "$T/clamgate.log" &
	CG_PID=$!
	for _ in $(seq 1 100); do
		[ "$(grep -c "signatures loaded" "$T/clamgate.log")" -gt "$loaded" ] && return 0
		sleep 0.1
	done
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
