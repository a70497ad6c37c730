/* net_example.c - the smallest network backend for xapi-c: backend
 * "net_example". It reports the host's interfaces from /sys/class/net and
 * only logs what it is asked to do with bridges and ports (a dry run: no
 * bridge is made). A real backend (Linux bridge, Open vSwitch) does the
 * same calls for real. No VLANs, bonds or tunnels: probe says so and their
 * ops are NULL, and so are the optional ops of ABI 2.1 (IP configuration,
 * tunnels...: xapid refuses them as absent capabilities). xapid's network
 * layer calls a backend named by its network_backend setting
 * (doc/network.md; plugins/network/bridge/ is a complete one); the unit test
 * test_net_example.c runs the ops with the SDK's mock host.
 *
 * Built out of tree with the Makefile next to this file (pkg-config
 * xapi-plugin; `make check` runs the test). Rules: sdk/include/xapi/plugin.h
 * and network.h.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xapi/plugin.h>

struct net_example {
	const struct xapi_host *host;
	xapi_plugin_t *self;
};

/* First line of /sys/class/net/<dev>/<attr> into buf; "" if unreadable. */
static void read_attr(const char *dev, const char *attr, char *buf, size_t size)
{
	char path[512];
	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", dev, attr);
	buf[0] = '\0';
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

static uint32_t net_example_probe(void *st, xapi_call_t *call, unsigned flags)
{
	return 0; /* no XAPI_NET_CAP_VLAN, _BOND, _TUNNEL */
}

/* Every interface with a MAC address but the loopback. */
static int net_example_pif_scan(void *st, xapi_call_t *call, unsigned flags)
{
	struct net_example *ne = st;
	XAPI_CHECK_FLAGS(ne->host, call, flags, 0);
	DIR *d = opendir("/sys/class/net");
	if (!d)
		return xapi_fail(ne->host, call, NULL, 1, "cannot read /sys/class/net");
	int rc = XAPI_OK;
	struct dirent *e;
	while (rc == XAPI_OK && (e = readdir(d))) {
		char mac[64], mtu[32], carrier[8], speed[32];
		if (e->d_name[0] == '.' || strcmp(e->d_name, "lo") == 0)
			continue;
		read_attr(e->d_name, "address", mac, sizeof(mac));
		if (!mac[0])
			continue; /* no link-layer address (tun, wireguard...): not a PIF */
		read_attr(e->d_name, "mtu", mtu, sizeof(mtu));
		read_attr(e->d_name, "carrier", carrier, sizeof(carrier));
		read_attr(e->d_name, "speed", speed, sizeof(speed));
		struct xapi_pif_info pif = {
			.size = sizeof(pif),
			.device = e->d_name,
			.mac = mac,
			.mtu = atoll(mtu),
			.carrier = carrier[0] == '1',
			.speed_mbit = speed[0] && speed[0] != '-' ? atoll(speed) : -1,
		};
		rc = ne->host->emit_pif(call, &pif);
	}
	closedir(d);
	/* every failure says why: a bare status reaches the client as an
	 * error nobody can act on */
	if (rc != XAPI_OK)
		return xapi_fail(ne->host, call, NULL, 1, "cannot report interface: status %d", rc);
	return XAPI_OK;
}

static int net_example_bridge_ensure(void *st, xapi_call_t *call, const char *bridge,
				     int64_t mtu, const xapi_kv_t *other_config, unsigned flags)
{
	struct net_example *ne = st;
	XAPI_CHECK_FLAGS(ne->host, call, flags, 0);
	xapi_log(ne->host, ne->self, call, XAPI_LOG_INFO, "would make bridge %s (mtu %lld)",
		 bridge, (long long)mtu);
	return XAPI_OK;
}

static int net_example_bridge_destroy(void *st, xapi_call_t *call, const char *bridge,
				      unsigned flags)
{
	struct net_example *ne = st;
	XAPI_CHECK_FLAGS(ne->host, call, flags, 0);
	xapi_log(ne->host, ne->self, call, XAPI_LOG_INFO, "would remove bridge %s", bridge);
	return XAPI_OK;
}

static int net_example_port_add(void *st, xapi_call_t *call, const char *bridge,
				const char *ifname, const xapi_kv_t *external_ids, unsigned flags)
{
	struct net_example *ne = st;
	XAPI_CHECK_FLAGS(ne->host, call, flags, 0);
	xapi_log(ne->host, ne->self, call, XAPI_LOG_INFO, "would add %s to %s", ifname, bridge);
	return XAPI_OK;
}

static int net_example_port_remove(void *st, xapi_call_t *call, const char *bridge,
				   const char *ifname, unsigned flags)
{
	struct net_example *ne = st;
	XAPI_CHECK_FLAGS(ne->host, call, flags, 0);
	xapi_log(ne->host, ne->self, call, XAPI_LOG_INFO, "would remove %s from %s", ifname,
		 bridge);
	return XAPI_OK;
}

static const struct xapi_net_ops net_example_ops = {
	.size = sizeof(struct xapi_net_ops),
	.probe = net_example_probe,
	.pif_scan = net_example_pif_scan,
	.bridge_ensure = net_example_bridge_ensure,
	.bridge_destroy = net_example_bridge_destroy,
	.port_add = net_example_port_add,
	.port_remove = net_example_port_remove,
	/* vlan_add, bond_add...: NULL, not supported */
};

static const struct xapi_plugin_desc net_example_desc = {
	.size = sizeof(struct xapi_plugin_desc),
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_NETWORK,
	.name = "net_example",
	.description = "Example network backend: reports interfaces, only logs bridge changes",
	.vendor = "Example Vendor",
	.copyright = "(C) Example Vendor, public domain",
	.version = "1.0",
	.flags = XAPI_PLUGIN_THREADSAFE,
	.fini = free,
	.ops = &net_example_ops,
};

static int net_example_init(const struct xapi_host *host, xapi_plugin_t *self,
			    const struct xapi_plugin_desc **d, void **st)
{
	struct net_example *ne = calloc(1, sizeof(*ne));
	if (!ne)
		return XAPI_E_FAILED;
	ne->host = host;
	ne->self = self;
	*d = &net_example_desc;
	*st = ne;
	return XAPI_OK;
}

XAPI_PLUGIN_DEFINE(net_example_init)
