/* test_act.c - what act_apply asks of the MTA, through a recording fake:
 * the reply, the header changes, the hold, the quarantine write, and the
 * tempfail when the MTA refuses any of them */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clamgate/act.h"
#include "clamgate/config.h"
#include "clamgate/qstore.h"
#include "clamgate/quarantine.h"
#include "clamgate/session.h"
#include "suites.h"

/* the fake MTA: every call as a line; refuse makes one kind fail */
struct fake {
	char log[2048];
	const char *refuse; /* "add", "chg", "hold" or NULL */
};

/* fake_say - one call, as a line */
/* act_session - a session on the store in cfg's quarantine.directory */
static struct session *
act_session(const struct cg_config *cfg)
{
	struct session *s = session_new(cfg);

	s->qstore = qstore_open_dir(cfg->quarantine.directory);
	return s;
}

static void
act_free(struct session *s)
{
	qstore_close(s->qstore);
	session_free(s);
}

static void
fake_say(struct fake *f, const char *line)
{
	size_t n = strlen(f->log);

	snprintf(f->log + n, sizeof(f->log) - n, "%s\n", line);
}

static int
fake_setreply(void *ctx, const char *code, const char *xcode, const char *t)
{
	char line[512];

	snprintf(line, sizeof(line), "reply %s %s %s", code, xcode, t);
	fake_say(ctx, line);
	return 0;
}

static int
fake_addheader(void *ctx, const char *name, const char *value)
{
	struct fake *f = ctx;
	char line[512];

	snprintf(line, sizeof(line), "add %s:%s", name, value);
	fake_say(f, line);
	return f->refuse && strcmp(f->refuse, "add") == 0 ? -1 : 0;
}

static int
fake_chgheader(void *ctx, const char *name, int index, const char *value)
{
	struct fake *f = ctx;
	char line[512];

	snprintf(line, sizeof(line), "del %s %d%s", name, index,
		 value ? value : "");
	fake_say(f, line);
	return f->refuse && strcmp(f->refuse, "chg") == 0 ? -1 : 0;
}

static int
fake_quarantine(void *ctx, const char *reason)
{
	struct fake *f = ctx;
	char line[512];

	snprintf(line, sizeof(line), "hold %s", reason);
	fake_say(f, line);
	return f->refuse && strcmp(f->refuse, "hold") == 0 ? -1 : 0;
}

static int
fake_delrcpt(void *ctx, const char *rcpt)
{
	struct fake *f = ctx;
	char line[512];

	snprintf(line, sizeof(line), "delrcpt %s", rcpt);
	fake_say(f, line);
	return f->refuse && strcmp(f->refuse, "delrcpt") == 0 ? -1 : 0;
}

/* run - act_apply on a message with these forged headers and verdict */
static struct act_outcome
run(struct fake *f, struct cg_config *cfg, enum cg_action action,
    enum policy_header h, enum scan_status st, unsigned forged,
    enum pass_kind pass)
{
	struct act_mta m = {f,
			    fake_setreply,
			    fake_addheader,
			    fake_chgheader,
			    fake_quarantine,
			    fake_delrcpt};
	struct policy_decision d = {action, h, "test", -1};
	struct scan_result res;
	struct act_outcome out;
	struct session *s = act_session(cfg);

	memset(&res, 0, sizeof(res));
	res.status = st;
	snprintf(res.virus, sizeof(res.virus), "%s",
		 st == SCAN_INFECTED ? "Test.Virus" : "");
	session_begin_message(s, "<a@remote.example>", 0);
	session_add_rcpt(s, "<b@local.example>");
	for (unsigned i = 0; i < forged; i++)
		session_note_header(s, "X-Virus-Status", " Clean");
	if (pass != PASS_NONE) {
		session_note_header(s, "X-Clamgate-Release", " x");
		s->pass.kind = pass;
	}
	(void)spool_append(&s->spool, "Subject: x\r\n\r\nbody\r\n", 20);
	act_apply(&m, s, &d, &res, &out);
	act_free(s);
	return out;
}

