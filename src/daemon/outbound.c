/*
 * NAME
 *	outbound - the outbound gate's decision for one automatic message
 * SYNOPSIS
 *	outbound_decide(cfg, kind, sender, rcpts, n, unknown, &decision)
 * DESCRIPTION
 *	A pure function of the configuration, the kind of the message
 *	(autoclass.h) and what the caller knows of each recipient.  The
 *	rule is outbound.<kind>:
 *
 *	allow          everyone gets it
 *	internal-only  only recipients in internal_domains (or their
 *	               subdomains)
 *	verified-only  recipients in internal_domains, and the verified
 *	               senders of inbound mail
 *	quarantine     nobody: stored, releasable
 *	discard        nobody: dropped
 *
 *	A sender in allow_senders lets the message pass whatever its kind;
 *	a recipient in allow_recipients (globs) or allow_domains always
 *	gets it.  When only some recipients may have it, the rest are
 *	removed (TRIM) and the message goes on to the others; what the
 *	stopped recipients would have had goes where outbound.on_stop says
 *	(quarantine keeps a copy addressed to them only).  An explicit
 *	quarantine or discard rule stops the whole message.
 *
 *	Addresses compare case-insensitively; a domain matches itself and
 *	its subdomains.  Only a plain address (outbound_addr_plain) can be
 *	internal, allow-listed or verified: a local part with quotes, a
 *	route, "%", "!" or another "@" is one the MTA may rewrite to
 *	somewhere else (Postfix's percent hack, bang paths and dequoting
 *	turn "victim%elsewhere@ours" into "victim@elsewhere"), so such a
 *	recipient is stopped under any rule but allow.  Recipients the
 *	milter did not record (past milter.max_recipients) are unknown:
 *	under any rule but allow, they stop the whole message.
 *
 *	outbound_merge() folds the gate's decision into the virus policy's,
 *	which it only ever sees as an accept (mail that is both infected
 *	and automatic follows the virus policy): STOP becomes the stop
 *	action; TRIM stays an accept (act.c removes the recipients), unless
 *	recipients cannot be removed (the MTA did not offer it, or not all
 *	recipients were recorded), when the whole message is stopped.  In
 *	log mode nothing changes.  Nothing here rejects: the submitting
 *	program (vacation, a bounce daemon) would only answer a reject with
 *	a bounce of its own.
 * DIAGNOSTICS
 *	None.
 */
#include <string.h>
#include <strings.h>

#include "clamgate/outbound.h"
#include "clamgate/strconv.h"

/* outbound_domain_of - the part after the last @, or NULL */
static const char *
outbound_domain_of(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;

	return at && at[1] ? at + 1 : NULL;
}

/* outbound_addr_plain - local@domain, the local part without quotes,
 * route, "%", "!", "@", white space or control characters, and not
 * longer than OUTBOUND_ADDR_MAX */
int
outbound_addr_plain(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;
	size_t len = addr ? strlen(addr) : 0;

	if (at == NULL || at == addr || at[1] == '\0' ||
	    len > OUTBOUND_ADDR_MAX)
		return 0;
	for (const char *p = addr; p < at; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f ||
		    strchr("\"%!@:,;<>()[]\\", *p) != NULL)
			return 0;
	return 1;
}

/* outbound_domain_in - domain is one of the list or below one */
static int
outbound_domain_in(const struct cg_strlist *list, const char *domain)
{
	size_t dlen = domain ? strlen(domain) : 0;

	if (dlen > 0 && domain[dlen - 1] == '.')
		dlen--;
	for (size_t i = 0; dlen > 0 && i < list->count; i++) {
		const char *d = list->items[i];
		size_t len = strlen(d);

		if (len > 0 && d[len - 1] == '.')
			len--;
		if (len > dlen || len == 0)
			continue;
		if (strncasecmp(domain + dlen - len, d, len) != 0)
			continue;
		if (len == dlen || domain[dlen - len - 1] == '.')
			return 1;
	}
	return 0;
}

/* outbound_glob_in - text matches one of the globs */
static int
outbound_glob_in(const struct cg_strlist *list, const char *text)
{
	for (size_t i = 0; text && i < list->count; i++)
		if (strconv_glob_match(list->items[i], text))
			return 1;
	return 0;
}

/* outbound_domain_internal - the address is in internal_domains */
int
outbound_domain_internal(const struct cg_config *cfg, const char *addr)
{
	return outbound_addr_plain(addr) &&
	       outbound_domain_in(&cfg->outbound.internal_domains,
				  outbound_domain_of(addr));
}

/* outbound_rcpt_allowed - allow_recipients or allow_domains */
int
outbound_rcpt_allowed(const struct cg_config *cfg, const char *addr)
{
	return outbound_addr_plain(addr) &&
	       (outbound_glob_in(&cfg->outbound.allow_recipients, addr) ||
		outbound_domain_in(&cfg->outbound.allow_domains,
				   outbound_domain_of(addr)));
}

