/*
 * NAME
 *	metrics - the daemon's counters, written as Prometheus text
 * SYNOPSIS
 *	metrics_message(outbound, status, done, size)
 *	metrics_render(f, &gauges)
 * DESCRIPTION
 *	Every counter is a static array of relaxed atomics indexed by
 *	enums, so a message's thread adds without a lock and a reader sees
 *	each value whole.  A histogram keeps one count per bucket (not
 *	cumulative) and its sum; metrics_render() adds the buckets up and
 *	writes _count as their total, so a scrape between two adds is still
 *	consistent in itself.
 *
 *	Families are written in one fixed order, each with # HELP and
 *	# TYPE.  Counters with labels show only the label sets that were
 *	ever counted, except tempfails by reason (every reason) and the
 *	messages that are clean and accepted, infected and rejected, or
 *	failed and tempfailed (always_shown): an alert's rate() then has a
 *	series from the start.
 * DIAGNOSTICS
 *	None: a write error on f shows in ferror(f), for the caller.
 */
#include <stdatomic.h>
#include <string.h>

#include "clamgate/authres.h"
#include "clamgate/metrics.h"
#include "clamgate/policy.h"

#define N_STATUS  (SCAN_LIMIT + 1)
#define N_ACTIONS (CG_DISCARD + 1)
#define N_GATE	  5 /* pass, trim, stop, would-trim, would-stop */
#define RELAXED	  memory_order_relaxed

typedef atomic_ullong counter;

struct histogram {
	size_t n;
	const char *const *le; /* bucket bounds as written */
	const double *bound;
	counter *bucket; /* n + 1: the last one is +Inf */
	counter sum;	 /* in the unit's smallest step (1 us, 1 byte) */
};

static const char *const scan_le[] = {
    "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
    "0.5",   "1",      "2.5",	"5",	"10",	 "30",	 "60",	"120"};
static const double scan_bound[] = {1e3, 2.5e3, 5e3, 1e4,  2.5e4, 5e4,
				    1e5, 2.5e5, 5e5, 1e6,  2.5e6, 5e6,
				    1e7, 3e7,	6e7, 1.2e8};
static const char *const size_le[] = {"1024",	 "4096",     "16384",
				      "65536",	 "262144",   "1048576",
				      "4194304", "16777216", "67108864"};
static const double size_bound[] = {1024,    4096,    16384,	65536,	 262144,
				    1048576, 4194304, 16777216, 67108864};
#define N_SCAN_LE (sizeof(scan_le) / sizeof(scan_le[0]))
#define N_SIZE_LE (sizeof(size_le) / sizeof(size_le[0]))

static counter messages[2][N_STATUS][N_ACTIONS];
static counter tempfails[MT_N];
static counter scan_buckets[N_SCAN_LE + 1];
static counter size_buckets[N_SIZE_LE + 1];
static struct histogram scan_hist = {N_SCAN_LE, scan_le, scan_bound,
				     scan_buckets, 0};
static struct histogram size_hist = {N_SIZE_LE, size_le, size_bound,
				     size_buckets, 0};
static counter gate_messages[AUTOCLASS_N_KINDS][N_GATE];
static counter gate_stopped[AUTOCLASS_N_KINDS];
static counter verified[2]; /* spf, dkim */
static counter store_errors;
static counter notices[MN_N];
static counter reloads[MR_N];
static atomic_int reload_last_ok = -1;
static _Atomic time_t reload_last_at;
static _Atomic time_t started;

static const char *const tempfail_names[MT_N] = {
    "scan-error",	"not-ready",	  "limit",
    "oversize",		"incomplete",	  "rule",
    "quarantine-store", "outbound-store", "mta-refused",
    "draining",		"max-sessions",	  "max-recipients"};
static const char *const clamd_names[MC_N] = {"clean", "infected", "error",
					      "failed"};
static const char *const gate_names[N_GATE] = {"pass", "trim", "stop",
					       "would-trim", "would-stop"};
static const char *const reload_names[MR_N] = {"loaded", "unchanged", "failed"};

/* add - one more to a counter */
static void
add(counter *c, unsigned long long n)
{
	atomic_fetch_add_explicit(c, n, RELAXED);
}

/* get - a counter's value */
static unsigned long long
get(counter *c)
{
	return atomic_load_explicit(c, RELAXED);
}

/* observe - one value into a histogram */
static void
observe(struct histogram *h, unsigned long long v)
{
	size_t i = 0;

	while (i < h->n && (double)v > h->bound[i])
		i++;
	add(&h->bucket[i], 1);
	add(&h->sum, v);
}

/* metrics_init - the daemon starts now */
void
metrics_init(void)
{
	atomic_store(&started, time(NULL));
}

