/*
 * quarantine_store - the daemon's write side of the quarantine store
 *
 * Writing is crash safe and never overwrites: O_EXCL 0600 under a dot
 * name, fsync, link into place (never over an existing file), unlink the
 * dot name, fsync the directory.  Names are unique across hosts sharing
 * the directory.  Any failure returns -1 with errno set and leaves no
 * file behind; the caller then tempfails the message.
 */
#ifndef CLAMGATE_QUARANTINE_STORE_H
#define CLAMGATE_QUARANTINE_STORE_H

#include <stddef.h>
#include <time.h>

#include "clamgate/quarantine.h"
#include "clamgate/spool.h"

struct quarantine_meta {
	const char *sender;
	char *const *rcpts;
	size_t n_rcpts;
	const char *client_addr;
	const char *client_name;
	const char *helo;
	const char *queue_id;
	const char *virus;
	const char *action;
	const char *engine; /* "ClamAV 1.4.6/27000" */
	time_t when;
	const char *gate; /* outbound gate: "kind=... rule=... why=...",
			   * or NULL */
};

int quarantine_store(const char *dir, const struct quarantine_meta *meta,
		     const struct spool *sp, char id[QUARANTINE_ID_MAX]);
void quarantine_store_durable(int durable);

#endif
