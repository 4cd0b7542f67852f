/*
 * NAME
 *	vstore_sqlite - the outbound gate's memory in an SQLite file
 * SYNOPSIS
 *	const struct vstore_ops vstore_sqlite_ops; (backend "sqlite")
 * DESCRIPTION
 *	One file (outbound.store, in the daemon's state directory) in WAL
 *	mode with synchronous=NORMAL: a commit is a write to the WAL
 *	without fsync (a crash may lose the last commits, never the file),
 *	readers never wait for the writer, and another process, such as
 *	clamgate-quarantine, may read and change the file meanwhile.
 *
 *	Two connections, each with its prepared statements and a mutex of
 *	its own: one, opened SQLITE_OPEN_READONLY, for the lookups and
 *	vstore_each; one for put, trim and forget (none when the store is
 *	opened read-only).  That is enough, and better than a connection
 *	per thread: libmilter starts a thread per SMTP connection, which
 *	would open the file and prepare the statements again for each; a
 *	lookup is one primary-key probe of microseconds, so the mail
 *	threads wait on the read mutex only for each other's probes; and
 *	with the writes on a connection of their own, a lookup never waits
 *	for the writer's batch, its commit, a checkpoint, or the busy
 *	timeout while clamgate-quarantine holds the write lock.  SQLite
 *	serialises writers anyway.  The connections are opened
 *	SQLITE_OPEN_NOMUTEX since the mutexes already keep each to one
 *	thread at a time.  vstore_each holds the read mutex while its
 *	function runs: the function must not look up in the same store.
 *
 *	Every write is BEGIN IMMEDIATE ... COMMIT: the write lock is taken
 *	first, so the busy timeout (SQ_BUSY_MS) covers waiting for another
 *	writer, where a deferred transaction would fail at once with
 *	SQLITE_BUSY_SNAPSHOT.  The same timeout bounds a lookup in the
 *	rare cases a WAL reader must wait (recovery after a crash).
 *
 *	The file is created here, mode 0600 (less if the umask says so),
 *	before SQLite opens it: SQLite gives the -wal and -shm files the
 *	mode of the database.  It says who wrote to whom, which is no one
 *	else's business; 0640 would let the clamgate group read it, and a
 *	reader of a WAL file needs write access to its -shm file anyway.
 *	Symbolic links are never followed (SQLITE_OPEN_NOFOLLOW).
 *
 *	The schema has a version (PRAGMA user_version); opening for
 *	writing creates it (version 0: an empty or new file) or upgrades
 *	it, one step of sq_upgrade[] at a time, in one transaction; a
 *	version newer than this program knows is refused.  A read-only
 *	open needs the current version.
 *
 *	put is one upsert per row, all in one transaction: count + 1,
 *	first the earlier, last the later, and how merged by
 *	vstore_how_merge() (registered as the SQL function clamgate_how,
 *	so the file stays readable by the sqlite3 shell).  trim deletes
 *	by the index on last: the rows seen before the cutoff, then those
 *	beyond the max_rows most recent (0: no limit), in each table, in
 *	one transaction.  A connection must not be used across fork().
 * DIAGNOSTICS
 *	Every failure is "PATH: what failed: SQLite's message" (vstore.c).
 *	A write that waited SQ_BUSY_MS for the lock fails ("database is
 *	locked") and changes nothing; the caller may try again.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clamgate/xmalloc.h"
#include "vstore_int.h"

#define SQ_BUSY_MS  2000 /* the longest wait for a lock */
#define SQ_RETRY_MS 10	 /* between tries to switch to WAL mode */
#define SQ_VERSION  1	 /* the schema's user_version */
#define SQ_FLAGS    (SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW)

/* sq_upgrade[v]: from version v to v + 1 */
static const char *const sq_upgrade[SQ_VERSION] = {
    "CREATE TABLE verified(addr TEXT NOT NULL PRIMARY KEY,"
    " how TEXT NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL,"
    " count INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX verified_last ON verified(last);"
    "CREATE TABLE contact(remote TEXT NOT NULL, local TEXT NOT NULL,"
    " first INTEGER NOT NULL, last INTEGER NOT NULL,"
    " count INTEGER NOT NULL, PRIMARY KEY(remote, local)) WITHOUT ROWID;"
    "CREATE INDEX contact_last ON contact(last);",
};

