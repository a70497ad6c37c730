/* storage.c - SRs as their drivers see them, driver calls, and the core's
 * own attaches of VDI data (see storage.h). */
#include "storage.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/session.h"
#include "db/db.h"
#include "dm.h"
#include "ids.h"
#include "log.h"

static xd_value *field(const char *cls, const char *ref, const char *name)
{
	const xd_class *c = xd_dm_class(cls);
	return xd_db_get_field(c, ref, xd_dm_field_index(c, name));
}

static const char *rec_str(const xd_value *rec, const char *name)
{
	const xd_value *v = rec ? xd_struct_get(rec, name) : NULL;
	return v && v->t == XD_V_STRING ? v->u.s : "";
}

static bool rec_bool(const xd_value *rec, const char *name)
{
	const xd_value *v = rec ? xd_struct_get(rec, name) : NULL;
	return v && v->t == XD_V_BOOL && v->u.b;
}

static int64_t rec_int(const xd_value *rec, const char *name)
{
	const xd_value *v = rec ? xd_struct_get(rec, name) : NULL;
	return v && v->t == XD_V_INT ? v->u.i : 0;
}

/* ---- errors --------------------------------------------------------------- */

/* What the SR can still give: physical_size - physical_utilisation, or
 * -1 if the SR does not know its size. */
static int64_t sr_free_space(const char *sr)
{
	xd_value *rec = sr ? xd_db_get_record(xd_dm_class("SR"), sr) : NULL;
	int64_t size = rec_int(rec, "physical_size"), used = rec_int(rec, "physical_utilisation");
	xd_value_free(rec);
	if (!rec || size < 0)
		return -1;
	return used > 0 && used < size ? size - used : used >= size ? 0 : size;
}

void xd_storage_fix_error(xd_error *err, const char *sr, const char *vdi, const char *op,
			  int64_t requested)
{
	if (!err || !err->code)
		return;
	/* the loader names the SR by uuid and the VDI by location: xapi's
	 * errors carry refs */
	if (strcmp(err->code, "VDI_MISSING") == 0) {
		xd_error_set(err, "VDI_MISSING", sr ? sr : "", vdi ? vdi : "", NULL);
	} else if (strcmp(err->code, "SR_OPERATION_NOT_SUPPORTED") == 0 && sr) {
		xd_error_set(err, "SR_OPERATION_NOT_SUPPORTED", sr, NULL);
	} else if (strcmp(err->code, "VDI_IN_USE") == 0 && err->nparams != 2 && vdi && op) {
		xd_error_set(err, "VDI_IN_USE", vdi, op, NULL);
	} else if (requested >= 0 && (strcmp(err->code, "SR_BACKEND_FAILURE_44") == 0 ||
				      strcmp(err->code, "SR_FULL") == 0)) {
		char want[32], max[32];
		snprintf(want, sizeof(want), "%" PRId64, requested);
		snprintf(max, sizeof(max), "%" PRId64, sr_free_space(sr));
		xd_error_set(err, "SR_FULL", want, max, NULL);
	}
}

/* ---- SRs and PBDs --------------------------------------------------------- */

char *xd_storage_my_pbd(const char *sr)
{
	xd_value *pbds = field("SR", sr, "PBDs");
	const char *me = xd_this_host();
	char *found = NULL;
	for (size_t i = 0; pbds && me && i < pbds->u.arr.n && !found; i++) {
		const char *pbd = pbds->u.arr.items[i]->u.s;
		xd_value *host = field("PBD", pbd, "host");
		if (host && strcmp(host->u.s, me) == 0)
			found = strdup(pbd);
		xd_value_free(host);
	}
	xd_value_free(pbds);
	return found;
}

bool xd_storage_sr_any_attached(const char *sr)
{
	xd_value *pbds = field("SR", sr, "PBDs");
	bool any = false;
	for (size_t i = 0; pbds && i < pbds->u.arr.n && !any; i++) {
		xd_value *att = field("PBD", pbds->u.arr.items[i]->u.s, "currently_attached");
		any = att && att->u.b;
		xd_value_free(att);
	}
	xd_value_free(pbds);
	return any;
}

