/*
 * NAME
 *	notify - notify-admin: a bounded queue, one notifier thread, an
 *	hourly limit and digest
 * DESCRIPTION
 *	Recipients come from notify.admin and nowhere else: no event field
 *	is ever used as an address.  notify_event() runs on the mail path:
 *	it takes a short lock, queues the event or (queue full, or
 *	stopping) adds it to the digest, and returns.  The thread sends at
 *	most notify.max_per_hour individual notices in each hour window;
 *	the rest go into a digest (counts per virus and per client, the
 *	first quarantine ids), sent when the window ends and at shutdown.
 *	Each notice carries X-Clamgate-Notify, a token the daemon verifies
 *	when the notice comes back through the non-SMTP path, so it is
 *	delivered unscanned and can never start a loop.
 *	Notices go over SMTP to notify.smtp (smtp_submit.h), or through
 *	notify.sendmail where that is "".
 * DIAGNOSTICS
 *	A failed submission is logged and tried again twice; then the
 *	notice waits in the outbox (outbox.h) and is tried again every
 *	minute and at the next start.  It is dropped, with an error line,
 *	only if it cannot be written there either.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clamgate/headers.h"
#include "clamgate/fdio.h"
#include "clamgate/log.h"
#include "clamgate/metrics.h"
#include "clamgate/notice.h"
#include "clamgate/notify.h"
#include "clamgate/outbox.h"
#include "clamgate/sendmail.h"
#include "clamgate/smtp_submit.h"
#include "clamgate/token.h"
#include "clamgate/xmalloc.h"

#define TALLY_MAX    100
#define IDS_MAX	     50
#define RETRIES	     3
#define SMTP_SECONDS 60 /* one SMTP conversation, start to end */

struct tally {
	char *name;
	unsigned long count;
};

struct digest {
	unsigned long total; /* every event of the period */
	unsigned long held;  /* those not notified one by one */
	struct tally virus[TALLY_MAX], client[TALLY_MAX];
	size_t n_virus, n_client;
	char *ids[IDS_MAX];
	size_t n_ids;
};

static const struct cg_config *nt_cfg;
static char *nt_smtp_from; /* notify.from with a domain, for SMTP */
static const struct token_key *nt_key;
static pthread_t nt_thread;
static pthread_mutex_t nt_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t nt_cond = PTHREAD_COND_INITIALIZER;
static struct notify_event *nt_queue[NOTIFY_QUEUE];
static size_t nt_head, nt_len;
static int nt_stopping, nt_running;
static struct digest nt_digest;

/* notify_enabled - does this action notify anyone? */
int
notify_enabled(const struct cg_config *cfg, enum cg_action done)
{
	return cfg->notify.admin.count > 0 && (cfg->notify.on & (1U << done));
}

/* notify_limit_take - may one more notice go out now? */
int
notify_limit_take(struct notify_limit *l, time_t now, unsigned max,
		  int *window_ended)
{
	*window_ended = 0;
	if (l->window_start == 0 || now - l->window_start >= 3600) {
		*window_ended = l->window_start != 0;
		l->window_start = now;
		l->sent = 0;
	}
	if (l->sent >= max)
		return 0;
	l->sent++;
	return 1;
}

/* notify_event_free - an event and its strings */
void
notify_event_free(struct notify_event *ev)
{
	if (ev == NULL)
		return;
	free(ev->virus);
	free(ev->queue_id);
	free(ev->quarantine_id);
	free(ev->client_name);
	free(ev->client_addr);
	free(ev->helo);
	free(ev->sender);
	free(ev->rcpts);
	free(ev->subject);
	free(ev->message_id);
	free(ev->headers);
	free(ev);
}

