/*
 * reply - the SMTP reply text and header values built from a virus name
 *
 * Virus names come from signature databases and must be treated as
 * untrusted text: reply_sanitize() keeps printable ASCII only and caps
 * the length; reply_expand() substitutes %v into the configured reply
 * and escapes every % for libmilter, never using text as a format.
 */
#ifndef CLAMGATE_REPLY_H
#define CLAMGATE_REPLY_H

#include <stddef.h>

#define REPLY_VIRUS_MAX 200 /* longest virus name we put in a reply */
#define REPLY_TEXT_MAX	900 /* under libmilter's 980 per line */

void reply_sanitize(const char *in, char *out, size_t outlen, size_t maxchars);
void reply_expand(const char *tmpl, const char *virus, char *out,
		  size_t outlen);
int reply_parse(const char *text, char code[4], char xcode[12],
		const char **rest);

#endif
