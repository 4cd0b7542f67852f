/*
 * NAME
 *	scan - the scanner backend the configuration names; bound concurrent
 *	scans
 * DESCRIPTION
 *	scan_message() waits for one of scanner.max_concurrent slots, at most
 *	scanner.timeout seconds, runs the backend's scan and gives the slot
 *	back.  A message that cannot get a slot in time is a scan error (a
 *	tempfail by default), never an accept.  With the MIME view on, the
 *	same slot also covers scan_view() of the message's parts.
 * DIAGNOSTICS
 *	None here; the backends fill in the result's detail.
 */
#include <clamav.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clamgate/scan.h"

/* by enum cg_backend: the names are config's (config_backend_name) */
static const struct scan_backend *const scan_backends[] = {
    [CG_BACKEND_LIBCLAMAV] = &scan_clamav_backend,
    [CG_BACKEND_CLAMD] = &scan_clamd_backend,
};

static pthread_mutex_t scan_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t scan_cond;
static unsigned scan_slots, scan_slots_free, scan_waiting;
static unsigned scan_wait_seconds;

/* scan_backend - the backend the configuration names */
const struct scan_backend *
scan_backend(enum cg_backend which)
{
	return scan_backends[which];
}

/* scan_limit_init - allow max_concurrent scans at once */
int
scan_limit_init(unsigned max_concurrent, unsigned wait_seconds)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (pthread_cond_init(&scan_cond, &attr) != 0)
		return -1;
	pthread_condattr_destroy(&attr);
	scan_slots = scan_slots_free = max_concurrent ? max_concurrent : 1;
	scan_wait_seconds = wait_seconds;
	return 0;
}

/* scan_slot_take - wait for a free slot; -1 after the deadline */
static int
scan_slot_take(void)
{
	struct timespec deadline;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += scan_wait_seconds;
	pthread_mutex_lock(&scan_lock);
	scan_waiting++;
	while (scan_slots_free == 0 && rc == 0)
		rc = pthread_cond_timedwait(&scan_cond, &scan_lock, &deadline);
	scan_waiting--;
	if (scan_slots_free > 0) {
		scan_slots_free--;
		rc = 0;
	}
	pthread_mutex_unlock(&scan_lock);
	return rc == 0 ? 0 : -1;
}

/* scan_slot_give - return a slot */
static void
scan_slot_give(void)
{
	pthread_mutex_lock(&scan_lock);
	scan_slots_free++;
	pthread_cond_signal(&scan_cond);
	pthread_mutex_unlock(&scan_lock);
}

/* scan_limit_counts - scans running, messages waiting for a slot, and
 * the slots there are */
void
scan_limit_counts(unsigned *running, unsigned *waiting, unsigned *slots)
{
	pthread_mutex_lock(&scan_lock);
	*running = scan_slots - scan_slots_free;
	*waiting = scan_waiting;
	*slots = scan_slots;
	pthread_mutex_unlock(&scan_lock);
}

/* scan_message - one bounded scan */
void
scan_message(const struct scan_backend *be, struct scanner *sc,
	     const struct spool *sp, int view, struct scan_result *res)
{
	memset(res, 0, sizeof(*res));
	if (scan_slot_take() < 0) {
		res->status = SCAN_ERROR;
		snprintf(res->detail, sizeof(res->detail),
			 "no scan slot free within %u s", scan_wait_seconds);
		return;
	}
	res->want_seen = view;
	be->scan(sc, sp, res);
	if (view)
		scan_view(be, sc, sp, scan_wait_seconds, res);
	scan_slot_give();
}

/* scan_digest - SHA-256, with libclamav's (OpenSSL's) implementation;
 * 0, or -1 if it could not be made */
int
scan_digest(const void *data, size_t len, unsigned char out[32])
{
	unsigned int olen = 32;

	return cl_hash_data("sha256", data, len, out, &olen) == NULL ? -1 : 0;
}

/* scan_seen_has - were bytes of this size and digest scanned already? */
int
scan_seen_has(const struct scan_seen *seen, size_t size,
	      const unsigned char sha256[32])
{
	for (size_t i = 0; i < seen->n; i++)
		if (seen->file[i].size == size &&
		    memcmp(seen->file[i].sha256, sha256, 32) == 0)
			return 1;
	return 0;
}

/* scan_seen_add - remember them (while there is room) */
void
scan_seen_add(struct scan_seen *seen, size_t size,
	      const unsigned char sha256[32])
{
	if (seen->n >= SCAN_SEEN_MAX)
		return;
	seen->file[seen->n].size = size;
	memcpy(seen->file[seen->n].sha256, sha256, 32);
	seen->n++;
}

#define LIMITS_PREFIX "Heuristics.Limits.Exceeded"

/* scan_found - what a detection name means: a virus; a scan cut short at
 * a limit (incomplete); or, for the time limit, an error */
void
scan_found(struct scan_result *res, const char *name, size_t len,
	   unsigned timeout)
{
	snprintf(res->virus, sizeof(res->virus), "%.*s", (int)len, name);
	if (strcmp(res->virus, LIMITS_PREFIX ".MaxScanTime") == 0) {
		res->status = SCAN_ERROR;
		res->virus[0] = '\0';
		snprintf(res->detail, sizeof(res->detail),
			 "scan timed out after %u s", timeout);
	} else if (strncmp(res->virus, LIMITS_PREFIX, strlen(LIMITS_PREFIX)) ==
		   0) {
		res->status = SCAN_INCOMPLETE;
	} else {
		res->status = SCAN_INFECTED;
	}
}
