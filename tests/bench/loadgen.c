/*
 * loadgen - a milter load generator that speaks as an MTA does
 *
 * usage: loadgen -s SOCKET -d DIR [-c SESSIONS] [-k PER_SESSION] [-n NAME]
 *		  [-T TIMEOUT]
 *	  loadgen -s SOCKET -I SESSIONS [-t SECONDS]
 *
 *	SOCKET is unix:PATH or inet:PORT@HOST.  Every *.eml of DIR is read
 *	into memory first, then SESSIONS concurrent milter connections
 *	(default 1) share the messages: each connection negotiates, sends
 *	connect and HELO, then up to PER_SESSION (default 4) messages,
 *	then QUIT, and the next connection takes the next messages; every
 *	message is sent once.  The protocol is in mclient.c.
 *
 *	Prints one line of key=value: msgs, secs, rate (messages per
 *	second), p50/p90/p99 (end-of-message latency in ms: from EOM
 *	written to the final reply read), the count of each verdict
 *	(accept, reject, tempfail, discard, quarantine), errors, and cpu:
 *	this program's own CPU seconds, so that a run can show the load
 *	generator was not the bottleneck.  A reply that takes longer than
 *	TIMEOUT seconds (default 600) makes its message an error.
 *
 *	With -I, opens SESSIONS connections and takes each through
 *	negotiation, connect and HELO, prints "idle=N ready" (with the
 *	protocol steps the filter negotiated, proto=0x...), holds them
 *	open for SECONDS (default 5) and closes them: the benchmark reads
 *	the filter's memory while they wait.
 */

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "mclient.h"
#include "stats.h"

struct load {
	const char *spec;
	unsigned per_session;
	struct corpus corpus;
	double *eom_ms; /* per message; -1 when it ended before EOM */
	atomic_ulong next, sessions;
	atomic_ulong counts[V_COUNT];
};

/* one_session - open a connection, send up to per_session messages */
static void
one_session(struct load *l)
{
	struct mclient c;
	unsigned long i;

	if (mclient_open(&c, l->spec) != 0 ||
	    mclient_session(&c, atomic_fetch_add(&l->sessions, 1)) != 0) {
		mclient_close(&c);
		if (atomic_fetch_add(&l->next, 1) < l->corpus.count)
			atomic_fetch_add(&l->counts[V_ERROR], 1);
		usleep(10000);
		return;
	}
	for (unsigned k = 0; k < l->per_session; k++) {
		enum verdict v;

		if ((i = atomic_fetch_add(&l->next, 1)) >= l->corpus.count)
			break;
		v = mclient_message(&c, l->corpus.msgs[i].data,
				    l->corpus.msgs[i].len, i, &l->eom_ms[i]);
		atomic_fetch_add(&l->counts[v], 1);
		if (v == V_ERROR)
			break;
	}
	mclient_close(&c);
}

/* session_thread - sessions one after another until no message is left */
static void *
session_thread(void *arg)
{
	struct load *l = arg;

	while (atomic_load(&l->next) < l->corpus.count)
		one_session(l);
	return NULL;
}

/* report - the run's line of key=value */
static void
report(const char *name, const char *dir, unsigned conc, struct load *l,
       const struct timing *t)
{
	unsigned long n = 0, count = l->corpus.count;
	double *eom = bench_calloc(count + 1, sizeof(*eom));

	for (unsigned long i = 0; i < count; i++)
		if (l->eom_ms[i] >= 0)
			eom[n++] = l->eom_ms[i];
	printf("run=%s set=%s conc=%u msgs=%lu secs=%.3f rate=%.1f p50=%.2f "
	       "p90=%.2f "
	       "p99=%.2f accept=%lu reject=%lu tempfail=%lu discard=%lu "
	       "quarantine=%lu errors=%lu cpu=%.3f mb=%.1f\n",
	       name, set_name(dir), conc, count, t->secs, count / t->secs,
	       percentile(eom, n, 50), percentile(eom, n, 90),
	       percentile(eom, n, 99), (unsigned long)l->counts[V_ACCEPT],
	       (unsigned long)l->counts[V_REJECT],
	       (unsigned long)l->counts[V_TEMPFAIL],
	       (unsigned long)l->counts[V_DISCARD],
	       (unsigned long)l->counts[V_QUARANTINE],
	       (unsigned long)l->counts[V_ERROR], t->cpu,
	       l->corpus.bytes / 1048576.0);
	free(eom);
}

/* run - every message of dir through conc concurrent sessions */
static int
run(struct load *l, const char *dir, unsigned conc, const char *name)
{
	pthread_t *tid = bench_calloc(conc, sizeof(*tid));
	struct timing t;

	corpus_load(&l->corpus, dir);
	l->eom_ms = bench_calloc(l->corpus.count + 1, sizeof(double));
	for (unsigned long i = 0; i < l->corpus.count; i++)
		l->eom_ms[i] = -1;
	timing_start(&t);
	for (unsigned i = 0; i < conc; i++)
		pthread_create(&tid[i], NULL, session_thread, l);
	for (unsigned i = 0; i < conc; i++)
		pthread_join(tid[i], NULL);
	timing_stop(&t);
	report(name, dir, conc, l, &t);
	free(tid);
	free(l->eom_ms);
	corpus_free(&l->corpus);
	return l->counts[V_ERROR] ? 1 : 0;
}

/* idle - n sessions that connect, say HELO, and wait */
static int
idle(const char *spec, unsigned n, unsigned hold)
{
	struct mclient *c = bench_calloc(n, sizeof(*c));
	unsigned ok = 0;

	for (unsigned i = 0; i < n; i++)
		if (mclient_open(&c[i], spec) == 0 &&
		    mclient_session(&c[i], i) == 0)
			ok++;
	printf("idle=%u ready errors=%u proto=0x%lx\n", ok, n - ok,
	       n > 0 ? c[0].proto : 0);
	fflush(stdout);
	sleep(hold);
	for (unsigned i = 0; i < n; i++)
		mclient_close(&c[i]);
	free(c);
	return ok == n ? 0 : 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: loadgen -s SOCKET -d DIR [-c SESSIONS] "
			"[-k PER_SESSION] [-n NAME] [-T TIMEOUT]\n"
			"       loadgen -s SOCKET -I SESSIONS [-t SECONDS]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static struct load l;
	const char *dir = NULL, *name = "milter";
	unsigned conc = 1, idle_n = 0, hold = 5;
	int ch;

	signal(SIGPIPE, SIG_IGN); /* a filter that hangs up is an error */
	l.per_session = 4;
	while ((ch = getopt(argc, argv, "s:d:c:k:n:I:t:T:")) != -1) {
		switch (ch) {
		case 's':
			l.spec = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'c':
			conc = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'k':
			l.per_session = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'n':
			name = optarg;
			break;
		case 'I':
			idle_n = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'T':
			mclient_set_timeout(
			    (unsigned)strtoul(optarg, NULL, 10));
			break;
		case 't':
			hold = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (l.spec == NULL || conc < 1 || l.per_session < 1 ||
	    (dir == NULL && idle_n == 0))
		usage();
	if (idle_n > 0)
		return idle(l.spec, idle_n, hold);
	return run(&l, dir, conc, name);
}
