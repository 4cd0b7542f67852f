/*
 * mclient.c - the MTA side of the milter protocol for the load generator
 *
 *	Speaks as Postfix does: negotiates version 6 offering every step
 *	and every no-reply flag, then honours what the filter chose (a
 *	step it declined with SMFIP_NO* is not sent, a step marked
 *	SMFIP_NR_* gets no wait for a reply), sends macros before each
 *	step, header values with or without their leading space as
 *	SMFIP_HDR_LEADSPC says, body chunks of at most MILTER_CHUNK_SIZE
 *	(65535) bytes, and acts on SMFIR_SKIP.  It writes the way Postfix
 *	3.7 does (seen with strace on its cleanup server): packets go into a
 *	128 KiB buffer, each full buffer is one write(), and what is left is
 *	written when a reply is due, so the end-of-message packet leaves in
 *	one write with the last body bytes.  Like Postfix's smtpd, it
 *	writes out what it has after the DATA stage, where smtpd hands the
 *	connection over to cleanup.
 *	The pattern of writes decides whether Nagle's algorithm and the
 *	peer's delayed ACK stall a filter on an inet socket, so it has to
 *	be the MTA's (docs/performance.md).  Each stage's macros go just
 *	before its command, as Postfix sends them.  The client is at
 *	192.0.2.N (never connected to: it is only what the connect step
 *	says) through {daemon_name} smtpd, so a filter treats it as a
 *	direct outside client.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "mclient.h"
#include "stats.h"

#define MTA_BUFSIZE 131072 /* Postfix's milter stream buffer (strace) */
/* seconds a reply may take: the 50 MB message scans for 30 */
static unsigned read_timeout = 600;

/* grow - make *p at least need bytes (exit when memory runs out) */
static void
grow(char **p, size_t *size, size_t need)
{
	if (need <= *size)
		return;
	*size = need * 2;
	if ((*p = realloc(*p, *size)) == NULL) {
		perror("loadgen");
		exit(1);
	}
}

