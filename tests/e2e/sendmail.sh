#!/bin/sh
# A smaller end-to-end matrix with a real Sendmail 8.17 beside Postfix.
# Debian's sendmail-bin conflicts with postfix as an installed package,
# so the test unpacks sendmail-bin, sendmail-cf and m4 from the Debian
# packages that tests/install-deps.sh fetched into $DEBS (dpkg -x) into a
# temp dir and runs the daemon from there on 127.0.0.1 with its own .cf,
# queue and pid file.
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
BASE=$((45000 + $$ % 10000))
PORT_SM=$BASE PORT_MILTER=$((BASE + 1))
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
INPUT_MAIL_FILTER(\`clamgate', \`S=inet:$PORT_MILTER@127.0.0.1, F=T, T=C:10s;S:10s;R:30s;E:1m')dnl
MAILER(\`smtp')dnl
MC
	"$R/usr/bin/m4" -D_CF_DIR_="$R/usr/share/sendmail/cf/" "$T/sm.mc" \
		> "$T/sendmail.cf" 2> "$T/m4.log"
}

sm_start() {
	"$R/usr/libexec/sendmail/sendmail" -C "$T/sendmail.cf" -bd > "$T/sendmail.out" 2>&1 \
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

printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' > "$T/eicar.com"
if ! sm_unpack; then
	bad "no Sendmail packages in $DEBS: run tests/install-deps.sh (make check does)"
	exit 1
fi
sm_config || { bad "m4 could not build sendmail.cf: $(cat "$T/m4.log")"; exit 1; }

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

cg_start
smtp msp --attach "$T/eicar.com"
check "Sendmail, loopback (MSP, trusted relay), EICAR: 250" replied msp "^250 2.0.0"
check "Sendmail, loopback, EICAR: quarantined" quarantined msp
check "Sendmail, loopback, EICAR: not queued" sh -c "! grep -q 'Subject: sm-msp' '$T'/mqueue/qf* 2>/dev/null"

cg_stop
smtp down --body "while clamgate is down"
check "Sendmail F=T, clamgate not running: 4xx" replied down "^4[0-9][0-9] 4"

check "Sendmail invariant: no bounce (MAILER-DAEMON) in its queue" \
	sh -c "! grep -q '^S<>\|^SMAILER-DAEMON' '$T'/mqueue/qf* 2>/dev/null"
exit $FAILED
