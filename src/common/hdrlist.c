/*
 * NAME
 *	hdrlist - the header fields of one message, in order, bounded
 * SYNOPSIS
 *	hdrlist_add(list, name, value)
 *	value = hdrlist_get(list, name)
 *	value = hdrlist_next(list, name, &pos)
 *	hdrlist_clear(list)
 * DESCRIPTION
 *	Values are stored unfolded (every CR and LF removed, as RFC 5322
 *	unfolding does) and trimmed of white space at both ends.  Names
 *	compare case-insensitively.  hdrlist_next() walks the fields of
 *	one name: start with pos = 0; hdrlist_next_whole() skips the values
 *	that were cut, for a reader that must not take the start of a field
 *	for all of it (a cut Authentication-Results could end in the middle
 *	of a domain name).
 * DIAGNOSTICS
 *	None: a field past HDRLIST_MAX is counted in dropped, a value is
 *	cut at HDRLIST_VALUE_MAX.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clamgate/hdrlist.h"
#include "clamgate/xmalloc.h"

/* hdrlist_unfold - the value without CR, LF and outer white space */
static char *
hdrlist_unfold(const char *value, int *cut)
{
	size_t len = strlen(value), n = 0;
	char *out;

	*cut = len > HDRLIST_VALUE_MAX;
	if (*cut)
		len = HDRLIST_VALUE_MAX;
	out = xmalloc(len + 1);
	for (size_t i = 0; i < len; i++)
		if (value[i] != '\r' && value[i] != '\n')
			out[n++] = value[i];
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		n--;
	out[n] = '\0';
	len = strspn(out, " \t");
	if (len > 0)
		memmove(out, out + len, n - len + 1);
	return out;
}

/* hdrlist_add - one more field */
void
hdrlist_add(struct hdrlist *l, const char *name, const char *value)
{
	if (l->count >= HDRLIST_MAX) {
		l->dropped++;
		return;
	}
	if (l->count == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->items = xrealloc(l->items, l->cap * sizeof(*l->items));
	}
	l->items[l->count].name = xstrdup(name);
	l->items[l->count].value =
	    hdrlist_unfold(value ? value : "", &l->items[l->count].cut);
	l->count++;
}

/* hdrlist_next - the next field of that name from *pos, or NULL */
const char *
hdrlist_next(const struct hdrlist *l, const char *name, size_t *pos)
{
	for (; *pos < l->count; (*pos)++) {
		if (strcasecmp(l->items[*pos].name, name) == 0)
			return l->items[(*pos)++].value;
	}
	return NULL;
}

/* hdrlist_next_whole - the next field of that name that was not cut */
const char *
hdrlist_next_whole(const struct hdrlist *l, const char *name, size_t *pos)
{
	const char *value;

	while ((value = hdrlist_next(l, name, pos)) != NULL)
		if (!l->items[*pos - 1].cut)
			return value;
	return NULL;
}

/* hdrlist_get - the first field of that name, or NULL */
const char *
hdrlist_get(const struct hdrlist *l, const char *name)
{
	size_t pos = 0;

	return hdrlist_next(l, name, &pos);
}

/* hdrlist_clear - forget every field */
void
hdrlist_clear(struct hdrlist *l)
{
	for (size_t i = 0; i < l->count; i++) {
		free(l->items[i].name);
		free(l->items[i].value);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}
