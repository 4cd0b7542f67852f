/*
 * NAME
 *	qstore_pg - the quarantine store in PostgreSQL, shared by every host
 * SYNOPSIS
 *	const struct qstore_ops qstore_pg_ops; (backend "postgresql")
 * DESCRIPTION
 *	The store's "where" is a libpq connection string (quarantine.dsn).
 *	Opening connects to nothing: the pool (pg.h) connects when first
 *	used, so a daemon starts while the database is down; until it
 *	answers every put fails at once and the message is tempfailed.
 *
 *	clamgate_quarantine holds one row per entry: the envelope and the
 *	original as bytea, exactly the bytes the directory store keeps in
 *	a file (so both are read by quarantine_parse() and migrate copies
 *	them unchanged), and, for the administrator's own SQL, columns
 *	taken from the envelope: host, time, sender, recipients (one per
 *	line), virus, action, released, size.  clamgate_audit holds who
 *	released and deleted what, from which host; clamgate_release_used
 *	the release tokens used, keyed by their MAC, so that a token's
 *	single use holds on every host.  The schema is the component
 *	"quarantine" of clamgate_schema, created or upgraded by the first
 *	connection.
 *
 *	A put is one INSERT, with ON CONFLICT DO NOTHING on the id (an id
 *	taken is EEXIST, and the caller draws another, unless the row there
 *	is this very entry: an INSERT retried after its connection died
 *	under a commit); it returns 0 only after the server committed it.
 *	Marking an entry released is a transaction that locks the row while
 *	its envelope is rewritten.  An operation whose connection turns out
 *	dead (the server restarted since it was opened) is tried once more
 *	on a new connection; each can be repeated without harm.
 * DIAGNOSTICS
 *	-1 with errno EIO (ENOENT for an unknown id) and the reason, naming
 *	the database without its password, in qstore_error().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clamgate/audit.h"
#include "clamgate/pg.h"
#include "clamgate/xmalloc.h"
#include "qstore_int.h"

#define QP_POOL	 4	     /* mail threads storing at once */
#define QP_HEAD	 "262144"    /* original bytes read for the headers */
#define QP_CHUNK (64 * 1024) /* pieces of an original handed out */
#define QP_RCPTS (64 * 1024) /* the recipients column, at most */
#define QP_MAX	 (1000ULL * 1000 * 1000) /* a bytea value, at most */

static const char *const qp_steps[] = {
    "CREATE TABLE clamgate_quarantine(id text COLLATE \"C\" PRIMARY KEY,"
    " host text NOT NULL, time bigint NOT NULL, sender text NOT NULL,"
    " recipients text NOT NULL, virus text NOT NULL, action text NOT NULL,"
    " released text, size bigint NOT NULL, envelope bytea NOT NULL,"
    " original bytea NOT NULL, stored timestamptz NOT NULL DEFAULT now());"
    "CREATE INDEX clamgate_quarantine_time ON clamgate_quarantine(time);"
    "CREATE TABLE clamgate_audit(at bigint NOT NULL, host text NOT NULL,"
    " action text NOT NULL, id text NOT NULL, who text NOT NULL,"
    " detail text NOT NULL);"
    "CREATE INDEX clamgate_audit_id ON clamgate_audit(id);"
    "CREATE TABLE clamgate_release_used(mac text COLLATE \"C\" PRIMARY KEY,"
    " expiry bigint NOT NULL);",
};
static const struct pg_schema qp_schema = {"quarantine", qp_steps, 1};

