/*
 * NAME
 *	fdio - write all of a buffer; read a file's range in pieces
 * SYNOPSIS
 *	int fdio_write_all(fd, buf, len)
 *	int fdio_write_chunk(data, len, &fd)
 *	int fdio_each(fd, from, len, fn, arg)
 * DESCRIPTION
 *	fdio_write_chunk() is fdio_write_all() as an fdio_each() callback,
 *	its argument a pointer to the descriptor.
 * DIAGNOSTICS
 *	-1 with errno set: ETIMEDOUT when a non-blocking descriptor stays
 *	full for FDIO_WAIT_MS, EIO for a file shorter than asked.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "clamgate/fdio.h"
#include "clamgate/xmalloc.h"

#define CHUNK 65536

/* fdio_write_all - write(2) until done */
int
fdio_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EAGAIN) {
			struct pollfd pfd = {fd, POLLOUT, 0};
			if (poll(&pfd, 1, FDIO_WAIT_MS) != 1) {
				errno = ETIMEDOUT;
				return -1;
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fdio_write_chunk - an fdio_each callback: write to *(int *)arg */
int
fdio_write_chunk(const void *data, size_t len, void *arg)
{
	return fdio_write_all(*(const int *)arg, data, len);
}

/* fdio_each - fn on the bytes [from, from + len) of fd, in pieces */
int
fdio_each(int fd, uint64_t from, uint64_t len, fdio_chunk fn, void *arg)
{
	char *buf = xmalloc(CHUNK);
	int rc = 0;

	while (rc == 0 && len > 0) {
		size_t want = len < CHUNK ? (size_t)len : CHUNK;
		ssize_t n = pread(fd, buf, want, (off_t)from);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			rc = -1;
			break;
		}
		rc = fn(buf, (size_t)n, arg);
		from += (uint64_t)n;
		len -= (uint64_t)n;
	}
	free(buf);
	return rc;
}

/* fdio_sync_dir - fsync the directory at path; 0 or -1 */
int
fdio_sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}
