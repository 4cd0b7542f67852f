/* test_smtp.c - the notices' SMTP submission: the message as sent, the
 * reply parser, and the conversation against a scripted server */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clamgate/smtp_submit.h"
#include "suites.h"

START_TEST(test_data)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"a\nb\n", "a\r\nb\r\n.\r\n"},
	    {"a\r\nb", "a\r\nb\r\n.\r\n"},
	    {".hidden\n..two\nmid.dle\n",
	     "..hidden\r\n...two\r\nmid.dle\r\n.\r\n"},
	    {"x\n.\ny\n", "x\r\n..\r\ny\r\n.\r\n"},
	    {"", ".\r\n"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		char *d = smtp_data(cases[i].in, &len);
		ck_assert_str_eq(d, cases[i].out);
		ck_assert_uint_eq(len, strlen(cases[i].out));
		free(d);
	}
}
END_TEST

START_TEST(test_reply_line)
{
	ck_assert_int_eq(smtp_reply_line("250 ok"), 250);
	ck_assert_int_eq(smtp_reply_line("250-PIPELINING"), 0);
	ck_assert_int_eq(smtp_reply_line("354\r"), 354);
	ck_assert_int_eq(smtp_reply_line("220"), 220);
	ck_assert_int_eq(smtp_reply_line("25x ok"), -1);
	ck_assert_int_eq(smtp_reply_line("2500 ok"), -1);
	ck_assert_int_eq(smtp_reply_line("hello"), -1);
	ck_assert_int_eq(smtp_reply_line(""), -1);
	ck_assert_int_eq(smtp_reply_line("000 x"), -1);
	ck_assert_int_eq(smtp_reply_line("650 x"), -1);
}
END_TEST

struct script {
	int listen_fd;
	const char *const *replies; /* one per line received, after greeting */
	char got[8192];		    /* what the client sent */
};

/* serve - greet, then answer each command line (and the message as a
 * whole after 354) with the next scripted reply */
static void *
serve(void *arg)
{
	struct script *sc = arg;
	int fd = accept(sc->listen_fd, NULL, NULL);
	size_t n = 0, r = 0;
	int in_data = 0;

	if (fd < 0)
		return NULL;
	if (send(fd, "220 test ESMTP\r\n", 16, MSG_NOSIGNAL) < 0)
		goto out;
	while (sc->replies[r] && n + 1 < sizeof(sc->got)) {
		ssize_t k = read(fd, sc->got + n, 1);
		if (k <= 0)
			break;
		n++;
		sc->got[n] = '\0';
		if (sc->got[n - 1] != '\n')
			continue;
		if (in_data &&
		    !(n >= 5 && strcmp(sc->got + n - 5, "\r\n.\r\n") == 0))
			continue;
		in_data = strncmp(sc->replies[r], "354", 3) == 0;
		if (send(fd, sc->replies[r], strlen(sc->replies[r]),
			 MSG_NOSIGNAL) < 0)
			break;
		r++;
	}
out:
	close(fd);
	return NULL;
}

/* converse - smtp_submit against replies; its result and err */
static int
converse(const char *const *replies, struct script *sc, char *err,
	 size_t errlen)
{
	char *dir = test_tmpdir(), spec[300];
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	char *rcpts[] = {"a@example.org", "b@example.org"};
	pthread_t t;
	int rc;

	memset(sc, 0, sizeof(*sc));
	sc->replies = replies;
	snprintf(un.sun_path, sizeof(un.sun_path), "%s/s", dir);
	snprintf(spec, sizeof(spec), "unix:%s", un.sun_path);
	sc->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(sc->listen_fd, (void *)&un, sizeof(un)), 0);
	ck_assert_int_eq(listen(sc->listen_fd, 1), 0);
	pthread_create(&t, NULL, serve, sc);
	rc = smtp_submit(spec, "clamgate@example.org", rcpts, 2,
			 "Subject: x\n\n.dot\n", 5, err, errlen);
	pthread_join(t, NULL);
	close(sc->listen_fd);
	test_rmtree(dir); /* frees dir */
	return rc;
}

START_TEST(test_conversation)
{
	static const char *const ok[] = {"250-test\r\n250 8BITMIME\r\n",
					 "250 ok\r\n",
					 "250 ok\r\n",
					 "250 ok\r\n",
					 "354 go\r\n",
					 "250 queued\r\n",
					 "221 bye\r\n",
					 NULL};
	static const char *const one_refused[] = {
	    "250 test\r\n", "250 ok\r\n", "550 no such user\r\n",
	    "250 ok\r\n",   "354 go\r\n", "250 queued\r\n",
	    "221 bye\r\n",  NULL};
	static const char *const all_refused[] = {"250 test\r\n", "250 ok\r\n",
						  "550 no\r\n",	  "550 no\r\n",
						  "221 bye\r\n",  NULL};
	static const char *const not_queued[] = {"250 test\r\n",
						 "250 ok\r\n",
						 "250 ok\r\n",
						 "250 ok\r\n",
						 "354 go\r\n",
						 "451 4.3.0 try later\r\n",
						 NULL};
	static const char *const hangs_up[] = {"250 test\r\n", NULL};
	struct script sc;
	char err[512];

	ck_assert_int_eq(converse(ok, &sc, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(sc.got, "EHLO "));
	ck_assert_ptr_nonnull(strstr(sc.got,
				     "MAIL FROM:<clamgate@example.org>\r\n"
				     "RCPT TO:<a@example.org>\r\n"
				     "RCPT TO:<b@example.org>\r\nDATA\r\n"
				     "Subject: x\r\n\r\n..dot\r\n.\r\n"));
	ck_assert_int_eq(converse(one_refused, &sc, err, sizeof(err)), 0);
	ck_assert_int_eq(converse(all_refused, &sc, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "every recipient refused"));
	ck_assert_ptr_null(strstr(sc.got, "DATA"));
	ck_assert_int_eq(converse(not_queued, &sc, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "451 4.3.0 try later"));
	ck_assert_int_eq(converse(hangs_up, &sc, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "MAIL FROM") != NULL, "%s", err);
	ck_assert_int_eq(smtp_submit("unix:/nonexistent/s", "a@b", NULL, 0, "x",
				     2, err, sizeof(err)),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot connect"));
}
END_TEST

/* an unqualified sender gets the domain of /etc/mailname (Sendmail
 * refuses MAIL FROM:<clamgate>), else the host name */
START_TEST(test_qualify)
{
	char *dir = test_tmpdir(), *path, *q;

	path = test_write_file(dir, "mailname", "mail.example.org\n");
	q = smtp_qualify("clamgate", path);
	ck_assert_str_eq(q, "clamgate@mail.example.org");
	free(q);
	q = smtp_qualify("clamgate@other.example", path);
	ck_assert_str_eq(q, "clamgate@other.example");
	free(q);
	free(path);
	path = test_write_file(dir, "bad", "not a domain!\n");
	q = smtp_qualify("clamgate", path);
	ck_assert_msg(strncmp(q, "clamgate@", 9) == 0 && !strchr(q, ' ') &&
			  !strchr(q, '!'),
		      "%s", q);
	free(q);
	free(path);
	test_rmtree(dir);
}
END_TEST

Suite *
smtp_suite(void)
{
	Suite *s = suite_create("smtp");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_data);
	tcase_add_test(tc, test_reply_line);
	tcase_add_test(tc, test_conversation);
	tcase_add_test(tc, test_qualify);
	suite_add_tcase(s, tc);
	return s;
}
