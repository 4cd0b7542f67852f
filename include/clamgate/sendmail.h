/*
 * sendmail - run the local MTA's sendmail program to submit one message
 *
 * The only way clamgate and clamgate-quarantine send mail.  The program
 * runs with an argument vector, never a shell, as
 *     sendmail -i -N never -f FROM -- RECIPIENT...
 * with explicit recipients (never -t, so no header can add one), and no
 * delivery status notification to FROM.  The caller ignores SIGPIPE.
 */
#ifndef CLAMGATE_SENDMAIL_H
#define CLAMGATE_SENDMAIL_H

#include <stddef.h>

/* feed writes the message to fd (non-blocking: use fdio_write_all); 0
 * or -1 */
typedef int (*sendmail_feed)(int fd, void *arg);

int sendmail_submit(const char *program, const char *from, char *const *rcpts,
		    size_t n_rcpts, sendmail_feed feed, void *arg, char *err,
		    size_t errlen);

#endif
