#!/bin/sh
# clamgate-quarantine against a store the real daemon filled (miltertest
# plays the MTA): list and its filters, show, export byte for byte,
# release through a fake sendmail that records argv and stdin, the
# release token on its way back through the daemon, delete, purge, the
# daemon's retention, damaged files and the errors an administrator meets.
# usage: tests/quarantine/run.sh BUILD_DIR     (as root)
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$TOP/$BUILD/clamgate
CLI=$TOP/$BUILD/clamgate-quarantine
HERE=$TOP/tests/quarantine
T=$(mktemp -d /tmp/clamgate-qcli.XXXXXX)
chmod 755 "$T"
Q=$T/q
PID=""
export FAKE_DIR=$T/fake TZ=UTC
mkdir -p "$Q" "$T/tmp" "$T/data" "$FAKE_DIR"
. "$TOP/tests/lib.sh"
cleanup() {
	[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

# a copy outside the checkout: the tool runs it as the store's owner, who
# may not be able to enter the checkout (a clone in /root)
cp "$HERE/fake-sendmail" "$T/fake-sendmail"
chmod 755 "$T/fake-sendmail"
chmod 1777 "$FAKE_DIR"
cat > "$T/c.conf" <<CONF
milter: { socket = "unix:$T/sock"; user = ""; };
scanner: { database = "$TOP/signatures-test"; temp_dir = "$T/tmp"; };
quarantine: { directory = "$Q"; sendmail = "$T/fake-sendmail"; retention = "30d"; };
CONF

start() {
	n=$(lines_with "$T/log" "signatures loaded")
	"$BIN" -f -c "$T/c.conf" 2>> "$T/log" & PID=$!
	wait_log "$T/log" "signatures loaded" $((n + 1)) 10 ||
		bad "daemon did not start: $(tail -n 5 "$T/log")"
}
stop() { kill -TERM "$PID"; wait "$PID"; PID=""; }
lua() {
	miltertest -D lib="$TOP/tests/protocol/lib.lua" -D sock="unix:$T/sock" \
		-D qdir="$Q" -D data="$1" -D pid="$PID" -D case="${CASE:-}" \
		-s "$HERE/$2" || FAILED=1
}
# q ARGS - run the CLI; output in $OUT, status in $RC
q() { OUT=$("$CLI" -c "$T/c.conf" "$@" 2>&1); RC=$?; }
has() { printf '%s\n' "$OUT" | grep -q -- "$1"; }
lines() { printf '%s\n' "$OUT" | grep -c -- "$1"; }
rc_has() { [ "$RC" -eq "$1" ] && has "$2"; }

start
lua "$T/data" fill.lua
ids=$(ls "$Q" | sed -n 's/\.eml$//p' | sort)
M1=$(echo "$ids" | sed -n 1p) M2=$(echo "$ids" | sed -n 2p) M3=$(echo "$ids" | sed -n 3p)
modes=$(stat -c %a "$Q"/*.eml | sort -u | tr '\n' ' ')
check "every quarantine file is 0600 ($modes)" test "$modes" = "600 "

q list
check "list: three entries, newest first" test "$RC" -eq 0 -a "$(printf '%s\n' "$OUT" | sed -n '2s/ .*//p')" = "$M3"
check "list: the columns of an entry" sh -c "printf '%s\n' \"\$1\" | grep -q \"^$M1  .*Clamgate.Test.EICAR.UNOFFICIAL  *alice@victim.example  *bob@dest.example (+1)  *127.0.0.1 .*École détectée\"" - "$OUT"
q list --json
check "list --json: one object per line with every field" \
	sh -c "test \$(printf '%s\n' \"\$1\" | grep -c '^{\"id\":') -eq 3 && printf '%s\n' \"\$1\" | grep -q '\"id\":\"$M1\".*\"virus\":\"Clamgate.Test.EICAR.UNOFFICIAL\".*\"sender\":\"alice@victim.example\",\"recipients\":\[\"bob@dest.example\",\"carol@dest.example\"\],\"client_address\":\"127.0.0.1\".*\"queue_id\":\"QID1\".*\"subject\":\"École détectée\",\"message_id\":\"<m1@victim.example>\"'" - "$OUT"
q list --virus 'clamgate.test.long*'; check "list --virus" test "$RC" -eq 0 -a "$(lines "$M2")" -eq 1 -a "$(lines '^2026\|^20')" -eq 1
q list --sender '*@victim.example'; check "list --sender" test "$(lines '^20[0-9]*T')" -eq 2
q list --rcpt 'carol@*'; check "list --rcpt matches any recipient" test "$(lines '^20[0-9]*T')" -eq 1 -a "$(lines "$M1")" -eq 1
q list --client 127.0.0.0/8; check "list --client CIDR" test "$(lines '^20[0-9]*T')" -eq 2
q list --client ::1; check "list --client IPv6" test "$(lines "$M3")" -eq 1
q list --since 1h; check "list --since 1h" test "$(lines '^20[0-9]*T')" -eq 3
q list --until 1h; check "list --until 1h: nothing, exit 1" test "$RC" -eq 1
q list --limit 1; check "list --limit 1: the newest" test "$(lines '^20[0-9]*T')" -eq 1 -a "$(lines "$M3")" -eq 1
q list --since yesterday; check "list: a bad date is a usage error" rc_has 2 "neither a duration"

q show "${M1%????????}"
check "show (unique prefix): envelope, verdict, decoded subject, headers" \
	sh -c "printf '%s\n' \"\$1\" | grep -q '^Recipient:  <carol@dest.example>' && printf '%s\n' \"\$1\" | grep -q '^Subject:    École détectée' && printf '%s\n' \"\$1\" | grep -q '^Message-ID: <m1@victim.example>'" - "$OUT"
check "show never prints the body" sh -c "! printf '%s' \"\$1\" | grep -q 'WDVPIVAl'" - "$OUT"

"$CLI" -c "$T/c.conf" export "$M1" -o "$T/m1.out"
check "export: byte-identical to what the MTA sent" cmp -s "$T/m1.out" "$T/data/m1.orig"
"$CLI" -c "$T/c.conf" export "$M2" > "$T/m2.out"
check "export to standard output" cmp -s "$T/m2.out" "$T/data/m2.orig"
q export "$M1" -o "$T/m1.out"; check "export does not replace a file without --force" rc_has 1 "exists"
if command -v script >/dev/null 2>&1; then
	script -qec "$CLI -c $T/c.conf export $M1" /dev/null > "$T/tty.out" 2>&1
	grep -q "refusing to write a quarantined message to a terminal" "$T/tty.out" \
		&& good "export refuses a terminal" || bad "export wrote to a terminal"
fi

# which host stored each entry
HOST=$(hostname)
q show "$M1"; check "show: the host that stored the entry ($HOST)" has "^Host:       $HOST\$"
q list --json; check "list --json: the host" has "\"host\":\"$HOST\""

# release through the fake sendmail; who does it is recorded
q release "$M1"
check "release: exit 0" test "$RC" -eq 0
check "release: sendmail argv is -i -N never -f SENDER -- the original recipients" \
	test "$(tr '\n' ' ' < "$FAKE_DIR/argv.0")" = "-i -N never -f alice@victim.example -- bob@dest.example carol@dest.example "
check "release: the data is the original, after one X-Clamgate-Release header" \
	sh -c "head -n 1 '$FAKE_DIR/stdin.0' | grep -q '^X-Clamgate-Release: $M1 [0-9]* smvcep [0-9a-f]\{64\}.\$' && tail -c +\$((\$(head -n 1 '$FAKE_DIR/stdin.0' | wc -c) + 1)) '$FAKE_DIR/stdin.0' | cmp -s - '$T/data/m1.orig'"
q list --rcpt 'bob@*'; check "release: the entry is kept, marked released" has "\[released\]"
q show "$M1"; check "release: show says when and to whom" has "^Released:   20.* to=<bob@dest.example>,<carol@dest.example>"
check "release: ... and by whom, on which host" has "^Released:   20.* by uid=$(id -u) user=$(id -un) host=$HOST to=<bob@dest.example>"
check "release: a line in .audit (time, action, id, uid, host, recipients)" \
	grep -q "^20[0-9-]*T[0-9:]*Z action=release id=$M1 uid=$(id -u) user=$(id -un) host=$HOST to=<bob@dest.example>,<carol@dest.example>\$" "$Q/.audit"
check ".audit is mode 0600, and not an entry" sh -c "[ \"\$(stat -c %a '$Q/.audit')\" = 600 ] && ! '$CLI' -c '$T/c.conf' list | grep -q audit"
lua "$FAKE_DIR" release.lua
for why in "does not match this message" "does not allow header changes" \
	"not on the non-SMTP path" "used before"; do
	grep -q "X-Clamgate-Release not honoured, the message is scanned: .*$why" "$T/log" \
		&& good "release: the log says why a token was not honoured ($why)" \
		|| bad "release: no log line for \"$why\""
done
stop; start
CASE=replay lua "$FAKE_DIR" release.lua

q release "$M2" --to admin@local.example --remove
check "release --to: only the given recipient" \
	test "$(tr '\n' ' ' < "$FAKE_DIR/argv.1")" = "-i -N never -f mallory@other.example -- admin@local.example "
check "release --remove: entry gone" test ! -e "$Q/$M2.eml"
FAKE_STATUS=75 q release "$M3"
check "release: a failing sendmail is an error, the entry stays" \
	eval 'rc_has 1 "failed (exit status 75)" && test -e "$Q/$M3.eml"'
q release "$M3" --to 'a@b.example
Bcc: x@y'; check "release: an address with a line break is refused" test "$RC" -eq 2

# errors
q show 20991231; check "unknown id: exit 1, says so" rc_has 1 "no such entry"
cp "$Q/$M3.eml" "$Q/20261127T000003-00000000000000a1.eml"
cp "$Q/$M3.eml" "$Q/20261127T000003-00000000000000a2.eml"
q show 20261127T000003; check "ambiguous prefix: exit 1, says so" rc_has 1 "ambiguous"
rm -f "$Q/20261127T000003-00000000000000a1.eml" "$Q/20261127T000003-00000000000000a2.eml"
q frobnicate; check "unknown command: exit 2" test "$RC" -eq 2
printf 'quarantine: { directory = "relative"; };\n' > "$T/bad.conf"
OUT=$("$CLI" -c "$T/bad.conf" list 2>&1); RC=$?
check "bad configuration: exit 2 with file and line" rc_has 2 "^$T/bad.conf:1: quarantine.directory"

# damaged files are reported and skipped
head -c $(($(wc -c < "$Q/$M3.eml") - 40)) "$Q/$M3.eml" > "$Q/20261127T000001-00000000000000d1.eml"
printf 'garbage\n' > "$Q/20261127T000002-00000000000000d2.eml"
q list
check "list: truncated file reported as damaged, others listed" \
	eval 'rc_has 0 "20261127T000001-00000000000000d1.eml: damaged entry skipped: truncated" && test "$(lines "$M1")" -eq 1'
check "list: a file that is not an entry reported as damaged" has "d2.eml: damaged entry skipped: no complete X-Clamgate envelope"
q export 20261127T000001; check "export of a damaged entry: exit 1" rc_has 1 "damaged entry"
q stats
# M1, M3 and the five the token tests quarantined again
check "stats: totals, per day, per virus; damaged skipped" \
	eval 'has "^total: 7 messages" && has "^  20[0-9-]*  *7 " && has "^  *7  Clamgate.Test.EICAR.UNOFFICIAL"'
q stats --json; check "stats --json" has '^{"total":7,"size":[0-9]*,"days":\[{"day":"20'
SUDO_USER=alice SUDO_UID=1000 q delete 20261127T000001 20261127T000002
check "delete: entries removed" test "$RC" -eq 0 -a ! -e "$Q/20261127T000001-00000000000000d1.eml"
check "delete through sudo: .audit names the sudo user" \
	grep -q "action=delete id=20261127T000001-00000000000000d1 uid=$(id -u) user=$(id -un) sudo_user=alice sudo_uid=1000 host=$HOST\$" "$Q/.audit"
cp "$Q/$M3.eml" "$Q/20261127T000003-00000000000000d3.eml"
SUDO_USER='mallory host=forged
x' q delete 20261127T000003-00000000000000d3
check "a SUDO_USER with spaces and a newline cannot forge a field or a line" \
	sh -c "grep -q 'action=delete id=20261127T000003-00000000000000d3 .* sudo_user=mallory?host=forged?x ' '$Q/.audit' && [ \$(grep -c -v '^20[0-9-]*T[0-9:]*Z action=' '$Q/.audit') -eq 0 ]"
# no record, no delete: .audit that cannot be written (a directory)
cp "$Q/$M3.eml" "$Q/20261127T000004-00000000000000d4.eml"
mv "$Q/.audit" "$T/audit.saved" && mkdir "$Q/.audit"
q delete 20261127T000004-00000000000000d4
check "delete when .audit cannot be written: refused (exit $RC), the entry stays" \
	sh -c "[ $RC -eq 1 ] && [ -e '$Q/20261127T000004-00000000000000d4.eml' ] && printf '%s' \"\$1\" | grep -q 'nothing deleted'" - "$OUT"
cp "$Q/$M3.eml" "$Q/20200101T000000-00000000000000a9.eml"
q purge --older-than 30d
check "purge when .audit cannot be written: the entry is kept (exit $RC)" \
	sh -c "[ $RC -eq 1 ] && [ -e '$Q/20200101T000000-00000000000000a9.eml' ]"
rm -f "$Q/20200101T000000-00000000000000a9.eml"
rmdir "$Q/.audit" && mv "$T/audit.saved" "$Q/.audit"
rm -f "$Q/20261127T000004-00000000000000d4.eml"

# purge and the daemon's retention
cp "$Q/$M3.eml" "$Q/20200101T000000-00000000000000a1.eml"
q purge --older-than 30d --dry-run
check "purge --dry-run lists" has "20200101T000000-00000000000000a1: would be purged"
check "purge --dry-run removes nothing" test -e "$Q/20200101T000000-00000000000000a1.eml"
q purge --older-than 30d
check "purge removes entries older than the duration, only those" \
	test ! -e "$Q/20200101T000000-00000000000000a1.eml" -a -e "$Q/$M3.eml"
check "purge: each purged entry is in .audit" grep -q "action=purge id=20200101T000000-00000000000000a1 " "$Q/.audit"
cp "$Q/$M3.eml" "$Q/20200101T000000-00000000000000a2.eml"
# what a kill -9 in the middle of a write leaves: half a file under its
# temporary name; one an hour old, one being written right now
head -c 1000 "$Q/$M3.eml" > "$Q/.20261201T000000-00000000000000d1.tmp"
touch -d '2 hours ago' "$Q/.20261201T000000-00000000000000d1.tmp"
head -c 1000 "$Q/$M3.eml" > "$Q/.20261201T000000-00000000000000d2.tmp"
q list
check "an unfinished write is not an entry the CLI shows" \
	sh -c "[ $RC -eq 0 ] && ! printf '%s' \"\$1\" | grep -q '00000000000000d[12]'" - "$OUT"
# the log is appended across restarts: count only what this start wrote
EXPIRED=$(grep -c "quarantine expiry: removed 1 entries" "$T/log")
stop; start
for _ in $(seq 1 50); do [ -e "$Q/.20261201T000000-00000000000000d1.tmp" ] || break; sleep 0.1; done
check "daemon: an unfinished write an hour old is removed, a fresh one kept" \
	test ! -e "$Q/.20261201T000000-00000000000000d1.tmp" -a -e "$Q/.20261201T000000-00000000000000d2.tmp"
check "daemon: the removal is logged" grep -q "quarantine: removed 1 unfinished writes" "$T/log"
rm -f "$Q/.20261201T000000-00000000000000d2.tmp"
for _ in $(seq 1 50); do [ -e "$Q/20200101T000000-00000000000000a2.eml" ] || break; sleep 0.1; done
check "daemon: quarantine.retention expires old entries, silently" \
	test ! -e "$Q/20200101T000000-00000000000000a2.eml" -a -e "$Q/$M3.eml"
for _ in $(seq 1 50); do
	[ "$(grep -c "quarantine expiry: removed 1 entries" "$T/log")" -gt "$EXPIRED" ] && break
	sleep 0.1
done
[ "$(grep -c "quarantine expiry: removed 1 entries" "$T/log")" -gt "$EXPIRED" ] &&
	good "daemon: expiry logged" || bad "expiry not logged"

# what reaches the terminal: an entry whose every field holds escapes (a
# file from another host or an old version, or the sender's own headers)
H=20261201T000000-00000000000000c1
esc=$(printf '\033]0;owned\007\302\233 2J\233\177')
printf 'Subject: =?UTF-8?B?%s?=\r\nX-Evil: a%sb\r\n\r\nbody\r\n' \
	"$(printf 'hi\302\233\033[2Jthere' | base64 -w 0)" "$esc" > "$T/hostile.orig"
{
	for f in "Id: $H" "Date: Tue, 01 Dec 2026 00:00:00 +0000" "Time: 1796083200" \
		"Sender: a${esc}@victim.example" "Recipient: b${esc}@dest.example" \
		"Client-Address: 192.0.2.1" "Client-Name: c$esc" "Helo: h$esc" \
		"Queue-Id: q$esc" "Virus: Fake.${esc}Name" "Action: quarantine" "Engine: e$esc"; do
		printf 'X-Clamgate-%s\r\n' "$f"
	done
	printf 'X-Clamgate-Original-Size: %s\r\n' "$(wc -c < "$T/hostile.orig")"
	cat "$T/hostile.orig"
} > "$Q/$H.eml"
# clean FILE: no ESC, BEL, DEL, raw 0x9b or U+009B (UTF-8 c2 9b) in it
clean() { ! LC_ALL=C grep -q "$(printf '[\033\007\177\233]')" "$1"; }
"$CLI" -c "$T/c.conf" show "$H" > "$T/show.out" 2>&1
check "show: the entry with escapes is shown" grep -q "^Virus: *Fake.*Name" "$T/show.out"
check "show: no ESC, BEL, DEL or C1 control reaches the terminal" clean "$T/show.out"
"$CLI" -c "$T/c.conf" list > "$T/list.out" 2>&1
check "list: the entry is listed" grep -q "^$H " "$T/list.out"
check "list: no ESC, BEL, DEL or C1 control reaches the terminal" clean "$T/list.out"
"$CLI" -c "$T/c.conf" stats > "$T/stats.out" 2>&1
check "stats: no control character in the virus names" clean "$T/stats.out"
"$CLI" -c "$T/c.conf" list --json > "$T/json.out" 2>&1
json_ok() { python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$1"; }
check "list --json: controls escaped, never raw" clean "$T/json.out"
check "list --json: as \\u001b, \\u007f and \\u009b" \
	sh -c "grep -q 'u001b' '$T/json.out' && grep -q 'u007f' '$T/json.out' && grep -q 'u009b' '$T/json.out'"
check "list --json: valid JSON" json_ok "$T/json.out"
"$CLI" -c "$T/c.conf" release "$H" > "$T/release.out" 2>&1
check "release of that entry: refused, a recipient with white space" \
	grep -q 'refusing recipient "b?\]0;owned' "$T/release.out"
check "release of that entry: no control character reaches the terminal" clean "$T/release.out"
rm -f "$Q/$H.eml"

# export: never through a symbolic link, clear errors
ln -s "$T/victim" "$T/link.out"
q export "$M1" -o "$T/link.out" --force
check "export --force does not follow a symbolic link" \
	sh -c "[ $RC -eq 1 ] && [ ! -e '$T/victim' ] && printf '%s' \"\$1\" | grep -q 'symbolic link'" - "$OUT"

# privileges: root becomes the store's owner; others need permission
chown -R nobody "$Q"
q release "$M3" --to admin@local.example
check "as root: works as the store's owner (the key file is nobody's)" \
	test "$RC" -eq 0 -a "$(stat -c %U "$Q/.release-key")" = nobody
mkdir -m 700 "$T/rootonly"
q export "$M3" -o "$T/rootonly/m3.eml"
check "export as root into a directory only root may write: says whose rights count" \
	rc_has 1 "cannot create $T/rootonly/m3.eml: Permission denied (clamgate-quarantine writes as nobody, the store's owner"
chown -R root "$Q"; chmod 700 "$Q"
OUT=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$CLI" -c "$T/c.conf" list 2>&1); RC=$?
check "as another user without access: exit 1, says why" \
	rc_has 1 "cannot read quarantine.directory $Q: Permission denied (run as root or as the store's owner)"
sanitizer_check "$T/log"
exit $FAILED
