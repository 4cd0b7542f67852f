/*
 * NAME
 *	qstore - the quarantine store, whichever backend keeps it
 * SYNOPSIS
 *	qs = qstore_open(cfg); qstore_read(qs, id, &e, what) ...
 * DESCRIPTION
 *	qstore_open() opens the store quarantine.backend names: "dir"
 *	(quarantine.directory, qstore_dir.c) or "postgresql"
 *	(quarantine.dsn, qstore_pg.c).  Opening a database store connects
 *	to nothing: the first operation does, so a daemon starts while the
 *	database is down.  Every call goes to the backend; what needs only
 *	other calls is done here, once for both: a unique id from a prefix,
 *	expiry by the time each id begins with, an original copied to a
 *	descriptor.
 * DIAGNOSTICS
 *	-1 with errno set and the reason in qstore_error(), a text of this
 *	thread's last failure that names the store, never a password.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clamgate/fdio.h"
#include "clamgate/xmalloc.h"
#include "qstore_int.h"

static _Thread_local char qstore_err[1024];

/* qstore_fail - note why; errno is err; -1 */
int
qstore_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(qstore_err, sizeof(qstore_err), fmt, ap);
	va_end(ap);
	errno = err;
	return -1;
}

/* qstore_error - this thread's last failure */
const char *
qstore_error(void)
{
	return qstore_err[0] ? qstore_err : "no error";
}

/* qstore_new - a store of backend ops at where, or NULL */
static struct qstore *
qstore_new(const struct qstore_ops *ops, const char *where)
{
	struct qstore *qs = xcalloc(1, sizeof(*qs));

	qs->ops = ops;
	if (ops->open(qs, where) < 0) {
		free(qs->where);
		free(qs);
		return NULL;
	}
	return qs;
}

struct qstore *
qstore_open_dir(const char *dir)
{
	return qstore_new(&qstore_dir_ops, dir);
}

struct qstore *
qstore_open_pg(const char *dsn)
{
	return qstore_new(&qstore_pg_ops, dsn);
}

/* qstore_open - the store the configuration names */
struct qstore *
qstore_open(const struct cg_config *cfg)
{
	if (cfg->quarantine.backend == CG_QSTORE_POSTGRESQL)
		return qstore_open_pg(cfg->quarantine.dsn);
	return qstore_open_dir(cfg->quarantine.directory);
}

void
qstore_close(struct qstore *qs)
{
	if (qs == NULL)
		return;
	qs->ops->close(qs);
	free(qs->where);
	free(qs);
}

/* qstore_where - the directory, or the database (no password) */
const char *
qstore_where(const struct qstore *qs)
{
	return qs->where;
}

const char *
qstore_backend(const struct qstore *qs)
{
	return qs->ops->name;
}

/* qstore_state - for clamgate -t: one line on the store; 0 or -1 */
int
qstore_state(struct qstore *qs, char *buf, size_t len)
{
	return qs->ops->state(qs, buf, len);
}

/* qstore_ids - every entry's id, newest first; an id without the shape
 * of one (a row someone wrote into the database) is left out, so that
 * no id reaches a file name or a terminal unchecked */
int
qstore_ids(struct qstore *qs, char ***ids, size_t *n)
{
	size_t kept = 0;

	if (qs->ops->ids(qs, ids, n) < 0)
		return -1;
	for (size_t i = 0; i < *n; i++) {
		if (quarantine_id_valid((*ids)[i]))
			(*ids)[kept++] = (*ids)[i];
		else
			free((*ids)[i]);
	}
	*n = kept;
	return 0;
}

/* qstore_bad_id - not an id: the operation fails as for none */
static int
qstore_bad_id(const struct qstore *qs, const char *id)
{
	if (quarantine_id_valid(id))
		return 0;
	return qstore_fail(ENOENT, "%s: %.80s: not an entry id", qs->where, id);
}

/* qstore_resolve - the one id that starts with prefix; ENOENT for none,
 * EEXIST for more than one */
int
qstore_resolve(struct qstore *qs, const char *prefix,
	       char id[QUARANTINE_ID_MAX])
{
	size_t n, len = strlen(prefix), found = 0;
	char **ids;

	if (qstore_ids(qs, &ids, &n) < 0)
		return -1;
	for (size_t i = 0; i < n && len > 0; i++) {
		if (strncmp(ids[i], prefix, len) == 0 && found++ == 0)
			snprintf(id, QUARANTINE_ID_MAX, "%s", ids[i]);
	}
	quarantine_ids_free(ids, n);
	if (found == 1)
		return 0;
	return qstore_fail(found ? EEXIST : ENOENT, "%s: %s", prefix,
			   found ? "more than one entry starts with it"
				 : "no such entry");
}

