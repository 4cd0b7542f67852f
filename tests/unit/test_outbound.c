/* test_outbound.c - the outbound gate's decision: rule x recipients x
 * allow-lists, the merge into the virus decision, and which mail is
 * outbound */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clamgate/autoclass.h"
#include "clamgate/config.h"
#include "clamgate/outbound.h"
#include "clamgate/policy.h"
#include "suites.h"

#define BASE                                                                   \
	"outbound: { internal_domains = [ \"local.example\" ]; "               \
	"allow_recipients = [ \"postmaster@*\" ]; "                            \
	"allow_domains = [ \"partner.example\" ]; "                            \
	"allow_senders = [ \"noreply-ok@local.example\" ]; "

/* each recipient: address and verified; "!" marks one that must stop */
static const struct {
	const char *name;
	const char *keys; /* more outbound keys */
	enum autoclass_kind kind;
	const char *sender;
	const char *rcpts[4];
	int verified[4];
	enum outbound_verdict verdict;
	enum cg_action action;
	const char *why;
	size_t unknown; /* recipients not recorded */
} cases[] = {
    {"human: allow",
     "",
     AUTOCLASS_HUMAN,
     "bob@local.example",
     {"x@outside.example"},
     {0},
     OUTBOUND_PASS,
     CG_ACCEPT,
     "allow",
     0},
    {"autoreply to unverified: stop",
     "",
     AUTOCLASS_AUTOREPLY,
     "bob@local.example",
     {"!x@outside.example"},
     {0},
     OUTBOUND_STOP,
     CG_QUARANTINE,
     "unverified",
     0},
    {"autoreply to verified: pass",
     "",
     AUTOCLASS_AUTOREPLY,
     "bob@local.example",
     {"x@outside.example"},
     {1},
     OUTBOUND_PASS,
     CG_ACCEPT,
     "verified",
     0},
    {"autoreply, store failed: stop",
     "",
     AUTOCLASS_AUTOREPLY,
     "bob@local.example",
     {"!x@outside.example"},
     {-1},
     OUTBOUND_STOP,
     CG_QUARANTINE,
     "unverified",
     0},
    {"autoreply to internal: pass",
     "",
     AUTOCLASS_AUTOREPLY,
     "bob@local.example",
     {"carol@local.example"},
     {0},
     OUTBOUND_PASS,
     CG_ACCEPT,
     "internal",
     0},
    {"autoreply to an internal subdomain: pass",
     "",
     AUTOCLASS_AUTOREPLY,
     "",
     {"carol@eu.LOCAL.example."},
     {0},
     OUTBOUND_PASS,
     CG_ACCEPT,
     "internal",
     0},
    {"a look-alike domain is not internal",
     "",
     AUTOCLASS_AUTOREPLY,
     "",
     {"!carol@evillocal.example"},
     {0},
     OUTBOUND_STOP,
     CG_QUARANTINE,
     "unverified",
     0},
    {"dsn, mixed: trim",
     "",
     AUTOCLASS_DSN,
     "",
     {"a@outside.example", "!b@outside.example", "c@local.example",
      "!d@outside.example"},
     {1, 0, 0, 0},
     OUTBOUND_TRIM,
     CG_QUARANTINE,
     "unverified",
     0},
    {"dsn, on_stop discard",
     "on_stop = \"discard\";",
     AUTOCLASS_DSN,
     "",
     {"!b@outside.example"},
     {0},
     OUTBOUND_STOP,
     CG_DISCARD,
     "unverified",
     0},
    {"challenge: discard even to internal",
     "",
     AUTOCLASS_CHALLENGE,
     "bob@local.example",
     {"!carol@local.example"},
     {1},
     OUTBOUND_STOP,
     CG_DISCARD,
     "rule",
     0},
    {"av-notice: discard, but postmaster is allow-listed",
     "",
     AUTOCLASS_AV_NOTICE,
     "av@local.example",
     {"!x@outside.example", "postmaster@outside.example"},
     {1, 0},
     OUTBOUND_TRIM,
     CG_DISCARD,
     "rule",
     0},
    {"allow_domains recipient: pass",
     "",
     AUTOCLASS_AUTOREPLY,
     "",
     {"x@Partner.Example"},
     {0},
     OUTBOUND_PASS,
     CG_ACCEPT,
     "allowed-recipient",
     0},
    {"allow_senders: pass whatever the kind",
     "",
     AUTOCLASS_CHALLENGE,
     "noreply-ok@local.example",
     {"x@outside.example"},
     {0},
     OUTBOUND_PASS,
     CG_ACCEPT,
     "allowed-sender",
     0},
    {"internal-only: verified is not enough",
     "autoreply = \"internal-only\";",
     AUTOCLASS_AUTOREPLY,
     "",
     {"!x@outside.example", "y@local.example"},
     {1, 0},
     OUTBOUND_TRIM,
     CG_QUARANTINE,
     "external",
     0},
    {"quarantine rule",
     "list = \"quarantine\";",
     AUTOCLASS_LIST,
     "list@local.example",
     {"!x@outside.example"},
     {1},
     OUTBOUND_STOP,
     CG_QUARANTINE,
     "rule",
     0},
    {"no domain is never internal",
     "",
     AUTOCLASS_AUTOREPLY,
     "",
     {"!root"},
     {0},
     OUTBOUND_STOP,
     CG_QUARANTINE,
     "unverified",
     0},
    /* forms the MTA rewrites to another place: percent hack, quoted
     * local part, bang path, source route; verified or not */
    {"percent hack at an internal domain",
     "",
     AUTOCLASS_AUTOREPLY,
     "bob@local.example",
     {"!victim%outside.example@local.example", "y@local.example"},
     {0, 0},
     OUTBOUND_TRIM,
     CG_QUARANTINE,
     "unverified",
     0},
    {"quoted local part, bang path, route: never internal or verified",
     "",
     AUTOCLASS_DSN,
     "",
     {"!\"victim@outside.example\"@local.example",
      "!outside.example!victim@local.example",
      "!@local.example:victim@outside.example", "!a%b@outside.example"},
     {1, 1, 1, 1},
     OUTBOUND_STOP,
     CG_QUARANTINE,
     "unverified",
     0},
    {"rewritable forms are not allow-listed either",
     "",
     AUTOCLASS_AUTOREPLY,
     "",
     {"!postmaster%outside.example@partner.example"},
     {0},
     OUTBOUND_STOP,
     CG_QUARANTINE,
     "unverified",
     0},
    {"allow lets every form pass",
     "",
     AUTOCLASS_HUMAN,
     "",
     {"a%b@local.example"},
     {0},
     OUTBOUND_PASS,
     CG_ACCEPT,
     "allow",
     0},
    {"unrecorded recipients stop the whole message",
     "",
     AUTOCLASS_AUTOREPLY,
     "bob@local.example",
     {"!y@local.example"},
     {0},
     OUTBOUND_STOP,
     CG_QUARANTINE,
     "unrecorded",
     5},
    {"unrecorded recipients, rule allow",
     "",
     AUTOCLASS_LIST,
     "bob@local.example",
     {"y@outside.example"},
     {0},
     OUTBOUND_PASS,
     CG_ACCEPT,
     "allow",
     5},
};

