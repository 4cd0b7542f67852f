/*
 * NAME
 *	vstore - the outbound gate's memory, whatever holds it
 * SYNOPSIS
 *	struct vstore *vstore_open(backend, where, readonly, err, errlen)
 *	int vstore_put(st, rows, n); int vstore_trim(st, cutoff, max_rows)
 *	int vstore_get_verified(st, addr, since, row)
 *	int vstore_get_contact(st, remote, local, since)
 *	int vstore_each(st, table, fn, arg); long vstore_forget(st, addr)
 *	void vstore_normalise(in, out)
 * DESCRIPTION
 *	The dispatch: the backend is chosen by name from backends[] (each
 *	a struct vstore_ops in a file of its own, vstore_sqlite.c and
 *	vstore_pg.c), and
 *	this file does what every backend would otherwise repeat.  Every
 *	address is normalised here before a backend sees it (an empty one
 *	is never looked up and never stored), rows to store are checked,
 *	"first" is filled in from "last" when the caller left it 0, and a
 *	store opened read-only refuses every change.  The merge of "how"
 *	(vstore_how_merge) lives here too, so that every backend merges
 *	alike.
 *
 *	The error text is kept per thread, as errno is: vstore_error(st)
 *	is the reason for the last call on st that failed in the calling
 *	thread, so that the daemon's threads never read each other's.
 * DIAGNOSTICS
 *	Nothing is fatal but running out of memory (xmalloc).  Every
 *	failure returns -1 (vstore_open: NULL, the reason in err).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clamgate/xmalloc.h"
#include "clamgate/pg.h"
#include "vstore_int.h"

#define VSTORE_ERR_MAX 1400

static const struct vstore_ops *const backends[] = {&vstore_sqlite_ops,
						    &vstore_pg_ops};
#define N_BACKENDS (sizeof(backends) / sizeof(backends[0]))

static _Thread_local struct {
	const struct vstore *st; /* whose failure the text describes */
	char text[VSTORE_ERR_MAX];
} vstore_last;

/* vstore_fail - record st's error for this thread; -1 */
int
vstore_fail(const struct vstore *st, const char *what, const char *detail)
{
	vstore_last.st = st;
	if (detail)
		snprintf(vstore_last.text, sizeof(vstore_last.text),
			 "%s: %s: %s", st->where, what, detail);
	else
		snprintf(vstore_last.text, sizeof(vstore_last.text), "%s: %s",
			 st->where, what);
	return -1;
}

/* vstore_error - why the last call on st in this thread failed */
const char *
vstore_error(const struct vstore *st)
{
	if (st == NULL || vstore_last.st != st)
		return "no error";
	return vstore_last.text;
}

/* vstore_find - the backend called name, or NULL */
static const struct vstore_ops *
vstore_find(const char *name)
{
	for (size_t i = 0; name && i < N_BACKENDS; i++)
		if (strcmp(backends[i]->name, name) == 0)
			return backends[i];
	return NULL;
}

/* vstore_unknown - "unknown store backend "x" (known: a, b)" */
static void
vstore_unknown(const char *name, char *err, size_t errlen)
{
	size_t len;

	len = (size_t)snprintf(
	    err, errlen,
	    "unknown store backend \"%s\" (known:", name ? name : "");
	for (size_t i = 0; i < N_BACKENDS && len < errlen; i++)
		len += (size_t)snprintf(err + len, errlen - len, "%s %s",
					i ? "," : "", backends[i]->name);
	if (len < errlen)
		snprintf(err + len, errlen - len, ")");
}

/* vstore_open - the store at where, by the backend called backend */
struct vstore *
vstore_open(const char *backend, const char *where, int readonly, char *err,
	    size_t errlen)
{
	const struct vstore_ops *ops = vstore_find(backend);
	struct vstore *st;
	char none[1];

	if (err == NULL || errlen == 0) {
		err = none;
		errlen = sizeof(none);
	}
	if (ops == NULL) {
		vstore_unknown(backend, err, errlen);
		return NULL;
	}
	if (where == NULL || *where == '\0') {
		snprintf(err, errlen, "%s store: no file or database given",
			 ops->name);
		return NULL;
	}
	st = xcalloc(1, sizeof(*st));
	st->ops = ops;
	st->where = xstrdup(where);
	st->readonly = readonly != 0;
	if (ops->open(st) == 0)
		return st;
	snprintf(err, errlen, "%s", vstore_error(st));
	vstore_last.st = NULL; /* st is about to be freed */
	free(st->where);
	free(st);
	return NULL;
}

