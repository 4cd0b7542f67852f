/*
 * config_print - the configuration in effect, as a clamgate.conf (every
 * key, defaults included): clamgate -p
 */
#ifndef CLAMGATE_CONFIG_PRINT_H
#define CLAMGATE_CONFIG_PRINT_H

#include <stdio.h>

#include "clamgate/config.h"

void config_print(FILE *f, const struct cg_config *cfg);

#endif
