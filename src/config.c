/*
 * NAME
 *	config - read clamgate.conf into one validated, immutable structure
 * SYNOPSIS
 *	struct cg_config *config_load(path, err, errlen)
 * DESCRIPTION
 *	The file is libconfig syntax with the groups milter, scanner,
 *	policy, quarantine and log.  Each group has a table of known keys,
 *	each key a parser that checks the type and range and stores the
 *	typed value.  Keys that are absent keep the defaults set by
 *	config_defaults(), which match the commented etc/clamgate.conf.
 * DIAGNOSTICS
 *	NULL, with "FILE:LINE: what is wrong" in err, for a file that cannot
 *	be read, a syntax error, an unknown group or key, a value of the wrong
 *	type, out of range or inconsistent with another.
 */
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "clamgate/config.h"
#include "clamgate/log.h"
#include "clamgate/reply.h"
#include "clamgate/strconv.h"
#include "clamgate/xmalloc.h"
#include "config_int.h"

/* cfg_where - "group.key: " or "policy.rules[1].action: " for s */
static void
cfg_where(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *path[8];
	size_t n = 0, used = 0;

	for (; s && config_setting_parent(s) && n < 8;
	     s = config_setting_parent(s))
		path[n++] = s;
	buf[0] = '\0';
	while (n-- > 0 && used < len) {
		const char *name = config_setting_name(path[n]);
		int w;

		if (name)
			w = snprintf(buf + used, len - used, "%s%s",
				     used ? "." : "", name);
		else
			w = snprintf(buf + used, len - used, "[%d]",
				     config_setting_index(path[n]));
		used += w > 0 ? (size_t)w : 0;
	}
	if (used > 0 && used + 2 < len)
		memcpy(buf + used, ": ", 3);
}

/* cfg_fail - format "FILE:LINE: group.key: message" and return -1 */
int
cfg_fail(struct cfg_ctx *c, const config_setting_t *s, const char *fmt, ...)
{
	char msg[512], where[256] = "";
	const char *file = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s != NULL) {
		file = config_setting_source_file(s);
		cfg_where(s, where, sizeof(where));
	}
	snprintf(c->err, c->errlen, "%s:%u: %s%s", file ? file : c->path,
		 s ? config_setting_source_line(s) : 0, where, msg);
	return -1;
}

/* cfg_string - the setting as a string, or an error */
int
cfg_string(struct cfg_ctx *c, const config_setting_t *s, const char **out)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfg_fail(c, s, "expected a quoted string");
	*out = config_setting_get_string(s);
	return 0;
}

/* cfg_set_string - replace a string field */
int
cfg_set_string(struct cfg_ctx *c, const config_setting_t *s, char **field)
{
	const char *v = NULL;

	if (cfg_string(c, s, &v) < 0)
		return -1;
	free(*field);
	*field = xstrdup(v);
	return 0;
}

/* cfg_set_path - an absolute path */
int
cfg_set_path(struct cfg_ctx *c, const config_setting_t *s, char **field)
{
	const char *v = NULL;

	if (cfg_string(c, s, &v) < 0)
		return -1;
	if (v[0] != '/')
		return cfg_fail(c, s, "\"%s\" is not an absolute path", v);
	if (strlen(v) > 1024)
		return cfg_fail(c, s, "path longer than 1024 characters");
	free(*field);
	*field = xstrdup(v);
	return 0;
}

/* cfg_uint - an integer within [lo, hi] */
int
cfg_uint(struct cfg_ctx *c, const config_setting_t *s, long lo, long hi,
	 unsigned *out)
{
	long v;

	if (config_setting_type(s) != CONFIG_TYPE_INT)
		return cfg_fail(c, s, "expected a whole number");
	v = (long)config_setting_get_int(s);
	if (v < lo || v > hi)
		return cfg_fail(c, s, "%ld is out of range (%ld to %ld)", v, lo,
				hi);
	*out = (unsigned)v;
	return 0;
}

