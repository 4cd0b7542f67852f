/*
 * vstore - the outbound gate's memory: verified senders and recent
 * correspondents, behind one interface a shared database can implement
 *
 * verified   an envelope sender of inbound mail that a trusted
 *            Authentication-Results verified (authres.h): the gate lets
 *            automatic replies go to it
 * contact    (remote, local): mail from the remote address reached the
 *            local one; an automatic-looking message from local to
 *            remote soon after is a response, not distribution
 *
 * Addresses are normalised by vstore_normalise(): angle brackets
 * removed, the whole address lowercased; one longer than
 * VSTORE_ADDR_MAX, or not valid UTF-8, normalises to "" and is neither
 * stored nor found.  A new verification or contact moves "last" to now
 * (the time counts from the latest pass) and keeps "first".  vstore_trim()
 * removes what is older than the cutoff, then the least recently seen rows
 * beyond max_rows, in each table.
 *
 * Backends: "sqlite" (a file: WAL mode, safe for the daemon's threads and
 * for clamgate-quarantine in another process at the same time).  Every
 * function returns -1 on error, with the reason in the store's last
 * error text (vstore_error), and never exits.  A lookup that fails is
 * the caller's "not verified".  The error text is kept per thread, as
 * errno is: vstore_error(st) describes the last call on st that failed
 * in the calling thread ("no error" if none did).  A store opened
 * read-only refuses put, trim and forget.
 */
#ifndef CLAMGATE_VSTORE_H
#define CLAMGATE_VSTORE_H

#include <stddef.h>
#include <time.h>

#define VSTORE_ADDR_MAX 320

enum vstore_table { VSTORE_VERIFIED, VSTORE_CONTACT };

struct vstore_row {
	enum vstore_table table;
	char addr[VSTORE_ADDR_MAX + 1];	 /* verified: the sender;
					  * contact: the remote address */
	char local[VSTORE_ADDR_MAX + 1]; /* contact: the local address */
	char how[16];			 /* verified: "spf", "dkim",
					  * "spf+dkim", "admin" */
	time_t first;
	time_t last;
	unsigned long count; /* passes or contacts seen */
};

struct vstore;

struct vstore *vstore_open(const char *backend, const char *where, int readonly,
			   char *err, size_t errlen);
void vstore_close(struct vstore *st);
const char *vstore_error(const struct vstore *st);

/* write many rows in one transaction (the daemon's writer batches): all
 * or none.  Addresses are normalised; an empty one, or a "how" that is
 * not words of a-z and 0-9 joined by '+', fails the batch.  Each row is
 * one more pass or contact (count + 1; row.count is ignored) seen at
 * row.last; row.first, if not 0, is the first time for a new row.  The
 * store keeps the earlier first and the later last, and merges "how":
 * "admin" stays, else the mechanisms add up (spf, then dkim:
 * "spf+dkim"). */
int vstore_put(struct vstore *st, const struct vstore_row *rows, size_t n);
/* 1 found (row filled if not NULL), 0 not found or older than since
 * (last < since), -1 on error */
int vstore_get_verified(struct vstore *st, const char *addr, time_t since,
			struct vstore_row *row);
/* local NULL: did remote write to anyone here? */
int vstore_get_contact(struct vstore *st, const char *remote, const char *local,
		       time_t since);
/* remove the rows with last < cutoff, then all but the max_rows most
 * recent (0: no limit), in each table; the number of rows removed */
int vstore_trim(struct vstore *st, time_t cutoff, unsigned long max_rows);
/* every row of a table, most recent first; fn returns non-zero to stop;
 * the number of rows given to fn.  fn must not call st's lookups. */
int vstore_each(struct vstore *st, enum vstore_table table,
		int (*fn)(const struct vstore_row *row, void *arg), void *arg);
/* remove an address from both tables (in contact as remote or local);
 * the number of rows removed */
long vstore_forget(struct vstore *st, const char *addr);
void vstore_normalise(const char *in, char out[VSTORE_ADDR_MAX + 1]);
/* for clamgate -t: where the store is and its schema's state, into buf;
 * 0, or -1 if it cannot be reached (the reason in buf) */
int vstore_state(struct vstore *st, char *buf, size_t len);
void vstore_shown(const char *backend, const char *where, char *buf,
		  size_t len);

#endif
