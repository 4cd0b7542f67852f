/*
 * outbox - notices kept on disk (DIR/.outbox) until the MTA takes them
 */
#ifndef CLAMGATE_OUTBOX_H
#define CLAMGATE_OUTBOX_H

#include <stddef.h>

int outbox_put(const char *dir, const char *msg);
size_t outbox_flush(const char *dir, int (*send)(const char *msg, void *arg),
		    void *arg);

#endif
