/*
 * NAME
 *	mimeview - every part of a message as GMime and a lenient client
 *	decode it
 * SYNOPSIS
 *	int mimeview_walk(const char *msg, size_t len, mimeview_fn fn,
 *			  void *arg);
 * DESCRIPTION
 *	The message is parsed with GMime.  Every leaf part is handed to fn
 *	decoded (MIMEVIEW_DECODED), or as it stands when GMime cannot
 *	decode it (MIMEVIEW_RAW).  A base64, quoted-printable or uuencoded
 *	part is decoded a second time by lenient.h (unless lenient.h says
 *	the encoding is so clean that no decoder could differ); where that
 *	gives other bytes, fn sees them as well (MIMEVIEW_LENIENT: for
 *	base64, both the bytes up to the first padding, where Python's
 *	email stops, and all of them).  Every decoded part is searched for
 *	uuencoded blocks (MIMEVIEW_UUENCODE), which clients show as
 *	attachments inside plain text.  message/rfc822 parts are walked
 *	into; message/partial fragments that arrive together are put back
 *	together and the result walked (MIMEVIEW_IN_PARTIAL).  A message
 *	holding a bare CR is walked a second time with every bare CR
 *	read as a line end (MIMEVIEW_IN_BARE_CR), as Python's email and
 *	some clients read it;
 *	one whose header fields Python's email reads otherwise than GMime
 *	(a second Content-Type or Content-Transfer-Encoding in a block of
 *	header lines: Python takes the first, GMime and libclamav the last;
 *	a vertical tab or form feed, white space to Python) a third time,
 *	read as Python reads them (MIMEVIEW_IN_PY_HEADERS).  A message/
 *	part of any subtype GMime leaves as a leaf is parsed as a message
 *	and walked into, as Python does; a multipart without parts (no
 *	boundary, or one never written) hands on its text, also decoded by
 *	its own Content-Transfer-Encoding.
 *
 *	Empty parts are counted, not handed on.  mime_init() must have run.
 * DIAGNOSTICS
 *	0 when every view was handed on; MIMEVIEW_LIMIT when the message
 *	nests deeper than MIMEVIEW_MAX_DEPTH, has more than
 *	MIMEVIEW_MAX_VIEWS views (empty parts count) or
 *	MIMEVIEW_MAX_DELIMITERS lines starting "--" (counted before GMime
 *	builds the parts), or GMime cannot parse it; MIMEVIEW_ERROR
 *	when a part's bytes could not be read; otherwise the first nonzero
 *	value fn returned.
 */
#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clamgate/lenient.h"
#include "clamgate/mimeview.h"
#include "clamgate/xmalloc.h"

struct walk {
	mimeview_fn fn;
	void *arg;
	unsigned views;
	unsigned flags; /* MIMEVIEW_IN_* of the walk under way */
	GPtrArray *partials;
	int rc;
};

static void walk_object(struct walk *w, GMimeObject *obj, unsigned depth);

/* walk_emit - hand one view on, counting it; 0 to go on */
static int
walk_emit(struct walk *w, const unsigned char *data, size_t len,
	  enum mimeview_kind kind)
{
	struct mimeview_part p = {data, len, kind, w->flags};

	if (w->rc != 0)
		return w->rc;
	if (++w->views > MIMEVIEW_MAX_VIEWS) {
		w->rc = MIMEVIEW_LIMIT;
		return w->rc;
	}
	if (len == 0)
		return 0; /* counted, not handed on */
	w->rc = w->fn(&p, w->arg);
	return w->rc;
}

/* stream_bytes - a stream's bytes; the caller unrefs the holder */
static GByteArray *
stream_bytes(GMimeStream *src, GMimeStream **holder)
{
	GMimeStream *mem = g_mime_stream_mem_new();

	g_mime_stream_reset(src);
	if (g_mime_stream_write_to_stream(src, mem) < 0) {
		g_object_unref(mem);
		*holder = NULL;
		return NULL;
	}
	g_mime_stream_reset(src);
	*holder = mem;
	return g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
}

/* walk_uu_block - one uuencoded block found in a part */
static int
walk_uu_block(const unsigned char *data, size_t n, void *arg)
{
	return walk_emit(arg, data, n, MIMEVIEW_UUENCODE);
}

/* walk_same - do two decodings agree? */
static int
walk_same(const GByteArray *a, const unsigned char *b, size_t n)
{
	return a != NULL && a->len == n &&
	       (n == 0 || memcmp(a->data, b, n) == 0);
}

/* walk_base64 - the lenient readings of a base64 part: all of it, and
 * only up to the first padding (where they differ) */
