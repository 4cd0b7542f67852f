/*
 * pg - a small pool of PostgreSQL connections for the shared stores
 * (libpq), made for a milter: no connection per message, a bounded wait
 * for a free one, reconnection with back-off, statement timeouts,
 * prepared statements, and a versioned schema each store upgrades
 * itself
 *
 * A store describes its schema (pg_schema: a component name and the
 * steps from each version to the next) and its statements (pg_stmt);
 * every connection of the pool is set up with both before it is handed
 * out.  pg_take() gives a connection for one operation, or NULL at once
 * while the database is unreachable (the back-off), so that mail never
 * waits on a dead server for more than one connect timeout.
 */
#ifndef CLAMGATE_PG_H
#define CLAMGATE_PG_H

#include <stddef.h>

#include <libpq-fe.h>

#define PG_CONNECT_SECONDS 5	 /* connect_timeout, unless the DSN says */
#define PG_STATEMENT_MS	   5000	 /* statement_timeout */
#define PG_TAKE_MS	   2000	 /* the longest wait for a free connection */
#define PG_BACKOFF_MAX	   8	 /* seconds between reconnection tries */
#define PG_IDLE_TX_MS	   30000 /* a session idle in a transaction: cut */
#define PG_ERR_MAX	   512

struct pg_stmt {
	const char *name;
	const char *sql;
};

struct pg_schema {
	const char *component;	  /* a row of clamgate_schema */
	const char *const *steps; /* steps[v]: from version v to v + 1 */
	int version;		  /* the number of steps */
};

struct pg_pool;

/* one call of a prepared statement (pg_call) */
struct pg_args {
	const char *name; /* the prepared statement */
	int n;		  /* parameters */
	const char *const *v;
	const int *len, *fmt; /* for binary parameters, or NULL */
	int binary;	      /* results in binary format */
	ExecStatusType want;
	char sqlstate[6]; /* out: of a failure, or "" */
};

struct pg_pool *pg_pool_new(const char *dsn, unsigned size,
			    const struct pg_schema *schema,
			    const struct pg_stmt *stmts, size_t n_stmts);
void pg_pool_free(struct pg_pool *p);
PGconn *pg_take(struct pg_pool *p, char *err, size_t errlen);
void pg_give(struct pg_pool *p, PGconn *c, int broken);
int pg_ok(PGconn *c, PGresult *r, ExecStatusType want, char *err,
	  size_t errlen);
int pg_exec(PGconn *c, const char *sql, char *err, size_t errlen);
PGconn *pg_begin(struct pg_pool *p, char *err, size_t errlen);
int pg_end(struct pg_pool *p, PGconn *c, int rc, char *err, size_t errlen);
PGresult *pg_call(struct pg_pool *p, PGconn **cp, struct pg_args *a, char *err,
		  size_t errlen);
int pg_schema_version(const char *dsn, const struct pg_schema *schema,
		      int *version, char *err, size_t errlen);
int pg_schema_state(const char *dsn, const struct pg_schema *schema,
		    const char *name, char *buf, size_t len);
int pg_dsn_valid(const char *dsn);
char *pg_dsn_name(const char *dsn);
int pg_dsn_has_password(const char *dsn);

#endif
