/* test_cidr.c - network ranges */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>

#include "clamgate/cidr.h"
#include "suites.h"

/* addr - a sockaddr for a textual address */
static struct sockaddr_storage
addr(const char *text)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		in6->sin6_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, text, &in6->sin6_addr), 1);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		in->sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, text, &in->sin_addr), 1);
	}
	return ss;
}

static const struct {
	const char *net;
	const char *client;
	int match;
} cases[] = {
    {"127.0.0.0/8", "127.0.0.1", 1},
    {"127.0.0.0/8", "127.255.255.254", 1},
    {"127.0.0.0/8", "128.0.0.1", 0},
    {"192.0.2.0/24", "192.0.2.200", 1},
    {"192.0.2.0/25", "192.0.2.200", 0},
    {"192.0.2.7", "192.0.2.7", 1},
    {"192.0.2.7", "192.0.2.8", 0},
    {"10.0.0.0/12", "10.15.255.255", 1},
    {"10.0.0.0/12", "10.16.0.0", 0},
    {"0.0.0.0/0", "203.0.113.9", 1},
    {"::1/128", "::1", 1},
    {"::1/128", "::2", 0},
    {"2001:db8::/32", "2001:db8:1::5", 1},
    {"2001:db8::/32", "2001:db9::5", 0},
    {"127.0.0.0/8", "::ffff:127.0.0.1", 1},
    {"::1/128", "127.0.0.1", 0},
    {"2001:db8::/32", "192.0.2.1", 0},
};

START_TEST(test_match)
{
	struct cidr net;
	struct sockaddr_storage ss = addr(cases[_i].client);

	ck_assert_int_eq(cidr_parse(cases[_i].net, &net), 0);
	ck_assert_msg(cidr_match(&net, (struct sockaddr *)&ss) ==
			  cases[_i].match,
		      "%s in %s", cases[_i].client, cases[_i].net);
}
END_TEST

START_TEST(test_bad)
{
	static const char *const bad[] = {
	    "",
	    "127.0.0.0/33",
	    "127.0.0.1/8",
	    "::1/129",
	    "300.0.0.1",
	    "localhost",
	    "127.0.0.0/",
	    "127.0.0.0/x",
	    "127.0.0.0/-1",
	    "1.2.3.4/08x",
	};
	struct cidr net;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(cidr_parse(bad[i], &net) < 0, "\"%s\" accepted",
			      bad[i]);
}
END_TEST

Suite *
cidr_suite(void)
{
	Suite *s = suite_create("cidr");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_match, 0,
			    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_bad);
	suite_add_tcase(s, tc);
	return s;
}
