/*
 * NAME
 *	cli_list - clamgate-quarantine list and stats
 * DESCRIPTION
 *	Both walk the store newest first.  The time filters work on the ids
 *	(which begin with the time), so files outside the window are never
 *	opened, and list stops at --limit.  A damaged file is reported on
 *	stderr and skipped.  --json prints one JSON object per line (list)
 *	or one object (stats).
 * DIAGNOSTICS
 *	Exit 1 when nothing matched, 2 for bad options.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "clamgate/cidr.h"
#include "clamgate/cli.h"
#include "clamgate/mime.h"
#include "clamgate/strconv.h"
#include "clamgate/xmalloc.h"

struct filter {
	time_t since, until; /* 0: open */
	const char *virus, *sender, *rcpt;
	int has_client;
	struct cidr client;
	unsigned long limit; /* 0: all */
	int json;
};

enum {
	OPT_SINCE = 1,
	OPT_UNTIL,
	OPT_VIRUS,
	OPT_SENDER,
	OPT_RCPT,
	OPT_CLIENT,
	OPT_LIMIT,
	OPT_JSON
};

static const struct option list_options[] = {
    {"since", required_argument, NULL, OPT_SINCE},
    {"until", required_argument, NULL, OPT_UNTIL},
    {"virus", required_argument, NULL, OPT_VIRUS},
    {"sender", required_argument, NULL, OPT_SENDER},
    {"rcpt", required_argument, NULL, OPT_RCPT},
    {"client", required_argument, NULL, OPT_CLIENT},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"json", no_argument, NULL, OPT_JSON},
    {NULL, 0, NULL, 0},
};

/* filter_option - one option into the filter; -1 on a bad value */
static int
filter_option(struct cli *c, struct filter *f, int opt, const char *arg)
{
	char *end;

	switch (opt) {
	case OPT_SINCE:
	case OPT_UNTIL:
		if (cli_when(arg, c->now,
			     opt == OPT_SINCE ? &f->since : &f->until) == 0)
			return 0;
		cli_error("\"%s\" is neither a duration (7d) nor a date "
			  "(2026-11-27[THH:MM[:SS]])",
			  arg);
		return -1;
	case OPT_VIRUS:
		f->virus = arg;
		return 0;
	case OPT_SENDER:
		f->sender = arg;
		return 0;
	case OPT_RCPT:
		f->rcpt = arg;
		return 0;
	case OPT_CLIENT:
		f->has_client = 1;
		if (cidr_parse(arg, &f->client) == 0)
			return 0;
		cli_error("\"%s\" is not an address or network", arg);
		return -1;
	case OPT_LIMIT:
		f->limit = strtoul(arg, &end, 10);
		if (*arg >= '0' && *arg <= '9' && *end == '\0')
			return 0;
		cli_error("\"%s\" is not a number", arg);
		return -1;
	case OPT_JSON:
		f->json = 1;
		return 0;
	}
	return -1;
}

/* filter_parse - the options of list and stats */
static int
filter_parse(struct cli *c, struct filter *f, int argc, char **argv,
	     const char *optset)
{
	int opt;

	memset(f, 0, sizeof(*f));
	while ((opt = getopt_long(argc, argv, "", list_options, NULL)) != -1) {
		/* optset: the OPT_* values this command takes, as digits */
		if (opt == '?' || !strchr(optset, opt + '0') ||
		    filter_option(c, f, opt, optarg) < 0)
			return -1;
	}
	return optind == argc ? 0 : -1;
}

/* filter_client - the entry's client address is in the network */
static int
filter_client(const struct filter *f, const char *addr)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (addr && inet_pton(AF_INET, addr,
			      &((struct sockaddr_in *)&ss)->sin_addr) == 1)
		ss.ss_family = AF_INET;
	else if (addr &&
		 inet_pton(AF_INET6, addr,
			   &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1)
		ss.ss_family = AF_INET6;
	else
		return 0;
	return cidr_match(&f->client, (struct sockaddr *)&ss);
}

/* filter_match - the entry passes every filter given */
static int
filter_match(const struct filter *f, const struct quarantine_entry *e)
{
	int rcpt = f->rcpt == NULL;

	if (f->virus && !strconv_glob_match(f->virus, e->virus ? e->virus : ""))
		return 0;
	if (f->sender &&
	    !strconv_glob_match(f->sender, e->sender ? e->sender : ""))
		return 0;
	for (size_t i = 0; !rcpt && i < e->n_rcpts; i++)
		rcpt = strconv_glob_match(f->rcpt, e->rcpts[i]);
	if (!rcpt)
		return 0;
	return !f->has_client || filter_client(f, e->client_addr);
}

