# Sourced by scan.sh: start and stop the systems under test, run bare
# libclamav, and the reload and large-message runs on clamgate.  Every
# daemon runs in the foreground under this shell, on private sockets and
# files in $T, and is stopped by its PID.

SYSTEMS="cg-unix cg-noview cg-gate cg-metrics cg-inet cg-clamd peer-inet peer-unix"

stop_pids() { # PID... - SIGTERM, then wait up to 30 s for each
	for p in "$@"; do kill -TERM "$p" 2>/dev/null; done
	for p in "$@"; do
		n=150
		while kill -0 "$p" 2>/dev/null && [ $n -gt 0 ]; do sleep 0.2; n=$((n - 1)); done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
}

count_in() { # FILE PATTERN - lines of FILE with PATTERN (0 if no FILE)
	if [ -r "$1" ]; then grep -c -- "$2" "$1"; else echo 0; fi
}
more_than() { [ "$(count_in "$1" "$2")" -gt "$3" ]; }
loaded() { # NAME START_TIME PID - the start-up line of a system
	echo "run=$1-load secs=$(echo "$(date +%s.%N) - $2" | bc -l) rss_mb=$(proc_mem VmRSS "$3")" |
		tee -a "$OUT"
}

# start_bare NAME FD - barescan serving runs from a FIFO on descriptor
# FD (3 or 4); bare-b, a second identical one, gauges the noise
start_bare() {
	mkfifo "$T/$1.in"
	"$B/barescan" -n "$1" "$T/db" - < "$T/$1.in" > "$T/$1.out" &
	LAST_BARE=$!
	PIDS="$PIDS $!" BARE_PIDS="${BARE_PIDS:-} $!"
	eval "exec $2> \"\$T/$1.in\""
	wait_for 120 more_than "$T/$1.out" '^loaded' 0 || die "barescan did not start"
	sed "s/^loaded/run=$1-load/" "$T/$1.out" | tee -a "$OUT"
}

# bare_done NAME COUNT PID - its run is reported (die if it is dead)
bare_done() {
	more_than "$T/$1.out" "^run=$1 " "$2" && return 0
	kill -0 "$3" 2>/dev/null || die "barescan $1 died: $(tail -n 2 "$T/$1.out")"
	return 1
}

# bare_run NAME THREADS DIR - one run of bare libclamav
bare_run() {
	fd=3 pid=$BARE1
	[ "$1" = bare-b ] && fd=4 pid=$BARE2
	count=$(count_in "$T/$1.out" "^run=$1 ")
	eval "echo \"\$2:\$3\" >&$fd"
	wait_for 600 bare_done "$1" "$count" "$pid" || die "barescan failed on $3"
	grep "^run=$1 " "$T/$1.out" | tail -n 1 | tee -a "$OUT" | cut -d' ' -f1,3,6-12
}

# start_clamgate NAME SPEC [SCANNER_KEY...] - clamgate's defaults, but
# private paths, max_message_size 100M (for the 50 MB message) and no
# periodic reload (the reload run sends SIGUSR2)
start_clamgate() {
	name=$1 spec=$2
	shift 2
	d=$T/$name
	mkdir -p "$d/q" "$d/tmp"
	{
		printf 'milter: { socket = "%s"; user = ""; };\n' "$spec"
		printf 'scanner: { database = "%s/db"; temp_dir = "%s/tmp";\n' "$T" "$d"
		printf '  max_message_size = "100M"; reload_interval = 0; %s };\n' "$*"
		printf 'quarantine: { directory = "%s/q"; };\n' "$d"
		printf '%s\n' "${CG_EXTRA:-}"
	} > "$d/clamgate.conf"
	t0=$(date +%s.%N)
	"$CG" -f -c "$d/clamgate.conf" 2> "$d/log" &
	CG_PID=$! CG_LOG=$d/log
	PIDS="$PIDS $CG_PID"
	case "$*" in
	*'clamd = [ "unix:'*)
		sock=${*#*clamd = \[ \"}; sock=${sock%%\"*}
		wait_for 120 more_than "$d/log" "clamd $sock is up" 0 ||
		die "$name: its clamd was not put in service: $(tail -n 3 "$d/log")" ;;
	*) wait_for 120 more_than "$d/log" 'signatures loaded' 0 ||
		die "$name did not load its signatures: $(tail -n 3 "$d/log")" ;;
	esac
	wait_for 20 listening "$spec" || die "$name is not listening on $spec: $(tail -n 3 "$d/log")"
	CG_REST=$(proc_mem VmRSS "$CG_PID")
	loaded "$name" "$t0" "$CG_PID"
}

