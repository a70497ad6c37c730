/* sr.c - the SR messages (xapi_sr.ml and message_forwarding.ml's SR
 * module): create, introduce, forget, destroy, scan, update,
 * get_supported_types and the setters of fields that are read-only in the
 * record. Probing is in sr_probe.c, PBDs in pbd.c. Each change marks the
 * SR (storage/storage.h, "Operations") so that allowed/current_operations follow, as xapi's. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "auth/session.h"
#include "db/db.h"
#include "generic/generic.h"
#include "ids.h"
#include "loader/plugins.h"
#include "log.h"
#include "rpc/rpc.h"
#include "storage/storage.h"
#include "storage_api.h"

static const xd_class *sr_cls(void)
{
	return xd_dm_class("SR");
}

/* The refs of a ref-set field (new array) or NULL if the object is gone. */
static xd_value *ref_set(const xd_class *c, const char *ref, const char *field)
{
	return xd_db_get_field(c, ref, xd_dm_field_index(c, field));
}

/* xapi keeps SR types in lower case. */
static char *lower(const char *s)
{
	char *out = strdup(s), *p;
	if (!out)
		abort();
	for (p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

/* ---- introduce / forget ----------------------------------------------------- */

/* A new SR record (xapi_sr.ml introduce). Returns the ref or NULL. */
static char *introduce_record(const char *uuid, const xd_value *name_label,
			      const xd_value *name_description, const char *type,
			      const xd_value *content_type, bool shared, const xd_value *sm_config,
			      xd_error *err)
{
	const xd_class *c = sr_cls();
	if (uuid && uuid[0]) {
		char *existing = xd_db_ref_by_uuid(c, uuid);
		if (existing) {
			free(existing);
			xd_error_set(err, "SR_UUID_EXISTS", uuid, NULL);
			return NULL;
		}
		if (!xd_uuid_valid(uuid)) {
			xd_error_set(err, "UUID_INVALID", "SR", uuid, NULL);
			return NULL;
		}
	}
	xd_value *rec = xd_struct();
	if (uuid && uuid[0])
		xd_struct_set_take(rec, "uuid", xd_string(uuid));
	xd_struct_set_take(rec, "name_label", xd_value_copy(name_label));
	xd_struct_set_take(rec, "name_description", xd_value_copy(name_description));
	xd_struct_set_take(rec, "type", xd_string_take(lower(type)));
	xd_struct_set_take(rec, "content_type", xd_value_copy(content_type));
	xd_struct_set_take(rec, "shared", xd_bool(shared));
	xd_struct_set_take(rec, "sm_config", xd_value_copy(sm_config));
	/* sizes unknown until a driver reports them, as xapi's introduce */
	xd_struct_set_take(rec, "virtual_allocation", xd_int(0));
	xd_struct_set_take(rec, "physical_utilisation", xd_int(-1));
	xd_struct_set_take(rec, "physical_size", xd_int(-1));
	xd_struct_set_take(rec, "introduced_by", xd_string(XD_NULL_REF));
	xd_generic_fill_defaults(c, rec);
	char *ref = xd_ref_new();
	if (xd_db_create(c, ref, rec, err) < 0) {
		free(ref);
		return NULL;
	}
	xd_storage_sr_refresh(ref);
	return ref;
}

static xd_value *h_introduce(const xd_call *call, xd_error *err)
{
	char *ref = introduce_record(xd_arg_str(call, 0), call->args[1], call->args[2],
				     xd_arg_str(call, 3), call->args[4], xd_arg_bool(call, 5),
				     call->args[6], err);
	return ref ? xd_string_take(ref) : NULL;
}

/* The SR, its PBDs and its VDI records go; the data stays (xapi's
 * really_forget). */
static int really_forget(const char *sr, xd_error *err)
{
	const xd_class *pbd = xd_dm_class("PBD"), *vdi = xd_dm_class("VDI");
	xd_value *pbds = ref_set(sr_cls(), sr, "PBDs"), *vdis = ref_set(sr_cls(), sr, "VDIs");
	xd_db_txn *t = xd_db_begin();
	for (size_t i = 0; vdis && i < vdis->u.arr.n; i++)
		if (xd_db_txn_exists(t, vdi, vdis->u.arr.items[i]->u.s))
			xd_db_txn_destroy(t, vdi, vdis->u.arr.items[i]->u.s, err);
	for (size_t i = 0; pbds && i < pbds->u.arr.n; i++)
		if (xd_db_txn_exists(t, pbd, pbds->u.arr.items[i]->u.s))
			xd_db_txn_destroy(t, pbd, pbds->u.arr.items[i]->u.s, err);
	xd_db_txn_destroy(t, sr_cls(), sr, err);
	int rc = xd_db_commit(t, err);
	xd_value_free(pbds);
	xd_value_free(vdis);
	return rc;
}

static xd_value *h_forget(const xd_call *call, xd_error *err)
{
	const char *sr = xd_arg_str(call, 0);
	xd_storage_op_key k;
	xd_storage_op_key_init(&k, call);
	/* a plugged SR must be unplugged first: SR_HAS_PBD */
	if (xd_storage_mark(&k, sr, "forget", NULL, NULL, err) < 0)
		return NULL;
	xd_info("SR.forget: SR %s", sr);
	if (really_forget(sr, err) < 0) {
		xd_storage_unmark(&k, sr, NULL);
		return NULL;
	}
	return xd_void();
}

/* ---- create / destroy ------------------------------------------------------- */

static char *new_pbd(const char *sr, const char *host, const xd_value *device_config,
		     xd_error *err)
{
	const xd_class *c = xd_dm_class("PBD");
	xd_value *rec = xd_struct();
	xd_struct_set_take(rec, "host", xd_string(host));
	xd_struct_set_take(rec, "SR", xd_string(sr));
	xd_struct_set_take(rec, "device_config", xd_value_copy(device_config));
	xd_struct_set_take(rec, "currently_attached", xd_bool(false));
	xd_struct_set_take(rec, "other_config", xd_struct());
	xd_generic_fill_defaults(c, rec);
	char *ref = xd_ref_new();
	if (xd_db_create(c, ref, rec, err) < 0) {
		free(ref);
		return NULL;
	}
	return ref;
}

/* PBD.plug as SR.create does it, under a plug mark of its own. Unlike
 * xapi's SR.create (which plugs Async and only logs a failure) the error
 * comes back: xapi's SMAPIv1 drivers attach inside sr_create, so there an
 * SR whose storage cannot be reached is never made; our drivers attach in
 * a separate op, and SR.create keeps that promise by failing here. No
 * scan: xapi's SR.create does not scan either (doc/storage.md). */
static int plug_new_pbd(const char *sr, const char *pbd, const char *task, xd_error *err)
{
	xd_storage_op_key k;
	xd_storage_op_key_init(&k, NULL);
	k.task = task;
	if (xd_storage_mark(&k, sr, "plug", NULL, NULL, err) < 0)
		return -1;
	int rc = xd_pbd_plug_marked(pbd, task, err);
	xd_storage_unmark(&k, sr, NULL);
	return rc;
}

/* Undoes what the driver did for an SR whose attach failed in SR.create:
 * sr_detach (a failed attach may have done half its work; detach is safe
 * to repeat), then sr_delete if sr_create made something. No task: a
 * cancelled SR.create must still clean up. Failures are logged, the
 * caller's error is the attach's. */
static void undo_driver_create(const xd_storage_sr *s)
{
	xd_sr_args args = { 0 };
	xd_sr_result r = { 0 };
	xd_error e = XD_ERROR_INIT;
	xd_storage_call(s, XD_SR_DETACH, &args, NULL, &r, &e);
	xd_sr_result_clear(&r);
	xd_error_clear(&e);
	if (!xd_plugins_sr_can(s->sr.type, XD_SR_CREATE))
		return; /* sr_create made nothing */
	if (!xd_plugins_sr_can(s->sr.type, XD_SR_DELETE)) {
		xd_err("SR.create: the %s driver has no sr_delete: what its sr_create made for SR %s "
		       "stays on its storage", s->sr.type, s->sr.uuid);
		return;
	}
	xd_sr_args dargs = { 0 };
	if (xd_storage_call(s, XD_SR_DELETE, &dargs, NULL, &r, &e) < 0)
		xd_err("SR.create: sr_delete of SR %s after its failed attach failed too (%s %s): "
		       "the %s driver's storage of that SR is left for the operator to remove",
		       s->sr.uuid, e.code ? e.code : "?", e.nparams > 1 ? e.params[1] : "",
		       s->sr.type);
	else
		xd_info("SR.create: SR %s: what sr_create made was deleted again", s->sr.uuid);
	xd_sr_result_clear(&r);
	xd_error_clear(&e);
}

static xd_value *h_create(const xd_call *call, xd_error *err)
{
	const char *host = xd_arg_str(call, 0);
	const xd_value *device_config = call->args[1];
	int64_t size = xd_arg_int(call, 2);
	char *type = lower(xd_arg_str(call, 5));
	bool shared = xd_arg_bool(call, 7);
	xd_value *pbds = xd_array(), *hosts = NULL, *res = NULL;
	char *sr = NULL;
	xd_storage_sr s = { 0 };
	xd_sr_result r = { 0 };

	if (xd_check_ref(xd_dm_class("host"), host, err) < 0)
		goto out;
	if (!xd_plugins_has_sr_type(type)) {
		xd_error_set(err, "SR_UNKNOWN_DRIVER", type, NULL);
		goto out;
	}
	const xd_value *srmaster = xd_struct_get(device_config, "SRmaster");
	if (srmaster) {
		xd_error_set(err, "VALUE_NOT_SUPPORTED", "SRmaster", srmaster->u.s,
			     "This key is for internal use only", NULL);
		goto out;
	}
	if (!xd_this_host() || strcmp(host, xd_this_host()) != 0) {
		/* xapi forwards to that host; we are a single host */
		xd_error_set(err, "HOST_OFFLINE", host, NULL);
		goto out;
	}
	xd_info("SR.create: type %s, name label '%s'%s", type, xd_arg_str(call, 3),
		shared ? ", shared" : "");
	/* the record first, so that the driver could read its sm_config */
	sr = introduce_record(NULL, call->args[3], call->args[4], type, call->args[6], shared,
			      call->args[8], err);
	if (!sr)
		goto out;
	hosts = shared ? xd_db_get_all(xd_dm_class("host")) : xd_array();
	if (!shared)
		xd_array_append_take(hosts, xd_string(host));
	for (size_t i = 0; i < hosts->u.arr.n; i++) {
		char *pbd = new_pbd(sr, hosts->u.arr.items[i]->u.s, device_config, err);
		if (!pbd)
			goto undo;
		xd_array_append_take(pbds, xd_string_take(pbd));
	}
	if (xd_storage_sr_open(sr, &s, err) < 0)
		goto undo;
	xd_sr_args args = { .size = size };
	/* sr_create is optional: a driver without one makes nothing (as the
	 * SMAPIv1 drivers that take an existing directory or device) */
	if (xd_plugins_sr_can(type, XD_SR_CREATE) &&
	    xd_storage_call(&s, XD_SR_CREATE, &args, call->task, &r, err) < 0) {
		xd_storage_fix_error(err, sr, NULL, NULL, -1);
		goto undo;
	}
	for (size_t i = 0; i < r.nsrs; i++)
		xd_storage_sync_sr(sr, &r.srs[i], err);
	xd_error_clear(err);
	xd_storage_sr_refresh(sr);
	/* this host's PBD (the others' hosts would plug theirs, as xapi's) */
	if (s.pbd && plug_new_pbd(sr, s.pbd, call->task, err) < 0) {
		xd_warn("SR.create: SR %s could not be attached (%s): it is removed again", s.sr.uuid,
			err->code ? err->code : "?");
		undo_driver_create(&s);
		goto undo;
	}
	res = xd_string(sr);
	goto out;
undo:
	/* the driver made nothing, failed, or what it made was deleted again:
	 * the records go too */
	{
		xd_error ignore = XD_ERROR_INIT;
		really_forget(sr, &ignore);
		xd_error_clear(&ignore);
	}
out:
	xd_sr_result_clear(&r);
	xd_storage_sr_close(&s);
	xd_value_free(pbds);
	xd_value_free(hosts);
	free(sr);
	free(type);
	return res;
}

static xd_value *h_destroy(const xd_call *call, xd_error *err)
{
	const char *sr = xd_arg_str(call, 0);
	xd_storage_op_key k;
	xd_storage_sr s = { 0 };
	xd_sr_result r = { 0 };
	xd_value *res = NULL;
	xd_storage_op_key_init(&k, call);
	/* SR_HAS_PBD while plugged, SR_HAS_NO_PBDS without PBDs, SR_NOT_EMPTY
	 * with managed VDIs: the checks of the destroy operation */
	if (xd_storage_mark(&k, sr, "destroy", NULL, NULL, err) < 0)
		return NULL;
	if (xd_storage_sr_open(sr, &s, err) < 0)
		goto out;
	xd_value *oc = xd_struct_get(s.record, "other_config");
	const xd_value *ind = oc ? xd_struct_get(oc, "indestructible") : NULL;
	if (ind && ind->t == XD_V_STRING && strcmp(ind->u.s, "true") == 0) {
		xd_error_set(err, "SR_INDESTRUCTIBLE", sr, NULL);
		goto out;
	}
	if (!s.pbd) {
		xd_error_set(err, "SR_HAS_NO_PBDS", sr, NULL);
		goto out;
	}
	xd_info("SR.destroy: SR %s (%s)", s.sr.uuid, s.sr.type);
	/* drivers delete an attached SR (xapi attaches it for the call) */
	xd_sr_args args = { 0 };
	if (xd_storage_call(&s, XD_SR_ATTACH, &args, call->task, &r, err) < 0)
		goto fixed;
	xd_sr_result_clear(&r);
	if (xd_storage_call(&s, XD_SR_DELETE, &args, call->task, &r, err) < 0) {
		xd_error derr = XD_ERROR_INIT;
		xd_sr_result dr = { 0 };
		/* the undo runs without the task: a cancel that ended the
		 * delete must not kill the detach too */
		xd_storage_call(&s, XD_SR_DETACH, &args, NULL, &dr, &derr);
		xd_sr_result_clear(&dr);
		xd_error_clear(&derr);
		goto fixed;
	}
	if (really_forget(sr, err) == 0)
		res = xd_void();
	goto out;
fixed:
	xd_storage_fix_error(err, sr, NULL, NULL, -1);
out:
	if (!res)
		xd_storage_unmark(&k, sr, NULL);
	xd_sr_result_clear(&r);
	xd_storage_sr_close(&s);
	return res;
}

/* ---- scan / update ------------------------------------------------------------ */

int xd_sr_scan_marked(const char *sr, const char *task, xd_error *err)
{
	xd_storage_sr s;
	xd_sr_result r = { 0 };
	int rc = -1;
	if (xd_storage_sr_open(sr, &s, err) < 0 || xd_storage_sr_require_attached(&s, err) < 0)
		goto out;
	xd_sr_args args = { 0 };
	if (xd_storage_call(&s, XD_SR_SCAN, &args, task, &r, err) < 0) {
		xd_storage_fix_error(err, sr, NULL, NULL, -1);
		goto out;
	}
	if (xd_storage_sync_scan(sr, &r, err) < 0)
		goto out;
	xd_storage_sr_refresh_all_vdis(sr);
	rc = 0;
out:
	xd_sr_result_clear(&r);
	xd_storage_sr_close(&s);
	return rc;
}

static xd_value *h_scan(const xd_call *call, xd_error *err)
{
	const char *sr = xd_arg_str(call, 0);
	xd_storage_op_key k;
	xd_storage_op_key_init(&k, call);
	if (xd_storage_mark(&k, sr, "scan", NULL, NULL, err) < 0)
		return NULL;
	int rc = xd_sr_scan_marked(sr, call->task, err);
	xd_storage_unmark(&k, sr, NULL);
	return rc == 0 ? xd_void() : NULL;
}

static xd_value *h_update(const xd_call *call, xd_error *err)
{
	const char *sr = xd_arg_str(call, 0);
	xd_storage_sr s;
	xd_sr_result r = { 0 };
	xd_value *res = NULL;
	/* lock free in xapi (CA-27630): no mark */
	if (xd_storage_sr_open(sr, &s, err) < 0 || xd_storage_sr_require_attached(&s, err) < 0)
		goto out;
	xd_sr_args args = { 0 };
	if (xd_storage_call(&s, XD_SR_UPDATE, &args, call->task, &r, err) < 0) {
		xd_storage_fix_error(err, sr, NULL, NULL, -1);
		goto out;
	}
	for (size_t i = 0; i < r.nsrs; i++)
		if (xd_storage_sync_sr(sr, &r.srs[i], err) < 0)
			goto out;
	res = xd_void();
out:
	xd_sr_result_clear(&r);
	xd_storage_sr_close(&s);
	return res;
}

static xd_value *h_get_supported_types(const xd_call *call, xd_error *err)
{
	return xd_plugins_sr_types();
}

/* ---- setters ------------------------------------------------------------------ */

/* SR.set_name_label & co: explicit messages because the fields are
 * read-only in the record. xapi runs them on a host with the SR plugged. */
static xd_value *set_named_field(const xd_call *call, const char *field, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	if (xd_check_ref(call->cls, self, err) < 0)
		return NULL;
	if (!xd_storage_sr_any_attached(self)) {
		xd_error_set(err, "SR_HAS_NO_PBDS", self, NULL);
		return NULL;
	}
	if (xd_db_set_field(call->cls, self, xd_dm_field_index(call->cls, field), call->args[1], err) < 0)
		return NULL;
	return xd_void();
}

static xd_value *h_set_name_label(const xd_call *call, xd_error *err)
{
	return set_named_field(call, "name_label", err);
}

static xd_value *h_set_name_description(const xd_call *call, xd_error *err)
{
	return set_named_field(call, "name_description", err);
}

static xd_value *h_set_shared(const xd_call *call, xd_error *err)
{
	const char *sr = xd_arg_str(call, 0);
	xd_value *res = NULL, *pbds = NULL;
	if (xd_check_ref(call->cls, sr, err) < 0)
		return NULL;
	if (!xd_arg_bool(call, 1)) {
		/* an SR seen by several hosts cannot become local */
		pbds = ref_set(call->cls, sr, "PBDs");
		if (pbds && pbds->u.arr.n > 1) {
			const char *params[XD_ERROR_MAX_PARAMS];
			size_t n = 0;
			for (; n < pbds->u.arr.n && n < XD_ERROR_MAX_PARAMS; n++)
				params[n] = pbds->u.arr.items[n]->u.s;
			xd_error_setv(err, "SR_HAS_MULTIPLE_PBDS", params, n);
			goto out;
		}
	}
	if (xd_db_set_field(call->cls, sr, xd_dm_field_index(call->cls, "shared"), call->args[1],
			    err) == 0)
		res = xd_void();
out:
	xd_value_free(pbds);
	return res;
}

void xd_api_sr_register(void)
{
	xd_rpc_register("SR", "create", h_create);
	xd_rpc_register("SR", "introduce", h_introduce);
	xd_rpc_register("SR", "forget", h_forget);
	xd_rpc_register("SR", "destroy", h_destroy);
	xd_rpc_register("SR", "scan", h_scan);
	xd_rpc_register("SR", "update", h_update);
	xd_rpc_register("SR", "get_supported_types", h_get_supported_types);
	xd_rpc_register("SR", "set_name_label", h_set_name_label);
	xd_rpc_register("SR", "set_name_description", h_set_name_description);
	xd_rpc_register("SR", "set_shared", h_set_shared);
	xd_api_sr_probe_register();
}
