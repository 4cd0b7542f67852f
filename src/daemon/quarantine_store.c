/*
 * NAME
 *	quarantine_store - write one message into the quarantine store
 * SYNOPSIS
 *	int quarantine_store(dir, meta, spool, id)
 * DESCRIPTION
 *	The file is named after its id, "YYYYMMDDTHHMMSS-" and 16 random
 *	hex digits, with ".eml" appended: sortable by time and unique across
 *	hosts that share the directory (O_EXCL makes a collision a retry, not
 *	an overwrite).  It is an RFC 5322 message: first the X-Clamgate-*
 *	headers with the envelope and the verdict, the last of them
 *	X-Clamgate-Original-Size, then the original message byte for byte,
 *	so a reader takes the last Original-Size bytes to get it back.
 *
 *	Steps: open ".ID.tmp" O_CREAT|O_EXCL 0600, write, fsync, close,
 *	link to "ID.eml" (which never replaces an existing file), unlink
 *	the dot name, fsync the directory.  Readers skip dot files,
 *	so they never see a partial file.
 * DIAGNOSTICS
 *	-1 with errno set, after logging why and removing the partial file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "clamgate/audit.h"
#include "clamgate/headers.h"
#include "clamgate/log.h"
#include "clamgate/quarantine_store.h"
#include "clamgate/xmalloc.h"

#define QUARANTINE_VALUE_MAX 998

/* 0 only in the benchmark's store generator: no fsync, for bulk fixtures */
static int quarantine_durable = 1;

/* quarantine_store_durable - fsync each entry (the default) or not */
void
quarantine_store_durable(int durable)
{
	quarantine_durable = durable;
}

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

/* quarantine_write_file - the whole file under tmp, synced */
static int
quarantine_write_file(int fd, const char *id,
		      const struct quarantine_meta *meta,
		      const struct spool *sp)
{
	FILE *f = fdopen(fd, "w");
	int rc = 0;

	if (f == NULL) {
		close(fd);
		return -1;
	}
	quarantine_envelope(f, id, meta, (unsigned long long)sp->size);
	if (fflush(f) != 0 || spool_copy_to(sp, fileno(f)) < 0 ||
	    (quarantine_durable && fsync(fileno(f)) < 0))
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

/* quarantine_sync_dir - make the link into place durable */
static int
quarantine_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* quarantine_store - store one message; 0 and its id, or -1 */
int
quarantine_store(const char *dir, const struct quarantine_meta *meta,
		 const struct spool *sp, char id[QUARANTINE_ID_MAX])
{
	char tmp[4096], final[4096];
	int fd = -1, saved;

	for (int tries = 0; fd < 0 && tries < 5; tries++) {
		if (quarantine_new_id(meta->when, id) < 0)
			goto fail;
		snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, id);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			goto fail;
	}
	if (fd < 0)
		goto fail;
	snprintf(final, sizeof(final), "%s/%s.eml", dir, id);
	if (quarantine_write_file(fd, id, meta, sp) < 0 || link(tmp, final) < 0)
		goto fail_unlink;
	unlink(tmp);
	if (quarantine_durable && quarantine_sync_dir(dir) < 0) {
		saved = errno;
		unlink(final);
		errno = saved;
		goto fail;
	}
	return 0;

fail_unlink:
	saved = errno;
	unlink(tmp);
	errno = saved;
fail:
	saved = errno;
	id[0] = '\0'; /* no entry: nobody may be told of one */
	log_error("cannot write quarantine file in %s: %m", dir);
	errno = saved;
	return -1;
}
