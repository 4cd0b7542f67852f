/* test_authres.c - Authentication-Results: parsing, organisational
 * domains, and which envelope senders a trusted field verifies */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clamgate/authres.h"
#include "clamgate/hdrlist.h"
#include "clamgate/mime.h"
#include "clamgate/xmalloc.h"
#include "suites.h"

/* render - a parse as "id; method=result name=value ...; ..." */
static void
render(const struct authres *ar, char *buf, size_t size)
{
	size_t len = 0;

	len += (size_t)snprintf(buf, size, "%s", ar->authserv_id);
	for (size_t i = 0; i < ar->n_results && len < size; i++) {
		const struct authres_result *r = &ar->results[i];
		len += (size_t)snprintf(buf + len, size - len, "; %s=%s",
					r->method, r->result);
		for (size_t j = 0; j < r->n_props && len < size; j++)
			len += (size_t)snprintf(buf + len, size - len, " %s=%s",
						r->props[j].name,
						r->props[j].value);
	}
}

static const struct {
	const char *name;
	const char *value;
	int rc;
	const char *parsed; /* render() of the result */
} parse_cases[] = {
    {"rfc example",
     "mx.example.org; spf=pass smtp.mailfrom=bob@ex.net; dkim=pass "
     "header.d=ex.net header.i=@ex.net; dmarc=pass header.from=ex.net",
     0,
     "mx.example.org; spf=pass smtp.mailfrom=bob@ex.net; dkim=pass "
     "header.d=ex.net header.i=@ex.net; dmarc=pass header.from=ex.net"},
    {"comments everywhere",
     "(c) mx.example.org (c (nested) \\) x) 1 (c); (c) spf (c) = (c) pass "
     "(c) smtp (c) . (c) mailfrom (c) = (c) bob@ex.net (c)",
     0, "mx.example.org; spf=pass smtp.mailfrom=bob@ex.net"},
    {"comment touching names",
     "mx(c);spf(c)=(c)pass(c)smtp.mailfrom=a@ex.net(c)", 0,
     "mx; spf=pass smtp.mailfrom=a@ex.net"},
    {"escaped paren in comment",
     "mx; spf=pass (a \\( b) smtp.mailfrom=a@ex.net", 0,
     "mx; spf=pass smtp.mailfrom=a@ex.net"},
    {"folding white space", "mx;\r\n\tspf=pass\r\n smtp.mailfrom=a@ex.net", 0,
     "mx; spf=pass smtp.mailfrom=a@ex.net"},
    {"quoted values",
     "mx; dkim=pass header.d=\"ex.net\" header.b=\"ab\\\"c\\\\d\"", 0,
     "mx; dkim=pass header.d=ex.net header.b=ab\"c\\d"},
    {"quoted empty value", "mx; dkim=pass header.b=\"\"", 0,
     "mx; dkim=pass header.b="},
    {"quoted authserv-id", "\"MX.Example.ORG\"; none", 0, "mx.example.org"},
    {"quoted local part", "mx; spf=pass smtp.mailfrom=\"john doe\"@ex.net", 0,
     "mx; spf=pass smtp.mailfrom=\"john doe\"@ex.net"},
    {"versions", "mx 1; dkim/1=pass header.d=ex.net; spf / 2 = fail", 0,
     "mx; dkim=pass header.d=ex.net; spf=fail"},
    {"none", "mx; none", 0, "mx"},
    {"none with comment", "mx 1 ;none (no checks)", 0, "mx"},
    {"none then results", "mx; none; spf=pass", 0, "mx"},
    {"reason", "mx; dkim=fail reason=\"bad signature\" header.d=ex.net", 0,
     "mx; dkim=fail reason=bad signature header.d=ex.net"},
    {"uppercase names", "MX.EXAMPLE.ORG; SPF=PASS SMTP.MailFrom=Bob@Ex.Net", 0,
     "mx.example.org; spf=pass smtp.mailfrom=Bob@Ex.Net"},
    {"angle brackets and base64",
     "mx; spf=pass smtp.mailfrom=<a@ex.net>; dkim=pass header.d=ex.net "
     "header.b=ab/c+d=",
     0,
     "mx; spf=pass smtp.mailfrom=<a@ex.net>; dkim=pass header.d=ex.net "
     "header.b=ab/c+d="},
    {"empty resinfo and trailing semicolon", "mx; spf=pass;; dkim=fail ;", 0,
     "mx; spf=pass; dkim=fail"},
    {"no semicolon after id", "mx spf=pass smtp.mailfrom=a@ex.net", 0, "mx"},
    {"no semicolon between results",
     "mx; spf=pass smtp.mailfrom=a@ex.net dkim=pass header.d=ex.net", 0, "mx"},
    {"garbage ends the list",
     "mx; spf=pass smtp.mailfrom=a@ex.net; dkim=pass header.d=ex.net !!; "
     "dmarc=pass",
     0, "mx; spf=pass smtp.mailfrom=a@ex.net"},
    {"property without dot",
     "mx; spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=ex.net; "
     "dkim=none (message not signed) header.d=none;dmarc=none "
     "action=none header.from=ex.net;compauth=pass reason=100",
     0, "mx; spf=pass smtp.mailfrom=ex.net; dkim=none header.d=none"},
    {"unterminated quote", "mx; spf=fail; dkim=pass header.d=\"ex.net", 0,
     "mx; spf=fail"},
    {"unterminated comment", "mx; dkim=pass (oops header.d=ex.net", 0,
     "mx; dkim=pass"},
    {"bad method version", "mx; dkim/x=pass", 0, "mx"},
    {"bad id version", "mx 1x; spf=pass", 0, "mx"},
    {"no result", "mx; spf= ; dkim=pass", 0, "mx"},
    {"no method", "mx; =pass", 0, "mx"},
    {"empty value", "mx; spf=pass smtp.mailfrom=", 0, "mx"},
    {"no equals", "mx; spf=pass smtp.mailfrom a@ex.net", 0, "mx"},
    {"garbage after id", "mx@ex.net; spf=pass", 0, "mx"},
    {"id only", "mx.example.org", 0, "mx.example.org"},
    {"empty", "", -1, ""},
    {"only a comment", "  (nothing here) ", -1, ""},
    {"no id", "; spf=pass", -1, ""},
    {"unterminated quoted id", "\"mx; spf=pass", -1, ""},
    {"binary", "\x01\x02;;==\xff", -1, ""},
    {"utf-8 id", "m\xc3\xa9x; spf=pass", 0, "m\xc3\xa9x; spf=pass"},
};

