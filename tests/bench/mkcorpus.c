/*
 * mkcorpus - a deterministic mail corpus for the benchmark
 *
 * usage: mkcorpus DIR FIRST COUNT [INFECTED_PERMILLE [SEED]]
 *	  mkcorpus -s BYTES DIR FIRST
 *
 *	Writes messages FIRST .. FIRST+COUNT-1 as DIR/NNNNNNNN.eml, with
 *	CRLF line ends as they travel.  Message i depends only on i and
 *	SEED, so two directories made with disjoint ranges never share a
 *	message, an attachment or an archive member: libclamav's cache of
 *	clean files cannot make a run look faster than the filter is.  The
 *	mix, by message number:
 *
 *	  36%  plain text, 1-8 KB
 *	  22%  multipart/alternative text and HTML, 5-40 KB
 *	  25%  text and one base64 attachment of 20-240 KB (a PDF-shaped
 *	       file, random binary, or CSV)
 *	  17%  text and a deflated zip of 1-3 members, 20-240 KB unpacked
 *	 0.5%  (every 200th) a 1-3 MB attachment instead
 *
 *	INFECTED_PERMILLE (default 50, that is 5%) of the messages carry a
 *	test virus that signatures-test/ detects: EICAR as an attachment,
 *	EICAR inside the zip, or the Clamgate marker in the text.
 *
 *	With -s, writes one message of about BYTES with a random binary
 *	attachment, for the large-message runs.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "corpus.h"

static const char eicar[] = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-"
			    "ANTIVIRUS-TEST-FILE!$H+H*";
static const char marker[] = "CLAMGATE-TEST-MARKER-7f3a9c";

/*
 * stream - the generator state for message i: seed and i hashed once, so
 *	that no two messages draw overlapping streams (seeding with seed ^
 *	i * increment would make message i+2's stream message i's, shifted)
 */
static uint64_t
stream(uint64_t seed, unsigned long i)
{
	uint64_t s = seed ^ ((uint64_t)i << 32 | (uint64_t)i);

	return rnd(&s);
}

/* text_part - a text/plain part of about n bytes; maybe the marker */
static void
text_part(struct buf *b, uint64_t *s, size_t n, int infect)
{
	buf_puts(b, "Content-Type: text/plain; charset=us-ascii\r\n"
		    "Content-Transfer-Encoding: 7bit\r\n\r\n");
	words(b, s, n / 2);
	if (infect)
		buf_printf(b, "%s\r\n", marker);
	words(b, s, n - n / 2);
}

static void
html_message(struct buf *b, uint64_t *s, size_t n)
{
	buf_puts(b, "Content-Type: multipart/alternative; boundary=\"alt\"\r\n"
		    "\r\n--alt\r\n");
	text_part(b, s, n / 3, 0);
	buf_puts(b, "\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
		    "<html><body><table width=3D\"600\"><tr><td>\r\n");
	for (size_t done = 0; done < 2 * n / 3; done += 60) {
		buf_printf(b,
			   "<p style=3D\"font-size:%upx\"><a href=3D\"https:"
			   "//example.com/%08x\">",
			   10 + (unsigned)(rnd(s) % 6), (unsigned)rnd(s));
		words(b, s, 24);
		buf_puts(b, "</a></p>\r\n");
	}
	buf_puts(b, "</td></tr></table></body></html>\r\n--alt--\r\n");
}

/* pdf_like - a PDF skeleton around random streams */
static void
pdf_like(struct buf *b, uint64_t *s, size_t n)
{
	unsigned obj = 1;

	buf_puts(b, "%PDF-1.4\n");
	while (b->len < n) {
		size_t len = 2048 + rnd(s) % 8192;

		buf_printf(b,
			   "%u 0 obj\n<< /Length %zu /Filter /DCTDecode "
			   ">>\nstream\n",
			   obj++, len);
		random_bytes(b, s, len);
		buf_puts(b, "\nendstream\nendobj\n");
	}
	buf_printf(b, "trailer\n<< /Root 1 0 R /Size %u >>\n%%%%EOF\n", obj);
}

static void
csv_like(struct buf *b, uint64_t *s, size_t n)
{
	buf_puts(b, "id,date,customer,amount,comment\n");
	while (b->len < n)
		buf_printf(
		    b, "%u,2026-%02u-%02u,C%06u,%u.%02u,%s\n",
		    (unsigned)(rnd(s) % 1000000), 1 + (unsigned)(rnd(s) % 12),
		    1 + (unsigned)(rnd(s) % 28), (unsigned)(rnd(s) % 1000000),
		    (unsigned)(rnd(s) % 10000), (unsigned)(rnd(s) % 100),
		    word(s));
}

/* attachment - one base64 part named name holding data */
static void
attachment(struct buf *b, const char *type, const char *name,
	   const struct buf *data)
{
	buf_printf(b,
		   "\r\n--mix\r\nContent-Type: %s; name=\"%s\"\r\n"
		   "Content-Disposition: attachment; filename=\"%s\"\r\n"
		   "Content-Transfer-Encoding: base64\r\n\r\n",
		   type, name, name);
	base64(b, (const unsigned char *)data->data, data->len);
}

