/*
 * cidr - IPv4 and IPv6 network ranges and matching client addresses
 */
#ifndef CLAMGATE_CIDR_H
#define CLAMGATE_CIDR_H

#include <stddef.h>
#include <sys/socket.h>

struct cidr {
	int family;		/* AF_INET or AF_INET6 */
	unsigned char addr[16]; /* network, host bits cleared */
	unsigned prefix;	/* prefix length in bits */
};

int cidr_parse(const char *text, struct cidr *net);
int cidr_is_loopback(const struct cidr *net);
int cidr_match(const struct cidr *net, const struct sockaddr *sa);
void cidr_format(const struct cidr *net, char *buf, size_t len);
int cidr_match_any(const struct cidr *nets, size_t count,
		   const struct sockaddr *sa);

#endif