static const struct pg_stmt qp_stmts[] = {
    {"q_ids", "SELECT id FROM clamgate_quarantine ORDER BY id DESC"},
    {"q_read", "SELECT envelope, substring(original FROM 1 FOR " QP_HEAD "),"
	       " octet_length(original)::text FROM clamgate_quarantine"
	       " WHERE id = $1"},
    {"q_head", "SELECT envelope, ''::bytea, octet_length(original)::text"
	       " FROM clamgate_quarantine WHERE id = $1"},
    {"q_orig", "SELECT original FROM clamgate_quarantine WHERE id = $1"},
    {"q_env", "SELECT envelope FROM clamgate_quarantine WHERE id = $1"},
    {"q_lock", "SELECT envelope FROM clamgate_quarantine WHERE id = $1"
	       " FOR UPDATE"},
    {"q_put", "INSERT INTO clamgate_quarantine(id, host, time, sender,"
	      " recipients, virus, action, size, envelope, original, released)"
	      " VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
	      " ON CONFLICT(id) DO NOTHING"},
    {"q_del", "DELETE FROM clamgate_quarantine WHERE id = $1"},
    {"q_rel", "UPDATE clamgate_quarantine SET released = $2, envelope = $3"
	      " WHERE id = $1"},
    {"q_usage", "SELECT count(*)::text, coalesce(sum(octet_length(envelope)"
		" + size), 0)::text FROM clamgate_quarantine"},
    {"a_put", "INSERT INTO clamgate_audit(at, host, action, id, who, detail)"
	      " VALUES($1, $2, $3, $4, $5, $6)"},
    {"t_use", "INSERT INTO clamgate_release_used(mac, expiry) VALUES($1, $2)"
	      " ON CONFLICT(mac) DO NOTHING"},
    {"t_unuse", "DELETE FROM clamgate_release_used WHERE mac = $1"},
    {"t_expire", "DELETE FROM clamgate_release_used WHERE expiry + 60 < $1"},
};
#define N_STMTS (sizeof(qp_stmts) / sizeof(qp_stmts[0]))

#define QP_ARGS 12 /* parameters of a statement, at most */
/* one statement's parameters: text, or binary where len is set */
struct qp_args {
	int n;
	const char *v[QP_ARGS];
	int len[QP_ARGS];
	int fmt[QP_ARGS];
};

struct qp {
	struct pg_pool *pool;
	char *dsn;
};

/* qp_fail - "DATABASE: what: why", errno EIO; -1 */
static int
qp_fail(const struct qstore *qs, const char *what, const char *why)
{
	return qstore_fail(EIO, "%s: %s: %s", qs->where, what, why);
}

static int
qp_open(struct qstore *qs, const char *dsn)
{
	struct qp *p = xcalloc(1, sizeof(*p));

	p->dsn = xstrdup(dsn);
	p->pool = pg_pool_new(p->dsn, QP_POOL, &qp_schema, qp_stmts, N_STMTS);
	qs->be = p;
	qs->where = pg_dsn_name(dsn);
	return 0;
}

static void
qp_close(struct qstore *qs)
{
	struct qp *p = qs->be;

	pg_pool_free(p->pool);
	free(p->dsn);
	free(p);
}

static int
qp_state(struct qstore *qs, char *buf, size_t len)
{
	struct qp *p = qs->be;

	return pg_schema_state(p->dsn, &qp_schema, qs->where, buf, len);
}

/* qp_query - statement name with args on *cp (or a connection taken
 * for it, retried once if it was dead: pg_call); the result (caller
 * clears), or NULL after qp_fail.  Results are binary: bytea as its
 * bytes, text as is. */
static PGresult *
qp_query(struct qstore *qs, PGconn **cp, const char *name,
	 const struct qp_args *q, ExecStatusType want, const char *what)
{
	struct pg_args a = {.name = name,
			    .n = q->n,
			    .v = q->v,
			    .len = q->len,
			    .fmt = q->fmt,
			    .binary = 1,
			    .want = want};
	char err[PG_ERR_MAX];
	PGresult *r =
	    pg_call(((struct qp *)qs->be)->pool, cp, &a, err, sizeof(err));

	if (r == NULL)
		qp_fail(qs, what, err);
	return r;
}

/* qp_done - the connection back to the pool */
static void
qp_done(struct qstore *qs, PGconn *c)
{
	if (c != NULL)
		pg_give(((struct qp *)qs->be)->pool, c, 0);
}

/* qp_one - run a statement that returns rows; the result or NULL */
static PGresult *
qp_one(struct qstore *qs, const char *name, const struct qp_args *a,
       const char *what)
{
	PGconn *c = NULL;
	PGresult *r = qp_query(qs, &c, name, a, PGRES_TUPLES_OK, what);

	qp_done(qs, c);
	return r;
}

