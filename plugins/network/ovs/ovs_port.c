/* ovs_port.c - port_add / port_remove: a PIF's device or a VIF's vifD.N as
 * a port of a network's bridge. On a VLAN network's (fake) bridge the port
 * goes on the parent bridge with the VLAN's tag, as ovs-vsctl add-port does. */
#include <string.h>

#include "ovs_int.h"
#include "ovs_link.h"

static int add_once(struct ovs_op *op, const char *bridge, const char *ifname,
		    const xapi_kv_t *external_ids, int *created)
{
	struct ovs *o = op->o;
	json_object *real, *port, *iface;
	int64_t tag;
	int rc = ovs_bridge_resolve(op, bridge, &real, &tag);
	if (rc != XAPI_OK)
		return rc;
	if (!real)
		return xapi_fail(o->host, op->call, "BRIDGE_NOT_AVAILABLE", 0, "%s", bridge);
	if ((rc = ovs_get(op, "Port", ifname, &port)) != XAPI_OK ||
	    (rc = ovs_get(op, "Interface", ifname, &iface)) != XAPI_OK)
		return rc;
	if (port && json_object_get_boolean(ovsdb_col(port, "fake_bridge")))
		return ovs_fail(o, op->call, "%s is a VLAN bridge, not an interface", ifname);
	if (!port && iface)
		return ovs_fail(o, op->call, "interface %s is already part of another port (a bond?)",
				ifname);
	json_object *ops = json_object_new_array();
	const char *bridge_uuid = ovsdb_row_uuid(real);
	json_object *tagv = tag >= 0 ? json_object_new_int64(tag) : ovsdb_empty_set();
	if (port) {
		const char *pu = ovsdb_row_uuid(port);
		if (!ovsdb_set_has_uuid(ovsdb_col(real, "ports"), pu)) {
			/* on another bridge (or none): moved, same rows */
			ovs_detach_port(ops, pu);
			ovs_attach_port(ops, bridge_uuid, ovsdb_uuid(pu));
		}
		json_object *prow = json_object_new_object();
		json_object_object_add(prow, "tag", tagv);
		json_object_array_add(ops, ovsdb_op_update("Port", ovsdb_where_str("name", ifname),
							   prow));
		json_object *irow = json_object_new_object();
		json_object_object_add(irow, "external_ids", ovs_map_of_kv(o, external_ids));
		json_object_array_add(ops, ovsdb_op_update("Interface",
							   ovsdb_where_str("name", ifname), irow));
		*created = 0;
	} else {
		json_object *irow = ovs_iface_row(ifname, NULL);
		json_object_object_add(irow, "external_ids", ovs_map_of_kv(o, external_ids));
		json_object_array_add(ops, ovsdb_op_insert("Interface", irow, "iface"));
		json_object *prow = json_object_new_object(), *ifs = json_object_new_array();
		json_object_object_add(prow, "name", json_object_new_string(ifname));
		json_object_array_add(ifs, ovsdb_named_uuid("iface"));
		json_object_object_add(prow, "interfaces", ovsdb_set(ifs));
		json_object_object_add(prow, "tag", tagv);
		json_object_array_add(ops, ovsdb_op_insert("Port", prow, "port"));
		ovs_attach_port(ops, bridge_uuid, ovsdb_named_uuid("port"));
		*created = 1;
	}
	return ovs_commit(op, ops, ifname);
}

/* Takes port `name` off every bridge (nothing if there is none). */
static int remove_port(struct ovs_op *op, const char *name)
{
	json_object *port;
	int rc = ovs_get(op, "Port", name, &port);
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
	XAPI_CHECK_FLAGS(o->host, call, flags, 0);
	if (ovs_check_name(o, call, "bridge", bridge) != XAPI_OK ||
	    ovs_check_name(o, call, "interface", ifname) != XAPI_OK)
		return XAPI_E_FAILED;
	if (strcmp(bridge, ifname) == 0)
		return xapi_fail(o->host, call, NULL, 1, "%s cannot be a port of itself", bridge);
	struct ovs_op op;
	if (ovs_op_begin(o, call, &op) != XAPI_OK)
		return XAPI_E_FAILED;
	int rc = OVS_RETRY, created = 0;
	for (int i = 0; i < OVS_ATTEMPTS && rc == OVS_RETRY; i++)
		rc = add_once(&op, bridge, ifname, external_ids, &created);
	if (rc == OVS_RETRY)
		rc = ovs_fail(o, call, "port %s: kept colliding with other changes", ifname);
	if (rc != XAPI_OK && created) {
		/* OVS could not use the device: leave nothing half-made (the
		 * error of the call stays the first one) */
		struct ovs_op undo;
		if (ovs_op_begin(o, NULL, &undo) == XAPI_OK) {
			json_object *port;
			if (ovs_get(&undo, "Port", ifname, &port) == XAPI_OK && port) {
				json_object *ops = json_object_new_array();
				ovs_detach_port(ops, ovsdb_row_uuid(port));
				/* nothing for vswitchd to wait on */
				int w = o->wait_ms;
				o->wait_ms = 0;
				ovs_commit(&undo, ops, NULL);
				o->wait_ms = w;
			}
			ovs_op_end(&undo);
		}
	}
	ovs_op_end(&op);
	/* as a Linux bridge's port: up (a VIF's or NIC's device starts down) */
	if (rc == XAPI_OK && o->wait_ms > 0)
		rc = ovs_link_up(o, call, ifname);
	return rc;
}

int ovs_port_remove(void *st, xapi_call_t *call, const char *bridge, const char *ifname,
		    unsigned flags)
{
	struct ovs *o = st;
	XAPI_CHECK_FLAGS(o->host, call, flags, 0);
	if (ovs_check_name(o, call, "bridge", bridge) != XAPI_OK ||
	    ovs_check_name(o, call, "interface", ifname) != XAPI_OK)
		return XAPI_E_FAILED;
	if (strcmp(bridge, ifname) == 0)
		return xapi_fail(o->host, call, NULL, 1, "%s is the bridge itself, not a port",
				 bridge);
	struct ovs_op op;
	if (ovs_op_begin(o, call, &op) != XAPI_OK)
		return XAPI_E_FAILED;
	int rc = remove_port(&op, ifname);
	ovs_op_end(&op);
	return rc;
}