static struct cg_config *
config(const char *dir, const char *extra)
{
	char text[1024], err[512], *path;
	struct cg_config *cfg;

	snprintf(text, sizeof(text),
		 "scanner: { temp_dir = \"%s\"; };\n"
		 "quarantine: { directory = \"%s\"; };\n%s",
		 dir, dir, extra);
	path = test_write_file(dir, "c.conf", text);
	cfg = config_load(path, err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
	unlink(path);
	free(path);
	return cfg;
}

static const struct {
	const char *name;
	const char *extra; /* configuration */
	enum cg_action action;
	enum policy_header h;
	enum scan_status st;
	unsigned forged;
	enum pass_kind pass;
	const char *refuse;
	sfsistat status;   /* what the MTA is told */
	const char *calls; /* the calls made, in order */
} cases[] = {
    {"clean, replace: the sender's copies go, ours come", "", CG_ACCEPT,
     POLICY_HDR_CLEAN, SCAN_CLEAN, 2, PASS_NONE, NULL, SMFIS_ACCEPT,
     "del X-Virus-Status 2\ndel X-Virus-Status 1\n"
     "add X-Virus-Scanned:clamgate " CLAMGATE_VERSION "\n"
     "add X-Virus-Status:Clean\n"},
    {"clean, add: the sender's copies stay", "policy: { headers = \"add\"; };",
     CG_ACCEPT, POLICY_HDR_CLEAN, SCAN_CLEAN, 1, PASS_NONE, NULL, SMFIS_ACCEPT,
     "add X-Virus-Scanned:clamgate " CLAMGATE_VERSION "\n"
     "add X-Virus-Status:Clean\n"},
    {"headers = none: nothing", "policy: { headers = \"none\"; };", CG_ACCEPT,
     POLICY_HDR_CLEAN, SCAN_CLEAN, 1, PASS_NONE, NULL, SMFIS_ACCEPT, ""},
    {"reject: the configured reply", "", CG_REJECT, POLICY_HDR_NONE,
     SCAN_INFECTED, 0, PASS_NONE, NULL, SMFIS_REJECT,
     "reply 554 5.7.1 Virus Test.Virus found; message rejected\n"},
    {"oversize reject: 552 5.3.4", "", CG_REJECT, POLICY_HDR_NONE,
     SCAN_OVERSIZE, 0, PASS_NONE, NULL, SMFIS_REJECT,
     "reply 552 5.3.4 Message too large to be scanned for viruses\n"},
    {"tempfail: 451 4.7.1", "", CG_TEMPFAIL, POLICY_HDR_NONE, SCAN_ERROR, 0,
     PASS_NONE, NULL, SMFIS_TEMPFAIL,
     "reply 451 4.7.1 Virus scan unavailable; try again later\n"},
    {"hold, then the headers", "", CG_HOLD, POLICY_HDR_INFECTED, SCAN_INFECTED,
     0, PASS_NONE, NULL, SMFIS_ACCEPT,
     "hold clamgate: Test.Virus\n"
     "add X-Virus-Scanned:clamgate " CLAMGATE_VERSION "\n"
     "add X-Virus-Status:Infected (Test.Virus)\n"},
    {"hold refused: tempfail", "", CG_HOLD, POLICY_HDR_INFECTED, SCAN_INFECTED,
     0, PASS_NONE, "hold", SMFIS_TEMPFAIL,
     "hold clamgate: Test.Virus\n"
     "reply 451 4.7.1 Virus scan unavailable; try again later\n"},
    {"a forged status that cannot be removed: tempfail, nothing added", "",
     CG_ACCEPT, POLICY_HDR_CLEAN, SCAN_CLEAN, 1, PASS_NONE, "chg",
     SMFIS_TEMPFAIL,
     "del X-Virus-Status 1\n"
     "reply 451 4.7.1 Virus scan unavailable; try again later\n"},
    {"our headers refused: tempfail", "", CG_ACCEPT, POLICY_HDR_CLEAN,
     SCAN_CLEAN, 0, PASS_NONE, "add", SMFIS_TEMPFAIL,
     "add X-Virus-Scanned:clamgate " CLAMGATE_VERSION "\n"
     "reply 451 4.7.1 Virus scan unavailable; try again later\n"},
    {"a released message loses its token", "", CG_ACCEPT, POLICY_HDR_RELEASED,
     SCAN_RELEASED, 0, PASS_RELEASE, NULL, SMFIS_ACCEPT,
     "del X-Clamgate-Release 1\n"
     "add X-Virus-Scanned:clamgate " CLAMGATE_VERSION "\n"
     "add X-Virus-Status:Released from quarantine\n"},
    {"a token that cannot be removed: tempfail", "", CG_ACCEPT,
     POLICY_HDR_RELEASED, SCAN_RELEASED, 0, PASS_RELEASE, "chg", SMFIS_TEMPFAIL,
     "del X-Clamgate-Release 1\n"
     "reply 451 4.7.1 Virus scan unavailable; try again later\n"},
    {"quarantine: stored, discarded, nothing said", "", CG_QUARANTINE,
     POLICY_HDR_NONE, SCAN_INFECTED, 0, PASS_NONE, NULL, SMFIS_DISCARD, ""},
    {"discard: nothing said", "", CG_DISCARD, POLICY_HDR_NONE, SCAN_INFECTED, 0,
     PASS_NONE, NULL, SMFIS_DISCARD, ""},
};

START_TEST(test_cases)
{
	char *dir = test_tmpdir();
	struct cg_config *cfg = config(dir, cases[_i].extra);
	struct fake f = {"", cases[_i].refuse};
	struct act_outcome out =
	    run(&f, cfg, cases[_i].action, cases[_i].h, cases[_i].st,
		cases[_i].forged, cases[_i].pass);

	ck_assert_msg(out.status == cases[_i].status, "%s: status %d",
		      cases[_i].name, (int)out.status);
	ck_assert_msg(strcmp(f.log, cases[_i].calls) == 0, "%s: calls\n%s",
		      cases[_i].name, f.log);
	if (cases[_i].action == CG_QUARANTINE)
		ck_assert_msg(out.quarantine_id[0] != '\0', "no entry id");
	config_free(cfg);
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

/* a quarantine that cannot be written: tempfail, never a discard */
START_TEST(test_store_fails)
{
	char *dir = test_tmpdir(), missing[600];
	struct cg_config *cfg = config(dir, "");
	struct fake f = {"", NULL};
	struct act_outcome out;

	free(cfg->quarantine.directory);
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	cfg->quarantine.directory = strdup(missing);
	out = run(&f, cfg, CG_QUARANTINE, POLICY_HDR_NONE, SCAN_INFECTED, 0,
		  PASS_NONE);
	ck_assert_int_eq(out.status, SMFIS_TEMPFAIL);
	ck_assert_int_eq(out.done, CG_TEMPFAIL);
	ck_assert_str_eq(
	    f.log, "reply 451 4.7.1 Virus scan unavailable; try again later\n");
	/* the log line and a notice must not name an entry that is not there */
	ck_assert_str_eq(out.quarantine_id, "");
	config_free(cfg);
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

/* gate_session - an outbound message to three recipients, the second
 * and third stopped by the gate */
static struct session *
gate_session(struct cg_config *cfg, enum cg_action stop_action)
{
	struct session *s = act_session(cfg);
	struct gate_result *g = &s->gate;
	static const char *const rcpts[] = {"<ok@outside.example>",
					    "<no1@outside.example>",
					    "<no2@outside.example>"};

	session_begin_message(s, "<bob@local.example>", 0);
	for (size_t i = 0; i < 3; i++)
		session_add_rcpt(s, rcpts[i]);
	(void)spool_append(&s->spool, "Subject: x\r\n\r\nbody\r\n", 20);
	g->dir = GATE_OUT;
	g->cls.kind = AUTOCLASS_AUTOREPLY;
	snprintf(g->cls.reason, sizeof(g->cls.reason), "precedence=bulk");
	g->n_rcpts = 3;
	g->rcpts = calloc(3, sizeof(*g->rcpts));
	for (size_t i = 0; i < 3; i++) {
		g->rcpts[i].addr = s->rcpts[i];
		g->rcpts[i].stop = i > 0;
	}
	g->d.rule = CG_OUT_VERIFIED_ONLY;
	g->d.verdict = OUTBOUND_TRIM;
	g->d.action = stop_action;
	g->d.n_stopped = 2;
	g->d.why = "unverified";
	return s;
}

/* a trimmed message: the stopped recipients' copy is stored with them
 * only, then they are removed, and the rest is accepted */
START_TEST(test_trim)
{
	char *dir = test_tmpdir();
	struct cg_config *cfg = config(dir, "");
	struct session *s = gate_session(cfg, CG_QUARANTINE);
	struct fake f = {"", NULL};
	struct act_mta m = {&f,
			    fake_setreply,
			    fake_addheader,
			    fake_chgheader,
			    fake_quarantine,
			    fake_delrcpt};
	struct policy_decision d = {CG_ACCEPT, POLICY_HDR_CLEAN, "clean", -1};
	struct scan_result res;
	struct act_outcome out;
	struct quarantine_entry e;

	memset(&res, 0, sizeof(res));
	act_apply(&m, s, &d, &res, &out);
	ck_assert_int_eq(out.status, SMFIS_ACCEPT);
	ck_assert_ptr_nonnull(strstr(f.log, "delrcpt <no1@outside.example>\n"
					    "delrcpt <no2@outside.example>\n"));
	ck_assert_ptr_null(strstr(f.log, "delrcpt <ok@"));
	ck_assert_int_eq(quarantine_read(dir, out.quarantine_id, &e,
					 QUARANTINE_READ_ENVELOPE),
			 0);
	ck_assert_uint_eq(e.n_rcpts, 2);
	ck_assert_str_eq(e.rcpts[0], "no1@outside.example");
	ck_assert_str_eq(e.action, "outbound");
	ck_assert_str_eq(e.virus, "outbound/autoreply");
	ck_assert_ptr_nonnull(strstr(e.gate, "rule=verified-only"));
	quarantine_entry_free(&e);
	act_free(s);
	config_free(cfg);
	test_rmtree(dir);
}
END_TEST

/* the MTA refuses a removal: tempfail, so nothing went anywhere */
START_TEST(test_trim_refused)
{
	char *dir = test_tmpdir();
	struct cg_config *cfg = config(dir, "");
	struct session *s = gate_session(cfg, CG_DISCARD);
	struct fake f = {"", "delrcpt"};
	struct act_mta m = {&f,
			    fake_setreply,
			    fake_addheader,
			    fake_chgheader,
			    fake_quarantine,
			    fake_delrcpt};
	struct policy_decision d = {CG_ACCEPT, POLICY_HDR_CLEAN, "clean", -1};
	struct scan_result res;
	struct act_outcome out;

	memset(&res, 0, sizeof(res));
	act_apply(&m, s, &d, &res, &out);
	ck_assert_int_eq(out.status, SMFIS_TEMPFAIL);
	ck_assert_str_eq(out.quarantine_id, "");
	act_free(s);
	config_free(cfg);
	test_rmtree(dir);
}
END_TEST

Suite *
act_suite(void)
{
	Suite *s = suite_create("act");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_cases, 0,
			    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_store_fails);
	tcase_add_test(tc, test_trim);
	tcase_add_test(tc, test_trim_refused);
	suite_add_tcase(s, tc);
	return s;
}
