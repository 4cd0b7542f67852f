/*
 * qstore - the quarantine store behind one interface: a directory of
 * files on this host ("dir", quarantine.h), or a PostgreSQL database
 * every host shares ("postgresql", qstore_pg.c)
 *
 * An entry is what quarantine.h describes: an envelope, the
 * X-Clamgate-* header block ending in X-Clamgate-Original-Size, and the
 * original message byte for byte.  Both backends keep exactly these
 * bytes, so an entry read from either is parsed by the same code, and
 * migrate copies entries between them unchanged.
 *
 * The store also keeps the record of who released and deleted what
 * (audit) and of the release tokens used (a token's single use holds
 * on every host that shares the store).  The key that signs release
 * tokens stays a file, quarantine.directory/.release-key, on every
 * host (docs/scale-out.md).
 *
 * Every operation that fails returns -1 (or NULL), with errno set and
 * the reason in qstore_error(); nothing is ever half written: a put
 * either stores the whole entry durably or leaves nothing.
 */
#ifndef CLAMGATE_QSTORE_H
#define CLAMGATE_QSTORE_H

#include <stddef.h>
#include <time.h>

#include "clamgate/config.h"
#include "clamgate/quarantine.h"
#include "clamgate/token.h"

struct qstore;

/* the original message of a put, read in pieces */
struct qstore_src {
	int (*each)(void *src, int (*fn)(const void *, size_t, void *),
		    void *arg);
	void *src;
	unsigned long long size;
};

struct qstore *qstore_open(const struct cg_config *cfg);
struct qstore *qstore_open_dir(const char *dir);
struct qstore *qstore_open_pg(const char *dsn);
void qstore_close(struct qstore *qs);
const char *qstore_where(const struct qstore *qs);
const char *qstore_backend(const struct qstore *qs);
const char *qstore_error(void);
/* note the reason of a failure (this thread's); errno = err; -1 */
int qstore_fail(int err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int qstore_state(struct qstore *qs, char *buf, size_t len);

int qstore_ids(struct qstore *qs, char ***ids, size_t *n);
int qstore_resolve(struct qstore *qs, const char *prefix,
		   char id[QUARANTINE_ID_MAX]);
int qstore_read(struct qstore *qs, const char *id, struct quarantine_entry *e,
		enum quarantine_read_what what);
int qstore_each_original(struct qstore *qs, const struct quarantine_entry *e,
			 int (*fn)(const void *data, size_t len, void *arg),
			 void *arg);
int qstore_copy_original(struct qstore *qs, const struct quarantine_entry *e,
			 int fd);
int qstore_envelope(struct qstore *qs, const struct quarantine_entry *e,
		    char **env, size_t *len);
int qstore_put(struct qstore *qs, const char *id, const char *env,
	       size_t envlen, const struct qstore_src *src);
int qstore_remove(struct qstore *qs, const char *id);
int qstore_mark_released(struct qstore *qs, const struct quarantine_entry *e,
			 const char *note);
int qstore_usage(struct qstore *qs, unsigned long long *entries,
		 unsigned long long *bytes);
long qstore_expire(struct qstore *qs, time_t cutoff, int dry_run,
		   int (*each)(const char *id, int removed, void *arg),
		   void *arg);
long qstore_sweep(struct qstore *qs, time_t cutoff);
int qstore_audit(struct qstore *qs, time_t now, const char *action,
		 const char *id, const char *detail);
int qstore_token_use(struct qstore *qs, const struct token *t);
void qstore_token_unuse(struct qstore *qs, const struct token *t);
long qstore_token_expire(struct qstore *qs, time_t now);

/* the benchmark's store generator only: no fsync in the dir backend */
void qstore_dir_durable(int durable);

#endif
