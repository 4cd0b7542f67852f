/*
 * NAME
 *	scan_clamd - the clamd companion backend: one or many clamd servers
 * DESCRIPTION
 *	At end of message the spooled message goes to the healthy server
 *	with the fewest scans outstanding (at most clamd_max_connections
 *	each): on a unix socket the spool file itself (zFILDES, its
 *	descriptor passed with SCM_RIGHTS), else zINSTREAM in 64 KiB chunks.
 *	The MTA's pace never holds a clamd connection open.  Replies of any
 *	length are read to their NUL: "stream: OK", "stream: NAME FOUND",
 *	"INSTREAM size limit exceeded. ERROR" (a scan error: the embedded
 *	engine would have scanned it), "... ERROR".  A server that cannot be
 *	reached, times out or answers nonsense is marked down and the scan
 *	goes to the next one, within the message's scanner.timeout.  A probe
 *	thread per server pings it every clamd_probe_interval seconds
 *	(zPING / PONG) and marks it down or up; a server comes up only once
 *	it has passed the canaries (canary.h: a virus found in a zip in a
 *	mail attachment, a message past the limits reported), and passes
 *	them again every CANARY_INTERVAL seconds.  With every server down a
 *	scan fails at once.  For the metrics, each server counts its
 *	requests by result, and its probe asks for VERSION at most every
 *	VERSION_INTERVAL seconds to learn the date of its signatures.
 * DIAGNOSTICS
 *	A scan that no server could do is SCAN_ERROR with the reason; the
 *	policy makes that on_error (tempfail by default).
 */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clamgate/canary.h"
#include "clamgate/clamd_reply.h"
#include "clamgate/log.h"
#include "clamgate/netio.h"
#include "clamgate/scan.h"
#include "clamgate/xmalloc.h"

#define CHUNK		 65536
#define REPLY_MAX	 65536
#define CANARY_INTERVAL	 600 /* seconds between canaries on a server */
#define CANARY_SECONDS	 15  /* the longest a canary scan may take */
#define VERSION_INTERVAL 60  /* seconds between VERSION asks for metrics */

struct server {
	char *spec;
	struct netio_addr addr;
	atomic_int up;		/* 1 up, 0 down, -1 not probed yet */
	unsigned outstanding;	/* under the scanner's lock */
	time_t canary_at;	/* last canaries passed (its probe only) */
	time_t version_at;	/* last VERSION asked (its probe only) */
	_Atomic time_t db_time; /* its signatures' date */
	atomic_ullong requests[MC_N]; /* for metrics */
	struct scanner *sc;
	pthread_t probe; /* each server its own: a slow one holds up no other */
	int probing;
};

struct scanner {
	struct server *srv;
	size_t n;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char version[SCAN_VERSION_MAX];
	unsigned timeout, connect_timeout, probe_interval, max_conn;
	uint64_t max_size;
	int probing, stopping;
};

/* clamd_reply - read up to the NUL (or EOF) before the deadline: a
 * server that drips bytes cannot hold the scan past it; the caller
 * frees */
