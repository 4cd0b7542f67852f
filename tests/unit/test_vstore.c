/* test_vstore.c - the outbound gate's memory: the SQLite backend, its
 * schema, trimming, and several threads and processes at once.  With
 * CLAMGATE_TEST_STORE_DSN set (tests/pg/run.sh), the suite
 * "vstore-postgresql" runs the same contract against that database,
 * each test in a PostgreSQL schema of its own (Check runs each test in
 * a process of its own: the schema is named by the pid). */
#include <check.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clamgate/vstore.h"
#include "clamgate/xmalloc.h"
#include "suites.h"

#define NOW	     1795741298
#define THREADS	     8
#define PROC_ROWS    600 /* rows each of the two processes writes */
#define PROC_BATCH   20
#define WORK_SECONDS 1

/* store_path - DIR/NAME, for the caller to free */
static char *
store_path(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *path = xmalloc(len);

	snprintf(path, len, "%s/%s", dir, name);
	return path;
}

static const char *pg_dsn; /* the suite against PostgreSQL: its DSN */

/* store_open - DIR/verified.db (or this test's PostgreSQL schema);
 * fails the test if it cannot */
static struct vstore *
store_open(const char *dir, int readonly)
{
	char *path =
	    pg_dsn ? test_pg_dsn(pg_dsn) : store_path(dir, "verified.db");
	char err[1024] = "";
	struct vstore *st = vstore_open(pg_dsn ? "postgresql" : "sqlite", path,
					readonly, err, sizeof(err));

	ck_assert_msg(st != NULL, "cannot open %s: %s", path, err);
	free(path);
	return st;
}

/* vrow - a verified row seen at last */
static struct vstore_row
vrow(const char *addr, const char *how, time_t last)
{
	struct vstore_row r;

	memset(&r, 0, sizeof(r));
	r.table = VSTORE_VERIFIED;
	snprintf(r.addr, sizeof(r.addr), "%s", addr);
	snprintf(r.how, sizeof(r.how), "%s", how);
	r.first = r.last = last;
	return r;
}

/* crow - a contact row (mail from remote reached local) seen at last */
static struct vstore_row
crow(const char *remote, const char *local, time_t last)
{
	struct vstore_row r;

	memset(&r, 0, sizeof(r));
	r.table = VSTORE_CONTACT;
	snprintf(r.addr, sizeof(r.addr), "%s", remote);
	snprintf(r.local, sizeof(r.local), "%s", local);
	r.first = r.last = last;
	return r;
}

/* put1 - store one row, or fail the test */
static void
put1(struct vstore *st, struct vstore_row r)
{
	ck_assert_msg(vstore_put(st, &r, 1) == 0, "put: %s", vstore_error(st));
}

struct collect {
	struct vstore_row rows[32];
	int n, stop_after; /* 0: never stop */
};

/* collect_row - vstore_each callback: keep the row */
static int
collect_row(const struct vstore_row *row, void *arg)
{
	struct collect *c = arg;

	if (c->n < 32)
		c->rows[c->n] = *row;
	c->n++;
	return c->stop_after && c->n >= c->stop_after;
}

/* count_rows - the rows of a table */
static int
count_rows(struct vstore *st, enum vstore_table table)
{
	struct collect c = {.n = 0};
	int n = vstore_each(st, table, collect_row, &c);

	ck_assert_msg(n >= 0, "each: %s", vstore_error(st));
	ck_assert_int_eq(n, c.n);
	return n;
}

