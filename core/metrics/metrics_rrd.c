/* metrics_rrd.c - the archives, kept by librrd (rrdtool): one file per
 * object, <dir>/<kind>-<uuid>.rrd, with xapi's layout (step 5 s; AVERAGE,
 * MIN and MAX at 1 x 120, 12 x 120, 720 x 168, 17280 x 366 steps). A file
 * is re-created (rrdcreate --source: the history of the sources it keeps
 * is copied) when the set of archived sources changes. librrd keeps an
 * error buffer per thread, but parts of it (getopt in rrd_create's parser)
 * are not reentrant: its calls are serialised here. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rrd.h>

#include "log.h"
#include "metrics_int.h"

static pthread_mutex_t rrd_lock = PTHREAD_MUTEX_INITIALIZER;
static char *rrd_dir;

/* A source missing for this long is unknown in the archive (3 steps: a
 * round that is late by up to two intervals still counts). */
#define HEARTBEAT (3 * XD_RRD_STEP)

static const char *const rra_defs[] = {
	"RRA:AVERAGE:0.5:1:120",   "RRA:MIN:0.5:1:120",   "RRA:MAX:0.5:1:120",
	"RRA:AVERAGE:0.5:12:120",  "RRA:MIN:0.5:12:120",  "RRA:MAX:0.5:12:120",
	"RRA:AVERAGE:0.5:720:168", "RRA:MIN:0.5:720:168", "RRA:MAX:0.5:720:168",
	"RRA:AVERAGE:0.5:17280:366", "RRA:MIN:0.5:17280:366", "RRA:MAX:0.5:17280:366",
};
#define NRRA (sizeof rra_defs / sizeof rra_defs[0])

void xd_mrrd_init(const char *dir)
{
	free(rrd_dir);
	rrd_dir = strdup(dir);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		xd_err("metrics: cannot make %s: %s", dir, strerror(errno));
}

void xd_mrrd_path(const char *kind, const char *uuid, char *out, size_t n)
{
	snprintf(out, n, "%s/%s-%s.rrd", rrd_dir ? rrd_dir : ".", kind, uuid);
}

/* The DS names of an existing file (NULL-terminated array, heap), or NULL. */
static char **file_ds(const char *path, unsigned long *n)
{
	time_t last;
	unsigned long cnt = 0;
	char **names = NULL, **vals = NULL;
	*n = 0;
	if (rrd_lastupdate_r(path, &last, &cnt, &names, &vals) != 0) {
		rrd_clear_error();
		return NULL;
	}
	for (unsigned long i = 0; i < cnt; i++)
		free(vals[i]);
	free(vals);
	*n = cnt;
	return names;
}

