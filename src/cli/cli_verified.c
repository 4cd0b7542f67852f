/*
 * NAME
 *	cli_verified - clamgate-quarantine verified: the outbound gate's
 *	memory of verified senders and contacts
 * SYNOPSIS
 *	clamgate-quarantine verified list [--json] [--contacts]
 *	clamgate-quarantine verified show ADDRESS [--json]
 *	clamgate-quarantine verified forget ADDRESS
 *	clamgate-quarantine verified add ADDRESS
 * DESCRIPTION
 *	The store is outbound.store (vstore.h), which the daemon reads and
 *	writes meanwhile; list and show open it read-only.  list prints
 *	the verified senders (or with --contacts, who wrote to whom), most
 *	recently seen first; show one address, verified or not, and its
 *	contacts either way; forget removes it from both; add marks it
 *	verified by the administrator (how "admin", which later passes
 *	never change).  A row seen longer ago than outbound.remember no
 *	longer counts (the daemon trims it later): list marks it
 *	[expired].  forget and add are logged.  Every address came from a
 *	sender: it is printed as cli_text() makes it safe, and --json
 *	escapes it.
 *
 *	Started as root, the tool becomes the owner of the store file (or,
 *	before the file exists, of its directory, the daemon's state
 *	directory) before it opens it: SQLite creates the -wal and -shm
 *	files next to the database as whoever opens it, and a root-owned
 *	-shm would lock the daemon, running as its own user, out of its
 *	store.
 * DIAGNOSTICS
 *	Exit 1 when show or forget do not know the address or the store
 *	fails (what and where on stderr), 2 for usage.  A store that does
 *	not exist yet holds no one: list says so and exits 0.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clamgate/cli.h"
#include "clamgate/log.h"
#include "clamgate/vstore.h"
#include "clamgate/xmalloc.h"

struct shown {
	const struct cli *c;
	time_t since; /* rows seen before no longer count */
	int json;
	int n;
	const char *key;	 /* show: the address, normalised */
	struct vstore_row *rows; /* show: its contacts */
	size_t n_rows;
};

static const char *v_backend = "sqlite"; /* outbound.backend's name */
static char v_shown[600]; /* the store as messages name it: no password */

/* cli_verified_path - the store: outbound.store, or outbound.dsn */
static const char *
cli_verified_path(const struct cg_config *cfg)
{
	v_backend = config_vstore_backend(cfg);
	vstore_shown(v_backend, config_vstore_where(cfg), v_shown,
		     sizeof(v_shown));
	return config_vstore_where(cfg);
}

/* verified_usage - the usage of one verb */
static int
verified_usage(const struct cli *c, const char *usage)
{
	struct cli verb = *c;

	verb.usage = usage;
	return cli_usage(&verb);
}

/* verified_dir - the directory of path, into buf */
static void
verified_dir(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(buf, len, ".");
	else if (slash == path)
		snprintf(buf, len, "/");
	else
		snprintf(buf, len, "%.*s", (int)(slash - path), path);
}

/* verified_owner - as root, become the store's owner (or its
 * directory's); *exists says whether the file is there; -1 said why */
static int
verified_owner(const char *path, int *exists)
{
	char dir[4096];
	struct stat sb;

	if (strcmp(v_backend, "sqlite") != 0) {
		*exists = 1; /* a database: nothing to own here */
		return 0;
	}
	*exists = stat(path, &sb) == 0;
	if (!*exists && errno != ENOENT) {
		cli_error("cannot read outbound.store %s: %s%s", path,
			  strerror(errno),
			  errno == EACCES
			      ? " (run as root or as the store's owner)"
			      : "");
		return -1;
	}
	if (*exists)
		return cli_become_owner("outbound.store", path);
	verified_dir(path, dir, sizeof(dir));
	return cli_become_owner("the directory of outbound.store", dir);
}

/* verified_open - the store, or NULL after saying why */
static struct vstore *
verified_open(const char *path, int readonly)
{
	char err[1500];
	struct vstore *st =
	    vstore_open(v_backend, path, readonly, err, sizeof(err));

	if (st == NULL)
		cli_error("%s", err);
	return st;
}

