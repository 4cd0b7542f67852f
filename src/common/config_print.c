/*
 * NAME
 *	config_print - the configuration in effect, as a clamgate.conf
 * SYNOPSIS
 *	void config_print(f, cfg)
 * DESCRIPTION
 *	Every key of config_keys[], group by group, with the value clamgate
 *	uses (the file's, or the default; max_concurrent resolved), in the
 *	syntax of the file, so that the output can be read back.  A key
 *	that is not set (milter.group) is shown commented out.  This is
 *	clamgate -p.
 * DIAGNOSTICS
 *	None.
 */
#include <stdio.h>
#include <string.h>

#include "clamgate/config_print.h"
#include "clamgate/strconv.h"
#include "config_int.h"

/* cfg_print_string - a quoted string, with \ and " escaped */
void
cfg_print_string(FILE *f, const char *v)
{
	fputc('"', f);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			fputc('\\', f);
		fputc(*v, f);
	}
	fputc('"', f);
}

/* print_word - the word that stands for value */
static void
print_word(FILE *f, const struct key_spec *k, int value)
{
	for (size_t i = 0; i < k->nnames; i++)
		if (k->names[i].value == value) {
			cfg_print_string(f, k->names[i].name);
			return;
		}
	fprintf(f, "%d", value);
}

/* print_list - [ "a", "b" ] */
static void
print_list(FILE *f, const struct cg_strlist *list)
{
	fputs("[", f);
	for (size_t i = 0; i < list->count; i++) {
		fputs(i ? ", " : " ", f);
		cfg_print_string(f, list->items[i]);
	}
	fputs(" ]", f);
}

/* print_flags - [ "a", "b" ] of the bits that are set */
static void
print_flags(FILE *f, const struct key_spec *k, unsigned bits)
{
	int first = 1;

	fputs("[", f);
	for (size_t i = 0; i < k->nnames; i++)
		if (bits & (1U << k->names[i].value)) {
			fputs(first ? " " : ", ", f);
			cfg_print_string(f, k->names[i].name);
			first = 0;
		}
	fputs(" ]", f);
}

/* print_value - the value of key k */
static void
print_value(FILE *f, const struct cg_config *cfg, const struct key_spec *k)
{
	const void *field = (const char *)cfg + k->offset;
	char buf[64];

	switch (k->type) {
	case CFG_UINT:
		fprintf(f, "%u", *(const unsigned *)field);
		break;
	case CFG_SIZE:
		strconv_size_text(*(const uint64_t *)field, buf, sizeof(buf));
		cfg_print_string(f, buf);
		break;
	case CFG_BOOL:
		fputs(*(const int *)field ? "true" : "false", f);
		break;
	case CFG_ENUM:
		print_word(f, k, *(const int *)field);
		break;
	case CFG_FLAGS:
		print_flags(f, k, *(const unsigned *)field);
		break;
	case CFG_DURATION:
		strconv_duration_text(*(const unsigned long *)field, buf,
				      sizeof(buf));
		cfg_print_string(f, buf);
		break;
	case CFG_MODE:
		fprintf(f, "\"%04o\"", (unsigned)*(const mode_t *)field);
		break;
	case CFG_STRLIST:
		print_list(f, field);
		break;
	case CFG_CUSTOM:
		k->print(f, cfg);
		break;
	default:
		cfg_print_string(f, *(char *const *)field);
		break;
	}
}

/* config_print - every key, group by group */
void
config_print(FILE *f, const struct cg_config *cfg)
{
	for (size_t g = 0; g < config_n_groups; g++) {
		fprintf(f, "%s%s: {\n", g ? "\n" : "", config_group_names[g]);
		for (size_t k = 0; k < config_n_keys; k++) {
			const struct key_spec *key = &config_keys[k];
			const void *field = (const char *)cfg + key->offset;
			if (strcmp(key->group, config_group_names[g]) != 0)
				continue;
			if ((key->type == CFG_STRING ||
			     key->type == CFG_PATH) &&
			    *(char *const *)field == NULL) {
				fprintf(f, "\t# %s is not set\n", key->name);
				continue;
			}
			fprintf(f, "\t%s = ", key->name);
			print_value(f, cfg, key);
			fputs(";\n", f);
		}
		fputs("};\n", f);
	}
}
