#!/bin/sh
# The layering rules of docs/design.md, checked on the code and on what
# the programs link:
#   - clamgate-quarantine links no scanning engine, no libmilter, no zlib;
#   - common and CLI code include (directly or through a header) no
#     daemon module and no engine, milter or zlib header;
#   - the policy is pure: no I/O, no logging, no threads, no session,
#     whatever its headers bring in;
#   - the scanner backends know nothing of the milter;
#   - gmime and GLib are used in mime.c, token.c, notice.c and
#     mimeview.c only;
#   - every .c file is in one of src/common, src/daemon, src/cli.
# usage: tests/cli/layers.sh BUILD_DIR
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/lib.sh"
cd "$TOP" || exit 1
section_ok() { [ "$NBAD" -eq 0 ] && good "$1"; NBAD=0; }

# needed BINARY - its NEEDED libraries
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
for b in clamgate clamgate-quarantine; do
	[ -x "$BUILD/$b" ] || bad "$BUILD/$b is not built"
done
if [ -x "$BUILD/clamgate-quarantine" ]; then
	cli_libs=$(needed "$BUILD/clamgate-quarantine")
	if printf '%s\n' "$cli_libs" | grep -q -E 'libclamav|libmilter|libz\.'; then
		bad "clamgate-quarantine links the engine, libmilter or zlib: $(echo $cli_libs)"
	else
		good "clamgate-quarantine links no libclamav, libmilter or zlib ($(echo $cli_libs))"
	fi
fi
if [ -x "$BUILD/clamgate" ]; then
	daemon_libs=$(needed "$BUILD/clamgate")
	printf '%s\n' "$daemon_libs" | grep -q libclamav && good "clamgate links libclamav" \
		|| bad "clamgate does not link libclamav: $(echo $daemon_libs)"
fi

# includes FILE - every header FILE includes, directly or through the
# project's headers (include/clamgate, src/common)
includes() {
	todo=$1 seen=""
	while [ -n "$todo" ]; do
		set -- $todo; f=$1; shift; todo="$*"
		for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]\([^>"]*\)[>"].*/\1/p' "$f"); do
			case " $seen " in *" $h "*) continue ;; esac
			seen="$seen $h"
			for dir in include src/common; do
				[ -f "$dir/$h" ] && todo="$todo $dir/$h"
			done
		done
	done
	echo $seen
}

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

for f in src/daemon/policy.c src/daemon/outbound.c; do
	for h in $(includes "$f"); do
		case $h in
		stdio.h|unistd.h|fcntl.h|pthread.h|syslog.h|sys/stat.h|sys/statvfs.h|poll.h|\
		clamgate/log.h|clamgate/session.h|clamgate/vstore.h|clamgate/gate.h|libmilter/*)
			bad "$f includes $h: the policy must be pure" ;;
		esac
	done
done
section_ok "policy.c and outbound.c: no I/O, logging, threads, store or session, through any header"

for f in src/daemon/scan*.c src/daemon/canary.c; do
	for h in $(includes "$f"); do
		case $h in libmilter/*|clamgate/milter.h|clamgate/session.h|clamgate/act.h|clamgate/pass.h)
			bad "$f includes $h: a backend knows no milter" ;;
		esac
	done
done
section_ok "the scanner backends include nothing of the milter"

glib=$(grep -l -P '#include <(glib|gmime)|(?<![A-Za-z0-9_])g_[a-z]+\(' src/*/*.c | sort | tr '\n' ' ')
[ "$glib" = "src/common/mime.c src/common/token.c src/daemon/mimeview.c src/daemon/notice.c " ] \
	&& good "gmime and GLib only in mime.c, token.c, notice.c and mimeview.c" \
	|| bad "gmime or GLib used in: $glib"

stray=$(ls src/*.c 2>/dev/null)
[ -z "$stray" ] && good "every source file is in src/common, src/daemon or src/cli" \
	|| bad "source files outside the three directories: $stray"
exit $FAILED
