/*
 * NAME
 *	config - read clamgate.conf into one validated, immutable structure
 * SYNOPSIS
 *	struct cg_config *config_load(path, err, errlen)
 * DESCRIPTION
 *	The file is libconfig syntax with the groups milter, scanner,
 *	policy, quarantine, notify and log.  Every key is a row of
 *	config_keys[] (config_keys.c): its type says how it is parsed,
 *	printed (config_print, clamgate -p) and freed, and its default is
 *	written as in the file.  The defaults are set by parsing them as a
 *	file of their own before the real one, so a default and a value from
 *	the file take the same path; they match the commented
 *	etc/clamgate.conf (a unit test checks).
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
#include <strings.h>
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
		if (strcasecmp(v, names[i].name) == 0) {
			*out = names[i].value;
			return 0;
		}
		snprintf(allowed + strlen(allowed),
			 sizeof(allowed) - strlen(allowed), "%s%s",
			 i ? (i + 1 == n ? " or " : ", ") : "", names[i].name);
	}
	return cfg_fail(c, s, "\"%s\" is not valid (use %s)", v, allowed);
}

/* cfg_list_free - the items of a string list */
static void
cfg_list_free(struct cg_strlist *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

/* cfg_is_list - an array [ ] or a list ( ) */
static int
cfg_is_list(const config_setting_t *s)
{
	return config_setting_type(s) == CONFIG_TYPE_ARRAY ||
	       config_setting_type(s) == CONFIG_TYPE_LIST;
}

/* cfg_strlist - an array of non-empty strings */
int
cfg_strlist(struct cfg_ctx *c, const config_setting_t *s,
	    struct cg_strlist *list)
{
	int n;

	if (!cfg_is_list(s))
		return cfg_fail(c, s,
				"expected a list of strings [ \"a\", \"b\" ]");
	n = config_setting_length(s);
	cfg_list_free(list);
	list->items = xcalloc(n > 0 ? (size_t)n : 1, sizeof(char *));
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

/* cfg_number - an integer setting within [lo, hi] */
static int
cfg_number(struct cfg_ctx *c, const config_setting_t *s, uint64_t lo,
	   uint64_t hi, long long *out)
{
	long long v;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return cfg_fail(c, s, "expected a whole number");
	v = config_setting_get_int64(s);
	if (v < (long long)lo || v > (long long)hi)
		return cfg_fail(c, s, "%lld is out of range (%llu to %llu)", v,
				(unsigned long long)lo, (unsigned long long)hi);
	*out = v;
	return 0;
}

/* cfg_size - a size as "50M" or a number of bytes, within [lo, hi] */
static int
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

/* cfg_flags - a list of words, each one bit */
static int
cfg_flags(struct cfg_ctx *c, const config_setting_t *s,
	  const struct key_spec *k, unsigned *out)
{
	int v;

	if (!cfg_is_list(s))
		return cfg_fail(c, s,
				"expected a list such as [ \"%s\", \"%s\" ]",
				k->names[0].name, k->names[1].name);
	*out = 0;
	for (int i = 0; i < config_setting_length(s); i++) {
		if (cfg_enum(c, config_setting_get_elem(s, (unsigned)i),
			     k->names, k->nnames, &v) < 0)
			return -1;
		*out |= 1U << v;
	}
	return 0;
}

/* cfg_text - a string key: plain, path, duration or mode */
static int
cfg_text(struct cfg_ctx *c, const config_setting_t *s, const struct key_spec *k,
	 void *field)
{
	const char *v = NULL;

	if (cfg_string(c, s, &v) < 0 || (k->check && k->check(c, s, v) < 0))
		return -1;
	if (k->type == CFG_DURATION) {
		if (strconv_duration(v, field) == 0)
			return 0;
		return cfg_fail(c, s,
				"\"%s\" is not a duration (e.g. \"30d\", "
				"\"12h\"; \"0\" keeps entries forever)",
				v);
	}
	if (k->type == CFG_MODE) {
		if (strconv_mode(v, field) == 0 && *(mode_t *)field <= 0777)
			return 0;
		return cfg_fail(
		    c, s, "\"%s\" is not an octal mode such as \"0660\"", v);
	}
	if (k->type == CFG_PATH && v[0] != '/')
		return cfg_fail(c, s, "\"%s\" is not an absolute path", v);
	if (k->type == CFG_PATH && strlen(v) > 1024)
		return cfg_fail(c, s, "path longer than 1024 characters");
	free(*(char **)field);
	*(char **)field = xstrdup(v);
	return 0;
}

/* cfg_list_key - a string list key, each item checked */
static int
cfg_list_key(struct cfg_ctx *c, const config_setting_t *s,
	     const struct key_spec *k, struct cg_strlist *list)
{
	if (cfg_strlist(c, s, list) < 0)
		return -1;
	for (size_t i = 0; k->check && i < list->count; i++)
		if (k->check(c, config_setting_get_elem(s, (unsigned)i),
			     list->items[i]) < 0)
			return -1;
	return 0;
}

/* enum fields are read and written as int (CFG_ENUM) */
_Static_assert(sizeof(enum cg_action) == sizeof(int) &&
		   sizeof(enum cg_backend) == sizeof(int) &&
		   sizeof(enum cg_reject_mode) == sizeof(int) &&
		   sizeof(enum cg_on_error) == sizeof(int) &&
		   sizeof(enum cg_headers) == sizeof(int),
	       "enums are int-sized");

/* cfg_key - parse setting s of key k into the configuration */
static int
cfg_key(struct cfg_ctx *c, const config_setting_t *s, const struct key_spec *k)
{
	void *field = (char *)c->cfg + k->offset;
	long long n = 0;
	int v = 0;

	switch (k->type) {
	case CFG_UINT:
		if (cfg_number(c, s, k->lo, k->hi, &n) < 0)
			return -1;
		*(unsigned *)field = (unsigned)n;
		return 0;
	case CFG_SIZE:
		return cfg_size(c, s, k->lo, k->hi, field);
	case CFG_BOOL:
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return cfg_fail(c, s, "expected true or false");
		*(int *)field = config_setting_get_bool(s);
		return 0;
	case CFG_ENUM:
		if (cfg_enum(c, s, k->names, k->nnames, &v) < 0)
			return -1;
		*(int *)field = v;
		return 0;
	case CFG_FLAGS:
		return cfg_flags(c, s, k, field);
	case CFG_STRLIST:
		return cfg_list_key(c, s, k, field);
	case CFG_CUSTOM:
		return k->parse(c, s);
	default:
		return cfg_text(c, s, k, field);
	}
}

/* config_group - check and parse one group's settings */
static int
config_group(struct cfg_ctx *c, const config_setting_t *g)
{
	const char *group = config_setting_name(g);

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return cfg_fail(c, g, "expected a group { ... }");
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s =
		    config_setting_get_elem(g, (unsigned)i);
		size_t k;
		for (k = 0; k < config_n_keys; k++)
			if (strcmp(config_keys[k].group, group) == 0 &&
			    strcmp(config_keys[k].name,
				   config_setting_name(s)) == 0)
				break;
		if (k == config_n_keys)
			return cfg_fail(c, s, "unknown key");
		if (cfg_key(c, s, &config_keys[k]) < 0)
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
				   config_group_names[k]) == 0)
				break;
		if (k == config_n_groups)
			return cfg_fail(
			    c, g,
			    "unknown group (expected milter, scanner, "
			    "policy, quarantine, notify, outbound, metrics "
			    "or log)");
		if (config_group(c, g) < 0)
			return -1;
	}
	return config_check_together(c, root);
}

