/*
 * NAME
 *	canary - build the known messages the scanners check themselves with
 * DESCRIPTION
 *	canary_zip() writes a zip archive with one deflated member (zlib's
 *	raw deflate and crc32), canary_zip_zeros() one whose member is
 *	mostly zeros, deflated as it goes; canary_nested() wraps a payload in
 *	zips
 *	depth times; canary_mail() puts a zip of the payload into a
 *	multipart message as a base64 attachment, its headers written
 *	"Name:value", which libclamav only recognises as mail with the
 *	scanner's lead line (scan.h).
 * DIAGNOSTICS
 *	None: allocation failures are fatal in xmalloc; zlib cannot fail on
 *	a buffer of deflateBound() bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "clamgate/canary.h"
#include "clamgate/xmalloc.h"

struct buf {
	unsigned char *p;
	size_t len, cap;
};

/* buf_put - append bytes */
static void
buf_put(struct buf *b, const void *data, size_t len)
{
	if (len == 0)
		return;
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2 + 256;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

/* buf_le - append an n-byte little-endian number */
static void
buf_le(struct buf *b, uint32_t v, int n)
{
	unsigned char c[4];

	for (int i = 0; i < n; i++)
		c[i] = (unsigned char)(v >> (8 * i));
	buf_put(b, c, (size_t)n);
}

/* buf_str - append a C string */
static void
buf_str(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

/* canary_deflate - raw deflate of data (caller frees) */
static unsigned char *
canary_deflate(const void *data, size_t len, size_t *outlen)
{
	z_stream z;
	unsigned char *out;

	memset(&z, 0, sizeof(z));
	deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8,
		     Z_DEFAULT_STRATEGY);
	out = xmalloc(deflateBound(&z, (uLong)len));
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)deflateBound(&z, (uLong)len);
	deflate(&z, Z_FINISH);
	*outlen = z.total_out;
	deflateEnd(&z);
	return out;
}

/* canary_entry - the fields local and central headers share */
static void
canary_entry(struct buf *b, uint32_t crc, size_t clen, size_t len,
	     size_t namelen)
{
	buf_le(b, 20, 2);   /* version needed: 2.0 */
	buf_le(b, 0, 2);    /* flags */
	buf_le(b, 8, 2);    /* deflate */
	buf_le(b, 0, 2);    /* time */
	buf_le(b, 0x21, 2); /* date: 1980-01-01 */
	buf_le(b, crc, 4);
	buf_le(b, (uint32_t)clen, 4);
	buf_le(b, (uint32_t)len, 4);
	buf_le(b, (uint32_t)namelen, 2);
	buf_le(b, 0, 2); /* extra */
}

/* canary_archive - the zip around one member already deflated */
static char *
canary_archive(const char *name, uint32_t crc, const unsigned char *packed,
	       size_t clen, size_t len, size_t *outlen)
{
	struct buf b = {NULL, 0, 0};
	size_t cd, cdsize;

	buf_le(&b, 0x04034b50, 4);
	canary_entry(&b, crc, clen, len, strlen(name));
	buf_str(&b, name);
	buf_put(&b, packed, clen);
	cd = b.len;
	buf_le(&b, 0x02014b50, 4);
	buf_le(&b, 20, 2); /* made by */
	canary_entry(&b, crc, clen, len, strlen(name));
	buf_le(&b, 0, 2); /* comment */
	buf_le(&b, 0, 2); /* disk */
	buf_le(&b, 0, 2); /* internal attributes */
	buf_le(&b, 0, 4); /* external attributes */
	buf_le(&b, 0, 4); /* offset of the local header */
	buf_str(&b, name);
	cdsize = b.len - cd;
	buf_le(&b, 0x06054b50, 4);
	buf_le(&b, 0, 4); /* disk numbers */
	buf_le(&b, 1, 2);
	buf_le(&b, 1, 2);
	buf_le(&b, (uint32_t)cdsize, 4);
	buf_le(&b, (uint32_t)cd, 4);
	buf_le(&b, 0, 2);
	*outlen = b.len;
	return (char *)b.p;
}

