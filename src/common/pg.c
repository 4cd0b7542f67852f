/*
 * NAME
 *	pg - a pool of PostgreSQL connections
 * SYNOPSIS
 *	p = pg_pool_new(dsn, size, &schema, stmts, n)
 *	c = pg_take(p, err, len) ... pg_give(p, c, broken)
 * DESCRIPTION
 *	At most size connections, opened when first needed and kept: a
 *	message never opens one.  Each is made with libpq's keywords
 *	connect_timeout (PG_CONNECT_SECONDS), tcp_user_timeout (10 s: a
 *	server that vanished from the network fails a call instead of
 *	holding it), TCP keepalives and application_name "clamgate", which
 *	the DSN may override; the session then gets statement_timeout and
 *	lock_timeout (PG_STATEMENT_MS) and
 *	idle_in_transaction_session_timeout (PG_IDLE_TX_MS: the row locks
 *	of a host cut off in the middle of a write are let go) and
 *	synchronous_commit on (whatever the server's default: a commit
 *	clamgate reports is on the server's disk); the schema
 *	is checked, and upgraded if it is older (another host may have
 *	upgraded it meanwhile); and the statements are prepared.
 *
 *	The schema: one row per component in clamgate_schema (component,
 *	version, changed).  The steps from the version found to the
 *	current one run in one transaction under an advisory lock, so two
 *	daemons starting at once upgrade it once; a version newer than this
 *	program knows is refused, and nothing is changed.
 *
 *	pg_take() hands out an idle connection, or opens one in an empty
 *	slot, or waits up to PG_TAKE_MS for one to be given back.  A failed
 *	connect starts a back-off (1 s, doubling to PG_BACKOFF_MAX): until
 *	it ends pg_take() fails at once with the last reason, so that while
 *	the database is down no message waits for a connect timeout but
 *	those that try first (at most one per slot of the pool).  pg_give()
 *	closes a connection that is broken (PQstatus, or the caller says
 *	so), and the idle ones with it (the server most likely restarted
 *	under all of them); the next takes open new ones.
 *
 *	pg_call() runs a prepared statement, once more on a new connection
 *	if the one taken was dead; pg_begin() and pg_end() open and close a
 *	transaction.  Both stores (vstore_pg.c, qstore_pg.c) use them.
 * DIAGNOSTICS
 *	NULL (pg_take) or -1 with the reason in err.  Never fatal.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clamgate/pg.h"
#include "clamgate/xmalloc.h"

#define PG_LOCK_KEY "7357" /* the advisory lock of schema changes */

struct pg_slot {
	PGconn *c;
	int busy;
};

struct pg_pool {
	char *dsn;
	const struct pg_schema *schema;
	const struct pg_stmt *stmts;
	size_t n_stmts;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct pg_slot *slot;
	unsigned size;
	time_t next_try;  /* no connect before this (back-off) */
	unsigned backoff; /* seconds, the next back-off */
	char last_err[PG_ERR_MAX];
};

/* pg_message - libpq's message, its first line */
static void
pg_message(const char *msg, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", msg && *msg ? msg : "unknown error");
	err[strcspn(err, "\n")] = '\0';
}

/* pg_ok - r has status want; else the reason in err; r is cleared
 * either way.  0 or -1 */
int
pg_ok(PGconn *c, PGresult *r, ExecStatusType want, char *err, size_t errlen)
{
	int ok = r != NULL && PQresultStatus(r) == want;

	if (!ok)
		pg_message(r ? PQresultErrorMessage(r) : PQerrorMessage(c), err,
			   errlen);
	PQclear(r);
	return ok ? 0 : -1;
}

/* pg_exec - one command without rows; 0 or -1 */
int
pg_exec(PGconn *c, const char *sql, char *err, size_t errlen)
{
	return pg_ok(c, PQexec(c, sql), PGRES_COMMAND_OK, err, errlen);
}

/* pg_quiet - the server's notices ("... already exists, skipping") are
 * not for a terminal or a log */
