/*
 * metrics_http - the Prometheus endpoint (metrics.listen): GET /metrics
 * over HTTP, served by libmicrohttpd in a thread of its own
 *
 * metrics_http_open() binds the socket before the privilege drop;
 * metrics_http_start() starts serving once the daemon has detached and
 * blocked its signals.  Both do nothing when metrics.listen is "".
 */
#ifndef CLAMGATE_METRICS_HTTP_H
#define CLAMGATE_METRICS_HTTP_H

#include <stddef.h>

#include "clamgate/config.h"

int metrics_http_open(const struct cg_config *cfg, char *err, size_t errlen);
int metrics_http_start(char *err, size_t errlen);
void metrics_http_stop(void);

#endif
