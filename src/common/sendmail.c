/*
 * NAME
 *	sendmail - submit one message through the MTA's sendmail program
 * DESCRIPTION
 *	posix_spawn (safe in a threaded process) of PROGRAM with
 *	"-i -N never -f FROM -- RCPT...", the message written to its standard
 *	input by the caller's feed function.  -N never: a later delivery
 *	failure must not bounce to FROM, which for a release is the
 *	original, possibly forged, sender.  If the feed fails, the program
 *	is killed before it sees the end of its input, so no partial message
 *	is queued.  The child keeps no descriptor of ours but stdio, and
 *	starts with no blocked signals.  Nothing waits forever: a program
 *	that does not read for a minute, or does not exit within two, is
 *	killed.  An empty
 *FROM is the null sender, passed as "<>".  Recipients that could be taken for
 *options or that hold white space or line breaks are refused before anything
 *runs. DIAGNOSTICS -1 with a reason in err: the program could not run, the feed
 *failed, or the program exited non-zero or died.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clamgate/fdio.h"
#include "clamgate/reply.h"
#include "clamgate/sendmail.h"
#include "clamgate/xmalloc.h"

extern char **environ;

/* sendmail_addr_ok - an address we may put on a command line */
static int
sendmail_addr_ok(const char *a)
{
	return *a != '\0' && *a != '-' && strpbrk(a, " \t\r\n<>") == NULL;
}

/* sendmail_refused - the message for a recipient we refuse: the address
 * is the sender's text, shown as printable ASCII only (it may reach a
 * terminal or a log) */
static void
sendmail_refused(const char *a, char *err, size_t errlen)
{
	char shown[101];

	reply_sanitize(a, shown, sizeof(shown), sizeof(shown) - 1);
	snprintf(err, errlen, "refusing recipient \"%s\"", shown);
}

#define EXIT_TIMEOUT_S 120

/* sendmail_reap - wait for the program, at most EXIT_TIMEOUT_S, then kill
 * it; its wait status, or -1 */
static int
sendmail_reap(pid_t pid)
{
	int status;

	for (int i = 0; i < EXIT_TIMEOUT_S * 10; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		usleep(100000);
	}
	kill(pid, SIGKILL);
	return waitpid(pid, &status, 0) == pid ? -1 : -1;
}

/* sendmail_spawn - the child with its stdin on p_in; pid or -1.  The
 * child starts with no blocked signals and default dispositions (our
 * threads block TERM, HUP, INT and USR2; libmilter ignores PIPE). */
static pid_t
sendmail_spawn(const char *program, char **argv, int p_in, int p_out)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dflt;
	pid_t pid;
	int rc;

	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGHUP);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGUSR2);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
					    POSIX_SPAWN_SETSIGDEF);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p_in, STDIN_FILENO);
	posix_spawn_file_actions_addclose(&fa, p_out);
	/* nothing of ours (MTA connections, the listener) for the child */
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	rc = posix_spawn(&pid, program, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return pid;
}

/* sendmail_submit - run program and feed it one message */
int
sendmail_submit(const char *program, const char *from, char *const *rcpts,
		size_t n, sendmail_feed feed, void *arg, char *err,
		size_t errlen)
{
	char **argv = xcalloc(n + 8, sizeof(char *));
	int p[2], status, fed;
	pid_t pid;

	for (size_t i = 0; i < n; i++) {
		if (!sendmail_addr_ok(rcpts[i])) {
			sendmail_refused(rcpts[i], err, errlen);
			free(argv);
			return -1;
		}
	}
	argv[0] = (char *)program;
	argv[1] = "-i";
	argv[2] = "-N";
	argv[3] = "never";
	argv[4] = "-f";
	argv[5] = from && *from ? (char *)from : "<>";
	argv[6] = "--";
	if (n > 0)
		memcpy(argv + 7, rcpts, n * sizeof(char *));
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		free(argv);
		return -1;
	}
	if ((pid = sendmail_spawn(program, argv, p[0], p[1])) < 0) {
		snprintf(err, errlen, "cannot run %s: %s", program,
			 strerror(errno));
		close(p[0]);
		close(p[1]);
		free(argv);
		return -1;
	}
	free(argv);
	close(p[0]);
	fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK);
	/* a message that could not be written whole must not be queued:
	 * kill the program before it sees the end of its input */
	if ((fed = feed(p[1], arg)) < 0)
		kill(pid, SIGKILL);
	close(p[1]);
	status = sendmail_reap(pid);
	if (fed < 0) {
		snprintf(err, errlen, "cannot write to %s", program);
		return -1;
	}
	if (status == -1) {
		snprintf(err, errlen, "%s did not finish in %d s; killed",
			 program, EXIT_TIMEOUT_S);
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	snprintf(err, errlen, "%s failed (%s %d)", program,
		 WIFEXITED(status) ? "exit status" : "signal",
		 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return -1;
}
