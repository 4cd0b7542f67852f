# outbound-lib.sh - the real components of tests/e2e/outbound.sh, sourced
# after postfix.sh and common.sh: Debian's opendkim (verifier milter) and
# opendkim-genkey/opendkim-testmsg (keys, signatures), Debian's vacation
# (the autoresponder, submitting through Postfix's sendmail), and the
# helpers that read the sink, clamgate's log, its quarantine and its store.
# Expects $T, $TOP, $CLI, $PORT_IN, $PORT_DKIM.

DKIM_PID=""

# --- ports -------------------------------------------------------------------

# port_busy PORT - something listens on 127.0.0.1:PORT (or on all addresses)
port_busy() { ss -Hltn 2>/dev/null | awk '{ print $4 }' | grep -q -E "(^|:)$1\$"; }

# pick_base FIRST N - FIRST, or the next block of N ports none of which is
# in use (a concurrent suite of another scheme may hold some)
pick_base() {
	b=$1
	for _ in $(seq 1 50); do
		busy=0
		for p in $(seq "$b" $((b + $2 - 1))); do
			port_busy "$p" && { busy=1; break; }
		done
		[ "$busy" -eq 0 ] && { echo "$b"; return 0; }
		b=$((b + $2))
		[ $((b + $2)) -ge 32768 ] && b=21000
	done
	echo "$1"
}

# --- OpenDKIM ------------------------------------------------------------------

# dkim_setup - a key for outside.example (selector e2e), published to the
# verifier through TestPublicKeys (no DNS), and opendkim's configuration
dkim_setup() {
	mkdir -p "$T/dkim"
	# opendkim-testmsg signs rsa-sha1 only (2.11.0): the key must allow it
	opendkim-genkey -D "$T/dkim" -d outside.example -s e2e -b 2048 -h sha1:sha256 || return 1
	# e2e.txt is a zone-file line: e2e._domainkey IN TXT ( "v=DKIM1; ..." "p=..." )
	# TestPublicKeys wants "e2e._domainkey.outside.example KEY-DATA" (one line)
	data=$(sed -e 's/;.*-----.*//' "$T/dkim/e2e.txt" | tr -d '\n' |
		sed -e 's/^[^(]*(//' -e 's/).*$//' -e 's/"[[:space:]]*"//g' -e 's/"//g' \
			-e 's/[[:space:]]//g')
	printf 'e2e._domainkey.outside.example %s\n' "$data" > "$T/dkim/keys"
	cat > "$T/opendkim.conf" <<CONF
Mode			v
AuthservID		mx.test.example
TestPublicKeys		$T/dkim/keys
AlwaysAddARHeader	yes
Socket			inet:$PORT_DKIM@127.0.0.1
Background		no
Syslog			no
UMask			007
CONF
}

dkim_start() {
	opendkim -f -x "$T/opendkim.conf" > "$T/opendkim.log" 2>&1 &
	DKIM_PID=$!
	wait_for 10 port_busy "$PORT_DKIM"
}

dkim_stop() {
	[ -n "$DKIM_PID" ] || return 0
	kill -TERM "$DKIM_PID" 2>/dev/null
	wait_exit "$DKIM_PID" 10 || kill -KILL "$DKIM_PID" 2>/dev/null
	DKIM_PID=""
}

# dkim_sign IN OUT - OUT is IN with a DKIM-Signature of outside.example
# (relaxed/simple, rsa-sha1), made by OpenDKIM's own library
# (opendkim-testmsg, signing mode).  -C, then the CRs off: without -C,
# 2.11.0 removes the CRs of the folded header without ending the string
# again, and the last characters of b= come out twice (a broken
# signature); the body is left as it was read
dkim_sign() {
	opendkim-testmsg -C -t "$T" -d outside.example -k "$T/dkim/e2e.private" -s e2e \
		< "$1" | tr -d '\r' > "$2"
}

# --- messages ------------------------------------------------------------------

# mkmsg FILE FROM TO SUBJECT [HEADER...] - a plain message: From, To,
# Subject, Date, Message-ID (present before signing, so Postfix adds
# nothing a signature could cover; unless a HEADER is one), the extra
# header lines, a short body
mkmsg() {
	f=$1 from=$2 to=$3 subj=$4; shift 4
	{
		printf 'From: <%s>\nTo: <%s>\nSubject: %s\n' "$from" "$to" "$subj"
		printf 'Date: %s\n' "$(LC_ALL=C date -R)"
		case "$*" in
		*Message-ID:*) ;;
		*) printf 'Message-ID: <%s.%s@%s>\n' "$(echo "$subj" | tr -c 'a-zA-Z0-9\n' '-')" \
			"$$" "${from#*@}" ;;
		esac
		for h in "$@"; do printf '%s\n' "$h"; done
		printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n'
		printf 'Hello,\n\nthis is "%s", for the outbound gate test.\n' "$subj"
	} > "$f"
}

# send NAME FILE FROM TO [swaks args] - FILE as the whole DATA, from an
# outside client unless the args say else; transcript in $T/out/NAME
send() {
	name=$1 file=$2 from=$3 to=$4; shift 4
	mkdir -p "$T/out"
	swaks --server "127.0.0.1:$PORT_IN" --from "$from" --to "$to" \
		--data "@$file" --timeout 60 "$@" > "$T/out/$name" 2>&1
}

# submit FROM RCPT... < message - Postfix's sendmail(1), the local path
submit() {
	from=$1; shift
	sendmail -C "$T/etc" -f "$from" -- "$@"
}

# --- the sink ------------------------------------------------------------------

