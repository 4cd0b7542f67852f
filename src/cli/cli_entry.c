/*
 * NAME
 *	cli_entry - clamgate-quarantine show, export, release, delete, purge
 * DESCRIPTION
 *	show prints the envelope, the verdict and the original headers,
 *	never the body.  export writes the original message byte for byte.
 *	release hands the original to the local MTA's sendmail program with
 *	an argument vector (no shell): "-i -f SENDER -- RECIPIENT...", the
 *	original envelope sender and the original recipients (or --to), and
 *	an X-Clamgate-Release token so the daemon lets it pass; it never
 *	mails the sender.  delete and purge remove entries silently.
 *	Every change is logged to syslog.
 * DIAGNOSTICS
 *	Exit 1 when an entry is not found or an action fails, 2 for usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clamgate/audit.h"
#include "clamgate/headers.h"
#include "clamgate/cli.h"
#include "clamgate/log.h"
#include "clamgate/mime.h"
#include "clamgate/sendmail.h"
#include "clamgate/strconv.h"
#include "clamgate/token.h"
#include "clamgate/xmalloc.h"

/* cli_show - envelope, verdict, headers */
int
cli_show(struct cli *c, int argc, char **argv)
{
	struct quarantine_entry e;
	char when[32], *subject, *decoded;

	if (argc != 2)
		return cli_usage(c);
	if (cli_open(c, argv[1], &e, QUARANTINE_READ_HEADERS) < 0)
		return CLI_NOT_FOUND;
	cli_time(e.time, when, sizeof(when));
	decoded = mime_decode_header(e.subject);
	subject = cli_text(decoded, 0);
	free(decoded);
	/* every field is the sender's or the scanner's text: no control
	 * characters (terminal escapes) reach the administrator's terminal */
	cli_text_entry(&e);
	printf("Id:         %s\n%s%s\nTime:       %s (%lld)\n", e.id,
	       strcmp(qstore_backend(c->qs), "dir") == 0 ? "File:       "
							 : "Store:      ",
	       e.path, when, (long long)e.time);
	printf("Host:       %s\n", e.host ? e.host : "-");
	printf("Virus:      %s\nAction:     %s\nEngine:     %s\n",
	       e.virus ? e.virus : "-", e.action ? e.action : "-",
	       e.engine ? e.engine : "-");
	printf("Sender:     <%s> (as claimed; possibly forged)\n",
	       e.sender ? e.sender : "");
	for (size_t i = 0; i < e.n_rcpts; i++)
		printf("Recipient:  <%s>\n", e.rcpts[i]);
	printf("Client:     %s [%s]\nHelo:       %s\nQueue id:   %s\n",
	       e.client_name ? e.client_name : "-",
	       e.client_addr ? e.client_addr : "-", e.helo ? e.helo : "-",
	       e.queue_id ? e.queue_id : "-");
	printf("Size:       %llu\nSubject:    %s\n", e.size, subject);
	if (e.gate)
		printf("Gate:       %s\n", e.gate);
	if (e.released)
		printf("Released:   %s\n", e.released);
	printf("\n%s", e.headers ? e.headers : "");
	free(subject);
	quarantine_entry_free(&e);
	return CLI_OK;
}

/* export_error - why FILE could not be created, and what to do */
static void
export_error(const char *file, int err)
{
	struct passwd *pw = getpwuid(geteuid());

	if (err == EEXIST)
		cli_error("cannot create %s: it exists (--force replaces it)",
			  file);
	else if (err == ELOOP)
		cli_error("cannot create %s: it is a symbolic link, which is "
			  "never followed",
			  file);
	else if (err == EACCES && geteuid() != 0)
		cli_error("cannot create %s: %s (clamgate-quarantine writes as "
			  "%s, the store's owner: choose a directory %s may "
			  "write to, or redirect standard output)",
			  file, strerror(err), pw ? pw->pw_name : "that user",
			  pw ? pw->pw_name : "it");
	else
		cli_error("cannot create %s: %s", file, strerror(err));
}

/* export_target - the descriptor to write to, or -1 */
static int
export_target(const char *file, int force)
{
	int fd;

	if (file == NULL) {
		if (isatty(STDOUT_FILENO) && !force) {
			cli_error(
			    "refusing to write a quarantined message to a "
			    "terminal; use -o FILE or --force");
			return -1;
		}
		return STDOUT_FILENO;
	}
	/* never through a symbolic link: in a shared directory one could
	 * point anywhere the store's owner (or root) may write */
	fd = open(file,
		  O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
		      (force ? O_TRUNC : O_EXCL),
		  0600);
	if (fd < 0)
		export_error(file, errno);
	return fd;
}

