/* pbd.c - PBD messages (xapi_pbd.ml, message_forwarding.ml's PBD module):
 * create and destroy are database operations with checks, plug and unplug
 * attach and detach the SR on this host through its driver. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "auth/session.h"
#include "db/db.h"
#include "generic/generic.h"
#include "log.h"
#include "rpc/rpc.h"
#include "storage/storage.h"
#include "storage_api.h"

static const xd_class *pbd_cls(void)
{
	return xd_dm_class("PBD");
}

static int check_no_srmaster(const xd_value *device_config, xd_error *err)
{
	const xd_value *v = device_config ? xd_struct_get(device_config, "SRmaster") : NULL;
	if (v)
		return xd_error_set(err, "VALUE_NOT_SUPPORTED", "SRmaster",
				    v->t == XD_V_STRING ? v->u.s : "", "This key is for internal use only",
				    NULL);
	return 0;
}

/* ---- create / destroy ------------------------------------------------------- */

/* One PBD per (SR, host): PBD_EXISTS [sr, host, pbd]. */
static int pbd_create_check(const xd_call *call, const char *ref, xd_value *record, xd_error *err)
{
	const char *sr = xd_storage_rec_str(record, "SR"), *host = xd_storage_rec_str(record, "host");
	const xd_class *src = xd_dm_class("SR");
	xd_value *pbds = xd_db_get_field(src, sr, xd_dm_field_index(src, "PBDs"));
	int rc = 0;
	for (size_t i = 0; pbds && i < pbds->u.arr.n && rc == 0; i++) {
		const char *pbd = pbds->u.arr.items[i]->u.s;
		xd_value *h = xd_db_get_field(pbd_cls(), pbd, xd_dm_field_index(pbd_cls(), "host"));
		if (h && strcmp(h->u.s, host) == 0)
			rc = xd_error_set(err, "PBD_EXISTS", sr, host, pbd, NULL);
		xd_value_free(h);
	}
	xd_value_free(pbds);
	if (rc == 0)
		rc = check_no_srmaster(xd_struct_get(record, "device_config"), err);
	/* a new PBD is not plugged, whatever the client said */
	xd_struct_set_take(record, "currently_attached", xd_bool(false));
	return rc;
}

static const xd_class_hooks pbd_hooks = { .create_check = pbd_create_check };

/* The SR a create record names, if it is one (else the generic create
 * reports what is wrong). */
static const char *record_sr(const xd_call *call)
{
	const xd_value *rec = call->nargs ? call->args[0] : NULL;
	const xd_value *sr = rec && rec->t == XD_V_STRUCT ? xd_struct_get(rec, "SR") : NULL;
	if (!sr || sr->t != XD_V_STRING || !xd_db_exists(xd_dm_class("SR"), sr->u.s))
		return NULL;
	return sr->u.s;
}

/* PBD.create: the generic create (record, checks above) with the SR marked
 * pbd_create, as xapi's (SR.destroy's checks depend on PBDs). */
static xd_value *h_create(const xd_call *call, xd_error *err)
{
	xd_handler_fn generic = xd_generic_handler(call->cls, call->msg);
	const char *sr = record_sr(call);
	xd_storage_op_key k;
	xd_storage_op_key_init(&k, call);
	if (sr && xd_storage_mark(&k, sr, "pbd_create", NULL, NULL, err) < 0)
		return NULL;
	xd_value *res = generic(call, err);
	if (sr)
		xd_storage_unmark(&k, sr, NULL);
	return res;
}

static xd_value *h_destroy(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	xd_value *rec = xd_db_get_record(pbd_cls(), self), *res = NULL;
	xd_storage_op_key k;
	if (!rec) {
		xd_error_set(err, "HANDLE_INVALID", "PBD", self, NULL);
		return NULL;
	}
	const char *sr = xd_storage_rec_str(rec, "SR");
	xd_storage_op_key_init(&k, call);
	if (xd_storage_mark(&k, sr, "pbd_destroy", NULL, NULL, err) < 0)
		goto out;
	if (xd_storage_rec_bool(rec, "currently_attached"))
		xd_error_set(err, "OPERATION_NOT_ALLOWED", "PBD is currently attached", NULL);
	else if (xd_db_destroy(pbd_cls(), self, err) == 0)
		res = xd_void();
	xd_storage_unmark(&k, sr, NULL);
out:
	xd_value_free(rec);
	return res;
}

/* ---- plug / unplug ------------------------------------------------------------ */

/* Also drops a note that the PBD waits for its driver (storage.h): a
 * client's plug or unplug decides from now on. */
