/*
 * NAME
 *	scan_clamav - the embedded libclamav scanner backend
 * DESCRIPTION
 *	One engine per process, shared by all sessions.  refresh() builds a
 *	new engine off the mail path (from the reload thread) and swaps it
 *	in under a short lock; each scan holds its own reference
 *	(cl_engine_addref), so the old engine is freed by whichever finishes
 *	last, the swap or the last scan that used it.  The whole message is
 *	scanned, from memory or from its spool file, lead line included
 *	(scan.h); libclamav's size limits follow scanner.max_message_size,
 *	and the limits heuristic is on, so a scan that had to stop early says
 *	so (SCAN_INCOMPLETE) instead of passing as clean.
 *
 *	libclamav answers "clean" when it cannot write the temporary files
 *	it decodes attachments and unpacks archives into.  So a verdict
 *	counts only if the temp directory was usable throughout: before the
 *	scan it must have room for the message and scanner.temp_min_free;
 *	while the scan runs, each file libclamav is about to scan (the
 *	pre-scan callback) and the end of the scan must find at least
 *	SCAN_TMP_LOWWATER free; and libclamav must not have reported a
 *	failed temp file or directory (its message callback, tied to the
 *	scan by a thread-local pointer).  Otherwise the result is a scan
 *	error (policy.on_error), unless a virus was found all the same.
 *
 *	Every engine also carries one signature of our own, for a random
 *	payload made at start (Clamgate.Canary): the canary message
 *	(canary.h) must be found with a new engine before it is swapped in,
 *	and with the engine in use at every refresh that finds the database
 *	unchanged.  While it is not, every scan is an error.
 * DIAGNOSTICS
 *	refresh() returns -1 with the reason and keeps the engine in use.
 *	scan() reports SCAN_NOT_READY before the first load, SCAN_ERROR with
 *	the reason for a failed or timed out scan.
 */
#include <clamav.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clamgate/canary.h"
#include "clamgate/log.h"
#include "clamgate/policy.h"
#include "clamgate/scan.h"
#include "clamgate/scan_tmp.h"
#include "clamgate/xmalloc.h"

#define CANARY_NAME  "Clamgate.Canary"
#define CANARY_BYTES 48

struct scanner {
	pthread_mutex_t lock;
	struct cl_engine *engine; /* NULL until the first load */
	char version[SCAN_VERSION_MAX];
	unsigned long sigs; /* of the engine in use */
	time_t db_time;	    /* when its newest signatures were made */
	struct cl_stat dbstat;
	int have_stat;
	char *database;
	char *tmpdir;
	uint64_t max_size;
	uint64_t min_free;
	unsigned timeout;
	struct cl_scan_options opts;
	unsigned char canary[CANARY_BYTES];
	atomic_int sick; /* the engine in use missed the canary */
};

/* one scan: whether libclamav's temp files may have failed it, and
 * whether a file reached the size limit (cut short) */
struct clamav_job {
	const char *tmpdir;
	uint64_t limit;
	int trouble;
	int cut;
	char why[120];
	struct scan_seen *seen; /* the files inside, for the MIME view */
};

static pthread_once_t clamav_once = PTHREAD_ONCE_INIT;
static cl_error_t clamav_init_rc;
static __thread struct clamav_job *clamav_job; /* the scan on this thread */

/* clamav_tmp_failure - does a libclamav message report a temp file or
 * directory it could not create or write? */
static int
clamav_tmp_failure(const char *msg)
{
	static const char *const words[] = {
	    "temporary",    "temp file",       "tmp file",
	    "cli_writen",   "failed to write", "can't write",
	    "can't create", "can't generate",  "failed to create",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasestr(msg, words[i]))
			return 1;
	return 0;
}

/* clamav_trouble - note that this scan's verdict cannot be trusted */
static void
clamav_trouble(struct clamav_job *job, const char *why)
{
	if (!job->trouble)
		snprintf(job->why, sizeof(job->why), "%s", why);
	job->trouble = 1;
}

/* clamav_message - libclamav's own messages, into our log */
static void
clamav_message(enum cl_msg severity, const char *fullmsg, const char *msg,
	       void *context)
{
	size_t len = strlen(msg);

	(void)fullmsg;
	(void)context; /* not always the scan's: see clamav_job */
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		len--;
	if (severity >= CL_MSG_WARN && clamav_job != NULL &&
	    clamav_tmp_failure(msg))
		clamav_trouble(clamav_job, "libclamav reported a temp file "
					   "it could not create or write");
	if (severity == CL_MSG_ERROR)
		log_warn("libclamav: %.*s", (int)len, msg);
	else
		log_debug("libclamav: %.*s", (int)len, msg);
}

