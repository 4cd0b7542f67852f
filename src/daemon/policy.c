/*
 * NAME
 *	policy - decide what happens to a scanned message
 * SYNOPSIS
 *	struct policy_decision policy_decide(cfg, origin, status, virus)
 * DESCRIPTION
 *	A pure function: no I/O, no clock, no globals.  The rules:
 *
 *	clean                accept, X-Virus-Status: Clean
 *	notice               accept, no headers: clamgate's own notify-admin
 *	                     mail (token verified by the caller, as below)
 *	released             accept, X-Virus-Status: Released (the caller
 *	                     verified the token, on a path where
 *	                     policy_release_allowed() says it counts)
 *	error, not ready     on_error: tempfail, or accept as Unscanned
 *	oversize             on_oversize: accept as Unscanned, tempfail, or
 *	                     reject where safe (else the fallback; a discard
 *	                     fallback becomes quarantine, since we have no
 *	                     verdict to justify dropping the mail)
 *	incomplete           on_incomplete (default reject), the same choices
 *	infected             the first matching rule's action, else reject;
 *	                     a reject where it is not safe becomes the
 *	                     fallback (quarantine, hold or discard)
 *
 *	policy_unsafe_reason() is the only judge of reject safety.  A reject
 *	is safe only for an SMTP client that is the real sending MTA: not
 *	non-SMTP submission (port 0, {daemon_port} 0, a nonsmtp_daemons
 *	name), not a trusted relay, not a noreject daemon, not an
 *	authenticated client unless reject_authenticated, and only when the
 *	MTA told us enough (client address and {daemon_name}) to know.
 *
 *	policy_release_allowed() says where a release token counts: on the
 *	non-SMTP path (Postfix's sendmail and pickup) and from the local
 *	submission program (Sendmail's MSP relaying to its MTA: a loopback
 *	client, not authenticated, on a listener named in release_daemons).
 *	Never from any other SMTP client.  policy_notice_allowed() lets our
 *	own notice token count there and from any loopback client that did
 *	not authenticate (notify.smtp submits that way): such a token only
 *	lets that one notice through, once.
 *
 *	policy_partial_envelope() turns quarantine into the MTA's hold for
 *	a message whose recipients were not all recorded, and a SCAN_LIMIT
 *	(a limit of this daemon) is a tempfail whatever on_error says.
 */
#include <sys/socket.h>
#include <string.h>

#include "clamgate/cidr.h"
#include "clamgate/policy.h"
#include "clamgate/strconv.h"

/* policy_in_list - name is one of the list's words */
static int
policy_in_list(const struct cg_strlist *list, const char *name)
{
	for (size_t i = 0; i < list->count; i++)
		if (strcmp(list->items[i], name) == 0)
			return 1;
	return 0;
}

/* policy_is_nonsmtp - Postfix non_smtpd_milters mail (sendmail, pickup) */
static int
policy_is_nonsmtp(const struct cg_config *cfg, const struct policy_origin *o)
{
	if (o->has_addr && o->port == 0)
		return 1;
	if (o->daemon_port != NULL && strcmp(o->daemon_port, "0") == 0)
		return 1;
	return o->daemon_name != NULL &&
	       policy_in_list(&cfg->policy.nonsmtp_daemons, o->daemon_name);
}

/* policy_is_loopback - 127.0.0.0/8 (IPv4-mapped too, as cidr_match
 * does) or ::1 */
static int
policy_is_loopback(const struct sockaddr_storage *ss)
{
	static const struct cidr loopback[] = {
	    {AF_INET, {127}, 8},
	    {AF_INET6, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128},
	};

	return cidr_match_any(loopback, 2, (const struct sockaddr *)ss);
}

/* policy_is_local_submission - Sendmail's MSP relaying to its MTA: a
 * loopback client on a release_daemons listener, not authenticated */
static int
policy_is_local_submission(const struct cg_config *cfg,
			   const struct policy_origin *o)
{
	return o->has_addr && o->port != 0 && policy_is_loopback(&o->addr) &&
	       !o->authenticated && o->daemon_name != NULL &&
	       policy_in_list(&cfg->policy.release_daemons, o->daemon_name);
}

