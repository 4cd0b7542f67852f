/*
 * NAME
 *	lenient - forgiving base64, quoted-printable and uuencode decoders
 * DESCRIPTION
 *	lenient_base64() skips every byte outside the base64 alphabet.  A
 *	'=' where padding cannot be (the first or second character of a
 *	group of four) is skipped too, as Python's email package does, and
 *	so is a lone '=' at the third place that an alphabet character
 *	follows (only "==" there is padding); GMime and libclamav stop at
 *	the first '=' instead.  Padding that completes a group ("==" after
 *	two characters, "=" after three) flushes the group, and decoding
 *	goes on with the next character, so base64 written in pieces, each
 *	with its own padding, decodes whole; or, with stop set, decoding
 *	ends there, as in Python's email.
 *
 *	lenient_qp() decodes "=XX" in either case of hex digits, takes "="
 *	followed by blanks up to the line end as a soft break (RFC 2045
 *	allows the blanks a transport may add), and "=" then CR as a soft
 *	break that runs to the next LF, whatever stands between (as
 *	Python's email reads it; GMime keeps it all); any other "=" stays as
 *	it stands.
 *
 *	lenient_uu_each() finds "begin" lines with a mode of one to four
 *	octal digits and a name, decodes the lines that follow by the
 *	length each one states (never more than the line holds), skips
 *	blank lines inside the data, and ends a block at "end" or at the
 *	end of the text.
 * DIAGNOSTICS
 *	None: every input decodes to something.
 */
#include <ctype.h>
#include <string.h>

#include "clamgate/lenient.h"

/* the 6-bit value of each byte in the base64 alphabet; B64_SPACE for
 * CR, LF, space and tab, B64_PAD for '=', B64_OTHER for the rest */
#define B64_SPACE (-1)
#define B64_PAD	  (-2)
#define B64_OTHER (-3)
static const signed char b64_table[256] = {
    -3, -3, -3, -3, -3, -3, -3, -3, -3, -1, -1, -3, -3, -1, -3, -3, -3, -3, -3,
    -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -1, -3, -3, -3, -3, -3,
    -3, -3, -3, -3, -3, 62, -3, -3, -3, 63, 52, 53, 54, 55, 56, 57, 58, 59, 60,
    61, -3, -3, -3, -2, -3, -3, -3, 0,	1,  2,	3,  4,	5,  6,	7,  8,	9,  10,
    11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -3, -3, -3, -3,
    -3, -3, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42,
    43, 44, 45, 46, 47, 48, 49, 50, 51, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3,
    -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3,
    -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3,
    -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3,
    -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3,
    -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3,
    -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3,
    -3, -3, -3, -3, -3, -3, -3, -3, -3,
};

/* b64_value - the 6-bit value of c, or one of the negative classes */
static int
b64_value(unsigned char c)
{
	return b64_table[c];
}

