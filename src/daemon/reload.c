/*
 * NAME
 *	reload - keep the signature database current, off the mail path
 * DESCRIPTION
 *	One thread.  It loads the first engine right away (until then every
 *	message gets the on_error action), retrying every few seconds if that
 *	fails; then it waits for SIGUSR2 (forced reload) or for
 *	scanner.reload_interval seconds (reload only if the database
 *	directory changed, by libclamav's stat API).  SIGHUP, SIGTERM and
 *	SIGINT belong to libmilter, which stops on HUP and TERM; SIGUSR2
 *	does not clash with them.
 * DIAGNOSTICS
 *	A failed load is logged and the engine in use is kept.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>

#include "clamgate/gate.h"
#include "clamgate/log.h"
#include "clamgate/metrics.h"
#include "clamgate/reload.h"

#define RETRY_SECONDS 5

static pthread_t reload_thread;
static atomic_int reload_stopping;
static int reload_running;
static const struct scan_backend *reload_be;
static struct scanner *reload_sc;
static unsigned reload_interval;

/* reload_block_signals - block what libmilter and we wait for */
void
reload_block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* reload_once - refresh and log the outcome; -1 on failure */
static int
reload_once(int force)
{
	char err[512];
	int rc = reload_be->refresh(reload_sc, force, err, sizeof(err));

	if (rc > 0)
		metrics_reload(MR_LOADED);
	else if (rc == 0)
		metrics_reload(MR_UNCHANGED);
	else
		metrics_reload(MR_FAILED);
	if (rc < 0)
		log_error(
		    "signature reload failed, keeping the engine in use: %s",
		    err);
	return rc < 0 ? -1 : 0;
}

/* reload_wait - SIGUSR2 (1), timeout (0), after seconds (0: forever) */
static int
reload_wait(unsigned seconds)
{
	struct timespec ts = {(time_t)seconds, 0};
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sig = seconds ? sigtimedwait(&set, NULL, &ts) : sigwaitinfo(&set, NULL);
	return sig == SIGUSR2;
}

/* reload_main - the thread */
static void *
reload_main(void *arg)
{
	int loaded;

	(void)arg;
	loaded = reload_once(1) == 0;
	while (!atomic_load(&reload_stopping)) {
		unsigned wait = loaded ? reload_interval : RETRY_SECONDS;
		int signalled = reload_wait(wait);

		if (atomic_load(&reload_stopping))
			break;
		if (signalled) {
			log_info("SIGUSR2: reloading signatures and the "
				 "outbound catalogues");
			gate_cat_reload(1);
		}
		if (reload_once(signalled || !loaded) == 0)
			loaded = 1;
	}
	return NULL;
}

/* reload_start - start the thread; signals must be blocked already */
int
reload_start(const struct scan_backend *be, struct scanner *sc,
	     unsigned interval)
{
	reload_be = be;
	reload_sc = sc;
	reload_interval = interval;
	if (pthread_create(&reload_thread, NULL, reload_main, NULL) != 0)
		return -1;
	reload_running = 1;
	return 0;
}

/* reload_stop - end the thread and wait for it */
void
reload_stop(void)
{
	if (!reload_running)
		return;
	atomic_store(&reload_stopping, 1);
	pthread_kill(reload_thread, SIGUSR2);
	pthread_join(reload_thread, NULL);
	reload_running = 0;
}
