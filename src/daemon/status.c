/*
 * NAME
 *	status - clamgate -s
 * SYNOPSIS
 *	clamgate -s [-c FILE]
 * DESCRIPTION
 *	status_run() connects to metrics.control, reads the metrics text to
 *	its end and prints it with status_format(): first which clamgate
 *	and libclamav run and for how long, then each family under its
 *	HELP text, one line per label set with the label values and the
 *	value.  Counters show only what is not zero ("none" when all are);
 *	gauges show every value; a histogram shows its count and mean.
 *	Values in seconds show as durations, timestamps as how long ago,
 *	bytes with a binary unit.
 * DIAGNOSTICS
 *	status_run() returns 1, with the reason on stderr, when the daemon
 *	cannot be reached: not running, metrics.control off, or no
 *	permission (root and milter.user's group only).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clamgate/status.h"
#include "clamgate/xmalloc.h"

#define READ_MAX (16 * 1024 * 1024)

struct family {
	char name[128];
	char type[16];
	char help[256];
	int shown;	   /* lines printed for it */
	double sum, count; /* a histogram's */
	int have_count;
};

/* ends_with - s ends with suffix */
static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* duration - seconds as "3d 4h", "2h 05m", "4m 10s" or "12s" */
static void
duration(double secs, char *buf, size_t len)
{
	long long s = secs > 0 && secs < 1e15 ? (long long)(secs + 0.5) : 0;

	if (s >= 86400)
		snprintf(buf, len, "%lldd %lldh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%lldh %02lldm", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%lldm %02llds", s / 60, s % 60);
	else
		snprintf(buf, len, "%llds", s);
}

/* bytes - a size with a binary unit */
static void
bytes(double v, char *buf, size_t len)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

/* value_text - a sample's value as a person reads it */
static void
value_text(const char *name, double v, time_t now, char *buf, size_t len)
{
	char d[40];

	if (ends_with(name, "_timestamp_seconds")) {
		duration((double)now - v, d, sizeof(d));
		snprintf(buf, len, "%s ago", d);
	} else if (ends_with(name, "_seconds")) {
		duration(v, buf, len);
	} else if (ends_with(name, "_bytes")) {
		bytes(v, buf, len);
	} else {
		snprintf(buf, len, "%.15g", v);
	}
}

/* labels_text - the label values of "{a=\"x\",b=\"y\"}", as "x y" */
static void
labels_text(const char *p, const char *end, char *buf, size_t len)
{
	size_t n = 0;

	while (p < end && n + 1 < len) {
		const char *q = memchr(p, '"', (size_t)(end - p));
		if (q == NULL)
			break;
		if (n > 0)
			buf[n++] = ' ';
		for (q++; q < end && *q != '"' && n + 1 < len; q++) {
			if (*q == '\\' && q + 1 < end)
				q++;
			buf[n++] = *q;
		}
		p = q + 1;
	}
	buf[n] = '\0';
}

/* mean_text - a histogram's mean */
static void
mean_text(const struct family *f, char *buf, size_t len)
{
	double mean = f->count > 0 ? f->sum / f->count : 0;

	if (ends_with(f->name, "_seconds"))
		snprintf(buf, len, "%.3f s", mean);
	else if (ends_with(f->name, "_bytes"))
		bytes(mean, buf, len);
	else
		snprintf(buf, len, "%.15g", mean);
}

/* family_end - close the family: a histogram's figures, or "none" */
static void
family_end(FILE *out, struct family *f)
{
	char mean[40];

	if (f->name[0] == '\0' || f->help[0] == '\0')
		return;
	if (strcmp(f->type, "histogram") == 0) {
		mean_text(f, mean, sizeof(mean));
		fprintf(out, "  %.0f, mean %s\n", f->count, mean);
	} else if (f->shown == 0) {
		fputs("  none\n", out);
	}
}

/* header_sample - build_info and start_time make the first line */
static int
header_sample(FILE *out, const char *name, const char *labels, double v,
	      time_t now)
{
	char up[40];

	if (strcmp(name, "clamgate_build_info") == 0) {
		size_t n = strcspn(labels, " ");
		fprintf(out, "clamgate %.*s (libclamav %s)", (int)n, labels,
			labels[n] ? labels + n + 1 : "unknown");
		return 1;
	}
	if (strcmp(name, "clamgate_start_time_seconds") == 0) {
		duration((double)now - v, up, sizeof(up));
		fprintf(out, ", up %s\n", up);
		return 1;
	}
	return 0;
}

/* sample - one sample line of family f */
static void
sample(FILE *out, struct family *f, const char *line, time_t now)
{
	const char *open = strchr(line, '{'), *space = strrchr(line, ' ');
	const char *close = open ? strrchr(line, '}') : NULL;
	char name[128], labels[512] = "", value[64];
	size_t n;
	double v;

	if (space == NULL)
		return;
	n = (size_t)((open && close ? open : space) - line);
	snprintf(name, sizeof(name), "%.*s", (int)n, line);
	if (open && close)
		labels_text(open, close, labels, sizeof(labels));
	v = strtod(space + 1, NULL);
	if (header_sample(out, name, labels, v, now))
		return;
	if (ends_with(name, "_sum"))
		f->sum = v;
	else if (ends_with(name, "_count"))
		f->count = v;
	if (strcmp(f->type, "histogram") == 0 ||
	    (strcmp(f->type, "counter") == 0 && v == 0))
		return;
	value_text(name, v, now, value, sizeof(value));
	if (labels[0])
		fprintf(out, "  %-44s %s\n", labels, value);
	else
		fprintf(out, "  %s\n", value);
	f->shown++;
}

/* comment - "# HELP name text" or "# TYPE name type" */
static void
comment(FILE *out, struct family *f, const char *line)
{
	char name[128] = "", rest[256] = "";

	if (sscanf(line, "# HELP %127s %255[^\n]", name, rest) == 2) {
		family_end(out, f);
		memset(f, 0, sizeof(*f));
		snprintf(f->name, sizeof(f->name), "%s", name);
		if (strcmp(name, "clamgate_build_info") != 0 &&
		    strcmp(name, "clamgate_start_time_seconds") != 0) {
			snprintf(f->help, sizeof(f->help), "%s", rest);
			fprintf(out, "%s\n", rest);
		}
	} else if (sscanf(line, "# TYPE %127s %15s", name, rest) == 2 &&
		   strcmp(name, f->name) == 0) {
		snprintf(f->type, sizeof(f->type), "%.15s", rest);
	}
}

/* status_format - the metrics text as a report for a person */
void
status_format(FILE *out, const char *text, time_t now)
{
	struct family f;
	char line[1024];

	memset(&f, 0, sizeof(f));
	while (*text) {
		size_t n = strcspn(text, "\n");
		snprintf(line, sizeof(line), "%.*s", (int)n, text);
		if (line[0] == '#')
			comment(out, &f, line);
		else if (line[0] != '\0')
			sample(out, &f, line, now);
		text += n + (text[n] == '\n');
	}
	family_end(out, &f);
}

/* status_read - everything the daemon sends on the control socket
 * (caller frees); NULL and a message on stderr if it cannot be read */
static char *
status_read(const char *path)
{
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	size_t len = 0, cap = 65536;
	char *buf;
	int fd;

	if (strlen(path) >= sizeof(un.sun_path)) {
		fprintf(stderr, "clamgate: metrics.control %s: too long\n",
			path);
		return NULL;
	}
	strcpy(un.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
		fprintf(stderr,
			"clamgate: cannot connect to %s: %s (is clamgate "
			"running, with this metrics.control?)\n",
			path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = xmalloc(cap);
	for (;;) {
		ssize_t n;
		if (len + 1 >= cap && cap < READ_MAX)
			buf = xrealloc(buf, cap *= 2);
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* status_run - clamgate -s: 0, or 1 if the daemon cannot be read */
int
status_run(const struct cg_config *cfg)
{
	char *text;

	if (cfg->metrics.control[0] == '\0') {
		fprintf(stderr,
			"%s: metrics.control is \"\": the daemon has no "
			"control socket\n",
			cfg->path);
		return 1;
	}
	if ((text = status_read(cfg->metrics.control)) == NULL)
		return 1;
	if (text[0] == '\0') {
		fprintf(stderr, "clamgate: %s sent nothing\n",
			cfg->metrics.control);
		free(text);
		return 1;
	}
	status_format(stdout, text, time(NULL));
	free(text);
	return fflush(stdout) == 0 ? 0 : 1;
}
