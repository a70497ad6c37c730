/* vdi.c - VDI messages that make, remove or describe VDIs (xapi_vdi.ml,
 * message_forwarding.ml's VDI module): create, destroy, introduce, forget,
 * update and the setters of read-only fields. Snapshot, clone and resize
 * are in vdi_ops.c, copy in vdi_copy.c, the HTTP transfers in vdi_http.c. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db/db.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "rpc/rpc.h"
#include "storage/storage.h"
#include "storage_api.h"

static const xd_class *vdi_cls(void)
{
	return xd_dm_class("VDI");
}

/* ---- create ------------------------------------------------------------------ */

/* The driver's vdi_create for a complete VDI record, whose location,
 * sizes and sm_config it then fills (xapi_vdi.ml create). */
static int driver_create(xd_value *record, const char *task, xd_error *err)
{
	const char *sr = xd_storage_rec_str(record, "SR");
	xd_storage_sr s;
	xd_sr_result r = { 0 };
	int rc = -1;
	if (strcmp(xd_storage_rec_str(record, "type"), "cbt_metadata") == 0)
		return xd_error_set(err, "VDI_INCOMPATIBLE_TYPE", "", "cbt_metadata", NULL);
	if (xd_storage_sr_open(sr, &s, err) < 0 || xd_storage_sr_require_attached(&s, err) < 0)
		goto out;
	xd_vdi_info want = {
		.uuid = (char *)xd_storage_rec_str(record, "uuid"),
		.name_label = (char *)xd_storage_rec_str(record, "name_label"),
		.name_description = (char *)xd_storage_rec_str(record, "name_description"),
		.virtual_size = xd_storage_rec_int(record, "virtual_size"),
		.physical_utilisation = -1,
		.read_only = xd_storage_rec_bool(record, "read_only"),
		.sm_config = xd_struct_get(record, "sm_config"),
	};
	xd_sr_args args = { .want = &want };
	if (xd_storage_call(&s, XD_VDI_CREATE, &args, task, &r, err) < 0) {
		xd_storage_fix_error(err, sr, NULL, "create", want.virtual_size);
		goto out;
	}
	const xd_vdi_info *vi = xd_storage_emitted_vdi(&r, "vdi_create", err);
	if (!vi)
		goto out;
	char *clash = xd_storage_vdi_by_location(sr, vi->location);
	if (clash) {
		free(clash);
		xd_error_set(err, "LOCATION_NOT_UNIQUE", sr, vi->location, NULL);
		goto out;
	}
	if (vi->uuid && xd_uuid_valid(vi->uuid) && strcmp(vi->uuid, want.uuid) != 0) {
		char *taken = xd_db_ref_by_uuid(vdi_cls(), vi->uuid);
		if (!taken)
			xd_struct_set_take(record, "uuid", xd_string(vi->uuid));
		free(taken);
	}
	if (vi->virtual_size > 0)
		xd_struct_set_take(record, "virtual_size", xd_int(vi->virtual_size));
	xd_struct_set_take(record, "physical_utilisation",
			   xd_int(vi->physical_utilisation > 0 ? vi->physical_utilisation : 0));
	xd_struct_set_take(record, "location", xd_string(vi->location));
	xd_struct_set_take(record, "managed", xd_bool(true));
	xd_struct_set_take(record, "missing", xd_bool(false));
	if (vi->sm_config && vi->sm_config->t == XD_V_STRUCT) {
		xd_value *m = xd_struct_get(record, "sm_config");
		for (size_t i = 0; m && i < vi->sm_config->u.st.n; i++)
			xd_struct_set_take(m, vi->sm_config->u.st.m[i].name,
					   xd_value_copy(vi->sm_config->u.st.m[i].v));
	}
	xd_info("VDI.create: SR %s: %s (%lld bytes)", s.sr.uuid, vi->location,
		(long long)xd_storage_rec_int(record, "virtual_size"));
	rc = 0;
out:
	xd_sr_result_clear(&r);
	xd_storage_sr_close(&s);
	return rc;
}

