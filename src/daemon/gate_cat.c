/*
 * NAME
 *	gate_cat - the outbound gate's catalogues, reloaded while running
 * SYNOPSIS
 *	gate_cat_load(cfg, err, errlen)
 *	gate_cat_reload(force)
 *	gate_cat_classify(facts, &result)
 * DESCRIPTION
 *	outbound.catalogues names the files (autoclass.h for their
 *	format); a relative name is taken from the configuration file's
 *	directory.  All of them load into one catalogue, in the order
 *	given.  gate_cat_reload() loads them again when any file changed
 *	(inode, size or modification time) or when forced (SIGUSR2), and
 *	swaps the new catalogue in under a write lock: a message being
 *	classified finishes with the old one.
 * DIAGNOSTICS
 *	gate_cat_load() fails with "FILE:LINE: what is wrong".  A reload
 *	that fails is logged the same way and the catalogue in use is kept.
 */
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clamgate/gate.h"
#include "clamgate/log.h"
#include "clamgate/xmalloc.h"

struct cat_file {
	char *path;
	struct stat st; /* as last loaded */
};

static pthread_rwlock_t cat_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t cat_reload_lock = PTHREAD_MUTEX_INITIALIZER;
static struct autoclass_catalogue *cat_current;
static struct cat_file *cat_files;
static size_t cat_n_files;

/* gate_cat_path - a catalogue's path: relative to the config's directory */
static char *
gate_cat_path(const char *config_path, const char *name)
{
	char *copy, *dir, *path;
	size_t len;

	if (name[0] == '/')
		return xstrdup(name);
	copy = xstrdup(config_path);
	dir = dirname(copy);
	len = strlen(dir) + strlen(name) + 2;
	path = xmalloc(len);
	snprintf(path, len, "%s/%s", dir, name);
	free(copy);
	return path;
}

/* gate_cat_read - every file into a new catalogue; NULL and why */
static struct autoclass_catalogue *
gate_cat_read(char *err, size_t errlen)
{
	struct autoclass_catalogue *cat = xcalloc(1, sizeof(*cat));

	for (size_t i = 0; i < cat_n_files; i++) {
		if (stat(cat_files[i].path, &cat_files[i].st) < 0)
			memset(&cat_files[i].st, 0, sizeof(cat_files[i].st));
		if (autoclass_load(cat, cat_files[i].path, err, errlen) < 0) {
			autoclass_free(cat);
			free(cat);
			return NULL;
		}
	}
	return cat;
}

/* gate_cat_swap - put a new catalogue in place, free the old one */
static void
gate_cat_swap(struct autoclass_catalogue *cat)
{
	struct autoclass_catalogue *old;

	pthread_rwlock_wrlock(&cat_lock);
	old = cat_current;
	cat_current = cat;
	pthread_rwlock_unlock(&cat_lock);
	if (old != NULL) {
		autoclass_free(old);
		free(old);
	}
}

/* gate_cat_load - resolve the names and load; 0, or -1 and why */
int
gate_cat_load(const struct cg_config *cfg, char *err, size_t errlen)
{
	struct autoclass_catalogue *cat;

	gate_cat_free();
	cat_n_files = cfg->outbound.catalogues.count;
	cat_files = xcalloc(cat_n_files ? cat_n_files : 1, sizeof(*cat_files));
	for (size_t i = 0; i < cat_n_files; i++)
		cat_files[i].path =
		    gate_cat_path(cfg->path, cfg->outbound.catalogues.items[i]);
	if ((cat = gate_cat_read(err, errlen)) == NULL)
		return -1;
	gate_cat_swap(cat);
	return 0;
}

/* gate_cat_changed - a file differs from what was loaded */
static int
gate_cat_changed(void)
{
	struct stat st;

	for (size_t i = 0; i < cat_n_files; i++) {
		const struct stat *was = &cat_files[i].st;
		if (stat(cat_files[i].path, &st) < 0)
			return was->st_ino != 0;
		if (st.st_ino != was->st_ino || st.st_size != was->st_size ||
		    st.st_mtim.tv_sec != was->st_mtim.tv_sec ||
		    st.st_mtim.tv_nsec != was->st_mtim.tv_nsec)
			return 1;
	}
	return 0;
}

/* gate_cat_reload - load again if changed or forced (the writer's
 * tick and the SIGUSR2 thread both call it: one at a time) */
void
gate_cat_reload(int force)
{
	struct autoclass_catalogue *cat = NULL;
	char err[512];

	pthread_mutex_lock(&cat_reload_lock);
	if (cat_n_files > 0 && (force || gate_cat_changed())) {
		cat = gate_cat_read(err, sizeof(err));
		if (cat == NULL)
			log_error("outbound catalogue reload failed, keeping "
				  "the catalogue in use: %s",
				  err);
	}
	if (cat != NULL) {
		log_info("outbound catalogues reloaded: %zu entries",
			 cat->count);
		gate_cat_swap(cat);
	}
	pthread_mutex_unlock(&cat_reload_lock);
}

/* gate_cat_classify - classify under the catalogue in use */
void
gate_cat_classify(const struct autoclass_facts *facts,
		  struct autoclass_result *res)
{
	static const struct autoclass_catalogue empty = {NULL, 0};

	pthread_rwlock_rdlock(&cat_lock);
	autoclass_classify(cat_current ? cat_current : &empty, facts, res);
	pthread_rwlock_unlock(&cat_lock);
}

/* gate_cat_free - forget the catalogue and the file list */
void
gate_cat_free(void)
{
	pthread_mutex_lock(&cat_reload_lock);
	gate_cat_swap(NULL);
	for (size_t i = 0; i < cat_n_files; i++)
		free(cat_files[i].path);
	free(cat_files);
	cat_files = NULL;
	cat_n_files = 0;
	pthread_mutex_unlock(&cat_reload_lock);
}
