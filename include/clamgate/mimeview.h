/*
 * mimeview - the message as a mail client decodes it
 *
 * libclamav parses mail with its own MIME parser; where it and the
 * recipient's client disagree, the client shows an attachment the
 * scanner never saw.  mimeview_walk() parses the message a second time
 * with GMime and hands every decoded leaf part to a callback (the
 * scanner, scan.c), together with the other readings a client may make
 * of the same bytes: the forgiving decoders of lenient.h where their
 * result differs from GMime's, uuencoded blocks inside text, the
 * message/partial fragments put back together, and, for a message with
 * bare CR line ends, the whole walk again with CR read as a line end;
 * for one whose header fields Python's email reads otherwise (a second
 * Content-Type or Content-Transfer-Encoding in a header block, a
 * vertical tab or form feed), again as Python reads them.
 *
 * The walk stops early, and says so (MIMEVIEW_LIMIT), when the message
 * nests deeper than MIMEVIEW_MAX_DEPTH, has more than MIMEVIEW_MAX_VIEWS
 * views or more than MIMEVIEW_MAX_DELIMITERS lines that could be
 * boundaries, or cannot be parsed at all: the caller must then count the
 * message as not fully scanned.
 */
#ifndef CLAMGATE_MIMEVIEW_H
#define CLAMGATE_MIMEVIEW_H

#include <stddef.h>

#define MIMEVIEW_MAX_DEPTH 64
#define MIMEVIEW_MAX_VIEWS 1000 /* empty parts count too */
/* lines starting "--", counted before the parse: GMime builds every
 * part it finds, empty or not, before the walk can count them */
#define MIMEVIEW_MAX_DELIMITERS 20000

/* which reading of the part a view is */
enum mimeview_kind {
	MIMEVIEW_DECODED,  /* GMime's decoding of the part */
	MIMEVIEW_RAW,	   /* the part as it stands: GMime could not decode */
	MIMEVIEW_LENIENT,  /* lenient.h's decoding, where it differs */
	MIMEVIEW_UUENCODE, /* a uuencoded block inside the part */
};

#define MIMEVIEW_IN_PARTIAL 1u /* inside message/partial put together */
#define MIMEVIEW_IN_BARE_CR 2u /* in the walk that reads CR as a line end */
/* in the walk with header fields read as Python's email reads them */
#define MIMEVIEW_IN_PY_HEADERS 4u

struct mimeview_part {
	const unsigned char *data;
	size_t len;
	enum mimeview_kind kind;
	unsigned flags; /* MIMEVIEW_IN_* */
};

/* 0: go on; anything else stops the walk and is returned */
typedef int (*mimeview_fn)(const struct mimeview_part *part, void *arg);

#define MIMEVIEW_LIMIT (-1000) /* returned when a limit stopped the walk */
#define MIMEVIEW_ERROR (-1001) /* a part's bytes could not be read */

int mimeview_walk(const char *msg, size_t len, mimeview_fn fn, void *arg);
char *mimeview_describe(const struct mimeview_part *part, char *buf,
			size_t len);

#endif
