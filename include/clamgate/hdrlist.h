/*
 * hdrlist - the header fields of one message as the milter saw them:
 * name and value pairs in order, values unfolded and trimmed, bounded
 *
 * The outbound gate reads them: the classifier (autoclass.h) and the
 * Authentication-Results check (authres.h).  Only the first
 * HDRLIST_MAX fields are kept, each value cut at HDRLIST_VALUE_MAX.
 */
#ifndef CLAMGATE_HDRLIST_H
#define CLAMGATE_HDRLIST_H

#include <stddef.h>

#define HDRLIST_MAX	  1000
#define HDRLIST_VALUE_MAX 4096

struct hdr {
	char *name;
	char *value; /* unfolded (CR and LF removed), leading and trailing
		      * white space trimmed */
	int cut;     /* longer than HDRLIST_VALUE_MAX: the start only */
};

struct hdrlist {
	struct hdr *items;
	size_t count;
	size_t cap;
	size_t dropped; /* fields past HDRLIST_MAX */
};

void hdrlist_add(struct hdrlist *l, const char *name, const char *value);
const char *hdrlist_get(const struct hdrlist *l, const char *name);
const char *hdrlist_next(const struct hdrlist *l, const char *name,
			 size_t *pos);
const char *hdrlist_next_whole(const struct hdrlist *l, const char *name,
			       size_t *pos);
void hdrlist_clear(struct hdrlist *l);

#endif
