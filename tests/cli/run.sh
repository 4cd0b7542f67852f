#!/bin/sh
# Command-line tests: clamgate -t, -V and usage, as an administrator
# runs them.  usage: tests/cli/run.sh BUILD_DIR
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/lib.sh"
BIN=$TOP/$BUILD/clamgate
T=$(mktemp -d /tmp/clamgate-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM


# expect NAME STATUS PATTERN -- ARGS: run clamgate, check status and output
expect() {
	name=$1 status=$2 pattern=$3
	shift 4
	out=$("$BIN" "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq "$status" ] && printf '%s' "$out" | grep -q -- "$pattern"; then
		good "$name"
	else
		bad "$name (exit $rc): $out"
	fi
}

# conf [GROUP...] - a configuration with the test signatures, a temp
# directory of its own and, unless a milter group is given, the user -t
# runs as (root may not switch to a user this machine does not have)
conf() {
	mkdir -p "$T/tmp"
	case "$*" in *milter:*) m="" ;; *) m='milter: { user = ""; };' ;; esac
	case "${SCANNER:-}" in *temp_dir*) tmp="" ;; *) tmp="temp_dir = \"$T/tmp\";" ;; esac
	printf '%s\n' "scanner: { database = \"$TOP/signatures-test\"; $tmp ${SCANNER:-} };" \
		"quarantine: { directory = \"$T\"; };" "$m" "$@" > "$T/c.conf"
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
printf 'milter: { user = ""; };\nscanner: { database = "%s/empty"; temp_dir = "%s"; };\n' "$T" "$T" > "$T/c.conf"
expect "-t: no signatures is an error" 1 "scanner.database: cannot load signatures from $T/empty" -- -t -c "$T/c.conf"
printf 'bad line' > "$T/empty/broken.ndb"
expect "-t: a broken signature file is an error" 1 "cannot load signatures" -- -t -c "$T/c.conf"

# scanner.temp_dir: unusable is an error for -t and at start; settings
# that let unscanned or forged mail through are warned about
SCANNER="temp_dir = \"$T/no-such-dir\";"
conf
expect "-t: a missing temp_dir is an error" 1 "^$T/c.conf: scanner.temp_dir: $T/no-such-dir: No such file or directory" -- -t -c "$T/c.conf"
out=$("$BIN" -f -c "$T/c.conf" 2>&1); rc=$?
[ $rc -eq 1 ] && printf '%s' "$out" | grep -q "scanner.temp_dir: $T/no-such-dir: No such file" \
	&& good "start with a missing temp_dir fails, naming it" || bad "start, missing temp_dir (exit $rc): $out"
SCANNER=""
conf 'policy: { headers = "add"; on_error = "accept"; on_incomplete = "accept"; };'
expect "-t warns: headers = add" 0 "warning: policy.headers is not \"replace\"" -- -t -c "$T/c.conf"
expect "-t warns: on_error = accept" 0 "warning: policy.on_error = \"accept\"" -- -t -c "$T/c.conf"
expect "-t warns: on_incomplete = accept" 0 "warning: policy.on_incomplete = \"accept\"" -- -t -c "$T/c.conf"
SCANNER='temp_dir = "/tmp";'
conf
expect "-t warns: a world-writable temp_dir" 0 "warning: scanner.temp_dir /tmp is writable by every user" -- -t -c "$T/c.conf"
SCANNER="temp_dir = \"$T\"; max_spool_disk = \"10M\"; max_message_size = \"50M\";"
conf
expect "-t warns: a spool budget below max_message_size" 0 "warning: scanner.max_spool_disk is smaller than max_message_size" -- -t -c "$T/c.conf"
SCANNER=""
conf 'metrics: { textfile = "/nonexistent/prom/clamgate.prom"; };'
expect "-t warns: a metrics.textfile in a directory it cannot write" 0 \
	"warning: metrics.textfile /nonexistent/prom/clamgate.prom: its directory /nonexistent/prom is not writable" \
	-- -t -c "$T/c.conf"
conf 'metrics: { listen = "inet:9357@0.0.0.0"; };'
expect "-t: a metrics.listen beyond loopback without metrics.allow is an error" 1 \
	"c.conf:[0-9]*: metrics.listen: \"inet:9357@0.0.0.0\" is not a loopback address" -- -t -c "$T/c.conf"
SCANNER=""
conf
out=$("$BIN" -t -c "$T/c.conf" 2>&1)
printf '%s' "$out" | grep -q warning && bad "-t warns about the defaults: $out" \
	|| good "-t: no warning for the defaults"
