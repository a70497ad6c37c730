/* bridge.c - the Linux bridge network backend ("bridge", xapi's
 * network.conf `bridge`): a network is a Linux bridge, a PIF's NIC and a
 * VIF's device are its ports, all through netlink with libnl-route-3 (no
 * `ip` or `brctl`). Capabilities: vxlan tunnels, DHCP (busybox udhcpc) and
 * IPv6 addresses; VLANs (bridge_vlan.c) and bonds (bridge_bond.c) where the
 * kernel has the 8021q and bonding modules (probe says so); VIF locking
 * with nftables bridge-family rules (bridge_lock.c) where the kernel has
 * them.
 * Settings: veth_nics (below). */
#include <stdlib.h>
#include <string.h>

#include <net/if.h>
#include <netlink/route/link/bridge.h>

#include "bridge_int.h"

static uint32_t br_probe(void *st, xapi_call_t *call, unsigned flags)
{
	(void)st, (void)call, (void)flags;
	uint32_t caps = XAPI_NET_CAP_TUNNEL | XAPI_NET_CAP_IPV6;
	if (br_dhcp_available())
		caps |= XAPI_NET_CAP_DHCP;
	if (br_lock_available())
		caps |= XAPI_NET_CAP_LOCKING;
	if (br_vlan_available())
		caps |= XAPI_NET_CAP_VLAN;
	if (br_bond_available())
		caps |= XAPI_NET_CAP_BOND;
	return caps;
}

/* Every NIC (br_is_physical). */
static int br_pif_scan(void *st, xapi_call_t *call, unsigned flags)
{
	br_state *s = st;
	XAPI_CHECK_FLAGS(s->host, call, flags, 0);
	br_nl nl;
	int rc = br_nl_open(s, call, &nl);
	for (struct nl_object *o = nl_cache_get_first(nl.links); rc == XAPI_OK && o;
	     o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		if (br_is_physical(s, l))
			rc = br_emit_link(s, call, &nl, l, false);
	}
	br_nl_close(&nl);
	return rc;
}

static int br_bridge_ensure(void *st, xapi_call_t *call, const char *bridge, int64_t mtu,
			    const xapi_kv_t *other_config, unsigned flags)
{
	br_state *s = st;
	(void)other_config;
	XAPI_CHECK_FLAGS(s->host, call, flags, 0);
	if (br_check_name(s, call, "bridge", bridge) != XAPI_OK)
		return XAPI_E_FAILED;
	br_nl nl;
	int rc = br_nl_open(s, call, &nl);
	if (rc != XAPI_OK)
		return rc;
	struct rtnl_link *l = br_link(&nl, bridge);
	if (!l) {
		int e = rtnl_link_bridge_add(nl.sk, bridge);
		if (e < 0 && e != -NLE_EXIST)
			rc = br_nl_fail(s, call, e, "cannot create bridge", bridge);
		else if ((rc = br_refill(s, call, &nl)) == XAPI_OK && !(l = br_link(&nl, bridge)))
			rc = xapi_fail(s->host, call, NULL, 0, "bridge %s vanished", bridge);
	} else if (!rtnl_link_is_bridge(l)) {
		rc = xapi_fail(s->host, call, "BRIDGE_NAME_EXISTS", 0, "%s", bridge);
	}
	if (rc == XAPI_OK)
		rc = br_link_set_mtu(s, call, &nl, l, mtu);
	if (rc == XAPI_OK)
		rc = br_link_set_up(s, call, &nl, l, true);
	if (l)
		rtnl_link_put(l);
	br_nl_close(&nl);
	return rc;
}

static int br_bridge_destroy(void *st, xapi_call_t *call, const char *bridge, unsigned flags)
{
	br_state *s = st;
	XAPI_CHECK_FLAGS(s->host, call, flags, 0);
	br_nl nl;
	int rc = br_nl_open(s, call, &nl);
	if (rc != XAPI_OK)
		return rc;
	struct rtnl_link *l = br_link(&nl, bridge);
	if (l && rtnl_link_is_bridge(l)) {
		int e = rtnl_link_delete(nl.sk, l);
		if (e < 0 && e != -NLE_NODEV && e != -NLE_OBJ_NOTFOUND)
			rc = br_nl_fail(s, call, e, "cannot delete bridge", bridge);
	}
	if (l)
		rtnl_link_put(l);
	br_nl_close(&nl);
	return rc;
}

/* ifname becomes a port of bridge (leaving another bridge if it was in
 * one), both up. */
static int br_port_add(void *st, xapi_call_t *call, const char *bridge, const char *ifname,
		       const xapi_kv_t *external_ids, unsigned flags)
{
	br_state *s = st;
	(void)external_ids; /* OVS keeps them; a Linux bridge has nowhere to */
	XAPI_CHECK_FLAGS(s->host, call, flags, 0);
	br_nl nl;
	int rc = br_nl_open(s, call, &nl);
	if (rc == XAPI_OK)
		rc = br_enslave(s, call, &nl, bridge, ifname);
	br_nl_close(&nl);
	return rc;
}

