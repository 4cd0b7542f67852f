/* test_mimeview.c - the lenient decoders, the MIME walk, and how the
 * second view's results combine with the whole-message scan */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clamgate/lenient.h"
#include "clamgate/mime.h"
#include "clamgate/mimeview.h"
#include "clamgate/scan.h"
#include "clamgate/xmalloc.h"
#include "suites.h"

static const struct {
	const char *in;
	int stop;
	const char *out;
} b64_cases[] = {
    {"QUJDREVG", 0, "ABCDEF"},
    {"QUJD\r\nREVG\r\n", 0, "ABCDEF"},
    {"QUJD=REVG", 0, "ABCDEF"},	    /* '=' where no padding can be */
    {"Q=UJDREVG", 0, "ABCDEF"},	    /* the same, second place */
    {"QU=JDREVG", 0, "ABCDEF"},	    /* a lone '=' at the third place */
    {"QU=JDREVG", 1, "ABCDEF"},	    /* Python's email skips it too */
    {"QU=\r\nJDREVG", 1, "ABCDEF"}, /* across a line end */
    {"QUJDRE=VG", 1, "ABCDEF"},	    /* third place of a later group */
    {"QU=JD=REVG", 1, "ABCDEF"},
    {"QUJ=REVG", 1, "AB"},	      /* '=' at the fourth place: padding */
    {"QQ==QkM=", 0, "ABC"},	      /* pieces, each padded */
    {"QQ==QkM=", 1, "A"},	      /* Python's email stops there */
    {"QU*J!D\x01RE-VG", 0, "ABCDEF"}, /* bytes outside the alphabet */
    {"QUJ", 0, "AB"},		      /* a short last group */
    {"Q", 0, ""},
    {"", 0, ""},
};

START_TEST(test_base64)
{
	const char *in = b64_cases[_i].in;
	unsigned char out[64];
	size_t n = lenient_base64((const unsigned char *)in, strlen(in), out,
				  b64_cases[_i].stop);

	ck_assert_uint_le(n, LENIENT_B64_MAX(strlen(in)));
	ck_assert_mem_eq(out, b64_cases[_i].out, strlen(b64_cases[_i].out));
	ck_assert_uint_eq(n, strlen(b64_cases[_i].out));
}
END_TEST

static const struct {
	const char *in, *out;
} qp_cases[] = {
    {"a=3Db", "a=b"},
    {"a=3db", "a=b"},	      /* lower-case hex */
    {"ab=\r\ncd", "abcd"},    /* soft break */
    {"ab= \t\r\ncd", "abcd"}, /* blanks before the line end */
    {"ab=\ncd", "abcd"},
    {"ab= x\r\ncd", "ab= x\r\ncd"}, /* not a soft break: kept */
    {"ab=\r\r\ncd", "abcd"},	    /* CR, then up to the LF */
    {"ab=\rjunk\ncd", "abcd"},
    {"ab=\rjunk", "ab"},
    {"ab=", "ab"},
    {"a=4", "a=4"},
    {"a=ZZ", "a=ZZ"},
};

/* whether the lenient decoding could differ: only when it is needed
 * may the walk skip it, so a "0" here must be the same bytes */
