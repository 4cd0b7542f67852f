/*
 * NAME
 *	authres - Authentication-Results (RFC 8601): who verified the
 *	envelope sender of an inbound message
 * SYNOPSIS
 *	rc = authres_parse(value, &authres)
 *	value = authres_prop(result, "smtp.mailfrom")
 *	how = authres_verified(headers, sender, trusted_ids)
 *	yes = authres_same_org(domain_a, domain_b)
 *	name = authres_how_name(how)
 * DESCRIPTION
 *	authres_parse() reads one field value:
 *
 *	    authserv-id [version] ; resinfo ; resinfo ...
 *	    authserv-id [version] ; none
 *	    resinfo = method[/version]=result [reason=value]
 *	              ptype.property=value ...
 *
 *	Comments "( ... )" (nested, with backslash quoting) and folding
 *	white space are skipped wherever they appear.  Quoted strings are
 *	unquoted; a quoted local part followed by "@" is kept as written,
 *	quotes included, so that smtp.mailfrom compares with the envelope
 *	sender.  The authserv-id, methods, results and property names are
 *	lowercased; values are kept as written.  reason=value is stored as
 *	a property named "reason".  A property value may hold any bytes but
 *	white space, ";", "(", ")" and '"' (so header.b's base64 and
 *	smtp.mailfrom's "<user@domain>" both read).
 *
 *	Errors never make a wrong result: a result with a syntax error,
 *	and everything after it, is dropped; results past
 *	AUTHRES_MAX_RESULTS and properties past AUTHRES_MAX_PROPS are
 *	dropped; a property whose value does not fit its array is dropped
 *	(never truncated); a keyword that does not fit ends the list.
 *
 *	authres_verified() parses every Authentication-Results field in
 *	hdrlist order and keeps those whose authserv-id equals one of the
 *	trusted ids (case-insensitive) and is written bare, first in the
 *	field: no comment or quotes before or around it, then white space,
 *	";" or "(".  That is how our verifiers write it, and it is the form
 *	the MTA's rule that drops senders' copies matches (docs/postfix.md):
 *	"(x) mx.example.com; ..." and "\"mx.example.com\"; ..." are the
 *	same authserv-id to RFC 8601, but would slip past such a rule, so
 *	they never count.  A trusted pass counts even when
 *	another trusted field or result says fail for the same method: the
 *	trusted verifiers are ours, so all their results are genuine, and a
 *	message may carry several DKIM signatures of which one valid is
 *	enough.  The sender may come with or without angle brackets.  SPF
 *	counts when smtp.mailfrom (optionally in angle brackets) equals the
 *	sender, the local part compared case-insensitively like the
 *	domain, or when it is a bare domain ("example.com" or
 *	"@example.com") equal to the sender's domain.  DKIM counts when
 *	header.d is in the sender's organisational domain and the message's
 *	one From: field names one mailbox, the envelope sender itself: DKIM
 *	signs the From: field, never the envelope, so without that check a
 *	message signed for the attacker's own account at a large provider,
 *	sent again with a victim's address there as the envelope sender,
 *	would verify the victim.  A field cut at HDRLIST_VALUE_MAX is never
 *	read: its start could end inside a domain name.
 *
 *	Domains are compared lowercased (ASCII only) with one trailing dot
 *	removed, and must consist of letters, digits, "-", "_" and
 *	non-ASCII bytes in non-empty dot-separated labels; anything else
 *	(an address literal, an empty label) is never verified.  An
 *	A-label and the U-label of the same name do not compare equal.
 *
 *	authres_same_org() uses libpsl: psl_latest(NULL), loaded once
 *	(pthread_once), the newer of libpsl's built-in list and the
 *	distribution's file (psl_dist_filename(); on Debian
 *	/usr/share/publicsuffix/public_suffix_list.dafsa from package
 *	publicsuffix), with ICANN and private entries both.  A newer list
 *	on disk is seen after a restart.  The domains are in the same
 *	organisation when their registrable domains are equal; a public
 *	suffix itself (e.g. "co.uk") has none, and is in no organisation.
 *	Lookups only read the loaded list: any thread may call them.
 * DIAGNOSTICS
 *	authres_parse() returns -1 when the value has no authserv-id (out
 *	then has none and no results), otherwise 0.  No function logs or
 *	fails: when libpsl has no list at all, authres_same_org() says no
 *	and DKIM verifies nothing.
 */
