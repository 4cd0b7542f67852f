/* fuzz_token - the X-Clamgate-Release / X-Clamgate-Notify value and the
 * message it claims: any value the sender writes, on any message, never
 * verifies against a key it does not know; a token made for a message
 * verifies for it, once the same bytes are seen again.  The input is
 * "VALUE\nMESSAGE". */
#include "clamgate/token.h"
#include "fuzz.h"

/* canon - the canonical form of msg */
static void
canon(struct token_canon *c, const char *msg, size_t len)
{
	token_canon_init(c);
	/* in two pieces: the digest must not depend on how data arrives */
	token_canon_add(c, msg, len / 2);
	token_canon_add(c, msg + len / 2, len - len / 2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct token_key key = {{0x5a, 0x17, 0x99, 0x01}, 1};
	char *in = fuzz_str(data, size), *nl = strchr(in, '\n');
	const char *msg = nl ? nl + 1 : "";
	size_t len = nl ? size - (size_t)(nl + 1 - in) : 0;
	char made[TOKEN_VALUE_MAX];
	struct token_canon c;
	struct token t;

	if (nl)
		*nl = '\0';
	if (token_parse(in, &t) == 0) {
		FUZZ_ASSERT(memchr(t.id, '\0', sizeof(t.id)));
		canon(&c, msg, len);
		/* a MAC the sender chose is not ours: forging one from the
		 * fuzzer's bytes would be a break of HMAC-SHA256 */
		/* just before its expiry, so that the MAC is what is judged */
		time_t now = t.expiry > 0 ? (time_t)(t.expiry - 1) : 0;
		FUZZ_ASSERT(token_verify(&key, &t, now, &c) != NULL);
		token_canon_free(&c);
	}
	canon(&c, msg, len);
	if (token_make(&key, "20261201T000000-00000000000000c1", 1000, &c, made,
		       sizeof(made)) == 0) {
		token_canon_free(&c);
		FUZZ_ASSERT(token_parse(made, &t) == 0);
		canon(&c, msg, len);
		FUZZ_ASSERT(token_verify(&key, &t, 999, &c) == NULL);
		token_canon_free(&c);
		canon(&c, msg, len);
		FUZZ_ASSERT(token_verify(&key, &t, 1001, &c) != NULL);
	}
	token_canon_free(&c);
	free(in);
	return 0;
}