/* metrics_message - one message decided: its direction, verdict, what
 * was done, and its size */
void
metrics_message(int outbound, enum scan_status status, enum cg_action done,
		unsigned long long size)
{
	if ((unsigned)status < N_STATUS && (unsigned)done < N_ACTIONS)
		add(&messages[outbound != 0][status][done], 1);
	observe(&size_hist, size);
}

/* metrics_scan_time - one scan took this long (slot wait included) */
void
metrics_scan_time(long long microseconds)
{
	observe(&scan_hist,
		microseconds > 0 ? (unsigned long long)microseconds : 0);
}

/* metrics_tempfail - one tempfail, by reason */
void
metrics_tempfail(enum metrics_tempfail why)
{
	if ((unsigned)why < MT_N)
		add(&tempfails[why], 1);
}

/* metrics_tempfail_reason - why the policy tempfailed a message: its
 * why (policy.c) and the scan's status */
enum metrics_tempfail
metrics_tempfail_reason(const char *why, enum scan_status status)
{
	if (strcmp(why, "outbound-store") == 0)
		return MT_OUTBOUND_STORE;
	if (strcmp(why, "rule") == 0)
		return MT_RULE;
	switch (status) {
	case SCAN_NOT_READY:
		return MT_NOT_READY;
	case SCAN_LIMIT:
		return MT_LIMIT;
	case SCAN_OVERSIZE:
		return MT_OVERSIZE;
	case SCAN_INCOMPLETE:
		return MT_INCOMPLETE;
	default:
		return MT_SCAN_ERROR;
	}
}

/* metrics_gate - the outbound gate's decision on one message */
void
metrics_gate(enum autoclass_kind kind, enum outbound_verdict v, int log_only,
	     size_t n_stopped)
{
	size_t d = (size_t)v;

	if ((unsigned)kind >= AUTOCLASS_N_KINDS || d > OUTBOUND_STOP)
		return;
	if (log_only && v != OUTBOUND_PASS)
		d += 2; /* would-trim, would-stop */
	add(&gate_messages[kind][d], 1);
	if (!log_only)
		add(&gate_stopped[kind], n_stopped);
}

/* metrics_verified - an inbound sender recorded as verified (how: the
 * authres_how bits) */
void
metrics_verified(int how)
{
	if (how & AUTHRES_SPF)
		add(&verified[0], 1);
	if (how & AUTHRES_DKIM)
		add(&verified[1], 1);
}

/* metrics_store_error - a lookup or write of the verified-sender store
 * failed */
void
metrics_store_error(void)
{
	add(&store_errors, 1);
}

/* metrics_notify - notify-admin mail sent, events digested, notices
 * kept in the outbox, or dropped */
void
metrics_notify(enum metrics_notify what, unsigned long n)
{
	if ((unsigned)what < MN_N)
		add(&notices[what], n);
}

/* metrics_reload - the outcome of one signature load */
void
metrics_reload(enum metrics_reload what)
{
	if ((unsigned)what >= MR_N)
		return;
	add(&reloads[what], 1);
	atomic_store(&reload_last_ok, what != MR_FAILED);
	atomic_store(&reload_last_at, time(NULL));
}

/* metrics_clamd_result - how a request to one clamd server ended */
enum metrics_clamd_result
metrics_clamd_result(int answered, enum scan_status status)
{
	if (!answered)
		return MC_FAILED;
	if (status == SCAN_CLEAN)
		return MC_CLEAN;
	if (status == SCAN_INFECTED)
		return MC_INFECTED;
	return MC_ERROR;
}

/* the text */

/* family - # HELP and # TYPE of a family */
static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* label_value - a label value with \, " and newline escaped */
static void
label_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

/* always_shown - the label sets written even at 0, so that a rate()
 * in an alert or a dashboard has a series from the start: clean and
 * accepted, infected and rejected, failed and tempfailed */
static int
always_shown(int status, int action)
{
	return (status == SCAN_CLEAN && action == CG_ACCEPT) ||
	       (status == SCAN_INFECTED && action == CG_REJECT) ||
	       (status == SCAN_ERROR && action == CG_TEMPFAIL);
}

/* render_messages - messages by direction, verdict and action */
static void
render_messages(FILE *f)
{
	static const char *const dirs[2] = {"inbound", "outbound"};
	const char *name = "clamgate_messages_total";

	family(f, name, "counter",
	       "Messages decided, by direction, verdict and action done.");
	for (int d = 0; d < 2; d++)
		for (int s = 0; s < N_STATUS; s++)
			for (int a = 0; a < N_ACTIONS; a++) {
				unsigned long long n = get(&messages[d][s][a]);
				if (n == 0 && !always_shown(s, a))
					continue;
				fprintf(f,
					"%s{direction=\"%s\",verdict=\"%s\","
					"action=\"%s\"} %llu\n",
					name, dirs[d],
					policy_status_name((enum scan_status)s),
					config_action_name((enum cg_action)a),
					n);
			}
}

