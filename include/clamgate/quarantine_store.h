/*
 * quarantine_store - the daemon's write side of the quarantine store
 *
 * The entry is built here (its id and X-Clamgate-* envelope) and put
 * into the store (qstore.h), which commits it durably or stores
 * nothing.  Any failure returns -1 with errno set; the caller then
 * tempfails the message.
 */
#ifndef CLAMGATE_QUARANTINE_STORE_H
#define CLAMGATE_QUARANTINE_STORE_H

#include <stddef.h>
#include <time.h>

#include "clamgate/qstore.h"
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

int quarantine_store(struct qstore *qs, const struct quarantine_meta *meta,
		     const struct spool *sp, char id[QUARANTINE_ID_MAX]);

#endif
