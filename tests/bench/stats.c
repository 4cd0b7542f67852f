/*
 * stats.c - what the benchmark programs share: the corpus in memory,
 *	clocks, percentiles and the process's own memory and CPU.
 */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "stats.h"

/* set_name - the last component of dir, which names a corpus set */
const char *
set_name(const char *dir)
{
	const char *slash = strrchr(dir, '/');

	return slash && slash[1] ? slash + 1 : dir;
}

/* bench_calloc - calloc that exits when memory runs out */
void *
bench_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p == NULL) {
		perror("bench");
		exit(1);
	}
	return p;
}

/* now_ms - the monotonic clock, in milliseconds */
double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* rss_mb - VmRSS or VmHWM of this process, in MiB */
double
rss_mb(const char *field)
{
	FILE *fp = fopen("/proc/self/status", "r");
	char line[256];
	size_t flen = strlen(field);
	double kb = 0;

	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, field, flen) == 0 && line[flen] == ':')
			kb = strtod(line + flen + 1, NULL);
	fclose(fp);
	return kb / 1024;
}

/* reset_peak - start VmHWM again from the current resident size */
void
reset_peak(void)
{
	FILE *fp = fopen("/proc/self/clear_refs", "w");

	if (fp != NULL) {
		fputs("5", fp);
		fclose(fp);
	}
}

/* cmp_double - qsort order of doubles */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* percentile - nearest-rank percentile of the values >= 0 (0 if none) */
double
percentile(const double *v, unsigned long n, unsigned pct)
{
	double *s = bench_calloc(n + 1, sizeof(*s)), r = 0;
	unsigned long m = 0, rank;

	for (unsigned long i = 0; i < n; i++)
		if (v[i] >= 0)
			s[m++] = v[i];
	if (m > 0) {
		qsort(s, m, sizeof(*s), cmp_double);
		rank = (m * pct + 99) / 100;
		r = s[rank ? rank - 1 : 0];
	}
	free(s);
	return r;
}

/* is_eml - scandir filter: names ending in .eml */
static int
is_eml(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && strcmp(d->d_name + n - 4, ".eml") == 0;
}

/* read_file - the whole file into m (exit on error) */
static void
read_file(const char *path, struct message *m)
{
	FILE *fp = fopen(path, "rb");
	long n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0 ||
	    (m->data = malloc((size_t)n + 1)) == NULL ||
	    fread(m->data, 1, (size_t)n, fp) != (size_t)n) {
		fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	m->len = (size_t)n;
	fclose(fp);
}

/* corpus_load - every DIR/ *.eml, in name order, into memory */
void
corpus_load(struct corpus *c, const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, is_eml, alphasort);

	if (n < 0) {
		fprintf(stderr, "bench: %s: %s\n", dir, strerror(errno));
		exit(1);
	}
	c->msgs = bench_calloc((size_t)n + 1, sizeof(*c->msgs));
	c->count = (unsigned long)n;
	c->bytes = 0;
	for (int i = 0; i < n; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		read_file(path, &c->msgs[i]);
		c->bytes += c->msgs[i].len;
		free(names[i]);
	}
	free(names);
}

/* corpus_free - free what corpus_load read */
void
corpus_free(struct corpus *c)
{
	for (unsigned long i = 0; i < c->count; i++)
		free(c->msgs[i].data);
	free(c->msgs);
	c->msgs = NULL;
	c->count = 0;
}

/* cpu_seconds - user + system time of this process */
static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* timing_start - note the wall clock and CPU time now */
void
timing_start(struct timing *t)
{
	t->wall0 = now_ms();
	t->cpu0 = cpu_seconds();
}

/* timing_stop - wall clock and CPU time since timing_start */
void
timing_stop(struct timing *t)
{
	t->secs = (now_ms() - t->wall0) / 1000;
	t->cpu = cpu_seconds() - t->cpu0;
}