static int vdi_create_check(const xd_call *call, const char *ref, xd_value *record, xd_error *err)
{
	return driver_create(record, call->task, err);
}

static const xd_class_hooks vdi_hooks = { .create_check = vdi_create_check };

/* The SR a create record names, if it is one (else the generic create
 * reports what is wrong with the record). */
static const char *record_sr(const xd_value *rec)
{
	const xd_value *sr = rec && rec->t == XD_V_STRUCT ? xd_struct_get(rec, "SR") : NULL;
	if (!sr || sr->t != XD_V_STRING || !xd_db_exists(xd_dm_class("SR"), sr->u.s))
		return NULL;
	return sr->u.s;
}

/* VDI.create: the generic create (the record as the datamodel builds it)
 * with the driver call in its check hook and the SR marked vdi_create. */
static xd_value *h_create(const xd_call *call, xd_error *err)
{
	xd_handler_fn generic = xd_generic_handler(call->cls, call->msg);
	const char *sr = record_sr(call->nargs ? call->args[0] : NULL);
	xd_storage_op_key k;
	xd_storage_op_key_init(&k, call);
	if (sr && xd_storage_mark(&k, sr, "vdi_create", NULL, NULL, err) < 0)
		return NULL;
	xd_value *res = generic(call, err);
	if (res)
		xd_storage_vdi_refresh(res->u.s);
	if (sr)
		xd_storage_unmark(&k, sr, NULL);
	return res;
}

char *xd_vdi_create_record(const char *task, xd_value *record, xd_error *err)
{
	const char *sr_name = xd_storage_rec_str(record, "SR");
	char *sr = strdup(sr_name), *ref = NULL;
	xd_storage_op_key k;
	xd_storage_op_key_init(&k, NULL);
	k.task = task;
	if (xd_check_ref(xd_dm_class("SR"), sr, err) < 0 ||
	    xd_storage_mark(&k, sr, "vdi_create", NULL, NULL, err) < 0) {
		xd_value_free(record);
		free(sr);
		return NULL;
	}
	xd_generic_fill_defaults(vdi_cls(), record);
	if (driver_create(record, task, err) == 0) {
		ref = xd_ref_new();
		if (xd_db_create(vdi_cls(), ref, record, err) < 0) {
			free(ref);
			ref = NULL;
		} else {
			xd_storage_vdi_refresh(ref);
		}
	} else {
		xd_value_free(record);
	}
	xd_storage_unmark(&k, sr, NULL);
	free(sr);
	return ref;
}

/* ---- destroy / forget ---------------------------------------------------------- */

typedef struct suspend_ctx {
	const char *vdi;
	int field;
	xd_value *vms;
} suspend_ctx;

static int find_suspend(const char *ref, const xd_value *const *fields, void *ud)
{
	suspend_ctx *cx = ud;
	const xd_value *v = fields[cx->field];
	if (v->t == XD_V_STRING && strcmp(v->u.s, cx->vdi) == 0)
		xd_array_append_take(cx->vms, xd_string(ref));
	return 0;
}

/* The record goes, with its VBDs, and VMs suspended onto it forget it. */
static int destroy_records(const char *vdi, const xd_value *rec, xd_error *err)
{
	const xd_class *vm = xd_dm_class("VM"), *vbd = xd_dm_class("VBD");
	suspend_ctx cx = { vdi, xd_dm_field_index(vm, "suspend_VDI"), xd_array() };
	xd_db_foreach(vm, find_suspend, &cx);
	const xd_value *vbds = xd_struct_get(rec, "VBDs");
	xd_value *null = xd_string(XD_NULL_REF);
	xd_db_txn *t = xd_db_begin();
	xd_db_txn_destroy(t, vdi_cls(), vdi, err);
	for (size_t i = 0; vbds && vbds->t == XD_V_ARRAY && i < vbds->u.arr.n; i++)
		if (xd_db_txn_exists(t, vbd, vbds->u.arr.items[i]->u.s))
			xd_db_txn_destroy(t, vbd, vbds->u.arr.items[i]->u.s, err);
	for (size_t i = 0; i < cx.vms->u.arr.n; i++)
		xd_db_txn_set_field(t, vm, cx.vms->u.arr.items[i]->u.s, cx.field, null, err);
	int rc = xd_db_commit(t, err);
	xd_value_free(null);
	xd_value_free(cx.vms);
	return rc;
}