static void
walk_base64(struct walk *w, const GByteArray *raw, const GByteArray *dec)
{
	size_t max = LENIENT_B64_MAX(raw->len);
	unsigned char *out = xmalloc(2 * max);
	size_t all = lenient_base64(raw->data, raw->len, out, 0);
	size_t upto = lenient_base64(raw->data, raw->len, out + max, 1);

	if (!walk_same(dec, out, all))
		walk_emit(w, out, all, MIMEVIEW_LENIENT);
	if (upto < all && !walk_same(dec, out + max, upto))
		walk_emit(w, out + max, upto, MIMEVIEW_LENIENT);
	free(out);
}

/* walk_lenient - what lenient.h makes of the raw part, where it differs
 * from GMime's decoding dec */
static void
walk_lenient(struct walk *w, GMimeContentEncoding enc, const GByteArray *raw,
	     const GByteArray *dec)
{
	unsigned char *out;
	size_t n;

	if (enc == GMIME_CONTENT_ENCODING_BASE64) {
		if (dec == NULL || lenient_base64_needed(raw->data, raw->len))
			walk_base64(w, raw, dec);
	} else if (enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE) {
		if (dec != NULL && !lenient_qp_needed(raw->data, raw->len))
			return;
		out = xmalloc(raw->len + 1);
		n = lenient_qp(raw->data, raw->len, out);
		if (!walk_same(dec, out, n))
			walk_emit(w, out, n, MIMEVIEW_LENIENT);
		free(out);
	} else if (enc == GMIME_CONTENT_ENCODING_UUENCODE) {
		out = xmalloc(raw->len + 1);
		lenient_uu_each(raw->data, raw->len, out, walk_uu_block, w);
		free(out);
	}
}

static GMimeMessage *parse(const char *msg, size_t len);

/* walk_embedded - a message/ part that GMime did not walk into (any
 * subtype but rfc822 and partial, which Python's email parses as a
 * message all the same): its decoded content, parsed and walked */
static void
walk_embedded(struct walk *w, GMimePart *part, const GByteArray *dec,
	      unsigned depth)
{
	GMimeContentType *ct =
	    g_mime_object_get_content_type(GMIME_OBJECT(part));
	GMimeMessage *m;

	if (dec == NULL || dec->len == 0 || ct == NULL ||
	    !g_mime_content_type_is_type(ct, "message", "*") ||
	    GMIME_IS_MESSAGE_PARTIAL(part))
		return;
	if ((m = parse((const char *)dec->data, dec->len)) == NULL)
		return; /* its bytes were handed on as they are */
	walk_object(w, g_mime_message_get_mime_part(m), depth + 1);
	g_object_unref(m);
}

/* walk_leaf - one leaf part: decoded, lenient, and inline uuencode */
static void
walk_leaf(struct walk *w, GMimePart *part, unsigned depth)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	GMimeStream *rawh = NULL, *dech = NULL;
	GByteArray *raw, *dec;
	GMimeContentEncoding enc;

	if (dw == NULL)
		return;
	raw = stream_bytes(g_mime_data_wrapper_get_stream(dw), &rawh);
	if (raw == NULL) {
		w->rc = MIMEVIEW_ERROR; /* never "nothing in it" */
		return;
	}
	enc = g_mime_data_wrapper_get_encoding(dw);
	dech = g_mime_stream_mem_new();
	if (g_mime_data_wrapper_write_to_stream(dw, dech) < 0) {
		walk_emit(w, raw->data, raw->len, MIMEVIEW_RAW);
		dec = NULL;
	} else {
		dec = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(dech));
		walk_emit(w, dec->data, dec->len, MIMEVIEW_DECODED);
	}
	walk_lenient(w, enc, raw, dec);
	if (dec != NULL && enc != GMIME_CONTENT_ENCODING_UUENCODE) {
		unsigned char *scratch = xmalloc(dec->len + 1);
		lenient_uu_each(dec->data, dec->len, scratch, walk_uu_block, w);
		free(scratch);
	}
	walk_embedded(w, part, dec, depth);
	g_object_unref(dech);
	g_object_unref(rawh);
}

/* walk_text - text GMime kept outside any part (the prologue of a
 * multipart that has none: no boundary, or one never written), as it
 * stands and as the multipart's own Content-Transfer-Encoding decodes
 * it leniently (Python's email reads such a body as one part) */
