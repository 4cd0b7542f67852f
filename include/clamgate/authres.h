/*
 * authres - Authentication-Results (RFC 8601): who verified the envelope
 * sender of an inbound message
 *
 * authres_parse() splits one field value into its authserv-id and its
 * results (method, result, and the properties such as smtp.mailfrom or
 * header.d); comments in parentheses are ignored wherever they appear,
 * quoted strings are unquoted, names are lowercased; reason=value is kept
 * as a property named "reason".  It never fails on odd input: what cannot
 * be parsed ends the list (the field then yields fewer results, never a
 * wrong one), and a value too long for its array drops that property
 * rather than being cut.  It returns -1 only when the value has no
 * authserv-id at all, else 0 (with no results for "none").
 *
 * authres_verified() looks at every Authentication-Results field of a
 * message (in hdrlist order) and says whether the envelope sender is
 * verified by one of them: only fields whose authserv-id is one of the
 * trusted ids (case-insensitive) count; a result counts when it is
 *   spf=pass  with smtp.mailfrom equal to the sender (case-insensitive),
 *             or a bare domain equal to the sender's domain;
 *   dkim=pass with header.d in the same organisational domain (Public
 *             Suffix List: libpsl's psl_latest(NULL), on Debian the
 *             publicsuffix package's list) as the sender's domain.
 * One trusted pass counts even if another trusted result fails.  A null
 * or domain-less sender is never verified.
 */
#ifndef CLAMGATE_AUTHRES_H
#define CLAMGATE_AUTHRES_H

#include <stddef.h>

#include "clamgate/config.h"
#include "clamgate/hdrlist.h"

#define AUTHRES_MAX_RESULTS 16
#define AUTHRES_MAX_PROPS   8

struct authres_prop {
	char name[64];	 /* "smtp.mailfrom", "header.d", lowercased */
	char value[256]; /* unquoted; as written */
};

struct authres_result {
	char method[32]; /* "spf", "dkim", lowercased */
	char result[32]; /* "pass", "fail", ..., lowercased */
	struct authres_prop props[AUTHRES_MAX_PROPS];
	size_t n_props;
};

struct authres {
	char authserv_id[256]; /* lowercased */
	struct authres_result results[AUTHRES_MAX_RESULTS];
	size_t n_results;
};

enum authres_how {
	AUTHRES_NONE = 0,
	AUTHRES_SPF = 1,
	AUTHRES_DKIM = 2,
};

int authres_parse(const char *value, struct authres *out);
const char *authres_prop(const struct authres_result *r, const char *name);
int authres_verified(const struct hdrlist *headers, const char *sender,
		     const struct cg_strlist *trusted_ids);
int authres_same_org(const char *domain_a, const char *domain_b);
const char *authres_how_name(int how);

#endif
