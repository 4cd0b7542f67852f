/*
 * mksigs - a synthetic ClamAV database for the benchmark
 *
 * usage: mksigs DIR HASH_SIGS BODY_SIGS [SEED]
 *
 *	Writes DIR/bench-synth.hdb (HASH_SIGS MD5 signatures of random
 *	sizes) and DIR/bench-synth.ndb (BODY_SIGS body signatures: 16 to
 *	40 fixed bytes, two thirds of them with a ???? or {n-m} gap, spread over
 *	the target types any, PE, HTML, mail and text).  The same SEED
 *	gives the same files.  None of them can match the benchmark corpus
 *	by accident: each hash needs a 1-in-2^128 collision and each body
 *	signature 16 random bytes in a row.  The database is generated for
 *	every run and never committed: scanning against it costs what a
 *	production database of that size costs, which signatures-test/
 *	alone (a few entries) would not show.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"

static FILE *
open_out(const char *dir, const char *name)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL) {
		fprintf(stderr, "mksigs: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fp;
}

static void
close_out(FILE *fp, const char *name)
{
	if (ferror(fp) || fclose(fp) != 0) {
		fprintf(stderr, "mksigs: writing %s failed\n", name);
		exit(1);
	}
}

static void
put_hex(FILE *fp, uint64_t *s, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		fprintf(fp, "%02x", (unsigned)(rnd(s) & 0xff));
}

static void
write_hashes(const char *dir, unsigned long n, uint64_t *s)
{
	FILE *fp = open_out(dir, "bench-synth.hdb");

	for (unsigned long i = 0; i < n; i++) {
		put_hex(fp, s, 16);
		/* sizes of real malware samples: a few KB to a few MB */
		fprintf(fp, ":%lu:Bench.Synth.Hash-%07lu\n",
			(unsigned long)(1024 + rnd(s) % (4u << 20)), i);
	}
	close_out(fp, "bench-synth.hdb");
}

/* write_body - one body signature: fixed bytes, maybe one gap */
static void
write_body(FILE *fp, uint64_t *s, unsigned long i)
{
	static const int targets[] = {0, 0, 0, 0, 1, 1, 3, 4, 7, 7};
	unsigned len = 16 + (unsigned)(rnd(s) % 25);
	unsigned gap = (unsigned)(rnd(s) % 3);

	fprintf(fp, "Bench.Synth.Body-%07lu:%d:*:", i,
		targets[rnd(s) % (sizeof(targets) / sizeof(targets[0]))]);
	if (gap == 0) {
		put_hex(fp, s, len);
	} else {
		put_hex(fp, s, len / 2);
		if (gap == 1)
			fputs("????", fp);
		else
			fprintf(fp, "{%u-%u}", 1 + (unsigned)(rnd(s) % 4),
				8 + (unsigned)(rnd(s) % 24));
		put_hex(fp, s, len - len / 2);
	}
	fputc('\n', fp);
}

int
main(int argc, char **argv)
{
	unsigned long hashes, bodies;
	uint64_t seed = 7;
	FILE *fp;

	if (argc < 4 || argc > 5) {
		fprintf(stderr,
			"usage: mksigs DIR HASH_SIGS BODY_SIGS [SEED]\n");
		return 2;
	}
	hashes = strtoul(argv[2], NULL, 10);
	bodies = strtoul(argv[3], NULL, 10);
	if (argc == 5)
		seed = strtoull(argv[4], NULL, 10);
	write_hashes(argv[1], hashes, &seed);
	fp = open_out(argv[1], "bench-synth.ndb");
	for (unsigned long i = 0; i < bodies; i++)
		write_body(fp, &seed, i);
	close_out(fp, "bench-synth.ndb");
	return 0;
}
