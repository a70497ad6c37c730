/* bridge_tunnel.c - vxlan tunnels on the bridge backend: a vxlan device
 * `name` (VNI = key, to remote, UDP port 4789) made a port of bridge. GRE
 * is not offered (probe leaves out XAPI_NET_CAP_GRE). */
#include <string.h>

#include <netlink/addr.h>
#include <netlink/route/link/vxlan.h>

#include "bridge_int.h"

int br_tunnel_add(void *st, xapi_call_t *call, const char *bridge, const char *name,
		  const struct xapi_tunnel_info *t, unsigned flags)
{
	br_state *s = st;
	XAPI_CHECK_FLAGS(s->host, call, flags, 0);
	if (!t->protocol || strcmp(t->protocol, "vxlan") != 0)
		return xapi_fail(s->host, call, NULL, 0, "tunnel protocol %s is not supported by the "
				 "bridge backend (vxlan only)", t->protocol ? t->protocol : "");
	if (br_check_name(s, call, "tunnel", name) != XAPI_OK)
		return XAPI_E_FAILED;
	br_nl nl;
	int rc = br_nl_open(s, call, &nl);
	if (rc != XAPI_OK)
		return rc;
	struct rtnl_link *have = br_link(&nl, name);
	if (!have) {
		struct rtnl_link *v = rtnl_link_vxlan_alloc();
		struct nl_addr *remote = NULL, *local = NULL;
		rtnl_link_set_name(v, name);
		rtnl_link_vxlan_set_id(v, (uint32_t)(t->key > 0 ? t->key : 1));
		rtnl_link_vxlan_set_port(v, 4789);
		if (t->remote && *t->remote && nl_addr_parse(t->remote, AF_INET, &remote) == 0)
			rtnl_link_vxlan_set_group(v, remote);
		if (t->local && *t->local && nl_addr_parse(t->local, AF_INET, &local) == 0)
			rtnl_link_vxlan_set_local(v, local);
		if (t->mtu > 0)
			rtnl_link_set_mtu(v, (unsigned)t->mtu);
		int e = rtnl_link_add(nl.sk, v, NLM_F_CREATE);
		if (e < 0 && e != -NLE_EXIST)
			rc = br_nl_fail(s, call, e, "cannot create vxlan tunnel", name);
		rtnl_link_put(v);
		if (remote)
			nl_addr_put(remote);
		if (local)
			nl_addr_put(local);
	} else {
		rtnl_link_put(have);
	}
	/* the tunnel device is then a port like any other */
	if (rc == XAPI_OK && (rc = br_refill(s, call, &nl)) == XAPI_OK)
		rc = br_enslave(s, call, &nl, bridge, name);
	br_nl_close(&nl);
	return rc;
}

int br_tunnel_remove(void *st, xapi_call_t *call, const char *bridge, const char *name,
		     unsigned flags)
{
	(void)bridge;
	return br_remove_op(st, call, name, "vxlan", flags);
}
