/*
 * pass - the messages that go through without a scan: a message released
 * from quarantine (X-Clamgate-Release) and clamgate's own notices
 * (X-Clamgate-Notify), each with a valid, unused token (token.h)
 *
 * pass_check() grants a pass only on the non-SMTP path
 * (policy_release_allowed), only when the MTA allows header changes (the
 * token header must be removed before delivery), and only for a token
 * made for this very message that was not used before; it records the
 * use.  pass_undo() gives the use back when the message did not go on
 * after all (a tempfail), so that the MTA's retry still passes.
 */
#ifndef CLAMGATE_PASS_H
#define CLAMGATE_PASS_H

#include "clamgate/config.h"
#include "clamgate/token.h"

struct session;

enum pass_kind { PASS_NONE, PASS_RELEASE, PASS_NOTICE };

struct pass {
	enum pass_kind kind;
	struct token token;
};

enum pass_kind pass_check(const struct cg_config *cfg,
			  const struct token_key *key, struct session *s);
void pass_undo(struct session *s);

#endif
