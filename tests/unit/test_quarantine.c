/* test_quarantine.c - the store file: envelope headers, exact original */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clamgate/audit.h"
#include "clamgate/qstore.h"
#include "clamgate/quarantine_store.h"
#include "suites.h"

static char *const rcpts[] = {"a@local.example", "b@local.example"};

static struct quarantine_meta
meta(void)
{
	struct quarantine_meta m = {
	    .sender = "evil@remote.example",
	    .rcpts = rcpts,
	    .n_rcpts = 2,
	    .client_addr = "192.0.2.10",
	    .client_name = "mx.remote.example",
	    .helo = "helo\r\nInjected: yes",
	    .queue_id = "4AbCdE",
	    .virus = "Win.Test.EICAR_HDB-1",
	    .action = "quarantine",
	    .engine = "ClamAV 1.4.6/27000",
	    .when = 1795741298,
	};
	return m;
}

/* store - quarantine_store into the directory store dir */
static int
store(const char *dir, const struct quarantine_meta *m, const struct spool *sp,
      char id[QUARANTINE_ID_MAX])
{
	struct qstore *qs = qstore_open_dir(dir);
	int rc = quarantine_store(qs, m, sp, id);

	qstore_close(qs);
	return rc;
}

/* count - entries in dir, dot files included */
static int
count(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

START_TEST(test_store)
{
	static const char msg[] = "Subject: x\r\n\r\nbody\r\n.\r\n\0binary";
	struct quarantine_meta m = meta();
	char *dir = test_tmpdir(), id[QUARANTINE_ID_MAX], path[512], *data;
	struct spool sp;
	struct stat st;
	size_t len;

	spool_init(&sp, "/tmp", 8, "Lead: scanner only\r\n");
	spool_append(&sp, msg, sizeof(msg) - 1);
	ck_assert_int_eq(store(dir, &m, &sp, id), 0);
	ck_assert_msg(strncmp(id, "20261127T010138-", 16) == 0, "id %s", id);
	ck_assert_uint_eq(strlen(id), 32);
	snprintf(path, sizeof(path), "%s/%s.eml", dir, id);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(count(dir), 1);
	data = test_read_file(path, &len);
	ck_assert(strstr(data, "X-Clamgate-Id: ") == data);
	ck_assert_msg(strstr(data, "Lead:") == NULL, "the scanner's lead line "
						     "is not quarantined");
	ck_assert(
	    strstr(data, "\r\nX-Clamgate-Sender: evil@remote.example\r\n"));
	ck_assert(strstr(data, "\r\nX-Clamgate-Recipient: a@local.example\r\n"
			       "X-Clamgate-Recipient: b@local.example\r\n"));
	ck_assert(strstr(data, "\r\nX-Clamgate-Helo: helo??Injected: yes\r\n"));
	ck_assert(
	    strstr(data, "\r\nX-Clamgate-Virus: Win.Test.EICAR_HDB-1\r\n"));
	ck_assert(strstr(data, "\r\nX-Clamgate-Queue-Id: 4AbCdE\r\n"));
	ck_assert(
	    strstr(data, "\r\nX-Clamgate-Engine: ClamAV 1.4.6/27000\r\n"));
	ck_assert(strstr(data, "\r\nX-Clamgate-Time: 1795741298\r\n"));
	ck_assert(
	    strstr(data, "\r\nX-Clamgate-Original-Size: 30\r\nSubject: x"));
	ck_assert_uint_gt(len, sizeof(msg) - 1);
	ck_assert(
	    memcmp(data + len - (sizeof(msg) - 1), msg, sizeof(msg) - 1) == 0);
	free(data);
	unlink(path);
	rmdir(dir);
	free(dir);
	spool_reset(&sp);
}
END_TEST

/* two messages in the same second get different names */
START_TEST(test_unique)
{
	struct quarantine_meta m = meta();
	char *dir = test_tmpdir(), id1[QUARANTINE_ID_MAX],
	     id2[QUARANTINE_ID_MAX];
	struct spool sp;

	spool_init(&sp, "/tmp", 1024, NULL);
	spool_append(&sp, "x\r\n", 3);
	ck_assert_int_eq(store(dir, &m, &sp, id1), 0);
	ck_assert_int_eq(store(dir, &m, &sp, id2), 0);
	ck_assert_str_ne(id1, id2);
	ck_assert_int_eq(count(dir), 2);
	ck_assert_int_eq(test_rmtree(dir), 0);
	spool_reset(&sp);
}
END_TEST

/* a store that cannot be written: -1 and no file left behind */
START_TEST(test_fail)
{
	struct quarantine_meta m = meta();
	char *dir = test_tmpdir(), sub[512], id[QUARANTINE_ID_MAX];
	struct spool sp;

	spool_init(&sp, "/tmp", 1024, NULL);
	spool_append(&sp, "x\r\n", 3);
	snprintf(sub, sizeof(sub), "%s/missing", dir);
	ck_assert_int_eq(store(sub, &m, &sp, id), -1);
	ck_assert_int_eq(count(dir), 0);
	rmdir(dir);
	free(dir);
	spool_reset(&sp);
}
END_TEST

/* what quarantine_store writes, quarantine_read reads back */
START_TEST(test_read_back)
{
	static const char msg[] =
	    "Subject: =?UTF-8?Q?caf=C3=A9?=\r\n folded\r\n"
	    "Message-ID: <x@y>\r\n\r\nbody\r\n";
	struct quarantine_meta m = meta();
	char *dir = test_tmpdir(), id[QUARANTINE_ID_MAX], cmd[600];
	struct quarantine_entry e;
	struct spool sp;

	spool_init(&sp, "/tmp", 1024, NULL);
	spool_append(&sp, msg, sizeof(msg) - 1);
	ck_assert_int_eq(store(dir, &m, &sp, id), 0);
	ck_assert_int_eq(quarantine_read(dir, id, &e, QUARANTINE_READ_SUBJECT),
			 0);
	ck_assert_int_eq(e.damaged, 0);
	ck_assert_str_eq(e.sender, "evil@remote.example");
	ck_assert_uint_eq(e.n_rcpts, 2);
	ck_assert_str_eq(e.rcpts[1], "b@local.example");
	ck_assert_str_eq(e.virus, "Win.Test.EICAR_HDB-1");
	ck_assert_str_eq(e.helo, "helo??Injected: yes");
	ck_assert_uint_eq(e.size, sizeof(msg) - 1);
	ck_assert_int_eq(e.time, 1795741298);
	ck_assert_str_eq(e.subject, "=?UTF-8?Q?caf=C3=A9?= folded");
	ck_assert_str_eq(e.message_id, "<x@y>");
	/* the host that stored it, as audit_host() names this one */
	{
		char host[AUDIT_HOST_MAX];
		audit_host(host);
		ck_assert_ptr_nonnull(e.host);
		ck_assert_str_eq(e.host, host);
	}
	quarantine_entry_free(&e);
	/* a unique prefix resolves; the store lists it */
	char got[QUARANTINE_ID_MAX];
	struct qstore *qs = qstore_open_dir(dir);
	ck_assert_int_eq(qstore_resolve(qs, "2026", got), 0);
	qstore_close(qs);
	ck_assert_str_eq(got, id);
	snprintf(cmd, sizeof(cmd), "truncate -s -1 %s/%s.eml", dir, id);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(quarantine_read(dir, id, &e, QUARANTINE_READ_SUBJECT),
			 0);
	ck_assert_int_eq(e.damaged, 1);
	ck_assert_str_eq(e.problem, "truncated");
	quarantine_entry_free(&e);
	ck_assert_int_eq(test_rmtree(dir), 0);
	spool_reset(&sp);
}
END_TEST

Suite *
quarantine_suite(void)
{
	Suite *s = suite_create("quarantine");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_store);
	tcase_add_test(tc, test_unique);
	tcase_add_test(tc, test_fail);
	tcase_add_test(tc, test_read_back);
	suite_add_tcase(s, tc);
	return s;
}
