/*
 * NAME
 *	quarantine_store - write one message into the quarantine store
 * SYNOPSIS
 *	int quarantine_store(qs, meta, spool, id)
 * DESCRIPTION
 *	The entry's id is "YYYYMMDDTHHMMSS-" and 16 random hex digits:
 *	sortable by time and unique across hosts that share a store (a put
 *	of an id that exists fails with EEXIST and is retried with another
 *	one, never an overwrite).  The entry is an RFC 5322 message: first
 *	the X-Clamgate-* headers with the envelope and the verdict, the
 *	last of them X-Clamgate-Original-Size, then the original message
 *	byte for byte, so a reader takes the last Original-Size bytes to
 *	get it back.  The store (qstore.h) commits it durably before this
 *	returns 0: only then may the MTA be told to discard the message.
 * DIAGNOSTICS
 *	-1 with errno set, after logging why; nothing is stored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "clamgate/audit.h"
#include "clamgate/headers.h"
#include "clamgate/log.h"
#include "clamgate/quarantine_store.h"
#include "clamgate/xmalloc.h"

#define QUARANTINE_VALUE_MAX 998

/* quarantine_clean - a header value: printable, no CR/LF, bounded */
static void
quarantine_clean(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	for (; in && *in && n + 1 < outlen && n < QUARANTINE_VALUE_MAX; in++)
		out[n++] =
		    ((unsigned char)*in >= 0x20 && *in != 0x7f) ? *in : '?';
	out[n] = '\0';
}

/* quarantine_header - append "Name: value\r\n" to f */
static void
quarantine_header(FILE *f, const char *name, const char *value)
{
	char clean[QUARANTINE_VALUE_MAX + 1];

	quarantine_clean(value, clean, sizeof(clean));
	fprintf(f, HDR_ENTRY_PREFIX "%s: %s\r\n", name, clean);
}

/* quarantine_envelope - write the X-Clamgate-* headers */
static void
quarantine_envelope(FILE *f, const char *id, const struct quarantine_meta *m,
		    unsigned long long size)
{
	char date[64], host[AUDIT_HOST_MAX];
	struct tm tm;

	gmtime_r(&m->when, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	audit_host(host);
	quarantine_header(f, "Id", id);
	quarantine_header(f, "Host", host);
	quarantine_header(f, "Date", date);
	fprintf(f, HDR_ENTRY_PREFIX "Time: %lld\r\n", (long long)m->when);
	quarantine_header(f, "Sender", m->sender ? m->sender : "");
	for (size_t i = 0; i < m->n_rcpts; i++)
		quarantine_header(f, "Recipient", m->rcpts[i]);
	quarantine_header(f, "Client-Address", m->client_addr);
	quarantine_header(f, "Client-Name", m->client_name);
	quarantine_header(f, "Helo", m->helo);
	quarantine_header(f, "Queue-Id", m->queue_id);
	quarantine_header(f, "Virus", m->virus);
	quarantine_header(f, "Action", m->action);
	quarantine_header(f, "Engine", m->engine);
	if (m->gate != NULL)
		quarantine_header(f, "Gate", m->gate);
	fprintf(f, HDR_ENTRY_PREFIX HDR_ENTRY_SIZE ": %llu\r\n", size);
}

/* quarantine_new_id - time and 64 random bits */
static int
quarantine_new_id(time_t when, char id[QUARANTINE_ID_MAX])
{
	unsigned long long rnd;
	struct tm tm;
	size_t n;

	if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -1;
	gmtime_r(&when, &tm);
	n = strftime(id, QUARANTINE_ID_MAX, "%Y%m%dT%H%M%S-", &tm);
	snprintf(id + n, QUARANTINE_ID_MAX - n, "%016llx", rnd);
	return 0;
}

/* quarantine_spool_each - qstore_src over the spool */
static int
quarantine_spool_each(void *src, int (*fn)(const void *, size_t, void *),
		      void *arg)
{
	return spool_each(src, 0, fn, arg);
}

/* quarantine_env - the envelope of entry id, in memory (caller frees) */
static char *
quarantine_env(const char *id, const struct quarantine_meta *meta,
	       unsigned long long size, size_t *len)
{
	char *env = NULL;
	FILE *f = open_memstream(&env, len);

	if (f == NULL)
		return NULL;
	quarantine_envelope(f, id, meta, size);
	if (fclose(f) != 0) {
		free(env);
		return NULL;
	}
	return env;
}

/* quarantine_store - store one message; 0 and its id, or -1 */
int
quarantine_store(struct qstore *qs, const struct quarantine_meta *meta,
		 const struct spool *sp, char id[QUARANTINE_ID_MAX])
{
	struct qstore_src src = {quarantine_spool_each, (void *)sp,
				 (unsigned long long)sp->size};
	int rc = -1, saved;

	for (int tries = 0; tries < 5; tries++) {
		size_t len;
		char *env;

		if (quarantine_new_id(meta->when, id) < 0) {
			qstore_fail(errno, "cannot draw an id: %s",
				    strerror(errno));
			break;
		}
		if ((env = quarantine_env(id, meta, src.size, &len)) == NULL) {
			qstore_fail(errno, "cannot build an envelope: %s",
				    strerror(errno));
			break;
		}
		rc = qstore_put(qs, id, env, len, &src);
		saved = errno;
		free(env);
		if (rc == 0 || saved != EEXIST) /* EEXIST: the id is taken */
			break;
	}
	if (rc == 0)
		return 0;
	saved = errno;
	id[0] = '\0'; /* no entry: nobody may be told of one */
	log_error("cannot store in the quarantine: %s", qstore_error());
	errno = saved;
	return -1;
}
