# postfix.sh - a private Postfix on 127.0.0.1 for the end-to-end tests,
# sourced by run.sh.  Everything lives under $T: config_directory
# $T/etc, queue_directory $T/spool, log $T/maillog.  Next hop for all mail,
# bounces included, is an smtp-sink that dumps every message into $T/sink,
# so a test sees exactly what left Postfix and to whom.
#
# Listeners:
#   127.0.0.1:$PORT_IN   smtpd with the milter ({daemon_name} MTA-IN)
#   127.0.0.1:$PORT_HOP  smtpd without the milter, relaying after its own
#                        queue to $PORT_IN (an after-queue hop)
# Both smtpd_milters and non_smtpd_milters point at clamgate.

pf_write_config() {
	mkdir -p "$T/etc" "$T/spool" "$T/data" "$T/sink"
	chown postfix "$T/data" "$T/sink"
	cat > "$T/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $T/spool
data_directory = $T/data
maillog_file = $T/maillog
maillog_file_prefixes = $T
myhostname = mx.test.example
mydomain = test.example
myorigin = test.example
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relay_domains = dest.example
relayhost = [127.0.0.1]:$PORT_SINK
smtp_dns_support_level = disabled
alias_maps =
alias_database =
local_recipient_maps =
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_authorized_xclient_hosts = 127.0.0.0/8
smtpd_milters = inet:127.0.0.1:$PORT_MILTER
non_smtpd_milters = inet:127.0.0.1:$PORT_MILTER
milter_default_action = tempfail
message_size_limit = 60000000
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
smtp_connect_timeout = 5s
delay_warning_time = 0
canonical_maps = inline:{ rewriteme@dest.example=rewritten@dest.example, rewrite-sender@victim.example=other-sender@victim.example }
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100000
smtpd_hard_error_limit = 100000
CF
	cat > "$T/etc/master.cf" <<CF
127.0.0.1:$PORT_IN inet n - n - - smtpd -o milter_macro_daemon_name=MTA-IN
127.0.0.1:$PORT_HOP inet n - n - - smtpd -o smtpd_milters= -o milter_macro_daemon_name=HOP -o content_filter=smtp:[127.0.0.1]:$PORT_IN
pickup    unix  n       -       n       1       1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       1       1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CF
}

pf_start() {
	smtp-sink -u postfix -4 -d "$T/sink/%H%M%S." "127.0.0.1:$PORT_SINK" 64 \
		> "$T/sink.log" 2>&1 &
	SINK_PID=$!
	postfix -c "$T/etc" start >/dev/null 2>&1 || return 1
	for _ in $(seq 1 200); do
		[ -f "$T/spool/pid/master.pid" ] && return 0
		sleep 0.1
	done
	return 1
}

pf_stop() {
	[ -d "$T/etc" ] && postfix -c "$T/etc" stop >/dev/null 2>&1
	if [ -f "$T/spool/pid/master.pid" ]; then
		mpid=$(tr -d ' ' < "$T/spool/pid/master.pid")
		for _ in $(seq 1 50); do
			kill -0 "$mpid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$mpid" 2>/dev/null
	fi
	[ -n "${SINK_PID:-}" ] && kill -TERM "$SINK_PID" 2>/dev/null
	wait 2>/dev/null
}

# pf_queue - queue ids in the Postfix queue (active, deferred, hold...)
pf_queue() {
	postqueue -c "$T/etc" -j 2>/dev/null
}

# pf_flush - ask Postfix to deliver what is queued now
pf_flush() {
	postqueue -c "$T/etc" -f >/dev/null 2>&1
}