/* set_timeout - a filter that stops answering fails, it does not hang */
static void
set_timeout(int fd)
{
	struct timeval tv = {.tv_sec = read_timeout};

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* write_all - all of p, or -1 */
static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* read_all - exactly n bytes, or -1 (end of file, error, timeout) */
static int
read_all(int fd, char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* flush - write everything buffered */
static int
flush(struct mclient *c)
{
	int rc = write_all(c->fd, c->out, c->out_len);

	c->out_len = 0;
	return rc;
}

/* drain_full - one write() per full MTA_BUFSIZE piece, keep the rest */
static int
drain_full(struct mclient *c)
{
	size_t done = 0;

	while (c->out_len - done >= MTA_BUFSIZE) {
		if (write_all(c->fd, c->out + done, MTA_BUFSIZE) != 0)
			return -1;
		done += MTA_BUFSIZE;
	}
	memmove(c->out, c->out + done, c->out_len - done);
	c->out_len -= done;
	return 0;
}

/* put - one packet into the output buffer */
static int
put(struct mclient *c, char cmd, const void *data, size_t len)
{
	uint32_t n = htonl((uint32_t)len + 1);

	grow(&c->out, &c->out_size, c->out_len + len + 5);
	memcpy(c->out + c->out_len, &n, 4);
	c->out[c->out_len + 4] = cmd;
	if (len > 0)
		memcpy(c->out + c->out_len + 5, data, len);
	c->out_len += len + 5;
	return c->out_len >= MTA_BUFSIZE ? drain_full(c) : 0;
}

/* reply - flush, then read one reply, skipping SMFIR_PROGRESS */
static int
reply(struct mclient *c)
{
	uint32_t n;

	if (flush(c) != 0)
		return -1;
	do {
		if (read_all(c->fd, (char *)&n, 4) != 0)
			return -1;
		n = ntohl(n);
		if (n < 1 || n > 64u << 20)
			return -1;
		grow(&c->in, &c->in_size, n + 1);
		if (read_all(c->fd, c->in, n) != 0)
			return -1;
		c->in_len = n;
		c->in[n] = '\0';
	} while (c->in[0] == SMFIR_PROGRESS);
	return (unsigned char)c->in[0];
}

/* macros - a SMFIC_MACRO packet for stage: name, value, ..., NULL */
static int
macros(struct mclient *c, int stage, ...)
{
	char buf[1024];
	size_t len = 1;
	const char *s;
	va_list ap;

	buf[0] = (char)stage;
	va_start(ap, stage);
	while ((s = va_arg(ap, const char *)) != NULL) {
		size_t n = strlen(s) + 1;

		if (len + n > sizeof(buf))
			break;
		memcpy(buf + len, s, n);
		len += n;
	}
	va_end(ap);
	return put(c, SMFIC_MACRO, buf, len);
}

/* step - send a step unless declined; its reply, or 'c' if none due */
static int
step(struct mclient *c, char cmd, const void *data, size_t len,
     unsigned long no, unsigned long nr)
{
	if (c->proto & no)
		return SMFIR_CONTINUE;
	if (put(c, cmd, data, len) != 0)
		return -1;
	if (c->proto & nr)
		return SMFIR_CONTINUE;
	return reply(c);
}

/* connect_spec - a connected socket for unix:PATH or inet:PORT@HOST */
static int
connect_spec(const char *spec)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai;
	char port[16], host[256];
	const char *at;
	int fd;

	if (strncmp(spec, "inet:", 5) != 0 && strncmp(spec, "inet6:", 6) != 0) {
		const char *path =
		    strchr(spec, ':') ? strchr(spec, ':') + 1 : spec;

		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
			return -1;
		set_timeout(fd);
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			return fd;
		close(fd);
		return -1;
	}
	if ((at = strchr(spec, '@')) == NULL)
		return -1;
	snprintf(port, sizeof(port), "%.*s", (int)(at - strchr(spec, ':') - 1),
		 strchr(spec, ':') + 1);
	snprintf(host, sizeof(host), "%s", at + 1);
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return -1;
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd >= 0)
		set_timeout(fd);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* mclient_set_timeout - how long to wait for a reply, in seconds */
void
mclient_set_timeout(unsigned seconds)
{
	read_timeout = seconds;
}

/* mclient_open - connect to SPEC (unix:PATH, inet:PORT@HOST) and negotiate */
int
mclient_open(struct mclient *c, const char *spec)
{
	uint32_t opt[3] = {htonl(6), htonl(SMFI_CURR_ACTS),
			   htonl(SMFI_CURR_PROT)};

	memset(c, 0, sizeof(*c));
	if ((c->fd = connect_spec(spec)) < 0)
		return -1;
	if (put(c, SMFIC_OPTNEG, opt, sizeof(opt)) != 0 ||
	    reply(c) != SMFIC_OPTNEG || c->in_len < 13) {
		mclient_close(c);
		return -1;
	}
	memcpy(opt, c->in + 1, sizeof(opt));
	c->proto = ntohl(opt[2]);
	return 0;
}

/* mclient_session - the connect and HELO steps; 0 when both continue */
int
mclient_session(struct mclient *c, unsigned long id)
{
	static const char helo[] = "client.example.net";
	char data[128], addr[32];
	uint16_t port = htons((uint16_t)(1024 + id % 60000));
	size_t len;

	snprintf(addr, sizeof(addr), "192.0.2.%lu", 1 + id % 250);
	len = (size_t)snprintf(data, sizeof(data), "%s", helo) + 1;
	data[len++] = '4';
	memcpy(data + len, &port, 2);
	len += 2;
	len += (size_t)snprintf(data + len, sizeof(data) - len, "%s", addr) + 1;
	if (!(c->proto & SMFIP_NOCONNECT) &&
	    macros(c, SMFIC_CONNECT, "j", "mail.example.org", "{daemon_name}",
		   "smtpd", "{daemon_port}", "25", "{client_addr}", addr,
		   "{client_name}", helo, "_", helo, (char *)NULL) != 0)
		return -1;
	if (step(c, SMFIC_CONNECT, data, len, SMFIP_NOCONNECT, SMFIP_NR_CONN) !=
	    SMFIR_CONTINUE)
		return -1;
	if (step(c, SMFIC_HELO, helo, sizeof(helo), SMFIP_NOHELO,
		 SMFIP_NR_HELO) != SMFIR_CONTINUE)
		return -1;
	return 0;
}

void
mclient_close(struct mclient *c)
{
	if (c->fd >= 0) {
		put(c, SMFIC_QUIT, NULL, 0);
		flush(c);
		close(c->fd);
	}
	c->fd = -1;
	free(c->out);
	free(c->in);
	c->out = c->in = NULL;
	c->out_size = c->in_size = c->out_len = 0;
}

/* final - the verdict a reply means; V_COUNT when it is not final */
static enum verdict
final(const struct mclient *c, int r, int quarantined)
{
	switch (r) {
	case SMFIR_ACCEPT:
	case SMFIR_CONTINUE:
		return quarantined ? V_QUARANTINE : V_ACCEPT;
	case SMFIR_REJECT:
		return V_REJECT;
	case SMFIR_TEMPFAIL:
		return V_TEMPFAIL;
	case SMFIR_DISCARD:
		return V_DISCARD;
	case SMFIR_REPLYCODE:
		if (c->in_len < 4)
			return V_ERROR;
		return c->in[1] == '5'	 ? V_REJECT
		       : c->in[1] == '4' ? V_TEMPFAIL
					 : V_ERROR;
	case -1:
		return V_ERROR;
	default:
		return V_COUNT;
	}
}

/* early - a reply before end of message: V_COUNT to go on */
static enum verdict
early(struct mclient *c, int r)
{
	enum verdict v;

	if (r == SMFIR_CONTINUE)
		return V_COUNT;
	if ((v = final(c, r, 0)) == V_COUNT)
		v = V_ERROR; /* a modification is allowed at end only */
	if (v != V_ERROR && put(c, SMFIC_ABORT, NULL, 0) != 0)
		v = V_ERROR;
	return v;
}

/* header_end - the end of the header at p: after its last line's LF */
static const char *
header_end(const char *p, const char *end)
{
	const char *e = p;

	while ((e = memchr(e, '\n', (size_t)(end - e))) != NULL &&
	       e + 1 < end && (e[1] == ' ' || e[1] == '\t'))
		e++;
	return e ? e + 1 : end;
}

/* header_packet - name NUL value NUL, folds as LF as the MTAs send them */
static size_t
header_packet(const struct mclient *c, const char *p, const char *colon,
	      const char *e, char *out)
{
	const char *v = colon + 1;
	size_t n = (size_t)(colon - p);

	memcpy(out, p, n);
	out[n++] = '\0';
	if (!(c->proto & SMFIP_HDR_LEADSPC))
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
	if (e > v && e[-1] == '\n')
		e--;
	if (e > v && e[-1] == '\r')
		e--;
	for (; v < e; v++)
		if (!(*v == '\r' && v + 1 < e && v[1] == '\n'))
			out[n++] = *v;
	out[n++] = '\0';
	return n;
}

/* send_headers - every header of msg; *body is set past the blank line */
static int
send_headers(struct mclient *c, const char *msg, size_t len, const char **body)
{
	const char *p = msg, *end = msg + len;
	char *hdr = NULL;
	size_t hsize = 0;
	int r = SMFIR_CONTINUE;

	while (r == SMFIR_CONTINUE && p < end && *p != '\r' && *p != '\n') {
		const char *e = header_end(p, end);
		const char *colon = memchr(p, ':', (size_t)(e - p));

		if (colon == NULL)
			break;
		grow(&hdr, &hsize, (size_t)(e - p) + 2);
		r = step(c, SMFIC_HEADER, hdr,
			 header_packet(c, p, colon, e, hdr), SMFIP_NOHDRS,
			 SMFIP_NR_HDR);
		p = e;
	}
	free(hdr);
	if (p < end && *p == '\r')
		p++;
	if (p < end && *p == '\n')
		p++;
	*body = p;
	return r;
}

/* send_body - the body in chunks; a SKIP reply ends it early */
static int
send_body(struct mclient *c, const char *p, const char *end)
{
	int r = SMFIR_CONTINUE;

	while (p < end && r == SMFIR_CONTINUE) {
		size_t n = (size_t)(end - p);

		if (n > MILTER_CHUNK_SIZE)
			n = MILTER_CHUNK_SIZE;
		r = step(c, SMFIC_BODY, p, n, SMFIP_NOBODY, SMFIP_NR_BODY);
		p += n;
	}
	return r == SMFIR_SKIP ? SMFIR_CONTINUE : r;
}

/* end_of_message - EOM, then replies up to the final one, timed */
static enum verdict
end_of_message(struct mclient *c, double *ms)
{
	int r, quarantined = 0;
	enum verdict v;
	double t0;

	/* like Postfix: EOB goes out with the last body bytes */
	t0 = now_ms();
	if (put(c, SMFIC_BODYEOB, NULL, 0) != 0)
		return V_ERROR;
	while ((v = final(c, r = reply(c), quarantined)) == V_COUNT) {
		if (r == SMFIR_QUARANTINE)
			quarantined = 1;
		else if (r == 0 || strchr("hime+-2b", r) == NULL)
			return V_ERROR;
	}
	*ms = now_ms() - t0;
	return v;
}

/*
 * data_stage - the DATA macros (Postfix sends its default, the queue id,
 *	even to a filter that declined DATA), DATA itself, then a flush:
 *	Postfix's smtpd writes up to here and hands the connection to its
 *	cleanup server, which sends the message.
 */
static enum verdict
data_stage(struct mclient *c, const char *qid)
{
	enum verdict v;

	if (macros(c, SMFIC_DATA, "i", qid, (char *)NULL) != 0)
		return V_ERROR;
	v = early(c, step(c, SMFIC_DATA, NULL, 0, SMFIP_NODATA, SMFIP_NR_DATA));
	if (v == V_COUNT && flush(c) != 0)
		return V_ERROR;
	return v;
}

/* mclient_message - one message, MAIL to end of message; its verdict */
/* header_sender - the address of the message's From: field, as its
 * envelope sender (so that the corpus's SPF and DKIM results name it);
 * 0, or -1 when there is none in the first lines */
static int
header_sender(const char *msg, size_t len, char *out, size_t size)
{
	const char *end = msg + (len < 8192 ? len : 8192), *p, *lt, *gt;

	for (p = msg; p < end; p++) {
		if ((p == msg || p[-1] == '\n') && end - p > 6 &&
		    strncmp(p, "From: ", 6) == 0)
			break;
	}
	if (p >= end || (lt = memchr(p, '<', (size_t)(end - p))) == NULL ||
	    (gt = memchr(lt, '>', (size_t)(end - lt))) == NULL ||
	    (size_t)(gt - lt + 2) > size || memchr(p, '\n', (size_t)(lt - p)))
		return -1;
	memcpy(out, lt, (size_t)(gt - lt + 1));
	out[gt - lt + 1] = '\0';
	return 0;
}

enum verdict
mclient_message(struct mclient *c, const char *msg, size_t len,
		unsigned long id, double *eom_ms)
{
	char qid[32], from[64], to[64];
	const char *body;
	enum verdict v;

	*eom_ms = -1;
	snprintf(qid, sizeof(qid), "4Q%08lX", id);
	if (header_sender(msg, len, from, sizeof(from)) < 0)
		snprintf(from, sizeof(from), "<sender%lu@example.net>", id);
	snprintf(to, sizeof(to), "<user%lu@example.org>", id % 5000);
	from[strlen(from) - 1] = to[strlen(to) - 1] = '\0';
	if (macros(c, SMFIC_MAIL, "i", qid, "{mail_addr}", from + 1,
		   (char *)NULL) != 0)
		return V_ERROR;
	strcat(from, ">");
	if ((v = early(c, step(c, SMFIC_MAIL, from, strlen(from) + 1,
			       SMFIP_NOMAIL, SMFIP_NR_MAIL))) != V_COUNT)
		return v;
	/* after MAIL: libmilter clears the later stages' macros there */
	if (macros(c, SMFIC_RCPT, "{rcpt_addr}", to + 1, (char *)NULL) != 0)
		return V_ERROR;
	strcat(to, ">");
	if ((v = early(c, step(c, SMFIC_RCPT, to, strlen(to) + 1, SMFIP_NORCPT,
			       SMFIP_NR_RCPT))) != V_COUNT)
		return v;
	if ((v = data_stage(c, qid)) != V_COUNT ||
	    (v = early(c, send_headers(c, msg, len, &body))) != V_COUNT ||
	    (v = early(c, step(c, SMFIC_EOH, NULL, 0, SMFIP_NOEOH,
			       SMFIP_NR_EOH))) != V_COUNT ||
	    (v = early(c, send_body(c, body, msg + len))) != V_COUNT)
		return v;
	return end_of_message(c, eom_ms);
}