/* clamav_pre_scan - before each file: was the last write cut short? */
static cl_error_t
clamav_pre_scan(int fd, const char *type, void *context)
{
	struct clamav_job *job = context;
	struct stat st;

	(void)type;
	if (job == NULL)
		return CL_CLEAN;
	if (scan_tmp_low(job->tmpdir))
		clamav_trouble(job, "temp_dir ran full during the scan");
	if (fd >= 0 && fstat(fd, &st) == 0 &&
	    (uint64_t)st.st_size >= job->limit)
		job->cut = 1; /* a file cut at the limit, in case one is */
	return CL_CLEAN;
}

/* clamav_inspect - each file inside the message: remember its digest,
 * so that the MIME view need not scan the same bytes again */
static cl_error_t
clamav_inspect(int fd, const char *type, const char **ancestors,
	       size_t parent_size, const char *name, size_t size,
	       const char *buf, uint32_t level, uint32_t attributes,
	       void *context)
{
	struct clamav_job *job = context;
	unsigned char h[32];

	(void)fd;
	(void)type;
	(void)ancestors;
	(void)parent_size;
	(void)name;
	(void)attributes;
	if (job != NULL && job->seen != NULL && level > 0 && buf != NULL &&
	    job->seen->n < SCAN_SEEN_MAX && scan_digest(buf, size, h) == 0)
		scan_seen_add(job->seen, size, h);
	return CL_CLEAN;
}

/* clamav_init - cl_init, once per process */
static void
clamav_init(void)
{
	cl_set_clcb_msg(clamav_message);
	clamav_init_rc = cl_init(CL_INIT_DEFAULT);
}

/* clamav_open - a scanner with no engine yet */
static struct scanner *
clamav_open(const struct cg_config *cfg, char *err, size_t errlen)
{
	struct scanner *sc;

	pthread_once(&clamav_once, clamav_init);
	if (clamav_init_rc != CL_SUCCESS) {
		snprintf(err, errlen, "libclamav initialisation failed: %s",
			 cl_strerror(clamav_init_rc));
		return NULL;
	}
	sc = xcalloc(1, sizeof(*sc));
	memcpy(sc->canary, "CLAMGATE-CANARY:", 16);
	if (getrandom(sc->canary + 16, CANARY_BYTES - 16, 0) !=
	    CANARY_BYTES - 16) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		free(sc);
		return NULL;
	}
	pthread_mutex_init(&sc->lock, NULL);
	sc->database = xstrdup(cfg->scanner.database);
	sc->tmpdir = xstrdup(cfg->scanner.temp_dir);
	sc->max_size = cfg->scanner.max_message_size;
	sc->min_free = cfg->scanner.temp_min_free;
	sc->timeout = cfg->scanner.timeout;
	sc->opts.general = CL_SCAN_GENERAL_HEURISTICS;
	sc->opts.parse = ~0U;
	sc->opts.heuristic = CL_SCAN_HEURISTIC_EXCEEDS_MAX;
	return sc;
}

/* clamav_scansize - libclamav's limits: the total scanned per message,
 * and the largest single file (the same: see clamav_limits) */
static uint64_t
clamav_scansize(const struct scanner *sc)
{
	uint64_t scansize = sc->max_size * 4;

	return scansize < 400ULL * 1024 * 1024 ? 400ULL * 1024 * 1024
					       : scansize;
}

/* clamav_limits - no silent truncation.  The file size limit is the scan
 * size limit: libclamav cuts a zip member larger than MaxFileSize down to
 * that size without an alert (measured), but alerts for one larger than
 * what is left of MaxScanSize; with both the same, every member is
 * scanned whole or reported. */