/* vstore_shown - the store as messages may name it: a file's path, a
 * database without its password */
void
vstore_shown(const char *backend, const char *where, char *buf, size_t len)
{
	char *name = NULL;

	if (backend != NULL && strcmp(backend, vstore_pg_ops.name) == 0)
		name = pg_dsn_name(where ? where : "");
	snprintf(buf, len, "%s", name ? name : where ? where : "");
	free(name);
}

/* vstore_state - where the store is, and its schema's state */
int
vstore_state(struct vstore *st, char *buf, size_t len)
{
	if (st->ops->state == NULL) {
		snprintf(buf, len, "%s store %s: opened", st->ops->name,
			 st->where);
		return 0;
	}
	return st->ops->state(st, buf, len);
}

/* vstore_close - close and free the store */
void
vstore_close(struct vstore *st)
{
	if (st == NULL)
		return;
	st->ops->close(st);
	if (vstore_last.st == st)
		vstore_last.st = NULL;
	free(st->where);
	free(st);
}

/* vstore_strip - [*s, *e) without spaces or tabs at either end */
static void
vstore_strip(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

/* utf8_len - the length of the UTF-8 sequence that starts with byte c,
 * or 0 if none can */
static unsigned
utf8_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0; /* a continuation byte, or an overlong start */
	if (c < 0xe0)
		return 2;
	if (c < 0xf0)
		return 3;
	return c < 0xf5 ? 4 : 0;
}

/* vstore_utf8 - s[0..len) is valid UTF-8 (no overlong forms, no
 * surrogates, nothing past U+10FFFF): what a UTF-8 database accepts, so
 * that every backend keeps and finds the same addresses */
static int
vstore_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned n = utf8_len(*p);
		if (n == 0 || (size_t)(end - p) < n)
			return 0;
		for (unsigned k = 1; k < n; k++)
			if ((p[k] & 0xc0) != 0x80)
				return 0;
		if ((*p == 0xe0 && p[1] < 0xa0) ||
		    (*p == 0xed && p[1] > 0x9f) ||
		    (*p == 0xf0 && p[1] < 0x90) || (*p == 0xf4 && p[1] > 0x8f))
			return 0;
		p += n;
	}
	return 1;
}

/* vstore_unroute - past a source route ("@a,@b:user@domain"), which
 * Postfix drops from the address it queues */
static void
vstore_unroute(const char **s, const char *e)
{
	const char *colon;

	if (*s < e && **s == '@' &&
	    (colon = memchr(*s, ':', (size_t)(e - *s))) != NULL)
		*s = colon + 1;
}

/* vstore_unquote - a quoted local part that needs no quotes
 * ("victim"@example.com) as Postfix writes it once queued, unquoted,
 * into buf; 1 if it was one */
static int
vstore_unquote(const char *s, const char *e, char *buf, size_t buflen)
{
	const char *q = s + 1;

	if (e - s < 3 || *s != '"')
		return 0;
	while (
	    q < e && *q != '"' &&
	    (isalnum((unsigned char)*q) || strchr("!#$%&'*+-/=?^_`{|}~.", *q)))
		q++;
	if (q == s + 1 || q >= e || *q != '"' || q + 1 >= e || q[1] != '@' ||
	    (size_t)(e - s) >= buflen)
		return 0;
	snprintf(buf, buflen, "%.*s%.*s", (int)(q - s - 1), s + 1,
		 (int)(e - q - 1), q + 1);
	return 1;
}

/* vstore_normalise - the address without <>, a source route or needless
 * quotes, lowercased (so that the form a client wrote and the one
 * Postfix queued are one key); "" when it is longer than
 * VSTORE_ADDR_MAX (never cut: a cut address would be another address's
 * key) or not valid UTF-8 (a PostgreSQL store would refuse it, and with
 * it the writer's whole batch) */
