/*
 * NAME
 *	viewcost - what the second MIME view costs, in one process, message
 *	by message
 * SYNOPSIS
 *	viewcost CONFIG DIR
 * DESCRIPTION
 *	Opens the embedded engine as clamgate does, from the scanner group
 *	of CONFIG, and, for every *.eml of DIR in turn: scans the whole
 *	message (the backend's scan, with the lead line, as scan_message
 *	does), then runs the second view on it (scan_view: the GMime walk
 *	and the scans of the parts), and, apart, the walk alone.  Each
 *	message is timed both ways back to back, so that a slow moment of
 *	the machine falls on both; the ratio is the throughput of the scan
 *	path with the view against without it.  Prints one line:
 *	run=view-cost msgs=N scan_ms= view_ms= walk_ms= ratio= infected=
 * DIAGNOSTICS
 *	Exits 1 if the configuration, the engine or DIR fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clamgate/config.h"
#include "clamgate/mime.h"
#include "clamgate/mimeview.h"
#include "clamgate/scan.h"
#include "clamgate/spool.h"
#include "stats.h"

/* noop - the walk alone: each view read, nothing scanned */
static int
noop(const struct mimeview_part *p, void *arg)
{
	*(unsigned long *)arg += p->data[p->len - 1];
	return 0;
}

/* one - one message both ways; the times in ms added to t[3] */
static int
one(const struct scan_backend *be, struct scanner *sc, unsigned timeout,
    const struct message *m, double t[3])
{
	struct scan_result res;
	struct spool sp;
	unsigned long sum = 0;
	double t0;

	spool_init(&sp, "/nonexistent", m->len + 4096, SCAN_LEAD);
	(void)spool_append(&sp, m->data, m->len);
	memset(&res, 0, sizeof(res));
	res.want_seen = 1;
	t0 = now_ms();
	be->scan(sc, &sp, &res);
	t[0] += now_ms() - t0;
	t0 = now_ms();
	scan_view(be, sc, &sp, timeout, &res);
	t[1] += now_ms() - t0;
	t0 = now_ms();
	mimeview_walk(m->data, m->len, noop, &sum);
	t[2] += now_ms() - t0;
	spool_reset(&sp);
	return res.status == SCAN_INFECTED;
}

int
main(int argc, char **argv)
{
	const struct scan_backend *be = scan_backend(CG_BACKEND_LIBCLAMAV);
	struct cg_config *cfg;
	struct scanner *sc;
	struct corpus c;
	char err[512];
	double t[3] = {0, 0, 0};
	unsigned long infected = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: viewcost CONFIG DIR\n");
		return 2;
	}
	mime_init();
	if ((cfg = config_load(argv[1], err, sizeof(err))) == NULL ||
	    (sc = be->open(cfg, err, sizeof(err))) == NULL ||
	    be->refresh(sc, 1, err, sizeof(err)) < 0) {
		fprintf(stderr, "viewcost: %s\n", err);
		return 1;
	}
	corpus_load(&c, argv[2]);
	if (c.count == 0) {
		fprintf(stderr, "viewcost: no *.eml in %s\n", argv[2]);
		return 1;
	}
	for (unsigned long i = 0; i < c.count; i++)
		infected += (unsigned long)one(be, sc, cfg->scanner.timeout,
					       &c.msgs[i], t);
	printf("run=view-cost msgs=%lu scan_ms=%.3f view_ms=%.3f walk_ms=%.3f "
	       "ratio=%.3f infected=%lu\n",
	       c.count, t[0] / (double)c.count, t[1] / (double)c.count,
	       t[2] / (double)c.count, t[0] / (t[0] + t[1]), infected);
	corpus_free(&c);
	be->close(sc);
	config_free(cfg);
	return 0;
}