START_TEST(test_needed)
{
	static const struct {
		const char *in;
		int b64, qp;
	} cases[] = {
	    {"QUJDREVG\r\nREVG\r\n", 0, 0},
	    {"QUJDRA==\r\n", 0, 1},
	    {"QUJD=REVG", 1, 1},
	    {"QQ==QkM=", 1, 1},
	    {"QU*JD", 0, 0}, /* both skip what is not base64 */
	    {"a=3Db=\r\nc=\nd", 1, 0},
	    {"a=3db", 1, 1},
	    {"ab= \r\n", 0, 1},
	    {"ab=\rx\n", 1, 1},
	    {"ab=", 0, 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const unsigned char *in = (const unsigned char *)cases[i].in;
		size_t n = strlen(cases[i].in);
		ck_assert_msg(lenient_base64_needed(in, n) == cases[i].b64,
			      "base64 %zu", i);
		ck_assert_msg(lenient_qp_needed(in, n) == cases[i].qp, "qp %zu",
			      i);
	}
}
END_TEST

START_TEST(test_qp)
{
	const char *in = qp_cases[_i].in;
	unsigned char out[64];
	size_t n = lenient_qp((const unsigned char *)in, strlen(in), out);

	ck_assert_uint_eq(n, strlen(qp_cases[_i].out));
	ck_assert_mem_eq(out, qp_cases[_i].out, n);
}
END_TEST

struct blocks {
	int n;
	char got[4][64];
};

static int
uu_collect(const unsigned char *data, size_t n, void *arg)
{
	struct blocks *b = arg;

	if (b->n < 4)
		snprintf(b->got[b->n], sizeof(b->got[0]), "%.*s", (int)n,
			 (const char *)data);
	b->n++;
	return 0;
}

/* "hello world" uuencoded is "+:&5L;&\\@=V]R;&0`" */
START_TEST(test_uu)
{
	static const char text[] =
	    "hi\r\nbegin 644 a.txt\r\n+:&5L;&\\@=V]R;&0`\r\n`\r\nend\r\n"
	    "more\nbegin 0644 b.txt\n\n+:&5L;&\\@=V]R;&0`\nend\n" /* blank */
	    "begin 99 c\n+:&5L;&\\@=V]R;&0`\nend\n"	/* not octal */
	    "begin 64444 d\n+:&5L;&\\@=V]R;&0`\nend\n"; /* 5 digits */
	unsigned char scratch[sizeof(text)];
	struct blocks b = {0};

	ck_assert_int_eq(lenient_uu_each((const unsigned char *)text,
					 strlen(text), scratch, uu_collect, &b),
			 0);
	ck_assert_int_eq(b.n, 2);
	ck_assert_str_eq(b.got[0], "hello world");
	ck_assert_str_eq(b.got[1], "hello world");
}
END_TEST

/* the views of a message, as "kind:length:first bytes" lines */
struct seen {
	char text[4096];
	int stop_at; /* stop (return 7) at this view, 0: never */
	int n;
};

static int
collect(const struct mimeview_part *p, void *arg)
{
	struct seen *s = arg;
	char what[40];
	size_t used = strlen(s->text);

	snprintf(s->text + used, sizeof(s->text) - used, "%s:%zu:%.*s\n",
		 mimeview_describe(p, what, sizeof(what)), p->len,
		 (int)(p->len < 6 ? p->len : 6), (const char *)p->data);
	return ++s->n == s->stop_at ? 7 : 0;
}

static int
walk(const char *msg, struct seen *s)
{
	memset(s->text, 0, sizeof(s->text));
	s->n = 0;
	return mimeview_walk(msg, strlen(msg), collect, s);
}

#define MSG_TOP "From: a@example.org\r\nSubject: t\r\nMIME-Version: 1.0\r\n"
#define MIXED	MSG_TOP "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
#define PART_B64                                                               \
	"--b\r\nContent-Type: application/octet-stream\r\n"                    \
	"Content-Transfer-Encoding: base64\r\n\r\n"

static const struct {
	const char *name, *msg, *want;
} walk_cases[] = {
    {"attachment",
     MIXED "--b\r\n\r\nhello\r\n" PART_B64 "QUJDREVG\r\n--b--\r\n",
     "decoded:5:hello\ndecoded:6:ABCDEF\n"},
    {"'=' inside base64: GMime stops, the lenient view goes on",
     MIXED PART_B64 "QUJD=REVG\r\n--b--\r\n",
     "decoded:3:ABC\nlenient:6:ABCDEF\n"},
    {"base64 in padded pieces", MIXED PART_B64 "QQ==QkM=\r\n--b--\r\n",
     "decoded:1:A\nlenient:3:ABC\n"},
    {"quoted-printable, blanks after the soft break",
     MSG_TOP
     "Content-Type: text/plain\r\n"
     "Content-Transfer-Encoding: quoted-printable\r\n\r\nab= \r\ncd\r\n",
     "decoded:10:ab= \r\n\nlenient:6:abcd\r\n\n"},
    {"uuencode inside text",
     MSG_TOP "Content-Type: text/plain\r\n\r\nsee\r\nbegin 0644 a\r\n\r\n"
	     "+:&5L;&\\@=V]R;&0`\r\n`\r\nend\r\n",
     "decoded:48:see\r\nb\nuuencode:11:hello \n"},
    {"message/rfc822 inside",
     MIXED "--b\r\nContent-Type: message/rfc822\r\n\r\n" MSG_TOP
	   "Content-Transfer-Encoding: base64\r\n\r\nQUJDREVG\r\n--b--\r\n",
     "decoded:6:ABCDEF\n"},
    {"bare CR: walked again with CR as the line end",
     "From: a@example.org\rMIME-Version: 1.0\rContent-Transfer-Encoding: "
     "base64\r\rQUJDREVG\r",
     "decoded+bare-cr:6:ABCDEF\n"},
    {"message/partial put together",
     MIXED "--b\r\nContent-Type: message/partial; id=\"p1\"; number=2; "
	   "total=2\r\n\r\nQUJDREVG\r\n"
	   "--b\r\nContent-Type: message/partial; id=\"p1\"; number=1; "
	   "total=2\r\n\r\nContent-Transfer-Encoding: base64\r\n\r\n\r\n"
	   "--b--\r\n",
     "decoded:8:QUJDRE\ndecoded:37:Conten\ndecoded+partial:6:ABCDEF\n"},
    {"an empty part is not a view", MIXED "--b\r\n\r\n--b--\r\n", ""},
    {"an empty base64 part (found by fuzz_mimeview)",
     MIXED PART_B64 "--b--\r\n", ""},
    {"two Content-Type fields: walked again with the first in force",
     MSG_TOP "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
	     "Content-Type: text/plain\r\n\r\n" PART_B64
	     "QUJDREVG\r\n--b--\r\n",
     "decoded:99:--b\r\nC\ndecoded+py-headers:6:ABCDEF\n"},
    /* found by an independent review: readings of Python's email that
     * GMime does not make */
    {"two Content-Type fields in a part",
     MIXED "--b\r\nContent-Type: multipart/mixed; boundary=\"in\"\r\n"
	   "Content-Type: text/plain\r\n\r\n--in\r\n"
	   "Content-Transfer-Encoding: base64\r\n\r\nQUJDREVG\r\n--in--\r\n"
	   "--b--\r\n",
     "decoded:59:--in\r\n\ndecoded+py-headers:6:ABCDEF\n"},
    {"two Content-Transfer-Encoding fields, base64 first",
     MSG_TOP "Content-Transfer-Encoding: base64\r\n"
	     "Content-Transfer-Encoding: 7bit\r\n\r\nQUJDREVG\r\n",
     "decoded:10:QUJDRE\ndecoded+py-headers:6:ABCDEF\n"},
    {"a vertical tab before the boundary parameter",
     MSG_TOP "Content-Type: multipart/mixed;\vboundary=\"b\"\r\n\r\n" PART_B64
	     "QUJDREVG\r\n--b--\r\n",
     "undecoded:93:--b\nCo\ndecoded+py-headers:6:ABCDEF\n"},
    {"message/ of another subtype: parsed as a message",
     MIXED "--b\r\nContent-Type: message/x-foo\r\n\r\n" MSG_TOP
	   "Content-Transfer-Encoding: base64\r\n\r\nQUJDREVG\r\n--b--\r\n",
     "decoded:97:From: \ndecoded:6:ABCDEF\n"},
    {"a multipart whose boundary never comes: its text, decoded",
     MSG_TOP "Content-Type: multipart/mixed; boundary=\"nowhere\"\r\n"
	     "Content-Transfer-Encoding: base64\r\n\r\nQUJDREVG\r\n",
     "undecoded:9:QUJDRE\nlenient:6:ABCDEF\n"},
};

START_TEST(test_walk)
{
	struct seen s = {.stop_at = 0};
	int rc = walk(walk_cases[_i].msg, &s);

	ck_assert_msg(rc == 0, "%s: rc %d", walk_cases[_i].name, rc);
	ck_assert_msg(strcmp(s.text, walk_cases[_i].want) == 0, "%s: got\n%s",
		      walk_cases[_i].name, s.text);
}
END_TEST

START_TEST(test_walk_stop)
{
	struct seen s = {.stop_at = 1};

	ck_assert_int_eq(walk(walk_cases[0].msg, &s), 7);
	ck_assert_int_eq(s.n, 1);
}
END_TEST

/* message - nested multiparts, depth deep, then n base64 parts */
static char *
message(unsigned depth, unsigned n)
{
	size_t cap = 200 + depth * 120 + n * 120;
	char *m = xmalloc(cap), *p = m;

	p += sprintf(p, "%s", MSG_TOP);
	for (unsigned i = 0; i < depth; i++)
		p += sprintf(p,
			     "Content-Type: multipart/mixed; boundary=\"d%u\""
			     "\r\n\r\n--d%u\r\n",
			     i, i);
	p +=
	    sprintf(p, "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n");
	for (unsigned i = 0; i < n; i++)
		p += sprintf(p, "%s%04u\r\n", PART_B64 "QUJD", i);
	sprintf(p, "--b--\r\n");
	return m;
}

START_TEST(test_walk_limits)
{
	struct seen s = {.stop_at = 0};
	char *ok = message(MIMEVIEW_MAX_DEPTH - 2, 3);
	char *deep = message(MIMEVIEW_MAX_DEPTH + 5, 3);
	char *wide = message(0, MIMEVIEW_MAX_VIEWS + 1);

	ck_assert_int_eq(walk(ok, &s), 0);
	ck_assert_int_eq(s.n, 3);
	ck_assert_int_eq(walk(deep, &s), MIMEVIEW_LIMIT);
	ck_assert_int_eq(walk(wide, &s), MIMEVIEW_LIMIT);
	ck_assert_int_eq(s.n, MIMEVIEW_MAX_VIEWS);
	/* what GMime cannot parse at all is not "nothing in it" */
	ck_assert_int_eq(walk(" folded first line\r\n\r\nbody\r\n", &s),
			 MIMEVIEW_LIMIT);
	free(ok);
	free(deep);
	free(wide);
}
END_TEST

/* empty parts count, and a flood of delimiters is refused before GMime
 * builds a part for each */
START_TEST(test_walk_empty_parts)
{
	struct seen s = {.stop_at = 0};
	size_t n = MIMEVIEW_MAX_VIEWS + 1, cap = 200 + n * 8;
	char *m = xmalloc(cap), *p = m;

	p += sprintf(p, "%s", MIXED);
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "--b\r\n\r\n");
	sprintf(p, "--b--\r\n");
	ck_assert_int_eq(walk(m, &s), MIMEVIEW_LIMIT);
	ck_assert_int_eq(s.n, 0);
	free(m);
	n = MIMEVIEW_MAX_DELIMITERS + 1;
	m = xmalloc(200 + n * 8);
	p = m + sprintf(m, "%s", MIXED);
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "--b\r\n\r\n");
	ck_assert_int_eq(walk(m, &s), MIMEVIEW_LIMIT);
	free(m);
}
END_TEST

