/* vm.c - VM behaviour that the implicit constructor and destructor carry:
 * a VM is created Halted (domid -1, its domain type derived from the boot
 * policy as xapi's, allowed_operations computed) with its VM_metrics
 * object, and destroyed with it, its guest metrics, VBDs, VIFs and blobs
 * (as xapi does) when the destroy operation is allowed. The other VM modules
 * (vm_int.h) register from here. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "blob_int.h"
#include "db/db.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "rpc/rpc.h"
#include "vm_int.h"

static int vm_create_check(const xd_call *call, const char *ref, xd_value *record,
			   xd_error *err)
{
	xd_rec_set(record, "domid", xd_int(-1));
	/* xapi gives every new VM a mac_seed: its VIFs' MACs come from it */
	xd_value *oc = xd_struct_get(record, "other_config");
	if (oc && oc->t == XD_V_STRUCT && !xd_struct_get(oc, "mac_seed"))
		xd_struct_set_take(oc, "mac_seed", xd_string_take(xd_uuid_new()));
	if (strcmp(xd_rec_str(record, "domain_type"), "unspecified") == 0)
		xd_rec_set(record, "domain_type", xd_string(xd_vm_domain_type(record)));
	xd_rec_set(record, "memory_overhead", xd_int(xd_vm_memory_overhead(record)));
	xd_rec_set(record, "allowed_operations", xd_vm_allowed_ops(ref, record));
	return 0;
}

static int vm_create_write(const xd_call *call, xd_db_txn *txn, const char *ref,
			   xd_value *record, xd_error *err)
{
	const xd_class *mc = xd_dm_class("VM_metrics");
	xd_value *m = xd_struct();
	char *mref = xd_ref_new();
	xd_generic_fill_defaults(mc, m);
	int rc = xd_db_txn_create(txn, mc, mref, m, err);
	if (rc == 0)
		xd_struct_set_take(record, "metrics", xd_string(mref));
	free(mref);
	return rc;
}

/* xapi: assert_operation_valid destroy, then no deleting a default template. */
static int vm_destroy_check(const xd_call *call, const char *ref, const xd_value *record,
			    xd_error *err)
{
	if (xd_vm_check_op(ref, record, "destroy", err) < 0)
		return -1;
	const char *dt = xd_rec_map_get(record, "other_config", "default_template");
	if (dt && strcmp(dt, "true") == 0)
		return xd_error_set(err, "VM_CANNOT_DELETE_DEFAULT_TEMPLATE", NULL);
	/* its blobs go first, each as blob.destroy (their bytes too), a
	 * failure ignored, as xapi's Xapi_vm.destroy */
	const xd_value *blobs = xd_struct_get(record, "blobs");
	for (size_t i = 0; blobs && blobs->t == XD_V_STRUCT && i < blobs->u.st.n; i++) {
		xd_error ignored = XD_ERROR_INIT;
		if (xd_blob_destroy(blobs->u.st.m[i].v->u.s, &ignored) < 0)
			xd_info("VM.destroy: blob %s: %s", blobs->u.st.m[i].v->u.s, ignored.code);
		xd_error_clear(&ignored);
	}
	return 0;
}

/* Companions that exist only for this VM go with it. */
static int destroy_ref_field(xd_db_txn *txn, const xd_value *record, const char *field,
			     const char *cls, xd_error *err)
{
	const xd_value *v = xd_struct_get(record, field);
	const xd_class *c = xd_dm_class(cls);
	if (!v || v->t != XD_V_STRING || xd_ref_is_null(v->u.s) || !xd_db_txn_exists(txn, c, v->u.s))
		return 0;
	return xd_db_txn_destroy(txn, c, v->u.s, err);
}

static int destroy_ref_set(xd_db_txn *txn, const xd_value *record, const char *field,
			   const char *cls, xd_error *err)
{
	const xd_value *v = xd_struct_get(record, field);
	const xd_class *c = xd_dm_class(cls);
	if (!v || v->t != XD_V_ARRAY)
		return 0;
	for (size_t i = 0; i < v->u.arr.n; i++) {
		const char *r = v->u.arr.items[i]->u.s;
		/* another client may have destroyed it since the record was read */
		if (xd_db_txn_exists(txn, c, r) && xd_db_txn_destroy(txn, c, r, err) < 0)
			return -1;
	}
	return 0;
}

static int vm_destroy_write(const xd_call *call, xd_db_txn *txn, const char *ref,
			    const xd_value *record, xd_error *err)
{
	/* a suspended VM kept without a suspend SR has its image in a file */
	if (strcmp(xd_rec_str(record, "power_state"), "Suspended") == 0 &&
	    xd_ref_is_null(xd_rec_str(record, "suspend_VDI"))) {
		char *path = xd_vm_suspend_file(xd_rec_str(record, "uuid"));
		unlink(path);
		free(path);
	}
	if (destroy_ref_field(txn, record, "metrics", "VM_metrics", err) < 0 ||
	    destroy_ref_field(txn, record, "guest_metrics", "VM_guest_metrics", err) < 0 ||
	    destroy_ref_set(txn, record, "VBDs", "VBD", err) < 0 ||
	    destroy_ref_set(txn, record, "VIFs", "VIF", err) < 0 ||
	    destroy_ref_set(txn, record, "consoles", "console", err) < 0)
		return -1;
	return 0;
}

static const xd_class_hooks vm_hooks = {
	.create_check = vm_create_check,
	.create_write = vm_create_write,
	.destroy_check = vm_destroy_check,
	.destroy_write = vm_destroy_write,
};

void xd_api_vm_register(void)
{
	xd_generic_set_hooks("VM", &vm_hooks);
	xd_api_vm_lifecycle_register();
	xd_api_vm_settings_register();
	xd_api_vm_clone_register();
	xd_api_vm_revert_register();
	xd_api_vm_provision_register();
	xd_api_vm_placement_register();
}
