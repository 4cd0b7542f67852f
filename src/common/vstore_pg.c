/*
 * NAME
 *	vstore_pg - the outbound gate's memory in PostgreSQL, shared by
 *	every host
 * SYNOPSIS
 *	const struct vstore_ops vstore_pg_ops; (backend "postgresql")
 * DESCRIPTION
 *	The store's "where" is a libpq connection string (outbound.store_dsn).
 *	Opening connects to nothing: the pool (pg.h, PG_POOL connections)
 *	connects when first used, so a daemon starts while the database is
 *	down, and every lookup then fails at once ("not verified", which
 *	the gate turns into a tempfail of what it would stop) until the
 *	database answers again.  The tables clamgate_verified and
 *	clamgate_contact have the columns of the SQLite store; the schema
 *	is the component "vstore" of clamgate_schema, created or upgraded
 *	by the first connection.
 *
 *	put is one transaction: the rows sorted (table, address, local),
 *	so that two hosts writing the same rows take their locks in the
 *	same order; a verified row is inserted if new, locked (SELECT ...
 *	FOR UPDATE), its "how" merged with vstore_how_merge(), as every
 *	backend merges, and updated.  A put or trim that another host's
 *	trim crossed (a deadlock, which PostgreSQL breaks by failing one)
 *	is tried once more.  Text columns are COLLATE "C": ordered byte
 *	for byte, as in SQLite.  An operation whose connection turns out
 *	dead (the server restarted since it was opened) is tried once more
 *	on a new connection; every one of them can be repeated without
 *	harm.
 *
 *	The error text names the database by host, port, dbname and user
 *	only: a password in the connection string never reaches a log.
 * DIAGNOSTICS
 *	Every failure is "postgresql:...: what failed: the server's
 *	message" (vstore.c), and -1.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clamgate/pg.h"
#include "clamgate/xmalloc.h"
#include "vstore_int.h"

#define PG_POOL 4 /* the writer, and lookups from the mail threads */

/* text COLLATE "C": ordered and compared byte for byte, as in SQLite,
 * whatever the database's collation */
static const char *const pv_steps[] = {
    "CREATE TABLE clamgate_verified(addr text COLLATE \"C\" PRIMARY KEY,"
    " how text NOT NULL, first bigint NOT NULL, last bigint NOT NULL,"
    " count bigint NOT NULL);"
    "CREATE INDEX clamgate_verified_last ON clamgate_verified(last);"
    "CREATE TABLE clamgate_contact(remote text COLLATE \"C\" NOT NULL,"
    " local text COLLATE \"C\" NOT NULL,"
    " first bigint NOT NULL, last bigint NOT NULL, count bigint NOT NULL,"
    " PRIMARY KEY(remote, local));"
    "CREATE INDEX clamgate_contact_last ON clamgate_contact(last);",
};
static const struct pg_schema pv_schema = {"vstore", pv_steps, 1};

/* every row is (addr, local, how, first, last, count) */
static const struct pg_stmt pv_stmts[] = {
    {"v_get", "SELECT addr, '', how, first, last, count FROM"
	      " clamgate_verified WHERE addr = $1 AND last >= $2"},
    {"c_get", "SELECT 1 FROM clamgate_contact WHERE remote = $1 AND"
	      " ($2 = '' OR local = $2) AND last >= $3 LIMIT 1"},
    {"v_ins", "INSERT INTO clamgate_verified(addr, how, first, last, count)"
	      " VALUES($1, $2, $3, $4, 0) ON CONFLICT(addr) DO NOTHING"},
    {"v_lock", "SELECT how FROM clamgate_verified WHERE addr = $1 FOR UPDATE"},
    {"v_upd", "UPDATE clamgate_verified SET how = $2,"
	      " first = least(first, $3), last = greatest(last, $4),"
	      " count = count + 1 WHERE addr = $1"},
    {"c_put", "INSERT INTO clamgate_contact(remote, local, first, last, count)"
	      " VALUES($1, $2, $3, $4, 1) ON CONFLICT(remote, local) DO UPDATE"
	      " SET first = least(clamgate_contact.first, $3),"
	      " last = greatest(clamgate_contact.last, $4),"
	      " count = clamgate_contact.count + 1"},
    {"v_age", "DELETE FROM clamgate_verified WHERE last < $1"},
    {"c_age", "DELETE FROM clamgate_contact WHERE last < $1"},
    {"v_max", "DELETE FROM clamgate_verified WHERE addr IN (SELECT addr"
	      " FROM clamgate_verified ORDER BY last DESC, addr OFFSET $1)"},
    {"c_max", "DELETE FROM clamgate_contact WHERE (remote, local) IN"
	      " (SELECT remote, local FROM clamgate_contact"
	      " ORDER BY last DESC, remote, local OFFSET $1)"},
    {"v_forget", "DELETE FROM clamgate_verified WHERE addr = $1"},
    {"c_forget", "DELETE FROM clamgate_contact WHERE remote = $1 OR"
		 " local = $1"},
    {"v_each", "SELECT addr, '', how, first, last, count FROM"
	       " clamgate_verified ORDER BY last DESC, addr"},
    {"c_each", "SELECT remote, local, '', first, last, count FROM"
	       " clamgate_contact ORDER BY last DESC, remote, local"},
};
#define N_STMTS (sizeof(pv_stmts) / sizeof(pv_stmts[0]))