static bool has_unmanaged(const char *sr)
{
	const xd_class *src = xd_dm_class("SR");
	xd_value *vdis = xd_db_get_field(src, sr, xd_dm_field_index(src, "VDIs"));
	bool yes = false;
	for (size_t i = 0; vdis && i < vdis->u.arr.n && !yes; i++) {
		xd_value *m = xd_db_get_field(vdi_cls(), vdis->u.arr.items[i]->u.s,
					      xd_dm_field_index(vdi_cls(), "managed"));
		yes = m && !m->u.b;
		xd_value_free(m);
	}
	xd_value_free(vdis);
	return yes;
}

int xd_vdi_destroy_marked(const char *vdi, const char *task, xd_error *err)
{
	xd_value *rec = xd_db_get_record(vdi_cls(), vdi);
	xd_storage_sr s = { 0 };
	xd_sr_result r = { 0 };
	int rc = -1;
	if (!rec)
		return xd_error_set(err, "HANDLE_INVALID", "VDI", vdi, NULL);
	const char *sr = xd_storage_rec_str(rec, "SR");
	if (xd_storage_sr_open(sr, &s, err) < 0 || xd_storage_sr_require_attached(&s, err) < 0)
		goto out;
	if (!xd_storage_rec_bool(rec, "managed")) {
		xd_error_set(err, "VDI_NOT_MANAGED", vdi, NULL);
		goto out;
	}
	xd_sr_args args = { .location = xd_storage_rec_str(rec, "location") };
	if (xd_storage_call(&s, XD_VDI_DELETE, &args, task, &r, err) < 0) {
		xd_storage_fix_error(err, sr, vdi, "destroy", -1);
		goto out;
	}
	xd_info("VDI.destroy: %s (%s in SR %s)", vdi, args.location, s.sr.uuid);
	if (destroy_records(vdi, rec, err) < 0)
		goto out;
	if (has_unmanaged(sr)) {
		/* the driver may have collected hidden parents: forget them too */
		xd_error serr = XD_ERROR_INIT;
		if (xd_sr_scan_marked(sr, task, &serr) < 0)
			xd_warn("VDI.destroy: rescan of SR %s failed: %s", sr, serr.code);
		xd_error_clear(&serr);
	}
	rc = 0;
out:
	xd_sr_result_clear(&r);
	xd_storage_sr_close(&s);
	xd_value_free(rec);
	return rc;
}

/* The VDI's SR (heap) or NULL with HANDLE_INVALID. */
static char *sr_of(const char *vdi, xd_error *err)
{
	xd_value *sr = vdi ? xd_db_get_field(vdi_cls(), vdi, xd_dm_field_index(vdi_cls(), "SR")) : NULL;
	if (!sr) {
		xd_error_set(err, "HANDLE_INVALID", "VDI", vdi ? vdi : "", NULL);
		return NULL;
	}
	char *s = strdup(sr->u.s);
	xd_value_free(sr);
	return s;
}

static int destroy_keyed(const xd_storage_op_key *k, const char *vdi, xd_error *err)
{
	char *sr = sr_of(vdi, err);
	int rc = -1;
	if (!sr)
		return -1;
	/* VDI_IN_USE [vdi, destroy] while a VBD is attached */
	if (xd_storage_mark(k, sr, "vdi_destroy", vdi, "destroy", err) == 0) {
		rc = xd_vdi_destroy_marked(vdi, k->task, err);
		xd_storage_unmark(k, sr, vdi);
	}
	free(sr);
	return rc;
}

