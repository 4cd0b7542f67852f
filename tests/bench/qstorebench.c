/*
 * qstorebench - the quarantine store's write cost, for the benchmark: N
 * messages of SIZE bytes stored one after another, durably, as the
 * daemon's mail threads store them (quarantine_store: the envelope built,
 * the put committed), then every entry listed and read back as
 * clamgate-quarantine list does.  Prints one key=value line: writes per
 * second, the writes' p50 and p99 in microseconds, and the reads per
 * second.
 *
 * usage: qstorebench dir|postgresql WHERE N [SIZE]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clamgate/log.h"
#include "clamgate/qstore.h"
#include "clamgate/quarantine_store.h"
#include "stats.h"

/* now_us - the monotonic clock in microseconds */
static double
now_us(void)
{
	return now_ms() * 1000;
}

/* message - a message of size bytes: headers, then lines of text */
static char *
message(size_t size)
{
	char *m = malloc(size + 1);
	size_t n = (size_t)snprintf(m, size + 1,
				    "From: <a@remote.example>\r\nSubject: "
				    "bench\r\nMessage-ID: <b@remote.example>"
				    "\r\n\r\n");

	for (; n < size; n++)
		m[n] = (n % 72 == 71) ? '\n' : (char)('a' + n % 26);
	return m;
}

/* fill - n puts; the seconds they took, each one's latency in lat */
static double
fill(struct qstore *qs, long n, const char *msg, size_t size, double *lat)
{
	static char *const rcpts[] = {"user@dest.example"};
	struct quarantine_meta m = {.sender = "a@remote.example",
				    .rcpts = rcpts,
				    .n_rcpts = 1,
				    .client_addr = "192.0.2.10",
				    .virus = "Win.Test.EICAR_HDB-1",
				    .action = "quarantine",
				    .engine = "ClamAV 1.4.6/0"};
	char id[QUARANTINE_ID_MAX];
	double t0 = now_us();

	for (long i = 0; i < n; i++) {
		struct spool sp;
		double t = now_us();
		spool_init(&sp, "/tmp", size + 1, NULL);
		spool_append(&sp, msg, size);
		m.when = time(NULL);
		if (quarantine_store(qs, &m, &sp, id) < 0)
			return -1;
		lat[i] = now_us() - t;
		spool_reset(&sp);
	}
	return (now_us() - t0) / 1e6;
}

/* read_all - list and read every entry as list does; seconds, or -1 */
static double
read_all(struct qstore *qs, long *count)
{
	double t0 = now_us();
	char **ids;
	size_t n;

	if (qstore_ids(qs, &ids, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct quarantine_entry e;
		if (qstore_read(qs, ids[i], &e, QUARANTINE_READ_SUBJECT) < 0)
			return -1;
		quarantine_entry_free(&e);
	}
	quarantine_ids_free(ids, n);
	*count = (long)n;
	return (now_us() - t0) / 1e6;
}

int
main(int argc, char **argv)
{
	struct qstore *qs;
	double secs, rsecs, *lat;
	long n, read = 0;
	size_t size;
	char *msg;

	if (argc < 4 || (n = strtol(argv[3], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: qstorebench dir|postgresql WHERE N "
				"[SIZE]\n");
		return 2;
	}
	size = argc > 4 ? strtoul(argv[4], NULL, 10) : 8192;
	log_set_level(LOG_LEVEL_ERROR);
	qs = strcmp(argv[1], "dir") == 0 ? qstore_open_dir(argv[2])
					 : qstore_open_pg(argv[2]);
	msg = message(size);
	lat = calloc((size_t)n, sizeof(*lat));
	if (qs == NULL || (secs = fill(qs, n, msg, size, lat)) < 0 ||
	    (rsecs = read_all(qs, &read)) < 0) {
		fprintf(stderr, "qstorebench: %s\n", qstore_error());
		return 1;
	}
	printf("run=qstore-%s puts=%ld size=%zu put_per_s=%.0f p50_us=%.1f "
	       "p99_us=%.1f reads=%ld read_per_s=%.0f\n",
	       argv[1], n, size, (double)n / secs,
	       percentile(lat, (unsigned long)n, 50),
	       percentile(lat, (unsigned long)n, 99), read,
	       (double)read / rsecs);
	free(lat);
	free(msg);
	qstore_close(qs);
	return 0;
}