/* verified_json_times - "first", "last" with their dates, "count" */
static void
verified_json_times(const struct shown *a, const struct vstore_row *r)
{
	char first[32], last[32];

	cli_time(r->first, first, sizeof(first));
	cli_time(r->last, last, sizeof(last));
	printf("\"first\":%lld,\"first_date\":\"%s\",\"last\":%lld,"
	       "\"last_date\":\"%s\",\"count\":%lu,\"current\":%s",
	       (long long)r->first, first, (long long)r->last, last, r->count,
	       r->last >= a->since ? "true" : "false");
}

/* verified_json_row - one row as a JSON object */
static void
verified_json_row(const struct shown *a, const struct vstore_row *r)
{
	if (r->table == VSTORE_VERIFIED) {
		printf("{\"address\":");
		cli_json_str(stdout, r->addr);
		printf(",\"how\":");
		cli_json_str(stdout, r->how);
	} else {
		printf("{\"remote\":");
		cli_json_str(stdout, r->addr);
		printf(",\"local\":");
		cli_json_str(stdout, r->local);
	}
	putchar(',');
	verified_json_times(a, r);
	putchar('}');
}

/* verified_plain_row - one row as one line of the table */
static void
verified_plain_row(const struct shown *a, const struct vstore_row *r)
{
	char first[32], last[32];
	char *addr = cli_text(r->addr, 0), *other;

	cli_time(r->first, first, sizeof(first));
	cli_time(r->last, last, sizeof(last));
	other = cli_text(r->table == VSTORE_VERIFIED ? r->how : r->local, 0);
	printf("%-40s  %-*s  %s  %s  %7lu%s\n", addr,
	       r->table == VSTORE_VERIFIED ? 8 : 40, other, first, last,
	       r->count, r->last >= a->since ? "" : "  [expired]");
	free(addr);
	free(other);
}

/* list_row - vstore_each callback: print one row */
static int
list_row(const struct vstore_row *r, void *arg)
{
	struct shown *a = arg;

	if (a->json) {
		verified_json_row(a, r);
		putchar('\n');
	} else {
		if (a->n == 0 && r->table == VSTORE_VERIFIED)
			printf("%-40s  %-8s  %-19s  %-19s  %7s\n", "ADDRESS",
			       "HOW", "FIRST", "LAST", "COUNT");
		else if (a->n == 0)
			printf("%-40s  %-40s  %-19s  %-19s  %7s\n", "REMOTE",
			       "LOCAL", "FIRST", "LAST", "COUNT");
		verified_plain_row(a, r);
	}
	a->n++;
	return 0;
}

/* verified_none - "no verified senders yet (why)", where it does not
 * spoil JSON output */
static void
verified_none(int json, int contacts, const char *why)
{
	fprintf(json ? stderr : stdout, "no %s yet (%s %s)\n",
		contacts ? "contacts" : "verified senders", v_shown, why);
}

/* verified_list - every verified sender, or every contact */
static int
verified_list(struct shown *a, const char *path, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"contacts", no_argument, NULL, 'C'},
	    {NULL, 0, NULL, 0}};
	enum vstore_table table = VSTORE_VERIFIED;
	struct vstore *st;
	int ch, exists, n;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'j')
			a->json = 1;
		else if (ch == 'C')
			table = VSTORE_CONTACT;
		else
			return -1;
	}
	if (optind != argc)
		return -1;
	if (verified_owner(path, &exists) < 0)
		return CLI_NOT_FOUND;
	if (!exists) {
		verified_none(a->json, table == VSTORE_CONTACT,
			      "does not exist");
		return CLI_OK;
	}
	if ((st = verified_open(path, 1)) == NULL)
		return CLI_NOT_FOUND;
	n = vstore_each(st, table, list_row, a);
	if (n < 0)
		cli_error("%s", vstore_error(st));
	else if (n == 0)
		verified_none(a->json, table == VSTORE_CONTACT, "is empty");
	vstore_close(st);
	return n < 0 ? CLI_NOT_FOUND : CLI_OK;
}