/* the SQLSTATE of this thread's last failed statement */
static _Thread_local char pv_sqlstate[6];

/* pv_fail - what failed, with the reason; -1 */
static int
pv_fail(const struct vstore *st, const char *what, const char *why)
{
	return vstore_fail(st, what, why);
}

/* the backend's state: the pool, and the connection string for -t */
struct pv {
	struct pg_pool *pool;
	char *dsn;
};

static int
pv_open(struct vstore *st)
{
	struct pv *p = xcalloc(1, sizeof(*p));

	p->dsn = st->where;
	p->pool = pg_pool_new(p->dsn, PG_POOL, &pv_schema, pv_stmts, N_STMTS);
	st->be = p;
	st->where = pg_dsn_name(p->dsn);
	return 0;
}

static void
pv_close(struct vstore *st)
{
	struct pv *p = st->be;

	pg_pool_free(p->pool);
	free(p->dsn);
	free(p);
}

/* pv_pool - the store's connections */
static struct pg_pool *
pv_pool(const struct vstore *st)
{
	return ((struct pv *)st->be)->pool;
}

/* pv_state - for clamgate -t: reach the database, read the schema's
 * version (changing nothing) */
static int
pv_state(struct vstore *st, char *buf, size_t len)
{
	struct pv *p = st->be;

	return pg_schema_state(p->dsn, &pv_schema, st->where, buf, len);
}

/* pv_query - run prepared statement name once, retried once on a new
 * connection if this one was dead (pg_call); the result (caller
 * clears) or NULL with st's error set.  *cp is the connection it ran
 * on. */
static PGresult *
pv_query(struct vstore *st, PGconn **cp, const char *name, int n,
	 const char *const *params, ExecStatusType want, const char *what)
{
	struct pg_args a = {.name = name, .n = n, .v = params, .want = want};
	char err[PG_ERR_MAX];
	PGresult *r = pg_call(pv_pool(st), cp, &a, err, sizeof(err));

	snprintf(pv_sqlstate, sizeof(pv_sqlstate), "%s", a.sqlstate);
	if (r == NULL)
		pv_fail(st, what, err);
	return r;
}

/* pv_done - the connection back to the pool */
static void
pv_done(struct vstore *st, PGconn *c)
{
	if (c != NULL)
		pg_give(pv_pool(st), c, 0);
}

/* pv_begin - a connection with a transaction open (pg_begin), or NULL
 * with st's error */
static PGconn *
pv_begin(struct vstore *st)
{
	char err[PG_ERR_MAX];
	PGconn *c = pg_begin(pv_pool(st), err, sizeof(err));

	if (c == NULL)
		pv_fail(st, "cannot begin a transaction", err);
	return c;
}

/* pv_end - commit if rc is 0, else roll back (pg_end); 0 or -1 */
static int
pv_end(struct vstore *st, PGconn *c, int rc)
{
	char err[PG_ERR_MAX];

	rc = pg_end(pv_pool(st), c, rc, err, sizeof(err));
	if (rc == -2)
		rc = pv_fail(st, "cannot commit", err);
	return rc;
}

/* pv_run - statement name in c's transaction; the rows it changed, or
 * -1 */