void
vstore_normalise(const char *in, char out[VSTORE_ADDR_MAX + 1])
{
	const char *s = in ? in : "", *e = s + strlen(s);
	char unquoted[VSTORE_ADDR_MAX + 2];
	size_t len;

	vstore_strip(&s, &e);
	if (e - s >= 2 && *s == '<' && e[-1] == '>') {
		s++;
		e--;
		vstore_strip(&s, &e);
	}
	vstore_unroute(&s, e);
	if (vstore_unquote(s, e, unquoted, sizeof(unquoted))) {
		s = unquoted;
		e = s + strlen(s);
	}
	len = (size_t)(e - s);
	if (len > VSTORE_ADDR_MAX || !vstore_utf8(s, len))
		len = 0;
	for (size_t i = 0; i < len; i++)
		out[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a')
						    : s[i];
	out[len] = '\0';
}

/* vstore_field - normalise a field of the caller's row, NUL or not */
static void
vstore_field(const char *field, size_t size, char out[VSTORE_ADDR_MAX + 1])
{
	char copy[VSTORE_ADDR_MAX + 2];

	snprintf(copy, sizeof(copy), "%.*s", (int)strnlen(field, size), field);
	vstore_normalise(copy, out);
}

/* vstore_how_ok - how is words of a-z, 0-9, joined by '+'; lowercased */
static int
vstore_how_ok(const char *in, size_t size, char out[VSTORE_HOW_MAX + 1])
{
	size_t len = strnlen(in, size);

	if (len == 0 || len > VSTORE_HOW_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char ch = in[i] >= 'A' && in[i] <= 'Z'
			      ? (char)(in[i] - 'A' + 'a')
			      : in[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '+'))
			return 0;
		out[i] = ch;
	}
	out[len] = '\0';
	return 1;
}

/* vstore_row_check - row i normalised into out; -1 if it is not valid */
static int
vstore_row_check(const struct vstore *st, const struct vstore_row *in,
		 struct vstore_row *out, size_t i)
{
	const char *bad = NULL;
	char why[128];

	memset(out, 0, sizeof(*out));
	out->table = in->table;
	vstore_field(in->addr, sizeof(in->addr), out->addr);
	if (in->table == VSTORE_CONTACT)
		vstore_field(in->local, sizeof(in->local), out->local);
	if (in->table != VSTORE_VERIFIED && in->table != VSTORE_CONTACT)
		bad = "no such table";
	else if (out->addr[0] == '\0')
		bad = "empty address";
	else if (in->table == VSTORE_CONTACT && out->local[0] == '\0')
		bad = "empty local address";
	else if (in->table == VSTORE_VERIFIED &&
		 !vstore_how_ok(in->how, sizeof(in->how), out->how))
		bad = "\"how\" is not words of a-z and 0-9 joined by +";
	if (bad) {
		snprintf(why, sizeof(why), "row %zu: %s", i + 1, bad);
		return vstore_fail(st, "cannot store", why);
	}
	out->last = in->last;
	out->first = in->first && in->first < in->last ? in->first : in->last;
	out->count = 1;
	return 0;
}

/* vstore_put - store the rows, all or none */
int
vstore_put(struct vstore *st, const struct vstore_row *rows, size_t n)
{
	struct vstore_row *norm;
	int rc;

	if (st->readonly)
		return vstore_fail(st, "cannot store", "opened read-only");
	if (n == 0)
		return 0;
	norm = xcalloc(n, sizeof(*norm));
	for (size_t i = 0; i < n; i++) {
		if (vstore_row_check(st, &rows[i], &norm[i], i) < 0) {
			free(norm);
			return -1;
		}
	}
	rc = st->ops->put(st, norm, n);
	free(norm);
	return rc;
}

/* vstore_get_verified - 1 if addr was verified at since or later */
int
vstore_get_verified(struct vstore *st, const char *addr, time_t since,
		    struct vstore_row *row)
{
	char key[VSTORE_ADDR_MAX + 1];

