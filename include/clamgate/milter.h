/*
 * milter - the libmilter callbacks: thin, one phase each
 *
 * milter_register() hands libmilter the callback table; the callbacks use
 * the configuration, the scanner and the token key given to
 * milter_setup().
 * milter_drain() waits, after libmilter stopped accepting, until the
 * messages in flight are done.
 */
#ifndef CLAMGATE_MILTER_H
#define CLAMGATE_MILTER_H

#include "clamgate/config.h"
#include "clamgate/qstore.h"
#include "clamgate/scan.h"
#include "clamgate/token.h"

void milter_setup(const struct cg_config *cfg, const struct scan_backend *be,
		  struct scanner *sc, const struct token_key *key,
		  struct qstore *qs);
int milter_register(void);
void milter_set_draining(void);
int milter_drain(unsigned seconds);
void milter_counts(unsigned *sessions, unsigned *messages);

#endif
