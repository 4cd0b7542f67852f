/* test_config.c - parsing etc/clamgate.conf and every validation error */
#include <check.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "clamgate/config.h"
#include "clamgate/log.h"
#include "suites.h"

/* parse - load text; NULL and err on failure */
static struct cg_config *
parse(const char *text, char *err, size_t errlen, char **pathp)
{
	char *dir = test_tmpdir();
	char *path = test_write_file(dir, "clamgate.conf", text);
	struct cg_config *cfg = config_load(path, err, errlen);

	if (pathp) {
		*pathp = path; /* the caller names it in messages */
	} else {
		unlink(path);
		rmdir(dir);
		free(path);
	}
	free(dir);
	return cfg;
}

/* uncommented - the shipped file with every commented-out default
 * ("\t# key = value;") made a setting; the path (caller frees) */
static char *
uncommented(char **dir)
{
	size_t len;
	char *text = test_read_file(TOP "/etc/clamgate.conf", &len), *out;
	char *p, *q, *path;

	out = malloc(len + 1);
	for (p = text, q = out; *p; p++) {
		size_t key = 0;
		if (*p == '\t' && strncmp(p + 1, "# ", 2) == 0)
			key = strspn(p + 3, "abcdefghijklmnopqrstuvwxyz_");
		if (key > 0 && strncmp(p + 3 + key, " = ", 3) == 0 &&
		    (p == text || p[-1] == '\n')) {
			*q++ = '\t';
			p += 2;
			continue;
		}
		*q++ = *p;
	}
	*q = '\0';
	*dir = test_tmpdir();
	path = test_write_file(*dir, "clamgate.conf", out);
	free(text);
	free(out);
	return path;
}

/* the shipped file sets nothing, and each default it shows commented out
 * is the real default: uncommented, they parse to the same values */
START_TEST(test_shipped_file)
{
	char err[512], *dir, *path = uncommented(&dir);
	struct cg_config *cfg = config_load(path, err, sizeof(err));
	struct cg_config *dflt =
	    config_load(TOP "/etc/clamgate.conf", err, sizeof(err));

	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_msg(dflt != NULL, "%s", err);
	ck_assert_uint_eq(cfg->scanner.temp_min_free,
			  dflt->scanner.temp_min_free);
	ck_assert_uint_eq(cfg->scanner.temp_min_free, 100 << 20);
	ck_assert_str_eq(cfg->scanner.temp_dir, dflt->scanner.temp_dir);
	ck_assert_int_eq(dflt->policy.headers, CG_HEADERS_REPLACE);
	/* clamgate's own, not a directory every user can fill */
	ck_assert_str_eq(dflt->scanner.temp_dir, "/var/lib/clamgate/tmp");
	config_free(dflt);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
	ck_assert_str_eq(cfg->milter.socket, "inet:7357@127.0.0.1");
	ck_assert_str_eq(cfg->milter.user, "clamgate");
	ck_assert_uint_eq(cfg->milter.socket_mode, 0660);
	ck_assert_int_eq(cfg->scanner.backend, CG_BACKEND_LIBCLAMAV);
	ck_assert_str_eq(cfg->scanner.database, "/var/lib/clamav");
	ck_assert_uint_eq(cfg->scanner.max_message_size, 50 << 20);
	ck_assert_uint_eq(cfg->scanner.timeout, 120);
	ck_assert_uint_eq(cfg->scanner.max_concurrent,
			  (unsigned)sysconf(_SC_NPROCESSORS_ONLN));
	ck_assert_uint_eq(cfg->scanner.reload_interval, 60);
	ck_assert_int_eq(cfg->policy.reject, CG_REJECT_SAFE);
	ck_assert_int_eq(cfg->policy.fallback, CG_QUARANTINE);
	ck_assert_uint_eq(cfg->policy.n_trusted_relays, 2);
	ck_assert_int_eq(cfg->policy.reject_authenticated, 1);
	ck_assert_int_eq(cfg->policy.on_error, CG_ON_ERROR_TEMPFAIL);
	ck_assert_int_eq(cfg->policy.on_oversize, CG_ACCEPT);
	ck_assert_int_eq(cfg->policy.on_incomplete, CG_REJECT);
	ck_assert_uint_eq(cfg->notify.admin.count, 0);
	ck_assert_str_eq(cfg->notify.from, "clamgate");
	ck_assert_uint_eq(cfg->notify.max_per_hour, 10);
	ck_assert_int_eq(cfg->notify.digest, 1);
	ck_assert_uint_eq(cfg->notify.on, 1U << CG_REJECT |
					      1U << CG_QUARANTINE |
					      1U << CG_HOLD | 1U << CG_DISCARD);
	ck_assert_int_eq(cfg->policy.headers, CG_HEADERS_REPLACE);
	ck_assert_str_eq(cfg->policy.reject_code, "554");
	ck_assert_str_eq(cfg->policy.reject_xcode, "5.7.1");
	ck_assert_str_eq(cfg->policy.reject_text,
			 "Virus %v found; message rejected");
	ck_assert_uint_eq(cfg->policy.n_rules, 0);
	ck_assert_uint_eq(cfg->policy.nonsmtp_daemons.count, 1);
	ck_assert_str_eq(cfg->quarantine.directory,
			 "/var/lib/clamgate/quarantine");
	ck_assert_int_eq(cfg->log.level, LOG_LEVEL_INFO);
	ck_assert_int_eq(cfg->log.facility, LOG_MAIL);
	config_free(cfg);
}
END_TEST

