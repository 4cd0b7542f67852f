/*
 * NAME
 *	autoclass - what kind of automatic mail a message is
 * SYNOPSIS
 *	autoclass_load(cat, path, err, errlen)
 *	autoclass_load_text(cat, name, text, err, errlen)
 *	autoclass_classify(cat, facts, &result)
 *	autoclass_free(cat)
 *	name = autoclass_kind_name(kind); autoclass_kind_parse(name, &kind)
 * DESCRIPTION
 *	The outbound gate asks of each message leaving the server whether
 *	it answers someone automatically (those may only go to verified
 *	senders) or is automatic mail that answers nobody, or human mail.
 *	The tests run in this order, and the first that holds decides:
 *
 *	1. Catalogue entries, in file order.  They are the admin's, and
 *	   the most specific: a TMDA challenge also has a null sender, a
 *	   MailScanner warning also has Precedence: bulk, but what the
 *	   catalogue names them is what the gate needs to know.
 *	2. dsn: the first Content-Type field is multipart/report with
 *	   report-type delivery-status or disposition-notification (case,
 *	   quotes and comments aside).  Whatever else the report carries
 *	   (Postfix's bounces also say Auto-Submitted: auto-replied and come
 *	   from <>), and whatever its envelope sender (MUAs send MDNs from
 *	   the user's own address), it is a dsn.  Any other report-type
 *	   (feedback-report, other) is not, and goes on to the next tests.
 *	3. Explicit autoreply signals: an Auto-Submitted field whose value
 *	   is auto-replied; X-Autoreply or X-Autorespond with any value but
 *	   no (they are no standard; their writers put yes, or nothing, and
 *	   no is taken to mean what it means in Auto-Submitted); Precedence
 *	   auto_reply; a null envelope sender ("" or "<>").  These win over
 *	   list fields: a message that says it answers another (RFC 3834)
 *	   is a response even when it came through, or was posted to, a
 *	   list, and RFC 3834 responses must not cause more of themselves.
 *	   A null sender means its writer wants no answer: only responses
 *	   and reports are sent that way.
 *	4. list: List-Id, List-Post, List-Unsubscribe, List-Help,
 *	   List-Subscribe, List-Owner or List-Archive present, or
 *	   Precedence list.  Lists say Precedence: bulk too, and their posts
 *	   have In-Reply-To: the List-* fields make them list mail rather
 *	   than an automatic reply.
 *	5. The rest.  Automatic-looking mail (any Auto-Submitted value but
 *	   no, Precedence bulk or junk) is an autoreply when it has a
 *	   non-empty In-Reply-To or References, or when facts->recent is 1
 *	   (Debian's vacation marks its replies only with what the user
 *	   wrote, typically Precedence: bulk); otherwise other-auto, with
 *	   needs_recent set unless facts->recent is 0.  Anything else is
 *	   human: an In-Reply-To alone is what a person's reply has.
 *
 *	Auto-Submitted: no adds nothing and takes nothing away: the other
 *	signals of the message still count.  Every field of a name counts
 *	(two Auto-Submitted fields: either may say auto-replied), except
 *	Content-Type, of which only the first (top-level) one does.
 *	Structured values (Auto-Submitted, Precedence, X-Autoreply,
 *	X-Autorespond) are compared without comments, without anything
 *	from the first ';', trimmed, ignoring case.
 *
 *	Catalogue lines are "KIND FIELD PATTERN" (autoclass.h); FIELD and
 *	PATTERN are globs (strconv_glob_match).  A header value holding
 *	"=?" is matched as it is and, failing that, decoded by
 *	mime_decode_header(), once per message and field.  The reason
 *	of a result never holds white space or control characters.
 * DIAGNOSTICS
 *	autoclass_load() and autoclass_load_text() return -1 with
 *	"FILE:LINE: what is wrong" in err for a file that cannot be read
 *	(line 0), a line longer than AUTOCLASS_LINE_MAX bytes or holding a
 *	NUL byte, an unknown kind or human, a missing or malformed field
 *	name, a missing pattern; the catalogue is then as before the call.
 *	Classification cannot fail.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clamgate/autoclass.h"
#include "clamgate/mime.h"
#include "clamgate/strconv.h"
#include "clamgate/xmalloc.h"

static const char *const ac_kind_names[AUTOCLASS_N_KINDS] = {
    [AUTOCLASS_DSN] = "dsn",
    [AUTOCLASS_AUTOREPLY] = "autoreply",
    [AUTOCLASS_CHALLENGE] = "challenge",
    [AUTOCLASS_AV_NOTICE] = "av-notice",
    [AUTOCLASS_LIST] = "list",
    [AUTOCLASS_OTHER_AUTO] = "other-auto",
    [AUTOCLASS_HUMAN] = "human",
};

/* the fields that make a message list mail, and how a reason names them */
static const struct {
	const char *field;
	const char *reason;
} ac_list_fields[] = {
    {"List-Id", "list-id"},
    {"List-Post", "list-post"},
    {"List-Unsubscribe", "list-unsubscribe"},
    {"List-Help", "list-help"},
    {"List-Subscribe", "list-subscribe"},
    {"List-Owner", "list-owner"},
    {"List-Archive", "list-archive"},
};

