/* vdi_ops.c - VDI.snapshot, VDI.clone, VDI.resize
 * (xapi_vdi.ml snapshot_and_clone, resize): driver calls on a marked SR
 * and VDI, and the records that follow. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* Opens the VDI's SR for a driver call: plugged here, VDI managed. */
static int open_for_op(const xd_value *rec, const char *vdi, xd_storage_sr *s, xd_error *err)
{
	if (xd_storage_sr_open(xd_storage_rec_str(rec, "SR"), s, err) < 0 ||
	    xd_storage_sr_require_attached(s, err) < 0)
		return -1;
	if (!xd_storage_rec_bool(rec, "managed"))
		return xd_error_set(err, "VDI_NOT_MANAGED", vdi, NULL);
	return 0;
}

/* The new VDI gets the metadata the API owns from the original (xapi's
 * snapshot_and_clone), and a snapshot its snapshot fields. */
static int finish_copy(const char *fresh, const char *orig, const xd_value *orec, bool snapshot,
		       xd_error *err)
{
	static const char *const copied[] = {
		"name_label", "name_description", "type", "sharable", "other_config",
		"xenstore_data", "on_boot", "allow_caching", "tags", NULL,
	};
	const xd_class *c = vdi_cls();
	xd_value *yes = xd_bool(snapshot), *of = xd_string(snapshot ? orig : XD_NULL_REF);
	xd_value *when = xd_datetime(snapshot ? (int64_t)time(NULL) : 0);
	xd_db_txn *t = xd_db_begin();
	for (size_t i = 0; copied[i]; i++) {
		const xd_value *v = xd_struct_get(orec, copied[i]);
		if (v)
			xd_db_txn_set_field(t, c, fresh, xd_dm_field_index(c, copied[i]), v, err);
	}
	xd_db_txn_set_field(t, c, fresh, xd_dm_field_index(c, "is_a_snapshot"), yes, err);
	xd_db_txn_set_field(t, c, fresh, xd_dm_field_index(c, "snapshot_of"), of, err);
	xd_db_txn_set_field(t, c, fresh, xd_dm_field_index(c, "snapshot_time"), when, err);
	int rc = xd_db_commit(t, err);
	xd_value_free(yes);
	xd_value_free(of);
	xd_value_free(when);
	return rc;
}

char *xd_vdi_snapshot_or_clone(const xd_storage_op_key *k, const char *vdi, bool snapshot,
			       xd_error *err)
{
	xd_value *rec = xd_db_get_record(vdi_cls(), vdi);
	xd_storage_sr s = { 0 };
	xd_sr_result r = { 0 };
	char *fresh = NULL, *sr = NULL, *res = NULL, *uuid = NULL;
	if (!rec) {
		xd_error_set(err, "HANDLE_INVALID", "VDI", vdi, NULL);
		return NULL;
	}
	sr = strdup(xd_storage_rec_str(rec, "SR"));
	if (xd_storage_mark(k, sr, snapshot ? "vdi_snapshot" : "vdi_clone", vdi,
			    snapshot ? "snapshot" : "clone", err) < 0)
		goto free;
	if (open_for_op(rec, vdi, &s, err) < 0)
		goto out;
	/* the driver gets the new VDI's uuid and the original's description
	 * (xapi/storage.h), so that it can name the new volume after it */
	uuid = xd_uuid_new();
	xd_vdi_info want = {
		.uuid = uuid,
		.name_label = (char *)xd_storage_rec_str(rec, "name_label"),
		.name_description = (char *)xd_storage_rec_str(rec, "name_description"),
		.virtual_size = xd_storage_rec_int(rec, "virtual_size"),
		.physical_utilisation = -1,
		.read_only = xd_storage_rec_bool(rec, "read_only"),
		.is_a_snapshot = snapshot,
		.snapshot_of = snapshot ? (char *)xd_storage_rec_str(rec, "location") : NULL,
		.sm_config = xd_struct_get(rec, "sm_config"),
	};
	xd_sr_args args = { .location = xd_storage_rec_str(rec, "location"), .want = &want };
	if (xd_storage_call(&s, snapshot ? XD_VDI_SNAPSHOT : XD_VDI_CLONE, &args, k->task, &r,
			    err) < 0) {
		xd_storage_fix_error(err, sr, vdi, snapshot ? "snapshot" : "clone", -1);
		goto out;
	}
	const xd_vdi_info *vi = xd_storage_emitted_vdi(&r, snapshot ? "vdi_snapshot" : "vdi_clone", err);
	if (!vi)
		goto out;
	/* a driver that reports no uuid of its own gets the one it was given */
	xd_vdi_info named = *vi;
	if (!named.uuid || !xd_uuid_valid(named.uuid))
		named.uuid = uuid;
	if (!(fresh = xd_storage_sync_vdi(sr, &named, err)))
		goto out;
	if (finish_copy(fresh, vdi, rec, snapshot, err) < 0)
		goto out;
	xd_info("VDI.%s: %s -> %s (%s)", snapshot ? "snapshot" : "clone", vdi, fresh, vi->location);
	xd_storage_vdi_refresh(fresh);
	res = fresh;
	fresh = NULL;
out:
	xd_storage_unmark(k, sr, vdi);
free:
	xd_sr_result_clear(&r);
	xd_storage_sr_close(&s);
	xd_value_free(rec);
	free(fresh);
	free(sr);
	free(uuid);
	return res;
}

