/*
 * spool - one message as the MTA delivered it, in memory up to a
 * threshold, then in an unlinked temporary file
 *
 * The stored bytes may begin with a lead, a few bytes the scanner reads
 * before the message (the scanner's synthetic first header line, see
 * scan.h).  Everything that needs the message itself (the quarantine
 * copy, the notice's header excerpt, the token digest, the MIME view)
 * skips it: spool_copy_to, spool_each, spool_head and spool_map work on
 * the message; the
 * scanners read the stored bytes (mem/len, or the whole file fd).
 *
 * A write error is remembered (sp->error) and reported at end of
 * message, where it becomes a tempfail: callbacks before end of message
 * never reject.
 */
#ifndef CLAMGATE_SPOOL_H
#define CLAMGATE_SPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct spool {
	char *mem;  /* stored bytes in memory, while fd < 0 */
	size_t len; /* bytes in mem */
	size_t cap;
	int fd;		  /* unlinked temp file once spilled, else -1 */
	uint64_t size;	  /* message bytes appended, the lead not counted */
	uint64_t stored;  /* bytes stored: the lead and the message */
	size_t threshold; /* spill to disk beyond this many stored bytes */
	const char *tmpdir;
	const char *lead; /* stored before the message, or NULL */
	size_t lead_len;
	int error;	  /* errno of the first failure, 0 if none */
	uint64_t on_disk; /* bytes charged to the disk budget */
};

void spool_set_disk_budget(uint64_t bytes);
uint64_t spool_disk_in_use(void);

void spool_init(struct spool *sp, const char *tmpdir, size_t threshold,
		const char *lead);
void spool_reset(struct spool *sp);
int spool_append(struct spool *sp, const void *data, size_t len);
int spool_append_header(struct spool *sp, const char *name, const char *value,
			int leadspc);
ssize_t spool_read(const struct spool *sp, uint64_t off, void *buf, size_t len);
int spool_each(const struct spool *sp, uint64_t from,
	       int (*fn)(const void *data, size_t len, void *arg), void *arg);
const char *spool_map(const struct spool *sp, size_t *len);
void spool_unmap(const struct spool *sp, const char *p);
int spool_copy_to(const struct spool *sp, int fd);
char *spool_head(const struct spool *sp, size_t max);

#endif