/* qp_cmd - run a statement that changes rows; how many, or -1 */
static long
qp_cmd(struct qstore *qs, const char *name, const struct qp_args *a,
       const char *what)
{
	PGconn *c = NULL;
	PGresult *r = qp_query(qs, &c, name, a, PGRES_COMMAND_OK, what);
	long n = -1;

	if (r != NULL) {
		n = atol(PQcmdTuples(r));
		PQclear(r);
	}
	qp_done(qs, c);
	return n;
}

static int
qp_ids(struct qstore *qs, char ***ids, size_t *n)
{
	struct qp_args a = {0};
	PGresult *r = qp_one(qs, "q_ids", &a, "cannot list the entries");

	*ids = NULL;
	*n = 0;
	if (r == NULL)
		return -1;
	*n = (size_t)PQntuples(r);
	*ids = xcalloc(*n + 1, sizeof(char *));
	for (size_t i = 0; i < *n; i++)
		(*ids)[i] = xstrdup(PQgetvalue(r, (int)i, 0));
	PQclear(r);
	return 0;
}

/* qp_entry_name - "DATABASE: ID", for messages about an entry */
static char *
qp_entry_name(const struct qstore *qs, const char *id)
{
	char *name = xmalloc(strlen(qs->where) + strlen(id) + 3);

	sprintf(name, "%s: %s", qs->where, id);
	return name;
}

/* qp_parse - the entry in row 0 of r: the envelope and the original's
 * head, parsed as a file of the directory store is */
static void
qp_parse(PGresult *r, struct quarantine_entry *e,
	 enum quarantine_read_what what)
{
	size_t elen = (size_t)PQgetlength(r, 0, 0);
	size_t hlen = (size_t)PQgetlength(r, 0, 1);
	unsigned long long total =
	    elen + strtoull(PQgetvalue(r, 0, 2), NULL, 10);
	char *buf = xmalloc(elen + hlen + 1);
	FILE *f;

	memcpy(buf, PQgetvalue(r, 0, 0), elen);
	memcpy(buf + elen, PQgetvalue(r, 0, 1), hlen);
	f = fmemopen(buf, elen + hlen, "r");
	if (f != NULL) {
		quarantine_parse(f, total, e, what);
		fclose(f);
	} else {
		e->damaged = 1;
		snprintf(e->problem, sizeof(e->problem), "out of memory");
	}
	free(buf);
}

static int
qp_read(struct qstore *qs, const char *id, struct quarantine_entry *e,
	enum quarantine_read_what what)
{
	struct qp_args a = {.n = 1, .v = {id}};
	PGresult *r;

	memset(e, 0, sizeof(*e));
	snprintf(e->id, sizeof(e->id), "%s", id);
	e->path = qp_entry_name(qs, id);
	e->time = quarantine_id_time(id);
	r = qp_one(qs, what == QUARANTINE_READ_ENVELOPE ? "q_head" : "q_read",
		   &a, "cannot read an entry");
	if (r == NULL) {
		quarantine_entry_free(e);
		return -1;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		quarantine_entry_free(e);
		return qstore_fail(ENOENT, "%s: %s: no such entry", qs->where,
				   id);
	}
	qp_parse(r, e, what);
	PQclear(r);
	return 0;
}

/* qp_bytes - column 0 of the one row a statement on id gives */
static PGresult *
qp_bytes(struct qstore *qs, const char *stmt, const char *id, const char **data,
	 size_t *len)
{
	struct qp_args a = {.n = 1, .v = {id}};
	PGresult *r = qp_one(qs, stmt, &a, "cannot read an entry");

	if (r == NULL)
		return NULL;
	if (PQntuples(r) != 1) {
		PQclear(r);
		qstore_fail(ENOENT, "%s: %s: no such entry", qs->where, id);
		return NULL;
	}
	*data = PQgetvalue(r, 0, 0);
	*len = (size_t)PQgetlength(r, 0, 0);
	return r;
}

