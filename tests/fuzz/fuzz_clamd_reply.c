/* fuzz_clamd_reply - clamd_reply_parse() on any reply a server could send:
 * never a crash, and never "clean" unless the reply said "...: OK"; and
 * clamd_reply_db_time() on it as a VERSION reply: a time, or 0 */
#include "clamgate/clamd_reply.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *reply = fuzz_str(data, size);
	struct scan_result res;
	size_t len = strlen(reply);

	memset(&res, 0, sizeof(res));
	res.status = SCAN_ERROR;
	if (clamd_reply_parse(reply, 30, &res) == 0) {
		FUZZ_ASSERT(
		    res.status == SCAN_CLEAN || res.status == SCAN_INFECTED ||
		    res.status == SCAN_INCOMPLETE || res.status == SCAN_ERROR);
		if (res.status == SCAN_CLEAN)
			FUZZ_ASSERT(len >= 4 &&
				    strcmp(reply + len - 4, ": OK") == 0);
		FUZZ_ASSERT(memchr(res.virus, '\0', sizeof(res.virus)));
		FUZZ_ASSERT(memchr(res.detail, '\0', sizeof(res.detail)));
	}
	FUZZ_ASSERT(clamd_reply_db_time(reply) >= 0);
	free(reply);
	return 0;
}
