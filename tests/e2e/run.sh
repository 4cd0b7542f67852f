#!/bin/sh
# End-to-end tests: a real Postfix on 127.0.0.1 (tests/e2e/postfix.sh),
# the real clamgate on the embedded libclamav, swaks as the SMTP client
# (XCLIENT plays other client addresses and logins), sendmail(1) for
# non-SMTP mail, and smtp-sink as the next hop, dumping everything that
# leaves Postfix.  Each scenario asserts the SMTP reply, what was
# delivered, what is queued, what is quarantined and what Postfix logged.
# The last check is the project's invariant: nothing, ever, is sent to an
# envelope sender.
#
# usage: tests/e2e/run.sh BUILD_DIR     (as root)
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$TOP/$BUILD/clamgate
T=$(mktemp -d /tmp/clamgate-e2e.XXXXXX)
chmod 755 "$T"
BASE=$((30000 + $$ % 15000))
PORT_IN=$BASE PORT_SINK=$((BASE + 1)) PORT_HOP=$((BASE + 2)) PORT_MILTER=$((BASE + 3))
. "$TOP/tests/e2e/postfix.sh"
. "$TOP/tests/e2e/common.sh"

cleanup() {
	cg_stop
	pf_stop
	if [ "$FAILED" -ne 0 ] && [ -n "${KEEP:-}" ]; then
		echo "kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT INT TERM

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

# queue_empty - nothing queued but (in flight) clamgate's own notices
queue_empty() { [ -z "$(pf_queue | grep -v '"sender": "clamgate@test.example"')" ]; }
not_delivered() { sleep "${1:-1}"; [ -z "$(delivered "$2")" ]; }
maillog_has() { grep -q -- "$1" "$T/maillog"; }
count_header() { grep -c "^$2:" "$1"; }

# --- the test data --------------------------------------------------------
printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' > "$T/eicar.com"
head -c 15000000 /dev/urandom > "$T/big.bin"
{
	printf 'From: <forged@victim.example>\nTo: <user@dest.example>\n'
	printf 'Subject: e2e-sendmail\nMIME-Version: 1.0\n'
	printf 'Content-Type: text/plain\n\n'
	cat "$T/eicar.com"; printf '\n'
} > "$T/sendmail-virus.txt"

CG_QUARANTINE="sendmail = \"$T/sendmail-wrapper\";"
CG_EXTRA="notify: { admin = [ \"admin@dest.example\" ]; from = \"clamgate@test.example\";
  sendmail = \"$T/sendmail-wrapper\"; };"
pf_write_config
printf '#!/bin/sh\nexec /usr/sbin/sendmail -C "%s/etc" "$@"\n' "$T" > "$T/sendmail-wrapper"
chmod 755 "$T/sendmail-wrapper"
pf_start || { bad "private Postfix did not start"; exit 1; }
cg_start

# --- direct SMTP client: reject -------------------------------------------
smtp eicar --xclient-addr 192.0.2.10 --xclient-name mx.remote.example --attach "$T/eicar.com"
check "direct client, EICAR attachment: 554 5.7.1 naming the virus at end of DATA" \
	replied eicar "^554 5.7.1 Virus Clamgate.Test.EICAR.UNOFFICIAL found; message rejected"
check "direct client, EICAR: nothing queued" queue_empty
check "direct client, EICAR: nothing delivered" not_delivered 1 eicar
check "direct client, EICAR: Postfix logged milter-reject" \
	maillog_has "milter-reject: END-OF-MESSAGE from mx.remote.example\[192.0.2.10\]: 5.7.1 Virus Clamgate.Test.EICAR"

# --- direct SMTP client: clean mail --------------------------------------
smtp clean --xclient-addr 192.0.2.10 --body "nothing to see here"
check "direct client, clean: 250 queued" replied clean "^250 2.0.0 Ok: queued"
if wait_delivered clean; then
	f=$(delivered clean)
	good "direct client, clean: delivered"
	check "clean: X-Virus-Status: Clean added once" \
		test "$(grep -c '^X-Virus-Status: Clean$' "$f")" -eq 1
	check "clean: X-Virus-Scanned names clamgate and ClamAV" \
		grep -q '^X-Virus-Scanned: clamgate [0-9.]* (ClamAV [0-9.]*/[0-9]*)$' "$f"
else
	bad "direct client, clean: not delivered"
fi

# --- forged X-Virus-Status from the client --------------------------------
smtp forged --xclient-addr 192.0.2.10 --add-header "X-Virus-Status: Clean" --attach "$T/eicar.com"
check "forged X-Virus-Status: Clean with a virus: still rejected" replied forged "^554 5.7.1"

# --- trusted relay: quarantine, not reject --------------------------------
smtp trusted --xclient-addr 127.0.0.7 --xclient-name relay.local --attach "$T/eicar.com"
check "trusted relay, virus: 250 (no reject that would make the relay bounce)" \
	replied trusted "^250 2.0.0 Ok"
check "trusted relay, virus: quarantined" wait_quarantined trusted
check "trusted relay, virus: nothing delivered" not_delivered 1 trusted
check "trusted relay, virus: Postfix logged milter-discard" maillog_has "milter-discard: END-OF-MESSAGE from relay.local\[127.0.0.7\]"
f=$(quarantined trusted)
check "quarantine file carries the envelope" \
	grep -q "^X-Clamgate-Sender: forged@victim.example" "${f:-/dev/null}"

# --- sendmail(1): non-SMTP mail with a forged sender ----------------------
sendmail -C "$T/etc" -f forged@victim.example user@dest.example < "$T/sendmail-virus.txt"
check "sendmail, virus, forged -f: quarantined" wait_quarantined sendmail
check "sendmail, virus: nothing delivered" not_delivered 2 sendmail
f=$(quarantined sendmail)
check "sendmail, virus: the quarantine names the non-SMTP client" \
	grep -q "^X-Clamgate-Client-Name: localhost" "${f:-/dev/null}"
grep -q "reason=non-smtp" "$T/clamgate.log" && good "sendmail, virus: clamgate saw non-SMTP mail" \
	|| bad "sendmail: no reason=non-smtp in clamgate's log"

# --- after-queue hop: first Postfix listener without the milter -----------
PORT=$PORT_HOP smtp hop --attach "$T/eicar.com"
check "after-queue hop: first hop accepts (250)" replied hop "^250 2.0.0 Ok: queued"
check "after-queue hop: quarantined at the second hop" wait_quarantined hop
check "after-queue hop: nothing delivered" not_delivered 2 hop

# --- authenticated submission ----------------------------------------------
smtp auth --xclient-addr 192.0.2.20 --xclient-login alice --attach "$T/eicar.com"
check "authenticated, reject_authenticated = true: 554" replied auth "^554 5.7.1"
cg_start 'reject_authenticated = false;'
smtp authfb --xclient-addr 192.0.2.20 --xclient-login alice --attach "$T/eicar.com"
check "authenticated, reject_authenticated = false: 250" replied authfb "^250 2.0.0 Ok"
check "authenticated, reject_authenticated = false: quarantined" wait_quarantined authfb
grep -q "reason=authenticated" "$T/clamgate.log" && good "authenticated: Postfix passed {auth_authen} from XCLIENT LOGIN" \
	|| bad "authenticated: clamgate did not see the login"

# --- fallback = hold -------------------------------------------------------
cg_start 'fallback = "hold";'
smtp hold --xclient-addr 127.0.0.8 --attach "$T/eicar.com"
check "fallback hold, trusted relay: 250" replied hold "^250 2.0.0 Ok"
qid=$(qid hold)
sleep 1
check "fallback hold: the message is in Postfix's hold queue" \
	sh -c "postqueue -c '$T/etc' -j | grep -q '\"queue_id\": \"$qid\".*\"queue_name\": \"hold\"\|\"queue_name\": \"hold\".*\"queue_id\": \"$qid\"'"
check "fallback hold: Postfix logged milter-hold" maillog_has "$qid: milter-hold: END-OF-MESSAGE"
check "fallback hold: nothing delivered" not_delivered 1 hold
postsuper -c "$T/etc" -d "$qid" hold >/dev/null 2>&1

# --- headers = replace -----------------------------------------------------
cg_start 'headers = "replace";'
smtp replace --xclient-addr 192.0.2.10 --add-header "X-Virus-Status: Clean" \
	--add-header "X-Virus-Scanned: forged" --body "clean body"
if wait_delivered replace; then
	f=$(delivered replace)
	check "headers = replace: exactly one X-Virus-Status, ours" \
		test "$(count_header "$f" X-Virus-Status)" -eq 1 -a "$(grep -c '^X-Virus-Status: Clean$' "$f")" -eq 1
	check "headers = replace: exactly one X-Virus-Scanned, ours" \
		sh -c "test \$(grep -c '^X-Virus-Scanned:' '$f') -eq 1 && grep -q '^X-Virus-Scanned: clamgate' '$f'"
else
	bad "headers = replace: clean message not delivered"
fi

# --- large messages ----------------------------------------------------------
cg_start
smtp big --xclient-addr 192.0.2.10 --attach-type application/octet-stream --attach "$T/big.bin"
check "20 MB clean: 250" replied big "^250 2.0.0 Ok: queued"
check "20 MB clean: delivered" wait_sent big
f=$(delivered big)
check "20 MB clean: delivered whole" test "$(wc -c < "${f:-/dev/null}")" -gt 20000000
smtp bigvirus --xclient-addr 192.0.2.10 --attach-type application/octet-stream \
	--attach "$T/big.bin" --attach "$T/eicar.com"
check "20 MB with the virus at the end: 554 5.7.1" replied bigvirus "^554 5.7.1 Virus Clamgate.Test.EICAR"

# --- clamgate not running ------------------------------------------------------
cg_stop
smtp down --xclient-addr 192.0.2.10 --body "while clamgate is down"
check "clamgate not running: 4xx, the mail stays with the client" replied down "^4[0-9][0-9] 4.7.1"
check "clamgate not running: nothing queued" queue_empty
cg_start

# --- release from quarantine through Postfix's sendmail ------------------------
rid=$(basename "$(quarantined trusted)" .eml)
"$TOP/$BUILD/clamgate-quarantine" -c "$T/clamgate.conf" release "$rid" > "$T/out/release" 2>&1
check "release: clamgate-quarantine hands the message to Postfix" grep -q "released to <user@dest.example>" "$T/out/release"
if wait_delivered trusted; then
	f=$(delivered trusted)
	good "release: delivered to the original recipient"
	check "release: the original envelope sender and recipient" \
		sh -c "grep -q '^X-Mail-Args: <forged@victim.example>' '$f' && grep -q '^X-Rcpt-Args: <user@dest.example>' '$f'"
	check "release: marked Released, not scanned into quarantine again" \
		grep -q '^X-Virus-Status: Released from quarantine$' "$f"
	check "release: the token header does not reach the recipient" sh -c "! grep -q '^X-Clamgate-Release' '$f'"
else
	bad "release: not delivered"
fi

# --- notify-admin through the real Postfix -------------------------------------
notices=$(grep -l -s '^Subject: \[clamgate\] ' "$T"/sink/* | wc -l)
check "notify: notices reached the admin mailbox ($notices)" test "$notices" -ge 3
check "notify: every notice went to notify.admin only" \
	sh -c "! grep -L '^X-Rcpt-Args: <admin@dest.example>' \$(grep -l -s '^Subject: \[clamgate\] ' '$T'/sink/*) | grep -q ."
check "notify: notices came back through the milter unscanned, token removed" \
	eval '! heads | grep -q -E "^X-Clamgate-Notify|^X-Virus-Status"'
check "notify: clamgate recognised its own notices" grep -q "verdict=notice .*action=accept reason=own-notice" "$T/clamgate.log"
check "notify: no notice carries the virus or the attachment" \
	sh -c "! grep -l -s '^Subject: \[clamgate\] ' '$T'/sink/* | xargs grep -l -E 'EICAR-STANDARD|WDVPIVAl' | grep -q ."

# --- the invariant: nothing to any envelope sender ------------------------------
for _ in $(seq 1 50); do queue_empty && break; pf_flush; sleep 0.2; done
check "queue drained" queue_empty
sleep 1
bounces=$(grep -l -s -E '^X-Mail-Args: <>' "$T"/sink/* | wc -l)
to_senders=$(grep -l -s -E '^X-Rcpt-Args: <[^>]*@victim\.example>' "$T"/sink/* | wc -l)
check "invariant: no message from <> (no bounce, no DSN) left Postfix" test "$bounces" -eq 0
check "invariant: no message was sent to an envelope sender" test "$to_senders" -eq 0
check "invariant: Postfix generated no non-delivery notification" \
	sh -c "! grep -q -E 'sender non-delivery notification|status=bounced' '$T/maillog'"
check "invariant: every delivered message went to a recipient" \
	sh -c "! grep -h '^X-Rcpt-Args:' '$T'/sink/* 2>/dev/null | grep -v -q '@dest.example>'"

if grep -q -E "runtime error|AddressSanitizer|LeakSanitizer" "$T/clamgate.log" 2>/dev/null; then
	bad "sanitizer findings in the daemon's log"
fi
exit $FAILED
