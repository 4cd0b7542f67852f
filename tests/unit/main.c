/* main.c - run every unit suite; exit 1 if any test failed */
#include <stdlib.h>

#include "clamgate/log.h"
#include "suites.h"

int
main(void)
{
	SRunner *sr = srunner_create(config_suite());
	Suite *pg;
	int failed;

	log_set_level(LOG_LEVEL_ERROR);
	srunner_add_suite(sr, policy_suite());
	srunner_add_suite(sr, strconv_suite());
	srunner_add_suite(sr, reply_suite());
	srunner_add_suite(sr, cidr_suite());
	srunner_add_suite(sr, spool_suite());
	srunner_add_suite(sr, quarantine_suite());
	srunner_add_suite(sr, notify_suite());
	srunner_add_suite(sr, token_suite());
	srunner_add_suite(sr, act_suite());
	srunner_add_suite(sr, smtp_suite());
	srunner_add_suite(sr, authres_suite());
	srunner_add_suite(sr, vstore_suite());
	srunner_add_suite(sr, autoclass_suite());
	srunner_add_suite(sr, outbound_suite());
	srunner_add_suite(sr, mimeview_suite());
	srunner_add_suite(sr, metrics_suite());
	srunner_add_suite(sr, qstore_suite());
	if ((pg = vstore_pg_suite()) != NULL)
		srunner_add_suite(sr, pg);
	if ((pg = qstore_pg_suite()) != NULL)
		srunner_add_suite(sr, pg);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