/*
 * A stand-in backend for the combination rules only (the real engines
 * are tested end to end, tests/detect): "VIRUS" in a view is infected,
 * "LIMIT" incomplete, "BROKEN" a scan error, anything else clean.
 */
static void
fake_scan(struct scanner *sc, const struct spool *sp, struct scan_result *res)
{
	(void)sc;
	res->status = SCAN_CLEAN;
	if (memmem(sp->mem, sp->len, "VIRUS", 5)) {
		res->status = SCAN_INFECTED;
		strcpy(res->virus, "Test.Virus");
	} else if (memmem(sp->mem, sp->len, "LIMIT", 5)) {
		res->status = SCAN_INCOMPLETE;
		strcpy(res->virus, "Heuristics.Limits.Exceeded.MaxFileSize");
	} else if (memmem(sp->mem, sp->len, "BROKEN", 6)) {
		res->status = SCAN_ERROR;
		strcpy(res->detail, "broken");
	}
}

static const struct scan_backend fake = {.scan = fake_scan};

/* base64 of "VIRUS", "LIMIT", "BROKEN" */
#define B64_VIRUS  "VklSVVM="
#define B64_LIMIT  "TElNSVQ="
#define B64_BROKEN "QlJPS0VO"

static const struct {
	const char *name;
	enum scan_status before;
	const char *parts; /* base64 bodies, one per part */
	enum scan_status after;
	const char *view;
} combine_cases[] = {
    {"clean stays clean", SCAN_CLEAN, "QUJD", SCAN_CLEAN, ""},
    {"a virus in a part", SCAN_CLEAN, "QUJD " B64_VIRUS, SCAN_INFECTED,
     "decoded"},
    {"a virus after '=': only the lenient view", SCAN_CLEAN, "QUJD=" B64_VIRUS,
     SCAN_INFECTED, "lenient"},
    {"a virus outweighs a limit", SCAN_INCOMPLETE, B64_LIMIT " " B64_VIRUS,
     SCAN_INFECTED, "decoded"},
    {"a part cut short", SCAN_CLEAN, B64_LIMIT " QUJD", SCAN_INCOMPLETE,
     "decoded"},
    {"incomplete stays incomplete", SCAN_INCOMPLETE, "QUJD", SCAN_INCOMPLETE,
     ""},
    {"a part that cannot be scanned", SCAN_CLEAN, B64_BROKEN, SCAN_ERROR, ""},
    {"the message found infected: no view", SCAN_INFECTED, B64_BROKEN,
     SCAN_INFECTED, ""},
    {"the message failed: no view", SCAN_ERROR, B64_VIRUS, SCAN_ERROR, ""},
};

