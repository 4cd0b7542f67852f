/*
 * reload - the signature database keeper: loads the first engine off the
 * mail path, checks for changes every scanner.reload_interval seconds and
 * on SIGUSR2, and swaps in a new engine without dropping a message
 *
 * reload_block_signals() must run before any thread is created, so that
 * libmilter's own SIGHUP/SIGTERM/SIGINT handling and our SIGUSR2 reach
 * the threads meant for them.
 */
#ifndef CLAMGATE_RELOAD_H
#define CLAMGATE_RELOAD_H

#include "clamgate/scan.h"

void reload_block_signals(void);
int reload_start(const struct scan_backend *be, struct scanner *sc,
		 unsigned interval);
void reload_stop(void);

#endif
