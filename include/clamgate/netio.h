/*
 * netio - stream sockets with one deadline (milliseconds on the monotonic
 * clock, from netio_until) shared by every step
 */
#ifndef CLAMGATE_NETIO_H
#define CLAMGATE_NETIO_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

struct netio_addr {
	struct sockaddr_storage addr;
	socklen_t len;
};

int netio_resolve(const char *spec, struct netio_addr *a, char *err,
		  size_t errlen);
long long netio_now_ms(void);
long long netio_until(unsigned seconds);
int netio_wait(int fd, short events, long long until);
int netio_connect(const struct netio_addr *a, unsigned connect_s,
		  long long until);
int netio_send(int fd, const void *buf, size_t len, long long until);
ssize_t netio_recv(int fd, char *buf, size_t len, long long until);

#endif
