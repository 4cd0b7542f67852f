#!/bin/sh
# The outbound notification gate, end to end, with real components only:
#  - the private Postfix of tests/e2e/postfix.sh (smtpd_milters = OpenDKIM
#    then clamgate; non_smtpd_milters = clamgate; internal_mail_filter_classes
#    = bounce, so Postfix's own bounces pass clamgate too; a header_checks
#    rule that drops sender-written Authentication-Results claiming our
#    authserv-id; an error transport for nouser@dest.example, so that the
#    bounce daemon makes real DSNs), smtp-sink as the next hop of all mail;
#  - Debian's opendkim as the verifier (AuthservID mx.test.example, its
#    keys from TestPublicKeys: no DNS), messages signed by opendkim-testmsg;
#  - Debian's vacation as bob's autoresponder, fed each delivered message
#    as local(8) would and answering through Postfix's sendmail;
#  - Postfix's sendmail(1) for the local senders (challenges, notices,
#    replies, lists).
# Each scenario asserts what reached the sink and to whom, the line
# clamgate logged, and what is in clamgate's quarantine.  The end checks
# the invariants: no DSN or automatic reply to an unverified outside
# address left Postfix unless expected, nothing stayed in the queue.
#
# usage: tests/e2e/outbound.sh BUILD_DIR     (as root; KEEP=1 keeps $T
#        when something failed)
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$TOP/$BUILD/clamgate
CLI=$TOP/$BUILD/clamgate-quarantine
T=$(mktemp -d /tmp/clamgate-outbound.XXXXXX)
chmod 755 "$T"
. "$TOP/tests/e2e/postfix.sh"
. "$TOP/tests/e2e/common.sh"
. "$TOP/tests/e2e/outbound-lib.sh"
# below the ephemeral ports (32768-); skipped ahead past ports in use
BASE=$(pick_base $((21000 + $$ % 800 * 8)) 8)
PORT_IN=$BASE PORT_SINK=$((BASE + 1)) PORT_HOP=$((BASE + 2)) PORT_MILTER=$((BASE + 3))
PORT_DKIM=$((BASE + 4)) PORT_SUB=$((BASE + 5))