static void
pg_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* pg_connect - a new connection to dsn, or NULL and err */
static PGconn *
pg_connect(const char *dsn, char *err, size_t errlen)
{
	static const char *const keys[] = {"connect_timeout",
					   "tcp_user_timeout",
					   "keepalives",
					   "keepalives_idle",
					   "keepalives_interval",
					   "keepalives_count",
					   "application_name",
					   "dbname",
					   NULL};
	char timeout[16], set[200];
	const char *values[] = {timeout, "10000",    "1", "30", "10",
				"3",	 "clamgate", dsn, NULL};
	PGconn *c;

	snprintf(timeout, sizeof(timeout), "%d", PG_CONNECT_SECONDS);
	/* on the session, not through "options", which a DSN's own
	 * options= would replace */
	snprintf(set, sizeof(set),
		 "SET statement_timeout = %d; SET lock_timeout = %d; "
		 "SET idle_in_transaction_session_timeout = %d; "
		 "SET synchronous_commit = on",
		 PG_STATEMENT_MS, PG_STATEMENT_MS, PG_IDLE_TX_MS);
	c = PQconnectdbParams(keys, values, 1);
	if (c != NULL && PQstatus(c) == CONNECTION_OK) {
		PQsetNoticeProcessor(c, pg_quiet, NULL);
		if (pg_exec(c, set, err, errlen) == 0)
			return c;
		PQfinish(c);
		return NULL;
	}
	pg_message(c ? PQerrorMessage(c) : "out of memory", err, errlen);
	PQfinish(c);
	return NULL;
}

/* pg_version_of - the schema version of component on c (0: none), or
 * -1 and err; the table must exist */
static int
pg_version_of(PGconn *c, const char *component, char *err, size_t errlen)
{
	const char *params[1] = {component};
	PGresult *r = PQexecParams(
	    c, "SELECT version FROM clamgate_schema WHERE component = $1", 1,
	    NULL, params, NULL, NULL, 0);
	int v = 0;

	if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK)
		return pg_ok(c, r, PGRES_TUPLES_OK, err, errlen);
	if (PQntuples(r) > 0)
		v = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

/* pg_too_new - the schema is newer than this program knows: -1, why */
static int
pg_too_new(const struct pg_schema *s, int v, char *err, size_t errlen)
{
	snprintf(err, errlen,
		 "the %s schema is version %d, newer than this clamgate knows "
		 "(%d)",
		 s->component, v, s->version);
	return -1;
}

/* pg_upgrade - in the open transaction: from the version found to the
 * current one; 0 or -1 */
static int
pg_upgrade(PGconn *c, const struct pg_schema *s, char *err, size_t errlen)
{
	char version[16], now[24];
	const char *params[3] = {s->component, version, now};
	int v = pg_version_of(c, s->component, err, errlen);

	if (v < 0)
		return -1;
	if (v > s->version)
		return pg_too_new(s, v, err, errlen);
	for (; v < s->version; v++)
		if (pg_exec(c, s->steps[v], err, errlen) < 0)
			return -1;
	snprintf(version, sizeof(version), "%d", s->version);
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	return pg_ok(c,
		     PQexecParams(c,
				  "INSERT INTO clamgate_schema VALUES ($1, $2, "
				  "$3) ON CONFLICT (component) DO UPDATE SET "
				  "version = $2, changed = $3 WHERE "
				  "clamgate_schema.version <> $2",
				  3, NULL, params, NULL, NULL, 0),
		     PGRES_COMMAND_OK, err, errlen);
}

/* pg_current - 1 if the schema is the current version already, 0 if it
 * is older or absent, -1 if newer or unreadable (err); no lock, no DDL:
 * a role without the CREATE right works on a current schema */
static int
pg_current(PGconn *c, const struct pg_schema *s, char *err, size_t errlen)
{
	PGresult *r =
	    PQexec(c, "SELECT to_regclass('clamgate_schema') IS NOT NULL");
	int exists, v;

	if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK)
		return pg_ok(c, r, PGRES_TUPLES_OK, err, errlen);
	exists = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (!exists)
		return 0;
	if ((v = pg_version_of(c, s->component, err, errlen)) < 0)
		return -1;
	if (v > s->version)
		return pg_too_new(s, v, err, errlen);
	return v == s->version;
}

/* pg_migrate - the schema brought up to date if it is not, in one
 * transaction under the advisory lock; 0 or -1 */
