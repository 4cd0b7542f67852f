/*
 * NAME
 *	outbox - notices the MTA could not take yet, kept until it can
 * DESCRIPTION
 *	A notice that could not be submitted (the MTA down, or stopped
 *	before clamgate at shutdown, or clamgate itself draining, so that
 *	the notice coming back through it was tempfailed) is written to
 *	DIR/.outbox/TIME-RANDOM.txt (mode 0600, through a temporary name),
 *	unsigned: its token is made when it is sent, since a token is good
 *	for ten minutes only.  outbox_flush() hands the files to a sender,
 *	oldest first, removes each one that was sent and stops at the first
 *	that was not.  At most OUTBOX_MAX files are kept; past that a notice
 *	is dropped with a log line, so a long outage cannot fill the disk.
 * DIAGNOSTICS
 *	outbox_put() returns -1 (errno) when the notice could not be kept.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clamgate/fdio.h"
#include "clamgate/outbox.h"
#include "clamgate/xmalloc.h"

#define OUTBOX_MAX  500
#define OUTBOX_NAME ".outbox"

/* outbox_dir - DIR/.outbox, made if needed */
static int
outbox_dir(const char *dir, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", dir, OUTBOX_NAME);
	if (mkdir(out, 0700) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* outbox_cmp - qsort: by name, which starts with the time */
static int
outbox_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* outbox_names - the notice files, sorted (oldest first); caller frees */
static char **
outbox_names(const char *box, size_t *n)
{
	DIR *d = opendir(box);
	struct dirent *e;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || l < 5 ||
		    strcmp(e->d_name + l - 4, ".txt") != 0)
			continue;
		if (*n == cap)
			v = xrealloc(v,
				     (cap = cap ? cap * 2 : 16) * sizeof(*v));
		v[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), outbox_cmp);
	return v;
}

/* outbox_free - the list from outbox_names */
static void
outbox_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* outbox_put - keep one unsigned notice for later */
int
outbox_put(const char *dir, const char *msg)
{
	char box[4096], tmp[4200], final[4200];
	unsigned long long rnd = 0;
	char **names;
	size_t n;
	int fd, rc;

	if (outbox_dir(dir, box, sizeof(box)) < 0)
		return -1;
	names = outbox_names(box, &n);
	outbox_free(names, n);
	if (n >= OUTBOX_MAX) {
		errno = ENOSPC;
		return -1;
	}
	if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -1;
	snprintf(final, sizeof(final), "%s/%012lld-%016llx.txt", box,
		 (long long)time(NULL), rnd);
	snprintf(tmp, sizeof(tmp), "%s/.%016llx.tmp", box, rnd);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	rc = fdio_write_all(fd, msg, strlen(msg));
	if (rc == 0)
		rc = fsync(fd);
	if (close(fd) < 0 || rc < 0 || rename(tmp, final) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* outbox_read - a whole file as a string; NULL if unreadable */
static char *
outbox_read(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, len = 0, got;

	if (f == NULL)
		return NULL;
	do {
		if (len + 4097 > cap)
			buf = xrealloc(buf, cap = len + 8192);
		got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
	} while (got > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* outbox_flush - send the kept notices, oldest first; how many were sent
 * (stops at the first that send() refuses) */
size_t
outbox_flush(const char *dir, int (*send)(const char *msg, void *arg),
	     void *arg)
{
	char box[4096], path[4400];
	size_t n, sent = 0;
	char **names;

	snprintf(box, sizeof(box), "%s/%s", dir, OUTBOX_NAME);
	names = outbox_names(box, &n);
	for (size_t i = 0; i < n; i++) {
		char *msg;
		snprintf(path, sizeof(path), "%s/%s", box, names[i]);
		if ((msg = outbox_read(path)) == NULL)
			continue;
		if (send(msg, arg) < 0) {
			free(msg);
			break;
		}
		free(msg);
		unlink(path);
		sent++;
	}
	outbox_free(names, n);
	return sent;
}