/* the longest plain address passes, one more character does not */
START_TEST(test_addr_plain)
{
	char addr[OUTBOUND_ADDR_MAX + 2];

	memset(addr, 'a', sizeof(addr));
	memcpy(addr + OUTBOUND_ADDR_MAX - 10, "@x.example", 10);
	addr[OUTBOUND_ADDR_MAX] = '\0';
	ck_assert_int_eq(outbound_addr_plain(addr), 1);
	memmove(addr + 1, addr, OUTBOUND_ADDR_MAX + 1);
	ck_assert_int_eq(outbound_addr_plain(addr), 0);
	ck_assert_int_eq(outbound_addr_plain("bob@x.example"), 1);
	ck_assert_int_eq(outbound_addr_plain("bob+ext@x.example"), 1);
	ck_assert_int_eq(outbound_addr_plain("@x.example"), 0);
	ck_assert_int_eq(outbound_addr_plain("bob@"), 0);
	ck_assert_int_eq(outbound_addr_plain("b ob@x.example"), 0);
	ck_assert_int_eq(outbound_addr_plain(NULL), 0);
}
END_TEST

START_TEST(test_decide)
{
	char text[1024];
	struct cg_config *cfg;
	struct outbound_rcpt r[4];
	struct outbound_decision d;
	size_t n = 0, want_stopped = 0;

	snprintf(text, sizeof(text), BASE "%s };", cases[_i].keys);
	cfg = test_config_text(text);
	memset(r, 0, sizeof(r));
	for (; n < 4 && cases[_i].rcpts[n]; n++) {
		const char *a = cases[_i].rcpts[n];
		int stop = a[0] == '!';
		r[n].addr = a + stop;
		r[n].internal = outbound_domain_internal(cfg, r[n].addr);
		r[n].allowed = outbound_rcpt_allowed(cfg, r[n].addr);
		r[n].verified = cases[_i].verified[n];
		want_stopped += (size_t)stop;
	}
	outbound_decide(cfg, (int)cases[_i].kind, cases[_i].sender, r, n,
			cases[_i].unknown, &d);
	ck_assert_int_eq(d.verdict, cases[_i].verdict);
	ck_assert_int_eq(d.action, cases[_i].action);
	ck_assert_str_eq(d.why, cases[_i].why);
	ck_assert_uint_eq(d.n_stopped, want_stopped);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(r[i].stop == (cases[_i].rcpts[i][0] == '!'),
			      "%s: recipient %zu", cases[_i].name, i);
	config_free(cfg);
}
END_TEST

