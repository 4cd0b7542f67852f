#!/bin/sh
# make run: start clamgate in the foreground on the embedded engine with
# the test signatures, on 127.0.0.1:7357, and say how to point Postfix at
# it.  Everything it writes stays under $DIR (default /tmp/clamgate-run).
set -eu
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
DIR=${DIR:-/tmp/clamgate-run}
SOCKET=${SOCKET:-inet:7357@127.0.0.1}
mkdir -p "$DIR/quarantine"
cat > "$DIR/clamgate.conf" <<CONF
# written by make run; see etc/clamgate.conf for every key
milter: { socket = "$SOCKET"; user = ""; };
scanner: { database = "$TOP/signatures-test"; temp_dir = "$DIR"; };
quarantine: { directory = "$DIR/quarantine"; };
CONF
port=${SOCKET#inet:}; port=${port%@*}
cat <<MSG
clamgate: configuration $DIR/clamgate.conf, quarantine $DIR/quarantine
clamgate: signatures from $TOP/signatures-test (EICAR and test markers only)

To filter a Postfix on this machine through it:
    postconf -e 'smtpd_milters = inet:127.0.0.1:$port' \\
                'non_smtpd_milters = inet:127.0.0.1:$port' \\
                'milter_default_action = tempfail'
    postfix reload
(docs/postfix.md explains each line.)  Stop clamgate with Ctrl-C.

MSG
exec "$TOP/$BUILD/clamgate" -f -c "$DIR/clamgate.conf"