static cl_error_t
clamav_limits(struct scanner *sc, struct cl_engine *e)
{
	uint64_t scansize = clamav_scansize(sc);
	cl_error_t rc;

	if ((rc = cl_engine_set_num(e, CL_ENGINE_MAX_FILESIZE,
				    (long long)scansize)) != CL_SUCCESS ||
	    (rc = cl_engine_set_num(e, CL_ENGINE_MAX_SCANSIZE,
				    (long long)scansize)) != CL_SUCCESS ||
	    (rc = cl_engine_set_num(e, CL_ENGINE_MAX_SCANTIME,
				    (long long)sc->timeout * 1000)) !=
		CL_SUCCESS)
		return rc;
	cl_engine_set_clcb_pre_scan(e, clamav_pre_scan);
	cl_engine_set_clcb_file_inspection(e, clamav_inspect);
	return cl_engine_set_str(e, CL_ENGINE_TMPDIR, sc->tmpdir);
}

/* clamav_canary_sig - load the canary's hash signature into e */
static cl_error_t
clamav_canary_sig(struct scanner *sc, struct cl_engine *e)
{
	char path[4200];
	unsigned char *md5;
	unsigned int mdlen = 0, n = 0;
	cl_error_t rc = CL_ECREAT;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/clamgate-canary-XXXXXX.hdb",
		 sc->tmpdir);
	if ((fd = mkostemps(path, 4, O_CLOEXEC)) < 0)
		return CL_ECREAT;
	md5 = cl_hash_data("md5", sc->canary, CANARY_BYTES, NULL, &mdlen);
	if (md5 != NULL && (f = fdopen(fd, "w")) != NULL) {
		for (unsigned i = 0; i < mdlen; i++)
			fprintf(f, "%02x", md5[i]);
		fprintf(f, ":%d:%s\n", CANARY_BYTES, CANARY_NAME);
		rc = fclose(f) == 0 ? cl_load(path, e, &n, CL_DB_STDOPT)
				    : CL_EWRITE;
	} else {
		close(fd);
	}
	free(md5);
	unlink(path);
	return rc;
}

/* clamav_build - load and compile a new engine */
static struct cl_engine *
clamav_build(struct scanner *sc, unsigned *sigs, char *err, size_t errlen)
{
	struct cl_engine *e = cl_engine_new();
	cl_error_t rc;

	*sigs = 0;
	if (e == NULL) {
		snprintf(err, errlen, "cannot create a libclamav engine");
		return NULL;
	}
	if ((rc = clamav_limits(sc, e)) != CL_SUCCESS ||
	    (rc = cl_load(sc->database, e, sigs, CL_DB_STDOPT)) != CL_SUCCESS) {
		snprintf(err, errlen, "cannot load signatures from %s: %s",
			 sc->database, cl_strerror(rc));
	} else if (*sigs == 0) {
		snprintf(err, errlen, "no signatures in %s", sc->database);
	} else if ((rc = clamav_canary_sig(sc, e)) != CL_SUCCESS) {
		snprintf(err, errlen,
			 "cannot write the canary signature in "
			 "scanner.temp_dir %s: %s",
			 sc->tmpdir, cl_strerror(rc));
	} else if ((rc = cl_engine_compile(e)) != CL_SUCCESS) {
		snprintf(err, errlen, "cannot load signatures from %s: %s",
			 sc->database, cl_strerror(rc));
	} else {
		return e;
	}
	cl_engine_free(e);
	return NULL;
}

/* clamav_run - scan the stored bytes with engine e */
static cl_error_t
clamav_run(struct scanner *sc, struct cl_engine *e, const struct spool *sp,
	   struct clamav_job *job, const char **virname)
{
	cl_fmap_t *map;
	cl_error_t rc;

	if (sp->fd >= 0)
		return cl_scandesc_callback(sp->fd, NULL, virname, NULL, e,
					    &sc->opts, job);
	if ((map = cl_fmap_open_memory(sp->mem, sp->len)) == NULL)
		return CL_EMEM;
	rc = cl_scanmap_callback(map, NULL, virname, NULL, e, &sc->opts, job);
	cl_fmap_close(map);
	return rc;
}

/* clamav_verdict - the libclamav result as a scan result */
static void
clamav_verdict(struct scanner *sc, cl_error_t rc, const char *virname,
	       struct scan_result *res)
{
	if (rc == CL_CLEAN) {
		res->status = SCAN_CLEAN;
	} else if (rc == CL_ETIMEOUT) {
		res->status = SCAN_ERROR;
		snprintf(res->detail, sizeof(res->detail),
			 "scan timed out after %u s", sc->timeout);
	} else if (rc == CL_VIRUS) {
		const char *name = virname ? virname : "unknown";
		scan_found(res, name, strlen(name), sc->timeout);
	} else {
		res->status = SCAN_ERROR;
		snprintf(res->detail, sizeof(res->detail), "libclamav: %s",
			 cl_strerror(rc));
	}
}