/* canary_zip - a zip archive of one deflated member */
static char *
canary_zip(const char *name, const void *data, size_t len, size_t *outlen)
{
	uint32_t crc = (uint32_t)crc32(0L, data, (uInt)len);
	size_t clen;
	unsigned char *packed = canary_deflate(data, len, &clen);
	char *zip = canary_archive(name, crc, packed, clen, len, outlen);

	free(packed);
	return zip;
}

/* canary_feed - deflate len bytes of in (all of them) into b */
static void
canary_feed(z_stream *z, struct buf *b, const void *in, size_t len, int end)
{
	unsigned char out[65536];

	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = (uInt)len;
	do {
		z->next_out = out;
		z->avail_out = sizeof(out);
		deflate(z, end ? Z_FINISH : Z_NO_FLUSH);
		buf_put(b, out, sizeof(out) - z->avail_out);
	} while (z->avail_in > 0 || (end && z->avail_out == 0));
}

/* canary_zip_zeros - a zip of one member: zeros zero bytes, then tail;
 * a few hundred KB for hundreds of MB, never all in memory */
char *
canary_zip_zeros(uint64_t zeros, const void *tail, size_t tlen, size_t *outlen)
{
	static const unsigned char zero[65536];
	struct buf packed = {NULL, 0, 0};
	uint32_t crc = 0;
	z_stream z;
	char *zip;

	memset(&z, 0, sizeof(z));
	deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8,
		     Z_DEFAULT_STRATEGY);
	for (uint64_t left = zeros; left > 0;) {
		size_t n = left < sizeof(zero) ? (size_t)left : sizeof(zero);
		crc = (uint32_t)crc32(crc, zero, (uInt)n);
		canary_feed(&z, &packed, zero, n, 0);
		left -= n;
	}
	crc = (uint32_t)crc32(crc, tail, (uInt)tlen);
	canary_feed(&z, &packed, tail, tlen, 1);
	deflateEnd(&z);
	zip = canary_archive("canary.bin", crc, packed.p, packed.len,
			     (size_t)(zeros + tlen), outlen);
	free(packed.p);
	return zip;
}

/* canary_nested - payload in depth nested zips */
char *
canary_nested(const void *payload, size_t len, unsigned depth, size_t *outlen)
{
	char *cur = xmalloc(len > 0 ? len : 1), *next;
	size_t n = len;

	memcpy(cur, payload, len);
	for (unsigned i = 0; i < depth; i++) {
		next = canary_zip(i == 0 ? "canary.txt" : "canary.zip", cur, n,
				  &n);
		free(cur);
		cur = next;
	}
	*outlen = n;
	return cur;
}

/* canary_base64 - base64 in lines of 76 characters, CRLF */
static void
canary_base64(struct buf *b, const unsigned char *in, size_t len)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"abcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		char q[4];
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		q[0] = a[v >> 18 & 63];
		q[1] = a[v >> 12 & 63];
		q[2] = i + 1 < len ? a[v >> 6 & 63] : '=';
		q[3] = i + 2 < len ? a[v & 63] : '=';
		buf_put(b, q, 4);
		if ((i / 3 + 1) % 19 == 0 || i + 3 >= len)
			buf_str(b, "\r\n");
	}
}

/* canary_mail - the payload, zipped, as the attachment of a message */
char *
canary_mail(const void *payload, size_t len, size_t *outlen)
{
	struct buf b = {NULL, 0, 0};
	size_t zlen;
	char *zip = canary_zip("canary.bin", payload, len, &zlen);

	buf_str(&b, "From:<canary@clamgate.invalid>\r\n"
		    "To:<canary@clamgate.invalid>\r\n"
		    "Subject:clamgate canary\r\n"
		    "MIME-Version:1.0\r\n"
		    "Content-Type:multipart/mixed;boundary=\"canary\"\r\n"
		    "\r\n"
		    "--canary\r\n"
		    "Content-Type:text/plain\r\n\r\n"
		    "A known message clamgate scans to check its scanner.\r\n"
		    "--canary\r\n"
		    "Content-Type:application/zip;name=\"canary.zip\"\r\n"
		    "Content-Transfer-Encoding:base64\r\n"
		    "Content-Disposition:attachment;filename=\"canary.zip\"\r\n"
		    "\r\n");
	canary_base64(&b, (const unsigned char *)zip, zlen);
	buf_str(&b, "--canary--\r\n");
	free(zip);
	*outlen = b.len;
	return (char *)b.p;
}