/* the metrics group: off but for the control socket by default;
 * beyond loopback only with a network beyond loopback to answer */
START_TEST(test_metrics_keys)
{
	static const char *const good[] = {
	    "metrics: { listen = \"inet:9357@127.0.0.1\"; };",
	    "metrics: { listen = \"inet:9357\"; };",
	    "metrics: { listen = \"inet6:9357@[::1]\"; };",
	    "metrics: { listen = \"inet:9357@localhost\"; };",
	    "metrics: { listen = \"unix:/run/clamgate/metrics.sock\"; };",
	    ("metrics: { listen = \"inet:9357@0.0.0.0\";\n"
	     "  allow = [ \"127.0.0.0/8\", \"192.0.2.0/24\" ]; };"),
	};
	char err[512];
	struct cg_config *cfg = parse("", err, sizeof(err), NULL);

	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_str_eq(cfg->metrics.listen, "");
	ck_assert_str_eq(cfg->metrics.textfile, "");
	ck_assert_str_eq(cfg->metrics.control, "/run/clamgate/control");
	ck_assert_uint_eq(cfg->metrics.textfile_interval, 15);
	ck_assert_uint_eq(cfg->metrics.n_allow, 2);
	config_free(cfg);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		cfg = parse(good[i], err, sizeof(err), NULL);
		ck_assert_msg(cfg != NULL, "%s: %s", good[i], err);
		config_free(cfg);
	}
	cfg =
	    parse("metrics: { control = \"\"; textfile = \"/var/lib/x.prom\"; "
		  "textfile_interval = 60; };",
		  err, sizeof(err), NULL);
	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_str_eq(cfg->metrics.control, "");
	ck_assert_str_eq(cfg->metrics.textfile, "/var/lib/x.prom");
	ck_assert_uint_eq(cfg->metrics.textfile_interval, 60);
	config_free(cfg);
}
END_TEST

/* outbound.store_backend "postgresql" needs a connection string; one
 * with a password only in a file nobody else can read */
