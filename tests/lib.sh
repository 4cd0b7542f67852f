# lib.sh - what every test runner shares (sourced): the TAP-like result
# lines that tests/run-all.sh counts, waits bounded in time, and the check
# of daemon logs for sanitizer findings.  A runner sets nothing first; it
# exits with $FAILED.

FAILED=0 NBAD=0

good() { printf 'ok - %s\n' "$*"; }
bad() { printf 'not ok - %s\n' "$*"; FAILED=1; NBAD=$((NBAD + 1)); }
# check NAME COMMAND... - good or bad, as COMMAND succeeds
check() { name=$1; shift; if "$@"; then good "$name"; else bad "$name"; fi; }

# wait_for SECONDS COMMAND... - until COMMAND succeeds; 1 if it never did
wait_for() {
	n=$(($1 * 10)); shift
	while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
	return 1
}

# lines_with FILE PATTERN - how many lines of FILE match (0 without FILE)
lines_with() { if [ -r "$1" ]; then grep -c -- "$2" "$1"; else echo 0; fi; }
at_least() { [ "$(lines_with "$1" "$2")" -ge "$3" ]; }

# wait_log FILE PATTERN [COUNT [SECONDS]] - until PATTERN is in FILE COUNT
# times (1), within SECONDS (30)
wait_log() { wait_for "${4:-30}" at_least "$1" "$2" "${3:-1}"; }

# wait_exit PID [SECONDS] - until the process is gone (15 s), reaped
wait_exit() {
	wait_for "${2:-15}" sh -c "! kill -0 $1 2>/dev/null" || return 1
	wait "$1" 2>/dev/null
	return 0
}

# sanitizer_check FILE... - bad if a daemon log shows a sanitizer finding
sanitizer_check() {
	pat="runtime error|AddressSanitizer|LeakSanitizer|ThreadSanitizer"
	if grep -q -s -E "$pat" "$@"; then
		grep -h -s -A 20 -E "$pat" "$@" | head -n 80
		bad "sanitizer findings in $(grep -l -s -E "$pat" "$@" | tr '\n' ' ')"
	fi
}
