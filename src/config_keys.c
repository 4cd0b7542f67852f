/*
 * NAME
 *	config_keys - the groups and keys of clamgate.conf, one parser each
 * DESCRIPTION
 *	Each parser checks one setting and stores the typed value in the
 *	configuration being built.  The tables at the end are the complete
 *	list of what the file may contain; anything else is an error.
 * DIAGNOSTICS
 *	Each parser returns -1 after cfg_fail() described the problem.
 */
#include <stdlib.h>
#include <string.h>

#include "clamgate/log.h"
#include "clamgate/reply.h"
#include "clamgate/strconv.h"
#include "clamgate/xmalloc.h"
#include "config_int.h"

#define SIZE_K 1024ULL
#define SIZE_M (1024ULL * 1024)
#define SIZE_G (1024ULL * 1024 * 1024)

static const struct name_value action_names[] = {
    {"accept", CG_ACCEPT},	   {"reject", CG_REJECT},
    {"quarantine", CG_QUARANTINE}, {"hold", CG_HOLD},
    {"discard", CG_DISCARD},
};

/* milter group */

/* socket_spec_check - unix:/path, inet:port@host or inet6:port@host */
static int
socket_spec_check(struct cfg_ctx *c, const config_setting_t *s, const char *v)
{
	if (strncmp(v, "unix:", 5) == 0 || strncmp(v, "local:", 6) == 0) {
		if (strchr(v, ':')[1] != '/')
			return cfg_fail(c, s,
					"unix socket path must be absolute");
	} else if (strncmp(v, "inet:", 5) != 0 &&
		   strncmp(v, "inet6:", 6) != 0) {
		return cfg_fail(c, s,
				"\"%s\": use unix:/path, inet:port@host or "
				"inet6:port@host",
				v);
	} else if (strtol(strchr(v, ':') + 1, NULL, 10) <= 0 ||
		   strtol(strchr(v, ':') + 1, NULL, 10) > 65535) {
		return cfg_fail(c, s, "\"%s\": port must be 1 to 65535", v);
	}
	return 0;
}

static int
key_milter_socket(struct cfg_ctx *c, const config_setting_t *s)
{
	const char *v = NULL;

	if (cfg_string(c, s, &v) < 0 || socket_spec_check(c, s, v) < 0)
		return -1;
	return cfg_set_string(c, s, &c->cfg->milter.socket);
}

static int
key_milter_user(struct cfg_ctx *c, const config_setting_t *s)
{
	return cfg_set_string(c, s, &c->cfg->milter.user);
}

static int
key_milter_group(struct cfg_ctx *c, const config_setting_t *s)
{
	return cfg_set_string(c, s, &c->cfg->milter.group);
}

static int
key_milter_socket_mode(struct cfg_ctx *c, const config_setting_t *s)
{
	const char *v = NULL;

	if (cfg_string(c, s, &v) < 0)
		return -1;
	if (strconv_mode(v, &c->cfg->milter.socket_mode) < 0 ||
	    c->cfg->milter.socket_mode > 0777)
		return cfg_fail(
		    c, s, "\"%s\" is not an octal mode such as \"0660\"", v);
	return 0;
}

/* scanner group */

static int
key_scanner_backend(struct cfg_ctx *c, const config_setting_t *s)
{
	static const struct name_value names[] = {{"libclamav", 0},
						  {"clamd", 1}};
	int unused;

	if (cfg_enum(c, s, names, COUNT(names), &unused) < 0)
		return -1;
	return cfg_set_string(c, s, &c->cfg->scanner.backend);
}

static int
key_scanner_clamd(struct cfg_ctx *c, const config_setting_t *s)
{
	if (cfg_strlist(c, s, &c->cfg->scanner.clamd) < 0)
		return -1;
	for (size_t i = 0; i < c->cfg->scanner.clamd.count; i++)
		if (socket_spec_check(c,
				      config_setting_get_elem(s, (unsigned)i),
				      c->cfg->scanner.clamd.items[i]) < 0)
			return -1;
	return 0;
}

