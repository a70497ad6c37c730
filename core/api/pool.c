/* pool.c - pool messages with behaviour. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "auth/session.h"
#include "db/db.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "net_api.h"
#include "rpc/rpc.h"

/* pool.get_master is the implicit getter; what pools add later (join,
 * eject, designate_new_master) lands here. For now: the one-host facts. */
static xd_value *h_sync_database(const xd_call *call, xd_error *err)
{
	/* one host, one database: every commit is already durable on return */
	return xd_void();
}

/* As xapi's: legacy SSL is gone (xapid speaks TLS 1.2 and later only), so
 * there is nothing left to disable. */
static xd_value *h_disable_ssl_legacy(const xd_call *call, xd_error *err)
{
	if (xd_check_ref(call->cls, xd_arg_str(call, 0), err) < 0)
		return NULL;
	xd_warn("pool.disable_ssl_legacy: doing nothing (legacy SSL is not supported)");
	return xd_void();
}

/* The PIFs of a network (its PIFs field; heap array, never NULL). */
static xd_value *pifs_of(const char *network)
{
	const xd_class *nc = xd_dm_class("network");
	xd_value *v = xd_db_get_field(nc, network, xd_dm_field_index(nc, "PIFs"));

	return v ? v : xd_array();
}

/* pool.create_VLAN_from_PIF as xapi: the VLAN on every PIF of the network
 * the given PIF is on (one per host), each of those destroyed again if one
 * fails; the new untagged PIFs. */
static xd_value *h_create_VLAN_from_PIF(const xd_call *call, xd_error *err)
{
	const char *pif = xd_arg_str(call, 0), *network = xd_arg_str(call, 1);
	int64_t tag = xd_arg_int(call, 2);
	const xd_class *pc = xd_dm_class("PIF"), *vc = xd_dm_class("VLAN");
	xd_value *on, *pifs, *made, *res;
	bool failed = false;

	if (xd_check_ref(pc, pif, err) < 0 || xd_check_ref(xd_dm_class("network"), network, err) < 0)
		return NULL;
	on = xd_db_get_field(pc, pif, xd_dm_field_index(pc, "network"));
	pifs = pifs_of(on ? on->u.s : "");
	xd_value_free(on);
	made = xd_array();
	for (size_t i = 0; !failed && i < pifs->u.arr.n; i++) {
		char *vlan = xd_api_vlan_create(pifs->u.arr.items[i]->u.s, tag, network, err);

		if (vlan)
			xd_array_append_take(made, xd_string_take(vlan));
		failed = !vlan;
	}
	res = xd_array();
	for (size_t i = 0; i < made->u.arr.n; i++) {
		const char *vlan = made->u.arr.items[i]->u.s;
		xd_value *untagged = xd_db_get_field(vc, vlan, xd_dm_field_index(vc, "untagged_PIF"));

		if (failed) {
			/* best effort, as xapi: the first error is the answer */
			xd_error ignored = XD_ERROR_INIT;

			xd_api_vlan_destroy(vlan, &ignored);
			xd_error_clear(&ignored);
		} else if (untagged) {
			xd_array_append_take(res, xd_string(untagged->u.s));
		}
		xd_value_free(untagged);
	}
	xd_value_free(made);
	xd_value_free(pifs);
	if (failed) {
		xd_value_free(res);
		return NULL;
	}
	return res;
}

/* pool.management_reconfigure as xapi: every host needs a PIF on the
 * network (PIF_NOT_PRESENT [host, network]) of one primary address type,
 * then each host's management moves to its PIF there. */
static xd_value *h_management_reconfigure(const xd_call *call, xd_error *err)
{
	const char *network = xd_arg_str(call, 0);
	const xd_class *pc = xd_dm_class("PIF");
	xd_value *pifs, *hosts, *first_type = NULL;
	int rc = 0;

	if (xd_check_ref(xd_dm_class("network"), network, err) < 0)
		return NULL;
	pifs = pifs_of(network);
	hosts = xd_db_get_all(xd_dm_class("host"));
	for (size_t h = 0; rc == 0 && hosts && h < hosts->u.arr.n; h++) {
		const char *host = hosts->u.arr.items[h]->u.s;
		const char *mine = NULL;

		for (size_t i = 0; !mine && i < pifs->u.arr.n; i++) {
			xd_value *ph = xd_db_get_field(pc, pifs->u.arr.items[i]->u.s,
						       xd_dm_field_index(pc, "host"));

			if (ph && strcmp(ph->u.s, host) == 0)
				mine = pifs->u.arr.items[i]->u.s;
			xd_value_free(ph);
		}
		if (!mine)
			rc = xd_error_set(err, "PIF_NOT_PRESENT", host, network, NULL);
	}
	for (size_t i = 0; rc == 0 && i < pifs->u.arr.n; i++) {
		xd_value *t = xd_db_get_field(pc, pifs->u.arr.items[i]->u.s,
					      xd_dm_field_index(pc, "primary_address_type"));

		if (!first_type)
			first_type = xd_value_copy(t);
		else if (t && strcmp(t->u.s, first_type->u.s) != 0)
			rc = xd_error_set(err, "PIF_INCOMPATIBLE_PRIMARY_ADDRESS_TYPE",
					  pifs->u.arr.items[i]->u.s, NULL);
		xd_value_free(t);
	}
	/* one host until pools: its own PIF there is the one to move to */
	for (size_t i = 0; rc == 0 && i < pifs->u.arr.n; i++)
		rc = xd_api_management_to(pifs->u.arr.items[i]->u.s, err);
	xd_value_free(first_type);
	xd_value_free(hosts);
	xd_value_free(pifs);
	return rc < 0 ? NULL : xd_void();
}

void xd_api_pool_register(void)
{
	xd_rpc_register("pool", "sync_database", h_sync_database);
	xd_rpc_register("pool", "disable_ssl_legacy", h_disable_ssl_legacy);
	xd_rpc_register("pool", "create_VLAN_from_PIF", h_create_VLAN_from_PIF);
	xd_rpc_register("pool", "management_reconfigure", h_management_reconfigure);
}
