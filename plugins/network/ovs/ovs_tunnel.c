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

struct tunnel_args {
	const char *bridge, *name;
	const struct xapi_tunnel_info *t;
};

static int add_once(struct ovs_op *op, void *arg)
{
	const struct tunnel_args *a = arg;
	const char *name = a->name;
	const struct xapi_tunnel_info *t = a->t;
	json_object *real, *port, *iface;
	int64_t tag;
	int rc = ovs_bridge_needed(op, a->bridge, &real, &tag);
	if (rc != XAPI_OK)
		return rc;
	if (tag >= 0)
		return ovs_fail(op->o, op->call, "%s is a VLAN bridge: no tunnel on it", a->bridge);
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
		ovs_move_port(ops, real, port);
	} else if (port || iface) {
		json_object_put(ops);
		return ovs_fail(op->o, op->call, "%s is in use by another port", name);
	} else {
		ovs_new_port(ops, ovsdb_row_uuid(real), tunnel_iface(name, t), NULL);
	}
	return ovs_commit(op, ops, name);
}

int ovs_tunnel_add(void *st, xapi_call_t *call, const char *bridge, const char *name,
		   const struct xapi_tunnel_info *tunnel, unsigned flags)
{
	struct ovs *o = st;
	if (ovs_check_args(o, call, flags, bridge, "tunnel", name) != XAPI_OK)
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
	struct tunnel_args a = { bridge, name, tunnel };
	return ovs_run(o, call, "tunnel", name, add_once, &a);
}

int ovs_tunnel_remove(void *st, xapi_call_t *call, const char *bridge, const char *name,
		      unsigned flags)
{
	return ovs_port_remove(st, call, bridge, name, flags);
}
