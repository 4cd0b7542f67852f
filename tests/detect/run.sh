#!/bin/sh
# Detection parity: real malware test files (Debian's clamav-testfiles,
# found by signatures-test/clamgate-test.ndb) and EICAR, wrapped as
# senders wrap them (attachment, nested message/rfc822, zip in zip,
# uuencode, single-part base64 with CRLF lines and as one long line) and
# with each header form RFC 5322 allows ("Name: value", "Name:value",
# "Name:<TAB>value", "NAME: value"), sent by an outside client through the
# real Postfix (tests/e2e/postfix.sh) to clamgate on each backend: the
# embedded libclamav, a real clamd by descriptor (FILDES, every message
# spooled to a file) and by stream (INSTREAM over TCP).  Every infected
# message must be rejected (5xx) and never delivered; every clean
# look-alike of the same shapes accepted and delivered.  The quarantined
# copy of a message in each header form is the message as sent, byte for
# byte.
#
# usage: tests/detect/run.sh BUILD_DIR [slice|full]     (as root)
#   slice (make check): every dimension on a representative part
#   full (make check-full): every sample x wrapping x header form
set -u
BUILD=${1:-build}
MODE=${2:-slice}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$TOP/$BUILD/clamgate
HERE=$TOP/tests/detect
SAMPLES=/usr/share/clamav-testfiles
T=$(mktemp -d /tmp/clamgate-detect.XXXXXX)
chmod 755 "$T"
BASE=$((14000 + $$ % 800 * 5)) # below the ephemeral ports (32768-)
PORT_IN=$BASE PORT_SINK=$((BASE + 1)) PORT_HOP=$((BASE + 2)) PORT_MILTER=$((BASE + 3))
PORT_CLAMD=$((BASE + 4))
CLAMD_PID=""
. "$TOP/tests/e2e/postfix.sh"
. "$TOP/tests/e2e/common.sh"