START_TEST(test_parse)
{
	struct authres ar;
	char buf[4096];
	int rc;

	memset(&ar, 0x5a, sizeof(ar));
	rc = authres_parse(parse_cases[_i].value, &ar);
	render(&ar, buf, sizeof(buf));
	ck_assert_msg(rc == parse_cases[_i].rc, "%s: rc %d",
		      parse_cases[_i].name, rc);
	ck_assert_msg(strcmp(buf, parse_cases[_i].parsed) == 0,
		      "%s: got \"%s\", want \"%s\"", parse_cases[_i].name, buf,
		      parse_cases[_i].parsed);
}
END_TEST

START_TEST(test_parse_null)
{
	struct authres ar;

	memset(&ar, 0x5a, sizeof(ar));
	ck_assert_int_eq(authres_parse(NULL, &ar), -1);
	ck_assert_str_eq(ar.authserv_id, "");
	ck_assert_uint_eq(ar.n_results, 0);
}
END_TEST

/* repeat - prefix, n copies of s, suffix */
static char *
repeat(const char *prefix, const char *s, size_t n, const char *suffix)
{
	size_t lp = strlen(prefix), ls = strlen(s), lx = strlen(suffix);
	char *out = malloc(lp + ls * n + lx + 1), *p;

	ck_assert_ptr_nonnull(out);
	memcpy(out, prefix, lp);
	p = out + lp;
	for (size_t i = 0; i < n; i++) {
		memcpy(p, s, ls);
		p += ls;
	}
	memcpy(p, suffix, lx + 1);
	return out;
}

