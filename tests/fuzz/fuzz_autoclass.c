/* fuzz_autoclass - the outbound gate's classifier on any catalogue and any
 * header section.  The input is "CATALOGUE\n%%\nSENDER\nHEADERS" (no %%
 * line: all of it is headers, under the shipped kinds of entries below);
 * the input's length picks facts->recent.  A catalogue that loads has
 * only valid kinds, none human, a field and a pattern; one that does not
 * says "fuzz:LINE:" and leaves the catalogue as it was.  Classification
 * always gives a valid kind, a reason without white space, and
 * needs_recent only for other-auto with recent unknown. */
#include "clamgate/autoclass.h"
#include "clamgate/mime.h"
#include "fuzz.h"

/* a catalogue for inputs without one: a glob field, a subject, the
 * envelope sender */
static const char fuzz_default_cat[] = "av-notice X-*-MailScanner generated\n"
				       "challenge Subject *[Qurb #*]\n"
				       "autoreply Subject Automatic reply:*\n"
				       "autoreply envelope-sender *-ack@*\n";

/* fuzz_headers - "Name: value" lines, continuations folded in */
static void
fuzz_headers(struct hdrlist *l, char *text)
{
	char *line, *next, *name = NULL, *value = NULL;

	for (line = text; line != NULL && *line; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((*line == ' ' || *line == '\t') && value != NULL) {
			line[-1] = ' '; /* join it to the value before */
			continue;
		}
		if (name != NULL)
			hdrlist_add(l, name, value);
		name = line;
		if ((value = strchr(line, ':')) == NULL) {
			name = NULL;
			continue;
		}
		*value++ = '\0';
	}
	if (name != NULL)
		hdrlist_add(l, name, value);
}

/* fuzz_load - the catalogue properties */
static void
fuzz_load(struct autoclass_catalogue *cat, const char *text)
{
	char err[256];

	err[0] = '\0';
	if (autoclass_load_text(cat, "fuzz", text, err, sizeof(err)) < 0) {
		FUZZ_ASSERT(strncmp(err, "fuzz:", 5) == 0);
		FUZZ_ASSERT(cat->count == 0 && cat->entries == NULL);
		return;
	}
	for (size_t i = 0; i < cat->count; i++) {
		const struct autoclass_entry *e = &cat->entries[i];

		FUZZ_ASSERT((unsigned)e->kind < AUTOCLASS_N_KINDS);
		FUZZ_ASSERT(e->kind != AUTOCLASS_HUMAN);
		FUZZ_ASSERT(e->field[0] != '\0' && e->pattern[0] != '\0');
		FUZZ_ASSERT(strchr(e->field, ':') == NULL);
		FUZZ_ASSERT(strncmp(e->where, "fuzz:", 5) == 0);
		FUZZ_ASSERT(strlen(e->pattern) <= AUTOCLASS_LINE_MAX);
	}
}

/* fuzz_classify - the result properties, with and without catalogue */
static void
fuzz_classify(const struct autoclass_catalogue *cat,
	      const struct autoclass_facts *facts)
{
	struct autoclass_result res;
	enum autoclass_kind kind;

	autoclass_classify(cat, facts, &res);
	FUZZ_ASSERT((unsigned)res.kind < AUTOCLASS_N_KINDS);
	FUZZ_ASSERT(
	    autoclass_kind_parse(autoclass_kind_name(res.kind), &kind) == 0 &&
	    kind == res.kind);
	FUZZ_ASSERT(memchr(res.reason, '\0', sizeof(res.reason)) != NULL);
	FUZZ_ASSERT(res.reason[0] != '\0');
	for (const char *p = res.reason; *p; p++)
		FUZZ_ASSERT((unsigned char)*p > ' ' && *p != 0x7f);
	if (res.needs_recent)
		FUZZ_ASSERT(res.kind == AUTOCLASS_OTHER_AUTO &&
			    facts->recent != 0 && facts->recent != 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct autoclass_catalogue cat = {0};
	struct hdrlist l = {0};
	struct autoclass_facts facts = {NULL, &l, (int)(size % 3) - 1};
	char *in = fuzz_str(data, size), *sep, *rest = in, *nl;

	if (!ready) {
		mime_init();
		ready = 1;
	}
	if ((sep = strstr(in, "\n%%\n")) != NULL) {
		*sep = '\0';
		fuzz_load(&cat, in);
		rest = sep + 4;
		facts.sender = rest;
		if ((nl = strchr(rest, '\n')) != NULL) {
			*nl = '\0';
			rest = nl + 1;
		} else {
			rest = rest + strlen(rest);
		}
	} else {
		fuzz_load(&cat, fuzz_default_cat);
		FUZZ_ASSERT(cat.count == 4);
	}
	fuzz_headers(&l, rest);
	fuzz_classify(&cat, &facts);
	fuzz_classify(NULL, &facts);
	facts.headers = NULL;
	fuzz_classify(&cat, &facts);
	autoclass_free(&cat);
	FUZZ_ASSERT(cat.count == 0 && cat.entries == NULL);
	hdrlist_clear(&l);
	free(in);
	return 0;
}