static int
qp_each_original(struct qstore *qs, const struct quarantine_entry *e,
		 int (*fn)(const void *, size_t, void *), void *arg)
{
	const char *data;
	size_t len, off = 0;
	PGresult *r = qp_bytes(qs, "q_orig", e->id, &data, &len);
	int rc = 0;

	if (r == NULL)
		return -1;
	if (len != e->size)
		rc = qp_fail(qs, e->id, "the original changed size");
	while (rc == 0 && off < len) {
		size_t n = len - off < QP_CHUNK ? len - off : QP_CHUNK;
		rc = fn(data + off, n, arg);
		off += n;
	}
	PQclear(r);
	return rc;
}

static int
qp_envelope(struct qstore *qs, const struct quarantine_entry *e, char **env,
	    size_t *len)
{
	const char *data;
	PGresult *r = qp_bytes(qs, "q_env", e->id, &data, len);

	if (r == NULL)
		return -1;
	*env = xmalloc(*len + 1);
	memcpy(*env, data, *len);
	(*env)[*len] = '\0';
	PQclear(r);
	return 0;
}

/* qp_begin - a connection with a transaction open (pg_begin), or NULL
 * after qp_fail */
static PGconn *
qp_begin(struct qstore *qs, const char *what)
{
	char err[PG_ERR_MAX];
	PGconn *c = pg_begin(((struct qp *)qs->be)->pool, err, sizeof(err));

	if (c == NULL)
		qp_fail(qs, what, err);
	return c;
}

/* qp_end - commit if rc is 0, else roll back (pg_end); 0 or -1 */
static int
qp_end(struct qstore *qs, PGconn *c, int rc)
{
	char err[PG_ERR_MAX];

	rc = pg_end(((struct qp *)qs->be)->pool, c, rc, err, sizeof(err));
	if (rc == -2)
		rc = qp_fail(qs, "cannot commit", err);
	return rc;
}

/* qp_ascii - a column's text: printable ASCII, every other byte '?'
 * (an envelope may hold 8-bit bytes, which a UTF-8 database refuses;
 * the envelope column keeps them as they were); caller frees */
static char *
qp_ascii(const char *in)
{
	char *out = xstrdup(in ? in : "");

	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = *p == '\n' ? '\n' : '?';
	return out;
}

/* the original of a put, gathered in memory */
struct qp_buf {
	char *data;
	size_t len, cap;
};

static int
qp_gather(const void *data, size_t len, void *arg)
{
	struct qp_buf *b = arg;

	if (len > b->cap - b->len)
		return -1; /* more than the put said: not this message */
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

/* qp_rcpts - the recipients, one per line, bounded */
static char *
qp_rcpts(const struct quarantine_entry *e)
{
	char *out = xmalloc(QP_RCPTS);
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < e->n_rcpts; i++) {
		size_t len = strlen(e->rcpts[i]);
		if (n + len + 2 > QP_RCPTS)
			break;
		n += (size_t)sprintf(out + n, "%s%s", n ? "\n" : "",
				     e->rcpts[i]);
	}
	return out;
}

/* qp_timeout - in c's transaction: a statement timeout for a put of
 * size bytes, PG_STATEMENT_MS and a second per MB more; 0 or -1 */
static int
qp_timeout(struct qstore *qs, PGconn *c, unsigned long long size)
{
	char sql[64], err[PG_ERR_MAX];

	snprintf(sql, sizeof(sql), "SET LOCAL statement_timeout = %llu",
		 PG_STATEMENT_MS + size / 1000);
	if (pg_exec(c, sql, err, sizeof(err)) < 0)
		return qp_fail(qs, "cannot set a timeout", err);
	return 0;
}

/* qp_insert - in c's transaction, the row of entry id, whose envelope
 * is parsed in e; 0, or -1 (EEXIST: the id is taken) */
