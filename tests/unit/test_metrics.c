/* test_metrics.c - the counters as Prometheus text, the alert rules'
 * metric names, clamgate -s's report, and the figures behind them */
#include <check.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clamgate/authres.h"
#include "clamgate/cidr.h"
#include "clamgate/clamd_reply.h"
#include "clamgate/metrics.h"
#include "clamgate/quarantine.h"
#include "clamgate/status.h"
#include "suites.h"

/* render - the text for these gauges (caller frees) */
static char *
render(const struct metrics_gauges *g)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	metrics_render(f, g);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/* has_line - text holds this exact line */
static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

#define LINE(text, l) ck_assert_msg(has_line(text, l), "no line: %s", l)

START_TEST(test_messages)
{
	struct metrics_gauges g = {.now = 1000};
	char *t;

	for (int i = 0; i < 3; i++)
		metrics_message(0, SCAN_CLEAN, CG_ACCEPT, 500);
	metrics_message(0, SCAN_INFECTED, CG_REJECT, 5000);
	metrics_message(1, SCAN_CLEAN, CG_ACCEPT, 2000000);
	metrics_message(0, SCAN_ERROR, CG_TEMPFAIL, 100);
	metrics_tempfail(MT_SCAN_ERROR);
	metrics_tempfail(MT_MAX_SESSIONS);
	metrics_tempfail(MT_MAX_SESSIONS);
	t = render(&g);
	LINE(t, "# TYPE clamgate_messages_total counter");
	LINE(t, "clamgate_messages_total{direction=\"inbound\",verdict="
		"\"clean\",action=\"accept\"} 3");
	LINE(t, "clamgate_messages_total{direction=\"inbound\",verdict="
		"\"infected\",action=\"reject\"} 1");
	LINE(t, "clamgate_messages_total{direction=\"outbound\",verdict="
		"\"clean\",action=\"accept\"} 1");
	LINE(t, "clamgate_messages_total{direction=\"inbound\",verdict="
		"\"error\",action=\"tempfail\"} 1");
	/* label sets never counted are not shown */
	ck_assert_ptr_null(strstr(t, "verdict=\"infected\",action=\"accept\""));
	LINE(t, "clamgate_tempfails_total{reason=\"scan-error\"} 1");
	LINE(t, "clamgate_tempfails_total{reason=\"max-sessions\"} 2");
	LINE(t, "clamgate_tempfails_total{reason=\"limit\"} 0");
	/* sizes: 3 x 500 and 100 at 1024, 5000 at 16384, 2 MB at 4194304 */
	LINE(t, "clamgate_message_size_bytes_bucket{le=\"1024\"} 4");
	LINE(t, "clamgate_message_size_bytes_bucket{le=\"4096\"} 4");
	LINE(t, "clamgate_message_size_bytes_bucket{le=\"16384\"} 5");
	LINE(t, "clamgate_message_size_bytes_bucket{le=\"1048576\"} 5");
	LINE(t, "clamgate_message_size_bytes_bucket{le=\"4194304\"} 6");
	LINE(t, "clamgate_message_size_bytes_bucket{le=\"+Inf\"} 6");
	LINE(t, "clamgate_message_size_bytes_count 6");
	LINE(t, "clamgate_message_size_bytes_sum 2006600.000000");
	free(t);
}
END_TEST

START_TEST(test_histogram)
{
	struct metrics_gauges g = {.now = 1000};
	char *t;

	/* before any load: no last result, rather than a false 0 */
	t = render(&g);
	ck_assert_ptr_null(strstr(t, "\nclamgate_reload_last_success "));
	free(t);
	metrics_scan_time(500);	    /* 0.0005 s */
	metrics_scan_time(1000);    /* exactly on 0.001 */
	metrics_scan_time(3000000); /* 3 s */
	metrics_scan_time(-5);	    /* a clock step: 0 */
	metrics_scan_time(500000000LL);
	t = render(&g);
	LINE(t, "# TYPE clamgate_scan_duration_seconds histogram");
	LINE(t, "clamgate_scan_duration_seconds_bucket{le=\"0.001\"} 3");
	LINE(t, "clamgate_scan_duration_seconds_bucket{le=\"2.5\"} 3");
	LINE(t, "clamgate_scan_duration_seconds_bucket{le=\"5\"} 4");
	LINE(t, "clamgate_scan_duration_seconds_bucket{le=\"120\"} 4");
	LINE(t, "clamgate_scan_duration_seconds_bucket{le=\"+Inf\"} 5");
	LINE(t, "clamgate_scan_duration_seconds_count 5");
	LINE(t, "clamgate_scan_duration_seconds_sum 503.001500");
	/* no message yet: the series alerts start from are there, at 0 */
	LINE(t, "clamgate_messages_total{direction=\"outbound\",verdict="
		"\"error\",action=\"tempfail\"} 0");
	LINE(t, "clamgate_messages_total{direction=\"inbound\",verdict="
		"\"clean\",action=\"accept\"} 0");
	ck_assert_ptr_null(strstr(t, "verdict=\"oversize\""));
	free(t);
}
END_TEST