/* tally_add - count name in t; when t is full, under "(others)" */
static void
tally_add(struct tally *t, size_t *n, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp(t[i].name, name) == 0)
			break;
	if (i == *n && *n >= TALLY_MAX - 1 && strcmp(name, "(others)") != 0) {
		tally_add(t, n, "(others)");
		return;
	}
	if (i == *n)
		t[(*n)++] = (struct tally){xstrdup(name), 0};
	t[i].count++;
}

/* digest_add - count an event (held: not notified one by one); the lock
 * is held */
static void
digest_add(const struct notify_event *ev, int held)
{
	nt_digest.total++;
	nt_digest.held += (unsigned long)held;
	if (held)
		metrics_notify(MN_DIGESTED, 1);
	tally_add(nt_digest.virus, &nt_digest.n_virus,
		  ev->virus ? ev->virus : "-");
	tally_add(nt_digest.client, &nt_digest.n_client,
		  ev->client_addr ? ev->client_addr : "-");
	if (ev->quarantine_id && *ev->quarantine_id &&
	    nt_digest.n_ids < IDS_MAX)
		nt_digest.ids[nt_digest.n_ids++] = xstrdup(ev->quarantine_id);
}

/* digest_take - move the digest out; the lock is held */
static struct digest
digest_take(void)
{
	struct digest d = nt_digest;

	memset(&nt_digest, 0, sizeof(nt_digest));
	return d;
}

/* digest_text - the summary of a digest (caller frees) */
static char *
digest_text(const struct digest *d)
{
	size_t cap = 4096 + (TALLY_MAX * 2 + IDS_MAX) * 300, len = 0;
	char *s = xmalloc(cap);

	len += (size_t)snprintf(s + len, cap - len,
				"Messages stopped in this period: %lu\n"
				"Notified one by one: %lu; only in this "
				"digest: %lu\n\nPer virus:\n",
				d->total, d->total - d->held, d->held);
	for (size_t i = 0; i < d->n_virus; i++)
		len += (size_t)snprintf(s + len, cap - len, "  %8lu  %.200s\n",
					d->virus[i].count, d->virus[i].name);
	len += (size_t)snprintf(s + len, cap - len, "\nPer client:\n");
	for (size_t i = 0; i < d->n_client; i++)
		len += (size_t)snprintf(s + len, cap - len, "  %8lu  %.200s\n",
					d->client[i].count, d->client[i].name);
	len += (size_t)snprintf(s + len, cap - len,
				"\nQuarantine ids (first %d):\n", IDS_MAX);
	for (size_t i = 0; i < d->n_ids; i++)
		len +=
		    (size_t)snprintf(s + len, cap - len, "  %s\n", d->ids[i]);
	return s;
}

static void
digest_free(struct digest *d)
{
	for (size_t i = 0; i < d->n_virus; i++)
		free(d->virus[i].name);
	for (size_t i = 0; i < d->n_client; i++)
		free(d->client[i].name);
	for (size_t i = 0; i < d->n_ids; i++)
		free(d->ids[i]);
}

/* notify_feed - write the composed message */
static int
notify_feed(int fd, void *arg)
{
	const char *msg = arg;

	return fdio_write_all(fd, msg, strlen(msg));
}

/* notify_sign - the notice with an X-Clamgate-Notify token bound to it
 * put first, so that the daemon lets it through when it comes back; msg
 * is freed (caller frees the result) */
static char *
notify_sign(char *msg)
{
	struct token_canon c;
	char tok[TOKEN_VALUE_MAX], *out;
	size_t len;
	int rc;

	token_canon_init(&c);
	token_canon_add(&c, msg, strlen(msg));
	rc = token_make(nt_key, TOKEN_NOTIFY_ID, time(NULL) + TOKEN_TTL, &c,
			tok, sizeof(tok));
	token_canon_free(&c);
	if (rc < 0) {
		log_warn("notify: no token key in %s; the notice will be "
			 "scanned",
			 nt_cfg->quarantine.directory);
		return msg;
	}
	len = strlen(HDR_NOTIFY) + strlen(tok) + strlen(msg) + 4;
	out = xmalloc(len);
	snprintf(out, len, "%s: %s\n%s", HDR_NOTIFY, tok, msg);
	free(msg);
	return out;
}

