/*
 * NAME
 *	stats - the metrics text, with the gauges read just now
 * SYNOPSIS
 *	stats_setup(cfg, backend, scanner, qstore)
 *	text = stats_text(&len)
 * DESCRIPTION
 *	The one place that asks the other modules for their figures (the
 *	milter's connections and messages, the scan slots, the scanner's
 *	signatures or servers, the quarantine's size) and hands them with
 *	the counters to metrics_render().  The HTTP endpoint, the textfile
 *	and the control socket all serve this text, from their own threads:
 *	nothing here runs on the mail path.  The quarantine is counted from
 *	a stat of every entry (one query of a database store), at most
 *	every QUARANTINE_EVERY seconds.
 * DIAGNOSTICS
 *	NULL if the text could not be made (out of memory); a quarantine
 *	that cannot be listed leaves its two gauges without a sample.
 */
#include <clamav.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "clamgate/milter.h"
#include "clamgate/qstore.h"
#include "clamgate/stats.h"

#define QUARANTINE_EVERY 5 /* seconds a count of the store is reused */

static const struct cg_config *st_cfg;
static const struct scan_backend *st_be;
static struct scanner *st_sc;
static struct qstore *st_qs;
static pthread_mutex_t st_lock = PTHREAD_MUTEX_INITIALIZER;
static time_t st_q_at;
static int st_q_ok;
static unsigned long long st_q_entries, st_q_bytes;

/* stats_setup - what the figures are read from */
void
stats_setup(const struct cg_config *cfg, const struct scan_backend *be,
	    struct scanner *sc, struct qstore *qs)
{
	st_qs = qs;
	st_cfg = cfg;
	st_be = be;
	st_sc = sc;
}

/* stats_quarantine - the store's entries and bytes, recounted when the
 * last count is older than QUARANTINE_EVERY seconds */
static void
stats_quarantine(struct metrics_gauges *g)
{
	pthread_mutex_lock(&st_lock);
	if (g->now - st_q_at >= QUARANTINE_EVERY || g->now < st_q_at) {
		st_q_ok = st_qs != NULL &&
			  qstore_usage(st_qs, &st_q_entries, &st_q_bytes) == 0;
		st_q_at = g->now;
	}
	g->have_quarantine = st_q_ok;
	g->q_entries = st_q_entries;
	g->q_bytes = st_q_bytes;
	pthread_mutex_unlock(&st_lock);
}

/* stats_text - the metrics as Prometheus text (caller frees), or NULL */
char *
stats_text(size_t *len)
{
	struct metrics_gauges g = {0};
	char *buf = NULL;
	FILE *f;

	g.now = time(NULL);
	g.clamav_version = cl_retver();
	milter_counts(&g.sessions, &g.messages);
	scan_limit_counts(&g.scans_running, &g.scans_waiting, &g.scan_slots);
	if (st_be != NULL && st_be->info != NULL)
		st_be->info(st_sc, &g);
	if (st_cfg != NULL)
		stats_quarantine(&g);
	if ((f = open_memstream(&buf, len)) != NULL) {
		metrics_render(f, &g);
		if (fclose(f) != 0) {
			free(buf);
			buf = NULL;
		}
	}
	free(g.servers);
	return buf;
}
