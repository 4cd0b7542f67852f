/*
 * mime - the one place that uses gmime (and GLib's MIME helpers)
 */
#ifndef CLAMGATE_MIME_H
#define CLAMGATE_MIME_H

void mime_init(void);
char *mime_decode_header(const char *raw);
char *mime_utf8(const char *text);

#endif
