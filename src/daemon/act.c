/*
 * NAME
 *	act - carry out a policy decision at end of message
 * SYNOPSIS
 *	void act_apply(m, session, decision, scan_result, outcome)
 * DESCRIPTION
 *	reject      the configured code and text as the reply, REJECT
 *	tempfail    451 4.7.1, TEMPFAIL
 *	quarantine  write the store file, then DISCARD
 *	hold        the MTA's hold queue (smfi_quarantine), then ACCEPT
 *	discard     DISCARD
 *	accept      headers, then ACCEPT
 *
 *	The outbound gate (gate.h) adds two things.  A message it stops
 *	is quarantined as action "outbound", with its kind in the virus
 *	field ("outbound/autoreply") and the rule and reason in
 *	X-Clamgate-Gate.  A message it trims goes on to the recipients it
 *	allows: first the copy for the others is stored (on_stop =
 *	quarantine), then each of them is removed from the envelope.
 *
 *	Headers are added only to mail that goes on (accept, hold).  With
 *	headers = replace, every X-Virus-Status and X-Virus-Scanned the
 *	sender put in the message is deleted first, and our token headers
 *	are always deleted.
 *
 *	Everything act asks of the MTA goes through the act_mta table the
 *	caller gives it: libmilter's calls in the daemon (milter.c), a
 *	recording fake in the unit tests.
 * DIAGNOSTICS
 *	A quarantine write, a hold request or a header change that fails
 *	becomes a tempfail: the mail stays with the client, nothing is lost,
 *	and nothing goes on with a forged status or a token in it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clamgate/headers.h"
#include "clamgate/act.h"
#include "clamgate/log.h"
#include "clamgate/quarantine_store.h"
#include "clamgate/reply.h"
#include "clamgate/xmalloc.h"

#define TEMPFAIL_TEXT "Virus scan unavailable; try again later"
#define OVERSIZE_TEXT "Message too large to be scanned for viruses"
#define INCOMPLETE_TEXT                                                        \
	"Message content exceeds the virus scanner's limits; rejected"

/* act_tempfail - 451 4.7.1 */
static sfsistat
act_tempfail(const struct act_mta *m, struct act_outcome *out)
{
	out->done = CG_TEMPFAIL;
	if (m->setreply(m->ctx, "451", "4.7.1", TEMPFAIL_TEXT) < 0)
		log_warn("cannot set the tempfail reply text");
	return SMFIS_TEMPFAIL;
}

/* act_reject - the configured 5xx reply naming the virus */
static sfsistat
act_reject(const struct act_mta *m, struct session *s,
	   const struct scan_result *res)
{
	const struct cg_config *cfg = s->cfg;
	char text[REPLY_TEXT_MAX + 1], code[4], xcode[12];

	if (res->status == SCAN_OVERSIZE) {
		strcpy(code, "552");
		strcpy(xcode, "5.3.4");
		strcpy(text, OVERSIZE_TEXT);
	} else if (res->status == SCAN_INCOMPLETE) {
		strcpy(code, "554");
		strcpy(xcode, "5.7.1");
		strcpy(text, INCOMPLETE_TEXT);
	} else {
		memcpy(code, cfg->policy.reject_code, sizeof(code));
		memcpy(xcode, cfg->policy.reject_xcode, sizeof(xcode));
		reply_expand(cfg->policy.reject_text, res->virus, text,
			     sizeof(text));
	}
	if (m->setreply(m->ctx, code, xcode, text) < 0)
		log_warn("%s: cannot set the reject reply text",
			 session_queue_id(s));
	return SMFIS_REJECT;
}

/* act_status_value - the X-Virus-Status value */
static void
act_status_value(enum policy_header h, const struct scan_result *res,
		 const char *sp, char *out, size_t outlen)
{
	char name[REPLY_VIRUS_MAX + 1];

	switch (h) {
	case POLICY_HDR_INFECTED:
		reply_sanitize(res->virus, name, sizeof(name), REPLY_VIRUS_MAX);
		snprintf(out, outlen, "%sInfected (%s)", sp, name);
		break;
	case POLICY_HDR_UNSCANNED:
		snprintf(out, outlen, "%sUnscanned (%s)", sp,
			 res->status == SCAN_INCOMPLETE
			     ? "limits exceeded"
			     : policy_status_name(res->status));
		break;
	case POLICY_HDR_RELEASED:
		snprintf(out, outlen, "%sReleased from quarantine", sp);
		break;
	default:
		snprintf(out, outlen, "%sClean", sp);
		break;
	}
}