if [ "$(id -u)" -eq 0 ]; then
	# root: -t checks as milter.user; a full, a read-only filesystem
	mkdir -p "$T/db" "$T/rootonly" "$T/small"
	cp "$TOP"/signatures-test/*.?db "$T/db/"
	chmod 755 "$T" "$T/db"; chmod 644 "$T"/db/*; chmod 755 "$T/rootonly"
	printf 'milter: { user = "nobody"; };\nscanner: { database = "%s/db"; temp_dir = "%s/rootonly"; };\nquarantine: { directory = "%s"; };\n' \
		"$T" "$T" "$T" > "$T/c.conf"
	expect "-t as root checks temp_dir as milter.user" 1 "scanner.temp_dir: $T/rootonly is not writable: Permission denied" -- -t -c "$T/c.conf"
	chmod 1777 "$T/rootonly"
	expect "-t as milter.user: configuration OK" 0 "^configuration OK" -- -t -c "$T/c.conf"
	if mount -t tmpfs -o size=256k tmpfs "$T/small"; then
		head -c 250000 /dev/zero > "$T/small/fill" 2>/dev/null
		head -c 100000 /dev/zero > "$T/small/full" 2>/dev/null
		SCANNER="temp_dir = \"$T/small\"; temp_min_free = \"1M\";"
		conf
		expect "-t: a full temp_dir is an error" 1 "scanner.temp_dir: $T/small has [0-9]* KiB free, 1024 KiB needed" -- -t -c "$T/c.conf"
		SCANNER="temp_dir = \"$T/small\"; temp_min_free = 0;"
		conf
		expect "-t: a full temp_dir (temp_min_free 0): the canary cannot be set up, -t fails" 1 "scanner.database: cannot write the canary signature in scanner.temp_dir $T/small" -- -t -c "$T/c.conf"
		rm -f "$T/small/fill" "$T/small/full"
		expect "-t: the same temp_dir with room: configuration OK" 0 "^configuration OK" -- -t -c "$T/c.conf"
		mount -o remount,ro "$T/small"
		expect "-t: a read-only temp_dir is an error" 1 "scanner.temp_dir: $T/small is not writable: read-only filesystem" -- -t -c "$T/c.conf"
		umount "$T/small"
		SCANNER=""
	else
		bad "cannot mount a tmpfs for the full and read-only temp_dir tests"
	fi
fi
# -p: every key of the table, in file syntax that reads back the same;
# the keys clamgate.conf(5) and etc/clamgate.conf document are those keys
: > "$T/empty.conf"
"$BIN" -p -c "$T/empty.conf" > "$T/p1" 2>&1
"$BIN" -p -c "$T/p1" > "$T/p2" 2>&1
check_p=0
[ -s "$T/p1" ] && cmp -s "$T/p1" "$T/p2" && check_p=1
[ $check_p -eq 1 ] && good "-p prints the configuration in file syntax; read back, it prints the same" \
	|| bad "-p round trip: $(diff "$T/p1" "$T/p2" | head -n 5)"
awk '/^[a-z]+: \{$/ { g = $1; sub(":", "", g) } /^\t(# )?[a-z_]+ (=|is not set)/ {
	k = $1; if (k == "#") k = $2; print g "." k }' "$T/p1" | sort > "$T/keys.table"
awk '/^\.SH [A-Z]+ GROUP$/ { g = tolower($2) } /^\.TP$/ { tp = 1; next }
	tp && /^\.BR [a-z_]+ "/ { print g "." $2 } { tp = 0 }' "$TOP/docs/clamgate.conf.5" \
	| sort > "$T/keys.man"
awk '/^[a-z]+: \{$/ { g = $1; sub(":", "", g) } /^\t#[ \t]+[a-z_]+ = / { print g "." $2 }' \
	"$TOP/etc/clamgate.conf" | sort -u > "$T/keys.conf"
n=$(wc -l < "$T/keys.table")
cmp -s "$T/keys.table" "$T/keys.man" && good "clamgate.conf(5) documents exactly the $n keys of the table" \
	|| bad "clamgate.conf(5) and the key table differ: $(diff "$T/keys.table" "$T/keys.man" | grep '^[<>]' | tr '\n' ' ')"
cmp -s "$T/keys.table" "$T/keys.conf" && good "etc/clamgate.conf shows exactly the $n keys of the table" \
	|| bad "etc/clamgate.conf and the key table differ: $(diff "$T/keys.table" "$T/keys.conf" | grep '^[<>]' | tr '\n' ' ')"

conf 'milter: { user = "no-such-user-xyz"; };'
out=$("$BIN" -f -c "$T/c.conf" 2>&1); rc=$?
if [ $rc -eq 1 ] && printf '%s' "$out" | grep -q 'milter.user: no such user "no-such-user-xyz"'; then
	good "start as root with an unknown milter.user fails"
else
	bad "unknown user (exit $rc): $out"
fi
conf "milter: { socket = \"unix:$T/nodir/sock\"; user = \"\"; };"
out=$("$BIN" -f -c "$T/c.conf" 2>&1); rc=$?
[ $rc -eq 1 ] && printf '%s' "$out" | grep -q "cannot open milter socket unix:$T/nodir/sock" \
	&& good "unusable socket path fails at start" || bad "socket path (exit $rc): $out"

# a socket left behind by a killed daemon does not stop the next start
conf "milter: { socket = \"unix:$T/stale.sock\"; user = \"\"; };"
"$BIN" -f -c "$T/c.conf" 2> "$T/log1" & pid=$!
for _ in $(seq 1 50); do [ -S "$T/stale.sock" ] && break; sleep 0.1; done
kill -KILL $pid; wait $pid 2>/dev/null
[ -S "$T/stale.sock" ] || bad "no socket left to test with"
"$BIN" -f -c "$T/c.conf" 2> "$T/log2" & pid=$!
for _ in $(seq 1 50); do grep -q listening "$T/log2" && break; sleep 0.1; done
if kill -0 $pid 2>/dev/null && grep -q "listening on unix:$T/stale.sock" "$T/log2"; then
	good "stale unix socket is replaced at start"
else
	bad "restart over a stale socket: $(cat "$T/log2")"
fi
kill -TERM $pid; wait $pid
[ $? -eq 0 ] && good "SIGTERM: exit status 0" || bad "SIGTERM exit status"

exit $FAILED
