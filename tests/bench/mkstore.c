/*
 * mkstore - fill a quarantine store with N generated entries, for the
 * benchmark: times spread over the last 60 days, 50 virus names, varied
 * senders, recipients and clients, each message unique.  Written with
 * the daemon's own quarantine_store(), without fsync.
 *
 * usage: mkstore DIR N [SEED]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clamgate/log.h"
#include "clamgate/quarantine_store.h"
#include "clamgate/spool.h"

int
main(int argc, char **argv)
{
	unsigned long n, seed;
	time_t now = time(NULL);
	char body[2048], virus[64], sender[64], r1[64], r2[64], client[32];
	char *rcpts[2] = {r1, r2}, id[QUARANTINE_ID_MAX];
	struct qstore *qs;

	if (argc < 3) {
		fprintf(stderr, "usage: mkstore DIR N [SEED]\n");
		return 2;
	}
	n = strtoul(argv[2], NULL, 10);
	seed = argc > 3 ? strtoul(argv[3], NULL, 10) : 1;
	srandom((unsigned)seed);
	log_set_level(LOG_LEVEL_ERROR);
	qstore_dir_durable(0);
	if ((qs = qstore_open_dir(argv[1])) == NULL)
		return 1;
	for (unsigned long i = 0; i < n; i++) {
		struct spool sp;
		long r = random();
		snprintf(virus, sizeof(virus), "Win.Test.Family%ld-%ld", r % 50,
			 r % 7);
		snprintf(sender, sizeof(sender), "user%ld@sender%ld.example",
			 r % 997, r % 89);
		snprintf(r1, sizeof(r1), "rcpt%lu@dest.example", i % 1000);
		snprintf(r2, sizeof(r2), "team%ld@dest.example", r % 13);
		snprintf(client, sizeof(client), "192.0.2.%ld", r % 250 + 1);
		int len = snprintf(
		    body, sizeof(body),
		    "From: <%s>\r\nSubject: invoice %lu\r\nMessage-ID: "
		    "<%lu.%ld@gen>\r\n\r\nmessage %lu %ld\r\n",
		    sender, i, i, r, i, r);
		struct quarantine_meta m = {
		    .sender = sender,
		    .rcpts = rcpts,
		    .n_rcpts = 1 + (size_t)(r % 2),
		    .client_addr = client,
		    .client_name = "mx.sender.example",
		    .helo = "mx.sender.example",
		    .queue_id = "GEN",
		    .virus = virus,
		    .action = "quarantine",
		    .engine = "ClamAV 1.4.6/0",
		    .when = now - (time_t)(r % (60L * 86400)),
		};
		spool_init(&sp, "/tmp", sizeof(body), NULL);
		spool_append(&sp, body, (size_t)len);
		if (quarantine_store(qs, &m, &sp, id) < 0) {
			perror(argv[1]);
			return 1;
		}
		spool_reset(&sp);
	}
	qstore_close(qs);
	return 0;
}
