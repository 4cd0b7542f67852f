/*
 * barescan - the limit: bare libclamav scanning messages from memory
 *
 * usage: barescan [-n NAME] DATABASE THREADS:DIR [THREADS:DIR ...]
 *	  barescan [-n NAME] DATABASE -
 *
 *	Loads DATABASE once with the engine settings clamgate uses (all
 *	parsers, general heuristics, limits for max_message_size = 100M),
 *	then for each THREADS:DIR reads every *.eml of DIR into memory and
 *	scans them with THREADS threads, each message once, with
 *	cl_fmap_open_memory() and cl_scanmap_callback() as clamgate does.
 *	No milter, no socket, no copy: what is left is libclamav's own
 *	cost, the floor under any filter built on it.  With "-", the runs
 *	come from standard input, one THREADS:DIR a line, so that the
 *	benchmark can interleave them with the other systems' runs.
 *
 *	Prints one line of key=value per run, in the load generator's
 *	format: run=NAME (default bare), set (the directory's name), msgs, secs,
 *rate (msgs/s), p50/p90/p99 (ms per scan), clean, infected, errors, cpu
 *(process CPU seconds during the run), rss_before (resident size before the
 *run, the corpus of the run already in memory) and peak (the peak resident size
 *during it).
 */

#include <clamav.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

struct run {
	struct cl_engine *engine;
	struct cl_scan_options opts;
	struct corpus corpus;
	double *ms; /* per message */
	atomic_ulong next, clean, infected, errors;
};

static void *
worker(void *arg)
{
	struct run *r = arg;
	unsigned long i;

	while ((i = atomic_fetch_add(&r->next, 1)) < r->corpus.count) {
		const struct message *m = &r->corpus.msgs[i];
		const char *virname = NULL;
		double t0 = now_ms();
		cl_fmap_t *map = cl_fmap_open_memory(m->data, m->len);
		cl_error_t rc;

		if (map == NULL) {
			atomic_fetch_add(&r->errors, 1);
			r->ms[i] = -1; /* not a scan time */
			continue;
		}
		rc = cl_scanmap_callback(map, NULL, &virname, NULL, r->engine,
					 &r->opts, NULL);
		cl_fmap_close(map);
		r->ms[i] = now_ms() - t0;
		atomic_fetch_add(rc == CL_VIRUS	  ? &r->infected
				 : rc == CL_CLEAN ? &r->clean
						  : &r->errors,
				 1);
	}
	return NULL;
}

static struct cl_engine *
load(const char *db)
{
	struct cl_engine *e;
	unsigned sigs = 0;
	double t0 = now_ms();
	cl_error_t rc;

	if ((rc = cl_init(CL_INIT_DEFAULT)) != CL_SUCCESS ||
	    (e = cl_engine_new()) == NULL) {
		fprintf(stderr, "barescan: cannot start libclamav\n");
		exit(1);
	}
	cl_engine_set_num(e, CL_ENGINE_MAX_FILESIZE, 100LL << 20);
	cl_engine_set_num(e, CL_ENGINE_MAX_SCANSIZE, 400LL << 20);
	cl_engine_set_num(e, CL_ENGINE_MAX_SCANTIME, 120000);
	if ((rc = cl_load(db, e, &sigs, CL_DB_STDOPT)) != CL_SUCCESS ||
	    (rc = cl_engine_compile(e)) != CL_SUCCESS) {
		fprintf(stderr, "barescan: %s: %s\n", db, cl_strerror(rc));
		exit(1);
	}
	printf("loaded sigs=%u secs=%.2f rss_mb=%.0f\n", sigs,
	       (now_ms() - t0) / 1000, rss_mb("VmRSS"));
	fflush(stdout);
	return e;
}

static void
run_one(struct cl_engine *e, unsigned threads, const char *dir,
	const char *name)
{
	struct run r = {.engine = e};
	pthread_t tid[256];
	struct timing t;
	double before;

	r.opts.general = CL_SCAN_GENERAL_HEURISTICS;
	r.opts.parse = ~0U;
	r.opts.heuristic = CL_SCAN_HEURISTIC_EXCEEDS_MAX;
	corpus_load(&r.corpus, dir);
	r.ms = calloc(r.corpus.count ? r.corpus.count : 1, sizeof(double));
	if (threads < 1 || threads > 256 || r.ms == NULL) {
		fprintf(stderr, "barescan: bad thread count %u\n", threads);
		exit(2);
	}
	before = rss_mb("VmRSS");
	reset_peak();
	timing_start(&t);
	for (unsigned i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, worker, &r);
	for (unsigned i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	timing_stop(&t);
	printf("run=%s set=%s conc=%u msgs=%lu secs=%.3f rate=%.1f p50=%.2f "
	       "p90=%.2f p99=%.2f clean=%lu infected=%lu errors=%lu cpu=%.3f "
	       "rss_before=%.0f peak=%.0f\n",
	       name, set_name(dir), threads, r.corpus.count, t.secs,
	       r.corpus.count / t.secs, percentile(r.ms, r.corpus.count, 50),
	       percentile(r.ms, r.corpus.count, 90),
	       percentile(r.ms, r.corpus.count, 99), (unsigned long)r.clean,
	       (unsigned long)r.infected, (unsigned long)r.errors, t.cpu,
	       before, rss_mb("VmHWM"));
	fflush(stdout);
	corpus_free(&r.corpus);
	free(r.ms);
}

/* one_spec - run THREADS:DIR; 0, or -1 if spec is not that */
static int
one_spec(struct cl_engine *e, const char *spec, const char *name)
{
	const char *colon = strchr(spec, ':');

	if (colon == NULL) {
		fprintf(stderr, "barescan: %s: not THREADS:DIR\n", spec);
		return -1;
	}
	run_one(e, (unsigned)strtoul(spec, NULL, 10), colon + 1, name);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *name = "bare";
	struct cl_engine *e;
	char line[4096];

	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		name = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: barescan [-n NAME] DATABASE "
				"THREADS:DIR ...\n"
				"       barescan [-n NAME] DATABASE -\n");
		return 2;
	}
	e = load(argv[1]);
	if (strcmp(argv[2], "-") == 0) {
		while (fgets(line, sizeof(line), stdin) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			if (line[0] != '\0' && one_spec(e, line, name) != 0)
				return 2;
		}
	}
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "-") != 0 &&
		    one_spec(e, argv[i], name) != 0)
			return 2;
	cl_engine_free(e);
	return 0;
}
