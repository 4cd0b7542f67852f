/*
 * NAME
 *	clamgate - a ClamAV milter that never sends backscatter
 * SYNOPSIS
 *	clamgate [-f] [-t] [-p] [-c FILE]
 *	clamgate -s [-c FILE]
 *	clamgate -V
 * DESCRIPTION
 *	Start-up: read the configuration, open the milter socket as root,
 *	give it its owner and mode, set TCP_NODELAY on inet listeners, drop
 *	to milter.user, detach (unless -f), start the signature loader and
 *	run libmilter in a thread of its own.  The main thread waits for
 *	SIGTERM, SIGHUP or SIGINT: on Linux a signal sent to the process
 *	goes to its main thread when that thread waits for it, so these
 *	reach clamgate rather than libmilter's signal thread, which would
 *	stop every session at once.  On TERM or HUP clamgate drains: it
 *	removes a unix socket, tempfails new connections and messages,
 *	waits (up to scanner.timeout + 30 s) for the messages in flight,
 *	then stops libmilter.  INT stops without waiting.
 *
 *	-s prints the running daemon's figures (the metrics, read from
 *	metrics.control) for a person, and exits.
 *
 *	-p prints the configuration in effect (every key, with the file's
 *	value or the default) and exits.
 *
 *	-t checks the configuration, scanner.temp_dir, and the scanner (the
 *	signature database with the canary message, or every clamd
 *	server), as milter.user when started as root; it warns about
 *	settings that let unscanned or forged mail through, then prints
 *	"configuration OK" and exits 0.
 * DIAGNOSTICS
 *	Exit 1 with "FILE:LINE: what is wrong" for a bad configuration, or
 *	the reason for any other start-up failure.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "clamgate/config.h"
#include "clamgate/config_print.h"
#include "clamgate/control.h"
#include "clamgate/daemon.h"
#include "clamgate/expire.h"
#include "clamgate/log.h"
#include "clamgate/metrics.h"
#include "clamgate/metrics_file.h"
#include "clamgate/metrics_http.h"
#include "clamgate/milter.h"
#include "clamgate/mime.h"
#include "clamgate/notify.h"
#include "clamgate/qstore.h"
#include "clamgate/gate.h"
#include "clamgate/reload.h"
#include "clamgate/scan.h"
#include "clamgate/scan_tmp.h"
#include "clamgate/spool.h"
#include "clamgate/stats.h"
#include "clamgate/status.h"
#include "clamgate/token.h"

struct options {
	const char *config;
	int foreground;
	int test;
	int print;
	int status;
};

/* usage - how to call clamgate, and exit */
static void __attribute__((noreturn)) usage(int status)
{
	fprintf(
	    status ? stderr : stdout,
	    "usage: clamgate [-f] [-t] [-p] [-c FILE]\n"
	    "       clamgate -s [-c FILE]\n"
	    "       clamgate -V\n"
	    "  -c FILE  configuration file (default %s)\n"
	    "  -f       stay in the foreground, log to stderr\n"
	    "  -t       check the configuration and the signatures, then exit\n"
	    "  -p       print the configuration in effect, every key, then "
	    "exit\n"
	    "  -s       print the running daemon's figures, then exit\n"
	    "  -V       print the version and exit\n",
	    CLAMGATE_CONF);
	exit(status);
}

/* parse_options - the command line */
static void
parse_options(int argc, char **argv, struct options *o)
{
	int ch;

	o->config = CLAMGATE_CONF;
	while ((ch = getopt(argc, argv, "c:fhpstV")) != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			break;
		case 'f':
			o->foreground = 1;
			break;
		case 't':
			o->test = 1;
			break;
		case 'p':
			o->print = 1;
			break;
		case 's':
			o->status = 1;
			break;
		case 'V':
			printf("clamgate %s\n", CLAMGATE_VERSION);
			exit(0);
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);
}

/* check_dir - warn about a directory the daemon cannot write */
static void
check_dir(const char *what, const char *dir)
{
	if (access(dir, W_OK | X_OK) < 0)
		log_warn("%s %s is not writable: %m", what, dir);
}

/* check_parent - warn about a file whose directory the daemon cannot
 * write */
static void
check_parent(const char *what, const char *path)
{
	char dir[1024];
	const char *slash = strrchr(path, '/');

	snprintf(dir, sizeof(dir), "%.*s",
		 slash && slash != path ? (int)(slash - path) : 1, path);
	if (access(dir, W_OK | X_OK) < 0)
		log_warn("%s %s: its directory %s is not writable: %m", what,
			 path, dir);
}

/* check_temp_dir - scanner.temp_dir must be usable: 0, or -1 and why */
static int
check_temp_dir(const struct cg_config *cfg, char *why, size_t len)
{
	return scan_tmp_check(cfg->scanner.temp_dir, cfg->scanner.temp_min_free,
			      why, len);
}

