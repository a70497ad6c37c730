/* ovs.c - the Open vSwitch network backend ("ovs"): its descriptor, settings
 * and capabilities. It speaks RFC 7047 JSON-RPC to ovsdb-server on its unix
 * socket (ovsdb_client.c): what OVSDB holds, vswitchd applies. Only VIF
 * locking's flows go to ovs-vswitchd directly (ovs_lock.c, ovs-ofctl).
 * How the rows look: ovs_int.h. */
#include <stdlib.h>
#include <string.h>

#include "ovs_int.h"
#include "ovs_link.h"

uint32_t ovs_probe(void *st, xapi_call_t *call, unsigned flags)
{
	(void)flags;
	/* VLANs (fake bridges), bonds and vxlan/gre tunnels are OVS's own,
	 * on either datapath: no kernel module is needed for them */
	uint32_t caps = XAPI_NET_CAP_VLAN | XAPI_NET_CAP_BOND | XAPI_NET_CAP_TUNNEL |
			XAPI_NET_CAP_GRE | XAPI_NET_CAP_IPV6;
	/* locking flows are written with ovs-ofctl */
	const char *argv[] = { "ovs-ofctl", "--version", NULL };
	if (((struct ovs *)st)->host->run(call, argv, 5000, NULL) == 0)
		caps |= XAPI_NET_CAP_LOCKING;
	if (ovs_link_dhcp_available())
		caps |= XAPI_NET_CAP_DHCP;
	return caps;
}

static const struct xapi_net_ops ovs_ops = {
	.size = sizeof(struct xapi_net_ops),
	.probe = ovs_probe,
	.pif_scan = ovs_pif_scan,
	.bridge_ensure = ovs_bridge_ensure,
	.bridge_destroy = ovs_bridge_destroy,
	.port_add = ovs_port_add,
	.port_remove = ovs_port_remove,
	.vlan_add = ovs_vlan_add,
	.vlan_remove = ovs_vlan_remove,
	.bond_add = ovs_bond_add,
	.bond_remove = ovs_bond_remove,
	.ip_configure = ovs_ip_configure,
	.link_query = ovs_link_query,
	.link_set = ovs_link_set,
	.tunnel_add = ovs_tunnel_add,
	.tunnel_remove = ovs_tunnel_remove,
	.bridge_ports = ovs_bridge_ports,
	.port_lock = ovs_port_lock,
};

static const struct xapi_config_key ovs_config[] = {
	{ "ovsdb_socket", "ovsdb-server's unix socket (default " OVS_DEFAULT_SOCKET ")", 0 },
	{ "datapath_type", "datapath_type of the bridges it makes: empty for the kernel's "
			   "(system), netdev for the userspace datapath", 0 },
	{ "ovsdb_timeout_ms", "how long a call to ovsdb-server may take (default 10000)", 0 },
	{ "vswitchd_wait_ms", "how long to wait for ovs-vswitchd to apply a change (default "
			      "10000; 0: do not wait)", 0 },
	{ "veth_nics", "true: veth devices (but vif*, tap*) are NICs, as on xapid's simulated "
		       "host (xapid sets it there)", 0 },
	{ NULL, NULL, 0 },
};

static const struct xapi_plugin_desc ovs_desc = {
	.size = sizeof(struct xapi_plugin_desc),
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_NETWORK,
	.name = "ovs",
	.description = "Open vSwitch network backend (OVSDB, RFC 7047)",
	.vendor = "xapi-c",
	.copyright = "xapi-c authors",
	.version = "1.0",
	.config = ovs_config,
	/* ops are safe side by side: OVSDB's name indexes decide races */
	.flags = XAPI_PLUGIN_THREADSAFE,
	.fini = free,
	.ops = &ovs_ops,
};

static int setting_int(const struct xapi_host *host, xapi_plugin_t *self, const char *key,
		       int dflt)
{
	const char *v = host->config_get(self, key);
	if (!v || !*v)
		return dflt;
	char *end;
	long n = strtol(v, &end, 10);
	return *end || n < 0 || n > 3600000 ? -1 : (int)n;
}

static int ovs_init(const struct xapi_host *host, xapi_plugin_t *self,
		    const struct xapi_plugin_desc **desc, void **st)
{
	struct ovs *o = calloc(1, sizeof(*o));
	if (!o)
		return XAPI_E_FAILED;
	o->host = host;
	o->self = self;
	o->socket = host->config_get(self, "ovsdb_socket");
	if (!o->socket || !*o->socket)
		o->socket = OVS_DEFAULT_SOCKET;
	o->datapath_type = host->config_get(self, "datapath_type");
	if (!o->datapath_type)
		o->datapath_type = "";
	o->timeout_ms = setting_int(host, self, "ovsdb_timeout_ms", 10000);
	o->wait_ms = setting_int(host, self, "vswitchd_wait_ms", 10000);
	if (o->timeout_ms <= 0 || o->wait_ms < 0) {
		xapi_log(host, self, NULL, XAPI_LOG_ERROR,
			 "ovsdb_timeout_ms and vswitchd_wait_ms: milliseconds (0 to 3600000)");
		free(o);
		return XAPI_E_INVALID;
	}
	if (strcmp(o->datapath_type, "") && strcmp(o->datapath_type, "system") &&
	    strcmp(o->datapath_type, "netdev")) {
		xapi_log(host, self, NULL, XAPI_LOG_ERROR,
			 "datapath_type %s: empty, system or netdev", o->datapath_type);
		free(o);
		return XAPI_E_INVALID;
	}
	const char *v = host->config_get(self, "veth_nics");
	o->kernel.host = host;
	o->kernel.self = self;
	o->kernel.veth_nics = v && (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 ||
				   strcmp(v, "1") == 0);
	*desc = &ovs_desc;
	*st = o;
	return XAPI_OK;
}

XAPI_PLUGIN_DEFINE(ovs_init)
