/* test_reply.c - virus names in replies: sanitised, capped, % escaped */
#include <check.h>
#include <string.h>

#include "clamgate/reply.h"
#include "suites.h"

START_TEST(test_sanitize_controls)
{
	char out[64];

	reply_sanitize("Bad\r\nName\t\x01\xff", out, sizeof(out), 50);
	ck_assert_str_eq(out, "Bad??Name???");
}
END_TEST

START_TEST(test_sanitize_long)
{
	char name[301], out[REPLY_VIRUS_MAX + 1];

	memset(name, 'x', 300);
	name[300] = '\0';
	reply_sanitize(name, out, sizeof(out), REPLY_VIRUS_MAX);
	ck_assert_uint_eq(strlen(out), REPLY_VIRUS_MAX);
	ck_assert_str_eq(out + REPLY_VIRUS_MAX - 3, "...");
	ck_assert_int_eq(out[REPLY_VIRUS_MAX - 4], 'x');
}
END_TEST

START_TEST(test_expand)
{
	char out[REPLY_TEXT_MAX + 1];

	reply_expand("Virus %v found; message rejected", "Eicar", out,
		     sizeof(out));
	ck_assert_str_eq(out, "Virus Eicar found; message rejected");
	reply_expand("100% sure: %v", "A%B", out, sizeof(out));
	ck_assert_str_eq(out, "100%% sure: A%%B");
	reply_expand("100%% sure %s %d %n", "x", out, sizeof(out));
	ck_assert_str_eq(out, "100%% sure %%s %%d %%n");
	reply_expand("%v and %v", "X\r\nY", out, sizeof(out));
	ck_assert_str_eq(out, "X??Y and X??Y");
	reply_expand("trailing %", "x", out, sizeof(out));
	ck_assert_str_eq(out, "trailing %%");
}
END_TEST

START_TEST(test_expand_long)
{
	char name[1001], out[REPLY_TEXT_MAX + 1];

	memset(name, '%', 1000);
	name[1000] = '\0';
	reply_expand("%v %v %v %v %v %v", name, out, sizeof(out));
	ck_assert_uint_le(strlen(out), REPLY_TEXT_MAX);
	/* never ends in half of a %% pair */
	size_t run = 0;
	for (size_t i = strlen(out); i > 0 && out[i - 1] == '%'; i--)
		run++;
	ck_assert_uint_eq(run % 2, 0);
	ck_assert(strchr(out, '\r') == NULL && strchr(out, '\n') == NULL);
}
END_TEST

START_TEST(test_parse)
{
	char code[4], xcode[12];
	const char *rest;

	ck_assert_int_eq(
	    reply_parse("5.7.1 Virus %v found", code, xcode, &rest), 0);
	ck_assert_str_eq(code, "554");
	ck_assert_str_eq(xcode, "5.7.1");
	ck_assert_str_eq(rest, "Virus %v found");
	ck_assert_int_eq(
	    reply_parse("550 5.7.0 blocked: %v", code, xcode, &rest), 0);
	ck_assert_str_eq(code, "550");
	ck_assert_str_eq(xcode, "5.7.0");
	ck_assert_str_eq(rest, "blocked: %v");
	ck_assert_int_eq(reply_parse("451 4.7.1 later", code, xcode, &rest),
			 -1);
	ck_assert_int_eq(reply_parse("4.7.1 later", code, xcode, &rest), -1);
	ck_assert_int_eq(reply_parse("Virus found", code, xcode, &rest), -1);
	ck_assert_int_eq(reply_parse("5.7.1", code, xcode, &rest), -1);
	ck_assert_int_eq(reply_parse("5.7.1234 x", code, xcode, &rest), -1);
}
END_TEST

Suite *
reply_suite(void)
{
	Suite *s = suite_create("reply");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_sanitize_controls);
	tcase_add_test(tc, test_sanitize_long);
	tcase_add_test(tc, test_expand);
	tcase_add_test(tc, test_expand_long);
	tcase_add_test(tc, test_parse);
	suite_add_tcase(s, tc);
	return s;
}
