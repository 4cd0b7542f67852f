/*
 * cli - clamgate-quarantine, the administrator's tool for the quarantine
 * store: a table of commands (cli_main.c), list and stats (cli_list.c),
 * the commands on single entries (cli_entry.c), what of the sender's
 * text may reach a terminal (cli_text.c), the outbound gate's
 * verified senders (cli_verified.c), and copies between the directory
 * and the database store (cli_migrate.c)
 */
#ifndef CLAMGATE_CLI_H
#define CLAMGATE_CLI_H

#include <stdio.h>
#include <time.h>

#include "clamgate/config.h"
#include "clamgate/qstore.h"
#include "clamgate/quarantine.h"

#define CLI_OK	      0
#define CLI_NOT_FOUND 1 /* not found, nothing matched, failed */
#define CLI_USAGE     2 /* usage or configuration error */

struct cli {
	const struct cg_config *cfg;
	const char *dir;   /* quarantine.directory: the release key, and
			    * the entries of the "dir" backend */
	struct qstore *qs; /* the store */
	time_t now;
	const char *usage; /* the command's, from the command table */
};

int cli_list(struct cli *c, int argc, char **argv);
int cli_stats(struct cli *c, int argc, char **argv);
int cli_show(struct cli *c, int argc, char **argv);
int cli_export(struct cli *c, int argc, char **argv);
int cli_release(struct cli *c, int argc, char **argv);
int cli_delete(struct cli *c, int argc, char **argv);
int cli_purge(struct cli *c, int argc, char **argv);
int cli_verified(struct cli *c, int argc, char **argv);
int cli_migrate(struct cli *c, int argc, char **argv);

void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_usage(const struct cli *c);
int cli_become_owner(const char *what, const char *path);
int cli_resolve(struct cli *c, const char *prefix, char id[QUARANTINE_ID_MAX]);
int cli_open(struct cli *c, const char *prefix, struct quarantine_entry *e,
	     enum quarantine_read_what what);
int cli_when(const char *text, time_t now, time_t *when);
void cli_time(time_t t, char *buf, size_t len);
char *cli_text(const char *text, int lines);
void cli_text_entry(struct quarantine_entry *e);
void cli_json_str(FILE *out, const char *s);

#endif
