#!/bin/sh
# The libFuzzer targets (built by make fuzz-build into BUILD_DIR/fuzz).
#   smoke  (make check): each target on its seed corpus, which holds every
#          input that ever found something, then RUNS mutations
#   full   (make fuzz): each target for SECONDS, then the executions in all
# A finding (crash, sanitizer report, a broken property) is "not ok"; the
# input is kept in $FUZZ_ARTIFACTS (default /tmp) to be added to
# tests/fuzz/corpus/NAME as a regression.
# usage: tests/fuzz/run.sh BUILD_DIR smoke|full [SECONDS]
set -u
BUILD=${1:-build-fuzz}
MODE=${2:-smoke}
SECONDS_EACH=${3:-120}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/lib.sh"
T=$(mktemp -d /tmp/clamgate-fuzz-run.XXXXXX)
ART=${FUZZ_ARTIFACTS:-/tmp}
trap 'rm -rf "$T"' EXIT INT TERM
RUNS=${FUZZ_RUNS:-5000}
total=0 started=$(date +%s)

for bin in "$TOP/$BUILD"/fuzz/fuzz_*; do
	[ -x "$bin" ] || { bad "fuzz: no targets in $BUILD/fuzz (make fuzz-build)"; exit 1; }
	name=${bin##*/fuzz_}
	seeds=$TOP/tests/fuzz/corpus/$name
	mkdir -p "$T/$name"
	if [ "$MODE" = full ]; then
		limit="-max_total_time=$SECONDS_EACH"
	else
		limit="-runs=$RUNS"
	fi
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$TOP/tests/fuzz/lsan.supp \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$bin" $limit -max_len=16384 -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$ART/clamgate-fuzz-$name-" "$T/$name" "$seeds" \
		> "$T/$name.log" 2>&1
	rc=$?
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/$name.log" | tail -n 1)
	total=$((total + ${n:-0}))
	if [ "$rc" -eq 0 ]; then
		good "fuzz $name: ${n:-?} inputs, no finding"
	else
		bad "fuzz $name: a finding (exit $rc): $(grep -m 3 -E 'ERROR|SUMMARY|fuzz_.*\.c:|Test unit written' "$T/$name.log" | tr '\n' ' ')"
	fi
done
if [ "$MODE" = full ]; then
	printf 'fuzz: %s executions in all, in %s s\n' "$total" "$(($(date +%s) - started))"
fi
exit $FAILED