static char *
clamd_reply(int fd, long long until)
{
	size_t len = 0, cap = 256;
	char *buf = xmalloc(cap);

	for (;;) {
		ssize_t n;
		if (len + 1 >= cap) {
			if (cap >= REPLY_MAX)
				break;
			buf = xrealloc(buf, cap *= 2);
		}
		n = netio_recv(fd, buf + len, cap - len - 1, until);
		if (n < 0) {
			len = 0; /* cut short: no reply at all */
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (memchr(buf + len - (size_t)n, '\0', (size_t)n))
			break;
	}
	buf[len] = '\0';
	len = strlen(buf); /* the reply ends at its NUL */
	while (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (len == 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* clamd_command - one short command ("zPING"), its reply (caller frees) */
static char *
clamd_command(const struct scanner *sc, const struct server *s, const char *cmd)
{
	long long until = netio_until(sc->connect_timeout);
	int fd = netio_connect(&s->addr, sc->connect_timeout, until);
	char *reply = NULL;

	if (fd < 0)
		return NULL;
	if (netio_send(fd, cmd, strlen(cmd) + 1, until) == 0)
		reply = clamd_reply(fd, until);
	close(fd);
	return reply;
}

/* clamd_fildes - zFILDES with the spool file's descriptor */
static int
clamd_fildes(int fd, int file, long long until)
{
	char cmd[] = "zFILDES", ctl[CMSG_SPACE(sizeof(int))], dummy = 0;
	struct iovec iov = {&dummy, 1};
	struct msghdr msg;
	struct cmsghdr *c;

	if (netio_send(fd, cmd, sizeof(cmd), until) < 0 ||
	    netio_wait(fd, POLLOUT, until) < 0)
		return -1;
	memset(&msg, 0, sizeof(msg));
	memset(ctl, 0, sizeof(ctl));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl;
	msg.msg_controllen = sizeof(ctl);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &file, sizeof(int));
	return sendmsg(fd, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/* clamd_instream - zINSTREAM, the stored bytes in chunks, the empty
 * chunk */
static int
clamd_instream(int fd, const struct spool *sp, long long until)
{
	static const char cmd[] = "zINSTREAM";
	char *buf = xmalloc(CHUNK + 4);
	uint64_t off = 0;
	int rc = netio_send(fd, cmd, sizeof(cmd), until);

	while (rc == 0 && off < sp->stored) {
		ssize_t n = spool_read(sp, off, buf + 4, CHUNK);
		uint32_t be;
		if (n <= 0) {
			free(buf);
			return -2; /* our spool, not the server */
		}
		be = htonl((uint32_t)n);
		memcpy(buf, &be, 4);
		rc = netio_send(fd, buf, (size_t)n + 4, until);
		off += (uint64_t)n;
	}
	memset(buf, 0, 4);
	if (rc == 0)
		rc = netio_send(fd, buf, 4, until);
	free(buf);
	return rc;
}

/* clamd_scan_one - one attempt on one server, over by the deadline
 * until (clamd_now_ms); -1: try another */
static int
clamd_scan_one(struct scanner *sc, const struct server *s,
	       const struct spool *sp, long long until, struct scan_result *res)
{
	int fd = netio_connect(&s->addr, sc->connect_timeout, until), sent;
	char *reply;

	if (fd < 0)
		return -1;
	if (s->addr.addr.ss_family == AF_UNIX && sp->fd >= 0 &&
	    lseek(sp->fd, 0, SEEK_SET) == 0)
		sent = clamd_fildes(fd, sp->fd, until);
	else
		sent = clamd_instream(fd, sp, until);
	if (sent == -2) {
		close(fd);
		res->status = SCAN_ERROR;
		snprintf(res->detail, sizeof(res->detail),
			 "cannot read the spool");
		return 0; /* no other server would do better */
	}
	/* a server that stops reading (StreamMaxLength) still answers */
	reply = clamd_reply(fd, until);
	close(fd);
	if (reply == NULL || clamd_reply_parse(reply, sc->timeout, res) < 0) {
		if (reply)
			log_warn("clamd %s: unexpected reply \"%.100s\"",
				 s->spec, reply);
		free(reply);
		return -1;
	}
	free(reply);
	return 0;
}

/* clamd_pick - the healthy server with the fewest scans, not yet tried;
 * when every healthy one is at clamd_max_connections, wait for a slot
 * (until the deadline) rather than fail */
static struct server *
clamd_pick(struct scanner *sc, const char *tried, time_t deadline)
{
	struct timespec until = {deadline, 0};
	struct server *best;
	int busy;

	pthread_mutex_lock(&sc->lock);
	do {
		best = NULL;
		busy = 0;
		for (size_t i = 0; i < sc->n; i++) {
			struct server *s = &sc->srv[i];
			if (tried[i] || atomic_load(&s->up) <= 0)
				continue;
			if (s->outstanding >= sc->max_conn) {
				busy = 1;
				continue;
			}
			if (best == NULL || s->outstanding < best->outstanding)
				best = s;
		}
	} while (best == NULL && busy &&
		 pthread_cond_timedwait(&sc->cond, &sc->lock, &until) == 0);
	if (best)
		best->outstanding++;
	pthread_mutex_unlock(&sc->lock);
	return best;
}

/* clamd_mark - a server's state changed: log it once */
static void
clamd_mark(struct server *s, int up, const char *why)
{
	if (atomic_exchange(&s->up, up) != up) {
		if (up)
			log_notice("clamd %s is up", s->spec);
		else
			log_warn("clamd %s is down: %s", s->spec, why);
	}
}

/* clamd_share - the deadline of the next attempt: the time left before
 * until, shared fairly with the servers still to try, so a server that
 * never answers leaves time to fail over */
static long long
clamd_share(const struct scanner *sc, const char *tried, long long until)
{
	long long now = netio_now_ms();
	long long untried = 1;

	for (size_t i = 0; i < sc->n; i++)
		if (!tried[i] && atomic_load(&sc->srv[i].up) > 0)
			untried++;
	return now + (until > now ? (until - now) / untried : 0);
}

/* clamd_scan - scan on one server, failing over within the budget */
static void
clamd_scan(struct scanner *sc, const struct spool *sp, struct scan_result *res)
{
	/* until is the deadline that counts; deadline (the wall clock) only
	 * bounds the wait for a free connection slot */
	time_t deadline = time(NULL) + sc->timeout;
	long long until = netio_until(sc->timeout);
	char *tried = xcalloc(sc->n, 1);
	struct server *s;

	pthread_mutex_lock(&sc->lock);
	memcpy(res->version, sc->version, sizeof(res->version));
	pthread_mutex_unlock(&sc->lock);
	res->status = SCAN_ERROR;
	snprintf(res->detail, sizeof(res->detail), "no clamd server is up");
	while (netio_now_ms() < until &&
	       (s = clamd_pick(sc, tried, deadline)) != NULL) {
		int rc;
		tried[s - sc->srv] = 1;
		res->detail[0] = '\0';
		rc = clamd_scan_one(sc, s, sp, clamd_share(sc, tried, until),
				    res);
		atomic_fetch_add_explicit(
		    &s->requests[metrics_clamd_result(rc == 0, res->status)], 1,
		    memory_order_relaxed);
		pthread_mutex_lock(&sc->lock);
		s->outstanding--;
		pthread_cond_broadcast(&sc->cond);
		pthread_mutex_unlock(&sc->lock);
		if (rc == 0)
			break;
		clamd_mark(s, 0, "no connection, a timeout or no valid reply");
		res->status = SCAN_ERROR;
		snprintf(res->detail, sizeof(res->detail), "clamd %s failed",
			 s->spec);
	}
	free(tried);
}

/* clamd_ping - is the server alive? */
static int
clamd_ping(struct scanner *sc, const struct server *s)
{
	char *reply = clamd_command(sc, s, "zPING");
	int ok = reply && strcmp(reply, "PONG") == 0;

	free(reply);
	return ok;
}

/* clamd_eicar - the EICAR test file, kept scrambled so that this
 * program's own binary never matches a signature; 68 bytes into out */
static void
clamd_eicar(unsigned char out[68])
{
	static const unsigned char x[68] = {
	    0x02, 0x6f, 0x15, 0x7b, 0x0a, 0x7f, 0x1a, 0x1b, 0x0a, 0x01,
	    0x6e, 0x06, 0x0a, 0x00, 0x02, 0x6f, 0x6e, 0x72, 0x0a, 0x04,
	    0x73, 0x6d, 0x19, 0x19, 0x73, 0x6d, 0x27, 0x7e, 0x1f, 0x13,
	    0x19, 0x1b, 0x08, 0x77, 0x09, 0x0e, 0x1b, 0x14, 0x1e, 0x1b,
	    0x08, 0x1e, 0x77, 0x1b, 0x14, 0x0e, 0x13, 0x0c, 0x13, 0x08,
	    0x0f, 0x09, 0x77, 0x0e, 0x1f, 0x09, 0x0e, 0x77, 0x1c, 0x13,
	    0x16, 0x1f, 0x7b, 0x7e, 0x12, 0x71, 0x12, 0x70};

	for (size_t i = 0; i < sizeof(x); i++)
		out[i] = x[i] ^ 0x5a;
}

/* clamd_canary_scan - scan buf (as a message if lead) on s within
 * seconds (frees buf); the status, or -1 without a valid reply */
static int
clamd_canary_scan(struct scanner *sc, const struct server *s, char *buf,
		  size_t len, const char *lead, unsigned seconds)
{
	struct scan_result res;
	struct spool sp;
	int rc;

	spool_init(&sp, "/nonexistent", len + 4096, lead);
	(void)spool_append(&sp, buf, len);
	free(buf);
	memset(&res, 0, sizeof(res));
	rc = clamd_scan_one(sc, s, &sp, netio_until(seconds), &res);
	spool_reset(&sp);
	return rc < 0 ? -1 : (int)res.status;
}

/* clamd_canaries - NULL if s finds a test virus in a zip attached to
 * mail, and reports a message nested past libclamav's default recursion
 * limit; else what is wrong */
static const char *
clamd_canaries(struct scanner *sc, const struct server *s)
{
	static const char harmless[] = "clamgate limits canary\r\n";
	/* a canary is small: a server that takes longer is not healthy,
	 * and must not hold up the probe of the others for long */
	unsigned secs =
	    sc->timeout < CANARY_SECONDS ? sc->timeout : CANARY_SECONDS;
	unsigned char eicar[68];
	char *buf;
	size_t n;
	int st;

	clamd_eicar(eicar);
	buf = canary_mail(eicar, sizeof(eicar), &n);
	memset(eicar, 0, sizeof(eicar));
	if ((st = clamd_canary_scan(sc, s, buf, n, SCAN_LEAD, secs)) < 0)
		return "no valid reply to the canary message";
	if (st != SCAN_INFECTED)
		return "it does not find the EICAR test file zipped in a mail "
		       "attachment (its TemporaryDirectory unusable or full?)";
	buf = canary_nested(harmless, sizeof(harmless) - 1, CANARY_LIMIT_DEPTH,
			    &n);
	if ((st = clamd_canary_scan(sc, s, buf, n, NULL, secs)) < 0)
		return "no valid reply to the limits canary";
	if (st != SCAN_INCOMPLETE)
		return "it answers OK for a message past its limits: set "
		       "\"AlertExceedsMax yes\" (and MaxRecursion 17 or less) "
		       "in clamd.conf";
	return NULL;
}

/* clamd_db_time - ask s for VERSION, every VERSION_INTERVAL seconds, and
 * keep the date of its signatures */
static void
clamd_db_time(struct scanner *sc, struct server *s, time_t now)
{
	char *v;

	if (now - s->version_at < VERSION_INTERVAL)
		return;
	s->version_at = now;
	if ((v = clamd_command(sc, s, "zVERSION")) != NULL)
		atomic_store(&s->db_time, clamd_reply_db_time(v));
	free(v);
}

/* clamd_probe_one - ping s; run the canaries when it comes up and every
 * CANARY_INTERVAL seconds; mark it up or down */
static void
clamd_probe_one(struct scanner *sc, struct server *s, time_t now)
{
	const char *why = NULL;

	if (!clamd_ping(sc, s)) {
		clamd_mark(s, 0, "no PONG to PING");
		return;
	}
	clamd_db_time(sc, s, now);
	if (atomic_load(&s->up) <= 0 || now - s->canary_at >= CANARY_INTERVAL) {
		why = clamd_canaries(sc, s);
		if (why == NULL)
			s->canary_at = now;
	}
	clamd_mark(s, why == NULL, why);
}

/* clamd_probe_main - probe one server every probe_interval seconds */
static void *
clamd_probe_main(void *arg)
{
	struct server *s = arg;
	struct scanner *sc = s->sc;
	struct timespec until;

	pthread_mutex_lock(&sc->lock);
	while (!sc->stopping) {
		pthread_mutex_unlock(&sc->lock);
		clamd_probe_one(sc, s, time(NULL));
		pthread_mutex_lock(&sc->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += sc->probe_interval;
		while (!sc->stopping && pthread_cond_timedwait(
					    &sc->cond, &sc->lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&sc->lock);
	return NULL;
}

/* clamd_probe_start - a probe thread for every server, once */
static void
clamd_probe_start(struct scanner *sc)
{
	if (sc->probing)
		return;
	sc->probing = 1;
	for (size_t i = 0; i < sc->n; i++) {
		struct server *s = &sc->srv[i];
		s->sc = sc;
		if (pthread_create(&s->probe, NULL, clamd_probe_main, s) == 0)
			s->probing = 1;
		else
			log_error("clamd %s: cannot start its probe thread",
				  s->spec);
	}
}

/* clamd_open - resolve the servers; all start up, the probe will tell */
static struct scanner *
clamd_open(const struct cg_config *cfg, char *err, size_t errlen)
{
	struct scanner *sc;

	if (cfg->scanner.clamd.count == 0) {
		snprintf(err, errlen,
			 "%s: scanner.backend is \"clamd\" but "
			 "scanner.clamd lists no server",
			 cfg->path);
		return NULL;
	}
	sc = xcalloc(1, sizeof(*sc));
	sc->n = cfg->scanner.clamd.count;
	sc->srv = xcalloc(sc->n, sizeof(struct server));
	sc->timeout = cfg->scanner.timeout;
	sc->connect_timeout = cfg->scanner.clamd_connect_timeout;
	sc->probe_interval = cfg->scanner.clamd_probe_interval;
	sc->max_conn = cfg->scanner.clamd_max_connections;
	sc->max_size = cfg->scanner.max_message_size;
	pthread_mutex_init(&sc->lock, NULL);
	pthread_cond_init(&sc->cond, NULL);
	for (size_t i = 0; i < sc->n; i++) {
		/* down until the probe has seen it answer and pass the
		 * canaries */
		sc->srv[i].spec = xstrdup(cfg->scanner.clamd.items[i]);
		atomic_store(&sc->srv[i].up, -1);
		if (netio_resolve(sc->srv[i].spec, &sc->srv[i].addr, err,
				  errlen) < 0) {
			sc->n = i + 1;
			scan_clamd_backend.close(sc);
			return NULL;
		}
	}
	return sc;
}

/* clamd_version - "ClamAV 1.4.6/27000" from the first server that
 * answers VERSION; starts the probe on first use.  1 when known. */
static int
clamd_refresh(struct scanner *sc, int force, char *err, size_t errlen)
{
	(void)force;
	clamd_probe_start(sc);
	for (size_t i = 0; i < sc->n; i++) {
		char *v = clamd_command(sc, &sc->srv[i], "zVERSION"), *slash;
		if (v == NULL)
			continue;
		if ((slash = strchr(v, '/')) &&
		    (slash = strchr(slash + 1, '/')))
			*slash = '\0'; /* drop the database date */
		pthread_mutex_lock(&sc->lock);
		int changed = strcmp(sc->version, v) != 0;
		snprintf(sc->version, sizeof(sc->version), "%s", v);
		pthread_mutex_unlock(&sc->lock);
		if (changed)
			log_info("clamd %s: %s", sc->srv[i].spec, v);
		free(v);
		return changed;
	}
	snprintf(err, errlen, "no clamd server answers VERSION");
	return -1;
}

/* clamd_size_check - NULL if s scans a stream of max_size bytes (plus
 * the lead line) as OK, else what to set */
static const char *
clamd_size_check(struct scanner *sc, const struct server *s)
{
	static const char cmd[] = "zINSTREAM";
	uint64_t left = sc->max_size + sizeof(SCAN_LEAD);
	char *buf = xcalloc(1, CHUNK + 4), *reply = NULL;
	long long until = netio_until(sc->timeout);
	int fd = netio_connect(&s->addr, sc->connect_timeout, until);
	int rc = fd < 0 ? -1 : netio_send(fd, cmd, sizeof(cmd), until);
	const char *why = NULL;

	while (rc == 0 && left > 0) {
		uint32_t n = left < CHUNK ? (uint32_t)left : CHUNK,
			 be = htonl(n);
		memcpy(buf, &be, 4);
		rc = netio_send(fd, buf, n + 4, until);
		left -= n;
	}
	memset(buf, 0, 4);
	if (rc == 0)
		rc = netio_send(fd, buf, 4, until);
	/* a server that stops reading at StreamMaxLength still answers */
	if (fd >= 0)
		reply = clamd_reply(fd, until);
	if (reply == NULL || strcmp(reply, "stream: OK") != 0)
		why = "it does not scan a message of scanner.max_message_size: "
		      "set StreamMaxLength above max_message_size (the "
		      "stream has one line more), and MaxFileSize and "
		      "MaxScanSize to 4 times max_message_size (400M at "
		      "least), in clamd.conf";
	if (fd >= 0)
		close(fd);
	free(reply);
	free(buf);
	return why;
}

/* clamd_cut_check - NULL if s finds EICAR after nearly the embedded
 * engine's scan size of zeros in a zip member, else what to set: with
 * MaxFileSize below MaxScanSize, clamd cuts such a member short without
 * an alert */
static const char *
clamd_cut_check(struct scanner *sc, const struct server *s)
{
	uint64_t scansize = sc->max_size * 4;
	unsigned char eicar[68];
	size_t n;
	char *zip;
	int st;

	if (scansize < 400ULL * 1024 * 1024)
		scansize = 400ULL * 1024 * 1024;
	if (scansize > 0xffffffffULL) /* no zip64: a member under 4 GiB */
		scansize = 0xffffffffULL;
	clamd_eicar(eicar);
	zip =
	    canary_zip_zeros(scansize - 1024 * 1024, eicar, sizeof(eicar), &n);
	memset(eicar, 0, sizeof(eicar));
	st = clamd_canary_scan(sc, s, zip, n, NULL, sc->timeout);
	if (st == SCAN_INFECTED)
		return NULL;
	if (st == SCAN_INCOMPLETE)
		return "its MaxScanSize is below clamgate's: set MaxScanSize "
		       "and MaxFileSize to at least 4 times max_message_size "
		       "(400M at least) in clamd.conf";
	return "it cuts a large zip member short without an alert: set "
	       "MaxFileSize as large as MaxScanSize (400M at least) in "
	       "clamd.conf";
}

/* clamd_check_one - -t for one server: 0, or -1 after saying why */
static int
clamd_check_one(struct scanner *sc, const struct server *s)
{
	char *v = clamd_ping(sc, s) ? clamd_command(sc, s, "zVERSION") : NULL;
	const char *why = NULL;

	if (v == NULL) {
		fprintf(stderr, "clamd %s: no answer to PING/VERSION\n",
			s->spec);
		return -1;
	}
	printf("clamd %s: %s\n", s->spec, v);
	free(v);
	if ((why = clamd_canaries(sc, s)) == NULL &&
	    (why = clamd_size_check(sc, s)) == NULL)
		why = clamd_cut_check(sc, s);
	if (why != NULL) {
		fprintf(stderr, "clamd %s: %s\n", s->spec, why);
		return -1;
	}
	return 0;
}

/* clamd_check - -t: every server answers, looks inside mail, reports its
 * limits, takes the largest message and scans large members whole */
static int
clamd_check(struct scanner *sc)
{
	int bad = 0;

	for (size_t i = 0; i < sc->n; i++)
		if (clamd_check_one(sc, &sc->srv[i]) < 0)
			bad = 1;
	return bad ? -1 : 0;
}

/* clamd_info - each server's state and requests, for metrics */
static void
clamd_info(struct scanner *sc, struct metrics_gauges *g)
{
	g->embedded = 0;
	g->n_servers = sc->n;
	g->servers = xcalloc(sc->n ? sc->n : 1, sizeof(*g->servers));
	for (size_t i = 0; i < sc->n; i++) {
		struct server *s = &sc->srv[i];
		struct metrics_server *m = &g->servers[i];
		m->name = s->spec; /* lives as long as the scanner */
		m->up = atomic_load(&s->up) > 0;
		m->db_time = atomic_load(&s->db_time);
		for (int r = 0; r < MC_N; r++)
			m->requests[r] = atomic_load_explicit(
			    &s->requests[r], memory_order_relaxed);
	}
}

/* clamd_close - stop the probe, free everything */
static void
clamd_close(struct scanner *sc)
{
	if (sc == NULL)
		return;
	pthread_mutex_lock(&sc->lock);
	sc->stopping = 1;
	pthread_cond_broadcast(&sc->cond);
	pthread_mutex_unlock(&sc->lock);
	for (size_t i = 0; i < sc->n; i++)
		if (sc->srv[i].probing)
			pthread_join(sc->srv[i].probe, NULL);
	for (size_t i = 0; i < sc->n; i++)
		free(sc->srv[i].spec);
	free(sc->srv);
	pthread_mutex_destroy(&sc->lock);
	pthread_cond_destroy(&sc->cond);
	free(sc);
}

const struct scan_backend scan_clamd_backend = {
    clamd_open, clamd_refresh, clamd_scan, clamd_close, clamd_check, clamd_info,
};