static int
key_scanner_clamd_connect_timeout(struct cfg_ctx *c, const config_setting_t *s)
{
	return cfg_uint(c, s, 1, 60, &c->cfg->scanner.clamd_connect_timeout);
}

static int
key_scanner_clamd_probe_interval(struct cfg_ctx *c, const config_setting_t *s)
{
	return cfg_uint(c, s, 1, 3600, &c->cfg->scanner.clamd_probe_interval);
}

static int
key_scanner_clamd_max_connections(struct cfg_ctx *c, const config_setting_t *s)
{
	return cfg_uint(c, s, 1, 1000, &c->cfg->scanner.clamd_max_connections);
}

static int
key_scanner_database(struct cfg_ctx *c, const config_setting_t *s)
{
	return cfg_set_path(c, s, &c->cfg->scanner.database);
}

static int
key_scanner_temp_dir(struct cfg_ctx *c, const config_setting_t *s)
{
	return cfg_set_path(c, s, &c->cfg->scanner.temp_dir);
}

static int
key_scanner_max_message_size(struct cfg_ctx *c, const config_setting_t *s)
{
	return cfg_size(c, s, SIZE_K, 2 * SIZE_G,
			&c->cfg->scanner.max_message_size);
}

static int
key_scanner_spool_memory(struct cfg_ctx *c, const config_setting_t *s)
{
	return cfg_size(c, s, 0, 256 * SIZE_M, &c->cfg->scanner.spool_memory);
}

static int
key_scanner_temp_min_free(struct cfg_ctx *c, const config_setting_t *s)
{
	return cfg_size(c, s, 0, 1024 * SIZE_G, &c->cfg->scanner.temp_min_free);
}

static int
key_scanner_timeout(struct cfg_ctx *c, const config_setting_t *s)
{
	return cfg_uint(c, s, 1, 3600, &c->cfg->scanner.timeout);
}

static int
key_scanner_max_concurrent(struct cfg_ctx *c, const config_setting_t *s)
{
	unsigned v;

	if (cfg_uint(c, s, 0, 1024, &v) < 0)
		return -1;
	if (v > 0)
		c->cfg->scanner.max_concurrent = v;
	return 0;
}

static int
key_scanner_reload_interval(struct cfg_ctx *c, const config_setting_t *s)
{
	return cfg_uint(c, s, 0, 86400, &c->cfg->scanner.reload_interval);
}

/* policy group */

static int
key_policy_reject(struct cfg_ctx *c, const config_setting_t *s)
{
	static const struct name_value names[] = {{"safe", CG_REJECT_SAFE},
						  {"never", CG_REJECT_NEVER}};
	int v;

	if (cfg_enum(c, s, names, COUNT(names), &v) < 0)
		return -1;
	c->cfg->policy.reject = (enum cg_reject_mode)v;
	return 0;
}

static int
key_policy_fallback(struct cfg_ctx *c, const config_setting_t *s)
{
	static const struct name_value names[] = {{"quarantine", CG_QUARANTINE},
						  {"hold", CG_HOLD},
						  {"discard", CG_DISCARD}};
	int v;

	if (cfg_enum(c, s, names, COUNT(names), &v) < 0)
		return -1;
	c->cfg->policy.fallback = (enum cg_action)v;
	return 0;
}

static int
key_policy_trusted_relays(struct cfg_ctx *c, const config_setting_t *s)
{
	struct cg_strlist list = {NULL, 0};
	struct cidr *nets = NULL;
	int rc = 0;

	if (cfg_strlist(c, s, &list) < 0)
		rc = -1;
	if (rc == 0)
		nets = xcalloc(list.count, sizeof(struct cidr));
	for (size_t i = 0; rc == 0 && i < list.count; i++)
		if (cidr_parse(list.items[i], &nets[i]) < 0)
			rc =
			    cfg_fail(c, config_setting_get_elem(s, (unsigned)i),
				     "\"%s\" is not an address or network "
				     "(e.g. 192.0.2.0/24, 2001:db8::/32)",
				     list.items[i]);
	if (rc == 0) {
		free(c->cfg->policy.trusted_relays);
		c->cfg->policy.trusted_relays = nets;
		c->cfg->policy.n_trusted_relays = list.count;
	} else {
		free(nets);
	}
	for (size_t i = 0; i < list.count; i++)
		free(list.items[i]);
	free(list.items);
	return rc;
}

