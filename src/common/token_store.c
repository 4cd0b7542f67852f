/*
 * NAME
 *	token_store - the token key file and the record of used tokens
 * SYNOPSIS
 *	int token_key_load(dir, create, key)
 *	int token_use(dir, token); void token_unuse(dir, token)
 *	long token_expire(dir, now)
 * DESCRIPTION
 *	The key is DIR/.release-key, 32 random bytes, mode 0600, made on
 *	first use by whoever owns the store (the daemon after its privilege
 *	drop, or clamgate-quarantine).  It is written under a name unique to
 *	the process and thread, then linked into place, so that two first
 *	uses at once both end up with the one key that won.
 *
 *	A used token is DIR/.used/MAC (the first 32 hex digits of its MAC),
 *	created with O_EXCL and fsynced with its directory: the one
 *	submission that creates it passes, every later one with the same
 *	token finds it.  token_expire() removes records whose token has
 *	expired, which can no longer pass anyway.
 * DIAGNOSTICS
 *	token_key_load() and token_use() return -1 with errno set;
 *	token_use() returns 1 for a token used before.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clamgate/fdio.h"
#include "clamgate/token.h"

#define USED_DIR     ".used"
#define USED_NAMELEN 32

/* token_key_read - 0 if path holds a whole key */
static int
token_key_read(const char *path, struct token_key *key)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, key->k, TOKEN_KEY_BYTES);
	close(fd);
	if (n != TOKEN_KEY_BYTES) {
		errno = EINVAL;
		return -1;
	}
	key->loaded = 1;
	return 0;
}

/* token_key_create - a new key, linked into place unless one exists */
static int
token_key_create(const char *path, struct token_key *key)
{
	char tmp[4200];
	unsigned long long r;
	int fd, rc = 0;

	if (getrandom(key->k, TOKEN_KEY_BYTES, 0) != TOKEN_KEY_BYTES ||
	    getrandom(&r, sizeof(r), 0) != sizeof(r))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.%ld.%llx", path, (long)getpid(), r);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, key->k, TOKEN_KEY_BYTES) != TOKEN_KEY_BYTES ||
	    fsync(fd) < 0)
		rc = -1;
	if (close(fd) < 0)
		rc = -1;
	if (rc == 0 && link(tmp, path) == 0)
		key->loaded = 1;
	else if (rc == 0 && errno == EEXIST)
		rc = token_key_read(path, key); /* another writer won */
	else
		rc = -1;
	unlink(tmp);
	return rc;
}

/* token_key_load - the store's key; made if missing and create is set */
int
token_key_load(const char *dir, int create, struct token_key *key)
{
	char path[4096];

	memset(key, 0, sizeof(*key));
	snprintf(path, sizeof(path), "%s/.release-key", dir);
	if (token_key_read(path, key) == 0)
		return 0;
	if (errno != ENOENT || !create)
		return -1;
	return token_key_create(path, key);
}

/* token_used_path - DIR/.used and DIR/.used/NAME */
static void
token_used_path(const char *dir, const struct token *t, char *d, size_t dlen,
		char *f, size_t flen)
{
	snprintf(d, dlen, "%s/%s", dir, USED_DIR);
	snprintf(f, flen, "%s/%s/%.*s", dir, USED_DIR, USED_NAMELEN, t->mac);
}

/* token_use - record the use: 0, 1 if used before, -1 on error */
int
token_use(const char *dir, const struct token *t)
{
	char d[4096], f[4200], line[32];
	int fd, n, rc = 0;

	token_used_path(dir, t, d, sizeof(d), f, sizeof(f));
	if (mkdir(d, 0700) < 0 && errno != EEXIST)
		return -1;
	fd = open(f, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? 1 : -1;
	n = snprintf(line, sizeof(line), "%lld\n", t->expiry);
	if (write(fd, line, (size_t)n) != n || fsync(fd) < 0)
		rc = -1;
	if (close(fd) < 0)
		rc = -1;
	if (rc == 0 && fdio_sync_dir(d) < 0)
		rc = -1;
	if (rc < 0)
		unlink(f);
	return rc;
}

/* token_unuse - forget a use (the message did not pass after all) */
void
token_unuse(const char *dir, const struct token *t)
{
	char d[4096], f[4200];

	token_used_path(dir, t, d, sizeof(d), f, sizeof(f));
	unlink(f);
}

/* token_expired - does the record at path belong to an expired token? */
static int
token_expired(int dfd, const char *name, time_t now)
{
	char line[32] = "";
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, line, sizeof(line) - 1);
	close(fd);
	line[n > 0 ? n : 0] = '\0';
	return atoll(line) + 60 < (long long)now;
}

/* token_expire - remove the records of expired tokens; how many */
long
token_expire(const char *dir, time_t now)
{
	char d[4096];
	struct dirent *de;
	long n = 0;
	DIR *dp;

	snprintf(d, sizeof(d), "%s/%s", dir, USED_DIR);
	if ((dp = opendir(d)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(dp)) != NULL) {
		if (strlen(de->d_name) != USED_NAMELEN)
			continue;
		if (token_expired(dirfd(dp), de->d_name, now) &&
		    unlinkat(dirfd(dp), de->d_name, 0) == 0)
			n++;
	}
	closedir(dp);
	return n;
}