/* one message as the tests see it: its decoded values made on demand */
struct ac_view {
	const struct autoclass_facts *facts;
	const struct hdrlist *headers;
	char *sender;	/* without <>; NULL when unknown */
	char **decoded; /* per field, NULL until needed */
};

/* autoclass_kind_name - the name of a kind, "unknown" for no kind */
const char *
autoclass_kind_name(enum autoclass_kind kind)
{
	if ((unsigned)kind >= AUTOCLASS_N_KINDS)
		return "unknown";
	return ac_kind_names[kind];
}

/* autoclass_kind_parse - a kind from its name; 0, or -1 for no kind */
int
autoclass_kind_parse(const char *name, enum autoclass_kind *kind)
{
	for (int i = 0; i < AUTOCLASS_N_KINDS; i++) {
		if (strcmp(name, ac_kind_names[i]) == 0) {
			*kind = (enum autoclass_kind)i;
			return 0;
		}
	}
	return -1;
}

/* ac_fail - "NAME:LINE: message" into err; returns -1 */
static int __attribute__((format(printf, 5, 6)))
ac_fail(char *err, size_t errlen, const char *name, unsigned long line,
	const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err == NULL || errlen == 0)
		return -1;
	n = snprintf(err, errlen, "%s:%lu: ", name, line);
	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* ac_blank - a space or a tab */
static int
ac_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* ac_word - the next run of non-blank characters: start and length */
static const char *
ac_word(const char **pp, size_t *len)
{
	const char *p = *pp, *start;

	while (ac_blank(*p))
		p++;
	start = p;
	while (*p && !ac_blank(*p))
		p++;
	*len = (size_t)(p - start);
	*pp = p;
	return start;
}

/* ac_field_name_ok - printable ASCII without colon (globs allowed) */
static int
ac_field_name_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f ||
		    s[i] == ':')
			return 0;
	return len > 0;
}

/* ac_append - one more entry at the end of the catalogue */
static void
ac_append(struct autoclass_catalogue *cat, enum autoclass_kind kind,
	  char *field, char *pattern, const char *name, unsigned long line)
{
	struct autoclass_entry *e;
	size_t len = strlen(name) + 24;

	cat->entries =
	    xrealloc(cat->entries, (cat->count + 1) * sizeof(*cat->entries));
	e = &cat->entries[cat->count++];
	e->kind = kind;
	e->field = field;
	e->pattern = pattern;
	e->where = xmalloc(len);
	snprintf(e->where, len, "%s:%lu", name, line);
}

/* ac_truncate - drop the entries from count on */
static void
ac_truncate(struct autoclass_catalogue *cat, size_t count)
{
	while (cat->count > count) {
		struct autoclass_entry *e = &cat->entries[--cat->count];

		free(e->field);
		free(e->pattern);
		free(e->where);
	}
	if (cat->count == 0) {
		free(cat->entries);
		cat->entries = NULL;
	}
}

