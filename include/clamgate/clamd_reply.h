/*
 * clamd_reply - the meaning of a clamd scan reply (pure; fuzzed)
 */
#ifndef CLAMGATE_CLAMD_REPLY_H
#define CLAMGATE_CLAMD_REPLY_H

#include <time.h>

#include "clamgate/scan.h"

int clamd_reply_parse(const char *reply, unsigned timeout,
		      struct scan_result *res);
time_t clamd_reply_db_time(const char *reply);

#endif
