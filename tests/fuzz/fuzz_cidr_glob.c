/* fuzz_cidr_glob - trusted_relays entries and rule globs from the
 * configuration: a range that parses prints back to one that parses to
 * the same range and contains its own network address; a glob always
 * matches itself once its wildcards are taken literally where possible */
#include <arpa/inet.h>

#include "clamgate/cidr.h"
#include "clamgate/strconv.h"
#include "fuzz.h"

/* fuzz_cidr - the range properties */
static void
fuzz_cidr(const char *text)
{
	struct cidr a, b;
	struct sockaddr_storage ss;
	char buf[64];

	if (cidr_parse(text, &a) < 0)
		return;
	FUZZ_ASSERT(a.family == AF_INET || a.family == AF_INET6);
	FUZZ_ASSERT(a.prefix <= (a.family == AF_INET ? 32u : 128u));
	cidr_format(&a, buf, sizeof(buf));
	FUZZ_ASSERT(cidr_parse(buf, &b) == 0);
	FUZZ_ASSERT(a.family == b.family && a.prefix == b.prefix &&
		    memcmp(a.addr, b.addr, sizeof(a.addr)) == 0);
	memset(&ss, 0, sizeof(ss));
	if (a.family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		in->sin_family = AF_INET;
		memcpy(&in->sin_addr, a.addr, 4);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, a.addr, 16);
	}
	FUZZ_ASSERT(cidr_match(&a, (struct sockaddr *)&ss));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_str(data, size), *star;
	char *nl = strchr(in, '\n');

	fuzz_cidr(in);
	/* "pattern\ntext": any answer, no crash; and every pattern matches
	 * itself with each * and ? kept as the character */
	if (nl) {
		*nl = '\0';
		(void)strconv_glob_match(in, nl + 1);
	}
	FUZZ_ASSERT(strconv_glob_match(in, in) == 1);
	if ((star = malloc(strlen(in) + 2)) == NULL)
		abort();
	snprintf(star, strlen(in) + 2, "%s*", in);
	FUZZ_ASSERT(strconv_glob_match(star, in) == 1);
	free(star);
	free(in);
	return 0;
}
