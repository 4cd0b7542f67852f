/*
 * canary - small known messages that prove a scanner looks inside mail
 *
 * A scanner that cannot write its temporary files, or that is set up not
 * to report its limits, still answers "clean".  The scanners scan these
 * messages at start-up, after a reload and from time to time, and refuse
 * to work while a canary is not found:
 *
 *	canary_mail()	a message with "Name:value" headers (no space, as
 *			bulk mail writes them) whose base64 attachment is
 *			a deflated zip holding the payload: found only by
 *			a scanner that recognises the mail, decodes the
 *			part and unpacks the zip (both through temp files)
 *	canary_zip_zeros() a zip whose member is mostly zeros and ends
 *			with the payload (under 4 GiB in all: no zip64): a
 *			scanner that cuts a large member short without saying
 *			so misses the payload
 *	canary_nested()	the payload in depth nested deflated zips: a
 *			scanner that reports its limits calls it
 *			Heuristics.Limits.Exceeded (libclamav's default
 *			recursion limit is 17)
 *
 * Both return a buffer the caller frees, and its length.
 */
#ifndef CLAMGATE_CANARY_H
#define CLAMGATE_CANARY_H

#include <stddef.h>
#include <stdint.h>

#define CANARY_LIMIT_DEPTH 17

char *canary_zip_zeros(uint64_t zeros, const void *tail, size_t tlen,
		       size_t *outlen);
char *canary_mail(const void *payload, size_t len, size_t *outlen);
char *canary_nested(const void *payload, size_t len, unsigned depth,
		    size_t *outlen);

#endif