#include <libpsl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clamgate/authres.h"
#include "clamgate/mime.h"
#include "clamgate/xmalloc.h"

#define AUTHRES_FIELD	   "Authentication-Results"
#define AUTHRES_DOMAIN_MAX 255 /* a domain name in text, trailing dot off */
#define AUTHRES_ADDR_MAX   512

/* a value being read into a fixed array; over: it did not fit */
struct authres_buf {
	char *s;
	size_t size;
	size_t len;
	int over;
};

static pthread_once_t authres_psl_once = PTHREAD_ONCE_INIT;
static const psl_ctx_t *authres_psl;

/* authres_buf_init - an empty value in s[size] */
static void
authres_buf_init(struct authres_buf *b, char *s, size_t size)
{
	b->s = s;
	b->size = size;
	b->len = 0;
	b->over = 0;
	s[0] = '\0';
}

/* authres_buf_put - one more byte, or over when it does not fit */
static void
authres_buf_put(struct authres_buf *b, char c)
{
	if (b->len + 1 < b->size) {
		b->s[b->len++] = c;
		b->s[b->len] = '\0';
	} else {
		b->over = 1;
	}
}

/* authres_skip_comment - past one comment at *p, or to the end */
static const char *
authres_skip_comment(const char *p)
{
	size_t depth = 0;

	for (; *p; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')' && --depth == 0) {
			return p + 1;
		}
	}
	return p;
}

/* authres_skip_cfws - past white space and comments */
static const char *
authres_skip_cfws(const char *p)
{
	for (;;) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		else if (*p == '(')
			p = authres_skip_comment(p);
		else
			return p;
	}
}

/* authres_is_alnum - an ASCII letter or digit, whatever the locale */
static int
authres_is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* authres_lower - an ASCII letter lowercased, any other byte as it is */
static char
authres_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* authres_is_digit - an ASCII digit */
static int
authres_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* authres_is_keychar - a byte of a method, result or property name */
static int
authres_is_keychar(char c)
{
	return authres_is_alnum(c) || c == '-' || c == '_';
}

/* authres_is_printable - a byte that is not white space, a control or
 * one of specials (bytes of UTF-8 are allowed) */
static int
authres_is_printable(char c, const char *specials)
{
	unsigned char u = (unsigned char)c;

	if (u >= 0x80)
		return 1;
	if (u <= 0x20 || u == 0x7f)
		return 0;
	return strchr(specials, c) == NULL;
}

/* authres_is_tokenchar - a byte of an RFC 2045 token (or UTF-8) */
static int
authres_is_tokenchar(char c)
{
	return authres_is_printable(c, "()<>@,;:\\\"/[]?=");
}

/* authres_is_valuechar - a byte of an unquoted property value */
static int
authres_is_valuechar(char c)
{
	return authres_is_printable(c, ";()\"");
}

/* authres_keyword - a name at *pp, lowercased; -1: none, or too long */
static int
authres_keyword(const char **pp, char *out, size_t size)
{
	const char *p = authres_skip_cfws(*pp);
	struct authres_buf b;

	authres_buf_init(&b, out, size);
	for (; authres_is_keychar(*p); p++)
		authres_buf_put(&b, authres_lower(*p));
	*pp = p;
	return b.len > 0 && !b.over ? 0 : -1;
}

/* authres_quoted - a quoted string at p (past the quote), unquoted */
static const char *
authres_quoted(const char *p, struct authres_buf *b)
{
	for (; *p; p++) {
		if (*p == '"')
			return p + 1;
		if (*p == '\\') {
			if (p[1] == '\0')
				return NULL;
			p++;
		}
		authres_buf_put(b, *p);
	}
	return NULL;
}