/* the read connection's statements; every row is (addr, local, how,
 * first, last, count) */
enum { RD_VERIFIED, RD_CONTACT, RD_EACH_VERIFIED, RD_EACH_CONTACT, RD_N };
static const char *const sq_rd_sql[RD_N] = {
    "SELECT addr, '', how, first, last, count FROM verified"
    " WHERE addr = ?1 AND last >= ?2",
    "SELECT 1 FROM contact WHERE remote = ?1 AND (?2 = '' OR local = ?2)"
    " AND last >= ?3",
    "SELECT addr, '', how, first, last, count FROM verified"
    " ORDER BY last DESC, addr",
    "SELECT remote, local, '', first, last, count FROM contact"
    " ORDER BY last DESC, remote, local",
};

/* the write connection's statements */
enum {
	WR_BEGIN,
	WR_COMMIT,
	WR_ROLLBACK,
	WR_PUT_VERIFIED,
	WR_PUT_CONTACT,
	WR_AGE_VERIFIED,
	WR_AGE_CONTACT,
	WR_MAX_VERIFIED,
	WR_MAX_CONTACT,
	WR_FORGET_VERIFIED,
	WR_FORGET_CONTACT,
	WR_N
};
static const char *const sq_wr_sql[WR_N] = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "INSERT INTO verified(addr, how, first, last, count)"
    " VALUES(?1, ?2, ?3, ?4, 1) ON CONFLICT(addr) DO UPDATE SET"
    " how = clamgate_how(how, excluded.how),"
    " first = min(first, excluded.first),"
    " last = max(last, excluded.last), count = count + 1",
    "INSERT INTO contact(remote, local, first, last, count)"
    " VALUES(?1, ?2, ?3, ?4, 1) ON CONFLICT(remote, local) DO UPDATE SET"
    " first = min(first, excluded.first),"
    " last = max(last, excluded.last), count = count + 1",
    "DELETE FROM verified WHERE last < ?1",
    "DELETE FROM contact WHERE last < ?1",
    "DELETE FROM verified WHERE addr IN (SELECT addr FROM verified"
    " ORDER BY last DESC, addr LIMIT -1 OFFSET ?1)",
    "DELETE FROM contact WHERE (remote, local) IN (SELECT remote, local"
    " FROM contact ORDER BY last DESC, remote, local LIMIT -1 OFFSET ?1)",
    "DELETE FROM verified WHERE addr = ?1",
    "DELETE FROM contact WHERE remote = ?1 OR local = ?1",
};

struct sq_conn {
	pthread_mutex_t lock;
	sqlite3 *db;
	sqlite3_stmt *stmt[WR_N]; /* RD_N or WR_N of them */
};
_Static_assert((int)WR_N >= (int)RD_N, "stmt[] holds either set");

struct sq {
	struct sq_conn rd; /* lookups and each */
	struct sq_conn wr; /* put, trim, forget; no db when read-only */
};

/* sq_fail - what failed, with SQLite's reason; -1 */
static int
sq_fail(const struct vstore *st, const struct sq_conn *c, const char *what)
{
	return vstore_fail(st, what,
			   c->db ? sqlite3_errmsg(c->db) : "out of memory");
}

/* sq_connect - open a connection with the busy timeout */
static int
sq_connect(const struct vstore *st, struct sq_conn *c, int flags)
{
	char why[600];
	int err;

	if (sqlite3_open_v2(st->where, &c->db, flags | SQ_FLAGS, NULL) ==
	    SQLITE_OK) {
		sqlite3_extended_result_codes(c->db, 1);
		sqlite3_busy_timeout(c->db, SQ_BUSY_MS);
		return 0;
	}
	if (c->db == NULL)
		return sq_fail(st, c, "cannot open");
	err = sqlite3_system_errno(c->db);
	snprintf(why, sizeof(why), "%s%s%s%s", sqlite3_errmsg(c->db),
		 err ? " (" : "", err ? strerror(err) : "", err ? ")" : "");
	return vstore_fail(st, "cannot open", why);
}

