/*
 * NAME
 *	spool - collect one message in memory, then in an unlinked temp file
 * DESCRIPTION
 *	spool_append() keeps bytes in memory until the threshold
 *	(scanner.spool_memory) would be passed, then moves everything to an
 *	unlinked file in the temp directory (O_TMPFILE where the filesystem
 *	has it, else mkstemp and unlink), so memory does not grow with the
 *	size of the message and nothing is left on disk after a crash.
 *	Headers arrive from libmilter as name and value; spool_append_header
 *	re-assembles them with CRLF line ends as they were on the wire.
 *
 *	All spool files together may hold at most the budget set by
 *	spool_set_disk_budget() (scanner.max_spool_disk): a message whose
 *	next bytes would pass it fails with EDQUOT, as on a full disk, so
 *	that a burst of large messages cannot fill the filesystem that the
 *	MTA's queue may share.  Each spool gives its share back when reset.
 *
 *	The lead given to spool_init() is stored before the first byte of
 *	each message, so that a scanner reading the stored bytes (from
 *	memory, or the file by descriptor, as clamd's FILDES does) sees it
 *	first.  Message offsets (spool_each, spool_copy_to, spool_head, size)
 *	never count it.
 * DIAGNOSTICS
 *	A failed write sets sp->error (an errno) and every later append is
 *	ignored; the message is then tempfailed at end of message.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "clamgate/fdio.h"
#include "clamgate/log.h"
#include "clamgate/spool.h"
#include "clamgate/xmalloc.h"

static _Atomic uint64_t spool_disk_used;
static _Atomic uint64_t spool_disk_budget; /* 0: no budget */

/* spool_set_disk_budget - bytes all spool files may hold; 0: no limit */
void
spool_set_disk_budget(uint64_t bytes)
{
	atomic_store(&spool_disk_budget, bytes);
}

/* spool_disk_in_use - bytes held by spool files now */
uint64_t
spool_disk_in_use(void)
{
	return atomic_load(&spool_disk_used);
}

/* spool_charge - take len bytes of the disk budget; 0, or -1 (EDQUOT)
 * without taking anything */
static int
spool_charge(struct spool *sp, size_t len)
{
	uint64_t budget = atomic_load(&spool_disk_budget);
	uint64_t used = atomic_load(&spool_disk_used);

	/* take it only if it fits: a failed try must not make another
	 * message fail in passing */
	do {
		if (budget > 0 && used + len > budget) {
			errno = EDQUOT;
			sp->error = EDQUOT;
			log_error("spool files would pass "
				  "scanner.max_spool_disk (%llu bytes in use "
				  "of %llu): message tempfailed",
				  (unsigned long long)used,
				  (unsigned long long)budget);
			return -1;
		}
	} while (
	    !atomic_compare_exchange_weak(&spool_disk_used, &used, used + len));
	sp->on_disk += len;
	return 0;
}

/* spool_init - an empty spool */
void
spool_init(struct spool *sp, const char *tmpdir, size_t threshold,
	   const char *lead)
{
	memset(sp, 0, sizeof(*sp));
	sp->fd = -1;
	sp->tmpdir = tmpdir;
	sp->threshold = threshold;
	sp->lead = lead;
	sp->lead_len = lead ? strlen(lead) : 0;
}

/* spool_reset - forget the message, keep the settings */
void
spool_reset(struct spool *sp)
{
	if (sp->fd >= 0)
		close(sp->fd);
	atomic_fetch_sub(&spool_disk_used, sp->on_disk);
	free(sp->mem);
	spool_init(sp, sp->tmpdir, sp->threshold, sp->lead);
}

/* spool_open_tmp - an unlinked read-write file in dir */
static int
spool_open_tmp(const char *dir)
{
	char path[4096];
	int fd;

	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR))
		return fd;
	snprintf(path, sizeof(path), "%s/clamgate.XXXXXX", dir);
	if ((fd = mkostemp(path, O_CLOEXEC)) < 0)
		return -1;
	unlink(path);
	return fd;
}

/* spool_fail - remember the first failure and log it; -1 */
static int
spool_fail(struct spool *sp, const char *what)
{
	sp->error = errno;
	log_error("cannot %s spool file in %s: %m", what, sp->tmpdir);
	return -1;
}

/* spool_spill - move the memory part to a temp file */
static int
spool_spill(struct spool *sp)
{
	int fd;

	if (spool_charge(sp, sp->len) < 0)
		return -1;
	if ((fd = spool_open_tmp(sp->tmpdir)) < 0)
		return spool_fail(sp, "create");
	if (fdio_write_all(fd, sp->mem, sp->len) < 0) {
		spool_fail(sp, "write");
		close(fd);
		return -1;
	}
	free(sp->mem);
	sp->mem = NULL;
	sp->len = sp->cap = 0;
	sp->fd = fd;
	return 0;
}

