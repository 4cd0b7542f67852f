/*
 * NAME
 *	metrics_file - the metrics as a node_exporter textfile
 * SYNOPSIS
 *	metrics_file_start(cfg)
 *	metrics_file_stop()
 * DESCRIPTION
 *	For sites that run only node_exporter: every
 *	metrics.textfile_interval seconds the metrics text goes to a
 *	temporary file beside metrics.textfile (".NAME.tmp": the collector
 *	reads only *.prom names, and never a dot file), mode 0644 so that
 *	node_exporter's user can read it, and is renamed over it, so a
 *	reader sees the old file or the new one, never half of one.  No
 *	fsync: after a crash the file is stale anyway, and node_exporter's
 *	node_textfile_mtime_seconds shows how stale.  When the daemon stops
 *	the file is removed, so that a dashboard shows no figures rather
 *	than frozen ones.
 * DIAGNOSTICS
 *	A failed write is logged once, and once more when writes work
 *	again; the daemon goes on.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clamgate/fdio.h"
#include "clamgate/log.h"
#include "clamgate/metrics_file.h"
#include "clamgate/stats.h"
#include "clamgate/xmalloc.h"

static const struct cg_config *mf_cfg;
static pthread_t mf_thread;
static pthread_mutex_t mf_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t mf_cond; /* on CLOCK_MONOTONIC */
static int mf_running, mf_stopping;

/* metrics_file_temp - ".NAME.tmp" in the directory of path (caller
 * frees) */
static char *
metrics_file_temp(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
	char *tmp = xmalloc(strlen(path) + 6);

	memcpy(tmp, path, dir);
	sprintf(tmp + dir, ".%s.tmp", path + dir);
	return tmp;
}

/* metrics_file_write - text into path, atomically; 0 or -1 (errno) */
int
metrics_file_write(const char *path, const char *text, size_t len)
{
	char *tmp = metrics_file_temp(path);
	int fd, rc = -1, saved;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0644);
	if (fd >= 0 && fchmod(fd, 0644) == 0 &&
	    fdio_write_all(fd, text, len) == 0) {
		int closed = close(fd);
		fd = -1; /* closed either way: never close it again */
		if (closed == 0)
			rc = rename(tmp, path);
	}
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	errno = saved;
	return rc;
}

/* metrics_file_once - write the file now; log a change of success */
static void
metrics_file_once(int *failing)
{
	const char *path = mf_cfg->metrics.textfile;
	size_t len;
	char *text = stats_text(&len);
	int rc = text ? metrics_file_write(path, text, len) : -1;

	if (rc < 0 && !*failing)
		log_warn("metrics.textfile %s cannot be written: %m (is its "
			 "directory in the unit's ReadWritePaths?)",
			 path);
	else if (rc == 0 && *failing)
		log_notice("metrics.textfile %s is written again", path);
	*failing = rc < 0;
	free(text);
}

/* metrics_file_main - the thread */
static void *
metrics_file_main(void *arg)
{
	struct timespec until;
	int failing = 0;

	(void)arg;
	pthread_mutex_lock(&mf_lock);
	while (!mf_stopping) {
		pthread_mutex_unlock(&mf_lock);
		metrics_file_once(&failing);
		pthread_mutex_lock(&mf_lock);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += mf_cfg->metrics.textfile_interval;
		while (!mf_stopping &&
		       pthread_cond_timedwait(&mf_cond, &mf_lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&mf_lock);
	return NULL;
}

/* metrics_file_start - the writer thread, if metrics.textfile is set */
int
metrics_file_start(const struct cg_config *cfg)
{
	pthread_condattr_t attr;

	mf_cfg = cfg;
	if (cfg->metrics.textfile[0] == '\0')
		return 0;
	/* a clock stepped back must not hold the writes back as long */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (pthread_cond_init(&mf_cond, &attr) != 0)
		return -1;
	pthread_condattr_destroy(&attr);
	if (pthread_create(&mf_thread, NULL, metrics_file_main, NULL) != 0)
		return -1;
	mf_running = 1;
	return 0;
}

/* metrics_file_stop - end the thread, remove the file */
void
metrics_file_stop(void)
{
	if (!mf_running)
		return;
	pthread_mutex_lock(&mf_lock);
	mf_stopping = 1;
	pthread_cond_signal(&mf_cond);
	pthread_mutex_unlock(&mf_lock);
	pthread_join(mf_thread, NULL);
	mf_running = 0;
	if (unlink(mf_cfg->metrics.textfile) < 0 && errno != ENOENT)
		log_warn("cannot remove metrics.textfile %s: %m",
			 mf_cfg->metrics.textfile);
}
