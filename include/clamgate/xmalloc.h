/*
 * xmalloc - allocation that never returns NULL
 *
 * Out of memory is fatal: the daemon logs it and exits, and the MTA's
 * milter_default_action (tempfail) keeps the mail with the client.
 */
#ifndef CLAMGATE_XMALLOC_H
#define CLAMGATE_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