START_TEST(test_gauges)
{
	struct metrics_server srv[2] = {
	    {"inet:3310@127.0.0.1", 1, 900, {7, 2, 1, 0}},
	    {"unix:/run/a\"b\\c", 0, 0, {0, 0, 0, 3}},
	};
	struct metrics_gauges g = {.now = 1000,
				   .sessions = 4,
				   .messages = 2,
				   .scans_running = 1,
				   .scans_waiting = 3,
				   .scan_slots = 2,
				   .servers = srv,
				   .n_servers = 2,
				   .have_quarantine = 1,
				   .q_entries = 12,
				   .q_bytes = 34567,
				   .clamav_version = "1.4.6"};
	char *t;

	metrics_reload(MR_FAILED);
	t = render(&g);
	LINE(t, "clamgate_sessions_in_flight 4");
	LINE(t, "clamgate_messages_in_flight 2");
	LINE(t, "clamgate_scans_in_flight 1");
	LINE(t, "clamgate_scans_waiting 3");
	LINE(t, "clamgate_scan_slots 2");
	LINE(t, "clamgate_quarantine_entries 12");
	LINE(t, "clamgate_quarantine_bytes 34567");
	LINE(t, "clamgate_clamd_up{server=\"inet:3310@127.0.0.1\"} 1");
	/* a label value is escaped, never cut or let out of its quotes */
	LINE(t, "clamgate_clamd_up{server=\"unix:/run/a\\\"b\\\\c\"} 0");
	LINE(t, "clamgate_clamd_requests_total{server=\"inet:3310@127.0.0.1\","
		"result=\"clean\"} 7");
	LINE(t,
	     "clamgate_clamd_requests_total{server=\"unix:/run/a\\\"b\\\\c\","
	     "result=\"failed\"} 3");
	LINE(t, "clamgate_signatures_age_seconds{server=\"inet:3310@127.0.0."
		"1\"} 100");
	/* a server whose date is unknown has no age, not an age of 0 */
	ck_assert_ptr_null(
	    strstr(t, "clamgate_signatures_age_seconds{server=\"unix"));
	/* the embedded engine's count appears only with that backend */
	ck_assert_ptr_null(strstr(t, "\nclamgate_signatures "));
	LINE(t, "clamgate_reload_last_success 0");
	LINE(t, "clamgate_reloads_total{result=\"failed\"} 1");
	LINE(t, "clamgate_build_info{version=\"" CLAMGATE_VERSION
		"\",clamav=\"1.4.6\"} 1");
	free(t);

	memset(&g, 0, sizeof(g));
	g.now = 5000;
	g.embedded = 1;
	g.signatures = 8700000;
	g.db_time = 1400;
	t = render(&g);
	LINE(t, "clamgate_signatures 8700000");
	LINE(t, "clamgate_signatures_age_seconds 3600");
	/* no quarantine figures read: no sample rather than a false 0 */
	ck_assert_ptr_null(strstr(t, "\nclamgate_quarantine_entries "));
	free(t);
}
END_TEST

START_TEST(test_gate_notify)
{
	struct metrics_gauges g = {.now = 1000};
	char *t;

	metrics_gate(AUTOCLASS_AUTOREPLY, OUTBOUND_STOP, 0, 2);
	metrics_gate(AUTOCLASS_AUTOREPLY, OUTBOUND_TRIM, 0, 1);
	metrics_gate(AUTOCLASS_HUMAN, OUTBOUND_PASS, 0, 0);
	metrics_gate(AUTOCLASS_CHALLENGE, OUTBOUND_STOP, 1, 3);
	metrics_verified(AUTHRES_SPF | AUTHRES_DKIM);
	metrics_verified(AUTHRES_DKIM);
	metrics_notify(MN_SENT, 1);
	metrics_notify(MN_DIGESTED, 4);
	t = render(&g);
	LINE(t, "clamgate_outbound_messages_total{kind=\"autoreply\","
		"decision=\"stop\"} 1");
	LINE(t, "clamgate_outbound_messages_total{kind=\"autoreply\","
		"decision=\"trim\"} 1");
	LINE(t, "clamgate_outbound_messages_total{kind=\"human\","
		"decision=\"pass\"} 1");
	/* outbound.mode = log: what it would have done, nothing stopped */
	LINE(t, "clamgate_outbound_messages_total{kind=\"challenge\","
		"decision=\"would-stop\"} 1");
	LINE(t, "clamgate_outbound_recipients_stopped_total{kind="
		"\"autoreply\"} 3");
	ck_assert_ptr_null(strstr(t, "stopped_total{kind=\"challenge\"}"));
	LINE(t, "clamgate_verified_senders_total{method=\"spf\"} 1");
	LINE(t, "clamgate_verified_senders_total{method=\"dkim\"} 2");
	LINE(t, "clamgate_notify_sent_total 1");
	LINE(t, "clamgate_notify_digested_total 4");
	LINE(t, "clamgate_notify_dropped_total 0");
	free(t);
}
END_TEST

