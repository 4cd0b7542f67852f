/*
 * NAME
 *	gate - the outbound notification gate, per message
 * SYNOPSIS
 *	gate_inbound(cfg, session, &result)
 *	gate_outbound(cfg, session, &result)
 * DESCRIPTION
 *	Inbound (accepted mail from outside): a sender that a trusted
 *	Authentication-Results verifies (authres.h) is remembered as
 *	verified, and each (sender, recipient) pair as a contact, both
 *	through the writer's queue.  A null sender is never remembered;
 *	contacts are kept for the first CONTACTS_MAX recipients.
 *
 *	Outbound: the message is classified; automatic-looking mail that
 *	is not yet a response (needs_recent) becomes one when a recipient
 *	wrote to anyone here recently (a contact row within
 *	outbound.remember; anyone, because a reply comes from the user's
 *	own address while the mail may have come in through an alias).
 *	Each recipient is then checked: internal, allow-listed, and, for
 *	a verified-only rule, verified.  The store is asked only when the
 *	answer could change the decision, and what the writer has queued
 *	but not yet written counts as well.
 * DIAGNOSTICS
 *	A lookup that fails counts as "not verified" and as "a contact":
 *	the gate stops more, never less; and since rows the writer lost
 *	(gate_writer_lost_since) might have been contacts, every such
 *	message counts as a response for LOST_WINDOW (an hour) after the
 *	loss: automatic responses follow the mail they answer within
 *	seconds, and a longer window would hold back a site's newsletters
 *	for days after one failed write.  A failed lookup is logged and
 *	sets store_failed, which makes a message the gate would stop a
 *	tempfail (milter.c): the MTA keeps it and tries again, nothing is
 *	lost.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clamgate/authres.h"
#include "clamgate/gate.h"
#include "clamgate/log.h"
#include "clamgate/metrics.h"
#include "clamgate/session.h"
#include "clamgate/xmalloc.h"

#define CONTACTS_MAX 50
#define LOST_WINDOW  3600 /* seconds after lost rows: all is recent */

static atomic_ulong gate_stopped[AUTOCLASS_N_KINDS];

/* gate_start - catalogues and store, when the gate is on */
int
gate_start(const struct cg_config *cfg, char *err, size_t errlen)
{
	if (cfg->outbound.mode == CG_OUT_OFF)
		return 0;
	if (gate_cat_load(cfg, err, errlen) < 0)
		return -1;
	return gate_writer_start(cfg, err, errlen);
}

/* gate_stop - what was stopped, per kind; then write what is queued,
 * and, unless messages are still in flight (busy), close the store and
 * free the catalogues */
void
gate_stop(int busy)
{
	char line[256] = "";
	size_t used = 0;

	for (int k = 0; k < AUTOCLASS_N_KINDS; k++) {
		unsigned long n = atomic_load(&gate_stopped[k]);
		if (n > 0 && used < sizeof(line))
			used += (size_t)snprintf(
			    line + used, sizeof(line) - used, " %s=%lu",
			    autoclass_kind_name((enum autoclass_kind)k), n);
	}
	if (used > 0)
		log_info("outbound gate: stopped since start:%s", line);
	gate_writer_stop(busy);
	if (!busy)
		gate_cat_free();
}

/* gate_check - -t: the catalogues load and the store opens; 1 with the
 * store's state in err (vstore_state), 0 with the gate off, or -1 */
int
gate_check(const struct cg_config *cfg, char *err, size_t errlen)
{
	struct vstore *st;

	if (cfg->outbound.mode == CG_OUT_OFF)
		return 0;
	if (gate_cat_load(cfg, err, errlen) < 0)
		return -1;
	gate_cat_free();
	st = vstore_open(config_vstore_backend(cfg), config_vstore_where(cfg),
			 0, err, errlen);
	if (st == NULL)
		return -1;
	if (vstore_state(st, err, errlen) < 0) {
		vstore_close(st);
		return -1;
	}
	vstore_close(st);
	return 1;
}

/* gate_count_stopped - count a message the gate stopped, for the log */
void
gate_count_stopped(const struct gate_result *g)
{
	if (g->dir == GATE_OUT && !g->log_only && g->d.verdict != OUTBOUND_PASS)
		atomic_fetch_add(&gate_stopped[g->cls.kind], 1);
}

/* gate_inbound - remember a verified sender and its contacts */
void
gate_inbound(const struct cg_config *cfg, const struct session *s,
	     struct gate_result *g)
{
	struct vstore_row row;
	time_t now = time(NULL);

