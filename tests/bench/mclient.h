/*
 * mclient.h - the MTA side of the milter protocol, as the load
 *	generator speaks it: one connection, one message at a time.
 */
#ifndef BENCH_MCLIENT_H
#define BENCH_MCLIENT_H

#include <stddef.h>

/* how a message ended, as the MTA would act on it */
enum verdict {
	V_ACCEPT,
	V_REJECT,
	V_TEMPFAIL,
	V_DISCARD,
	V_QUARANTINE, /* accepted into the MTA's hold queue */
	V_ERROR,      /* connection or protocol failure */
	V_COUNT
};

struct mclient {
	int fd;
	unsigned long proto; /* the steps the filter asked for */
	char *out;	     /* buffered packets, flushed before a read */
	size_t out_len, out_size;
	char *in; /* the last reply's data */
	size_t in_len, in_size;
};

void mclient_set_timeout(unsigned seconds);
int mclient_open(struct mclient *c, const char *spec);
int mclient_session(struct mclient *c, unsigned long id);
enum verdict mclient_message(struct mclient *c, const char *msg, size_t len,
			     unsigned long id, double *eom_ms);
void mclient_close(struct mclient *c);

#endif