/* authres_value - a property value at *pp; -1: syntax, 1: too long */
static int
authres_value(const char **pp, char *out, size_t size)
{
	const char *p = authres_skip_cfws(*pp), *start = p;
	struct authres_buf b;
	int quoted = 0;

	authres_buf_init(&b, out, size);
	if (*p == '"') {
		if ((p = authres_quoted(p + 1, &b)) == NULL)
			return -1;
		quoted = 1;
		if (*p != '@')
			goto done;
		/* a quoted local part: the address as written */
		authres_buf_init(&b, out, size);
		for (; start < p; start++)
			authres_buf_put(&b, *start);
	}
	for (; authres_is_valuechar(*p); p++)
		authres_buf_put(&b, *p);
done:
	*pp = p;
	if (!quoted && b.len == 0)
		return -1;
	return b.over ? 1 : 0;
}

/* authres_skip_version - past a version number, if there is one */
static const char *
authres_skip_version(const char *p)
{
	p = authres_skip_cfws(p);
	while (authres_is_digit(*p))
		p++;
	return p;
}

/* authres_add_prop - one property of r, unless full or too long */
static void
authres_add_prop(struct authres_result *r, const char *name, const char *value)
{
	struct authres_prop *prop;

	if (r->n_props >= AUTHRES_MAX_PROPS)
		return;
	prop = &r->props[r->n_props++];
	memcpy(prop->name, name, strlen(name) + 1);
	memcpy(prop->value, value, strlen(value) + 1);
}

/* authres_propspec - "ptype.property=value" or "reason=value" into r */
static int
authres_propspec(const char **pp, struct authres_result *r)
{
	struct authres_prop prop;
	char property[sizeof(prop.name)];
	const char *p = *pp;
	size_t len;
	int rc;

	if (authres_keyword(&p, prop.name, sizeof(prop.name)) < 0)
		return -1;
	p = authres_skip_cfws(p);
	if (strcmp(prop.name, "reason") != 0 || *p != '=') {
		if (*p != '.')
			return -1;
		p++;
		if (authres_keyword(&p, property, sizeof(property)) < 0)
			return -1;
		len = strlen(prop.name);
		if (len + 1 + strlen(property) >= sizeof(prop.name))
			return -1;
		prop.name[len] = '.';
		memcpy(prop.name + len + 1, property, strlen(property) + 1);
		p = authres_skip_cfws(p);
		if (*p != '=')
			return -1;
	}
	p++;
	if ((rc = authres_value(&p, prop.value, sizeof(prop.value))) < 0)
		return -1;
	if (rc == 0)
		authres_add_prop(r, prop.name, prop.value);
	*pp = authres_skip_cfws(p);
	return 0;
}

/* authres_resinfo - one "method=result props" into r; -1: syntax */
static int
authres_resinfo(const char **pp, struct authres_result *r)
{
	const char *p = *pp;

	memset(r, 0, sizeof(*r));
	if (authres_keyword(&p, r->method, sizeof(r->method)) < 0)
		return -1;
	p = authres_skip_cfws(p);
	if (*p == '/') {
		p = authres_skip_cfws(p + 1);
		if (!authres_is_digit(*p))
			return -1;
		p = authres_skip_cfws(authres_skip_version(p));
	}
	if (*p != '=')
		return -1;
	p++;
	if (authres_keyword(&p, r->result, sizeof(r->result)) < 0)
		return -1;
	p = authres_skip_cfws(p);
	while (*p != '\0' && *p != ';')
		if (authres_propspec(&p, r) < 0)
			return -1;
	*pp = p;
	return 0;
}

/* authres_results - the results from the first ";" at p into out; "none"
 * is no method=result, so it ends the list with no results */
static void
authres_results(const char *p, struct authres *out)
{
	while (*p == ';' && out->n_results < AUTHRES_MAX_RESULTS) {
		struct authres_result *r = &out->results[out->n_results];

		p = authres_skip_cfws(p + 1);
		if (*p == '\0' || *p == ';')
			continue;
		if (authres_resinfo(&p, r) < 0) {
			memset(r, 0, sizeof(*r));
			return;
		}
		out->n_results++;
	}
}

