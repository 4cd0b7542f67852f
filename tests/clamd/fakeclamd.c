/*
 * fakeclamd - a misbehaving clamd for the fault tests, on 127.0.0.1:PORT
 *
 * usage: fakeclamd PORT MODE
 *   ok        answers PING, VERSION, and "stream: OK" to every INSTREAM
 *   silent    answers PING and VERSION, never answers a scan
 *   hangup    reads the stream, then closes without a word (a clamd
 *             killed mid-scan)
 *   garbage   answers a scan with nonsense
 *   longname  answers "stream: <a 300-character name> FOUND"
 *   drip      answers "stream: Fake.Drip FOUND" one byte every 1.5 s
 *             (a clamd that holds a scan without ever going quiet)
 *
 * In every mode it answers clamgate's two canaries as a well set up
 * clamd would (a virus in the canary mail, the limits heuristic for the
 * nested zips), so that clamgate puts it in service and the fault shows
 * on real mail.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* version - the VERSION reply: signatures made two days ago, in clamd's
 * format (its host's local time) */
static const char *
version(void)
{
	static char buf[96];
	time_t t = time(NULL) - 2 * 86400;
	struct tm tm;
	size_t n = (size_t)snprintf(buf, sizeof(buf), "ClamAV 1.4.6/99999/");

	localtime_r(&t, &tm);
	strftime(buf + n, sizeof(buf) - n, "%a %b %d %H:%M:%S %Y", &tm);
	return buf;
}

static int
read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* contains - is needle in buf[0..len)? */
static int
contains(const char *buf, size_t len, const char *needle)
{
	return memmem(buf, len, needle, strlen(needle)) != NULL;
}

/* drain_stream - the INSTREAM chunks up to the empty one; which canary
 * it was, if any (1 the mail, 2 the nested zips) */
static int
drain_stream(int fd, int *canary)
{
	static char buf[65536];
	uint32_t be;

	*canary = 0;
	for (;;) {
		if (read_full(fd, &be, 4) < 0)
			return -1;
		uint32_t n = ntohl(be);
		if (n == 0)
			return 0;
		while (n > 0) {
			uint32_t k = n < sizeof(buf) ? n : sizeof(buf);
			if (read_full(fd, buf, k) < 0)
				return -1;
			if (contains(buf, k, "Subject:clamgate canary"))
				*canary = 1;
			else if (!*canary && contains(buf, k, "canary.zip"))
				*canary = 2;
			n -= k;
		}
	}
}

static void
answer(int fd, const char *s)
{
	if (write(fd, s, strlen(s) + 1) < 0)
		perror("write");
}

/* drip - s with its NUL, one byte at a time, slowly */
static void
drip(int fd, const char *s)
{
	for (size_t i = 0; i <= strlen(s); i++) {
		if (write(fd, s + i, 1) != 1)
			return;
		usleep(1500000);
	}
}

static void
serve(int fd, const char *mode)
{
	char cmd[32];
	size_t n = 0;
	int canary = 0;

	while (n < sizeof(cmd) - 1 && read(fd, cmd + n, 1) == 1 &&
	       cmd[n] != '\0')
		n++;
	cmd[n] = '\0';
	if (strcmp(cmd, "zPING") == 0)
		answer(fd, "PONG");
	else if (strcmp(cmd, "zVERSION") == 0)
		answer(fd, version());
	else if (strcmp(cmd, "zINSTREAM") != 0 || drain_stream(fd, &canary) < 0)
		return;
	else if (canary == 1)
		answer(fd, "stream: Eicar-Test-Signature FOUND");
	else if (canary == 2)
		answer(fd,
		       "stream: Heuristics.Limits.Exceeded.MaxRecursion FOUND");
	else if (strcmp(mode, "ok") == 0)
		answer(fd, "stream: OK");
	else if (strcmp(mode, "silent") == 0)
		pause();
	else if (strcmp(mode, "drip") == 0)
		drip(fd, "stream: Fake.Drip FOUND");
	else if (strcmp(mode, "garbage") == 0)
		answer(fd, "what do you mean");
	else if (strcmp(mode, "longname") == 0) {
		char reply[400] = "stream: Fake.LongName.";
		memset(reply + strlen(reply), 'y', 300 - strlen(reply));
		strcat(reply, " FOUND");
		answer(fd, reply);
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sin = {0};
	int one = 1, lfd;

	if (argc != 3) {
		fprintf(stderr, "usage: fakeclamd PORT MODE\n");
		return 2;
	}
	signal(SIGCHLD, SIG_IGN);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(argv[1]));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(lfd, 16) < 0) {
		perror("bind");
		return 1;
	}
	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		if (fork() == 0) {
			/* never outlive the fake clamd itself */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(lfd);
			serve(fd, argv[2]);
			_exit(0);
		}
		close(fd);
	}
}
