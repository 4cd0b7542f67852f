/*
 * metrics_file - the node_exporter textfile (metrics.textfile): the
 * metrics written every metrics.textfile_interval seconds, from a thread
 * of its own, and removed when the daemon stops
 */
#ifndef CLAMGATE_METRICS_FILE_H
#define CLAMGATE_METRICS_FILE_H

#include "clamgate/config.h"

int metrics_file_start(const struct cg_config *cfg);
void metrics_file_stop(void);
int metrics_file_write(const char *path, const char *text, size_t len);

#endif