START_TEST(test_too_many)
{
	struct authres ar;
	char *text = repeat("mx", "; spf=pass smtp.mailfrom=a@ex.net", 20, "");

	ck_assert_int_eq(authres_parse(text, &ar), 0);
	ck_assert_uint_eq(ar.n_results, AUTHRES_MAX_RESULTS);
	ck_assert_str_eq(ar.results[AUTHRES_MAX_RESULTS - 1].method, "spf");
	ck_assert_str_eq(
	    authres_prop(&ar.results[AUTHRES_MAX_RESULTS - 1], "smtp.mailfrom"),
	    "a@ex.net");
	free(text);
	text = repeat("mx; dkim=pass", " header.x=1", 12, " header.d=ex.net");
	ck_assert_int_eq(authres_parse(text, &ar), 0);
	ck_assert_uint_eq(ar.n_results, 1);
	ck_assert_uint_eq(ar.results[0].n_props, AUTHRES_MAX_PROPS);
	ck_assert_ptr_null(authres_prop(&ar.results[0], "header.d"));
	free(text);
}
END_TEST

/* parse_sized - "mx; dkim=pass header.b=<n x> header.d=ex.net" */
static void
parse_sized(size_t n, struct authres *ar)
{
	char *text =
	    repeat("mx; dkim=pass header.b=", "x", n, " header.d=ex.net");

	ck_assert_int_eq(authres_parse(text, ar), 0);
	free(text);
}

START_TEST(test_too_long)
{
	struct authres ar;
	char *text;
	size_t max = sizeof(ar.results[0].props[0].value) - 1;

	parse_sized(max, &ar);
	ck_assert_uint_eq(ar.n_results, 1);
	ck_assert_uint_eq(ar.results[0].n_props, 2);
	ck_assert_uint_eq(strlen(authres_prop(&ar.results[0], "header.b")),
			  max);
	/* a value that does not fit is dropped, never cut */
	parse_sized(max + 1, &ar);
	ck_assert_uint_eq(ar.n_results, 1);
	ck_assert_uint_eq(ar.results[0].n_props, 1);
	ck_assert_ptr_null(authres_prop(&ar.results[0], "header.b"));
	ck_assert_str_eq(authres_prop(&ar.results[0], "header.d"), "ex.net");
	/* an authserv-id that does not fit: no id at all */
	text = repeat("", "m", sizeof(ar.authserv_id) - 1, "; spf=pass");
	ck_assert_int_eq(authres_parse(text, &ar), 0);
	ck_assert_uint_eq(strlen(ar.authserv_id), sizeof(ar.authserv_id) - 1);
	ck_assert_uint_eq(ar.n_results, 1);
	free(text);
	text = repeat("", "m", sizeof(ar.authserv_id), "; spf=pass");
	ck_assert_int_eq(authres_parse(text, &ar), -1);
	ck_assert_str_eq(ar.authserv_id, "");
	ck_assert_uint_eq(ar.n_results, 0);
	free(text);
	/* a method or property name that does not fit ends the list */
	text = repeat("mx; spf=fail; ", "d", sizeof(ar.results[0].method),
		      "=pass");
	ck_assert_int_eq(authres_parse(text, &ar), 0);
	ck_assert_uint_eq(ar.n_results, 1);
	free(text);
	text = repeat("mx; spf=fail; dkim=pass header.", "d", 60, "=ex.net");
	ck_assert_int_eq(authres_parse(text, &ar), 0);
	ck_assert_uint_eq(ar.n_results, 1);
	free(text);
}
END_TEST

