/*
 * NAME
 *	cli_migrate - clamgate-quarantine migrate: copy every entry between
 *	the directory store and the database store
 * SYNOPSIS
 *	clamgate-quarantine migrate --to postgresql|dir [--dry-run]
 * DESCRIPTION
 *	--to postgresql copies the entries of quarantine.directory into the
 *	database quarantine.dsn; --to dir copies the database's entries
 *	into quarantine.directory.  quarantine.backend does not matter:
 *	both places come from the configuration.  Each entry keeps its id
 *	and its bytes (the envelope and the original, which both stores
 *	keep alike); the bytes are hashed (SHA-256) as they are copied, and
 *	the copy is read back from the target and its hash compared: a copy
 *	that does not read back as written is removed again and counts as
 *	a failure.  An entry the target has already, with the same hash,
 *	counts as present (a second run copies nothing); with another hash
 *	it is a failure, and neither is touched.  A dry run says which
 *	entries it would copy and which are present.  Nothing is removed from
 *the source: once the counts agree, the administrator switches
 *quarantine.backend and clears the old store.  Each entry is printed with its
 *checksum and what happened, then the counts.  The audit record and the used
 *	release tokens are not copied (the tokens live ten minutes; the
 *	old audit record stays where it is).
 * DIAGNOSTICS
 *	Exit 0 when every entry was copied or present, 1 if any failed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clamgate/cli.h"
#include "clamgate/log.h"
#include "clamgate/token.h"

#define MIG_SHA_HEX TOKEN_SHA256_HEX

struct mig {
	struct qstore *from, *to;
	int dry;
	unsigned long copied, present, failed;
};

/* the source of a put: an entry of another store, hashed as it is
 * copied */
struct mig_src {
	struct qstore *qs;
	const struct quarantine_entry *e;
	void *sum;
};

/* what the source's bytes pass through: the digest, then the put */
struct mig_tee {
	int (*fn)(const void *, size_t, void *);
	void *arg;
	void *sum;
};

static int
mig_tee_fn(const void *data, size_t len, void *arg)
{
	struct mig_tee *t = arg;

	token_sha256_add(t->sum, data, len);
	return t->fn(data, len, t->arg);
}

static int
mig_each(void *src, int (*fn)(const void *, size_t, void *), void *arg)
{
	struct mig_src *m = src;
	struct mig_tee t = {fn, arg, m->sum};

	return qstore_each_original(m->qs, m->e, mig_tee_fn, &t);
}

static int
mig_hash(const void *data, size_t len, void *arg)
{
	token_sha256_add(arg, data, len);
	return 0;
}

/* mig_read - entry id of qs and its envelope (caller frees both); 0, or
 * -1 after saying why */
static int
mig_read(struct qstore *qs, const char *id, struct quarantine_entry *e,
	 char **env, size_t *envlen)
{
	*env = NULL;
	if (qstore_read(qs, id, e, QUARANTINE_READ_ENVELOPE) < 0)
		cli_error("%s", qstore_error());
	else if (e->damaged)
		cli_error("%s: damaged entry: %s", e->path, e->problem);
	else if (qstore_envelope(qs, e, env, envlen) < 0)
		cli_error("%s", qstore_error());
	else
		return 0;
	return -1;
}

/* mig_digest - SHA-256 of entry id in qs, envelope and original, in
 * hex; 0, or -1 after saying why */
static int
mig_digest(struct qstore *qs, const char *id, char hex[MIG_SHA_HEX])
{
	struct quarantine_entry e;
	void *sum = token_sha256_new();
	char *env;
	size_t len;
	int rc = mig_read(qs, id, &e, &env, &len);

	if (rc == 0) {
		token_sha256_add(sum, env, len);
		rc = qstore_each_original(qs, &e, mig_hash, sum);
		if (rc != 0)
			cli_error("%s", qstore_error());
	}
	token_sha256_end(sum, hex);
	free(env);
	quarantine_entry_free(&e);
	return rc;
}

/* mig_has - the target has an entry id already */
static int
mig_has(struct mig *m, const char *id)
{
	struct quarantine_entry t;
	int rc = qstore_read(m->to, id, &t, QUARANTINE_READ_ENVELOPE);

	quarantine_entry_free(&t);
	return rc == 0;
}

/* mig_present - the target's entry id against the source's; "present"
 * if they are the same bytes, else NULL after saying so */
static const char *
mig_present(struct mig *m, const char *id, char sum[MIG_SHA_HEX])
{
	char back[MIG_SHA_HEX];

	if (mig_digest(m->from, id, sum) < 0 || mig_digest(m->to, id, back) < 0)
		return NULL;
	if (strcmp(back, sum) == 0)
		return "present";
	cli_error("%s: the target has another entry of this id (SHA-256 %s): "
		  "both kept as they are",
		  id, back);
	return NULL;
}

