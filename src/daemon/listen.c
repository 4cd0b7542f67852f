/*
 * NAME
 *	listen - open a listening socket of the daemon's own
 * SYNOPSIS
 *	fd = listen_open(cfg, "unix:/run/clamgate/control", err, len)
 * DESCRIPTION
 *	A stream socket, close-on-exec and non-blocking (its accept loop
 *	polls), with a backlog of LISTEN_BACKLOG.  inet sockets set
 *	SO_REUSEADDR, so a restart does not wait for TIME_WAIT.  A unix
 *	socket path that exists is removed only if it is a socket whose
 *	connect is refused (ECONNREFUSED: nobody listens): a regular file
 *	is never removed, a live socket means another daemon uses the
 *	path, and any other failure (EACCES: another user's socket) is
 *	left alone too.  The socket
 *	is bound with umask 0117 (mode 0660) and, when root opens it,
 *	chowned to milter.user and that user's primary group: root and
 *	that group may connect, nobody else.
 * DIAGNOSTICS
 *	-1 with the reason in err.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "clamgate/listen.h"
#include "clamgate/netio.h"

#define LISTEN_BACKLOG 32

/* listen_stale - path may be bound: 0 (absent or a dead socket, now
 * removed), -1 (in use, or not a socket) */
static int
listen_stale(const struct sockaddr_un *un, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc;

	if (lstat(un->sun_path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket",
			 un->sun_path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	rc = connect(fd, (const struct sockaddr *)un, sizeof(*un)) == 0 ? 0
									: errno;
	close(fd);
	if (rc == 0) {
		snprintf(err, errlen,
			 "%s is in use: another clamgate is running with it",
			 un->sun_path);
		return -1;
	}
	if (rc != ECONNREFUSED) {
		/* not provably dead (EACCES: someone else's, live or not) */
		snprintf(err, errlen,
			 "%s exists and cannot be tested (%s): remove it if "
			 "nothing uses it",
			 un->sun_path, strerror(rc));
		return -1;
	}
	unlink(un->sun_path);
	return 0;
}

/* listen_owner - give a root-made unix socket to milter.user */
static int
listen_owner(const struct cg_config *cfg, const char *path, char *err,
	     size_t errlen)
{
	struct passwd *pw;

	if (geteuid() != 0 || cfg->milter.user == NULL || !*cfg->milter.user)
		return 0;
	if ((pw = getpwnam(cfg->milter.user)) == NULL) {
		snprintf(err, errlen, "milter.user: no such user \"%s\"",
			 cfg->milter.user);
		return -1;
	}
	if (lchown(path, pw->pw_uid, pw->pw_gid) < 0) {
		snprintf(err, errlen, "cannot give %s to %s: %s", path,
			 cfg->milter.user, strerror(errno));
		return -1;
	}
	return 0;
}

/* listen_bind - bind fd to a; unix sockets get mode 0660 */
static int
listen_bind(int fd, const struct netio_addr *a)
{
	mode_t old;
	int rc;

	if (a->addr.ss_family != AF_UNIX) {
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		return bind(fd, (const struct sockaddr *)&a->addr, a->len);
	}
	old = umask(0117);
	rc = bind(fd, (const struct sockaddr *)&a->addr, a->len);
	umask(old);
	return rc;
}

/* listen_open - a listening socket on spec; the fd, or -1 and err */
int
listen_open(const struct cg_config *cfg, const char *spec, char *err,
	    size_t errlen)
{
	const struct sockaddr_un *un;
	struct netio_addr a;
	int fd;

	memset(&a, 0, sizeof(a));
	if (netio_resolve(spec, &a, err, errlen) < 0)
		return -1;
	un = (const struct sockaddr_un *)&a.addr;
	if (a.addr.ss_family == AF_UNIX && listen_stale(un, err, errlen) < 0)
		return -1;
	fd = socket(a.addr.ss_family,
		    SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || listen_bind(fd, &a) < 0 ||
	    listen(fd, LISTEN_BACKLOG) < 0) {
		snprintf(err, errlen, "%s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (a.addr.ss_family == AF_UNIX &&
	    listen_owner(cfg, un->sun_path, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}