/* outbound_sender_allowed - allow_senders */
int
outbound_sender_allowed(const struct cg_config *cfg, const char *sender)
{
	return outbound_glob_in(&cfg->outbound.allow_senders, sender);
}

/* outbound_needs_verified - the kind's rule asks the store */
int
outbound_needs_verified(const struct cg_config *cfg, int kind)
{
	return kind >= 0 && kind < CG_OUT_KINDS &&
	       cfg->outbound.rule[kind] == CG_OUT_VERIFIED_ONLY;
}

/* outbound_rcpt_ok - this recipient may have it under the rule */
static int
outbound_rcpt_ok(enum cg_out_rule rule, const struct outbound_rcpt *r)
{
	if (rule != CG_OUT_ALLOW && !outbound_addr_plain(r->addr))
		return 0;
	switch (rule) {
	case CG_OUT_ALLOW:
		return 1;
	case CG_OUT_INTERNAL_ONLY:
		return r->internal || r->allowed;
	case CG_OUT_VERIFIED_ONLY:
		return r->internal || r->allowed || r->verified == 1;
	case CG_OUT_QUARANTINE:
	case CG_OUT_DISCARD:
		return r->allowed;
	}
	return 0;
}

/* outbound_why_stop - the reason word for the log, someone stopped */
static const char *
outbound_why_stop(enum cg_out_rule rule)
{
	switch (rule) {
	case CG_OUT_VERIFIED_ONLY:
		return "unverified";
	case CG_OUT_INTERNAL_ONLY:
		return "external";
	default:
		return "rule";
	}
}

/* outbound_why_pass - the reason word, nobody stopped: what let the
 * recipients have it (verified, else allow-listed, else internal) */
static const char *
outbound_why_pass(const struct outbound_rcpt *rcpts, size_t n)
{
	int verified = 0, allowed = 0;

	for (size_t i = 0; i < n; i++) {
		if (!rcpts[i].internal && !rcpts[i].allowed)
			verified = 1;
		else if (!rcpts[i].internal)
			allowed = 1;
	}
	if (verified)
		return "verified";
	return allowed ? "allowed-recipient" : "internal";
}

/* outbound_decide - who gets one automatic message */
void
outbound_decide(const struct cg_config *cfg, int kind, const char *sender,
		struct outbound_rcpt *rcpts, size_t n, size_t unknown,
		struct outbound_decision *d)
{
	enum cg_out_rule rule = kind >= 0 && kind < CG_OUT_KINDS
				    ? cfg->outbound.rule[kind]
				    : CG_OUT_ALLOW;

	memset(d, 0, sizeof(*d));
	d->rule = rule;
	d->verdict = OUTBOUND_PASS;
	d->action = CG_ACCEPT;
	d->why = "allow";
	for (size_t i = 0; i < n; i++)
		rcpts[i].stop = 0;
	if (rule == CG_OUT_ALLOW)
		return;
	if (outbound_sender_allowed(cfg, sender)) {
		d->why = "allowed-sender";
		return;
	}
	for (size_t i = 0; i < n; i++) {
		rcpts[i].stop =
		    unknown > 0 || !outbound_rcpt_ok(rule, &rcpts[i]);
		d->n_stopped += (size_t)rcpts[i].stop;
	}
	if (d->n_stopped == 0 && unknown == 0) {
		d->why = outbound_why_pass(rcpts, n);
		return;
	}
	d->verdict = d->n_stopped == n ? OUTBOUND_STOP : OUTBOUND_TRIM;
	d->why = unknown > 0 ? "unrecorded" : outbound_why_stop(rule);
	if (rule == CG_OUT_DISCARD)
		d->action = CG_DISCARD;
	else if (rule == CG_OUT_QUARANTINE)
		d->action = CG_QUARANTINE;
	else
		d->action = cfg->outbound.on_stop;
}

/* outbound_merge - the gate's decision into the message's */
void
outbound_merge(struct policy_decision *pd, const struct outbound_decision *d,
	       int log_only, int can_remove)
{
	if (log_only || pd->action != CG_ACCEPT || d->verdict == OUTBOUND_PASS)
		return;
	if (d->verdict == OUTBOUND_TRIM && can_remove)
		return;
	pd->action = d->action;
	pd->header = POLICY_HDR_NONE;
	pd->why = "outbound";
}

/* outbound_verdict_name - pass, trim or stop */
const char *
outbound_verdict_name(enum outbound_verdict v)
{
	switch (v) {
	case OUTBOUND_PASS:
		return "pass";
	case OUTBOUND_TRIM:
		return "trim";
	case OUTBOUND_STOP:
		return "stop";
	}
	return "unknown";
}
