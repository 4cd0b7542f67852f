/*
 * NAME
 *	milter - the libmilter callbacks
 * DESCRIPTION
 *	Thin callbacks: each records what its phase brings into the session
 *	and returns.  Everything that decides happens at end of message:
 *	milter_eom() scans (scan_message), decides (policy_decide), acts
 *	(act_apply) and logs one line.  Callbacks before end of message
 *	never reject a message; where the MTA allows it (SMFIP_NR_*) they
 *	do not even answer HELO, headers or body, so the MTA streams those
 *	without a round trip each.  RCPT is answered, because a recipient
 *	past milter.max_recipients gets 452 4.5.3.  DATA is answered on
 *	purpose too: it
 *	is the MTA's last packet before the message itself, and Postfix
 *	writes the message from another process (cleanup).  Unanswered, the
 *	DATA-stage packet stays unacknowledged (clamgate's kernel delays its
 *	ACK), Nagle holds the message back until that ACK comes, and every
 *	message shorter than a TCP segment waited 40 ms on an inet socket
 *	(measured with Postfix; docs/design.md).
 *
 *	Connect-time macros are cached in the session: Postfix evaluates
 *	end-of-message macros in cleanup, where {daemon_name} is cleanup's.
 *
 *	The count of messages in flight (envfrom to eom or abort) lets
 *	milter_drain() wait for them after SIGTERM; while draining, new
 *	connections and new messages get 451 4.3.2, as do connections past
 *	milter.max_sessions.
 * DIAGNOSTICS
 *	A callback never exits.  Spool and scan failures become the
 *	on_error action (tempfail by default) at end of message.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libmilter/mfapi.h>

#include "clamgate/act.h"
#include "clamgate/authres.h"
#include "clamgate/gate.h"
#include "clamgate/log.h"
#include "clamgate/metrics.h"
#include "clamgate/milter.h"
#include "clamgate/notify.h"
#include "clamgate/pass.h"
#include "clamgate/reply.h"
#include "clamgate/session.h"
#include "clamgate/xmalloc.h"

#define WANT_ACTIONS                                                           \
	(SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE | SMFIF_SETSYMLIST | \
	 SMFIF_DELRCPT)
#define WANT_STEPS                                                             \
	(SMFIP_NOUNKNOWN | SMFIP_HDR_LEADSPC | SMFIP_NR_HELO | SMFIP_NR_HDR |  \
	 SMFIP_NR_EOH | SMFIP_NR_BODY)
#define DRAIN_TEXT	"clamgate is restarting; try again later"
#define BUSY_TEXT	"clamgate has too many connections; try again later"
#define LIMIT_LOG_EVERY 60 /* seconds between "too many sessions" lines */

static const struct cg_config *milter_cfg;
static const struct scan_backend *milter_backend;
static struct scanner *milter_scanner;
static const struct token_key *milter_key;
static struct qstore *milter_qs;

static pthread_mutex_t busy_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t busy_cond = PTHREAD_COND_INITIALIZER;
static unsigned busy_messages;
static atomic_int draining;
static atomic_uint open_sessions;

/* milter_setup - what the callbacks work with */
void
milter_setup(const struct cg_config *cfg, const struct scan_backend *be,
	     struct scanner *sc, const struct token_key *key, struct qstore *qs)
{
	milter_qs = qs;
	milter_cfg = cfg;
	milter_backend = be;
	milter_scanner = sc;
	milter_key = key;
}

/* milter_busy_leave - count a message out */
static void
milter_busy_leave(void)
{
	pthread_mutex_lock(&busy_lock);
	busy_messages--;
	if (busy_messages == 0)
		pthread_cond_broadcast(&busy_cond);
	pthread_mutex_unlock(&busy_lock);
}

/* milter_set_draining - from now on, tempfail new connections and mail */
void
milter_set_draining(void)
{
	pthread_mutex_lock(&busy_lock);
	atomic_store(&draining, 1);
	pthread_mutex_unlock(&busy_lock);
}

/* milter_busy_enter - count a new message in, unless draining; 0 or -1 */
static int
milter_busy_enter(void)
{
	int rc = -1;

	pthread_mutex_lock(&busy_lock);
	if (!atomic_load(&draining)) {
		busy_messages++;
		rc = 0;
	}
	pthread_mutex_unlock(&busy_lock);
	return rc;
}

