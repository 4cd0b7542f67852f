/*
 * NAME
 *	cli_text - what of the sender's text may reach a terminal
 * SYNOPSIS
 *	char *cli_text(const char *text, int lines)
 *	void cli_text_entry(struct quarantine_entry *e)
 * DESCRIPTION
 *	Every field of a quarantine entry that show and list print came
 *	from the sender or the scanner: the envelope, the HELO name, the
 *	headers, a virus name.  cli_text() returns a copy that is valid
 *	UTF-8 (invalid bytes repaired, so a raw 0x9b is no CSI) with every
 *	C0 control but tab (and newline when lines is set), DEL, and every
 *	C1 control (U+0080 to U+009F, which some terminals obey) replaced
 *	by '?'.  cli_text_entry() does that to every printed field of e, in
 *	place; the entry is then for display only, not for release.
 */
#include <stdlib.h>
#include <string.h>

#include "clamgate/cli.h"
#include "clamgate/mime.h"
#include "clamgate/mime.h"

/* cli_text - a copy of text that is safe to print; the caller frees */
char *
cli_text(const char *text, int lines)
{
	char *out = mime_utf8(text ? text : "");
	unsigned char *p = (unsigned char *)out, *w = p;

	while (*p) {
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			*w++ = '?'; /* U+0080..U+009F: two bytes become one */
			p += 2;
			continue;
		}
		if ((*p < 0x20 && *p != '\t' && !(lines && *p == '\n')) ||
		    *p == 0x7f)
			*w++ = '?';
		else
			*w++ = *p;
		p++;
	}
	*w = '\0';
	return out;
}

/* cli_text_swap - *s replaced by its safe copy */
static void
cli_text_swap(char **s, int lines)
{
	char *safe;

	if (*s == NULL)
		return;
	safe = cli_text(*s, lines);
	free(*s);
	*s = safe;
}

/* cli_text_entry - every field show and list print, made safe */
void
cli_text_entry(struct quarantine_entry *e)
{
	char **fields[] = {&e->sender, &e->client_addr, &e->client_name,
			   &e->helo,   &e->queue_id,	&e->virus,
			   &e->action, &e->engine,	&e->released,
			   &e->gate,   &e->subject,	&e->message_id,
			   &e->host};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		cli_text_swap(fields[i], 0);
	for (size_t i = 0; i < e->n_rcpts; i++)
		cli_text_swap(&e->rcpts[i], 0);
	cli_text_swap(&e->headers, 1);
}

/* cli_json_str - a JSON string; invalid UTF-8 is repaired first, and
 * controls (C0, DEL, C1) are escaped */
void
cli_json_str(FILE *out, const char *s)
{
	char *valid = mime_utf8(s ? s : "");
	const unsigned char *p = (const unsigned char *)valid;

	fputc('"', out);
	for (; *p; p++) {
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			fprintf(out, "\\u%04x", *++p); /* C1: two bytes */
		else if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
	free(valid);
}
