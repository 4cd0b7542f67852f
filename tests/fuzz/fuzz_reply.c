/* fuzz_reply - what goes into an SMTP reply: the virus name sanitised to
 * printable ASCII and capped; the template expanded to printable ASCII
 * where every % is doubled (libmilter's MTAs read % specially); the
 * configured reject_reply parsed to a 5XX code */
#include "clamgate/reply.h"
#include "fuzz.h"

/* printable_even - printable ASCII, and every run of % of even length */
static int
printable_even(const char *s)
{
	size_t run = 0;

	for (; *s; s++) {
		if (*s < 0x20 || *s > 0x7e)
			return 0;
		if (*s == '%') {
			run++;
			continue;
		}
		if (run % 2)
			return 0;
		run = 0;
	}
	return run % 2 == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_str(data, size), clean[REPLY_VIRUS_MAX + 1];
	char text[REPLY_TEXT_MAX + 1], code[4], xcode[12];
	const char *rest;

	reply_sanitize(in, clean, sizeof(clean), REPLY_VIRUS_MAX);
	FUZZ_ASSERT(strlen(clean) <= REPLY_VIRUS_MAX);
	for (const char *p = clean; *p; p++)
		FUZZ_ASSERT(*p >= 0x20 && *p <= 0x7e);
	reply_expand(in, in, text, sizeof(text));
	FUZZ_ASSERT(strlen(text) <= REPLY_TEXT_MAX);
	FUZZ_ASSERT(printable_even(text));
	reply_expand("Virus %v found; message rejected", in, text,
		     sizeof(text));
	FUZZ_ASSERT(printable_even(text));
	if (reply_parse(in, code, xcode, &rest) == 0)
		FUZZ_ASSERT(strlen(code) == 3 && code[0] == '5' &&
			    xcode[0] == '5' && *rest != '\0');
	free(in);
	return 0;
}
