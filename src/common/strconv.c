/*
 * NAME
 *	strconv - sizes, octal modes and globs from configuration text
 * DESCRIPTION
 *	strconv_size() accepts a decimal number with an optional K, M or G
 *	suffix (powers of 1024, either case, optional trailing "B").
 *	strconv_duration() accepts a number with an optional s, m, h, d or w
 *	suffix (at most 100 years).  strconv_mode() accepts an octal mode such
 *	as "0660".
 *	strconv_glob_match() matches * and ? case-insensitively.
 * DIAGNOSTICS
 *	-1 for text that is not valid, including overflow.
 */
#include <ctype.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clamgate/strconv.h"

/* strconv_size - "50M" to bytes */
int
strconv_size(const char *text, uint64_t *bytes)
{
	const char *p = text;
	uint64_t value = 0, mult = 1;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		uint64_t digit = (uint64_t)(*p - '0');
		if (value > (UINT64_MAX - digit) / 10)
			return -1;
		value = value * 10 + digit;
	}
	switch (toupper((unsigned char)*p)) {
	case 'K':
		mult = 1024;
		p++;
		break;
	case 'M':
		mult = 1024 * 1024;
		p++;
		break;
	case 'G':
		mult = 1024 * 1024 * 1024;
		p++;
		break;
	}
	if (mult > 1 && toupper((unsigned char)*p) == 'B')
		p++;
	if (*p != '\0' || value > UINT64_MAX / mult)
		return -1;
	*bytes = value * mult;
	return 0;
}

/* strconv_duration - "30d" to seconds */
int
strconv_duration(const char *text, unsigned long *seconds)
{
	static const struct {
		char unit;
		unsigned long mult;
	} units[] = {
	    {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
	uint64_t value;
	char num[32];
	size_t len = strlen(text), i;
	unsigned long mult = 1;

	if (len == 0 || len >= sizeof(num))
		return -1;
	memcpy(num, text, len + 1);
	if (!isdigit((unsigned char)num[len - 1])) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (tolower((unsigned char)num[len - 1]) ==
			    units[i].unit)
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return -1;
		mult = units[i].mult;
		num[len - 1] = '\0';
	}
	for (i = 0; num[i]; i++)
		if (!isdigit((unsigned char)num[i]))
			return -1;
	if (strconv_size(num, &value) < 0 ||
	    value > 100ULL * 365 * 86400 / mult)
		return -1;
	*seconds = (unsigned long)value * mult;
	return 0;
}

/* strconv_mode - "0660" to a permission mode */
int
strconv_mode(const char *text, mode_t *mode)
{
	char *end;
	long value;

	if (*text < '0' || *text > '7')
		return -1;
	errno = 0;
	value = strtol(text, &end, 8);
	if (errno != 0 || *end != '\0' || value < 0 || value > 07777)
		return -1;
	*mode = (mode_t)value;
	return 0;
}

/* strconv_glob_match - shell-style * and ? match, ignoring case */
int
strconv_glob_match(const char *pattern, const char *text)
{
	const char *star = NULL, *resume = NULL;

	while (*text) {
		if (*pattern == '*') {
			star = pattern++;
			resume = text;
		} else if (*pattern == '?' ||
			   tolower((unsigned char)*pattern) ==
			       tolower((unsigned char)*text)) {
			pattern++;
			text++;
		} else if (star) {
			pattern = star + 1;
			text = ++resume;
		} else {
			return 0;
		}
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}

/* strconv_size_text - bytes as "50M" where a unit divides them */
void
strconv_size_text(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "GMK";
	uint64_t mult = 1024ULL * 1024 * 1024;

	for (size_t i = 0; i < 3 && bytes > 0; i++) {
		if (bytes % mult == 0) {
			snprintf(buf, len, "%llu%c",
				 (unsigned long long)(bytes / mult), units[i]);
			return;
		}
		mult /= 1024;
	}
	snprintf(buf, len, "%llu", (unsigned long long)bytes);
}

/* strconv_duration_text - seconds as "30d", "12h", "90m" or "45s" */
void
strconv_duration_text(unsigned long seconds, char *buf, size_t len)
{
	static const struct {
		char unit;
		unsigned long mult;
	} units[] = {{'w', 604800}, {'d', 86400}, {'h', 3600}, {'m', 60}};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (seconds > 0 && seconds % units[i].mult == 0) {
			snprintf(buf, len, "%lu%c", seconds / units[i].mult,
				 units[i].unit);
			return;
		}
	snprintf(buf, len, seconds ? "%lus" : "%lu", seconds);
}
