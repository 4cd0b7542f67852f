/*
 * policy - the decision: what to do with one scanned message
 *
 * policy_decide() is a pure function of the configuration, where the
 * message came from and what the scanner said.  It does no I/O.  It is
 * the only place that knows when a reject is safe: a reject is safe only
 * when the SMTP client is the real sending MTA, so that the client, not
 * our MTA or a relay that already queued the mail, owns any bounce.
 */
#ifndef CLAMGATE_POLICY_H
#define CLAMGATE_POLICY_H

#include <sys/socket.h>

#include "clamgate/config.h"
#include "clamgate/verdict.h"

struct policy_origin {
	int has_addr; /* the MTA told us a client address */
	struct sockaddr_storage addr;
	unsigned port;		 /* client port from the connect event */
	const char *daemon_name; /* {daemon_name} or NULL */
	const char *daemon_port; /* {daemon_port} or NULL */
	int authenticated;	 /* {auth_authen} was set */
};

enum policy_header {
	POLICY_HDR_NONE, /* add nothing */
	POLICY_HDR_CLEAN,
	POLICY_HDR_INFECTED,
	POLICY_HDR_UNSCANNED,
	POLICY_HDR_RELEASED,
};

struct policy_decision {
	enum cg_action action; /* never CG_REJECT when unsafe */
	enum policy_header header;
	const char *why; /* short reason for the log */
	int rule;	 /* index of the matching rule or -1 */
};

const char *policy_unsafe_reason(const struct cg_config *cfg,
				 const struct policy_origin *origin);
struct policy_decision policy_decide(const struct cg_config *cfg,
				     const struct policy_origin *origin,
				     enum scan_status status,
				     const char *virus);
void policy_partial_envelope(struct policy_decision *d);
const char *policy_status_name(enum scan_status status);
int policy_notice_allowed(const struct cg_config *cfg,
			  const struct policy_origin *origin);
int policy_is_outbound(const struct cg_config *cfg,
		       const struct policy_origin *origin);
int policy_may_refuse_rcpt(const struct cg_config *cfg,
			   const struct policy_origin *origin);
int policy_rcpts_as_given(const struct cg_config *cfg,
			  const struct policy_origin *origin);
int policy_release_allowed(const struct cg_config *cfg,
			   const struct policy_origin *origin);

#endif
