/*
 * control - the control socket (metrics.control) that clamgate -s reads:
 * the metrics text for whoever connects, from a thread of its own
 *
 * control_open() binds the socket before the privilege drop (mode 0660,
 * milter.user and its group); control_start() serves it.  Both do
 * nothing when metrics.control is "".
 */
#ifndef CLAMGATE_CONTROL_H
#define CLAMGATE_CONTROL_H

#include "clamgate/config.h"

int control_open(const struct cg_config *cfg);
int control_start(void);
void control_stop(void);

#endif
