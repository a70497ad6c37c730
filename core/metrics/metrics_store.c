/* metrics_store.c - the table of objects (host, VMs, SRs) and their data
 * sources: declarations, the latest values (counters into rates), and the
 * data-source calls of the API (get_data_sources, query, record, forget). */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metrics_int.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static xd_mobj **objs;
static size_t nobjs, capobjs;

void xd_mstore_lock(void)
{
	pthread_mutex_lock(&lock);
}

void xd_mstore_unlock(void)
{
	pthread_mutex_unlock(&lock);
}

static char *dup0(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		abort();
	return d;
}

/* An index of objs by kind and uuid (open addressing, at most half full):
 * the sampler looks up every VM several times a round. */
static xd_mobj **index_slots;
static size_t index_size;

static size_t key_hash(const char *kind, const char *uuid)
{
	uint64_t h = 1469598103934665603ull;
	for (const char *p = kind; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	for (const char *p = uuid; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return (size_t)h;
}

static void index_put(xd_mobj *o)
{
	size_t i = key_hash(o->kind, o->uuid) & (index_size - 1);
	while (index_slots[i])
		i = (i + 1) & (index_size - 1);
	index_slots[i] = o;
}

static void index_rebuild(void)
{
	size_t want = 64;
	while (want < 2 * capobjs)
		want *= 2;
	free(index_slots);
	index_slots = calloc(want, sizeof *index_slots);
	if (!index_slots)
		abort();
	index_size = want;
	for (size_t i = 0; i < nobjs; i++)
		index_put(objs[i]);
}

xd_mobj *xd_mstore_obj(const char *kind, const char *uuid, bool create)
{
	for (size_t i = index_size ? key_hash(kind, uuid) & (index_size - 1) : 0;
	     index_size && index_slots[i]; i = (i + 1) & (index_size - 1))
		if (!strcmp(index_slots[i]->uuid, uuid) && !strcmp(index_slots[i]->kind, kind))
			return index_slots[i];
	if (!create)
		return NULL;
	if (nobjs == capobjs) {
		size_t cap = capobjs ? capobjs * 2 : 64;
		xd_mobj **grown = realloc(objs, cap * sizeof *grown);
		if (!grown)
			abort();
		objs = grown;
		capobjs = cap;
		index_rebuild();
	}
	xd_mobj *o = calloc(1, sizeof *o);
	if (!o)
		abort();
	snprintf(o->kind, sizeof o->kind, "%s", kind);
	snprintf(o->uuid, sizeof o->uuid, "%s", uuid);
	objs[nobjs++] = o;
	index_put(o);
	return o;
}

xd_ds *xd_mstore_find(xd_mobj *o, const char *name)
{
	for (size_t i = 0; o && i < o->nds; i++)
		if (!strcmp(o->ds[i].name, name))
			return &o->ds[i];
	return NULL;
}

/* rrdtool names are [A-Za-z0-9_]{1,19}: a longer or other xapi name is
 * kept in the file under "h" and 16 hex digits of its FNV-1a hash (the
 * legend and the API show the xapi name). */
static void rrd_name_of(const char *name, char out[XD_RRD_NAME_MAX + 1])
{
	size_t len = strlen(name);
	bool plain = len > 0 && len <= XD_RRD_NAME_MAX;
	for (const char *p = name; plain && *p; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || *p == '_';
	if (plain) {
		memcpy(out, name, len + 1);
		return;
	}
	uint64_t h = 1469598103934665603ull;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	snprintf(out, XD_RRD_NAME_MAX + 1, "h%016llx", (unsigned long long)h);
}

xd_ds *xd_mstore_declare(xd_mobj *o, const char *name, const char *description,
			 const char *units, xd_ds_kind kind, double min, double max, bool standard)
{
	xd_ds *d = xd_mstore_find(o, name);
	if (d)
		return d;
	xd_ds *grown = realloc(o->ds, (o->nds + 1) * sizeof *grown);
	if (!grown)
		abort();
	o->ds = grown;
	d = &o->ds[o->nds++];
	memset(d, 0, sizeof *d);
	d->name = dup0(name);
	rrd_name_of(name, d->rrd_name);
	d->description = dup0(description);
	d->units = dup0(units);
	d->min = min;
	d->max = max;
	d->kind = kind;
	d->standard = standard;
	d->enabled = standard;
	d->value = NAN;
	if (d->enabled)
		o->layout_changed = true;
	return d;
}

void xd_mstore_sample(xd_ds *d, double v, double t)
{
	d->fresh = true;
	if (d->kind != XD_DS_DERIVE) {
		d->value = v;
		return;
	}
	if (d->have_raw && t > d->raw_t && v >= d->raw)
		d->value = (v - d->raw) / (t - d->raw_t);
	/* a counter read a little after the round's time gives a rate a hair
	 * above its maximum (a busy vCPU: 1.0003): that is the maximum, not an
	 * unknown value (the archive drops values out of range) */
	if (isfinite(d->max) && d->value > d->max && d->value <= d->max * 1.05)
		d->value = d->max;
	else if (d->have_raw && v < d->raw)
		d->value = NAN; /* the counter started again: no rate this once */
	d->raw = v;
	d->raw_t = t;
	d->have_raw = true;
}

xd_mobj **xd_mstore_all(size_t *n)
{
	*n = nobjs;
	return objs;
}

static void obj_free(xd_mobj *o)
{
	xd_rra_free(o->arch);
	for (size_t i = 0; i < o->nds; i++) {
		free(o->ds[i].name);
		free(o->ds[i].description);
		free(o->ds[i].units);
	}
	free(o->ds);
	free(o);
}

void xd_mstore_shutdown(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nobjs; i++)
		obj_free(objs[i]);
	free(objs);
	objs = NULL;
	nobjs = capobjs = 0;
	free(index_slots);
	index_slots = NULL;
	index_size = 0;
	pthread_mutex_unlock(&lock);
}

/* ---- the API's calls ---- */

xd_value *xd_metrics_data_sources(const char *kind, const char *uuid)
{
	xd_value *arr = xd_array();
	pthread_mutex_lock(&lock);
	xd_mobj *o = xd_mstore_obj(kind, uuid, false);
	for (size_t i = 0; o && i < o->nds; i++) {
		const xd_ds *d = &o->ds[i];
		xd_value *r = xd_struct();
		xd_struct_set_take(r, "name_label", xd_string(d->name));
		xd_struct_set_take(r, "name_description", xd_string(d->description));
		xd_struct_set_take(r, "enabled", xd_bool(d->enabled));
		xd_struct_set_take(r, "standard", xd_bool(d->standard));
		xd_struct_set_take(r, "units", xd_string(d->units));
		xd_struct_set_take(r, "min", xd_float(d->min));
		xd_struct_set_take(r, "max", xd_float(d->max));
		/* xapi gives 0.0 for a source without a value yet */
		xd_struct_set_take(r, "value", xd_float(isnan(d->value) ? 0.0 : d->value));
		xd_array_append_take(arr, r);
	}
	pthread_mutex_unlock(&lock);
	return arr;
}

/* xapi's answer for a source the object does not have (rrdd's
 * Invalid_data_source, surfaced as an INTERNAL_ERROR). */
static int unknown_ds(const char *name, xd_error *err)
{
	return xd_error_setf(err, "INTERNAL_ERROR", "Rrd_interface.Rrdd_error(Invalid_data_source(\"%s\"))",
			     name);
}

int xd_metrics_query(const char *kind, const char *uuid, const char *name, double *out,
		     xd_error *err)
{
	pthread_mutex_lock(&lock);
	xd_ds *d = xd_mstore_find(xd_mstore_obj(kind, uuid, false), name);
	bool ok = d && d->enabled && !isnan(d->value);
	if (ok)
		*out = d->value;
	pthread_mutex_unlock(&lock);
	return ok ? 0 : unknown_ds(name, err);
}

static int set_enabled(const char *kind, const char *uuid, const char *name, bool on,
		       xd_error *err)
{
	pthread_mutex_lock(&lock);
	xd_mobj *o = xd_mstore_obj(kind, uuid, false);
	xd_ds *d = xd_mstore_find(o, name);
	if (d && d->enabled != on) {
		d->enabled = on;
		o->layout_changed = true;
	}
	pthread_mutex_unlock(&lock);
	return d ? 0 : unknown_ds(name, err);
}

int xd_metrics_record(const char *kind, const char *uuid, const char *name, xd_error *err)
{
	return set_enabled(kind, uuid, name, true, err);
}

int xd_metrics_forget(const char *kind, const char *uuid, const char *name, xd_error *err)
{
	return set_enabled(kind, uuid, name, false, err);
}

void xd_metrics_forget_object(const char *kind, const char *uuid)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nobjs; i++) {
		if (strcmp(objs[i]->kind, kind) || strcmp(objs[i]->uuid, uuid))
			continue;
		obj_free(objs[i]);
		objs[i] = objs[--nobjs];
		index_rebuild();
		break;
	}
	xd_mdisk_remove(kind, uuid);
	pthread_mutex_unlock(&lock);
}
