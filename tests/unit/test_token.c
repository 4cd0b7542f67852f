/* test_token.c - one-use tokens bound to a message's content */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clamgate/token.h"
#include "suites.h"

#define NOW 1795741298

static const char original[] = "From: Alice <alice@example.net>\r\n"
			       "To: bob@example.org\r\n"
			       "Subject: the report,\r\n\tas promised\r\n"
			       "Message-ID: <1@example.net>\r\n"
			       "Content-Type: text/plain\r\n"
			       "\r\n"
			       "line one\r\n"
			       "line two\r\n";

/* canon - the canonical form of text, fed in pieces of step bytes */
static void
canon(struct token_canon *c, const char *text, size_t step)
{
	size_t len = strlen(text);

	token_canon_init(c);
	for (size_t i = 0; i < len; i += step)
		token_canon_add(c, text + i, len - i < step ? len - i : step);
}

/* make - a token for text */
static void
make(const struct token_key *key, const char *text, char *out, size_t len)
{
	struct token_canon c;

	canon(&c, text, 1 << 20);
	ck_assert_int_eq(token_make(key, "ID1", NOW + 600, &c, out, len), 0);
	token_canon_free(&c);
}

/* verify - token_verify's answer for text at now */
static const char *
verify(const struct token_key *key, const char *tok, const char *text,
       time_t now)
{
	struct token_canon c;
	struct token t;
	const char *why;

	ck_assert_int_eq(token_parse(tok, &t), 0);
	canon(&c, text, 7);
	why = token_verify(key, &t, now, &c);
	token_canon_free(&c);
	return why;
}

static const struct {
	const char *name;
	const char *text; /* the message as submitted again */
	int valid;
} cases[] = {
    {"the same bytes", original, 1},
    {"LF line ends",
     "From: Alice <alice@example.net>\nTo: bob@example.org\n"
     "Subject: the report,\n\tas promised\nMessage-ID: <1@example.net>\n"
     "Content-Type: text/plain\n\nline one\nline two\n",
     1},
    {"no final newline, extra empty lines",
     "Subject: the report, as promised\r\nMessage-ID: <1@example.net>\r\n"
     "Content-Type: text/plain\r\n\r\nline one\r\nline two",
     1},
    {"headers the MTA adds or rewrites",
     "X-Clamgate-Release: ID1 1795741898 sm 00\r\n"
     "Received: by mx.example.org (Postfix, from userid 0)\r\n"
     "From: alice@rewritten.example\r\nTo: bob@example.org\r\n"
     "Subject:   the report, as    promised \r\n"
     "Message-ID: <1@example.net>\r\nDate: Tue, 1 Dec 2026 10:00:00\r\n"
     "Content-Type:  text/plain\r\n\r\nline one\r\nline two\r\n\r\n\r\n",
     1},
    {"header names in other case",
     "SUBJECT: the report, as promised\r\nmessage-id: <1@example.net>\r\n"
     "content-type: text/plain\r\n\r\nline one\r\nline two\r\n",
     1},
    {"the same body as another kind of content",
     "Subject: the report, as promised\r\nMessage-ID: <1@example.net>\r\n"
     "Content-Type: application/octet-stream\r\n\r\nline one\r\n"
     "line two\r\n",
     0},
    {"a second Content-Type in the headers",
     "Subject: the report, as promised\r\nMessage-ID: <1@example.net>\r\n"
     "Content-Type: text/plain\r\nContent-Type: text/html\r\n\r\n"
     "line one\r\nline two\r\n",
     0},
    {"a Content-Disposition added",
     "Subject: the report, as promised\r\nMessage-ID: <1@example.net>\r\n"
     "Content-Type: text/plain\r\nContent-Disposition: attachment\r\n"
     "\r\nline one\r\nline two\r\n",
     0},
    {"a Content-Transfer-Encoding added",
     "Subject: the report, as promised\r\nMessage-ID: <1@example.net>\r\n"
     "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n"
     "\r\nline one\r\nline two\r\n",
     0},
    {"one body byte changed",
     "Subject: the report, as promised\r\nMessage-ID: <1@example.net>\r\n"
     "\r\nline one\r\nline twO\r\n",
     0},
    {"a body line added",
     "Subject: the report, as promised\r\nMessage-ID: <1@example.net>\r\n"
     "\r\nline one\r\nline two\r\nX5O!P%@AP\r\n",
     0},
    {"a bare CR is content",
     "Subject: the report, as promised\r\nMessage-ID: <1@example.net>\r\n"
     "\r\nline one\r\rline two\r\n",
     0},
    {"another Subject",
     "Subject: urgent\r\nMessage-ID: <1@example.net>\r\n\r\nline one\r\n"
     "line two\r\n",
     0},
    {"a Subject put first",
     "Subject: urgent\r\nSubject: the report, as promised\r\n"
     "Message-ID: <1@example.net>\r\n\r\nline one\r\nline two\r\n",
     0},
    {"no Message-ID",
     "Subject: the report, as promised\r\n\r\nline one\r\nline two\r\n", 0},
    {"the body moved into the headers",
     "Subject: the report, as promised\r\nMessage-ID: <1@example.net>\r\n"
     "line one\r\nline two\r\n\r\n",
     0},
};

/* every way an MTA changes a message on re-submission still verifies;
 * every change of content does not */
