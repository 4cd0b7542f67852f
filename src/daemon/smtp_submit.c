/*
 * NAME
 *	smtp_submit - hand a notice to the local MTA over SMTP
 * DESCRIPTION
 *	smtp_submit() speaks plain SMTP (RFC 5321) in lock step to the MTA
 *	at notify.smtp: greeting, EHLO, MAIL FROM, one RCPT TO per admin
 *	address, DATA, the message, QUIT.  It needs no helper program, so it
 *	works inside the shipped systemd unit, where no_new_privs keeps the
 *	set-group-id helpers of sendmail(1) (Postfix's postdrop, Sendmail's
 *	MSP) from writing their queues.  The message is sent with CRLF line
 *	ends and dot-stuffed (smtp_data), from a sender with a domain
 *	(smtp_qualify, done once by the caller).  One deadline covers the whole
 *	conversation.  A recipient the MTA refuses is logged; the message
 *	goes to the others, and fails only if none is accepted.
 * DIAGNOSTICS
 *	-1 with the reason in err: no connection, a timeout, or a reply
 *	other than the one expected (quoted, made printable).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clamgate/log.h"
#include "clamgate/netio.h"
#include "clamgate/smtp_submit.h"
#include "clamgate/xmalloc.h"

#define LINE_MAX_SMTP 4096 /* longer reply lines are an error */

struct smtp_conn {
	int fd;
	long long until;
	char buf[LINE_MAX_SMTP];
	size_t len;
	char last[200]; /* the last reply line, printable, for errors */
};

/* smtp_data - msg with CRLF line ends, lines starting with "." doubled,
 * and the closing ".\r\n"; caller frees */
char *
smtp_data(const char *msg, size_t *lenp)
{
	size_t n = 0, cap = 2 * strlen(msg) + 8;
	char *out = xmalloc(cap);
	int bol = 1;

	for (const char *p = msg; *p; p++) {
		if (bol && *p == '.')
			out[n++] = '.';
		if (*p == '\n' && (p == msg || p[-1] != '\r'))
			out[n++] = '\r';
		out[n++] = *p;
		bol = *p == '\n';
	}
	if (!bol) {
		out[n++] = '\r';
		out[n++] = '\n';
	}
	memcpy(out + n, ".\r\n", 4);
	*lenp = n + 3;
	return out;
}

/* smtp_reply_line - for one reply line: its code if it is the last line
 * of the reply, 0 if more lines follow, -1 if it is no reply line */
int
smtp_reply_line(const char *line)
{
	if (line[0] < '1' || line[0] > '5') /* 1yz to 5yz, RFC 5321 4.2 */
		return -1;
	for (int i = 1; i < 3; i++)
		if (line[i] < '0' || line[i] > '9')
			return -1;
	if (line[3] == '-')
		return 0;
	if (line[3] != ' ' && line[3] != '\r' && line[3] != '\n' && line[3])
		return -1;
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

/* smtp_keep_last - the line, printable and bounded, for error messages */
static void
smtp_keep_last(struct smtp_conn *c, const char *line, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 1 < sizeof(c->last); i++)
		if (line[i] != '\r' && line[i] != '\n')
			c->last[n++] =
			    (line[i] >= 0x20 && line[i] < 0x7f) ? line[i] : '?';
	c->last[n] = '\0';
}

/* smtp_reply - read one whole reply; its code, or -1 */
static int
smtp_reply(struct smtp_conn *c)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		ssize_t got;

		if (nl != NULL) {
			size_t llen = (size_t)(nl - c->buf) + 1;
			int code;

			*nl = '\0';
			code = smtp_reply_line(c->buf);
			smtp_keep_last(c, c->buf, llen - 1);
			memmove(c->buf, c->buf + llen, c->len - llen);
			c->len -= llen;
			if (code == 0)
				continue;
			/* lock step: nothing may follow a reply; what does
			 * is not the answer to the next command */
			c->len = 0;
			if (code < 0)
				errno = EPROTO;
			return code;
		}
		if (c->len + 1 >= sizeof(c->buf)) {
			errno = EMSGSIZE; /* a reply line without end */
			return -1;
		}
		got = netio_recv(c->fd, c->buf + c->len,
				 sizeof(c->buf) - c->len - 1, c->until);
		if (got == 0)
			errno = ECONNRESET; /* closed before the reply */
		if (got <= 0)
			return -1;
		c->len += (size_t)got;
	}
}

/* smtp_step - send cmd (NULL: nothing), expect a reply of class want
 * (2 or 3); 0, or -1 with the reason in err, naming what as the step */
