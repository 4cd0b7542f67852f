#!/bin/sh
# Install the Debian packages clamgate needs to build and test, if any is
# missing.  Needs root (or sudo) the first time.
set -e
PKGS="build-essential pkg-config libclamav-dev libmilter-dev libgmime-3.0-dev
      libconfig-dev check miltertest clamav"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
		|| missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $missing
