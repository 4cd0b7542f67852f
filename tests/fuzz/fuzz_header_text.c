/* fuzz_header_text - a header as the sender wrote it (RFC 2047 words,
 * any bytes) decoded for display, repaired to UTF-8, and made safe for a
 * terminal: no C0 (but tab), DEL or C1 control survives cli_text() */
#include <glib.h>

#include "clamgate/cli.h"
#include "clamgate/mime.h"
#include "fuzz.h"

/* terminal_safe - valid UTF-8 without C0 (tab aside), DEL or C1 */
static int
terminal_safe(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!g_utf8_validate(s, -1, NULL))
		return 0;
	for (; *p; p++) {
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return 0;
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 0;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	char *in = fuzz_str(data, size), *dec, *safe, *utf8;

	if (!ready) {
		mime_init();
		ready = 1;
	}
	dec = mime_decode_header(in);
	safe = cli_text(dec, 0);
	FUZZ_ASSERT(terminal_safe(safe));
	free(safe);
	safe = cli_text(in, 0);
	FUZZ_ASSERT(terminal_safe(safe));
	utf8 = mime_utf8(in);
	FUZZ_ASSERT(g_utf8_validate(utf8, -1, NULL));
	free(utf8);
	free(safe);
	free(dec);
	free(in);
	return 0;
}
