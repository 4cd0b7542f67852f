/* test_spool.c - collecting a message in memory and on disk */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clamgate/spool.h"
#include "suites.h"

/* contents - what spool_copy_to writes */
static char *
contents(const struct spool *sp, size_t *len)
{
	char *dir = test_tmpdir(), path[256], *data;
	int fd;

	snprintf(path, sizeof(path), "%s/out", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(spool_copy_to(sp, fd), 0);
	close(fd);
	data = test_read_file(path, len);
	unlink(path);
	rmdir(dir);
	free(dir);
	return data;
}

START_TEST(test_headers)
{
	struct spool sp;
	size_t len;
	char *data;

	spool_init(&sp, "/tmp", 1 << 20, NULL);
	spool_append_header(&sp, "Subject", " hello", 1);
	spool_append_header(&sp, "X-Folded", " a\n\tb\r\n c", 1);
	spool_append_header(&sp, "X-Nolead", "value", 0);
	spool_append_header(&sp, "X-Empty", "", 1);
	spool_append(&sp, "\r\n", 2);
	spool_append(&sp, "body\r\n", 6);
	data = contents(&sp, &len);
	ck_assert_str_eq(data, "Subject: hello\r\nX-Folded: a\r\n\tb\r\n c\r\n"
			       "X-Nolead: value\r\nX-Empty:\r\n\r\nbody\r\n");
	ck_assert_uint_eq(sp.size, len);
	ck_assert_int_eq(sp.fd, -1);
	free(data);
	spool_reset(&sp);
}
END_TEST

/* beyond the threshold the message moves to disk, bytes intact */
START_TEST(test_spill)
{
	struct spool sp;
	char chunk[1000], *data;
	size_t len;

	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (char)('a' + i % 26);
	spool_init(&sp, "/tmp", 4096, NULL);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(spool_append(&sp, chunk, sizeof(chunk)), 0);
	ck_assert_int_eq(sp.fd, -1);
	ck_assert_int_eq(spool_append(&sp, chunk, sizeof(chunk)), 0);
	ck_assert_int_ge(sp.fd, 0);
	ck_assert_ptr_null(sp.mem);
	for (int i = 0; i < 995; i++)
		ck_assert_int_eq(spool_append(&sp, chunk, sizeof(chunk)), 0);
	ck_assert_uint_eq(sp.size, 1000000);
	data = contents(&sp, &len);
	ck_assert_uint_eq(len, 1000000);
	for (size_t i = 0; i < len; i += 997)
		ck_assert_int_eq(data[i], chunk[i % sizeof(chunk)]);
	free(data);
	spool_reset(&sp);
	ck_assert_int_eq(sp.fd, -1);
	ck_assert_uint_eq(sp.size, 0);
}
END_TEST

/* a temp directory that does not exist: the error is kept, not lost */
START_TEST(test_spill_error)
{
	struct spool sp;
	char chunk[100] = {0};

	spool_init(&sp, "/nonexistent/dir", 150, NULL);
	ck_assert_int_eq(spool_append(&sp, chunk, sizeof(chunk)), 0);
	ck_assert_int_eq(spool_append(&sp, chunk, sizeof(chunk)), -1);
	ck_assert_int_ne(sp.error, 0);
	ck_assert_int_eq(spool_append(&sp, chunk, 1), -1);
	spool_reset(&sp);
	ck_assert_int_eq(sp.error, 0);
}
END_TEST

/* collect - spool_each callback: append to a string */
static int
collect(const void *data, size_t len, void *arg)
{
	char *out = arg;

	strncat(out, data, len);
	return 0;
}

/* the lead is stored first for the scanner, in memory and on disk, and
 * never part of the message */
START_TEST(test_lead)
{
	static const char lead[] = "Received: by scanner\r\n";
	struct spool sp;
	char buf[256], out[256] = "", *data, *head;
	size_t len;

	for (int spill = 0; spill < 2; spill++) {
		spool_init(&sp, "/tmp", spill ? 16 : 1 << 20, lead);
		ck_assert_uint_eq(sp.stored, 0);
		spool_append_header(&sp, "Subject", "x", 0);
		spool_append(&sp, "\r\n", 2);
		spool_append(&sp, "body\r\n", 6);
		ck_assert_int_eq(sp.fd >= 0, spill);
		ck_assert_uint_eq(sp.size, 20);
		ck_assert_uint_eq(sp.stored, 20 + strlen(lead));
		ck_assert_int_eq(spool_read(&sp, 0, buf, sizeof(buf)),
				 (ssize_t)sp.stored);
		ck_assert(memcmp(buf, lead, strlen(lead)) == 0);
		data = contents(&sp, &len);
		ck_assert_str_eq(data, "Subject: x\r\n\r\nbody\r\n");
		free(data);
		out[0] = '\0';
		ck_assert_int_eq(spool_each(&sp, 14, collect, out), 0);
		ck_assert_str_eq(out, "body\r\n");
		head = spool_head(&sp, 1000);
		ck_assert_str_eq(head, "Subject: x\r\n");
		free(head);
		spool_reset(&sp);
		ck_assert_uint_eq(sp.stored, 0);
		ck_assert_ptr_eq(sp.lead, lead);
	}
}
END_TEST

/* spool files share one disk budget: a spool that would pass it fails
 * (EDQUOT, kept for end of message), memory spools never count, and a
 * reset gives the bytes back */
START_TEST(test_disk_budget)
{
	struct spool a, b, c;
	char chunk[1000] = {0};

	spool_set_disk_budget(5000);
	spool_init(&a, "/tmp", 100, NULL);
	spool_init(&b, "/tmp", 100, NULL);
	spool_init(&c, "/tmp", 1 << 20, NULL);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(spool_append(&a, chunk, sizeof(chunk)), 0);
	ck_assert_uint_eq(spool_disk_in_use(), 3000);
	ck_assert_int_eq(spool_append(&b, chunk, sizeof(chunk)), 0);
	ck_assert_int_eq(spool_append(&b, chunk, sizeof(chunk)), 0);
	ck_assert_int_eq(spool_append(&b, chunk, 1), -1);
	ck_assert_int_eq(b.error, EDQUOT);
	ck_assert_uint_eq(spool_disk_in_use(), 5000);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(spool_append(&c, chunk, sizeof(chunk)), 0);
	spool_reset(&a);
	ck_assert_uint_eq(spool_disk_in_use(), 2000);
	spool_reset(&b);
	ck_assert_uint_eq(spool_disk_in_use(), 0);
	ck_assert_int_eq(spool_append(&b, chunk, sizeof(chunk)), 0);
	ck_assert_int_eq(spool_append(&b, chunk, sizeof(chunk)), 0);
	ck_assert_uint_eq(spool_disk_in_use(), 2000);
	spool_reset(&b);
	spool_reset(&c);
	spool_set_disk_budget(0);
}
END_TEST

Suite *
spool_suite(void)
{
	Suite *s = suite_create("spool");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_headers);
	tcase_add_test(tc, test_spill);
	tcase_add_test(tc, test_spill_error);
	tcase_add_test(tc, test_lead);
	tcase_add_test(tc, test_disk_budget);
	suite_add_tcase(s, tc);
	return s;
}