START_TEST(test_very_long)
{
	struct authres ar;
	char *text;

	text = repeat("mx; spf=pass ", "(", 200000, "");
	ck_assert_int_eq(authres_parse(text, &ar), 0);
	ck_assert_uint_eq(ar.n_results, 1);
	free(text);
	text = repeat("mx; spf=pass ", "(a)", 100000, "smtp.mailfrom=a@ex.net");
	ck_assert_int_eq(authres_parse(text, &ar), 0);
	ck_assert_str_eq(authres_prop(&ar.results[0], "smtp.mailfrom"),
			 "a@ex.net");
	free(text);
	text = repeat("mx", ";", 100000, " spf=pass");
	ck_assert_int_eq(authres_parse(text, &ar), 0);
	ck_assert_uint_eq(ar.n_results, 1);
	free(text);
	text = repeat("mx; dkim=pass header.b=\"", "\\\"", 100000, "\"");
	ck_assert_int_eq(authres_parse(text, &ar), 0);
	ck_assert_uint_eq(ar.results[0].n_props, 0);
	free(text);
}
END_TEST

START_TEST(test_prop)
{
	struct authres ar;

	ck_assert_int_eq(authres_parse("mx; dkim=pass header.d=a.example "
				       "Header.D=b.example header.i=@a.example",
				       &ar),
			 0);
	ck_assert_str_eq(authres_prop(&ar.results[0], "header.d"), "a.example");
	ck_assert_str_eq(authres_prop(&ar.results[0], "HEADER.I"),
			 "@a.example");
	ck_assert_ptr_null(authres_prop(&ar.results[0], "smtp.mailfrom"));
	ck_assert_ptr_null(authres_prop(&ar.results[0], "header"));
}
END_TEST

static const struct {
	const char *a, *b;
	int same;
} org_cases[] = {
    {"example.co.uk", "mail.example.co.uk", 1},
    {"a.b.example.com", "example.com", 1},
    {"EXAMPLE.COM", "example.com.", 1},
    {"foo.github.io", "www.foo.github.io", 1},
    {"example.com", "example.org", 0},
    {"example.co.uk", "other.co.uk", 0},
    {"co.uk", "example.co.uk", 0},
    {"co.uk", "co.uk", 0},
    {"com", "com", 0},
    {"foo.github.io", "bar.github.io", 0},
    {"github.io", "github.io", 0},
    {"example.com.evil.net", "example.com", 0},
    {"x..example.com", "x..example.com", 0},
    {".example.com", "example.com", 0},
    {"example.com..", "example.com", 0},
    {"[192.0.2.1]", "[192.0.2.1]", 0},
    {"bob@example.com", "example.com", 0},
    {"exa mple.com", "exa mple.com", 0},
    {"", "", 0},
    {".", ".", 0},
    {NULL, "example.com", 0},
    {"example.com", NULL, 0},
};

START_TEST(test_same_org)
{
	int same = authres_same_org(org_cases[_i].a, org_cases[_i].b);

	ck_assert_msg(same == org_cases[_i].same, "\"%s\" \"%s\": %d",
		      org_cases[_i].a ? org_cases[_i].a : "(null)",
		      org_cases[_i].b ? org_cases[_i].b : "(null)", same);
}
END_TEST

START_TEST(test_how_name)
{
	ck_assert_str_eq(authres_how_name(AUTHRES_NONE), "none");
	ck_assert_str_eq(authres_how_name(AUTHRES_SPF), "spf");
	ck_assert_str_eq(authres_how_name(AUTHRES_DKIM), "dkim");
	ck_assert_str_eq(authres_how_name(AUTHRES_SPF | AUTHRES_DKIM),
			 "spf+dkim");
}
END_TEST

#define T    "mx.example.org; "
#define U    "evil.example; "
#define SPF  AUTHRES_SPF
#define DKIM AUTHRES_DKIM
#define BOTH (AUTHRES_SPF | AUTHRES_DKIM)

