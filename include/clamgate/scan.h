/*
 * scan - the scanner interface and the backends behind it
 *
 * A backend is a table of functions, chosen by scanner.backend
 * (scan_backend).
 * The daemon holds one scanner; every milter session shares it.
 * scan_message() bounds the number of scans running at once
 * (scanner.max_concurrent): libmilter's worker pool is unbounded, and more
 * parallel scans than CPUs only add memory and latency.
 *
 * With view set (scanner.mime_view), scan_message() scans the whole
 * message and then, within the same slot, every part as a mail client
 * decodes it (scan_view, mimeview.h).
 */
#ifndef CLAMGATE_SCAN_H
#define CLAMGATE_SCAN_H

#include <stddef.h>

#include "clamgate/config.h"
#include "clamgate/metrics.h"
#include "clamgate/spool.h"
#include "clamgate/verdict.h"

#define SCAN_VIRUS_MAX	 1024 /* virus names of any length, up to this */
#define SCAN_VERSION_MAX 96

/*
 * Every message is scanned as mail.  libclamav decides that a file is
 * mail from a few exact header strings near its start ("From: ",
 * "Received: "), so a message whose headers are written "Name:value",
 * "Name:<TAB>value" or "NAME: value" (all valid) would be scanned as
 * plain text and its attachments never decoded.  The scanner's view
 * therefore starts with this line, stored by the spool before the
 * message and never part of the quarantined copy.  It is a header, not
 * an mbox "From " line: in mbox mode libclamav starts a new message at
 * every body line that begins with "From " after an empty line, which
 * lets a sender cut the attachment off from its MIME headers
 * (docs/design.md).
 */
#define SCAN_LEAD                                                              \
	"Received: by clamgate (scan view); Thu, 1 Jan 1970 00:00:00 "         \
	"+0000\r\n"

/*
 * What a scan has seen already: the SHA-256 and size of each file the
 * embedded engine scanned inside the message (its file-inspection
 * callback), and of each view the second view scanned clean.  The view
 * does not scan again what is here: libclamav read the same bytes, and
 * a whole-message scan that found nothing, with its limits heuristic
 * on, scanned each of them fully.  A collision would need SHA-256's.
 */
#define SCAN_SEEN_MAX 64
struct scan_seen {
	size_t n;
	struct {
		size_t size;
		unsigned char sha256[32];
	} file[SCAN_SEEN_MAX];
};

int scan_digest(const void *data, size_t len, unsigned char out[32]);
int scan_seen_has(const struct scan_seen *seen, size_t size,
		  const unsigned char sha256[32]);
void scan_seen_add(struct scan_seen *seen, size_t size,
		   const unsigned char sha256[32]);

struct scan_result {
	enum scan_status status;
	char virus[SCAN_VIRUS_MAX];	/* when SCAN_INFECTED or INCOMPLETE */
	char detail[160];		/* why, when SCAN_ERROR */
	char version[SCAN_VERSION_MAX]; /* "ClamAV 1.4.6/27000" */
	char view[40]; /* the MIME view that found it, "" for the message */
	int want_seen; /* set before the scan: fill seen (the view is on) */
	struct scan_seen seen;
};

struct scanner;

struct scan_backend {
	/* Prepare; does not load signatures.  NULL and err on failure. */
	struct scanner *(*open)(const struct cg_config *cfg, char *err,
				size_t errlen);
	/* Load the signatures now if they changed (or always if force).
	 * 1: a new database is in use, 0: unchanged, -1: failed (err). */
	int (*refresh)(struct scanner *sc, int force, char *err, size_t errlen);
	void (*scan)(struct scanner *sc, const struct spool *sp,
		     struct scan_result *res);
	void (*close)(struct scanner *sc);
	/* -t: check and report each server; NULL where refresh says it all */
	int (*check)(struct scanner *sc);
	/* the figures of metrics.h: signatures, or each server (g->servers,
	 * allocated here, freed by the caller) */
	void (*info)(struct scanner *sc, struct metrics_gauges *g);
};

const struct scan_backend *scan_backend(enum cg_backend which);
int scan_limit_init(unsigned max_concurrent, unsigned wait_seconds);
void scan_limit_counts(unsigned *running, unsigned *waiting, unsigned *slots);
void scan_message(const struct scan_backend *be, struct scanner *sc,
		  const struct spool *sp, int view, struct scan_result *res);
void scan_view(const struct scan_backend *be, struct scanner *sc,
	       const struct spool *sp, unsigned timeout,
	       struct scan_result *res);

void scan_found(struct scan_result *res, const char *name, size_t len,
		unsigned timeout);

extern const struct scan_backend scan_clamav_backend;
extern const struct scan_backend scan_clamd_backend;

#endif
