/*
 * NAME
 *	gate_writer - the outbound gate's store, written from its own thread
 * SYNOPSIS
 *	gate_writer_start(cfg, err, errlen)
 *	gate_writer_put(row)
 *	st = gate_writer_store()
 *	gate_writer_stop(keep_store)
 * DESCRIPTION
 *	The milter threads never wait for a write: gate_writer_put()
 *	copies the row into a bounded queue and returns.  The thread
 *	writes what is queued in one transaction every FLUSH_MS (sooner
 *	when BATCH rows wait), trims the store (outbound.remember,
 *	outbound.max_entries) at start and every TRIM_SECONDS, and looks
 *	at the catalogues for changes every CAT_SECONDS.  Lookups on the
 *	mail path use the same store handle directly (vstore serialises
 *	them); a lookup that fails counts as not verified.
 *
 *	gate_writer_pending() finds a row that is queued or being written
 *	but not yet committed, so that a lookup sees a contact or a
 *	verification made a moment ago: a vacation program answers within
 *	milliseconds of the delivery, before the next batch is written.
 *
 *	What is queued when clamgate is killed is lost: a sender not
 *	remembered is only a sender whose automatic replies wait for its
 *	next verified message.  gate_writer_stop() writes the rest.
 * DIAGNOSTICS
 *	A full queue or a failed write drops rows; either is logged, at
 *	most once a minute, with the count, and gate_writer_lost_since()
 *	tells the gate that what it does not find may have been lost.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clamgate/gate.h"
#include "clamgate/log.h"
#include "clamgate/metrics.h"
#include "clamgate/xmalloc.h"

#define QUEUE_MAX    4096 /* rows waiting */
#define BATCH	     256
#define FLUSH_MS     200
#define TRIM_SECONDS 600
#define CAT_SECONDS  5
#define SAY_EVERY    60

static struct vstore *w_store;
static const struct cg_config *w_cfg;
static pthread_t w_thread;
static int w_running;
static pthread_mutex_t w_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t w_cond = PTHREAD_COND_INITIALIZER;
static struct vstore_row *w_queue;
static size_t w_queued;
static const struct vstore_row *w_inflight; /* the batch being written */
static size_t w_inflight_n;
static int w_stopping;
static atomic_ulong w_dropped;
static atomic_llong w_last_drop; /* when rows were last dropped */

/* gate_writer_store - the store, for lookups; NULL when the gate is off */
struct vstore *
gate_writer_store(void)
{
	return w_store;
}

/* gate_writer_match - the row is of that table and those addresses
 * (normalised already; local "" for a verified row) */
static int
gate_writer_match(const struct vstore_row *r, enum vstore_table table,
		  const char *addr, const char *local)
{
	return r->table == table && strcmp(r->addr, addr) == 0 &&
	       (table != VSTORE_CONTACT || local == NULL ||
		strcmp(r->local, local) == 0);
}

/* gate_writer_pending - a row not yet committed: 1 or 0; a contact
 * with local NULL: to anyone */
int
gate_writer_pending(enum vstore_table table, const char *addr,
		    const char *local)
{
	char a[VSTORE_ADDR_MAX + 1], l[VSTORE_ADDR_MAX + 1];
	const char *lp = local ? l : NULL;
	int found = 0;

	vstore_normalise(addr, a);
	vstore_normalise(local ? local : "", l);
	if (a[0] == '\0')
		return 0;
	pthread_mutex_lock(&w_lock);
	for (size_t i = 0; !found && i < w_queued; i++)
		found = gate_writer_match(&w_queue[i], table, a, lp);
	for (size_t i = 0; !found && i < w_inflight_n; i++)
		found = gate_writer_match(&w_inflight[i], table, a, lp);
	pthread_mutex_unlock(&w_lock);
	return found;
}

/* gate_writer_dropped - n rows were lost */
static void
gate_writer_dropped(unsigned long n)
{
	atomic_fetch_add(&w_dropped, n);
	atomic_store(&w_last_drop, (long long)time(NULL));
	metrics_store_error();
}

/* gate_writer_lost_since - were rows lost at t or later? */
int
gate_writer_lost_since(time_t t)
{
	return atomic_load(&w_last_drop) >= (long long)t;
}