/* clamav_scan_with - one scan with engine e, checked for temp trouble */
static void
clamav_scan_with(struct scanner *sc, struct cl_engine *e,
		 const struct spool *sp, struct scan_result *res)
{
	struct clamav_job job = {
	    sc->tmpdir, clamav_scansize(sc),
	    0,		0,
	    "",		res->want_seen ? &res->seen : NULL};
	const char *virname = NULL;
	char why[200];
	cl_error_t rc;

	if (scan_tmp_check(sc->tmpdir, sc->min_free + sp->stored, why,
			   sizeof(why)) < 0) {
		res->status = SCAN_ERROR;
		snprintf(res->detail, sizeof(res->detail), "temp_dir: %.140s",
			 why);
		return;
	}
	clamav_job = &job;
	rc = clamav_run(sc, e, sp, &job, &virname);
	clamav_job = NULL;
	if (scan_tmp_low(sc->tmpdir))
		clamav_trouble(&job, "temp_dir ran full during the scan");
	clamav_verdict(sc, rc, virname, res);
	if (job.cut && res->status == SCAN_CLEAN) {
		res->status = SCAN_INCOMPLETE;
		snprintf(res->virus, sizeof(res->virus), "%s",
			 "Heuristics.Limits.Exceeded.MaxFileSize");
	}
	if (job.trouble && res->status != SCAN_INFECTED) {
		res->status = SCAN_ERROR;
		res->virus[0] = '\0';
		snprintf(res->detail, sizeof(res->detail),
			 "not trusted: %s (%s)", job.why, sc->tmpdir);
	}
}

/* clamav_canary - 0 if engine e finds the canary message, else -1 and
 * why */
static int
clamav_canary(struct scanner *sc, struct cl_engine *e, char *why, size_t len)
{
	struct scan_result res;
	struct spool sp;
	size_t n;
	char *msg = canary_mail(sc->canary, CANARY_BYTES, &n);
	int ok;

	spool_init(&sp, sc->tmpdir, n + sizeof(SCAN_LEAD), SCAN_LEAD);
	(void)spool_append(&sp, msg, n);
	free(msg);
	memset(&res, 0, sizeof(res));
	clamav_scan_with(sc, e, &sp, &res);
	spool_reset(&sp);
	ok = res.status == SCAN_INFECTED &&
	     strncmp(res.virus, CANARY_NAME, strlen(CANARY_NAME)) == 0;
	if (!ok)
		snprintf(why, len, "the canary message was not found (%s%s%s)",
			 policy_status_name(res.status),
			 res.detail[0] ? ": " : "", res.detail);
	return ok ? 0 : -1;
}

/* clamav_engine_ref - the engine in use, with a reference, or NULL */
static struct cl_engine *
clamav_engine_ref(struct scanner *sc, char *version)
{
	struct cl_engine *e;

	pthread_mutex_lock(&sc->lock);
	e = sc->engine;
	if (e)
		cl_engine_addref(e);
	if (version)
		memcpy(version, sc->version, SCAN_VERSION_MAX);
	pthread_mutex_unlock(&sc->lock);
	return e;
}

/* clamav_health - the canary with the engine in use; logs changes */
static int
clamav_health(struct scanner *sc, char *err, size_t errlen)
{
	struct cl_engine *e = clamav_engine_ref(sc, NULL);
	int rc;

	if (e == NULL)
		return 0;
	rc = clamav_canary(sc, e, err, errlen);
	cl_engine_free(e);
	if (rc < 0 && !atomic_exchange(&sc->sick, 1))
		log_error("scanner self-check failed, every message gets "
			  "policy.on_error until it passes: %s",
			  err);
	else if (rc == 0 && atomic_exchange(&sc->sick, 0))
		log_notice("scanner self-check passes again");
	return rc;
}

/* clamav_db_time - when the newest signatures of e were made: the
 * build time of its newest CVD or CLD file, or where it has none (plain
 * .ndb, .hdb files), the newest file's modification time */
static time_t
clamav_db_time(const struct cl_engine *e, const struct cl_stat *st)
{
	time_t t = (time_t)cl_engine_get_num(e, CL_ENGINE_DB_TIME, NULL);

	if (t > 0)
		return t;
	for (unsigned i = 0; st->stattab && i < st->entries; i++)
		if (st->stattab[i].st_mtime > t)
			t = st->stattab[i].st_mtime;
	return t;
}

