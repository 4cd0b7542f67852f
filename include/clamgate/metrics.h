/*
 * metrics - what the daemon counts, and those counts as Prometheus text
 *
 * The mail path only adds to counters: relaxed atomics, no lock, no
 * allocation.  metrics_render() writes every family in the Prometheus
 * text format (version 0.0.4), the counters kept here and the gauges a
 * reader (stats.c) sampled from the other modules a moment before.
 * Labels take values from small fixed sets only (a direction, a verdict,
 * an action, a reason, a kind, a configured clamd server), never an
 * address, an id or a virus name.
 */
#ifndef CLAMGATE_METRICS_H
#define CLAMGATE_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "clamgate/autoclass.h"
#include "clamgate/config.h"
#include "clamgate/outbound.h"
#include "clamgate/verdict.h"

/* why a message, a recipient or a connection was tempfailed */
enum metrics_tempfail {
	MT_SCAN_ERROR,	     /* the scanner failed or timed out */
	MT_NOT_READY,	     /* no signatures loaded yet */
	MT_LIMIT,	     /* max_spool_disk and the like */
	MT_OVERSIZE,	     /* policy.on_oversize = tempfail */
	MT_INCOMPLETE,	     /* policy.on_incomplete = tempfail */
	MT_RULE,	     /* a policy.rules entry */
	MT_QUARANTINE_STORE, /* the quarantine copy could not be written */
	MT_OUTBOUND_STORE,   /* the verified-sender store failed */
	MT_MTA_REFUSED,	     /* the MTA refused a header or hold action */
	MT_DRAINING,	     /* a connection or message while stopping */
	MT_MAX_SESSIONS,     /* a connection past milter.max_sessions */
	MT_MAX_RECIPIENTS,   /* a recipient past milter.max_recipients */
	MT_N
};

enum metrics_clamd_result {
	MC_CLEAN,
	MC_INFECTED,
	MC_ERROR,  /* clamd answered with an error or a limit */
	MC_FAILED, /* no connection, a timeout or no valid reply */
	MC_N
};

enum metrics_notify { MN_SENT, MN_DIGESTED, MN_DEFERRED, MN_DROPPED, MN_N };

enum metrics_reload { MR_LOADED, MR_UNCHANGED, MR_FAILED, MR_N };

/* what one clamd server reports (scan_clamd.c) */
struct metrics_server {
	const char *name; /* as in scanner.clamd */
	int up;		  /* 1 up, 0 down or not probed yet */
	time_t db_time;	  /* its daily database's date; 0: unknown */
	unsigned long long requests[MC_N];
};

/* the gauges, sampled by stats.c just before metrics_render() */
struct metrics_gauges {
	time_t now;
	unsigned sessions, messages; /* in flight */
	unsigned scans_running, scans_waiting, scan_slots;
	int embedded;		  /* scanner.backend = libclamav */
	unsigned long signatures; /* embedded: loaded, 0 before the load */
	time_t db_time;		  /* embedded: the newest signatures */
	struct metrics_server *servers;
	size_t n_servers;
	int have_quarantine; /* the figures below were read */
	unsigned long long q_entries, q_bytes;
	const char *clamav_version;
};

void metrics_init(void);
void metrics_message(int outbound, enum scan_status status, enum cg_action done,
		     unsigned long long size);
void metrics_scan_time(long long microseconds);
void metrics_tempfail(enum metrics_tempfail why);
enum metrics_tempfail metrics_tempfail_reason(const char *why,
					      enum scan_status status);
void metrics_gate(enum autoclass_kind kind, enum outbound_verdict v,
		  int log_only, size_t n_stopped);
void metrics_verified(int how);
void metrics_store_error(void);
void metrics_notify(enum metrics_notify what, unsigned long n);
void metrics_reload(enum metrics_reload what);
enum metrics_clamd_result metrics_clamd_result(int answered,
					       enum scan_status status);

void metrics_render(FILE *f, const struct metrics_gauges *g);

#endif
