/* storage_sync.c - driver results into VDI and SR records (see
 * storage.h, "Driver results into the db", for the rules). */
#include "storage.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "dm.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"

static pthread_mutex_t sync_lock = PTHREAD_MUTEX_INITIALIZER;

static const xd_class *vdi_cls(void)
{
	return xd_dm_class("VDI");
}

static int vfield(const char *name)
{
	return xd_dm_field_index(vdi_cls(), name);
}

/* ---- what the db holds for one SR ---------------------------------------- */

/* One VDI record of the SR. */
typedef struct known {
	char *ref;
	xd_value *rec;
	bool seen; /* reported by the driver in this sync */
} known;

typedef struct known_set {
	known *v;
	size_t n;
} known_set;

static void known_read(const char *sr, known_set *ks)
{
	const xd_class *src = xd_dm_class("SR");
	xd_value *vdis = xd_db_get_field(src, sr, xd_dm_field_index(src, "VDIs"));
	ks->n = 0;
	ks->v = calloc(vdis && vdis->u.arr.n ? vdis->u.arr.n : 1, sizeof(*ks->v));
	if (!ks->v)
		abort();
	for (size_t i = 0; vdis && i < vdis->u.arr.n; i++) {
		const char *ref = vdis->u.arr.items[i]->u.s;
		xd_value *rec = xd_db_get_record(vdi_cls(), ref);
		if (!rec)
			continue;
		ks->v[ks->n].ref = strdup(ref);
		ks->v[ks->n].rec = rec;
		ks->n++;
	}
	xd_value_free(vdis);
}

static void known_free(known_set *ks)
{
	for (size_t i = 0; i < ks->n; i++) {
		free(ks->v[i].ref);
		xd_value_free(ks->v[i].rec);
	}
	free(ks->v);
}

static const char *rec_str(const xd_value *rec, const char *name)
{
	const xd_value *v = rec ? xd_struct_get(rec, name) : NULL;
	return v && v->t == XD_V_STRING ? v->u.s : "";
}

static known *known_by_location(const known_set *ks, const char *location)
{
	for (size_t i = 0; location && i < ks->n; i++)
		if (strcmp(rec_str(ks->v[i].rec, "location"), location) == 0)
			return &ks->v[i];
	return NULL;
}

char *xd_storage_vdi_by_location(const char *sr, const char *location)
{
	known_set ks;
	known_read(sr, &ks);
	known *k = known_by_location(&ks, location);
	char *ref = k ? strdup(k->ref) : NULL;
	known_free(&ks);
	return ref;
}

/* ---- the pending writes of one sync --------------------------------------- */

/* New records get their refs before the transaction, so that snapshot_of
 * can point at a VDI created by the same sync. */
typedef struct fresh {
	char *ref;
	const char *location; /* borrowed from the driver's result (or a parent name) */
	xd_value *rec;        /* the record to create (taken by the transaction) */
} fresh;

/* A write to an existing record, applied at commit. */
typedef struct change {
	char *ref;
	int field;           /* -1: destroy the record */
	xd_value *v;
} change;

/* Everything one sync will write: computed from reads first, then applied
 * in one transaction (no db reads may happen while it is open). */
typedef struct plan {
	const char *sr;
	known_set ks;
	fresh *f;
	size_t nf, capf;
	change *c;
	size_t nc, capc;
	xd_error *err;
} plan;

static void plan_change(plan *p, const char *ref, int field, xd_value *v)
{
	if (p->nc == p->capc) {
		p->capc = p->capc ? 2 * p->capc : 16;
		p->c = realloc(p->c, p->capc * sizeof(*p->c));
		if (!p->c)
			abort();
	}
	p->c[p->nc++] = (change){ strdup(ref), field, v };
}

static fresh *fresh_by_location(const plan *p, const char *location)
{
	for (size_t i = 0; location && i < p->nf; i++)
		if (strcmp(p->f[i].location, location) == 0)
			return &p->f[i];
	return NULL;
}

/* The ref of the VDI at location in this SR (known or about to be made);
 * as xapi (CA-254515), a uuid of any VDI also names it. Borrowed or NULL;
 * *owned set when the answer is heap memory the caller frees. */
