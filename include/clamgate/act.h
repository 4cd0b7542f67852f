/*
 * act - carry out a policy decision on the live milter connection
 *
 * Everything that talks back to the MTA at end of message lives here:
 * the reply text, the headers, the hold request and the quarantine write.
 * A step that fails turns into a tempfail; nothing is accepted unscanned
 * and nothing is discarded unless it is safely stored first.
 */
#ifndef CLAMGATE_ACT_H
#define CLAMGATE_ACT_H

#include <libmilter/mfapi.h>

#include "clamgate/policy.h"
#include "clamgate/scan.h"
#include "clamgate/session.h"

/* what act asks of the MTA; each returns 0, or -1 if the MTA refused */
struct act_mta {
	void *ctx;
	int (*setreply)(void *ctx, const char *code, const char *xcode,
			const char *text);
	int (*addheader)(void *ctx, const char *name, const char *value);
	int (*chgheader)(void *ctx, const char *name, int index,
			 const char *value);
	int (*quarantine)(void *ctx, const char *reason);
	int (*delrcpt)(void *ctx, const char *rcpt);
};

/* why an action the policy chose became a tempfail */
enum act_failure {
	ACT_OK,
	ACT_STORE_FAILED, /* the quarantine copy could not be written */
	ACT_MTA_REFUSED,  /* the MTA refused a header, hold or removal */
};

struct act_outcome {
	sfsistat status;
	enum cg_action done; /* what really happened */
	enum act_failure failure;
	char quarantine_id[64];
};

void act_apply(const struct act_mta *m, struct session *s,
	       const struct policy_decision *d, const struct scan_result *res,
	       struct act_outcome *out);

#endif