/* clamav_swap - put engine e in use */
static void
clamav_swap(struct scanner *sc, struct cl_engine *e, unsigned sigs)
{
	time_t db_time = clamav_db_time(e, &sc->dbstat);
	struct cl_engine *old;

	pthread_mutex_lock(&sc->lock);
	old = sc->engine;
	sc->engine = e;
	sc->sigs = sigs;
	sc->db_time = db_time;
	snprintf(sc->version, sizeof(sc->version), "ClamAV %s/%u", cl_retver(),
		 (unsigned)cl_engine_get_num(e, CL_ENGINE_DB_VERSION, NULL));
	pthread_mutex_unlock(&sc->lock);
	if (old)
		cl_engine_free(old);
	if (atomic_exchange(&sc->sick, 0))
		log_notice("scanner self-check passes again");
	log_info("signatures loaded from %s: %u signatures, %s", sc->database,
		 sigs, sc->version);
}

/* clamav_refresh - load the database if it changed (or if force);
 * otherwise check the engine in use with the canary */
static int
clamav_refresh(struct scanner *sc, int force, char *err, size_t errlen)
{
	struct cl_engine *e;
	struct cl_stat st;
	unsigned sigs;
	cl_error_t rc;
	char why[300];

	if (!force && sc->have_stat && cl_statchkdir(&sc->dbstat) == 0) {
		(void)clamav_health(sc, err, errlen); /* logs a change */
		return 0;
	}
	memset(&st, 0, sizeof(st));
	if ((rc = cl_statinidir(sc->database, &st)) != CL_SUCCESS) {
		snprintf(err, errlen, "cannot read %s: %s", sc->database,
			 cl_strerror(rc));
		cl_statfree(&st);
		return -1;
	}
	if ((e = clamav_build(sc, &sigs, err, errlen)) == NULL) {
		cl_statfree(&st);
		return -1;
	}
	if (clamav_canary(sc, e, why, sizeof(why)) < 0) {
		snprintf(err, errlen,
			 "the new signatures load, but libclamav cannot look "
			 "inside mail: %s",
			 why);
		cl_engine_free(e);
		cl_statfree(&st);
		/* the cause (temp_dir) is most likely the old engine's too */
		(void)clamav_health(sc, why, sizeof(why));
		return -1;
	}
	if (sc->have_stat)
		cl_statfree(&sc->dbstat);
	sc->dbstat = st;
	sc->have_stat = 1;
	clamav_swap(sc, e, sigs);
	return 1;
}

/* clamav_info - the figures of the engine in use, for metrics */
static void
clamav_info(struct scanner *sc, struct metrics_gauges *g)
{
	pthread_mutex_lock(&sc->lock);
	g->embedded = 1;
	g->signatures = sc->engine ? sc->sigs : 0;
	g->db_time = sc->engine ? sc->db_time : 0;
	pthread_mutex_unlock(&sc->lock);
}

/* clamav_scan - scan one message with the current engine */
static void
clamav_scan(struct scanner *sc, const struct spool *sp, struct scan_result *res)
{
	struct cl_engine *e = clamav_engine_ref(sc, res->version);

	if (e == NULL) {
		res->status = SCAN_NOT_READY;
		snprintf(res->detail, sizeof(res->detail),
			 "signatures not loaded yet");
		return;
	}
	if (atomic_load(&sc->sick)) {
		res->status = SCAN_ERROR;
		snprintf(res->detail, sizeof(res->detail),
			 "the scanner's self-check fails (see the log)");
	} else {
		clamav_scan_with(sc, e, sp, res);
	}
	cl_engine_free(e);
}

/* clamav_close - free the engine and the scanner */
static void
clamav_close(struct scanner *sc)
{
	if (sc == NULL)
		return;
	if (sc->engine)
		cl_engine_free(sc->engine);
	if (sc->have_stat)
		cl_statfree(&sc->dbstat);
	pthread_mutex_destroy(&sc->lock);
	free(sc->database);
	free(sc->tmpdir);
	free(sc);
}

const struct scan_backend scan_clamav_backend = {
    clamav_open, clamav_refresh, clamav_scan, clamav_close, NULL, clamav_info,
};
