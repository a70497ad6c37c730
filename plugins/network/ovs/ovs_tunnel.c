/* ovs_tunnel.c - tunnels: a port whose interface is of type vxlan or gre,
 * with options remote_ip, local_ip and key, on the tunnel network's bridge. */
#include <stdio.h>
#include <string.h>

#include "ovs_int.h"

static json_object *tunnel_iface(const char *name, const struct xapi_tunnel_info *t)
{
	json_object *row = ovs_iface_row(name, t->protocol), *opts = ovsdb_map();
	char key[32];
	ovsdb_map_put(opts, "remote_ip", t->remote);
	if (t->local && t->local[0])
		ovsdb_map_put(opts, "local_ip", t->local);
	if (t->key > 0) {
		snprintf(key, sizeof(key), "%lld", (long long)t->key);
		ovsdb_map_put(opts, "key", key);
	}
	json_object_object_add(row, "options", opts);
	if (t->mtu > 0)
		json_object_object_add(row, "mtu_request", json_object_new_int64(t->mtu));
	return row;
}

static int add_once(struct ovs_op *op, const char *bridge, const char *name,
		    const struct xapi_tunnel_info *t)
{
	json_object *real, *port, *iface;
	int64_t tag;
	int rc = ovs_bridge_resolve(op, bridge, &real, &tag);
	if (rc != XAPI_OK)
		return rc;
	if (!real || tag >= 0)
		return xapi_fail(op->o->host, op->call, "BRIDGE_NOT_AVAILABLE", 0, "%s", bridge);
	if ((rc = ovs_get(op, "Port", name, &port)) != XAPI_OK ||
	    (rc = ovs_get(op, "Interface", name, &iface)) != XAPI_OK)
		return rc;
	json_object *ops = json_object_new_array();
	if (port && iface) {
		/* there: same rows, options as asked, on this bridge */
		json_object *row = tunnel_iface(name, t);
		json_object_object_del(row, "name"); /* immutable */
		json_object_array_add(ops, ovsdb_op_update("Interface", ovsdb_where_str("name", name),
							   row));
		if (!ovsdb_set_has_uuid(ovsdb_col(real, "ports"), ovsdb_row_uuid(port))) {
			ovs_detach_port(ops, ovsdb_row_uuid(port));
			ovs_attach_port(ops, ovsdb_row_uuid(real), ovsdb_uuid(ovsdb_row_uuid(port)));
		}
	} else if (port || iface) {
		json_object_put(ops);
		return ovs_fail(op->o, op->call, "%s is in use by another port", name);
	} else {
		json_object_array_add(ops, ovsdb_op_insert("Interface", tunnel_iface(name, t),
							   "iface"));
		json_object *prow = json_object_new_object(), *ifs = json_object_new_array();
		json_object_object_add(prow, "name", json_object_new_string(name));
		json_object_array_add(ifs, ovsdb_named_uuid("iface"));
		json_object_object_add(prow, "interfaces", ovsdb_set(ifs));
		json_object_array_add(ops, ovsdb_op_insert("Port", prow, "port"));
		ovs_attach_port(ops, ovsdb_row_uuid(real), ovsdb_named_uuid("port"));
	}
	return ovs_commit(op, ops, name);
}

int ovs_tunnel_add(void *st, xapi_call_t *call, const char *bridge, const char *name,
		   const struct xapi_tunnel_info *tunnel, unsigned flags)
{
	struct ovs *o = st;
	XAPI_CHECK_FLAGS(o->host, call, flags, 0);
	if (ovs_check_name(o, call, "bridge", bridge) != XAPI_OK ||
	    ovs_check_name(o, call, "tunnel", name) != XAPI_OK)
		return XAPI_E_FAILED;
	if (!tunnel || !tunnel->protocol ||
	    (strcmp(tunnel->protocol, "vxlan") && strcmp(tunnel->protocol, "gre")))
		return xapi_fail(o->host, call, NULL, 1, "tunnel protocol %s: vxlan or gre",
				 tunnel && tunnel->protocol ? tunnel->protocol : "(none)");
	if (!tunnel->remote || !tunnel->remote[0])
		return xapi_fail(o->host, call, NULL, 1, "tunnel %s needs a remote address", name);
	if (tunnel->key < 0 || tunnel->key > 0xffffffffLL ||
	    (strcmp(tunnel->protocol, "vxlan") == 0 && tunnel->key > 0xffffff))
		return xapi_fail(o->host, call, NULL, 1, "tunnel key %lld out of range",
				 (long long)tunnel->key);
	struct ovs_op op;
	if (ovs_op_begin(o, call, &op) != XAPI_OK)
		return XAPI_E_FAILED;
	int rc = OVS_RETRY;
	for (int i = 0; i < OVS_ATTEMPTS && rc == OVS_RETRY; i++)
		rc = add_once(&op, bridge, name, tunnel);
	ovs_op_end(&op);
	if (rc == OVS_RETRY)
		return ovs_fail(o, call, "tunnel %s: kept colliding with other changes", name);
	return rc;
}

int ovs_tunnel_remove(void *st, xapi_call_t *call, const char *bridge, const char *name,
		      unsigned flags)
{
	return ovs_port_remove(st, call, bridge, name, flags);
}
