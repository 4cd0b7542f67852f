/*
 * gate - the outbound notification gate in the daemon: what the
 * milter asks at end of message
 *
 * Inbound mail feeds the memory (gate_inbound): a sender verified by a
 * trusted Authentication-Results, and who wrote to whom.  Outbound mail
 * (policy_is_outbound) is classified (autoclass.h) and decided
 * (outbound.h) by gate_outbound(), which fills the message's
 * gate_result; act.c carries it out and milter.c logs it.
 *
 * gate_writer.c keeps the store and writes to it from a thread of its
 * own, so that no message waits for a disk write; gate_cat.c keeps the
 * catalogues and reloads them when they change or on SIGUSR2.
 */
#ifndef CLAMGATE_GATE_H
#define CLAMGATE_GATE_H

#include <stddef.h>
#include <time.h>

#include "clamgate/autoclass.h"
#include "clamgate/config.h"
#include "clamgate/outbound.h"
#include "clamgate/vstore.h"

struct session;

enum gate_dir { GATE_NONE, GATE_IN, GATE_OUT };

struct gate_result {
	enum gate_dir dir; /* GATE_NONE: the gate did not look */
	int verified;	   /* inbound: authres_how bits */
	int log_only;	   /* outbound.mode = log: nothing is stopped */
	struct autoclass_result cls;
	struct outbound_decision d;
	struct outbound_rcpt *rcpts; /* one per session recipient */
	size_t n_rcpts;
	int store_failed; /* a lookup failed: a stop becomes a tempfail */
};

int gate_start(const struct cg_config *cfg, char *err, size_t errlen);
void gate_stop(int busy);
int gate_check(const struct cg_config *cfg, char *err, size_t errlen);
void gate_outbound(const struct cg_config *cfg, const struct session *s,
		   struct gate_result *g);
void gate_inbound(const struct cg_config *cfg, const struct session *s,
		  struct gate_result *g);
void gate_result_free(struct gate_result *g);
void gate_count_stopped(const struct gate_result *g);

/* gate_cat.c */
int gate_cat_load(const struct cg_config *cfg, char *err, size_t errlen);
void gate_cat_reload(int force);
void gate_cat_classify(const struct autoclass_facts *facts,
		       struct autoclass_result *res);
void gate_cat_free(void);

/* gate_writer.c */
int gate_writer_start(const struct cg_config *cfg, char *err, size_t errlen);
void gate_writer_stop(int keep_store);
void gate_writer_put(const struct vstore_row *row);
int gate_writer_pending(enum vstore_table table, const char *addr,
			const char *local);
struct vstore *gate_writer_store(void);
int gate_writer_lost_since(time_t t);

#endif