/* gate_writer_put - queue one row; never blocks on the disk */
void
gate_writer_put(const struct vstore_row *row)
{
	int wake;

	pthread_mutex_lock(&w_lock);
	if (w_queue == NULL || w_queued >= QUEUE_MAX) {
		pthread_mutex_unlock(&w_lock);
		gate_writer_dropped(1);
		return;
	}
	w_queue[w_queued++] = *row;
	wake = w_queued >= BATCH;
	pthread_mutex_unlock(&w_lock);
	if (wake)
		pthread_cond_signal(&w_cond);
}

/* gate_writer_say - report dropped rows, at most once a minute */
static void
gate_writer_say(time_t now, time_t *said)
{
	unsigned long n;

	if (now - *said < SAY_EVERY || atomic_load(&w_dropped) == 0)
		return;
	n = atomic_exchange(&w_dropped, 0);
	*said = now;
	log_warn("outbound store: %lu rows not written (queue full or "
		 "write failed): those senders and contacts are not "
		 "remembered",
		 n);
}

/* gate_writer_flush - write what is queued; the lock is held on entry
 * and on return, not during the write */
static void
gate_writer_flush(struct vstore_row *buf)
{
	size_t n = w_queued;

	if (n == 0)
		return;
	memcpy(buf, w_queue, n * sizeof(*buf));
	w_queued = 0;
	w_inflight = buf;
	w_inflight_n = n;
	pthread_mutex_unlock(&w_lock);
	if (vstore_put(w_store, buf, n) < 0) {
		log_debug("outbound store: %s", vstore_error(w_store));
		gate_writer_dropped(n);
	}
	pthread_mutex_lock(&w_lock);
	w_inflight = NULL;
	w_inflight_n = 0;
}

/* gate_writer_trim - age and size limits */
static void
gate_writer_trim(time_t now)
{
	time_t cutoff = now - (time_t)w_cfg->outbound.remember;

	if (vstore_trim(w_store, cutoff, w_cfg->outbound.max_entries) < 0)
		log_warn("outbound store: trim failed: %s",
			 vstore_error(w_store));
}

/* gate_writer_wait - until FLUSH_MS pass, a batch waits, or stop */
static void
gate_writer_wait(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += FLUSH_MS * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (!w_stopping && w_queued < BATCH &&
	       pthread_cond_timedwait(&w_cond, &w_lock, &ts) == 0)
		;
}

/* gate_writer_main - the thread */
static void *
gate_writer_main(void *arg)
{
	struct vstore_row *buf = xcalloc(QUEUE_MAX, sizeof(*buf));
	time_t trimmed = 0, looked = time(NULL), said = 0;
	int stop = 0;

	(void)arg;
	pthread_mutex_lock(&w_lock);
	while (!stop) {
		time_t now = time(NULL);

		gate_writer_wait();
		stop = w_stopping;
		gate_writer_flush(buf);
		pthread_mutex_unlock(&w_lock);
		if (now - trimmed >= TRIM_SECONDS) {
			gate_writer_trim(now);
			trimmed = now;
		}
		if (now - looked >= CAT_SECONDS) {
			gate_cat_reload(0);
			looked = now;
		}
		gate_writer_say(now, &said);
		pthread_mutex_lock(&w_lock);
	}
	pthread_mutex_unlock(&w_lock);
	free(buf);
	return NULL;
}

/* gate_writer_start - open the store and start the thread */
int
gate_writer_start(const struct cg_config *cfg, char *err, size_t errlen)
{
	w_cfg = cfg;
	w_store = vstore_open(config_vstore_backend(cfg),
			      config_vstore_where(cfg), 0, err, errlen);
	if (w_store == NULL)
		return -1;
	w_queue = xcalloc(QUEUE_MAX, sizeof(*w_queue));
	if (pthread_create(&w_thread, NULL, gate_writer_main, NULL) != 0) {
		snprintf(err, errlen, "cannot start the outbound store thread");
		return -1;
	}
	w_running = 1;
	return 0;
}

/* gate_writer_stop - write the rest, end the thread, close the store */
void
gate_writer_stop(int keep_store)
{
	if (w_running) {
		pthread_mutex_lock(&w_lock);
		w_stopping = 1;
		pthread_cond_signal(&w_cond);
		pthread_mutex_unlock(&w_lock);
		pthread_join(w_thread, NULL);
		w_running = 0;
	}
	pthread_mutex_lock(&w_lock);
	free(w_queue);
	w_queue = NULL;
	w_queued = 0; /* a lookup still in flight finds nothing queued */
	pthread_mutex_unlock(&w_lock);
	if (w_store != NULL && !keep_store) {
		vstore_close(w_store);
		w_store = NULL;
	}
}