/* notify_submit - one attempt: over SMTP to notify.smtp, or through
 * notify.sendmail where notify.smtp is "" */
static int
notify_submit(char *msg, char *err, size_t errlen)
{
	const struct cg_strlist *to = &nt_cfg->notify.admin;

	if (nt_cfg->notify.smtp[0] != '\0')
		return smtp_submit(nt_cfg->notify.smtp, nt_smtp_from, to->items,
				   to->count, msg, SMTP_SECONDS, err, errlen);
	return sendmail_submit(nt_cfg->notify.sendmail, nt_cfg->notify.from,
			       to->items, to->count, notify_feed, msg, err,
			       errlen);
}

/* notify_attempts - sign msg (not freed) and submit it, tries times;
 * 0 once it is submitted, -1 if never */
static int
notify_attempts(const char *msg, const char *what, int tries, int quiet)
{
	char err[512], *signed_msg = notify_sign(xstrdup(msg));
	int rc = -1;

	for (int attempt = 1; attempt <= tries; attempt++) {
		if (notify_submit(signed_msg, err, sizeof(err)) == 0) {
			log_info("notify: sent %s to %zu admin address(es)",
				 what, nt_cfg->notify.admin.count);
			metrics_notify(MN_SENT, 1);
			rc = 0;
			break;
		}
		if (quiet)
			log_debug("notify: %s: %s", what, err);
		else
			log_warn("notify: %s, attempt %d of %d: %s", what,
				 attempt, tries, err);
		if (attempt < tries)
			sleep((unsigned)attempt);
	}
	free(signed_msg);
	return rc;
}

/* notify_send - submit one composed message (unsigned; freed here) in
 * up to tries attempts; one that cannot be submitted now waits in the
 * outbox */
static void
notify_send(char *msg, const char *what, int tries)
{
	const char *dir = nt_cfg->quarantine.directory;

	if (notify_attempts(msg, what, tries, 0) < 0) {
		if (outbox_put(dir, msg) == 0) {
			metrics_notify(MN_DEFERRED, 1);
			log_warn("notify: %s kept in %s/.outbox, to be sent "
				 "once the MTA takes it",
				 what, dir);
		} else {
			metrics_notify(MN_DROPPED, 1);
			log_error("notify: %s dropped: cannot keep it in "
				  "%s/.outbox: %m",
				  what, dir);
		}
	}
	free(msg);
}

/* notify_outbox_send - outbox_flush callback: one try, quietly */
static int
notify_outbox_send(const char *msg, void *arg)
{
	(void)arg;
	return notify_attempts(msg, "a kept notice", 1, 1);
}

/* notify_retry_outbox - send what waits in the outbox, if anything */
static void
notify_retry_outbox(void)
{
	size_t n = outbox_flush(nt_cfg->quarantine.directory,
				notify_outbox_send, NULL);

	if (n > 0)
		log_info("notify: %zu kept notice(s) sent from %s/.outbox", n,
			 nt_cfg->quarantine.directory);
}

/* notify_flush_digest - send the digest if it counts anything; tries: 1
 * at shutdown, where the MTA is often stopped already and the outbox
 * keeps it for the next start */
static void
notify_flush_digest(int tries)
{
	struct digest d;
	char *text, label[64];

	pthread_mutex_lock(&nt_lock);
	d = digest_take();
	pthread_mutex_unlock(&nt_lock);
	if (d.held == 0) { /* everything was notified already */
		digest_free(&d);
		return;
	}
	if (!nt_cfg->notify.digest) {
		log_info("notify: %lu events over notify.max_per_hour not "
			 "mailed (notify.digest is off)",
			 d.total);
	} else {
		text = digest_text(&d);
		snprintf(label, sizeof(label), "digest of %lu events", d.total);
		notify_send(notice_digest(nt_cfg, text, d.total), label, tries);
		free(text);
	}
	digest_free(&d);
}

