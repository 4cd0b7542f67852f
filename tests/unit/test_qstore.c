/* test_qstore.c - the quarantine store's contract (qstore.h), the same
 * tests for every backend: the directory store here (suite "qstore"),
 * and with CLAMGATE_TEST_STORE_DSN set (tests/pg/run.sh) the suite
 * "qstore-postgresql" against that database, each test in a schema of
 * its own. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clamgate/audit.h"
#include "clamgate/qstore.h"
#include "clamgate/quarantine_store.h"
#include "clamgate/xmalloc.h"
#include "suites.h"

static const char *pg_dsn; /* the suite against PostgreSQL: its DSN */

/* the suites' fixtures, run before their tests: which backend */
static void
use_dir(void)
{
	pg_dsn = NULL;
}

static void
use_pg(void)
{
	pg_dsn = getenv("CLAMGATE_TEST_STORE_DSN");
}

/* a message with what a store must keep: CRLF, a bare LF, NUL, 8 bits */
static const char msg[] = "Subject: =?UTF-8?Q?caf=C3=A9?=\r\n"
			  "Message-ID: <m@remote.example>\r\n\r\n"
			  "body\r\n\0\xff\xfe bare\nend\r\n";
#define MSG_LEN (sizeof(msg) - 1)

static char *const rcpts[] = {"a@local.example", "b@local.example"};

struct fix {
	char *dir;
	struct qstore *qs;
};

static struct fix
fix_open(void)
{
	struct fix f = {test_tmpdir(), NULL};
	char *dsn = pg_dsn ? test_pg_dsn(pg_dsn) : NULL;

	f.qs = dsn ? qstore_open_pg(dsn) : qstore_open_dir(f.dir);
	ck_assert_ptr_nonnull(f.qs);
	free(dsn);
	return f;
}

static void
fix_close(struct fix *f)
{
	qstore_close(f->qs);
	test_rmtree(f->dir);
}

/* put - one message stored at when, as the daemon stores it */
static void
put(struct qstore *qs, time_t when, char id[QUARANTINE_ID_MAX])
{
	struct quarantine_meta m = {
	    .sender = "evil@remote.example",
	    .rcpts = rcpts,
	    .n_rcpts = 2,
	    .client_addr = "192.0.2.10",
	    .virus = "Win.Test.EICAR_HDB-1",
	    .action = "quarantine",
	    .engine = "ClamAV 1.4.6/27000",
	    .when = when,
	};
	struct spool sp;

	spool_init(&sp, "/tmp", 16, "Lead: scanner only\r\n");
	spool_append(&sp, msg, MSG_LEN);
	ck_assert_msg(quarantine_store(qs, &m, &sp, id) == 0, "%s",
		      qstore_error());
	spool_reset(&sp);
}

struct buf {
	char data[4096];
	size_t len;
};

