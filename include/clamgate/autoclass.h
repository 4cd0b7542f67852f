/*
 * autoclass - what kind of automatic mail a message is (the outbound
 * gate's classifier): pure, no I/O beyond autoclass_load()
 *
 * Kinds:
 *   dsn         delivery and disposition reports (multipart/report with
 *               report-type delivery-status or disposition-notification)
 *   autoreply   an automatic response: Auto-Submitted: auto-replied,
 *               X-Autoreply, X-Autorespond, Precedence: auto_reply, a null
 *               envelope sender, a catalogue subject such as "Automatic
 *               reply:", or automatic-looking mail (Precedence bulk or
 *               junk, Auto-Submitted other than no) that is a response:
 *               it has In-Reply-To or References, or the caller says its
 *               recipient wrote to its sender recently (facts->recent)
 *   challenge   challenge/response systems (catalogue markers)
 *   av-notice   another scanner's notice to a sender (catalogue)
 *   list        mailing-list distribution (List-Id, List-Post,
 *               List-Unsubscribe, ..., or Precedence: list)
 *   other-auto  automatic mail that answers nobody (cron, monitoring,
 *               newsletters without List-*, password resets)
 *   human       none of the above
 *
 * The order of the tests, the first that holds deciding: catalogue
 * entries (in file order), dsn, explicit autoreply signals, list, then
 * the automatic-looking rest.  Auto-Submitted values are compared without
 * comments and parameters ("auto-replied (vacation)" is auto-replied).
 * autoclass.c says why the order is what it is.
 *
 * Catalogue files: one entry per line, "KIND FIELD PATTERN"; KIND one of
 * the kind names above but human (dsn, autoreply, challenge, av-notice,
 * list, other-auto), FIELD a header name or a glob on header names
 * ("X-*-MailScanner"), PATTERN a case-insensitive glob
 * (strconv_glob_match) on the unfolded value, the rest of the line,
 * trimmed; "*" matches any value, i.e. the field's presence.  A value
 * holding RFC 2047 encoded words is tried as it is and decoded (UTF-8),
 * so mime_init() must have run before autoclass_classify().  Blank lines
 * and lines starting with # are ignored; a line holds at most
 * AUTOCLASS_LINE_MAX bytes.  FIELD "envelope-sender" matches the envelope
 * sender, without angle brackets, instead of a header.
 *
 * autoclass_load() and autoclass_load_text() (the same, from a string;
 * name stands for the file in messages) append to cat, so several files
 * make one catalogue; on an error they return -1 with "FILE:LINE: what is
 * wrong" in err and leave cat as it was before the call.
 * autoclass_classify() may run in several threads on one catalogue.
 */
#ifndef CLAMGATE_AUTOCLASS_H
#define CLAMGATE_AUTOCLASS_H

#include <stddef.h>

#include "clamgate/hdrlist.h"

enum autoclass_kind {
	AUTOCLASS_DSN,
	AUTOCLASS_AUTOREPLY,
	AUTOCLASS_CHALLENGE,
	AUTOCLASS_AV_NOTICE,
	AUTOCLASS_LIST,
	AUTOCLASS_OTHER_AUTO,
	AUTOCLASS_HUMAN,
};
#define AUTOCLASS_N_KINDS 7

#define AUTOCLASS_LINE_MAX 1000 /* bytes in a catalogue line, without LF */

struct autoclass_entry {
	enum autoclass_kind kind;
	char *field;
	char *pattern;
	char *where; /* "FILE:LINE", for the log */
};

struct autoclass_catalogue {
	struct autoclass_entry *entries;
	size_t count;
};

struct autoclass_facts {
	const char *sender; /* envelope sender, "" for <>; NULL: unknown */
	const struct hdrlist *headers;
	int recent; /* -1 unknown, 0 no, 1: a recipient wrote to the sender
		     * recently (vstore contact) */
};

struct autoclass_result {
	enum autoclass_kind kind;
	char reason[128]; /* "auto-submitted=auto-replied",
			   * "catalogue=FILE:LINE", "null-sender", ...: no
			   * white space, for a key=value log line */
	int needs_recent; /* the kind would change with facts->recent = 1:
			   * automatic-looking, not yet a response */
	int weak;	  /* decided by a Subject entry alone: nothing else
			   * in the message looks automatic */
};

int autoclass_load(struct autoclass_catalogue *cat, const char *path, char *err,
		   size_t errlen);
int autoclass_load_text(struct autoclass_catalogue *cat, const char *name,
			const char *text, char *err, size_t errlen);
void autoclass_free(struct autoclass_catalogue *cat);
void autoclass_classify(const struct autoclass_catalogue *cat,
			const struct autoclass_facts *facts,
			struct autoclass_result *res);
const char *autoclass_kind_name(enum autoclass_kind kind);
int autoclass_kind_parse(const char *name, enum autoclass_kind *kind);

#endif