/* show_contact - vstore_each callback: keep the address's contacts */
static int
show_contact(const struct vstore_row *r, void *arg)
{
	struct shown *a = arg;

	if (strcmp(r->addr, a->key) != 0 && strcmp(r->local, a->key) != 0)
		return 0;
	a->rows = xrealloc(a->rows, (a->n_rows + 1) * sizeof(*a->rows));
	a->rows[a->n_rows++] = *r;
	return 0;
}

/* show_json - the address as one JSON object */
static void
show_json(const struct shown *a, const struct vstore_row *v, int verified)
{
	printf("{\"address\":");
	cli_json_str(stdout, a->key);
	printf(",\"verified\":");
	if (verified)
		verified_json_row(a, v);
	else
		printf("null");
	printf(",\"contacts\":[");
	for (size_t i = 0; i < a->n_rows; i++) {
		if (i > 0)
			putchar(',');
		verified_json_row(a, &a->rows[i]);
	}
	printf("]}\n");
}

/* show_plain - the address, one field a line */
static void
show_plain(const struct shown *a, const struct vstore_row *v, int verified)
{
	char t[32], *s = cli_text(a->key, 0);

	printf("Address:    %s\n", s);
	free(s);
	if (verified) {
		s = cli_text(v->how, 0);
		printf("How:        %s\n", s);
		free(s);
		cli_time(v->first, t, sizeof(t));
		printf("First seen: %s (%lld)\n", t, (long long)v->first);
		cli_time(v->last, t, sizeof(t));
		printf("Last seen:  %s (%lld)\nCount:      %lu\n", t,
		       (long long)v->last, v->count);
		cli_time(v->last + (a->c->now - a->since), t, sizeof(t));
		printf("Status:     %s %s (outbound.remember)\n",
		       v->last >= a->since ? "verified until" : "expired since",
		       t);
	} else {
		printf("Status:     not verified\n");
	}
	for (size_t i = 0; i < a->n_rows; i++) {
		char *r = cli_text(a->rows[i].addr, 0);
		char *l = cli_text(a->rows[i].local, 0);
		cli_time(a->rows[i].last, t, sizeof(t));
		printf("Contact:    %s -> %s, last %s, %lu time%s%s\n", r, l, t,
		       a->rows[i].count, a->rows[i].count == 1 ? "" : "s",
		       a->rows[i].last >= a->since ? "" : " [expired]");
		free(r);
		free(l);
	}
}

/* show_lookup - the verified row and the contacts of a->key */
static int
show_lookup(struct shown *a, const char *path, struct vstore_row *v)
{
	struct vstore *st = verified_open(path, 1);
	int verified = -1;

	if (st == NULL)
		return -1;
	verified = vstore_get_verified(st, a->key, 0, v);
	if (verified < 0 ||
	    vstore_each(st, VSTORE_CONTACT, show_contact, a) < 0) {
		cli_error("%s", vstore_error(st));
		verified = -1;
	}
	vstore_close(st);
	return verified;
}

/* verified_show - one address: verified or not, its contacts */
static int
verified_show(struct shown *a, const char *path, int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
					     {NULL, 0, NULL, 0}};
	char key[VSTORE_ADDR_MAX + 1];
	struct vstore_row v;
	int ch, exists, verified;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'j')
			return -1;
		a->json = 1;
	}
	if (optind + 1 != argc)
		return -1;
	vstore_normalise(argv[optind], key);
	if (verified_owner(path, &exists) < 0)
		return CLI_NOT_FOUND;
	if (!exists) {
		verified_none(a->json, 0, "does not exist");
		return CLI_NOT_FOUND;
	}
	a->key = key;
	verified = show_lookup(a, path, &v);
	if (verified == 0 && a->n_rows == 0) {
		char *shown = cli_text(key, 0);
		cli_error("%s: not in %s", shown, v_shown);
		free(shown);
	} else if (verified >= 0 && a->json) {
		show_json(a, &v, verified);
	} else if (verified >= 0) {
		show_plain(a, &v, verified);
	}
	free(a->rows);
	a->key = NULL; /* key is ours */
	if (verified < 0)
		return CLI_NOT_FOUND;
	return verified == 0 && a->n_rows == 0 ? CLI_NOT_FOUND : CLI_OK;
}

