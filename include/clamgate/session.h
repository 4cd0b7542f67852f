/*
 * session - what one milter connection knows: the connect-time facts,
 * cached because Postfix evaluates end-of-message macros in cleanup, not
 * smtpd, and the state of the message in progress
 *
 * A session is created at negotiate or connect and freed only at close.
 * session_reset_message() is the one place that forgets a message; envfrom,
 * eom, abort and close all call it.
 */
#ifndef CLAMGATE_SESSION_H
#define CLAMGATE_SESSION_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>
#include <time.h>

#include "clamgate/config.h"
#include "clamgate/gate.h"
#include "clamgate/hdrlist.h"
#include "clamgate/pass.h"
#include "clamgate/policy.h"
#include "clamgate/qstore.h"
#include "clamgate/spool.h"

struct session {
	const struct cg_config *cfg;
	struct qstore *qstore;	/* where quarantined mail goes */
	unsigned long protocol; /* negotiated SMFIP_* steps */
	unsigned long actions;	/* negotiated SMFIF_* actions */
	/* connection */
	char *client_name;
	char client_addr[INET6_ADDRSTRLEN + 2];
	char *daemon_name;
	char *daemon_port;
	char *helo;
	struct policy_origin origin; /* points into the strings above */
	int past_max_sessions;	     /* opened past milter.max_sessions */
	/* message */
	int in_message;
	char *sender;
	char **rcpts;
	size_t n_rcpts;
	size_t rcpts_cap;
	size_t rcpts_over;    /* past milter.max_recipients, not recorded */
	size_t rcpts_refused; /* past milter.max_recipients, 452 */
	char *queue_id;
	unsigned forged_status;	 /* X-Virus-Status headers received */
	unsigned forged_scanned; /* X-Virus-Scanned headers received */
	char *release_token;	 /* X-Clamgate-Release, if present */
	char *notice_token;	 /* X-Clamgate-Notify, if present */
	unsigned n_release;	 /* X-Clamgate-Release headers received */
	unsigned n_notice;	 /* X-Clamgate-Notify headers received */
	struct pass pass;	 /* granted by pass_check() */
	char *subject;		 /* the first Subject, raw */
	char *message_id;	 /* the first Message-ID */
	struct hdrlist headers;	 /* every field, for the outbound gate
				  * (outbound.mode not off) */
	struct gate_result gate; /* what the outbound gate found */
	struct spool spool;
	struct timespec started;
};

struct session *session_new(const struct cg_config *cfg);
void session_free(struct session *s);
void session_set_client(struct session *s, const char *name,
			const struct sockaddr *sa);
void session_set_daemon(struct session *s, const char *name, const char *port);
void session_set_helo(struct session *s, const char *helo);
void session_begin_message(struct session *s, const char *sender,
			   int authenticated);
int session_add_rcpt(struct session *s, const char *rcpt);
void session_set_queue_id(struct session *s, const char *qid);
void session_note_header(struct session *s, const char *name,
			 const char *value);
void session_reset_message(struct session *s);
const char *session_queue_id(const struct session *s);

#endif
