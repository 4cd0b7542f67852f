/* fuzz_quarantine_read - a quarantine file as it may be found on disk
 * (truncated, edited, from another version): read in every mode, the
 * original copied out; never a crash, and a valid entry's original lies
 * inside the file */
#include <sys/stat.h>
#include <unistd.h>

#include "clamgate/quarantine.h"
#include "fuzz.h"

#define ID "20261201T000000-00000000000000c1"

static char dir[64], path[128];

/* cleanup - at exit: the file and its directory */
static void
cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

/* count - quarantine_each_original callback: add up the bytes */
static int
count(const void *data, size_t len, void *arg)
{
	(void)data;
	*(unsigned long long *)arg += len;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum quarantine_read_what modes[] = {
	    QUARANTINE_READ_ENVELOPE, QUARANTINE_READ_SUBJECT,
	    QUARANTINE_READ_HEADERS};
	FILE *f;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/clamgate-fuzz.XXXXXX");
		FUZZ_ASSERT(mkdtemp(dir) != NULL);
		snprintf(path, sizeof(path), "%s/%s.eml", dir, ID);
		atexit(cleanup);
	}
	f = fopen(path, "w");
	FUZZ_ASSERT(f != NULL);
	FUZZ_ASSERT(fwrite(data, 1, size, f) == size);
	FUZZ_ASSERT(fclose(f) == 0);
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct quarantine_entry e;
		unsigned long long n = 0;
		if (quarantine_read(dir, ID, &e, modes[m]) < 0)
			continue;
		if (!e.damaged) {
			FUZZ_ASSERT(e.offset + e.size <= size);
			FUZZ_ASSERT(quarantine_each_original(&e, count, &n) ==
				    0);
			FUZZ_ASSERT(n == e.size);
		}
		quarantine_entry_free(&e);
	}
	return 0;
}