static void
walk_text(struct walk *w, GMimeObject *obj, const char *text)
{
	const char *cte =
	    g_mime_object_get_header(obj, "Content-Transfer-Encoding");
	GByteArray *raw;
	unsigned char *scratch;

	if (text == NULL || *text == '\0')
		return;
	raw = g_byte_array_new();
	g_byte_array_append(raw, (const guint8 *)text, (guint)strlen(text));
	walk_emit(w, raw->data, raw->len, MIMEVIEW_RAW);
	if (cte != NULL)
		walk_lenient(w, g_mime_content_encoding_from_string(cte), raw,
			     NULL);
	scratch = xmalloc(raw->len + 1);
	lenient_uu_each(raw->data, raw->len, scratch, walk_uu_block, w);
	free(scratch);
	g_byte_array_unref(raw);
}

/* walk_object - one MIME object and everything inside it */
static void
walk_object(struct walk *w, GMimeObject *obj, unsigned depth)
{
	if (w->rc != 0 || obj == NULL)
		return;
	if (depth > MIMEVIEW_MAX_DEPTH) {
		w->rc = MIMEVIEW_LIMIT;
	} else if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);
		for (int i = 0; i < n && w->rc == 0; i++)
			walk_object(w, g_mime_multipart_get_part(mp, i),
				    depth + 1);
		if (n == 0)
			walk_text(w, obj, g_mime_multipart_get_prologue(mp));
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m =
		    g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
		if (m != NULL)
			walk_object(w, g_mime_message_get_mime_part(m),
				    depth + 1);
	} else if (GMIME_IS_PART(obj)) {
		if (GMIME_IS_MESSAGE_PARTIAL(obj))
			g_ptr_array_add(w->partials, g_object_ref(obj));
		walk_leaf(w, GMIME_PART(obj), depth);
	}
}

/* walk_partials - put together each complete set of fragments with one
 * id, and walk what they make */
static void
walk_partials(struct walk *w, GPtrArray *all, unsigned depth)
{
	for (guint i = 0; i < all->len && w->rc == 0; i++) {
		GMimeMessagePartial *first = all->pdata[i];
		const char *id = g_mime_message_partial_get_id(first);
		GPtrArray *set = g_ptr_array_new();
		GMimeMessage *m;
		int seen = 0;
		for (guint j = 0; j < all->len; j++) {
			const char *other =
			    g_mime_message_partial_get_id(all->pdata[j]);
			if (id && other && strcmp(id, other) == 0) {
				g_ptr_array_add(set, all->pdata[j]);
				seen |= j < i;
			}
		}
		m = seen || id == NULL
			? NULL
			: g_mime_message_partial_reconstruct_message(
			      (GMimeMessagePartial **)set->pdata, set->len);
		g_ptr_array_free(set, TRUE);
		if (m != NULL) {
			walk_object(w, g_mime_message_get_mime_part(m),
				    depth + 1);
			g_object_unref(m);
		}
	}
}

