/* test_strconv.c - sizes, modes and globs */
#include <check.h>

#include "clamgate/strconv.h"
#include "suites.h"

static const struct {
	const char *text;
	int ok;
	uint64_t bytes;
} size_cases[] = {
    {"0", 1, 0},
    {"1024", 1, 1024},
    {"50M", 1, 50ULL << 20},
    {"50m", 1, 50ULL << 20},
    {"512K", 1, 512ULL << 10},
    {"512KB", 1, 512ULL << 10},
    {"2G", 1, 2ULL << 30},
    {"", 0, 0},
    {"M", 0, 0},
    {"-1", 0, 0},
    {"10 M", 0, 0},
    {"10T", 0, 0},
    {"1.5M", 0, 0},
    {"18446744073709551615", 1, 18446744073709551615ULL},
    {"18446744073709551616", 0, 0},
    {"17179869184G", 0, 0},
};

START_TEST(test_size)
{
	uint64_t v = 12345;
	int rc = strconv_size(size_cases[_i].text, &v);

	ck_assert_msg((rc == 0) == size_cases[_i].ok, "\"%s\": rc %d",
		      size_cases[_i].text, rc);
	if (size_cases[_i].ok)
		ck_assert_uint_eq(v, size_cases[_i].bytes);
	else
		ck_assert_uint_eq(v, 12345);
}
END_TEST

START_TEST(test_mode)
{
	mode_t m;

	ck_assert_int_eq(strconv_mode("0660", &m), 0);
	ck_assert_uint_eq(m, 0660);
	ck_assert_int_eq(strconv_mode("770", &m), 0);
	ck_assert_uint_eq(m, 0770);
	ck_assert_int_eq(strconv_mode("0968", &m), -1);
	ck_assert_int_eq(strconv_mode("rw", &m), -1);
	ck_assert_int_eq(strconv_mode("", &m), -1);
	ck_assert_int_eq(strconv_mode("077777", &m), -1);
}
END_TEST

START_TEST(test_duration)
{
	static const struct {
		const char *text;
		int ok;
		unsigned long seconds;
	} cases[] = {
	    {"0", 1, 0},	{"45", 1, 45},	     {"45s", 1, 45},
	    {"90m", 1, 5400},	{"12h", 1, 43200},   {"30d", 1, 2592000},
	    {"2w", 1, 1209600}, {"30D", 1, 2592000}, {"", 0, 0},
	    {"d", 0, 0},	{"30x", 0, 0},	     {"-1d", 0, 0},
	    {"1.5h", 0, 0},	{"30 d", 0, 0},	     {"99999999w", 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned long v = 7;
		int rc = strconv_duration(cases[i].text, &v);
		ck_assert_msg((rc == 0) == cases[i].ok, "\"%s\"",
			      cases[i].text);
		ck_assert_uint_eq(v, cases[i].ok ? cases[i].seconds : 7);
	}
}
END_TEST

START_TEST(test_glob)
{
	ck_assert(strconv_glob_match("PUA.*", "PUA.Win.Tool.Foo"));
	ck_assert(strconv_glob_match("pua.*", "PUA.Win.Tool.Foo"));
	ck_assert(!strconv_glob_match("PUA.*", "Win.Trojan.PUA"));
	ck_assert(
	    strconv_glob_match("*Phishing*", "Heuristics.Phishing.Email"));
	ck_assert(strconv_glob_match("Eicar-?", "Eicar-1"));
	ck_assert(!strconv_glob_match("Eicar-?", "Eicar-12"));
	ck_assert(strconv_glob_match("*", ""));
	ck_assert(!strconv_glob_match("a", ""));
	ck_assert(strconv_glob_match("a*b*c", "aXXbYYc"));
	ck_assert(!strconv_glob_match("a*b*c", "aXXbYY"));
}
END_TEST

Suite *
strconv_suite(void)
{
	Suite *s = suite_create("strconv");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_size, 0,
			    sizeof(size_cases) / sizeof(size_cases[0]));
	tcase_add_test(tc, test_mode);
	tcase_add_test(tc, test_duration);
	tcase_add_test(tc, test_glob);
	suite_add_tcase(s, tc);
	return s;
}
