/*
 * lenient - decode transfer encodings the way forgiving mail clients do
 *
 * These decoders give the scanner a third view of a part (mimeview.h):
 * what a client that forgives damaged encodings shows, where GMime and
 * libclamav are strict or disagree.  They never fail: any input decodes
 * to something, and the output is never longer than the bound given
 * with each function.  See docs/design.md, "The MIME views", for which
 * leniencies are here and why.
 */
#ifndef CLAMGATE_LENIENT_H
#define CLAMGATE_LENIENT_H

#include <stddef.h>

/* out must hold LENIENT_B64_MAX(len) bytes */
#define LENIENT_B64_MAX(len) ((len) / 4 * 3 + 3)

/* stop: end at the first padding, as Python's email does; else go on */
size_t lenient_base64(const unsigned char *in, size_t len, unsigned char *out,
		      int stop);

/* could the input decode otherwise than with a strict decoder?  0: no,
 * the lenient decoding would be the same bytes (the caller may skip it) */
int lenient_base64_needed(const unsigned char *in, size_t len);
int lenient_qp_needed(const unsigned char *in, size_t len);

/* out must hold len bytes */
size_t lenient_qp(const unsigned char *in, size_t len, unsigned char *out);

/*
 * Every uuencoded block in the text ("begin MODE NAME" up to "end" or
 * the end of the text), decoded; fn sees each block's bytes, and a
 * nonzero return from fn stops the walk and is returned.  scratch must
 * hold len bytes.
 */
int lenient_uu_each(const unsigned char *in, size_t len, unsigned char *scratch,
		    int (*fn)(const unsigned char *data, size_t n, void *arg),
		    void *arg);

#endif
