/* fuzz_authres - Authentication-Results values from any sender: every
 * input parses within the arrays, each string NUL-terminated, every name
 * lowercased; and the verdict on a message carrying the input never
 * crashes.  Input: "sender\ntrusted-id trusted-id ...\nfield\nfield..."
 * (the whole input is parsed as one value too) */
#include "clamgate/authres.h"
#include "clamgate/hdrlist.h"
#include "fuzz.h"

#define FUZZ_MAX_IDS 4

/* fuzz_terminated - s[size] holds a NUL */
static int
fuzz_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* fuzz_lowercase - s has no ASCII capital letter */
static int
fuzz_lowercase(const char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			return 0;
	return 1;
}

/* fuzz_name - a terminated, lowercased, non-empty name */
static void
fuzz_name(const char *s, size_t size)
{
	FUZZ_ASSERT(fuzz_terminated(s, size));
	FUZZ_ASSERT(fuzz_lowercase(s));
	FUZZ_ASSERT(s[0] != '\0');
}

/* fuzz_parse - the parse properties of one value */
static void
fuzz_parse(const char *value)
{
	struct authres ar;
	int rc = authres_parse(value, &ar);

	FUZZ_ASSERT(fuzz_terminated(ar.authserv_id, sizeof(ar.authserv_id)));
	FUZZ_ASSERT(fuzz_lowercase(ar.authserv_id));
	FUZZ_ASSERT((rc == 0) == (ar.authserv_id[0] != '\0'));
	FUZZ_ASSERT(ar.n_results <= AUTHRES_MAX_RESULTS);
	FUZZ_ASSERT(rc == 0 || ar.n_results == 0);
	for (size_t i = 0; i < ar.n_results; i++) {
		const struct authres_result *r = &ar.results[i];
		fuzz_name(r->method, sizeof(r->method));
		fuzz_name(r->result, sizeof(r->result));
		FUZZ_ASSERT(r->n_props <= AUTHRES_MAX_PROPS);
		for (size_t j = 0; j < r->n_props; j++) {
			const struct authres_prop *p = &r->props[j];
			fuzz_name(p->name, sizeof(p->name));
			FUZZ_ASSERT(
			    fuzz_terminated(p->value, sizeof(p->value)));
			FUZZ_ASSERT(authres_prop(r, p->name) != NULL);
		}
	}
}

/* fuzz_line - the next line of *s, cut off, or NULL at the end */
static char *
fuzz_line(char **s)
{
	char *line = *s, *nl;

	if (line == NULL)
		return NULL;
	nl = strchr(line, '\n');
	if (nl != NULL) {
		*nl = '\0';
		*s = nl + 1;
	} else {
		*s = NULL;
	}
	return line;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_str(data, size), *rest = in, *sender, *ids, *field;
	char *items[FUZZ_MAX_IDS], *save = NULL;
	struct cg_strlist trusted = {items, 0};
	struct hdrlist h;
	int how;

	fuzz_parse(in);
	memset(&h, 0, sizeof(h));
	sender = fuzz_line(&rest);
	ids = fuzz_line(&rest);
	for (char *id = ids ? strtok_r(ids, " ", &save) : NULL;
	     id != NULL && trusted.count < FUZZ_MAX_IDS;
	     id = strtok_r(NULL, " ", &save))
		items[trusted.count++] = id;
	while ((field = fuzz_line(&rest)) != NULL) {
		fuzz_parse(field);
		hdrlist_add(&h, "Authentication-Results", field);
	}
	how = authres_verified(&h, sender, &trusted);
	FUZZ_ASSERT((how & ~(AUTHRES_SPF | AUTHRES_DKIM)) == 0);
	FUZZ_ASSERT(strlen(authres_how_name(how)) > 0);
	if (trusted.count == 0 || sender == NULL || sender[0] == '\0' ||
	    !strchr(sender, '@'))
		FUZZ_ASSERT(how == AUTHRES_NONE);
	if (ids != NULL)
		(void)authres_same_org(sender, ids);
	hdrlist_clear(&h);
	free(in);
	return 0;
}
