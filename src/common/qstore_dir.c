/*
 * NAME
 *	qstore_dir - the quarantine store as a directory of files
 * SYNOPSIS
 *	const struct qstore_ops qstore_dir_ops; (backend "dir")
 * DESCRIPTION
 *	One file per entry, "ID.eml" (quarantine_read.c reads them), the
 *	record of releases and deletes in DIR/.audit (audit.c), the used
 *	release tokens in DIR/.used (token_store.c).
 *
 *	A put is crash safe and never overwrites: ".ID.tmp" opened
 *	O_CREAT|O_EXCL 0600, written, fsynced, linked to "ID.eml" (a link
 *	never replaces an existing file: EEXIST), the dot name unlinked, the
 *	directory fsynced.  Readers skip dot files, so they never see a
 *	partial file, and qstore_sweep() removes the dot files a crash left.
 * DIAGNOSTICS
 *	-1 with errno, the reason naming the directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clamgate/audit.h"
#include "clamgate/fdio.h"
#include "clamgate/xmalloc.h"
#include "qstore_int.h"

/* 0 only in the benchmark's store generator: no fsync, for bulk fixtures */
static int qd_durable = 1;

/* qstore_dir_durable - fsync each entry (the default) or not */
void
qstore_dir_durable(int durable)
{
	qd_durable = durable;
}

/* qd_fail - "DIR: what: strerror"; -1 with errno kept */
static int
qd_fail(const struct qstore *qs, const char *what)
{
	int err = errno;

	return qstore_fail(err, "%s: %s: %s", qs->where, what, strerror(err));
}

static int
qd_open(struct qstore *qs, const char *where)
{
	qs->where = xstrdup(where);
	return 0;
}

static void
qd_close(struct qstore *qs)
{
	(void)qs;
}

/* qd_state - for -t: the directory can be listed */
static int
qd_state(struct qstore *qs, char *buf, size_t len)
{
	unsigned long long n, bytes;

	if (quarantine_usage(qs->where, &n, &bytes) < 0) {
		snprintf(buf, len, "directory %s: %s", qs->where,
			 strerror(errno));
		return -1;
	}
	snprintf(buf, len, "directory %s: %llu entries", qs->where, n);
	return 0;
}

static int
qd_ids(struct qstore *qs, char ***ids, size_t *n)
{
	if (quarantine_ids(qs->where, ids, n) < 0)
		return qd_fail(qs, "cannot list the entries");
	return 0;
}

static int
qd_read(struct qstore *qs, const char *id, struct quarantine_entry *e,
	enum quarantine_read_what what)
{
	if (quarantine_read(qs->where, id, e, what) < 0) {
		int err = errno;
		qstore_fail(err, "cannot read %s: %s", e->path, strerror(err));
		quarantine_entry_free(e);
		return -1;
	}
	return 0;
}

static int
qd_each_original(struct qstore *qs, const struct quarantine_entry *e,
		 int (*fn)(const void *, size_t, void *), void *arg)
{
	int rc = quarantine_each_original(e, fn, arg);

	if (rc < 0)
		qstore_fail(errno, "cannot read %s: %s", e->path,
			    strerror(errno));
	(void)qs;
	return rc;
}

static int
qd_envelope(struct qstore *qs, const struct quarantine_entry *e, char **env,
	    size_t *len)
{
	if (quarantine_read_env(e, env, len) < 0)
		return qd_fail(qs, "cannot read an envelope");
	return 0;
}

/* qd_write - env and the original into fd, synced if durable */
static int
qd_write(int fd, const char *env, size_t envlen, const struct qstore_src *src)
{
	if (fdio_write_all(fd, env, envlen) < 0 ||
	    src->each(src->src, fdio_write_chunk, &fd) != 0)
		return -1;
	return qd_durable ? fsync(fd) : 0;
}

static int
qd_put(struct qstore *qs, const char *id, const char *env, size_t envlen,
       const struct qstore_src *src)
{
	char tmp[4200], final[4200];
	int fd, rc, err;

	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", qs->where, id);
	snprintf(final, sizeof(final), "%s/%s.eml", qs->where, id);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return qd_fail(qs, "cannot create an entry");
	rc = qd_write(fd, env, envlen, src);
	if (close(fd) < 0)
		rc = -1;
	if (rc == 0)
		rc = link(tmp, final);
	err = errno;
	unlink(tmp);
	if (rc == 0 && qd_durable && fdio_sync_dir(qs->where) < 0) {
		err = errno;
		unlink(final);
		rc = -1;
	}
	errno = err;
	return rc < 0 ? qd_fail(qs, "cannot write an entry") : 0;
}

static int
qd_remove(struct qstore *qs, const char *id)
{
	if (quarantine_remove(qs->where, id) < 0)
		return qd_fail(qs, "cannot remove an entry");
	return 0;
}

static int
qd_mark_released(struct qstore *qs, const struct quarantine_entry *e,
		 const char *note)
{
	if (quarantine_mark_released(e, note) < 0)
		return qd_fail(qs, "cannot mark an entry released");
	return 0;
}

static int
qd_usage(struct qstore *qs, unsigned long long *entries,
	 unsigned long long *bytes)
{
	if (quarantine_usage(qs->where, entries, bytes) < 0)
		return qd_fail(qs, "cannot list the entries");
	return 0;
}

static long
qd_sweep(struct qstore *qs, time_t cutoff)
{
	long n = quarantine_sweep_temp(qs->where, cutoff);

	if (n < 0)
		qd_fail(qs, "cannot sweep unfinished writes");
	return n;
}

static int
qd_audit(struct qstore *qs, time_t now, const char *action, const char *id,
	 const char *detail)
{
	if (audit_record(qs->where, now, action, id, detail) < 0)
		return qd_fail(qs, "cannot write " AUDIT_FILE);
	return 0;
}

static int
qd_token_use(struct qstore *qs, const struct token *t)
{
	int rc = token_use(qs->where, t);

	if (rc < 0)
		qd_fail(qs, "cannot record a token's use");
	return rc;
}

static void
qd_token_unuse(struct qstore *qs, const struct token *t)
{
	token_unuse(qs->where, t);
}

static long
qd_token_expire(struct qstore *qs, time_t now)
{
	long n = token_expire(qs->where, now);

	if (n < 0)
		qd_fail(qs, "cannot expire used tokens");
	return n;
}

const struct qstore_ops qstore_dir_ops = {
    .name = "dir",
    .open = qd_open,
    .close = qd_close,
    .state = qd_state,
    .ids = qd_ids,
    .read = qd_read,
    .each_original = qd_each_original,
    .envelope = qd_envelope,
    .put = qd_put,
    .remove = qd_remove,
    .mark_released = qd_mark_released,
    .usage = qd_usage,
    .sweep = qd_sweep,
    .audit = qd_audit,
    .token_use = qd_token_use,
    .token_unuse = qd_token_unuse,
    .token_expire = qd_token_expire,
};