/* spool_store - add bytes to what is stored */
static int
spool_store(struct spool *sp, const void *data, size_t len)
{
	if (sp->fd < 0 && sp->len + len > sp->threshold && spool_spill(sp) < 0)
		return -1;
	if (sp->fd >= 0) {
		if (spool_charge(sp, len) < 0)
			return -1;
		if (fdio_write_all(sp->fd, data, len) < 0)
			return spool_fail(sp, "write");
	} else {
		if (sp->len + len > sp->cap) {
			sp->cap = (sp->len + len) * 2;
			if (sp->cap > sp->threshold &&
			    sp->threshold >= sp->len + len)
				sp->cap = sp->threshold;
			sp->mem = xrealloc(sp->mem, sp->cap);
		}
		memcpy(sp->mem + sp->len, data, len);
		sp->len += len;
	}
	sp->stored += len;
	return 0;
}

/* spool_append - add bytes to the message (the lead first, once) */
int
spool_append(struct spool *sp, const void *data, size_t len)
{
	if (sp->error)
		return -1;
	if (len == 0)
		return 0;
	if (sp->stored == 0 && sp->lead_len > 0 &&
	    spool_store(sp, sp->lead, sp->lead_len) < 0)
		return -1;
	if (spool_store(sp, data, len) < 0)
		return -1;
	sp->size += len;
	return 0;
}

/* spool_append_header - "Name:value\r\n", folded lines with CRLF */
int
spool_append_header(struct spool *sp, const char *name, const char *value,
		    int leadspc)
{
	const char *p, *nl;

	if (spool_append(sp, name, strlen(name)) < 0 ||
	    spool_append(sp, leadspc ? ":" : ": ", leadspc ? 1 : 2) < 0)
		return -1;
	for (p = value; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		size_t len = (size_t)(nl - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (spool_append(sp, p, len) < 0 ||
		    spool_append(sp, "\r\n", 2) < 0)
			return -1;
	}
	if (spool_append(sp, p, strlen(p)) < 0)
		return -1;
	return spool_append(sp, "\r\n", 2);
}

/* spool_read - up to len stored bytes (the lead included) at off */
ssize_t
spool_read(const struct spool *sp, uint64_t off, void *buf, size_t len)
{
	ssize_t n;

	if (off >= sp->stored)
		return 0;
	if (len > sp->stored - off)
		len = (size_t)(sp->stored - off);
	if (sp->fd < 0) {
		memcpy(buf, sp->mem + off, len);
		return (ssize_t)len;
	}
	do
		n = pread(sp->fd, buf, len, (off_t)off);
	while (n < 0 && errno == EINTR);
	return n;
}

/* spool_map - the message's bytes, lead skipped, readable in memory
 * (mapped when the spool is a file); NULL (errno) when they cannot be */
const char *
spool_map(const struct spool *sp, size_t *len)
{
	const char *base;

	*len =
	    sp->stored > sp->lead_len ? (size_t)(sp->stored - sp->lead_len) : 0;
	if (sp->fd < 0)
		return sp->stored > 0 ? sp->mem + sp->lead_len : "";
	if (sp->stored == 0)
		return "";
	base =
	    mmap(NULL, (size_t)sp->stored, PROT_READ, MAP_PRIVATE, sp->fd, 0);
	return base == MAP_FAILED ? NULL : base + sp->lead_len;
}

/* spool_unmap - give back what spool_map returned */
void
spool_unmap(const struct spool *sp, const char *p)
{
	if (sp->fd >= 0 && sp->stored > 0 && p != NULL)
		munmap((void *)(p - sp->lead_len), (size_t)sp->stored);
}

/* spool_each - call fn on the message bytes from message offset from;
 * stops at fn's first non-zero return, which it returns; -1 (errno) on
 * a read error */
int
spool_each(const struct spool *sp, uint64_t from,
	   int (*fn)(const void *data, size_t len, void *arg), void *arg)
{
	uint64_t off = sp->stored > 0 ? sp->lead_len + from : 0;

	if (off >= sp->stored)
		return 0;
	if (sp->fd < 0)
		return fn(sp->mem + off, sp->len - off, arg);
	return fdio_each(sp->fd, off, sp->stored - off, fn, arg);
}

/* spool_copy_to - write the whole message (without the lead) to fd */
int
spool_copy_to(const struct spool *sp, int fd)
{
	return spool_each(sp, 0, fdio_write_chunk, &fd);
}

/* spool_head - the header section (up to the empty line), at most max
 * bytes, as a string; the caller frees it */
char *
spool_head(const struct spool *sp, size_t max)
{
	size_t len = sp->size < max ? (size_t)sp->size : max;
	char *buf = xmalloc(len + 1), *end;
	ssize_t n = 0;

	if (len > 0)
		n = spool_read(sp, sp->lead_len, buf, len);
	buf[n > 0 ? n : 0] = '\0';
	if ((end = strstr(buf, "\r\n\r\n")) != NULL)
		end[2] = '\0';
	return buf;
}