/* render_labelled - a counter family with one label over names[] */
static void
render_labelled(FILE *f, const char *name, const char *help, const char *label,
		const char *const *names, counter *c, size_t n)
{
	family(f, name, "counter", help);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s{%s=\"%s\"} %llu\n", name, label, names[i],
			get(&c[i]));
}

/* render_histogram - cumulative buckets, the sum in base units, and
 * the count as the total of the buckets */
static void
render_histogram(FILE *f, const char *name, const char *help,
		 struct histogram *h, double unit)
{
	unsigned long long total = 0;

	family(f, name, "histogram", help);
	for (size_t i = 0; i <= h->n; i++) {
		total += get(&h->bucket[i]);
		fprintf(f, "%s_bucket{le=\"%s\"} %llu\n", name,
			i < h->n ? h->le[i] : "+Inf", total);
	}
	fprintf(f, "%s_sum %.6f\n%s_count %llu\n", name,
		(double)get(&h->sum) / unit, name, total);
}

/* gauge - a family with one sample and no labels */
static void
gauge(FILE *f, const char *name, const char *help, double v)
{
	family(f, name, "gauge", help);
	fprintf(f, "%s %.17g\n", name, v);
}

/* render_load - the daemon's load right now */
static void
render_load(FILE *f, const struct metrics_gauges *g)
{
	gauge(f, "clamgate_sessions_in_flight",
	      "Milter connections from the MTA open now.", g->sessions);
	gauge(f, "clamgate_messages_in_flight",
	      "Messages between MAIL FROM and their end now.", g->messages);
	gauge(f, "clamgate_scans_in_flight", "Scans running now.",
	      g->scans_running);
	gauge(f, "clamgate_scans_waiting",
	      "Messages waiting for a scan slot now.", g->scans_waiting);
	gauge(f, "clamgate_scan_slots",
	      "Scans allowed at once (scanner.max_concurrent).", g->scan_slots);
}

/* render_reload - signature loads: how many, the last one */
static void
render_reload(FILE *f)
{
	int ok = atomic_load(&reload_last_ok);

	render_labelled(f, "clamgate_reloads_total",
			"Signature checks and loads, by result.", "result",
			reload_names, reloads, MR_N);
	family(f, "clamgate_reload_last_success", "gauge",
	       "1 if the last signature check or load worked, 0 if it "
	       "failed.");
	if (ok >= 0)
		fprintf(f, "clamgate_reload_last_success %d\n", ok);
	family(f, "clamgate_reload_last_timestamp_seconds", "gauge",
	       "When the signatures were last checked or loaded.");
	if (ok >= 0)
		fprintf(f, "clamgate_reload_last_timestamp_seconds %lld\n",
			(long long)atomic_load(&reload_last_at));
}

/* age - seconds from then to now, never below 0 */
static double
age(time_t now, time_t then)
{
	return now > then ? (double)(now - then) : 0;
}

/* render_signatures - what the scanner knows */
static void
render_signatures(FILE *f, const struct metrics_gauges *g)
{
	const char *name = "clamgate_signatures_age_seconds";

	family(f, "clamgate_signatures", "gauge",
	       "Signatures the embedded engine has loaded.");
	if (g->embedded)
		fprintf(f, "clamgate_signatures %lu\n", g->signatures);
	family(f, name, "gauge",
	       "Seconds since the newest signatures in use were made "
	       "(per clamd server with the clamd backend).");
	if (g->embedded && g->db_time > 0)
		fprintf(f, "%s %.17g\n", name, age(g->now, g->db_time));
	for (size_t i = 0; i < g->n_servers; i++) {
		if (g->servers[i].db_time <= 0)
			continue;
		fprintf(f, "%s{server=\"", name);
		label_value(f, g->servers[i].name);
		fprintf(f, "\"} %.17g\n", age(g->now, g->servers[i].db_time));
	}
}

/* render_servers - each clamd server: up, and its requests */
static void
render_servers(FILE *f, const struct metrics_gauges *g)
{
	family(f, "clamgate_clamd_up", "gauge",
	       "1 if the clamd server is up (answers and passes the "
	       "canaries).");
	for (size_t i = 0; i < g->n_servers; i++) {
		fputs("clamgate_clamd_up{server=\"", f);
		label_value(f, g->servers[i].name);
		fprintf(f, "\"} %d\n", g->servers[i].up);
	}
	family(f, "clamgate_clamd_requests_total", "counter",
	       "Scan requests sent to each clamd server, by result.");
	for (size_t i = 0; i < g->n_servers; i++)
		for (int r = 0; r < MC_N; r++) {
			fputs("clamgate_clamd_requests_total{server=\"", f);
			label_value(f, g->servers[i].name);
			fprintf(f, "\",result=\"%s\"} %llu\n", clamd_names[r],
				g->servers[i].requests[r]);
		}
}