/* cfg_size - a size as "50M" or a number of bytes, within [lo, hi] */
int
cfg_size(struct cfg_ctx *c, const config_setting_t *s, uint64_t lo, uint64_t hi,
	 uint64_t *out)
{
	uint64_t v;

	if (config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_INT64) {
		long long n = config_setting_get_int64(s);
		if (n < 0)
			return cfg_fail(c, s, "a size cannot be negative");
		v = (uint64_t)n;
	} else if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		if (strconv_size(config_setting_get_string(s), &v) < 0)
			return cfg_fail(
			    c, s,
			    "\"%s\" is not a size (use e.g. 512K, 50M, 1G)",
			    config_setting_get_string(s));
	} else {
		return cfg_fail(c, s, "expected a size such as \"50M\"");
	}
	if (v < lo || v > hi)
		return cfg_fail(
		    c, s, "size %llu is out of range (%llu to %llu bytes)",
		    (unsigned long long)v, (unsigned long long)lo,
		    (unsigned long long)hi);
	*out = v;
	return 0;
}

/* cfg_enum - one of a fixed set of words */
int
cfg_enum(struct cfg_ctx *c, const config_setting_t *s,
	 const struct name_value *names, size_t n, int *out)
{
	char allowed[256] = "";
	const char *v = NULL;

	if (cfg_string(c, s, &v) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v, names[i].name) == 0) {
			*out = names[i].value;
			return 0;
		}
		snprintf(allowed + strlen(allowed),
			 sizeof(allowed) - strlen(allowed), "%s%s",
			 i ? (i + 1 == n ? " or " : ", ") : "", names[i].name);
	}
	return cfg_fail(c, s, "\"%s\" is not valid (use %s)", v, allowed);
}

/* cfg_strlist - an array of non-empty strings */
int
cfg_strlist(struct cfg_ctx *c, const config_setting_t *s,
	    struct cg_strlist *list)
{
	int n;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST)
		return cfg_fail(c, s,
				"expected a list of strings [ \"a\", \"b\" ]");
	n = config_setting_length(s);
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i]);
	free(list->items);
	list->items = xcalloc((size_t)n, sizeof(char *));
	list->count = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e =
		    config_setting_get_elem(s, (unsigned)i);
		const char *v = NULL;
		if (cfg_string(c, e, &v) < 0)
			return -1;
		if (*v == '\0')
			return cfg_fail(c, e, "empty string in list");
		list->items[list->count++] = xstrdup(v);
	}
	return 0;
}

/* config_defaults - the values a key has when the file omits it */
static void
config_defaults(struct cg_config *cfg)
{
	static const char *const trusted[] = {"127.0.0.0/8", "::1/128"};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	cfg->milter.socket = xstrdup("inet:7357@127.0.0.1");
	cfg->milter.user = xstrdup("clamgate");
	cfg->milter.socket_mode = 0660;
	cfg->scanner.backend = xstrdup("libclamav");
	cfg->scanner.database = xstrdup("/var/lib/clamav");
	cfg->scanner.temp_dir = xstrdup("/var/lib/clamgate/tmp");
	cfg->scanner.max_message_size = 50ULL * 1024 * 1024;
	cfg->scanner.spool_memory = 1024 * 1024;
	cfg->scanner.temp_min_free = 100ULL * 1024 * 1024;
	cfg->scanner.timeout = 120;
	cfg->scanner.max_concurrent = ncpu > 0 ? (unsigned)ncpu : 1;
	cfg->scanner.reload_interval = 60;
	cfg->scanner.clamd_connect_timeout = 2;
	cfg->scanner.clamd_probe_interval = 5;
	cfg->scanner.clamd_max_connections = 16;
	cfg->policy.reject = CG_REJECT_SAFE;
	cfg->policy.fallback = CG_QUARANTINE;
	cfg->policy.n_trusted_relays = COUNT(trusted);
	cfg->policy.trusted_relays =
	    xcalloc(COUNT(trusted), sizeof(struct cidr));
	for (size_t i = 0; i < COUNT(trusted); i++)
		(void)cidr_parse(trusted[i], &cfg->policy.trusted_relays[i]);
	cfg->policy.nonsmtp_daemons.items = xcalloc(1, sizeof(char *));
	cfg->policy.nonsmtp_daemons.items[0] = xstrdup("NONSMTP");
	cfg->policy.nonsmtp_daemons.count = 1;
	cfg->policy.reject_authenticated = 1;
	cfg->policy.on_error = CG_ON_ERROR_TEMPFAIL;
	cfg->policy.on_oversize = CG_ACCEPT;
	cfg->policy.on_incomplete = CG_REJECT;
	cfg->policy.headers = CG_HEADERS_REPLACE;
	(void)reply_parse("5.7.1 Virus %v found; message rejected",
			  cfg->policy.reject_code, cfg->policy.reject_xcode,
			  NULL);
	cfg->policy.reject_text = xstrdup("Virus %v found; message rejected");
	cfg->quarantine.directory = xstrdup("/var/lib/clamgate/quarantine");
	cfg->quarantine.retention = 30 * 86400;
	cfg->quarantine.sendmail = xstrdup("/usr/sbin/sendmail");
	cfg->notify.from = xstrdup("clamgate");
	cfg->notify.sendmail = xstrdup("/usr/sbin/sendmail");
	cfg->notify.on = 1U << CG_REJECT | 1U << CG_QUARANTINE | 1U << CG_HOLD |
			 1U << CG_DISCARD;
	cfg->notify.max_per_hour = 10;
	cfg->notify.digest = 1;
	cfg->log.level = LOG_LEVEL_INFO;
	cfg->log.facility = LOG_MAIL;
}