/* policy_release_allowed - a release token counts only on these paths */
int
policy_release_allowed(const struct cg_config *cfg,
		       const struct policy_origin *o)
{
	return policy_is_nonsmtp(cfg, o) || policy_is_local_submission(cfg, o);
}

/* policy_notice_allowed - our own notice may come back on the release
 * paths, and, as notify.smtp submits it, from any loopback SMTP client
 * that did not authenticate */
int
policy_notice_allowed(const struct cg_config *cfg,
		      const struct policy_origin *o)
{
	if (policy_release_allowed(cfg, o))
		return 1;
	return o->has_addr && o->port != 0 && policy_is_loopback(&o->addr) &&
	       !o->authenticated;
}

/* policy_is_outbound - mail leaving the server, for the outbound gate:
 * non-SMTP submission (Postfix's sendmail, pickup and, with
 * internal_mail_filter_classes, its own bounces), an authenticated
 * client, a listener named in outbound.listeners, or Sendmail's MSP
 * relaying to its MTA (as for release tokens) */
int
policy_is_outbound(const struct cg_config *cfg, const struct policy_origin *o)
{
	if (policy_is_nonsmtp(cfg, o) || o->authenticated ||
	    policy_is_local_submission(cfg, o))
		return 1;
	return o->daemon_name != NULL &&
	       policy_in_list(&cfg->outbound.listeners, o->daemon_name);
}

/* policy_may_refuse_rcpt - a recipient may be refused with a 4xx: not
 * on Postfix's non-SMTP path, where cleanup keeps the whole message in
 * the queue as a configuration error */
int
policy_may_refuse_rcpt(const struct cg_config *cfg,
		       const struct policy_origin *o)
{
	return !policy_is_nonsmtp(cfg, o);
}

/* policy_rcpts_as_given - the recipients the milter sees are those the
 * MTA matches a removal against: not on Postfix's non-SMTP path, where
 * cleanup shows them after canonical and virtual mapping but removes
 * only an original recipient, so a removal of a rewritten one does
 * nothing (and says it worked) */
int
policy_rcpts_as_given(const struct cg_config *cfg,
		      const struct policy_origin *o)
{
	return !policy_is_nonsmtp(cfg, o);
}

/* policy_unsafe_reason - why a reject would cause backscatter, or NULL */
const char *
policy_unsafe_reason(const struct cg_config *cfg, const struct policy_origin *o)
{
	if (cfg->policy.reject == CG_REJECT_NEVER)
		return "reject-never";
	if (!o->has_addr)
		return "no-client-address";
	if (policy_is_nonsmtp(cfg, o))
		return "non-smtp";
	if (cidr_match_any(cfg->policy.trusted_relays,
			   cfg->policy.n_trusted_relays,
			   (const struct sockaddr *)&o->addr))
		return "trusted-relay";
	if (o->daemon_name == NULL)
		return "macros-missing";
	if (policy_in_list(&cfg->policy.noreject_daemons, o->daemon_name))
		return "noreject-daemon";
	if (o->authenticated && !cfg->policy.reject_authenticated)
		return "authenticated";
	return NULL;
}

/* policy_reject_or_fallback - reject if safe, else the fallback */
static struct policy_decision
policy_reject_or_fallback(const struct cg_config *cfg,
			  const struct policy_origin *o,
			  enum policy_header header, int verdict_known)
{
	struct policy_decision d = {CG_REJECT, POLICY_HDR_NONE, "safe", -1};
	const char *unsafe = policy_unsafe_reason(cfg, o);

	if (unsafe == NULL)
		return d;
	d.why = unsafe;
	d.action = cfg->policy.fallback;
	if (d.action == CG_DISCARD && !verdict_known)
		d.action = CG_QUARANTINE;
	if (d.action == CG_HOLD)
		d.header = header;
	return d;
}