# start_clamd NAME [SETTING...] - Debian's clamd.conf with private paths
# (and the settings given, in place of Debian's); its socket is
# $T/NAME.sock
start_clamd() {
	[ -r /etc/clamav/clamd.conf ] || die "no /etc/clamav/clamd.conf: run make bench-deps"
	d=$T/$1
	shift
	mkdir -p "$d"
	grep -v -E '^(LocalSocket|LocalSocketGroup|LocalSocketMode|User|DatabaseDirectory|LogFile|Foreground|PidFile|TCPSocket|TCPAddr|TemporaryDirectory|AlertExceedsMax|StreamMaxLength|MaxFileSize|MaxScanSize)[[:space:]]' \
		/etc/clamav/clamd.conf > "$d/clamd.conf"
	for setting in "$@"; do printf '%s\n' "$setting" >> "$d/clamd.conf"; done
	grep -q '^StreamMaxLength' "$d/clamd.conf" ||
		grep -E '^(AlertExceedsMax|StreamMaxLength|MaxFileSize|MaxScanSize)[[:space:]]' /etc/clamav/clamd.conf >> "$d/clamd.conf"
	cname=$(basename "$d")
	cat >> "$d/clamd.conf" <<-CONF
	LocalSocket $T/$cname.sock
	DatabaseDirectory $T/db
	TemporaryDirectory $d
	LogFile $d/clamd.log
	PidFile $d/clamd.pid
	Foreground yes
	CONF
	t0=$(date +%s.%N)
	clamd -c "$d/clamd.conf" > "$d/out" 2>&1 &
	CLAMD_PID=$!
	PIDS="$PIDS $CLAMD_PID"
	# clamd creates its socket once the database is loaded
	wait_for 180 test -S "$T/$cname.sock" || die "clamd did not start: $(tail -n 3 "$d/clamd.log" "$d/out")"
	loaded "$cname" "$t0" "$CLAMD_PID"
}

# start_peer NAME SPEC CLAMD_SOCKET - Debian's clamav-milter.conf with
# private paths
start_peer() {
	[ -r /etc/clamav/clamav-milter.conf ] || die "no /etc/clamav/clamav-milter.conf: run make bench-deps"
	d=$T/$1
	mkdir -p "$d"
	grep -v -E '^(MilterSocket|MilterSocketGroup|MilterSocketMode|ClamdSocket|PidFile|LogFile|Foreground|User|TemporaryDirectory)[[:space:]]' \
		/etc/clamav/clamav-milter.conf > "$d/milter.conf"
	cat >> "$d/milter.conf" <<-CONF
	MilterSocket $2
	ClamdSocket unix:$3
	TemporaryDirectory $d
	LogFile $d/milter.log
	PidFile $d/milter.pid
	Foreground yes
	CONF
	clamav-milter -c "$d/milter.conf" > "$d/out" 2>&1 &
	PEER_PID=$!
	PIDS="$PIDS $PEER_PID"
	wait_for 30 listening "$2" || die "clamav-milter did not start: $(tail -n 3 "$d/out")"
}

# start_scraper - GET the metrics every second until stop_all, counting
# the scrapes that answered 200 in $T/scrapes
start_scraper() {
	: > "$T/scrapes"
	(while :; do
		curl -s -o /dev/null -w '%{http_code}\n' "$METRICS_URL" >> "$T/scrapes"
		sleep 1
	done) &
	SCRAPER_PID=$!
}