/* milter_refuse - tempfail something new while draining */
static sfsistat
milter_refuse(SMFICTX *ctx)
{
	metrics_tempfail(MT_DRAINING);
	smfi_setreply(ctx, "451", "4.3.2", DRAIN_TEXT);
	return SMFIS_TEMPFAIL;
}

/* milter_drain - wait until no message is in flight; what is left */
int
milter_drain(unsigned seconds)
{
	struct timespec deadline;
	unsigned left;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += seconds;
	pthread_mutex_lock(&busy_lock);
	while (busy_messages > 0 &&
	       pthread_cond_timedwait(&busy_cond, &busy_lock, &deadline) == 0)
		;
	left = busy_messages;
	pthread_mutex_unlock(&busy_lock);
	return (int)left;
}

/* milter_counts - connections open and messages in flight now */
void
milter_counts(unsigned *sessions, unsigned *messages)
{
	*sessions = atomic_load(&open_sessions);
	pthread_mutex_lock(&busy_lock);
	*messages = busy_messages;
	pthread_mutex_unlock(&busy_lock);
}

/* milter_session - this connection's session, created on first use */
static struct session *
milter_session(SMFICTX *ctx)
{
	struct session *s = smfi_getpriv(ctx);

	if (s == NULL) {
		s = session_new(milter_cfg);
		s->qstore = milter_qs;
		smfi_setpriv(ctx, s);
		/* decided here, once: in a burst, only the connections
		 * past the limit are refused, not every one of them */
		s->past_max_sessions = atomic_fetch_add(&open_sessions, 1) >=
				       milter_cfg->milter.max_sessions;
	}
	return s;
}

/* milter_too_many - tempfail a connection past milter.max_sessions; say
 * so at once, then at most once a minute with the count since */
static sfsistat
milter_too_many(SMFICTX *ctx, unsigned n_open)
{
	static _Atomic time_t said;
	static atomic_ulong refused;
	time_t now = time(NULL), then = atomic_load(&said);
	unsigned long n = atomic_fetch_add(&refused, 1) + 1;

	metrics_tempfail(MT_MAX_SESSIONS);
	if (now - then >= LIMIT_LOG_EVERY &&
	    atomic_compare_exchange_strong(&said, &then, now)) {
		atomic_fetch_sub(&refused, n);
		log_warn("%u connections from the MTA, more than "
			 "milter.max_sessions (%u): %lu tempfailed%s",
			 n_open, milter_cfg->milter.max_sessions, n,
			 then ? " since the last report" : "");
	}
	smfi_setreply(ctx, "451", "4.3.2", BUSY_TEXT);
	return SMFIS_TEMPFAIL;
}

/* milter_end_message - forget the message, count it out */
static void
milter_end_message(struct session *s)
{
	if (s->in_message)
		milter_busy_leave();
	session_reset_message(s);
}

/* milter_go_on - CONTINUE, or NOREPLY where the MTA agreed to that */
static sfsistat
milter_go_on(const struct session *s, unsigned long nr_flag)
{
	return (s->protocol & nr_flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* milter_check_actions - say once if the MTA does not let clamgate add
 * and change headers: messages that need it are tempfailed */
static void
milter_check_actions(unsigned long actions)
{
	static atomic_int said;
	unsigned long need = SMFIF_ADDHDRS | SMFIF_CHGHDRS;

	if ((actions & need) != need && !atomic_exchange(&said, 1))
		log_error("the MTA offers the milter actions 0x%lx, without "
			  "adding (0x1) or changing (0x10) headers: messages "
			  "that need either are tempfailed; allow them in the "
			  "MTA's milter settings",
			  actions);
}

static sfsistat
milter_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
		 unsigned long f2, unsigned long f3, unsigned long *pf0,
		 unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	struct session *s = milter_session(ctx);

	(void)f2;
	(void)f3;
	*pf0 = f0 & WANT_ACTIONS;
	*pf1 = f1 & WANT_STEPS;
	*pf2 = *pf3 = 0;
	s->protocol = *pf1;
	s->actions = *pf0;
	milter_check_actions(*pf0);
	log_debug("negotiated actions 0x%lx of 0x%lx, steps 0x%lx of 0x%lx",
		  *pf0, f0, *pf1, f1);
	if (f0 & SMFIF_SETSYMLIST) {
		smfi_setsymlist(ctx, SMFIM_CONNECT,
				"j _ {daemon_name} {daemon_port} {client_addr} "
				"{client_port} {client_name}");
		smfi_setsymlist(ctx, SMFIM_ENVFROM,
				"i {auth_authen} {auth_type}");
		smfi_setsymlist(ctx, SMFIM_EOM, "i");
	}
	return SMFIS_CONTINUE;
}

static sfsistat
milter_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
	struct session *s = milter_session(ctx);

	milter_end_message(s);
	session_set_client(s, hostname, hostaddr);
	session_set_daemon(s, smfi_getsymval(ctx, "{daemon_name}"),
			   smfi_getsymval(ctx, "{daemon_port}"));
	if (atomic_load(&draining))
		return milter_refuse(ctx);
	if (s->past_max_sessions)
		return milter_too_many(ctx, atomic_load(&open_sessions));
	return SMFIS_CONTINUE;
}

