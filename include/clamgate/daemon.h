/*
 * daemon - the parts of start-up that need root: the listening socket's
 * owner and mode, TCP_NODELAY on inet sockets, and the privilege drop
 */
#ifndef CLAMGATE_DAEMON_H
#define CLAMGATE_DAEMON_H

#include "clamgate/config.h"

int daemon_socket_setup(const struct cg_config *cfg);
void daemon_socket_remove(const struct cg_config *cfg);
void daemon_nodelay_listeners(void);
void daemon_wake_listeners(void);
int daemon_drop_privileges(const struct cg_config *cfg);
int daemon_detach(void);

#endif
