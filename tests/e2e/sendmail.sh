#!/bin/sh
# A smaller end-to-end matrix with a real Sendmail 8.17 beside Postfix.
# Debian's sendmail-bin conflicts with postfix as an installed package,
# so the test unpacks sendmail-bin, sendmail-cf and m4 from the Debian
# packages that tests/install-deps.sh fetched into $DEBS (dpkg -x) into a
# temp dir and runs the daemon from there on 127.0.0.1 with its own .cf,
# queue and pid file.
# It also builds an MSP (submit.cf, as Debian does) and releases
# quarantined mail through it.
# Accepted mail stays queued (DeliveryMode=deferred): the test reads
# Sendmail's queue, so nothing depends on onward delivery or DNS.
#
# usage: tests/e2e/sendmail.sh BUILD_DIR     (as root)
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$TOP/$BUILD/clamgate
T=$(mktemp -d /tmp/clamgate-sendmail.XXXXXX)
chmod 755 "$T"
R=$T/root
DEBS=${DEBS:-/var/cache/clamgate-tests/debs}
BASE=$((27000 + $$ % 500 * 4)) # below the ephemeral ports (32768-)
PORT_SM=$BASE PORT_MILTER=$((BASE + 1)) PORT_MX=$((BASE + 2))
SM_PID=""
. "$TOP/tests/e2e/common.sh"

