/*
 * corpus.c - building blocks of the benchmark's corpus generator: a
 *	growable buffer, a seeded generator, words, base64, headers and a
 *	deflated zip writer.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "corpus.h"

static const char *const vocabulary[] = {
    "invoice",	  "meeting",	  "quarterly", "report",      "please",
    "attached",	  "schedule",	  "project",   "budget",      "review",
    "customer",	  "delivery",	  "account",   "thanks",      "regards",
    "update",	  "contract",	  "order",     "payment",     "shipping",
    "question",	  "answer",	  "tomorrow",  "office",      "team",
    "release",	  "version",	  "server",    "network",     "backup",
    "the",	  "and",	  "for",       "with",	      "from",
    "this",	  "that",	  "will",      "have",	      "about",
    "which",	  "their",	  "there",     "would",	      "could",
    "should",	  "minutes",	  "agenda",    "summary",     "details",
    "request",	  "approval",	  "deadline",  "morning",     "afternoon",
    "weekend",	  "holiday",	  "travel",    "hotel",	      "flight",
    "conference", "presentation", "slides",    "draft",	      "final",
    "comments",	  "changes",	  "document",  "spreadsheet", "figures",
    "sales",	  "marketing",	  "support",   "ticket",      "issue",
    "resolved",	  "pending",	  "urgent",    "reminder",    "confirm",
    "available",  "call",	  "Montag",    "Rechnung",    "facture",
    "reunion",	  "pedido",	  "ordine",
};

/* rnd - splitmix64: small, fast, well mixed and deterministic */
uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

const char *
word(uint64_t *s)
{
	return vocabulary[rnd(s) %
			  (sizeof(vocabulary) / sizeof(vocabulary[0]))];
}

void
buf_grow(struct buf *b, size_t more)
{
	if (b->len + more + 1 <= b->size)
		return;
	b->size = (b->len + more + 1) * 2;
	if ((b->data = realloc(b->data, b->size)) == NULL) {
		perror("mkcorpus");
		exit(1);
	}
}

