/*
 * quarantine - the quarantine store, read side (the daemon's expiry and
 * clamgate-quarantine): one file per message, an RFC 5322 message whose
 * first headers (X-Clamgate-*) carry the envelope and the verdict,
 * followed by the original bytes exactly as received.  The daemon writes
 * entries (quarantine_store.h).
 */
#ifndef CLAMGATE_QUARANTINE_H
#define CLAMGATE_QUARANTINE_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#define QUARANTINE_ID_MAX 64

/* Entries are "ID.eml"; dot files are partial writes and never read. */

struct quarantine_entry {
	char id[QUARANTINE_ID_MAX];
	char *path;
	int damaged;	   /* readable, but not a valid entry */
	char problem[128]; /* why, when damaged */
	time_t time;
	char *sender;
	char **rcpts;
	size_t n_rcpts;
	char *client_addr;
	char *client_name;
	char *helo;
	char *queue_id;
	char *virus;
	char *action;
	char *engine;
	char *released;		   /* NULL, or when and to whom */
	char *gate;		   /* NULL, or the outbound gate's why */
	char *host;		   /* NULL (older entries), or who stored it */
	unsigned long long size;   /* the original message */
	unsigned long long offset; /* where it starts in the file */
	char *subject;		   /* raw (RFC 2047) and unfolded */
	char *message_id;
	char *headers; /* the original header section */
};

int quarantine_ids(const char *dir, char ***ids, size_t *n);
void quarantine_ids_free(char **ids, size_t n);
int quarantine_usage(const char *dir, unsigned long long *entries,
		     unsigned long long *bytes);
time_t quarantine_id_time(const char *id);
int quarantine_id_valid(const char *id);
enum quarantine_read_what {
	QUARANTINE_READ_ENVELOPE, /* the X-Clamgate-* fields only */
	QUARANTINE_READ_SUBJECT,  /* and Subject, Message-ID */
	QUARANTINE_READ_HEADERS,  /* and the whole header section */
};

void quarantine_parse(FILE *f, unsigned long long total,
		      struct quarantine_entry *e,
		      enum quarantine_read_what what);
int quarantine_read(const char *dir, const char *id, struct quarantine_entry *e,
		    enum quarantine_read_what what);
void quarantine_entry_free(struct quarantine_entry *e);
int quarantine_copy_original(const struct quarantine_entry *e, int fd);
int quarantine_each_original(const struct quarantine_entry *e,
			     int (*fn)(const void *data, size_t len, void *arg),
			     void *arg);
int quarantine_remove(const char *dir, const char *id);
long quarantine_sweep_temp(const char *dir, time_t cutoff);
int quarantine_read_env(const struct quarantine_entry *e, char **env,
			size_t *len);
char *quarantine_released_env(const char *env, size_t len, const char *note,
			      size_t *outlen);
int quarantine_mark_released(const struct quarantine_entry *e,
			     const char *note);

#endif