static int
key_policy_noreject_daemons(struct cfg_ctx *c, const config_setting_t *s)
{
	return cfg_strlist(c, s, &c->cfg->policy.noreject_daemons);
}

static int
key_policy_nonsmtp_daemons(struct cfg_ctx *c, const config_setting_t *s)
{
	return cfg_strlist(c, s, &c->cfg->policy.nonsmtp_daemons);
}

static int
key_policy_reject_authenticated(struct cfg_ctx *c, const config_setting_t *s)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return cfg_fail(c, s, "expected true or false");
	c->cfg->policy.reject_authenticated = config_setting_get_bool(s);
	return 0;
}

static int
key_policy_on_error(struct cfg_ctx *c, const config_setting_t *s)
{
	static const struct name_value names[] = {
	    {"tempfail", CG_ON_ERROR_TEMPFAIL}, {"accept", CG_ON_ERROR_ACCEPT}};
	int v;

	if (cfg_enum(c, s, names, COUNT(names), &v) < 0)
		return -1;
	c->cfg->policy.on_error = (enum cg_on_error)v;
	return 0;
}

/* key_unscanned_action - accept, tempfail or reject, for mail that was
 * not (fully) scanned */
static int
key_unscanned_action(struct cfg_ctx *c, const config_setting_t *s,
		     enum cg_action *out)
{
	static const struct name_value names[] = {{"accept", CG_ACCEPT},
						  {"tempfail", CG_TEMPFAIL},
						  {"reject", CG_REJECT}};
	int v;

	if (cfg_enum(c, s, names, COUNT(names), &v) < 0)
		return -1;
	*out = (enum cg_action)v;
	return 0;
}

static int
key_policy_on_oversize(struct cfg_ctx *c, const config_setting_t *s)
{
	return key_unscanned_action(c, s, &c->cfg->policy.on_oversize);
}

static int
key_policy_on_incomplete(struct cfg_ctx *c, const config_setting_t *s)
{
	return key_unscanned_action(c, s, &c->cfg->policy.on_incomplete);
}

static int
key_policy_headers(struct cfg_ctx *c, const config_setting_t *s)
{
	static const struct name_value names[] = {
	    {"none", CG_HEADERS_NONE},
	    {"add", CG_HEADERS_ADD},
	    {"replace", CG_HEADERS_REPLACE}};
	int v;

	if (cfg_enum(c, s, names, COUNT(names), &v) < 0)
		return -1;
	c->cfg->policy.headers = (enum cg_headers)v;
	return 0;
}

static int
key_policy_reject_reply(struct cfg_ctx *c, const config_setting_t *s)
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

/* key_policy_rule - one { match = "GLOB"; action = "..."; } */
static int
key_policy_rule(struct cfg_ctx *c, const config_setting_t *g,
		struct cg_rule *rule)
{
	const config_setting_t *m, *a;
	const char *v = NULL;
	int act;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return cfg_fail(c, g,
				"a rule is { match = \"GLOB\"; action = "
				"\"...\"; }");
	for (int i = 0; i < config_setting_length(g); i++) {
		const char *n = config_setting_name(
		    config_setting_get_elem(g, (unsigned)i));
		if (strcmp(n, "match") != 0 && strcmp(n, "action") != 0)
			return cfg_fail(
			    c, config_setting_get_elem(g, (unsigned)i),
			    "unknown key in rule (use match, action)");
	}
	if ((m = config_setting_get_member(g, "match")) == NULL ||
	    (a = config_setting_get_member(g, "action")) == NULL)
		return cfg_fail(c, g, "a rule needs both match and action");
	if (cfg_string(c, m, &v) < 0 ||
	    cfg_enum(c, a, action_names, COUNT(action_names), &act) < 0)
		return -1;
	if (*v == '\0')
		return cfg_fail(c, m, "empty pattern");
	rule->match = xstrdup(v);
	rule->action = (enum cg_action)act;
	return 0;
}

