/* fuzz_config - clamgate.conf as an administrator (or an editor gone
 * wrong) may leave it: loaded or refused with "FILE:LINE: what", never a
 * crash or a leak, and a configuration that loads prints (-p) and frees */
#include <unistd.h>

#include "clamgate/config.h"
#include "clamgate/config_print.h"
#include "fuzz.h"

static char path[64];

/* cleanup - at exit: the file */
static void
cleanup(void)
{
	unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	struct cg_config *cfg;
	FILE *f, *out;

	if (path[0] == '\0') {
		int fd;
		snprintf(path, sizeof(path), "/tmp/clamgate-fuzz.XXXXXX");
		fd = mkstemp(path);
		FUZZ_ASSERT(fd >= 0);
		close(fd);
		atexit(cleanup);
	}
	f = fopen(path, "w");
	FUZZ_ASSERT(f != NULL);
	FUZZ_ASSERT(fwrite(data, 1, size, f) == size);
	FUZZ_ASSERT(fclose(f) == 0);
	err[0] = '\0';
	cfg = config_load(path, err, sizeof(err));
	if (cfg == NULL) {
		FUZZ_ASSERT(strncmp(err, path, strlen(path)) == 0);
		return 0;
	}
	out = fopen("/dev/null", "w");
	FUZZ_ASSERT(out != NULL);
	config_print(out, cfg);
	fclose(out);
	config_free(cfg);
	return 0;
}