START_TEST(test_round_trip)
{
	char *dir = test_tmpdir();
	struct vstore *st = store_open(dir, 0);
	struct vstore_row rows[2] = {
	    vrow("alice@example.org", "spf", NOW),
	    crow("alice@example.org", "bob@example.net", NOW)};
	struct vstore_row got;

	ck_assert_int_eq(vstore_put(st, rows, 2), 0);
	memset(&got, 0, sizeof(got));
	ck_assert_int_eq(vstore_get_verified(st, "alice@example.org", 0, &got),
			 1);
	ck_assert_int_eq(got.table, VSTORE_VERIFIED);
	ck_assert_str_eq(got.addr, "alice@example.org");
	ck_assert_str_eq(got.how, "spf");
	ck_assert_int_eq(got.first, NOW);
	ck_assert_int_eq(got.last, NOW);
	ck_assert_uint_eq(got.count, 1);
	ck_assert_int_eq(vstore_get_verified(st, "alice@example.org", 0, NULL),
			 1);
	ck_assert_int_eq(vstore_get_verified(st, "bob@example.net", 0, &got),
			 0);
	ck_assert_int_eq(
	    vstore_get_contact(st, "alice@example.org", "bob@example.net", 0),
	    1);
	/* the other way round is another contact */
	ck_assert_int_eq(
	    vstore_get_contact(st, "bob@example.net", "alice@example.org", 0),
	    0);
	/* to anyone here: the remote address alone */
	ck_assert_int_eq(vstore_get_contact(st, "alice@example.org", NULL, 0),
			 1);
	ck_assert_int_eq(vstore_get_contact(st, "bob@example.net", NULL, 0), 0);
	ck_assert_int_eq(vstore_get_verified(st, "", 0, NULL), 0);
	ck_assert_int_eq(vstore_put(st, rows, 0), 0);
	vstore_close(st);
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

START_TEST(test_since)
{
	char *dir = test_tmpdir();
	struct vstore *st = store_open(dir, 0);

	put1(st, vrow("old@example.org", "dkim", NOW - 100));
	put1(st, crow("old@example.org", "me@example.net", NOW - 100));
	ck_assert_int_eq(
	    vstore_get_verified(st, "old@example.org", NOW - 100, NULL), 1);
	ck_assert_int_eq(
	    vstore_get_verified(st, "old@example.org", NOW - 99, NULL), 0);
	ck_assert_int_eq(vstore_get_contact(st, "old@example.org",
					    "me@example.net", NOW - 100),
			 1);
	ck_assert_int_eq(vstore_get_contact(st, "old@example.org",
					    "me@example.net", NOW - 99),
			 0);
	/* seen again: the time counts from the latest pass */
	put1(st, vrow("old@example.org", "dkim", NOW));
	ck_assert_int_eq(
	    vstore_get_verified(st, "old@example.org", NOW - 99, NULL), 1);
	vstore_close(st);
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

static const struct {
	const char *old, *add, *merged;
} how_cases[] = {
    {"spf", "dkim", "spf+dkim"},
    {"dkim", "spf", "spf+dkim"},
    {"spf", "spf", "spf"},
    {"spf+dkim", "dkim", "spf+dkim"},
    {"dkim", "spf+dkim", "spf+dkim"},
    {"admin", "spf", "admin"},
    {"spf+dkim", "admin", "admin"},
    {"dkim", "arc", "dkim+arc"},
    {"SPF", "Dkim", "spf+dkim"},
};

START_TEST(test_how)
{
	char *dir = test_tmpdir();
	struct vstore *st = store_open(dir, 0);
	char addr[64];
	struct vstore_row got;

	snprintf(addr, sizeof(addr), "case%d@example.org", _i);
	put1(st, vrow(addr, how_cases[_i].old, NOW));
	put1(st, vrow(addr, how_cases[_i].add, NOW + 1));
	ck_assert_int_eq(vstore_get_verified(st, addr, 0, &got), 1);
	ck_assert_msg(strcmp(got.how, how_cases[_i].merged) == 0,
		      "%s then %s: \"%s\", expected \"%s\"", how_cases[_i].old,
		      how_cases[_i].add, got.how, how_cases[_i].merged);
	vstore_close(st);
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

START_TEST(test_count)
{
	char *dir = test_tmpdir();
	struct vstore *st = store_open(dir, 0);
	/* out of order, as the writer's queue may have them */
	struct vstore_row rows[3] = {vrow("c@example.org", "spf", NOW + 200),
				     vrow("c@example.org", "spf", NOW + 100),
				     vrow("c@example.org", "spf", NOW + 300)};
	struct vstore_row got, bad = vrow("c@example.org", "spf", NOW + 400);

	ck_assert_int_eq(vstore_put(st, rows, 3), 0);
	put1(st, crow("c@example.org", "l@example.net", NOW));
	put1(st, crow("C@example.org", "L@example.net", NOW + 5));
	ck_assert_int_eq(vstore_get_verified(st, "c@example.org", 0, &got), 1);
	ck_assert_uint_eq(got.count, 3);
	ck_assert_int_eq(got.first, NOW + 100);
	ck_assert_int_eq(got.last, NOW + 300);
	/* the count is the store's: what the caller says is ignored */
	bad.count = 1000;
	put1(st, bad);
	ck_assert_int_eq(vstore_get_verified(st, "c@example.org", 0, &got), 1);
	ck_assert_uint_eq(got.count, 4);
	ck_assert_int_eq(count_rows(st, VSTORE_CONTACT), 1);
	vstore_close(st);
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

static const struct {
	const char *in, *out;
} norm_cases[] = {
    {"alice@example.org", "alice@example.org"},
    {"<Alice@Example.ORG>", "alice@example.org"},
    {"  < Bob@X.Example >\t", "bob@x.example"},
    {"<>", ""},
    {"", ""},
    {"<<a@b>>", "<a@b>"},
    {"<a@b", "<a@b"},
    {"\xc3\x89lise@EXAMPLE.org", "\xc3\x89lise@example.org"},
    /* not UTF-8: neither stored nor found, in every backend alike (a
     * UTF-8 database would refuse it, and the writer's batch with it) */
    {"caf\xe9@example.com", ""},
    {"\xc0\xafx@example.com", ""},     /* overlong */
    {"\xed\xa0\x80x@example.com", ""}, /* a surrogate */
    {"x@example.com\xe2\x82", ""},     /* cut short */
    {"\xf0\x9f\x93\xa7@example.com", "\xf0\x9f\x93\xa7@example.com"},
    /* the forms a client may write that Postfix queues plainly: one key
     * for both, so that a contact is found in the reply's form */
    {"<\"Victim\"@Gmail.com>", "victim@gmail.com"},
    {"\"a.b+c\"@x.example", "a.b+c@x.example"},
    {"<@relay.example:victim@gmail.com>", "victim@gmail.com"},
    {"@a.example,@b.example:v@x.example", "v@x.example"},
    {"\"john doe\"@x.example", "\"john doe\"@x.example"}, /* needs them */
    {"\"\"@x.example", "\"\"@x.example"},
};

START_TEST(test_normalise)
{
	char out[VSTORE_ADDR_MAX + 1];

	memset(out, 'x', sizeof(out));
	vstore_normalise(norm_cases[_i].in, out);
	ck_assert_str_eq(out, norm_cases[_i].out);
}
END_TEST

START_TEST(test_normalise_long)
{
	char in[VSTORE_ADDR_MAX + 50], out[VSTORE_ADDR_MAX + 1];

	memset(in, 'A', sizeof(in) - 1);
	in[0] = '<';
	in[sizeof(in) - 2] = '>';
	in[sizeof(in) - 1] = '\0';
	/* too long: no key at all, never a cut one that names another */
	vstore_normalise(in, out);
	ck_assert_str_eq(out, "");
	in[VSTORE_ADDR_MAX + 1] = '>';
	in[VSTORE_ADDR_MAX + 2] = '\0';
	vstore_normalise(in, out);
	ck_assert_uint_eq(strlen(out), VSTORE_ADDR_MAX);
	vstore_normalise(NULL, out);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_normalised_lookups)
{
	char *dir = test_tmpdir();
	struct vstore *st = store_open(dir, 0);
	struct vstore_row got;

	put1(st, vrow("<Alice@Example.ORG>", "spf", NOW));
	put1(st, crow("<Alice@Example.ORG>", " <Bob@Example.NET>", NOW));
	ck_assert_int_eq(vstore_get_verified(st, "ALICE@example.org", 0, &got),
			 1);
	ck_assert_str_eq(got.addr, "alice@example.org");
	ck_assert_int_eq(
	    vstore_get_verified(st, "<alice@example.org>", 0, NULL), 1);
	ck_assert_int_eq(
	    vstore_get_contact(st, "alice@EXAMPLE.org", "<BOB@example.net>", 0),
	    1);
	ck_assert_int_eq(vstore_forget(st, " <ALICE@example.org> "), 2);
	vstore_close(st);
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

START_TEST(test_trim_age)
{
	char *dir = test_tmpdir();
	struct vstore *st = store_open(dir, 0);
	struct vstore_row rows[4] = {
	    vrow("old@example.org", "spf", NOW - 1000),
	    vrow("new@example.org", "spf", NOW),
	    crow("old@example.org", "me@example.net", NOW - 1000),
	    crow("new@example.org", "me@example.net", NOW - 10)};

	ck_assert_int_eq(vstore_put(st, rows, 4), 0);
	ck_assert_int_eq(vstore_trim(st, NOW - 500, 0), 2);
	ck_assert_int_eq(vstore_get_verified(st, "old@example.org", 0, NULL),
			 0);
	ck_assert_int_eq(vstore_get_verified(st, "new@example.org", 0, NULL),
			 1);
	ck_assert_int_eq(
	    vstore_get_contact(st, "old@example.org", "me@example.net", 0), 0);
	ck_assert_int_eq(
	    vstore_get_contact(st, "new@example.org", "me@example.net", 0), 1);
	/* last == cutoff stays */
	ck_assert_int_eq(vstore_trim(st, NOW - 10, 0), 0);
	ck_assert_int_eq(vstore_trim(st, NOW - 9, 0), 1);
	ck_assert_int_eq(count_rows(st, VSTORE_VERIFIED), 1);
	ck_assert_int_eq(count_rows(st, VSTORE_CONTACT), 0);
	vstore_close(st);
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

START_TEST(test_trim_max)
{
	char *dir = test_tmpdir();
	struct vstore *st = store_open(dir, 0);
	struct vstore_row rows[20];
	struct collect c = {.n = 0};
	char a[64];

	/* seen at NOW + 0..9, stored in a shuffled order */
	for (int i = 0; i < 10; i++) {
		int t = (i * 7) % 10;
		snprintf(a, sizeof(a), "v%d@example.org", t);
		rows[i] = vrow(a, "dkim", NOW + t);
		snprintf(a, sizeof(a), "r%d@example.org", t);
		rows[10 + i] = crow(a, "me@example.net", NOW + t);
	}
	ck_assert_int_eq(vstore_put(st, rows, 20), 0);
	ck_assert_int_eq(vstore_trim(st, 0, 20), 0);
	ck_assert_int_eq(vstore_trim(st, 0, 3), 14);
	ck_assert_int_eq(vstore_each(st, VSTORE_VERIFIED, collect_row, &c), 3);
	ck_assert_str_eq(c.rows[0].addr, "v9@example.org");
	ck_assert_str_eq(c.rows[1].addr, "v8@example.org");
	ck_assert_str_eq(c.rows[2].addr, "v7@example.org");
	c.n = 0;
	ck_assert_int_eq(vstore_each(st, VSTORE_CONTACT, collect_row, &c), 3);
	ck_assert_str_eq(c.rows[0].addr, "r9@example.org");
	ck_assert_str_eq(c.rows[2].addr, "r7@example.org");
	/* age first, then the count */
	ck_assert_int_eq(vstore_trim(st, NOW + 9, 1), 4);
	ck_assert_int_eq(count_rows(st, VSTORE_VERIFIED), 1);
	vstore_close(st);
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

START_TEST(test_forget)
{
	char *dir = test_tmpdir();
	struct vstore *st = store_open(dir, 0);
	struct vstore_row rows[4] = {
	    vrow("a@example.org", "spf", NOW),
	    crow("a@example.org", "l1@example.net", NOW),
	    crow("r@example.org", "a@example.org", NOW),
	    crow("r@example.org", "l2@example.net", NOW)};

	ck_assert_int_eq(vstore_put(st, rows, 4), 0);
	ck_assert_int_eq(vstore_forget(st, "A@example.org"), 3);
	ck_assert_int_eq(vstore_get_verified(st, "a@example.org", 0, NULL), 0);
	ck_assert_int_eq(count_rows(st, VSTORE_CONTACT), 1);
	ck_assert_int_eq(
	    vstore_get_contact(st, "r@example.org", "l2@example.net", 0), 1);
	ck_assert_int_eq(vstore_forget(st, "a@example.org"), 0);
	ck_assert_int_eq(vstore_forget(st, "<>"), 0);
	vstore_close(st);
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

START_TEST(test_each)
{
	char *dir = test_tmpdir();
	struct vstore *st = store_open(dir, 0);
	static const int times[] = {5, 1, 9, 3, 7};
	struct collect c = {.n = 0};
	char a[64];

	for (int i = 0; i < 5; i++) {
		snprintf(a, sizeof(a), "s%d@example.org", times[i]);
		put1(st, vrow(a, "spf", NOW + times[i]));
	}
	ck_assert_int_eq(vstore_each(st, VSTORE_VERIFIED, collect_row, &c), 5);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(c.rows[i].last, NOW + 9 - 2 * i);
	ck_assert_str_eq(c.rows[0].addr, "s9@example.org");
	ck_assert_int_eq(c.rows[0].table, VSTORE_VERIFIED);
	/* the function stops it */
	c.n = 0;
	c.stop_after = 2;
	ck_assert_int_eq(vstore_each(st, VSTORE_VERIFIED, collect_row, &c), 2);
	ck_assert_int_eq(c.n, 2);
	ck_assert_int_eq(count_rows(st, VSTORE_CONTACT), 0);
	ck_assert_int_eq(vstore_each(st, VSTORE_VERIFIED, NULL, NULL), -1);
	vstore_close(st);
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

START_TEST(test_bad_rows)
{
	char *dir = test_tmpdir();
	struct vstore *st = store_open(dir, 0);
	struct vstore_row rows[2] = {vrow("good@example.org", "spf", NOW),
				     vrow("<>", "spf", NOW)};

	/* all or nothing: the good row is not stored either */
	ck_assert_int_eq(vstore_put(st, rows, 2), -1);
	ck_assert_ptr_nonnull(strstr(vstore_error(st), "row 2: empty address"));
	ck_assert_int_eq(vstore_get_verified(st, "good@example.org", 0, NULL),
			 0);
	rows[1] = vrow("x@example.org", "spf dkim", NOW);
	ck_assert_int_eq(vstore_put(st, rows, 2), -1);
	ck_assert_ptr_nonnull(strstr(vstore_error(st), "\"how\""));
	rows[1] = crow("x@example.org", "", NOW);
	ck_assert_int_eq(vstore_put(st, rows, 2), -1);
	ck_assert_ptr_nonnull(strstr(vstore_error(st), "empty local"));
	ck_assert_int_eq(count_rows(st, VSTORE_VERIFIED), 0);
	vstore_close(st);
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

/* user_version - the schema version of the file, read directly */
static int
user_version(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int v = -1;

	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(
	    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL),
	    SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

START_TEST(test_schema_empty_file)
{
	char *dir = test_tmpdir();
	char *path = test_write_file(dir, "verified.db", "");
	struct vstore *st;

	ck_assert_int_eq(user_version(path), 0);
	st = store_open(dir, 0);
	ck_assert_int_eq(user_version(path), 1);
	put1(st, vrow("a@example.org", "spf", NOW));
	vstore_close(st);
	/* again, for writing and read-only: the rows are there */
	st = store_open(dir, 0);
	ck_assert_int_eq(vstore_get_verified(st, "a@example.org", 0, NULL), 1);
	vstore_close(st);
	st = store_open(dir, 1);
	ck_assert_int_eq(vstore_get_verified(st, "a@example.org", 0, NULL), 1);
	ck_assert_int_eq(vstore_put(st, NULL, 0), -1);
	ck_assert_ptr_nonnull(strstr(vstore_error(st), "read-only"));
	ck_assert_int_eq(vstore_trim(st, NOW, 0), -1);
	ck_assert_int_eq(vstore_forget(st, "a@example.org"), -1);
	vstore_close(st);
	ck_assert_int_eq(user_version(path), 1);
	free(path);
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

START_TEST(test_schema_newer)
{
	char *dir = test_tmpdir();
	char *path = store_path(dir, "verified.db"), err[1024] = "";
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(
	    sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	ck_assert_ptr_null(vstore_open("sqlite", path, 0, err, sizeof(err)));
	ck_assert_msg(strncmp(err, path, strlen(path)) == 0 &&
			  strstr(err, "version 99, newer"),
		      "%s", err);
	ck_assert_ptr_null(vstore_open("sqlite", path, 1, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "version 99"));
	/* a file that is no database at all */
	free(test_write_file(dir, "junk.db", "this is not SQLite\n"));
	free(path);
	path = store_path(dir, "junk.db");
	ck_assert_ptr_null(vstore_open("sqlite", path, 0, err, sizeof(err)));
	ck_assert_msg(strncmp(err, path, strlen(path)) == 0, "%s", err);
	free(path);
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

START_TEST(test_readonly_missing)
{
	char *dir = test_tmpdir();
	char *path = store_path(dir, "missing.db"), err[1024] = "";
	struct stat sb;

	ck_assert_ptr_null(vstore_open("sqlite", path, 1, err, sizeof(err)));
	ck_assert_msg(strncmp(err, path, strlen(path)) == 0 &&
			  strstr(err, "cannot open"),
		      "%s", err);
	ck_assert_int_eq(stat(path, &sb), -1); /* and not created */
	ck_assert_ptr_null(vstore_open("sqlite", "", 0, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "no file or database given"));
	free(path);
	path = store_path(dir, "no-such-dir/verified.db");
	ck_assert_ptr_null(vstore_open("sqlite", path, 0, err, sizeof(err)));
	ck_assert_msg(strstr(err, path) && strstr(err, "cannot create"), "%s",
		      err);
	free(path);
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

START_TEST(test_unknown_backend)
{
	char err[256] = "";

	ck_assert_ptr_null(
	    vstore_open("postgres", "/tmp/x", 0, err, sizeof(err)));
	ck_assert_str_eq(
	    err,
	    "unknown store backend \"postgres\" (known: sqlite, postgresql)");
	ck_assert_ptr_null(vstore_open(NULL, "/tmp/x", 0, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "unknown store backend"));
	ck_assert_str_eq(vstore_error(NULL), "no error");
}
END_TEST

START_TEST(test_file_mode)
{
	char *dir = test_tmpdir();
	char *path = store_path(dir, "verified.db");
	char *wal = store_path(dir, "verified.db-wal");
	struct vstore *st;
	struct stat sb;
	mode_t old = umask(022);

	st = store_open(dir, 0);
	put1(st, vrow("a@example.org", "spf", NOW));
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(stat(wal, &sb), 0); /* WAL mode */
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	vstore_close(st);
	umask(old);
	free(path);
	free(wal);
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

/* bad_put - a put that fails in a thread of its own */
static void *
bad_put(void *arg)
{
	struct vstore *st = arg;
	struct vstore_row r = vrow("", "spf", NOW);

	if (vstore_put(st, &r, 1) != -1 ||
	    strstr(vstore_error(st), "empty address") == NULL)
		return (void *)1;
	return NULL;
}

START_TEST(test_error_per_thread)
{
	char *dir = test_tmpdir();
	struct vstore *st = store_open(dir, 0);
	pthread_t t;
	void *rc;

	ck_assert_int_eq(pthread_create(&t, NULL, bad_put, st), 0);
	ck_assert_int_eq(pthread_join(t, &rc), 0);
	ck_assert_ptr_null(rc);
	ck_assert_str_eq(vstore_error(st), "no error");
	vstore_close(st);
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

struct worker {
	struct vstore *st;
	int id;
	unsigned long rounds;
	int errors;
	char why[256];
};

/* worker_fail - remember the first thing that went wrong */
static void
worker_fail(struct worker *w, const char *what)
{
	if (w->errors++ == 0)
		snprintf(w->why, sizeof(w->why), "thread %d round %lu: %s: %s",
			 w->id, w->rounds, what, vstore_error(w->st));
}

/* worker_round - put three rows, look them up again */
static void
worker_round(struct worker *w, const char *own, const char *remote)
{
	struct vstore_row rows[3] = {
	    vrow(own, "spf", NOW + (time_t)w->rounds),
	    vrow("shared@example.org", w->id % 2 ? "spf" : "dkim", NOW),
	    crow(remote, "shared@example.net", NOW)};
	struct vstore_row got;

	if (vstore_put(w->st, rows, 3) < 0) {
		worker_fail(w, "put");
		return;
	}
	w->rounds++;
	if (vstore_get_verified(w->st, own, 0, &got) != 1)
		worker_fail(w, "own address not found");
	else if (got.count != w->rounds)
		worker_fail(w, "own count wrong");
	if (vstore_get_verified(w->st, "shared@example.org", NOW, NULL) != 1)
		worker_fail(w, "shared address not found");
	if (vstore_get_contact(w->st, remote, "shared@example.net", NOW) != 1)
		worker_fail(w, "contact not found");
}

/* worker_main - rounds for WORK_SECONDS */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	char own[64], remote[64];
	struct timespec start, now;

	snprintf(own, sizeof(own), "t%d@example.org", w->id);
	snprintf(remote, sizeof(remote), "r%d@example.org", w->id);
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		worker_round(w, own, remote);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < WORK_SECONDS ||
		 (now.tv_sec - start.tv_sec == WORK_SECONDS &&
		  now.tv_nsec < start.tv_nsec));
	return NULL;
}

START_TEST(test_threads)
{
	char *dir = test_tmpdir();
	struct vstore *st = store_open(dir, 0);
	struct worker w[THREADS];
	pthread_t t[THREADS];
	unsigned long total = 0;
	struct vstore_row got;
	char own[64];

	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){st, i, 0, 0, ""};
		ck_assert_int_eq(
		    pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	for (int i = 0; i < THREADS; i++) {
		ck_assert_msg(w[i].errors == 0, "%d errors, first %s",
			      w[i].errors, w[i].why);
		ck_assert_uint_gt(w[i].rounds, 10);
		snprintf(own, sizeof(own), "t%d@example.org", i);
		ck_assert_int_eq(vstore_get_verified(st, own, 0, &got), 1);
		ck_assert_uint_eq(got.count, w[i].rounds);
		ck_assert_int_eq(got.last, NOW + (time_t)w[i].rounds - 1);
		total += w[i].rounds;
	}
	ck_assert_int_eq(vstore_get_verified(st, "shared@example.org", 0, &got),
			 1);
	ck_assert_uint_eq(got.count, total);
	ck_assert_str_eq(got.how, "spf+dkim");
	ck_assert_int_eq(count_rows(st, VSTORE_VERIFIED), THREADS + 1);
	ck_assert_int_eq(count_rows(st, VSTORE_CONTACT), THREADS);
	vstore_close(st);
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

/* child_write - one process: its own store, PROC_ROWS rows in batches,
 * each looked up again; the exit status */
static int
child_write(const char *path, int id, int go)
{
	struct vstore_row rows[PROC_BATCH];
	char err[1024], addr[64], c;
	struct vstore *st;

	if (read(go, &c, 1) != 1) /* start together */
		return 3;
	if ((st = vstore_open("sqlite", path, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "child %d: %s\n", id, err);
		return 1;
	}
	for (int i = 0; i < PROC_ROWS; i += PROC_BATCH) {
		for (int j = 0; j < PROC_BATCH; j++) {
			snprintf(addr, sizeof(addr), "p%d-%d@example.org", id,
				 i + j);
			rows[j] = vrow(addr, "spf", NOW + i + j);
		}
		if (vstore_put(st, rows, PROC_BATCH) < 0 ||
		    vstore_get_verified(st, addr, 0, NULL) != 1) {
			fprintf(stderr, "child %d: %s\n", id, vstore_error(st));
			vstore_close(st);
			return 2;
		}
	}
	vstore_close(st);
	return 0;
}

START_TEST(test_processes)
{
	char *dir = test_tmpdir();
	char *path = store_path(dir, "verified.db");
	int go[2], status;
	pid_t pid[2];
	struct vstore *st;

	/* both create the file and its schema at once, then write */
	ck_assert_int_eq(pipe(go), 0);
	for (int i = 0; i < 2; i++) {
		pid[i] = fork();
		ck_assert_int_ge(pid[i], 0);
		if (pid[i] == 0) {
			close(go[1]);
			_exit(child_write(path, i, go[0]));
		}
	}
	close(go[0]);
	ck_assert_int_eq(write(go[1], "gg", 2), 2);
	close(go[1]);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "child %d: status %#x", i, status);
	}
	st = store_open(dir, 1);
	ck_assert_int_eq(count_rows(st, VSTORE_VERIFIED), 2 * PROC_ROWS);
	ck_assert_int_eq(vstore_get_verified(st, "p1-0@example.org", NOW, NULL),
			 1);
	vstore_close(st);
	free(path);
	ck_assert_int_eq(test_rmtree(dir), 0);
}
END_TEST

/* contract - the tests every backend must pass */
static void
contract(TCase *tc, TCase *conc)
{
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_since);
	tcase_add_loop_test(tc, test_how, 0,
			    sizeof(how_cases) / sizeof(how_cases[0]));
	tcase_add_test(tc, test_count);
	tcase_add_test(tc, test_normalised_lookups);
	tcase_add_test(tc, test_trim_age);
	tcase_add_test(tc, test_trim_max);
	tcase_add_test(tc, test_forget);
	tcase_add_test(tc, test_each);
	tcase_add_test(tc, test_bad_rows);
	tcase_add_test(tc, test_error_per_thread);
	tcase_set_timeout(conc, 60);
	tcase_add_test(conc, test_threads);
}

Suite *
vstore_suite(void)
{
	Suite *s = suite_create("vstore");
	TCase *tc = tcase_create("core");
	TCase *conc = tcase_create("concurrency");

	contract(tc, conc);
	tcase_add_loop_test(tc, test_normalise, 0,
			    sizeof(norm_cases) / sizeof(norm_cases[0]));
	tcase_add_test(tc, test_normalise_long);
	tcase_add_test(tc, test_schema_empty_file);
	tcase_add_test(tc, test_schema_newer);
	tcase_add_test(tc, test_readonly_missing);
	tcase_add_test(tc, test_unknown_backend);
	tcase_add_test(tc, test_file_mode);
	suite_add_tcase(s, tc);
	tcase_add_test(conc, test_processes);
	suite_add_tcase(s, conc);
	return s;
}

/* vstore_pg_suite - the contract against CLAMGATE_TEST_STORE_DSN, or
 * NULL without one */
Suite *
vstore_pg_suite(void)
{
	Suite *s;
	TCase *tc, *conc;

	if ((pg_dsn = getenv("CLAMGATE_TEST_STORE_DSN")) == NULL || !*pg_dsn)
		return NULL;
	s = suite_create("vstore-postgresql");
	tc = tcase_create("core");
	conc = tcase_create("concurrency");
	contract(tc, conc);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, conc);
	return s;
}
