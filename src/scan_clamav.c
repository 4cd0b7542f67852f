/*
 * NAME
 *	scan_clamav - the embedded libclamav scanner backend
 * DESCRIPTION
 *	One engine per process, shared by all sessions.  refresh() builds a
 *	new engine off the mail path (from the reload thread) and swaps it
 *	in under a short lock; each scan holds its own reference
 *	(cl_engine_addref), so the old engine is freed by whichever finishes
 *	last, the swap or the last scan that used it.  The whole message is
 *	scanned, from memory or from its spool file; libclamav's size limits
 *	are raised to scanner.max_message_size, and the limits heuristic is
 *	on, so a scan that had to stop early says so (SCAN_INCOMPLETE)
 *	instead of passing as clean.
 * DIAGNOSTICS
 *	refresh() returns -1 with the reason and keeps the engine in use.
 *	scan() reports SCAN_NOT_READY before the first load, SCAN_ERROR with
 *	the reason for a failed or timed out scan.
 */
#include <clamav.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clamgate/log.h"
#include "clamgate/scan.h"
#include "clamgate/xmalloc.h"

struct scanner {
	pthread_mutex_t lock;
	struct cl_engine *engine; /* NULL until the first load */
	char version[SCAN_VERSION_MAX];
	struct cl_stat dbstat;
	int have_stat;
	char *database;
	char *tmpdir;
	uint64_t max_size;
	unsigned timeout;
	struct cl_scan_options opts;
};

static pthread_once_t clamav_once = PTHREAD_ONCE_INIT;
static cl_error_t clamav_init_rc;

/* clamav_message - libclamav's own messages, into our log */
static void
clamav_message(enum cl_msg severity, const char *fullmsg, const char *msg,
	       void *context)
{
	size_t len = strlen(msg);

	(void)fullmsg, (void)context;
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		len--;
	if (severity == CL_MSG_ERROR)
		log_warn("libclamav: %.*s", (int)len, msg);
	else
		log_debug("libclamav: %.*s", (int)len, msg);
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
	pthread_mutex_init(&sc->lock, NULL);
	sc->database = xstrdup(cfg->scanner.database);
	sc->tmpdir = xstrdup(cfg->scanner.temp_dir);
	sc->max_size = cfg->scanner.max_message_size;
	sc->timeout = cfg->scanner.timeout;
	sc->opts.general = CL_SCAN_GENERAL_HEURISTICS;
	sc->opts.parse = ~0U;
	sc->opts.heuristic = CL_SCAN_HEURISTIC_EXCEEDS_MAX;
	return sc;
}

/* clamav_limits - no silent truncation: limits follow max_message_size */
static cl_error_t
clamav_limits(struct scanner *sc, struct cl_engine *e)
{
	uint64_t scansize = sc->max_size * 4;
	cl_error_t rc;

	if (scansize < 400ULL * 1024 * 1024)
		scansize = 400ULL * 1024 * 1024;
	if ((rc = cl_engine_set_num(e, CL_ENGINE_MAX_FILESIZE,
				    (long long)sc->max_size)) != CL_SUCCESS ||
	    (rc = cl_engine_set_num(e, CL_ENGINE_MAX_SCANSIZE,
				    (long long)scansize)) != CL_SUCCESS ||
	    (rc = cl_engine_set_num(e, CL_ENGINE_MAX_SCANTIME,
				    (long long)sc->timeout * 1000)) !=
		CL_SUCCESS)
		return rc;
	return cl_engine_set_str(e, CL_ENGINE_TMPDIR, sc->tmpdir);
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
	    (rc = cl_load(sc->database, e, sigs, CL_DB_STDOPT)) != CL_SUCCESS ||
	    (rc = cl_engine_compile(e)) != CL_SUCCESS) {
		snprintf(err, errlen, "cannot load signatures from %s: %s",
			 sc->database, cl_strerror(rc));
		cl_engine_free(e);
		return NULL;
	}
	if (*sigs == 0) {
		snprintf(err, errlen, "no signatures in %s", sc->database);
		cl_engine_free(e);
		return NULL;
	}
	return e;
}

/* clamav_refresh - load the database if it changed (or if force) */
static int
clamav_refresh(struct scanner *sc, int force, char *err, size_t errlen)
{
	struct cl_engine *e, *old;
	struct cl_stat st;
	unsigned sigs;
	cl_error_t rc;

	if (!force && sc->have_stat && cl_statchkdir(&sc->dbstat) == 0)
		return 0;
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
	if (sc->have_stat)
		cl_statfree(&sc->dbstat);
	sc->dbstat = st;
	sc->have_stat = 1;
	pthread_mutex_lock(&sc->lock);
	old = sc->engine;
	sc->engine = e;
	snprintf(sc->version, sizeof(sc->version), "ClamAV %s/%u", cl_retver(),
		 (unsigned)cl_engine_get_num(e, CL_ENGINE_DB_VERSION, NULL));
	pthread_mutex_unlock(&sc->lock);
	if (old)
		cl_engine_free(old);
	log_info("signatures loaded from %s: %u signatures, %s", sc->database,
		 sigs, sc->version);
	return 1;
}

/* clamav_run - scan the spool with engine e */
static cl_error_t
clamav_run(struct scanner *sc, struct cl_engine *e, const struct spool *sp,
	   const char **virname)
{
	cl_fmap_t *map;
	cl_error_t rc;

	if (sp->fd >= 0)
		return cl_scandesc(sp->fd, NULL, virname, NULL, e, &sc->opts);
	if ((map = cl_fmap_open_memory(sp->mem, sp->len)) == NULL)
		return CL_EMEM;
	rc = cl_scanmap_callback(map, NULL, virname, NULL, e, &sc->opts, NULL);
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

/* clamav_scan - scan one message with the current engine */
static void
clamav_scan(struct scanner *sc, const struct spool *sp, struct scan_result *res)
{
	const char *virname = NULL;
	struct cl_engine *e;
	cl_error_t rc;

	pthread_mutex_lock(&sc->lock);
	e = sc->engine;
	if (e)
		cl_engine_addref(e);
	memcpy(res->version, sc->version, sizeof(res->version));
	pthread_mutex_unlock(&sc->lock);
	if (e == NULL) {
		res->status = SCAN_NOT_READY;
		snprintf(res->detail, sizeof(res->detail),
			 "signatures not loaded yet");
		return;
	}
	rc = clamav_run(sc, e, sp, &virname);
	clamav_verdict(sc, rc, virname, res);
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
    "libclamav", clamav_open, clamav_refresh, clamav_scan, clamav_close, NULL,
};