/* qstore_read - one entry; a damaged one is returned, not an error */
int
qstore_read(struct qstore *qs, const char *id, struct quarantine_entry *e,
	    enum quarantine_read_what what)
{
	if (qstore_bad_id(qs, id) < 0) {
		memset(e, 0, sizeof(*e));
		return -1;
	}
	return qs->ops->read(qs, id, e, what);
}

int
qstore_each_original(struct qstore *qs, const struct quarantine_entry *e,
		     int (*fn)(const void *data, size_t len, void *arg),
		     void *arg)
{
	return qs->ops->each_original(qs, e, fn, arg);
}

/* qstore_copy_original - the message exactly as received, into fd */
int
qstore_copy_original(struct qstore *qs, const struct quarantine_entry *e,
		     int fd)
{
	return qstore_each_original(qs, e, fdio_write_chunk, &fd);
}

/* qstore_envelope - the entry's envelope bytes (caller frees) */
int
qstore_envelope(struct qstore *qs, const struct quarantine_entry *e, char **env,
		size_t *len)
{
	return qs->ops->envelope(qs, e, env, len);
}

/* qstore_put - store entry id: env, then src's bytes; committed when it
 * returns 0; EEXIST if id is taken */
int
qstore_put(struct qstore *qs, const char *id, const char *env, size_t envlen,
	   const struct qstore_src *src)
{
	if (!quarantine_id_valid(id))
		return qstore_fail(EINVAL, "%s: %.80s: not an entry id",
				   qs->where, id);
	return qs->ops->put(qs, id, env, envlen, src);
}

/* qstore_remove - ENOENT if there was no such entry */
int
qstore_remove(struct qstore *qs, const char *id)
{
	if (qstore_bad_id(qs, id) < 0)
		return -1;
	return qs->ops->remove(qs, id);
}

int
qstore_mark_released(struct qstore *qs, const struct quarantine_entry *e,
		     const char *note)
{
	return qs->ops->mark_released(qs, e, note);
}

int
qstore_usage(struct qstore *qs, unsigned long long *entries,
	     unsigned long long *bytes)
{
	return qs->ops->usage(qs, entries, bytes);
}

/* qstore_expire - remove entries older than cutoff; how many, or -1.
 * each, if given, is called for an entry before it is removed (removed
 * 0: a non-zero return keeps it) and after (removed 1); in a dry run
 * only before */
long
qstore_expire(struct qstore *qs, time_t cutoff, int dry_run,
	      int (*each)(const char *id, int removed, void *arg), void *arg)
{
	size_t n;
	char **ids;
	long count = 0;

	if (qstore_ids(qs, &ids, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		time_t t = quarantine_id_time(ids[i]);
		if (t < 0 || t >= cutoff)
			continue;
		if (each && each(ids[i], 0, arg) != 0)
			continue;
		if (!dry_run && qstore_remove(qs, ids[i]) < 0 &&
		    errno != ENOENT)
			continue;
		if (each && !dry_run)
			each(ids[i], 1, arg);
		count++;
	}
	quarantine_ids_free(ids, n);
	return count;
}

/* qstore_sweep - what unfinished writes left; how many, or -1 */
long
qstore_sweep(struct qstore *qs, time_t cutoff)
{
	return qs->ops->sweep(qs, cutoff);
}

/* qstore_audit - record who released or deleted what */
int
qstore_audit(struct qstore *qs, time_t now, const char *action, const char *id,
	     const char *detail)
{
	return qs->ops->audit(qs, now, action, id, detail);
}

/* qstore_token_use - 0, 1 if the token was used before (on any host of
 * the store), -1 */
int
qstore_token_use(struct qstore *qs, const struct token *t)
{
	return qs->ops->token_use(qs, t);
}

void
qstore_token_unuse(struct qstore *qs, const struct token *t)
{
	qs->ops->token_unuse(qs, t);
}

long
qstore_token_expire(struct qstore *qs, time_t now)
{
	return qs->ops->token_expire(qs, now);
}