/* cli_export - the original message, exactly as received */
int
cli_export(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {{"force", no_argument, NULL, 'f'},
					     {NULL, 0, NULL, 0}};
	const char *file = NULL;
	struct quarantine_entry e;
	int ch, force = 0, fd, rc = CLI_OK;

	while ((ch = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		if (ch == 'o')
			file = optarg;
		else if (ch == 'f')
			force = 1;
		else
			return cli_usage(c);
	}
	if (optind + 1 != argc)
		return cli_usage(c);
	if (cli_open(c, argv[optind], &e, QUARANTINE_READ_ENVELOPE) < 0)
		return CLI_NOT_FOUND;
	if ((fd = export_target(file, force)) < 0) {
		quarantine_entry_free(&e);
		return file ? CLI_NOT_FOUND : CLI_USAGE;
	}
	if (qstore_copy_original(c->qs, &e, fd) < 0) {
		cli_error("cannot export %s: %s", e.id, qstore_error());
		rc = CLI_NOT_FOUND;
	} else if (fd != STDOUT_FILENO && close(fd) < 0) {
		cli_error("cannot export %s: %s", e.id, strerror(errno));
		rc = CLI_NOT_FOUND;
	}
	quarantine_entry_free(&e);
	return rc;
}

struct release_feed_arg {
	struct qstore *qs;
	const struct quarantine_entry *e;
	char token[TOKEN_VALUE_MAX];
};

/* release_feed - the token header, then the original, into fd */
static int
release_feed(int fd, void *arg)
{
	const struct release_feed_arg *a = arg;

	if (dprintf(fd, "%s: %s\r\n", HDR_RELEASE, a->token) < 0 ||
	    qstore_copy_original(a->qs, a->e, fd) < 0)
		return -1;
	return 0;
}

/* release_canon_add - each_original callback: the token's digest */
static int
release_canon_add(const void *data, size_t len, void *arg)
{
	token_canon_add(arg, data, len);
	return 0;
}

/* release_token - the token for entry e: bound to its content, good for
 * TOKEN_TTL seconds and one use; 0 or -1 after saying why */
static int
release_token(struct cli *c, const struct quarantine_entry *e, char *out,
	      size_t outlen)
{
	struct token_canon canon;
	struct token_key key;
	int rc = -1;

	if (token_key_load(c->dir, 1, &key) < 0) {
		cli_error("cannot read or create %s/.release-key: %s", c->dir,
			  strerror(errno));
		return -1;
	}
	token_canon_init(&canon);
	if (qstore_each_original(c->qs, e, release_canon_add, &canon) < 0)
		cli_error("%s", qstore_error());
	else
		rc = token_make(&key, e->id, c->now + TOKEN_TTL, &canon, out,
				outlen);
	token_canon_free(&canon);
	memset(&key, 0, sizeof(key));
	return rc;
}

/* release_send - run sendmail for the recipients; 0 on success */
static int
release_send(struct cli *c, const struct quarantine_entry *e,
	     char *const *rcpts, size_t n)
{
	struct release_feed_arg a = {c->qs, e, ""};
	char err[512];

	/* the token first: nothing is submitted if it cannot be made */
	if (release_token(c, e, a.token, sizeof(a.token)) < 0)
		return -1;
	if (sendmail_submit(c->cfg->quarantine.sendmail, e->sender, rcpts, n,
			    release_feed, &a, err, sizeof(err)) == 0)
		return 0;
	cli_error("%s; the entry stays in quarantine", err);
	return -1;
}

/* release_done - record who released it, keep the entry marked
 * released or remove it; 0, or -1 if the record or the entry could not
 * be written (the message is on its way either way) */
static int
release_done(struct cli *c, const struct quarantine_entry *e,
	     char *const *rcpts, size_t n, int remove)
{
	char note[1600 + AUDIT_WHO_MAX], to[1024], when[32], who[AUDIT_WHO_MAX];
	size_t len = (size_t)snprintf(to, sizeof(to), "to=");
	int rc = 0;
	char *shown;

	for (size_t i = 0; i < n && len < sizeof(to); i++)
		len += (size_t)snprintf(to + len, sizeof(to) - len, "%s<%s>",
					i ? "," : "", rcpts[i]);
	cli_time(c->now, when, sizeof(when));
	audit_who(who);
	snprintf(note, sizeof(note), "%s by %s %s", when, who, to);
	shown = cli_text(to + 3, 0); /* the sender's text */
	printf("%s: released to %s\n", e->id, shown);
	free(shown);
	if (qstore_audit(c->qs, c->now, remove ? "release+remove" : "release",
			 e->id, to) < 0) {
		cli_error("%s: released, but cannot record it: %s; the entry "
			  "is kept, marked released",
			  e->id, qstore_error());
		remove = 0; /* the Released field is then the only record */
		rc = -1;
	}
	log_info("%s: released from=<%s> %s by %s%s", e->id,
		 e->sender ? e->sender : "", to, who,
		 remove ? ", entry removed" : "");
	if (remove ? qstore_remove(c->qs, e->id)
		   : qstore_mark_released(c->qs, e, note)) {
		cli_error("%s: released, but cannot %s the entry: %s", e->id,
			  remove ? "remove" : "mark", qstore_error());
		rc = -1;
	}
	return rc;
}

/* cli_release - re-inject to the original (or given) recipients */
int
cli_release(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"to", required_argument, NULL, 't'},
	    {"remove", no_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0}};
	char **to = xcalloc((size_t)argc, sizeof(char *));
	struct quarantine_entry e;
	int ch, remove = 0, rc = CLI_NOT_FOUND;
	size_t n_to = 0;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 't' && *optarg && !strpbrk(optarg, "\r\n<> ")) {
			to[n_to++] = optarg;
		} else if (ch == 'r') {
			remove = 1;
		} else {
			free(to);
			if (ch != 't')
				return cli_usage(c);
			cli_error("bad address \"%s\"", optarg);
			return CLI_USAGE;
		}
	}
	if (optind + 1 != argc) {
		free(to);
		return cli_usage(c);
	}
	if (cli_open(c, argv[optind], &e, QUARANTINE_READ_ENVELOPE) == 0) {
		char *const *rcpts = n_to ? to : e.rcpts;
		size_t n = n_to ? n_to : e.n_rcpts;
		if (n == 0)
			cli_error("%s has no recipients; use --to", e.id);
		else if (release_send(c, &e, rcpts, n) == 0)
			rc = release_done(c, &e, rcpts, n, remove) == 0
				 ? CLI_OK
				 : CLI_NOT_FOUND;
		quarantine_entry_free(&e);
	}
	free(to);
	return rc;
}