/* render_gate - the outbound gate's decisions and the verified senders */
static void
render_gate(FILE *f)
{
	static const char *const how[2] = {"spf", "dkim"};
	const char *name = "clamgate_outbound_messages_total";

	family(f, name, "counter",
	       "Outbound messages the gate looked at, by kind and decision "
	       "(would-*: outbound.mode = log).");
	for (int k = 0; k < AUTOCLASS_N_KINDS; k++)
		for (int d = 0; d < N_GATE; d++)
			if (get(&gate_messages[k][d]) > 0)
				fprintf(
				    f,
				    "%s{kind=\"%s\",decision=\"%s\"} "
				    "%llu\n",
				    name,
				    autoclass_kind_name((enum autoclass_kind)k),
				    gate_names[d], get(&gate_messages[k][d]));
	name = "clamgate_outbound_recipients_stopped_total";
	family(f, name, "counter",
	       "Recipients the gate kept a message from, by kind.");
	for (int k = 0; k < AUTOCLASS_N_KINDS; k++)
		if (get(&gate_stopped[k]) > 0)
			fprintf(f, "%s{kind=\"%s\"} %llu\n", name,
				autoclass_kind_name((enum autoclass_kind)k),
				get(&gate_stopped[k]));
	render_labelled(f, "clamgate_verified_senders_total",
			"Inbound senders recorded as verified, by method.",
			"method", how, verified, 2);
	family(f, "clamgate_outbound_store_errors_total", "counter",
	       "Failed lookups and writes of the verified-sender store.");
	fprintf(f, "clamgate_outbound_store_errors_total %llu\n",
		get(&store_errors));
}

/* render_notify - notify-admin */
static void
render_notify(FILE *f)
{
	static const struct {
		const char *name, *help;
	} n[MN_N] = {
	    {"clamgate_notify_sent_total",
	     "Notify-admin mails handed to the MTA (digests included)."},
	    {"clamgate_notify_digested_total",
	     "Events past notify.max_per_hour, held for a digest."},
	    {"clamgate_notify_deferred_total",
	     "Notices kept in the outbox because the MTA did not take them."},
	    {"clamgate_notify_dropped_total",
	     "Notices lost: the outbox could not keep them."},
	};

	for (int i = 0; i < MN_N; i++) {
		family(f, n[i].name, "counter", n[i].help);
		fprintf(f, "%s %llu\n", n[i].name, get(&notices[i]));
	}
}

/* render_quarantine - the store's size */
static void
render_quarantine(FILE *f, const struct metrics_gauges *g)
{
	family(f, "clamgate_quarantine_entries", "gauge",
	       "Messages in the quarantine store.");
	if (g->have_quarantine)
		fprintf(f, "clamgate_quarantine_entries %llu\n", g->q_entries);
	family(f, "clamgate_quarantine_bytes", "gauge",
	       "Bytes the quarantine store's entries take.");
	if (g->have_quarantine)
		fprintf(f, "clamgate_quarantine_bytes %llu\n", g->q_bytes);
}

/* metrics_render - every family, as Prometheus text */
void
metrics_render(FILE *f, const struct metrics_gauges *g)
{
	family(f, "clamgate_build_info", "gauge",
	       "Always 1; the labels say which clamgate and libclamav.");
	fputs("clamgate_build_info{version=\"" CLAMGATE_VERSION "\",clamav=\"",
	      f);
	label_value(f, g->clamav_version ? g->clamav_version : "");
	fputs("\"} 1\n", f);
	gauge(f, "clamgate_start_time_seconds", "When the daemon started.",
	      (double)atomic_load(&started));
	render_messages(f);
	render_labelled(f, "clamgate_tempfails_total",
			"Messages, recipients and connections tempfailed, by "
			"reason.",
			"reason", tempfail_names, tempfails, MT_N);
	render_histogram(f, "clamgate_scan_duration_seconds",
			 "Time to scan a message, waiting for a slot included.",
			 &scan_hist, 1e6);
	render_histogram(f, "clamgate_message_size_bytes",
			 "Size of the messages decided.", &size_hist, 1);
	render_load(f, g);
	render_signatures(f, g);
	render_reload(f);
	render_servers(f, g);
	render_quarantine(f, g);
	render_notify(f);
	render_gate(f);
}
