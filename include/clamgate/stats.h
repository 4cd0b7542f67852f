/*
 * stats - the metrics text (metrics.h) with every gauge read just now:
 * what the HTTP endpoint, the textfile and the control socket serve
 */
#ifndef CLAMGATE_STATS_H
#define CLAMGATE_STATS_H

#include <stddef.h>

#include "clamgate/config.h"
#include "clamgate/qstore.h"
#include "clamgate/scan.h"

void stats_setup(const struct cg_config *cfg, const struct scan_backend *be,
		 struct scanner *sc, struct qstore *qs);
char *stats_text(size_t *len);

#endif