static int
key_policy_rules(struct cfg_ctx *c, const config_setting_t *s)
{
	struct cg_config *cfg = c->cfg;
	int n;

	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return cfg_fail(c, s,
				"expected a list ( { match = ...; action = "
				"...; }, ... )");
	n = config_setting_length(s);
	for (size_t i = 0; i < cfg->policy.n_rules; i++)
		free(cfg->policy.rules[i].match);
	free(cfg->policy.rules);
	cfg->policy.rules = xcalloc((size_t)n, sizeof(struct cg_rule));
	cfg->policy.n_rules = 0;
	for (int i = 0; i < n; i++) {
		if (key_policy_rule(c, config_setting_get_elem(s, (unsigned)i),
				    &cfg->policy.rules[i]) < 0)
			return -1;
		cfg->policy.n_rules++;
	}
	return 0;
}

/* quarantine and log groups */

static int
key_quarantine_directory(struct cfg_ctx *c, const config_setting_t *s)
{
	return cfg_set_path(c, s, &c->cfg->quarantine.directory);
}

static int
key_quarantine_retention(struct cfg_ctx *c, const config_setting_t *s)
{
	const char *v = NULL;

	if (cfg_string(c, s, &v) < 0)
		return -1;
	if (strconv_duration(v, &c->cfg->quarantine.retention) < 0)
		return cfg_fail(c, s,
				"\"%s\" is not a duration (e.g. \"30d\", "
				"\"12h\"; \"0\" keeps entries forever)",
				v);
	return 0;
}

static int
key_quarantine_sendmail(struct cfg_ctx *c, const config_setting_t *s)
{
	return cfg_set_path(c, s, &c->cfg->quarantine.sendmail);
}

static int
key_log_level(struct cfg_ctx *c, const config_setting_t *s)
{
	enum log_level level;
	const char *v = NULL;

	if (cfg_string(c, s, &v) < 0)
		return -1;
	if (log_level_parse(v, &level) < 0)
		return cfg_fail(c, s,
				"\"%s\" is not valid (use error, warning, "
				"notice, info or debug)",
				v);
	c->cfg->log.level = (int)level;
	return 0;
}

static int
key_log_facility(struct cfg_ctx *c, const config_setting_t *s)
{
	const char *v = NULL;

	if (cfg_string(c, s, &v) < 0)
		return -1;
	if (log_facility_parse(v, &c->cfg->log.facility) < 0)
		return cfg_fail(c, s,
				"\"%s\" is not a syslog facility (mail, "
				"daemon, local0 ... local7)",
				v);
	return 0;
}

/* notify group */

/* key_notify_addr_ok - a bare address: local@domain, nothing else */
static int
key_notify_addr_ok(const char *a)
{
	const char *at = strchr(a, '@');

	return at && at != a && at[1] && *a != '-' &&
	       strpbrk(a, " \t\r\n<>,;\"()") == NULL;
}

static int
key_notify_admin(struct cfg_ctx *c, const config_setting_t *s)
{
	if (cfg_strlist(c, s, &c->cfg->notify.admin) < 0)
		return -1;
	for (size_t i = 0; i < c->cfg->notify.admin.count; i++)
		if (!key_notify_addr_ok(c->cfg->notify.admin.items[i]))
			return cfg_fail(
			    c, config_setting_get_elem(s, (unsigned)i),
			    "\"%s\" is not a plain address (user@domain)",
			    c->cfg->notify.admin.items[i]);
	return 0;
}

static int
key_notify_from(struct cfg_ctx *c, const config_setting_t *s)
{
	const char *v = NULL;

	if (cfg_string(c, s, &v) < 0)
		return -1;
	if (*v && (*v == '-' || strpbrk(v, " \t\r\n<>,;\"()")))
		return cfg_fail(c, s, "\"%s\" is not a plain address", v);
	return cfg_set_string(c, s, &c->cfg->notify.from);
}

static int
key_notify_sendmail(struct cfg_ctx *c, const config_setting_t *s)
{
	return cfg_set_path(c, s, &c->cfg->notify.sendmail);
}

