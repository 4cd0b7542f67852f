#!/bin/sh
# Run every test suite against $BUILD (default build) and print one
# summary line, "N passed, N failed".  Exit 1 if anything failed.
# DETECT=full runs the whole detection matrix (make check-full).
set -u
BUILD=${BUILD:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
LOG=$(mktemp /tmp/clamgate-tests.XXXXXX)
trap 'rm -f "$LOG"' EXIT
status=0

section() { printf '\n== %s\n' "$1"; }

section "unit tests (Check)"
"$BUILD/unit-tests" 2>&1 | tee -a "$LOG" || status=1
section "fuzz targets, smoke run (libFuzzer, ASan, UBSan; make fuzz runs them long)"
sh tests/fuzz/run.sh build-fuzz smoke 2>&1 | tee -a "$LOG"
section "clamd backend (real clamd, fake clamd for faults)"
sh tests/clamd/run.sh "$BUILD" 2>&1 | tee -a "$LOG"
section "command line"
sh tests/cli/run.sh "$BUILD" 2>&1 | tee -a "$LOG"
sh tests/cli/install.sh "$BUILD" 2>&1 | tee -a "$LOG"
sh tests/cli/layers.sh "$BUILD" 2>&1 | tee -a "$LOG"
section "milter protocol (miltertest, real daemon, real libclamav)"
sh tests/protocol/run.sh "$BUILD" 2>&1 | tee -a "$LOG"
section "load generator (concurrent sessions, unique corpus, unix and inet)"
sh tests/bench/smoke.sh "$BUILD" 2>&1 | tee -a "$LOG"
if [ "$(id -u)" -eq 0 ]; then
	section "the systemd unit: exposure score, every system call of a traced daemon within its filter"
	sh tests/cli/unit.sh "$BUILD" 2>&1 | tee -a "$LOG"
	section "clamgate-quarantine (store filled by the real daemon)"
	sh tests/quarantine/run.sh "$BUILD" 2>&1 | tee -a "$LOG"
	section "end to end (private Postfix and Sendmail on 127.0.0.1, swaks, smtp-sink)"
	sh tests/e2e/run.sh "$BUILD" 2>&1 | tee -a "$LOG"
	sh tests/e2e/sendmail.sh "$BUILD" 2>&1 | tee -a "$LOG"
	section "scanner.temp_dir full, read-only, missing; quarantine.directory full, read-only (tmpfs, through Postfix)"
	sh tests/e2e/tempdir.sh "$BUILD" 2>&1 | tee -a "$LOG"
	section "SIGKILL in the middle of a quarantine write, a stalled SMTP client (through Postfix)"
	sh tests/e2e/faults.sh "$BUILD" 2>&1 | tee -a "$LOG"
	section "outbound gate: vacation, OpenDKIM, Postfix bounces, challenges through the real Postfix"
	sh tests/e2e/outbound.sh "$BUILD" 2>&1 | tee -a "$LOG"
	section "metrics: a real Prometheus scrapes clamgate behind the real Postfix; promtool; clamgate -s"
	sh tests/metrics/run.sh "$BUILD" 2>&1 | tee -a "$LOG"
	section "the verified senders in a shared PostgreSQL: two daemons, the database stopped and restarted"
	sh tests/pg/run.sh "$BUILD" 2>&1 | tee -a "$LOG"
	section "the quarantine in a shared PostgreSQL: two hosts, release across them, the database stopped under a load through Postfix, migrate"
	sh tests/pg/quarantine.sh "$BUILD" 2>&1 | tee -a "$LOG"
	section "detection parity: clamav-testfiles x wrappings x header forms x backends (${DETECT:-slice})"
	sh tests/detect/run.sh "$BUILD" "${DETECT:-slice}" 2>&1 | tee -a "$LOG"
else
	echo "not ok - the quarantine and end-to-end tests need root (they change owners and start a private Postfix)" | tee -a "$LOG"
fi

checks=$(sed -n 's/.*Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p' "$LOG")
set -- ${checks:-0 1 0}
unit_pass=$(($1 - $2 - $3)); unit_fail=$(($2 + $3))
ok=$(grep -c '^ok - ' "$LOG")
notok=$(grep -c '^not ok - ' "$LOG")
passed=$((unit_pass + ok)); failed=$((unit_fail + notok))
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ] || status=1
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
# the failures again at the end, where a CI log's tail shows them
if [ "$failed" -ne 0 ]; then
	printf '\nfailed:\n'
	grep -E '^not ok - |^[^:]*:[0-9]+:[EF]:' "$LOG" | head -n 40
fi
printf '\n%s passed, %s failed\n' "$passed" "$failed"
exit $status