cleanup() {
	[ -n "${STRACE_PID:-}" ] && kill -TERM "$STRACE_PID" 2>/dev/null
	cg_stop
	dkim_stop
	pf_stop
	if [ "$FAILED" -ne 0 ] && [ -n "${KEEP:-}" ]; then
		echo "kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT INT TERM

for tool in opendkim opendkim-genkey opendkim-testmsg vacation swaks smtp-sink postfix sqlite3 strace; do
	command -v "$tool" > /dev/null || { bad "outbound: $tool is not installed"; exit 1; }
done

# --- the components --------------------------------------------------------------
pf_write_config
# The documented rule (docs/postfix.md, the outbound gate's setup; the
# brief's /^Authentication-Results:\s*mx\.test\.example\b/ behaves the
# same): drop incoming fields that claim our authserv-id.  cleanup
# applies header_checks while it writes the queue file and the milters
# get the content afterwards, so neither OpenDKIM nor clamgate sees a
# dropped field (s4a); fields a milter adds are not subject to
# header_checks (OpenDKIM's own A-R survives: s1, s2).
HC_RULE='/^Authentication-Results[[:space:]]*:[[:space:]]*mx\.test\.example([[:space:];(]|$)/ IGNORE'
printf '%s\n' "$HC_RULE" > "$T/etc/header_checks"
postconf -c "$T/etc" -e \
	"smtpd_milters = inet:127.0.0.1:$PORT_DKIM, inet:127.0.0.1:$PORT_MILTER" \
	"non_smtpd_milters = inet:127.0.0.1:$PORT_MILTER" \
	"internal_mail_filter_classes = bounce" \
	"header_checks = regexp:$T/etc/header_checks" \
	"transport_maps = inline:{ { nouser@dest.example = error:5.1.1 no such user } }" \
	"smtpd_reject_unlisted_recipient = no" \
	"sender_canonical_maps = inline:{ nobody@test.example=bob@dest.example }"
# a submission listener (outbound.listeners names its daemon_name)
postconf -c "$T/etc" -M "127.0.0.1:$PORT_SUB/inet=127.0.0.1:$PORT_SUB inet n - n - - smtpd -o milter_macro_daemon_name=SUBMIT"
hc=$(postmap -c "$T/etc" -q "Authentication-Results: mx.test.example; dkim=pass" "regexp:$T/etc/header_checks")
check "header_checks: the regexp table drops an A-R with our id (postmap -q: $hc)" test "$hc" = IGNORE

dkim_setup || { bad "opendkim-genkey failed"; exit 1; }
dkim_start || { bad "opendkim did not start: $(tail -n 5 "$T/opendkim.log")"; exit 1; }
vacation_setup
pf_start || { bad "private Postfix did not start"; exit 1; }

OUTBOUND_COMMON="internal_domains = [ \"test.example\" ]; listeners = [ \"SUBMIT\" ];
  trusted_authserv_ids = [ \"mx.test.example\" ]; store = \"$T/verified.db\";
  catalogues = [ \"$TOP/etc/outbound-markers\", \"$TOP/etc/outbound-subjects\" ];"
CG_EXTRA="outbound: { mode = \"on\"; $OUTBOUND_COMMON };"
cg_start
[ -n "$CG_PID" ] && kill -0 "$CG_PID" 2>/dev/null || { bad "clamgate is not running"; exit 1; }
mkdir -p "$T/m"

OUTSIDE="--xclient-addr 192.0.2.10 --xclient-name mx.outside.example"

# qid_of LINE - the queue id a clamgate log line names
qid_of() { printf '%s\n' "$1" | sed -n 's/.* \([0-9A-F]\{6,\}\): client=.*/\1/p'; }
# pf_discarded QID - Postfix logged that the milter discarded QID
pf_discarded() { grep -q "$1: milter-discard" "$T/maillog"; }
wait_discarded() { [ -n "$1" ] && wait_for 10 pf_discarded "$1"; }
# gate_is LINE WHAT - the line carries WHAT (a fixed string)
gate_is() { printf '%s\n' "$1" | grep -q -F -- "$2"; }
# show LINE - the log line, for a failure report
show() { printf '#   clamgate: %s\n' "${1:-(no line)}"; }

# inbound NAME FILE FROM - FILE from an outside client to bob; 0 when
# delivered (its sink copy in $IN_FILE) and clamgate's line in $IN_LINE
inbound() {
	cg_mark
	send "$1" "$2" "$3" bob@dest.example $OUTSIDE
	IN_FILE="" IN_LINE=""
	if ! replied "$1" "^250 "; then
		bad "$1: the inbound message was not accepted: $(reply "$1")"
		return 1
	fi
	subj=$(sink_header "$2" Subject)
	if ! wait_sink_to bob@dest.example "$subj"; then
		bad "$1: the inbound message did not reach bob"
		return 1
	fi
	IN_FILE=$(sink_to bob@dest.example "$subj" | head -n 1)
	wait_cg "from=<$3>" 5
	IN_LINE=$(cg_line "from=<$3>")
	# the writer thread stores the contact within FLUSH_MS (gate_writer.c)
	wait_contact "$3" bob@dest.example
	return 0
}

# reply_of FILE - vacation answers the delivered FILE; $OUT_LINE is
# clamgate's line for the reply (from bob), $OUT_QID its queue id
reply_of() {
	cg_mark
	vacation_deliver "$1" || bad "vacation failed: $(tail -n 3 "$T/vacation.log")"
	wait_cg 'from=<bob@dest\.example>.* dir=out ' 15
	OUT_LINE=$(cg_line 'from=<bob@dest\.example>.* dir=out ')
	OUT_QID=$(qid_of "$OUT_LINE")
}

# stopped_reply NAME RCPT SUBJECT - the reply was stopped: logged as an
# autoreply stopped by verified-only, quarantined, discarded by Postfix,
# not in the sink
stopped_reply() {
	if gate_is "$OUT_LINE" "kind=autoreply gate=verified-only:stop stopped=1/1"; then
		good "$1: vacation's reply is an autoreply, stopped by verified-only"
	else
		bad "$1: vacation's reply to $2 was not stopped as an autoreply"; show "$OUT_LINE"
	fi
	check "$1: the reply to $2 is in clamgate's quarantine (outbound/autoreply)" \
		wait_q_outbound "$2" autoreply
	check "$1: Postfix discarded the stopped reply (milter-discard)" wait_discarded "$OUT_QID"
	check "$1: nothing for $2 in the sink" eval "! has_sink_to '$2' 'away [$3]'"
}


# ar_has FILE PATTERN - an Authentication-Results field of FILE matches
ar_has() { ar "$1" | grep -q -E -- "$2"; }
not_verified() { ! gate_is "$1" "verified="; }

# --- 1. an outside sender without Authentication-Results -----------------------------
mkmsg "$T/m/s1.eml" alice@outside.example bob@dest.example "s1 unsigned"
if inbound s1 "$T/m/s1.eml" alice@outside.example; then
	check "s1: OpenDKIM is in the path (it added dkim=none to the unsigned message)" \
		ar_has "$IN_FILE" '^mx\.test\.example; dkim=none'
	check "s1: clamgate did not call alice verified" not_verified "$IN_LINE"
	reply_of "$IN_FILE"
	stopped_reply s1 alice@outside.example "s1 unsigned"
fi

# (1b) the contact counts from the moment the inbound message is
# accepted.  A responder on this host (local(8) piping to vacation) can
# answer within gate_writer.c's FLUSH_MS (200 ms), or while a commit
# waits for the disk or for clamgate-quarantine's write lock.  To make
# that window certain, strace delays every pwrite64 of clamgate (SQLite's
# WAL writes) by 1.5 s while quick writes to bob and vacation answers
# at once: the reply must be stopped all the same, never let out as
# automatic mail that answers nobody (other-auto, allowed).
STRACE_PID=""
: > "$T/strace.err"
strace -f -qq -p "$CG_PID" -e trace=pwrite64 -e inject=pwrite64:delay_enter=1500000 \
	-o /dev/null 2> "$T/strace.err" &
STRACE_PID=$!
# (-qq hides "attached"; wait until strace is the tracer of clamgate)
traced() { grep -q "^TracerPid:[[:space:]]*$STRACE_PID\$" "/proc/$CG_PID/status" 2>/dev/null; }
if wait_for 10 traced; then
	mkmsg "$T/m/s1b.eml" quick@outside.example bob@dest.example "s1b prompt"
	send s1b "$T/m/s1b.eml" quick@outside.example bob@dest.example $OUTSIDE
	for _ in $(seq 1 500); do has_sink_to bob@dest.example "s1b prompt" && break; sleep 0.02; done
	if has_sink_to bob@dest.example "s1b prompt"; then
		pre=$(store_has "remote = 'quick@outside.example'" contact && echo stored || echo "not yet stored")
		reply_of "$(sink_to bob@dest.example "s1b prompt" | head -n 1)"
		if gate_is "$OUT_LINE" "kind=autoreply gate=verified-only:stop"; then
			good "s1b: a prompt reply to the unverified quick is stopped too (contact $pre)"
		else
			bad "s1b: a prompt reply went out (contact $pre when it came): lookups see only committed rows, and without the contact the reply is other-auto, allowed"
			show "$OUT_LINE"
		fi
	else
		bad "s1b: the inbound message did not reach bob"
	fi
else
	bad "s1b: strace could not attach to clamgate: $(head -n 3 "$T/strace.err")"
fi
kill -TERM "$STRACE_PID" 2>/dev/null
wait "$STRACE_PID" 2>/dev/null
STRACE_PID=""

# --- 2. the same sender, DKIM-signed: OpenDKIM says pass, alice is verified ---------------
mkmsg "$T/m/s2.eml" alice@outside.example bob@dest.example "s2 signed"
dkim_sign "$T/m/s2.eml" "$T/m/s2.signed"
if inbound s2 "$T/m/s2.signed" alice@outside.example; then
	if ar_has "$IN_FILE" '^mx\.test\.example;.* dkim=pass .*header\.d=outside\.example'; then
		good "s2: OpenDKIM verified the signature (mx.test.example; dkim=pass header.d=outside.example)"
	else
		bad "s2: OpenDKIM did not say dkim=pass: $(ar "$IN_FILE")"
	fi
	if gate_is "$IN_LINE" "dir=in verified=dkim"; then
		good "s2: clamgate logged alice as verified (dir=in verified=dkim)"
	else
		bad "s2: clamgate did not verify alice"; show "$IN_LINE"
	fi
	wait_verified alice@outside.example
	reply_of "$IN_FILE"
	if gate_is "$OUT_LINE" "kind=autoreply gate=verified-only:pass stopped=0/1"; then
		good "s2: the reply to the verified alice passes verified-only"
	else
		bad "s2: the reply to the verified alice did not pass"; show "$OUT_LINE"
	fi
	check "s2: vacation's reply reached alice" wait_sink_to alice@outside.example "away [s2 signed]"
fi
"$CLI" -c "$T/clamgate.conf" verified list > "$T/out/verified" 2>&1
if grep -q -i 'unknown command' "$T/out/verified"; then
	echo "skip - s2: clamgate-quarantine has no 'verified' verb yet ($(head -n 1 "$T/out/verified"))"
else
	check "s2: clamgate-quarantine verified list shows alice" grep -q -i 'alice@outside.example' "$T/out/verified"
	check "s2: clamgate-quarantine verified list does not show the unverified mallory" \
		eval "! grep -q -i 'mallory@outside.example' '$T/out/verified'"
fi

# --- 3. a signed message changed after signing verifies nobody ----------------------------
mkmsg "$T/m/s3.eml" mallory@outside.example bob@dest.example "s3 tampered"
dkim_sign "$T/m/s3.eml" "$T/m/s3.signed"
sed -i 's/for the outbound gate test/for somebody else entirely/' "$T/m/s3.signed"
if inbound s3 "$T/m/s3.signed" mallory@outside.example; then
	check "s3: OpenDKIM says the changed body fails (dkim=fail)" \
		ar_has "$IN_FILE" '^mx\.test\.example;.* dkim=fail '
	check "s3: clamgate did not call mallory verified" not_verified "$IN_LINE"
	reply_of "$IN_FILE"
	stopped_reply s3 mallory@outside.example "s3 tampered"
fi

# --- 4. Authentication-Results written by the sender ------------------------------------
# OpenDKIM (2.11, RemoveARFrom unset) itself removes incoming fields with
# its AuthservID *that hold a DKIM result* (see (e)); a forged spf=pass
# it leaves alone.  So each forgery below carries an spf=pass too: only
# the header_checks rule can remove that one, and clamgate would take
# spf=pass smtp.mailfrom=SENDER as verification.
# (a) our authserv-id: the rule drops both fields before any milter sees them
mkmsg "$T/m/s4a.eml" trent@outside.example bob@dest.example "s4a forged our id" \
	"Authentication-Results: mx.test.example; dkim=pass header.d=outside.example header.i=@outside.example" \
	"Authentication-Results: mx.test.example; spf=pass smtp.mailfrom=trent@outside.example"
if inbound s4a "$T/m/s4a.eml" trent@outside.example; then
	check "s4a: neither forged A-R with our id reached the recipient (header_checks)" \
		eval "! ar_has '$IN_FILE' '=pass'"
	check "s4a: only OpenDKIM's own A-R is left (dkim=none)" \
		test "$(ar "$IN_FILE" | wc -l)" -eq 1 -a "$(ar "$IN_FILE" | grep -c '^mx.test.example; dkim=none')" -eq 1
	check "s4a: clamgate did not call trent verified" not_verified "$IN_LINE"
	reply_of "$IN_FILE"
	stopped_reply s4a trent@outside.example "s4a forged our id"
fi
# (b) another authserv-id: it reaches clamgate, which trusts only its own
mkmsg "$T/m/s4b.eml" uma@outside.example bob@dest.example "s4b other id" \
	"Authentication-Results: other.example; dkim=pass header.d=outside.example; spf=pass smtp.mailfrom=uma@outside.example"
if inbound s4b "$T/m/s4b.eml" uma@outside.example; then
	check "s4b: the A-R of another authserv-id passes Postfix and OpenDKIM" \
		ar_has "$IN_FILE" '^other\.example; dkim=pass'
	check "s4b: clamgate did not call uma verified (untrusted authserv-id)" not_verified "$IN_LINE"
	reply_of "$IN_FILE"
	stopped_reply s4b uma@outside.example "s4b other id"
fi
# (c) RFC 8601 allows a comment (CFWS) before the authserv-id, and a
# quoted-string for it: the same id, but not the bare form the rule
# matches; clamgate (authres.c) trusts an A-R only in the bare form
forged_variant() { # NAME SENDER SUBJECT FIELD-VALUE
	mkmsg "$T/m/$1.eml" "$2" bob@dest.example "$3" "Authentication-Results: $4"
	inbound "$1" "$T/m/$1.eml" "$2" || return
	# the rule matches the bare id only, and clamgate trusts only that
	# form: these reach clamgate (and the recipient) and count for nothing
	ar "$IN_FILE" | grep -q -F -- "$4" \
		&& good "$1: not the bare form: past the header_checks rule, as expected" \
		|| bad "$1: the header_checks rule dropped 'Authentication-Results: $4' (the test no longer shows clamgate ignoring it)"
	if gate_is "$IN_LINE" "verified="; then
		bad "$1: clamgate verified ${2%@*} from that forged A-R"; show "$IN_LINE"
		reply_of "$IN_FILE"
		gate_is "$OUT_LINE" ":pass" && bad "$1: so vacation's reply went to the forged ${2%@*} (backscatter)"
	else
		good "$1: clamgate did not call ${2%@*} verified"
	fi
}
forged_variant s4c victor@outside.example "s4c forged behind a comment" \
	"(checked) mx.test.example; spf=pass smtp.mailfrom=victor@outside.example"
forged_variant s4c2 yolanda@outside.example "s4c2 forged quoted id" \
	'"mx.test.example"; spf=pass smtp.mailfrom=yolanda@outside.example'
# (d) folded right after the field name (\s matches the newline)
mkmsg "$T/m/s4d.eml" wendy@outside.example bob@dest.example "s4d forged folded" \
	"Authentication-Results:
	mx.test.example; spf=pass smtp.mailfrom=wendy@outside.example"
if inbound s4d "$T/m/s4d.eml" wendy@outside.example; then
	check "s4d: header_checks dropped the forged A-R folded before our id" \
		eval "! ar_has '$IN_FILE' 'spf=pass'"
	check "s4d: clamgate did not call wendy verified" not_verified "$IN_LINE"
fi
# (d2) blanks before the colon: Postfix still takes it for the field and
# gives it to the milters without them, so the rule must match it too
mkmsg "$T/m/s4f.eml" zoe@outside.example bob@dest.example "s4f forged, space before colon" \
	"Authentication-Results : mx.test.example; spf=pass smtp.mailfrom=zoe@outside.example"
if inbound s4f "$T/m/s4f.eml" zoe@outside.example; then
	check "s4f: header_checks dropped the forged 'Authentication-Results :' with our id" \
		eval "! grep -q 'smtp.mailfrom=zoe@outside.example' '$IN_FILE'"
	check "s4f: clamgate did not call zoe verified" not_verified "$IN_LINE"
	reply_of "$IN_FILE"
	stopped_reply s4f zoe@outside.example "s4f forged, space before colon"
fi
# (e) without the rule (Postfix reloaded without header_checks for one
# message): OpenDKIM drops the forged dkim=pass with its id, the forged
# spf=pass reaches clamgate, which cannot tell it from its own
# verifiers' and verifies the forger: the rule is what keeps it out
reload_pf() {
	n=$(lines_with "$T/maillog" "reload -- version")
	postfix -c "$T/etc" reload > /dev/null 2>&1
	wait_log "$T/maillog" "reload -- version" $((n + 1)) 10
}
postconf -c "$T/etc" -e "header_checks ="
reload_pf
mkmsg "$T/m/s4e.eml" xavier@outside.example bob@dest.example "s4e forged, no rule" \
	"Authentication-Results: mx.test.example; dkim=pass header.d=outside.example" \
	"Authentication-Results: mx.test.example; spf=pass smtp.mailfrom=xavier@outside.example"
if inbound s4e "$T/m/s4e.eml" xavier@outside.example; then
	check "s4e: without the rule OpenDKIM still removes the forged dkim=pass with its id" \
		eval "! ar_has '$IN_FILE' '^mx\\.test\\.example; dkim=pass'"
	check "s4e: without the rule the forged spf=pass with our id reaches the recipient" \
		ar_has "$IN_FILE" '^mx\.test\.example; spf=pass smtp\.mailfrom=xavier@outside\.example'
	if gate_is "$IN_LINE" "dir=in verified=spf"; then
		good "s4e: without the rule clamgate verifies the forger (verified=spf): the rule is needed"
	else
		bad "s4e: without the rule clamgate did not verify xavier (expected verified=spf)"; show "$IN_LINE"
	fi
fi
postconf -c "$T/etc" -e "header_checks = regexp:$T/etc/header_checks"
reload_pf

# --- 5. an internal sender always gets the reply ------------------------------------------
mkmsg "$T/m/s5.eml" carol@test.example bob@dest.example "s5 internal"
if inbound s5 "$T/m/s5.eml" carol@test.example; then
	reply_of "$IN_FILE"
	if gate_is "$OUT_LINE" "kind=autoreply gate=verified-only:pass stopped=0/1"; then
		good "s5: the reply to carol@test.example passes (internal_domains)"
	else
		bad "s5: the reply to the internal carol did not pass"; show "$OUT_LINE"
	fi
	check "s5: vacation's reply reached carol" wait_sink_to carol@test.example "away [s5 internal]"
fi

# --- 6. Postfix's own bounces ------------------------------------------------------------------
# nouser@dest.example resolves to the error(8) transport (transport_maps);
# smtpd_reject_unlisted_recipient = no makes smtpd accept it instead of
# refusing it at RCPT, as a relay that knows no better would; its
# delivery then fails 5.1.1 and the bounce daemon sends a real DSN from
# <> through cleanup and, with internal_mail_filter_classes = bounce,
# through clamgate.
# bounce_of QID NAME - the DSN Postfix made for QID; clamgate's line for
# it in $DSN_LINE, its queue id in $DSN_QID
bounce_of() {
	DSN_LINE="" DSN_QID=""
	wait_log "$T/maillog" "$1: sender non-delivery notification: " 1 15 ||
		{ bad "$2: Postfix made no bounce for ${1:-(no queue id)}"; return 1; }
	DSN_QID=$(sed -n "s/.*$1: sender non-delivery notification: \([0-9A-F]*\).*/\1/p" "$T/maillog" | head -n 1)
	wait_cg "$DSN_QID: client=" 15
	DSN_LINE=$(cg_line "$DSN_QID: client=")
}
# dsn_to ADDR SUBJECT - sink files with a DSN from <> to ADDR quoting SUBJECT
dsn_to() {
	for _df in $(grep -l -s -i "^X-Rcpt-Args: <$1>" "$T"/sink/*); do
		grep -q '^X-Mail-Args: <>' "$_df" && grep -q 'report-type=delivery-status' "$_df" &&
			grep -q -F "$2" "$_df" && echo "$_df"
	done
}
has_dsn_to() { [ -n "$(dsn_to "$1" "$2")" ]; }
mkmsg "$T/m/s6a.eml" erin@outside.example nouser@dest.example "s6a to nobody"
cg_mark
send s6a "$T/m/s6a.eml" erin@outside.example nouser@dest.example $OUTSIDE
check "s6a: the message for nouser is accepted (250), to bounce later" replied s6a "^250 "
q=$(qid s6a)
if bounce_of "$q" s6a; then
	check "s6a: Postfix logged status=bounced for nouser (5.1.1)" \
		grep -q "$q: to=<nouser@dest.example>.*dsn=5.1.1, status=bounced" "$T/maillog"
	if gate_is "$DSN_LINE" "from=<>" && gate_is "$DSN_LINE" "kind=dsn gate=verified-only:stop stopped=1/1"; then
		good "s6a: Postfix's bounce to the unverified erin is a dsn, stopped by verified-only"
	else
		bad "s6a: the bounce to erin was not stopped as a dsn"; show "$DSN_LINE"
	fi
	check "s6a: the bounce is in clamgate's quarantine (outbound/dsn)" wait_q_outbound erin@outside.example dsn
	check "s6a: Postfix discarded the bounce (milter-discard)" wait_discarded "$DSN_QID"
	check "s6a: no bounce reached erin" eval "! grep -l -s -i '^X-Rcpt-Args: <erin@outside.example>' '$T'/sink/* | grep -q ."
fi
mkmsg "$T/m/s6b.eml" carol@test.example nouser@dest.example "s6b to nobody, internal"
cg_mark
nb=$(lines_with "$T/maillog" "to=<nouser@dest.example>.*status=bounced")
submit carol@test.example nouser@dest.example < "$T/m/s6b.eml"
wait_log "$T/maillog" "to=<nouser@dest.example>.*status=bounced" $((nb + 1)) 15
q=$(grep "to=<nouser@dest.example>.*status=bounced" "$T/maillog" | tail -n 1 |
	sed -n 's/.* \([0-9A-F]\{6,\}\): to=.*/\1/p')
if bounce_of "$q" s6b; then
	if gate_is "$DSN_LINE" "from=<>" && gate_is "$DSN_LINE" "kind=dsn gate=verified-only:pass stopped=0/1"; then
		good "s6b: Postfix's bounce to the internal carol is a dsn that passes"
	else
		bad "s6b: the bounce to carol did not pass"; show "$DSN_LINE"
	fi
	check "s6b: Postfix's DSN (multipart/report, from <>) reached carol" \
		wait_for 15 has_dsn_to carol@test.example "s6b to nobody, internal"
fi

# --- 7. local senders through sendmail(1): challenges, notices, replies, lists ------------
# local NAME SUBJECT FROM RCPTS HEADER... - one message through sendmail;
# $LOC_LINE is clamgate's line for it (the gate looks at every message)
local_msg() {
	name=$1 subj=$2 from=$3 to=$4; shift 4
	mkmsg "$T/m/$name.eml" "${from:-bob@dest.example}" "$(echo "$to" | sed 's/ /, /g')" "$subj" "$@"
	cg_mark
	# shellcheck disable=SC2086
	submit "${from:-<>}" $to < "$T/m/$name.eml"
	wait_cg "from=<${from}>.* dir=out " 15
	LOC_LINE=$(cg_line "from=<${from}>.* dir=out ")
}
# discarded NAME RCPT SUBJECT KIND - stopped by the kind's discard rule:
# logged, dropped by Postfix, neither delivered nor quarantined
discarded() {
	if gate_is "$LOC_LINE" "kind=$4 gate=discard:stop stopped=1/1"; then
		good "$1: classified $4, stopped by the discard rule"
	else
		bad "$1: not stopped as $4 by discard"; show "$LOC_LINE"
	fi
	check "$1: Postfix discarded it (milter-discard)" wait_discarded "$(qid_of "$LOC_LINE")"
	check "$1: nothing for $2 in the sink" eval "! has_sink_to '$2' '$3'"
	check "$1: not in clamgate's quarantine (discard, not quarantine)" eval "! has_q_outbound '$2' '$4'"
}
# passed NAME RCPT SUBJECT KIND - allowed and delivered
passed() {
	if gate_is "$LOC_LINE" "kind=$4 gate=allow:pass"; then
		good "$1: classified $4, allowed"
	else
		bad "$1: not allowed as $4"; show "$LOC_LINE"
	fi
	check "$1: reached $2" wait_sink_to "$2" "$3"
}
local_msg s7-boxtrapper "s7 please verify" bob@dest.example frank@outside.example \
	"X-Boxtrapper: yes" "Auto-Submitted: auto-replied"
discarded s7-boxtrapper frank@outside.example "s7 please verify" challenge
local_msg s7-tmda "s7 please confirm" "" frank@outside.example \
	"Message-ID: <1796206000.12345.42-tmda-confirm>" "X-Delivery-Agent: TMDA/1.1.12 (Macallan)"
discarded s7-tmda frank@outside.example "s7 please confirm" challenge
# the subject alone says av-notice (no Auto-Submitted, a real sender): a
# person could have written it, so the discard rule keeps a copy
local_msg s7-virus "VIRUS IN YOUR MAIL [s7]" bob@dest.example frank@outside.example
if gate_is "$LOC_LINE" "kind=av-notice gate=discard:stop stopped=1/1"; then
	good "s7-virus: classified av-notice by its subject alone, stopped"
else
	bad "s7-virus: not stopped as av-notice"; show "$LOC_LINE"
fi
check "s7-virus: kept in quarantine, not dropped (a subject alone is weak)" \
	wait_q_outbound frank@outside.example av-notice
local_msg s7-virus2 "VIRUS IN YOUR MAIL [s7 auto]" bob@dest.example gina@outside.example \
	"Auto-Submitted: auto-generated"
discarded s7-virus2 gina@outside.example "VIRUS IN YOUR MAIL [s7 auto]" av-notice
local_msg s7-reply "Re: VIRUS IN YOUR MAIL [s7]" bob@dest.example frank@outside.example
passed s7-reply frank@outside.example "Re: VIRUS IN YOUR MAIL [s7]" human
local_msg s7-human "Re: s7 question" bob@dest.example frank@outside.example \
	"In-Reply-To: <q1.42@outside.example>" "References: <q1.42@outside.example>"
passed s7-human frank@outside.example "Re: s7 question" human
local_msg s7-list "[e2e] s7 list post" bob@dest.example "frank@outside.example gina@outside.example" \
	"List-Id: e2e list <e2e.lists.dest.example>" "List-Post: <mailto:e2e@lists.dest.example>" \
	"Precedence: list"
passed s7-list gina@outside.example "[e2e] s7 list post" list
check "s7-list: reached frank too" wait_sink_to frank@outside.example "[e2e] s7 list post"
local_msg s7-news "s7 newsletter" bob@dest.example "gina@outside.example hank@outside.example" \
	"Precedence: bulk" "List-Unsubscribe: <mailto:unsubscribe@dest.example>"
passed s7-news hank@outside.example "s7 newsletter" list
check "s7-news: reached gina too" wait_sink_to gina@outside.example "s7 newsletter"

# --- 8. one automatic reply to a verified and an unverified recipient ------------------------
# 8. through the submission listener (SMTP): the unverified dave is
# removed, the verified alice gets it
mkmsg "$T/m/s8.eml" bob@dest.example "alice@outside.example, dave@outside.example" \
	"s8 auto-replied" "Auto-Submitted: auto-replied"
cg_mark
swaks --server "127.0.0.1:$PORT_SUB" --from bob@dest.example \
	--to alice@outside.example,dave@outside.example --data "@$T/m/s8.eml" \
	--timeout 60 > "$T/out/s8" 2>&1
wait_cg "from=<bob@dest.example>.* dir=out " 15
LOC_LINE=$(cg_line "from=<bob@dest.example>.* dir=out ")
if gate_is "$LOC_LINE" "kind=autoreply gate=verified-only:trim stopped=1/2"; then
	good "s8: submission: trimmed: dave removed, alice kept (verified-only)"
else
	bad "s8: not trimmed"; show "$LOC_LINE"
fi
if wait_sink_to alice@outside.example "s8 auto-replied"; then
	f=$(sink_to alice@outside.example "s8 auto-replied" | head -n 1)
	check "s8: alice got it, and it went to alice only" test "$(rcpts "$f" | tr '\n' ' ')" = "alice@outside.example "
else
	bad "s8: the verified alice did not get it"
fi
check "s8: nothing for dave in the sink" eval "! has_sink_to dave@outside.example 's8 auto-replied'"
check "s8: dave's copy is in clamgate's quarantine (outbound/autoreply)" wait_q_outbound dave@outside.example autoreply
check "s8: the quarantined copy is dave's only" \
	sh -c "$CLI -c '$T/clamgate.conf' list --json | grep 's8 auto-replied' | grep -q '\"recipients\": *\[\"dave@outside.example\"\]'"
# 8b. the same through sendmail(1): on Postfix's non-SMTP path cleanup
# shows the milter each recipient after canonical mapping but removes
# only an original one, so a removal could silently do nothing; clamgate
# stops the whole message there, and the copy is for both
local_msg s8b "s8b auto-replied" bob@dest.example "alice@outside.example rewriteme@dest.example dave@outside.example" \
	"Auto-Submitted: auto-replied"
if gate_is "$LOC_LINE" "kind=autoreply gate=verified-only:stop stopped=3/3"; then
	good "s8b: sendmail: not trimmed but stopped whole"
else
	bad "s8b: not stopped whole"; show "$LOC_LINE"
fi
check "s8b: the copy in quarantine is for all three" \
	sh -c "$CLI -c '$T/clamgate.conf' list --json | grep 's8b auto-replied' | grep -q 'alice@outside.example.*dave@outside.example'"
check "s8b: nothing in the sink" eval "! has_sink_to dave@outside.example 's8b auto-replied' && ! has_sink_to alice@outside.example 's8b auto-replied'"
# 8c. forms Postfix may rewrite to another place (percent hack, quotes,
# bang path) are never internal, whatever their domain
local_msg s8c "s8c auto-replied" bob@dest.example "victim%outside.example@test.example" \
	"Auto-Submitted: auto-replied"
if gate_is "$LOC_LINE" "gate=verified-only:stop stopped=1/1 why=unverified"; then
	good "s8c: a percent-hack recipient at an internal domain is stopped"
else
	bad "s8c: the percent-hack recipient was not stopped"; show "$LOC_LINE"
fi

# --- 9. outbound.mode = "log": decide and log, stop nothing -------------------------------------
CG_EXTRA="outbound: { mode = \"log\"; $OUTBOUND_COMMON };"
cg_start
q_before=$(q_count)
mkmsg "$T/m/s9.eml" mallory@outside.example bob@dest.example "s9 log mode"
if inbound s9 "$T/m/s9.eml" mallory@outside.example; then
	reply_of "$IN_FILE"
	if gate_is "$OUT_LINE" "kind=autoreply gate=verified-only:stop(log-only) stopped=1/1"; then
		good "s9: log mode: the reply to the unverified mallory is logged as stop(log-only)"
	else
		bad "s9: log mode: no stop(log-only) for the reply to mallory"; show "$OUT_LINE"
	fi
	check "s9: log mode: the reply reached mallory all the same" wait_sink_to mallory@outside.example "away [s9 log mode]"
	check "s9: log mode: nothing new in the quarantine" test "$(q_count)" -eq "$q_before"
fi

# --- 10. the invariants --------------------------------------------------------------------------
queue_empty() { [ -z "$(pf_queue)" ]; }
for _ in $(seq 1 50); do queue_empty && break; pf_flush; sleep 0.2; done
check "invariant: the Postfix queue is empty (nothing deferred or held)" queue_empty
check "invariant: Postfix held nothing and deferred nothing" \
	sh -c "! grep -q -E 'milter-hold|status=deferred' '$T/maillog'"
check "invariant: the gate never rejected (no milter-reject)" sh -c "! grep -q milter-reject '$T/maillog'"
# what went to an outside address, and what came from <>, is what the
# scenarios expected, nothing more
expected_out="away [s2 signed]|Re: s7 question|Re: VIRUS IN YOUR MAIL [s7]|[e2e] s7 list post|s7 newsletter|s8 auto-replied|away [s9 log mode]"
unexpected=""
for f in "$T"/sink/*; do
	outside=$(rcpts "$f" | grep -v -E '@(test|dest)\.example$')
	null=$(grep -c '^X-Mail-Args: <>' "$f")
	[ -z "$outside" ] && [ "$null" -eq 0 ] && continue
	subj=$(sink_header "$f" Subject | head -n 1)
	if [ "$null" -ne 0 ]; then
		# from <>: only the DSN to the internal carol
		[ -z "$outside" ] && has_dsn_to carol@test.example "s6b to nobody, internal" &&
			[ "$(dsn_to carol@test.example "s6b to nobody, internal")" = "$f" ] && continue
	else
		printf '%s\n' "$expected_out" | tr '|' '\n' | grep -q -x -F -- "$subj" && continue
	fi
	unexpected="$unexpected
#   ${f##*/}: from $(sed -n 's/^X-Mail-Args: \(<[^>]*>\).*/\1/p' "$f") to $(echo $outside) subject \"$subj\""
done
if [ -z "$unexpected" ]; then
	good "invariant: nothing from <> or to an outside address left Postfix but what was expected"
else
	bad "invariant: unexpected mail left Postfix:$unexpected"
fi
n_null=$(grep -l -s '^X-Mail-Args: <>' "$T"/sink/* | wc -l)
check "invariant: exactly one message from <> was delivered (the DSN to carol; $n_null)" test "$n_null" -eq 1

cg_stop
check "clamgate counted what it stopped when it stopped" grep -q "outbound gate: stopped since start" "$T/clamgate.log"
sanitizer_check "$T/clamgate.log"
exit $FAILED