/* ac_parse_kind - the kind word of a line; 0, or -1 and why */
static int
ac_parse_kind(const char *w, size_t len, enum autoclass_kind *kind,
	      const char *name, unsigned long line, char *err, size_t errlen)
{
	char word[16];

	if (len < sizeof(word)) {
		memcpy(word, w, len);
		word[len] = '\0';
		if (strcmp(word, "human") == 0)
			return ac_fail(err, errlen, name, line,
				       "kind \"human\" cannot be a catalogue "
				       "entry: it is what matches nothing");
		if (autoclass_kind_parse(word, kind) == 0)
			return 0;
	}
	return ac_fail(err, errlen, name, line,
		       "unknown kind \"%.*s\" (dsn, autoreply, challenge, "
		       "av-notice, list, other-auto)",
		       len > 40 ? 40 : (int)len, w);
}

/* ac_parse_line - one line of a catalogue (no LF); 0, or -1 and why */
static int
ac_parse_line(struct autoclass_catalogue *cat, const char *name,
	      unsigned long line, const char *text, size_t len, char *err,
	      size_t errlen)
{
	char buf[AUTOCLASS_LINE_MAX + 1];
	const char *p = buf, *w, *f;
	size_t wlen, flen, plen;
	enum autoclass_kind kind = AUTOCLASS_HUMAN;

	if (len > 0 && text[len - 1] == '\r')
		len--;
	if (len > AUTOCLASS_LINE_MAX)
		return ac_fail(err, errlen, name, line,
			       "line longer than %d bytes", AUTOCLASS_LINE_MAX);
	if (memchr(text, '\0', len) != NULL)
		return ac_fail(err, errlen, name, line, "NUL byte in line");
	memcpy(buf, text, len);
	buf[len] = '\0';
	w = ac_word(&p, &wlen);
	if (wlen == 0 || *w == '#')
		return 0;
	if (ac_parse_kind(w, wlen, &kind, name, line, err, errlen) < 0)
		return -1;
	f = ac_word(&p, &flen);
	if (flen == 0)
		return ac_fail(err, errlen, name, line,
			       "missing field after \"%.*s\"", (int)wlen, w);
	if (!ac_field_name_ok(f, flen))
		return ac_fail(err, errlen, name, line,
			       "\"%.*s\" is not a header field name "
			       "(printable, no colon)",
			       flen > 60 ? 60 : (int)flen, f);
	while (ac_blank(*p))
		p++;
	for (plen = strlen(p); plen > 0 && ac_blank(p[plen - 1]); plen--)
		;
	if (plen == 0)
		return ac_fail(err, errlen, name, line,
			       "missing pattern after \"%.*s\"",
			       flen > 60 ? 60 : (int)flen, f);
	ac_append(cat, kind, xstrndup(f, flen), xstrndup(p, plen), name, line);
	return 0;
}

/* autoclass_load_text - the lines of text into cat; 0, or -1 and why */
int
autoclass_load_text(struct autoclass_catalogue *cat, const char *name,
		    const char *text, char *err, size_t errlen)
{
	size_t before = cat->count;
	unsigned long line = 0;
	const char *p = text, *nl;

	while (*p) {
		size_t len;

		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (ac_parse_line(cat, name, ++line, p, len, err, errlen) < 0) {
			ac_truncate(cat, before);
			return -1;
		}
		p += nl ? len + 1 : len;
	}
	return 0;
}

/* ac_read_line - a line without its LF: 1, 0 at the end, -1 on error;
 * up to size bytes are kept, *len is the whole length */
static int
ac_read_line(FILE *f, char *buf, size_t size, size_t *len)
{
	int c;

	*len = 0;
	while ((c = getc(f)) != EOF && c != '\n') {
		if (*len < size)
			buf[*len] = (char)c;
		(*len)++;
	}
	if (ferror(f))
		return -1;
	return c == EOF && *len == 0 ? 0 : 1;
}

