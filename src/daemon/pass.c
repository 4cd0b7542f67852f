/*
 * NAME
 *	pass - let a released message or our own notice through unscanned
 * SYNOPSIS
 *	enum pass_kind pass_check(cfg, key, session)
 *	void pass_undo(cfg, session)
 * DESCRIPTION
 *	pass_check() looks at the token the message carries (the release
 *	token first), verifies it against the message in the spool and,
 *	if it is good, records its use in the store (qstore_token_use) and in
 *	the session (s->pass).  A token that is not honoured is logged with
 *	the reason; the message is then scanned like any other.
 * DIAGNOSTICS
 *	PASS_NONE for a message without a good token.
 */
#include <string.h>

#include <libmilter/mfapi.h>

#include "clamgate/headers.h"
#include "clamgate/log.h"
#include "clamgate/pass.h"
#include "clamgate/policy.h"
#include "clamgate/qstore.h"
#include "clamgate/session.h"

/* pass_canon_add - spool_each callback: feed the canonical form */
static int
pass_canon_add(const void *data, size_t len, void *arg)
{
	token_canon_add(arg, data, len);
	return 0;
}

/* pass_verify - NULL if the token in value is good for this message */
static const char *
pass_verify(const struct token_key *key, struct session *s, const char *value,
	    enum pass_kind kind, struct token *t)
{
	struct token_canon c;
	const char *why;

	if (token_parse(value, t) < 0)
		return "not a valid token";
	if ((strcmp(t->id, TOKEN_NOTIFY_ID) == 0) != (kind == PASS_NOTICE))
		return "a token of the other kind";
	token_canon_init(&c);
	if (spool_each(&s->spool, 0, pass_canon_add, &c) != 0)
		why = "cannot read the spool";
	else
		why = token_verify(key, t, time(NULL), &c);
	token_canon_free(&c);
	return why;
}

/* pass_why - NULL if the message may pass, else why not */
static const char *
pass_why(const struct cg_config *cfg, const struct token_key *key,
	 struct session *s, const char *value, enum pass_kind kind)
{
	const char *why;
	int rc;

	if (kind == PASS_RELEASE && !policy_release_allowed(cfg, &s->origin))
		return "it came from an SMTP client, not on the non-SMTP "
		       "path or from the local submission program";
	if (kind == PASS_NOTICE && !policy_notice_allowed(cfg, &s->origin))
		return "it came from an SMTP client that is not local";
	if (!(s->actions & SMFIF_CHGHDRS))
		return "the MTA does not allow header changes "
		       "(SMFIF_CHGHDRS), so the token could not be removed";
	if ((why = pass_verify(key, s, value, kind, &s->pass.token)) != NULL)
		return why;
	rc = qstore_token_use(s->qstore, &s->pass.token);
	if (rc == 1)
		return "used before";
	if (rc < 0) {
		log_error("%s: %s", session_queue_id(s), qstore_error());
		return "its use cannot be recorded in the quarantine store";
	}
	return NULL;
}

/* pass_check - does the message in s go on unscanned? */
enum pass_kind
pass_check(const struct cg_config *cfg, const struct token_key *key,
	   struct session *s)
{
	enum pass_kind kind = s->release_token ? PASS_RELEASE : PASS_NOTICE;
	const char *value =
	    s->release_token ? s->release_token : s->notice_token;
	const char *why;

	s->pass.kind = PASS_NONE;
	if (value == NULL)
		return PASS_NONE;
	if ((why = pass_why(cfg, key, s, value, kind)) != NULL) {
		log_notice("%s: %s not honoured, the message is scanned: %s",
			   session_queue_id(s),
			   kind == PASS_RELEASE ? HDR_RELEASE : HDR_NOTIFY,
			   why);
		return PASS_NONE;
	}
	s->pass.kind = kind;
	return kind;
}

/* pass_undo - the message was not passed on after all: give the use
 * back, so that the MTA's retry passes */
void
pass_undo(struct session *s)
{
	if (s->pass.kind == PASS_NONE)
		return;
	qstore_token_unuse(s->qstore, &s->pass.token);
	s->pass.kind = PASS_NONE;
}