START_TEST(test_combine)
{
	char msg[1024], *p = msg, *parts = xstrdup(combine_cases[_i].parts);
	struct scan_result res;
	struct spool sp;

	p += sprintf(p, "%s", MIXED);
	for (char *t = strtok(parts, " "); t; t = strtok(NULL, " "))
		p += sprintf(p, "%s%s\r\n", PART_B64, t);
	sprintf(p, "--b--\r\n");
	free(parts);
	memset(&sp, 0, sizeof(sp));
	sp.mem = msg;
	sp.len = sp.stored = sp.size = strlen(msg);
	sp.fd = -1;
	memset(&res, 0, sizeof(res));
	res.status = combine_cases[_i].before;
	scan_view(&fake, NULL, &sp, 60, &res);
	ck_assert_msg(res.status == combine_cases[_i].after, "%s: status %d",
		      combine_cases[_i].name, res.status);
	ck_assert_msg(strcmp(res.view, combine_cases[_i].view) == 0,
		      "%s: view \"%s\"", combine_cases[_i].name, res.view);
	if (res.status == SCAN_ERROR && combine_cases[_i].before == SCAN_CLEAN)
		ck_assert_ptr_nonnull(strstr(res.detail, "broken"));
}
END_TEST

/* a view whose bytes the whole-message scan saw inside is not scanned
 * again, but only after a complete (clean) whole-message scan */