cleanup() {
	cg_stop
	[ -n "$CLAMD_PID" ] && kill -TERM "$CLAMD_PID" 2>/dev/null && wait "$CLAMD_PID" 2>/dev/null
	pf_stop
	if [ "$FAILED" -ne 0 ] && [ -n "${KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT INT TERM

[ -d "$SAMPLES" ] || { bad "$SAMPLES missing (Debian package clamav-testfiles)"; exit 1; }
printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' > "$T/eicar.com"
python3 "$HERE/gen.py" "$T/msgs" "$SAMPLES" "$T/eicar.com" "$MODE" \
	|| { bad "the generator failed"; exit 1; }
# the MIME shapes libclamav reads otherwise than mail clients, kept only
# where GMime or Python's email decodes the sample (issue 18)
python3 "$TOP/tests/evasion/gen.py" "$T/msgs" "$SAMPLES" "$T/eicar.com" "$MODE" \
	2> "$T/evasion.err" || { bad "the evasion generator failed: $(tail -n 3 "$T/evasion.err")"; exit 1; }
# a GMime or Python upgrade that stops decoding a shape drops it: say so
kept=$(sed -n 's/^evasion: .* \([0-9]*\) shapes of .*/\1/p' "$T/evasion.err")
check "evasion: at least 41 MIME shapes kept by the decoders' filter (${kept:-none})" \
	test "${kept:-0}" -ge 41
# and by family (SAMPLE-FAMILY-VARIANT): every family keeps a shape but
# qpsoft, whose soft breaks neither GMime nor Python's email decodes to
# the sample (docs/design.md)
fams=$(awk '$2 != "accept" { n = split($1, p, "-"); if (n >= 3) print p[n - 1] }' \
	"$T/msgs/manifest" | grep -x -E 'b64eq|delim|uu|decoy|decoyp|partial|cr|nest|bighdr|pyread' | sort -u | wc -l)
check "evasion: each of the 10 families GMime or Python decodes keeps a shape (${fams})" \
	test "$fams" -eq 10
N=$(wc -l < "$T/msgs/manifest")
NCLEAN=$(grep -c ' accept$' "$T/msgs/manifest")

# a real clamd with the settings docs/clamd.md asks for
mkdir -p "$T/db"
cp "$TOP"/signatures-test/*.?db "$T/db/"
cat > "$T/clamd.conf" <<CONF
LogFile $T/clamd.log
DatabaseDirectory $T/db
LocalSocket $T/clamd.sock
TCPSocket $PORT_CLAMD
TCPAddr 127.0.0.1
Foreground yes
AlertExceedsMax yes
StreamMaxLength 60M
MaxFileSize 400M
MaxScanSize 400M
CONF
clamd -c "$T/clamd.conf" > "$T/clamd.out" 2>&1 &
CLAMD_PID=$!
for _ in $(seq 1 150); do [ -S "$T/clamd.sock" ] && break; sleep 0.2; done
[ -S "$T/clamd.sock" ] || bad "clamd did not start: $(tail -n 3 "$T/clamd.out")"

pf_write_config
pf_start || { bad "private Postfix did not start"; exit 1; }

# subjects - the detect-NAME subjects of what reached the sink, any
# header form (the messages' own headers, not those of a nested message)
subjects() {
	for f in "$T"/sink/*; do
		[ -f "$f" ] || continue
		tr -d '\r' < "$f" | awk '/^$/ { exit } { print }'
	done | sed -n 's/^[Ss][Uu][Bb][Jj][Ee][Cc][Tt]:[ 	]*detect-\([^ ]*\)$/\1/p' | sort
}

# verdicts BACKEND - compare the replies with the manifest; one line per
# wrapping and header form, naming what went wrong
verdicts() {
	awk -v be="$1" '
	FNR == NR { want[$1] = $2; next }
	{ got[$1] = $2 }
	END {
		for (n in want) {
			split(n, p, "-"); k = p[2] " " p[3]
			total[k]++
			ok = (want[n] == "reject") ? (got[n] ~ /^5/) : (got[n] == 250)
			if (ok) good[k]++
			else bad[k] = bad[k] " " n "=" (n in got ? got[n] : "none")
		}
		for (k in total) {
			split(k, q, " ")
			line = sprintf("%s, %s, header form %s: %d/%d as expected", be, q[1], q[2], good[k] + 0, total[k])
			if (good[k] == total[k]) print "ok - " line
			else print "not ok - " line ":" bad[k]
		}
	}' "$T/msgs/manifest" "$T/out.$1" | sort
}

# run BACKEND - send everything, check replies and what was delivered
run() {
	be=$1
	rm -f "$T"/sink/*
	python3 "$HERE/send.py" 127.0.0.1 "$PORT_IN" "$T/msgs" > "$T/out.$be" 2> "$T/err.$be" \
		|| bad "$be: the SMTP client failed: $(tail -n 3 "$T/err.$be")"
	check "$be: a reply to each of the $N messages" test "$(wc -l < "$T/out.$be")" -eq "$N"
	verdicts "$be"
	for _ in $(seq 1 300); do
		[ "$(subjects | grep -c '^clean-')" -ge "$NCLEAN" ] && break
		pf_flush; sleep 0.2
	done
	check "$be: all $NCLEAN clean look-alikes delivered" test "$(subjects | grep -c '^clean-')" -eq "$NCLEAN"
	check "$be: no infected message delivered" test -z "$(subjects | grep -v '^clean-')"
}

cg_start
run libclamav
CG_SCANNER="backend = \"clamd\"; clamd = [ \"unix:$T/clamd.sock\" ]; temp_dir = \"$T/cgtmp\"; spool_memory = 0;"
CG_READY="clamd unix:$T/clamd.sock is up" cg_start
before=$(wc -l < "$T/clamd.log")
cg_before=$(wc -l < "$T/clamgate.log")
run clamd-fildes
# clamd logs a scan by descriptor with the file's name, by stream as
# instream(...): every infected message that the whole-message scan
# found was passed by descriptor; the parts the second view decoded go
# by stream (view= in clamgate's line)
fildes=$(tail -n +$((before + 1)) "$T/clamd.log" | grep ' FOUND$' | grep -c -v 'instream(')
byview=$(tail -n +$((cg_before + 1)) "$T/clamgate.log" | grep 'verdict=infected' | grep -c ' view=')
check "clamd-fildes: every infected message scanned by descriptor ($fildes, and $byview found in parts by stream)" \
	test "$((fildes + byview))" -ge "$(grep -c ' reject$' "$T/msgs/manifest")"
CG_SCANNER="backend = \"clamd\"; clamd = [ \"inet:$PORT_CLAMD@127.0.0.1\" ]; temp_dir = \"$T/cgtmp\";"
CG_READY="clamd inet:$PORT_CLAMD@127.0.0.1 is up" cg_start
run clamd-instream

# The same evasion messages with the second view off (scanner.mime_view
# = false): libclamav alone lets some through.  That is what the key is
# for (comparison), and it shows that the view is what rejects them.
mkdir -p "$T/ev"
awk 'FNR == NR { ev[$1] = 1; next } ($1 in ev) && $2 == "reject"' \
	"$T/msgs/evasion.decoders" "$T/msgs/manifest" > "$T/ev/manifest"
while read -r m _; do cp "$T/msgs/$m.eml" "$T/ev/"; done < "$T/ev/manifest"
CG_SCANNER="mime_view = false; temp_dir = \"$T/cgtmp\";" cg_start
python3 "$HERE/send.py" 127.0.0.1 "$PORT_IN" "$T/ev" > "$T/out.noview" 2>&1
nev=$(wc -l < "$T/ev/manifest")
passed=$(grep -c ' 250' "$T/out.noview")
check "without the MIME view, libclamav alone lets $passed of $nev evasion messages through" \
	test "$passed" -gt 0
grep -q 'mime_view = false' "$T/clamgate.conf" || bad "the comparison run did not turn the view off"
rm -f "$T"/sink/*
CG_SCANNER=""

# the quarantined copy is the message as sent, whatever its header form
cg_start
for f in space nospace tab upper; do
	m="clam_exe-attach-$f"
	[ -f "$T/msgs/$m.eml" ] || continue
	mkdir -p "$T/q1"; printf '%s reject\n' "$m" > "$T/q1/manifest"; cp "$T/msgs/$m.eml" "$T/q1/"
	python3 "$HERE/send.py" 127.0.0.1 "$PORT_IN" "$T/q1" 127.0.0.7 > "$T/q1.out" 2>&1
	check "trusted relay, header form $f: 250 (quarantined, not rejected)" grep -q "^$m 250 " "$T/q1.out"
	id=""
	for _ in $(seq 1 50); do
		id=$(grep -l -s -i "^subject:[ 	]*detect-$m" "$T"/q/*.eml | head -n 1)
		[ -n "$id" ] && break; sleep 0.1
	done
	id=$(basename "${id:-none}" .eml)
	"$TOP/$BUILD/clamgate-quarantine" -c "$T/clamgate.conf" export "$id" > "$T/q1.export" 2>&1
	check "header form $f: export is the message as sent, byte for byte" cmp -s "$T/q1.export" "$T/msgs/$m.eml"
	rm -rf "$T/q1"
done

# nothing ever goes to a sender
for _ in $(seq 1 50); do [ -z "$(pf_queue)" ] && break; pf_flush; sleep 0.2; done
check "invariant: no bounce or DSN left Postfix" \
	sh -c "! grep -l -s -E '^X-Mail-Args: <>' '$T'/sink/* | grep -q ."
check "invariant: Postfix generated no non-delivery notification" \
	sh -c "! grep -q -E 'sender non-delivery notification|status=bounced' '$T/maillog'"
sanitizer_check "$T/clamgate.log"
exit $FAILED
