/*
 * config_int - private to config.c and config_keys.c: the value helpers
 * and the table of groups and keys
 */
#ifndef CLAMGATE_CONFIG_INT_H
#define CLAMGATE_CONFIG_INT_H

#include <libconfig.h>
#include <stddef.h>
#include <stdint.h>

#include "clamgate/config.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct cfg_ctx {
	struct cg_config *cfg;
	const char *path;
	char *err;
	size_t errlen;
};

struct key_spec {
	const char *name;
	int (*parse)(struct cfg_ctx *, const config_setting_t *);
};

struct group_spec {
	const char *name;
	const struct key_spec *keys;
	size_t nkeys;
};

struct name_value {
	const char *name;
	int value;
};

extern const struct group_spec config_groups[];
extern const size_t config_n_groups;

int cfg_fail(struct cfg_ctx *c, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int cfg_string(struct cfg_ctx *c, const config_setting_t *s, const char **out);
int cfg_set_string(struct cfg_ctx *c, const config_setting_t *s, char **field);
int cfg_set_path(struct cfg_ctx *c, const config_setting_t *s, char **field);
int cfg_uint(struct cfg_ctx *c, const config_setting_t *s, long lo, long hi,
	     unsigned *out);
int cfg_size(struct cfg_ctx *c, const config_setting_t *s, uint64_t lo,
	     uint64_t hi, uint64_t *out);
int cfg_enum(struct cfg_ctx *c, const config_setting_t *s,
	     const struct name_value *names, size_t n, int *out);
int cfg_strlist(struct cfg_ctx *c, const config_setting_t *s,
		struct cg_strlist *list);

#endif