static const struct {
	const char *name;
	const char *sender;
	const char *fields[4]; /* Authentication-Results values */
	int how;
} verify_cases[] = {
    {"spf mailfrom",
     "bob@ex.net",
     {T "spf=pass smtp.mailfrom=bob@ex.net"},
     SPF},
    {"spf sender in brackets",
     "<bob@ex.net>",
     {T "spf=pass smtp.mailfrom=bob@ex.net"},
     SPF},
    {"spf mailfrom in brackets",
     "bob@ex.net",
     {T "spf=pass smtp.mailfrom=<bob@ex.net>"},
     SPF},
    {"spf other local part",
     "alice@ex.net",
     {T "spf=pass smtp.mailfrom=bob@ex.net"},
     0},
    {"spf local part prefix",
     "bo@ex.net",
     {T "spf=pass smtp.mailfrom=bob@ex.net"},
     0},
    {"spf mailfrom local part prefix",
     "bob@ex.net",
     {T "spf=pass smtp.mailfrom=bo@ex.net"},
     0},
    {"spf other domain",
     "bob@ex.org",
     {T "spf=pass smtp.mailfrom=bob@ex.net"},
     0},
    {"spf domain only", "bob@ex.net", {T "spf=pass smtp.mailfrom=ex.net"}, SPF},
    {"spf at domain", "bob@ex.net", {T "spf=pass smtp.mailfrom=@ex.net"}, SPF},
    {"spf domain only, other domain",
     "bob@ex.net",
     {T "spf=pass smtp.mailfrom=ex.org"},
     0},
    {"spf domain only, subdomain",
     "bob@ex.net",
     {T "spf=pass smtp.mailfrom=mail.ex.net"},
     0},
    {"spf domain only, parent",
     "bob@mail.ex.net",
     {T "spf=pass smtp.mailfrom=ex.net"},
     0},
    {"spf trailing dots",
     "bob@ex.net.",
     {T "spf=pass smtp.mailfrom=bob@ex.net.", T "spf=pass smtp.mailfrom=x"},
     SPF},
    {"spf case",
     "BOB@Ex.Net",
     {"MX.Example.ORG; SPF=PASS SMTP.MAILFROM=bob@EX.NET"},
     SPF},
    {"spf quoted local part",
     "<\"john doe\"@ex.net>",
     {T "spf=pass smtp.mailfrom=\"john doe\"@ex.net"},
     SPF},
    {"spf fail", "bob@ex.net", {T "spf=fail smtp.mailfrom=bob@ex.net"}, 0},
    {"spf softfail",
     "bob@ex.net",
     {T "spf=softfail smtp.mailfrom=bob@ex.net"},
     0},
    {"spf helo only", "bob@ex.net", {T "spf=pass smtp.helo=ex.net"}, 0},
    {"spf mailfrom empty", "bob@ex.net", {T "spf=pass smtp.mailfrom=\"\""}, 0},
    {"spf untrusted", "bob@ex.net", {U "spf=pass smtp.mailfrom=bob@ex.net"}, 0},
    /* the same authserv-id to RFC 8601, but not the bare form our
     * verifiers write and the MTA's drop rule matches: never counted */
    {"spf id after a comment",
     "bob@ex.net",
     {"(checked) mx.example.org; spf=pass smtp.mailfrom=bob@ex.net"},
     0},
    {"spf id quoted",
     "bob@ex.net",
     {"\"mx.example.org\"; spf=pass smtp.mailfrom=bob@ex.net"},
     0},
    {"dkim id folded after a comment",
     "bob@ex.net",
     {"\r\n (x)\r\n mx.example.org; dkim=pass header.d=ex.net"},
     0},
    {"spf id bare after folding white space",
     "bob@ex.net",
     {"\r\n\tmx.example.org (v1); spf=pass smtp.mailfrom=bob@ex.net"},
     SPF},
    {"spf id with suffix",
     "bob@ex.net",
     {"mx.example.org.evil; spf=pass smtp.mailfrom=bob@ex.net"},
     0},
    {"spf id prefix",
     "bob@ex.net",
     {"mx.example.or; spf=pass smtp.mailfrom=bob@ex.net"},
     0},
    {"spf in comment",
     "bob@ex.net",
     {T "spf=fail (spf=pass smtp.mailfrom=bob@ex.net)"},
     0},
    {"spf second trusted id",
     "bob@ex.net",
     {"MX2.example.org 1; spf=pass smtp.mailfrom=bob@ex.net"},
     SPF},
    {"dkim same org",
     "bob@mail.example.co.uk",
     {T "dkim=pass header.d=example.co.uk"},
     DKIM},
    {"dkim subdomain signer",
     "bob@example.com",
     {T "dkim=pass header.d=mail.example.com"},
     DKIM},
    {"dkim case",
     "bob@Mail.Example.COM",
     {T "DKIM=Pass Header.D=EXAMPLE.com."},
     DKIM},
    {"dkim public suffix",
     "bob@mail.example.co.uk",
     {T "dkim=pass header.d=co.uk"},
     0},
    {"dkim other org",
     "bob@mail.example.co.uk",
     {T "dkim=pass header.d=other.org"},
     0},
    {"dkim sibling under suffix",
     "bob@example.co.uk",
     {T "dkim=pass header.d=other.co.uk"},
     0},
    {"dkim private suffix",
     "bob@foo.github.io",
     {T "dkim=pass header.d=bar.github.io"},
     0},
    {"dkim lookalike",
     "bob@example.com",
     {T "dkim=pass header.d=example.com.evil.net"},
     0},
    {"dkim fail",
     "bob@mail.example.co.uk",
     {T "dkim=fail header.d=example.co.uk"},
     0},
    {"dkim no header.d",
     "bob@example.com",
     {T "dkim=pass header.i=@example.com"},
     0},
    {"header.d of another method",
     "bob@example.com",
     {T "dmarc=pass header.from=example.com header.d=example.com; "
	"x-dkim=pass header.d=example.com; arc=pass header.d=example.com"},
     0},
    {"smtp.mailfrom of another method",
     "bob@example.com",
     {T "x-spf=pass smtp.mailfrom=bob@example.com; iprev=pass "
	"smtp.mailfrom=bob@example.com"},
     0},
    {"dkim untrusted",
     "bob@mail.example.co.uk",
     {U "dkim=pass header.d=example.co.uk"},
     0},
    {"dkim fail and pass",
     "bob@example.com",
     {T "dkim=fail header.d=example.com; dkim=pass header.d=example.com"},
     DKIM},
    {"pass in a later trusted field",
     "bob@example.com",
     {T "dkim=fail header.d=example.com", T "dkim=pass header.d=example.com"},
     DKIM},
    {"both",
     "bob@example.com",
     {T "spf=pass smtp.mailfrom=bob@example.com; dkim=pass "
	"header.d=example.com"},
     BOTH},
    {"both, two fields",
     "bob@example.com",
     {T "spf=pass smtp.mailfrom=bob@example.com",
      T "dkim=pass header.d=example.com"},
     BOTH},
    {"only the second is trusted",
     "bob@example.com",
     {U "dkim=pass header.d=example.com",
      T "spf=pass smtp.mailfrom=bob@example.com"},
     SPF},
    {"only the first is trusted",
     "bob@example.com",
     {T "dkim=fail header.d=example.com",
      U "dkim=pass header.d=example.com; spf=pass "
	"smtp.mailfrom=bob@example.com"},
     0},
    {"null sender", "", {T "spf=pass smtp.mailfrom=ex.net"}, 0},
    {"null sender in brackets",
     "<>",
     {T "spf=pass smtp.mailfrom=ex.net; dkim=pass header.d=ex.net"},
     0},
    {"sender without domain", "bob", {T "spf=pass smtp.mailfrom=bob"}, 0},
    {"sender with empty domain", "bob@", {T "dkim=pass header.d=ex.net"}, 0},
    {"sender with empty local part",
     "@ex.net",
     {T "spf=pass smtp.mailfrom=ex.net"},
     0},
    {"sender address literal",
     "bob@[192.0.2.1]",
     {T "spf=pass smtp.mailfrom=bob@[192.0.2.1]"},
     0},
    {"no fields", "bob@ex.net", {NULL}, 0},
};

