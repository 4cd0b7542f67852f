/*
 * expire - the daemon's quarantine retention: a thread that removes
 * entries older than quarantine.retention, at start and then hourly
 */
#ifndef CLAMGATE_EXPIRE_H
#define CLAMGATE_EXPIRE_H

#include "clamgate/config.h"
#include "clamgate/qstore.h"

int expire_start(const struct cg_config *cfg, struct qstore *qs);
void expire_stop(void);

#endif