static long
pv_run(struct vstore *st, PGconn *c, const char *name, int n,
       const char *const *params, const char *what)
{
	PGresult *r = pv_query(st, &c, name, n, params, PGRES_COMMAND_OK, what);
	long changed;

	if (r == NULL)
		return -1;
	changed = atol(PQcmdTuples(r));
	PQclear(r);
	return changed;
}

/* pv_cmp - rows in lock order: table, address, local */
static int
pv_cmp(const void *a, const void *b)
{
	const struct vstore_row *x = a, *y = b;
	int d;

	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	if ((d = strcmp(x->addr, y->addr)) != 0)
		return d;
	return strcmp(x->local, y->local);
}

/* pv_put_row - one row, in the transaction on c: a verified one is
 * inserted if new (count 0), then locked, its "how" merged, and updated,
 * so that two hosts adding the same new sender at once merge too; 0 or
 * -1 */
static int
pv_put_row(struct vstore *st, PGconn *c, const struct vstore_row *row)
{
	char first[24], last[24], how[VSTORE_HOW_MAX + 1];
	const char *params[4] = {row->addr, row->how, first, last};
	PGresult *r;

	snprintf(first, sizeof(first), "%lld", (long long)row->first);
	snprintf(last, sizeof(last), "%lld", (long long)row->last);
	if (row->table == VSTORE_CONTACT) {
		params[1] = row->local;
		return pv_run(st, c, "c_put", 4, params, "cannot store") < 0
			   ? -1
			   : 0;
	}
	if (pv_run(st, c, "v_ins", 4, params, "cannot store") < 0)
		return -1;
	r = pv_query(st, &c, "v_lock", 1, params, PGRES_TUPLES_OK,
		     "cannot store");
	if (r == NULL)
		return -1;
	vstore_how_merge(PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "", row->how,
			 how);
	PQclear(r);
	params[1] = how;
	return pv_run(st, c, "v_upd", 4, params, "cannot store") < 0 ? -1 : 0;
}

/* pv_again - the transaction failed as another host's crossed it
 * (deadlock, serialisation): worth one more try */
static int
pv_again(void)
{
	return strcmp(pv_sqlstate, "40P01") == 0 ||
	       strcmp(pv_sqlstate, "40001") == 0;
}

/* pv_put_once - every row in one transaction, in lock order */
static int
pv_put_once(struct vstore *st, const struct vstore_row *rows, size_t n)
{
	struct vstore_row *sorted = xmalloc((n ? n : 1) * sizeof(*sorted));
	PGconn *c = pv_begin(st);
	int rc = c ? 0 : -1;

	memcpy(sorted, rows, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), pv_cmp);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = pv_put_row(st, c, &sorted[i]);
	free(sorted);
	return c ? pv_end(st, c, rc) : -1;
}

/* pv_put - pv_put_once, once more if a writer on another host crossed
 * it (a trim there locks in another order) */
static int
pv_put(struct vstore *st, const struct vstore_row *rows, size_t n)
{
	int rc;

	pv_sqlstate[0] = '\0';
	if ((rc = pv_put_once(st, rows, n)) < 0 && pv_again())
		rc = pv_put_once(st, rows, n);
	return rc;
}

/* pv_row - row i of r as a store row */
static void
pv_row(PGresult *r, int i, enum vstore_table table, struct vstore_row *row)
{
	memset(row, 0, sizeof(*row));
	row->table = table;
	snprintf(row->addr, sizeof(row->addr), "%s", PQgetvalue(r, i, 0));
	snprintf(row->local, sizeof(row->local), "%s", PQgetvalue(r, i, 1));
	snprintf(row->how, sizeof(row->how), "%s", PQgetvalue(r, i, 2));
	row->first = (time_t)atoll(PQgetvalue(r, i, 3));
	row->last = (time_t)atoll(PQgetvalue(r, i, 4));
	row->count = strtoul(PQgetvalue(r, i, 5), NULL, 10);
}

/* pv_lookup - a one-row query: 1 a row (row filled if not NULL), 0
 * none, -1 */
static int
pv_lookup(struct vstore *st, const char *name, int n, const char *const *params,
	  struct vstore_row *row, const char *what)
{
	PGconn *c = NULL;
	PGresult *r = pv_query(st, &c, name, n, params, PGRES_TUPLES_OK, what);
	int found = -1;

