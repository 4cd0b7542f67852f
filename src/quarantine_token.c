/*
 * NAME
 *	quarantine_token - release tokens for messages let out of quarantine
 * DESCRIPTION
 *	A message released with clamgate-quarantine goes back through the
 *	MTA's non-SMTP path, where clamgate would find the same virus and
 *	quarantine it again.  The release carries a header
 *
 *	    X-Clamgate-Release: ID EXPIRY MAC
 *
 *	MAC is HMAC-SHA256, keyed with DIR/.release-key (random, 0600, made
 *	on first use by the store's owner), over the id, the expiry time and
 *	the envelope (sender and sorted recipients).  The daemon accepts the
 *	message unscanned only on the non-SMTP path, before the expiry
 *	(QUARANTINE_RELEASE_TTL seconds), with the same envelope.  Anyone who
 *	can read the store can release mail anyway; the header is worthless
 *	from outside, on SMTP, or with another envelope.
 * DIAGNOSTICS
 *	-1 when the key cannot be read or made, or the token does not verify.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "clamgate/quarantine.h"
#include "clamgate/xmalloc.h"

#define KEY_BYTES 32

/* token_key - the store's key, made if missing; 0 or -1 */
static int
token_key(const char *dir, unsigned char key[KEY_BYTES])
{
	char path[4096], tmp[4200];
	int fd;

	snprintf(path, sizeof(path), "%s/.release-key", dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		ssize_t n = read(fd, key, KEY_BYTES);
		close(fd);
		return n == KEY_BYTES ? 0 : -1;
	}
	if (errno != ENOENT ||
	    getrandom(key, KEY_BYTES, 0) != (ssize_t)KEY_BYTES)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s/.release-key.%ld", dir, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		return -1;
	if (write(fd, key, KEY_BYTES) != KEY_BYTES || fsync(fd) < 0 ||
	    close(fd) < 0 || link(tmp, path) < 0) {
		unlink(tmp);
		/* another writer won the race: use its key */
		return errno == EEXIST ? token_key(dir, key) : -1;
	}
	unlink(tmp);
	return 0;
}

static int
token_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* token_mac - hex HMAC over id, expiry and envelope (caller frees) */
static char *
token_mac(const unsigned char *key, const char *id, long long expiry,
	  const char *sender, char *const *rcpts, size_t n)
{
	GString *msg = g_string_new(NULL);
	char **sorted = xcalloc(n, sizeof(char *));
	gchar *mac;
	char *out;

	if (n > 0)
		memcpy(sorted, rcpts, n * sizeof(char *));
	qsort(sorted, n, sizeof(char *), token_cmp);
	g_string_printf(msg, "v1\n%s\n%lld\n%s\n", id, expiry,
			sender ? sender : "");
	for (size_t i = 0; i < n; i++)
		g_string_append_printf(msg, "%s\n", sorted[i]);
	mac = g_compute_hmac_for_data(G_CHECKSUM_SHA256, key, KEY_BYTES,
				      (const guchar *)msg->str, msg->len);
	out = xstrdup(mac);
	g_free(mac);
	g_string_free(msg, TRUE);
	free(sorted);
	return out;
}

/* quarantine_release_token - the X-Clamgate-Release value */
int
quarantine_release_token(const char *dir, const char *id, time_t expiry,
			 const char *sender, char *const *rcpts, size_t n_rcpts,
			 char *out, size_t outlen)
{
	unsigned char key[KEY_BYTES];
	char *mac;

	if (token_key(dir, key) < 0)
		return -1;
	mac = token_mac(key, id, (long long)expiry, sender, rcpts, n_rcpts);
	snprintf(out, outlen, "%s %lld %s", id, (long long)expiry, mac);
	free(mac);
	return 0;
}

/* token_equal - compare in constant time */
static int
token_equal(const char *a, const char *b, size_t n)
{
	unsigned char diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* quarantine_release_verify - 0 if value is valid for this envelope now */
int
quarantine_release_verify(const char *dir, const char *value, time_t now,
			  const char *sender, char *const *rcpts,
			  size_t n_rcpts)
{
	char id[QUARANTINE_ID_MAX], mac[80], *want;
	unsigned char key[KEY_BYTES];
	long long expiry;
	int ok;

	if (sscanf(value, " %63s %lld %79s", id, &expiry, mac) != 3 ||
	    expiry < (long long)now ||
	    expiry > (long long)now + QUARANTINE_RELEASE_TTL)
		return -1;
	if (token_key(dir, key) < 0)
		return -1;
	want = token_mac(key, id, expiry, sender, rcpts, n_rcpts);
	ok =
	    strlen(want) == strlen(mac) && token_equal(want, mac, strlen(want));
	free(want);
	return ok ? 0 : -1;
}