/* cli_delete - remove entries */
int
cli_delete(struct cli *c, int argc, char **argv)
{
	char id[QUARANTINE_ID_MAX];
	int rc = CLI_OK;

	if (argc < 2)
		return cli_usage(c);
	for (int i = 1; i < argc; i++) {
		if (cli_resolve(c, argv[i], id) < 0) {
			rc = CLI_NOT_FOUND;
		} else if (qstore_audit(c->qs, c->now, "delete", id, NULL) <
			   0) {
			/* no record, no delete */
			cli_error("cannot record the delete of %s: %s; nothing "
				  "deleted",
				  id, qstore_error());
			rc = CLI_NOT_FOUND;
		} else if (qstore_remove(c->qs, id) < 0) {
			cli_error("cannot delete %s: %s", id, qstore_error());
			(void)qstore_audit(c->qs, c->now, "delete-failed", id,
					   NULL);
			rc = CLI_NOT_FOUND;
		} else {
			char who[AUDIT_WHO_MAX];
			audit_who(who);
			log_info("%s: deleted by %s", id, who);
			printf("%s: deleted\n", id);
		}
	}
	return rc;
}

struct purge_arg {
	struct cli *c;
	int dry;
	int failed; /* an entry kept: its record could not be written */
};

/* purge_each - record an entry before it is purged (no record, no
 * purge), report it after */
static int
purge_each(const char *id, int removed, void *arg)
{
	struct purge_arg *a = arg;

	if (a->dry) {
		printf("%s: would be purged\n", id);
		return 0;
	}
	if (removed) {
		printf("%s: purged\n", id);
		return 0;
	}
	if (qstore_audit(a->c->qs, a->c->now, "purge", id, NULL) == 0)
		return 0;
	cli_error("cannot record the purge of %s: %s; kept", id,
		  qstore_error());
	a->failed = 1;
	return -1;
}

/* cli_purge - remove entries older than a duration */
int
cli_purge(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"older-than", required_argument, NULL, 'o'},
	    {"dry-run", no_argument, NULL, 'n'},
	    {NULL, 0, NULL, 0}};
	struct purge_arg a = {c, 0, 0};
	unsigned long age = 0;
	int ch, have = 0;
	long n;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'o' && strconv_duration(optarg, &age) == 0)
			have = 1;
		else if (ch == 'n')
			a.dry = 1;
		else
			return cli_usage(c);
	}
	if (!have || optind != argc)
		return cli_usage(c);
	n = qstore_expire(c->qs, c->now - (time_t)age, a.dry, purge_each, &a);
	if (n < 0) {
		cli_error("%s", qstore_error());
		return CLI_NOT_FOUND;
	}
	if (!a.dry && n > 0)
		log_info("purged %ld entries older than %s", n,
			 argv[optind - 1]);
	printf("%ld entries %s\n", n, a.dry ? "would be purged" : "purged");
	return a.failed ? CLI_NOT_FOUND : CLI_OK;
}
