/* test_autoclass.c - the outbound gate's classifier on the shipped
 * catalogues: both sides of every trap, and catalogue errors */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clamgate/autoclass.h"
#include "clamgate/mime.h"
#include "clamgate/xmalloc.h"
#include "suites.h"

#define MARKERS	    TOP "/etc/outbound-markers"
#define SUBJECTS    TOP "/etc/outbound-subjects"
#define IN_MARKERS  "catalogue=" MARKERS ":"
#define IN_SUBJECTS "catalogue=" SUBJECTS ":"

/* the envelope sender of a row that is a null sender, and one unknown */
#define NULLS "<>"
#define USER  "alice@example.org"

static struct autoclass_catalogue shipped;

static const struct {
	const char *name;
	const char *sender; /* NULL: unknown */
	const char *headers;
	int recent;
	enum autoclass_kind kind;
	int needs_recent;
	const char *reason; /* how it starts; NULL: not checked */
} cases[] = {
    /* reports */
    {"postfix bounce", "",
     "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n"
     "Subject: Undelivered Mail Returned to Sender\n"
     "Auto-Submitted: auto-replied\n"
     "MIME-Version: 1.0\n"
     "Content-Type: multipart/report; report-type=delivery-status;\n"
     "\tboundary=\"4F1C2A/mx.example.org\"\n",
     -1, AUTOCLASS_DSN, 0, "report-type=delivery-status"},
    {"dsn, sender not null", USER,
     "Subject: Delivery Status Notification (Failure)\n"
     "Content-Type: multipart/report; report-type=delivery-status; "
     "boundary=b\n",
     1, AUTOCLASS_DSN, 0, "report-type=delivery-status"},
    {"mdn", USER,
     "Subject: Read: budget\n"
     "Content-Type: multipart/report; "
     "report-type=disposition-notification; boundary=\"mdn-1\"\n",
     -1, AUTOCLASS_DSN, 0, "report-type=disposition-notification"},
    {"report, quoted with comments", USER,
     "Content-Type: multipart/report (a report) ; (type:)\n"
     " report-type = \"disposition-notification\" (read); boundary=x\n",
     -1, AUTOCLASS_DSN, 0, "report-type=disposition-notification"},
    {"report, odd case, boundary first", NULLS,
     "Content-Type: Multipart/REPORT; Boundary=\"a;b\"; "
     "Report-Type=\"Delivery-Status\"\n",
     -1, AUTOCLASS_DSN, 0, "report-type=delivery-status"},
    {"report-type=other, automatic", USER,
     "Auto-Submitted: auto-generated\n"
     "Content-Type: multipart/report; report-type=other; boundary=x\n",
     -1, AUTOCLASS_OTHER_AUTO, 1, "auto-submitted=auto-generated"},
    {"report-type=other, null sender", "",
     "Content-Type: multipart/report; report-type=other; boundary=x\n", -1,
     AUTOCLASS_AUTOREPLY, 0, "null-sender"},
    {"report in the second Content-Type only", USER,
     "Content-Type: text/plain\n"
     "Content-Type: multipart/report; report-type=delivery-status\n",
     -1, AUTOCLASS_HUMAN, 0, "none"},
    {"report-type in a quoted string of another parameter", USER,
     "Content-Type: multipart/report; boundary=\"; "
     "report-type=delivery-status\"\n",
     -1, AUTOCLASS_HUMAN, 0, "none"},
    {"multipart/mixed with report-type", USER,
     "Content-Type: multipart/mixed; report-type=delivery-status\n", -1,
     AUTOCLASS_HUMAN, 0, "none"},

    /* automatic replies */
    {"pigeonhole vacation", "",
     "Subject: Auto: lunch on friday\n"
     "In-Reply-To: <a1@example.net>\n"
     "References: <a1@example.net>\n"
     "Auto-Submitted: auto-replied (vacation)\n"
     "Precedence: bulk\n",
     -1, AUTOCLASS_AUTOREPLY, 0, "auto-submitted=auto-replied"},
    {"debian vacation, sample .vacation.msg", USER,
     "From: alice@example.org (Alice)\n"
     "Subject: I am on vacation\n"
     "Delivered-By-The-Graces-Of: The Vacation program\n"
     "Precedence: bulk\n",
     -1, AUTOCLASS_AUTOREPLY, 0, IN_MARKERS},
    {"debian vacation, recent", USER,
     "Subject: I am on vacation\nPrecedence: bulk\n", 1, AUTOCLASS_AUTOREPLY, 0,
     "precedence=bulk+recent"},
    {"debian vacation, not recent", USER,
     "Subject: I am on vacation\nPrecedence: bulk\n", 0, AUTOCLASS_OTHER_AUTO,
     0, "precedence=bulk"},
    {"debian vacation, recent unknown", USER,
     "Subject: I am on vacation\nPrecedence: bulk\n", -1, AUTOCLASS_OTHER_AUTO,
     1, "precedence=bulk"},
    {"exchange oof", USER,
     "Subject: Automatic reply: budget meeting\n"
     "Auto-Submitted: auto-generated\n"
     "X-Auto-Response-Suppress: All\n",
     -1, AUTOCLASS_AUTOREPLY, 0, IN_SUBJECTS},
    {"exchange oof, encoded subject", USER,
     "Subject: =?utf-8?B?QXV0b21hdGljIHJlcGx5OiBHcsO8w59l?=\n"
     "Auto-Submitted: auto-generated\n",
     0, AUTOCLASS_AUTOREPLY, 0, IN_SUBJECTS},
    {"exchange oof, french, latin-1 encoded", USER,
     "Subject: =?iso-8859-1?Q?R=E9ponse_automatique=A0:_r=E9union?=\n"
     "Auto-Submitted: auto-generated\n",
     0, AUTOCLASS_AUTOREPLY, 0, IN_SUBJECTS},
    {"exchange oof, german", USER, "Subject: Automatische Antwort: Termin\n",
     -1, AUTOCLASS_AUTOREPLY, 0, IN_SUBJECTS},
    {"outlook oof, old german", USER, "Subject: Abwesenheitsnotiz: Termin\n",
     -1, AUTOCLASS_AUTOREPLY, 0, IN_SUBJECTS},
    {"old exchange oof", USER, "Subject: Out of Office AutoReply: hello\n", -1,
     AUTOCLASS_AUTOREPLY, 0, IN_SUBJECTS},
    {"lotus notes oof", USER,
     "Subject: AUTO: Jane Doe is out of the office (returning "
     "07/01/2024)\n",
     -1, AUTOCLASS_AUTOREPLY, 0, IN_SUBJECTS},
    {"generic autoreply subject", USER, "Subject: Autoreply: your mail\n", -1,
     AUTOCLASS_AUTOREPLY, 0, IN_SUBJECTS},
    {"x-autoreply yes", USER, "X-Autoreply: yes\nSubject: thanks\n", -1,
     AUTOCLASS_AUTOREPLY, 0, "x-autoreply"},
    {"x-autorespond empty", USER, "X-Autorespond:\nSubject: thanks\n", -1,
     AUTOCLASS_AUTOREPLY, 0, "x-autorespond"},
    {"x-autoreply no", USER, "X-Autoreply: No\nSubject: thanks\n", -1,
     AUTOCLASS_HUMAN, 0, "none"},
    {"precedence auto_reply", USER, "Precedence: AUTO_REPLY\n", -1,
     AUTOCLASS_AUTOREPLY, 0, "precedence=auto_reply"},
    {"null sender", NULLS, "Subject: hello\n", -1, AUTOCLASS_AUTOREPLY, 0,
     "null-sender"},
    {"auto-submitted odd case and comments", USER,
     "Auto-Submitted: (by a rule) Auto-Replied (vacation); owner=x\n", -1,
     AUTOCLASS_AUTOREPLY, 0, "auto-submitted=auto-replied"},
    {"auto-submitted, second field", USER,
     "Auto-Submitted: no\nAuto-Submitted: auto-replied\n", -1,
     AUTOCLASS_AUTOREPLY, 0, "auto-submitted=auto-replied"},
    {"automatic with in-reply-to", USER,
     "Auto-Submitted: AUTO-GENERATED (monitor)\n"
     "In-Reply-To: <q@example.net>\n",
     -1, AUTOCLASS_AUTOREPLY, 0, "auto-submitted=auto-generated+in-reply-to"},
    {"automatic with references", USER,
     "Precedence: junk\nReferences: <q@example.net>\n", 0, AUTOCLASS_AUTOREPLY,
     0, "precedence=junk+references"},
    {"automatic with an empty in-reply-to", USER,
     "Auto-Submitted: auto-notified\nIn-Reply-To:\n", 0, AUTOCLASS_OTHER_AUTO,
     0, "auto-submitted=auto-notified"},

    /* lists and mail that answers nobody */
    {"newsletter", "news-bounces@shop.example",
     "Subject: Spring sale\nPrecedence: bulk\n"
     "List-Unsubscribe: <mailto:unsub@shop.example>\n",
     -1, AUTOCLASS_LIST, 0, "list-unsubscribe"},
    {"newsletter without list fields", "news@shop.example",
     "Subject: Spring sale\nPrecedence: bulk\n", -1, AUTOCLASS_OTHER_AUTO, 1,
     "precedence=bulk"},
    {"list post, precedence list", "users-bounces@lists.example.org",
     "Subject: Re: [users] build fails\nPrecedence: list\n"
     "In-Reply-To: <x@example.net>\n",
     -1, AUTOCLASS_LIST, 0, "precedence=list"},
    {"list post, list-id and bulk", "users-bounces@lists.example.org",
     "Subject: Re: [users] build fails\nList-Id: Users <users.example.org>\n"
     "Precedence: bulk\nIn-Reply-To: <x@example.net>\n",
     1, AUTOCLASS_LIST, 0, "list-id"},
    {"list post, auto-generated", "users-bounces@lists.example.org",
     "Auto-Submitted: auto-generated\nList-Post: <mailto:u@example.org>\n", -1,
     AUTOCLASS_LIST, 0, "list-post"},
    {"list manager's notice: held for moderation",
     "users-bounces@lists.example.org",
     "Subject: Your message to Users awaits moderator approval\n"
     "List-Id: Users <users.example.org>\nPrecedence: bulk\n"
     "X-List-Administrivia: yes\n",
     -1, AUTOCLASS_AUTOREPLY, 0, IN_MARKERS},
    {"vacation reply posted to a list", "users-bounces@lists.example.org",
     "Subject: Re: [users] build fails\nList-Id: <users.example.org>\n"
     "Auto-Submitted: auto-replied\n",
     -1, AUTOCLASS_AUTOREPLY, 0, "auto-submitted=auto-replied"},
    {"cron", "root@host.example.org",
     "From: root@host.example.org (Cron Daemon)\n"
     "Subject: Cron <root@host> run-parts /etc/cron.daily\n"
     "Auto-Submitted: auto-generated\n",
     -1, AUTOCLASS_OTHER_AUTO, 1, "auto-submitted=auto-generated"},
    {"cron, not recent", "root@host.example.org",
     "Subject: Cron <root@host> backup\nAuto-Submitted: auto-generated\n", 0,
     AUTOCLASS_OTHER_AUTO, 0, "auto-submitted=auto-generated"},
    {"password reset, marked", "noreply@app.example.org",
     "Subject: Reset your password\nAuto-Submitted: auto-generated\n", -1,
     AUTOCLASS_OTHER_AUTO, 1, "auto-submitted=auto-generated"},
    {"password reset, unmarked", "noreply@app.example.org",
     "Subject: Reset your password\n", -1, AUTOCLASS_HUMAN, 0, "none"},

    /* challenge/response systems */
    {"tmda message-id", USER,
     "Message-ID: <1700000000.12345.alice-tmda-confirm>\n"
     "Subject: Re: hello\n",
     -1, AUTOCLASS_CHALLENGE, 0, IN_MARKERS},
    {"tmda delivery agent", USER, "X-Delivery-Agent: TMDA/1.1.12 (Macallan)\n",
     -1, AUTOCLASS_CHALLENGE, 0, IN_MARKERS},
    {"tmda subject", "", "Subject: Please confirm your message\n", -1,
     AUTOCLASS_CHALLENGE, 0, IN_SUBJECTS},
    {"ask", USER, "X-AskVersion: 2.5.3\n", -1, AUTOCLASS_CHALLENGE, 0,
     IN_MARKERS},
    {"spam arrest", USER, "X-Spamarrest-noauth: 1\n", -1, AUTOCLASS_CHALLENGE,
     0, IN_MARKERS},
    {"boxtrapper", USER, "X-Boxtrapper: a1b2c3\n", -1, AUTOCLASS_CHALLENGE, 0,
     IN_MARKERS},
    {"bluebottle", USER, "X-Bluebottle-Request: sender-verify\n", -1,
     AUTOCLASS_CHALLENGE, 0, IN_MARKERS},
    {"choicemail", USER, "X-ChoiceMail-Registration-Request: yes\n", -1,
     AUTOCLASS_CHALLENGE, 0, IN_MARKERS},
    {"precedence spam", USER, "Precedence: Spam\n", -1, AUTOCLASS_CHALLENGE, 0,
     IN_MARKERS},
    {"qurb", USER, "Subject: offer [Qurb #8123456]\n", -1, AUTOCLASS_CHALLENGE,
     0, IN_SUBJECTS},
    {"a person's reply to a qurb subject", USER,
     "Subject: Re: offer [Qurb #8123456]\n", -1, AUTOCLASS_HUMAN, 0, "none"},
    {"a person's forward, German", USER,
     "Subject: WG: Please confirm your message\n", -1, AUTOCLASS_HUMAN, 0,
     "none"},
    {"a prefix cut at its count (found by fuzz_autoclass)", USER,
     "Subject: Re[\n", -1, AUTOCLASS_HUMAN, 0, "none"},
    {"a counted reply prefix", USER, "Subject: Re[2]: VIRUS IN YOUR MAIL\n", -1,
     AUTOCLASS_HUMAN, 0, "none"},
    {"an encoded reply prefix", USER,
     "Subject: =?UTF-8?Q?Re=3A_Please_confirm_your_message?=\n", -1,
     AUTOCLASS_HUMAN, 0, "none"},
    {"verification subject", USER,
     "Subject: Your email requires verification verify#4711\n", -1,
     AUTOCLASS_CHALLENGE, 0, IN_SUBJECTS},

    /* antivirus notices */
    {"mailscanner marker", USER,
     "Subject: Potentially dangerous email rejected\n"
     "X-Example-MailScanner: generated\n",
     -1, AUTOCLASS_AV_NOTICE, 0, IN_MARKERS},
    {"amavis, old", USER, "Subject: VIRUS IN YOUR MAIL\n", -1,
     AUTOCLASS_AV_NOTICE, 0, IN_SUBJECTS},
    {"amavis", "", "Subject: VIRUS (Eicar-Test-Signature) IN MAIL FROM YOU\n",
     -1, AUTOCLASS_AV_NOTICE, 0, IN_SUBJECTS},
    {"mailscanner", USER, "Subject: Warning: E-mail viruses detected\n", -1,
     AUTOCLASS_AV_NOTICE, 0, IN_SUBJECTS},
    {"norton", USER,
     "Subject: Norton AntiVirus detected and quarantined a virus in a "
     "message you sent.\n",
     -1, AUTOCLASS_AV_NOTICE, 0, IN_SUBJECTS},
    {"antigen", USER, "Subject: Antigen found VIRUS= W32/Netsky\n", -1,
     AUTOCLASS_AV_NOTICE, 0, IN_SUBJECTS},
    {"symantec avf", USER, "Subject: Symantec AVF detected an infected file\n",
     -1, AUTOCLASS_AV_NOTICE, 0, IN_SUBJECTS},
    {"groupshield", USER, "Subject: McAfee GroupShield Alert\n", -1,
     AUTOCLASS_AV_NOTICE, 0, IN_SUBJECTS},
    {"interscan", USER, "Subject: InterScan NT Alert\n", -1,
     AUTOCLASS_AV_NOTICE, 0, IN_SUBJECTS},
    /* generic wordings people write too are not in the catalogue */
    {"human, virus alert", USER,
     "Subject: Virus Alert: phishing campaign this week\n", -1, AUTOCLASS_HUMAN,
     0, "none"},
    {"human, virus found", USER, "Subject: Virus found in message from HR?\n",
     -1, AUTOCLASS_HUMAN, 0, "none"},

    /* people */
    {"human reply", USER,
     "Subject: Re: lunch\nIn-Reply-To: <a1@example.net>\n"
     "References: <a0@example.net> <a1@example.net>\n",
     -1, AUTOCLASS_HUMAN, 0, "none"},
    {"human reply, recent", USER,
     "Subject: Re: lunch\nIn-Reply-To: <a1@example.net>\n", 1, AUTOCLASS_HUMAN,
     0, "none"},
    {"human, subject mentions a virus", USER,
     "Subject: Re: the virus scanner config\n"
     "In-Reply-To: <a1@example.net>\n",
     -1, AUTOCLASS_HUMAN, 0, "none"},
    {"human, replying to an autoreply", USER,
     "Subject: Re: Automatic reply: budget meeting\n", -1, AUTOCLASS_HUMAN, 0,
     "none"},
    {"human, subject starts Auto:", USER, "Subject: Auto: insurance quote\n",
     -1, AUTOCLASS_HUMAN, 0, "none"},
    {"human, out of office announcement", USER,
     "Subject: Out of office on Friday\n", -1, AUTOCLASS_HUMAN, 0, "none"},
    {"human, scanned by mailscanner", USER,
     "Subject: Re: lunch\nX-Example-MailScanner: Found to be clean\n", -1,
     AUTOCLASS_HUMAN, 0, "none"},
    {"auto-submitted no", USER,
     "Auto-Submitted:  No (sent by a person) \n"
     "In-Reply-To: <a1@example.net>\nSubject: Re: lunch\n",
     1, AUTOCLASS_HUMAN, 0, "auto-submitted=no"},
    {"precedence first-class", USER, "Precedence: first-class\n", -1,
     AUTOCLASS_HUMAN, 0, "none"},
    {"sender unknown, no headers", NULL, "", -1, AUTOCLASS_HUMAN, 0, "none"},
};

