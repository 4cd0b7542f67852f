/*
 * NAME
 *	metrics_http - the Prometheus endpoint
 * SYNOPSIS
 *	metrics_http_open(cfg, err, len)	(as root, before the drop)
 *	metrics_http_start(err, len)
 *	metrics_http_stop()
 * DESCRIPTION
 *	libmicrohttpd serves the socket that listen_open() made for
 *	metrics.listen, from one internal thread with poll(): GET (or
 *	HEAD) /metrics answers the Prometheus text (stats_text), / a line
 *	that points there, any other path 404 and any other method 405.
 *	Clients on a unix socket are let in (its mode decides who may
 *	connect); clients over TCP only from a metrics.allow network, every
 *	other connection is closed unanswered.  At most MAX_CLIENTS
 *	connections at once, each at most TIMEOUT seconds idle: a client
 *	cannot hold the endpoint, and nothing here touches the mail path.
 * DIAGNOSTICS
 *	-1 with the reason in err at start-up (the daemon then runs without
 *	the endpoint); libmicrohttpd's own errors while serving are logged
 *	as warnings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "clamgate/cidr.h"
#include "clamgate/listen.h"
#include "clamgate/log.h"
#include "clamgate/metrics_http.h"
#include "clamgate/stats.h"

#define MAX_CLIENTS  16
#define TIMEOUT	     10 /* seconds */
#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define PLAIN_TYPE   "text/plain; charset=utf-8"
#define INDEX_TEXT   "clamgate: the metrics are at /metrics\n"

static const struct cg_config *mh_cfg;
static struct MHD_Daemon *mh_daemon;
static int mh_fd = -1;

/* metrics_http_open - bind metrics.listen, if set */
int
metrics_http_open(const struct cg_config *cfg, char *err, size_t errlen)
{
	mh_cfg = cfg;
	if (cfg->metrics.listen[0] == '\0')
		return 0;
	mh_fd = listen_open(cfg, cfg->metrics.listen, err, errlen);
	return mh_fd < 0 ? -1 : 0;
}

/* mh_log - libmicrohttpd's messages, as warnings */
static void __attribute__((format(printf, 2, 0)))
mh_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_warn("metrics endpoint: %s", msg);
}

/* mh_accept - a client from metrics.allow, or on a unix socket */
static enum MHD_Result
mh_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
	(void)cls;
	if (len == 0 || addr->sa_family == AF_UNIX)
		return MHD_YES;
	if (cidr_match_any(mh_cfg->metrics.allow, mh_cfg->metrics.n_allow,
			   addr))
		return MHD_YES;
	log_debug("metrics endpoint: a client outside metrics.allow, closed");
	return MHD_NO;
}

/* mh_reply - queue one response */
static enum MHD_Result
mh_reply(struct MHD_Connection *conn, unsigned code, const char *type,
	 char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result rc;

	if (r == NULL) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	rc = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return rc;
}

/* mh_static - a fixed text */
static enum MHD_Result
mh_static(struct MHD_Connection *conn, unsigned code, const char *text)
{
	return mh_reply(conn, code, PLAIN_TYPE, (char *)text, strlen(text),
			MHD_RESPMEM_PERSISTENT);
}

/* mh_request - one request */
static enum MHD_Result
mh_request(void *cls, struct MHD_Connection *conn, const char *url,
	   const char *method, const char *version, const char *upload,
	   size_t *upload_len, void **state)
{
	char *text;
	size_t len;

	(void)cls;
	(void)version;
	(void)upload;
	(void)state;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		*upload_len = 0;
		return mh_static(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				 "only GET and HEAD\n");
	}
	if (strcmp(url, "/") == 0)
		return mh_static(conn, MHD_HTTP_OK, INDEX_TEXT);
	if (strcmp(url, "/metrics") != 0)
		return mh_static(conn, MHD_HTTP_NOT_FOUND, "not found\n");
	if ((text = stats_text(&len)) == NULL)
		return mh_static(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				 "cannot make the metrics now\n");
	return mh_reply(conn, MHD_HTTP_OK, METRICS_TYPE, text, len,
			MHD_RESPMEM_MUST_FREE);
}

/* metrics_http_start - serve the socket opened before */
int
metrics_http_start(char *err, size_t errlen)
{
	if (mh_fd < 0)
		return 0;
	mh_daemon = MHD_start_daemon(
	    MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, mh_accept,
	    NULL, mh_request, NULL, MHD_OPTION_EXTERNAL_LOGGER, mh_log, NULL,
	    MHD_OPTION_LISTEN_SOCKET, mh_fd, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)MAX_CLIENTS, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)TIMEOUT, MHD_OPTION_END);
	if (mh_daemon == NULL) {
		snprintf(err, errlen, "metrics.listen %s: cannot serve it",
			 mh_cfg->metrics.listen);
		return -1;
	}
	return 0;
}

/* metrics_http_stop - stop serving and close the socket (libmicrohttpd
 * closes it once it serves it; closing it again could close another
 * thread's new descriptor of the same number), and remove a unix one */
void
metrics_http_stop(void)
{
	const char *spec = mh_cfg ? mh_cfg->metrics.listen : "";

	if (mh_daemon != NULL)
		MHD_stop_daemon(mh_daemon);
	else if (mh_fd >= 0)
		close(mh_fd);
	if (mh_fd >= 0 && strncmp(spec, "unix:", 5) == 0)
		unlink(spec + 5);
	else if (mh_fd >= 0 && strncmp(spec, "local:", 6) == 0)
		unlink(spec + 6);
	mh_daemon = NULL;
	mh_fd = -1;
}