int xd_storage_sr_open(const char *sr, xd_storage_sr *out, xd_error *err)
{
	const xd_class *c = xd_dm_class("SR");
	memset(out, 0, sizeof(*out));
	out->record = sr ? xd_db_get_record(c, sr) : NULL;
	if (!out->record)
		return xd_error_set(err, "HANDLE_INVALID", "SR", sr ? sr : "", NULL);
	out->ref = strdup(sr);
	out->pbd = xd_storage_my_pbd(sr);
	if (out->pbd) {
		xd_value *pbd = xd_db_get_record(xd_dm_class("PBD"), out->pbd);
		if (pbd) {
			out->attached = rec_bool(pbd, "currently_attached");
			const xd_value *dc = xd_struct_get(pbd, "device_config");
			if (dc && dc->t == XD_V_STRUCT)
				out->device_config = xd_value_copy(dc);
		}
		xd_value_free(pbd);
	}
	if (!out->device_config)
		out->device_config = xd_struct();
	out->sr.type = rec_str(out->record, "type");
	out->sr.uuid = rec_str(out->record, "uuid");
	out->sr.name_label = rec_str(out->record, "name_label");
	out->sr.device_config = out->device_config;
	out->sr.sm_config = xd_struct_get(out->record, "sm_config");
	return 0;
}

void xd_storage_sr_close(xd_storage_sr *s)
{
	free(s->ref);
	free(s->pbd);
	xd_value_free(s->record);
	xd_value_free(s->device_config);
	memset(s, 0, sizeof(*s));
}

int xd_storage_sr_require_attached(const xd_storage_sr *s, xd_error *err)
{
	if (!s->pbd || !s->attached)
		return xd_error_set(err, "SR_HAS_NO_PBDS", s->ref, NULL);
	return 0;
}

static const char *op_name(xd_sr_op op)
{
	static const char *const names[XD_SR_NOPS] = {
		"sr_probe", "sr_create", "sr_delete", "sr_attach", "sr_detach", "sr_scan",
		"sr_update", "vdi_create", "vdi_delete", "vdi_snapshot", "vdi_clone",
		"vdi_resize", "vdi_attach", "vdi_detach", "vdi_introduce", "vdi_update",
	};
	return (unsigned)op < XD_SR_NOPS ? names[op] : "?";
}

int xd_storage_call(const xd_storage_sr *s, xd_sr_op op, xd_sr_args *args, const char *task,
		    xd_sr_result *out, xd_error *err)
{
	args->sr = &s->sr;
	args->task = task;
	xd_debug("storage: %s on SR %s (type %s)%s%s", op_name(op), s->sr.uuid, s->sr.type,
		 args->location ? " location " : "", args->location ? args->location : "");
	int rc = xd_plugins_sr_call(s->sr.type, op, args, out, err);
	if (rc < 0)
		xd_info("storage: %s on SR %s failed: %s", op_name(op), s->sr.uuid,
			err && err->code ? err->code : "?");
	return rc;
}

const xd_vdi_info *xd_storage_emitted_vdi(const xd_sr_result *r, const char *what,
					  xd_error *err)
{
	if (!r->nvdis || !r->vdis[0].location) {
		xd_error_setf(err, "INTERNAL_ERROR", "the storage driver reported no VDI from %s",
			      what);
		return NULL;
	}
	return &r->vdis[0];
}

/* ---- the core's attaches -------------------------------------------------- */

typedef struct attachment {
	struct attachment *next;
	char *vdi, *sr, *location, *datapath;
	unsigned count;
	bool writable;
	bool exclusive; /* held by a data writer (import, copy into): nobody shares it */
	bool busy; /* the driver is attaching or detaching it right now */
} attachment;

/* A writer of a VDI's data over the datapath (an import, a copy into it):
 * the VDI's operation lock, as xapi's attached VBD. Two of them would
 * interleave their blocks, and a reader would see the half-written disk. */
static bool data_writer(bool writable, const char *op)
{
	return writable && op && (strcmp(op, "import") == 0 || strcmp(op, "copy") == 0);
}

static pthread_mutex_t attach_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t attach_cond = PTHREAD_COND_INITIALIZER;
static attachment *attachments;

static attachment *find_attachment(const char *vdi)
{
	for (attachment *a = attachments; a; a = a->next)
		if (strcmp(a->vdi, vdi) == 0)
			return a;
	return NULL;
}

static void drop_attachment(attachment *a)
{
	for (attachment **p = &attachments; *p; p = &(*p)->next)
		if (*p == a) {
			*p = a->next;
			break;
		}
	free(a->vdi);
	free(a->sr);
	free(a->location);
	free(a->datapath);
	free(a);
}

int xd_storage_vdi_attach_mode(const char *vdi)
{
	pthread_mutex_lock(&attach_lock);
	attachment *a = find_attachment(vdi);
	int mode = !a ? 0 : a->writable ? 2 : 1;
	pthread_mutex_unlock(&attach_lock);
	return mode;
}