/* verified_forget - remove an address from the store */
static int
verified_forget(struct shown *a, const char *path, int argc, char **argv)
{
	char key[VSTORE_ADDR_MAX + 1], *shown;
	struct vstore *st = NULL;
	int exists;
	long n = 0;

	(void)a;
	if (argc != 2)
		return -1;
	vstore_normalise(argv[1], key);
	if (verified_owner(path, &exists) < 0 ||
	    (exists && (st = verified_open(path, 0)) == NULL))
		return CLI_NOT_FOUND;
	if (st != NULL) {
		if ((n = vstore_forget(st, key)) < 0)
			cli_error("%s", vstore_error(st));
		vstore_close(st);
	}
	shown = cli_text(key, 0);
	if (n == 0)
		cli_error("%s: not in %s%s", shown, v_shown,
			  exists ? "" : " (it does not exist)");
	if (n > 0) {
		log_info("outbound store %s: %s forgotten by uid %ld (%ld "
			 "rows)",
			 v_shown, shown, (long)getuid(), n);
		printf("%s: forgotten (%ld %s)\n", shown, n,
		       n == 1 ? "row" : "rows");
	}
	free(shown);
	return n > 0 ? CLI_OK : CLI_NOT_FOUND;
}

/* verified_address - an address an administrator may add, normalised */
static int
verified_address(const char *in, char key[VSTORE_ADDR_MAX + 1])
{
	const char *at;

	vstore_normalise(in, key);
	if (strlen(in) > VSTORE_ADDR_MAX + 2)
		return 0;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>')
			return 0;
	at = strrchr(key, '@');
	return at != NULL && at != key && at[1] != '\0';
}

/* verified_add - the administrator vouches for a sender */
static int
verified_add(struct shown *a, const char *path, int argc, char **argv)
{
	char key[VSTORE_ADDR_MAX + 1];
	struct vstore_row row;
	struct vstore *st;
	int exists, rc = CLI_OK;

	if (argc != 2)
		return -1;
	if (!verified_address(argv[1], key)) {
		char *shown = cli_text(argv[1], 0);
		cli_error("\"%s\" is not an address (local@domain)", shown);
		free(shown);
		return CLI_USAGE;
	}
	if (verified_owner(path, &exists) < 0 ||
	    (st = verified_open(path, 0)) == NULL)
		return CLI_NOT_FOUND;
	memset(&row, 0, sizeof(row));
	row.table = VSTORE_VERIFIED;
	snprintf(row.addr, sizeof(row.addr), "%s", key);
	snprintf(row.how, sizeof(row.how), "admin");
	row.first = row.last = a->c->now;
	if (vstore_put(st, &row, 1) < 0) {
		cli_error("%s", vstore_error(st));
		rc = CLI_NOT_FOUND;
	} else {
		char *shown = cli_text(key, 0);
		log_info("outbound store %s: %s verified by uid %ld", v_shown,
			 shown, (long)getuid());
		printf("%s: verified (admin)\n", shown);
		free(shown);
	}
	vstore_close(st);
	return rc;
}

static const struct {
	const char *name;
	int (*run)(struct shown *, const char *, int, char **);
	const char *usage;
} verbs[] = {
    {"list", verified_list, "verified list [--json] [--contacts]"},
    {"show", verified_show, "verified show ADDRESS [--json]"},
    {"forget", verified_forget, "verified forget ADDRESS"},
    {"add", verified_add, "verified add ADDRESS"},
};

/* cli_verified - verified VERB [ARGS]: a verb from the table */
int
cli_verified(struct cli *c, int argc, char **argv)
{
	const char *path = cli_verified_path(c->cfg);
	struct shown a;
	int rc;

	if (argc < 2)
		return cli_usage(c);
	memset(&a, 0, sizeof(a));
	a.c = c;
	a.since = c->now - (time_t)c->cfg->outbound.remember;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[1], verbs[i].name) != 0)
			continue;
		/* argv[1], the verb, is the command name for getopt */
		rc = verbs[i].run(&a, path, argc - 1, argv + 1);
		return rc < 0 ? verified_usage(c, verbs[i].usage) : rc;
	}
	cli_error("unknown verb \"verified %s\"", argv[1]);
	return cli_usage(c);
}
