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
 *	keep alike); after the copy the entry is read back from the target
 *	and its SHA-256 compared with the source's.  An entry the target
 *	has already, with the same checksum, counts as present (a second
 *	run copies nothing); with another checksum it is a failure, and
 *	neither copy is touched.  Nothing is removed from the source: once
 *	the counts agree, the administrator switches quarantine.backend and
 *	clears the old store.  Each entry is printed with its checksum and
 *	what happened, then the counts.  The audit record and the used
 *	release tokens are not copied (the tokens live ten minutes; the
 *	old audit record stays where it is).
 * DIAGNOSTICS
 *	Exit 0 when every entry was copied or present, 1 if any failed.
 */
#include <errno.h>
#include <getopt.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clamgate/cli.h"
#include "clamgate/log.h"

#define MIG_SHA_HEX 65

struct mig {
	struct qstore *from, *to;
	int dry;
	unsigned long copied, present, failed;
};

/* the source of a put: an entry of another store */
struct mig_src {
	struct qstore *qs;
	const struct quarantine_entry *e;
};

static int
mig_each(void *src, int (*fn)(const void *, size_t, void *), void *arg)
{
	struct mig_src *m = src;

	return qstore_each_original(m->qs, m->e, fn, arg);
}

static int
mig_hash(const void *data, size_t len, void *arg)
{
	g_checksum_update(arg, data, (gssize)len);
	return 0;
}

/* mig_digest - SHA-256 of entry id in qs, envelope and original, in
 * hex; its envelope in *env if asked; 0, or -1 after saying why */
static int
mig_digest(struct qstore *qs, const char *id, struct quarantine_entry *e,
	   char **env, size_t *envlen, char hex[MIG_SHA_HEX])
{
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	int rc = -1;

	if (qstore_read(qs, id, e, QUARANTINE_READ_ENVELOPE) < 0)
		cli_error("%s", qstore_error());
	else if (e->damaged)
		cli_error("%s: damaged entry: %s", e->path, e->problem);
	else if (qstore_envelope(qs, e, env, envlen) < 0)
		cli_error("%s", qstore_error());
	else {
		g_checksum_update(sum, (const guchar *)*env, (gssize)*envlen);
		if (qstore_each_original(qs, e, mig_hash, sum) == 0) {
			snprintf(hex, MIG_SHA_HEX, "%s",
				 g_checksum_get_string(sum));
			rc = 0;
		} else {
			cli_error("%s", qstore_error());
		}
	}
	g_checksum_free(sum);
	return rc;
}

/* mig_target - the digest of id in the target store, or -1 */
static int
mig_target(struct mig *m, const char *id, char hex[MIG_SHA_HEX])
{
	struct quarantine_entry t;
	char *env = NULL;
	size_t len;
	int rc = mig_digest(m->to, id, &t, &env, &len, hex);

	free(env);
	quarantine_entry_free(&t);
	return rc;
}

/* mig_put - copy one entry; the word for what happened */
static const char *
mig_put(struct mig *m, const struct quarantine_entry *e, const char *env,
	size_t len, const char *sum)
{
	struct mig_src ms = {m->from, e};
	struct qstore_src src = {mig_each, &ms, e->size};
	char back[MIG_SHA_HEX];
	int rc = qstore_put(m->to, e->id, env, len, &src);

	if (rc < 0 && errno != EEXIST) {
		cli_error("%s", qstore_error());
		return NULL;
	}
	if (mig_target(m, e->id, back) < 0)
		return NULL;
	if (strcmp(back, sum) != 0) {
		cli_error("%s: the target's copy differs (SHA-256 %s)%s", e->id,
			  back, rc < 0 ? "; it was there before: kept" : "");
		return NULL;
	}
	return rc < 0 ? "present" : "copied";
}

/* mig_one - copy and check entry id */
static void
mig_one(struct mig *m, const char *id)
{
	struct quarantine_entry e;
	char sum[MIG_SHA_HEX], *env = NULL;
	const char *what = NULL;
	size_t len;

	if (mig_digest(m->from, id, &e, &env, &len, sum) == 0)
		what = m->dry ? "to-copy" : mig_put(m, &e, env, len, sum);
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