static void free_names(char **names, unsigned long n)
{
	for (unsigned long i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

/* Does the file hold exactly o's enabled sources, in o's order? */
static bool same_layout(xd_mobj *o, char **names, unsigned long n)
{
	unsigned long k = 0;
	for (size_t i = 0; i < o->nds; i++) {
		if (!o->ds[i].enabled)
			continue;
		if (k >= n || strcmp(names[k], o->ds[i].rrd_name) != 0)
			return false;
		k++;
	}
	return k == n;
}

/* Creates path for o's enabled sources, copying the history of the ones
 * the old file had. */
static int create_file(xd_mobj *o, const char *path, bool had_file, time_t t)
{
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.new", path);
	size_t nds = 0;
	for (size_t i = 0; i < o->nds; i++)
		nds += o->ds[i].enabled;
	const char **argv = calloc(nds + NRRA + 1, sizeof *argv);
	char (*defs)[96] = calloc(nds ? nds : 1, sizeof *defs);
	if (!argv || !defs)
		abort();
	int argc = 0;
	for (size_t i = 0, k = 0; i < o->nds; i++) {
		const xd_ds *d = &o->ds[i];
		if (!d->enabled)
			continue;
		/* The values archived are ours (rates already): GAUGE. */
		char mn[32] = "U", mx[32] = "U";
		if (isfinite(d->min) && d->min < d->max) {
			snprintf(mn, sizeof mn, "%.17g", d->min);
			snprintf(mx, sizeof mx, "%.17g", d->max);
		}
		snprintf(defs[k], sizeof defs[k], "DS:%s:GAUGE:%d:%s:%s", d->rrd_name, HEARTBEAT, mn,
			 mx);
		argv[argc++] = defs[k++];
	}
	for (size_t i = 0; i < NRRA; i++)
		argv[argc++] = rra_defs[i];
	const char *sources[] = { path, NULL };
	unlink(tmp);
	int rc = rrd_create_r2(tmp, XD_RRD_STEP, t - XD_RRD_STEP, 0, had_file ? sources : NULL, NULL,
			       argc, argv);
	if (rc != 0) {
		xd_err("metrics: cannot create %s: %s", tmp, rrd_get_error());
		rrd_clear_error();
		unlink(tmp);
	} else if (rename(tmp, path) != 0) {
		xd_err("metrics: cannot rename %s: %s", tmp, strerror(errno));
		rc = -1;
	}
	free(argv);
	free(defs);
	return rc;
}

int xd_mrrd_update(xd_mobj *o, time_t t)
{
	char path[4096];
	xd_mrrd_path(o->kind, o->uuid, path, sizeof path);
	size_t nds = 0;
	for (size_t i = 0; i < o->nds; i++)
		nds += o->ds[i].enabled;
	if (nds == 0)
		return 0;
	pthread_mutex_lock(&rrd_lock);
	int rc = 0;
	unsigned long have = 0;
	char **names = file_ds(path, &have);
	if (!names || o->layout_changed) {
		if (!names || !same_layout(o, names, have))
			rc = create_file(o, path, names != NULL, t);
		o->layout_changed = false;
	}
	free_names(names, have);
	if (rc == 0) {
		xd_strbuf sb = XD_STRBUF_INIT;
		xd_strbuf_printf(&sb, "%lld", (long long)t);
		for (size_t i = 0; i < o->nds; i++) {
			const xd_ds *d = &o->ds[i];
			if (!d->enabled)
				continue;
			if (d->fresh && isfinite(d->value))
				xd_strbuf_printf(&sb, ":%.17g", d->value);
			else
				xd_strbuf_puts(&sb, ":U");
		}
		const char *argv[] = { sb.data };
		rc = rrd_update_r(path, NULL, 1, argv);
		if (rc != 0) {
			/* e.g. a second round within one second: not an error worth more */
			xd_debug("metrics: update of %s: %s", path, rrd_get_error());
			rrd_clear_error();
		}
		xd_strbuf_free(&sb);
	}
	pthread_mutex_unlock(&rrd_lock);
	return rc;
}

int xd_mrrd_fetch(const char *kind, const char *uuid, const char *cf, time_t start,
		  time_t end, unsigned long step, xd_mrrd_rows *out)
{
	char path[4096];
	xd_mrrd_path(kind, uuid, path, sizeof path);
	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&rrd_lock);
	unsigned long st = step ? step : XD_RRD_STEP;
	rrd_value_t *data = NULL;
	char **names = NULL;
	unsigned long cols = 0;
	int rc = rrd_fetch_r(path, cf, &start, &end, &st, &cols, &names, &data);
	if (rc != 0) {
		rrd_clear_error();
		pthread_mutex_unlock(&rrd_lock);
		return -1;
	}
	pthread_mutex_unlock(&rrd_lock);
	out->start = start;
	out->end = end;
	out->step = st;
	out->cols = cols;
	/* rrd_fetch's rows run from start + step to end, both included */
	out->rows = st ? (unsigned long)(end - start) / st : 0;
	char **nn = calloc(cols + 1, sizeof *nn);
	if (!nn)
		abort();
	memcpy(nn, names, cols * sizeof *nn);
	free(names);
	out->names = nn;
	out->data = data;
	return 0;
}

void xd_mrrd_fetch_free(xd_mrrd_rows *r)
{
	for (unsigned long i = 0; r->names && i < r->cols; i++)
		free(r->names[i]);
	free(r->names);
	free(r->data);
	memset(r, 0, sizeof *r);
}

static size_t dump_cb(const void *data, size_t len, void *user)
{
	xd_strbuf_append(user, data, len);
	return len;
}

int xd_mrrd_dump(const char *kind, const char *uuid, xd_strbuf *sb)
{
	char path[4096];
	xd_mrrd_path(kind, uuid, path, sizeof path);
	pthread_mutex_lock(&rrd_lock);
	int rc = access(path, R_OK) == 0 ? rrd_dump_cb_r(path, 1, dump_cb, sb) : -1;
	if (rc != 0)
		rrd_clear_error();
	pthread_mutex_unlock(&rrd_lock);
	return rc;
}

void xd_mrrd_remove(const char *kind, const char *uuid)
{
	char path[4096];
	xd_mrrd_path(kind, uuid, path, sizeof path);
	pthread_mutex_lock(&rrd_lock);
	if (unlink(path) == 0)
		xd_info("metrics: the archive of %s %s is removed with it", kind, uuid);
	pthread_mutex_unlock(&rrd_lock);
}

const char *xd_mrrd_logical(xd_mobj *o, const char *rrd_name)
{
	for (size_t i = 0; o && i < o->nds; i++)
		if (!strcmp(o->ds[i].rrd_name, rrd_name))
			return o->ds[i].name;
	return rrd_name;
}
