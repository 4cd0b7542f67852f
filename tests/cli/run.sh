#!/bin/sh
# Command-line tests: clamgate -t, -V and usage, as an administrator
# runs them.  usage: tests/cli/run.sh BUILD_DIR
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$TOP/$BUILD/clamgate
T=$(mktemp -d /tmp/clamgate-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
FAILED=0

ok() { printf 'ok - %s\n' "$1"; }
bad() { printf 'not ok - %s\n' "$1"; FAILED=1; }

# expect NAME STATUS PATTERN -- ARGS: run clamgate, check status and output
expect() {
	name=$1 status=$2 pattern=$3
	shift 4
	out=$("$BIN" "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq "$status" ] && printf '%s' "$out" | grep -q -- "$pattern"; then
		ok "$name"
	else
		bad "$name (exit $rc): $out"
	fi
}

conf() {
	printf '%s\n' "scanner: { database = \"$TOP/signatures-test\"; };" \
		"quarantine: { directory = \"$T\"; };" "$@" > "$T/c.conf"
}

conf
expect "-t with a good configuration and signatures" 0 "^configuration OK" -- -t -c "$T/c.conf"
expect "-V prints the version" 0 "^clamgate [0-9]*\.[0-9]*\.[0-9]*$" -- -V
expect "unknown option is a usage error" 2 "usage: clamgate" -- -x
expect "-h prints usage" 0 "usage: clamgate" -- -h
expect "missing configuration file" 1 "^/nonexistent.conf:0: cannot read" -- -t -c /nonexistent.conf

printf 'scanner: {\n  database = "%s/signatures-test";\n  timeout = "soon";\n};\n' "$TOP" > "$T/c.conf"
expect "-t: wrong type names file and line" 1 "^$T/c.conf:3: scanner.timeout: expected a whole number" -- -t -c "$T/c.conf"
printf 'milter: {\n  socket = "unix:/run/x";\n  colour = "red";\n};\n' > "$T/c.conf"
expect "-t: unknown key names file and line" 1 "^$T/c.conf:3: milter.colour: unknown key" -- -t -c "$T/c.conf"
printf 'policy: {\n\n  fallback = "bounce";\n};\n' > "$T/c.conf"
expect "-t: bad value names file and line" 1 "^$T/c.conf:3: policy.fallback: \"bounce\" is not valid" -- -t -c "$T/c.conf"
printf 'policy: {\n  reject = = "safe";\n};\n' > "$T/c.conf"
expect "-t: syntax error names file and line" 1 "^$T/c.conf:2: syntax error" -- -t -c "$T/c.conf"
mkdir -p "$T/empty"
printf 'scanner: { database = "%s/empty"; };\n' "$T" > "$T/c.conf"
expect "-t: no signatures is an error" 1 "scanner.database: cannot load signatures from $T/empty" -- -t -c "$T/c.conf"
printf 'bad line' > "$T/empty/broken.ndb"
expect "-t: a broken signature file is an error" 1 "cannot load signatures" -- -t -c "$T/c.conf"
conf 'milter: { user = "no-such-user-xyz"; };'
out=$("$BIN" -f -c "$T/c.conf" 2>&1); rc=$?
if [ $rc -eq 1 ] && printf '%s' "$out" | grep -q 'milter.user: no such user "no-such-user-xyz"'; then
	ok "start as root with an unknown milter.user fails"
else
	bad "unknown user (exit $rc): $out"
fi
conf "milter: { socket = \"unix:$T/nodir/sock\"; user = \"\"; };"
out=$("$BIN" -f -c "$T/c.conf" 2>&1); rc=$?
[ $rc -eq 1 ] && printf '%s' "$out" | grep -q "cannot open milter socket unix:$T/nodir/sock" \
	&& ok "unusable socket path fails at start" || bad "socket path (exit $rc): $out"

# a socket left behind by a killed daemon does not stop the next start
conf "milter: { socket = \"unix:$T/stale.sock\"; user = \"\"; };"
"$BIN" -f -c "$T/c.conf" 2> "$T/log1" & pid=$!
for _ in $(seq 1 50); do [ -S "$T/stale.sock" ] && break; sleep 0.1; done
kill -KILL $pid; wait $pid 2>/dev/null
[ -S "$T/stale.sock" ] || bad "no socket left to test with"
"$BIN" -f -c "$T/c.conf" 2> "$T/log2" & pid=$!
for _ in $(seq 1 50); do grep -q listening "$T/log2" && break; sleep 0.1; done
if kill -0 $pid 2>/dev/null && grep -q "listening on unix:$T/stale.sock" "$T/log2"; then
	ok "stale unix socket is replaced at start"
else
	bad "restart over a stale socket: $(cat "$T/log2")"
fi
kill -TERM $pid; wait $pid
[ $? -eq 0 ] && ok "SIGTERM: exit status 0" || bad "SIGTERM exit status"

exit $FAILED