/* config_group - check and parse one group against its key table */
static int
config_group(struct cfg_ctx *c, const config_setting_t *g,
	     const struct key_spec *keys, size_t nkeys)
{
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return cfg_fail(c, g, "expected a group { ... }");
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s =
		    config_setting_get_elem(g, (unsigned)i);
		size_t k;
		for (k = 0; k < nkeys; k++)
			if (strcmp(config_setting_name(s), keys[k].name) == 0)
				break;
		if (k == nkeys)
			return cfg_fail(c, s, "unknown key");
		if (keys[k].parse(c, s) < 0)
			return -1;
	}
	return 0;
}

/* config_root - dispatch every top-level group */
static int
config_root(struct cfg_ctx *c, const config_setting_t *root)
{
	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *g =
		    config_setting_get_elem(root, (unsigned)i);
		size_t k;
		for (k = 0; k < config_n_groups; k++)
			if (strcmp(config_setting_name(g),
				   config_groups[k].name) == 0)
				break;
		if (k == config_n_groups)
			return cfg_fail(
			    c, g,
			    "unknown group (expected milter, "
			    "scanner, policy, quarantine, notify or log)");
		if (config_group(c, g, config_groups[k].keys,
				 config_groups[k].nkeys) < 0)
			return -1;
	}
	return 0;
}

/* config_load - read, parse and validate path */
struct cg_config *
config_load(const char *path, char *err, size_t errlen)
{
	struct cg_config *cfg = xcalloc(1, sizeof(*cfg));
	struct cfg_ctx c = {cfg, path, err, errlen};
	config_t lc;
	int ok;

	config_defaults(cfg);
	cfg->path = xstrdup(path);
	config_init(&lc);
	if (access(path, R_OK) != 0) {
		snprintf(err, errlen, "%s:0: cannot read: %m", path);
		ok = 0;
	} else if (config_read_file(&lc, path) != CONFIG_TRUE) {
		snprintf(err, errlen, "%s:%d: %s",
			 config_error_file(&lc) ? config_error_file(&lc) : path,
			 config_error_line(&lc), config_error_text(&lc));
		ok = 0;
	} else {
		ok = config_root(&c, config_root_setting(&lc)) == 0;
	}
	config_destroy(&lc);
	if (!ok) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* config_free - release everything config_load allocated */
void
config_free(struct cg_config *cfg)
{
	struct cg_strlist *lists[] = {&cfg->policy.noreject_daemons,
				      &cfg->policy.nonsmtp_daemons,
				      &cfg->notify.admin, &cfg->scanner.clamd};

	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->milter.socket);
	free(cfg->milter.user);
	free(cfg->milter.group);
	free(cfg->scanner.backend);
	free(cfg->scanner.database);
	free(cfg->scanner.temp_dir);
	free(cfg->policy.trusted_relays);
	for (size_t l = 0; l < COUNT(lists); l++) {
		for (size_t i = 0; i < lists[l]->count; i++)
			free(lists[l]->items[i]);
		free(lists[l]->items);
	}
	free(cfg->policy.reject_text);
	for (size_t i = 0; i < cfg->policy.n_rules; i++)
		free(cfg->policy.rules[i].match);
	free(cfg->policy.rules);
	free(cfg->quarantine.directory);
	free(cfg->quarantine.sendmail);
	free(cfg->notify.from);
	free(cfg->notify.sendmail);
	free(cfg);
}

/* config_action_name - the word for an action, as in the log */
const char *
config_action_name(enum cg_action action)
{
	static const char *const names[] = {"accept",	  "reject", "tempfail",
					    "quarantine", "hold",   "discard"};

	return (unsigned)action < COUNT(names) ? names[action] : "unknown";
}
