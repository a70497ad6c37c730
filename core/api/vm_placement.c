/* vm_placement.c - where a VM may boot: VM.assert_can_boot_here and
 * VM.get_possible_hosts, with the checks VM.start makes before building a
 * domain (xd_vm_validate_for_boot). One host until pools: another host's
 * ref is a host that cannot be reached from here (HOST_OFFLINE, as VM.start_on
 * answers).
 */
#include <string.h>

#include "api.h"
#include "auth/session.h"
#include "generic/generic.h"
#include "vm_int.h"

static int can_boot_here(const char *vm, const char *host, xd_error *err)
{
	const char *me = xd_this_host();
	xd_value *rec;
	int rc;

	if (me && strcmp(me, host) != 0)
		return xd_error_set(err, "HOST_OFFLINE", host, NULL);
	if (!(rec = xd_db_get_record(xd_dm_class("VM"), vm)))
		return xd_error_set(err, "HANDLE_INVALID", "VM", vm, NULL);
	rc = xd_vm_validate_for_boot(vm, rec, err);
	xd_value_free(rec);
	return rc;
}

static xd_value *h_assert_can_boot_here(const xd_call *call, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0), *host = xd_arg_str(call, 1);

	if (xd_check_ref(call->cls, vm, err) < 0 ||
	    xd_check_ref(xd_dm_class("host"), host, err) < 0 || can_boot_here(vm, host, err) < 0)
		return NULL;
	return xd_void();
}

/* The hosts on which the VM could boot now; xapi leaves out, without an
 * error, every host whose checks fail. */
static xd_value *h_get_possible_hosts(const xd_call *call, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0);
	xd_value *hosts, *ok;

	if (xd_check_ref(call->cls, vm, err) < 0)
		return NULL;
	hosts = xd_db_get_all(xd_dm_class("host"));
	ok = xd_array();
	for (size_t i = 0; hosts && i < hosts->u.arr.n; i++) {
		xd_error why = XD_ERROR_INIT;

		if (can_boot_here(vm, hosts->u.arr.items[i]->u.s, &why) == 0)
			xd_array_append_take(ok, xd_string(hosts->u.arr.items[i]->u.s));
		xd_error_clear(&why);
	}
	xd_value_free(hosts);
	return ok;
}

void xd_api_vm_placement_register(void)
{
	xd_rpc_register("VM", "assert_can_boot_here", h_assert_can_boot_here);
	xd_rpc_register("VM", "get_possible_hosts", h_get_possible_hosts);
}