static const char *resolve(const plan *p, const char *location, char **owned)
{
	*owned = NULL;
	if (!location || !location[0])
		return NULL;
	known *k = known_by_location(&p->ks, location);
	if (k)
		return k->ref;
	fresh *f = fresh_by_location(p, location);
	if (f)
		return f->ref;
	if (xd_uuid_valid(location))
		return *owned = xd_db_ref_by_uuid(vdi_cls(), location);
	return NULL;
}

static bool uuid_free(const plan *p, const char *uuid)
{
	if (!uuid || !xd_uuid_valid(uuid))
		return false;
	char *ref = xd_db_ref_by_uuid(vdi_cls(), uuid);
	free(ref);
	if (ref)
		return false;
	for (size_t i = 0; i < p->nf; i++)
		if (strcmp(rec_str(p->f[i].rec, "uuid"), uuid) == 0)
			return false;
	return true;
}

static xd_value *map_of(const xd_value *m)
{
	return m && m->t == XD_V_STRUCT ? xd_value_copy(m) : xd_struct();
}

/* A new record for what the driver reported (snapshot_of is set later). */
static fresh *plan_new(plan *p, const xd_vdi_info *vi, const char *location, bool managed)
{
	if (p->nf == p->capf) {
		p->capf = p->capf ? 2 * p->capf : 8;
		p->f = realloc(p->f, p->capf * sizeof(*p->f));
		if (!p->f)
			abort();
	}
	fresh *f = &p->f[p->nf++];
	xd_value *rec = xd_struct();
	f->ref = xd_ref_new();
	f->location = location;
	f->rec = rec;
	if (vi && uuid_free(p, vi->uuid))
		xd_struct_set_take(rec, "uuid", xd_string(vi->uuid));
	xd_struct_set_take(rec, "name_label",
			   xd_string(vi && vi->name_label ? vi->name_label : managed ? "" : "base copy"));
	xd_struct_set_take(rec, "name_description",
			   xd_string(vi && vi->name_description ? vi->name_description : ""));
	xd_struct_set_take(rec, "SR", xd_string(p->sr));
	xd_struct_set_take(rec, "virtual_size", xd_int(vi && vi->virtual_size > 0 ? vi->virtual_size : 0));
	xd_struct_set_take(rec, "physical_utilisation",
			   xd_int(vi && vi->physical_utilisation > 0 ? vi->physical_utilisation : 0));
	xd_struct_set_take(rec, "type", xd_string("user"));
	xd_struct_set_take(rec, "sharable", xd_bool(false));
	xd_struct_set_take(rec, "read_only", xd_bool(vi ? vi->read_only : !managed));
	xd_struct_set_take(rec, "other_config", xd_struct());
	xd_struct_set_take(rec, "storage_lock", xd_bool(false));
	xd_struct_set_take(rec, "location", xd_string(location));
	xd_struct_set_take(rec, "managed", xd_bool(managed));
	xd_struct_set_take(rec, "missing", xd_bool(false));
	xd_struct_set_take(rec, "parent", xd_string(XD_NULL_REF));
	xd_struct_set_take(rec, "sm_config", map_of(vi ? vi->sm_config : NULL));
	xd_struct_set_take(rec, "is_a_snapshot", xd_bool(vi && vi->is_a_snapshot));
	xd_struct_set_take(rec, "snapshot_of", xd_string(XD_NULL_REF));
	xd_generic_fill_defaults(vdi_cls(), rec);
	xd_debug("storage: SR %s: new VDI record %s for location %s%s", p->sr, f->ref, location,
		 managed ? "" : " (hidden parent)");
	return f;
}

/* Sets one field of an existing record if it differs (value taken); the
 * known record is updated too, so that later steps see the new value. */
static void plan_set(plan *p, known *k, const char *name, xd_value *v)
{
	const xd_value *old = xd_struct_get(k->rec, name);
	if (old && xd_value_equal(old, v)) {
		xd_value_free(v);
		return;
	}
	xd_debug("storage: VDI %s: %s changes", k->ref, name);
	xd_struct_set_take(k->rec, name, xd_value_copy(v));
	plan_change(p, k->ref, vfield(name), v);
}

/* sm_config: the driver's keys over what the record has (clients may keep
 * their own keys there too). */
static xd_value *merged_sm_config(const xd_value *old, const xd_value *drv)
{
	xd_value *m = map_of(old);
	for (size_t i = 0; drv && drv->t == XD_V_STRUCT && i < drv->u.st.n; i++)
		xd_struct_set_take(m, drv->u.st.m[i].name, xd_value_copy(drv->u.st.m[i].v));
	return m;
}

