/* test_notify.c - the hourly limit and what a notice may contain */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clamgate/config.h"
#include "clamgate/mime.h"
#include "clamgate/notice.h"
#include "clamgate/notify.h"
#include "suites.h"

START_TEST(test_limit)
{
	struct notify_limit l = {0, 0};
	time_t t = 1000000;
	int ended, sent = 0;

	for (int i = 0; i < 500; i++)
		sent += notify_limit_take(&l, t + i, 10, &ended);
	ck_assert_int_eq(sent, 10);
	ck_assert_int_eq(notify_limit_take(&l, t + 3599, 10, &ended), 0);
	ck_assert_int_eq(ended, 0);
	/* a new hour: the window ends (flush the digest), notices resume */
	ck_assert_int_eq(notify_limit_take(&l, t + 3600, 10, &ended), 1);
	ck_assert_int_eq(ended, 1);
	ck_assert_int_eq(notify_limit_take(&l, t + 3601, 0, &ended), 0);
}
END_TEST

/* header injection, 8-bit and 2,000-character values stay in their place */
START_TEST(test_notice_injection)
{
	char *dir = test_tmpdir(), *path, err[512], *msg, *body;
	char long_value[2001];
	struct cg_config *cfg;
	struct notify_event ev;

	path = test_write_file(dir, "c.conf",
			       "notify: { admin = [ \"admin@example.org\" ]; "
			       "from = \"clamgate@example.org\"; };\n");
	cfg = config_load(path, err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
	memset(long_value, 'A', 2000);
	long_value[2000] = '\0';
	memset(&ev, 0, sizeof(ev));
	ev.virus = "Evil\r\nBcc: victim@example.net";
	ev.action = "quarantine";
	ev.sender = "forged@example.net\r\nTo: victim@example.net";
	ev.rcpts = long_value;
	ev.subject = "=?UTF-8?B?w6l0w6kgaGVsbG8=?=\r\nCc: victim@example.net";
	ev.client_name = "h\xc3\xa9llo\xff\xfe";
	ev.client_addr = "192.0.2.1";
	ev.headers = "Subject: x\r\nContent-Type: text/plain\r\n\r\n";
	mime_init();
	msg = notice_compose(cfg, &ev);
	body = strstr(msg, "\n\n");
	ck_assert_ptr_nonnull(body);
	*body = '\0'; /* msg is now the header section */
	ck_assert_msg(strstr(msg, "\nTo: admin@example.org\n") != NULL, "%s",
		      msg);
	ck_assert_msg(strstr(msg, "\nBcc:") == NULL &&
			  strstr(msg, "\nCc:") == NULL,
		      "injected header: %s", msg);
	/* exactly one To:, the admin; the only recipient header there is */
	ck_assert_ptr_eq(strstr(msg, "\nTo:"),
			 strrchr(msg, '\n') == NULL
			     ? NULL
			     : strstr(msg, "\nTo: admin@example.org\n"));
	ck_assert(strstr(strstr(msg, "\nTo:") + 1, "\nTo:") == NULL);
	ck_assert(strstr(msg, "Auto-Submitted: auto-generated") != NULL);
	/* the body has the values on single lines, cleaned, cut at 500 */
	ck_assert(strstr(body + 2, "\nBcc: victim") == NULL);
	ck_assert(strstr(body + 2, "AAAAAAAAAA") != NULL);
	ck_assert(strstr(body + 2, long_value) == NULL);
	free(msg);
	config_free(cfg);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}
END_TEST

Suite *
notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_limit);
	tcase_add_test(tc, test_notice_injection);
	suite_add_tcase(s, tc);
	return s;
}
