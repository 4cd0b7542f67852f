#!/bin/sh
# The layering rules of docs/design.md, checked on the code and on what
# the programs link:
#   - clamgate-quarantine links no scanning engine and no libmilter;
#   - common and CLI code include no daemon module and no engine, milter
#     or zlib header (src/common is compiled without their flags);
#   - the policy is pure: no I/O, no logging, no threads;
#   - the scanner backends know nothing of the milter;
#   - gmime and GLib are used in mime.c, token.c and notice.c only;
#   - every .c file is in one of src/common, src/daemon, src/cli.
# usage: tests/cli/layers.sh BUILD_DIR
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/lib.sh"
cd "$TOP" || exit 1
# section_ok NAME - ok, unless the checks since the last one found something
section_ok() { [ "$NBAD" -eq 0 ] && good "$1"; NBAD=0; }

needed=$(readelf -d "$BUILD/clamgate-quarantine" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
if printf '%s\n' "$needed" | grep -q -E 'libclamav|libmilter'; then
	bad "clamgate-quarantine links the engine or libmilter: $(echo $needed)"
else
	good "clamgate-quarantine links neither libclamav nor libmilter ($(echo $needed))"
fi
printf '%s\n' "$(readelf -d "$BUILD/clamgate" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')" \
	| grep -q libclamav && good "clamgate links libclamav" || bad "clamgate does not link libclamav?"

# includes FILE... - the clamgate headers and system headers they include
includes() { sed -n 's/^#include [<"]\(.*\)[>"]$/\1/p' "$@"; }
NBAD=0
daemon_mods=$(ls src/daemon/*.c | sed 's|src/daemon/\(.*\)\.c|clamgate/\1.h|')
for f in src/common/*.c src/common/*.h src/cli/*.c; do
	for h in $(includes "$f"); do
		case " $(echo $daemon_mods) " in *" $h "*)
			bad "$f includes $h, a daemon module"; continue ;; esac
		case $h in clamav.h|libmilter/*|zlib.h) bad "$f includes $h" ;; esac
	done
done
section_ok "common and CLI code include no daemon module, engine, milter or zlib header"

for h in $(includes src/daemon/policy.c); do
	case $h in
	stdio.h|unistd.h|fcntl.h|pthread.h|syslog.h|sys/*|clamgate/log.h|clamgate/session.h)
		bad "policy.c includes $h: the policy must be pure" ;;
	esac
done
section_ok "policy.c: no I/O, logging, threads or session"

for f in src/daemon/scan*.c src/daemon/canary.c; do
	for h in $(includes "$f"); do
		case $h in libmilter/*|clamgate/milter.h|clamgate/session.h|clamgate/act.h|clamgate/pass.h)
			bad "$f includes $h: a backend knows no milter" ;;
		esac
	done
done
section_ok "the scanner backends include nothing of the milter"

glib=$(grep -l -P '#include <(glib|gmime)|(?<![A-Za-z0-9_])g_[a-z]+\(' src/*/*.c | sort | tr '\n' ' ')
[ "$glib" = "src/common/mime.c src/common/token.c src/daemon/notice.c " ] \
	&& good "gmime and GLib only in mime.c, token.c and notice.c" \
	|| bad "gmime or GLib used in: $glib"

stray=$(ls src/*.c 2>/dev/null)
[ -z "$stray" ] && good "every source file is in src/common, src/daemon or src/cli" \
	|| bad "source files outside the three directories: $stray"
exit $FAILED
