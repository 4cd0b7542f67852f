/*
 * NAME
 *	quarantine_read - the entries of a quarantine directory
 * DESCRIPTION
 *	quarantine_ids() lists the entries "ID.eml", newest first (ids begin
 *	with their UTC time, so a sort of the names is a sort by time); dot
 *	files, partial writes in progress, are never listed.  Ids accept a
 *	unique prefix (qstore_resolve).  quarantine_read() parses the
 *	X-Clamgate-* envelope, checks that the file holds exactly
 *	Original-Size bytes after it, and picks Subject and Message-ID from
 *	the original headers (quarantine_parse, for both backends of
 *	qstore.h).  Expiry (qstore_expire) works from the ids alone,
 *	without opening the files, and quarantine_usage() counts entries
 *	and their bytes from a stat of each.  quarantine_sweep_temp()
 *	removes the ".ID.tmp" files of writes that never finished (a
 *	crash, kill -9): they are never entries, and the MTA got no answer
 *	for those.
 * DIAGNOSTICS
 *	-1 with errno for a store or entry that cannot be read.  A file
 *	that can be read but is not a valid entry is returned with damaged
 *	set and the problem described, never as an error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clamgate/fdio.h"
#include "clamgate/headers.h"
#include "clamgate/quarantine.h"
#include "clamgate/xmalloc.h"

#define ENVELOPE_PREFIX HDR_ENTRY_PREFIX
#define SIZE_FIELD	HDR_ENTRY_PREFIX HDR_ENTRY_SIZE ": "
#define HEADERS_MAX	(256 * 1024)

/* quarantine_valid_id - ID shape: digits, T, digits, dash, hex */
static int
quarantine_valid_id(const char *name, size_t len)
{
	if (len < 17 || len >= QUARANTINE_ID_MAX || name[8] != 'T' ||
	    name[15] != '-')
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!strchr("0123456789abcdefT-", name[i]))
			return 0;
	return 1;
}

/* quarantine_id_valid - id has the shape of an entry's id: safe as a
 * file name and on a terminal */
int
quarantine_id_valid(const char *id)
{
	return quarantine_valid_id(id, strlen(id));
}

static int
quarantine_cmp_desc(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a);
}

/* quarantine_entry_name - "ID.eml" with a valid id: an entry's file */
static int
quarantine_entry_name(const char *name, size_t len)
{
	return len >= 5 && strcmp(name + len - 4, ".eml") == 0 &&
	       quarantine_valid_id(name, len - 4);
}

/* quarantine_ids - every entry id, newest first */
int
quarantine_ids(const char *dir, char ***ids, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 0;

	*ids = NULL;
	*n = 0;
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (!quarantine_entry_name(e->d_name, len))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			*ids = xrealloc(*ids, cap * sizeof(char *));
		}
		(*ids)[(*n)++] = xstrndup(e->d_name, len - 4);
	}
	closedir(d);
	if (*n > 1)
		qsort(*ids, *n, sizeof(char *), quarantine_cmp_desc);
	return 0;
}

/* quarantine_usage - how many entries, and the bytes their files take;
 * 0, or -1 if the store cannot be listed */
int
quarantine_usage(const char *dir, unsigned long long *entries,
		 unsigned long long *bytes)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;

	*entries = *bytes = 0;
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (!quarantine_entry_name(e->d_name, strlen(e->d_name)) ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) <
			0 ||
		    !S_ISREG(st.st_mode))
			continue;
		(*entries)++;
		*bytes += (unsigned long long)st.st_size;
	}
	closedir(d);
	return 0;
}

void
quarantine_ids_free(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/* quarantine_id_time - the UTC time an id begins with, or -1 */
time_t
quarantine_id_time(const char *id)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(id, "%Y%m%dT%H%M%S", &tm);
	if (end == NULL || *end != '-')
		return -1;
	return timegm(&tm);
}

/* quarantine_damaged - mark e damaged with a reason; returns 0 */
static int
quarantine_damaged(struct quarantine_entry *e, const char *why)
{
	e->damaged = 1;
	snprintf(e->problem, sizeof(e->problem), "%s", why);
	return 0;
}

/* quarantine_chomp - strip the line end */
static size_t
quarantine_chomp(char *line, ssize_t len)
{
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	return (size_t)len;
}