static int
smtp_step(struct smtp_conn *c, const char *cmd, const char *what, int want,
	  char *err, size_t errlen)
{
	int code;

	if (cmd && netio_send(c->fd, cmd, strlen(cmd), c->until) < 0) {
		snprintf(err, errlen, "cannot send %s: %m", what);
		return -1;
	}
	code = smtp_reply(c);
	if (code / 100 == want)
		return 0;
	if (code < 0 && errno == EPROTO)
		snprintf(err, errlen, "%s: not an SMTP reply: \"%s\"", what,
			 c->last);
	else if (code < 0)
		snprintf(err, errlen, "no reply to %s (%m)", what);
	else
		snprintf(err, errlen, "%s: \"%s\"", what, c->last);
	return -1;
}

/* smtp_envelope - MAIL FROM and the RCPTs; 0 if one recipient at least
 * was accepted */
static int
smtp_envelope(struct smtp_conn *c, const char *from, char *const *rcpts,
	      size_t n, char *err, size_t errlen)
{
	char cmd[1100];
	size_t ok = 0;

	if ((size_t)snprintf(cmd, sizeof(cmd), "MAIL FROM:<%s>\r\n",
			     from ? from : "") >= sizeof(cmd)) {
		snprintf(err, errlen, "sender address too long");
		return -1;
	}
	if (smtp_step(c, cmd, "MAIL FROM", 2, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if ((size_t)snprintf(cmd, sizeof(cmd), "RCPT TO:<%s>\r\n",
				     rcpts[i]) >= sizeof(cmd)) {
			log_warn("notify: <%.60s...> too long, skipped",
				 rcpts[i]);
			continue;
		}
		if (smtp_step(c, cmd, "RCPT TO", 2, err, errlen) == 0)
			ok++;
		else
			log_warn("notify: <%s> refused: %s", rcpts[i], err);
	}
	if (ok == 0)
		snprintf(err, errlen, "every recipient refused (%s)", c->last);
	return ok > 0 ? 0 : -1;
}

/* smtp_domain_ok - a plausible domain: letters, digits, dots, hyphens */
static int
smtp_domain_ok(const char *d)
{
	return *d &&
	       strspn(d, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") == strlen(d);
}

/* smtp_qualify - addr with a domain: as it is if it has one, else
 * addr@ the first line of mailname (Debian's /etc/mailname, the domain
 * both Postfix and Sendmail use there), else @ the host name.  An SMTP
 * server may refuse an unqualified MAIL FROM (Sendmail: 553 5.5.4
 * Domain name required); caller frees */
char *
smtp_qualify(const char *addr, const char *mailname)
{
	char dom[256] = "", *out;
	FILE *f;
	size_t len;

	if (strchr(addr, '@') != NULL)
		return xstrdup(addr);
	if ((f = fopen(mailname, "re")) != NULL) {
		if (fgets(dom, sizeof(dom), f) == NULL)
			dom[0] = '\0';
		fclose(f);
		dom[strcspn(dom, " \t\r\n")] = '\0';
	}
	if (!smtp_domain_ok(dom) &&
	    (gethostname(dom, sizeof(dom)) < 0 || !smtp_domain_ok(dom)))
		strcpy(dom, "localhost");
	dom[sizeof(dom) - 1] = '\0';
	len = strlen(addr) + strlen(dom) + 2;
	out = xmalloc(len);
	snprintf(out, len, "%s@%s", addr, dom);
	return out;
}

/* smtp_submit - the whole conversation for one message */
int
smtp_submit(const char *spec, const char *from, char *const *rcpts, size_t n,
	    const char *msg, unsigned timeout_s, char *err, size_t errlen)
{
	struct smtp_conn c = {.fd = -1, .until = netio_until(timeout_s)};
	struct netio_addr a;
	char cmd[300], host[256] = "localhost", quit_err[200];
	size_t len;
	char *data;
	int rc = -1;

	if (netio_resolve(spec, &a, err, errlen) < 0)
		return -1;
	if ((c.fd = netio_connect(&a, timeout_s, c.until)) < 0) {
		snprintf(err, errlen, "cannot connect to %s: %m", spec);
		return -1;
	}
	if (gethostname(host, sizeof(host)) < 0 || host[0] == '\0')
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(cmd, sizeof(cmd), "EHLO %s\r\n", host);
	data = smtp_data(msg, &len);
	if (smtp_step(&c, NULL, "the greeting", 2, err, errlen) == 0 &&
	    smtp_step(&c, cmd, "EHLO", 2, err, errlen) == 0 &&
	    smtp_envelope(&c, from, rcpts, n, err, errlen) == 0 &&
	    smtp_step(&c, "DATA\r\n", "DATA", 3, err, errlen) == 0 &&
	    smtp_step(&c, data, "the message", 2, err, errlen) == 0)
		rc = 0;
	(void)smtp_step(&c, "QUIT\r\n", "QUIT", 2, quit_err, sizeof(quit_err));
	free(data);
	close(c.fd);
	return rc;
}
