/*
 * NAME
 *	token - make and verify one-use passes bound to a message's content
 * SYNOPSIS
 *	token_canon_init(c); token_canon_add(c, bytes, len)...;
 *	token_make(key, id, expiry, c, out, outlen)
 *	token_parse(value, t); token_verify(key, t, now, c)
 * DESCRIPTION
 *	The canonical form is collected from the message's bytes, in pieces
 *	of any size.  Header section: every Subject, MIME-Version,
 *	Content-Type, Content-Transfer-Encoding and Content-Disposition
 *	field and the first Message-ID and Date, their values unfolded, runs
 *	of white space made one space, trimmed, at most TOKEN_CANON_VALUE
 *	bytes a field.  Body: every CR
 *	right before LF dropped, empty lines at the end dropped, hashed with
 *	SHA-256.  token_make() sets FLAGS: Message-ID and Date only if the
 *	message has them (an MTA adds them on re-submission), the others
 *	always, so that a missing one must stay missing and the same body
 *	cannot be handed to the recipient as something else;
 *	token_verify() takes FLAGS from the token.
 * DIAGNOSTICS
 *	token_make() returns -1 without a key.  token_verify() returns NULL
 *	for a valid token, else a short reason ("expired", "does not match
 *	this message", ...).
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clamgate/token.h"
#include "clamgate/xmalloc.h"

enum { HDR_START, HDR_CR, HDR_NAME, HDR_VALUE, HDR_SKIP, BODY };

/* the headers a token covers, and the FLAGS letter of each.  "every":
 * all occurrences count, not only the first.  "always": covered even
 * when missing, which it must then stay (no MTA adds these on the way
 * in, and adding one changes what the message is); the others (an MTA
 * adds a missing Message-ID or Date) only when the message had them. */
static const struct token_field {
	const char *name;
	char letter;
	int every, always;
} token_fields[TOKEN_FIELDS] = {
    {"Subject", 's', 1, 1},
    {"Message-ID", 'm', 0, 0},
    {"Date", 'd', 0, 0},
    {"MIME-Version", 'v', 1, 1},
    {"Content-Type", 'c', 1, 1},
    {"Content-Transfer-Encoding", 'e', 1, 1},
    {"Content-Disposition", 'p', 1, 1},
};

#define TOKEN_SEPARATOR '\x1f' /* between occurrences of a field */

/* token_canon_init - an empty canonical form */
void
token_canon_init(struct token_canon *c)
{
	memset(c, 0, sizeof(*c));
	c->state = HDR_START;
	c->field = -1;
	c->body = g_checksum_new(G_CHECKSUM_SHA256);
}

/* token_canon_free - its memory */
void
token_canon_free(struct token_canon *c)
{
	for (int i = 0; i < TOKEN_FIELDS; i++)
		free(c->value[i]);
	if (c->body)
		g_checksum_free(c->body);
	memset(c, 0, sizeof(*c));
}

/* token_value_put - one byte of a field value we keep */
static void
token_value_put(struct token_canon *c, char ch)
{
	int f = c->field;

	if (f < 0 || c->value_len[f] >= TOKEN_CANON_VALUE)
		return;
	if (c->value[f] == NULL)
		c->value[f] = xmalloc(TOKEN_CANON_VALUE + 1);
	c->value[f][c->value_len[f]++] = ch;
}

/* token_name_done - the colon: is this a field we keep? */
static void
token_name_done(struct token_canon *c)
{
	size_t len = c->name_len;

	while (len > 0 && (c->name[len - 1] == ' ' || c->name[len - 1] == '\t'))
		len--;
	c->name[len] = '\0';
	c->field = -1;
	for (int i = 0; i < TOKEN_FIELDS; i++) {
		const struct token_field *f = &token_fields[i];
		if (strcasecmp(c->name, f->name) != 0 ||
		    (c->seen[i] && !f->every))
			continue;
		c->field = i;
		if (c->seen[i])
			token_value_put(c, TOKEN_SEPARATOR);
		c->seen[i] = 1;
	}
}