static const struct {
	const char *why;
	enum scan_status status;
	enum metrics_tempfail want;
} reasons[] = {
    {"on_error", SCAN_ERROR, MT_SCAN_ERROR},
    {"on_error", SCAN_NOT_READY, MT_NOT_READY},
    {"limit", SCAN_LIMIT, MT_LIMIT},
    {"on_oversize", SCAN_OVERSIZE, MT_OVERSIZE},
    {"on_incomplete", SCAN_INCOMPLETE, MT_INCOMPLETE},
    {"rule", SCAN_INFECTED, MT_RULE},
    {"outbound-store", SCAN_CLEAN, MT_OUTBOUND_STORE},
};

START_TEST(test_tempfail_reason)
{
	ck_assert_int_eq(
	    metrics_tempfail_reason(reasons[_i].why, reasons[_i].status),
	    reasons[_i].want);
}
END_TEST

START_TEST(test_clamd_result)
{
	ck_assert_int_eq(metrics_clamd_result(0, SCAN_CLEAN), MC_FAILED);
	ck_assert_int_eq(metrics_clamd_result(1, SCAN_CLEAN), MC_CLEAN);
	ck_assert_int_eq(metrics_clamd_result(1, SCAN_INFECTED), MC_INFECTED);
	ck_assert_int_eq(metrics_clamd_result(1, SCAN_INCOMPLETE), MC_ERROR);
	ck_assert_int_eq(metrics_clamd_result(1, SCAN_ERROR), MC_ERROR);
}
END_TEST

START_TEST(test_db_time)
{
	struct tm tm = {.tm_year = 123,
			.tm_mon = 10,
			.tm_mday = 30,
			.tm_hour = 9,
			.tm_min = 34,
			.tm_sec = 1,
			.tm_isdst = -1};

	ck_assert_int_eq(
	    clamd_reply_db_time("ClamAV 1.4.6/27109/Thu Nov 30 09:34:01 2023"),
	    mktime(&tm));
	ck_assert_int_eq(clamd_reply_db_time("ClamAV 1.4.6/27109"), 0);
	ck_assert_int_eq(clamd_reply_db_time("ClamAV 1.4.6"), 0);
	ck_assert_int_eq(clamd_reply_db_time("ClamAV 1.4.6/1/yesterday"), 0);
	ck_assert_int_eq(
	    clamd_reply_db_time("ClamAV 1.4.6/1/Thu Nov 30 09:34:01 2023 x"),
	    0);
	ck_assert_int_eq(clamd_reply_db_time(""), 0);
}
END_TEST

/* every clamgate_* name in the shipped alert rules is a metric the
 * daemon writes (a histogram's by its _bucket, _sum or _count) */
START_TEST(test_alert_names)
{
	struct metrics_gauges g = {.now = 1000};
	char *rules = test_read_file(TOP "/etc/clamgate-alerts.yml", NULL);
	char *t = render(&g), type[200];
	regmatch_t m;
	regex_t re;
	int names = 0;

	ck_assert_ptr_nonnull(rules);
	ck_assert_int_eq(regcomp(&re, "clamgate_[a-z0-9_]+", REG_EXTENDED), 0);
	for (const char *p = rules; regexec(&re, p, 1, &m, 0) == 0;
	     p += m.rm_eo) {
		char name[128];
		int found = 0;
		snprintf(name, sizeof(name), "%.*s", (int)(m.rm_eo - m.rm_so),
			 p + m.rm_so);
		for (int cut = 0; cut < 4 && !found; cut++) {
			static const char *const sfx[] = {"", "_bucket", "_sum",
							  "_count"};
			size_t n = strlen(name), k = strlen(sfx[cut]);
			if (n <= k || strcmp(name + n - k, sfx[cut]) != 0)
				continue;
			snprintf(type, sizeof(type), "# TYPE %.*s ",
				 (int)(n - k), name);
			found = strstr(t, type) != NULL;
		}
		ck_assert_msg(found,
			      "the alert rules name %s, which clamgate "
			      "does not write",
			      name);
		names++;
	}
	ck_assert_int_ge(names, 7);
	regfree(&re);
	free(rules);
	free(t);
}
END_TEST

