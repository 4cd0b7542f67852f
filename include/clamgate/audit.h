/*
 * audit - who released or deleted what: one line per act, appended to
 * the quarantine store's .audit file and logged
 *
 * audit_who() describes the person at the keyboard: the real uid that
 * started the program (audit_caller(), before any switch to the store's
 * owner) and its name, SUDO_USER and SUDO_UID where sudo set them (root
 * only), and this host.
 * audit_record() appends "TIME action=... id=... WHO DETAIL" to
 * DIR/.audit (mode 0600, O_APPEND, synced), every value reduced to
 * printable characters without spaces, so a sender's text cannot forge
 * a field or a line.
 */
#ifndef CLAMGATE_AUDIT_H
#define CLAMGATE_AUDIT_H

#include <stddef.h>
#include <time.h>

#define AUDIT_FILE     ".audit"
#define AUDIT_WHO_MAX  512
#define AUDIT_HOST_MAX 256

void audit_caller(void);
void audit_host(char host[AUDIT_HOST_MAX]);
void audit_who(char who[AUDIT_WHO_MAX]);
int audit_record(const char *dir, time_t now, const char *action,
		 const char *id, const char *detail);

#endif