static xd_value *snapshot_or_clone(const xd_call *call, bool snapshot, xd_error *err)
{
	xd_storage_op_key k;
	xd_storage_op_key_init(&k, call);
	char *ref = xd_vdi_snapshot_or_clone(&k, xd_arg_str(call, 0), snapshot, err);
	return ref ? xd_string_take(ref) : NULL;
}

static xd_value *h_snapshot(const xd_call *call, xd_error *err)
{
	return snapshot_or_clone(call, true, err);
}

static xd_value *h_clone(const xd_call *call, xd_error *err)
{
	return snapshot_or_clone(call, false, err);
}

/* VDI.resize (VDI.resize_online, which takes the same storage path in
 * xapi, is not in the datamodel we serve: xapi removed it). */
static xd_value *resize(const xd_call *call, const char *op, xd_error *err)
{
	const char *vdi = xd_arg_str(call, 0);
	int64_t size = xd_arg_int(call, 1);
	xd_value *rec = xd_db_get_record(vdi_cls(), vdi), *res = NULL;
	xd_storage_op_key k;
	xd_storage_sr s = { 0 };
	xd_sr_result r = { 0 };
	char *sr = NULL, *ref = NULL;
	if (!rec) {
		xd_error_set(err, "HANDLE_INVALID", "VDI", vdi, NULL);
		return NULL;
	}
	sr = strdup(xd_storage_rec_str(rec, "SR"));
	xd_storage_op_key_init(&k, call);
	if (xd_storage_mark(&k, sr, "vdi_resize", vdi, op, err) < 0)
		goto free;
	if (open_for_op(rec, vdi, &s, err) < 0)
		goto out;
	xd_sr_args args = { .location = xd_storage_rec_str(rec, "location"), .size = size };
	if (xd_storage_call(&s, XD_VDI_RESIZE, &args, call->task, &r, err) < 0) {
		xd_storage_fix_error(err, sr, vdi, op, size);
		goto out;
	}
	const xd_vdi_info *vi = xd_storage_emitted_vdi(&r, "vdi_resize", err);
	if (!vi || !(ref = xd_storage_sync_vdi(sr, vi, err)))
		goto out;
	xd_info("VDI.%s: %s to %lld bytes", op, vdi, (long long)vi->virtual_size);
	res = xd_void();
out:
	xd_storage_unmark(&k, sr, vdi);
free:
	xd_sr_result_clear(&r);
	xd_storage_sr_close(&s);
	xd_value_free(rec);
	free(ref);
	free(sr);
	return res;
}

static xd_value *h_resize(const xd_call *call, xd_error *err)
{
	return resize(call, "resize", err);
}

void xd_api_vdi_ops_register(void)
{
	xd_rpc_register("VDI", "snapshot", h_snapshot);
	xd_rpc_register("VDI", "clone", h_clone);
	xd_rpc_register("VDI", "resize", h_resize);
}