static int
pg_migrate(PGconn *c, const struct pg_schema *s, char *err, size_t errlen)
{
	int rc = pg_current(c, s, err, errlen);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	rc = pg_exec(c, "BEGIN", err, errlen);

	if (rc == 0)
		rc = pg_ok(
		    c,
		    PQexec(c, "SELECT pg_advisory_xact_lock(" PG_LOCK_KEY ")"),
		    PGRES_TUPLES_OK, err, errlen);
	if (rc == 0)
		rc = pg_exec(c,
			     "CREATE TABLE IF NOT EXISTS clamgate_schema("
			     "component text PRIMARY KEY, version integer NOT "
			     "NULL, changed bigint NOT NULL)",
			     err, errlen);
	if (rc == 0)
		rc = pg_upgrade(c, s, err, errlen);
	if (rc == 0)
		return pg_exec(c, "COMMIT", err, errlen);
	PQclear(PQexec(c, "ROLLBACK"));
	return -1;
}

/* pg_setup - a new connection made ready: the schema checked (and
 * upgraded if older; a newer one is refused), the statements prepared;
 * 0 or -1 */
static int
pg_setup(struct pg_pool *p, PGconn *c, char *err, size_t errlen)
{
	if (p->schema != NULL && pg_migrate(c, p->schema, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < p->n_stmts; i++)
		if (pg_ok(c,
			  PQprepare(c, p->stmts[i].name, p->stmts[i].sql, 0,
				    NULL),
			  PGRES_COMMAND_OK, err, errlen) < 0)
			return -1;
	return 0;
}

/* pg_pool_new - a pool of at most size connections; none opened yet */
struct pg_pool *
pg_pool_new(const char *dsn, unsigned size, const struct pg_schema *schema,
	    const struct pg_stmt *stmts, size_t n_stmts)
{
	struct pg_pool *p = xcalloc(1, sizeof(*p));

	p->dsn = xstrdup(dsn);
	p->schema = schema;
	p->stmts = stmts;
	p->n_stmts = n_stmts;
	p->size = size ? size : 1;
	p->slot = xcalloc(p->size, sizeof(*p->slot));
	p->backoff = 1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	return p;
}

/* pg_pool_free - close every connection; none may be taken */
void
pg_pool_free(struct pg_pool *p)
{
	if (p == NULL)
		return;
	for (unsigned i = 0; i < p->size; i++)
		PQfinish(p->slot[i].c);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p->slot);
	free(p->dsn);
	free(p);
}

/* pg_fill - open a connection for slot s (taken, the lock not held);
 * the connection, or NULL and err, with the back-off started */
static PGconn *
pg_fill(struct pg_pool *p, struct pg_slot *s, char *err, size_t errlen)
{
	PGconn *c = pg_connect(p->dsn, err, errlen);

	if (c != NULL && pg_setup(p, c, err, errlen) < 0) {
		PQfinish(c);
		c = NULL;
	}
	pthread_mutex_lock(&p->lock);
	if (c == NULL) {
		s->busy = 0;
		p->next_try = time(NULL) + p->backoff;
		p->backoff = p->backoff * 2 > PG_BACKOFF_MAX ? PG_BACKOFF_MAX
							     : p->backoff * 2;
		snprintf(p->last_err, sizeof(p->last_err), "%s", err);
		pthread_cond_broadcast(&p->cond);
	} else {
		s->c = c;
		p->next_try = 0;
		p->backoff = 1;
	}
	pthread_mutex_unlock(&p->lock);
	return c;
}

/* pg_free_slot - an idle slot, connected ones first, or NULL; the lock
 * is held */
static struct pg_slot *
pg_free_slot(struct pg_pool *p)
{
	struct pg_slot *empty = NULL;

	for (unsigned i = 0; i < p->size; i++) {
		if (p->slot[i].busy)
			continue;
		if (p->slot[i].c != NULL)
			return &p->slot[i];
		if (empty == NULL)
			empty = &p->slot[i];
	}
	return empty;
}

/* pg_deadline - now plus ms, on the realtime clock (for cond waits) */
static struct timespec
pg_deadline(long ms)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

