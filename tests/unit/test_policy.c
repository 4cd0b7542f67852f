/* test_policy.c - the decision table: verdict x origin x settings x rule */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clamgate/config.h"
#include "clamgate/policy.h"
#include "suites.h"

struct origin_case {
	const char *name;
	const char *addr; /* NULL: no address from the MTA */
	unsigned port;
	const char *daemon_name;
	const char *daemon_port;
	int auth;
	int safe;	 /* with reject_authenticated = true */
	int safe_noauth; /* with reject_authenticated = false */
};

static const struct origin_case origins[] = {
    {"direct", "192.0.2.10", 40000, "MTA-IN", "25", 0, 1, 1},
    {"direct6", "2001:db8::25", 40000, "MTA-IN", "25", 0, 1, 1},
    {"direct no daemon_port", "192.0.2.10", 40000, "MTA-IN", NULL, 0, 1, 1},
    {"authenticated", "192.0.2.10", 40000, "MTA-IN", "587", 1, 1, 0},
    {"non-smtp port 0", "192.0.2.10", 0, "MTA-IN", "25", 0, 0, 0},
    {"non-smtp daemon_port 0", "192.0.2.10", 40000, "MTA-IN", "0", 0, 0, 0},
    {"non-smtp daemon_name", "192.0.2.10", 40000, "NONSMTP", "25", 0, 0, 0},
    {"postfix sendmail", "127.0.0.1", 0, "NONSMTP", "0", 0, 0, 0},
    {"trusted relay v4", "127.0.0.1", 40000, "MTA-IN", "25", 0, 0, 0},
    {"trusted relay v6", "::1", 40000, "MTA-IN", "25", 0, 0, 0},
    {"trusted relay mapped", "::ffff:127.0.0.9", 40000, "MTA-IN", "25", 0, 0,
     0},
    {"trusted relay net", "198.51.100.77", 40000, "MTA-IN", "25", 0, 0, 0},
    {"trusted and authenticated", "127.0.0.1", 40000, "MTA-IN", "25", 1, 0, 0},
    {"noreject daemon", "192.0.2.10", 40000, "REINJECT", "10025", 0, 0, 0},
    {"no client address", NULL, 0, "MTA-IN", "25", 0, 0, 0},
    {"no daemon_name", "192.0.2.10", 40000, NULL, NULL, 0, 0, 0},
};
#define N_ORIGINS (sizeof(origins) / sizeof(origins[0]))

static const char *const fallbacks[] = {"quarantine", "hold", "discard"};
static const enum cg_action fallback_actions[] = {CG_QUARANTINE, CG_HOLD,
						  CG_DISCARD};

/* origin - the policy_origin for a case */
static struct policy_origin
origin(const struct origin_case *c)
{
	struct policy_origin o;

	memset(&o, 0, sizeof(o));
	if (c->addr && strchr(c->addr, ':')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&o.addr;
		in6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, c->addr, &in6->sin6_addr);
		o.has_addr = 1;
	} else if (c->addr) {
		struct sockaddr_in *in = (struct sockaddr_in *)&o.addr;
		in->sin_family = AF_INET;
		inet_pton(AF_INET, c->addr, &in->sin_addr);
		o.has_addr = 1;
	}
	o.port = c->port;
	o.daemon_name = c->daemon_name;
	o.daemon_port = c->daemon_port;
	o.authenticated = c->auth;
	return o;
}

/* config_for - the configuration for one combination */
static struct cg_config *
config_for(int fallback, int reject_auth, const char *extra)
{
	char text[1024];

	snprintf(
	    text, sizeof(text),
	    "policy: { fallback = \"%s\"; reject_authenticated = %s;\n"
	    "  trusted_relays = [ \"127.0.0.0/8\", \"::1/128\", "
	    "\"198.51.100.0/24\" ];\n"
	    "  noreject_daemons = [ \"REINJECT\" ];\n"
	    "  rules = ( { match = \"PUA.*\"; action = \"accept\"; },\n"
	    "            { match = \"*.Junk.*\"; action = \"discard\"; },\n"
	    "            { match = \"*.Held\"; action = \"hold\"; },\n"
	    "            { match = \"Heur.*\"; action = \"reject\"; } );\n"
	    "  %s };\n",
	    fallbacks[fallback], reject_auth ? "true" : "false",
	    extra ? extra : "");
	return test_config_text(text);
}

