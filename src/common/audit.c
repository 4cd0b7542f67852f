/*
 * NAME
 *	audit - the record of releases and deletes
 * SYNOPSIS
 *	audit_record(dir, now, "release", id, "to=<a@b>")
 * DESCRIPTION
 *	Every release, delete and purge by clamgate-quarantine appends one
 *	line to DIR/.audit: the UTC time, the action, the entry id, who
 *	(uid, its user name, SUDO_USER and SUDO_UID when sudo set them),
 *	the host, and a detail (the recipients of a release).  SUDO_USER
 *	is what sudo says, not a proof: a user who can write the store can
 *	set it, as root can anything; it names the person when the
 *	administrators work through sudo, as they should.  Each line is one
 *	write(2) on an O_APPEND descriptor, then fsync: lines of two
 *	processes never interleave, and a line reported written is on disk.
 *	The file is a dot file, so quarantine_ids() never takes it for an
 *	entry; the daemon's retention never removes it.
 * DIAGNOSTICS
 *	-1 with errno if the line could not be written; the caller says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clamgate/audit.h"
#include "clamgate/fdio.h"

#define AUDIT_LINE_MAX 4096

/* audit_clean - in as a value: printable ASCII, no space, bounded */
static void
audit_clean(const char *in, char *out, size_t len)
{
	size_t n = 0;

	for (; in && *in && n + 1 < len; in++)
		out[n++] = (*in > 0x20 && *in < 0x7f) ? *in : '?';
	out[n] = '\0';
}

/* audit_host - this host's name, "localhost" if it has none */
void
audit_host(char host[AUDIT_HOST_MAX])
{
	char raw[AUDIT_HOST_MAX];

	if (gethostname(raw, sizeof(raw)) < 0 || raw[0] == '\0')
		snprintf(raw, sizeof(raw), "localhost");
	raw[sizeof(raw) - 1] = '\0';
	audit_clean(raw, host, AUDIT_HOST_MAX);
}

static uid_t audit_uid;	  /* who started the program */
static int audit_uid_set; /* audit_caller() ran */

/* audit_caller - remember who started the program, before it becomes
 * the store's owner (cli_become_owner): the record names the person,
 * not the account the files belong to */
void
audit_caller(void)
{
	audit_uid = getuid();
	audit_uid_set = 1;
}

/* audit_who - "uid=0 user=root sudo_user=alice sudo_uid=1000 host=mx1";
 * SUDO_USER only when root started the program (anyone else can set
 * it) */
void
audit_who(char who[AUDIT_WHO_MAX])
{
	uid_t uid = audit_uid_set ? audit_uid : getuid();
	struct passwd *pw = getpwuid(uid);
	const char *su = getenv("SUDO_USER"), *sid = getenv("SUDO_UID");
	char host[AUDIT_HOST_MAX], name[64], sudo[64], sudo_id[32];
	size_t n;

	audit_host(host);
	audit_clean(pw ? pw->pw_name : "?", name, sizeof(name));
	n = (size_t)snprintf(who, AUDIT_WHO_MAX, "uid=%ld user=%s", (long)uid,
			     name);
	if (uid == 0 && su && *su && n < AUDIT_WHO_MAX) {
		audit_clean(su, sudo, sizeof(sudo));
		audit_clean(sid ? sid : "?", sudo_id, sizeof(sudo_id));
		n += (size_t)snprintf(who + n, AUDIT_WHO_MAX - n,
				      " sudo_user=%s sudo_uid=%s", sudo,
				      sudo_id);
	}
	if (n < AUDIT_WHO_MAX)
		snprintf(who + n, AUDIT_WHO_MAX - n, " host=%s", host);
}

/* audit_record - one line into DIR/.audit; 0 or -1 */
int
audit_record(const char *dir, time_t now, const char *action, const char *id,
	     const char *detail)
{
	char path[4096], line[AUDIT_LINE_MAX], who[AUDIT_WHO_MAX], when[32];
	char clean_id[80], clean_detail[2048];
	struct tm tm;
	int fd, rc = -1, saved;
	size_t len;

	audit_who(who);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	audit_clean(id, clean_id, sizeof(clean_id));
	audit_clean(detail ? detail : "", clean_detail, sizeof(clean_detail));
	len = (size_t)snprintf(
	    line, sizeof(line), "%s action=%s id=%s %s%s%s\n", when, action,
	    clean_id, who, clean_detail[0] ? " " : "", clean_detail);
	if (len >= sizeof(line)) {
		len = sizeof(line) - 1;
		line[len - 1] = '\n';
	}
	snprintf(path, sizeof(path), "%s/" AUDIT_FILE, dir);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0)
		return -1;
	if (fdio_write_all(fd, line, len) == 0 && fsync(fd) == 0)
		rc = 0;
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}