/* pg_take - a connection for one operation, or NULL and err */
PGconn *
pg_take(struct pg_pool *p, char *err, size_t errlen)
{
	struct timespec until = pg_deadline(PG_TAKE_MS);
	struct pg_slot *s;
	int rc = 0;

	pthread_mutex_lock(&p->lock);
	while ((s = pg_free_slot(p)) == NULL && rc == 0)
		rc = pthread_cond_timedwait(&p->cond, &p->lock, &until);
	if (s == NULL) {
		pthread_mutex_unlock(&p->lock);
		snprintf(err, errlen, "all %u database connections are busy",
			 p->size);
		return NULL;
	}
	if (s->c == NULL && time(NULL) < p->next_try) {
		snprintf(err, errlen,
			 "database unreachable (next try in "
			 "%lld s): %s",
			 (long long)(p->next_try - time(NULL)), p->last_err);
		pthread_mutex_unlock(&p->lock);
		return NULL;
	}
	s->busy = 1;
	pthread_mutex_unlock(&p->lock);
	return s->c != NULL ? s->c : pg_fill(p, s, err, errlen);
}

/* pg_give - a connection back; broken (or bad by PQstatus): closed,
 * and with it every idle one, opened most likely before the same server
 * restart: the next takes open new ones rather than fail on each */
void
pg_give(struct pg_pool *p, PGconn *c, int broken)
{
	int bad = broken || PQstatus(c) != CONNECTION_OK;

	pthread_mutex_lock(&p->lock);
	for (unsigned i = 0; i < p->size; i++) {
		struct pg_slot *s = &p->slot[i];
		if (s->c == c && s->busy) {
			if (bad) {
				PQfinish(c);
				s->c = NULL;
			}
			s->busy = 0;
		} else if (bad && !s->busy && s->c != NULL) {
			PQfinish(s->c);
			s->c = NULL;
		}
	}
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

/* pg_begin - a connection with a transaction open (on a new connection
 * if the first was dead: the server restarted since), or NULL with the
 * reason in err */
PGconn *
pg_begin(struct pg_pool *p, char *err, size_t errlen)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		PGconn *c = pg_take(p, err, errlen);
		int dead;

		if (c == NULL)
			return NULL;
		if (pg_exec(c, "BEGIN", err, errlen) == 0)
			return c;
		dead = PQstatus(c) != CONNECTION_OK;
		pg_give(p, c, dead);
		if (!dead)
			return NULL;
	}
	return NULL;
}

/* pg_end - commit c's transaction if rc is 0, else roll it back; the
 * connection given back either way; 0, rc if it was a failure, or -2
 * if the commit failed (the reason in err).  errno is kept: the
 * caller's failure may be told by it */
int
pg_end(struct pg_pool *p, PGconn *c, int rc, char *err, size_t errlen)
{
	int saved;

	if (rc == 0 && pg_exec(c, "COMMIT", err, errlen) < 0)
		rc = -2;
	saved = errno;
	if (rc < 0)
		PQclear(PQexec(c, "ROLLBACK"));
	pg_give(p, c, 0);
	errno = saved;
	return rc;
}

/* pg_call - the statement of a on *cp, or on a connection taken for
 * it and retried once on a new connection if that one was dead (the
 * server restarted since it was opened); the result (caller clears), or
 * NULL with the reason in err and the SQLSTATE in a.  *cp is then the
 * connection it ran on, or NULL; the caller gives it back.  Inside a
 * transaction (*cp given) nothing is retried. */
PGresult *
pg_call(struct pg_pool *p, PGconn **cp, struct pg_args *a, char *err,
	size_t errlen)
{
	a->sqlstate[0] = '\0';
	for (int attempt = 0; attempt < 2; attempt++) {
		PGconn *c = *cp ? *cp : pg_take(p, err, errlen);
		PGresult *r;

		if (c == NULL)
			return NULL;
		r = PQexecPrepared(c, a->name, a->n, a->v, a->len, a->fmt,
				   a->binary);
		if (r != NULL && PQresultStatus(r) == a->want) {
			*cp = c;
			return r;
		}
		snprintf(a->sqlstate, sizeof(a->sqlstate), "%s",
			 r && PQresultErrorField(r, PG_DIAG_SQLSTATE)
			     ? PQresultErrorField(r, PG_DIAG_SQLSTATE)
			     : "");
		pg_ok(c, r, a->want, err, errlen);
		if (PQstatus(c) == CONNECTION_OK || *cp != NULL) {
			*cp = c; /* a real error, or inside a transaction */
			return NULL;
		}
		pg_give(p, c, 1);
	}
	return NULL;
}

/* pg_schema_version - the version of schema's component in the
 * database at dsn (0: none yet), for clamgate -t; 0, or -1 and err */
