/*
 * outbound - the outbound gate's decision: which recipients of one
 * automatic message may receive it
 *
 * outbound_decide() is pure, like policy_decide(): the caller classified
 * the message (autoclass.h) and found out, for each recipient, whether
 * it is internal, allow-listed and verified (the store, vstore.h).
 */
#ifndef CLAMGATE_OUTBOUND_H
#define CLAMGATE_OUTBOUND_H

#include <stddef.h>

#include "clamgate/config.h"
#include "clamgate/policy.h"

struct outbound_rcpt {
	const char *addr;
	int internal; /* in outbound.internal_domains */
	int allowed;  /* outbound.allow_recipients or allow_domains */
	int verified; /* -1 not looked up, 0 no (or the store failed), 1 */
	int stop;     /* set by outbound_decide() */
};

enum outbound_verdict {
	OUTBOUND_PASS, /* every recipient gets it */
	OUTBOUND_TRIM, /* some recipients are removed, the rest get it */
	OUTBOUND_STOP, /* nobody gets it */
};

struct outbound_decision {
	enum cg_out_rule rule;
	enum outbound_verdict verdict;
	enum cg_action action; /* for the stopped: QUARANTINE or DISCARD */
	size_t n_stopped;
	const char *why; /* "allow", "verified", "unverified", ... */
};

#define OUTBOUND_ADDR_MAX 320 /* as the store keeps them (vstore.h) */

int outbound_addr_plain(const char *addr);
int outbound_domain_internal(const struct cg_config *cfg, const char *addr);
int outbound_rcpt_allowed(const struct cg_config *cfg, const char *addr);
int outbound_sender_allowed(const struct cg_config *cfg, const char *sender);
int outbound_needs_verified(const struct cg_config *cfg, int kind);
/* unknown: recipients not recorded (milter.max_recipients) */
void outbound_decide(const struct cg_config *cfg, int kind, const char *sender,
		     struct outbound_rcpt *rcpts, size_t n, size_t unknown,
		     struct outbound_decision *d);

void outbound_merge(struct policy_decision *pd,
		    const struct outbound_decision *d, int log_only,
		    int can_remove);
const char *outbound_verdict_name(enum outbound_verdict v);

#endif
