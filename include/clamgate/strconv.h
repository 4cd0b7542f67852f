/*
 * strconv - parse sizes, durations and octal modes from configuration text
 * (durations: "45s", "90m", "12h", "30d", "2w"; a bare number is seconds)
 *
 * Every function returns 0 on success and -1 when the text is not valid;
 * nothing is written to the result then.
 */
#ifndef CLAMGATE_STRCONV_H
#define CLAMGATE_STRCONV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int strconv_size(const char *text, uint64_t *bytes);
int strconv_mode(const char *text, mode_t *mode);
int strconv_duration(const char *text, unsigned long *seconds);
int strconv_glob_match(const char *pattern, const char *text);
void strconv_size_text(uint64_t bytes, char *buf, size_t len);
void strconv_duration_text(unsigned long seconds, char *buf, size_t len);

#endif