/* quarantine_field - store one envelope header; 1 at Original-Size */
static int
quarantine_field(struct quarantine_entry *e, const char *name,
		 const char *value)
{
	static const struct {
		const char *name;
		size_t offset;
	} fields[] = {
	    {"Sender", offsetof(struct quarantine_entry, sender)},
	    {"Client-Address", offsetof(struct quarantine_entry, client_addr)},
	    {"Client-Name", offsetof(struct quarantine_entry, client_name)},
	    {"Helo", offsetof(struct quarantine_entry, helo)},
	    {"Queue-Id", offsetof(struct quarantine_entry, queue_id)},
	    {"Virus", offsetof(struct quarantine_entry, virus)},
	    {"Action", offsetof(struct quarantine_entry, action)},
	    {"Engine", offsetof(struct quarantine_entry, engine)},
	    {"Released", offsetof(struct quarantine_entry, released)},
	    {"Gate", offsetof(struct quarantine_entry, gate)},
	    {"Host", offsetof(struct quarantine_entry, host)},
	};

	if (strcmp(name, "Recipient") == 0) {
		e->rcpts =
		    xrealloc(e->rcpts, (e->n_rcpts + 1) * sizeof(char *));
		e->rcpts[e->n_rcpts++] = xstrdup(value);
	} else if (strcmp(name, "Time") == 0) {
		e->time = (time_t)strtoll(value, NULL, 10);
	} else if (strcmp(name, HDR_ENTRY_SIZE) == 0) {
		e->size = strtoull(value, NULL, 10);
		return 1;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcmp(name, fields[i].name) == 0) {
			char **slot = (char **)((char *)e + fields[i].offset);
			free(*slot);
			*slot = xstrdup(value);
		}
	}
	return 0;
}

/* quarantine_envelope - parse the X-Clamgate-* block; 1 if complete */
static int
quarantine_envelope(FILE *f, struct quarantine_entry *e)
{
	char *line = NULL, *colon;
	size_t cap = 0;
	ssize_t len;
	int done = 0;

	while (!done && (len = getline(&line, &cap, f)) > 0) {
		quarantine_chomp(line, len);
		if (strncmp(line, ENVELOPE_PREFIX, strlen(ENVELOPE_PREFIX)) !=
			0 ||
		    (colon = strstr(line, ": ")) == NULL)
			break;
		*colon = '\0';
		done = quarantine_field(e, line + strlen(ENVELOPE_PREFIX),
					colon + 2);
	}
	free(line);
	return done;
}

/* quarantine_keep - the first value of a header wins */
static void
quarantine_keep(char **slot, const char *value)
{
	if (*slot == NULL)
		*slot = xstrdup(value);
}

/* quarantine_headers - Subject, Message-ID and the header section */
static void
quarantine_headers(FILE *f, struct quarantine_entry *e, int want)
{
	char *line = NULL, *cur = NULL, *all = NULL;
	size_t cap = 0, curlen = 0, alllen = 0;
	ssize_t len;

	for (;;) {
		len = getline(&line, &cap, f);
		size_t n = len > 0 ? quarantine_chomp(line, len) : 0;
		int cont =
		    len > 0 && n > 0 && (line[0] == ' ' || line[0] == '\t');
		if (cur && !cont) {
			if (strncasecmp(cur, "Subject:", 8) == 0)
				quarantine_keep(&e->subject,
						cur + 8 +
						    strspn(cur + 8, " \t"));
			else if (strncasecmp(cur, "Message-ID:", 11) == 0)
				quarantine_keep(&e->message_id,
						cur + 11 +
						    strspn(cur + 11, " \t"));
			free(cur);
			cur = NULL;
			curlen = 0;
		}
		if (len <= 0 || n == 0 || alllen > HEADERS_MAX)
			break;
		cur = xrealloc(cur, curlen + n + 1);
		memcpy(cur + curlen, line, n + 1);
		curlen += n;
		if (want) {
			all = xrealloc(all, alllen + n + 2);
			memcpy(all + alllen, line, n);
			memcpy(all + alllen + n, "\n", 2);
			alllen += n + 1;
		}
	}
	free(cur);
	free(line);
	e->headers = all;
}

/* quarantine_parse - an entry of total bytes from f: the envelope, and
 * what else was asked for; damaged if it is not a valid entry */
void
quarantine_parse(FILE *f, unsigned long long total, struct quarantine_entry *e,
		 enum quarantine_read_what what)
{
	if (!quarantine_envelope(f, e)) {
		quarantine_damaged(e, "no complete X-Clamgate envelope");
		return;
	}
	e->offset = (unsigned long long)ftello(f);
	if (total != e->offset + e->size)
		quarantine_damaged(e, total < e->offset + e->size
					  ? "truncated"
					  : "longer than its Original-Size");
	else if (what != QUARANTINE_READ_ENVELOPE)
		quarantine_headers(f, e, what == QUARANTINE_READ_HEADERS);
}

/* quarantine_read - one entry; -1 only if it cannot be opened */
int
quarantine_read(const char *dir, const char *id, struct quarantine_entry *e,
		enum quarantine_read_what what)
{
	struct stat st;
	FILE *f;

	memset(e, 0, sizeof(*e));
	snprintf(e->id, sizeof(e->id), "%s", id);
	e->path = xmalloc(strlen(dir) + strlen(id) + 6);
	sprintf(e->path, "%s/%s.eml", dir, id);
	e->time = quarantine_id_time(id);
	if ((f = fopen(e->path, "re")) == NULL)
		return -1;
	if (fstat(fileno(f), &st) < 0) {
		fclose(f);
		return -1;
	}
	quarantine_parse(f, (unsigned long long)st.st_size, e, what);
	fclose(f);
	return 0;
}

