/*
 * NAME
 *	xmalloc - memory allocation that does not return NULL
 * DESCRIPTION
 *	Thin wrappers around malloc(3) and friends.
 * DIAGNOSTICS
 *	Out of memory is fatal.
 */
#include <stdlib.h>
#include <string.h>

#include "clamgate/log.h"
#include "clamgate/xmalloc.h"

/* xmalloc - malloc or die */
void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		log_fatal("out of memory allocating %zu bytes", size);
	return p;
}

/* xcalloc - calloc or die */
void *
xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (p == NULL)
		log_fatal("out of memory allocating %zu x %zu bytes", count,
			  size);
	return p;
}

/* xrealloc - realloc or die */
void *
xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		log_fatal("out of memory reallocating %zu bytes", size);
	return p;
}

/* xstrdup - strdup or die */
char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* xstrndup - copy at most n bytes of s, always terminated */
char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}
