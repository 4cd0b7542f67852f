/*
 * NAME
 *	scan_view - scan every part of a message as a mail client decodes
 *	it (the second view)
 * DESCRIPTION
 *	scan_view() runs after the backend scanned the whole message and
 *	found no virus (clean, or incomplete: a view may still find
 *	one).  It walks the message with mimeview.h and scans each
 *	view (each decoded part, and each other reading a client may make
 *	of it) with the same backend, as a file of its own: the embedded
 *	engine from memory, clamd by INSTREAM.  A view whose bytes the
 *	engine already scanned inside the message (its SHA-256 and size in
 *	res->seen, filled by the embedded engine's file-inspection
 *	callback), or that an earlier view of this walk gave, is not
 *	scanned again: most parts of ordinary mail are decoded by libclamav
 *	exactly as by GMime.  That holds only after a whole-message scan
 *	that was complete (clean): after an incomplete one, every view is
 *	scanned.
 *
 *	Combined with the whole-message result in res: a virus in any view
 *	makes the message infected (res->view names the view); a view the
 *	backend could not scan makes it an error; a view cut short by a
 *	limit, or a walk stopped by mimeview's limits, makes a clean message
 *	incomplete.  The view never turns a message into clean.  The walk
 *	and its scans have scanner.timeout of their own, after the
 *	whole-message scan's; a walk that runs out is a scan error.
 * DIAGNOSTICS
 *	Through res, as the backends report.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clamgate/mimeview.h"
#include "clamgate/scan.h"

#define LIMIT_NAME "Clamgate.Limits.MimeView"

struct view_job {
	const struct scan_backend *be;
	struct scanner *sc;
	struct scan_result *res;
	struct timespec deadline;
	struct scan_result part; /* one view's result */
};

/* view_late - is the time budget spent? */
static int
view_late(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec &&
		now.tv_nsec >= deadline->tv_nsec);
}

/* view_error - a view that could not be scanned: the message is an
 * error, whatever else was found */
static int
view_error(struct view_job *job, const char *what, const char *why)
{
	job->res->status = SCAN_ERROR;
	job->res->virus[0] = '\0';
	snprintf(job->res->detail, sizeof(job->res->detail),
		 "MIME view (%.30s): %.100s", what, why);
	return 1;
}

/* view_part - scan one view; nonzero stops the walk */
static int
view_part(const struct mimeview_part *p, void *arg)
{
	struct view_job *job = arg;
	struct spool sp;
	char what[40];
	unsigned char h[32];
	int hashed;

	mimeview_describe(p, what, sizeof(what));
	if (view_late(&job->deadline))
		return view_error(job, what, "the scan's time ran out");
	hashed = scan_digest(p->data, p->len, h) == 0;
	if (hashed && scan_seen_has(&job->res->seen, p->len, h))
		return 0; /* these very bytes were scanned, clean */
	memset(&sp, 0, sizeof(sp));
	sp.mem = (char *)p->data;
	sp.len = sp.cap = p->len;
	sp.fd = -1;
	sp.size = sp.stored = p->len;
	memset(&job->part, 0, sizeof(job->part));
	job->be->scan(job->sc, &sp, &job->part);
	switch (job->part.status) {
	case SCAN_CLEAN:
		if (hashed)
			scan_seen_add(&job->res->seen, p->len, h);
		return 0;
	case SCAN_INFECTED:
		job->res->status = SCAN_INFECTED;
		memcpy(job->res->virus, job->part.virus,
		       sizeof(job->res->virus));
		snprintf(job->res->view, sizeof(job->res->view), "%s", what);
		return 1;
	case SCAN_INCOMPLETE:
		if (job->res->status == SCAN_CLEAN) {
			job->res->status = SCAN_INCOMPLETE;
			memcpy(job->res->virus, job->part.virus,
			       sizeof(job->res->virus));
			snprintf(job->res->view, sizeof(job->res->view), "%s",
				 what);
		}
		return 0; /* a later view may still hold a virus */
	default:
		return view_error(job, what,
				  job->part.detail[0] ? job->part.detail
						      : "not scanned");
	}
}

/* scan_view - the second view, combined with the whole-message result */
void
scan_view(const struct scan_backend *be, struct scanner *sc,
	  const struct spool *sp, unsigned timeout, struct scan_result *res)
{
	struct view_job job = {be, sc, res, {0, 0}, {0}};
	const char *msg;
	size_t len;
	int rc;

	if (res->status != SCAN_CLEAN && res->status != SCAN_INCOMPLETE)
		return;
	if (res->status != SCAN_CLEAN)
		res->seen.n = 0; /* a file inside may have been cut short */
	if ((msg = spool_map(sp, &len)) == NULL) {
		view_error(&job, "message", "cannot map the spool");
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &job.deadline);
	job.deadline.tv_sec += timeout;
	rc = mimeview_walk(msg, len, view_part, &job);
	spool_unmap(sp, msg);
	if (rc == MIMEVIEW_ERROR) {
		view_error(&job, "walk", "cannot read a part");
		return;
	}
	if (rc == MIMEVIEW_LIMIT && res->status == SCAN_CLEAN) {
		res->status = SCAN_INCOMPLETE;
		snprintf(res->virus, sizeof(res->virus), "%s", LIMIT_NAME);
		snprintf(res->view, sizeof(res->view), "walk");
	}
}
