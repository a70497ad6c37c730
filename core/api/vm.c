/* vm.c - VM behaviour that the implicit constructor and destructor carry:
 * a VM is created with its VM_metrics object and destroyed with it, its
 * guest metrics, VBDs and VIFs (as xapi does). */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "generic.h"
#include "ids.h"
#include "rpc.h"

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

static int vm_destroy_check(const xd_call *call, const char *ref, const xd_value *record,
			    xd_error *err)
{
	const xd_value *ps = xd_struct_get(record, "power_state");
	const xd_value *cd = xd_struct_get(record, "is_control_domain");
	if (cd && cd->u.b)
		return xd_error_set(err, "OPERATION_NOT_ALLOWED",
				    "The control domain cannot be destroyed", NULL);
	if (ps && strcmp(ps->u.s, "Halted") != 0 && strcmp(ps->u.s, "Suspended") != 0) {
		char actual[32];
		size_t i;
		for (i = 0; ps->u.s[i] && i < sizeof actual - 1; i++)
			actual[i] = (char)(ps->u.s[i] | 0x20);
		actual[i] = 0;
		return xd_error_set(err, "VM_BAD_POWER_STATE", ref, "halted", actual, NULL);
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
	if (destroy_ref_field(txn, record, "metrics", "VM_metrics", err) < 0 ||
	    destroy_ref_field(txn, record, "guest_metrics", "VM_guest_metrics", err) < 0 ||
	    destroy_ref_set(txn, record, "VBDs", "VBD", err) < 0 ||
	    destroy_ref_set(txn, record, "VIFs", "VIF", err) < 0 ||
	    destroy_ref_set(txn, record, "consoles", "console", err) < 0)
		return -1;
	return 0;
}

static const xd_class_hooks vm_hooks = {
	.create_write = vm_create_write,
	.destroy_check = vm_destroy_check,
	.destroy_write = vm_destroy_write,
};

void xd_api_vm_register(void)
{
	xd_generic_set_hooks("VM", &vm_hooks);
}
