/*
 * token - one-use passes for mail clamgate itself sends back through the
 * MTA: a message released from quarantine (X-Clamgate-Release) and its
 * own notify-admin notices (X-Clamgate-Notify)
 *
 * A token is "ID EXPIRY FLAGS MAC".  MAC is HMAC-SHA256, keyed with the
 * store's key (DIR/.release-key, loaded once with token_key_load), over
 * the id, the expiry and a digest of the message's content: its body, its
 * Subject and MIME headers (every occurrence, present or not), and its
 * Message-ID and Date when it had them (FLAGS, letters of "smdvcep", say
 * which).  These are what an MTA leaves alone when the message is
 * submitted again; the envelope, From and To are not (canonical maps,
 * masquerading, myorigin rewrite them), nor are Received and the
 * headers an MTA adds when they are missing.
 * The body digest ignores CR before LF and empty lines at the end, as an
 * MTA may convert line ends and add a final newline.
 *
 * The token is good for TOKEN_TTL seconds and for one use: token_use()
 * records it in DIR/.used (an O_EXCL file, fsynced, so a restart keeps
 * it) when clamgate lets the message pass; token_unuse() gives it back
 * if the MTA could not be told (so that its retry still works).
 *
 * GLib (GChecksum, GHmac) is used here and only here: for the tokens, and
 * for the SHA-256 that clamgate-quarantine migrate checks copies with.
 */
#ifndef CLAMGATE_TOKEN_H
#define CLAMGATE_TOKEN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TOKEN_NOTIFY_ID	  "notify"
#define TOKEN_TTL	  600
#define TOKEN_KEY_BYTES	  32
#define TOKEN_ID_MAX	  64
#define TOKEN_VALUE_MAX	  200
#define TOKEN_CANON_VALUE 4096 /* header bytes kept for the digest */
#define TOKEN_FIELDS	  7    /* headers covered, see token.c */

struct token_key {
	unsigned char k[TOKEN_KEY_BYTES];
	int loaded;
};

/* what a token is bound to, collected from the message bytes */
struct token_canon {
	int state;     /* where the parser is (token.c) */
	char name[80]; /* the field name being read */
	size_t name_len;
	int field;		   /* which of ours it is, or -1 */
	char *value[TOKEN_FIELDS]; /* the first of each covered header */
	size_t value_len[TOKEN_FIELDS];
	int seen[TOKEN_FIELDS];
	int pending_cr;		  /* body: a CR not yet known to end a line */
	unsigned long pending_nl; /* body: line ends not yet hashed */
	void *body;		  /* GChecksum of the canonical body */
	unsigned char buf[4096];  /* body bytes not yet hashed */
	size_t buf_len;
};

/* a parsed token value */
struct token {
	char id[TOKEN_ID_MAX];
	long long expiry;
	char flags[8];
	char mac[65];
};

void token_canon_init(struct token_canon *c);
void token_canon_add(struct token_canon *c, const void *data, size_t len);
void token_canon_free(struct token_canon *c);

int token_make(const struct token_key *key, const char *id, time_t expiry,
	       struct token_canon *c, char *out, size_t outlen);
int token_parse(const char *value, struct token *t);
const char *token_verify(const struct token_key *key, const struct token *t,
			 time_t now, struct token_canon *c);

/* a SHA-256 of any bytes, in hex (clamgate-quarantine migrate's checks;
 * here, where GLib's checksums already are) */
#define TOKEN_SHA256_HEX 65
void *token_sha256_new(void);
void token_sha256_add(void *sha, const void *data, size_t len);
void token_sha256_end(void *sha, char hex[TOKEN_SHA256_HEX]);

/* token_store.c: the key file and the record of used tokens */
int token_key_load(const char *dir, int create, struct token_key *key);
int token_use(const char *dir, const struct token *t);
void token_unuse(const char *dir, const struct token *t);
long token_expire(const char *dir, time_t now);

#endif