static void
attach_message(struct buf *b, uint64_t *s, size_t n, int infect)
{
	struct buf file = {0};
	unsigned kind = (unsigned)(rnd(s) % 3);

	buf_puts(b, "Content-Type: multipart/mixed; boundary=\"mix\"\r\n"
		    "\r\n--mix\r\n");
	text_part(b, s, 600 + rnd(s) % 2000, 0);
	if (kind == 0)
		pdf_like(&file, s, n);
	else if (kind == 1)
		random_bytes(&file, s, n);
	else
		csv_like(&file, s, n);
	attachment(b,
		   kind == 0   ? "application/pdf"
		   : kind == 1 ? "application/octet-stream"
			       : "text/csv",
		   kind == 0   ? "report.pdf"
		   : kind == 1 ? "data.bin"
			       : "list.csv",
		   &file);
	if (infect) {
		struct buf e = {0};

		buf_puts(&e, eicar);
		attachment(b, "application/octet-stream", "invoice.com", &e);
		free(e.data);
	}
	buf_puts(b, "\r\n--mix--\r\n");
	free(file.data);
}

static void
zip_message(struct buf *b, uint64_t *s, size_t n, int infect)
{
	struct buf zip = {0}, member = {0};
	struct zip_dir dir = {0};
	unsigned members = 1 + (unsigned)(rnd(s) % 3);

	for (unsigned m = 0; m < members; m++) {
		char name[32];

		member.len = 0;
		if (m % 2 == 0)
			words(&member, s, n / members);
		else
			random_bytes(&member, s, n / members);
		snprintf(name, sizeof(name), "part%u.%s", m,
			 m % 2 == 0 ? "txt" : "dat");
		zip_add(&zip, &dir, name, &member);
	}
	if (infect) {
		member.len = 0;
		buf_puts(&member, eicar);
		zip_add(&zip, &dir, "setup.com", &member);
	}
	zip_finish(&zip, &dir);
	buf_puts(b, "Content-Type: multipart/mixed; boundary=\"mix\"\r\n"
		    "\r\n--mix\r\n");
	text_part(b, s, 400 + rnd(s) % 1500, 0);
	attachment(b, "application/zip", "documents.zip", &zip);
	buf_puts(b, "\r\n--mix--\r\n");
	free(zip.data);
	free(member.data);
	free(dir.cd.data);
}

/* body - the body of message i; its kind comes from the number */
static void
body(struct buf *b, uint64_t *s, unsigned long i, int infected)
{
	unsigned kind = (unsigned)((i * 37 + 11) % 100);
	size_t attach = 20 * 1024 + rnd(s) % (220 * 1024);

	if (i % 200 == 97) {
		attach_message(b, s, (1u << 20) + rnd(s) % (2u << 20),
			       infected);
	} else if (kind < 36) {
		text_part(b, s, 1024 + rnd(s) % (7 * 1024), infected);
	} else if (kind < 58) {
		if (infected) /* the HTML mix carries it in an attachment */
			attach_message(b, s, attach, 1);
		else
			html_message(b, s, 5 * 1024 + rnd(s) % (35 * 1024));
	} else if (kind < 83) {
		attach_message(b, s, attach, infected);
	} else {
		zip_message(b, s, attach, infected);
	}
}

static void
write_message(const char *dir, unsigned long i, const struct buf *b)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%08lu.eml", dir, i);
	if ((fp = fopen(path, "w")) == NULL ||
	    fwrite(b->data, 1, b->len, fp) != b->len || fclose(fp) != 0) {
		fprintf(stderr, "mkcorpus: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static int
large(int argc, char **argv)
{
	struct buf b = {0}, file = {0};
	unsigned long first;
	uint64_t s;
	size_t size;

	if (argc != 5) {
		fprintf(stderr, "usage: mkcorpus -s BYTES DIR FIRST\n");
		return 2;
	}
	size = strtoul(argv[2], NULL, 10);
	first = strtoul(argv[4], NULL, 10);
	s = stream(0x5eed, first);
	headers(&b, &s, first);
	buf_puts(&b, "Content-Type: multipart/mixed; boundary=\"mix\"\r\n"
		     "\r\n--mix\r\n");
	text_part(&b, &s, 2000, 0);
	random_bytes(&file, &s, size / 4 * 3);
	attachment(&b, "application/octet-stream", "backup.bin", &file);
	buf_puts(&b, "\r\n--mix--\r\n");
	write_message(argv[3], first, &b);
	free(file.data);
	free(b.data);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned long first, count, permille = 50, seed = 1;
	struct buf b = {0};

	if (argc > 1 && strcmp(argv[1], "-s") == 0)
		return large(argc, argv);
	if (argc < 4 || argc > 6) {
		fprintf(stderr, "usage: mkcorpus DIR FIRST COUNT "
				"[INFECTED_PERMILLE [SEED]]\n");
		return 2;
	}
	first = strtoul(argv[2], NULL, 10);
	count = strtoul(argv[3], NULL, 10);
	if (argc > 4)
		permille = strtoul(argv[4], NULL, 10);
	if (argc > 5)
		seed = strtoul(argv[5], NULL, 10);
	for (unsigned long i = first; i < first + count; i++) {
		uint64_t s = stream(seed, i);
		/* spread the infected ones evenly: every (1000/permille)th */
		int infected = permille && (i * permille) % 1000 < permille;

		b.len = 0;
		headers(&b, &s, i);
		body(&b, &s, i, infected);
		write_message(argv[1], i, &b);
	}
	free(b.data);
	return 0;
}