/* test_warnings - -t: settings that let unscanned or forged mail by */
static void
test_warnings(const struct cg_config *cfg)
{
	const char *p = cfg->path;

	if (cfg->policy.headers != CG_HEADERS_REPLACE)
		fprintf(stderr,
			"%s: warning: policy.headers is not \"replace\": a "
			"sender's own X-Virus-Status reaches the recipient\n",
			p);
	if (cfg->policy.on_error == CG_ON_ERROR_ACCEPT)
		fprintf(stderr,
			"%s: warning: policy.on_error = \"accept\": mail that "
			"could not be scanned is delivered\n",
			p);
	if (cfg->policy.on_incomplete == CG_ACCEPT)
		fprintf(stderr,
			"%s: warning: policy.on_incomplete = \"accept\": a "
			"sender can hide a virus past the scanner's limits\n",
			p);
	if (cfg->scanner.max_spool_disk > 0 &&
	    cfg->scanner.max_spool_disk < cfg->scanner.max_message_size)
		fprintf(stderr,
			"%s: warning: scanner.max_spool_disk is smaller than "
			"max_message_size: a message that large is tempfailed "
			"every time\n",
			p);
	if (scan_tmp_world_writable(cfg->scanner.temp_dir))
		fprintf(stderr,
			"%s: warning: scanner.temp_dir %s is writable by "
			"every user, who can fill it (mail is then "
			"tempfailed); give clamgate a directory of its own\n",
			p, cfg->scanner.temp_dir);
}

/* test_gate_warnings - an outbound gate that cannot verify anyone, or
 * cannot tell internal recipients, stops every automatic reply */
static void
test_gate_warnings(const struct cg_config *cfg)
{
	if (cfg->outbound.mode == CG_OUT_OFF)
		return;
	if (cfg->outbound.trusted_authserv_ids.count == 0)
		fprintf(stderr,
			"clamgate: warning: outbound.trusted_authserv_ids is "
			"empty: no outside sender is ever verified, so "
			"verified-only mail goes to internal_domains only\n");
	if (cfg->outbound.internal_domains.count == 0)
		fprintf(stderr, "clamgate: warning: outbound.internal_domains "
				"is empty: no recipient counts as internal\n");
	if (cfg->outbound.trusted_authserv_ids.count > 0)
		fprintf(stderr,
			"clamgate: note: Authentication-Results fields that "
			"claim a trusted authserv-id count only if the MTA "
			"drops the ones senders write (docs/postfix.md, "
			"\"Outbound gate\")\n");
}

/* test_store - -t: the quarantine store can be used; 0 or -1 */
static int
test_store(const struct cg_config *cfg)
{
	struct qstore *qs = qstore_open(cfg);
	char buf[1024];
	int rc;

	if (qs == NULL) {
		fprintf(stderr, "clamgate: quarantine store: %s\n",
			qstore_error());
		return -1;
	}
	rc = qstore_state(qs, buf, sizeof(buf));
	qstore_close(qs);
	if (rc < 0 && cfg->quarantine.backend == CG_QSTORE_POSTGRESQL) {
		fprintf(stderr, "clamgate: quarantine store: %s\n", buf);
		return -1;
	}
	if (rc == 0)
		printf("quarantine store: %s\n", buf);
	return 0;
}