/* the infected verdict, every origin, fallback and reject_authenticated */
START_TEST(test_infected_table)
{
	int fb = _i % 3, ra = (_i / 3) % 2;
	struct cg_config *cfg = config_for(fb, ra, NULL);
	static const char *const plain[] = {"Win.Trojan.X", "Heur.Thing"};

	for (size_t i = 0; i < N_ORIGINS; i++) {
		const struct origin_case *c = &origins[i];
		struct policy_origin o = origin(c);
		int safe = ra ? c->safe : c->safe_noauth;

		for (size_t v = 0; v < 2; v++) {
			struct policy_decision d =
			    policy_decide(cfg, &o, SCAN_INFECTED, plain[v]);
			enum cg_action want =
			    safe ? CG_REJECT : fallback_actions[fb];
			ck_assert_msg(
			    d.action == want,
			    "%s, fallback %s, reject_auth %d, %s: got %s",
			    c->name, fallbacks[fb], ra, plain[v],
			    config_action_name(d.action));
			ck_assert_int_eq(d.header, want == CG_HOLD
						       ? POLICY_HDR_INFECTED
						       : POLICY_HDR_NONE);
			ck_assert((policy_unsafe_reason(cfg, &o) == NULL) ==
				  safe);
		}
		/* rules apply whatever the origin */
		struct policy_decision d =
		    policy_decide(cfg, &o, SCAN_INFECTED, "PUA.Win.Tool");
		ck_assert_int_eq(d.action, CG_ACCEPT);
		ck_assert_int_eq(d.header, POLICY_HDR_INFECTED);
		ck_assert_int_eq(d.rule, 0);
		d = policy_decide(cfg, &o, SCAN_INFECTED, "Doc.Junk.Macro");
		ck_assert_int_eq(d.action, CG_DISCARD);
		d = policy_decide(cfg, &o, SCAN_INFECTED, "Win.Worm.Held");
		ck_assert_int_eq(d.action, CG_HOLD);
		ck_assert_int_eq(d.header, POLICY_HDR_INFECTED);
	}
	config_free(cfg);
}
END_TEST

/* clean, error and not-ready do not depend on the origin */
START_TEST(test_clean_and_errors)
{
	struct cg_config *tf = config_for(0, 1, NULL);
	struct cg_config *acc = config_for(0, 1, "on_error = \"accept\";");

	for (size_t i = 0; i < N_ORIGINS; i++) {
		struct policy_origin o = origin(&origins[i]);
		struct policy_decision d =
		    policy_decide(tf, &o, SCAN_CLEAN, NULL);
		ck_assert_int_eq(d.action, CG_ACCEPT);
		ck_assert_int_eq(d.header, POLICY_HDR_CLEAN);
		ck_assert_int_eq(policy_decide(tf, &o, SCAN_ERROR, NULL).action,
				 CG_TEMPFAIL);
		ck_assert_int_eq(
		    policy_decide(tf, &o, SCAN_NOT_READY, NULL).action,
		    CG_TEMPFAIL);
		d = policy_decide(acc, &o, SCAN_ERROR, NULL);
		ck_assert_int_eq(d.action, CG_ACCEPT);
		ck_assert_int_eq(d.header, POLICY_HDR_UNSCANNED);
		d = policy_decide(acc, &o, SCAN_NOT_READY, NULL);
		ck_assert_int_eq(d.action, CG_ACCEPT);
		ck_assert_int_eq(d.header, POLICY_HDR_UNSCANNED);
		/* a limit a sender can reach never lets mail by */
		d = policy_decide(acc, &o, SCAN_LIMIT, NULL);
		ck_assert_int_eq(d.action, CG_TEMPFAIL);
		ck_assert_str_eq(d.why, "limit");
	}
	config_free(tf);
	config_free(acc);
}
END_TEST

/* oversize and incomplete scans follow on_oversize */
START_TEST(test_oversize)
{
	int fb = _i % 3;
	struct cg_config *a = config_for(
	    fb, 1, "on_oversize = \"accept\"; on_incomplete = \"accept\";");
	struct cg_config *t = config_for(
	    fb, 1, "on_oversize = \"tempfail\"; on_incomplete = \"tempfail\";");
	struct cg_config *r = config_for(
	    fb, 1, "on_oversize = \"reject\"; on_incomplete = \"reject\";");
	static const enum scan_status st[] = {SCAN_OVERSIZE, SCAN_INCOMPLETE};

	for (size_t i = 0; i < N_ORIGINS; i++) {
		struct policy_origin o = origin(&origins[i]);
		for (size_t k = 0; k < 2; k++) {
			struct policy_decision d =
			    policy_decide(a, &o, st[k], NULL);
			ck_assert_int_eq(d.action, CG_ACCEPT);
			ck_assert_int_eq(d.header, POLICY_HDR_UNSCANNED);
			ck_assert_int_eq(
			    policy_decide(t, &o, st[k], NULL).action,
			    CG_TEMPFAIL);
			d = policy_decide(r, &o, st[k], NULL);
			/* without a verdict, never discard: quarantine */
			enum cg_action fa = fallback_actions[fb] == CG_DISCARD
						? CG_QUARANTINE
						: fallback_actions[fb];
			ck_assert_int_eq(d.action,
					 origins[i].safe ? CG_REJECT : fa);
		}
	}
	config_free(a);
	config_free(t);
	config_free(r);
}
END_TEST

