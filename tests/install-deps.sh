#!/bin/sh
# Install the Debian packages clamgate needs to build and test, if any is
# missing.  Needs root (or sudo) the first time.
set -e
PKGS="build-essential pkg-config libclamav-dev libmilter-dev libgmime-3.0-dev
      libconfig-dev check miltertest clamav clamav-daemon postfix swaks libwrap0 bc
      zlib1g-dev clamav-testfiles python3 clang strace libsqlite3-dev
      libpsl-dev publicsuffix opendkim opendkim-tools vacation sqlite3
      python3-gi gir1.2-gmime-3.0 libmicrohttpd-dev prometheus curl jq
      libpq-dev postgresql util-linux hostname"
# zlib1g-dev: the scanner's canary messages (zip archives), and the
# benchmark's corpus generator
# clamav-testfiles: real malware test files in 44 formats, for the
# detection suite; python3: that suite's message generator and client
# clang: the fuzz targets (libFuzzer) and make check-clang
# strace: tests/e2e/faults.sh kills clamgate at an exact system call
# libsqlite3-dev, libpsl-dev, publicsuffix: the outbound gate's
# verified-sender store and organisational domains; opendkim,
# opendkim-tools, vacation: its end-to-end test (a real DKIM verifier
# milter and a real autoresponder; the tests run private instances;
# sqlite3 reads the store back)
# python3-gi, gir1.2-gmime-3.0: the evasion generator (tests/evasion)
# keeps a MIME shape only where GMime or Python's email really decodes
# the attachment
# libmicrohttpd-dev: the metrics endpoint; prometheus (with promtool),
# curl, jq: its test scrapes clamgate with a private Prometheus on
# 127.0.0.1 and reads the counts back from its query API (the package's
# own service is not started: there is no systemd in a test machine, and
# with one the test's ports differ from its 9090)
# libpq-dev, postgresql: the shared store (outbound.store_backend =
# "postgresql"); its test runs a private cluster of Debian's server in a
# temporary directory, as the postgres user, on a unix socket only;
# util-linux (unshare) and hostname: the shared quarantine's test gives
# each daemon a host name of its own (a UTS namespace)
# libwrap0: the end-to-end tests run Sendmail unpacked from its Debian
# package (it cannot be installed beside Postfix); its daemon needs it
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
		|| missing="$missing $p"
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
# Sendmail for the end-to-end tests, unpacked there (it cannot be
# installed beside Postfix): fetched here, so the tests themselves never
# leave 127.0.0.1
DEBS=/var/cache/clamgate-tests/debs
fetch_sendmail() {
	ls "$DEBS"/sendmail-bin_*.deb "$DEBS"/sendmail-cf_*.deb "$DEBS"/m4_*.deb \
		>/dev/null 2>&1 && return 0
	$SUDO mkdir -p "$DEBS"
	id _apt >/dev/null 2>&1 && $SUDO chown _apt "$DEBS"
	(cd "$DEBS" && $SUDO apt-get download sendmail-bin sendmail-cf m4)
}
if [ -z "$missing" ]; then
	fetch_sendmail
	exit 0
fi
echo "installing:$missing"
# postfix: install it unconfigured; the tests run a private instance and
# never touch the system's own configuration
echo 'postfix postfix/main_mailer_type select No configuration' \
	| $SUDO debconf-set-selections
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $missing
fetch_sendmail