START_TEST(test_verified)
{
	static char *ids[] = {"mx.example.org", "mx2.example.org"};
	struct cg_strlist trusted = {ids, 2};
	struct hdrlist h;
	int how;

	memset(&h, 0, sizeof(h));
	hdrlist_add(&h, "Received", "from mx.example.org; spf=pass");
	/* the From: field DKIM signed names the sender (test_dkim_from) */
	hdrlist_add(&h, "From", verify_cases[_i].sender);
	for (size_t i = 0; verify_cases[_i].fields[i] != NULL; i++) {
		hdrlist_add(&h,
			    i % 2 ? "authentication-results"
				  : "Authentication-Results",
			    verify_cases[_i].fields[i]);
		hdrlist_add(&h, "X-Authentication-Results",
			    "mx.example.org; spf=pass smtp.mailfrom=ex.net; "
			    "dkim=pass header.d=ex.net");
	}
	how = authres_verified(&h, verify_cases[_i].sender, &trusted);
	ck_assert_msg(how == verify_cases[_i].how, "%s: %s, want %s",
		      verify_cases[_i].name, authres_how_name(how),
		      authres_how_name(verify_cases[_i].how));
	hdrlist_clear(&h);
}
END_TEST

/* DKIM signs From:, not the envelope: it verifies the envelope sender
 * only when From: names that very mailbox */