/* parse - GMime's message of the bytes, or NULL */
static GMimeMessage *
parse(const char *msg, size_t len)
{
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(msg, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(st);
	GMimeMessage *m = g_mime_parser_construct_message(parser, NULL);

	g_object_unref(parser);
	g_object_unref(st);
	return m;
}

/* walk_message - parse the bytes with GMime and walk them; a message
 * GMime cannot parse at all is not "nothing in it": the limit */
static void
walk_message(struct walk *w, const char *msg, size_t len)
{
	GMimeMessage *m = parse(msg, len);
	unsigned depth = 0;

	if (m == NULL) {
		w->rc = MIMEVIEW_LIMIT;
		return;
	}
	w->partials = g_ptr_array_new_with_free_func(g_object_unref);
	walk_object(w, g_mime_message_get_mime_part(m), 0);
	/* fragments put together may hold fragments: a bounded number of
	 * rounds, each deeper */
	while (w->partials->len > 0 && w->rc == 0 &&
	       depth++ < MIMEVIEW_MAX_DEPTH) {
		GPtrArray *round = w->partials;
		unsigned saved = w->flags;
		w->partials = g_ptr_array_new_with_free_func(g_object_unref);
		w->flags |= MIMEVIEW_IN_PARTIAL;
		walk_partials(w, round, depth);
		w->flags = saved;
		g_ptr_array_free(round, TRUE);
	}
	if (w->partials->len > 0 && w->rc == 0)
		w->rc = MIMEVIEW_LIMIT;
	g_ptr_array_free(w->partials, TRUE);
	g_object_unref(m);
}

/* bare_cr_copy - the message with each bare CR made a CRLF; NULL when it
 * has none */
static char *
bare_cr_copy(const char *msg, size_t len, size_t *outlen)
{
	const char *cr = memchr(msg, '\r', len);
	char *out;
	size_t k = 0;

	while (cr != NULL && (size_t)(cr - msg) + 1 < len && cr[1] == '\n')
		cr = memchr(cr + 1, '\r', len - (size_t)(cr + 1 - msg));
	if (cr == NULL)
		return NULL;
	out = xmalloc(len * 2);
	for (size_t i = 0; i < len; i++) {
		out[k++] = msg[i];
		if (msg[i] == '\r' && (i + 1 == len || msg[i + 1] != '\n'))
			out[k++] = '\n';
	}
	*outlen = k;
	return out;
}

/* header_is - the header line at p (n bytes) is field name */
static int
header_is(const char *p, size_t n, const char *name)
{
	size_t len = strlen(name), i = len;

	if (n <= len || strncasecmp(p, name, len) != 0)
		return 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i < n && p[i] == ':';
}

/* py_copy - the message with its header fields read as Python's
 * email reads them, where GMime reads them otherwise: in each block of
 * header lines (up to an empty line or a boundary line), every
 * Content-Type and Content-Transfer-Encoding field after the first of
 * its name renamed (Python takes the first, GMime and libclamav the
 * last), and every vertical tab and form feed made a space (white space
 * to Python, not to GMime).  NULL when nothing would change. */
static char *
py_copy(const char *msg, size_t len)
{
	char *copy = NULL;
	size_t i = 0;
	int ct = 0, cte = 0;

	while (i < len) {
		const char *nl = memchr(msg + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - msg) - i : len - i;
		int dup = 0;
		if (n == 0 || (n == 1 && msg[i] == '\r') ||
		    (n >= 2 && msg[i] == '-' && msg[i + 1] == '-')) {
			ct = cte = 0; /* the end of a block */
		} else if (header_is(msg + i, n, "Content-Type")) {
			dup = ct++ > 0;
		} else if (header_is(msg + i, n, "Content-Transfer-Encoding")) {
			dup = cte++ > 0;
		}
		if (dup || memchr(msg + i, '\v', n) ||
		    memchr(msg + i, '\f', n)) {
			if (copy == NULL) {
				copy = xmalloc(len);
				memcpy(copy, msg, len);
			}
			if (dup) /* "Xontent-...": another field */
				copy[i] = 'X';
			for (size_t k = i; k < i + n; k++)
				if (copy[k] == '\v' || copy[k] == '\f')
					copy[k] = ' ';
		}
		i += n + 1;
	}
	return copy;
}

/* delimiters - the lines that start with "--": a bound on the parts
 * GMime would build, before it builds them */
static size_t
delimiters(const char *msg, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len;) {
		const char *nl = memchr(msg + i, '\n', len - i);
		if (i + 1 < len && msg[i] == '-' && msg[i + 1] == '-')
			n++;
		if (nl == NULL)
			break;
		i = (size_t)(nl - msg) + 1;
	}
	return n;
}

/* walk_again - walk a variant of the message with flags, if there is one */
static void
walk_again(struct walk *w, char *copy, size_t len, unsigned flags)
{
	if (copy == NULL)
		return;
	if (w->rc == 0) {
		w->flags = flags;
		walk_message(w, copy, len);
	}
	free(copy);
}

/* mimeview_walk - every view of every part of the message, to fn */
int
mimeview_walk(const char *msg, size_t len, mimeview_fn fn, void *arg)
{
	struct walk w = {fn, arg, 0, 0, NULL, 0};
	size_t crlen = 0;
	char *copy;

	if (delimiters(msg, len) > MIMEVIEW_MAX_DELIMITERS)
		return MIMEVIEW_LIMIT;
	walk_message(&w, msg, len);
	if (w.rc == 0) {
		copy = bare_cr_copy(msg, len, &crlen);
		walk_again(&w, copy, crlen, MIMEVIEW_IN_BARE_CR);
	}
	if (w.rc == 0) {
		copy = py_copy(msg, len);
		walk_again(&w, copy, len, MIMEVIEW_IN_PY_HEADERS);
	}
	return w.rc;
}

/* mimeview_describe - "lenient (in bare-CR walk)" and the like, for the
 * log */
char *
mimeview_describe(const struct mimeview_part *part, char *buf, size_t len)
{
	static const char *const names[] = {
	    [MIMEVIEW_DECODED] = "decoded",
	    [MIMEVIEW_RAW] = "undecoded",
	    [MIMEVIEW_LENIENT] = "lenient",
	    [MIMEVIEW_UUENCODE] = "uuencode",
	};

	snprintf(buf, len, "%s%s%s%s", names[part->kind],
		 part->flags & MIMEVIEW_IN_PARTIAL ? "+partial" : "",
		 part->flags & MIMEVIEW_IN_BARE_CR ? "+bare-cr" : "",
		 part->flags & MIMEVIEW_IN_PY_HEADERS ? "+py-headers" : "");
	return buf;
}
