#!/bin/sh
# make install into a DESTDIR: the tree is complete, the installed binary
# checks the installed configuration, a second install keeps a changed
# configuration, and the systemd unit is valid.
# usage: tests/cli/install.sh BUILD_DIR
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/lib.sh"
D=$(mktemp -d /tmp/clamgate-install.XXXXXX)
trap 'rm -rf "$D"' EXIT INT TERM

make -s -C "$TOP" BUILD="$BUILD" install DESTDIR="$D" PREFIX=/usr > "$D.log" 2>&1 \
	&& good "make install DESTDIR=... PREFIX=/usr" || bad "make install: $(cat "$D.log")"
for f in usr/sbin/clamgate usr/sbin/clamgate-quarantine usr/share/man/man8/clamgate-quarantine.8 \
	etc/clamgate/clamgate.conf usr/share/man/man8/clamgate.8 \
	usr/share/man/man5/clamgate.conf.5 usr/lib/systemd/system/clamgate.service \
	etc/clamgate/outbound-markers etc/clamgate/outbound-subjects \
	usr/share/clamgate/clamgate-alerts.yml; do
	[ -s "$D/$f" ] && good "installed $f" || bad "missing $f"
done
[ -x "$D/usr/sbin/clamgate" ] && good "clamgate is executable" || bad "clamgate not executable"
[ "$(stat -c %a "$D/etc/clamgate/clamgate.conf")" = 644 ] && good "config mode 0644" \
	|| bad "config mode $(stat -c %a "$D/etc/clamgate/clamgate.conf")"

# the installed config as shipped: it parses; only the database is missing here
out=$("$D/usr/sbin/clamgate" -t -c "$D/etc/clamgate/clamgate.conf" 2>&1)
if printf '%s' "$out" | grep -q "configuration OK"; then
	good "installed binary: -t on the installed configuration"
elif printf '%s' "$out" | grep -q "^$D/etc/clamgate/clamgate.conf: scanner.database: cannot load signatures from /var/lib/clamav"; then
	good "installed binary: -t parses the installed configuration (no ClamAV database on this machine)"
elif printf '%s' "$out" | grep -q "$D/etc/clamgate/clamgate.conf: milter.user: no such user \"clamgate\""; then
	good "installed binary: -t parses the installed configuration (no user clamgate on this machine)"
else
	bad "installed -t: $out"
fi
# the shipped file sets nothing: every key is a commented-out default
grep -q -E '^[[:space:]]*[a-z_]+ = ' "$D/etc/clamgate/clamgate.conf" \
	&& bad "the shipped configuration sets a key: $(grep -E '^[[:space:]]*[a-z_]+ = ' "$D/etc/clamgate/clamgate.conf")" \
	|| good "the shipped configuration leaves every key at its default"
# pointed at the test signatures, -t passes; a reinstall keeps the change
sed -i -e "s|# database = \"/var/lib/clamav\";|database = \"$TOP/signatures-test\";|" \
	-e 's|# user = "clamgate";|user = "";|' \
	-e "s|# temp_dir = \"/var/lib/clamgate/tmp\";|temp_dir = \"$D\";|" "$D/etc/clamgate/clamgate.conf"
out=$("$D/usr/sbin/clamgate" -t -c "$D/etc/clamgate/clamgate.conf" 2>&1)
printf '%s' "$out" | grep -q "^configuration OK" && good "installed binary: configuration OK" \
	|| bad "installed -t with test signatures: $out"
make -s -C "$TOP" BUILD="$BUILD" install DESTDIR="$D" PREFIX=/usr > "$D.log" 2>&1
grep -q "$TOP/signatures-test" "$D/etc/clamgate/clamgate.conf" \
	&& grep -q "keeping existing" "$D.log" \
	&& good "a second make install keeps the existing configuration" \
	|| bad "reinstall overwrote the configuration"
rm -f "$D.log"
# the outbound gate on: the installed catalogues are found next to the
# installed configuration (relative names), and -t opens the store
sed -i -e 's|# mode = "off";|mode = "on";|' \
	-e "s|# store = \"/var/lib/clamgate/verified.db\";|store = \"$D/verified.db\";|" \
	"$D/etc/clamgate/clamgate.conf"
out=$("$D/usr/sbin/clamgate" -t -c "$D/etc/clamgate/clamgate.conf" 2>&1)
printf '%s' "$out" | grep -q "^configuration OK" && [ -s "$D/verified.db" ] \
	&& good "outbound gate on: -t loads the installed catalogues and creates the store" \
	|| bad "outbound gate on, -t: $out"
printf '%s' "$out" | grep -q "trusted_authserv_ids is empty" \
	&& good "outbound gate on: -t warns that nobody can be verified" \
	|| bad "outbound gate on, -t: no warning about trusted_authserv_ids: $out"
echo "challenge X-Broken" >> "$D/etc/clamgate/outbound-markers"
out=$("$D/usr/sbin/clamgate" -t -c "$D/etc/clamgate/clamgate.conf" 2>&1)
printf '%s' "$out" | grep -q "$D/etc/clamgate/outbound-markers:[0-9]*:" \
	&& good "a broken catalogue line: -t names the file and line" \
	|| bad "broken catalogue, -t: $out"

unit=$D/usr/lib/systemd/system/clamgate.service
grep -q '^StateDirectory=clamgate clamgate/tmp$' "$unit" \
	&& good "unit makes scanner.temp_dir, clamgate's own" || bad "unit: no StateDirectory for temp_dir"
grep -q '^ExecStart=/usr/sbin/clamgate -f -c /etc/clamgate/clamgate.conf$' "$unit" \
	&& grep -q '^User=clamgate$' "$unit" && grep -q '^Restart=on-failure$' "$unit" \
	&& grep -q '^RuntimeDirectory=clamgate$' "$unit" \
	&& good "unit runs clamgate -f as user clamgate, restarts on failure" || bad "unit content"
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$D/check"
	sed -e "s|/usr/sbin/clamgate|$D/usr/sbin/clamgate|" -e 's|/bin/kill|/usr/bin/kill|' \
		"$unit" > "$D/check/clamgate.service"
	out=$(cd "$D/check" && systemd-analyze --man=no verify ./clamgate.service 2>&1)
	[ -z "$out" ] && good "systemd-analyze verify: unit is valid" || bad "systemd-analyze: $out"
fi
exit $FAILED