# sink_subject SUBJECT - the sink files whose own header says Subject: SUBJECT
sink_subject() {
	awk -v s="Subject: $1" 'FNR == 1 { h = 1 } h && /^\r?$/ { h = 0 }
		h && $0 == s { print FILENAME; nextfile }' "$T"/sink/* 2>/dev/null
}

# sink_to ADDR SUBJECT - the sink files for SUBJECT that went to ADDR
sink_to() {
	for _sf in $(sink_subject "$2"); do
		grep -q -i "^X-Rcpt-Args: <$1>" "$_sf" && echo "$_sf"
	done
}
has_sink_to() { [ -n "$(sink_to "$1" "$2")" ]; }
wait_sink_to() { wait_for "${3:-15}" has_sink_to "$1" "$2"; }

# rcpts FILE - the envelope recipients of a sink file, sorted, one a line
rcpts() { sed -n 's/^X-Rcpt-Args: <\([^>]*\)>.*/\1/p' "$1" | sort; }

# fields FILE - the header fields of a message (a sink file: the
# envelope lines first), unfolded, one a line
fields() {
	awk '/^\r?$/ { exit } /^[ \t]/ { sub(/^[ \t]+/, " "); f = f $0; next }
		{ if (f != "") print f; f = $0 } END { if (f != "") print f }' "$1"
}

# sink_header FILE NAME - the values of one header field, unfolded
sink_header() {
	fields "$1" | awk -v n="$2" 'BEGIN { n = tolower(n) ":" }
		tolower(substr($0, 1, length(n))) == n { sub(/^[^:]*:[ \t]*/, ""); print }'
}
# ar FILE - the Authentication-Results fields of a message, unfolded
ar() { sink_header "$1" Authentication-Results; }

# --- clamgate's log ------------------------------------------------------------

# cg_mark - remember where clamgate's log is; cg_new reads what came after
cg_mark() { CG_MARK=$(lines_with "$T/clamgate.log" ''); }
cg_new() { tail -n +$((CG_MARK + 1)) "$T/clamgate.log" | grep -E -- "$1"; }
has_cg_new() { [ -n "$(cg_new "$1")" ]; }
# wait_cg PATTERN [SECONDS] - until a line after the mark matches
wait_cg() { wait_for "${2:-15}" has_cg_new "$1"; }
# cg_line PATTERN - the last new line that matches (for the report)
cg_line() { cg_new "$1" | tail -n 1; }

# --- clamgate's quarantine and store --------------------------------------------

# q_json - every quarantine entry, one JSON object a line
q_json() { "$CLI" -c "$T/clamgate.conf" list --json 2>/dev/null; }
# q_outbound ADDR [KIND] - entries of the gate (action "outbound", virus
# "outbound/KIND") whose recipients include ADDR
q_outbound() {
	q_json | grep '"action": *"outbound"' | grep -i "\"recipients\": *\[[^]]*\"$1\"" |
		grep "\"virus\": *\"outbound/${2:-}"
}
has_q_outbound() { [ -n "$(q_outbound "$@")" ]; }
wait_q_outbound() { wait_for 10 has_q_outbound "$@"; }
q_count() { q_json | grep -c '"action": *"outbound"'; }

# store_has SQL-WHERE TABLE - the gate's store (SQLite, WAL: safe to read
# while clamgate writes) holds a row; used to wait out the writer thread
# (gate_writer.c writes every FLUSH_MS), never to judge the gate
# (its own variable names: wait_for's loop counter is $n)
store_has() {
	_rows=$(sqlite3 -readonly "$T/verified.db" "select count(*) from $2 where $1;" 2>/dev/null)
	[ "${_rows:-0}" -gt 0 ]
}
wait_contact() { wait_for 5 store_has "remote = '$1' and local = '$2'" contact; }
wait_verified() { wait_for 5 store_has "addr = '$1'" verified; }

# --- vacation --------------------------------------------------------------------

# vacation_setup - the reply text as vacation(1) suggests: From, Subject,
# Precedence: bulk, no Auto-Submitted ($SUBJECT: the original's subject)
vacation_setup() {
	mkdir -p "$T/local"
	cat > "$T/vacation.msg" <<'MSG'
From: Bob <bob@dest.example>
Subject: away [$SUBJECT]
Precedence: bulk

I am away until next week; your mail about "$SUBJECT" will be read then.
-- 
Bob
MSG
}

# vacation_deliver FILE - do what local(8) does with a "|vacation" in
# bob's .forward: the delivered message (a sink file; its envelope in the
# X-*-Args lines) with Return-Path and Delivered-To, piped into the real
# vacation.  vacation replies with "/usr/sbin/sendmail -f LOGIN -- SENDER"
# (no -oi; environment kept, so MAIL_CONFIG selects the private Postfix).
# LOGIN must be a passwd user: "nobody"; sender_canonical_maps makes its
# nobody@test.example (myorigin) bob@dest.example, as a site maps logins
# to addresses.  -j: no To/Cc check; -r 0: a reply to every message.
vacation_deliver() {
	sender=$(sed -n 's/^X-Mail-Args: <\([^>]*\)>.*/\1/p' "$1" | head -n 1)
	{
		printf 'Return-Path: <%s>\n' "$sender"
		printf 'Delivered-To: bob@dest.example\n'
		awk 'h == 0 && /^X-(Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args):/ { next }
			{ h = 1; print }' "$1"
	} > "$T/local/${1##*/}"
	MAIL_CONFIG=$T/etc vacation -d -j -r 0 -f "$T/vacation.db" -m "$T/vacation.msg" nobody \
		< "$T/local/${1##*/}" 2>> "$T/vacation.log"
}