/* policy_infected - the rules, then reject where safe */
static struct policy_decision
policy_infected(const struct cg_config *cfg, const struct policy_origin *o,
		const char *virus)
{
	struct policy_decision d = {CG_REJECT, POLICY_HDR_NONE, "default", -1};
	int rule = -1;

	for (size_t i = 0; i < cfg->policy.n_rules && virus; i++) {
		if (strconv_glob_match(cfg->policy.rules[i].match, virus)) {
			rule = (int)i;
			break;
		}
	}
	if (rule >= 0 && cfg->policy.rules[rule].action != CG_REJECT) {
		d.action = cfg->policy.rules[rule].action;
		d.why = "rule";
	} else {
		d = policy_reject_or_fallback(cfg, o, POLICY_HDR_INFECTED, 1);
	}
	if (d.action == CG_ACCEPT || d.action == CG_HOLD)
		d.header = POLICY_HDR_INFECTED;
	d.rule = rule;
	return d;
}

/* policy_decide - the action for one message */
struct policy_decision
policy_decide(const struct cg_config *cfg, const struct policy_origin *o,
	      enum scan_status status, const char *virus)
{
	struct policy_decision d = {CG_ACCEPT, POLICY_HDR_CLEAN, "clean", -1};

	switch (status) {
	case SCAN_CLEAN:
		return d;
	case SCAN_RELEASED:
		d.why = "released";
		d.header = POLICY_HDR_RELEASED;
		return d;
	case SCAN_NOTICE:
		d.why = "own-notice";
		d.header = POLICY_HDR_NONE;
		return d;
	case SCAN_LIMIT: /* whatever on_error says: a sender can cause it */
		d.why = "limit";
		d.action = CG_TEMPFAIL;
		d.header = POLICY_HDR_NONE;
		return d;
	case SCAN_INFECTED:
		return policy_infected(cfg, o, virus);
	case SCAN_ERROR:
	case SCAN_NOT_READY:
		d.why = "on_error";
		d.header = POLICY_HDR_UNSCANNED;
		if (cfg->policy.on_error == CG_ON_ERROR_TEMPFAIL) {
			d.action = CG_TEMPFAIL;
			d.header = POLICY_HDR_NONE;
		}
		return d;
	case SCAN_OVERSIZE:
	case SCAN_INCOMPLETE:
		break;
	}
	/* a scan cut short by libclamav's limits is not the same as a message
	 * too large to scan: nesting and file counts are cheap for a sender
	 * to push past the limits, so it has its own, stricter setting */
	enum cg_action want = status == SCAN_INCOMPLETE
				  ? cfg->policy.on_incomplete
				  : cfg->policy.on_oversize;
	d.why = status == SCAN_INCOMPLETE ? "on_incomplete" : "on_oversize";
	d.header = POLICY_HDR_UNSCANNED;
	if (want == CG_TEMPFAIL) {
		d.action = CG_TEMPFAIL;
		d.header = POLICY_HDR_NONE;
	} else if (want == CG_REJECT)
		d = policy_reject_or_fallback(cfg, o, POLICY_HDR_UNSCANNED, 0);
	return d;
}

/* policy_partial_envelope - the decision for a message whose recipients
 * were not all recorded (non-SMTP, past milter.max_recipients): our
 * store would keep a partial envelope, so quarantine becomes the MTA's
 * hold, which keeps them all */
void
policy_partial_envelope(struct policy_decision *d)
{
	if (d->action != CG_QUARANTINE)
		return;
	d->action = CG_HOLD;
	d->why = "hold-partial-envelope";
}

/* policy_status_name - the verdict word for the log */
const char *
policy_status_name(enum scan_status status)
{
	switch (status) {
	case SCAN_CLEAN:
		return "clean";
	case SCAN_INFECTED:
		return "infected";
	case SCAN_ERROR:
		return "error";
	case SCAN_NOT_READY:
		return "not-ready";
	case SCAN_OVERSIZE:
		return "oversize";
	case SCAN_INCOMPLETE:
		return "incomplete";
	case SCAN_RELEASED:
		return "released";
	case SCAN_NOTICE:
		return "notice";
	case SCAN_LIMIT:
		return "limit";
	}
	return "unknown";
}