/* authres_parse - one Authentication-Results value into out */
int
authres_parse(const char *value, struct authres *out)
{
	const char *p;
	struct authres_buf b;

	memset(out, 0, sizeof(*out));
	if (value == NULL)
		return -1;
	p = authres_skip_cfws(value);
	authres_buf_init(&b, out->authserv_id, sizeof(out->authserv_id));
	if (*p == '"') {
		if ((p = authres_quoted(p + 1, &b)) == NULL)
			b.over = 1;
	} else {
		for (; authres_is_tokenchar(*p); p++)
			authres_buf_put(&b, *p);
	}
	if (b.over || b.len == 0) {
		memset(out->authserv_id, 0, sizeof(out->authserv_id));
		return -1;
	}
	for (size_t i = 0; i < b.len; i++)
		b.s[i] = authres_lower(b.s[i]);
	authres_results(authres_skip_cfws(authres_skip_version(p)), out);
	return 0;
}

/* authres_prop - the value of r's first property of that name, or NULL */
const char *
authres_prop(const struct authres_result *r, const char *name)
{
	for (size_t i = 0; i < r->n_props && i < AUTHRES_MAX_PROPS; i++)
		if (strcasecmp(r->props[i].name, name) == 0)
			return r->props[i].value;
	return NULL;
}

/* authres_domain - text[len] as a comparable domain in out; -1: not one */
static int
authres_domain(const char *text, size_t len, char *out)
{
	size_t label = 0;

	if (len > 0 && text[len - 1] == '.')
		len--;
	if (len == 0 || len > AUTHRES_DOMAIN_MAX)
		return -1;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '.') {
			if (label == 0)
				return -1;
			label = 0;
		} else if (authres_is_keychar(c) || (unsigned char)c >= 0x80) {
			label++;
		} else {
			return -1;
		}
		out[i] = authres_lower(c);
	}
	out[len] = '\0';
	return label > 0 ? 0 : -1;
}

/* authres_psl_load - the Public Suffix List, once */
static void
authres_psl_load(void)
{
	authres_psl = psl_latest(NULL);
	if (authres_psl == NULL)
		authres_psl = psl_builtin();
}

/* authres_same_org - 1 when both domains have one registrable domain */
int
authres_same_org(const char *domain_a, const char *domain_b)
{
	char a[AUTHRES_DOMAIN_MAX + 1], b[AUTHRES_DOMAIN_MAX + 1];
	const char *reg_a, *reg_b;

	if (domain_a == NULL || domain_b == NULL ||
	    authres_domain(domain_a, strlen(domain_a), a) < 0 ||
	    authres_domain(domain_b, strlen(domain_b), b) < 0)
		return 0;
	pthread_once(&authres_psl_once, authres_psl_load);
	if (authres_psl == NULL)
		return 0;
	reg_a = psl_registrable_domain(authres_psl, a);
	reg_b = psl_registrable_domain(authres_psl, b);
	return reg_a != NULL && reg_b != NULL && strcmp(reg_a, reg_b) == 0;
}

/* authres_unwrap - text without outer white space and one <> pair */
static int
authres_unwrap(const char *text, char *out, size_t size)
{
	size_t len;

	text += strspn(text, " \t");
	len = strlen(text);
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	if (len >= 2 && text[0] == '<' && text[len - 1] == '>') {
		text++;
		len -= 2;
	}
	if (len >= size)
		return -1;
	memcpy(out, text, len);
	out[len] = '\0';
	return 0;
}

/* authres_spf_match - smtp.mailfrom names the sender (addr at domain) */
static int
authres_spf_match(const char *mailfrom, const char *addr, const char *domain)
{
	char v[AUTHRES_ADDR_MAX], d[AUTHRES_DOMAIN_MAX + 1];
	const char *at, *sender_at = strrchr(addr, '@');
	size_t start = 0, local;

	if (authres_unwrap(mailfrom, v, sizeof(v)) < 0)
		return 0;
	at = strrchr(v, '@');
	if (at != NULL) {
		/* "user@domain" compares the local part; "@domain" not */
		local = (size_t)(at - v);
		if (local > 0 && (local != (size_t)(sender_at - addr) ||
				  strncasecmp(v, addr, local) != 0))
			return 0;
		start = local + 1;
	}
	if (authres_domain(v + start, strlen(v + start), d) < 0)
		return 0;
	return strcmp(d, domain) == 0;
}