/* The driver's vdi_attach for a; fills a->datapath. */
static int driver_attach(attachment *a, const char *task, xd_error *err)
{
	xd_storage_sr s;
	xd_sr_result r = { 0 };
	int rc = -1;
	if (xd_storage_sr_open(a->sr, &s, err) < 0 || xd_storage_sr_require_attached(&s, err) < 0)
		goto out;
	xd_sr_args args = { .location = a->location, .writable = a->writable };
	if (xd_storage_call(&s, XD_VDI_ATTACH, &args, task, &r, err) < 0) {
		xd_storage_fix_error(err, a->sr, a->vdi, "attach", -1);
		goto out;
	}
	const xd_vdi_info *vi = xd_storage_emitted_vdi(&r, "vdi_attach", err);
	if (!vi)
		goto out;
	/* the two kinds of datapath xapi/storage.h defines */
	if (!vi->datapath || (strncmp(vi->datapath, "file:///", 8) != 0 &&
			      strncmp(vi->datapath, "nbd+unix:///", 12) != 0)) {
		xd_plugins_driver_bug(s.sr.type, err, "the %s driver attached %s without a usable "
				      "datapath (%s): file:/// or nbd+unix:/// URIs only", s.sr.type,
				      a->location, vi->datapath ? vi->datapath : "none");
		/* it did attach: undo that */
		xd_sr_args dargs = { .location = a->location };
		xd_sr_result dr = { 0 };
		xd_error derr = XD_ERROR_INIT;
		xd_storage_call(&s, XD_VDI_DETACH, &dargs, task, &dr, &derr);
		xd_sr_result_clear(&dr);
		xd_error_clear(&derr);
		goto out;
	}
	a->datapath = strdup(vi->datapath);
	rc = 0;
out:
	xd_sr_result_clear(&r);
	xd_storage_sr_close(&s);
	return rc;
}

