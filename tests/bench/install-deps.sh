#!/bin/sh
# The benchmark's packages beyond the tests' own: the peer it is
# measured against (Debian's clamav-milter, beside clamav-daemon from
# the tests' list).
# Only make bench and make bench-quick install these; make check does
# not need them.  Needs root (or sudo) the first time.
set -e
sh "$(dirname "$0")/../install-deps.sh"
PKGS="clamav-milter"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
		|| missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "installing:$missing"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $missing