static sfsistat
milter_helo(SMFICTX *ctx, char *helo)
{
	struct session *s = milter_session(ctx);

	session_set_helo(s, helo);
	return milter_go_on(s, SMFIP_NR_HELO);
}

static sfsistat
milter_envfrom(SMFICTX *ctx, char **argv)
{
	struct session *s = milter_session(ctx);
	const char *auth = smfi_getsymval(ctx, "{auth_authen}");

	milter_end_message(s);
	if (milter_busy_enter() < 0)
		return milter_refuse(ctx);
	session_begin_message(s, argv[0], auth != NULL && *auth != '\0');
	session_set_queue_id(s, smfi_getsymval(ctx, "i"));
	return SMFIS_CONTINUE;
}

/* milter_envrcpt - record the recipient; past milter.max_recipients,
 * 452 4.5.3 so the client sends the rest in another transaction (RFC
 * 5321 4.5.3.1.10).  On the non-SMTP path a refused recipient keeps the
 * message in the queue as a configuration error, and a tempfail would
 * come back with every retry: there the message is scanned as ever, and
 * held rather than quarantined if infected (policy_partial_envelope) */
static sfsistat
milter_envrcpt(SMFICTX *ctx, char **argv)
{
	struct session *s = milter_session(ctx);
	int refuse;

	if (session_add_rcpt(s, argv[0]) == 0)
		return SMFIS_CONTINUE;
	refuse = policy_may_refuse_rcpt(milter_cfg, &s->origin);
	if (s->rcpts_over + s->rcpts_refused == 0)
		log_warn("%s: more than milter.max_recipients (%u) "
			 "recipients: %s",
			 session_queue_id(s), milter_cfg->milter.max_recipients,
			 refuse ? "the rest get 452 4.5.3"
				: "the rest are not recorded, and an infected "
				  "message is held in the MTA's queue, not "
				  "quarantined");
	if (!refuse) {
		s->rcpts_over++;
		return SMFIS_CONTINUE;
	}
	s->rcpts_refused++;
	metrics_tempfail(MT_MAX_RECIPIENTS);
	smfi_setreply(ctx, "452", "4.5.3", "Too many recipients");
	return SMFIS_TEMPFAIL;
}

/* milter_data - answered, so that the MTA's DATA packet is acknowledged */
static sfsistat
milter_data(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static sfsistat
milter_header(SMFICTX *ctx, char *name, char *value)
{
	struct session *s = milter_session(ctx);

	session_note_header(s, name, value);
	(void)spool_append_header(&s->spool, name, value,
				  (s->protocol & SMFIP_HDR_LEADSPC) != 0);
	return milter_go_on(s, SMFIP_NR_HDR);
}

static sfsistat
milter_eoh(SMFICTX *ctx)
{
	struct session *s = milter_session(ctx);

	(void)spool_append(&s->spool, "\r\n", 2);
	return milter_go_on(s, SMFIP_NR_EOH);
}

static sfsistat
milter_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct session *s = milter_session(ctx);

	(void)spool_append(&s->spool, chunk, len);
	return milter_go_on(s, SMFIP_NR_BODY);
}