/* filter_window - -1 past the window (stop), 0 outside, 1 inside */
static int
filter_window(const struct filter *f, const char *id)
{
	time_t t = quarantine_id_time(id);

	if (f->since && t < f->since)
		return -1;
	return !(f->until && t >= f->until);
}

/* json_field - "name":"value", */
static void
json_field(FILE *out, const char *name, const char *value, int comma)
{
	fprintf(out, "\"%s\":", name);
	cli_json_str(out, value);
	if (comma)
		fputc(',', out);
}

/* list_json - one entry as one line of JSON */
static void
list_json(const struct quarantine_entry *e, const char *subject)
{
	char when[32];

	cli_time(e->time, when, sizeof(when));
	printf("{");
	json_field(stdout, "id", e->id, 1);
	printf("\"time\":%lld,", (long long)e->time);
	json_field(stdout, "date", when, 1);
	json_field(stdout, "virus", e->virus, 1);
	json_field(stdout, "action", e->action, 1);
	json_field(stdout, "sender", e->sender, 1);
	printf("\"recipients\":[");
	for (size_t i = 0; i < e->n_rcpts; i++) {
		cli_json_str(stdout, e->rcpts[i]);
		printf("%s", i + 1 < e->n_rcpts ? "," : "");
	}
	printf("],");
	json_field(stdout, "client_address", e->client_addr, 1);
	json_field(stdout, "client_name", e->client_name, 1);
	json_field(stdout, "helo", e->helo, 1);
	json_field(stdout, "queue_id", e->queue_id, 1);
	json_field(stdout, "engine", e->engine, 1);
	printf("\"size\":%llu,", e->size);
	json_field(stdout, "subject", subject, 1);
	json_field(stdout, "message_id", e->message_id, 1);
	json_field(stdout, "gate", e->gate, 1);
	json_field(stdout, "host", e->host, 1);
	json_field(stdout, "released", e->released, 0);
	printf("}\n");
}

/* list_row - one entry as one line of the table */
static void
list_row(const struct quarantine_entry *e, const char *subject)
{
	char when[32], rcpt[300];

	cli_time(e->time, when, sizeof(when));
	if (e->n_rcpts > 1)
		snprintf(rcpt, sizeof(rcpt), "%s (+%zu)", e->rcpts[0],
			 e->n_rcpts - 1);
	else
		snprintf(rcpt, sizeof(rcpt), "%s",
			 e->n_rcpts ? e->rcpts[0] : "-");
	printf("%-32s  %s  %-36s  %-30s  %-30s  %-15s  %9llu  %.70s%s\n", e->id,
	       when, e->virus ? e->virus : "-",
	       e->sender && *e->sender ? e->sender : "<>", rcpt,
	       e->client_addr ? e->client_addr : "-", e->size, subject,
	       e->released ? "  [released]" : "");
}

/* list_one - read, filter and print one entry; 1 if printed */
static int
list_one(struct cli *c, const struct filter *f, const char *id, int *damaged)
{
	struct quarantine_entry e;
	char *subject;
	int shown = 0;

	if (qstore_read(c->qs, id, &e, QUARANTINE_READ_SUBJECT) < 0) {
		if (errno != ENOENT) /* ENOENT: deleted meanwhile */
			cli_error("%s", qstore_error());
	} else if (e.damaged) {
		cli_error("%s: damaged entry skipped: %s", e.path, e.problem);
		(*damaged)++;
	} else if (filter_match(f, &e)) {
		char *decoded = mime_decode_header(e.subject);
		if (f->json) {
			list_json(&e, decoded);
		} else {
			cli_text_entry(&e);
			subject = cli_text(decoded, 0);
			list_row(&e, subject);
			free(subject);
		}
		free(decoded);
		shown = 1;
	}
	quarantine_entry_free(&e);
	return shown;
}

/* cli_list - the entries that match, newest first */
int
cli_list(struct cli *c, int argc, char **argv)
{
	unsigned long shown = 0;
	struct filter f;
	int damaged = 0;
	char **ids;
	size_t n;

	if (filter_parse(c, &f, argc, argv, "12345678") < 0)
		return cli_usage(c);
	if (qstore_ids(c->qs, &ids, &n) < 0) {
		cli_error("%s", qstore_error());
		return CLI_NOT_FOUND;
	}
	if (!f.json && n > 0)
		printf("%-32s  %-19s  %-36s  %-30s  %-30s  %-15s  %9s  %s\n",
		       "ID", "TIME", "VIRUS", "SENDER", "RECIPIENT", "CLIENT",
		       "SIZE", "SUBJECT");
	for (size_t i = 0; i < n && (!f.limit || shown < f.limit); i++) {
		int w = filter_window(&f, ids[i]);
		if (w < 0)
			break;
		if (w > 0)
			shown +=
			    (unsigned long)list_one(c, &f, ids[i], &damaged);
	}
	quarantine_ids_free(ids, n);
	return shown > 0 ? CLI_OK : CLI_NOT_FOUND;
}

