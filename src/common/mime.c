/*
 * NAME
 *	mime - decode header text with gmime
 * DESCRIPTION
 *	mime_decode_header() turns an RFC 2047 encoded header value
 *	("=?UTF-8?B?...?=") into UTF-8 text with control characters replaced
 *	by spaces, for display.  mime_utf8() repairs invalid UTF-8 (for JSON).
 *	mime_single_mailbox() reads the one address of a From: field.
 *	mime_init() must run once first.
 * DIAGNOSTICS
 *	None: text gmime cannot decode is returned as it came.
 */
#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

#include "clamgate/mime.h"
#include "clamgate/xmalloc.h"

/* mime_init - gmime's own set-up, and the classes of every gmime type
 * clamgate makes, made now, while one thread runs: GLib makes a class
 * when its first object is made, and its locks are futexes that
 * ThreadSanitizer cannot see, so a class made by the notifier thread
 * while a milter thread walks a message looked like a race */
void
mime_init(void)
{
	GType types[] = {
	    GMIME_TYPE_MESSAGE,
	    GMIME_TYPE_MESSAGE_PART,
	    GMIME_TYPE_MESSAGE_PARTIAL,
	    GMIME_TYPE_MULTIPART,
	    GMIME_TYPE_PART,
	    GMIME_TYPE_TEXT_PART,
	    GMIME_TYPE_PARSER,
	    GMIME_TYPE_STREAM_MEM,
	    GMIME_TYPE_STREAM_FILTER,
	    GMIME_TYPE_DATA_WRAPPER,
	    GMIME_TYPE_FILTER_BASIC,
	    GMIME_TYPE_CONTENT_TYPE,
	    GMIME_TYPE_CONTENT_DISPOSITION,
	    INTERNET_ADDRESS_LIST_TYPE,
	    INTERNET_ADDRESS_TYPE_MAILBOX,
	    INTERNET_ADDRESS_TYPE_GROUP,
	};

	g_mime_init();
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		(void)g_type_class_ref(types[i]); /* kept: never unref'd */
}

/* mime_decode_header - decoded, printable UTF-8; the caller frees it */
char *
mime_decode_header(const char *raw)
{
	char *decoded, *out;

	if (raw == NULL)
		return xstrdup("");
	decoded = g_mime_utils_header_decode_text(NULL, raw);
	out = xstrdup(decoded ? decoded : raw);
	g_free(decoded);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return out;
}

/* mime_single_mailbox - the address of the one mailbox a field such as
 * From: names, or NULL when it names none, several, or a group; the
 * caller frees it */
char *
mime_single_mailbox(const char *value)
{
	InternetAddressList *list;
	InternetAddress *ia;
	char *out = NULL;

	if (value == NULL ||
	    (list = internet_address_list_parse(NULL, value)) == NULL)
		return NULL;
	if (internet_address_list_length(list) == 1) {
		ia = internet_address_list_get_address(list, 0);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			out = xstrdup(internet_address_mailbox_get_addr(
			    INTERNET_ADDRESS_MAILBOX(ia)));
	}
	g_object_unref(list);
	return out;
}

/* mime_utf8 - text with invalid UTF-8 repaired; the caller frees it */
char *
mime_utf8(const char *text)
{
	gchar *valid = g_utf8_make_valid(text, -1);
	char *out = xstrdup(valid);

	g_free(valid);
	return out;
}
