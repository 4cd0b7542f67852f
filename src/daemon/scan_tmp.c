/*
 * NAME
 *	scan_tmp - checks of the scanner's temporary directory
 * SYNOPSIS
 *	int scan_tmp_check(dir, need, why, len)
 *	int scan_tmp_low(dir)
 *	int scan_tmp_world_writable(dir)
 * DESCRIPTION
 *	scan_tmp_check() says whether dir can take need more bytes now: it
 *	exists, is a directory this process may create files in, is not on
 *	a read-only filesystem, and has need bytes and some inodes free
 *	(the blocks an unprivileged process may use, or all free blocks for
 *	root).  scan_tmp_low() says whether less than SCAN_TMP_LOWWATER is
 *	free (or the directory cannot be examined at all).
 *	scan_tmp_world_writable() says whether any local user may create
 *	files there (and so fill it).
 * DIAGNOSTICS
 *	scan_tmp_check() returns -1 with a sentence in why.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "clamgate/scan_tmp.h"

#define INODES_MIN 64

/* scan_tmp_free - bytes this process may still write in dir's fs */
static uint64_t
scan_tmp_free(const struct statvfs *v)
{
	uint64_t blocks = geteuid() == 0 ? v->f_bfree : v->f_bavail;

	return blocks * (uint64_t)v->f_frsize;
}

/* scan_tmp_check - 0 if dir can take need bytes now, else -1 and why */
int
scan_tmp_check(const char *dir, uint64_t need, char *why, size_t len)
{
	struct statvfs v;
	struct stat st;
	uint64_t avail;

	if (stat(dir, &st) < 0 || statvfs(dir, &v) < 0) {
		snprintf(why, len, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, len, "%s is not a directory", dir);
		return -1;
	}
	if ((v.f_flag & ST_RDONLY) ||
	    faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) < 0) {
		snprintf(why, len, "%s is not writable: %s", dir,
			 (v.f_flag & ST_RDONLY) ? "read-only filesystem"
						: strerror(errno));
		return -1;
	}
	avail = scan_tmp_free(&v);
	if (avail < need) {
		snprintf(why, len,
			 "%s has %llu KiB free, %llu KiB needed "
			 "(scanner.temp_min_free and the message)",
			 dir, (unsigned long long)(avail / 1024),
			 (unsigned long long)(need / 1024));
		return -1;
	}
	if (v.f_files > 0 && v.f_favail < INODES_MIN) {
		snprintf(why, len, "%s has no inodes free", dir);
		return -1;
	}
	return 0;
}

/* scan_tmp_low - 1 if dir's filesystem is (nearly) full or unusable */
int
scan_tmp_low(const char *dir)
{
	struct statvfs v;

	if (statvfs(dir, &v) < 0)
		return 1;
	return scan_tmp_free(&v) < SCAN_TMP_LOWWATER ||
	       (v.f_files > 0 && v.f_favail < INODES_MIN);
}

/* scan_tmp_world_writable - 1 if any user may create files in dir */
int
scan_tmp_world_writable(const char *dir)
{
	struct stat st;

	return stat(dir, &st) == 0 && (st.st_mode & S_IWOTH);
}