int xd_vdi_destroy_internal(const char *vdi, const char *task, xd_error *err)
{
	xd_storage_op_key k;
	xd_storage_op_key_init(&k, NULL);
	k.task = task;
	return destroy_keyed(&k, vdi, err);
}

static xd_value *h_destroy(const xd_call *call, xd_error *err)
{
	xd_storage_op_key k;
	xd_storage_op_key_init(&k, call);
	return destroy_keyed(&k, xd_arg_str(call, 0), err) == 0 ? xd_void() : NULL;
}

static xd_value *h_forget(const xd_call *call, xd_error *err)
{
	const char *vdi = xd_arg_str(call, 0);
	char *sr = sr_of(vdi, err);
	xd_storage_op_key k;
	xd_value *res = NULL;
	if (!sr)
		return NULL;
	xd_storage_op_key_init(&k, call);
	if (xd_storage_mark(&k, NULL, NULL, vdi, "forget", err) < 0)
		goto out;
	/* the record only: the data stays, VBDs keep pointing at it (xapi) */
	if (xd_db_destroy(vdi_cls(), vdi, err) == 0)
		res = xd_void();
	xd_storage_unmark(&k, NULL, vdi);
	xd_storage_sr_refresh(sr);
out:
	free(sr);
	return res;
}

/* ---- introduce / update ------------------------------------------------------- */

static xd_value *h_introduce(const xd_call *call, xd_error *err)
{
	const char *uuid = xd_arg_str(call, 0), *sr = xd_arg_str(call, 3);
	const char *location = xd_arg_str(call, 8);
	xd_storage_op_key k;
	xd_storage_sr s = { 0 };
	xd_sr_result r = { 0 };
	xd_value *res = NULL;
	char *ref = NULL, *clash = NULL;
	if (xd_check_ref(xd_dm_class("SR"), sr, err) < 0)
		return NULL;
	if (uuid[0] && !xd_uuid_valid(uuid)) {
		xd_error_set(err, "UUID_INVALID", "VDI", uuid, NULL);
		return NULL;
	}
	xd_storage_op_key_init(&k, call);
	if (xd_storage_mark(&k, sr, "vdi_introduce", NULL, NULL, err) < 0)
		return NULL;
	if (xd_storage_sr_open(sr, &s, err) < 0 || xd_storage_sr_require_attached(&s, err) < 0)
		goto out;
	/* the location is unique in the SR, unless it is this very VDI again */
	clash = xd_storage_vdi_by_location(sr, location);
	if (clash) {
		xd_value *cu = xd_db_get_field(vdi_cls(), clash, xd_dm_field_index(vdi_cls(), "uuid"));
		bool same = cu && strcmp(cu->u.s, uuid) == 0;
		xd_value_free(cu);
		if (!same) {
			xd_error_set(err, "LOCATION_NOT_UNIQUE", sr, location, NULL);
			goto out;
		}
	}
	if (!clash && uuid[0]) {
		char *taken = xd_db_ref_by_uuid(vdi_cls(), uuid);
		if (taken) {
			free(taken);
			xd_error_set(err, "DB_UNIQUENESS_CONSTRAINT_VIOLATION", "VDI", "uuid", uuid, NULL);
			goto out;
		}
	}
	xd_sr_args args = { .location = location };
	if (xd_storage_call(&s, XD_VDI_INTRODUCE, &args, call->task, &r, err) < 0) {
		xd_storage_fix_error(err, sr, NULL, "introduce", -1);
		goto out;
	}
	const xd_vdi_info *vi = xd_storage_emitted_vdi(&r, "vdi_introduce", err);
	if (!vi)
		goto out;
	xd_vdi_info mine = *vi;
	if (uuid[0])
		mine.uuid = (char *)uuid;
	ref = xd_storage_sync_vdi(sr, &mine, err);
	if (!ref)
		goto out;
	/* the fields that belong to the API, not to the storage */
	const char *fields[] = { "other_config", "xenstore_data", "sharable", "type" };
	const size_t args_of[] = { 7, 9, 5, 4 };
	for (size_t i = 0; i < 4; i++)
		if (xd_db_set_field(vdi_cls(), ref, xd_dm_field_index(vdi_cls(), fields[i]),
				    call->args[args_of[i]], err) < 0)
			goto out;
	if (xd_arg_str(call, 1)[0] &&
	    xd_db_set_field(vdi_cls(), ref, xd_dm_field_index(vdi_cls(), "name_label"),
			    call->args[1], err) < 0)
		goto out;
	if (xd_arg_str(call, 2)[0] &&
	    xd_db_set_field(vdi_cls(), ref, xd_dm_field_index(vdi_cls(), "name_description"),
			    call->args[2], err) < 0)
		goto out;
	xd_storage_vdi_refresh(ref);
	res = xd_string(ref);
out:
	xd_storage_unmark(&k, sr, NULL);
	xd_sr_result_clear(&r);
	xd_storage_sr_close(&s);
	free(ref);
	free(clash);
	return res;
}