/* by default an oversize message is accepted, but a scan cut short by
 * libclamav's limits (cheap for a sender to cause) is rejected where safe */
START_TEST(test_incomplete_default)
{
	struct cg_config *cfg = config_for(2, 1, NULL);

	for (size_t i = 0; i < N_ORIGINS; i++) {
		struct policy_origin o = origin(&origins[i]);
		struct policy_decision d =
		    policy_decide(cfg, &o, SCAN_INCOMPLETE, NULL);
		ck_assert_int_eq(d.action,
				 origins[i].safe ? CG_REJECT : CG_QUARANTINE);
		ck_assert_int_eq(
		    policy_decide(cfg, &o, SCAN_OVERSIZE, NULL).action,
		    CG_ACCEPT);
	}
	config_free(cfg);
}
END_TEST

/* reject = never: the fallback for every origin */
START_TEST(test_reject_never)
{
	struct cg_config *cfg = config_for(0, 1, "reject = \"never\";");

	for (size_t i = 0; i < N_ORIGINS; i++) {
		struct policy_origin o = origin(&origins[i]);
		struct policy_decision d =
		    policy_decide(cfg, &o, SCAN_INFECTED, "X");
		ck_assert_int_eq(d.action, CG_QUARANTINE);
		ck_assert_str_eq(d.why, "reject-never");
	}
	config_free(cfg);
}
END_TEST

/* the reason names why a reject was unsafe */
START_TEST(test_reasons)
{
	struct cg_config *cfg = config_for(0, 0, NULL);
	static const struct {
		size_t origin;
		const char *why;
	} cases[] = {
	    {0, NULL},
	    {3, "authenticated"},
	    {4, "non-smtp"},
	    {5, "non-smtp"},
	    {6, "non-smtp"},
	    {8, "trusted-relay"},
	    {13, "noreject-daemon"},
	    {14, "no-client-address"},
	    {15, "macros-missing"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy_origin o = origin(&origins[cases[i].origin]);
		const char *why = policy_unsafe_reason(cfg, &o);
		if (cases[i].why == NULL)
			ck_assert_ptr_null(why);
		else
			ck_assert_str_eq(why, cases[i].why);
	}
	config_free(cfg);
}
END_TEST

/* where a release token counts: the non-SMTP path, and Sendmail's MSP
 * (loopback, not authenticated, a release_daemons listener); with
 * release_daemons = [ ] only the non-SMTP path */
START_TEST(test_release_paths)
{
	static const struct {
		struct origin_case o;
		int by_default, with_none;
	} cases[] = {
	    {{"msp", "127.0.0.1", 40000, "MTA-v4", "25", 0, 0, 0}, 1, 0},
	    {{"msp v6", "::1", 40000, "MTA-v6", "25", 0, 0, 0}, 1, 0},
	    {{"msp mapped", "::ffff:127.0.0.1", 40000, "MTA", "25", 0, 0, 0},
	     1,
	     0},
	    {{"msp 127/8", "127.0.0.2", 40000, "MTA", "25", 0, 0, 0}, 1, 0},
	    {{"outside", "192.0.2.10", 40000, "MTA-v4", "25", 0, 0, 0}, 0, 0},
	    {{"outside mapped", "::ffff:192.0.2.10", 40000, "MTA-v4", "25", 0,
	      0, 0},
	     0,
	     0},
	    {{"outside v6", "2001:db8::25", 40000, "MTA-v6", "25", 0, 0, 0},
	     0,
	     0},
	    {{"not loopback ::2", "::2", 40000, "MTA-v6", "25", 0, 0, 0}, 0, 0},
	    {{"loopback, other listener", "127.0.0.1", 40000, "MX-IN", "2525",
	      0, 0, 0},
	     0,
	     0},
	    {{"loopback, authenticated", "127.0.0.1", 40000, "MTA-v4", "25", 1,
	      0, 0},
	     0,
	     0},
	    {{"loopback, name in other case", "127.0.0.1", 40000, "mta-v4",
	      "25", 0, 0, 0},
	     0,
	     0},
	    {{"loopback, no daemon_name", "127.0.0.1", 40000, NULL, NULL, 0, 0,
	      0},
	     0,
	     0},
	    {{"no client address", NULL, 0, "MTA-v4", "25", 0, 0, 0}, 0, 0},
	    {{"postfix sendmail", "127.0.0.1", 0, "NONSMTP", "0", 0, 0, 0},
	     1,
	     1},
	    {{"daemon_port 0", "192.0.2.10", 40000, "MTA-IN", "0", 0, 0, 0},
	     1,
	     1},
	    {{"nonsmtp name", "192.0.2.10", 40000, "NONSMTP", "25", 0, 0, 0},
	     1,
	     1},
	};
	struct cg_config *def = config_for(0, 1, NULL);
	struct cg_config *none = config_for(0, 1, "release_daemons = [ ];");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy_origin o = origin(&cases[i].o);
		ck_assert_msg(policy_release_allowed(def, &o) ==
				  cases[i].by_default,
			      "%s, default release_daemons", cases[i].o.name);
		ck_assert_msg(policy_release_allowed(none, &o) ==
				  cases[i].with_none,
			      "%s, release_daemons = [ ]", cases[i].o.name);
	}
	config_free(def);
	config_free(none);
}
END_TEST

