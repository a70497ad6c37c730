/* host_evacuate.c - host.disable / host.enable (no new VMs on a disabled
 * host: VM.start and its kin answer HOST_DISABLED) and xapi's evacuation
 * plan: host.get_vms_which_prevent_evacuation and host.evacuate.
 *
 * The plan follows xapi's compute_evacuation_plan: each VM resident on the
 * host (the control domain aside) needs another enabled host to go to; with
 * none, the VM's entry is NO_HOSTS_AVAILABLE [vm]. evacuate raises the first
 * entry's error, and with nothing resident it succeeds without moving
 * anything. A host is alone until pools exist (issue 16): there the plan's
 * other hosts and VM.pool_migrate come in.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db/db.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "rpc/rpc.h"
#include "vm_int.h"

static int set_enabled(const char *host, bool on, xd_error *err)
{
	const xd_class *hc = xd_dm_class("host");
	int f = xd_dm_field_index(hc, "enabled");
	xd_value *cur = xd_db_get_field(hc, host, f);
	bool was = cur && cur->t == XD_V_BOOL && cur->u.b;
	int rc = 0;

	xd_value_free(cur);
	if (was != on) {
		xd_value *v = xd_bool(on);
		rc = xd_db_set_field(hc, host, f, v, err);
		xd_value_free(v);
		if (rc == 0)
			xd_info("host %s %s by user request", host, on ? "enabled" : "disabled");
	}
	return rc;
}

static xd_value *h_disable(const xd_call *call, xd_error *err)
{
	const char *host = xd_arg_str(call, 0);

	if (xd_check_ref(call->cls, host, err) < 0 || set_enabled(host, false, err) < 0)
		return NULL;
	return xd_void();
}

static xd_value *h_enable(const xd_call *call, xd_error *err)
{
	const char *host = xd_arg_str(call, 0);

	if (xd_check_ref(call->cls, host, err) < 0 || set_enabled(host, true, err) < 0)
		return NULL;
	return xd_void();
}

/* Is there an enabled host other than host for its VMs to go to? */
static bool other_enabled_host(const char *host)
{
	const xd_class *hc = xd_dm_class("host");
	xd_value *all = xd_db_get_all(hc);
	int f = xd_dm_field_index(hc, "enabled");
	bool found = false;

	for (size_t i = 0; all && i < all->u.arr.n && !found; i++) {
		const char *h = all->u.arr.items[i]->u.s;
		xd_value *en;

		if (strcmp(h, host) == 0)
			continue;
		en = xd_db_get_field(hc, h, f);
		found = en && en->t == XD_V_BOOL && en->u.b;
		xd_value_free(en);
	}
	xd_value_free(all);
	return found;
}

/* The plan's errors: VM ref -> [code, params...] for each resident VM that
 * cannot leave the host (a map; empty when the host can be evacuated). */
static xd_value *evacuation_blockers(const char *host)
{
	const xd_class *hc = xd_dm_class("host"), *vc = xd_dm_class("VM");
	xd_value *vms = xd_db_get_field(hc, host, xd_dm_field_index(hc, "resident_VMs"));
	xd_value *plan = xd_struct();
	bool targets = other_enabled_host(host);

	for (size_t i = 0; vms && vms->t == XD_V_ARRAY && i < vms->u.arr.n; i++) {
		const char *vm = vms->u.arr.items[i]->u.s;
		xd_value *rec = xd_db_get_record(vc, vm), *why;

		if (!rec || xd_rec_bool(rec, "is_control_domain")) {
			xd_value_free(rec);
			continue;
		}
		xd_value_free(rec);
		why = xd_array();
		/* other hosts are there only in a pool, and moving a VM to one is
		 * VM.pool_migrate's: until then say so rather than pretend */
		xd_array_append_take(why, xd_string(targets ? "NOT_IMPLEMENTED"
							    : "NO_HOSTS_AVAILABLE"));
		xd_array_append_take(why, xd_string(targets ? "VM.pool_migrate" : vm));
		xd_struct_set_take(plan, vm, why);
	}
	xd_value_free(vms);
	return plan;
}

static xd_value *h_get_vms_which_prevent_evacuation(const xd_call *call, xd_error *err)
{
	const char *host = xd_arg_str(call, 0);

	if (xd_check_ref(call->cls, host, err) < 0)
		return NULL;
	return evacuation_blockers(host);
}

static xd_value *h_evacuate(const xd_call *call, xd_error *err)
{
	const char *host = xd_arg_str(call, 0), *network = xd_arg_str(call, 1);
	xd_value *plan;

	if (xd_check_ref(call->cls, host, err) < 0)
		return NULL;
	if (!xd_ref_is_null(network) && xd_check_ref(xd_dm_class("network"), network, err) < 0)
		return NULL;
	plan = evacuation_blockers(host);
	if (plan->u.st.n > 0) {
		/* xapi raises the first error of its plan as it is */
		const xd_value *why = plan->u.st.m[0].v;

		xd_error_set(err, why->u.arr.items[0]->u.s, why->u.arr.items[1]->u.s, NULL);
		xd_value_free(plan);
		return NULL;
	}
	xd_value_free(plan);
	return xd_void();
}

void xd_api_host_evacuate_register(void)
{
	xd_rpc_register("host", "disable", h_disable);
	xd_rpc_register("host", "enable", h_enable);
	xd_rpc_register("host", "get_vms_which_prevent_evacuation",
			h_get_vms_which_prevent_evacuation);
	xd_rpc_register("host", "evacuate", h_evacuate);
}