START_TEST(test_seen)
{
	static const char part[] = "VIRUS";
	char msg[512];
	unsigned char h[32];
	struct scan_result res;
	struct spool sp;

	snprintf(msg, sizeof(msg), "%s%s%s\r\n--b--\r\n", MIXED, PART_B64,
		 B64_VIRUS);
	memset(&sp, 0, sizeof(sp));
	sp.mem = msg;
	sp.len = sp.stored = sp.size = strlen(msg);
	sp.fd = -1;
	ck_assert_int_eq(scan_digest(part, 5, h), 0);
	for (int before = 0; before < 2; before++) {
		memset(&res, 0, sizeof(res));
		res.want_seen = 1;
		res.status = before ? SCAN_INCOMPLETE : SCAN_CLEAN;
		scan_seen_add(&res.seen, 5, h);
		scan_view(&fake, NULL, &sp, 60, &res);
		/* the fake finds "VIRUS" when asked: so clean means skipped */
		ck_assert_int_eq(res.status,
				 before ? SCAN_INFECTED : SCAN_CLEAN);
	}
	/* same digest, other size: scanned */
	memset(&res, 0, sizeof(res));
	scan_seen_add(&res.seen, 6, h);
	scan_view(&fake, NULL, &sp, 60, &res);
	ck_assert_int_eq(res.status, SCAN_INFECTED);
}
END_TEST

Suite *
mimeview_suite(void)
{
	Suite *s = suite_create("mimeview");
	TCase *tc = tcase_create("core");

	mime_init();
	tcase_add_loop_test(tc, test_base64, 0,
			    sizeof(b64_cases) / sizeof(b64_cases[0]));
	tcase_add_loop_test(tc, test_qp, 0,
			    sizeof(qp_cases) / sizeof(qp_cases[0]));
	tcase_add_test(tc, test_uu);
	tcase_add_test(tc, test_needed);
	tcase_add_loop_test(tc, test_walk, 0,
			    sizeof(walk_cases) / sizeof(walk_cases[0]));
	tcase_add_test(tc, test_walk_stop);
	tcase_add_test(tc, test_walk_limits);
	tcase_add_test(tc, test_walk_empty_parts);
	tcase_add_test(tc, test_seen);
	tcase_add_loop_test(tc, test_combine, 0,
			    sizeof(combine_cases) / sizeof(combine_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}
