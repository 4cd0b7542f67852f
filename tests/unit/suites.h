/* suites.h - the unit test suites, one per module */
#ifndef CLAMGATE_TEST_SUITES_H
#define CLAMGATE_TEST_SUITES_H

#include <check.h>

#include "clamgate/config.h"

Suite *config_suite(void);
Suite *policy_suite(void);
Suite *strconv_suite(void);
Suite *reply_suite(void);
Suite *cidr_suite(void);
Suite *spool_suite(void);
Suite *quarantine_suite(void);
Suite *notify_suite(void);
Suite *token_suite(void);
Suite *act_suite(void);
Suite *smtp_suite(void);
Suite *authres_suite(void);
Suite *vstore_suite(void);
Suite *autoclass_suite(void);
Suite *outbound_suite(void);
Suite *mimeview_suite(void);
Suite *metrics_suite(void);
Suite *vstore_pg_suite(void);
Suite *qstore_suite(void);
Suite *qstore_pg_suite(void);

/* helpers.c */
char *test_tmpdir(void);
int test_rmtree(char *dir);
char *test_write_file(const char *dir, const char *name, const char *text);
char *test_read_file(const char *path, size_t *len);
struct cg_config *test_config_text(const char *text);
char *test_pg_dsn(const char *pg_dsn);

#endif