/* test_checks - -t as the user clamgate runs as: 0 if all is well */
static int
test_checks(const struct cg_config *cfg)
{
	const struct scan_backend *be = scan_backend(cfg->scanner.backend);
	struct scanner *sc;
	char err[512];
	int rc;

	if (check_temp_dir(cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: scanner.temp_dir: %s\n", cfg->path, err);
		return 1;
	}
	if ((sc = be->open(cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "clamgate: %s\n", err);
		return 1;
	}
	rc = be->check ? be->check(sc) : be->refresh(sc, 1, err, sizeof(err));
	be->close(sc);
	if (rc < 0) {
		if (be->check)
			fprintf(stderr,
				"%s: scanner.clamd: not every server "
				"can be used\n",
				cfg->path);
		else
			fprintf(stderr, "%s: scanner.database: %s\n", cfg->path,
				err);
		return 1;
	}
	test_warnings(cfg);
	check_dir("quarantine.directory", cfg->quarantine.directory);
	if (test_store(cfg) < 0)
		return 1;
	/* metrics.control's directory is not checked: /run/clamgate
	 * exists only while the unit runs (its RuntimeDirectory), and a
	 * stopped daemon is no reason for a warning */
	if (cfg->metrics.textfile[0] != '\0')
		check_parent("metrics.textfile", cfg->metrics.textfile);
	if ((rc = gate_check(cfg, err, sizeof(err))) < 0) {
		fprintf(stderr, "clamgate: outbound gate: %s\n", err);
		return 1;
	}
	if (rc > 0)
		printf("outbound store: %s\n", err);
	test_gate_warnings(cfg);
	printf("configuration OK\n");
	return 0;
}

/* test_config - -t: the checks, as milter.user when started as root */
static int
test_config(const struct cg_config *cfg)
{
	pid_t pid;
	int status;

	if (geteuid() != 0 || cfg->milter.user == NULL || !*cfg->milter.user)
		return test_checks(cfg);
	fflush(NULL);
	if ((pid = fork()) < 0) {
		perror("clamgate: fork");
		return 1;
	}
	if (pid == 0) {
		status = daemon_drop_privileges(cfg) < 0 ? 1 : test_checks(cfg);
		fflush(NULL);
		_exit(status);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* prepare_quarantine - create the store directory, owned by the user */
static void
prepare_quarantine(const struct cg_config *cfg)
{
	const char *dir = cfg->quarantine.directory;

	if (mkdir(dir, 0700) < 0) {
		if (errno != EEXIST)
			log_warn("cannot create quarantine.directory %s: %m",
				 dir);
		return;
	}
	if (geteuid() == 0 && cfg->milter.user && *cfg->milter.user) {
		struct passwd *pw = getpwnam(cfg->milter.user);
		if (pw == NULL || chown(dir, pw->pw_uid, pw->pw_gid) < 0)
			log_warn("cannot give %s to %s: %m", dir,
				 cfg->milter.user);
	}
}

/* open_socket - the milter socket, before dropping privileges */
static void
open_socket(const struct cg_config *cfg)
{
	mode_t old_mask;
	int opened;

	if (milter_register() < 0)
		log_fatal("smfi_register failed");
	if (smfi_setconn(cfg->milter.socket) != MI_SUCCESS)
		log_fatal("%s: milter.socket: cannot use \"%s\"", cfg->path,
			  cfg->milter.socket);
	if (smfi_setbacklog(128) != MI_SUCCESS)
		log_warn("cannot set the listen backlog");
	old_mask = daemon_socket_umask(cfg);
	opened = smfi_opensocket(1);
	umask(old_mask);
	if (opened != MI_SUCCESS)
		log_fatal("cannot open milter socket %s (in use, or no "
			  "permission?)",
			  cfg->milter.socket);
	if (daemon_socket_setup(cfg) < 0)
		log_fatal("cannot set up milter socket %s", cfg->milter.socket);
	daemon_nodelay_listeners();
}

static atomic_int stopping;

/* milter_thread - libmilter's accept loop, off the main thread */
static void *
milter_thread(void *arg)
{
	int *failed = arg;

	if (smfi_main() != MI_SUCCESS && !atomic_load(&stopping)) {
		/* ended on its own: say so, and wake the main thread */
		log_error("the milter library stopped unexpectedly");
		*failed = 1;
		kill(getpid(), SIGTERM);
	}
	return NULL;
}

/* wait_for_stop - the main thread waits here for TERM, HUP or INT */
static int
wait_for_stop(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	do
		sig = sigwaitinfo(&set, NULL);
	while (sig < 0);
	return sig;
}

/* start_metrics - the endpoint, the textfile and the control socket,
 * each in a thread of its own */
static void
start_metrics(const struct cg_config *cfg, const struct scan_backend *be,
	      struct scanner *sc, struct qstore *qs)
{
	char err[512];

	stats_setup(cfg, be, sc, qs);
	if (metrics_http_start(err, sizeof(err)) < 0)
		log_error("%s; running without the endpoint", err);
	if (metrics_file_start(cfg) < 0)
		log_fatal("cannot start the metrics.textfile thread");
	if (control_start() < 0)
		log_fatal("cannot start the control socket thread");
}

/* stop_metrics - end them, before the scanner they read goes */
static void
stop_metrics(void)
{
	control_stop();
	metrics_http_stop();
	metrics_file_stop();
}

/* shut_down - drain, then stop libmilter */
static void
shut_down(const struct cg_config *cfg, int sig, pthread_t tid)
{
	int left = 0;

	log_info("%s: no new connections or messages, finishing those in "
		 "flight",
		 strsignal(sig));
	milter_set_draining();
	daemon_socket_remove(cfg);
	atomic_store(&stopping, 1);
	if (sig != SIGINT)
		left = milter_drain(cfg->scanner.timeout + 30);
	if (left > 0)
		log_warn("%d messages still in flight at exit; the MTA will "
			 "tempfail them",
			 left);
	/* the metrics served the drain; their sockets go before every
	 * listener is shut down, which would leave their threads polling
	 * a dead socket */
	stop_metrics();
	/* smfi_stop() waits for the accept loop's lock, held for a poll of
	 * up to 5 s: shut the listeners down first to end that poll now */
	daemon_wake_listeners();
	smfi_stop();
	pthread_join(tid, NULL);
	if (left > 0) {
		/* workers still run on the scanner and the configuration:
		 * freeing them would pull them out from under those scans */
		notify_stop();
		log_warn("exiting without cleanup");
		_exit(1);
	}
}

/* serve - run libmilter until a stop signal, then drain */
static int
serve(const struct cg_config *cfg)
{
	pthread_t tid;
	int failed = 0;

	if (pthread_create(&tid, NULL, milter_thread, &failed) != 0)
		log_fatal("cannot start the milter thread");
	shut_down(cfg, wait_for_stop(), tid);
	return failed;
}

/* load_key - quarantine.directory, and the release key in it (on every
 * host of a shared store the same file, docs/scale-out.md) */
static void
load_key(const struct cg_config *cfg, struct token_key *key)
{
	check_dir("quarantine.directory", cfg->quarantine.directory);
	if (token_key_load(cfg->quarantine.directory, 1, key) < 0)
		log_warn("cannot read or create %s/.release-key (%m): released "
			 "messages and notices are scanned like any other",
			 cfg->quarantine.directory);
}

/* run - the daemon proper */
static int
run(const struct cg_config *cfg, int foreground)
{
	const struct scan_backend *be = scan_backend(cfg->scanner.backend);
	struct token_key key = {{0}, 0};
	struct qstore *qs = qstore_open(cfg);
	struct scanner *sc;
	char err[512];
	int rc;

	metrics_init();
	if (qs == NULL)
		log_fatal("quarantine store: %s", qstore_error());
	if ((sc = be->open(cfg, err, sizeof(err))) == NULL)
		log_fatal("%s", err);
	if (scan_limit_init(cfg->scanner.max_concurrent, cfg->scanner.timeout) <
	    0)
		log_fatal("cannot set up the scan limit");
	milter_setup(cfg, be, sc, &key, qs);
	spool_set_disk_budget(cfg->scanner.max_spool_disk);
	open_socket(cfg);
	/* like the control socket, the endpoint is no reason to stop mail:
	 * a scrape that fails shows in Prometheus (up == 0) */
	if (metrics_http_open(cfg, err, sizeof(err)) < 0)
		log_error("%s: metrics.listen: %s; running without the "
			  "endpoint",
			  cfg->path, err);
	(void)control_open(cfg);
	prepare_quarantine(cfg);
	if (daemon_drop_privileges(cfg) < 0)
		log_fatal("cannot drop privileges");
	if (check_temp_dir(cfg, err, sizeof(err)) < 0)
		log_fatal("%s: scanner.temp_dir: %s", cfg->path, err);
	load_key(cfg, &key);
	if (!foreground && daemon_detach() < 0)
		log_fatal("cannot detach");
	reload_block_signals();
	if (reload_start(be, sc, cfg->scanner.reload_interval) < 0)
		log_fatal("cannot start the signature loader thread");
	if (expire_start(cfg, qs) < 0)
		log_fatal("cannot start the quarantine expiry thread");
	mime_init();
	if (notify_start(cfg, &key) < 0)
		log_fatal("cannot start the notify-admin thread");
	if (gate_start(cfg, err, sizeof(err)) < 0)
		log_fatal("outbound gate: %s", err);
	start_metrics(cfg, be, sc, qs);
	log_info(
	    "clamgate %s listening on %s (backend %s, %u concurrent scans)",
	    CLAMGATE_VERSION, cfg->milter.socket,
	    config_backend_name(cfg->scanner.backend),
	    cfg->scanner.max_concurrent);
	rc = serve(cfg);
	/* no reload may read the catalogues while they go; messages still
	 * in flight after the drain may still read them and the store */
	reload_stop();
	gate_stop(milter_drain(0) > 0);
	notify_stop();
	expire_stop();
	be->close(sc);
	qstore_close(qs);
	log_info("stopped");
	return rc;
}

int
main(int argc, char **argv)
{
	struct cg_config *cfg;
	struct options o = {0};
	char err[1024];
	int rc;

	parse_options(argc, argv, &o);
	if ((cfg = config_load(o.config, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	log_set_level((enum log_level)cfg->log.level);
	if (o.status) {
		rc = status_run(cfg);
	} else if (o.print) {
		config_print(stdout, cfg);
		rc = fflush(stdout) == 0 ? 0 : 1;
	} else if (o.test) {
		rc = test_config(cfg);
	} else {
		log_open("clamgate", cfg->log.facility, o.foreground);
		rc = run(cfg, o.foreground);
	}
	config_free(cfg);
	return rc;
}