/* mig_put - copy one entry, hashing the bytes copied, and read it back;
 * a copy that reads back otherwise is removed again; the word for what
 * happened, or NULL after saying why */
static const char *
mig_put(struct mig *m, const struct quarantine_entry *e, const char *env,
	size_t len, char sum[MIG_SHA_HEX])
{
	struct mig_src ms = {m->from, e, token_sha256_new()};
	struct qstore_src src = {mig_each, &ms, e->size};
	char back[MIG_SHA_HEX];
	int rc, err;

	token_sha256_add(ms.sum, env, len);
	rc = qstore_put(m->to, e->id, env, len, &src);
	err = errno;
	token_sha256_end(ms.sum, sum);
	if (rc < 0 && err == EEXIST) /* copied meanwhile */
		return mig_present(m, e->id, sum);
	if (rc < 0) {
		cli_error("%s", qstore_error());
		return NULL;
	}
	if (mig_digest(m->to, e->id, back) == 0 && strcmp(back, sum) == 0)
		return "copied";
	if (qstore_remove(m->to, e->id) < 0)
		cli_error("%s", qstore_error());
	cli_error("%s: the copy does not read back as written: removed", e->id);
	return NULL;
}

/* mig_copy - what to do with one entry, done */
static const char *
mig_copy(struct mig *m, const struct quarantine_entry *e, const char *env,
	 size_t len, char sum[MIG_SHA_HEX])
{
	if (mig_has(m, e->id))
		return mig_present(m, e->id, sum);
	if (m->dry)
		return mig_digest(m->from, e->id, sum) == 0 ? "to-copy" : NULL;
	return mig_put(m, e, env, len, sum);
}

/* mig_one - copy and check entry id */
static void
mig_one(struct mig *m, const char *id)
{
	struct quarantine_entry e;
	char sum[MIG_SHA_HEX], *env;
	const char *what = NULL;
	size_t len;

	if (mig_read(m->from, id, &e, &env, &len) == 0)
		what = mig_copy(m, &e, env, len, sum);
	if (what == NULL)
		m->failed++;
	else if (strcmp(what, "present") == 0)
		m->present++;
	else
		m->copied++;
	printf("%s  %s  %s\n", id, what ? sum : "-", what ? what : "FAILED");
	free(env);
	quarantine_entry_free(&e);
}

/* mig_open - the two stores; 0 or -1 after saying why */
static int
mig_open(struct cli *c, const char *to, struct mig *m)
{
	const char *dsn = c->cfg->quarantine.dsn;
	struct qstore *pg, *dir;

	if (strcmp(to, "postgresql") != 0 && strcmp(to, "dir") != 0)
		return -1;
	if (dsn == NULL || dsn[0] == '\0') {
		cli_error("migrate needs quarantine.dsn, the database");
		return -1;
	}
	pg = qstore_open_pg(dsn);
	dir = qstore_open_dir(c->dir);
	if (pg == NULL || dir == NULL) {
		cli_error("%s", qstore_error());
		qstore_close(pg);
		qstore_close(dir);
		return -1;
	}
	m->from = strcmp(to, "dir") == 0 ? pg : dir;
	m->to = strcmp(to, "dir") == 0 ? dir : pg;
	return 0;
}

/* cli_migrate - every entry of one store into the other */
int
cli_migrate(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"to", required_argument, NULL, 't'},
	    {"dry-run", no_argument, NULL, 'n'},
	    {NULL, 0, NULL, 0}};
	struct mig m = {0};
	const char *to = NULL;
	char **ids;
	size_t n;
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 't')
			to = optarg;
		else if (ch == 'n')
			m.dry = 1;
		else
			return cli_usage(c);
	}
	if (to == NULL || optind != argc)
		return cli_usage(c);
	if (mig_open(c, to, &m) < 0)
		return strcmp(to, "postgresql") && strcmp(to, "dir")
			   ? cli_usage(c)
			   : CLI_NOT_FOUND;
	if (qstore_ids(m.from, &ids, &n) < 0) {
		cli_error("%s", qstore_error());
		m.failed = 1;
		n = 0;
		ids = NULL;
	}
	for (size_t i = 0; i < n; i++)
		mig_one(&m, ids[i]);
	quarantine_ids_free(ids, n);
	printf("%s %s -> %s: %lu %s, %lu present, %lu failed\n",
	       m.dry ? "would migrate" : "migrated", qstore_where(m.from),
	       qstore_where(m.to), m.copied, m.dry ? "to copy" : "copied",
	       m.present, m.failed);
	if (!m.dry)
		log_info("migrate to %s: %lu copied, %lu present, %lu failed",
			 to, m.copied, m.present, m.failed);
	qstore_close(m.from);
	qstore_close(m.to);
	return m.failed ? CLI_NOT_FOUND : CLI_OK;
}