	if (r != NULL) {
		found = PQntuples(r) > 0;
		if (found && row != NULL)
			pv_row(r, 0, VSTORE_VERIFIED, row);
		PQclear(r);
	}
	pv_done(st, c);
	return found;
}

static int
pv_get_verified(struct vstore *st, const char *addr, time_t since,
		struct vstore_row *row)
{
	char t[24];
	const char *params[2] = {addr, t};

	snprintf(t, sizeof(t), "%lld", (long long)since);
	return pv_lookup(st, "v_get", 2, params, row,
			 "cannot look up a verified sender");
}

static int
pv_get_contact(struct vstore *st, const char *remote, const char *local,
	       time_t since)
{
	char t[24];
	const char *params[3] = {remote, local, t};

	snprintf(t, sizeof(t), "%lld", (long long)since);
	return pv_lookup(st, "c_get", 3, params, NULL,
			 "cannot look up a contact");
}

/* pv_trim_once - older than cutoff, then beyond max_rows, in one
 * transaction; the rows removed */
static int
pv_trim_once(struct vstore *st, time_t cutoff, unsigned long max_rows)
{
	static const char *const names[4] = {"v_age", "c_age", "v_max",
					     "c_max"};
	char t[24], keep[24];
	const char *age[1] = {t}, *max[1] = {keep};
	PGconn *c = pv_begin(st);
	long removed = 0;
	int rc = c ? 0 : -1;

	snprintf(t, sizeof(t), "%lld", (long long)cutoff);
	snprintf(keep, sizeof(keep), "%lu", max_rows);
	for (int i = 0; rc == 0 && i < (max_rows > 0 ? 4 : 2); i++) {
		long n = pv_run(st, c, names[i], 1, i < 2 ? age : max,
				i < 2 ? "cannot trim by age"
				      : "cannot trim by count");
		if (n < 0)
			rc = -1;
		else
			removed += n;
	}
	if (c == NULL || pv_end(st, c, rc) < 0)
		return -1;
	return removed > INT_MAX ? INT_MAX : (int)removed;
}

/* pv_trim - pv_trim_once, once more if another host's writer crossed
 * it */
static int
pv_trim(struct vstore *st, time_t cutoff, unsigned long max_rows)
{
	int rc;

	pv_sqlstate[0] = '\0';
	if ((rc = pv_trim_once(st, cutoff, max_rows)) < 0 && pv_again())
		rc = pv_trim_once(st, cutoff, max_rows);
	return rc;
}

/* pv_forget - addr out of both tables, in one transaction */
static long
pv_forget(struct vstore *st, const char *addr)
{
	const char *params[1] = {addr};
	PGconn *c = pv_begin(st);
	long a = -1, b = -1;

	if (c == NULL)
		return -1;
	a = pv_run(st, c, "v_forget", 1, params, "cannot forget");
	if (a >= 0)
		b = pv_run(st, c, "c_forget", 1, params, "cannot forget");
	if (pv_end(st, c, a >= 0 && b >= 0 ? 0 : -1) < 0)
		return -1;
	return a + b;
}

/* pv_each - fn for every row, most recent first; the rows given */
static int
pv_each(struct vstore *st, enum vstore_table table,
	int (*fn)(const struct vstore_row *row, void *arg), void *arg)
{
	PGconn *c = NULL;
	PGresult *r =
	    pv_query(st, &c, table == VSTORE_VERIFIED ? "v_each" : "c_each", 0,
		     NULL, PGRES_TUPLES_OK, "cannot list");
	struct vstore_row row;
	int n = 0;

	if (r == NULL) {
		pv_done(st, c);
		return -1;
	}
	pv_done(st, c); /* fn may look up: the rows are all here */
	for (int i = 0; i < PQntuples(r); i++) {
		pv_row(r, i, table, &row);
		n++;
		if (fn(&row, arg) != 0)
			break;
	}
	PQclear(r);
	return n;
}

const struct vstore_ops vstore_pg_ops = {
    .name = "postgresql",
    .open = pv_open,
    .close = pv_close,
    .put = pv_put,
    .get_verified = pv_get_verified,
    .get_contact = pv_get_contact,
    .trim = pv_trim,
    .each = pv_each,
    .forget = pv_forget,
    .state = pv_state,
};
