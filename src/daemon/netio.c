/*
 * NAME
 *	netio - stream sockets with one deadline: resolve, connect, send,
 *	receive
 * DESCRIPTION
 *	Addresses are written as in libmilter: "unix:/path" (or "local:"),
 *	"inet:PORT@HOST", "inet6:PORT@HOST".  Every wait is a poll() against
 *	a deadline on the monotonic clock (netio_until), so a peer that
 *	answers a byte at a time cannot hold the caller past it; sockets are
 *	non-blocking and sends never raise SIGPIPE.  Used by the clamd
 *	backend and by the notices' SMTP submission.
 * DIAGNOSTICS
 *	-1 with errno (ETIMEDOUT at the deadline); netio_resolve says why in
 *	err.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "clamgate/netio.h"

/* netio_resolve - "unix:/p", "inet:PORT@HOST", "inet6:PORT@HOST" */
int
netio_resolve(const char *spec, struct netio_addr *a, char *err, size_t errlen)
{
	const char *colon = strchr(spec, ':');
	struct addrinfo hints, *ai;
	char host[256] = "", port[8] = "";
	int inet6 = strncmp(spec, "inet6:", 6) == 0, got;

	if (strncmp(spec, "inet", 4) != 0) {
		struct sockaddr_un *un = (struct sockaddr_un *)&a->addr;
		if (strlen(colon + 1) >= sizeof(un->sun_path)) {
			snprintf(err, errlen, "%s: path too long", spec);
			return -1;
		}
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, colon + 1);
		a->len = sizeof(*un);
		return 0;
	}
	got = sscanf(colon + 1, "%7[0-9]@%255s", port, host);
	if (got < 1) {
		snprintf(err, errlen, "%s: no port number", spec);
		return -1;
	}
	if (got < 2)
		snprintf(host, sizeof(host), inet6 ? "::1" : "127.0.0.1");
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = inet6 ? AF_INET6 : AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &ai) != 0) {
		snprintf(err, errlen, "%s: cannot resolve %s", spec, host);
		return -1;
	}
	memcpy(&a->addr, ai->ai_addr, ai->ai_addrlen);
	a->len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* netio_now_ms - a monotonic clock in milliseconds */
long long
netio_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* netio_until - the deadline seconds from now */
long long
netio_until(unsigned seconds)
{
	return netio_now_ms() + (long long)seconds * 1000;
}

/* netio_wait - until fd is ready for events or the deadline passed */
int
netio_wait(int fd, short events, long long until)
{
	struct pollfd p = {.fd = fd, .events = events};

	for (;;) {
		long long left = until - netio_now_ms();
		int rc;
		if (left <= 0)
			break;
		rc = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -1;
	}
	errno = ETIMEDOUT;
	return -1;
}

/* netio_connect - a connected, non-blocking socket within connect_s
 * seconds and before the deadline until, whichever comes first */
int
netio_connect(const struct netio_addr *a, unsigned connect_s, long long until)
{
	long long by = netio_until(connect_s);

	int fd, soerr = 0;
	socklen_t len = sizeof(soerr);

	fd = socket(a->addr.ss_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&a->addr, a->len) < 0) {
		if (errno != EINPROGRESS) /* EAGAIN: a unix backlog is full */
			goto fail;
		if (netio_wait(fd, POLLOUT, by < until ? by : until) < 0 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 ||
		    soerr) {
			errno = soerr ? soerr : ETIMEDOUT;
			goto fail;
		}
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* netio_send - write all of buf before the deadline */
int
netio_send(int fd, const void *buf, size_t len, long long until)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n;
		if (netio_wait(fd, POLLOUT, until) < 0)
			return -1;
		n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* netio_recv - some bytes before the deadline; 0 at EOF, -1 on error */
ssize_t
netio_recv(int fd, char *buf, size_t len, long long until)
{
	for (;;) {
		ssize_t n;
		if (netio_wait(fd, POLLIN, until) < 0)
			return -1;
		n = recv(fd, buf, len, MSG_DONTWAIT);
		if (n >= 0 || (errno != EINTR && errno != EAGAIN))
			return n;
	}
}
