/*
 * NAME
 *	cidr - network ranges such as 192.0.2.0/24 and 2001:db8::/32
 * DESCRIPTION
 *	cidr_parse() accepts an address with an optional /prefix; a bare
 *	address is a host.  cidr_match() compares a client address; an
 *	IPv4-mapped IPv6 client (::ffff:192.0.2.1) matches IPv4 ranges.
 * DIAGNOSTICS
 *	cidr_parse() returns -1 for text that is not a valid range,
 *	including host bits set beyond the prefix.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clamgate/cidr.h"

/* cidr_host_bits_clear - no bit after the prefix is set */
static int
cidr_host_bits_clear(const unsigned char *addr, unsigned prefix, unsigned bits)
{
	for (unsigned i = prefix; i < bits; i++)
		if (addr[i / 8] & (0x80 >> (i % 8)))
			return 0;
	return 1;
}

/* cidr_parse - text to network range */
int
cidr_parse(const char *text, struct cidr *net)
{
	char buf[64], *slash, *end;
	unsigned bits;
	long prefix;

	if (strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	memset(net, 0, sizeof(*net));
	if (inet_pton(AF_INET, buf, net->addr) == 1) {
		net->family = AF_INET;
		bits = 32;
	} else if (inet_pton(AF_INET6, buf, net->addr) == 1) {
		net->family = AF_INET6;
		bits = 128;
	} else {
		return -1;
	}
	prefix = bits;
	if (slash) {
		if (*slash < '0' || *slash > '9')
			return -1;
		prefix = strtol(slash, &end, 10);
		if (*end != '\0' || prefix < 0 || prefix > (long)bits)
			return -1;
	}
	net->prefix = (unsigned)prefix;
	return cidr_host_bits_clear(net->addr, net->prefix, bits) ? 0 : -1;
}

/* cidr_is_loopback - net lies within 127.0.0.0/8 or is ::1 */
int
cidr_is_loopback(const struct cidr *net)
{
	static const unsigned char one[16] = {[15] = 1};

	if (net->family == AF_INET)
		return net->addr[0] == 127 && net->prefix >= 8;
	return net->prefix == 128 && memcmp(net->addr, one, 16) == 0;
}

/* cidr_prefix_equal - the first prefix bits of a and b are equal */
static int
cidr_prefix_equal(const unsigned char *a, const unsigned char *b,
		  unsigned prefix)
{
	unsigned bytes = prefix / 8, rest = prefix % 8;

	if (memcmp(a, b, bytes) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[bytes] ^ b[bytes]) & (0xff00 >> rest) & 0xff) == 0;
}

/* cidr_match - the client address sa is inside net */
int
cidr_match(const struct cidr *net, const struct sockaddr *sa)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0,	   0,
						 0, 0, 0, 0, 0xff, 0xff};
	const unsigned char *a;

	if (sa->sa_family == AF_INET) {
		if (net->family != AF_INET)
			return 0;
		a = (const unsigned char *)&(
			(const struct sockaddr_in *)(const void *)sa)
			->sin_addr;
		return cidr_prefix_equal(a, net->addr, net->prefix);
	}
	if (sa->sa_family != AF_INET6)
		return 0;
	a = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
	if (net->family == AF_INET6)
		return cidr_prefix_equal(a, net->addr, net->prefix);
	if (memcmp(a, mapped, sizeof(mapped)) == 0)
		return cidr_prefix_equal(a + 12, net->addr, net->prefix);
	return 0;
}

/* cidr_match_any - sa is inside one of the ranges */
int
cidr_match_any(const struct cidr *nets, size_t count, const struct sockaddr *sa)
{
	for (size_t i = 0; i < count; i++)
		if (cidr_match(&nets[i], sa))
			return 1;
	return 0;
}

/* cidr_format - "192.0.2.0/24", "2001:db8::/32" */
void
cidr_format(const struct cidr *net, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(net->family, net->addr, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, "%s/%u", a, net->prefix);
}