/* headers_parse - "Name: value\n" text, continuation lines folded in */
static void
headers_parse(struct hdrlist *l, const char *text)
{
	char *copy = xstrdup(text), *line, *next, *name = NULL;
	char value[8192];

	value[0] = '\0';
	for (line = copy; *line; line = next) {
		char *colon;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (*line == ' ' || *line == '\t') {
			strncat(value, "\r\n",
				sizeof(value) - strlen(value) - 1);
			strncat(value, line, sizeof(value) - strlen(value) - 1);
			continue;
		}
		if (name != NULL)
			hdrlist_add(l, name, value);
		colon = strchr(line, ':');
		ck_assert_ptr_nonnull(colon);
		*colon = '\0';
		name = line;
		snprintf(value, sizeof(value), "%s", colon + 1);
	}
	if (name != NULL)
		hdrlist_add(l, name, value);
	free(copy);
}

/* classify - one message against a catalogue */
static void
classify(const struct autoclass_catalogue *cat, const char *sender,
	 const char *headers, int recent, struct autoclass_result *res)
{
	struct hdrlist l = {0};
	struct autoclass_facts facts = {sender, &l, recent};

	headers_parse(&l, headers);
	autoclass_classify(cat, &facts, res);
	hdrlist_clear(&l);
}

/* load_shipped - both catalogues, markers first (fixture) */
static void
load_shipped(void)
{
	char err[512] = "";

	mime_init();
	memset(&shipped, 0, sizeof(shipped));
	if (autoclass_load(&shipped, MARKERS, err, sizeof(err)) < 0 ||
	    autoclass_load(&shipped, SUBJECTS, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
}

/* free_shipped - fixture teardown */
static void
free_shipped(void)
{
	autoclass_free(&shipped);
}

START_TEST(test_cases)
{
	struct autoclass_result res;

	classify(&shipped, cases[_i].sender, cases[_i].headers,
		 cases[_i].recent, &res);
	ck_assert_msg(res.kind == cases[_i].kind, "%s: %s (%s), wanted %s",
		      cases[_i].name, autoclass_kind_name(res.kind), res.reason,
		      autoclass_kind_name(cases[_i].kind));
	ck_assert_msg(res.needs_recent == cases[_i].needs_recent,
		      "%s: needs_recent %d", cases[_i].name, res.needs_recent);
	if (cases[_i].reason != NULL)
		ck_assert_msg(strncmp(res.reason, cases[_i].reason,
				      strlen(cases[_i].reason)) == 0,
			      "%s: reason %s, wanted %s...", cases[_i].name,
			      res.reason, cases[_i].reason);
	ck_assert_msg(strpbrk(res.reason, " \t\r\n") == NULL, "%s: reason %s",
		      cases[_i].name, res.reason);
}
END_TEST

/* the catalogue errors, each with its line */
static const struct {
	const char *text;
	int line;
	const char *what;
} bad[] = {
    {"bogus Subject x*\n", 1, "unknown kind \"bogus\""},
    {"\n# a comment\nhuman Subject Re:*\n", 3, "kind \"human\""},
    {"challenge Subject x\nChallenge Subject y\n", 2, "unknown kind"},
    {"challenge\n", 1, "missing field"},
    {"challenge   \t\n", 1, "missing field"},
    {"av-notice X-Foo\n", 1, "missing pattern"},
    {"av-notice X-Foo  \t \r\n", 1, "missing pattern"},
    {"autoreply Subject: Auto*\n", 1, "not a header field name"},
    {"list List-\x01Id *\n", 1, "not a header field name"},
};

/* a Subject entry alone is weak evidence; with any other automatic
 * signal, or from a marker, it is not */
static const struct {
	const char *sender, *headers;
	int weak;
} weak_cases[] = {
    {USER, "Subject: VIRUS IN YOUR MAIL\n", 1},
    {USER, "Subject: VIRUS IN YOUR MAIL\nAuto-Submitted: auto-generated\n", 0},
    {USER, "Subject: VIRUS IN YOUR MAIL\nPrecedence: junk\n", 0},
    {"", "Subject: VIRUS IN YOUR MAIL\n", 0},
    {USER, "X-Boxtrapper: a1b2c3\n", 0},
    {USER, "Subject: Re: lunch\n", 0},
};

START_TEST(test_weak)
{
	struct autoclass_result res;

	classify(&shipped, weak_cases[_i].sender, weak_cases[_i].headers, -1,
		 &res);
	ck_assert_msg(res.weak == weak_cases[_i].weak, "case %d: weak %d", _i,
		      res.weak);
}
END_TEST

START_TEST(test_load_errors)
{
	struct autoclass_catalogue cat = {0};
	char *dir = test_tmpdir(), *path, want[600], err[600];

	ck_assert_int_eq(autoclass_load_text(&cat, "first", "list List-Id *\n",
					     err, sizeof(err)),
			 0);
	path = test_write_file(dir, "cat", bad[_i].text);
	err[0] = '\0';
	ck_assert_int_eq(autoclass_load(&cat, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:%d: ", path, bad[_i].line);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
	ck_assert_msg(strstr(err, bad[_i].what) != NULL, "%s", err);
	ck_assert_uint_eq(cat.count, 1); /* as before the call */
	err[0] = '\0';
	ck_assert_int_eq(
	    autoclass_load_text(&cat, "text", bad[_i].text, err, sizeof(err)),
	    -1);
	snprintf(want, sizeof(want), "text:%d: ", bad[_i].line);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
	ck_assert_uint_eq(cat.count, 1);
	autoclass_free(&cat);
	free(path);
	test_rmtree(dir);
}
END_TEST

/* long_line - "challenge Subject " and pattern bytes: len bytes in all */
static char *
long_line(size_t len, const char *end)
{
	char *s = xmalloc(len + strlen(end) + 1);

	memcpy(s, "challenge Subject ", 18);
	memset(s + 18, 'x', len - 18);
	strcpy(s + len, end);
	return s;
}

START_TEST(test_load_long_line)
{
	struct autoclass_catalogue cat = {0};
	char *dir = test_tmpdir(), *path, *text, want[600], err[600];

	text = long_line(AUTOCLASS_LINE_MAX, "\r\nlist List-Id *\n");
	path = test_write_file(dir, "ok", text);
	ck_assert_int_eq(autoclass_load(&cat, path, err, sizeof(err)), 0);
	ck_assert_uint_eq(cat.count, 2);
	ck_assert_uint_eq(strlen(cat.entries[0].pattern),
			  AUTOCLASS_LINE_MAX - 18);
	free(text);
	free(path);
	text = long_line(AUTOCLASS_LINE_MAX + 1, "\n");
	path = test_write_file(dir, "long", text);
	ck_assert_int_eq(autoclass_load(&cat, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:1: line longer than 1000 bytes", path);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(autoclass_load_text(&cat, "t", text, err, sizeof(err)),
			 -1);
	ck_assert_str_eq(err, "t:1: line longer than 1000 bytes");
	free(text);
	free(path);
	/* far longer, and a CR right after the first 1001 bytes */
	text = long_line(5000, "");
	text[AUTOCLASS_LINE_MAX] = '\r';
	path = test_write_file(dir, "longer", text);
	ck_assert_int_eq(autoclass_load(&cat, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:1: line longer than 1000 bytes", path);
	ck_assert_str_eq(err, want);
	ck_assert_uint_eq(cat.count, 2);
	free(text);
	free(path);
	autoclass_free(&cat);
	test_rmtree(dir);
}
END_TEST

START_TEST(test_load_missing_file)
{
	struct autoclass_catalogue cat = {0};
	char err[600];

	ck_assert_int_eq(autoclass_load(&cat, TOP "/etc/no-such-catalogue", err,
					sizeof(err)),
			 -1);
	ck_assert_str_eq(err, TOP "/etc/no-such-catalogue:0: cannot read: No "
				  "such file or directory");
	ck_assert_uint_eq(cat.count, 0);
	ck_assert_int_eq(autoclass_load(&cat, TOP "/etc", err, sizeof(err)),
			 -1);
	ck_assert_msg(strncmp(err, TOP "/etc:", strlen(TOP "/etc:")) == 0, "%s",
		      err);
	ck_assert_uint_eq(cat.count, 0);
}
END_TEST

START_TEST(test_load_format)
{
	static const char text[] =
	    "# a comment\n"
	    "   # an indented comment\n"
	    "\n"
	    "\t \n"
	    "challenge  Subject \t Please  confirm * \t\n"
	    "autoreply X-*-Responder *\r\n"
	    "other-auto envelope-sender <*@example.org>";
	struct autoclass_catalogue cat = {0};
	char err[600];

	ck_assert_int_eq(autoclass_load_text(&cat, "a", text, err, sizeof(err)),
			 0);
	ck_assert_int_eq(
	    autoclass_load_text(&cat, "b", "dsn X *\n", err, sizeof(err)), 0);
	ck_assert_uint_eq(cat.count, 4);
	ck_assert_int_eq(cat.entries[0].kind, AUTOCLASS_CHALLENGE);
	ck_assert_str_eq(cat.entries[0].field, "Subject");
	ck_assert_str_eq(cat.entries[0].pattern, "Please  confirm *");
	ck_assert_str_eq(cat.entries[0].where, "a:5");
	ck_assert_str_eq(cat.entries[1].field, "X-*-Responder");
	ck_assert_str_eq(cat.entries[1].pattern, "*");
	ck_assert_int_eq(cat.entries[2].kind, AUTOCLASS_OTHER_AUTO);
	ck_assert_str_eq(cat.entries[2].pattern, "<*@example.org>");
	ck_assert_str_eq(cat.entries[2].where, "a:7");
	ck_assert_str_eq(cat.entries[3].where, "b:1");
	autoclass_free(&cat);
	ck_assert_uint_eq(cat.count, 0);
	ck_assert_ptr_null(cat.entries);
}
END_TEST

START_TEST(test_catalogue_match)
{
	static const char text[] = "autoreply envelope-sender ack@example.org\n"
				   "autoreply X-*-Responder *\n"
				   "challenge Subject hello*\n"
				   "av-notice Subject hello world\n"
				   "list X-Mine  two  words \n";
	struct autoclass_catalogue cat = {0};
	struct autoclass_result res;
	char err[600];

	ck_assert_int_eq(autoclass_load_text(&cat, "c", text, err, sizeof(err)),
			 0);
	classify(&cat, "<ACK@example.org>", "Subject: hi\n", -1, &res);
	ck_assert_int_eq(res.kind, AUTOCLASS_AUTOREPLY);
	ck_assert_str_eq(res.reason, "catalogue=c:1");
	classify(&cat, "ack@example.org.evil", "", -1, &res);
	ck_assert_int_eq(res.kind, AUTOCLASS_HUMAN);
	classify(&cat, USER, "x-our-responder: 1\n", -1, &res);
	ck_assert_str_eq(res.reason, "catalogue=c:2");
	/* the first entry that matches wins */
	classify(&cat, USER, "Subject: Hello World\n", -1, &res);
	ck_assert_int_eq(res.kind, AUTOCLASS_CHALLENGE);
	ck_assert_str_eq(res.reason, "catalogue=c:3");
	/* a later field of the same name counts too */
	classify(&cat, USER, "Subject: x\nSubject: hello\n", -1, &res);
	ck_assert_int_eq(res.kind, AUTOCLASS_CHALLENGE);
	classify(&cat, USER, "X-Mine: two  words\n", -1, &res);
	ck_assert_int_eq(res.kind, AUTOCLASS_LIST);
	classify(&cat, USER, "X-Mine: two words\n", -1, &res);
	ck_assert_int_eq(res.kind, AUTOCLASS_HUMAN);
	/* the catalogue comes before the built-in rules */
	classify(&cat, "", "Subject: hello\nAuto-Submitted: auto-replied\n", -1,
		 &res);
	ck_assert_int_eq(res.kind, AUTOCLASS_CHALLENGE);
	/* no catalogue at all */
	classify(NULL, USER, "Subject: hello\n", -1, &res);
	ck_assert_int_eq(res.kind, AUTOCLASS_HUMAN);
	autoclass_free(&cat);
}
END_TEST

START_TEST(test_kind_names)
{
	enum autoclass_kind kind;

	for (int i = 0; i < AUTOCLASS_N_KINDS; i++) {
		const char *name = autoclass_kind_name((enum autoclass_kind)i);

		ck_assert_int_eq(autoclass_kind_parse(name, &kind), 0);
		ck_assert_int_eq(kind, i);
	}
	ck_assert_str_eq(autoclass_kind_name(AUTOCLASS_AV_NOTICE), "av-notice");
	ck_assert_str_eq(autoclass_kind_name(AUTOCLASS_OTHER_AUTO),
			 "other-auto");
	ck_assert_int_eq(autoclass_kind_parse("Challenge", &kind), -1);
	ck_assert_int_eq(autoclass_kind_parse("", &kind), -1);
	ck_assert_str_eq(autoclass_kind_name((enum autoclass_kind)99),
			 "unknown");
}
END_TEST

Suite *
autoclass_suite(void)
{
	Suite *s = suite_create("autoclass");
	TCase *tc = tcase_create("classify");
	TCase *tl = tcase_create("load");

	tcase_add_unchecked_fixture(tc, load_shipped, free_shipped);
	tcase_add_loop_test(tc, test_cases, 0,
			    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_catalogue_match);
	tcase_add_loop_test(tc, test_weak, 0,
			    sizeof(weak_cases) / sizeof(weak_cases[0]));
	tcase_add_loop_test(tl, test_load_errors, 0,
			    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tl, test_load_long_line);
	tcase_add_test(tl, test_load_missing_file);
	tcase_add_test(tl, test_load_format);
	tcase_add_test(tl, test_kind_names);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tl);
	return s;
}