char *xd_storage_vdi_attach(const char *vdi, bool writable, const char *op, const char *task,
			    xd_error *err)
{
	xd_value *rec = xd_db_get_record(xd_dm_class("VDI"), vdi);
	char *path = NULL;
	if (!rec) {
		xd_error_set(err, "HANDLE_INVALID", "VDI", vdi, NULL);
		return NULL;
	}
	if (rec_bool(rec, "missing")) {
		xd_error_set(err, "VDI_MISSING", rec_str(rec, "SR"), vdi, NULL);
		goto out;
	}
	pthread_mutex_lock(&attach_lock);
	attachment *a;
	while ((a = find_attachment(vdi)) && a->busy)
		pthread_cond_wait(&attach_cond, &attach_lock);
	if (a) {
		if ((writable && !a->writable) || a->exclusive || data_writer(writable, op))
			xd_error_set(err, "VDI_IN_USE", vdi, op, NULL);
		else {
			a->count++;
			path = strdup(a->datapath);
		}
		pthread_mutex_unlock(&attach_lock);
		goto out;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		abort();
	a->vdi = strdup(vdi);
	a->sr = strdup(rec_str(rec, "SR"));
	a->location = strdup(rec_str(rec, "location"));
	a->writable = writable;
	a->exclusive = data_writer(writable, op);
	a->busy = true;
	a->count = 1;
	a->next = attachments;
	attachments = a;
	pthread_mutex_unlock(&attach_lock);

	/* no lock held across the driver call */
	int rc = driver_attach(a, task, err);

	pthread_mutex_lock(&attach_lock);
	a->busy = false;
	if (rc == 0)
		path = strdup(a->datapath);
	else
		drop_attachment(a);
	pthread_cond_broadcast(&attach_cond);
	pthread_mutex_unlock(&attach_lock);
	if (path) {
		xd_debug("storage: VDI %s attached for %s at %s", vdi, op, path);
		xd_storage_vdi_refresh(vdi); /* attached: fewer operations allowed */
	}
out:
	xd_value_free(rec);
	return path;
}

void xd_storage_vdi_detach(const char *vdi, const char *task)
{
	pthread_mutex_lock(&attach_lock);
	attachment *a;
	while ((a = find_attachment(vdi)) && a->busy)
		pthread_cond_wait(&attach_cond, &attach_lock);
	if (!a || --a->count > 0) {
		if (!a)
			xd_warn("storage: detach of VDI %s, which is not attached here", vdi);
		pthread_mutex_unlock(&attach_lock);
		return;
	}
	a->busy = true;
	pthread_mutex_unlock(&attach_lock);

	xd_storage_sr s;
	xd_sr_result r = { 0 };
	xd_error err = XD_ERROR_INIT;
	if (xd_storage_sr_open(a->sr, &s, &err) == 0) {
		xd_sr_args args = { .location = a->location };
		/* An undo, often of a call that was cancelled: made without the
		 * task, so that its cancel neither reaches the driver nor kills
		 * the detach (the log lines still carry the task). */
		(void)task;
		xd_storage_call(&s, XD_VDI_DETACH, &args, NULL, &r, &err);
	}
	if (err.code)
		xd_warn("storage: detach of VDI %s (%s) failed: %s %s", vdi, a->location, err.code,
			err.nparams ? err.params[0] : "");
	xd_sr_result_clear(&r);
	xd_storage_sr_close(&s);
	xd_error_clear(&err);

	pthread_mutex_lock(&attach_lock);
	drop_attachment(a);
	pthread_cond_broadcast(&attach_cond);
	pthread_mutex_unlock(&attach_lock);
	if (xd_db_exists(xd_dm_class("VDI"), vdi))
		xd_storage_vdi_refresh(vdi);
}

/* ---- daemon start --------------------------------------------------------- */

static int collect_ref(const char *ref, const xd_value *const *fields, void *ud)
{
	xd_array_append_take(ud, xd_string(ref));
	return 0;
}

/* Clears current_operations of every object of cls (what a previous run
 * left: its tasks are gone). */
static void clear_current_operations(const char *cls)
{
	const xd_class *c = xd_dm_class(cls);
	int fi = xd_dm_field_index(c, "current_operations");
	xd_value *all = xd_array(), *none = xd_struct();
	xd_db_foreach(c, collect_ref, all);
	for (size_t i = 0; i < all->u.arr.n; i++) {
		const char *ref = all->u.arr.items[i]->u.s;
		xd_value *cur = xd_db_get_field(c, ref, fi);
		if (cur && cur->t == XD_V_STRUCT && cur->u.st.n) {
			xd_error err = XD_ERROR_INIT;
			xd_info("storage: %s %s: dropping operations of a previous run", cls, ref);
			xd_db_set_field(c, ref, fi, none, &err);
			xd_error_clear(&err);
		}
		xd_value_free(cur);
	}
	xd_value_free(all);
	xd_value_free(none);
}

/* sr_attach again for a PBD that says it is plugged. */
static void replug(const char *sr)
{
	xd_storage_sr s;
	xd_sr_result r = { 0 };
	xd_error err = XD_ERROR_INIT;
	if (xd_storage_sr_open(sr, &s, &err) < 0 || !s.pbd || !s.attached)
		goto out;
	if (!xd_plugins_has_sr_type(s.sr.type)) {
		/* plugged again when the driver loads (storage_plug.c) */
		xd_warn("storage: SR %s cannot be attached again: no %s driver is loaded; its PBD is "
			"unplugged until the driver loads (fix it, then SIGHUP or host.call_plugin "
			"xapi-c rescan_plugins)", s.sr.uuid, s.sr.type);
		xd_storage_pbd_set_attached(s.pbd, false, &err);
		xd_storage_pbd_wait_for_driver(s.pbd);
		goto out;
	}
	xd_sr_args args = { 0 };
	if (xd_storage_call(&s, XD_SR_ATTACH, &args, NULL, &r, &err) < 0) {
		xd_warn("storage: SR %s could not be attached again (%s %s): its PBD is now unplugged",
			s.sr.uuid, err.code, err.nparams > 1 ? err.params[1] : "");
		xd_error_clear(&err);
		xd_storage_pbd_set_attached(s.pbd, false, &err);
		goto out;
	}
	for (size_t i = 0; i < r.nsrs; i++)
		xd_storage_sync_sr(sr, &r.srs[i], &err);
	xd_info("storage: SR %s (%s) attached again", s.sr.uuid, s.sr.type);
out:
	xd_error_clear(&err);
	xd_sr_result_clear(&r);
	xd_storage_sr_close(&s);
}

void xd_storage_startup(void)
{
	xd_value *srs = xd_array();
	xd_db_foreach(xd_dm_class("SR"), collect_ref, srs);
	clear_current_operations("SR");
	clear_current_operations("VDI");
	for (size_t i = 0; i < srs->u.arr.n; i++) {
		replug(srs->u.arr.items[i]->u.s);
		xd_storage_sr_refresh_all_vdis(srs->u.arr.items[i]->u.s);
	}
	xd_value_free(srs);
	/* SRs that waited for a driver through earlier runs, now loaded */
	xd_storage_plug_waiting(NULL);
	xd_plugins_on_sr_loaded(xd_storage_plug_waiting);
}
