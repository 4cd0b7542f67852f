/*
 * spool - one message as the MTA delivered it, in memory up to a
 * threshold, then in an unlinked temporary file
 *
 * A write error is remembered (spool_failed) and reported at end of
 * message, where it becomes a tempfail: callbacks before end of message
 * never reject.
 */
#ifndef CLAMGATE_SPOOL_H
#define CLAMGATE_SPOOL_H

#include <stddef.h>
#include <stdint.h>

struct spool {
	char *mem;  /* in-memory part, while fd < 0 */
	size_t len; /* bytes in mem */
	size_t cap;
	int fd;		  /* unlinked temp file once spilled, else -1 */
	uint64_t size;	  /* total bytes appended */
	size_t threshold; /* spill to disk beyond this many bytes */
	const char *tmpdir;
	int error; /* errno of the first failure, 0 if none */
};

void spool_init(struct spool *sp, const char *tmpdir, size_t threshold);
void spool_reset(struct spool *sp);
int spool_append(struct spool *sp, const void *data, size_t len);
int spool_append_header(struct spool *sp, const char *name, const char *value,
			int leadspc);
int spool_copy_to(const struct spool *sp, int fd);
char *spool_head(const struct spool *sp, size_t max);

#endif
