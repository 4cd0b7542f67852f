#!/bin/sh
# make bench / make bench-quick: the scanning benchmark (scan.sh), then
# the quarantine tool's (quarantine.sh) and the verified-sender store's,
# SQLite against PostgreSQL (store.sh).  Every timing is a ratio
# against a baseline measured in the same run.
# usage: tests/bench/run.sh BUILD_DIR [full|quick]
set -u
BUILD=${1:-build}
MODE=${2:-full}
HERE=$(dirname "$0")
rc=0
t0=$(date +%s)
sh "$HERE/scan.sh" "$BUILD" "$MODE" || rc=1
echo
if [ "$MODE" = quick ]; then
	N=${N:-10000} sh "$HERE/quarantine.sh" "$BUILD" || rc=1
else
	sh "$HERE/quarantine.sh" "$BUILD" || rc=1
fi
echo
if [ "$MODE" = quick ]; then
	sh "$HERE/store.sh" "$BUILD" 5000 || rc=1
else
	sh "$HERE/store.sh" "$BUILD" 20000 || rc=1
fi
echo "bench ($MODE) finished in $(($(date +%s) - t0)) s"
exit $rc