/* b64_flush - the bytes of a group of n (2..4) values */
static size_t
b64_flush(const unsigned v[4], int n, unsigned char *out)
{
	size_t k = 0;

	if (n >= 2)
		out[k++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
	if (n >= 3)
		out[k++] = (unsigned char)((v[1] & 0xf) << 4 | v[2] >> 2);
	if (n == 4)
		out[k++] = (unsigned char)((v[2] & 0x3) << 6 | v[3]);
	return k;
}

/* lenient_base64 - decode, skipping what does not belong */
size_t
lenient_base64(const unsigned char *in, size_t len, unsigned char *out,
	       int stop)
{
	unsigned v[4];
	size_t k = 0;
	int n = 0, pads = 0;

	for (size_t i = 0; i < len; i++) {
		int x = b64_value(in[i]);
		if (x < 0) {
			if (in[i] == '=' && n >= 2 && n + ++pads >= 4) {
				k += b64_flush(v, n, out + k);
				n = 0;
				pads = 0;
				if (stop)
					return k;
			}
			continue;
		}
		pads = 0; /* a lone "=" at the third place: skipped */
		v[n++] = (unsigned)x;
		if (n == 4) {
			k += b64_flush(v, n, out + k);
			n = 0;
		}
	}
	return k + b64_flush(v, n, out + k);
}

/* lenient_base64_needed - could this decode otherwise than a strict
 * decoder does?  Both skip bytes outside the alphabet; they part only
 * where a "=" has alphabet characters after it (a strict decoder stops
 * at the first "=") */
int
lenient_base64_needed(const unsigned char *in, size_t len)
{
	const unsigned char *pad = len > 0 ? memchr(in, '=', len) : NULL;

	if (pad == NULL)
		return 0;
	for (const unsigned char *p = pad; p < in + len; p++)
		if (b64_value(*p) >= 0)
			return 1;
	return 0;
}

/* hex_value - the value of a hex digit, or -1 */
static int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* qp_soft_break - the length of the soft break at in[i] ("=", blanks,
 * then LF, or CR and whatever follows up to the LF), or 0 */
static size_t
qp_soft_break(const unsigned char *in, size_t len, size_t i)
{
	size_t j = i + 1;
	const unsigned char *nl;

	while (j < len && (in[j] == ' ' || in[j] == '\t'))
		j++;
	if (j == len)
		return j - i;
	if (in[j] == '\n')
		return j + 1 - i;
	if (in[j] != '\r')
		return 0;
	nl = memchr(in + j, '\n', len - j);
	return nl ? (size_t)(nl - in) + 1 - i : len - i;
}

/* lenient_qp_needed - could this decode otherwise than a strict
 * decoder does?  Not when every "=" is followed by two upper-case hex
 * digits or ends its line */
int
lenient_qp_needed(const unsigned char *in, size_t len)
{
	const unsigned char *p, *end;

	if (len == 0)
		return 0;
	p = in;
	end = in + len;
	while (p < end && (p = memchr(p, '=', (size_t)(end - p))) != NULL) {
		size_t left = (size_t)(end - p);
		if (left >= 3 && isxdigit(p[1]) && isxdigit(p[2]) &&
		    !islower(p[1]) && !islower(p[2]))
			p += 3;
		else if (left >= 3 && p[1] == '\r' && p[2] == '\n')
			p += 3;
		else if (left >= 2 && p[1] == '\n')
			p += 2;
		else
			return 1;
	}
	return 0;
}

/* lenient_qp - decode quoted-printable */
size_t
lenient_qp(const unsigned char *in, size_t len, unsigned char *out)
{
	size_t k = 0, i = 0;

	while (i < len) {
		size_t soft;
		if (in[i] != '=') {
			out[k++] = in[i++];
		} else if (i + 2 < len && hex_value(in[i + 1]) >= 0 &&
			   hex_value(in[i + 2]) >= 0) {
			out[k++] = (unsigned char)(hex_value(in[i + 1]) << 4 |
						   hex_value(in[i + 2]));
			i += 3;
		} else if ((soft = qp_soft_break(in, len, i)) > 0) {
			i += soft;
		} else {
			out[k++] = in[i++];
		}
	}
	return k;
}

/* uu_line - the line at in[i]: its length without the line end, and
 * where the next one starts */
static size_t
uu_line(const unsigned char *in, size_t len, size_t i, size_t *next)
{
	const unsigned char *nl = memchr(in + i, '\n', len - i);
	size_t end = nl ? (size_t)(nl - in) : len;

	*next = nl ? end + 1 : len;
	if (end > i && in[end - 1] == '\r')
		end--;
	return end - i;
}

/* uu_begin - is this a "begin MODE NAME" line? */
static int
uu_begin(const unsigned char *p, size_t n)
{
	size_t i = 6, digits = 0;

	if (n < 9 || memcmp(p, "begin ", 6) != 0)
		return 0;
	while (i < n && p[i] >= '0' && p[i] <= '7' && digits < 5) {
		i++;
		digits++;
	}
	return digits >= 1 && digits <= 4 && i + 1 < n && p[i] == ' ';
}

/* uu_decode_line - append the bytes one data line holds */
static size_t
uu_decode_line(const unsigned char *p, size_t n, unsigned char *out)
{
	size_t want = (size_t)((p[0] - ' ') & 0x3f), k = 0;

	for (size_t i = 1; k < want && i + 1 < n; i += 4) {
		unsigned v[4] = {0, 0, 0, 0};
		for (size_t j = 0; j < 4 && i + j < n; j++)
			v[j] = (unsigned)((p[i + j] - ' ') & 0x3f);
		out[k++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (k < want && i + 2 < n)
			out[k++] =
			    (unsigned char)((v[1] & 0xf) << 4 | v[2] >> 2);
		if (k < want && i + 3 < n)
			out[k++] = (unsigned char)((v[2] & 0x3) << 6 | v[3]);
	}
	return k;
}

/* uu_block - decode the block after a begin line at in[i]; where it
 * ends in *next */
static size_t
uu_block(const unsigned char *in, size_t len, size_t i, unsigned char *out,
	 size_t *next)
{
	size_t k = 0;

	while (i < len) {
		size_t after, n = uu_line(in, len, i, &after);
		if (n == 3 && memcmp(in + i, "end", 3) == 0) {
			i = after;
			break;
		}
		if (n > 0)
			k += uu_decode_line(in + i, n, out + k);
		i = after;
	}
	*next = i;
	return k;
}

/* lenient_uu_each - every uuencoded block, decoded, to fn */
int
lenient_uu_each(const unsigned char *in, size_t len, unsigned char *scratch,
		int (*fn)(const unsigned char *data, size_t n, void *arg),
		void *arg)
{
	size_t i = 0;

	while (i < len) {
		size_t after, n = uu_line(in, len, i, &after);
		if (uu_begin(in + i, n)) {
			size_t got = uu_block(in, len, after, scratch, &after);
			int rc = got > 0 ? fn(scratch, got, arg) : 0;
			if (rc != 0)
				return rc;
		}
		i = after;
	}
	return 0;
}