/* milter_scan - the scan result for the message in the session */
static void
milter_scan(struct session *s, struct scan_result *res)
{
	memset(res, 0, sizeof(*res));
	if (s->spool.error) {
		/* the spool budget is a limit, not an error: on_error =
		 * accept must not let a sender through by filling it */
		res->status =
		    s->spool.error == EDQUOT ? SCAN_LIMIT : SCAN_ERROR;
		snprintf(res->detail, sizeof(res->detail), "spool: %s",
			 strerror(s->spool.error));
	} else if (pass_check(milter_cfg, milter_key, s) == PASS_NOTICE) {
		res->status = SCAN_NOTICE;
	} else if (s->pass.kind == PASS_RELEASE) {
		res->status = SCAN_RELEASED;
		snprintf(res->detail, sizeof(res->detail), "released %s",
			 s->pass.token.id);
	} else if (s->spool.size > milter_cfg->scanner.max_message_size) {
		res->status = SCAN_OVERSIZE;
	} else {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		scan_message(milter_backend, milter_scanner, &s->spool,
			     milter_cfg->scanner.mime_view, res);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		metrics_scan_time((t1.tv_sec - t0.tv_sec) * 1000000LL +
				  (t1.tv_nsec - t0.tv_nsec) / 1000);
	}
}

/* milter_log_value - a value that cannot pose as another key=value field:
 * no white space, no control or 8-bit characters, bounded */
static const char *
milter_log_value(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	for (; in && *in && n + 1 < outlen; in++)
		out[n++] = (*in > 0x20 && *in < 0x7f) ? *in : '?';
	out[n] = '\0';
	return out;
}

/* milter_log_gate - the outbound gate's fields of the log line */
static void
milter_log_gate(const struct gate_result *g, char *buf, size_t len)
{
	char reason[160];

	buf[0] = '\0';
	if (g->dir == GATE_IN && g->verified)
		snprintf(buf, len, " dir=in verified=%s",
			 authres_how_name(g->verified));
	if (g->dir != GATE_OUT)
		return;
	snprintf(
	    buf, len,
	    " dir=out kind=%s gate=%s:%s%s stopped=%zu/%zu why=%s "
	    "class=%s",
	    autoclass_kind_name(g->cls.kind), config_out_rule_name(g->d.rule),
	    outbound_verdict_name(g->d.verdict),
	    g->log_only && g->d.verdict != OUTBOUND_PASS ? "(log-only)" : "",
	    g->d.n_stopped, g->n_rcpts, g->d.why,
	    milter_log_value(g->cls.reason, reason, sizeof(reason)));
}

/* milter_log - one line per message, as Postfix admins grep them */
static void
milter_log(const struct session *s, const struct scan_result *res,
	   const struct policy_decision *d, const struct act_outcome *out,
	   long ms)
{
	char virus[REPLY_VIRUS_MAX + 1] = "", extra[256] = "";
	char from[300], client[300], gate[512];

	if (res->virus[0])
		reply_sanitize(res->virus, virus, sizeof(virus),
			       REPLY_VIRUS_MAX);
	if (out->quarantine_id[0])
		snprintf(extra, sizeof(extra), " quarantine=%s",
			 out->quarantine_id);
	if (res->view[0])
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
			 " view=%s", res->view);
	if (res->detail[0])
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
			 " detail=\"%s\"", res->detail);
	milter_log_gate(&s->gate, gate, sizeof(gate));
	log_info("%s: client=%s[%s] from=<%s> nrcpt=%zu size=%llu "
		 "verdict=%s virus=%s action=%s reason=%s ms=%ld%s%s",
		 session_queue_id(s),
		 milter_log_value(s->client_name ? s->client_name : "unknown",
				  client, sizeof(client)),
		 s->client_addr[0] ? s->client_addr : "unknown",
		 milter_log_value(s->sender, from, sizeof(from)), s->n_rcpts,
		 (unsigned long long)s->spool.size,
		 policy_status_name(res->status), virus[0] ? virus : "-",
		 config_action_name(out->done), d->why, ms, gate, extra);
}