/* sq_exec - run sql, which returns no rows */
static int
sq_exec(const struct vstore *st, struct sq_conn *c, const char *sql,
	const char *what)
{
	char *msg = NULL;

	if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	vstore_fail(st, what, msg ? msg : sqlite3_errmsg(c->db));
	sqlite3_free(msg);
	return -1;
}

/* sq_text - the first column of the first row of sql, as text */
static int
sq_text(const struct vstore *st, struct sq_conn *c, const char *sql,
	const char *what, char *buf, size_t len)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) != SQLITE_OK)
		return sq_fail(st, c, what);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		const unsigned char *t =
		    rc == SQLITE_ROW ? sqlite3_column_text(s, 0) : NULL;
		snprintf(buf, len, "%s", t ? (const char *)t : "");
		rc = 0;
	} else {
		rc = sq_fail(st, c, what);
	}
	sqlite3_finalize(s);
	return rc;
}

/* sq_version - the schema version of the file, checked for newness */
static int
sq_version(const struct vstore *st, struct sq_conn *c, int *version)
{
	char buf[32], why[96];

	if (sq_text(st, c, "PRAGMA user_version", "cannot read the schema", buf,
		    sizeof(buf)) < 0)
		return -1;
	*version = atoi(buf);
	if (*version <= SQ_VERSION && *version >= 0)
		return 0;
	snprintf(why, sizeof(why), "version %d, newer than this program's %d",
		 *version, SQ_VERSION);
	return vstore_fail(st, "cannot use the schema", why);
}