int
pg_schema_version(const char *dsn, const struct pg_schema *schema, int *version,
		  char *err, size_t errlen)
{
	PGconn *c = pg_connect(dsn, err, errlen);
	PGresult *r;
	int v = 0;

	if (c == NULL)
		return -1;
	r = PQexec(c, "SELECT to_regclass('clamgate_schema') IS NOT NULL");
	if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK) {
		v = pg_ok(c, r, PGRES_TUPLES_OK, err, errlen);
	} else {
		int exists =
		    PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
		PQclear(r);
		if (exists)
			v = pg_version_of(c, schema->component, err, errlen);
	}
	PQfinish(c);
	if (v < 0)
		return -1;
	*version = v;
	return 0;
}

/* pg_schema_state - for clamgate -t: reach the database at dsn, read
 * the schema's version (changing nothing), and say it in buf, the
 * store named name; 0, or -1 if it cannot be used */
int
pg_schema_state(const char *dsn, const struct pg_schema *schema,
		const char *name, char *buf, size_t len)
{
	char err[PG_ERR_MAX];
	int v;

	if (pg_schema_version(dsn, schema, &v, err, sizeof(err)) < 0) {
		snprintf(buf, len, "%s: %s", name, err);
		return -1;
	}
	if (v == schema->version)
		snprintf(buf, len, "%s: schema %s version %d (current)", name,
			 schema->component, v);
	else if (v == 0)
		snprintf(buf, len,
			 "%s: no schema yet: the daemon creates it (version "
			 "%d)",
			 name, schema->version);
	else if (v < schema->version)
		snprintf(buf, len,
			 "%s: schema %s version %d: the daemon upgrades it to "
			 "%d",
			 name, schema->component, v, schema->version);
	else {
		snprintf(buf, len,
			 "%s: schema %s version %d is newer than this clamgate "
			 "knows (%d)",
			 name, schema->component, v, schema->version);
		return -1;
	}
	return 0;
}

/* pg_dsn_name - the database as a store's name and its errors give
 * it: host, port, dbname and user, never a password (caller frees) */
char *
pg_dsn_name(const char *dsn)
{
	static const char *const keys[] = {"host", "port", "dbname", "user"};
	PQconninfoOption *opts = PQconninfoParse(dsn, NULL);
	char buf[600];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "postgresql:");

	for (size_t k = 0; k < 4; k++)
		for (PQconninfoOption *o = opts; o && o->keyword; o++)
			if (strcmp(o->keyword, keys[k]) == 0 && o->val &&
			    *o->val && n < sizeof(buf))
				n +=
				    (size_t)snprintf(buf + n, sizeof(buf) - n,
						     " %s=%s", keys[k], o->val);
	PQconninfoFree(opts);
	if (opts == NULL && pg_dsn_valid(dsn)) /* a bare database name */
		snprintf(buf, sizeof(buf), "postgresql: dbname=%.200s", dsn);
	else if (opts == NULL) /* it may hold a password: never shown */
		snprintf(buf, sizeof(buf),
			 "postgresql: (an invalid connection string)");
	return xstrdup(buf);
}

/* pg_dsn_plain - a bare database name, which libpq takes as dbname */
static int
pg_dsn_plain(const char *dsn)
{
	return strchr(dsn, '=') == NULL && strncmp(dsn, "postgres", 8) != 0;
}

/* pg_dsn_valid - libpq can read the connection string (or it is a bare
 * database name); its parser's message is never shown, since it quotes
 * the text, password and all */
int
pg_dsn_valid(const char *dsn)
{
	PQconninfoOption *opts;

	if (pg_dsn_plain(dsn))
		return 1;
	if ((opts = PQconninfoParse(dsn, NULL)) == NULL)
		return 0;
	PQconninfoFree(opts);
	return 1;
}

/* pg_dsn_has_password - the connection string holds a password (or the
 * passphrase of a client key) */
int
pg_dsn_has_password(const char *dsn)
{
	PQconninfoOption *opts = PQconninfoParse(dsn, NULL);
	int has = 0;

	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if ((strcmp(o->keyword, "password") == 0 ||
		     strcmp(o->keyword, "sslpassword") == 0) &&
		    o->val && *o->val)
			has = 1;
	PQconninfoFree(opts);
	return has;
}
