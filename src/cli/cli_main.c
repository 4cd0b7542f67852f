/*
 * NAME
 *	clamgate-quarantine - list, inspect, release and expire quarantined mail
 * SYNOPSIS
 *	clamgate-quarantine [-c FILE] COMMAND [ARGS]
 * DESCRIPTION
 *	Reads clamgate.conf to find the store (quarantine.backend: the
 *	directory quarantine.directory, or the database quarantine.dsn), and
 *	runs one command from the table below.  Started as root, it first
 *	becomes the store's owner, so that it reads and writes the store
 *	exactly as the daemon does.  A command with a store of its own
 *	(verified: outbound.store, cli_verified.c) finds and becomes the
 *	owner of that one itself.
 * DIAGNOSTICS
 *	Exit 0 on success, 1 when an entry is not found, nothing matched or
 *	an action failed, 2 for a usage or configuration error.  Every
 *	error says what and where.
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "clamgate/audit.h"
#include "clamgate/cli.h"
#include "clamgate/log.h"
#include "clamgate/mime.h"
#include "clamgate/strconv.h"

static const struct {
	const char *name;
	int (*run)(struct cli *, int, char **);
	const char *usage;
	int own_store; /* not the quarantine: the command becomes the
			* owner of its store itself */
} commands[] = {
    {"list", cli_list,
     "list [--since DURATION|DATE] [--until DURATION|DATE] [--virus GLOB]\n"
     "       [--sender GLOB] [--rcpt GLOB] [--client CIDR] [--limit N] "
     "[--json]",
     0},
    {"show", cli_show, "show ID", 0},
    {"export", cli_export, "export ID [-o FILE] [--force]", 0},
    {"release", cli_release, "release ID [--to ADDR]... [--remove]", 0},
    {"delete", cli_delete, "delete ID...", 0},
    {"purge", cli_purge, "purge --older-than DURATION [--dry-run]", 0},
    {"migrate", cli_migrate, "migrate --to postgresql|dir [--dry-run]", 0},
    {"stats", cli_stats, "stats [--since DURATION|DATE] [--until ...] [--json]",
     0},
    {"verified", cli_verified,
     "verified list [--json] [--contacts]\n"
     "  verified show ADDRESS [--json]\n"
     "  verified forget ADDRESS\n"
     "  verified add ADDRESS",
     1},
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* cli_error - "clamgate-quarantine: ..." on stderr */
void
cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("clamgate-quarantine: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* cli_usage - the usage of the command running, from the table;
 * CLI_USAGE */
int
cli_usage(const struct cli *c)
{
	fprintf(stderr, "usage: clamgate-quarantine [-c FILE] %s\n", c->usage);
	return CLI_USAGE;
}

/* usage - every command */
static int
usage(FILE *out, int status)
{
	fprintf(out, "usage: clamgate-quarantine [-c FILE] COMMAND [ARGS]\n"
		     "commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %s\n", commands[i].usage);
	fprintf(out, "IDs may be abbreviated to a unique prefix.\n");
	return status;
}

/* cli_become_owner - as root, become the owner of path (the setting
 * what names it), for good */
int
cli_become_owner(const char *what, const char *path)
{
	struct stat st;

	if (geteuid() != 0)
		return 0;
	if (stat(path, &st) < 0) {
		cli_error("cannot read %s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (st.st_uid == 0)
		return 0;
	if (setgroups(1, &st.st_gid) < 0 ||
	    setresgid(st.st_gid, st.st_gid, st.st_gid) < 0 ||
	    setresuid(st.st_uid, st.st_uid, st.st_uid) < 0) {
		cli_error("cannot switch to the owner of %s: %s", path,
			  strerror(errno));
		return -1;
	}
	return 0;
}

/* check_store - readable by whoever we are now, or say so */
static int
check_store(const char *dir)
{
	if (access(dir, R_OK | X_OK) == 0)
		return 0;
	cli_error(
	    "cannot read quarantine.directory %s: %s%s", dir, strerror(errno),
	    errno == EACCES ? " (run as root or as the store's owner)" : "");
	return -1;
}

/* enter_store - become the owner of quarantine.directory (the entries,
 * or with a database the release key) and open the store; 0 or -1 */
static int
enter_store(struct cli *c)
{
	if (cli_become_owner("quarantine.directory", c->dir) < 0 ||
	    check_store(c->dir) < 0)
		return -1;
	if ((c->qs = qstore_open(c->cfg)) == NULL) {
		cli_error("%s", qstore_error());
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *conf = CLAMGATE_CONF;
	struct cg_config *cfg;
	char err[1024];
	int ch, rc;
	size_t i;

	audit_caller(); /* before any switch to the store's owner */
	while ((ch = getopt(argc, argv, "+c:hV")) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'h':
			return usage(stdout, CLI_OK);
		case 'V':
			printf("clamgate-quarantine %s\n", CLAMGATE_VERSION);
			return CLI_OK;
		default:
			return usage(stderr, CLI_USAGE);
		}
	}
	if (optind >= argc)
		return usage(stderr, CLI_USAGE);
	for (i = 0; i < N_COMMANDS; i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			break;
	if (i == N_COMMANDS) {
		cli_error("unknown command \"%s\"", argv[optind]);
		return usage(stderr, CLI_USAGE);
	}
	if ((cfg = config_load(conf, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return CLI_USAGE;
	}
	log_open("clamgate-quarantine", cfg->log.facility, 0);
	log_set_level(LOG_LEVEL_INFO);
	struct cli c = {cfg, cfg->quarantine.directory, NULL, time(NULL),
			commands[i].usage};
	if (!commands[i].own_store && enter_store(&c) < 0) {
		config_free(cfg);
		return CLI_NOT_FOUND;
	}
	mime_init();
	signal(SIGPIPE,
	       SIG_IGN); /* a sendmail that dies is reported, not fatal */
	argv += optind;
	argc -= optind;
	optind = 0; /* 0: GNU getopt starts afresh for the command */
	rc = commands[i].run(&c, argc, argv);
	qstore_close(c.qs);
	config_free(cfg);
	return rc;
}

/* cli_resolve - a unique id from a prefix, or a clear error */
int
cli_resolve(struct cli *c, const char *prefix, char id[QUARANTINE_ID_MAX])
{
	if (qstore_resolve(c->qs, prefix, id) == 0)
		return 0;
	if (errno == ENOENT)
		cli_error("%s: no such entry in %s", prefix,
			  qstore_where(c->qs));
	else if (errno == EEXIST)
		cli_error("%s: ambiguous, more than one entry starts with it",
			  prefix);
	else
		cli_error("%s", qstore_error());
	return -1;
}

/* cli_open - resolve and read one entry that is not damaged */
int
cli_open(struct cli *c, const char *prefix, struct quarantine_entry *e,
	 enum quarantine_read_what what)
{
	char id[QUARANTINE_ID_MAX];

	if (cli_resolve(c, prefix, id) < 0)
		return -1;
	if (qstore_read(c->qs, id, e, what) < 0) {
		cli_error("%s", qstore_error());
		quarantine_entry_free(e);
		return -1;
	}
	if (e->damaged) {
		cli_error("%s: damaged entry: %s", e->path, e->problem);
		quarantine_entry_free(e);
		return -1;
	}
	return 0;
}

/* cli_when - "7d" (that long ago) or "2026-11-27[THH:MM[:SS]]" (local) */
int
cli_when(const char *text, time_t now, time_t *when)
{
	static const char *const formats[] = {"%Y-%m-%dT%H:%M:%S",
					      "%Y-%m-%d %H:%M:%S",
					      "%Y-%m-%dT%H:%M", "%Y-%m-%d"};
	unsigned long secs;
	struct tm tm;

	if (strconv_duration(text, &secs) == 0) {
		*when = now - (time_t)secs;
		return 0;
	}
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		const char *end;
		memset(&tm, 0, sizeof(tm));
		end = strptime(text, formats[i], &tm);
		if (end && *end == '\0') {
			tm.tm_isdst = -1;
			*when = mktime(&tm);
			return 0;
		}
	}
	return -1;
}

/* cli_time - local "YYYY-MM-DD HH:MM:SS" */
void
cli_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}
