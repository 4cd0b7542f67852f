/*
 * status - clamgate -s: the running daemon's figures for a person at a
 * terminal, read from the control socket (metrics.control)
 *
 * status_format() turns Prometheus text into that report (pure, tested);
 * status_run() reads it from the daemon and prints it.
 */
#ifndef CLAMGATE_STATUS_H
#define CLAMGATE_STATUS_H

#include <stdio.h>
#include <time.h>

#include "clamgate/config.h"

void status_format(FILE *out, const char *text, time_t now);
int status_run(const struct cg_config *cfg);

#endif