static xd_value *h_update(const xd_call *call, xd_error *err)
{
	const char *vdi = xd_arg_str(call, 0);
	xd_value *rec = xd_db_get_record(vdi_cls(), vdi), *res = NULL;
	xd_storage_op_key k;
	xd_storage_sr s = { 0 };
	xd_sr_result r = { 0 };
	if (!rec) {
		xd_error_set(err, "HANDLE_INVALID", "VDI", vdi, NULL);
		return NULL;
	}
	const char *sr = xd_storage_rec_str(rec, "SR");
	xd_storage_op_key_init(&k, call);
	if (xd_storage_mark(&k, NULL, NULL, vdi, "update", err) < 0)
		goto free;
	if (xd_storage_sr_open(sr, &s, err) < 0 || xd_storage_sr_require_attached(&s, err) < 0)
		goto out;
	xd_sr_args args = { .location = xd_storage_rec_str(rec, "location") };
	if (xd_storage_call(&s, XD_VDI_UPDATE, &args, call->task, &r, err) < 0) {
		xd_storage_fix_error(err, sr, vdi, "update", -1);
		goto out;
	}
	const xd_vdi_info *vi = xd_storage_emitted_vdi(&r, "vdi_update", err);
	char *ref = vi ? xd_storage_sync_vdi(sr, vi, err) : NULL;
	if (ref)
		res = xd_void();
	free(ref);
out:
	xd_storage_unmark(&k, NULL, vdi);
free:
	xd_sr_result_clear(&r);
	xd_storage_sr_close(&s);
	xd_value_free(rec);
	return res;
}

/* ---- setters ------------------------------------------------------------------ */

static int set_field(const char *vdi, const char *field, const xd_value *v, xd_error *err)
{
	return xd_db_set_field(vdi_cls(), vdi, xd_dm_field_index(vdi_cls(), field), v, err);
}

/* VDI.set_name_label / set_name_description: run where the SR is plugged
 * (xapi's forward_vdi_op). */
static xd_value *set_name(const xd_call *call, const char *field, xd_error *err)
{
	const char *vdi = xd_arg_str(call, 0);
	char *sr = sr_of(vdi, err);
	xd_value *res = NULL;
	if (!sr)
		return NULL;
	if (!xd_storage_sr_any_attached(sr))
		xd_error_set(err, "SR_HAS_NO_PBDS", sr, NULL);
	else if (set_field(vdi, field, call->args[1], err) == 0)
		res = xd_void();
	free(sr);
	return res;
}

static xd_value *h_set_name_label(const xd_call *call, xd_error *err)
{
	return set_name(call, "name_label", err);
}

static xd_value *h_set_name_description(const xd_call *call, xd_error *err)
{
	return set_name(call, "name_description", err);
}

