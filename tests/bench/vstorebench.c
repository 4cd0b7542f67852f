/*
 * vstorebench - the verified-sender store's costs, for the benchmark:
 * N verified rows written in batches of BATCH (as the daemon's writer
 * does), then N lookups one at a time (as a mail thread does), half of
 * them for addresses stored, half for addresses never seen, in a
 * shuffled order.  Prints one key=value line: writes per second and
 * the lookups' p50 and p99 in microseconds.
 *
 * usage: vstorebench BACKEND WHERE N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clamgate/vstore.h"

#define BATCH 100

/* now_us - the monotonic clock in microseconds */
static double
now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* fill - n rows in batches; the seconds it took, or -1 */
static double
fill(struct vstore *st, long n)
{
	struct vstore_row rows[BATCH];
	double t0 = now_us();

	for (long i = 0; i < n; i += BATCH) {
		int k = 0;
		for (; k < BATCH && i + k < n; k++) {
			memset(&rows[k], 0, sizeof(rows[k]));
			rows[k].table = VSTORE_VERIFIED;
			snprintf(rows[k].addr, sizeof(rows[k].addr),
				 "sender%ld@domain%ld.example", i + k,
				 (i + k) % 97);
			snprintf(rows[k].how, sizeof(rows[k].how), "dkim");
			rows[k].first = rows[k].last = time(NULL);
		}
		if (vstore_put(st, rows, (size_t)k) < 0)
			return -1;
	}
	return (now_us() - t0) / 1e6;
}

int
main(int argc, char **argv)
{
	char err[1500], addr[128];
	struct vstore *st;
	double secs, *lat;
	long n, hits = 0;

	if (argc != 4 || (n = strtol(argv[3], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: vstorebench BACKEND WHERE N\n");
		return 2;
	}
	if ((st = vstore_open(argv[1], argv[2], 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "vstorebench: %s\n", err);
		return 1;
	}
	if ((secs = fill(st, n)) < 0) {
		fprintf(stderr, "vstorebench: %s\n", vstore_error(st));
		return 1;
	}
	lat = calloc((size_t)n, sizeof(*lat));
	srandom(7);
	for (long i = 0; i < n; i++) {
		long k = random() % (2 * n); /* >= n: never stored */
		double t0;
		int rc;
		snprintf(addr, sizeof(addr), "sender%ld@domain%ld.example", k,
			 k % 97);
		t0 = now_us();
		rc = vstore_get_verified(st, addr, 0, NULL);
		lat[i] = now_us() - t0;
		if (rc < 0) {
			fprintf(stderr, "vstorebench: %s\n", vstore_error(st));
			return 1;
		}
		hits += rc;
	}
	qsort(lat, (size_t)n, sizeof(*lat), cmp_double);
	printf("run=vstore-%s rows=%ld put_per_s=%.0f lookups=%ld hits=%ld "
	       "p50_us=%.1f p99_us=%.1f\n",
	       argv[1], n, (double)n / secs, n, hits, lat[n / 2],
	       lat[n * 99 / 100]);
	free(lat);
	vstore_close(st);
	return 0;
}