	vstore_normalise(addr, key);
	if (key[0] == '\0')
		return 0;
	return st->ops->get_verified(st, key, since, row);
}

/* vstore_get_contact - 1 if remote wrote to local (NULL: to anyone) at
 * since or later */
int
vstore_get_contact(struct vstore *st, const char *remote, const char *local,
		   time_t since)
{
	char r[VSTORE_ADDR_MAX + 1], l[VSTORE_ADDR_MAX + 1];

	vstore_normalise(remote, r);
	vstore_normalise(local ? local : "", l);
	if (r[0] == '\0' || (local != NULL && l[0] == '\0'))
		return 0;
	return st->ops->get_contact(st, r, l, since);
}

/* vstore_trim - forget what is too old, then what is too many */
int
vstore_trim(struct vstore *st, time_t cutoff, unsigned long max_rows)
{
	if (st->readonly)
		return vstore_fail(st, "cannot trim", "opened read-only");
	return st->ops->trim(st, cutoff, max_rows);
}

/* vstore_each - every row of a table, most recent first */
int
vstore_each(struct vstore *st, enum vstore_table table,
	    int (*fn)(const struct vstore_row *row, void *arg), void *arg)
{
	if (table != VSTORE_VERIFIED && table != VSTORE_CONTACT)
		return vstore_fail(st, "cannot list", "no such table");
	if (fn == NULL)
		return vstore_fail(st, "cannot list", "no function given");
	return st->ops->each(st, table, fn, arg);
}

/* vstore_forget - remove addr from both tables; how many rows went */
long
vstore_forget(struct vstore *st, const char *addr)
{
	char key[VSTORE_ADDR_MAX + 1];

	if (st->readonly)
		return vstore_fail(st, "cannot forget", "opened read-only");
	vstore_normalise(addr, key);
	if (key[0] == '\0')
		return 0;
	return st->ops->forget(st, key);
}

/* how_word - the next word of *p (words joined by '+'); its length */
static size_t
how_word(const char **p, const char **word)
{
	while (**p == '+')
		(*p)++;
	*word = *p;
	while (**p && **p != '+')
		(*p)++;
	return (size_t)(*p - *word);
}

/* how_has - how has the word w of len bytes */
static int
how_has(const char *how, const char *w, size_t len)
{
	const char *word;
	size_t n;

	while ((n = how_word(&how, &word)) > 0)
		if (n == len && memcmp(word, w, len) == 0)
			return 1;
	return 0;
}

/* how_add - add the word to out unless there; -1 if there is no room */
static int
how_add(char out[VSTORE_HOW_MAX + 1], const char *w, size_t len)
{
	size_t have = strlen(out);

	if (how_has(out, w, len))
		return 0;
	if (have + (have > 0) + len > VSTORE_HOW_MAX)
		return -1;
	if (have > 0)
		out[have++] = '+';
	memcpy(out + have, w, len);
	out[have + len] = '\0';
	return 0;
}

/* vstore_how_merge - "admin" wins; else every mechanism of both, spf
 * and dkim first ("spf" then "dkim": "spf+dkim"); old if that is long */
void
vstore_how_merge(const char *old, const char *add, char out[VSTORE_HOW_MAX + 1])
{
	static const char *const first[] = {"spf", "dkim"};
	const char *from[2] = {old ? old : "", add ? add : ""}, *p, *w;
	size_t len;

	if (strcmp(from[0], "admin") == 0 || strcmp(from[1], "admin") == 0) {
		snprintf(out, VSTORE_HOW_MAX + 1, "admin");
		return;
	}
	out[0] = '\0';
	for (size_t i = 0; i < 2; i++)
		if (how_has(from[0], first[i], strlen(first[i])) ||
		    how_has(from[1], first[i], strlen(first[i])))
			how_add(out, first[i], strlen(first[i]));
	for (size_t i = 0; i < 2; i++) {
		p = from[i];
		while ((len = how_word(&p, &w)) > 0) {
			if (how_add(out, w, len) < 0) {
				snprintf(out, VSTORE_HOW_MAX + 1, "%s",
					 from[0]);
				return;
			}
		}
	}
}