/* the merge: infected mail keeps the virus decision; log mode changes
 * nothing; a trim that cannot remove recipients stops the message */
START_TEST(test_merge)
{
	struct outbound_decision stop = {CG_OUT_VERIFIED_ONLY, OUTBOUND_STOP,
					 CG_QUARANTINE, 1, "unverified"};
	struct outbound_decision trim = stop;
	struct policy_decision pd = {CG_ACCEPT, POLICY_HDR_CLEAN, "clean", -1};
	struct policy_decision rej = {CG_REJECT, POLICY_HDR_NONE, "safe", -1};

	trim.verdict = OUTBOUND_TRIM;
	outbound_merge(&pd, &stop, 1, 1);
	ck_assert_int_eq(pd.action, CG_ACCEPT);
	outbound_merge(&rej, &stop, 0, 1);
	ck_assert_int_eq(rej.action, CG_REJECT);
	outbound_merge(&pd, &trim, 0, 1);
	ck_assert_int_eq(pd.action, CG_ACCEPT);
	outbound_merge(&pd, &trim, 0, 0);
	ck_assert_int_eq(pd.action, CG_QUARANTINE);
	ck_assert_int_eq(pd.header, POLICY_HDR_NONE);
	ck_assert_str_eq(pd.why, "outbound");
	pd.action = CG_ACCEPT;
	outbound_merge(&pd, &stop, 0, 1);
	ck_assert_int_eq(pd.action, CG_QUARANTINE);
}
END_TEST

/* which mail is outbound */
static const struct {
	const char *name;
	const char *addr;
	unsigned port;
	const char *daemon_name;
	const char *daemon_port;
	int auth;
	int outbound;
} origins[] = {
    {"inbound MX", "192.0.2.10", 40000, "MTA-IN", "25", 0, 0},
    {"a loopback relay is still inbound", "127.0.0.1", 40000, "MTA-IN", "25", 0,
     0},
    {"authenticated submission", "192.0.2.10", 40000, "MTA-IN", "587", 1, 1},
    {"postfix sendmail", "127.0.0.1", 0, "NONSMTP", "0", 0, 1},
    {"daemon_port 0", "192.0.2.10", 40000, "X", "0", 0, 1},
    {"outbound listener", "192.0.2.10", 40000, "SUBMIT", "587", 0, 1},
    {"sendmail MSP", "127.0.0.1", 40000, "MTA", "25", 0, 1},
    {"MSP name from outside is inbound", "192.0.2.10", 40000, "MTA", "25", 0,
     0},
};

START_TEST(test_direction)
{
	struct cg_config *cfg =
	    test_config_text("outbound: { listeners = [ \"SUBMIT\" ]; };");
	struct policy_origin o;
	struct sockaddr_in *in = (struct sockaddr_in *)&o.addr;

	memset(&o, 0, sizeof(o));
	in->sin_family = AF_INET;
	inet_pton(AF_INET, origins[_i].addr, &in->sin_addr);
	o.has_addr = 1;
	o.port = origins[_i].port;
	o.daemon_name = origins[_i].daemon_name;
	o.daemon_port = origins[_i].daemon_port;
	o.authenticated = origins[_i].auth;
	ck_assert_msg(policy_is_outbound(cfg, &o) == origins[_i].outbound, "%s",
		      origins[_i].name);
	config_free(cfg);
}
END_TEST

Suite *
outbound_suite(void)
{
	Suite *s = suite_create("outbound");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_decide, 0,
			    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_addr_plain);
	tcase_add_test(tc, test_merge);
	tcase_add_loop_test(tc, test_direction, 0,
			    sizeof(origins) / sizeof(origins[0]));
	suite_add_tcase(s, tc);
	return s;
}