START_TEST(test_bound)
{
	struct token_key key = {{1, 2, 3}, 1};
	char tok[TOKEN_VALUE_MAX];
	const char *why;

	make(&key, original, tok, sizeof(tok));
	ck_assert_msg(strncmp(tok, "ID1 1795741898 smvcep ", 22) == 0, "%s",
		      tok);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = verify(&key, tok, cases[i].text, NOW);
		ck_assert_msg((why == NULL) == cases[i].valid, "%s: %s",
			      cases[i].name, why ? why : "valid");
	}
}
END_TEST

/* a Message-ID or Date missing when the token was made may be added
 * later (Postfix does); a Subject or a MIME header may not */
START_TEST(test_flags)
{
	struct token_key key = {{9}, 1};
	char tok[TOKEN_VALUE_MAX];

	make(&key, "From: a@x\r\n\r\nbody\r\n", tok, sizeof(tok));
	ck_assert_msg(strncmp(tok, "ID1 1795741898 svcep ", 21) == 0, "%s",
		      tok);
	ck_assert_ptr_null(verify(
	    &key, tok, "Message-ID: <x@y>\r\nDate: now\r\n\r\nbody\r\n", NOW));
	ck_assert_ptr_nonnull(
	    verify(&key, tok, "Subject: added\r\n\r\nbody\r\n", NOW));
	ck_assert_ptr_nonnull(verify(&key, tok, "\r\nbody!\r\n", NOW));
	/* but not a MIME header: what the body is must not change */
	ck_assert_ptr_nonnull(
	    verify(&key, tok, "Content-Type: text/html\r\n\r\nbody\r\n", NOW));
}
END_TEST

/* time, key and MAC */
START_TEST(test_validity)
{
	struct token_key key = {{1, 2, 3}, 1}, other = {{1, 2, 4}, 1};
	struct token_key none = {{0}, 0};
	char tok[TOKEN_VALUE_MAX], bad[TOKEN_VALUE_MAX];
	struct token t;

	make(&key, original, tok, sizeof(tok));
	ck_assert_ptr_null(verify(&key, tok, original, NOW + 600));
	ck_assert_str_eq(verify(&key, tok, original, NOW + 601), "expired");
	ck_assert_str_eq(verify(&key, tok, original, NOW - 1),
			 "expiry too far ahead");
	ck_assert_ptr_nonnull(verify(&other, tok, original, NOW));
	ck_assert_ptr_nonnull(verify(&none, tok, original, NOW));
	snprintf(bad, sizeof(bad), "%s", tok);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0';
	ck_assert_ptr_nonnull(verify(&key, bad, original, NOW));
	ck_assert_int_eq(token_make(&none, "x", NOW, NULL, bad, 9), -1);
	ck_assert_int_eq(token_parse("garbage", &t), -1);
	ck_assert_int_eq(token_parse("ID 1 sm short", &t), -1);
	snprintf(bad, sizeof(bad), "%s", tok);
	memcpy(strchr(bad, ' ') + 12, "x", 1); /* flags "xmvcep" */
	ck_assert_int_eq(token_parse(bad, &t), -1);
}
END_TEST

/* one use, kept on disk; given back; forgotten once expired */
START_TEST(test_use)
{
	char *dir = test_tmpdir();
	struct token_key key = {{5}, 1};
	char tok[TOKEN_VALUE_MAX];
	struct token t;

	make(&key, original, tok, sizeof(tok));
	ck_assert_int_eq(token_parse(tok, &t), 0);
	ck_assert_int_eq(token_use(dir, &t), 0);
	ck_assert_int_eq(token_use(dir, &t), 1);
	token_unuse(dir, &t);
	ck_assert_int_eq(token_use(dir, &t), 0);
	ck_assert_int_eq(token_expire(dir, NOW), 0);
	ck_assert_int_eq(token_use(dir, &t), 1);
	ck_assert_int_eq(token_expire(dir, NOW + 600 + 61), 1);
	ck_assert_int_eq(token_use(dir, &t), 0);
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

struct key_race {
	const char *dir;
	struct token_key key;
	int rc;
};

static void *
key_race_main(void *arg)
{
	struct key_race *r = arg;

	r->rc = token_key_load(r->dir, 1, &r->key);
	return NULL;
}

/* the first use by many threads at once: all get the one key */
START_TEST(test_key)
{
	char *dir = test_tmpdir(), cmd[600];
	struct key_race r[8];
	pthread_t tid[8];
	struct token_key again;

	ck_assert_int_eq(token_key_load(dir, 0, &again), -1);
	for (int i = 0; i < 8; i++) {
		r[i].dir = dir;
		pthread_create(&tid[i], NULL, key_race_main, &r[i]);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(tid[i], NULL);
		ck_assert_int_eq(r[i].rc, 0);
		ck_assert(memcmp(r[i].key.k, r[0].key.k, TOKEN_KEY_BYTES) == 0);
	}
	ck_assert_int_eq(token_key_load(dir, 0, &again), 0);
	ck_assert(memcmp(again.k, r[0].key.k, TOKEN_KEY_BYTES) == 0);
	snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | wc -l) -eq 1", dir);
	ck_assert_msg(system(cmd) == 0, "a temporary key file was left");
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

Suite *
token_suite(void)
{
	Suite *s = suite_create("token");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_bound);
	tcase_add_test(tc, test_flags);
	tcase_add_test(tc, test_validity);
	tcase_add_test(tc, test_use);
	tcase_add_test(tc, test_key);
	suite_add_tcase(s, tc);
	return s;
}