/* config_defaults_text - every default, as a file (caller frees) */
static char *
config_defaults_text(void)
{
	size_t len = 1;
	char *text;

	for (size_t k = 0; k < config_n_keys; k++)
		len += strlen(config_keys[k].name) + 8 +
		       (config_keys[k].dflt ? strlen(config_keys[k].dflt) : 0);
	for (size_t g = 0; g < config_n_groups; g++)
		len += strlen(config_group_names[g]) + 8;
	text = xmalloc(len);
	text[0] = '\0';
	for (size_t g = 0; g < config_n_groups; g++) {
		snprintf(text + strlen(text), len - strlen(text), "%s: {",
			 config_group_names[g]);
		for (size_t k = 0; k < config_n_keys; k++)
			if (config_keys[k].dflt &&
			    strcmp(config_keys[k].group,
				   config_group_names[g]) == 0)
				snprintf(text + strlen(text),
					 len - strlen(text), " %s = %s;",
					 config_keys[k].name,
					 config_keys[k].dflt);
		snprintf(text + strlen(text), len - strlen(text), " };\n");
	}
	return text;
}

/* config_parse - text (or the file path) into c->cfg; 0 or -1 */
static int
config_parse(struct cfg_ctx *c, const char *text)
{
	config_t lc;
	int ok;

	config_init(&lc);
	if (text == NULL && access(c->path, R_OK) != 0) {
		snprintf(c->err, c->errlen, "%s:0: cannot read: %m", c->path);
		ok = 0;
	} else if ((text ? config_read_string(&lc, text)
			 : config_read_file(&lc, c->path)) != CONFIG_TRUE) {
		snprintf(c->err, c->errlen, "%s:%d: %s",
			 config_error_file(&lc) ? config_error_file(&lc)
						: c->path,
			 config_error_line(&lc), config_error_text(&lc));
		ok = 0;
	} else {
		ok = config_root(c, config_root_setting(&lc)) == 0;
	}
	config_destroy(&lc);
	return ok ? 0 : -1;
}

/* config_load - the defaults, then path, read, parsed and validated */
struct cg_config *
config_load(const char *path, char *err, size_t errlen)
{
	struct cg_config *cfg = xcalloc(1, sizeof(*cfg));
	struct cfg_ctx dflt = {cfg, "(the built-in defaults)", err, errlen};
	struct cfg_ctx c = {cfg, path, err, errlen};
	char *text = config_defaults_text();
	int rc = config_parse(&dflt, text);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	free(text);
	cfg->path = xstrdup(path);
	if (rc < 0 || config_parse(&c, NULL) < 0) {
		config_free(cfg);
		return NULL;
	}
	if (cfg->scanner.max_concurrent == 0)
		cfg->scanner.max_concurrent = ncpu > 0 ? (unsigned)ncpu : 1;
	return cfg;
}

/* config_free - release everything config_load allocated */
void
config_free(struct cg_config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t k = 0; k < config_n_keys; k++) {
		const struct key_spec *key = &config_keys[k];
		void *field = (char *)cfg + key->offset;
		if (key->type == CFG_STRING || key->type == CFG_PATH)
			free(*(char **)field);
		else if (key->type == CFG_STRLIST)
			cfg_list_free(field);
		else if (key->type == CFG_CUSTOM)
			key->release(cfg);
	}
	free(cfg->path);
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
