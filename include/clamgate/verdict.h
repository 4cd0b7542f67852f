/*
 * verdict - what the scanner (or a pass, pass.h) says of a message: the
 * one word the policy decides on and the log line shows
 * (policy_status_name)
 */
#ifndef CLAMGATE_VERDICT_H
#define CLAMGATE_VERDICT_H

enum scan_status {
	SCAN_CLEAN,
	SCAN_INFECTED,
	SCAN_ERROR,	 /* the scanner failed or timed out */
	SCAN_NOT_READY,	 /* no signature database loaded yet */
	SCAN_OVERSIZE,	 /* larger than max_message_size, not scanned */
	SCAN_INCOMPLETE, /* scanned, but the engine's limits were hit */
	SCAN_RELEASED,	 /* released from quarantine (verified token) */
	SCAN_NOTICE,	 /* our own notify-admin mail (verified token) */
	SCAN_LIMIT,	 /* a limit of this daemon (max_spool_disk): tempfail */
};

#endif
