/*
 * headers - the names of the header fields clamgate reads, writes and
 * removes, in one place
 */
#ifndef CLAMGATE_HEADERS_H
#define CLAMGATE_HEADERS_H

/* added to mail that goes on; a sender's copies removed (replace) */
#define HDR_VIRUS_STATUS  "X-Virus-Status"
#define HDR_VIRUS_SCANNED "X-Virus-Scanned"

/* clamgate's own passes (token.h), removed before delivery */
#define HDR_RELEASE "X-Clamgate-Release"
#define HDR_NOTIFY  "X-Clamgate-Notify"

/* a quarantine entry's envelope: X-Clamgate-Id, -Sender, ..., the last
 * one X-Clamgate-Original-Size */
#define HDR_ENTRY_PREFIX "X-Clamgate-"
#define HDR_ENTRY_SIZE	 "Original-Size"

#endif
