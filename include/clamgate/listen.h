/*
 * listen - the daemon's own listening sockets (the metrics endpoint, the
 * control socket), opened before the privilege drop
 *
 * listen_open() takes "unix:/path", "inet:PORT@HOST" or
 * "inet6:PORT@HOST".  A unix socket gets mode 0660 and, when root
 * opens it, milter.user and that user's group as owner; a stale socket
 * file left by a stopped daemon is replaced, one a running daemon still
 * answers on is not.
 */
#ifndef CLAMGATE_LISTEN_H
#define CLAMGATE_LISTEN_H

#include <stddef.h>

#include "clamgate/config.h"

int listen_open(const struct cg_config *cfg, const char *spec, char *err,
		size_t errlen);

#endif