/* authres_result_how - what one trusted result verifies of the sender */
static int
authres_result_how(const struct authres_result *r, const char *addr,
		   const char *domain)
{
	const char *v;

	if (strcmp(r->result, "pass") != 0)
		return AUTHRES_NONE;
	if (strcmp(r->method, "spf") == 0) {
		v = authres_prop(r, "smtp.mailfrom");
		if (v != NULL && authres_spf_match(v, addr, domain))
			return AUTHRES_SPF;
	} else if (strcmp(r->method, "dkim") == 0) {
		v = authres_prop(r, "header.d");
		if (v != NULL && authres_same_org(v, domain))
			return AUTHRES_DKIM;
	}
	return AUTHRES_NONE;
}

/* authres_trusted - the authserv-id is one of the trusted ids */
static int
authres_trusted(const char *id, const struct cg_strlist *trusted_ids)
{
	for (size_t i = 0; i < trusted_ids->count; i++)
		if (trusted_ids->items[i] != NULL &&
		    strcasecmp(trusted_ids->items[i], id) == 0)
			return 1;
	return 0;
}

/* authres_bare - the field value starts with the id, written bare */
static int
authres_bare(const char *value, const char *id)
{
	size_t len = strlen(id);

	value += strspn(value, " \t\r\n");
	if (len == 0 || strncasecmp(value, id, len) != 0)
		return 0;
	return value[len] == '\0' || strchr(" \t\r\n;(", value[len]) != NULL;
}

/* authres_from_is - the message has one From: field, naming one mailbox,
 * and that is addr (case-insensitive) */
static int
authres_from_is(const struct hdrlist *headers, const char *addr)
{
	size_t pos = 0, wpos = 0;
	const char *from = hdrlist_next(headers, "From", &pos);
	char *mailbox;
	int same;

	/* one From: field, and not cut: a cut one is never read; and no
	 * field dropped past HDRLIST_MAX, where a second From may hide */
	if (headers->dropped > 0 || from == NULL ||
	    hdrlist_next(headers, "From", &pos) != NULL ||
	    hdrlist_next_whole(headers, "From", &wpos) != from ||
	    (mailbox = mime_single_mailbox(from)) == NULL)
		return 0;
	same = strcasecmp(mailbox, addr) == 0;
	free(mailbox);
	return same;
}

/* authres_verified - AUTHRES_SPF and/or AUTHRES_DKIM, or AUTHRES_NONE */
int
authres_verified(const struct hdrlist *headers, const char *sender,
		 const struct cg_strlist *trusted_ids)
{
	char addr[AUTHRES_ADDR_MAX], domain[AUTHRES_DOMAIN_MAX + 1];
	const char *at, *value;
	struct authres *ar;
	size_t pos = 0;
	int how = AUTHRES_NONE;

	if (headers == NULL || sender == NULL || trusted_ids == NULL ||
	    authres_unwrap(sender, addr, sizeof(addr)) < 0 ||
	    (at = strrchr(addr, '@')) == NULL || at == addr ||
	    authres_domain(at + 1, strlen(at + 1), domain) < 0)
		return AUTHRES_NONE;
	ar = xmalloc(sizeof(*ar));
	while ((value = hdrlist_next_whole(headers, AUTHRES_FIELD, &pos)) !=
	       NULL) {
		if (authres_parse(value, ar) < 0 ||
		    !authres_trusted(ar->authserv_id, trusted_ids) ||
		    !authres_bare(value, ar->authserv_id))
			continue;
		for (size_t i = 0; i < ar->n_results; i++)
			how |=
			    authres_result_how(&ar->results[i], addr, domain);
	}
	free(ar);
	if ((how & AUTHRES_DKIM) && !authres_from_is(headers, addr))
		how &= ~AUTHRES_DKIM;
	return how;
}

/* authres_how_name - "none", "spf", "dkim" or "spf+dkim" */
const char *
authres_how_name(int how)
{
	static const char *const names[] = {"none", "spf", "dkim", "spf+dkim"};

	return names[how & (AUTHRES_SPF | AUTHRES_DKIM)];
}
