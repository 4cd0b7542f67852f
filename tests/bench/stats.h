/*
 * stats.h - what the benchmark programs share: the corpus in memory,
 *	clocks, percentiles and the process's own memory and CPU.
 */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stddef.h>

struct message {
	char *data;
	size_t len;
};

struct corpus {
	struct message *msgs;
	unsigned long count;
	size_t bytes;
};

struct timing {
	double wall0, cpu0;
	double secs; /* wall clock */
	double cpu;  /* user + system of this process */
};

void *bench_calloc(size_t n, size_t size);
const char *set_name(const char *dir);
double now_ms(void);
double rss_mb(const char *field);
void reset_peak(void);
double percentile(const double *v, unsigned long n, unsigned pct);
void corpus_load(struct corpus *c, const char *dir);
void corpus_free(struct corpus *c);
void timing_start(struct timing *t);
void timing_stop(struct timing *t);

#endif
