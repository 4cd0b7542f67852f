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
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "clamgate/log.h"

static int log_to_stderr = 1;
static enum log_level log_threshold = LOG_LEVEL_INFO;

static const struct {
	const char *name;
	enum log_level level;
	int priority;
} log_levels[] = {
    {"error", LOG_LEVEL_ERROR, LOG_ERR},
    {"warning", LOG_LEVEL_WARNING, LOG_WARNING},
    {"notice", LOG_LEVEL_NOTICE, LOG_NOTICE},
    {"info", LOG_LEVEL_INFO, LOG_INFO},
    {"debug", LOG_LEVEL_DEBUG, LOG_DEBUG},
};

static const struct {
	const char *name;
	int facility;
} log_facilities[] = {
    {"mail", LOG_MAIL},	    {"daemon", LOG_DAEMON}, {"user", LOG_USER},
    {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
    {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
    {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

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

/* log_level_parse - level name to level */
int
log_level_parse(const char *name, enum log_level *level)
{
	for (size_t i = 0; i < COUNT(log_levels); i++) {
		if (strcasecmp(name, log_levels[i].name) == 0) {
			*level = log_levels[i].level;
			return 0;
		}
	}
	return -1;
}

/* log_facility_parse - syslog facility name to value */
int
log_facility_parse(const char *name, int *facility)
{
	for (size_t i = 0; i < COUNT(log_facilities); i++) {
		if (strcasecmp(name, log_facilities[i].name) == 0) {
			*facility = log_facilities[i].facility;
			return 0;
		}
	}
	return -1;
}

/* log_vwrite - format once and write one line */
static void
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
	syslog(log_levels[level].priority, "%s%s",
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