static int
key_notify_on(struct cfg_ctx *c, const config_setting_t *s)
{
	static const struct name_value names[] = {
	    {"reject", CG_REJECT}, {"quarantine", CG_QUARANTINE},
	    {"hold", CG_HOLD},	   {"discard", CG_DISCARD},
	    {"accept", CG_ACCEPT}, {"tempfail", CG_TEMPFAIL}};
	int v;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST)
		return cfg_fail(c, s,
				"expected a list such as [ \"reject\", "
				"\"quarantine\" ]");
	c->cfg->notify.on = 0;
	for (int i = 0; i < config_setting_length(s); i++) {
		if (cfg_enum(c, config_setting_get_elem(s, (unsigned)i), names,
			     COUNT(names), &v) < 0)
			return -1;
		c->cfg->notify.on |= 1U << v;
	}
	return 0;
}

static int
key_notify_max_per_hour(struct cfg_ctx *c, const config_setting_t *s)
{
	return cfg_uint(c, s, 0, 100000, &c->cfg->notify.max_per_hour);
}

static int
key_notify_digest(struct cfg_ctx *c, const config_setting_t *s)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return cfg_fail(c, s, "expected true or false");
	c->cfg->notify.digest = config_setting_get_bool(s);
	return 0;
}

static const struct key_spec milter_keys[] = {
    {"socket", key_milter_socket},
    {"user", key_milter_user},
    {"group", key_milter_group},
    {"socket_mode", key_milter_socket_mode},
};

static const struct key_spec scanner_keys[] = {
    {"backend", key_scanner_backend},
    {"database", key_scanner_database},
    {"temp_dir", key_scanner_temp_dir},
    {"max_message_size", key_scanner_max_message_size},
    {"spool_memory", key_scanner_spool_memory},
    {"temp_min_free", key_scanner_temp_min_free},
    {"timeout", key_scanner_timeout},
    {"max_concurrent", key_scanner_max_concurrent},
    {"reload_interval", key_scanner_reload_interval},
    {"clamd", key_scanner_clamd},
    {"clamd_connect_timeout", key_scanner_clamd_connect_timeout},
    {"clamd_probe_interval", key_scanner_clamd_probe_interval},
    {"clamd_max_connections", key_scanner_clamd_max_connections},
};

static const struct key_spec policy_keys[] = {
    {"reject", key_policy_reject},
    {"fallback", key_policy_fallback},
    {"trusted_relays", key_policy_trusted_relays},
    {"noreject_daemons", key_policy_noreject_daemons},
    {"nonsmtp_daemons", key_policy_nonsmtp_daemons},
    {"reject_authenticated", key_policy_reject_authenticated},
    {"on_error", key_policy_on_error},
    {"on_oversize", key_policy_on_oversize},
    {"on_incomplete", key_policy_on_incomplete},
    {"headers", key_policy_headers},
    {"reject_reply", key_policy_reject_reply},
    {"rules", key_policy_rules},
};

static const struct key_spec quarantine_keys[] = {
    {"directory", key_quarantine_directory},
    {"retention", key_quarantine_retention},
    {"sendmail", key_quarantine_sendmail},
};

static const struct key_spec notify_keys[] = {
    {"admin", key_notify_admin},
    {"from", key_notify_from},
    {"sendmail", key_notify_sendmail},
    {"on", key_notify_on},
    {"max_per_hour", key_notify_max_per_hour},
    {"digest", key_notify_digest},
};

static const struct key_spec log_keys[] = {
    {"level", key_log_level},
    {"facility", key_log_facility},
};

const struct group_spec config_groups[] = {
    {"milter", milter_keys, COUNT(milter_keys)},
    {"scanner", scanner_keys, COUNT(scanner_keys)},
    {"policy", policy_keys, COUNT(policy_keys)},
    {"quarantine", quarantine_keys, COUNT(quarantine_keys)},
    {"notify", notify_keys, COUNT(notify_keys)},
    {"log", log_keys, COUNT(log_keys)},
};

const size_t config_n_groups = COUNT(config_groups);
