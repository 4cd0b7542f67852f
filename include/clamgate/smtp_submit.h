/*
 * smtp_submit - one message to an MTA over SMTP, for the notices
 *
 * smtp_data, smtp_reply_line and smtp_qualify are kept public for the
 * unit tests.
 */
#ifndef CLAMGATE_SMTP_SUBMIT_H
#define CLAMGATE_SMTP_SUBMIT_H

#include <stddef.h>

int smtp_submit(const char *spec, const char *from, char *const *rcpts,
		size_t n, const char *msg, unsigned timeout_s, char *err,
		size_t errlen);
char *smtp_data(const char *msg, size_t *len);
char *smtp_qualify(const char *addr, const char *mailname);
int smtp_reply_line(const char *line);

#endif