/* autoclass_load - a catalogue file into cat; 0, or -1 and why */
int
autoclass_load(struct autoclass_catalogue *cat, const char *path, char *err,
	       size_t errlen)
{
	char buf[AUTOCLASS_LINE_MAX + 2]; /* the longest line and a CR */
	size_t before = cat->count, len;
	unsigned long line = 0;
	FILE *f;
	int rc;

	if ((f = fopen(path, "r")) == NULL)
		return ac_fail(err, errlen, path, 0, "cannot read: %s",
			       strerror(errno));
	while ((rc = ac_read_line(f, buf, sizeof(buf), &len)) > 0) {
		line++;
		if (len > sizeof(buf))
			rc = ac_fail(err, errlen, path, line,
				     "line longer than %d bytes",
				     AUTOCLASS_LINE_MAX);
		else
			rc = ac_parse_line(cat, path, line, buf, len, err,
					   errlen);
		if (rc < 0)
			break;
	}
	if (rc < 0 && ferror(f))
		ac_fail(err, errlen, path, line + 1, "cannot read: %s",
			strerror(errno));
	fclose(f);
	if (rc < 0) {
		ac_truncate(cat, before);
		return -1;
	}
	return 0;
}

/* autoclass_free - forget every entry */
void
autoclass_free(struct autoclass_catalogue *cat)
{
	ac_truncate(cat, 0);
}

/* ac_skip_cfws - past white space and (nested) comments */
static const char *
ac_skip_cfws(const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		if (*p == '(') {
			depth++;
		} else if (depth > 0 && *p == ')') {
			depth--;
		} else if (depth > 0 && *p == '\\' && p[1] != '\0') {
			p++;
		} else if (depth == 0 && !ac_blank(*p)) {
			break;
		}
	}
	return p;
}

/* ac_token_char - a character of an RFC 2045 token */
static int
ac_token_char(int c)
{
	return c > ' ' && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* ac_token - a token into buf (cut to fit); its whole length */
static size_t
ac_token(const char **pp, char *buf, size_t size)
{
	const char *p = *pp;
	size_t n = 0;

	for (; ac_token_char((unsigned char)*p); p++, n++)
		if (n < size - 1)
			buf[n] = *p;
	buf[n < size - 1 ? n : size - 1] = '\0';
	*pp = p;
	return n;
}

/* ac_param_value - a token or quoted string into buf; 0, or -1 */
static int
ac_param_value(const char **pp, char *buf, size_t size)
{
	const char *p = *pp;
	size_t n = 0;

	if (*p != '"')
		return ac_token(pp, buf, size) > 0 ? 0 : -1;
	for (p++; *p && *p != '"'; p++, n++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		if (n < size - 1)
			buf[n] = *p;
	}
	buf[n < size - 1 ? n : size - 1] = '\0';
	if (*p != '"')
		return -1;
	*pp = p + 1;
	return 0;
}

/* ac_report_type - for multipart/report, its report-type into rt: 1;
 * 0 for any other type, no report-type, or a value that does not parse */
static int
ac_report_type(const char *ct, char *rt, size_t rtlen)
{
	char type[64], sub[64], name[64];
	const char *p = ac_skip_cfws(ct);

	if (ac_token(&p, type, sizeof(type)) == 0 ||
	    *(p = ac_skip_cfws(p)) != '/')
		return 0;
	p = ac_skip_cfws(p + 1);
	if (ac_token(&p, sub, sizeof(sub)) == 0 ||
	    strcasecmp(type, "multipart") != 0 ||
	    strcasecmp(sub, "report") != 0)
		return 0;
	for (;;) {
		p = ac_skip_cfws(p);
		if (*p != ';')
			return 0;
		p = ac_skip_cfws(p + 1);
		if (*p == ';')
			continue;
		if (ac_token(&p, name, sizeof(name)) == 0 ||
		    *(p = ac_skip_cfws(p)) != '=')
			return 0;
		p = ac_skip_cfws(p + 1);
		if (ac_param_value(&p, rt, rtlen) < 0)
			return 0;
		if (strcasecmp(name, "report-type") == 0)
			return 1;
	}
}

/* ac_keyword - a structured value without comments, without anything
 * from the first ';', trimmed, into buf (cut to fit) */
static void
ac_keyword(const char *value, char *buf, size_t size)
{
	size_t n = 0, start;
	int depth = 0;

	for (const char *p = value; *p; p++) {
		if (*p == '(') {
			depth++;
		} else if (depth > 0) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == ')')
				depth--;
		} else if (*p == ';') {
			break;
		} else if (n < size - 1) {
			buf[n++] = *p;
		}
	}
	while (n > 0 && ac_blank(buf[n - 1]))
		n--;
	buf[n] = '\0';
	start = strspn(buf, " \t");
	memmove(buf, buf + start, n - start + 1);
}

