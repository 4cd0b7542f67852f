/*
 * NAME
 *	expire - remove quarantine entries past quarantine.retention, the
 *	records of used tokens once those have expired, and unfinished
 *	writes an hour old
 * DESCRIPTION
 *	One thread: a pass at start, then one an hour, until expire_stop().
 *	Entries are judged by the time in their ids, so a pass opens no
 *	file.  Expiry is silent: it logs a count and sends no mail.  A
 *	retention of 0 keeps entries forever; used tokens expire anyway.
 * DIAGNOSTICS
 *	A store that cannot be read is logged; the next pass tries again.
 *	Every host sharing a database store expires it; the passes do not
 *	get in each other's way (an entry already gone counts as removed).
 */
#include <pthread.h>
#include <time.h>

#include "clamgate/expire.h"
#include "clamgate/log.h"
#include "clamgate/qstore.h"

#define EXPIRE_PERIOD 3600

static pthread_t expire_thread;
static pthread_mutex_t expire_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t expire_cond = PTHREAD_COND_INITIALIZER;
static int expire_stopping, expire_running;
static struct qstore *expire_qs;

/* expire_pass - one pass over the store */
static void
expire_pass(const struct cg_config *cfg)
{
	time_t cutoff = time(NULL) - (time_t)cfg->quarantine.retention;
	long n;

	if (qstore_token_expire(expire_qs, time(NULL)) < 0)
		log_warn("token expiry: %s", qstore_error());
	/* a write takes seconds; one an hour old was cut short */
	n = qstore_sweep(expire_qs, time(NULL) - 3600);
	if (n > 0)
		log_notice(
		    "quarantine: removed %ld unfinished writes (clamgate "
		    "stopped in the middle of them; the MTA got no answer "
		    "for those messages)",
		    n);
	if (cfg->quarantine.retention == 0)
		return;
	n = qstore_expire(expire_qs, cutoff, 0, NULL, NULL);
	if (n < 0)
		log_error("quarantine expiry: %s", qstore_error());
	else if (n > 0)
		log_info(
		    "quarantine expiry: removed %ld entries older than %lu "
		    "days",
		    n, cfg->quarantine.retention / 86400);
}

/* expire_main - the thread */
static void *
expire_main(void *arg)
{
	const struct cg_config *cfg = arg;
	struct timespec next;

	pthread_mutex_lock(&expire_lock);
	while (!expire_stopping) {
		pthread_mutex_unlock(&expire_lock);
		expire_pass(cfg);
		pthread_mutex_lock(&expire_lock);
		clock_gettime(CLOCK_REALTIME, &next);
		next.tv_sec += EXPIRE_PERIOD;
		while (!expire_stopping &&
		       pthread_cond_timedwait(&expire_cond, &expire_lock,
					      &next) == 0)
			;
	}
	pthread_mutex_unlock(&expire_lock);
	return NULL;
}

/* expire_start - start the thread (used tokens expire even when
 * entries are kept forever) */
int
expire_start(const struct cg_config *cfg, struct qstore *qs)
{
	expire_qs = qs;
	if (pthread_create(&expire_thread, NULL, expire_main, (void *)cfg) != 0)
		return -1;
	expire_running = 1;
	return 0;
}

/* expire_stop - end the thread and wait for it */
void
expire_stop(void)
{
	if (!expire_running)
		return;
	pthread_mutex_lock(&expire_lock);
	expire_stopping = 1;
	pthread_cond_signal(&expire_cond);
	pthread_mutex_unlock(&expire_lock);
	pthread_join(expire_thread, NULL);
	expire_running = 0;
}