/* our notice passes on the release paths and from a loopback SMTP
 * client (notify.smtp), never from elsewhere or after AUTH */
START_TEST(test_notice_paths)
{
	static const struct {
		struct origin_case o;
		int allowed;
	} cases[] = {
	    {{"postfix sendmail", "127.0.0.1", 0, "NONSMTP", "0", 0, 0, 0}, 1},
	    {{"loopback smtpd", "127.0.0.1", 40000, "mx.example", "25", 0, 0,
	      0},
	     1},
	    {{"loopback ::1", "::1", 40000, "mx.example", "25", 0, 0, 0}, 1},
	    {{"loopback, authenticated", "127.0.0.1", 40000, "mx.example",
	      "587", 1, 0, 0},
	     0},
	    {{"outside client", "192.0.2.10", 40000, "MTA-IN", "25", 0, 0, 0},
	     0},
	    {{"no client address", NULL, 0, "mx.example", "25", 0, 0, 0}, 0},
	};
	struct cg_config *def = config_for(0, 1, NULL);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy_origin o = origin(&cases[i].o);
		ck_assert_msg(policy_notice_allowed(def, &o) ==
				  cases[i].allowed,
			      "%s", cases[i].o.name);
	}
	config_free(def);
}
END_TEST

/* recipients not all recorded: quarantine (a partial envelope in our
 * store) becomes the MTA's hold; every other action stays */
START_TEST(test_partial_envelope)
{
	static const enum cg_action in[] = {CG_ACCEPT,	 CG_REJECT,
					    CG_TEMPFAIL, CG_QUARANTINE,
					    CG_HOLD,	 CG_DISCARD};
	static const enum cg_action out[] = {CG_ACCEPT, CG_REJECT, CG_TEMPFAIL,
					     CG_HOLD,	CG_HOLD,   CG_DISCARD};

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct policy_decision d = {in[i], POLICY_HDR_NONE, "x", -1};
		policy_partial_envelope(&d);
		ck_assert_int_eq(d.action, out[i]);
	}
}
END_TEST

/* a recipient past milter.max_recipients may get 452, except where
 * Postfix's cleanup would take that as a configuration error */
START_TEST(test_refuse_rcpt)
{
	static const struct {
		struct origin_case o;
		int refuse;
	} cases[] = {
	    {{"smtp client", "192.0.2.10", 40000, "MTA-IN", "25", 0, 0, 0}, 1},
	    {{"trusted relay", "127.0.0.1", 40000, "MTA", "25", 0, 0, 0}, 1},
	    {{"sendmail -bs, no address", NULL, 0, "MTA", "25", 0, 0, 0}, 1},
	    {{"postfix sendmail", "127.0.0.1", 0, "NONSMTP", "0", 0, 0, 0}, 0},
	    {{"daemon_port 0", "192.0.2.10", 40000, "MTA-IN", "0", 0, 0, 0}, 0},
	    {{"nonsmtp name", "192.0.2.10", 40000, "NONSMTP", "25", 0, 0, 0},
	     0},
	};
	struct cg_config *def = config_for(0, 1, NULL);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy_origin o = origin(&cases[i].o);
		ck_assert_msg(policy_may_refuse_rcpt(def, &o) ==
				  cases[i].refuse,
			      "%s", cases[i].o.name);
	}
	config_free(def);
}
END_TEST

Suite *
policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("table");

	tcase_add_loop_test(tc, test_infected_table, 0, 6);
	tcase_add_test(tc, test_clean_and_errors);
	tcase_add_loop_test(tc, test_oversize, 0, 3);
	tcase_add_test(tc, test_incomplete_default);
	tcase_add_test(tc, test_reject_never);
	tcase_add_test(tc, test_reasons);
	tcase_add_test(tc, test_release_paths);
	tcase_add_test(tc, test_refuse_rcpt);
	tcase_add_test(tc, test_notice_paths);
	tcase_add_test(tc, test_partial_envelope);
	suite_add_tcase(s, tc);
	return s;
}
