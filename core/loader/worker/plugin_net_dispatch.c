/* plugin_net_dispatch.c - one "call" message of a network backend: its
 * "net" arguments decoded into the ABI's structs (xapi/network.h) and the
 * op of the plugin's xapi_net_ops run with them. */
#include <stdlib.h>
#include <string.h>

#include "plugin_worker.h"

#define NCAN(m) XAPI_CAN(ops, struct xapi_net_ops, m)

/* A NULL-terminated array of the strings of JSON array a (borrowed from
 * a; the array itself is the caller's to free). */
static const char **strv(json_object *a)
{
	size_t n = a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
	const char **v = calloc(n + 1, sizeof *v);
	if (!v)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		if (json_object_is_type(e, json_type_string))
			v[k++] = json_object_get_string(e);
	}
	return v;
}

static const char *str_or_empty(json_object *o, const char *key)
{
	const char *s = xd_pp_str(o, key);
	return s ? s : "";
}

int xd_worker_net_op(xapi_plugin_t *p, xapi_call_t *call, json_object *msg, bool *absent,
		     uint32_t *caps)
{
	const struct xapi_net_ops *ops = p->desc->ops;
	void *st = p->st;
	json_object *a = xd_pp_obj(msg, "net");
	int op = xd_pp_net_op_index(xd_pp_str(msg, "op"));
	const char *bridge = str_or_empty(a, "bridge"), *ifname = str_or_empty(a, "ifname");
	const char *name = str_or_empty(a, "name");
	xapi_kv_t *kv = xd_kv_from_json(xd_pp_obj(a, "kv"));
	const char **members = strv(xd_pp_arr(a, "members"));
	const char **v4 = strv(xd_pp_arr(a, "ipv4_allowed"));
	const char **v6 = strv(xd_pp_arr(a, "ipv6_allowed"));
	int rc = XAPI_E_UNSUPPORTED;
	*absent = true;
	if (!kv || !members || !v4 || !v6) {
		call->failed = true;
		call->err_msg = strdup("the plugin worker is out of memory");
		rc = XAPI_E_FAILED;
		*absent = false;
		goto out;
	}
	switch (op) {
	case 0:
		if (NCAN(probe))
			*absent = false, *caps = ops->probe(st, call, 0), rc = XAPI_OK;
		break;
	case 1:
		if (NCAN(pif_scan))
			*absent = false, rc = ops->pif_scan(st, call, 0);
		break;
	case 2:
		if (NCAN(bridge_ensure))
			*absent = false, rc = ops->bridge_ensure(st, call, bridge,
								 xd_pp_int(a, "mtu", 0), kv, 0);
		break;
	case 3:
		if (NCAN(bridge_destroy))
			*absent = false, rc = ops->bridge_destroy(st, call, bridge, 0);
		break;
	case 4:
		if (NCAN(port_add))
			*absent = false, rc = ops->port_add(st, call, bridge, ifname, kv, 0);
		break;
	case 5:
		if (NCAN(port_remove))
			*absent = false, rc = ops->port_remove(st, call, bridge, ifname, 0);
		break;
	case 6:
		if (NCAN(vlan_add))
			*absent = false, rc = ops->vlan_add(st, call, bridge, str_or_empty(a, "trunk"),
							    (int)xd_pp_int(a, "tag", 0), 0);
		break;
	case 7:
		if (NCAN(vlan_remove))
			*absent = false, rc = ops->vlan_remove(st, call, bridge,
							       str_or_empty(a, "trunk"),
							       (int)xd_pp_int(a, "tag", 0), 0);
		break;
	case 8:
		if (NCAN(bond_add))
			*absent = false, rc = ops->bond_add(st, call, bridge, name, members,
							    str_or_empty(a, "mode"), kv, 0);
		break;
	case 9:
		if (NCAN(bond_remove))
			*absent = false, rc = ops->bond_remove(st, call, bridge, name, 0);
		break;
	case 10:
		if (NCAN(ip_configure)) {
			struct xapi_ip_config ip = {
				.size = sizeof ip,
				.family = (int)xd_pp_int(a, "family", 4),
				.mode = str_or_empty(a, "mode"),
				.address = str_or_empty(a, "address"),
				.gateway = str_or_empty(a, "gateway"),
				.dns = str_or_empty(a, "dns"),
			};
			*absent = false, rc = ops->ip_configure(st, call, ifname, &ip, 0);
		}
		break;
	case 11:
		if (NCAN(link_query))
			*absent = false, rc = ops->link_query(st, call, ifname, 0);
		break;
	case 12:
		if (NCAN(link_set))
			*absent = false, rc = ops->link_set(st, call, ifname, xd_pp_int(a, "mtu", 0),
							    (int)xd_pp_int(a, "up", -1), 0);
		break;
	case 13:
		if (NCAN(tunnel_add)) {
			struct xapi_tunnel_info t = {
				.size = sizeof t,
				.protocol = str_or_empty(a, "protocol"),
				.remote = str_or_empty(a, "remote"),
				.local = str_or_empty(a, "local"),
				.key = xd_pp_int(a, "key", 0),
				.transport = str_or_empty(a, "transport"),
				.mtu = xd_pp_int(a, "mtu", 0),
			};
			*absent = false, rc = ops->tunnel_add(st, call, bridge, name, &t, 0);
		}
		break;
	case 14:
		if (NCAN(tunnel_remove))
			*absent = false, rc = ops->tunnel_remove(st, call, bridge, name, 0);
		break;
	case 15:
		if (NCAN(port_lock)) {
			struct xapi_port_lock l = {
				.size = sizeof l,
				.mode = str_or_empty(a, "mode"),
				.mac = str_or_empty(a, "mac"),
				.ipv4_allowed = v4,
				.ipv6_allowed = v6,
			};
			*absent = false, rc = ops->port_lock(st, call, bridge, ifname, &l, 0);
		}
		break;
	case 16:
		if (NCAN(bridge_ports))
			*absent = false, rc = ops->bridge_ports(st, call, bridge, 0);
		break;
	}
out:
	xd_kv_free(kv);
	free(members);
	free(v4);
	free(v6);
	return rc;
}
