/*
 * qstore_int - private to qstore.c and its backends (qstore_dir.c,
 * qstore_pg.c)
 *
 * qstore.c chooses the backend and does what needs only the others
 * (resolve a prefix, expire by the time in the ids, copy an original to
 * a descriptor); a backend stores and finds entries.  On failure a
 * backend calls qstore_fail() and returns -1.
 */
#ifndef CLAMGATE_QSTORE_INT_H
#define CLAMGATE_QSTORE_INT_H

#include "clamgate/qstore.h"

struct qstore {
	const struct qstore_ops *ops;
	char *where; /* the directory, or the database without password */
	void *be;    /* the backend's state */
};

struct qstore_ops {
	const char *name;
	int (*open)(struct qstore *qs, const char *where);
	void (*close)(struct qstore *qs);
	int (*state)(struct qstore *qs, char *buf, size_t len);
	int (*ids)(struct qstore *qs, char ***ids, size_t *n);
	int (*read)(struct qstore *qs, const char *id,
		    struct quarantine_entry *e, enum quarantine_read_what what);
	int (*each_original)(struct qstore *qs,
			     const struct quarantine_entry *e,
			     int (*fn)(const void *, size_t, void *),
			     void *arg);
	int (*envelope)(struct qstore *qs, const struct quarantine_entry *e,
			char **env, size_t *len);
	int (*put)(struct qstore *qs, const char *id, const char *env,
		   size_t envlen, const struct qstore_src *src);
	int (*remove)(struct qstore *qs, const char *id);
	int (*mark_released)(struct qstore *qs,
			     const struct quarantine_entry *e,
			     const char *note);
	int (*usage)(struct qstore *qs, unsigned long long *entries,
		     unsigned long long *bytes);
	long (*sweep)(struct qstore *qs, time_t cutoff);
	int (*audit)(struct qstore *qs, time_t now, const char *action,
		     const char *id, const char *detail);
	int (*token_use)(struct qstore *qs, const struct token *t);
	void (*token_unuse)(struct qstore *qs, const struct token *t);
	long (*token_expire)(struct qstore *qs, time_t now);
};

extern const struct qstore_ops qstore_dir_ops;
extern const struct qstore_ops qstore_pg_ops;

#endif