/* ac_field_says - some field of that name has keyword kw; with negate,
 * some field has a keyword other than kw */
static int
ac_field_says(const struct hdrlist *h, const char *name, const char *kw,
	      int negate)
{
	char word[64];
	const char *v;
	size_t pos = 0;

	while ((v = hdrlist_next(h, name, &pos)) != NULL) {
		ac_keyword(v, word, sizeof(word));
		if ((strcasecmp(word, kw) == 0) != negate)
			return 1;
	}
	return 0;
}

/* ac_set - the result: kind and reason; returns 1 */
static int
ac_set(struct autoclass_result *res, enum autoclass_kind kind,
       const char *reason)
{
	res->kind = kind;
	snprintf(res->reason, sizeof(res->reason), "%s", reason);
	return 1;
}

/* ac_decoded - field i decoded from RFC 2047, made once */
static const char *
ac_decoded(struct ac_view *v, size_t i)
{
	if (v->decoded == NULL)
		v->decoded = xcalloc(v->headers->count, sizeof(*v->decoded));
	if (v->decoded[i] == NULL)
		v->decoded[i] = mime_decode_header(v->headers->items[i].value);
	return v->decoded[i];
}

/* ac_reply_prefix - the subject starts "Re:", "Fwd:", "AW:" or another
 * reply or forward prefix (a count such as "Re[2]:" allowed) */
static int
ac_reply_prefix(const char *subject)
{
	static const char *const words[] = {
	    "re",  "fw",  "fwd", "aw", "wg",  "sv", "vs",  "antw",
	    "odp", "rif", "r",	 "tr", "enc", "rv", "ref", "doorst"};
	const char *p = subject + strspn(subject, " \t");
	size_t len = 0;

	while (isalpha((unsigned char)p[len]) && len < 8)
		len++;
	if (len > 0 && (p[len] == '[' || p[len] == '(')) {
		size_t digits = strspn(p + len + 1, "0123456789");
		char close = p[len] == '[' ? ']' : ')';
		if (p[len + 1 + digits] != close)
			return 0;
		len += digits + 2;
	}
	if (len == 0 || p[len] != ':')
		return 0;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strncasecmp(p, words[i], strlen(words[i])) == 0 &&
		    !isalpha((unsigned char)p[strlen(words[i])]))
			return 1;
	return 0;
}

/* ac_entry_match - the message has what a catalogue entry describes;
 * a Subject entry never matches a reply or a forward, which a person
 * writes (an outsider could otherwise put a challenge system's subject
 * in a message and have the replies to it stopped) */
static int
ac_entry_match(const struct autoclass_entry *e, struct ac_view *v)
{
	int subject = strcasecmp(e->field, "Subject") == 0;

	if (strcasecmp(e->field, "envelope-sender") == 0)
		return v->sender != NULL &&
		       strconv_glob_match(e->pattern, v->sender);
	for (size_t i = 0; i < v->headers->count; i++) {
		const struct hdr *h = &v->headers->items[i];

		if (!strconv_glob_match(e->field, h->name))
			continue;
		if (subject && (ac_reply_prefix(h->value) ||
				ac_reply_prefix(ac_decoded(v, i))))
			continue;
		if (strconv_glob_match(e->pattern, h->value))
			return 1;
		if (strstr(h->value, "=?") != NULL &&
		    strconv_glob_match(e->pattern, ac_decoded(v, i)))
			return 1;
	}
	return 0;
}