static int
gather(const void *data, size_t len, void *arg)
{
	struct buf *b = arg;

	ck_assert_uint_le(b->len + len, sizeof(b->data));
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

/* what is put is read back: the envelope, the headers, the original
 * byte for byte */
START_TEST(test_round_trip)
{
	struct fix f = fix_open();
	char id[QUARANTINE_ID_MAX], host[AUDIT_HOST_MAX], *env;
	struct quarantine_entry e;
	struct buf b = {.len = 0};
	size_t envlen;

	put(f.qs, 1795741298, id);
	ck_assert_int_eq(qstore_read(f.qs, id, &e, QUARANTINE_READ_HEADERS), 0);
	ck_assert_int_eq(e.damaged, 0);
	ck_assert_str_eq(e.sender, "evil@remote.example");
	ck_assert_uint_eq(e.n_rcpts, 2);
	ck_assert_str_eq(e.rcpts[1], "b@local.example");
	ck_assert_str_eq(e.virus, "Win.Test.EICAR_HDB-1");
	ck_assert_uint_eq(e.size, MSG_LEN);
	ck_assert_int_eq(e.time, 1795741298);
	ck_assert_str_eq(e.subject, "=?UTF-8?Q?caf=C3=A9?=");
	ck_assert_str_eq(e.message_id, "<m@remote.example>");
	ck_assert_ptr_nonnull(strstr(e.headers, "Message-ID: <m@remote"));
	audit_host(host);
	ck_assert_str_eq(e.host, host);
	ck_assert_int_eq(qstore_each_original(f.qs, &e, gather, &b), 0);
	ck_assert_uint_eq(b.len, MSG_LEN);
	ck_assert(memcmp(b.data, msg, MSG_LEN) == 0);
	ck_assert_int_eq(qstore_envelope(f.qs, &e, &env, &envlen), 0);
	ck_assert_uint_eq(envlen, e.offset);
	ck_assert(strncmp(env, "X-Clamgate-Id: ", 15) == 0);
	ck_assert_ptr_nonnull(strstr(env, "X-Clamgate-Original-Size: "));
	free(env);
	quarantine_entry_free(&e);
	fix_close(&f);
}
END_TEST

static int
src_each(void *src, int (*fn)(const void *, size_t, void *), void *arg)
{
	return fn(src, MSG_LEN, arg);
}

/* an id that is taken is EEXIST, and the entry there is kept */
START_TEST(test_no_overwrite)
{
	struct fix f = fix_open();
	char id[QUARANTINE_ID_MAX], *env;
	static char other[MSG_LEN]; /* another message of the same size */
	struct qstore_src src = {src_each, other, MSG_LEN};
	struct quarantine_entry e;
	size_t len;

	put(f.qs, 1795741298, id);
	ck_assert_int_eq(qstore_read(f.qs, id, &e, QUARANTINE_READ_ENVELOPE),
			 0);
	ck_assert_int_eq(qstore_envelope(f.qs, &e, &env, &len), 0);
	quarantine_entry_free(&e);
	errno = 0;
	ck_assert_int_eq(qstore_put(f.qs, id, env, len, &src), -1);
	ck_assert_int_eq(errno, EEXIST);
	free(env);
	ck_assert_int_eq(qstore_read(f.qs, id, &e, QUARANTINE_READ_ENVELOPE),
			 0);
	ck_assert_int_eq(e.damaged, 0);
	ck_assert_uint_eq(e.size, MSG_LEN);
	quarantine_entry_free(&e);
	fix_close(&f);
}
END_TEST

/* ids newest first; a prefix resolves when unique; usage counts */
START_TEST(test_ids)
{
	struct fix f = fix_open();
	char a[QUARANTINE_ID_MAX], b[QUARANTINE_ID_MAX], got[QUARANTINE_ID_MAX];
	unsigned long long n, bytes;
	char **ids;
	size_t count;

	put(f.qs, 1795741298, a); /* 2026-11-27 */
	put(f.qs, 1795741298 + 86400, b);
	ck_assert_int_eq(qstore_ids(f.qs, &ids, &count), 0);
	ck_assert_uint_eq(count, 2);
	ck_assert_str_eq(ids[0], b);
	ck_assert_str_eq(ids[1], a);
	quarantine_ids_free(ids, count);
	ck_assert_int_eq(qstore_resolve(f.qs, "20261128", got), 0);
	ck_assert_str_eq(got, b);
	ck_assert_int_eq(qstore_resolve(f.qs, "2026112", got), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_int_eq(qstore_resolve(f.qs, "2027", got), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(qstore_usage(f.qs, &n, &bytes), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_gt(bytes, 2 * MSG_LEN);
	fix_close(&f);
}
END_TEST

/* released: the note is in the envelope, the original unchanged */
START_TEST(test_released)
{
	struct fix f = fix_open();
	char id[QUARANTINE_ID_MAX];
	struct quarantine_entry e;
	struct buf b = {.len = 0};

	put(f.qs, 1795741298, id);
	ck_assert_int_eq(qstore_read(f.qs, id, &e, QUARANTINE_READ_ENVELOPE),
			 0);
	ck_assert_ptr_null(e.released);
	ck_assert_int_eq(qstore_mark_released(f.qs, &e, "now by uid=0\r\nX: y"),
			 0);
	quarantine_entry_free(&e);
	ck_assert_int_eq(qstore_read(f.qs, id, &e, QUARANTINE_READ_SUBJECT), 0);
	ck_assert_int_eq(e.damaged, 0);
	ck_assert_str_eq(e.released, "now by uid=0??X: y");
	ck_assert_int_eq(qstore_each_original(f.qs, &e, gather, &b), 0);
	ck_assert_uint_eq(b.len, MSG_LEN);
	ck_assert(memcmp(b.data, msg, MSG_LEN) == 0);
	quarantine_entry_free(&e);
	fix_close(&f);
}
END_TEST

static int
expire_each(const char *id, int removed, void *arg)
{
	(void)id;
	if (removed)
		(*(int *)arg)++;
	return 0;
}

/* remove, and expiry by the time in the ids (a dry run removes none) */
START_TEST(test_remove_expire)
{
	struct fix f = fix_open();
	char old[QUARANTINE_ID_MAX], new[QUARANTINE_ID_MAX],
	    gone[QUARANTINE_ID_MAX];
	struct quarantine_entry e;
	time_t now = 1795741298;
	int removed = 0;

	put(f.qs, now - 40 * 86400, old);
	put(f.qs, now, new);
	put(f.qs, now, gone);
	ck_assert_int_eq(qstore_remove(f.qs, gone), 0);
	ck_assert_int_eq(qstore_remove(f.qs, gone), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(qstore_read(f.qs, gone, &e, QUARANTINE_READ_ENVELOPE),
			 -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(qstore_expire(f.qs, now - 30 * 86400, 1, NULL, NULL),
			 1);
	ck_assert_int_eq(
	    qstore_expire(f.qs, now - 30 * 86400, 0, expire_each, &removed), 1);
	ck_assert_int_eq(removed, 1);
	ck_assert_int_eq(qstore_read(f.qs, old, &e, QUARANTINE_READ_ENVELOPE),
			 -1);
	ck_assert_int_eq(qstore_read(f.qs, new, &e, QUARANTINE_READ_ENVELOPE),
			 0);
	quarantine_entry_free(&e);
	fix_close(&f);
}
END_TEST

/* a release token is used once; given back, it can be used again */
START_TEST(test_tokens)
{
	struct fix f = fix_open();
	struct token t = {.id = "x", .expiry = 1795741298, .flags = "sm"};

	memset(t.mac, 'a', 64);
	ck_assert_int_eq(qstore_token_use(f.qs, &t), 0);
	ck_assert_int_eq(qstore_token_use(f.qs, &t), 1);
	qstore_token_unuse(f.qs, &t);
	ck_assert_int_eq(qstore_token_use(f.qs, &t), 0);
	ck_assert_int_eq(qstore_token_expire(f.qs, 1795741298), 0);
	ck_assert_int_eq(qstore_token_use(f.qs, &t), 1);
	ck_assert_int_eq(qstore_token_expire(f.qs, 1795741298 + 61), 1);
	ck_assert_int_eq(qstore_token_use(f.qs, &t), 0);
	ck_assert_int_eq(qstore_audit(f.qs, 1795741298, "delete", "x", NULL),
			 0);
	fix_close(&f);
}
END_TEST

/* an envelope of 8-bit bytes (a UTF-8 database refuses them as text) is
 * stored and read back as it was; an id without the shape of one is
 * refused (it would be a file name) */
START_TEST(test_eight_bit)
{
	static char *const rc8[] = {"b\xe9"
				    "b@local.example"};
	struct fix f = fix_open();
	struct quarantine_meta m = {.sender = "caf\xe9@evil.example",
				    .rcpts = rc8,
				    .n_rcpts = 1,
				    .virus = "V\xff",
				    .when = 1795741298};
	struct qstore_src src = {src_each, (void *)msg, MSG_LEN};
	char id[QUARANTINE_ID_MAX];
	struct quarantine_entry e;
	struct spool sp;

	spool_init(&sp, "/tmp", 16, NULL);
	spool_append(&sp, msg, MSG_LEN);
	ck_assert_msg(quarantine_store(f.qs, &m, &sp, id) == 0, "%s",
		      qstore_error());
	ck_assert_int_eq(qstore_read(f.qs, id, &e, QUARANTINE_READ_ENVELOPE),
			 0);
	ck_assert_str_eq(e.sender, "caf\xe9@evil.example");
	ck_assert_str_eq(e.rcpts[0], "b\xe9"
				     "b@local.example");
	ck_assert_int_eq(qstore_mark_released(f.qs, &e,
					      "to=<b\xe9"
					      "b@x>"),
			 0);
	ck_assert_int_eq(qstore_audit(f.qs, 1, "release", id,
				      "to=<b\xe9"
				      "b@x>"),
			 0);
	quarantine_entry_free(&e);
	errno = 0;
	ck_assert_int_eq(qstore_put(f.qs, "../../etc/x", "", 0, &src), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(
	    qstore_read(f.qs, "../x", &e, QUARANTINE_READ_ENVELOPE), -1);
	ck_assert_int_eq(errno, ENOENT);
	spool_reset(&sp);
	fix_close(&f);
}
END_TEST

/* a store that cannot be written: -1, the reason named, nothing kept */
START_TEST(test_unwritable)
{
	char id[QUARANTINE_ID_MAX] = "x", **ids;
	struct quarantine_meta m = {.virus = "V", .when = 1795741298};
	struct qstore *qs =
	    pg_dsn ? qstore_open_pg("host=/nonexistent dbname=clamgate")
		   : qstore_open_dir("/nonexistent/quarantine");
	struct spool sp;
	size_t n;

	spool_init(&sp, "/tmp", 16, NULL);
	spool_append(&sp, "x\r\n", 3);
	ck_assert_int_eq(quarantine_store(qs, &m, &sp, id), -1);
	ck_assert_str_eq(id, "");
	ck_assert_ptr_nonnull(strstr(qstore_error(), "/nonexistent"));
	ck_assert_int_eq(qstore_ids(qs, &ids, &n), -1);
	spool_reset(&sp);
	qstore_close(qs);
}
END_TEST

static Suite *
contract(const char *name, void (*backend)(void))
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, backend, NULL);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_no_overwrite);
	tcase_add_test(tc, test_ids);
	tcase_add_test(tc, test_released);
	tcase_add_test(tc, test_remove_expire);
	tcase_add_test(tc, test_tokens);
	tcase_add_test(tc, test_eight_bit);
	tcase_add_test(tc, test_unwritable);
	suite_add_tcase(s, tc);
	return s;
}

Suite *
qstore_suite(void)
{
	return contract("qstore", use_dir);
}

/* qstore_pg_suite - the contract against CLAMGATE_TEST_STORE_DSN, or
 * NULL without one */
Suite *
qstore_pg_suite(void)
{
	const char *dsn = getenv("CLAMGATE_TEST_STORE_DSN");

	if (dsn == NULL || *dsn == '\0')
		return NULL;
	return contract("qstore-postgresql", use_pg);
}