/* token_line_start - the first byte of a header line */
static void
token_line_start(struct token_canon *c, char ch)
{
	if (ch == '\r') {
		c->state = HDR_CR;
	} else if (ch == '\n') {
		c->state = BODY; /* the empty line, with a bare LF */
	} else if (ch == ' ' || ch == '\t') {
		token_value_put(c, ' '); /* a folded field goes on */
		c->state = HDR_VALUE;
	} else {
		c->field = -1;
		c->name_len = 0;
		c->name[c->name_len++] = ch;
		c->state = HDR_NAME;
	}
}

/* token_header_byte - one byte of the header section */
static void
token_header_byte(struct token_canon *c, char ch)
{
	switch (c->state) {
	case HDR_START:
		token_line_start(c, ch);
		break;
	case HDR_CR: /* CRLF: the empty line; else a line of junk */
		c->field = -1;
		c->state = ch == '\n' ? BODY : HDR_SKIP;
		break;
	case HDR_NAME:
		if (ch == ':') {
			token_name_done(c);
			c->state = HDR_VALUE;
		} else if (ch == '\n') {
			c->state = HDR_START; /* no colon: not a field */
		} else if (c->name_len + 1 < sizeof(c->name)) {
			c->name[c->name_len++] = ch;
		}
		break;
	default: /* HDR_VALUE, HDR_SKIP */
		if (ch == '\n')
			c->state = HDR_START;
		else if (c->state == HDR_VALUE)
			token_value_put(c, ch);
		break;
	}
}

/* token_body_put - canonical body bytes, hashed in blocks */
static void
token_body_put(struct token_canon *c, const void *data, size_t len)
{
	if (c->buf_len + len > sizeof(c->buf)) {
		g_checksum_update(c->body, c->buf, (gssize)c->buf_len);
		c->buf_len = 0;
	}
	if (len > sizeof(c->buf)) {
		g_checksum_update(c->body, data, (gssize)len);
		return;
	}
	memcpy(c->buf + c->buf_len, data, len);
	c->buf_len += len;
}

/* token_body_char - content: the line ends it follows go first */
static void
token_body_char(struct token_canon *c, char ch)
{
	for (; c->pending_nl > 0; c->pending_nl--)
		token_body_put(c, "\n", 1);
	token_body_put(c, &ch, 1);
}

/* token_body_byte - one byte of the body */
static void
token_body_byte(struct token_canon *c, char ch)
{
	if (c->pending_cr) {
		c->pending_cr = 0;
		if (ch == '\n') {
			c->pending_nl++;
			return;
		}
		token_body_char(c, '\r');
	}
	if (ch == '\r')
		c->pending_cr = 1;
	else if (ch == '\n')
		c->pending_nl++;
	else
		token_body_char(c, ch);
}

/* token_canon_add - more of the message */
void
token_canon_add(struct token_canon *c, const void *data, size_t len)
{
	const char *p = data;

	for (size_t i = 0; i < len; i++) {
		if (c->state == BODY)
			token_body_byte(c, p[i]);
		else
			token_header_byte(c, p[i]);
	}
}

/* token_canon_value - a kept value with white space collapsed, trimmed */
static void
token_canon_value(const struct token_canon *c, int f, GString *out)
{
	int space = 0;
	size_t start = out->len;

	for (size_t i = 0; i < c->value_len[f]; i++) {
		char ch = c->value[f][i];
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
			space = out->len > start;
			continue;
		}
		if (space)
			g_string_append_c(out, ' ');
		space = 0;
		g_string_append_c(out, ch);
	}
}