/* notify_one - an individual notice, or a digest entry over the limit */
static void
notify_one(struct notify_event *ev, struct notify_limit *limit)
{
	int ended;

	int allowed = notify_limit_take(limit, time(NULL),
					nt_cfg->notify.max_per_hour, &ended);

	if (ended)
		notify_flush_digest(RETRIES);
	pthread_mutex_lock(&nt_lock);
	digest_add(ev, !allowed);
	pthread_mutex_unlock(&nt_lock);
	if (allowed) {
		notify_send(notice_compose(nt_cfg, ev), "notice", RETRIES);
	}
	notify_event_free(ev);
}

/* notify_main - the notifier thread */
static void *
notify_main(void *arg)
{
	struct notify_limit limit = {0, 0};
	struct notify_event *ev;
	struct timespec until;

	/* the outbox is first tried a few seconds after start, once the
	 * milter listens: the notices come back through it */
	int wait_s = 5;

	(void)arg;
	pthread_mutex_lock(&nt_lock);
	for (;;) {
		while (nt_len == 0 && !nt_stopping) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += wait_s;
			wait_s = 60;
			if (pthread_cond_timedwait(&nt_cond, &nt_lock,
						   &until) != 0 &&
			    !nt_stopping) {
				pthread_mutex_unlock(&nt_lock);
				notify_retry_outbox();
				pthread_mutex_lock(&nt_lock);
			}
			if (nt_len == 0 && limit.window_start &&
			    time(NULL) - limit.window_start >= 3600) {
				pthread_mutex_unlock(&nt_lock);
				notify_flush_digest(RETRIES);
				limit.window_start = 0;
				pthread_mutex_lock(&nt_lock);
			}
		}
		if (nt_len == 0)
			break; /* stopping, queue drained */
		ev = nt_queue[nt_head];
		nt_head = (nt_head + 1) % NOTIFY_QUEUE;
		nt_len--;
		pthread_mutex_unlock(&nt_lock);
		notify_one(ev, &limit);
		pthread_mutex_lock(&nt_lock);
	}
	pthread_mutex_unlock(&nt_lock);
	notify_flush_digest(1);
	return NULL;
}

/* notify_start - start the thread, if anybody is to be notified */
int
notify_start(const struct cg_config *cfg, const struct token_key *key)
{
	nt_cfg = cfg;
	nt_key = key;
	if (cfg->notify.admin.count == 0)
		return 0;
	nt_smtp_from = smtp_qualify(cfg->notify.from, "/etc/mailname");
	if (pthread_create(&nt_thread, NULL, notify_main, NULL) != 0)
		return -1;
	nt_running = 1;
	return 0;
}

/* notify_event - queue an event (taking ownership); never blocks */
void
notify_event(struct notify_event *ev)
{
	pthread_mutex_lock(&nt_lock);
	if (!nt_running || nt_stopping || nt_len == NOTIFY_QUEUE) {
		digest_add(ev, 1);
		pthread_mutex_unlock(&nt_lock);
		notify_event_free(ev);
		return;
	}
	nt_queue[(nt_head + nt_len) % NOTIFY_QUEUE] = ev;
	nt_len++;
	pthread_cond_signal(&nt_cond);
	pthread_mutex_unlock(&nt_lock);
}

/* notify_stop - send what is queued and the digest, then end */
void
notify_stop(void)
{
	if (!nt_running)
		return;
	pthread_mutex_lock(&nt_lock);
	nt_stopping = 1;
	pthread_cond_signal(&nt_cond);
	pthread_mutex_unlock(&nt_lock);
	pthread_join(nt_thread, NULL);
	nt_running = 0;
	free(nt_smtp_from);
	nt_smtp_from = NULL;
}
