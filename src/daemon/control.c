/*
 * NAME
 *	control - serve the control socket
 * SYNOPSIS
 *	control_open(cfg)	(as root, before the drop)
 *	control_start()
 *	control_stop()
 * DESCRIPTION
 *	A client connects, gets the metrics text (stats_text) and the
 *	connection closes; it sends nothing.  The socket file's mode (0660,
 *	milter.user and its group, listen.h) decides who may connect, so
 *	the figures need no endpoint and no other local user can read them.
 *	One client at a time, each write bounded by SEND_SECONDS: a client
 *	that stops reading holds the thread no longer than that.  The
 *	thread polls the socket and a pipe that control_stop() writes to.
 * DIAGNOSTICS
 *	A socket that cannot be opened is logged, and the daemon runs
 *	without it (clamgate -s then says it cannot connect): the status
 *	is no reason to stop mail.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "clamgate/control.h"
#include "clamgate/listen.h"
#include "clamgate/log.h"
#include "clamgate/stats.h"
#include "clamgate/xmalloc.h"

#define SEND_SECONDS 5

static int ctl_fd = -1;
static int ctl_pipe[2] = {-1, -1};
static char *ctl_path;
static pthread_t ctl_thread;
static int ctl_running;

/* control_open - bind metrics.control, if set; a failure is a warning */
int
control_open(const struct cg_config *cfg)
{
	char spec[1100], err[1300];

	if (cfg->metrics.control[0] == '\0')
		return 0;
	snprintf(spec, sizeof(spec), "unix:%s", cfg->metrics.control);
	if ((ctl_fd = listen_open(cfg, spec, err, sizeof(err))) < 0) {
		log_warn("metrics.control: %s; clamgate -s will not work", err);
		return -1;
	}
	ctl_path = xstrdup(cfg->metrics.control);
	return 0;
}

/* control_serve - one client: the text, then close; a send that
 * times out or fails ends it */
static void
control_serve(int fd)
{
	struct timeval tv = {SEND_SECONDS, 0};
	size_t len, off = 0;
	char *text = stats_text(&len);

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (text != NULL && off < len) {
		ssize_t n = send(fd, text + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_debug("control: a client went away: %m");
			break;
		}
		off += (size_t)n;
	}
	free(text);
	close(fd);
}

/* control_main - the thread */
static void *
control_main(void *arg)
{
	struct pollfd p[2] = {{ctl_fd, POLLIN, 0}, {ctl_pipe[0], POLLIN, 0}};

	(void)arg;
	for (;;) {
		int fd;
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (p[0].revents & (POLLERR | POLLHUP | POLLNVAL))
			break; /* the socket was shut down: nothing to serve */
		if (!(p[0].revents & POLLIN))
			continue;
		fd = accept4(ctl_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			control_serve(fd);
	}
	return NULL;
}

/* control_start - serve the socket opened before */
int
control_start(void)
{
	if (ctl_fd < 0)
		return 0;
	if (pipe2(ctl_pipe, O_CLOEXEC) < 0)
		return -1;
	if (pthread_create(&ctl_thread, NULL, control_main, NULL) != 0)
		return -1;
	ctl_running = 1;
	return 0;
}

/* control_stop - end the thread, close and remove the socket */
void
control_stop(void)
{
	if (ctl_running) {
		if (write(ctl_pipe[1], "", 1) < 0)
			log_warn("control: cannot stop the thread: %m");
		pthread_join(ctl_thread, NULL);
		ctl_running = 0;
	}
	for (int i = 0; i < 2; i++)
		if (ctl_pipe[i] >= 0)
			close(ctl_pipe[i]);
	if (ctl_fd >= 0) {
		close(ctl_fd);
		unlink(ctl_path);
	}
	ctl_fd = -1;
	free(ctl_path);
	ctl_path = NULL;
}