/* act_delete - remove the n copies of a header; 0, or -1 if the MTA
 * refused (header changes not allowed, or the connection failed) */
static int
act_delete(const struct act_mta *m, const char *name, unsigned n)
{
	int rc = 0;

	for (unsigned i = n; i > 0; i--)
		if (m->chgheader(m->ctx, name, (int)i, NULL) < 0)
			rc = -1;
	return rc;
}

/* act_tokens - our token headers never reach the recipients; a message
 * that passed on its token must lose it, or not go on (-1) */
static int
act_tokens(const struct act_mta *m, struct session *s)
{
	int rel = act_delete(m, HDR_RELEASE, s->n_release);
	int note = act_delete(m, HDR_NOTIFY, s->n_notice);

	if ((s->pass.kind == PASS_RELEASE && rel < 0) ||
	    (s->pass.kind == PASS_NOTICE && note < 0)) {
		log_error("%s: the MTA refused to remove the token header",
			  session_queue_id(s));
		return -1;
	}
	return 0;
}

/* act_headers - X-Virus-Scanned and X-Virus-Status, and with replace no
 * copy of the sender's; 0, or -1 if the MTA refused a change */
static int
act_headers(const struct act_mta *m, struct session *s, enum policy_header h,
	    const struct scan_result *res)
{
	char scanned[160], status[REPLY_VIRUS_MAX + 32];
	/* with SMFIP_HDR_LEADSPC the MTA takes values as they are */
	const char *sp = (s->protocol & SMFIP_HDR_LEADSPC) ? " " : "";

	if (act_tokens(m, s) < 0)
		return -1;
	if (s->cfg->policy.headers == CG_HEADERS_NONE || h == POLICY_HDR_NONE)
		return 0;
	if (s->cfg->policy.headers == CG_HEADERS_REPLACE &&
	    (act_delete(m, HDR_VIRUS_STATUS, s->forged_status) < 0 ||
	     act_delete(m, HDR_VIRUS_SCANNED, s->forged_scanned) < 0)) {
		log_error("%s: the MTA refused to remove the sender's X-Virus "
			  "headers",
			  session_queue_id(s));
		return -1;
	}
	if (res->version[0])
		snprintf(scanned, sizeof(scanned), "%sclamgate %s (%s)", sp,
			 CLAMGATE_VERSION, res->version);
	else
		snprintf(scanned, sizeof(scanned), "%sclamgate %s", sp,
			 CLAMGATE_VERSION);
	act_status_value(h, res, sp, status, sizeof(status));
	if (m->addheader(m->ctx, HDR_VIRUS_SCANNED, scanned) < 0 ||
	    m->addheader(m->ctx, HDR_VIRUS_STATUS, status) < 0) {
		log_error("%s: the MTA refused the X-Virus headers",
			  session_queue_id(s));
		return -1;
	}
	return 0;
}

/* act_gate_meta - the outbound gate's fields of an entry, and only the
 * recipients it stopped */
static void
act_gate_meta(struct session *s, struct quarantine_meta *m, char **rcpts,
	      char *virus, size_t vlen, char *why, size_t wlen)
{
	const struct gate_result *g = &s->gate;
	size_t n = 0;

	for (size_t i = 0; i < g->n_rcpts; i++)
		if (g->rcpts[i].stop)
			rcpts[n++] = s->rcpts[i];
	m->rcpts = rcpts;
	m->n_rcpts = n;
	snprintf(virus, vlen, "outbound/%s", autoclass_kind_name(g->cls.kind));
	snprintf(why, wlen, "kind=%s rule=%s why=%s reason=%s",
		 autoclass_kind_name(g->cls.kind),
		 config_out_rule_name(g->d.rule), g->d.why, g->cls.reason);
	m->virus = virus;
	m->action = "outbound";
	m->gate = why;
}

