#!/bin/sh
# scanner.temp_dir and quarantine.directory faults through the real
# Postfix (tests/e2e/postfix.sh),
# embedded engine: libclamav answers "clean" for what it cannot write to
# its temp directory, so a full, missing or read-only temp_dir must turn
# infected mail into a tempfail (451 4.7.1), never an accept; and when
# the directory is usable again, mail is scanned again.  The directory is
# a tmpfs of its own (a few MB), so the faults are real ENOSPC and EROFS.
#
# usage: tests/e2e/tempdir.sh BUILD_DIR     (as root)
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$TOP/$BUILD/clamgate
T=$(mktemp -d /tmp/clamgate-tmpdir.XXXXXX)
chmod 755 "$T"
BASE=$((25000 + $$ % 500 * 4)) # below the ephemeral ports (32768-)
PORT_IN=$BASE PORT_SINK=$((BASE + 1)) PORT_HOP=$((BASE + 2)) PORT_MILTER=$((BASE + 3))
. "$TOP/tests/e2e/postfix.sh"
. "$TOP/tests/e2e/common.sh"
FS=$T/fs

cleanup() {
	cg_stop
	pf_stop
	mountpoint -q "$FS" && umount "$FS"
	mountpoint -q "$T/q" && umount "$T/q"
	if [ "$FAILED" -ne 0 ] && [ -n "${KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT INT TERM

mkdir -p "$FS"
if ! mount -t tmpfs -o size=4m,mode=0755 tmpfs "$FS"; then
	bad "cannot mount a tmpfs for the temp_dir faults"
	exit 1
fi
printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' > "$T/eicar.com"
cp /usr/share/clamav-testfiles/clam.exe "$T/clam.exe"
python3 - "$T" <<'PY'
import io, sys, zipfile
t = sys.argv[1]
eicar = open(t + "/eicar.com", "rb").read()
def z(name, members):
    with zipfile.ZipFile(t + "/" + name, "w", zipfile.ZIP_DEFLATED) as f:
        for n, d in members:
            f.writestr(n, d)
z("eicar.zip", [("eicar.com", eicar)])
# 3 MB of zeros, then EICAR: a few KB of mail that libclamav unpacks to
# more than the tmpfs holds
z("expands.zip", [("big.bin", b"\0" * 3000000 + eicar)])
PY

# out NAME [swaks args] - from an outside client, where a reject is safe
out() { smtp "$@" --xclient-addr 192.0.2.10 --xclient-name mx.remote.example; }

# infected NAME - the four ways an infected message comes
infected() {
	out "$1-b64" --attach "$T/eicar.com"
	out "$1-exe" --attach-type application/octet-stream --attach "$T/clam.exe"
	out "$1-zip" --attach-type application/zip --attach "$T/eicar.zip"
	out "$1-plain" --body "body $(cat "$T/eicar.com")"
}

# all_tempfailed NAME - each of the four got 451 4.7.1
all_tempfailed() {
	for k in b64 exe zip plain; do replied "$1-$k" "^451 4.7.1" || return 1; done
}

pf_write_config
pf_start || { bad "private Postfix did not start"; exit 1; }
CG_SCANNER="temp_dir = \"$FS\"; temp_min_free = \"1M\"; spool_memory = \"8M\"; reload_interval = 1;"
cg_start

infected room
check "temp_dir with room: EICAR attachment rejected 554" replied room-b64 "^554 5.7.1"
check "temp_dir with room: clam.exe attachment rejected 554" replied room-exe "^554 5.7.1 Virus Clamgate.Test.ClamExe"
check "temp_dir with room: EICAR in a zip rejected 554" replied room-zip "^554 5.7.1"

# full: nothing is scanned, everything waits
head -c 8000000 /dev/zero > "$FS/fill" 2>/dev/null
infected full
check "temp_dir full: the four infected messages get 451 4.7.1, none is accepted" all_tempfailed full
# (the reason is the free space, or, once the once-a-second self-check
# has seen the full directory too, the failing self-check)
check "temp_dir full: the log gives the free space or the self-check as the reason" \
	grep -q -E 'verdict=error .*action=tempfail .*detail="(temp_dir: .* KiB free|the scanner.s self-check fails)' "$T/clamgate.log"
out full-clean --body "clean, while temp_dir is full"
check "temp_dir full: clean mail waits too (451), it is not accepted unscanned" replied full-clean "^451 4.7.1"
check "temp_dir full: the self-check fails and says so" \
	wait_log_line "scanner self-check failed"
rm -f "$FS/fill"
check "temp_dir with room again: the self-check passes again" wait_log_line "scanner self-check passes again"
infected again
check "temp_dir with room again: infected mail is rejected again" replied again-zip "^554 5.7.1"

# a scan that runs out of room half way: the zip member is cut short
cg_stop
CG_SCANNER="temp_dir = \"$FS\"; temp_min_free = 0; spool_memory = \"8M\"; reload_interval = 600;"
cg_start
head -c 2600000 /dev/zero > "$FS/fill"
out expands --attach-type application/zip --attach "$T/expands.zip"
check "a scan that fills temp_dir half way: 451 4.7.1, not Clean" replied expands "^451 4.7.1"
rm -f "$FS/fill"
out expands-room --attach-type application/zip --attach "$T/expands.zip"
check "the same message with room: rejected 554" replied expands-room "^554 5.7.1"

# read-only
mount -o remount,ro "$FS"
infected ro
check "temp_dir read-only: the four infected messages get 451 4.7.1" all_tempfailed ro
check "temp_dir read-only: the log says so" grep -q 'detail="temp_dir: .*read-only filesystem' "$T/clamgate.log"
mount -o remount,rw "$FS"

# missing: removed while clamgate runs
mkdir -p "$FS/sub"
cg_stop
CG_SCANNER="temp_dir = \"$FS/sub\"; temp_min_free = \"1M\"; spool_memory = \"8M\";"
cg_start
rmdir "$FS/sub"
infected gone
check "temp_dir removed while running: the four infected messages get 451 4.7.1" all_tempfailed gone
check "temp_dir removed: the log says so" grep -q 'detail="temp_dir: .*No such file or directory' "$T/clamgate.log"

# quarantine.directory full and read-only: infected mail from a trusted
# relay (to be quarantined, not rejected) waits with a 451; it is never
# accepted, and never discarded without its copy
cg_stop
CG_SCANNER=""
mkdir -p "$T/q"
mount -t tmpfs -o size=1m,mode=0700 tmpfs "$T/q" || bad "cannot mount a tmpfs for the quarantine faults"
cg_start
relay() { smtp "$1" --xclient-addr 127.0.0.7 --xclient-name relay.local --attach "$T/eicar.com"; }
relay q-room
check "quarantine with room: 250" replied q-room "^250 "
check "quarantine with room: the copy is in the store" wait_quarantined q-room
head -c 2000000 /dev/zero > "$T/q/fill" 2>/dev/null
relay q-full
check "quarantine.directory full: 451 4.7.1, the mail stays with the client" replied q-full "^451 4.7.1"
# the verdict line logged right after the failed write: a tempfail that
# names no entry (there is none)
fail_logged() {
	l=$(grep -A 3 'cannot store in the quarantine' "$T/clamgate.log" | grep -m 1 'action=')
	case $l in *action=tempfail*) ;; *) return 1 ;; esac
	case $l in *quarantine=*) return 1 ;; esac
}
check "quarantine.directory full: tempfail logged, naming no entry that does not exist" fail_logged
rm -f "$T/q/fill"
mount -o remount,ro "$T/q"
relay q-ro
check "quarantine.directory read-only: 451 4.7.1" replied q-ro "^451 4.7.1"
mount -o remount,rw "$T/q"
relay q-back
check "quarantine.directory writable again: quarantined (250)" replied q-back "^250 "
check "no partial entry is left in the store" sh -c "! ls -a '$T/q' | grep -q '\.tmp\$'"

# nothing infected was delivered, nothing went to a sender
nothing_infected() {
	for m in $(ls "$T/out"); do
		case $m in *clean*) continue ;; esac
		[ -z "$(delivered "$m")" ] || return 1
	done
}
sleep 1
check "nothing infected reached the recipient" nothing_infected
check "invariant: no bounce or DSN left Postfix" \
	sh -c "! grep -l -s -E '^X-Mail-Args: <>' '$T'/sink/* | grep -q ."
sanitizer_check "$T/clamgate.log"
exit $FAILED
