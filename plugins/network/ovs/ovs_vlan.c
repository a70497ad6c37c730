/* ovs_vlan.c - VLANs: the VLAN network's bridge is a fake bridge on the
 * bridge of the trunk (an internal port named after it, tagged, with
 * fake_bridge=true), as XenServer makes it (`ovs-vsctl add-br BR PARENT TAG`);
 * VIFs added to it become ports of the parent with that tag (ovs_port.c). */
#include <string.h>

#include "ovs_int.h"
#include "ovs_link.h"

/* The real bridge that carries trunk: a bridge of that name, or the one
 * that has it as a port. */
static int trunk_bridge(struct ovs_op *op, const char *trunk, json_object **parent)
{
	json_object *port;
	int64_t tag;
	int rc = ovs_bridge_resolve(op, trunk, parent, &tag);
	if (rc != XAPI_OK || *parent)
		return tag >= 0 && *parent ? ovs_fail(op->o, op->call,
			"%s is a VLAN bridge: VLANs cannot be stacked", trunk) : rc;
	if ((rc = ovs_get(op, "Port", trunk, &port)) != XAPI_OK)
		return rc;
	if (port && (rc = ovs_bridge_of_port(op, ovsdb_row_uuid(port), parent)) != XAPI_OK)
		return rc;
	if (!*parent)
		return ovs_fail(op->o, op->call,
				"the VLAN's trunk %s is on no bridge (its PIF is not plugged)", trunk);
	return XAPI_OK;
}

struct vlan_args {
	const char *bridge, *trunk;
	int tag;
};

static int add_once(struct ovs_op *op, void *arg)
{
	const struct vlan_args *a = arg;
	const char *bridge = a->bridge, *trunk = a->trunk;
	int tag = a->tag;
	json_object *parent, *rb, *fp;
	int rc = trunk_bridge(op, trunk, &parent);
	if (rc == XAPI_OK)
		rc = ovs_get(op, "Bridge", bridge, &rb);
	if (rc == XAPI_OK)
		rc = ovs_get(op, "Port", bridge, &fp);
	if (rc != XAPI_OK)
		return rc;
	const char *pu = ovsdb_row_uuid(parent);
	if (strcmp(ovsdb_str(parent, "name"), bridge) == 0)
		return ovs_fail(op->o, op->call, "bridge %s cannot be a VLAN of itself", bridge);
	json_object *ops = json_object_new_array();
	json_object *fake = json_object_new_object();
	json_object_object_add(fake, "tag", json_object_new_int(tag));
	json_object_object_add(fake, "fake_bridge", json_object_new_boolean(1));
	if (rb) {
		/* a real bridge of that name (the network was plugged before
		 * its VLAN): its ports move to the parent, tagged, and it goes
		 * (as networkd does it) */
		json_object *ports = ovsdb_col(rb, "ports");
		for (size_t i = 0; i < ovsdb_set_count(ports); i++) {
			const char *u = ovsdb_uuid_of(ovsdb_set_elem(ports, i));
			ovs_attach_port(ops, pu, ovsdb_uuid(u));
			json_object *row = json_object_new_object();
			json_object_object_add(row, "tag", json_object_new_int(tag));
			json_object_array_add(ops, ovsdb_op_update(
				"Port", ovsdb_where_eq("_uuid", ovsdb_uuid(u)), row));
		}
		json_object_array_add(ops, ovsdb_op_update("Port", ovsdb_where_str("name", bridge),
							   fake));
		json_object *e = json_object_new_array();
		json_object_array_add(e, ovsdb_uuid(ovsdb_row_uuid(rb)));
		json_object_array_add(ops, ovsdb_op_mutate("Open_vSwitch", ovsdb_where_all(),
							   ovsdb_mutation("bridges", "delete",
									  ovsdb_set(e))));
	} else if (fp) {
		int64_t t;
		if (json_object_get_boolean(ovsdb_col(fp, "fake_bridge")) &&
		    ovsdb_opt_int(ovsdb_col(fp, "tag"), &t) && t == tag &&
		    ovsdb_set_has_uuid(ovsdb_col(parent, "ports"), ovsdb_row_uuid(fp))) {
			json_object_put(fake);
			json_object_put(ops);
			return XAPI_OK; /* there already */
		}
		if (!json_object_get_boolean(ovsdb_col(fp, "fake_bridge"))) {
			json_object_put(fake);
			json_object_put(ops);
			return ovs_fail(op->o, op->call, "%s is a port already, not a VLAN bridge",
					bridge);
		}
		ovs_move_port(ops, parent, fp);
		json_object_array_add(ops, ovsdb_op_update("Port", ovsdb_where_str("name", bridge),
							   fake));
	} else {
		ovs_new_port(ops, pu, ovs_iface_row(bridge, "internal"), fake);
	}
	return ovs_commit(op, ops, bridge);
}

int ovs_vlan_add(void *st, xapi_call_t *call, const char *bridge, const char *trunk, int tag,
		 unsigned flags)
{
	struct ovs *o = st;
	if (ovs_check_args(o, call, flags, bridge, "interface", trunk) != XAPI_OK)
		return XAPI_E_FAILED;
	if (tag < 0 || tag > 4094)
		return xapi_fail(o->host, call, "VLAN_TAG_INVALID", 0, "%d", tag);
	struct vlan_args a = { bridge, trunk, tag };
	int rc = ovs_run(o, call, "VLAN", bridge, add_once, &a);
	if (rc == XAPI_OK && o->wait_ms > 0)
		return ovs_link_up(o, call, bridge);
	return rc;
}

static int remove_once(struct ovs_op *op, void *arg)
{
	const struct vlan_args *a = arg;
	json_object *real;
	int64_t t;
	int rc = ovs_bridge_resolve(op, a->bridge, &real, &t);
	if (rc != XAPI_OK || !real || t < 0)
		return rc; /* no VLAN bridge of that name: nothing to remove */
	if (t != a->tag)
		return ovs_fail(op->o, op->call, "%s is the bridge of VLAN %lld, not %d", a->bridge,
				(long long)t, a->tag);
	return ovs_bridge_destroy_once(op, (void *)a->bridge);
}

int ovs_vlan_remove(void *st, xapi_call_t *call, const char *bridge, const char *trunk, int tag,
		    unsigned flags)
{
	struct ovs *o = st;
	if (ovs_check_args(o, call, flags, bridge, "interface", trunk) != XAPI_OK)
		return XAPI_E_FAILED;
	struct vlan_args a = { bridge, trunk, tag };
	return ovs_run(o, call, "VLAN", bridge, remove_once, &a);
}