static int ac_automatic(const struct hdrlist *h, char *buf, size_t size);
static int ac_response(const struct ac_view *v, struct autoclass_result *res);

/* ac_catalogue - the first catalogue entry that matches decides; a
 * Subject entry on mail with no other automatic signal is weak */
static int
ac_catalogue(const struct autoclass_catalogue *cat, struct ac_view *v,
	     struct autoclass_result *res)
{
	char reason[sizeof(res->reason)], looks[80];
	struct autoclass_result other;

	for (size_t i = 0; i < cat->count; i++) {
		if (!ac_entry_match(&cat->entries[i], v))
			continue;
		snprintf(reason, sizeof(reason), "catalogue=%s",
			 cat->entries[i].where);
		ac_set(res, cat->entries[i].kind, reason);
		res->weak = strcasecmp(cat->entries[i].field, "Subject") == 0 &&
			    !ac_automatic(v->headers, looks, sizeof(looks)) &&
			    !ac_response(v, &other);
		return 1;
	}
	return 0;
}

/* ac_dsn - a delivery or disposition report */
static int
ac_dsn(const struct ac_view *v, struct autoclass_result *res)
{
	const char *ct = hdrlist_get(v->headers, "Content-Type");
	char rt[64];

	if (ct == NULL || !ac_report_type(ct, rt, sizeof(rt)))
		return 0;
	if (strcasecmp(rt, "delivery-status") == 0)
		return ac_set(res, AUTOCLASS_DSN,
			      "report-type=delivery-status");
	if (strcasecmp(rt, "disposition-notification") == 0)
		return ac_set(res, AUTOCLASS_DSN,
			      "report-type=disposition-notification");
	return 0;
}

/* ac_response - a message that says it is an automatic response */
static int
ac_response(const struct ac_view *v, struct autoclass_result *res)
{
	const struct hdrlist *h = v->headers;

	if (ac_field_says(h, "Auto-Submitted", "auto-replied", 0))
		return ac_set(res, AUTOCLASS_AUTOREPLY,
			      "auto-submitted=auto-replied");
	if (ac_field_says(h, "X-Autoreply", "no", 1))
		return ac_set(res, AUTOCLASS_AUTOREPLY, "x-autoreply");
	if (ac_field_says(h, "X-Autorespond", "no", 1))
		return ac_set(res, AUTOCLASS_AUTOREPLY, "x-autorespond");
	if (ac_field_says(h, "Precedence", "auto_reply", 0))
		return ac_set(res, AUTOCLASS_AUTOREPLY,
			      "precedence=auto_reply");
	if (v->sender != NULL && v->sender[0] == '\0')
		return ac_set(res, AUTOCLASS_AUTOREPLY, "null-sender");
	return 0;
}

/* ac_list - mailing-list distribution */
static int
ac_list(const struct ac_view *v, struct autoclass_result *res)
{
	size_t n = sizeof(ac_list_fields) / sizeof(ac_list_fields[0]);

	for (size_t i = 0; i < n; i++)
		if (hdrlist_get(v->headers, ac_list_fields[i].field) != NULL)
			return ac_set(res, AUTOCLASS_LIST,
				      ac_list_fields[i].reason);
	if (ac_field_says(v->headers, "Precedence", "list", 0))
		return ac_set(res, AUTOCLASS_LIST, "precedence=list");
	return 0;
}

