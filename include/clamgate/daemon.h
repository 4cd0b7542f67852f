/*
 * daemon - the parts of start-up that need root: the listening socket's
 * owner and mode, TCP_NODELAY on inet sockets, and the privilege drop
 */
#ifndef CLAMGATE_DAEMON_H
#define CLAMGATE_DAEMON_H

#include <sys/types.h>

#include "clamgate/config.h"

mode_t daemon_socket_umask(const struct cg_config *cfg);
int daemon_socket_setup(const struct cg_config *cfg);
void daemon_socket_remove(const struct cg_config *cfg);
void daemon_nodelay_listeners(void);
void daemon_wake_listeners(void);
int daemon_drop_privileges(const struct cg_config *cfg);
int daemon_detach(void);

#endif
