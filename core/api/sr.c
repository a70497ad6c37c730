/* sr.c - SR messages that are database operations in xapi too: introduce
 * (a record for storage that already exists), forget, and the explicit
 * setters of fields that are read-only in the record. The ones that reach a
 * storage driver (create, destroy, scan, probe...) come with the plugin ABI. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "generic.h"
#include "ids.h"
#include "rpc.h"

static xd_value *h_introduce(const xd_call *call, xd_error *err)
{
	const xd_class *c = call->cls;
	const char *uuid = xd_arg_str(call, 0);
	char *existing = NULL;
	if (uuid[0]) {
		existing = xd_db_ref_by_uuid(c, uuid);
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
	if (uuid[0])
		xd_struct_set_take(rec, "uuid", xd_string(uuid));
	xd_struct_set_take(rec, "name_label", xd_value_copy(call->args[1]));
	xd_struct_set_take(rec, "name_description", xd_value_copy(call->args[2]));
	xd_struct_set_take(rec, "type", xd_value_copy(call->args[3]));
	xd_struct_set_take(rec, "content_type", xd_value_copy(call->args[4]));
	xd_struct_set_take(rec, "shared", xd_value_copy(call->args[5]));
	xd_struct_set_take(rec, "sm_config", xd_value_copy(call->args[6]));
	xd_struct_set_take(rec, "introduced_by", xd_string(XD_NULL_REF));
	xd_generic_fill_defaults(c, rec);
	char *ref = xd_ref_new();
	if (xd_db_create(c, ref, rec, err) < 0) {
		free(ref);
		return NULL;
	}
	return xd_string_take(ref);
}

/* The refs of a ref-set field (new array) or NULL if the object is gone. */
static xd_value *ref_set(const xd_class *c, const char *ref, const char *field)
{
	return xd_db_get_field(c, ref, xd_dm_field_index(c, field));
}

static xd_value *h_forget(const xd_call *call, xd_error *err)
{
	const char *sr = xd_arg_str(call, 0);
	const xd_class *pbd = xd_dm_class("PBD"), *vdi = xd_dm_class("VDI");
	xd_value *pbds = ref_set(call->cls, sr, "PBDs"), *vdis = NULL, *res = NULL;
	if (!pbds) {
		xd_error_set(err, "HANDLE_INVALID", "SR", sr, NULL);
		return NULL;
	}
	/* a plugged SR must be unplugged first, as xapi asks */
	for (size_t i = 0; i < pbds->u.arr.n; i++) {
		xd_value *att = xd_db_get_field(pbd, pbds->u.arr.items[i]->u.s,
						xd_dm_field_index(pbd, "currently_attached"));
		bool attached = att && att->u.b;
		xd_value_free(att);
		if (attached) {
			xd_error_set(err, "SR_HAS_PBD", sr, NULL);
			goto out;
		}
	}
	vdis = ref_set(call->cls, sr, "VDIs");
	xd_db_txn *t = xd_db_begin();
	for (size_t i = 0; vdis && i < vdis->u.arr.n; i++)
		if (xd_db_txn_exists(t, vdi, vdis->u.arr.items[i]->u.s))
			xd_db_txn_destroy(t, vdi, vdis->u.arr.items[i]->u.s, err);
	for (size_t i = 0; i < pbds->u.arr.n; i++)
		if (xd_db_txn_exists(t, pbd, pbds->u.arr.items[i]->u.s))
			xd_db_txn_destroy(t, pbd, pbds->u.arr.items[i]->u.s, err);
	xd_db_txn_destroy(t, call->cls, sr, err);
	if (xd_db_commit(t, err) == 0)
		res = xd_void();
out:
	xd_value_free(pbds);
	xd_value_free(vdis);
	return res;
}

/* SR.set_name_label & co: explicit messages because the fields are
 * read-only in the record; the value goes to the db (the storage driver
 * is told once drivers exist). */
static xd_value *set_named_field(const xd_call *call, const char *field, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	if (xd_check_ref(call->cls, self, err) < 0)
		return NULL;
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
	return set_named_field(call, "shared", err);
}

void xd_api_sr_register(void)
{
	xd_rpc_register("SR", "introduce", h_introduce);
	xd_rpc_register("SR", "forget", h_forget);
	xd_rpc_register("SR", "set_name_label", h_set_name_label);
	xd_rpc_register("SR", "set_name_description", h_set_name_description);
	xd_rpc_register("SR", "set_shared", h_set_shared);
	xd_rpc_register("VDI", "set_name_label", h_set_name_label);
	xd_rpc_register("VDI", "set_name_description", h_set_name_description);
}