struct tally {
	char *key;
	unsigned long count;
	unsigned long long size;
};

static int
tally_cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct tally *)a)->key,
		      ((const struct tally *)b)->key);
}

static int
tally_cmp_count(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* tally_fold - sort by key and merge equal keys; the new count */
static size_t
tally_fold(struct tally *t, size_t n)
{
	size_t out = 0;

	qsort(t, n, sizeof(*t), tally_cmp_key);
	for (size_t i = 0; i < n; i++) {
		if (out > 0 && strcmp(t[out - 1].key, t[i].key) == 0) {
			t[out - 1].count += t[i].count;
			t[out - 1].size += t[i].size;
			free(t[i].key);
		} else {
			t[out++] = t[i];
		}
	}
	return out;
}

/* stats_print - the totals, per day and per virus */
static void
stats_print(const struct filter *f, struct tally *days, size_t nd,
	    struct tally *vir, size_t nv, unsigned long total,
	    unsigned long long size)
{
	qsort(vir, nv, sizeof(*vir), tally_cmp_count);
	if (f->json) {
		printf("{\"total\":%lu,\"size\":%llu,\"days\":[", total, size);
		for (size_t i = 0; i < nd; i++)
			printf("%s{\"day\":\"%s\",\"count\":%lu,\"size\":%llu}",
			       i ? "," : "", days[i].key, days[i].count,
			       days[i].size);
		printf("],\"viruses\":[");
		for (size_t i = 0; i < nv; i++) {
			printf("%s{\"name\":", i ? "," : "");
			cli_json_str(stdout, vir[i].key);
			printf(",\"count\":%lu}", vir[i].count);
		}
		printf("]}\n");
		return;
	}
	printf("total: %lu messages, %llu bytes\n\nper day:\n", total, size);
	for (size_t i = 0; i < nd; i++)
		printf("  %s  %8lu  %12llu bytes\n", days[i].key, days[i].count,
		       days[i].size);
	printf("\nper virus:\n");
	for (size_t i = 0; i < nv; i++) {
		char *name = cli_text(vir[i].key, 0);
		printf("  %8lu  %s\n", vir[i].count, name);
		free(name);
	}
}

/* stats_add - one entry into the tallies */
static void
stats_add(const struct quarantine_entry *e, struct tally *day,
	  struct tally *vir)
{
	char buf[16];
	struct tm tm;

	localtime_r(&e->time, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
	*day = (struct tally){xstrdup(buf), 1, e->size};
	*vir = (struct tally){xstrdup(e->virus ? e->virus : "-"), 1, e->size};
}

/* cli_stats - counts per day and per virus, total size */
int
cli_stats(struct cli *c, int argc, char **argv)
{
	struct tally *days, *vir;
	unsigned long long size = 0;
	size_t n, k = 0, nd, nv;
	struct filter f;
	char **ids;

	if (filter_parse(c, &f, argc, argv, "128") < 0)
		return cli_usage(c);
	if (qstore_ids(c->qs, &ids, &n) < 0) {
		cli_error("%s", qstore_error());
		return CLI_NOT_FOUND;
	}
	days = xcalloc(n, sizeof(*days));
	vir = xcalloc(n, sizeof(*vir));
	for (size_t i = 0; i < n && filter_window(&f, ids[i]) >= 0; i++) {
		struct quarantine_entry e;
		if (filter_window(&f, ids[i]) == 0 ||
		    qstore_read(c->qs, ids[i], &e, QUARANTINE_READ_ENVELOPE) <
			0)
			continue;
		if (e.damaged) {
			cli_error("%s: damaged entry skipped: %s", e.path,
				  e.problem);
		} else {
			stats_add(&e, &days[k], &vir[k]);
			size += e.size;
			k++;
		}
		quarantine_entry_free(&e);
	}
	nd = tally_fold(days, k);
	nv = tally_fold(vir, k);
	stats_print(&f, days, nd, vir, nv, (unsigned long)k, size);
	for (size_t i = 0; i < nd; i++)
		free(days[i].key);
	for (size_t i = 0; i < nv; i++)
		free(vir[i].key);
	free(days);
	free(vir);
	quarantine_ids_free(ids, n);
	return k > 0 ? CLI_OK : CLI_NOT_FOUND;
}
