/* fuzz_mimeview - any message from any sender: the MIME walk never
 * crashes, hands on at most MIMEVIEW_MAX_VIEWS views, each one readable
 * to its end and no longer than the message could decode to, and ends
 * in 0, MIMEVIEW_LIMIT or MIMEVIEW_ERROR; the lenient decoders stay within
 * their bounds, and base64 that GLib wrote decodes back to the input */
#include <glib.h>

#include "clamgate/lenient.h"
#include "clamgate/mime.h"
#include "clamgate/mimeview.h"
#include "fuzz.h"

struct seen {
	size_t len; /* the message */
	unsigned views;
	unsigned long sum;
};

/* fuzz_view - each view: readable, bounded */
static int
fuzz_view(const struct mimeview_part *p, void *arg)
{
	struct seen *s = arg;

	FUZZ_ASSERT(p->len > 0);
	/* a bare-CR walk reads a copy up to twice as long */
	FUZZ_ASSERT(p->len <= 2 * s->len);
	for (size_t i = 0; i < p->len; i++)
		s->sum += p->data[i];
	s->views++;
	return 0;
}

/* fuzz_uu - a uuencoded block: bounded by the input */
static int
fuzz_uu(const unsigned char *data, size_t n, void *arg)
{
	FUZZ_ASSERT(n > 0 && n <= *(const size_t *)arg);
	FUZZ_ASSERT(data != NULL);
	return 0;
}

/* fuzz_lenient - the decoders' bounds, and a base64 round trip */
static void
fuzz_lenient(const uint8_t *data, size_t size)
{
	unsigned char *out = malloc(LENIENT_B64_MAX(size) + size + 1);
	gchar *b64 = g_base64_encode(data, size);
	size_t n, blen = strlen(b64);
	unsigned char *back = malloc(LENIENT_B64_MAX(blen) + 1);

	FUZZ_ASSERT(out != NULL && back != NULL);
	FUZZ_ASSERT(lenient_base64(data, size, out, 0) <=
		    LENIENT_B64_MAX(size));
	FUZZ_ASSERT(lenient_base64(data, size, out, 1) <=
		    LENIENT_B64_MAX(size));
	FUZZ_ASSERT(lenient_qp(data, size, out) <= size);
	FUZZ_ASSERT(lenient_uu_each(data, size, out, fuzz_uu, &size) == 0);
	n = lenient_base64((const unsigned char *)b64, blen, back, 0);
	FUZZ_ASSERT(n == size && (size == 0 || memcmp(back, data, size) == 0));
	FUZZ_ASSERT(!lenient_base64_needed((const unsigned char *)b64, blen));
	g_free(b64);
	free(back);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct seen s = {size, 0, 0};
	int rc;

	if (!ready) {
		mime_init();
		ready = 1;
	}
	fuzz_lenient(data, size);
	rc = mimeview_walk((const char *)data, size, fuzz_view, &s);
	FUZZ_ASSERT(rc == 0 || rc == MIMEVIEW_LIMIT || rc == MIMEVIEW_ERROR);
	FUZZ_ASSERT(s.views <= MIMEVIEW_MAX_VIEWS);
	return 0;
}
