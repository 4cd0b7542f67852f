/*
 * NAME
 *	session - per-connection and per-message state of one milter session
 * DESCRIPTION
 *	The connection part is filled at connect (client, daemon macros)
 *	and helo, and kept for every message of the connection.  A second
 *	connect event on the same connection (Postfix sends one after
 *	XCLIENT) replaces it.  The message part is filled from envfrom to
 *	end of message and forgotten by session_reset_message().
 * DIAGNOSTICS
 *	None; allocation failures are fatal in xmalloc.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clamgate/headers.h"
#include "clamgate/scan.h"
#include "clamgate/session.h"
#include "clamgate/xmalloc.h"

/* session_new - an empty session */
struct session *
session_new(const struct cg_config *cfg)
{
	struct session *s = xcalloc(1, sizeof(*s));

	s->cfg = cfg;
	spool_init(&s->spool, cfg->scanner.temp_dir,
		   (size_t)cfg->scanner.spool_memory, SCAN_LEAD);
	return s;
}

/* session_clear_connection - forget the connect-time facts */
static void
session_clear_connection(struct session *s)
{
	free(s->client_name);
	free(s->daemon_name);
	free(s->daemon_port);
	free(s->helo);
	s->client_name = s->daemon_name = s->daemon_port = s->helo = NULL;
	s->client_addr[0] = '\0';
	memset(&s->origin, 0, sizeof(s->origin));
}

/* session_free - everything, at close */
void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	session_reset_message(s);
	session_clear_connection(s);
	free(s);
}

/* session_set_client - the connect event's host name and address */
void
session_set_client(struct session *s, const char *name,
		   const struct sockaddr *sa)
{
	session_clear_connection(s);
	s->client_name = xstrdup(name ? name : "unknown");
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;
		memcpy(&s->origin.addr, in, sizeof(*in));
		s->origin.port = ntohs(in->sin_port);
		inet_ntop(AF_INET, &in->sin_addr, s->client_addr,
			  sizeof(s->client_addr));
		s->origin.has_addr = 1;
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		memcpy(&s->origin.addr, in6, sizeof(*in6));
		s->origin.port = ntohs(in6->sin6_port);
		inet_ntop(AF_INET6, &in6->sin6_addr, s->client_addr,
			  sizeof(s->client_addr));
		s->origin.has_addr = 1;
	}
}

/* session_set_daemon - {daemon_name} and {daemon_port}, either NULL */
void
session_set_daemon(struct session *s, const char *name, const char *port)
{
	free(s->daemon_name);
	free(s->daemon_port);
	s->daemon_name = name ? xstrdup(name) : NULL;
	s->daemon_port = port ? xstrdup(port) : NULL;
	s->origin.daemon_name = s->daemon_name;
	s->origin.daemon_port = s->daemon_port;
}

/* session_set_helo - the HELO/EHLO argument */
void
session_set_helo(struct session *s, const char *helo)
{
	free(s->helo);
	s->helo = xstrdup(helo ? helo : "");
}

/* session_addr - an envelope address without its angle brackets */
static char *
session_addr(const char *arg)
{
	size_t len;

	if (arg == NULL)
		return xstrdup("");
	len = strlen(arg);
	if (len >= 2 && arg[0] == '<' && arg[len - 1] == '>')
		return xstrndup(arg + 1, len - 2);
	return xstrdup(arg);
}

/* session_begin_message - MAIL FROM: start a new message */
void
session_begin_message(struct session *s, const char *sender, int authenticated)
{
	session_reset_message(s);
	s->in_message = 1;
	s->sender = session_addr(sender);
	s->origin.authenticated = authenticated;
	clock_gettime(CLOCK_MONOTONIC, &s->started);
}

/* session_add_rcpt - one RCPT TO; -1 if milter.max_recipients are
 * recorded already */
int
session_add_rcpt(struct session *s, const char *rcpt)
{
	if (s->n_rcpts >= s->cfg->milter.max_recipients)
		return -1;
	if (s->n_rcpts == s->rcpts_cap) {
		s->rcpts_cap = s->rcpts_cap ? s->rcpts_cap * 2 : 4;
		s->rcpts = xrealloc(s->rcpts, s->rcpts_cap * sizeof(char *));
	}
	s->rcpts[s->n_rcpts++] = session_addr(rcpt);
	return 0;
}

/* session_set_queue_id - the MTA's queue id, once known */
void
session_set_queue_id(struct session *s, const char *qid)
{
	if (qid == NULL || *qid == '\0')
		return;
	free(s->queue_id);
	s->queue_id = xstrdup(qid);
}

/* session_queue_id - the queue id, or NOQUEUE as Postfix logs it */
const char *
session_queue_id(const struct session *s)
{
	return s->queue_id ? s->queue_id : "NOQUEUE";
}

/* session_keep - the first value of a header, trimmed and bounded */
static void
session_keep(char **slot, const char *value)
{
	if (*slot == NULL)
		*slot = xstrndup(value + strspn(value, " \t"), 998);
}

/* session_note_header - the headers clamgate cares about: X-Virus-* a
 * sender may have forged, our tokens, and Subject and Message-ID; with
 * the outbound gate on, every field */
void
session_note_header(struct session *s, const char *name, const char *value)
{
	if (s->cfg->outbound.mode != CG_OUT_OFF)
		hdrlist_add(&s->headers, name, value);
	if (strcasecmp(name, HDR_VIRUS_STATUS) == 0) {
		s->forged_status++;
	} else if (strcasecmp(name, HDR_VIRUS_SCANNED) == 0) {
		s->forged_scanned++;
	} else if (strcasecmp(name, HDR_RELEASE) == 0) {
		s->n_release++;
		session_keep(&s->release_token, value);
	} else if (strcasecmp(name, HDR_NOTIFY) == 0) {
		s->n_notice++;
		session_keep(&s->notice_token, value);
	} else if (strcasecmp(name, "Subject") == 0) {
		session_keep(&s->subject, value);
	} else if (strcasecmp(name, "Message-ID") == 0) {
		session_keep(&s->message_id, value);
	}
}

/* session_reset_message - forget the message in progress */
void
session_reset_message(struct session *s)
{
	free(s->sender);
	for (size_t i = 0; i < s->n_rcpts; i++)
		free(s->rcpts[i]);
	free(s->rcpts);
	free(s->queue_id);
	free(s->release_token);
	free(s->notice_token);
	free(s->subject);
	free(s->message_id);
	s->sender = s->queue_id = s->release_token = s->notice_token = NULL;
	s->subject = s->message_id = NULL;
	s->rcpts = NULL;
	s->n_rcpts = s->rcpts_cap = 0;
	s->rcpts_over = s->rcpts_refused = 0;
	s->forged_status = s->forged_scanned = 0;
	s->n_release = s->n_notice = 0;
	memset(&s->pass, 0, sizeof(s->pass));
	hdrlist_clear(&s->headers);
	gate_result_free(&s->gate);
	s->origin.authenticated = 0;
	s->in_message = 0;
	spool_reset(&s->spool);
}
