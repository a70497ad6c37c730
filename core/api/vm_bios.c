/* vm_bios.c - a VM's BIOS strings, as xapi's: set once, from a host
 * (VM.copy_bios_strings: the host's own, and the VM is given that host as
 * its affinity) or from the caller (VM.set_bios_strings: only the keys a
 * user may set, over xapi's generic strings); a VM started without any
 * gets the generic ones (xd_vm_bios_generic_if_unset). Once set, they do
 * not change: VM_BIOS_STRINGS_ALREADY_SET. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "bios_strings.h"
#include "generic/generic.h"
#include "vm_int.h"

#define BIOS_STRING_LIMIT 512


static bool has_strings(const xd_value *rec)
{
	const xd_value *b = xd_struct_get(rec, "bios_strings");

	return b && b->t == XD_V_STRUCT && b->u.st.n > 0;
}

void xd_vm_bios_generic_if_unset(xd_value *rec)
{
	xd_value *m;

	if (has_strings(rec))
		return;
	m = xd_struct();
	for (size_t i = 0; i < XD_BIOS_GENERIC_COUNT; i++)
		xd_struct_set_take(m, xd_bios_generic[i][0], xd_string(xd_bios_generic[i][1]));
	xd_rec_set(rec, "bios_strings", m);
}

/* xapi's assert_valid_bios_strings: INVALID_VALUE [key, why]. */
static int check_value(const char *k, const xd_value *v, xd_error *err)
{
	bool settable = false;
	const char *s = v->t == XD_V_STRING ? v->u.s : "";
	size_t len = strlen(s);

	for (size_t i = 0; i < XD_BIOS_SETTABLE; i++)
		settable |= strcmp(xd_bios_generic[i][0], k) == 0;
	if (!settable)
		return xd_error_set(err, "INVALID_VALUE", k, "Unknown key", NULL);
	if (len == 0)
		return xd_error_set(err, "INVALID_VALUE", k, "Value provided is empty", NULL);
	if (len > BIOS_STRING_LIMIT) {
		char why[BIOS_STRING_LIMIT + 64];

		snprintf(why, sizeof why, "%.*s has length more than %d characters",
			 BIOS_STRING_LIMIT + 1, s, BIOS_STRING_LIMIT);
		return xd_error_set(err, "INVALID_VALUE", k, why, NULL);
	}
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 32 || (unsigned char)*p >= 127)
			return xd_error_set(err, "INVALID_VALUE", k,
					    "Range of characters allowed are: ASCII printable "
					    "characters from 32 to 126",
					    NULL);
	return 0;
}

/* Sets the VM's strings (m taken) and, for a copy, its affinity. */
static xd_value *store(const char *vm, xd_value *m, const char *affinity, xd_error *err)
{
	xd_vm_update *u = xd_vm_update_begin(vm, err);
	xd_value *rec;

	if (!u) {
		xd_value_free(m);
		return NULL;
	}
	rec = xd_vm_update_after(u);
	if (has_strings(rec)) {
		xd_value_free(m);
		xd_vm_update_abort(u);
		xd_error_set(err, "VM_BIOS_STRINGS_ALREADY_SET", NULL);
		return NULL;
	}
	xd_rec_set(rec, "bios_strings", m);
	if (affinity)
		xd_rec_set(rec, "affinity", xd_string(affinity));
	return xd_vm_update_commit(u, err) < 0 ? NULL : xd_void();
}

static xd_value *h_copy_bios_strings(const xd_call *call, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0), *host = xd_arg_str(call, 1);
	const xd_class *hc = xd_dm_class("host");
	xd_value *m;

	if (xd_check_ref(call->cls, vm, err) < 0 || xd_check_ref(hc, host, err) < 0)
		return NULL;
	m = xd_db_get_field(hc, host, xd_dm_field_index(hc, "bios_strings"));
	if (!m || m->t != XD_V_STRUCT) {
		xd_value_free(m);
		m = xd_struct();
	}
	return store(vm, m, host, err);
}

static xd_value *h_set_bios_strings(const xd_call *call, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0);
	const xd_value *value = call->nargs > 1 ? call->args[1] : NULL;
	xd_value *m;

	if (xd_check_ref(call->cls, vm, err) < 0)
		return NULL;
	if (!value || value->t != XD_V_STRUCT) /* the rpc layer coerced it: never */
		return xd_error_setf(err, "INTERNAL_ERROR", "bios strings are not a map"), NULL;
	/* the check order is xapi's: already set, then the keys and values */
	{
		xd_value *cur = xd_db_get_field(call->cls, vm,
						xd_dm_field_index(call->cls, "bios_strings"));
		bool set = cur && cur->t == XD_V_STRUCT && cur->u.st.n > 0;

		xd_value_free(cur);
		if (set) {
			xd_error_set(err, "VM_BIOS_STRINGS_ALREADY_SET", NULL);
			return NULL;
		}
	}
	for (size_t i = 0; i < value->u.st.n; i++)
		if (check_value(value->u.st.m[i].name, value->u.st.m[i].v, err) < 0)
			return NULL;
	m = xd_struct();
	for (size_t i = 0; i < XD_BIOS_GENERIC_COUNT; i++) {
		const xd_value *v = xd_struct_get(value, xd_bios_generic[i][0]);

		xd_struct_set_take(m, xd_bios_generic[i][0],
				   xd_string(v && v->t == XD_V_STRING ? v->u.s : xd_bios_generic[i][1]));
	}
	return store(vm, m, NULL, err);
}

void xd_api_vm_bios_register(void)
{
	xd_rpc_register("VM", "copy_bios_strings", h_copy_bios_strings);
	xd_rpc_register("VM", "set_bios_strings", h_set_bios_strings);
}