/* VM_BAD_POWER_STATE [vm, halted, actual] if a VM using the VDI runs. */
static int assert_not_on_running_vm(const char *vdi, xd_error *err)
{
	const xd_class *vbd = xd_dm_class("VBD"), *vm = xd_dm_class("VM");
	xd_value *vbds = xd_db_get_field(vdi_cls(), vdi, xd_dm_field_index(vdi_cls(), "VBDs"));
	int rc = 0;
	for (size_t i = 0; vbds && i < vbds->u.arr.n && rc == 0; i++) {
		xd_value *v = xd_db_get_field(vbd, vbds->u.arr.items[i]->u.s,
					      xd_dm_field_index(vbd, "VM"));
		xd_value *ps = v ? xd_db_get_field(vm, v->u.s, xd_dm_field_index(vm, "power_state"))
				 : NULL;
		if (ps && strcmp(ps->u.s, "Halted") != 0) {
			char actual[32];
			size_t j = 0;
			for (; ps->u.s[j] && j < sizeof(actual) - 1; j++)
				actual[j] = (char)(ps->u.s[j] >= 'A' && ps->u.s[j] <= 'Z'
							   ? ps->u.s[j] - 'A' + 'a'
							   : ps->u.s[j]);
			actual[j] = 0;
			rc = xd_error_set(err, "VM_BAD_POWER_STATE", v->u.s, "halted", actual, NULL);
		}
		xd_value_free(v);
		xd_value_free(ps);
	}
	xd_value_free(vbds);
	return rc;
}

static xd_value *h_set_on_boot(const xd_call *call, xd_error *err)
{
	const char *vdi = xd_arg_str(call, 0);
	char *sr = sr_of(vdi, err);
	xd_storage_op_key k;
	xd_value *res = NULL;
	if (!sr || assert_not_on_running_vm(vdi, err) < 0)
		goto out;
	xd_storage_op_key_init(&k, call);
	/* needs VDI_RESET_ON_BOOT from the driver */
	if (xd_storage_mark(&k, sr, "vdi_set_on_boot", vdi, "set_on_boot", err) < 0)
		goto out;
	if (!xd_storage_sr_any_attached(sr))
		xd_error_set(err, "SR_HAS_NO_PBDS", sr, NULL);
	else if (set_field(vdi, "on_boot", call->args[1], err) == 0)
		res = xd_void();
	xd_storage_unmark(&k, sr, vdi);
out:
	free(sr);
	return res;
}

static xd_value *h_set_allow_caching(const xd_call *call, xd_error *err)
{
	const char *vdi = xd_arg_str(call, 0);
	if (xd_check_ref(vdi_cls(), vdi, err) < 0 || assert_not_on_running_vm(vdi, err) < 0 ||
	    set_field(vdi, "allow_caching", call->args[1], err) < 0)
		return NULL;
	return xd_void();
}

/* VDI.set_read_only / set_sharable: xapi lets only the SR's own driver
 * session call them (Sm.assert_session_has_internal_sr_access); we have no
 * such sessions, so every client gets xapi's PERMISSION_DENIED [""]. */
static xd_value *h_sm_only(const xd_call *call, xd_error *err)
{
	if (xd_check_ref(vdi_cls(), xd_arg_str(call, 0), err) < 0)
		return NULL;
	xd_error_set(err, "PERMISSION_DENIED", "", NULL);
	return NULL;
}

void xd_api_vdi_register(void)
{
	xd_generic_set_hooks("VDI", &vdi_hooks);
	xd_rpc_register("VDI", "create", h_create);
	xd_rpc_register("VDI", "destroy", h_destroy);
	xd_rpc_register("VDI", "forget", h_forget);
	xd_rpc_register("VDI", "introduce", h_introduce);
	xd_rpc_register("VDI", "update", h_update);
	xd_rpc_register("VDI", "set_name_label", h_set_name_label);
	xd_rpc_register("VDI", "set_name_description", h_set_name_description);
	xd_rpc_register("VDI", "set_on_boot", h_set_on_boot);
	xd_rpc_register("VDI", "set_allow_caching", h_set_allow_caching);
	xd_rpc_register("VDI", "set_read_only", h_sm_only);
	xd_rpc_register("VDI", "set_sharable", h_sm_only);
	xd_api_vdi_ops_register();
	xd_api_vdi_copy_register();
}
