/*
 * NAME
 *	reply - SMTP reply text and header values from untrusted virus names
 * DESCRIPTION
 *	reply_sanitize() copies printable ASCII (0x20-0x7e), replaces
 *	anything else with '?', and cuts names longer than maxchars with
 *	"...".  reply_expand() substitutes each %v of the configured reply
 *	with the sanitised name and doubles every %, since libmilter hands
 *	the text to MTAs that treat % specially; the template is never a
 *	format string.  reply_parse() splits "[5XX ]5.X.X text".
 * DIAGNOSTICS
 *	reply_parse() returns -1 for text without a 5.X.X status code or with
 *	a reply code that is not 5XX.
 */
#include <ctype.h>
#include <string.h>

#include "clamgate/reply.h"

/* reply_sanitize - printable ASCII, at most maxchars characters */
void
reply_sanitize(const char *in, char *out, size_t outlen, size_t maxchars)
{
	size_t n = 0, limit = outlen - 1;

	if (maxchars < limit)
		limit = maxchars;
	for (; *in && n < limit; in++)
		out[n++] = (*in >= 0x20 && *in <= 0x7e) ? *in : '?';
	if (*in && limit >= 3)
		memcpy(out + limit - 3, "...", 3);
	out[n] = '\0';
}

/* reply_put - append one character, keeping room for the terminator */
static void
reply_put(char *out, size_t outlen, size_t *n, char ch)
{
	if (*n + 1 < outlen)
		out[(*n)++] = ch;
}

/* reply_expand - template with %v replaced, every % doubled */
void
reply_expand(const char *tmpl, const char *virus, char *out, size_t outlen)
{
	char name[REPLY_VIRUS_MAX + 1];
	size_t n = 0;

	reply_sanitize(virus ? virus : "unknown", name, sizeof(name),
		       REPLY_VIRUS_MAX);
	if (outlen > REPLY_TEXT_MAX + 1)
		outlen = REPLY_TEXT_MAX + 1;
	for (const char *p = tmpl; *p; p++) {
		if (p[0] == '%' && p[1] == 'v') {
			for (const char *q = name; *q; q++) {
				if (*q == '%')
					reply_put(out, outlen, &n, '%');
				reply_put(out, outlen, &n, *q);
			}
			p++;
			continue;
		}
		if (p[0] == '%' && p[1] == '%')
			p++;
		if (*p == '%')
			reply_put(out, outlen, &n, '%');
		reply_put(out, outlen, &n,
			  (*p >= 0x20 && *p <= 0x7e) ? *p : ' ');
	}
	/* never end in the middle of a "%%" pair */
	if (n > 0 && out[n - 1] == '%') {
		size_t run = 0;
		while (run < n && out[n - 1 - run] == '%')
			run++;
		if (run % 2)
			n--;
	}
	out[n] = '\0';
}

/* reply_xcode_ok - "5.D.D" with 1-3 digit parts */
static size_t
reply_xcode_len(const char *p)
{
	const char *start = p;

	if (p[0] != '5' || p[1] != '.')
		return 0;
	p += 2;
	for (int part = 0; part < 2; part++) {
		int digits = 0;
		while (isdigit((unsigned char)*p) && digits < 4) {
			p++;
			digits++;
		}
		if (digits == 0 || digits > 3)
			return 0;
		if (part == 0 && *p++ != '.')
			return 0;
	}
	return (*p == ' ' || *p == '\0') ? (size_t)(p - start) : 0;
}

/* reply_parse - "[5XX ]5.X.X text" into its parts */
int
reply_parse(const char *text, char code[4], char xcode[12], const char **rest)
{
	const char *p = text;
	size_t xlen;

	strcpy(code, "554");
	if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
	    isdigit((unsigned char)p[2]) && p[3] == ' ') {
		if (p[0] != '5')
			return -1;
		memcpy(code, p, 3);
		code[3] = '\0';
		p += 4;
	}
	if ((xlen = reply_xcode_len(p)) == 0 || xlen >= 12)
		return -1;
	memcpy(xcode, p, xlen);
	xcode[xlen] = '\0';
	p += xlen;
	while (*p == ' ')
		p++;
	if (*p == '\0')
		return -1;
	if (rest)
		*rest = p;
	return 0;
}
