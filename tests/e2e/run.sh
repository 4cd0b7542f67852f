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
BASE=$((18000 + $$ % 800 * 6)) # below the ephemeral ports (32768-)
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

# queue_empty - nothing queued but (in flight) clamgate's own notices
# (a notice waiting in maildrop still has the sender as submitted)
queue_empty() { [ -z "$(pf_queue | grep -v -E '"sender": "clamgate(@test.example)?"')" ]; }
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
# notify.from unqualified: Postfix makes it clamgate@test.example
# (myorigin) before the milter sees the notice come back
CG_EXTRA="notify: { admin = [ \"admin@dest.example\" ]; from = \"clamgate\";
  smtp = \"\"; sendmail = \"$T/sendmail-wrapper\"; };"
pf_write_config
sendmail_wrapper
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

# --- the default headers = replace: a forged status never reaches anyone ------
CG_SCANNER="temp_dir = \"$T/cgtmp\"; max_message_size = \"1M\";"
cg_start
head -c 2000000 /dev/urandom > "$T/two.bin"
smtp forged-oversize --xclient-addr 192.0.2.10 --add-header "X-Virus-Status: Clean" \
	--attach-type application/octet-stream --attach "$T/two.bin"
check "oversize with a forged X-Virus-Status: Clean: accepted unscanned (on_oversize)" \
	replied forged-oversize "^250 2.0.0 Ok: queued"
if wait_delivered forged-oversize; then
	f=$(delivered forged-oversize)
	check "oversize, defaults: only our X-Virus-Status reaches the recipient, Unscanned (oversize)" \
		test "$(count_header "$f" X-Virus-Status)" -eq 1 -a "$(grep -c '^X-Virus-Status: Unscanned (oversize)$' "$f")" -eq 1
else
	bad "oversize with a forged status: not delivered"
fi
CG_SCANNER=""
cg_start

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

# --- release: an envelope Postfix rewrites; one use; bound to the content ----
# canonical_maps (postfix.sh) rewrite both addresses on the non-SMTP path
FROM=rewrite-sender@victim.example TO=rewriteme@dest.example \
	smtp rw --xclient-addr 127.0.0.7 --xclient-name relay.local --attach "$T/eicar.com"
check "release, rewritten envelope: quarantined first" wait_quarantined rw
rid=$(basename "$(quarantined rw)" .eml)
"$TOP/$BUILD/clamgate-quarantine" -c "$T/clamgate.conf" release "$rid" > "$T/out/release-rw" 2>&1
if wait_delivered rw; then
	f=$(delivered rw)
	check "release, rewritten envelope: delivered to the rewritten recipient, Released" \
		sh -c "grep -q '^X-Rcpt-Args: <rewritten@dest.example>' '$f' && grep -q '^X-Mail-Args: <other-sender@victim.example>' '$f' && grep -q '^X-Virus-Status: Released from quarantine\$' '$f'"
	check "release, rewritten envelope: the token header is gone" sh -c "! grep -q '^X-Clamgate-Release' '$f'"
else
	bad "release, rewritten envelope: not delivered (the token must not depend on the envelope)"