static int br_port_remove(void *st, xapi_call_t *call, const char *bridge, const char *ifname,
			  unsigned flags)
{
	br_state *s = st;
	XAPI_CHECK_FLAGS(s->host, call, flags, 0);
	br_nl nl;
	int rc = br_nl_open(s, call, &nl);
	if (rc != XAPI_OK)
		return rc;
	/* a VIF's locking rules go with its port (none for a PIF: nothing done) */
	if (strncmp(ifname, "vif", 3) == 0 && br_lock_apply(s, call, ifname, NULL) != XAPI_OK) {
		br_nl_close(&nl);
		return XAPI_E_FAILED;
	}
	struct rtnl_link *br = br_link(&nl, bridge), *port = br_link(&nl, ifname);
	if (br && port && rtnl_link_get_master(port) == rtnl_link_get_ifindex(br)) {
		int e = rtnl_link_release(nl.sk, port);
		if (e < 0 && e != -NLE_NODEV)
			rc = br_nl_fail(s, call, e, "cannot take off its bridge the interface", ifname);
	}
	if (br)
		rtnl_link_put(br);
	if (port)
		rtnl_link_put(port);
	br_nl_close(&nl);
	return rc;
}

static int br_link_query(void *st, xapi_call_t *call, const char *ifname, unsigned flags)
{
	br_state *s = st;
	XAPI_CHECK_FLAGS(s->host, call, flags, 0);
	br_nl nl;
	int rc = br_nl_open(s, call, &nl);
	if (rc != XAPI_OK)
		return rc;
	struct rtnl_link *l = br_link(&nl, ifname);
	if (!l)
		rc = xapi_fail(s->host, call, "PIF_DEVICE_NOT_FOUND", 0, "no interface %s", ifname);
	else {
		rc = br_emit_link(s, call, &nl, l, true);
		rtnl_link_put(l);
	}
	br_nl_close(&nl);
	return rc;
}

static int br_link_set(void *st, xapi_call_t *call, const char *ifname, int64_t mtu, int up,
		       unsigned flags)
{
	br_state *s = st;
	XAPI_CHECK_FLAGS(s->host, call, flags, 0);
	br_nl nl;
	int rc = br_nl_open(s, call, &nl);
	if (rc != XAPI_OK)
		return rc;
	struct rtnl_link *l = br_link(&nl, ifname);
	if (!l)
		rc = xapi_fail(s->host, call, "PIF_DEVICE_NOT_FOUND", 0, "no interface %s", ifname);
	if (rc == XAPI_OK && mtu > 0)
		rc = br_link_set_mtu(s, call, &nl, l, mtu);
	if (rc == XAPI_OK && up >= 0)
		rc = br_link_set_up(s, call, &nl, l, up != 0);
	if (l)
		rtnl_link_put(l);
	br_nl_close(&nl);
	return rc;
}

static int br_bridge_ports(void *st, xapi_call_t *call, const char *bridge, unsigned flags)
{
	br_state *s = st;
	XAPI_CHECK_FLAGS(s->host, call, flags, 0);
	br_nl nl;
	int rc = br_nl_open(s, call, &nl);
	if (rc != XAPI_OK)
		return rc;
	struct rtnl_link *br = br_link(&nl, bridge);
	for (struct nl_object *o = nl_cache_get_first(nl.links); br && rc == XAPI_OK && o;
	     o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		if (rtnl_link_get_master(l) == rtnl_link_get_ifindex(br))
			rc = br_emit_link(s, call, &nl, l, false);
	}
	if (br)
		rtnl_link_put(br);
	br_nl_close(&nl);
	return rc;
}

static const struct xapi_net_ops br_ops = {
	.size = sizeof(struct xapi_net_ops),
	.probe = br_probe,
	.pif_scan = br_pif_scan,
	.bridge_ensure = br_bridge_ensure,
	.bridge_destroy = br_bridge_destroy,
	.port_add = br_port_add,
	.port_remove = br_port_remove,
	.vlan_add = br_vlan_add,
	.vlan_remove = br_vlan_remove,
	.bond_add = br_bond_add,
	.bond_remove = br_bond_remove,
	.ip_configure = br_ip_configure,
	.link_query = br_link_query,
	.link_set = br_link_set,
	.tunnel_add = br_tunnel_add,
	.tunnel_remove = br_tunnel_remove,
	.port_lock = br_port_lock,
	.bridge_ports = br_bridge_ports,
};

static const struct xapi_config_key br_config[] = {
	{ "veth_nics", "true: veth devices (but vif*, tap*) are NICs, as on xapid's simulated "
		       "host, which sets it (default false: a veth is a container's)", 0 },
	{ NULL, NULL, 0 },
};

static const struct xapi_plugin_desc br_desc = {
	.size = sizeof(struct xapi_plugin_desc),
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_NETWORK,
	.name = "bridge",
	.description = "Linux bridge: networks as Linux bridges, through netlink (libnl-route-3)",
	.vendor = "xapi-c",
	.copyright = "(C) the xapi-c authors",
	.version = "1.0",
	/* each op reads the kernel and changes one bridge or interface */
	.config = br_config,
	.flags = XAPI_PLUGIN_THREADSAFE,
	.fini = free,
	.ops = &br_ops,
};

static int br_init(const struct xapi_host *host, xapi_plugin_t *self,
		   const struct xapi_plugin_desc **d, void **st)
{
	br_state *s = calloc(1, sizeof *s);
	if (!s)
		return XAPI_E_FAILED;
	s->host = host;
	s->self = self;
	const char *v = host->config_get(self, "veth_nics");
	s->veth_nics = v && (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "1") == 0);
	*d = &br_desc;
	*st = s;
	return XAPI_OK;
}

XAPI_PLUGIN_DEFINE(br_init)