static const struct {
	const char *name;
	const char *from[2];
	int how;
} dkim_from_cases[] = {
    {"From is the sender", {"bob@example.com"}, AUTHRES_DKIM},
    {"with a display name", {"Bob Smith <Bob@Example.COM>"}, AUTHRES_DKIM},
    {"a replayed signature: From is another account",
     {"Mallory <mallory@example.com>"},
     0},
    {"no From", {NULL}, 0},
    {"two From fields", {"bob@example.com", "bob@example.com"}, 0},
    {"a From cut at the limit, then the sender's",
     {NULL, "bob@example.com"},
     0},
    {"two mailboxes", {"bob@example.com, mallory@example.com"}, 0},
    {"a group", {"friends: bob@example.com;"}, 0},
};

START_TEST(test_dkim_from)
{
	static char *ids[] = {"mx.example.org"};
	struct cg_strlist trusted = {ids, 1};
	struct hdrlist h;

	memset(&h, 0, sizeof(h));
	if (dkim_from_cases[_i].from[0] == NULL &&
	    dkim_from_cases[_i].from[1] != NULL) {
		char *huge = xmalloc(HDRLIST_VALUE_MAX + 32);
		memset(huge, 'a', HDRLIST_VALUE_MAX + 10);
		strcpy(huge + HDRLIST_VALUE_MAX + 10, "@x.example");
		hdrlist_add(&h, "From", huge); /* cut: never read */
		free(huge);
		hdrlist_add(&h, "From", dkim_from_cases[_i].from[1]);
	}
	for (size_t i = 0; i < 2 && dkim_from_cases[_i].from[i]; i++)
		hdrlist_add(&h, "From", dkim_from_cases[_i].from[i]);
	hdrlist_add(&h, "Authentication-Results",
		    T "dkim=pass header.d=example.com");
	ck_assert_msg(authres_verified(&h, "bob@example.com", &trusted) ==
			  dkim_from_cases[_i].how,
		      "%s", dkim_from_cases[_i].name);
	hdrlist_clear(&h);
}
END_TEST

/* a second From: past the fields hdrlist keeps could be the one the
 * signature covers (DKIM reads the last): no DKIM verification then */
START_TEST(test_dkim_dropped)
{
	static char *ids[] = {"mx.example.org"};
	struct cg_strlist trusted = {ids, 1};
	struct hdrlist h;

	memset(&h, 0, sizeof(h));
	hdrlist_add(&h, "From", "bob@example.com");
	hdrlist_add(&h, "Authentication-Results",
		    T "dkim=pass header.d=example.com");
	ck_assert_int_eq(authres_verified(&h, "bob@example.com", &trusted),
			 AUTHRES_DKIM);
	for (size_t i = 0; i < HDRLIST_MAX; i++)
		hdrlist_add(&h, "X-Filler", "x");
	hdrlist_add(&h, "From", "mallory@example.com"); /* dropped */
	ck_assert_uint_gt(h.dropped, 0);
	ck_assert_int_eq(authres_verified(&h, "bob@example.com", &trusted), 0);
	hdrlist_clear(&h);
}
END_TEST

