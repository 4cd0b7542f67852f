/*
 * NAME
 *	config_keys - every key of clamgate.conf, one row each
 * DESCRIPTION
 *	config_keys[] is the complete list of what the file may contain,
 *	with each key's type, field, limits, words and default (see
 *	config_int.h); anything else is an error.  Below the table: the
 *	words of the keys that take one, the checks some strings get, and
 *	the parsers, printers and releases of the keys with a structure of
 *	their own (trusted_relays, reject_reply, rules).
 * DIAGNOSTICS
 *	Each check and parser returns -1 after cfg_fail() described the
 *	problem.
 */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <sys/stat.h>

#include "clamgate/log.h"
#include "clamgate/pg.h"
#include "clamgate/reply.h"
#include "clamgate/xmalloc.h"
#include "config_int.h"

#define SIZE_K	  1024ULL
#define SIZE_M	  (1024ULL * 1024)
#define SIZE_G	  (1024ULL * 1024 * 1024)
#define AT(field) offsetof(struct cg_config, field)
#define WORDS(t)  (t), COUNT(t)

const char *const config_group_names[] = {"milter",	"scanner", "policy",
					  "quarantine", "notify",  "outbound",
					  "metrics",	"log"};
const size_t config_n_groups = COUNT(config_group_names);

/* the words of the keys that take one */

static const struct name_value backend_words[] = {
    {"libclamav", CG_BACKEND_LIBCLAMAV}, {"clamd", CG_BACKEND_CLAMD}};
static const struct name_value reject_words[] = {{"safe", CG_REJECT_SAFE},
						 {"never", CG_REJECT_NEVER}};
static const struct name_value fallback_words[] = {
    {"quarantine", CG_QUARANTINE}, {"hold", CG_HOLD}, {"discard", CG_DISCARD}};
static const struct name_value on_error_words[] = {
    {"tempfail", CG_ON_ERROR_TEMPFAIL}, {"accept", CG_ON_ERROR_ACCEPT}};
static const struct name_value unscanned_words[] = {
    {"accept", CG_ACCEPT}, {"tempfail", CG_TEMPFAIL}, {"reject", CG_REJECT}};
static const struct name_value headers_words[] = {
    {"none", CG_HEADERS_NONE},
    {"add", CG_HEADERS_ADD},
    {"replace", CG_HEADERS_REPLACE}};
static const struct name_value rule_words[] = {
    {"accept", CG_ACCEPT},	   {"reject", CG_REJECT},
    {"quarantine", CG_QUARANTINE}, {"hold", CG_HOLD},
    {"discard", CG_DISCARD},
};
static const struct name_value notify_words[] = {
    {"reject", CG_REJECT}, {"quarantine", CG_QUARANTINE},
    {"hold", CG_HOLD},	   {"discard", CG_DISCARD},
    {"accept", CG_ACCEPT}, {"tempfail", CG_TEMPFAIL}};
