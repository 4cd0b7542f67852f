/*
 * NAME
 *	clamd_reply - what one clamd scan reply means
 * SYNOPSIS
 *	int clamd_reply_parse(reply, timeout, res)
 * DESCRIPTION
 *	A pure function on the reply text, read up to its NUL with the
 *	trailing newlines gone: "stream: OK" (or "fd[N]: OK") is clean,
 *	"stream: NAME FOUND" a detection (scan_found: a virus, a limit, or
 *	the time limit), "INSTREAM size limit exceeded. ERROR" a scan error
 *	that names StreamMaxLength (the embedded engine would have scanned
 *	the message), any other "... ERROR" a scan error with the text.
 *
 *	clamd_reply_db_time() reads the date of the signatures from a
 *	VERSION reply, "ClamAV 1.4.6/27000/Thu Nov 30 09:34:01 2026" (the
 *	daily database's build time, in clamd's local time, which is taken
 *	to be this host's).
 * DIAGNOSTICS
 *	-1 for anything else: the caller treats the server as broken and
 *	tries another, never as clean.  clamd_reply_db_time() gives 0 for a
 *	reply without a date it can read.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clamgate/clamd_reply.h"

/* clamd_reply_parse - a reply into the result; -1 if it makes no sense */
int
clamd_reply_parse(const char *reply, unsigned timeout, struct scan_result *res)
{
	const char *colon = strstr(reply, ": "), *r = colon ? colon + 2 : reply;
	size_t len = strlen(r);

	if (strstr(reply, "size limit exceeded")) {
		/* clamd's StreamMaxLength is below max_message_size: it
		 * did not scan what the embedded engine would have */
		res->status = SCAN_ERROR;
		snprintf(res->detail, sizeof(res->detail),
			 "clamd: %.60s (raise StreamMaxLength to "
			 "scanner.max_message_size)",
			 reply);
	} else if (colon && strcmp(r, "OK") == 0) {
		res->status = SCAN_CLEAN;
	} else if (colon && len > 6 && strcmp(r + len - 6, " FOUND") == 0) {
		scan_found(res, r, len - 6, timeout);
	} else if (len > 6 && strcmp(r + len - 6, " ERROR") == 0) {
		res->status = SCAN_ERROR;
		snprintf(res->detail, sizeof(res->detail), "clamd: %.120s", r);
	} else {
		return -1;
	}
	return 0;
}

/* clamd_reply_db_time - the signatures' date in a VERSION reply, or 0 */
time_t
clamd_reply_db_time(const char *reply)
{
	const char *p = strchr(reply, '/'), *end;
	struct tm tm;
	time_t t;

	if (p == NULL || (p = strchr(p + 1, '/')) == NULL)
		return 0;
	memset(&tm, 0, sizeof(tm));
	end = strptime(p + 1, "%a %b %d %H:%M:%S %Y", &tm);
	if (end == NULL || *end != '\0')
		return 0;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	return t > 0 ? t : 0;
}
