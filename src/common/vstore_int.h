/*
 * vstore_int - private to vstore.c and its backends (vstore_sqlite.c,
 * vstore_pg.c)
 *
 * vstore.c chooses a backend by name, normalises and checks every
 * address before a backend sees it, and keeps the error text; a backend
 * only stores and finds rows.  Every operation of a backend gets the
 * store (st->be is the backend's own state), and on failure calls
 * vstore_fail() and returns -1.  Rows given to put are already
 * normalised and valid.
 */
#ifndef CLAMGATE_VSTORE_INT_H
#define CLAMGATE_VSTORE_INT_H

#include "clamgate/vstore.h"

#define VSTORE_HOW_MAX (sizeof(((struct vstore_row *)0)->how) - 1)

struct vstore {
	const struct vstore_ops *ops;
	char *where; /* the backend's address of the store (a path) */
	int readonly;
	void *be; /* the backend's state */
};

struct vstore_ops {
	const char *name;
	int (*open)(struct vstore *st);
	void (*close)(struct vstore *st);
	int (*put)(struct vstore *st, const struct vstore_row *rows, size_t n);
	int (*get_verified)(struct vstore *st, const char *addr, time_t since,
			    struct vstore_row *row);
	int (*get_contact)(struct vstore *st, const char *remote,
			   const char *local, time_t since);
	int (*trim)(struct vstore *st, time_t cutoff, unsigned long max_rows);
	int (*each)(struct vstore *st, enum vstore_table table,
		    int (*fn)(const struct vstore_row *row, void *arg),
		    void *arg);
	long (*forget)(struct vstore *st, const char *addr);
	/* NULL: nothing to say beyond "opened" */
	int (*state)(struct vstore *st, char *buf, size_t len);
};

extern const struct vstore_ops vstore_sqlite_ops;
extern const struct vstore_ops vstore_pg_ops;

/* "WHERE: what: detail" (detail may be NULL) as st's error; returns -1 */
int vstore_fail(const struct vstore *st, const char *what, const char *detail);
/* the merged "how" of a verified address seen again */
void vstore_how_merge(const char *old, const char *add,
		      char out[VSTORE_HOW_MAX + 1]);

#endif