start_all() {
	start_bare bare 3
	BARE1=$LAST_BARE
	start_bare bare-b 4
	BARE2=$LAST_BARE
	start_clamgate cg-unix "unix:$T/cg-unix.sock"
	UNIX_PID=$CG_PID UNIX_LOG=$CG_LOG UNIX_REST=$CG_REST
	# the same without the second MIME view: what the view costs
	start_clamgate cg-noview "unix:$T/cg-noview.sock" "mime_view = false;"
	NOVIEW_PID=$CG_PID
	# the same with the outbound gate on: every message verifies its
	# sender and records a contact (the corpus carries a trusted A-R)
	CG_EXTRA="outbound: { mode = \"on\"; internal_domains = [ \"example.org\" ];
  trusted_authserv_ids = [ \"mx.example.org\" ]; store = \"$T/cg-gate/v.db\";
  catalogues = [ \"$TOP/etc/outbound-markers\", \"$TOP/etc/outbound-subjects\" ]; };" \
		start_clamgate cg-gate "unix:$T/cg-gate.sock"
	GATE_PID=$CG_PID GATE_CONF=$T/cg-gate/clamgate.conf
	# the same with every metrics output on, the endpoint scraped every
	# second (Prometheus's default is 15 s) and the textfile written as
	# often: what counting and serving cost the mail path
	CG_EXTRA="metrics: { listen = \"inet:$((PORT + 3))@127.0.0.1\";
  textfile = \"$T/cg-metrics/clamgate.prom\"; textfile_interval = 1;
  control = \"$T/cg-metrics/ctl\"; };" \
		start_clamgate cg-metrics "unix:$T/cg-metrics.sock"
	METRICS_PID=$CG_PID METRICS_URL=http://127.0.0.1:$((PORT + 3))/metrics
	start_scraper
	start_clamgate cg-inet "inet:$PORT@127.0.0.1"
	INET_PID=$CG_PID
	# clamgate's clamd as docs/clamd.md asks; the peer's as Debian ships it
	start_clamd clamd-1 "AlertExceedsMax yes" "StreamMaxLength 110M" \
		"MaxFileSize 400M" "MaxScanSize 400M"
	CLAMD1=$CLAMD_PID
	start_clamgate cg-clamd "inet:$((PORT + 1))@127.0.0.1" 'backend = "clamd";' \
		"clamd = [ \"unix:$T/clamd-1.sock\" ];"
	CGC_PID=$CG_PID
	start_clamd clamd-2
	CLAMD2=$CLAMD_PID
	start_peer peer-inet "inet:$((PORT + 2))@127.0.0.1" "$T/clamd-2.sock"
	PEERI=$PEER_PID
	start_clamd clamd-3
	CLAMD3=$CLAMD_PID
	start_peer peer-unix "unix:$T/peer-unix.sock" "$T/clamd-3.sock"
	PEERU=$PEER_PID
	# from here on, peak sizes are those under load, not while loading
	reset_peak $BARE_PIDS "$UNIX_PID" "$NOVIEW_PID" "$GATE_PID" "$METRICS_PID" "$INET_PID" "$CGC_PID" "$PEERI" "$PEERU" \
		"$CLAMD1" "$CLAMD2" "$CLAMD3"
}

stop_all() {
	exec 3>&- 4>&-
	kill "$SCRAPER_PID" 2>/dev/null
	wait "$SCRAPER_PID" 2>/dev/null
	# what the daemon counted, against what was sent to it
	counted=$(curl -s "$METRICS_URL" | awk '/^clamgate_messages_total\{/ { n += $2 } END { print n + 0 }')
	echo "run=cg-metrics-counts counted=$counted scrapes=$(grep -c '^200$' "$T/scrapes")" | tee -a "$OUT"
	stop_pids $BARE_PIDS "$UNIX_PID" "$NOVIEW_PID" "$GATE_PID" "$METRICS_PID" "$INET_PID" "$CGC_PID" "$PEERI" "$PEERU" \
		"$CLAMD1" "$CLAMD2" "$CLAMD3"
	PIDS="" # all reaped: the exit trap must not signal reused PIDs
}

# system NAME - its milter socket in SPEC, its processes in PIDLIST
system() {
	case $1 in
	cg-unix) SPEC=unix:$T/cg-unix.sock PIDLIST=$UNIX_PID ;;
	cg-noview) SPEC=unix:$T/cg-noview.sock PIDLIST=$NOVIEW_PID ;;
	cg-gate) SPEC=unix:$T/cg-gate.sock PIDLIST=$GATE_PID ;;
	cg-metrics) SPEC=unix:$T/cg-metrics.sock PIDLIST=$METRICS_PID ;;
	cg-inet) SPEC=inet:$PORT@127.0.0.1 PIDLIST=$INET_PID ;;
	cg-clamd) SPEC=inet:$((PORT + 1))@127.0.0.1 PIDLIST="$CGC_PID $CLAMD1" ;;
	peer-inet) SPEC=inet:$((PORT + 2))@127.0.0.1 PIDLIST="$PEERI $CLAMD2" ;;
	peer-unix) SPEC=unix:$T/peer-unix.sock PIDLIST="$PEERU $CLAMD3" ;;
	esac
}

