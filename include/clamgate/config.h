/*
 * config - the clamgate configuration: libconfig text to one immutable,
 * validated, typed structure
 *
 * config_load() returns NULL and fills err with "FILE:LINE: what is wrong"
 * when the file cannot be read, has a syntax error, an unknown key, a
 * value of the wrong type or out of range.  Nothing is changed after
 * loading; the structure is shared read-only by every thread.
 */
#ifndef CLAMGATE_CONFIG_H
#define CLAMGATE_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "clamgate/cidr.h"

enum cg_action {
	CG_ACCEPT,
	CG_REJECT, /* reject where that is safe, else the fallback */
	CG_TEMPFAIL,
	CG_QUARANTINE, /* our own store, then discard */
	CG_HOLD,       /* the MTA's hold queue (smfi_quarantine) */
	CG_DISCARD,
};

enum cg_backend { CG_BACKEND_LIBCLAMAV, CG_BACKEND_CLAMD };
enum cg_reject_mode { CG_REJECT_SAFE, CG_REJECT_NEVER };
enum cg_on_error { CG_ON_ERROR_TEMPFAIL, CG_ON_ERROR_ACCEPT };
enum cg_headers { CG_HEADERS_NONE, CG_HEADERS_ADD, CG_HEADERS_REPLACE };
enum cg_out_mode { CG_OUT_OFF, CG_OUT_LOG, CG_OUT_ON };
enum cg_store { CG_STORE_SQLITE, CG_STORE_POSTGRESQL };
/* where quarantined mail is kept */
enum cg_qstore { CG_QSTORE_DIR, CG_QSTORE_POSTGRESQL };
/* what the outbound gate does with one kind of mail (autoclass.h) */
enum cg_out_rule {
	CG_OUT_ALLOW,
	CG_OUT_INTERNAL_ONLY, /* only to internal_domains */
	CG_OUT_VERIFIED_ONLY, /* to verified senders or internal_domains */
	CG_OUT_QUARANTINE,
	CG_OUT_DISCARD,
};
#define CG_OUT_KINDS 7 /* AUTOCLASS_N_KINDS, in autoclass.h order */

struct cg_rule {
	char *match; /* glob on the virus name */
	enum cg_action action;
};

struct cg_strlist {
	char **items;
	size_t count;
};

struct cg_config {
	char *path;
	struct {
		char *socket;
		char *user;  /* NULL or "": do not change user */
		char *group; /* socket group, NULL: user's group */
		mode_t socket_mode;
		unsigned max_sessions;	 /* MTA connections at once */
		unsigned max_recipients; /* recorded per message */
	} milter;
	struct {
		enum cg_backend backend;
		char *database;
		char *temp_dir;
		uint64_t max_message_size;
		uint64_t spool_memory;
		uint64_t max_spool_disk;  /* spool file bytes, all messages */
		uint64_t temp_min_free;	  /* bytes left free in temp_dir */
		unsigned timeout;	  /* seconds for one scan */
		unsigned max_concurrent;  /* resolved: never 0 */
		unsigned reload_interval; /* seconds, 0: only on SIGUSR2 */
		struct cg_strlist clamd;  /* clamd servers, libmilter syntax */
		unsigned clamd_connect_timeout; /* seconds */
		unsigned clamd_probe_interval;	/* seconds */
		unsigned clamd_max_connections; /* per server */
		int mime_view; /* also scan each part as GMime decodes it */
	} scanner;
	struct {
		enum cg_reject_mode reject;
		enum cg_action fallback; /* QUARANTINE, HOLD or DISCARD */
		struct cidr *trusted_relays;
		size_t n_trusted_relays;
		struct cg_strlist noreject_daemons;
		struct cg_strlist nonsmtp_daemons;
		struct cg_strlist release_daemons; /* local MSP listeners */
		int reject_authenticated;
		enum cg_on_error on_error;
		enum cg_action on_oversize;
		enum cg_action on_incomplete; /* ACCEPT, TEMPFAIL or REJECT */
		enum cg_headers headers;
		char reject_code[4];   /* "554" */
		char reject_xcode[12]; /* "5.7.1" */
		char *reject_text;     /* with %v */
		struct cg_rule *rules;
		size_t n_rules;
	} policy;
	struct {
		char *directory; /* entries, or (postgresql) the
				  * release key only */
		enum cg_qstore backend;
		char *dsn;		 /* the PostgreSQL database */
		unsigned long retention; /* seconds; 0: keep forever */
		char *sendmail;		 /* for clamgate-quarantine release */
	} quarantine;
	struct {
		struct cg_strlist admin; /* empty: no notifications at all */
		char *from;
		char *smtp; /* the MTA's SMTP listener; "": sendmail */
		char *sendmail;
		unsigned on; /* bit (1 << enum cg_action) */
		unsigned max_per_hour;
		int digest;
	} notify;
	struct {
		enum cg_out_mode mode;
		struct cg_strlist internal_domains; /* and their subdomains */
		struct cg_strlist trusted_authserv_ids;
		struct cg_strlist listeners;  /* {daemon_name}s of outbound
					       * mail, besides non-SMTP and
					       * authenticated clients */
		enum cg_store backend;	      /* of the verified senders */
		char *store;		      /* the SQLite file */
		char *dsn;		      /* the PostgreSQL database */
		unsigned long remember;	      /* seconds */
		unsigned max_entries;	      /* rows per table of the store */
		enum cg_action on_stop;	      /* QUARANTINE or DISCARD */
		struct cg_strlist catalogues; /* relative: to the config */
		struct cg_strlist allow_senders;    /* globs */
		struct cg_strlist allow_recipients; /* globs */
		struct cg_strlist allow_domains;    /* recipient domains */
		enum cg_out_rule rule[CG_OUT_KINDS];
	} outbound;
	struct {
		char *listen;	    /* the HTTP endpoint; "": none */
		struct cidr *allow; /* clients it answers */
		size_t n_allow;
		char *textfile; /* node_exporter textfile; "": none */
		unsigned textfile_interval; /* seconds */
		char *control; /* clamgate -s socket path; "": none */
	} metrics;
	struct {
		int level; /* enum log_level */
		int facility;
	} log;
};

struct cg_config *config_load(const char *path, char *err, size_t errlen);
void config_free(struct cg_config *cfg);
const char *config_action_name(enum cg_action action);
const char *config_backend_name(enum cg_backend backend);
const char *config_out_rule_name(enum cg_out_rule rule);
const char *config_vstore_backend(const struct cg_config *cfg);
const char *config_vstore_where(const struct cg_config *cfg);
const char *config_out_mode_name(enum cg_out_mode mode);

#endif
