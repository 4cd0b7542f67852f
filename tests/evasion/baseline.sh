#!/bin/sh
# The baseline of issue 18: what libclamav alone makes of the evasion
# messages.  Writes them (tests/evasion/gen.py) into a temporary
# directory and runs Debian's clamscan, stock limits, with the test
# signatures over each; prints "NAME EXPECT DECODERS CLAMSCAN" where
# CLAMSCAN is "found" or "missed" ("missed" on a reject line is a case
# the second view must catch; "found" on an accept line is a false
# positive of libclamav itself).
#
# usage: tests/evasion/baseline.sh [slice|full]
set -eu
MODE=${1:-slice}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/clamgate-evasion.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' > "$T/eicar.com"
clamscan --no-summary -d "$TOP/signatures-test" "$T/eicar.com" /usr/share/clamav-testfiles/* \
	| grep -v ' FOUND$' >&2 && { echo "clamscan misses a plain sample" >&2; exit 1; }
python3 "$TOP/tests/evasion/gen.py" "$T/m" /usr/share/clamav-testfiles "$T/eicar.com" "$MODE"
cd "$T/m"
awk '{ print $1 ".eml" }' manifest | xargs clamscan --no-summary -d "$TOP/signatures-test" \
	> "$T/scan" 2>/dev/null || true
awk 'FILENAME == ARGV[1] { want[$1] = $2; next }
     FILENAME == ARGV[2] { dec[$1] = $3; next }
     { n = $1; sub(/\.eml:$/, "", n); r = ($NF == "FOUND") ? "found" : "missed"
       print n, want[n], dec[n], r }' manifest evasion.decoders "$T/scan" | sort -k1,1
