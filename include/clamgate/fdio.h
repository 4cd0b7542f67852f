/*
 * fdio - whole writes and chunked reads on descriptors, for every module
 * that moves message bytes (the spool, the quarantine, submissions)
 *
 * fdio_write_all() writes everything, through EINTR, and on a
 * non-blocking descriptor waits up to FDIO_WAIT_MS for room each time.
 * fdio_each() reads [from, from + len) with pread in 64 KiB pieces and
 * hands each to fn, stopping at fn's first non-zero return; a file that
 * ends early is EIO.  fdio_sync_dir() fsyncs a directory, so that a
 * name just linked or created in it survives a crash.
 */
#ifndef CLAMGATE_FDIO_H
#define CLAMGATE_FDIO_H

#include <stddef.h>
#include <stdint.h>

#define FDIO_WAIT_MS 60000

typedef int (*fdio_chunk)(const void *data, size_t len, void *arg);

int fdio_write_all(int fd, const void *buf, size_t len);
int fdio_write_chunk(const void *data, size_t len, void *arg);
int fdio_each(int fd, uint64_t from, uint64_t len, fdio_chunk fn, void *arg);
int fdio_sync_dir(const char *path);

#endif
