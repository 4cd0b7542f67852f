/* helpers.c - temp directories and files for the unit tests */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clamgate/config.h"
#include "clamgate/xmalloc.h"
#include "suites.h"

/* test_tmpdir - a new empty directory */
char *
test_tmpdir(void)
{
	char *dir = xstrdup("/tmp/clamgate-unit.XXXXXX");

	if (mkdtemp(dir) == NULL)
		abort();
	return dir;
}

/* test_rmtree - remove dir and all in it, then free the name; 0 or -1 */
int
test_rmtree(char *dir)
{
	char cmd[600];
	int rc;

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	rc = system(cmd) == 0 ? 0 : -1;
	free(dir);
	return rc;
}

/* test_write_file - dir/name with text; returns the path */
char *
test_write_file(const char *dir, const char *name, const char *text)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *path = xmalloc(len);
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fputs(text, f);
	fclose(f);
	return path;
}

/* test_read_file - the whole file, NUL-terminated; NULL if unreadable */
char *
test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

/* test_config_text - a configuration loaded from text; fails the test
 * if it does not load */
struct cg_config *
test_config_text(const char *text)
{
	char *dir = test_tmpdir(), err[512];
	char *path = test_write_file(dir, "c.conf", text);
	struct cg_config *cfg = config_load(path, err, sizeof(err));

	ck_assert_msg(cfg != NULL, "config: %s", err);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
	return cfg;
}

/* test_pg_dsn - pg_dsn with this test's own schema, created now (Check
 * runs each test in a process of its own: the schema is named by the
 * pid); caller frees */
char *
test_pg_dsn(const char *pg_dsn)
{
	char schema[32], sql[96], *dsn;
	PGconn *c = PQconnectdb(pg_dsn);
	PGresult *r;
	size_t len;

	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	snprintf(schema, sizeof(schema), "t%ld", (long)getpid());
	snprintf(sql, sizeof(sql), "CREATE SCHEMA IF NOT EXISTS %s", schema);
	r = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s",
		      PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	len = strlen(pg_dsn) + 64;
	dsn = xmalloc(len);
	snprintf(dsn, len, "%s options='-csearch_path=%s'", pg_dsn, schema);
	return dsn;
}
