/*
 * log - syslog or stderr logging with four levels of severity
 *
 * log_fatal() is for start-up, configuration and out of memory only: it
 * exits.  While mail is flowing, errors are logged and turned into a
 * tempfail by the caller.
 */
#ifndef CLAMGATE_LOG_H
#define CLAMGATE_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

#define LOG_PRINTF(f, a) __attribute__((format(printf, f, a)))

void log_open(const char *ident, int facility, int to_stderr);
void log_set_level(enum log_level level);
void log_error(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_notice(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_fatal(const char *fmt, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));

#endif