cleanup() {
	cg_stop
	[ -n "$SM_PID" ] && kill -TERM "$SM_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

# sm_unpack - sendmail-bin, sendmail-cf and m4 from Debian, unpacked
sm_unpack() {
	mkdir -p "$R"
	for p in sendmail-bin sendmail-cf m4; do
		d=$(ls "$DEBS"/${p}_*.deb 2>/dev/null | tail -n 1)
		[ -n "$d" ] && dpkg -x "$d" "$R" || return 1
	done
	[ -x "$R/usr/libexec/sendmail/sendmail" ]
}

# sm_wrap - $T/sm runs Sendmail in a mount namespace of its own, where
# /etc/hosts names this host with a domain and the resolver reads only
# files.  Sendmail looks up its own host name before it reads its .cf;
# unqualified, that is a DNS query and a 60 s "sleeping for retry" at
# every start, daemon and MSP alike.  The system's files are untouched.
# Without namespaces (unshare fails) it runs Sendmail as it is, slowly.
sm_wrap() {
	printf '127.0.0.1 %s.test.example %s localhost\n::1 localhost\n' \
		"$(hostname)" "$(hostname)" > "$T/hosts"
	printf 'passwd: files\ngroup: files\nhosts: files\n' > "$T/nsswitch.conf"
	if unshare -m sh -c "mount --bind '$T/hosts' /etc/hosts" 2> /dev/null; then
		cat > "$T/sm" <<SH
#!/bin/sh
exec unshare -m sh -c 'mount --bind "$T/hosts" /etc/hosts &&
	mount --bind "$T/nsswitch.conf" /etc/nsswitch.conf &&
	exec "$R/usr/libexec/sendmail/sendmail" "\$@"' sendmail "\$@"
SH
	else
		printf '#!/bin/sh\nexec "%s" "$@"\n' "$R/usr/libexec/sendmail/sendmail" > "$T/sm"
	fi
	chmod 755 "$T/sm"
}

# sm_config - a .mc with the milter (F=T: tempfail if it is down)
sm_config() {
	mkdir -p "$T/mqueue"
	chmod 700 "$T/mqueue"
	printf 'hosts files\naliases files\n' > "$T/service.switch"
	cat > "$T/sm.mc" <<MC
include(\`$R/usr/share/sendmail/cf/m4/cf.m4')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`mx.test.example')dnl
define(\`QUEUE_DIR', \`$T/mqueue')dnl
define(\`confPID_FILE', \`$T/sendmail.pid')dnl
define(\`ALIAS_FILE', \`')dnl
define(\`STATUS_FILE', \`$T/statistics')dnl
define(\`HELP_FILE', \`')dnl
define(\`confHOST_STATUS_DIRECTORY', \`')dnl
define(\`confSERVICE_SWITCH_FILE', \`$T/service.switch')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confDELIVERY_MODE', \`deferred')dnl
FEATURE(\`no_default_msa')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`promiscuous_relay')dnl
FEATURE(\`accept_unresolvable_domains')dnl
DAEMON_OPTIONS(\`Family=inet, Name=MTA-v4, Port=$PORT_SM, Addr=127.0.0.1')dnl
DAEMON_OPTIONS(\`Family=inet, Name=MX-in, Port=$PORT_MX, Addr=127.0.0.1')dnl
INPUT_MAIL_FILTER(\`clamgate', \`S=inet:$PORT_MILTER@127.0.0.1, F=T, T=C:10s;S:10s;R:30s;E:1m')dnl
MAILER(\`smtp')dnl
MC
	"$R/usr/bin/m4" -D_CF_DIR_="$R/usr/share/sendmail/cf/" "$T/sm.mc" \
		> "$T/sendmail.cf" 2> "$T/m4.log"
}

# sm_msp_config - the MSP as Debian's sendmail-cf builds it (its
# submit.mc: FEATURE(`msp', `[127.0.0.1]', `25')), relaying to our
# MTA-v4 listener.  An MSP must not run as root; without Debian's smmsp
# user on a test machine it runs as nobody, which owns its queue
sm_msp_config() {
	mkdir -p "$T/clientmqueue"
	chown nobody:nogroup "$T/clientmqueue"
	chmod 700 "$T/clientmqueue"
	cat > "$T/submit.mc" <<MC
include(\`$R/usr/share/sendmail/cf/m4/cf.m4')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`mx.test.example')dnl
define(\`MSP_QUEUE_DIR', \`$T/clientmqueue')dnl
define(\`confPID_FILE', \`$T/sm-client.pid')dnl
define(\`STATUS_FILE', \`$T/sm-client.st')dnl
define(\`confRUN_AS_USER', \`nobody:nogroup')dnl
define(\`confSERVICE_SWITCH_FILE', \`$T/service.switch')dnl
define(\`RELAY_MAILER_ARGS', \`TCP \$h $PORT_SM')dnl
DAEMON_OPTIONS(\`Family=inet, Name=NoMTA4, Addr=127.0.0.1, M=E')dnl
FEATURE(\`msp', \`[127.0.0.1]', \`$PORT_SM')dnl
MC
	"$R/usr/bin/m4" -D_CF_DIR_="$R/usr/share/sendmail/cf/" "$T/submit.mc" \
		> "$T/submit.cf" 2> "$T/m4-msp.log" || return 1
	# quarantine.sendmail: keeps a copy of what it is given (the test
	# replays it), then hands it to the MSP, unless $T/capture-only exists
	cat > "$T/msp-sendmail" <<SH
#!/bin/sh
mkdir -p "$T/submitted"
f=\$(mktemp "$T/submitted/m.XXXXXX")
cat > "\$f"
[ -e "$T/capture-only" ] && exit 0
exec "$T/sm" -C "$T/submit.cf" "\$@" < "\$f"
SH
	chmod 755 "$T/msp-sendmail"
}

# msp FILE - submit FILE through the MSP, as a local program would
msp() {
	"$T/sm" -C "$T/submit.cf" -i -f forged@victim.example \
		-- user@dest.example < "$1" >> "$T/msp.out" 2>&1
}

sm_start() {
	"$T/sm" -C "$T/sendmail.cf" -bd > "$T/sendmail.out" 2>&1 \
		|| return 1
	for _ in $(seq 1 50); do
		[ -s "$T/sendmail.pid" ] && SM_PID=$(head -n 1 "$T/sendmail.pid") && return 0
		sleep 0.1
	done
	return 1
}

# sm_queue - sender and subject of each queued message
sm_queue() { cat "$T"/mqueue/qf* 2>/dev/null | grep -E '^(S|H\?\?Subject:)' ; }

smtp() {
	name=$1; shift
	mkdir -p "$T/out"
	swaks --server "127.0.0.1:$PORT_SM" --from forged@victim.example \
		--to user@dest.example --header "Subject: sm-$name" --timeout 60 "$@" \
		> "$T/out/$name" 2>&1
}

queued() { sm_queue | grep -q "Subject: sm-$1\$"; }
quarantined() { grep -l -s "^Subject: sm-$1" "$T"/q/*.eml | grep -q .; }
# nq NAME - how many quarantine entries; nqf NAME - how many queue files
nq() { grep -l -s "^Subject: sm-$1[[:space:]]*$" "$T"/q/*.eml | wc -l; }
nqf() { grep -l -s "^H??Subject: sm-$1\$" "$T"/mqueue/qf* | wc -l; }
nq_is() { [ "$(nq "$1")" -eq "$2" ]; }
nqf_is() { [ "$(nqf "$1")" -eq "$2" ]; }
# qf NAME - the queue file of the message
qf() { grep -l -s "^H??Subject: sm-$1\$" "$T"/mqueue/qf* | head -n 1; }

# mkmsg NAME - a message with EICAR attached, as a local program writes it
mkmsg() {
	printf 'From: <forged@victim.example>\nTo: <user@dest.example>\n'
	printf 'Subject: sm-%s\nMessage-ID: <%s.%s@test.example>\n' "$1" "$1" "$$"
	printf 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b1"\n\n'
	printf -- '--b1\nContent-Type: text/plain\n\nsee the attachment\n--b1\n'
	printf 'Content-Type: application/octet-stream; name="eicar.com"\n'
	printf 'Content-Transfer-Encoding: base64\n\n'
	base64 < "$T/eicar.com"
	printf -- '--b1--\n'
}

# release NAME - clamgate-quarantine release of the message's entry
release() {
	id=$(basename "$(grep -l -s "^Subject: sm-$1[[:space:]]*$" "$T"/q/*.eml | head -n 1)" .eml)
	"$TOP/$BUILD/clamgate-quarantine" -c "$T/clamgate.conf" release "$id" \
		> "$T/out/release-$1" 2>&1
}

# submitted NAME - the copy of the release the MSP was given
submitted() { grep -l -s "^Subject: sm-$1[[:space:]]*$" "$T"/submitted/* | head -n 1; }

printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' > "$T/eicar.com"
if ! sm_unpack; then
	bad "no Sendmail packages in $DEBS: run tests/install-deps.sh (make check does)"
	exit 1
fi
sm_config || { bad "m4 could not build sendmail.cf: $(cat "$T/m4.log")"; exit 1; }
sm_wrap

# Sendmail has no XCLIENT: every test client is 127.0.0.1.  Loopback out
# of trusted_relays plays an outside client; the default plays the MSP.
cg_start 'trusted_relays = [ ];'
sm_start || { bad "Sendmail did not start: $(cat "$T/sendmail.out")"; exit 1; }

smtp clean --body "clean body"
check "Sendmail, clean: 250 accepted" replied clean "^250 2.0.0 .* Message accepted for delivery"
check "Sendmail, clean: queued for delivery" queued clean
grep -q '^H?.*?X-Virus-Status: Clean$' "$T"/mqueue/qf* && good "Sendmail, clean: X-Virus-Status: Clean added" \
	|| bad "Sendmail, clean: no X-Virus-Status header in the queue file"

smtp eicar --attach "$T/eicar.com"
check "Sendmail, outside client, EICAR: 554 5.7.1 reaches the client" \
	replied eicar "^554 5.7.1 Virus Clamgate.Test.EICAR.UNOFFICIAL found; message rejected"
check "Sendmail, outside client, EICAR: not queued" sh -c "! grep -q 'Subject: sm-eicar' '$T'/mqueue/qf* 2>/dev/null"

# with a notice over SMTP to Sendmail itself (notify.smtp): Sendmail
# refuses an unqualified MAIL FROM, so clamgate qualifies notify.from
CG_EXTRA="notify: { admin = [ \"admin@dest.example\" ]; from = \"clamgate\";
  smtp = \"inet:$PORT_SM@127.0.0.1\"; };"
cg_start
smtp msp --attach "$T/eicar.com"
check "Sendmail, loopback (MSP, trusted relay), EICAR: 250" replied msp "^250 2.0.0"
check "Sendmail, loopback, EICAR: quarantined" quarantined msp
check "Sendmail, loopback, EICAR: not queued" sh -c "! grep -q 'Subject: sm-msp' '$T'/mqueue/qf* 2>/dev/null"
notice_queued() {
	grep -l -s '^H.*Subject: \[clamgate\]' "$T"/mqueue/qf* | xargs -r grep -l '^S<clamgate@' | grep -q .
}
check "Sendmail, notify.smtp: Sendmail took the notice, from a qualified sender" wait_for 15 notice_queued
check "Sendmail, notify.smtp: the notice came back as our own" \
	wait_log_line "verdict=notice .*reason=own-notice"
CG_EXTRA=

# --- release through Sendmail's MSP ------------------------------------------
# /usr/sbin/sendmail on a Sendmail host is the MSP: it relays over SMTP
# from 127.0.0.1 to the MTA-v4 listener, where clamgate honours a token
# (policy.release_daemons); tokens count on no other listener.
sm_msp_config || { bad "m4 could not build submit.cf: $(cat "$T/m4-msp.log")"; exit 1; }
CG_QUARANTINE="sendmail = \"$T/msp-sendmail\";"
cg_start
mkmsg rel > "$T/rel.eml"
msp "$T/rel.eml"
wait_for 15 nq_is rel 1 && good "Sendmail MSP, EICAR from a local program: quarantined" \
	|| bad "Sendmail MSP, EICAR from a local program: not quarantined: $(tail -n 5 "$T/msp.out")"
check "Sendmail MSP, EICAR: not queued" nqf_is rel 0
release rel
check "release: clamgate-quarantine hands the message to the MSP" \
	grep -q "released to <user@dest.example>" "$T/out/release-rel"
if wait_for 15 nqf_is rel 1; then
	f=$(qf rel)
	good "release: queued once at the MTA, though the signature still fires"
	check "release: the original sender and recipient" \
		sh -c "grep -q '^S<forged@victim.example>' '$f' && grep -q '^R.*<user@dest.example>' '$f'"
	check "release: marked Released from quarantine" \
		grep -q '^H??X-Virus-Status: Released from quarantine$' "$f"
	check "release: the token header does not reach the recipient" \
		sh -c "! grep -q 'X-Clamgate-Release' '$f'"
else
	bad "release: not queued at the MTA ($(tail -n 3 "$T/clamgate.log"))"
fi
check "release: not quarantined a second time" nq_is rel 1
sub=$(submitted rel)
msp "${sub:-/dev/null}"
check "the same release through the MSP again: quarantined again" wait_for 15 nq_is rel 2
check "the same release again: not queued twice" nqf_is rel 1
check "the second use is logged as such" \
	wait_log_line "X-Clamgate-Release not honoured, the message is scanned: used before"

# a token that was never used, on the same content, from a client on
# another listener: rejected as any infected mail; then through the MSP
# the same token still releases (it was the path, not the token)
mkmsg out > "$T/out.eml"
msp "$T/out.eml"
check "Sendmail MSP, second EICAR message: quarantined" wait_for 15 nq_is out 1
touch "$T/capture-only"
release out
rm -f "$T/capture-only"
cap=$(submitted out)
check "release of the second message: captured, not submitted" test -n "$cap"
cg_start 'trusted_relays = [ ];'
swaks --server "127.0.0.1:$PORT_MX" --from forged@victim.example --to user@dest.example \
	--data "${cap:-/dev/null}" --timeout 60 > "$T/out/outside" 2>&1
check "the token from a client on another listener: 554 5.7.1 reaches the client" \
	replied outside "^554 5.7.1 Virus Clamgate.Test.EICAR.UNOFFICIAL found"
check "... logged as not from the local submission program" \
	wait_log_line "not honoured, the message is scanned: it came from an SMTP client"
check "... not queued" nqf_is out 0
msp "${cap:-/dev/null}"
if wait_for 15 nqf_is out 1; then
	good "the same unused token through the MSP: queued once"
	check "... marked Released from quarantine" \
		grep -q '^H??X-Virus-Status: Released from quarantine$' "$(qf out)"
else
	bad "the same unused token through the MSP: not queued"
fi
check "the MSP's own queue is empty (nothing deferred, no bounce)" \
	sh -c "! ls '$T'/clientmqueue/qf* > /dev/null 2>&1"
CG_QUARANTINE=""

cg_stop
smtp down --body "while clamgate is down"
check "Sendmail F=T, clamgate not running: 4xx" replied down "^4[0-9][0-9] 4"

check "Sendmail invariant: no bounce (MAILER-DAEMON) in its queue" \
	sh -c "! grep -q '^S<>\|^SMAILER-DAEMON' '$T'/mqueue/qf* 2>/dev/null"
exit $FAILED