static const char status_text[] =
    "# HELP clamgate_build_info Always 1.\n"
    "# TYPE clamgate_build_info gauge\n"
    "clamgate_build_info{version=\"0.4.0\",clamav=\"1.4.6\"} 1\n"
    "# HELP clamgate_start_time_seconds When.\n"
    "# TYPE clamgate_start_time_seconds gauge\n"
    "clamgate_start_time_seconds 1000\n"
    "# HELP clamgate_messages_total Messages decided.\n"
    "# TYPE clamgate_messages_total counter\n"
    "clamgate_messages_total{direction=\"inbound\",verdict=\"clean\","
    "action=\"accept\"} 120\n"
    "# HELP clamgate_tempfails_total Tempfails.\n"
    "# TYPE clamgate_tempfails_total counter\n"
    "clamgate_tempfails_total{reason=\"scan-error\"} 0\n"
    "# HELP clamgate_scan_duration_seconds Scan time.\n"
    "# TYPE clamgate_scan_duration_seconds histogram\n"
    "clamgate_scan_duration_seconds_bucket{le=\"+Inf\"} 4\n"
    "clamgate_scan_duration_seconds_sum 0.1\n"
    "clamgate_scan_duration_seconds_count 4\n"
    "# HELP clamgate_signatures_age_seconds Age.\n"
    "# TYPE clamgate_signatures_age_seconds gauge\n"
    "clamgate_signatures_age_seconds 7500\n"
    "# HELP clamgate_reload_last_timestamp_seconds Last load.\n"
    "# TYPE clamgate_reload_last_timestamp_seconds gauge\n"
    "clamgate_reload_last_timestamp_seconds 95000\n"
    "# HELP clamgate_quarantine_bytes Bytes.\n"
    "# TYPE clamgate_quarantine_bytes gauge\n"
    "clamgate_quarantine_bytes 1572864\n";

static const char status_want[] =
    "clamgate 0.4.0 (libclamav 1.4.6), up 1d 3h\n"
    "Messages decided.\n"
    "  inbound clean accept                         120\n"
    "Tempfails.\n"
    "  none\n"
    "Scan time.\n"
    "  4, mean 0.025 s\n"
    "Age.\n"
    "  2h 05m\n"
    "Last load.\n"
    "  1h 23m ago\n"
    "Bytes.\n"
    "  1.5 MiB\n";

START_TEST(test_status_format)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	status_format(f, status_text, 100000);
	fclose(f);
	ck_assert_str_eq(out, status_want);
	free(out);
}
END_TEST

START_TEST(test_quarantine_usage)
{
	char *dir = test_tmpdir(), *p[4];
	unsigned long long n, bytes;

	p[0] =
	    test_write_file(dir, "20261202T101010-0a1b2c3d4e5f.eml", "12345");
	p[1] = test_write_file(dir, "20261202T101011-0a1b2c3d4e60.eml", "123");
	/* a write in progress, and what is not an entry, do not count */
	p[2] =
	    test_write_file(dir, ".20261202T101012-0a1b2c3d4e61.tmp", "1234");
	p[3] = test_write_file(dir, "notes.eml", "1234567");
	ck_assert_int_eq(quarantine_usage(dir, &n, &bytes), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(bytes, 8);
	for (int i = 0; i < 4; i++)
		free(p[i]);
	test_rmtree(dir);
	ck_assert_int_eq(quarantine_usage("/nonexistent/q", &n, &bytes), -1);
}
END_TEST

START_TEST(test_loopback)
{
	struct cidr c;

	ck_assert_int_eq(cidr_parse("127.0.0.0/8", &c), 0);
	ck_assert_int_eq(cidr_is_loopback(&c), 1);
	ck_assert_int_eq(cidr_parse("126.0.0.0/7", &c), 0);
	ck_assert_int_eq(cidr_is_loopback(&c), 0);
	ck_assert_int_eq(cidr_parse("::1", &c), 0);
	ck_assert_int_eq(cidr_is_loopback(&c), 1);
	ck_assert_int_eq(cidr_parse("::/0", &c), 0);
	ck_assert_int_eq(cidr_is_loopback(&c), 0);
	ck_assert_int_eq(cidr_parse("10.0.0.1", &c), 0);
	ck_assert_int_eq(cidr_is_loopback(&c), 0);
}
END_TEST

Suite *
metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_messages);
	tcase_add_test(tc, test_histogram);
	tcase_add_test(tc, test_gauges);
	tcase_add_test(tc, test_gate_notify);
	tcase_add_loop_test(tc, test_tempfail_reason, 0,
			    sizeof(reasons) / sizeof(reasons[0]));
	tcase_add_test(tc, test_clamd_result);
	tcase_add_test(tc, test_db_time);
	tcase_add_test(tc, test_alert_names);
	tcase_add_test(tc, test_status_format);
	tcase_add_test(tc, test_quarantine_usage);
	tcase_add_test(tc, test_loopback);
	suite_add_tcase(s, tc);
	return s;
}
