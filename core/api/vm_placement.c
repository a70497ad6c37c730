/* vm_placement.c - where a VM may boot: VM.assert_can_boot_here,
 * VM.get_possible_hosts and VM.assert_agile (could it run on any host of
 * the pool: xapi's agility rules), with the checks VM.start makes before building a
 * domain (xd_vm_validate_for_boot). One host until pools: another host's
 * ref is a host that cannot be reached from here (HOST_OFFLINE, as VM.start_on
 * answers).
 */
#include <string.h>

#include "api.h"
#include "auth/session.h"
#include "generic/generic.h"
#include "ids.h"
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

/* The enabled hosts (heap array of refs). */
static xd_value *enabled_hosts(void)
{
	const xd_class *hc = xd_dm_class("host");
	xd_value *all = xd_db_get_all(hc), *out = xd_array();
	int f = xd_dm_field_index(hc, "enabled");

	for (size_t i = 0; all && i < all->u.arr.n; i++) {
		xd_value *en = xd_db_get_field(hc, all->u.arr.items[i]->u.s, f);

		if (en && en->t == XD_V_BOOL && en->u.b)
			xd_array_append_take(out, xd_string(all->u.arr.items[i]->u.s));
		xd_value_free(en);
	}
	xd_value_free(all);
	return out;
}

/* Does every enabled host have an object of cls (PBD, PIF) whose field
 * `on` is target and that counts (ok)? */
static bool on_every_host(const char *cls, const char *on, const char *target,
			  bool (*ok)(const xd_value *rec))
{
	const xd_class *c = xd_dm_class(cls);
	xd_value *hosts = enabled_hosts(), *all = xd_db_get_all(c);
	bool every = true;

	for (size_t h = 0; every && h < hosts->u.arr.n; h++) {
		bool found = false;

		for (size_t i = 0; !found && all && i < all->u.arr.n; i++) {
			xd_value *r = xd_db_get_record(c, all->u.arr.items[i]->u.s);

			found = r && strcmp(xd_rec_str(r, on), target) == 0 &&
				strcmp(xd_rec_str(r, "host"), hosts->u.arr.items[h]->u.s) == 0 && ok(r);
			xd_value_free(r);
		}
		every = found;
	}
	xd_value_free(hosts);
	xd_value_free(all);
	return every;
}

static bool pbd_plugged(const xd_value *pbd)
{
	return xd_rec_bool(pbd, "currently_attached");
}

/* a bond's members do not carry its traffic */
static bool pif_not_bond_slave(const xd_value *pif)
{
	return xd_ref_is_null(xd_rec_str(pif, "bond_slave_of"));
}

/* xapi's is_sr_properly_shared: shared, and plugged on every enabled host. */
static bool sr_properly_shared(const char *sr)
{
	const xd_class *c = xd_dm_class("SR");
	xd_value *shared = xd_db_get_field(c, sr, xd_dm_field_index(c, "shared"));
	bool ok = shared && shared->t == XD_V_BOOL && shared->u.b &&
		  on_every_host("PBD", "SR", sr, pbd_plugged);

	xd_value_free(shared);
	return ok;
}

/* The first reason the VM could not run on every host, in xapi's order. */
static int assert_agile(const char *vm, const xd_value *rec, xd_error *err)
{
	const xd_value *vgpus = xd_struct_get(rec, "VGPUs"), *vusbs = xd_struct_get(rec, "VUSBs");
	const xd_value *vbds = xd_struct_get(rec, "VBDs"), *vifs = xd_struct_get(rec, "VIFs");
	int rc = 0;

	if (vgpus && vgpus->t == XD_V_ARRAY && vgpus->u.arr.n > 0)
		return xd_error_set(err, "VM_HAS_VGPU", vm, NULL);
	if (vusbs && vusbs->t == XD_V_ARRAY && vusbs->u.arr.n > 0)
		return xd_error_set(err, "VM_HAS_VUSBS", vm, NULL);
	for (size_t i = 0; rc == 0 && vbds && i < vbds->u.arr.n; i++) {
		xd_value *b = xd_db_get_record(xd_dm_class("VBD"), vbds->u.arr.items[i]->u.s);
		xd_value *d = b && !xd_rec_bool(b, "empty")
				      ? xd_db_get_record(xd_dm_class("VDI"), xd_rec_str(b, "VDI"))
				      : NULL;

		if (d && !sr_properly_shared(xd_rec_str(d, "SR")))
			rc = xd_error_set(err, "HA_CONSTRAINT_VIOLATION_SR_NOT_SHARED",
					  xd_rec_str(d, "SR"), NULL);
		xd_value_free(d);
		xd_value_free(b);
	}
	for (size_t i = 0; rc == 0 && vifs && i < vifs->u.arr.n; i++) {
		xd_value *v = xd_db_get_record(xd_dm_class("VIF"), vifs->u.arr.items[i]->u.s);
		const char *net = v ? xd_rec_str(v, "network") : "";

		if (v && !on_every_host("PIF", "network", net, pif_not_bond_slave))
			rc = xd_error_set(err, "HA_CONSTRAINT_VIOLATION_NETWORK_NOT_SHARED", net, NULL);
		xd_value_free(v);
	}
	return rc;
}

static xd_value *h_assert_agile(const xd_call *call, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0);
	xd_value *rec;
	int rc;

	if (xd_check_ref(call->cls, vm, err) < 0 || !(rec = xd_db_get_record(call->cls, vm)))
		return NULL;
	rc = assert_agile(vm, rec, err);
	xd_value_free(rec);
	return rc < 0 ? NULL : xd_void();
}

void xd_api_vm_placement_register(void)
{
	xd_rpc_register("VM", "assert_can_boot_here", h_assert_can_boot_here);
	xd_rpc_register("VM", "get_possible_hosts", h_get_possible_hosts);
	xd_rpc_register("VM", "assert_agile", h_assert_agile);
}