/* milter_join - the recipients, comma-separated (caller frees) */
static char *
milter_join(char *const *items, size_t n)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < n; i++)
		len += strlen(items[i]) + 2;
	s = xmalloc(len);
	s[0] = '\0';
	for (size_t i = 0; i < n; i++)
		strcat(strcat(s, i ? ", " : ""), items[i]);
	return s;
}

/* milter_count - the message's figures, for metrics */
static void
milter_count(const struct session *s, const struct scan_result *res,
	     const struct policy_decision *d, const struct act_outcome *out)
{
	const struct gate_result *g = &s->gate;

	metrics_message(policy_is_outbound(milter_cfg, &s->origin), res->status,
			out->done, (unsigned long long)s->spool.size);
	if (out->failure == ACT_STORE_FAILED)
		metrics_tempfail(MT_QUARANTINE_STORE);
	else if (out->failure == ACT_MTA_REFUSED)
		metrics_tempfail(MT_MTA_REFUSED);
	else if (out->done == CG_TEMPFAIL)
		metrics_tempfail(metrics_tempfail_reason(d->why, res->status));
	/* a tempfailed message was not stopped: the MTA tries it again */
	if (g->dir == GATE_OUT && out->done != CG_TEMPFAIL)
		metrics_gate(g->cls.kind, g->d.verdict, g->log_only,
			     g->d.n_stopped);
}

/* milter_notify - tell the admins, if configured; never blocks */
static void
milter_notify(const struct session *s, const struct scan_result *res,
	      const struct act_outcome *out)
{
	struct notify_event *ev;

	if (!notify_enabled(milter_cfg, out->done) ||
	    res->status == SCAN_CLEAN || res->status == SCAN_RELEASED ||
	    res->status == SCAN_NOTICE)
		return;
	ev = xcalloc(1, sizeof(*ev));
	ev->when = time(NULL);
	ev->virus = xstrdup(res->virus[0] ? res->virus
					  : policy_status_name(res->status));
	ev->action = config_action_name(out->done);
	ev->verdict = policy_status_name(res->status);
	ev->queue_id = xstrdup(session_queue_id(s));
	ev->quarantine_id = xstrdup(out->quarantine_id);
	ev->client_name = xstrdup(s->client_name ? s->client_name : "");
	ev->client_addr = xstrdup(s->client_addr);
	ev->helo = xstrdup(s->helo ? s->helo : "");
	ev->sender = xstrdup(s->sender ? s->sender : "");
	ev->rcpts = milter_join(s->rcpts, s->n_rcpts);
	ev->subject = s->subject ? xstrdup(s->subject) : NULL;
	ev->message_id = s->message_id ? xstrdup(s->message_id) : NULL;
	ev->size = (unsigned long long)s->spool.size;
	ev->headers = spool_head(&s->spool, NOTIFY_HEADERS_MAX);
	notify_event(ev);
}

/* the MTA's side of act.c: libmilter's calls on this connection */
static int
mta_setreply(void *ctx, const char *code, const char *xcode, const char *text)
{
	return smfi_setreply(ctx, (char *)code, (char *)xcode, (char *)text) ==
		       MI_SUCCESS
		   ? 0
		   : -1;
}

static int
mta_addheader(void *ctx, const char *name, const char *value)
{
	return smfi_addheader(ctx, (char *)name, (char *)value) == MI_SUCCESS
		   ? 0
		   : -1;
}

static int
mta_chgheader(void *ctx, const char *name, int index, const char *value)
{
	return smfi_chgheader(ctx, (char *)name, index, (char *)value) ==
		       MI_SUCCESS
		   ? 0
		   : -1;
}

static int
mta_quarantine(void *ctx, const char *reason)
{
	return smfi_quarantine(ctx, (char *)reason) == MI_SUCCESS ? 0 : -1;
}

static int
mta_delrcpt(void *ctx, const char *rcpt)
{
	return smfi_delrcpt(ctx, (char *)rcpt) == MI_SUCCESS ? 0 : -1;
}

/* milter_gated - the outbound gate looks at this message */
static int
milter_gated(const struct scan_result *res, const struct policy_decision *d)
{
	return milter_cfg->outbound.mode != CG_OUT_OFF &&
	       d->action == CG_ACCEPT && res->status != SCAN_RELEASED &&
	       res->status != SCAN_NOTICE;
}

