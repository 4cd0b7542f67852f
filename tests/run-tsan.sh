#!/bin/sh
# make check-tsan: the suites where clamgate's threads work at once (the
# milter protocol, the clamd backend, end to end through Postfix, the
# outbound gate's writer and lookups through Postfix, the metrics read
# by Prometheus while mail flows, the shared PostgreSQL store) against
# a ThreadSanitizer build; each suite fails on a finding in a daemon's log
# (sanitizer_check in tests/lib.sh).  Prints "N passed, N failed".
# usage: tests/run-tsan.sh BUILD_DIR     (as root, for the end-to-end part)
set -u
BUILD=${1:-build-tsan}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
LOG=$(mktemp /tmp/clamgate-tsan.XXXXXX)
trap 'rm -f "$LOG"' EXIT
for suite in tests/protocol/run.sh tests/clamd/run.sh tests/e2e/run.sh tests/e2e/outbound.sh \
	tests/metrics/run.sh tests/pg/run.sh; do
	printf '\n== %s (ThreadSanitizer)\n' "$suite"
	sh "$suite" "$BUILD" 2>&1 | tee -a "$LOG"
done
passed=$(grep -c '^ok' "$LOG")
failed=$(grep -c '^not ok' "$LOG")
printf '\n%s passed, %s failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