/* ac_automatic - automatic-looking: 1 with why in buf, else 0 */
static int
ac_automatic(const struct hdrlist *h, char *buf, size_t size)
{
	char word[48];
	const char *v;
	size_t pos = 0;

	while ((v = hdrlist_next(h, "Auto-Submitted", &pos)) != NULL) {
		ac_keyword(v, word, sizeof(word));
		if (strcasecmp(word, "no") != 0) {
			for (char *p = word; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			snprintf(buf, size, "auto-submitted=%s", word);
			return 1;
		}
	}
	if (ac_field_says(h, "Precedence", "bulk", 0)) {
		snprintf(buf, size, "precedence=bulk");
		return 1;
	}
	if (ac_field_says(h, "Precedence", "junk", 0)) {
		snprintf(buf, size, "precedence=junk");
		return 1;
	}
	return 0;
}

/* ac_present - a field of that name with a value that is not empty */
static int
ac_present(const struct hdrlist *h, const char *name)
{
	const char *v;
	size_t pos = 0;

	while ((v = hdrlist_next(h, name, &pos)) != NULL)
		if (*v != '\0')
			return 1;
	return 0;
}

/* ac_rest - automatic-looking mail (a response or not), or human */
static void
ac_rest(const struct ac_view *v, struct autoclass_result *res)
{
	char looks[80], reason[sizeof(res->reason)];
	const char *why = NULL;

	if (!ac_automatic(v->headers, looks, sizeof(looks))) {
		ac_set(res, AUTOCLASS_HUMAN,
		       hdrlist_get(v->headers, "Auto-Submitted")
			   ? "auto-submitted=no"
			   : "none");
		return;
	}
	if (ac_present(v->headers, "In-Reply-To"))
		why = "in-reply-to";
	else if (ac_present(v->headers, "References"))
		why = "references";
	else if (v->facts->recent == 1)
		why = "recent";
	if (why == NULL) {
		ac_set(res, AUTOCLASS_OTHER_AUTO, looks);
		res->needs_recent = v->facts->recent != 0;
		return;
	}
	snprintf(reason, sizeof(reason), "%s+%s", looks, why);
	ac_set(res, AUTOCLASS_AUTOREPLY, reason);
}

/* ac_view_init - the message's envelope sender without <>, no decoding
 * done yet */
static void
ac_view_init(struct ac_view *v, const struct autoclass_facts *facts)
{
	static const struct hdrlist no_headers;
	const char *s = facts->sender;
	size_t len;

	v->facts = facts;
	v->headers = facts->headers ? facts->headers : &no_headers;
	v->decoded = NULL;
	v->sender = NULL;
	if (s == NULL)
		return;
	len = strlen(s);
	if (len >= 2 && s[0] == '<' && s[len - 1] == '>')
		v->sender = xstrndup(s + 1, len - 2);
	else
		v->sender = xstrdup(s);
}

/* ac_view_free - what ac_view_init() and ac_decoded() made */
static void
ac_view_free(struct ac_view *v)
{
	if (v->decoded != NULL) {
		for (size_t i = 0; i < v->headers->count; i++)
			free(v->decoded[i]);
		free(v->decoded);
	}
	free(v->sender);
}

/* ac_decide - the tests in order (DESCRIPTION), the first that holds */
static void
ac_decide(const struct autoclass_catalogue *cat, struct ac_view *v,
	  struct autoclass_result *res)
{
	if (cat != NULL && ac_catalogue(cat, v, res))
		return;
	if (ac_dsn(v, res))
		return;
	if (ac_response(v, res))
		return;
	if (ac_list(v, res))
		return;
	ac_rest(v, res);
}

/* autoclass_classify - the kind of one message, and why */
void
autoclass_classify(const struct autoclass_catalogue *cat,
		   const struct autoclass_facts *facts,
		   struct autoclass_result *res)
{
	static const struct autoclass_facts no_facts = {NULL, NULL, -1};
	struct ac_view v;

	memset(res, 0, sizeof(*res));
	ac_view_init(&v, facts ? facts : &no_facts);
	ac_decide(cat, &v, res);
	ac_view_free(&v);
	for (char *p = res->reason; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			*p = '_';
}