/* milter_gate_out - classify and decide outbound mail; where recipients
 * cannot be removed (not offered, not all recorded, or not as the MTA
 * will match them), a trim stops the whole message; where the store
 * failed, a stop is a tempfail */
static void
milter_gate_out(struct session *s, struct policy_decision *d)
{
	struct gate_result *g = &s->gate;
	int can_remove = (s->actions & SMFIF_DELRCPT) && s->rcpts_over == 0 &&
			 policy_rcpts_as_given(milter_cfg, &s->origin);

	gate_outbound(milter_cfg, s, g);
	if (g->d.verdict == OUTBOUND_TRIM && !can_remove) {
		g->d.verdict = OUTBOUND_STOP;
		g->d.n_stopped = g->n_rcpts;
		for (size_t i = 0; i < g->n_rcpts; i++)
			g->rcpts[i].stop = 1;
	}
	outbound_merge(d, &g->d, g->log_only, can_remove);
	if (g->store_failed && !g->log_only && g->d.verdict != OUTBOUND_PASS) {
		d->action = CG_TEMPFAIL;
		d->why = "outbound-store";
		return;
	}
	gate_count_stopped(g);
}

static sfsistat
milter_eom(SMFICTX *ctx)
{
	struct act_mta mta = {ctx,	     mta_setreply,   mta_addheader,
			      mta_chgheader, mta_quarantine, mta_delrcpt};
	struct session *s = milter_session(ctx);
	struct policy_decision d;
	struct act_outcome out;
	struct scan_result res;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	session_set_queue_id(s, smfi_getsymval(ctx, "i"));
	milter_scan(s, &res);
	d = policy_decide(milter_cfg, &s->origin, res.status, res.virus);
	if (milter_gated(&res, &d) &&
	    policy_is_outbound(milter_cfg, &s->origin))
		milter_gate_out(s, &d);
	if (s->rcpts_over > 0)
		policy_partial_envelope(&d);
	act_apply(&mta, s, &d, &res, &out);
	if (milter_gated(&res, &d) && s->gate.dir == GATE_NONE &&
	    out.status == SMFIS_ACCEPT)
		gate_inbound(milter_cfg, s, &s->gate);
	if (out.status != SMFIS_ACCEPT)
		pass_undo(s);
	milter_notify(s, &res, &out);
	milter_count(s, &res, &d, &out);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	milter_log(s, &res, &d, &out,
		   (t1.tv_sec - t0.tv_sec) * 1000 +
		       (t1.tv_nsec - t0.tv_nsec) / 1000000);
	milter_end_message(s);
	return out.status;
}

static sfsistat
milter_abort(SMFICTX *ctx)
{
	struct session *s = smfi_getpriv(ctx);

	if (s != NULL)
		milter_end_message(s);
	return SMFIS_CONTINUE;
}

static sfsistat
milter_close(SMFICTX *ctx)
{
	struct session *s = smfi_getpriv(ctx);

	if (s != NULL) {
		milter_end_message(s);
		session_free(s);
		smfi_setpriv(ctx, NULL);
		atomic_fetch_sub(&open_sessions, 1);
	}
	return SMFIS_CONTINUE;
}

/* milter_register - hand the callback table to libmilter */
int
milter_register(void)
{
	static struct smfiDesc desc = {
	    .xxfi_name = "clamgate",
	    .xxfi_version = SMFI_VERSION,
	    .xxfi_flags = WANT_ACTIONS,
	    .xxfi_connect = milter_connect,
	    .xxfi_helo = milter_helo,
	    .xxfi_envfrom = milter_envfrom,
	    .xxfi_envrcpt = milter_envrcpt,
	    .xxfi_data = milter_data,
	    .xxfi_header = milter_header,
	    .xxfi_eoh = milter_eoh,
	    .xxfi_body = milter_body,
	    .xxfi_eom = milter_eom,
	    .xxfi_abort = milter_abort,
	    .xxfi_close = milter_close,
	    .xxfi_negotiate = milter_negotiate,
	};

	return smfi_register(desc) == MI_SUCCESS ? 0 : -1;
}
