/*
 * config_int - private to config.c and config_keys.c: the key table and
 * the value helpers
 *
 * Every key of clamgate.conf is one row of config_keys[]: its group and
 * name, its type, where the value goes in struct cg_config, its limits
 * or its words, and its default, written as it would be in the file.
 * config.c parses a key, sets the defaults (by parsing the defaults as a
 * file of their own), prints the configuration (-p) and frees it, all
 * from the row.  Only the keys with a structure of their own (rules,
 * trusted_relays, reject_reply) have a parser, printer and release of
 * their own (CFG_CUSTOM).  Words (CFG_ENUM, CFG_FLAGS) are compared
 * without regard to case.
 */
#ifndef CLAMGATE_CONFIG_INT_H
#define CLAMGATE_CONFIG_INT_H

#include <libconfig.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "clamgate/config.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct cfg_ctx {
	struct cg_config *cfg;
	const char *path;
	char *err;
	size_t errlen;
};

struct name_value {
	const char *name;
	int value;
};

enum cfg_type {
	CFG_STRING,   /* char *; a check may look at it */
	CFG_PATH,     /* char *, absolute */
	CFG_UINT,     /* unsigned, from lo to hi */
	CFG_SIZE,     /* uint64_t bytes, "50M", from lo to hi */
	CFG_BOOL,     /* int */
	CFG_ENUM,     /* an enum (int-sized), one of names */
	CFG_FLAGS,    /* unsigned, bit 1 << value for each name listed */
	CFG_DURATION, /* unsigned long seconds, "30d" */
	CFG_MODE,     /* mode_t, octal "0660" */
	CFG_STRLIST,  /* struct cg_strlist of non-empty strings; a check
			 may look at each */
	CFG_CUSTOM,   /* parse, print and release of its own */
};

struct key_spec {
	const char *group;
	const char *name;
	enum cfg_type type;
	size_t offset;	  /* of the field in struct cg_config */
	const char *dflt; /* the default, in file syntax; NULL: not set */
	uint64_t lo, hi;
	const struct name_value *names;
	size_t nnames;
	int (*check)(struct cfg_ctx *c, const config_setting_t *s,
		     const char *value);
	int (*parse)(struct cfg_ctx *c, const config_setting_t *s);
	void (*print)(FILE *f, const struct cg_config *cfg);
	void (*release)(struct cg_config *cfg);
};

extern const struct key_spec config_keys[];
extern const size_t config_n_keys;
extern const char *const config_group_names[];
extern const size_t config_n_groups;

int cfg_fail(struct cfg_ctx *c, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int cfg_string(struct cfg_ctx *c, const config_setting_t *s, const char **out);
int cfg_enum(struct cfg_ctx *c, const config_setting_t *s,
	     const struct name_value *names, size_t n, int *out);
int cfg_strlist(struct cfg_ctx *c, const config_setting_t *s,
		struct cg_strlist *list);
void cfg_print_string(FILE *f, const char *v);
int config_check_together(struct cfg_ctx *c, const config_setting_t *root);

#endif
