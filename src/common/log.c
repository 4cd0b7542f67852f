/*
 * NAME
 *	log - logging to syslog, or to stderr in the foreground
 * DESCRIPTION
 *	log_open() chooses the destination once at start-up.  Each line is
 *	written with a single call, so lines from concurrent sessions never
 *	interleave.
 * DIAGNOSTICS
 *	log_fatal() logs and exits with status 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "clamgate/log.h"

static int log_to_stderr = 1;
static enum log_level log_threshold = LOG_LEVEL_INFO;

/* the syslog priority of each level (the names are config's) */
static const int log_priorities[] = {
    [LOG_LEVEL_ERROR] = LOG_ERR,     [LOG_LEVEL_WARNING] = LOG_WARNING,
    [LOG_LEVEL_NOTICE] = LOG_NOTICE, [LOG_LEVEL_INFO] = LOG_INFO,
    [LOG_LEVEL_DEBUG] = LOG_DEBUG,
};

/* log_open - choose syslog or stderr */
void
log_open(const char *ident, int facility, int to_stderr)
{
	log_to_stderr = to_stderr;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

/* log_set_level - drop messages less severe than level */
void
log_set_level(enum log_level level)
{
	log_threshold = level;
}

/* log_vwrite - format once and write one line */
static void __attribute__((format(printf, 2, 0)))
log_vwrite(enum log_level level, const char *fmt, va_list ap)
{
	char buf[2048];

	if (level > log_threshold)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_to_stderr) {
		fprintf(
		    stderr, "clamgate: %s%s\n",
		    level <= LOG_LEVEL_WARNING
			? (level == LOG_LEVEL_ERROR ? "error: " : "warning: ")
			: "",
		    buf);
		return;
	}
	syslog(log_priorities[level], "%s%s",
	       level == LOG_LEVEL_ERROR	    ? "error: "
	       : level == LOG_LEVEL_WARNING ? "warning: "
					    : "",
	       buf);
}

#define LOG_FN(fn, level)                                                      \
	void fn(const char *fmt, ...)                                          \
	{                                                                      \
		va_list ap;                                                    \
		va_start(ap, fmt);                                             \
		log_vwrite(level, fmt, ap);                                    \
		va_end(ap);                                                    \
	}

LOG_FN(log_error, LOG_LEVEL_ERROR)
LOG_FN(log_warn, LOG_LEVEL_WARNING)
LOG_FN(log_notice, LOG_LEVEL_NOTICE)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_debug, LOG_LEVEL_DEBUG)

/* log_fatal - log at error level and exit */
void
log_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_threshold = LOG_LEVEL_DEBUG;
	log_vwrite(LOG_LEVEL_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}