static int
qp_insert(struct qstore *qs, PGconn *c, const char *id,
	  const struct quarantine_entry *e, const char *env, size_t envlen,
	  const struct qp_buf *orig)
{
	char when[32], size[32], *rcpts = qp_rcpts(e);
	char *col[6] = {
	    qp_ascii(e->host),	 qp_ascii(e->sender),
	    qp_ascii(rcpts),	 qp_ascii(e->virus),
	    qp_ascii(e->action), e->released ? qp_ascii(e->released) : NULL};
	struct qp_args a = {
	    .n = 11,
	    .v = {id, col[0], when, col[1], col[2], col[3], col[4], size, env,
		  orig->data, col[5]},
	    .len = {[8] = (int)envlen, [9] = (int)orig->len},
	    .fmt = {[8] = 1, [9] = 1},
	};
	PGresult *r;
	long n = -1;

	snprintf(when, sizeof(when), "%lld", (long long)e->time);
	snprintf(size, sizeof(size), "%zu", orig->len);
	r = qp_query(qs, &c, "q_put", &a, PGRES_COMMAND_OK,
		     "cannot store an entry");
	if (r != NULL) {
		n = atol(PQcmdTuples(r));
		PQclear(r);
	}
	free(rcpts);
	for (size_t i = 0; i < 6; i++)
		free(col[i]);
	if (n == 0)
		return qstore_fail(EEXIST, "%s: %s: the id is taken", qs->where,
				   id);
	return n == 1 ? 0 : -1;
}

/* qp_parse_env - the envelope of a put, parsed; 0, or -1 if it is not
 * one that can be stored */
static int
qp_parse_env(struct qstore *qs, const char *id, const char *env, size_t envlen,
	     unsigned long long size, struct quarantine_entry *e)
{
	FILE *f = fmemopen((void *)env, envlen, "r");

	memset(e, 0, sizeof(*e));
	if (f == NULL)
		return qstore_fail(errno, "%s: %s", qs->where, strerror(errno));
	quarantine_parse(f, envlen + size, e, QUARANTINE_READ_ENVELOPE);
	fclose(f);
	/* a bytea value holds 1 GB at most */
	if (!e->damaged && envlen < QP_MAX && size < QP_MAX)
		return 0;
	quarantine_entry_free(e);
	return qstore_fail(EINVAL, "%s: %s: not an entry that can be stored",
			   qs->where, id);
}

/* qp_put - one transaction: a connection first (so that no more
 * messages are gathered in memory at once than the pool has
 * connections), then the original gathered, then the INSERT */
static int
qp_put(struct qstore *qs, const char *id, const char *env, size_t envlen,
       const struct qstore_src *src)
{
	struct qp_buf orig = {NULL, 0, 0};
	struct quarantine_entry e;
	PGconn *c;
	int rc = -1;

	if (qp_parse_env(qs, id, env, envlen, src->size, &e) < 0)
		return -1;
	if ((c = qp_begin(qs, "cannot store an entry")) == NULL) {
		quarantine_entry_free(&e);
		return -1;
	}
	orig.cap = (size_t)src->size;
	orig.data = xmalloc(orig.cap + 1);
	if (src->each(src->src, qp_gather, &orig) != 0 || orig.len != src->size)
		qstore_fail(EIO, "%s: %s: cannot read the message", qs->where,
			    id);
	else if (qp_timeout(qs, c, src->size) == 0)
		rc = qp_insert(qs, c, id, &e, env, envlen, &orig);
	rc = qp_end(qs, c, rc);
	free(orig.data);
	quarantine_entry_free(&e);
	return rc;
}

static int
qp_remove(struct qstore *qs, const char *id)
{
	struct qp_args a = {.n = 1, .v = {id}};
	long n = qp_cmd(qs, "q_del", &a, "cannot remove an entry");

	if (n == 0)
		return qstore_fail(ENOENT, "%s: %s: no such entry", qs->where,
				   id);
	return n < 0 ? -1 : 0;
}

/* qp_rewrite - in c's transaction: the envelope of id, locked, with
 * the note added; 0 or -1 */
