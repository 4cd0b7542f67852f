/*
 * NAME
 *	daemon - start-up steps that need root, and detaching
 * DESCRIPTION
 *	daemon_socket_setup() gives a unix socket to milter.user (group
 *	milter.group or the user's own), so that the MTA's group can
 *	connect; its mode, milter.socket_mode, is set by the umask at bind()
 *	(daemon_socket_umask), and the owner with fchownat() without
 *	following a symbolic link, so neither can be redirected.  Not
 *	root, clamgate can still give the socket to a group it is a member
 *	of (systemd's SupplementaryGroups=); any other milter.group is a
 *	start-up error, never ignored.  daemon_nodelay_listeners() sets
 *	TCP_NODELAY on every listening inet socket of the process: accepted
 *	sockets inherit it, and libmilter's replies, written as several
 *	small packets, then no longer meet Nagle and delayed ACK (a 40 ms
 *	stall per message otherwise).  daemon_drop_privileges() switches to
 *	milter.user for good (setgroups, setresgid, setresuid).
 *	daemon_wake_listeners() shuts the listening sockets down after
 *	smfi_stop(), so libmilter's accept loop ends at once instead of at
 *	its next poll timeout.
 * DIAGNOSTICS
 *	-1 after logging why; the caller treats it as fatal.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clamgate/daemon.h"
#include "clamgate/log.h"

/* daemon_ids - uid and gid of milter.user and milter.group */
static int
daemon_ids(const struct cg_config *cfg, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;
	struct group *gr;

	*uid = getuid();
	*gid = getgid();
	if (cfg->milter.user && *cfg->milter.user) {
		if ((pw = getpwnam(cfg->milter.user)) == NULL) {
			log_error("%s: milter.user: no such user \"%s\"",
				  cfg->path, cfg->milter.user);
			return -1;
		}
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	}
	if (cfg->milter.group && *cfg->milter.group) {
		if ((gr = getgrnam(cfg->milter.group)) == NULL) {
			log_error("%s: milter.group: no such group \"%s\"",
				  cfg->path, cfg->milter.group);
			return -1;
		}
		*gid = gr->gr_gid;
	}
	return 0;
}

/* daemon_socket_chown - the socket (never what a symbolic link put in
 * its place points to) to uid (-1: unchanged) and gid */
static int
daemon_socket_chown(const struct cg_config *cfg, const char *path, uid_t uid,
		    gid_t gid)
{
	struct stat st;

	if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISSOCK(st.st_mode)) {
		log_error("%s: milter.socket %s is not the socket we made",
			  cfg->path, path);
		return -1;
	}
	if (fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (errno == EPERM && uid == (uid_t)-1)
		log_error("%s: milter.group: cannot give %s to group \"%s\": "
			  "clamgate runs as uid %ld, not a member of it (add "
			  "the group to the unit's SupplementaryGroups=, or "
			  "start clamgate as root)",
			  cfg->path, path, cfg->milter.group, (long)getuid());
	else
		log_error("cannot chown %s: %m", path);
	return -1;
}

/* daemon_socket_setup - owner and mode of a unix socket.  The mode comes
 * from the umask at bind() (daemon_socket_umask), so nothing is changed
 * through the path but its owner, without following links */
int
daemon_socket_setup(const struct cg_config *cfg)
{
	const char *sock = cfg->milter.socket, *path;
	uid_t uid;
	gid_t gid;

	if (strncmp(sock, "unix:", 5) != 0 && strncmp(sock, "local:", 6) != 0)
		return 0;
	path = strchr(sock, ':') + 1;
	if (daemon_ids(cfg, &uid, &gid) < 0)
		return -1;
	if (geteuid() == 0)
		return daemon_socket_chown(cfg, path, uid, gid);
	/* not root: only the group can change, to one we are a member of */
	if (cfg->milter.group && *cfg->milter.group && gid != getegid())
		return daemon_socket_chown(cfg, path, (uid_t)-1, gid);
	return 0;
}

/* daemon_socket_umask - the umask that makes bind() create the socket
 * with milter.socket_mode; the caller restores the old one */
mode_t
daemon_socket_umask(const struct cg_config *cfg)
{
	return umask(~cfg->milter.socket_mode & 0777);
}

/* daemon_socket_remove - unlink a unix socket at exit */
void
daemon_socket_remove(const struct cg_config *cfg)
{
	const char *sock = cfg->milter.socket;

	if (strncmp(sock, "unix:", 5) == 0 || strncmp(sock, "local:", 6) == 0)
		if (unlink(strchr(sock, ':') + 1) < 0 && errno != ENOENT)
			log_warn("cannot remove %s: %m", strchr(sock, ':') + 1);
}

/* daemon_each_listener - call fn for each listening socket we have */
static void
daemon_each_listener(void (*fn)(int fd, int family))
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name), listening = 0;
		struct sockaddr_storage ss;
		socklen_t len = sizeof(listening), slen = sizeof(ss);

		if (e->d_name[0] == '.' || fd == dirfd(d))
			continue;
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
			       &len) < 0 ||
		    !listening ||
		    getsockname(fd, (struct sockaddr *)&ss, &slen) < 0)
			continue;
		fn(fd, ss.ss_family);
	}
	closedir(d);
}

/* daemon_nodelay - TCP_NODELAY on one inet listener */
static void
daemon_nodelay(int fd, int family)
{
	int on = 1;

	if (family != AF_INET && family != AF_INET6)
		return;
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) < 0)
		log_warn("cannot set TCP_NODELAY on the milter socket: %m");
	else
		log_debug("TCP_NODELAY set on listening socket %d", fd);
}

/* daemon_nodelay_listeners - TCP_NODELAY on listening inet sockets */
void
daemon_nodelay_listeners(void)
{
	daemon_each_listener(daemon_nodelay);
}

/* daemon_shutdown - stop one listener, waking a blocked accept loop */
static void
daemon_shutdown(int fd, int family)
{
	(void)family;
	shutdown(fd, SHUT_RDWR);
}

/* daemon_wake_listeners - after smfi_stop: let libmilter see it now */
void
daemon_wake_listeners(void)
{
	daemon_each_listener(daemon_shutdown);
}

/* daemon_drop_privileges - become milter.user for good */
int
daemon_drop_privileges(const struct cg_config *cfg)
{
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0 || cfg->milter.user == NULL || !*cfg->milter.user)
		return 0;
	if (daemon_ids(cfg, &uid, &gid) < 0)
		return -1;
	if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		log_error("cannot switch to user %s: %m", cfg->milter.user);
		return -1;
	}
	if (uid != 0 && setuid(0) == 0) {
		log_error("privileges could be regained after switching to %s",
			  cfg->milter.user);
		return -1;
	}
	return 0;
}

/* daemon_detach - go to the background */
int
daemon_detach(void)
{
	if (daemon(0, 0) < 0) {
		log_error("cannot detach: %m");
		return -1;
	}
	return 0;
}