fi
sub=$(grep -l -s "^X-Clamgate-Release: $rid " "$T"/submitted/* | head -n 1)
nq() { grep -l -s "^Subject: e2e-rw" "$T"/q/*.eml | wc -l; }
wait_nq() { for _ in $(seq 1 100); do [ "$(nq)" -ge "$1" ] && return 0; sleep 0.1; done; return 1; }
sendmail -C "$T/etc" -f rewrite-sender@victim.example rewriteme@dest.example < "${sub:-/dev/null}"
check "the same release submitted again: quarantined again, not delivered twice" wait_nq 2
check "the second use is logged as such" wait_log_line "X-Clamgate-Release not honoured, the message is scanned: used before"
{ cat "${sub:-/dev/null}"; printf 'one line more\r\n'; } > "$T/other-content"
sendmail -C "$T/etc" -f rewrite-sender@victim.example rewriteme@dest.example < "$T/other-content"
check "the token on other content: quarantined again" wait_nq 3
check "other content is logged as such" wait_log_line "not honoured, the message is scanned: does not match this message"
tok=$(sed -n 's/^X-Clamgate-Release: \(.*\)\r\{0,1\}$/\1/p' "${sub:-/dev/null}" | tr -d '\r')
smtp rw-outside --xclient-addr 192.0.2.10 --add-header "X-Clamgate-Release: $tok" --attach "$T/eicar.com"
check "the token from an outside client counts for nothing: 554" replied rw-outside "^554 5.7.1"
n_rw=$(awk 'FNR == 1 { h = 1 } h && /^\r?$/ { h = 0 } h && $0 == "Subject: e2e-rw" { n++; nextfile }
	END { print n + 0 }' "$T"/sink/*)
check "exactly one delivery of the released message ($n_rw)" test "$n_rw" -eq 1

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

# --- notify.smtp (the default): notices over SMTP, as under the unit -----------
# (there no_new_privs keeps sendmail's set-group-id helper from the queue)
notices_before=$(grep -l -s '^Subject: \[clamgate\] ' "$T"/sink/* | wc -l)
own_before=$(grep -c "verdict=notice .*reason=own-notice" "$T/clamgate.log")
sent_before=$(grep -c "notify: sent notice to 1 admin" "$T/clamgate.log")
# first with the MTA unreachable: the notice waits in the outbox
CG_EXTRA="notify: { admin = [ \"admin@dest.example\" ]; from = \"clamgate\";
  smtp = \"inet:$((PORT_MILTER + 2))@127.0.0.1\"; sendmail = \"/nonexistent\"; };"
cg_start
smtp outbox --xclient-addr 127.0.0.7 --xclient-name relay.local --attach "$T/eicar.com"
check "notify.smtp, MTA unreachable: the virus is quarantined all the same" wait_quarantined outbox
check "notify.smtp, MTA unreachable: the notice is kept in the outbox" \
	wait_log_line "notify: notice kept in $T/q/.outbox"
n=$(ls "$T/q/.outbox" 2>/dev/null | grep -c '\.txt$')
check "notify.smtp, MTA unreachable: one file in quarantine.directory/.outbox ($n)" test "$n" -eq 1
# then with the MTA's listener: the kept notice goes out, then new ones
CG_EXTRA="notify: { admin = [ \"admin@dest.example\" ]; from = \"clamgate\";
  smtp = \"inet:$PORT_IN@127.0.0.1\"; sendmail = \"/nonexistent\"; };"
cg_start
check "notify.smtp: the kept notice is sent once the MTA takes it" \
	wait_log_line "notify: 1 kept notice(s) sent from $T/q/.outbox"
check "notify.smtp: the outbox is empty again" sh -c "! ls '$T/q/.outbox' | grep -q '\.txt$'"
smtp smtpnotice --xclient-addr 127.0.0.7 --xclient-name relay.local --attach "$T/eicar.com"
check "notify.smtp: a virus from a trusted relay is quarantined" wait_quarantined smtpnotice
more_notices() { [ "$(grep -l -s '^Subject: \[clamgate\] ' "$T"/sink/* | wc -l)" -ge $((notices_before + 2)) ]; }
check "notify.smtp: both notices reached the admin mailbox by SMTP" wait_for 15 more_notices
sent_after=$(grep -c "notify: sent notice to 1 admin" "$T/clamgate.log")
check "notify.smtp: clamgate logged the new submission" test "$sent_after" -gt "$sent_before"
own_after=$(grep -c "verdict=notice .*reason=own-notice" "$T/clamgate.log")
check "notify.smtp: both came back from 127.0.0.1 and were recognised as our own" \
	test "$own_after" -ge $((own_before + 2))
check "notify.smtp: the token never reaches the admin" eval '! heads | grep -q -E "^X-Clamgate-Notify"'
check "notify.smtp: the sender was qualified (MAIL FROM with a domain)" \
	sh -c "grep -l -s '^Subject: \[clamgate\] ' '$T'/sink/* | xargs grep -l '^X-Mail-Args: <clamgate@' | grep -q ."

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

sanitizer_check "$T/clamgate.log"
exit $FAILED