START_TEST(test_store_dsn)
{
	char err[600], *dir = test_tmpdir();
	char *path =
	    test_write_file(dir, "c.conf",
			    "outbound: {\n  store_backend = \"postgresql\";\n"
			    "  store_dsn = \"host=db.example dbname=clamgate "
			    "password=s3cret\"; };\n");
	struct cg_config *cfg;

	ck_assert_int_eq(chmod(path, 0640), 0);
	cfg = config_load(path, err, sizeof(err));
	ck_assert_ptr_null(cfg);
	ck_assert_msg(strstr(err, ":3: outbound.store_dsn: holds a password") &&
			  strstr(err, "mode 0640") && !strstr(err, "s3cret"),
		      "%s", err);
	ck_assert_int_eq(chmod(path, 0600), 0);
	cfg = config_load(path, err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_int_eq(cfg->outbound.backend, CG_STORE_POSTGRESQL);
	ck_assert_str_eq(config_vstore_backend(cfg), "postgresql");
	ck_assert_str_eq(config_vstore_where(cfg), cfg->outbound.dsn);
	config_free(cfg);
	free(path);
	path = test_write_file(dir, "c.conf",
			       "outbound: {\n  store_backend = "
			       "\"postgresql\"; };\n");
	cfg = config_load(path, err, sizeof(err));
	ck_assert_ptr_null(cfg);
	ck_assert_msg(strstr(err, ":2: outbound.store_backend: \"postgresql\" "
				  "needs outbound.store_dsn"),
		      "%s", err);
	free(path);
	/* a string libpq cannot read: refused, and never repeated (libpq's
	 * own message would quote it, password and all) */
	path = test_write_file(dir, "c.conf",
			       "outbound: { store_dsn = \"host=db "
			       "password=top secret\"; };\n");
	cfg = config_load(path, err, sizeof(err));
	ck_assert_ptr_null(cfg);
	ck_assert_msg(strstr(err, "not a connection string libpq can read") &&
			  !strstr(err, "secret"),
		      "%s", err);
	free(path);
	/* a password in an @include'd file that others can read */
	{
		char text[600];
		path = test_write_file(dir, "inc.conf",
				       "store_dsn = \"host=db "
				       "sslpassword=s3cret\";\n");
		ck_assert_int_eq(chmod(path, 0644), 0);
		snprintf(text, sizeof(text),
			 "outbound: {\n@include \"%s\"\n};\n", path);
		free(path);
		path = test_write_file(dir, "c.conf", text);
	}
	ck_assert_int_eq(chmod(path, 0600), 0);
	cfg = config_load(path, err, sizeof(err));
	ck_assert_ptr_null(cfg);
	ck_assert_msg(strstr(err, "inc.conf can be read by others") &&
			  !strstr(err, "s3cret"),
		      "%s", err);
	free(path);
	test_rmtree(dir);
}
END_TEST

/* quarantine.backend: "dir" by default; "postgresql" needs
 * quarantine.dsn, password rules as above, and messages under 1 GB */
START_TEST(test_quarantine_backend)
{
	char err[600], *dir = test_tmpdir();
	char *path = test_write_file(dir, "c.conf",
				     "quarantine: {\n  backend = "
				     "\"postgresql\"; };\n");
	struct cg_config *cfg = config_load(path, err, sizeof(err));

	ck_assert_ptr_null(cfg);
	ck_assert_msg(strstr(err, ":2: quarantine.backend: \"postgresql\" "
				  "needs quarantine.dsn"),
		      "%s", err);
	free(path);
	path = test_write_file(dir, "c.conf",
			       "quarantine: { backend = \"postgresql\";\n"
			       "  dsn = \"dbname=q password=pw1\"; };\n");
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_ptr_null(config_load(path, err, sizeof(err)));
	ck_assert_msg(strstr(err, ":2: quarantine.dsn: holds a password") &&
			  !strstr(err, "pw1"),
		      "%s", err);
	free(path);
	path = test_write_file(dir, "c.conf",
			       "scanner: { max_message_size = \"1G\"; };\n"
			       "quarantine: { backend = \"postgresql\";\n"
			       "  dsn = \"dbname=q\"; };\n");
	ck_assert_ptr_null(config_load(path, err, sizeof(err)));
	ck_assert_msg(strstr(err, ":1: scanner.max_message_size: at most 999M"),
		      "%s", err);
	free(path);
	path = test_write_file(dir, "c.conf",
			       "quarantine: { backend = \"postgresql\";\n"
			       "  dsn = \"dbname=q\"; };\n");
	cfg = config_load(path, err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_int_eq(cfg->quarantine.backend, CG_QSTORE_POSTGRESQL);
	ck_assert_str_eq(cfg->quarantine.dsn, "dbname=q");
	config_free(cfg);
	free(path);
	cfg = parse("", err, sizeof(err), NULL);
	ck_assert_int_eq(cfg->quarantine.backend, CG_QSTORE_DIR);
	config_free(cfg);
	test_rmtree(dir);
}
END_TEST

/* an empty file is valid: every default */
START_TEST(test_empty_file)
{
	char err[512];
	struct cg_config *cfg = parse("", err, sizeof(err), NULL);

	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_str_eq(cfg->policy.reject_code, "554");
	config_free(cfg);
}
END_TEST

/* every key set to a non-default value */
START_TEST(test_all_keys)
{
	char err[512];
	struct cg_config *cfg = parse(
	    "milter: { socket = \"unix:/run/clamgate/c.sock\"; user = "
	    "\"mail\";\n"
	    "  group = \"postfix\"; socket_mode = \"0770\"; };\n"
	    "scanner: { backend = \"libclamav\"; database = \"/srv/db\";\n"
	    "  temp_dir = \"/srv/tmp\"; max_message_size = \"20M\";\n"
	    "  spool_memory = 65536; timeout = 30; max_concurrent = 3;\n"
	    "  reload_interval = 0; };\n"
	    "policy: { reject = \"never\"; fallback = \"hold\";\n"
	    "  trusted_relays = [ \"192.0.2.0/24\" ]; noreject_daemons = [ "
	    "\"a\", \"b\" ];\n"
	    "  nonsmtp_daemons = [ ]; reject_authenticated = false;\n"
	    "  on_error = \"accept\"; on_oversize = \"reject\"; headers = "
	    "\"replace\";\n"
	    "  reject_reply = \"550 5.7.0 no: %v\";\n"
	    "  rules = ( { match = \"PUA.*\"; action = \"accept\"; },\n"
	    "            { action = \"discard\"; match = \"*.Junk\"; } ); };\n"
	    "quarantine: { directory = \"/srv/q\"; };\n"
	    "log: { level = \"debug\"; facility = \"local3\"; };\n",
	    err, sizeof(err), NULL);

	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_str_eq(cfg->milter.group, "postfix");
	ck_assert_uint_eq(cfg->milter.socket_mode, 0770);
	ck_assert_uint_eq(cfg->scanner.max_message_size, 20 << 20);
	ck_assert_uint_eq(cfg->scanner.spool_memory, 65536);
	ck_assert_uint_eq(cfg->scanner.max_concurrent, 3);
	ck_assert_uint_eq(cfg->scanner.reload_interval, 0);
	ck_assert_int_eq(cfg->policy.reject, CG_REJECT_NEVER);
	ck_assert_int_eq(cfg->policy.fallback, CG_HOLD);
	ck_assert_uint_eq(cfg->policy.n_trusted_relays, 1);
	ck_assert_uint_eq(cfg->policy.noreject_daemons.count, 2);
	ck_assert_uint_eq(cfg->policy.nonsmtp_daemons.count, 0);
	ck_assert_int_eq(cfg->policy.reject_authenticated, 0);
	ck_assert_int_eq(cfg->policy.on_error, CG_ON_ERROR_ACCEPT);
	ck_assert_int_eq(cfg->policy.on_oversize, CG_REJECT);
	ck_assert_int_eq(cfg->policy.headers, CG_HEADERS_REPLACE);
	ck_assert_str_eq(cfg->policy.reject_code, "550");
	ck_assert_str_eq(cfg->policy.reject_xcode, "5.7.0");
	ck_assert_str_eq(cfg->policy.reject_text, "no: %v");
	ck_assert_uint_eq(cfg->policy.n_rules, 2);
	ck_assert_str_eq(cfg->policy.rules[1].match, "*.Junk");
	ck_assert_int_eq(cfg->policy.rules[1].action, CG_DISCARD);
	ck_assert_int_eq(cfg->log.level, LOG_LEVEL_DEBUG);
	ck_assert_int_eq(cfg->log.facility, LOG_LOCAL3);
	config_free(cfg);
}
END_TEST

static const struct {
	const char *text;
	int line;
	const char *what;
} bad[] = {
    {"milter: { socket = ; };\n", 1, "syntax error"},
    {"milter: {\n  sockett = \"unix:/x\";\n};\n", 2,
     "milter.sockett: unknown key"},
    {"scanners: { };\n", 1, "scanners: unknown group"},
    {"\n\nmilter: { socket = \"tcp:25\"; };\n", 3, "use unix:/path"},
    {"milter: { socket = \"unix:relative\"; };\n", 1, "must be absolute"},
    {"milter: { socket = \"inet:0@127.0.0.1\"; };\n", 1,
     "port must be 1 to 65535"},
    {"milter: { socket = \"inet:99999@127.0.0.1\"; };\n", 1,
     "port must be 1 to 65535"},
    {"milter: { socket = 7357; };\n", 1, "expected a quoted string"},
    {"milter: { socket_mode = \"0999\"; };\n", 1, "not an octal mode"},
    {"milter: { socket_mode = \"01777\"; };\n", 1, "not an octal mode"},
    {"scanner: { backend = \"clamav\"; };\n", 1,
     "scanner.backend: \"clamav\" is not valid"},
    {"scanner: { database = \"var/lib/clamav\"; };\n", 1,
     "not an absolute path"},
    {"scanner: { max_message_size = \"50Q\"; };\n", 1, "not a size"},
    {"scanner: { max_message_size = \"3G\"; };\n", 1, "out of range"},
    {"scanner: { max_message_size = 100; };\n", 1, "out of range"},
    {"scanner: { max_message_size = -5; };\n", 1, "cannot be negative"},
    {"scanner: { max_message_size = true; };\n", 1, "expected a size"},
    {"scanner: { timeout = 0; };\n", 1, "out of range (1 to 3600)"},
    {"scanner: { timeout = \"120\"; };\n", 1, "expected a whole number"},
    {"scanner: { max_concurrent = 5000; };\n", 1, "out of range"},
    {"scanner: { reload_interval = -1; };\n", 1, "out of range"},
    {"policy: { reject = \"always\"; };\n", 1, "use safe or never"},
    {"policy: { fallback = \"reject\"; };\n", 1,
     "use quarantine, hold or discard"},
    {"policy: {\n trusted_relays = [ \"127.0.0.1/33\" ];\n};\n", 2,
     "not an address or network"},
    {"policy: { trusted_relays = \"127.0.0.1\"; };\n", 1, "expected a list"},
    {"policy: { noreject_daemons = [ \"\" ]; };\n", 1, "empty string"},
    {"policy: { reject_authenticated = \"yes\"; };\n", 1,
     "expected true or false"},
    {"policy: { on_error = \"reject\"; };\n", 1, "use tempfail or accept"},
    {"policy: { on_oversize = \"discard\"; };\n", 1,
     "use accept, tempfail or reject"},
    {"policy: { headers = \"yes\"; };\n", 1, "use none, add or replace"},
    {"policy: { reject_reply = \"Virus %v\"; };\n", 1,
     "expected [5XX ]5.X.X text"},
    {"policy: { reject_reply = \"451 4.7.1 later\"; };\n", 1,
     "expected [5XX ]5.X.X"},
    {"policy: { rules = ( { match = \"PUA.*\"; } ); };\n", 1,
     "needs both match and action"},
    {"policy: { rules = (\n { match = \"PUA.*\"; action = \"allow\"; } ); };\n",
     2, "policy.rules[0].action: \"allow\" is not valid"},
    {"policy: { rules = ( { match = \"\"; action = \"accept\"; } ); };\n", 1,
     "empty pattern"},
    {"policy: { rules = ( { match = \"x\"; action = \"accept\"; when = 1; } ); "
     "};\n",
     1, "unknown key in rule"},
    {"policy: { rules = [ \"x\" ]; };\n", 1, "expected a list ("},
    {"quarantine: { directory = \"q\"; };\n", 1, "not an absolute path"},
    {"notify: { smtp = \"inet: 25@127.0.0.1\"; };\n", 1,
     "port must be 1 to 65535"},
    {"notify: { smtp = \"inet:+25@127.0.0.1\"; };\n", 1,
     "port must be 1 to 65535"},
    {"notify: { smtp = \"smtp.example:25\"; };\n", 1, "use unix:/path"},
    {"quarantine: { retention = \"30x\"; };\n", 1, "not a duration"},
    {"quarantine: { retention = 30; };\n", 1, "expected a quoted string"},
    {"quarantine: { sendmail = \"sendmail\"; };\n", 1, "not an absolute path"},
    {"quarantine: { expire = \"30d\"; };\n", 1,
     "quarantine.expire: unknown key"},
    {"log: { level = \"verbose\"; };\n", 1, "use error, warning"},
    {"notify: { admin = [ \"root\" ]; };\n", 1, "not a plain address"},
    {"notify: { admin = [ \"a@b\\r\\nBcc: c@d\" ]; };\n", 1,
     "not a plain address"},
    {"notify: { admin = [ \"-t@x\" ]; };\n", 1, "not a plain address"},
    {"notify: { from = \"a b@c\"; };\n", 1, "not a plain address"},
    {"notify: { on = [ \"bounce\" ]; };\n", 1,
     "notify.on[0]: \"bounce\" is not valid"},
    {"notify: { max_per_hour = -1; };\n", 1, "out of range"},
    {"notify: { digest = 1; };\n", 1, "expected true or false"},
    {"notify: { to = [ ]; };\n", 1, "notify.to: unknown key"},
    {"policy: { on_incomplete = \"discard\"; };\n", 1,
     "use accept, tempfail or reject"},
    {"scanner: { clamd = [ \"unix:/run/clamd.ctl\",\n \"tcp:3310\" ]; };\n", 2,
     "scanner.clamd[1]: \"tcp:3310\": use unix:/path"},
    {"scanner: { clamd = [ \"inet:0@127.0.0.1\" ]; };\n", 1,
     "port must be 1 to 65535"},
    {"scanner: { clamd_probe_interval = 0; };\n", 1, "out of range"},
    {"scanner: { backend = \"clamdscan\"; };\n", 1, "use libclamav or clamd"},
    {"log: { facility = \"mail2\"; };\n", 1,
     "\"mail2\" is not valid (use mail, daemon"},
    {"log = 1;\n", 1, "expected a group"},
    {"metrics: {\n listen = \"inet:9357@0.0.0.0\"; };\n", 2,
     "metrics.listen: \"inet:9357@0.0.0.0\" is not a loopback address"},
    {"metrics: { allow = [ \"127.0.0.0/8\" ];\n listen = "
     "\"inet6:9357@[2001:db8::1]\"; };\n",
     2, "list the client networks that may read the metrics"},
    {"metrics: { listen = \"inet:9357@mx.example\"; };\n", 1,
     "is not a loopback address"},
    {"metrics: { listen = \"127.0.0.1:9357\"; };\n", 1, "use unix:/path"},
    {"metrics: { allow = [ \"10.0.0.0/33\" ]; };\n", 1,
     "not an address or network"},
    {"metrics: { textfile = \"clamgate.prom\"; };\n", 1,
     "the path must be absolute"},
    {"metrics: { control = \"run/ctl\"; };\n", 1, "the path must be absolute"},
    {"metrics: { textfile_interval = 0; };\n", 1, "out of range"},
    {"scanner: { clamd = [ \"unix:/run/a.ctl\",\n  \"unix:/run/a.ctl\" ]; };\n",
     2, "scanner.clamd[1]: \"unix:/run/a.ctl\" is listed twice"},
    {"metric: { };\n", 1,
     "expected milter, scanner, policy, quarantine, "
     "notify, outbound, metrics or log"},
};

/* each bad file: NULL, and "FILE:LINE: ..." naming the problem */
START_TEST(test_bad)
{
	char err[512], prefix[600], *path;
	struct cg_config *cfg = parse(bad[_i].text, err, sizeof(err), &path);

	ck_assert_msg(cfg == NULL, "accepted: %s", bad[_i].text);
	snprintf(prefix, sizeof(prefix), "%s:%d: ", path, bad[_i].line);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0,
		      "\"%s\" does not start with \"%s\"", err, prefix);
	ck_assert_msg(strstr(err, bad[_i].what) != NULL,
		      "\"%s\" does not say \"%s\"", err, bad[_i].what);
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	free(path);
}
END_TEST

START_TEST(test_missing_file)
{
	char err[512];

	ck_assert_ptr_null(
	    config_load("/nonexistent/clamgate.conf", err, sizeof(err)));
	ck_assert_msg(
	    strstr(err, "/nonexistent/clamgate.conf:0: cannot read") == err,
	    "%s", err);
}
END_TEST

Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_shipped_file);
	tcase_add_test(tc, test_empty_file);
	tcase_add_test(tc, test_metrics_keys);
	tcase_add_test(tc, test_store_dsn);
	tcase_add_test(tc, test_quarantine_backend);
	tcase_add_test(tc, test_all_keys);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_missing_file);
	suite_add_tcase(s, tc);
	return s;
}
