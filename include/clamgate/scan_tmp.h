/*
 * scan_tmp - is the scanner's temporary directory usable?
 *
 * libclamav writes every decoded MIME part and every archive member it
 * unpacks to its temporary directory.  When it cannot (the directory is
 * missing, read-only or full), it scans what it has and answers "clean":
 * the attachment it could not write was never looked at.  These checks
 * let the embedded scanner refuse such a verdict: before a scan (room
 * for the message plus scanner.temp_min_free), at each file libclamav
 * wrote, and after the scan (SCAN_TMP_LOWWATER).
 */
#ifndef CLAMGATE_SCAN_TMP_H
#define CLAMGATE_SCAN_TMP_H

#include <stddef.h>
#include <stdint.h>

/* Less free space than this while a scan runs means that a write of
 * libclamav's may have been cut short (a write that fails with ENOSPC
 * leaves the filesystem with less than one block free). */
#define SCAN_TMP_LOWWATER (1024 * 1024)

int scan_tmp_check(const char *dir, uint64_t need, char *why, size_t len);
int scan_tmp_low(const char *dir);
int scan_tmp_world_writable(const char *dir);

#endif
