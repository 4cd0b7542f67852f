/* fuzz_smtp - the notices' SMTP submission on any input: a reply line
 * (what the MTA may answer) and a notice (what smtp_data sends).  A
 * reply code is 100 to 599 or "more lines follow"; the data ends in
 * CRLF.CRLF, has no bare LF, and no line in it is a lone "." before
 * the end. */
#include "clamgate/smtp_submit.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_str(data, size), *out;
	int code = smtp_reply_line(in);
	size_t len;

	FUZZ_ASSERT(code == -1 || code == 0 || (code >= 100 && code <= 599));
	out = smtp_data(in, &len);
	FUZZ_ASSERT(len == strlen(out) && len >= 3);
	FUZZ_ASSERT(strcmp(out + len - 3, ".\r\n") == 0);
	FUZZ_ASSERT(len == 3 ||
		    (len >= 5 && memcmp(out + len - 5, "\r\n", 2) == 0));
	for (size_t i = 0; i < len; i++)
		FUZZ_ASSERT(out[i] != '\n' || (i > 0 && out[i - 1] == '\r'));
	FUZZ_ASSERT(strstr(out, "\r\n.\r\n") == out + len - 5 || len == 3);
	free(out);
	free(in);
	return 0;
}
