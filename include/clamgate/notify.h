/*
 * notify - notify-admin: the only mail clamgate itself sends, to the
 * addresses in notify.admin and nowhere else
 *
 * notify_event() is called at end of message and never blocks, forks or
 * waits: it copies the event into a bounded queue, or, when the queue is
 * full, counts it for the next digest.  One notifier thread composes and
 * submits the mail through the MTA's sendmail program, at most
 * notify.max_per_hour individual notices an hour; beyond that events are
 * summed into one digest an hour (and at shutdown).
 */
#ifndef CLAMGATE_NOTIFY_H
#define CLAMGATE_NOTIFY_H

#include <stddef.h>
#include <time.h>

#include "clamgate/config.h"
#include "clamgate/token.h"

#define NOTIFY_QUEUE	   256
#define NOTIFY_HEADERS_MAX 65536

struct notify_event {
	time_t when;
	char *virus;
	const char *action;  /* static string */
	const char *verdict; /* static string: infected, oversize, ... */
	char *queue_id;
	char *quarantine_id;
	char *client_name;
	char *client_addr;
	char *helo;
	char *sender;  /* as claimed: possibly forged */
	char *rcpts;   /* comma-separated */
	char *subject; /* raw header value */
	char *message_id;
	unsigned long long size;
	char *headers; /* the original header section */
};

/* the hourly window of individual notices */
struct notify_limit {
	time_t window_start;
	unsigned sent;
};

int notify_enabled(const struct cg_config *cfg, enum cg_action done);
int notify_start(const struct cg_config *cfg, const struct token_key *key);
void notify_event(struct notify_event *ev);
void notify_stop(void);
void notify_event_free(struct notify_event *ev);
int notify_limit_take(struct notify_limit *l, time_t now, unsigned max,
		      int *window_ended);

#endif