void
buf_put(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
buf_puts(struct buf *b, const char *str)
{
	buf_put(b, str, strlen(str));
}

/* buf_printf - append formatted text (exit on a bad format) */
void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	buf_grow(b, 256);
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fputs("mkcorpus: bad format\n", stderr);
		exit(1);
	}
	if ((size_t)n >= b->size - b->len) {
		buf_grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, b->size - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/* words - about n bytes of text in lines of at most 72 characters */
void
words(struct buf *b, uint64_t *s, size_t n)
{
	size_t line = 0, end = b->len + n;

	while (b->len < end) {
		const char *w = word(s);
		size_t wl = strlen(w);

		if (line + wl + 1 > 72) {
			buf_puts(b, "\r\n");
			line = 0;
		} else if (line > 0) {
			buf_puts(b, " ");
			line++;
		}
		buf_put(b, w, wl);
		line += wl;
	}
	buf_puts(b, "\r\n");
}

void
random_bytes(struct buf *b, uint64_t *s, size_t n)
{
	buf_grow(b, n + 8);
	for (size_t i = 0; i < n; i += 8) {
		uint64_t r = rnd(s);

		memcpy(b->data + b->len + i, &r, 8);
	}
	b->len += n;
}

/* base64 - the encoding, in lines of 76 characters */
void
base64(struct buf *b, const unsigned char *p, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	buf_grow(b, n / 57 * 78 + 80);
	for (size_t i = 0; i < n; i += 57) {
		size_t end = i + 57 < n ? i + 57 : n;

		for (size_t j = i; j < end; j += 3) {
			unsigned v = (unsigned)p[j] << 16;
			size_t k = end - j;

			if (k > 1)
				v |= (unsigned)p[j + 1] << 8;
			if (k > 2)
				v |= p[j + 2];
			b->data[b->len++] = tab[v >> 18];
			b->data[b->len++] = tab[(v >> 12) & 63];
			b->data[b->len++] = k > 1 ? tab[(v >> 6) & 63] : '=';
			b->data[b->len++] = k > 2 ? tab[v & 63] : '=';
		}
		b->data[b->len++] = '\r';
		b->data[b->len++] = '\n';
	}
}

/* headers - the header of message i, ending with MIME-Version */
void
headers(struct buf *b, uint64_t *s, unsigned long i)
{
	unsigned host = (unsigned)(rnd(s) % 250) + 1;

	buf_printf(b,
		   "Received: from mx%u.example.net (mx%u.example.net "
		   "[198.51.100.%u])\r\n\tby mail.example.org (Postfix) "
		   "with ESMTPS id 4Q%08lX\r\n\tfor <user%u@example.org>; "
		   "Fri, 27 Nov 2026 %02u:%02u:%02u +0000 (UTC)\r\n",
		   host, host, host, i, (unsigned)(rnd(s) % 5000),
		   (unsigned)(i / 3600 % 24), (unsigned)(i / 60 % 60),
		   (unsigned)(i % 60));
	/* as OpenDKIM in front of clamgate writes it: the outbound gate
	 * (cg-gate) verifies and remembers every sender */
	buf_printf(b,
		   "Authentication-Results: mx.example.org; dkim=pass "
		   "(1024-bit key) header.d=example.net header.s=s1; "
		   "spf=pass smtp.mailfrom=sender%lu@example.net\r\n",
		   i);
	buf_printf(b,
		   "From: \"%s %s\" <sender%lu@example.net>\r\n"
		   "To: <user%u@example.org>\r\nSubject: %s %s %s %lu\r\n"
		   "Date: Fri, 27 Nov 2026 %02u:%02u:%02u +0000\r\n"
		   "Message-ID: <%016llx.%lu@example.net>\r\n"
		   "MIME-Version: 1.0\r\n",
		   word(s), word(s), i, (unsigned)(rnd(s) % 5000), word(s),
		   word(s), word(s), i, (unsigned)(i / 3600 % 24),
		   (unsigned)(i / 60 % 60), (unsigned)(i % 60),
		   (unsigned long long)rnd(s), i);
}

static void
put16(struct buf *b, unsigned v)
{
	unsigned char c[2] = {v & 0xff, (v >> 8) & 0xff};

	buf_put(b, c, 2);
}

static void
put32(struct buf *b, unsigned long v)
{
	put16(b, v & 0xffff);
	put16(b, (v >> 16) & 0xffff);
}

static struct buf
deflate_raw(const struct buf *in)
{
	struct buf out = {0};
	z_stream z;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		exit(1);
	buf_grow(&out, deflateBound(&z, in->len));
	z.next_in = (unsigned char *)in->data;
	z.avail_in = (unsigned)in->len;
	z.next_out = (unsigned char *)out.data;
	z.avail_out = (unsigned)out.size;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		exit(1);
	out.len = z.total_out;
	deflateEnd(&z);
	return out;
}

/* zip_add - one deflated member, its local header and directory entry */
void
zip_add(struct buf *zip, struct zip_dir *dir, const char *name,
	const struct buf *data)
{
	struct buf packed = deflate_raw(data);
	unsigned long crc =
	    crc32(0, (const unsigned char *)data->data, (unsigned)data->len);
	unsigned long offset = zip->len;
	unsigned nlen = (unsigned)strlen(name);

	put32(zip, 0x04034b50);
	put16(zip, 20);
	put16(zip, 0);
	put16(zip, 8);
	/* 2025-11-27 12:00 */
	put16(zip, 0x6000);
	put16(zip, 0x5b7b);
	put32(zip, crc);
	put32(zip, packed.len);
	put32(zip, data->len);
	put16(zip, nlen);
	put16(zip, 0);
	buf_put(zip, name, nlen);
	buf_put(zip, packed.data, packed.len);

	put32(&dir->cd, 0x02014b50);
	put16(&dir->cd, 20);
	put16(&dir->cd, 20);
	put16(&dir->cd, 0);
	put16(&dir->cd, 8);
	put16(&dir->cd, 0x6000);
	put16(&dir->cd, 0x5b7b);
	put32(&dir->cd, crc);
	put32(&dir->cd, packed.len);
	put32(&dir->cd, data->len);
	put16(&dir->cd, nlen);
	put16(&dir->cd, 0);
	put16(&dir->cd, 0);
	put16(&dir->cd, 0);
	put16(&dir->cd, 0);
	put32(&dir->cd, 0);
	put32(&dir->cd, offset);
	buf_put(&dir->cd, name, nlen);
	dir->entries++;
	free(packed.data);
}

/* zip_finish - the central directory and its end record */
void
zip_finish(struct buf *zip, struct zip_dir *dir)
{
	unsigned long at = zip->len;

	buf_put(zip, dir->cd.data, dir->cd.len);
	put32(zip, 0x06054b50);
	put16(zip, 0);
	put16(zip, 0);
	put16(zip, dir->entries);
	put16(zip, dir->entries);
	put32(zip, dir->cd.len);
	put32(zip, at);
	put16(zip, 0);
}