/* quarantine_entry_free - everything quarantine_read allocated */
void
quarantine_entry_free(struct quarantine_entry *e)
{
	char **strs[] = {&e->path,	  &e->sender,  &e->client_addr,
			 &e->client_name, &e->helo,    &e->queue_id,
			 &e->virus,	  &e->action,  &e->engine,
			 &e->released,	  &e->gate,    &e->subject,
			 &e->message_id,  &e->headers, &e->host};

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		free(*strs[i]);
		*strs[i] = NULL;
	}
	for (size_t i = 0; i < e->n_rcpts; i++)
		free(e->rcpts[i]);
	free(e->rcpts);
	e->rcpts = NULL;
	e->n_rcpts = 0;
}

/* quarantine_each_original - call fn on the original message's bytes, in
 * pieces; stops at fn's first non-zero return (returned), -1 on error */
int
quarantine_each_original(const struct quarantine_entry *e,
			 int (*fn)(const void *data, size_t len, void *arg),
			 void *arg)
{
	int in = open(e->path, O_RDONLY | O_CLOEXEC), rc;

	if (in < 0)
		return -1;
	rc = fdio_each(in, e->offset, e->size, fn, arg);
	if (close(in) < 0 && rc == 0)
		rc = -1;
	return rc;
}

/* quarantine_copy_original - the message exactly as received */
int
quarantine_copy_original(const struct quarantine_entry *e, int fd)
{
	return quarantine_each_original(e, fdio_write_chunk, &fd);
}

/* quarantine_remove - delete one entry */
int
quarantine_remove(const char *dir, const char *id)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s.eml", dir, id);
	return unlink(path);
}

/* quarantine_sweep_temp - remove unfinished writes (".*.tmp", never seen
 * as entries) last changed before cutoff: what a crash or kill -9 in the
 * middle of a write leaves; how many, or -1 */
long
quarantine_sweep_temp(const char *dir, time_t cutoff)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	long count = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] != '.' || len < 5 ||
		    strcmp(de->d_name + len - 4, ".tmp") != 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) <
			0 ||
		    !S_ISREG(st.st_mode) || st.st_mtime >= cutoff)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			count++;
	}
	closedir(d);
	return count;
}

/* quarantine_last_line - where the envelope's last line (Original-Size)
 * begins: values are cleaned of CR/LF when written, so no value can
 * pose as it */
static const char *
quarantine_last_line(const char *env, size_t len)
{
	const char *p = env + len;

	if (len < 2)
		return NULL;
	p -= 2; /* the CRLF ending the last line */
	while (p > env && p[-1] != '\n')
		p--;
	return strncmp(p, SIZE_FIELD, strlen(SIZE_FIELD)) == 0 ? p : NULL;
}

/* quarantine_released_env - env (len bytes) with X-Clamgate-Released:
 * NOTE added before its last line; NULL if env is not an envelope */
char *
quarantine_released_env(const char *env, size_t len, const char *note,
			size_t *outlen)
{
	char clean[512], *out;
	const char *last = quarantine_last_line(env, len);
	size_t i, head;

	if (last == NULL)
		return NULL;
	for (i = 0; note[i] && i + 1 < sizeof(clean); i++)
		clean[i] = (unsigned char)note[i] < 0x20 ? '?' : note[i];
	clean[i] = '\0';
	head = (size_t)(last - env);
	out = xmalloc(len + i + 64);
	*outlen =
	    (size_t)sprintf(out, "%.*s" HDR_ENTRY_PREFIX "Released: %s\r\n",
			    (int)head, env, clean);
	memcpy(out + *outlen, last, len - head);
	*outlen += len - head;
	return out;
}

/* quarantine_read_env - the envelope's bytes as in the file (caller
 * frees); 0 or -1 */
int
quarantine_read_env(const struct quarantine_entry *e, char **env, size_t *len)
{
	FILE *f = fopen(e->path, "re");

	*env = xmalloc(e->offset + 1);
	*len = (size_t)e->offset;
	if (f != NULL && fread(*env, 1, e->offset, f) == e->offset) {
		fclose(f);
		(*env)[e->offset] = '\0';
		return 0;
	}
	if (f != NULL)
		fclose(f);
	free(*env);
	*env = NULL;
	return -1;
}

/* quarantine_mark_released - add X-Clamgate-Released, atomically */
int
quarantine_mark_released(const struct quarantine_entry *e, const char *note)
{
	char tmp[4200], *env = NULL, *out = NULL;
	const char *slash = strrchr(e->path, '/');
	size_t len, outlen;
	int fd = -1, rc = -1;

	snprintf(tmp, sizeof(tmp), "%.*s/.%s.released.%ld.tmp",
		 (int)(slash ? slash - e->path : 1), slash ? e->path : ".",
		 e->id, (long)getpid());
	if (quarantine_read_env(e, &env, &len) < 0)
		goto out;
	if ((out = quarantine_released_env(env, len, note, &outlen)) == NULL) {
		errno = EINVAL;
		goto out;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		goto out;
	if (fdio_write_all(fd, out, outlen) < 0 ||
	    quarantine_copy_original(e, fd) < 0 || fsync(fd) < 0)
		goto out;
	rc = rename(tmp, e->path);
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && fd >= 0)
		unlink(tmp);
	free(env);
	free(out);
	return rc;
}