# large_runs - one message of each size in $LARGE through cg-unix and
# bare libclamav; the peak resident size while it is scanned, against
# the size before
large_runs() {
	for s in $LARGE; do
		bare_run bare 1 "$T/large$s"
		before=$(proc_mem VmRSS "$UNIX_PID")
		reset_peak "$UNIX_PID"
		line=$("$B/loadgen" -s "unix:$T/cg-unix.sock" -d "$T/large$s" -n cg-large)
		echo "$line rss_before=$before peak=$(proc_mem VmHWM "$UNIX_PID")" | tee -a "$OUT" |
			cut -d' ' -f1-6,19-
	done
}

# reload_run - 8 sessions on cg-unix while the database changes and
# SIGUSR2 reloads it; then a message with the new signature.  "single"
# is the peak with one engine under the level runs before (up to 32
# sessions), "rest" the size right after the first load, "after" the
# size once the reload is over and the old engine is freed.
reload_run() {
	single=$(proc_mem VmHWM "$UNIX_PID")
	reset_peak "$UNIX_PID"
	n=$(count_in "$UNIX_LOG" 'signatures loaded')
	"$B/loadgen" -s "unix:$T/cg-unix.sock" -d "$T/reload" -c 8 -n cg-reload > "$T/reload.out" &
	lg=$!
	sleep 1
	hex=$(printf 'CLAMGATE-BENCH-RELOAD-SIGNATURE' | od -An -tx1 | tr -d ' \n')
	printf 'Bench.Reload.New:0:*:%s\n' "$hex" > "$T/db/bench-reload.ndb"
	t0=$(date +%s.%N)
	kill -USR2 "$UNIX_PID"
	wait_for 180 more_than "$UNIX_LOG" 'signatures loaded' "$n" || die "the reload did not finish"
	secs=$(echo "$(date +%s.%N) - $t0" | bc -l)
	kill -0 "$lg" 2>/dev/null && inside=yes || inside=no
	wait "$lg"
	mkdir -p "$T/newsig"
	printf 'From: <a@example.net>\r\nSubject: new\r\n\r\nCLAMGATE-BENCH-RELOAD-SIGNATURE\r\n' > "$T/newsig/1.eml"
	newsig=$("$B/loadgen" -s "unix:$T/cg-unix.sock" -d "$T/newsig" | sed 's/.* reject=\([0-9]*\) .*/\1/')
	rm -f "$T/db/bench-reload.ndb"
	echo "$(cat "$T/reload.out") single=$single rest=$UNIX_REST peak=$(proc_mem VmHWM "$UNIX_PID") after=$(proc_mem VmRSS "$UNIX_PID") reload_secs=$secs during_load=$inside newsig_rejected=$newsig" |
		tee -a "$OUT" | cut -d' ' -f1,3,6,12-15,19-
}