static int
qp_rewrite(struct qstore *qs, PGconn *c, const char *id, const char *note)
{
	struct qp_args a = {.n = 1, .v = {id}};
	PGresult *r = qp_query(qs, &c, "q_lock", &a, PGRES_TUPLES_OK,
			       "cannot lock an entry");
	size_t outlen;
	char *out = NULL, *col;

	if (r == NULL)
		return -1;
	if (PQntuples(r) == 1)
		out = quarantine_released_env(PQgetvalue(r, 0, 0),
					      (size_t)PQgetlength(r, 0, 0),
					      note, &outlen);
	PQclear(r);
	if (out == NULL)
		return qp_fail(qs, id, "no such entry, or no envelope");
	col = qp_ascii(note);
	struct qp_args u = {.n = 3,
			    .v = {id, col, out},
			    .len = {[2] = (int)outlen},
			    .fmt = {[2] = 1}};
	r = qp_query(qs, &c, "q_rel", &u, PGRES_COMMAND_OK,
		     "cannot mark an entry released");
	free(out);
	free(col);
	if (r == NULL)
		return -1;
	PQclear(r);
	return 0;
}

static int
qp_mark_released(struct qstore *qs, const struct quarantine_entry *e,
		 const char *note)
{
	PGconn *c = qp_begin(qs, "cannot mark an entry released");

	if (c == NULL)
		return -1;
	return qp_end(qs, c, qp_rewrite(qs, c, e->id, note));
}

static int
qp_usage(struct qstore *qs, unsigned long long *entries,
	 unsigned long long *bytes)
{
	struct qp_args a = {0};
	PGresult *r = qp_one(qs, "q_usage", &a, "cannot count the entries");

	*entries = *bytes = 0;
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 1) {
		*entries = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
		*bytes = strtoull(PQgetvalue(r, 0, 1), NULL, 10);
	}
	PQclear(r);
	return 0;
}

/* qp_sweep - a put is one statement: nothing is ever left unfinished */
static long
qp_sweep(struct qstore *qs, time_t cutoff)
{
	(void)qs;
	(void)cutoff;
	return 0;
}

static int
qp_audit(struct qstore *qs, time_t now, const char *action, const char *id,
	 const char *detail)
{
	char at[32], host[AUDIT_HOST_MAX], who[AUDIT_WHO_MAX], *col[3];
	int rc;

	snprintf(at, sizeof(at), "%lld", (long long)now);
	audit_host(host);
	audit_who(who);
	col[0] = qp_ascii(id);
	col[1] = qp_ascii(who);
	col[2] = qp_ascii(detail);
	struct qp_args a = {.n = 6,
			    .v = {at, host, action, col[0], col[1], col[2]}};
	rc = qp_cmd(qs, "a_put", &a, "cannot record the act") == 1 ? 0 : -1;
	for (size_t i = 0; i < 3; i++)
		free(col[i]);
	return rc;
}

static int
qp_token_use(struct qstore *qs, const struct token *t)
{
	char expiry[32];
	struct qp_args a = {.n = 2, .v = {t->mac, expiry}};
	long n;

	snprintf(expiry, sizeof(expiry), "%lld", t->expiry);
	n = qp_cmd(qs, "t_use", &a, "cannot record a token's use");
	if (n < 0)
		return -1;
	return n == 0 ? 1 : 0;
}

static void
qp_token_unuse(struct qstore *qs, const struct token *t)
{
	struct qp_args a = {.n = 1, .v = {t->mac}};

	(void)qp_cmd(qs, "t_unuse", &a, "cannot forget a token's use");
}

static long
qp_token_expire(struct qstore *qs, time_t now)
{
	char when[32];
	struct qp_args a = {.n = 1, .v = {when}};

	snprintf(when, sizeof(when), "%lld", (long long)now);
	return qp_cmd(qs, "t_expire", &a, "cannot expire used tokens");
}

const struct qstore_ops qstore_pg_ops = {
    .name = "postgresql",
    .open = qp_open,
    .close = qp_close,
    .state = qp_state,
    .ids = qp_ids,
    .read = qp_read,
    .each_original = qp_each_original,
    .envelope = qp_envelope,
    .put = qp_put,
    .remove = qp_remove,
    .mark_released = qp_mark_released,
    .usage = qp_usage,
    .sweep = qp_sweep,
    .audit = qp_audit,
    .token_use = qp_token_use,
    .token_unuse = qp_token_unuse,
    .token_expire = qp_token_expire,
};
