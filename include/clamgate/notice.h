/*
 * notice - the notify-admin mail, composed with gmime (notice.c): one
 * notice for an event, or the hourly digest; the caller frees the text
 */
#ifndef CLAMGATE_NOTICE_H
#define CLAMGATE_NOTICE_H

#include "clamgate/config.h"
#include "clamgate/notify.h"

char *notice_compose(const struct cg_config *cfg,
		     const struct notify_event *ev);
char *notice_digest(const struct cg_config *cfg, const char *summary,
		    unsigned long total);

#endif