static int set_attached(const char *pbd, bool value, xd_error *err)
{
	return xd_storage_pbd_set_attached(pbd, value, err);
}

/* A PBD of another host: xapi would forward the call there. */
static int check_local(const xd_value *rec, xd_error *err)
{
	const char *host = xd_storage_rec_str(rec, "host");
	if (!xd_this_host() || strcmp(host, xd_this_host()) != 0)
		return xd_error_set(err, "HOST_OFFLINE", host, NULL);
	return 0;
}

/* A local SR plugged on another host cannot be plugged here too. */
static int check_sharing(const char *sr, const char *pbd, xd_error *err)
{
	const xd_class *src = xd_dm_class("SR");
	xd_value *shared = xd_db_get_field(src, sr, xd_dm_field_index(src, "shared"));
	xd_value *pbds = xd_db_get_field(src, sr, xd_dm_field_index(src, "PBDs"));
	int rc = 0;
	for (size_t i = 0; shared && !shared->u.b && pbds && i < pbds->u.arr.n && rc == 0; i++) {
		const char *other = pbds->u.arr.items[i]->u.s;
		xd_value *r = xd_db_get_record(pbd_cls(), other);
		if (r && strcmp(other, pbd) != 0 && xd_storage_rec_bool(r, "currently_attached"))
			rc = xd_error_set(err, "SR_NOT_SHARABLE", sr, xd_storage_rec_str(r, "host"), NULL);
		xd_value_free(r);
	}
	xd_value_free(shared);
	xd_value_free(pbds);
	return rc;
}

int xd_pbd_plug_marked(const char *pbd, const char *task, xd_error *err)
{
	xd_value *rec = xd_db_get_record(pbd_cls(), pbd);
	xd_storage_sr s = { 0 };
	xd_sr_result r = { 0 };
	int rc = -1;
	if (!rec)
		return xd_error_set(err, "HANDLE_INVALID", "PBD", pbd, NULL);
	const char *sr = xd_storage_rec_str(rec, "SR");
	if (xd_storage_rec_bool(rec, "currently_attached")) {
		rc = 0; /* plugged already: nothing to do, as xapi */
		goto out;
	}
	if (check_local(rec, err) < 0 || check_sharing(sr, pbd, err) < 0 ||
	    xd_storage_sr_open(sr, &s, err) < 0)
		goto out;
	xd_sr_args args = { 0 };
	if (xd_storage_call(&s, XD_SR_ATTACH, &args, task, &r, err) < 0) {
		xd_storage_fix_error(err, sr, NULL, NULL, -1);
		goto out;
	}
	for (size_t i = 0; i < r.nsrs; i++)
		xd_storage_sync_sr(sr, &r.srs[i], err);
	xd_error_clear(err);
	if (set_attached(pbd, true, err) < 0)
		goto out;
	xd_info("PBD.plug: SR %s (%s) attached", s.sr.uuid, s.sr.type);
	xd_storage_sr_refresh_all_vdis(sr);
	rc = 0;
out:
	xd_sr_result_clear(&r);
	xd_storage_sr_close(&s);
	xd_value_free(rec);
	return rc;
}

static xd_value *h_plug(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	xd_value *sr = xd_db_get_field(pbd_cls(), self, xd_dm_field_index(pbd_cls(), "SR"));
	xd_value *res = NULL;
	xd_storage_op_key k;
	if (!sr) {
		xd_error_set(err, "HANDLE_INVALID", "PBD", self, NULL);
		return NULL;
	}
	xd_storage_op_key_init(&k, call);
	if (xd_storage_mark(&k, sr->u.s, "plug", NULL, NULL, err) < 0)
		goto out;
	bool was = xd_storage_sr_any_attached(sr->u.s);
	int rc = xd_pbd_plug_marked(self, call->task, err);
	xd_storage_unmark(&k, sr->u.s, NULL);
	if (rc < 0)
		goto out;
	if (!was) {
		/* the first plug scans, synchronously, as xapi's (CA-379112) */
		xd_storage_op_key ks;
		xd_error serr = XD_ERROR_INIT;
		xd_storage_op_key_init(&ks, call);
		if (xd_storage_mark(&ks, sr->u.s, "scan", NULL, NULL, &serr) == 0) {
			xd_sr_scan_marked(sr->u.s, call->task, &serr);
			xd_storage_unmark(&ks, sr->u.s, NULL);
		}
		if (serr.code)
			xd_warn("PBD.plug: scan of SR %s failed: %s", sr->u.s, serr.code);
		xd_error_clear(&serr);
	}
	res = xd_void();
out:
	xd_value_free(sr);
	return res;
}