/* a trusted field longer than hdrlist keeps is never read: its start
 * could end inside a domain name */
START_TEST(test_cut_field)
{
	static char *ids[] = {"mx.example.org"};
	static const char tail[] = "\" header.d=victim.com";
	struct cg_strlist trusted = {ids, 1};
	char *value = xmalloc(HDRLIST_VALUE_MAX + 100);
	struct hdrlist h;
	size_t n;

	n = (size_t)sprintf(value, "%s", T "dkim=pass reason=\"");
	memset(value + n, 'a', HDRLIST_VALUE_MAX - n - strlen(tail));
	strcpy(value + HDRLIST_VALUE_MAX - strlen(tail), tail);
	/* whole, exactly HDRLIST_VALUE_MAX long, it verifies */
	memset(&h, 0, sizeof(h));
	hdrlist_add(&h, "From", "x@victim.com");
	hdrlist_add(&h, "Authentication-Results", value);
	ck_assert_int_eq(authres_verified(&h, "x@victim.com", &trusted),
			 AUTHRES_DKIM);
	hdrlist_clear(&h);
	/* longer, cut there, it must not */
	strcat(value, ".attacker.net");
	memset(&h, 0, sizeof(h));
	hdrlist_add(&h, "From", "x@victim.com");
	hdrlist_add(&h, "Authentication-Results", value);
	ck_assert_int_eq(authres_verified(&h, "x@victim.com", &trusted), 0);
	hdrlist_clear(&h);
	free(value);
}
END_TEST

START_TEST(test_verified_args)
{
	static char *ids[] = {"mx.example.org"};
	struct cg_strlist trusted = {ids, 1}, none = {NULL, 0};
	struct hdrlist h;

	memset(&h, 0, sizeof(h));
	hdrlist_add(&h, "Authentication-Results",
		    T "spf=pass smtp.mailfrom=bob@ex.net");
	ck_assert_int_eq(authres_verified(&h, "bob@ex.net", &trusted), SPF);
	ck_assert_int_eq(authres_verified(&h, "bob@ex.net", &none), 0);
	ck_assert_int_eq(authres_verified(&h, NULL, &trusted), 0);
	ck_assert_int_eq(authres_verified(&h, "bob@ex.net", NULL), 0);
	ck_assert_int_eq(authres_verified(NULL, "bob@ex.net", &trusted), 0);
	hdrlist_clear(&h);
}
END_TEST

Suite *
authres_suite(void)
{
	Suite *s = suite_create("authres");
	TCase *tc = tcase_create("core");

	mime_init(); /* the From: field is read with gmime */

	tcase_add_loop_test(tc, test_parse, 0,
			    sizeof(parse_cases) / sizeof(parse_cases[0]));
	tcase_add_test(tc, test_parse_null);
	tcase_add_test(tc, test_too_many);
	tcase_add_test(tc, test_too_long);
	tcase_add_test(tc, test_very_long);
	tcase_add_test(tc, test_prop);
	tcase_add_loop_test(tc, test_same_org, 0,
			    sizeof(org_cases) / sizeof(org_cases[0]));
	tcase_add_test(tc, test_how_name);
	tcase_add_loop_test(tc, test_verified, 0,
			    sizeof(verify_cases) / sizeof(verify_cases[0]));
	tcase_add_test(tc, test_verified_args);
	tcase_add_loop_test(tc, test_dkim_from, 0,
			    sizeof(dkim_from_cases) /
				sizeof(dkim_from_cases[0]));
	tcase_add_test(tc, test_cut_field);
	tcase_add_test(tc, test_dkim_dropped);
	suite_add_tcase(s, tc);
	return s;
}