static void plan_update(plan *p, known *k, const xd_vdi_info *vi, bool managed)
{
	if (vi->virtual_size >= 0)
		plan_set(p, k, "virtual_size", xd_int(vi->virtual_size));
	if (vi->physical_utilisation >= 0)
		plan_set(p, k, "physical_utilisation", xd_int(vi->physical_utilisation));
	plan_set(p, k, "read_only", xd_bool(vi->read_only));
	plan_set(p, k, "managed", xd_bool(managed));
	plan_set(p, k, "missing", xd_bool(false));
	if (vi->sm_config)
		plan_set(p, k, "sm_config",
			 merged_sm_config(xd_struct_get(k->rec, "sm_config"), vi->sm_config));
	if (vi->is_a_snapshot)
		plan_set(p, k, "is_a_snapshot", xd_bool(true));
}

/* snapshot_of of the VDI at ref (known or fresh) from what the driver says. */
static void plan_snapshot_of(plan *p, const xd_vdi_info *vi)
{
	char *owned;
	const char *target = resolve(p, vi->snapshot_of, &owned);
	if (target) {
		fresh *f = fresh_by_location(p, vi->location);
		known *k = known_by_location(&p->ks, vi->location);
		if (f)
			xd_struct_set_take(f->rec, "snapshot_of", xd_string(target));
		else if (k)
			plan_set(p, k, "snapshot_of", xd_string(target));
	}
	free(owned);
}

/* Is location the `parent` of any VDI the driver reported? */
static bool is_parent(const xd_vdi_info *v, size_t n, const char *location)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].parent && strcmp(v[i].parent, location) == 0)
			return true;
	return false;
}

/* Records for the VDIs reported (creates, updates); parents named but not
 * reported get records of their own. */
static void plan_vdis(plan *p, const xd_vdi_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!v[i].location || !v[i].location[0])
			continue;
		bool managed = !is_parent(v, n, v[i].location);
		known *k = known_by_location(&p->ks, v[i].location);
		if (k) {
			k->seen = true;
			plan_update(p, k, &v[i], managed);
		} else if (!fresh_by_location(p, v[i].location)) {
			plan_new(p, &v[i], v[i].location, managed);
		}
	}
	for (size_t i = 0; i < n; i++) {
		const char *parent = v[i].parent;
		if (!parent || !parent[0])
			continue;
		known *k = known_by_location(&p->ks, parent);
		if (k) {
			k->seen = true;
			plan_set(p, k, "managed", xd_bool(false));
		} else if (!fresh_by_location(p, parent)) {
			fresh *f = plan_new(p, NULL, parent, false);
			xd_struct_set_take(f->rec, "virtual_size",
					   xd_int(v[i].virtual_size > 0 ? v[i].virtual_size : 0));
		}
	}
	for (size_t i = 0; i < n; i++)
		if (v[i].location && v[i].snapshot_of)
			plan_snapshot_of(p, &v[i]);
}

static void plan_init(plan *p, const char *sr, xd_error *err)
{
	memset(p, 0, sizeof(*p));
	p->sr = sr;
	p->err = err;
	known_read(sr, &p->ks);
}

/* Applies the plan in one transaction. */
static int plan_commit(plan *p)
{
	if (!p->nf && !p->nc)
		return 0;
	xd_db_txn *t = xd_db_begin();
	bool failed = false;
	for (size_t i = 0; i < p->nf && !failed; i++) {
		if (xd_db_txn_create(t, vdi_cls(), p->f[i].ref, p->f[i].rec, p->err) < 0)
			failed = true;
		p->f[i].rec = NULL; /* taken */
	}
	for (size_t i = 0; i < p->nc && !failed; i++) {
		change *c = &p->c[i];
		if (c->field < 0 ? xd_db_txn_destroy(t, vdi_cls(), c->ref, p->err) < 0
				 : xd_db_txn_set_field(t, vdi_cls(), c->ref, c->field, c->v, p->err) < 0)
			failed = true;
	}
	if (failed) {
		xd_db_rollback(t);
		return -1;
	}
	return xd_db_commit(t, p->err);
}