/* VDIs of the SR in use on this host: an attached VBD, or the core's own
 * attach (a transfer). */
static xd_value *active_vdis(const char *sr)
{
	const xd_class *src = xd_dm_class("SR"), *vdi = xd_dm_class("VDI"), *vbd = xd_dm_class("VBD");
	xd_value *vdis = xd_db_get_field(src, sr, xd_dm_field_index(src, "VDIs"));
	xd_value *out = xd_array();
	for (size_t i = 0; vdis && i < vdis->u.arr.n; i++) {
		const char *v = vdis->u.arr.items[i]->u.s;
		bool used = xd_storage_vdi_attach_mode(v) != 0;
		xd_value *vbds = xd_db_get_field(vdi, v, xd_dm_field_index(vdi, "VBDs"));
		for (size_t j = 0; !used && vbds && j < vbds->u.arr.n; j++) {
			xd_value *r = xd_db_get_record(vbd, vbds->u.arr.items[j]->u.s);
			used = xd_storage_rec_bool(r, "currently_attached") && !xd_storage_rec_bool(r, "empty");
			xd_value_free(r);
		}
		xd_value_free(vbds);
		if (used)
			xd_array_append_take(out, xd_string(v));
	}
	xd_value_free(vdis);
	return out;
}

static xd_value *h_unplug(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	xd_value *rec = xd_db_get_record(pbd_cls(), self), *res = NULL, *active = NULL;
	xd_storage_op_key k;
	xd_storage_sr s = { 0 };
	xd_sr_result r = { 0 };
	if (!rec) {
		xd_error_set(err, "HANDLE_INVALID", "PBD", self, NULL);
		return NULL;
	}
	char *sr = strdup(xd_storage_rec_str(rec, "SR"));
	xd_storage_op_key_init(&k, call);
	/* waits while VDIs of the SR have operations in progress (storage.h, "Operations") */
	if (xd_storage_mark(&k, sr, "unplug", NULL, NULL, err) < 0)
		goto out;
	xd_value_free(rec);
	rec = xd_db_get_record(pbd_cls(), self);
	if (!xd_storage_rec_bool(rec, "currently_attached")) {
		/* not plugged: nothing to do, as xapi; but it stays so even if
		 * it waited for its driver */
		xd_storage_pbd_forget_wait(self);
		res = xd_void();
		goto unmark;
	}
	if (check_local(rec, err) < 0)
		goto unmark;
	active = active_vdis(sr);
	if (active->u.arr.n) {
		const char *params[XD_ERROR_MAX_PARAMS];
		size_t n = 0;
		for (; n < active->u.arr.n && n < XD_ERROR_MAX_PARAMS; n++)
			params[n] = active->u.arr.items[n]->u.s;
		xd_error_setv(err, "VDI_IN_USE", params, n);
		goto unmark;
	}
	if (xd_storage_sr_open(sr, &s, err) < 0)
		goto unmark;
	xd_sr_args args = { 0 };
	if (xd_storage_call(&s, XD_SR_DETACH, &args, call->task, &r, err) < 0) {
		xd_storage_fix_error(err, sr, NULL, NULL, -1);
		goto unmark;
	}
	if (set_attached(self, false, err) < 0)
		goto unmark;
	xd_info("PBD.unplug: SR %s (%s) detached", s.sr.uuid, s.sr.type);
	res = xd_void();
unmark:
	xd_storage_unmark(&k, sr, NULL);
	if (res)
		xd_storage_sr_refresh_all_vdis(sr);
out:
	xd_sr_result_clear(&r);
	xd_storage_sr_close(&s);
	xd_value_free(active);
	xd_value_free(rec);
	free(sr);
	return res;
}

static xd_value *h_set_device_config(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	if (xd_check_ref(pbd_cls(), self, err) < 0 || check_no_srmaster(call->args[1], err) < 0)
		return NULL;
	if (xd_db_set_field(pbd_cls(), self, xd_dm_field_index(pbd_cls(), "device_config"),
			    call->args[1], err) < 0)
		return NULL;
	return xd_void();
}

void xd_api_pbd_register(void)
{
	xd_generic_set_hooks("PBD", &pbd_hooks);
	xd_rpc_register("PBD", "create", h_create);
	xd_rpc_register("PBD", "destroy", h_destroy);
	xd_rpc_register("PBD", "plug", h_plug);
	xd_rpc_register("PBD", "unplug", h_unplug);
	xd_rpc_register("PBD", "set_device_config", h_set_device_config);
}
