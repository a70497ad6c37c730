/* ovs_port.c - port_add / port_remove: a PIF's device or a VIF's vifD.N as
 * a port of a network's bridge. On a VLAN network's (fake) bridge the port
 * goes on the parent bridge with the VLAN's tag, as ovs-vsctl add-port does. */
#include <string.h>

#include "ovs_int.h"
#include "ovs_link.h"

struct add_args {
	const char *bridge, *ifname;
	const xapi_kv_t *external_ids;
	int created;                 /* the port is new (to be undone on failure) */
};

static int add_once(struct ovs_op *op, void *arg)
{
	struct add_args *a = arg;
	const char *bridge = a->bridge, *ifname = a->ifname;
	struct ovs *o = op->o;
	json_object *real, *port, *iface;
	int64_t tag;
	int rc = ovs_bridge_needed(op, bridge, &real, &tag);
	if (rc != XAPI_OK)
		return rc;
	if ((rc = ovs_get(op, "Port", ifname, &port)) != XAPI_OK ||
	    (rc = ovs_get(op, "Interface", ifname, &iface)) != XAPI_OK)
		return rc;
	if (port && json_object_get_boolean(ovsdb_col(port, "fake_bridge")))
		return ovs_fail(o, op->call, "%s is a VLAN bridge, not an interface", ifname);
	if (!port && iface)
		return ovs_fail(o, op->call, "interface %s is already part of another port (a bond?)",
				ifname);
	json_object *ops = json_object_new_array();
	json_object *tagv = tag >= 0 ? json_object_new_int64(tag) : ovsdb_empty_set();
	if (port) {
		ovs_move_port(ops, real, port); /* on another bridge (or none) */
		json_object *prow = json_object_new_object();
		json_object_object_add(prow, "tag", tagv);
		json_object_array_add(ops, ovsdb_op_update("Port", ovsdb_where_str("name", ifname),
							   prow));
		json_object *irow = json_object_new_object();
		json_object_object_add(irow, "external_ids", ovs_map_of_kv(o, a->external_ids));
		json_object_array_add(ops, ovsdb_op_update("Interface",
							   ovsdb_where_str("name", ifname), irow));
		a->created = 0;
	} else {
		json_object *irow = ovs_iface_row(ifname, NULL), *prow = json_object_new_object();
		json_object_object_add(irow, "external_ids", ovs_map_of_kv(o, a->external_ids));
		json_object_object_add(prow, "tag", tagv);
		ovs_new_port(ops, ovsdb_row_uuid(real), irow, prow);
		a->created = 1;
	}
	return ovs_commit(op, ops, ifname);
}

/* Takes port `name` (arg) off every bridge (nothing if there is none). */
static int remove_once(struct ovs_op *op, void *arg)
{
	json_object *port;
	int rc = ovs_get(op, "Port", arg, &port);
	if (rc != XAPI_OK || !port)
		return rc;
	json_object *ops = json_object_new_array();
	ovs_detach_port(ops, ovsdb_row_uuid(port));
	return ovs_commit(op, ops, NULL);
}

int ovs_port_add(void *st, xapi_call_t *call, const char *bridge, const char *ifname,
		 const xapi_kv_t *external_ids, unsigned flags)
{
	struct ovs *o = st;
	if (ovs_check_args(o, call, flags, bridge, "interface", ifname) != XAPI_OK)
		return XAPI_E_FAILED;
	struct add_args a = { bridge, ifname, external_ids, 0 };
	int rc = ovs_run(o, call, "port", ifname, add_once, &a);
	if (rc != XAPI_OK && a.created) {
		/* OVS could not use the device: leave nothing half-made (the
		 * call's error stays the first one: no call for the undo) */
		struct ovs_op undo;
		if (ovs_op_begin(o, NULL, &undo) == XAPI_OK) {
			undo.nowait = 1; /* nothing for vswitchd to apply */
			remove_once(&undo, (void *)ifname);
			ovs_op_end(&undo);
		}
	}
	/* as a Linux bridge's port: up (a VIF's or NIC's device starts down) */
	if (rc == XAPI_OK && o->wait_ms > 0)
		rc = ovs_link_up(o, call, ifname);
	return rc;
}

int ovs_port_remove(void *st, xapi_call_t *call, const char *bridge, const char *ifname,
		    unsigned flags)
{
	struct ovs *o = st;
	if (ovs_check_args(o, call, flags, bridge, "interface", ifname) != XAPI_OK)
		return XAPI_E_FAILED;
	/* a VIF's locking flows go with its port */
	if (strncmp(ifname, "vif", 3) == 0 && ovs_lock_apply(o, call, ifname, NULL) != XAPI_OK)
		return XAPI_E_FAILED;
	return ovs_run(o, call, "port", ifname, remove_once, (void *)ifname);
}