static void plan_free(plan *p)
{
	for (size_t i = 0; i < p->nc; i++) {
		free(p->c[i].ref);
		xd_value_free(p->c[i].v);
	}
	free(p->c);
	for (size_t i = 0; i < p->nf; i++) {
		free(p->f[i].ref);
		xd_value_free(p->f[i].rec);
	}
	free(p->f);
	known_free(&p->ks);
}

/* ---- entry points --------------------------------------------------------- */

char *xd_storage_sync_vdi(const char *sr, const xd_vdi_info *vi, xd_error *err)
{
	plan p;
	char *ref = NULL;
	if (!vi->location || !vi->location[0]) {
		xd_error_setf(err, "INTERNAL_ERROR", "the storage driver reported a VDI without a location");
		return NULL;
	}
	pthread_mutex_lock(&sync_lock);
	plan_init(&p, sr, err);
	plan_vdis(&p, vi, 1);
	known *k = known_by_location(&p.ks, vi->location);
	fresh *f = fresh_by_location(&p, vi->location);
	char *want = strdup(k ? k->ref : f->ref);
	if (plan_commit(&p) == 0)
		ref = want;
	else
		free(want);
	plan_free(&p);
	pthread_mutex_unlock(&sync_lock);
	return ref;
}

/* Whether anything still uses the record (VBDs, or the core's own attach). */
static bool in_use(const known *k)
{
	const xd_value *vbds = xd_struct_get(k->rec, "VBDs");
	return (vbds && vbds->t == XD_V_ARRAY && vbds->u.arr.n > 0) ||
	       xd_storage_vdi_attach_mode(k->ref) != 0;
}

int xd_storage_sync_scan(const char *sr, const xd_sr_result *r, xd_error *err)
{
	plan p;
	int rc;
	pthread_mutex_lock(&sync_lock);
	plan_init(&p, sr, err);
	plan_vdis(&p, r->vdis, r->nvdis);
	for (size_t i = 0; i < p.ks.n; i++) {
		known *k = &p.ks.v[i];
		if (k->seen)
			continue;
		if (in_use(k)) {
			xd_info("storage: SR %s: VDI %s (%s) is gone but in use: marked missing", sr,
				k->ref, rec_str(k->rec, "location"));
			plan_set(&p, k, "missing", xd_bool(true));
		} else {
			xd_info("storage: SR %s: VDI %s (%s) is gone: forgotten", sr, k->ref,
				rec_str(k->rec, "location"));
			plan_change(&p, k->ref, -1, NULL);
		}
	}
	rc = plan_commit(&p);
	plan_free(&p);
	pthread_mutex_unlock(&sync_lock);
	if (rc < 0)
		return -1;

	xd_sr_info si = { .physical_size = -1, .physical_utilisation = -1, .virtual_allocation = -1 };
	if (r->nsrs)
		si = r->srs[0];
	if (si.virtual_allocation < 0) {
		/* as xapi: the sum of what the VDIs the driver reported may grow to */
		int64_t sum = 0;
		for (size_t i = 0; i < r->nvdis; i++)
			if (r->vdis[i].virtual_size > 0 && !is_parent(r->vdis, r->nvdis, r->vdis[i].location))
				sum += r->vdis[i].virtual_size;
		si.virtual_allocation = sum;
	}
	return xd_storage_sync_sr(sr, &si, err);
}

static int set_int_field(const char *sr, const char *name, int64_t v, xd_error *err)
{
	const xd_class *c = xd_dm_class("SR");
	int fi = xd_dm_field_index(c, name);
	xd_value *old = xd_db_get_field(c, sr, fi), *nv = xd_int(v);
	int rc = 0;
	if (!old)
		rc = xd_error_set(err, "HANDLE_INVALID", "SR", sr, NULL);
	else if (!xd_value_equal(old, nv))
		rc = xd_db_set_field(c, sr, fi, nv, err);
	xd_value_free(old);
	xd_value_free(nv);
	return rc;
}

int xd_storage_sync_sr(const char *sr, const xd_sr_info *si, xd_error *err)
{
	if (si->physical_size >= 0 && set_int_field(sr, "physical_size", si->physical_size, err) < 0)
		return -1;
	if (si->physical_utilisation >= 0 &&
	    set_int_field(sr, "physical_utilisation", si->physical_utilisation, err) < 0)
		return -1;
	if (si->virtual_allocation >= 0 &&
	    set_int_field(sr, "virtual_allocation", si->virtual_allocation, err) < 0)
		return -1;
	return 0;
}