/* token_digest - hex SHA-256 of the canonical form with these headers */
static char *
token_digest(struct token_canon *c, const char *flags)
{
	GChecksum *body = g_checksum_copy(c->body);
	GString *s = g_string_new("body ");
	char *out;

	if (c->buf_len > 0)
		g_checksum_update(body, c->buf, (gssize)c->buf_len);
	g_string_append(s, g_checksum_get_string(body));
	g_checksum_free(body);
	for (int i = 0; i < TOKEN_FIELDS; i++) {
		if (strchr(flags, token_fields[i].letter) == NULL)
			continue;
		g_string_append_printf(s, "\n%c ", token_fields[i].letter);
		token_canon_value(c, i, s);
	}
	out = g_compute_checksum_for_string(G_CHECKSUM_SHA256, s->str,
					    (gssize)s->len);
	g_string_free(s, TRUE);
	return out;
}

/* token_mac - hex HMAC over id, expiry, flags and the digest (g_free) */
static char *
token_mac(const struct token_key *key, const char *id, long long expiry,
	  const char *flags, struct token_canon *c)
{
	char *digest = token_digest(c, flags);
	char *msg = g_strdup_printf("clamgate-token v2\n%s\n%lld\n%s\n%s", id,
				    expiry, flags, digest);
	char *mac = g_compute_hmac_for_string(G_CHECKSUM_SHA256, key->k,
					      TOKEN_KEY_BYTES, msg, -1);

	g_free(digest);
	g_free(msg);
	return mac;
}

/* token_make - the value of a token for this message */
int
token_make(const struct token_key *key, const char *id, time_t expiry,
	   struct token_canon *c, char *out, size_t outlen)
{
	char flags[TOKEN_FIELDS + 1];
	size_t n = 0;
	char *mac;

	if (!key->loaded)
		return -1;
	for (int i = 0; i < TOKEN_FIELDS; i++)
		if (c->seen[i] || token_fields[i].always)
			flags[n++] = token_fields[i].letter;
	if (n == 0)
		flags[n++] = '-';
	flags[n] = '\0';
	mac = token_mac(key, id, (long long)expiry, flags, c);
	snprintf(out, outlen, "%s %lld %s %s", id, (long long)expiry, flags,
		 mac);
	g_free(mac);
	return 0;
}

/* token_parse - split a header value; 0, or -1 if it is not a token */
int
token_parse(const char *value, struct token *t)
{
	memset(t, 0, sizeof(*t));
	if (sscanf(value, " %63s %lld %7s %64s", t->id, &t->expiry, t->flags,
		   t->mac) != 4 ||
	    strlen(t->mac) != 64 ||
	    t->flags[strspn(t->flags, "smdvcep-")] != '\0')
		return -1;
	return 0;
}

/* token_equal - compare in constant time */
static int
token_equal(const char *a, const char *b, size_t n)
{
	unsigned char diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* token_verify - NULL if t is good now for the message in c, else why */
const char *
token_verify(const struct token_key *key, const struct token *t, time_t now,
	     struct token_canon *c)
{
	char *want;
	int ok;

	if (!key->loaded)
		return "no key to verify it with";
	if (t->expiry < (long long)now)
		return "expired";
	/* expiry >= now here: the unsigned difference is exact, where
	 * now + TOKEN_TTL could overflow (found by tests/fuzz) */
	if ((unsigned long long)t->expiry - (unsigned long long)now > TOKEN_TTL)
		return "expiry too far ahead";
	want = token_mac(key, t->id, t->expiry, t->flags, c);
	ok = strlen(want) == 64 && token_equal(want, t->mac, 64);
	g_free(want);
	return ok ? NULL : "does not match this message";
}

/* token_sha256_new - a SHA-256 to feed with token_sha256_add */
void *
token_sha256_new(void)
{
	return g_checksum_new(G_CHECKSUM_SHA256);
}

void
token_sha256_add(void *sha, const void *data, size_t len)
{
	g_checksum_update(sha, data, (gssize)len);
}

/* token_sha256_end - the digest in hex; sha is freed */
void
token_sha256_end(void *sha, char hex[TOKEN_SHA256_HEX])
{
	snprintf(hex, TOKEN_SHA256_HEX, "%s", g_checksum_get_string(sha));
	g_checksum_free(sha);
}