/* sq_rollback - end a transaction that failed, if still open */
static void
sq_rollback(struct sq_conn *c)
{
	if (!sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

/* sq_schema - create or upgrade the schema to SQ_VERSION */
static int
sq_schema(const struct vstore *st, struct sq_conn *c)
{
	char sql[64];
	int v;

	if (sq_exec(st, c, "BEGIN IMMEDIATE", "cannot lock the schema") < 0)
		return -1;
	if (sq_version(st, c, &v) < 0)
		goto fail;
	if (v == SQ_VERSION) {
		sq_rollback(c); /* nothing to do: no write */
		return 0;
	}
	for (; v < SQ_VERSION; v++)
		if (sq_exec(st, c, sq_upgrade[v],
			    "cannot create or upgrade the schema") < 0)
			goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", SQ_VERSION);
	if (sq_exec(st, c, sql, "cannot set the schema version") == 0 &&
	    sq_exec(st, c, "COMMIT", "cannot commit the schema") == 0)
		return 0;
fail:
	sq_rollback(c);
	return -1;
}

/* sq_prepare - the connection's statements */
static int
sq_prepare(const struct vstore *st, struct sq_conn *c, const char *const *sql,
	   size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sqlite3_prepare_v3(c->db, sql[i], -1,
				       SQLITE_PREPARE_PERSISTENT, &c->stmt[i],
				       NULL) != SQLITE_OK)
			return sq_fail(st, c, "cannot prepare a statement");
	return 0;
}

/* sq_how - SQL clamgate_how(old, new): vstore_how_merge */
static void
sq_how(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *old = sqlite3_value_text(argv[0]);
	const unsigned char *add = sqlite3_value_text(argv[1]);
	char out[VSTORE_HOW_MAX + 1];

	(void)argc;
	vstore_how_merge(old ? (const char *)old : "",
			 add ? (const char *)add : "", out);
	sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

/* sq_create - the file, mode 0600, unless it exists */
static int
sq_create(const struct vstore *st)
{
	int fd = open(st->where,
		      O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	return vstore_fail(st, "cannot create", strerror(errno));
}

/* sq_wal - WAL mode, tried again while the file is busy: a switch that
 * races another process's first open is refused at once, without the
 * busy handler (SQLite's deadlock avoidance), once in the file's life */
static int
sq_wal(const struct vstore *st, struct sq_conn *c)
{
	const struct timespec pause = {0, SQ_RETRY_MS * 1000000L};
	char mode[32];

	for (int waited = 0;; waited += SQ_RETRY_MS) {
		if (sq_text(st, c, "PRAGMA journal_mode = WAL",
			    "cannot switch to WAL mode", mode,
			    sizeof(mode)) == 0) {
			if (strcmp(mode, "wal") == 0)
				return 0;
			vstore_fail(st, "cannot switch to WAL mode", mode);
		} else if ((sqlite3_errcode(c->db) & 0xff) != SQLITE_BUSY) {
			return -1;
		}
		if (waited >= SQ_BUSY_MS)
			return -1;
		nanosleep(&pause, NULL);
	}
}

/* sq_open_writer - the write connection: WAL, schema, statements */
static int
sq_open_writer(const struct vstore *st, struct sq_conn *c)
{
	if (sq_create(st) < 0 || sq_connect(st, c, SQLITE_OPEN_READWRITE) < 0 ||
	    sq_wal(st, c) < 0)
		return -1;
	if (sq_exec(st, c, "PRAGMA synchronous = NORMAL",
		    "cannot set synchronous") < 0)
		return -1;
	if (sqlite3_create_function(c->db, "clamgate_how", 2,
				    SQLITE_UTF8 | SQLITE_DETERMINISTIC |
					SQLITE_INNOCUOUS,
				    NULL, sq_how, NULL, NULL) != SQLITE_OK)
		return sq_fail(st, c, "cannot register clamgate_how");
	if (sq_schema(st, c) < 0)
		return -1;
	return sq_prepare(st, c, sq_wr_sql, WR_N);
}

/* sq_open_reader - the read connection, on the current schema only */
static int
sq_open_reader(const struct vstore *st, struct sq_conn *c)
{
	char why[96];
	int v;

	if (sq_connect(st, c, SQLITE_OPEN_READONLY) < 0 ||
	    sq_version(st, c, &v) < 0)
		return -1;
	if (v != SQ_VERSION) {
		snprintf(why, sizeof(why),
			 "version %d, not %d (opening it for writing once "
			 "upgrades it)",
			 v, SQ_VERSION);
		return vstore_fail(st, "cannot use the schema", why);
	}
	return sq_prepare(st, c, sq_rd_sql, RD_N);
}

/* sq_conn_close - finalize the statements and close */
static void
sq_conn_close(struct sq_conn *c)
{
	for (size_t i = 0; i < sizeof(c->stmt) / sizeof(c->stmt[0]); i++)
		sqlite3_finalize(c->stmt[i]);
	sqlite3_close(c->db);
	pthread_mutex_destroy(&c->lock);
}

/* sq_close - both connections, and the state */
static void
sq_close(struct vstore *st)
{
	struct sq *sq = st->be;

	if (sq == NULL)
		return;
	sq_conn_close(&sq->rd);
	sq_conn_close(&sq->wr);
	free(sq);
	st->be = NULL;
}

/* sq_open - open (and for writing, create or upgrade) the file */
static int
sq_open(struct vstore *st)
{
	struct sq *sq = xcalloc(1, sizeof(*sq));

	pthread_mutex_init(&sq->rd.lock, NULL);
	pthread_mutex_init(&sq->wr.lock, NULL);
	st->be = sq;
	if ((!st->readonly && sq_open_writer(st, &sq->wr) < 0) ||
	    sq_open_reader(st, &sq->rd) < 0) {
		sq_close(st);
		return -1;
	}
	return 0;
}

/* sq_reset - the statement ready for its next use */
static void
sq_reset(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* sq_run - run write statement i, bound already, to its end */
static int
sq_run(const struct vstore *st, struct sq_conn *c, int i, const char *what)
{
	int rc =
	    sqlite3_step(c->stmt[i]) == SQLITE_DONE ? 0 : sq_fail(st, c, what);

	sq_reset(c->stmt[i]);
	return rc;
}

/* sq_end - commit if rc is 0, else roll back; the result */
static int
sq_end(const struct vstore *st, struct sq_conn *c, int rc)
{
	if (rc == 0)
		rc = sq_run(st, c, WR_COMMIT, "cannot commit");
	if (rc < 0 && !sqlite3_get_autocommit(c->db)) {
		sqlite3_step(c->stmt[WR_ROLLBACK]);
		sq_reset(c->stmt[WR_ROLLBACK]);
	}
	return rc;
}

/* sq_put_row - one upsert */
static int
sq_put_row(const struct vstore *st, struct sq_conn *c,
	   const struct vstore_row *r)
{
	int i = r->table == VSTORE_VERIFIED ? WR_PUT_VERIFIED : WR_PUT_CONTACT;
	sqlite3_stmt *s = c->stmt[i];

	sqlite3_bind_text(s, 1, r->addr, -1, SQLITE_STATIC);
	if (r->table == VSTORE_VERIFIED)
		sqlite3_bind_text(s, 2, r->how, -1, SQLITE_STATIC);
	else
		sqlite3_bind_text(s, 2, r->local, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)r->first);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)r->last);
	return sq_run(st, c, i, "cannot store");
}

/* sq_put - every row, in one transaction */
static int
sq_put(struct vstore *st, const struct vstore_row *rows, size_t n)
{
	struct sq_conn *c = &((struct sq *)st->be)->wr;
	int rc;

	pthread_mutex_lock(&c->lock);
	rc = sq_run(st, c, WR_BEGIN, "cannot begin a transaction");
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = sq_put_row(st, c, &rows[i]);
	rc = sq_end(st, c, rc);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* sq_row - the current row of s */
static void
sq_row(sqlite3_stmt *s, enum vstore_table table, struct vstore_row *row)
{
	const unsigned char *t;

	memset(row, 0, sizeof(*row));
	row->table = table;
	t = sqlite3_column_text(s, 0);
	snprintf(row->addr, sizeof(row->addr), "%s", t ? (const char *)t : "");
	t = sqlite3_column_text(s, 1);
	snprintf(row->local, sizeof(row->local), "%s",
		 t ? (const char *)t : "");
	t = sqlite3_column_text(s, 2);
	snprintf(row->how, sizeof(row->how), "%s", t ? (const char *)t : "");
	row->first = (time_t)sqlite3_column_int64(s, 3);
	row->last = (time_t)sqlite3_column_int64(s, 4);
	row->count = (unsigned long)sqlite3_column_int64(s, 5);
}

/* sq_lookup - step bound statement i once: 1 a row, 0 none, -1 */
static int
sq_lookup(const struct vstore *st, struct sq_conn *c, int i,
	  struct vstore_row *row, const char *what)
{
	int rc = sqlite3_step(c->stmt[i]);

	if (rc == SQLITE_ROW && row)
		sq_row(c->stmt[i], VSTORE_VERIFIED, row);
	rc = rc == SQLITE_ROW	 ? 1
	     : rc == SQLITE_DONE ? 0
				 : sq_fail(st, c, what);
	sq_reset(c->stmt[i]);
	return rc;
}

/* sq_get_verified - 1 if addr was verified at since or later */
static int
sq_get_verified(struct vstore *st, const char *addr, time_t since,
		struct vstore_row *row)
{
	struct sq_conn *c = &((struct sq *)st->be)->rd;
	sqlite3_stmt *s = c->stmt[RD_VERIFIED];
	int rc;

	pthread_mutex_lock(&c->lock);
	sqlite3_bind_text(s, 1, addr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)since);
	rc = sq_lookup(st, c, RD_VERIFIED, row,
		       "cannot look up a verified sender");
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* sq_get_contact - 1 if remote wrote to local (to anyone: local "") at
 * since or later */
static int
sq_get_contact(struct vstore *st, const char *remote, const char *local,
	       time_t since)
{
	struct sq_conn *c = &((struct sq *)st->be)->rd;
	sqlite3_stmt *s = c->stmt[RD_CONTACT];
	int rc;

	pthread_mutex_lock(&c->lock);
	sqlite3_bind_text(s, 1, remote, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, local, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)since);
	rc = sq_lookup(st, c, RD_CONTACT, NULL, "cannot look up a contact");
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* sq_delete - run delete statement i, bound already; count the rows */
static int
sq_delete(const struct vstore *st, struct sq_conn *c, int i, long *removed,
	  const char *what)
{
	if (sq_run(st, c, i, what) < 0)
		return -1;
	*removed += sqlite3_changes(c->db);
	return 0;
}

/* sq_delete_before - run delete statement i with ?1 = value */
static int
sq_delete_before(const struct vstore *st, struct sq_conn *c, int i,
		 sqlite3_int64 value, long *removed, const char *what)
{
	sqlite3_bind_int64(c->stmt[i], 1, value);
	return sq_delete(st, c, i, removed, what);
}

/* sq_trim - older than cutoff, then beyond max_rows; rows removed */
static int
sq_trim(struct vstore *st, time_t cutoff, unsigned long max_rows)
{
	struct sq_conn *c = &((struct sq *)st->be)->wr;
	sqlite3_int64 keep =
	    max_rows > INT64_MAX ? INT64_MAX : (sqlite3_int64)max_rows;
	long removed = 0;
	int rc;

	pthread_mutex_lock(&c->lock);
	rc = sq_run(st, c, WR_BEGIN, "cannot begin a transaction");
	if (rc == 0)
		rc = sq_delete_before(st, c, WR_AGE_VERIFIED, cutoff, &removed,
				      "cannot trim by age");
	if (rc == 0)
		rc = sq_delete_before(st, c, WR_AGE_CONTACT, cutoff, &removed,
				      "cannot trim by age");
	if (rc == 0 && max_rows > 0)
		rc = sq_delete_before(st, c, WR_MAX_VERIFIED, keep, &removed,
				      "cannot trim by count");
	if (rc == 0 && max_rows > 0)
		rc = sq_delete_before(st, c, WR_MAX_CONTACT, keep, &removed,
				      "cannot trim by count");
	rc = sq_end(st, c, rc);
	pthread_mutex_unlock(&c->lock);
	if (rc < 0)
		return -1;
	return removed > INT_MAX ? INT_MAX : (int)removed;
}

/* sq_forget - addr out of both tables, in one transaction */
static long
sq_forget(struct vstore *st, const char *addr)
{
	struct sq_conn *c = &((struct sq *)st->be)->wr;
	long removed = 0;
	int rc;

	pthread_mutex_lock(&c->lock);
	sqlite3_bind_text(c->stmt[WR_FORGET_VERIFIED], 1, addr, -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(c->stmt[WR_FORGET_CONTACT], 1, addr, -1,
			  SQLITE_STATIC);
	rc = sq_run(st, c, WR_BEGIN, "cannot begin a transaction");
	if (rc == 0)
		rc = sq_delete(st, c, WR_FORGET_VERIFIED, &removed,
			       "cannot forget");
	if (rc == 0)
		rc = sq_delete(st, c, WR_FORGET_CONTACT, &removed,
			       "cannot forget");
	rc = sq_end(st, c, rc);
	sq_reset(c->stmt[WR_FORGET_VERIFIED]);
	sq_reset(c->stmt[WR_FORGET_CONTACT]);
	pthread_mutex_unlock(&c->lock);
	return rc < 0 ? -1 : removed;
}

/* sq_each - fn for every row, most recent first; the rows given */
static int
sq_each(struct vstore *st, enum vstore_table table,
	int (*fn)(const struct vstore_row *row, void *arg), void *arg)
{
	struct sq_conn *c = &((struct sq *)st->be)->rd;
	int i = table == VSTORE_VERIFIED ? RD_EACH_VERIFIED : RD_EACH_CONTACT;
	struct vstore_row row;
	int rc, n = 0;

	pthread_mutex_lock(&c->lock);
	while ((rc = sqlite3_step(c->stmt[i])) == SQLITE_ROW) {
		sq_row(c->stmt[i], table, &row);
		if (n < INT_MAX)
			n++;
		if (fn(&row, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		n = sq_fail(st, c, "cannot list");
	sq_reset(c->stmt[i]);
	pthread_mutex_unlock(&c->lock);
	return n;
}

const struct vstore_ops vstore_sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .put = sq_put,
    .get_verified = sq_get_verified,
    .get_contact = sq_get_contact,
    .trim = sq_trim,
    .each = sq_each,
    .forget = sq_forget,
};
