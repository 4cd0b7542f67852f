/*
 * mime - gmime for reading: header decoding for display, the address of a
 * From: field (notice.c composes with gmime, mimeview.c parses messages
 * with it, token.c hashes with GLib; nothing else uses either)
 */
#ifndef CLAMGATE_MIME_H
#define CLAMGATE_MIME_H

void mime_init(void);
char *mime_decode_header(const char *raw);
char *mime_utf8(const char *text);
char *mime_single_mailbox(const char *value);

#endif
