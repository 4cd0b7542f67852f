/*
 * NAME
 *	notice - compose notify-admin's notices and digests with gmime
 * SYNOPSIS
 *	char *notice_compose(cfg, event)
 *	char *notice_digest(cfg, summary, total)
 * DESCRIPTION
 *	A notice is multipart/mixed: a text part with the verdict, the
 *	envelope (the sender marked as possibly forged) and the decoded
 *	subject, and a text/rfc822-headers part with the original headers;
 *	never any part of the body.  Every value is made printable, one
 *	line, and cut at NOTICE_VALUE_MAX bytes, so nothing a sender wrote
 *	can add a header or a recipient.  Addresses come from notify.admin
 *	and notify.from only.  The caller signs the result (token.h).
 * DIAGNOSTICS
 *	None: allocation failures are fatal in xmalloc.
 */
#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

#include "clamgate/mime.h"
#include "clamgate/notice.h"
#include "clamgate/xmalloc.h"

#define NOTICE_VALUE_MAX 500

/* notice_clean - printable, one line, at most max bytes plus "..." (caller
 * frees) */
static char *
notice_clean(const char *in, size_t max)
{
	char *valid = mime_utf8(in ? in : ""), *out, *p;
	size_t len = strlen(valid);

	for (p = valid; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (len <= max)
		return valid;
	/* cut on a UTF-8 character boundary, into a buffer with room */
	while (max > 0 && ((unsigned char)valid[max] & 0xc0) == 0x80)
		max--;
	out = xmalloc(max + 4);
	memcpy(out, valid, max);
	memcpy(out + max, "...", 4);
	free(valid);
	return out;
}

/* notice_envelope - From, To, Subject, Date, Auto-Submitted */
static GMimeMessage *
notice_envelope(const struct cg_config *cfg, const char *subject)
{
	GMimeMessage *m = g_mime_message_new(TRUE);

	g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_FROM, "clamgate",
				   cfg->notify.from);
	for (size_t i = 0; i < cfg->notify.admin.count; i++)
		g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_TO, NULL,
					   cfg->notify.admin.items[i]);
	g_mime_message_set_subject(m, subject, "utf-8");
	GDateTime *now = g_date_time_new_now_local();
	g_mime_message_set_date(m, now);
	g_date_time_unref(now);
	g_mime_object_set_header((GMimeObject *)m, "Auto-Submitted",
				 "auto-generated", NULL);
	return m;
}

/* notice_text_part - a text/plain part in UTF-8 */
static GMimeObject *
notice_text_part(const char *text)
{
	GMimeTextPart *t = g_mime_text_part_new_with_subtype("plain");

	g_mime_text_part_set_text(t, text);
	g_mime_part_set_content_encoding(
	    (GMimePart *)t, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	return (GMimeObject *)t;
}

/* notice_headers_part - text/rfc822-headers with the original headers */
static GMimeObject *
notice_headers_part(const char *headers)
{
	GMimePart *p = g_mime_part_new_with_type("text", "rfc822-headers");
	GMimeStream *st =
	    g_mime_stream_mem_new_with_buffer(headers, strlen(headers));
	GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(
	    st, GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_part_set_content(p, w);
	g_mime_part_set_content_encoding(
	    p, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	g_object_unref(w);
	g_object_unref(st);
	return (GMimeObject *)p;
}

/* notice_serialize - the message as text (caller frees) */
static char *
notice_serialize(GMimeMessage *m)
{
	char *s = g_mime_object_to_string((GMimeObject *)m, NULL);
	char *out = xstrdup(s);

	g_free(s);
	g_object_unref(m);
	return out;
}

/* notice_text - the plain-text body of a notice (caller frees) */
static char *
notice_text(const struct notify_event *ev)
{
	char *f[9], *subject = mime_decode_header(ev->subject), *text, when[64];
	const char *raw[9] = {
	    ev->virus,	     ev->quarantine_id, ev->queue_id,
	    ev->client_name, ev->client_addr,	ev->helo,
	    ev->sender,	     ev->rcpts,		ev->message_id};
	struct tm tm;

	for (int i = 0; i < 9; i++)
		f[i] = notice_clean(raw[i] && *raw[i] ? raw[i] : "-",
				    NOTICE_VALUE_MAX);
	localtime_r(&ev->when, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", &tm);
	char *subj = notice_clean(subject, NOTICE_VALUE_MAX);
	text = g_strdup_printf(
	    "clamgate stopped a message.\n\n"
	    "Verdict:        %s (%s)\nAction:         %s\n"
	    "Quarantine id:  %s\nQueue id:       %s\nClient:         %s [%s]\n"
	    "HELO:           %s\nSender:         <%s>\n"
	    "                (as the client claimed it: possibly forged; "
	    "never reply to it)\n"
	    "Recipients:     %s\nSubject:        %s\nMessage-ID:     %s\n"
	    "Size:           %llu bytes\nTime:           %s\n\n"
	    "The original headers are attached.  No part of the message body "
	    "is included.\n",
	    ev->verdict ? ev->verdict : "infected", f[0], ev->action, f[1],
	    f[2], f[3], f[4], f[5], f[6], f[7], subj, f[8], ev->size, when);
	for (int i = 0; i < 9; i++)
		free(f[i]);
	free(subj);
	free(subject);
	char *out = xstrdup(text);
	g_free(text);
	return out;
}

/* notice_compose - one notice to the admins (caller frees) */
char *
notice_compose(const struct cg_config *cfg, const struct notify_event *ev)
{
	char *virus = notice_clean(ev->virus, 200), *client, *text;
	char *subject;
	GMimeMultipart *mp = g_mime_multipart_new_with_subtype("mixed");
	GMimeObject *part;
	GMimeMessage *m;

	client = notice_clean(
	    ev->client_addr && *ev->client_addr ? ev->client_addr : "unknown",
	    64);
	subject = g_strdup_printf("[clamgate] %s %s from %s", virus, ev->action,
				  client);
	m = notice_envelope(cfg, subject);
	text = notice_text(ev);
	part = notice_text_part(text);
	g_mime_multipart_add(mp, part);
	g_object_unref(part);
	part = notice_headers_part(ev->headers ? ev->headers : "");
	g_mime_multipart_add(mp, part);
	g_object_unref(part);
	g_mime_message_set_mime_part(m, (GMimeObject *)mp);
	g_object_unref(mp);
	free(virus);
	free(client);
	free(text);
	g_free(subject);
	return notice_serialize(m);
}

/* notice_digest - the hourly summary (caller frees) */
char *
notice_digest(const struct cg_config *cfg, const char *summary,
	      unsigned long total)
{
	char *subject =
	    g_strdup_printf("[clamgate] digest: %lu messages stopped", total);
	GMimeMessage *m = notice_envelope(cfg, subject);
	GMimeObject *part = notice_text_part(summary);

	g_mime_message_set_mime_part(m, part);
	g_object_unref(part);
	g_free(subject);
	return notice_serialize(m);
}