static const struct name_value level_words[] = {
    {"error", LOG_LEVEL_ERROR},	  {"warning", LOG_LEVEL_WARNING},
    {"notice", LOG_LEVEL_NOTICE}, {"info", LOG_LEVEL_INFO},
    {"debug", LOG_LEVEL_DEBUG},
};
static const struct name_value facility_words[] = {
    {"mail", LOG_MAIL},	    {"daemon", LOG_DAEMON}, {"user", LOG_USER},
    {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
    {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
    {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
};

static const struct name_value out_mode_words[] = {
    {"off", CG_OUT_OFF}, {"log", CG_OUT_LOG}, {"on", CG_OUT_ON}};
static const struct name_value out_rule_words[] = {
    {"allow", CG_OUT_ALLOW},
    {"internal-only", CG_OUT_INTERNAL_ONLY},
    {"verified-only", CG_OUT_VERIFIED_ONLY},
    {"quarantine", CG_OUT_QUARANTINE},
    {"discard", CG_OUT_DISCARD},
};
static const struct name_value store_words[] = {
    {"sqlite", CG_STORE_SQLITE}, {"postgresql", CG_STORE_POSTGRESQL}};
static const struct name_value qstore_words[] = {
    {"dir", CG_QSTORE_DIR}, {"postgresql", CG_QSTORE_POSTGRESQL}};
static const struct name_value on_stop_words[] = {{"quarantine", CG_QUARANTINE},
						  {"discard", CG_DISCARD}};

/* config_word - the word for a value, or "unknown" */
static const char *
config_word(const struct name_value *words, size_t n, int value)
{
	for (size_t i = 0; i < n; i++)
		if (words[i].value == value)
			return words[i].name;
	return "unknown";
}

/* config_out_rule_name - the word for an outbound rule */
const char *
config_out_rule_name(enum cg_out_rule rule)
{
	return config_word(WORDS(out_rule_words), (int)rule);
}

/* config_out_mode_name - the word for outbound.mode */
const char *
config_out_mode_name(enum cg_out_mode mode)
{
	return config_word(WORDS(out_mode_words), (int)mode);
}

/* config_vstore_backend - the verified-sender store's backend, by the
 * name vstore_open() knows */
const char *
config_vstore_backend(const struct cg_config *cfg)
{
	return config_word(WORDS(store_words), (int)cfg->outbound.backend);
}

/* config_vstore_where - the store's file, or its connection string */
const char *
config_vstore_where(const struct cg_config *cfg)
{
	return cfg->outbound.backend == CG_STORE_POSTGRESQL
		   ? cfg->outbound.dsn
		   : cfg->outbound.store;
}

/* config_backend_name - the word for a scanner backend */
const char *
config_backend_name(enum cg_backend backend)
{
	return config_word(WORDS(backend_words), (int)backend);
}

/* checks of strings */

/* check_domain - a domain name: letters, digits, dots and hyphens */
static int
check_domain(struct cfg_ctx *c, const config_setting_t *s, const char *v)
{
	if (strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789.-") == strlen(v) &&
	    *v != '.' && *v != '-')
		return 0;
	return cfg_fail(c, s, "\"%s\" is not a domain name (example.org)", v);
}

/* check_socket - unix:/path, inet:port@host or inet6:port@host */
static int
check_socket(struct cfg_ctx *c, const config_setting_t *s, const char *v)
{
	const char *p;
	long port;

	if (strncmp(v, "unix:", 5) == 0 || strncmp(v, "local:", 6) == 0) {
		if (strchr(v, ':')[1] != '/')
			return cfg_fail(c, s,
					"unix socket path must be absolute");
		return 0;
	}
	if (strncmp(v, "inet:", 5) != 0 && strncmp(v, "inet6:", 6) != 0)
		return cfg_fail(c, s,
				"\"%s\": use unix:/path, inet:port@host or "
				"inet6:port@host",
				v);
	p = strchr(v, ':') + 1;
	port = *p >= '0' && *p <= '9' ? strtol(p, NULL, 10) : 0;
	if (port <= 0 || port > 65535)
		return cfg_fail(c, s, "\"%s\": port must be 1 to 65535", v);
	return 0;
}

/* check_listen - "" (no endpoint) or a socket */
static int
check_listen(struct cfg_ctx *c, const config_setting_t *s, const char *v)
{
	return *v == '\0' ? 0 : check_socket(c, s, v);
}

/* check_optional_path - "" (off) or an absolute path */
static int
check_optional_path(struct cfg_ctx *c, const config_setting_t *s, const char *v)
{
	if (*v == '\0' || *v == '/')
		return 0;
	return cfg_fail(c, s,
			"\"%s\": the path must be absolute (or \"\" "
			"for none)",
			v);
}

/* check_smtp - "" (use notify.sendmail) or a socket */
static int
check_smtp(struct cfg_ctx *c, const config_setting_t *s, const char *v)
{
	return *v == '\0' ? 0 : check_socket(c, s, v);
}

/* check_address - a bare address: local@domain, nothing else */
static int
check_address(struct cfg_ctx *c, const config_setting_t *s, const char *a)
{
	const char *at = strchr(a, '@');

	if (at && at != a && at[1] && *a != '-' &&
	    strpbrk(a, " \t\r\n<>,;\"()") == NULL)
		return 0;
	return cfg_fail(c, s, "\"%s\" is not a plain address (user@domain)", a);
}

/* check_from - empty, or a local part or address without specials */
static int
check_from(struct cfg_ctx *c, const config_setting_t *s, const char *v)
{
	if (*v && (*v == '-' || strpbrk(v, " \t\r\n<>,;\"()")))
		return cfg_fail(c, s, "\"%s\" is not a plain address", v);
	return 0;
}

/* policy.trusted_relays, metrics.allow: networks */

/* parse_nets - a list of networks into *nets and *n (replacing them) */
static int
parse_nets(struct cfg_ctx *c, const config_setting_t *s, struct cidr **out,
	   size_t *n_out)
{
	struct cg_strlist list = {NULL, 0};
	struct cidr *nets = NULL;
	int rc = cfg_strlist(c, s, &list);

	if (rc == 0)
		nets =
		    xcalloc(list.count ? list.count : 1, sizeof(struct cidr));
	for (size_t i = 0; rc == 0 && i < list.count; i++)
		if (cidr_parse(list.items[i], &nets[i]) < 0)
			rc =
			    cfg_fail(c, config_setting_get_elem(s, (unsigned)i),
				     "\"%s\" is not an address or network "
				     "(e.g. 192.0.2.0/24, 2001:db8::/32)",
				     list.items[i]);
	if (rc == 0) {
		free(*out);
		*out = nets;
		*n_out = list.count;
	} else {
		free(nets);
	}
	for (size_t i = 0; i < list.count; i++)
		free(list.items[i]);
	free(list.items);
	return rc;
}

/* print_nets - a list of networks, as the file would have it */
static void
print_nets(FILE *f, const struct cidr *nets, size_t n)
{
	char buf[80];

	fputs("[", f);
	for (size_t i = 0; i < n; i++) {
		cidr_format(&nets[i], buf, sizeof(buf));
		fputs(i ? ", " : " ", f);
		cfg_print_string(f, buf);
	}
	fputs(" ]", f);
}

static int
parse_trusted_relays(struct cfg_ctx *c, const config_setting_t *s)
{
	return parse_nets(c, s, &c->cfg->policy.trusted_relays,
			  &c->cfg->policy.n_trusted_relays);
}

static void
print_trusted_relays(FILE *f, const struct cg_config *cfg)
{
	print_nets(f, cfg->policy.trusted_relays, cfg->policy.n_trusted_relays);
}

static void
release_trusted_relays(struct cg_config *cfg)
{
	free(cfg->policy.trusted_relays);
}

static int
parse_metrics_allow(struct cfg_ctx *c, const config_setting_t *s)
{
	return parse_nets(c, s, &c->cfg->metrics.allow,
			  &c->cfg->metrics.n_allow);
}

static void
print_metrics_allow(FILE *f, const struct cg_config *cfg)
{
	print_nets(f, cfg->metrics.allow, cfg->metrics.n_allow);
}

static void
release_metrics_allow(struct cg_config *cfg)
{
	free(cfg->metrics.allow);
}

/* policy.reject_reply: [5XX ]5.X.X text */

static int
parse_reject_reply(struct cfg_ctx *c, const config_setting_t *s)
{
	const char *v = NULL, *text = NULL;

	if (cfg_string(c, s, &v) < 0)
		return -1;
	if (reply_parse(v, c->cfg->policy.reject_code,
			c->cfg->policy.reject_xcode, &text) < 0)
		return cfg_fail(c, s,
				"\"%s\": expected [5XX ]5.X.X text, e.g. "
				"\"5.7.1 Virus %%v found\"",
				v);
	free(c->cfg->policy.reject_text);
	c->cfg->policy.reject_text = xstrdup(text);
	return 0;
}

static void
print_reject_reply(FILE *f, const struct cg_config *cfg)
{
	char buf[1200];

	snprintf(buf, sizeof(buf), "%s %s %s", cfg->policy.reject_code,
		 cfg->policy.reject_xcode, cfg->policy.reject_text);
	cfg_print_string(f, buf);
}

static void
release_reject_reply(struct cg_config *cfg)
{
	free(cfg->policy.reject_text);
}

/* policy.rules: ( { match = "GLOB"; action = "..."; }, ... ) */

/* parse_rule - one { match = "GLOB"; action = "..."; } */
static int
parse_rule(struct cfg_ctx *c, const config_setting_t *g, struct cg_rule *rule)
{
	const config_setting_t *m, *a;
	const char *v = NULL;
	int act;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return cfg_fail(c, g,
				"a rule is { match = \"GLOB\"; action = "
				"\"...\"; }");
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *e =
		    config_setting_get_elem(g, (unsigned)i);
		const char *n = config_setting_name(e);
		if (strcmp(n, "match") != 0 && strcmp(n, "action") != 0)
			return cfg_fail(
			    c, e, "unknown key in rule (use match, action)");
	}
	if ((m = config_setting_get_member(g, "match")) == NULL ||
	    (a = config_setting_get_member(g, "action")) == NULL)
		return cfg_fail(c, g, "a rule needs both match and action");
	if (cfg_string(c, m, &v) < 0 ||
	    cfg_enum(c, a, WORDS(rule_words), &act) < 0)
		return -1;
	if (*v == '\0')
		return cfg_fail(c, m, "empty pattern");
	rule->match = xstrdup(v);
	rule->action = (enum cg_action)act;
	return 0;
}

static void
release_rules(struct cg_config *cfg)
{
	for (size_t i = 0; i < cfg->policy.n_rules; i++)
		free(cfg->policy.rules[i].match);
	free(cfg->policy.rules);
	cfg->policy.rules = NULL;
	cfg->policy.n_rules = 0;
}

static int
parse_rules(struct cfg_ctx *c, const config_setting_t *s)
{
	struct cg_config *cfg = c->cfg;
	int n;

	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return cfg_fail(c, s,
				"expected a list ( { match = ...; action = "
				"...; }, ... )");
	n = config_setting_length(s);
	release_rules(cfg);
	cfg->policy.rules =
	    xcalloc(n > 0 ? (size_t)n : 1, sizeof(*cfg->policy.rules));
	for (int i = 0; i < n; i++) {
		if (parse_rule(c, config_setting_get_elem(s, (unsigned)i),
			       &cfg->policy.rules[i]) < 0)
			return -1;
		cfg->policy.n_rules++;
	}
	return 0;
}

static void
print_rules(FILE *f, const struct cg_config *cfg)
{
	fputs("(", f);
	for (size_t i = 0; i < cfg->policy.n_rules; i++) {
		fputs(i ? ", { match = " : " { match = ", f);
		cfg_print_string(f, cfg->policy.rules[i].match);
		fputs("; action = ", f);
		cfg_print_string(
		    f, config_action_name(cfg->policy.rules[i].action));
		fputs("; }", f);
	}
	fputs(" )", f);
}

/* the keys checked together */

/* listen_is_loopback - metrics.listen is a unix socket, or an inet one
 * on a loopback address (a host name other than localhost is not) */
static int
listen_is_loopback(const char *v)
{
	char host[64] = "";
	const char *at = strchr(v, '@');
	struct cidr net;

	if (strncmp(v, "inet", 4) != 0 || at == NULL)
		return 1; /* unix:, or inet:PORT (127.0.0.1) */
	snprintf(host, sizeof(host), "%s", at + 1 + (at[1] == '['));
	host[strcspn(host, "]")] = '\0';
	if (strcmp(host, "localhost") == 0)
		return 1;
	return cidr_parse(host, &net) == 0 && net.prefix > 0 &&
	       cidr_is_loopback(&net);
}

/* check_metrics_listen - metrics.listen beyond loopback needs a
 * metrics.allow network beyond loopback: a non-loopback listener that
 * answers only loopback clients is a mistake, and one that answers
 * everyone is never the default */
static int
check_metrics_listen(struct cfg_ctx *c, const config_setting_t *root)
{
	const struct cg_config *cfg = c->cfg;
	const config_setting_t *s;

	if (cfg->metrics.listen == NULL || cfg->metrics.listen[0] == '\0' ||
	    listen_is_loopback(cfg->metrics.listen))
		return 0;
	for (size_t i = 0; i < cfg->metrics.n_allow; i++)
		if (!cidr_is_loopback(&cfg->metrics.allow[i]))
			return 0;
	s = config_setting_lookup((config_setting_t *)root, "metrics.listen");
	return cfg_fail(c, s,
			"\"%s\" is not a loopback address: list the client "
			"networks that may read the metrics in metrics.allow",
			cfg->metrics.listen);
}

/* check_dsn - a backend "postgresql" (BACKEND) needs a connection
 * string (KEY) libpq can read (its error is not repeated: it quotes the
 * text, password and all); a connection string that holds a password
 * may sit only in a file no group or other user can read, the file the
 * setting is in (an @include too); libpq's passfile is the other way */
static int
check_dsn(struct cfg_ctx *c, const config_setting_t *root, int pg,
	  const char *dsn, const char *backend, const char *key)
{
	config_setting_t *r = (config_setting_t *)root;
	const config_setting_t *s = config_setting_lookup(r, key);
	const char *file = s ? config_setting_source_file(s) : NULL;
	struct stat sb = {0};

	if (pg && (dsn == NULL || dsn[0] == '\0'))
		return cfg_fail(c, config_setting_lookup(r, backend),
				"\"postgresql\" needs %s, a libpq connection "
				"string",
				key);
	if (dsn == NULL || dsn[0] == '\0')
		return 0;
	if (!pg_dsn_valid(dsn))
		return cfg_fail(c, s,
				"not a connection string libpq can read "
				"(keyword=value ..., or a postgresql:// URI; "
				"the text is not repeated here)");
	if (!pg_dsn_has_password(dsn))
		return 0;
	if (file == NULL)
		file = c->path;
	if (stat(file, &sb) == 0 && (sb.st_mode & 077) == 0)
		return 0;
	return cfg_fail(c, s,
			"holds a password, and %s can be read by others "
			"(mode %04o): make it mode 0600, or keep the password "
			"in a libpq passfile (passfile=... in the string, or "
			"PGPASSFILE)",
			file, (unsigned)(sb.st_mode & 07777));
}

/* check_dsns - the verified senders' and the quarantine's databases */
static int
check_dsns(struct cfg_ctx *c, const config_setting_t *root)
{
	const struct cg_config *cfg = c->cfg;

	if (check_dsn(c, root, cfg->outbound.backend == CG_STORE_POSTGRESQL,
		      cfg->outbound.dsn, "outbound.store_backend",
		      "outbound.store_dsn") < 0)
		return -1;
	if (check_dsn(c, root, cfg->quarantine.backend == CG_QSTORE_POSTGRESQL,
		      cfg->quarantine.dsn, "quarantine.backend",
		      "quarantine.dsn") < 0)
		return -1;
	/* a quarantined message is one bytea value, which holds 1 GB */
	if (cfg->quarantine.backend != CG_QSTORE_POSTGRESQL ||
	    cfg->scanner.max_message_size < 1000ULL * 1000 * 1000)
		return 0;
	return cfg_fail(c,
			config_setting_lookup((config_setting_t *)root,
					      "scanner.max_message_size"),
			"at most 999M with quarantine.backend \"postgresql\" "
			"(a message is kept in one value, which PostgreSQL "
			"limits to 1 GB)");
}

/* check_clamd_twice - a server listed twice in scanner.clamd would get
 * twice the load and two series of the same name in the metrics */
static int
check_clamd_twice(struct cfg_ctx *c, const config_setting_t *root)
{
	const struct cg_strlist *l = &c->cfg->scanner.clamd;
	config_setting_t *s =
	    config_setting_lookup((config_setting_t *)root, "scanner.clamd");

	for (size_t i = 0; i < l->count; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(l->items[i], l->items[j]) == 0)
				return cfg_fail(
				    c,
				    s ? config_setting_get_elem(s, (unsigned)i)
				      : NULL,
				    "\"%s\" is listed twice", l->items[i]);
	return 0;
}

/* config_check_together - the checks of keys that go together */
int
config_check_together(struct cfg_ctx *c, const config_setting_t *root)
{
	if (check_metrics_listen(c, root) < 0 || check_clamd_twice(c, root) < 0)
		return -1;
	return check_dsns(c, root);
}

#define CUSTOM(p, q, r) .parse = (p), .print = (q), .release = (r)
#define KEY(g, n, t, f, d)                                                     \
	.group = (g), .name = (n), .type = (t), .offset = AT(f), .dflt = (d)
#define RANGE(a, b) .lo = (a), .hi = (b)

const struct key_spec config_keys[] = {
    {KEY("milter", "socket", CFG_STRING, milter.socket,
	 "\"inet:7357@127.0.0.1\""),
     .check = check_socket},
    {KEY("milter", "user", CFG_STRING, milter.user, "\"clamgate\"")},
    {KEY("milter", "group", CFG_STRING, milter.group, NULL)},
    {KEY("milter", "socket_mode", CFG_MODE, milter.socket_mode, "\"0660\"")},
    {KEY("milter", "max_sessions", CFG_UINT, milter.max_sessions, "1000"),
     RANGE(1, 100000)},
    {KEY("milter", "max_recipients", CFG_UINT, milter.max_recipients, "10000"),
     RANGE(1, 1000000)},

    {KEY("scanner", "backend", CFG_ENUM, scanner.backend, "\"libclamav\""),
     .names = WORDS(backend_words)},
    {KEY("scanner", "clamd", CFG_STRLIST, scanner.clamd, "[ ]"),
     .check = check_socket},
    {KEY("scanner", "clamd_connect_timeout", CFG_UINT,
	 scanner.clamd_connect_timeout, "2"),
     RANGE(1, 60)},
    {KEY("scanner", "clamd_probe_interval", CFG_UINT,
	 scanner.clamd_probe_interval, "5"),
     RANGE(1, 3600)},
    {KEY("scanner", "clamd_max_connections", CFG_UINT,
	 scanner.clamd_max_connections, "16"),
     RANGE(1, 1000)},
    {KEY("scanner", "database", CFG_PATH, scanner.database,
	 "\"/var/lib/clamav\"")},
    {KEY("scanner", "temp_dir", CFG_PATH, scanner.temp_dir,
	 "\"/var/lib/clamgate/tmp\"")},
    {KEY("scanner", "temp_min_free", CFG_SIZE, scanner.temp_min_free,
	 "\"100M\""),
     RANGE(0, 1024 * SIZE_G)},
    {KEY("scanner", "max_message_size", CFG_SIZE, scanner.max_message_size,
	 "\"50M\""),
     RANGE(SIZE_K, 2 * SIZE_G)},
    {KEY("scanner", "spool_memory", CFG_SIZE, scanner.spool_memory, "\"1M\""),
     RANGE(0, 256 * SIZE_M)},
    {KEY("scanner", "max_spool_disk", CFG_SIZE, scanner.max_spool_disk,
	 "\"2G\""),
     RANGE(0, 1024 * SIZE_G)},
    {KEY("scanner", "timeout", CFG_UINT, scanner.timeout, "120"),
     RANGE(1, 3600)},
    {KEY("scanner", "mime_view", CFG_BOOL, scanner.mime_view, "true")},
    {KEY("scanner", "max_concurrent", CFG_UINT, scanner.max_concurrent, "0"),
     RANGE(0, 1024)},
    {KEY("scanner", "reload_interval", CFG_UINT, scanner.reload_interval, "60"),
     RANGE(0, 86400)},

    {KEY("policy", "reject", CFG_ENUM, policy.reject, "\"safe\""),
     .names = WORDS(reject_words)},
    {KEY("policy", "fallback", CFG_ENUM, policy.fallback, "\"quarantine\""),
     .names = WORDS(fallback_words)},
    {KEY("policy", "trusted_relays", CFG_CUSTOM, policy.trusted_relays,
	 "[ \"127.0.0.0/8\", \"::1/128\" ]"),
     CUSTOM(parse_trusted_relays, print_trusted_relays,
	    release_trusted_relays)},
    {KEY("policy", "noreject_daemons", CFG_STRLIST, policy.noreject_daemons,
	 "[ ]")},
    {KEY("policy", "nonsmtp_daemons", CFG_STRLIST, policy.nonsmtp_daemons,
	 "[ \"NONSMTP\" ]")},
    {KEY("policy", "release_daemons", CFG_STRLIST, policy.release_daemons,
	 "[ \"MTA\", \"MTA-v4\", \"MTA-v6\" ]")},
    {KEY("policy", "reject_authenticated", CFG_BOOL,
	 policy.reject_authenticated, "true")},
    {KEY("policy", "on_error", CFG_ENUM, policy.on_error, "\"tempfail\""),
     .names = WORDS(on_error_words)},
    {KEY("policy", "on_oversize", CFG_ENUM, policy.on_oversize, "\"accept\""),
     .names = WORDS(unscanned_words)},
    {KEY("policy", "on_incomplete", CFG_ENUM, policy.on_incomplete,
	 "\"reject\""),
     .names = WORDS(unscanned_words)},
    {KEY("policy", "headers", CFG_ENUM, policy.headers, "\"replace\""),
     .names = WORDS(headers_words)},
    {KEY("policy", "reject_reply", CFG_CUSTOM, policy.reject_text,
	 "\"5.7.1 Virus %v found; message rejected\""),
     CUSTOM(parse_reject_reply, print_reject_reply, release_reject_reply)},
    {KEY("policy", "rules", CFG_CUSTOM, policy.rules, "( )"),
     CUSTOM(parse_rules, print_rules, release_rules)},

    {KEY("quarantine", "directory", CFG_PATH, quarantine.directory,
	 "\"/var/lib/clamgate/quarantine\"")},
    {KEY("quarantine", "backend", CFG_ENUM, quarantine.backend, "\"dir\""),
     .names = WORDS(qstore_words)},
    {KEY("quarantine", "dsn", CFG_STRING, quarantine.dsn, "\"\"")},
    {KEY("quarantine", "retention", CFG_DURATION, quarantine.retention,
	 "\"30d\"")},
    {KEY("quarantine", "sendmail", CFG_PATH, quarantine.sendmail,
	 "\"/usr/sbin/sendmail\"")},

    {KEY("notify", "admin", CFG_STRLIST, notify.admin, "[ ]"),
     .check = check_address},
    {KEY("notify", "from", CFG_STRING, notify.from, "\"clamgate\""),
     .check = check_from},
    {KEY("notify", "smtp", CFG_STRING, notify.smtp, "\"inet:25@127.0.0.1\""),
     .check = check_smtp},
    {KEY("notify", "sendmail", CFG_PATH, notify.sendmail,
	 "\"/usr/sbin/sendmail\"")},
    {KEY("notify", "on", CFG_FLAGS, notify.on,
	 "[ \"reject\", \"quarantine\", \"hold\", \"discard\" ]"),
     .names = WORDS(notify_words)},
    {KEY("notify", "max_per_hour", CFG_UINT, notify.max_per_hour, "10"),
     RANGE(0, 100000)},
    {KEY("notify", "digest", CFG_BOOL, notify.digest, "true")},

    {KEY("outbound", "mode", CFG_ENUM, outbound.mode, "\"off\""),
     .names = WORDS(out_mode_words)},
    {KEY("outbound", "internal_domains", CFG_STRLIST, outbound.internal_domains,
	 "[ ]"),
     .check = check_domain},
    {KEY("outbound", "trusted_authserv_ids", CFG_STRLIST,
	 outbound.trusted_authserv_ids, "[ ]")},
    {KEY("outbound", "listeners", CFG_STRLIST, outbound.listeners, "[ ]")},
    {KEY("outbound", "store_backend", CFG_ENUM, outbound.backend, "\"sqlite\""),
     .names = WORDS(store_words)},
    {KEY("outbound", "store", CFG_PATH, outbound.store,
	 "\"/var/lib/clamgate/verified.db\"")},
    {KEY("outbound", "store_dsn", CFG_STRING, outbound.dsn, "\"\"")},
    {KEY("outbound", "remember", CFG_DURATION, outbound.remember, "\"7d\"")},
    {KEY("outbound", "max_entries", CFG_UINT, outbound.max_entries, "100000"),
     RANGE(100, 100000000)},
    {KEY("outbound", "on_stop", CFG_ENUM, outbound.on_stop, "\"quarantine\""),
     .names = WORDS(on_stop_words)},
    {KEY("outbound", "catalogues", CFG_STRLIST, outbound.catalogues,
	 "[ \"outbound-markers\", \"outbound-subjects\" ]")},
    {KEY("outbound", "allow_senders", CFG_STRLIST, outbound.allow_senders,
	 "[ ]")},
    {KEY("outbound", "allow_recipients", CFG_STRLIST, outbound.allow_recipients,
	 "[ ]")},
    {KEY("outbound", "allow_domains", CFG_STRLIST, outbound.allow_domains,
	 "[ ]"),
     .check = check_domain},
    {KEY("outbound", "dsn", CFG_ENUM, outbound.rule[0], "\"verified-only\""),
     .names = WORDS(out_rule_words)},
    {KEY("outbound", "autoreply", CFG_ENUM, outbound.rule[1],
	 "\"verified-only\""),
     .names = WORDS(out_rule_words)},
    {KEY("outbound", "challenge", CFG_ENUM, outbound.rule[2], "\"discard\""),
     .names = WORDS(out_rule_words)},
    {KEY("outbound", "av_notice", CFG_ENUM, outbound.rule[3], "\"discard\""),
     .names = WORDS(out_rule_words)},
    {KEY("outbound", "list", CFG_ENUM, outbound.rule[4], "\"allow\""),
     .names = WORDS(out_rule_words)},
    {KEY("outbound", "other_auto", CFG_ENUM, outbound.rule[5], "\"allow\""),
     .names = WORDS(out_rule_words)},
    {KEY("outbound", "human", CFG_ENUM, outbound.rule[6], "\"allow\""),
     .names = WORDS(out_rule_words)},

    {KEY("metrics", "listen", CFG_STRING, metrics.listen, "\"\""),
     .check = check_listen},
    {KEY("metrics", "allow", CFG_CUSTOM, metrics.allow,
	 "[ \"127.0.0.0/8\", \"::1/128\" ]"),
     CUSTOM(parse_metrics_allow, print_metrics_allow, release_metrics_allow)},
    {KEY("metrics", "textfile", CFG_STRING, metrics.textfile, "\"\""),
     .check = check_optional_path},
    {KEY("metrics", "textfile_interval", CFG_UINT, metrics.textfile_interval,
	 "15"),
     RANGE(1, 3600)},
    {KEY("metrics", "control", CFG_STRING, metrics.control,
	 "\"/run/clamgate/control\""),
     .check = check_optional_path},

    {KEY("log", "level", CFG_ENUM, log.level, "\"info\""),
     .names = WORDS(level_words)},
    {KEY("log", "facility", CFG_ENUM, log.facility, "\"mail\""),
     .names = WORDS(facility_words)},
};

const size_t config_n_keys = COUNT(config_keys);