	g->dir = GATE_IN;
	if (s->sender == NULL || *s->sender == '\0')
		return;
	g->verified = authres_verified(&s->headers, s->sender,
				       &cfg->outbound.trusted_authserv_ids);
	memset(&row, 0, sizeof(row));
	row.first = row.last = now;
	row.count = 1;
	vstore_normalise(s->sender, row.addr);
	if (row.addr[0] == '\0')
		return; /* longer than the store keeps */
	if (g->verified) {
		row.table = VSTORE_VERIFIED;
		snprintf(row.how, sizeof(row.how), "%s",
			 authres_how_name(g->verified));
		gate_writer_put(&row);
		metrics_verified(g->verified);
	}
	row.table = VSTORE_CONTACT;
	row.how[0] = '\0';
	for (size_t i = 0; i < s->n_rcpts && i < CONTACTS_MAX; i++) {
		vstore_normalise(s->rcpts[i], row.local);
		if (row.local[0] != '\0')
			gate_writer_put(&row);
	}
}

/* gate_recent - a recipient wrote to anyone here within remember (not
 * only to the sender: a vacation reply comes from the user's own
 * address, the mail may have reached it through an alias); a store that
 * fails, or lost rows lately, counts as yes */
static int
gate_recent(const struct cg_config *cfg, const struct session *s,
	    struct gate_result *g)
{
	struct vstore *st = gate_writer_store();
	time_t since = time(NULL) - (time_t)cfg->outbound.remember;

	if (gate_writer_lost_since(time(NULL) - LOST_WINDOW))
		return 1;
	for (size_t i = 0; i < s->n_rcpts; i++) {
		char key[VSTORE_ADDR_MAX + 1];
		int rc = -1;

		/* an address the store cannot keep (too long, not UTF-8) was
		 * never recorded either: unknown, so counted as yes */
		vstore_normalise(s->rcpts[i], key);
		if (key[0] == '\0' ||
		    gate_writer_pending(VSTORE_CONTACT, s->rcpts[i], NULL))
			return 1;
		if (st != NULL)
			rc = vstore_get_contact(st, s->rcpts[i], NULL, since);
		if (rc < 0)
			g->store_failed = 1;
		if (rc != 0)
			return 1;
	}
	return 0;
}

/* gate_facts - each recipient: internal, allowed, verified if asked */
static void
gate_facts(const struct cg_config *cfg, const struct session *s,
	   struct gate_result *g)
{
	struct vstore *st = gate_writer_store();
	time_t since = time(NULL) - (time_t)cfg->outbound.remember;
	int ask = outbound_needs_verified(cfg, (int)g->cls.kind);

	g->n_rcpts = s->n_rcpts;
	g->rcpts = xcalloc(s->n_rcpts ? s->n_rcpts : 1, sizeof(*g->rcpts));
	for (size_t i = 0; i < s->n_rcpts; i++) {
		struct outbound_rcpt *r = &g->rcpts[i];
		r->addr = s->rcpts[i];
		r->internal = outbound_domain_internal(cfg, r->addr);
		r->allowed = outbound_rcpt_allowed(cfg, r->addr);
		r->verified = -1;
		if (!ask || r->internal || r->allowed)
			continue;
		if (gate_writer_pending(VSTORE_VERIFIED, r->addr, NULL))
			r->verified = 1;
		else if (st != NULL)
			r->verified =
			    vstore_get_verified(st, r->addr, since, NULL);
		if (r->verified < 0) {
			g->store_failed = 1;
			r->verified = 0;
		}
	}
}

/* gate_outbound - classify and decide one outbound message */
void
gate_outbound(const struct cg_config *cfg, const struct session *s,
	      struct gate_result *g)
{
	struct autoclass_facts facts = {s->sender ? s->sender : "", &s->headers,
					-1};

	g->dir = GATE_OUT;
	g->log_only = cfg->outbound.mode == CG_OUT_LOG;
	gate_cat_classify(&facts, &g->cls);
	if (g->cls.needs_recent &&
	    cfg->outbound.rule[AUTOCLASS_AUTOREPLY] !=
		cfg->outbound.rule[g->cls.kind] &&
	    facts.sender[0] != '\0') {
		facts.recent = gate_recent(cfg, s, g);
		gate_cat_classify(&facts, &g->cls);
	}
	gate_facts(cfg, s, g);
	outbound_decide(cfg, (int)g->cls.kind, facts.sender, g->rcpts,
			g->n_rcpts, s->rcpts_over, &g->d);
	/* a subject alone may be a person's: keep a copy, never drop it */
	if (g->cls.weak && g->d.action == CG_DISCARD)
		g->d.action = CG_QUARANTINE;
	if (g->store_failed) {
		metrics_store_error();
		log_warn("%s: outbound store lookup failed: %s",
			 session_queue_id(s),
			 vstore_error(gate_writer_store()));
	}
}

/* gate_result_free - forget one message's result */
void
gate_result_free(struct gate_result *g)
{
	free(g->rcpts);
	memset(g, 0, sizeof(*g));
}