/* act_quarantine - store the message; 0 or -1 */
static int
act_quarantine(struct session *s, const struct scan_result *res,
	       struct act_outcome *out)
{
	char virus[64], why[256], **rcpts = NULL;
	int rc;
	struct quarantine_meta m = {
	    .sender = s->sender,
	    .rcpts = s->rcpts,
	    .n_rcpts = s->n_rcpts,
	    .client_addr = s->client_addr,
	    .client_name = s->client_name,
	    .helo = s->helo,
	    .queue_id = session_queue_id(s),
	    .virus =
		res->virus[0] ? res->virus : policy_status_name(res->status),
	    .action = "quarantine",
	    .engine = res->version,
	    .when = time(NULL),
	};

	if (s->gate.dir == GATE_OUT && s->gate.d.verdict != OUTBOUND_PASS) {
		rcpts = xcalloc(s->n_rcpts + 1, sizeof(*rcpts));
		act_gate_meta(s, &m, rcpts, virus, sizeof(virus), why,
			      sizeof(why));
	}
	rc = quarantine_store(s->qstore, &m, &s->spool, out->quarantine_id);
	free(rcpts);
	return rc;
}

/* act_trim - the outbound gate removes some recipients: their copy is
 * stored first if on_stop says so; 0, or -1 (then tempfail: nothing
 * went anywhere yet) */
static int
act_trim(const struct act_mta *m, struct session *s,
	 const struct scan_result *res, struct act_outcome *out)
{
	const struct gate_result *g = &s->gate;

	if (g->d.action == CG_QUARANTINE && act_quarantine(s, res, out) < 0) {
		out->failure = ACT_STORE_FAILED;
		return -1;
	}
	for (size_t i = 0; i < g->n_rcpts; i++) {
		char *addr;
		int rc;

		if (!g->rcpts[i].stop)
			continue;
		addr = xmalloc(strlen(g->rcpts[i].addr) + 3);
		sprintf(addr, "<%s>", g->rcpts[i].addr);
		rc = m->delrcpt(m->ctx, addr);
		if (rc < 0)
			log_error("%s: the MTA refused to remove recipient %s",
				  session_queue_id(s), addr);
		free(addr);
		if (rc < 0) {
			out->failure = ACT_MTA_REFUSED;
			return -1;
		}
	}
	return 0;
}

/* act_trimmed - the gate trims this message */
static int
act_trimmed(const struct session *s)
{
	return s->gate.dir == GATE_OUT && !s->gate.log_only &&
	       s->gate.d.verdict == OUTBOUND_TRIM;
}

/* act_hold - ask the MTA to hold the message */
static int
act_hold(const struct act_mta *m, const struct scan_result *res)
{
	char reason[REPLY_VIRUS_MAX + 32], name[REPLY_VIRUS_MAX + 1];

	reply_sanitize(res->virus[0] ? res->virus
				     : policy_status_name(res->status),
		       name, sizeof(name), REPLY_VIRUS_MAX);
	snprintf(reason, sizeof(reason), "clamgate: %s", name);
	return m->quarantine(m->ctx, reason);
}

/* act_apply - do what the decision says, or tempfail trying */
void
act_apply(const struct act_mta *m, struct session *s,
	  const struct policy_decision *d, const struct scan_result *res,
	  struct act_outcome *out)
{
	out->done = d->action;
	out->failure = ACT_OK;
	out->quarantine_id[0] = '\0';
	switch (d->action) {
	case CG_REJECT:
		out->status = act_reject(m, s, res);
		return;
	case CG_TEMPFAIL:
		out->status = act_tempfail(m, out);
		return;
	case CG_QUARANTINE:
		if (act_quarantine(s, res, out) == 0) {
			out->status = SMFIS_DISCARD;
			return;
		}
		out->failure = ACT_STORE_FAILED;
		out->status = act_tempfail(m, out);
		return;
	case CG_HOLD:
		if (act_hold(m, res) < 0) {
			log_error("%s: the MTA refused to hold the message",
				  session_queue_id(s));
			out->failure = ACT_MTA_REFUSED;
			out->status = act_tempfail(m, out);
			return;
		}
		break;
	case CG_DISCARD:
		out->status = SMFIS_DISCARD;
		return;
	case CG_ACCEPT:
		if (act_trimmed(s) && act_trim(m, s, res, out) < 0) {
			out->status = act_tempfail(m, out);
			return;
		}
		break;
	}
	if (act_headers(m, s, d->header, res) == 0) {
		out->status = SMFIS_ACCEPT;
		return;
	}
	out->failure = ACT_MTA_REFUSED;
	out->status = act_tempfail(m, out);
}
