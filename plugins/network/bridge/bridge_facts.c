/* bridge_facts.c - what the bridge backend reports of an interface
 * (struct xapi_pif_info, 2.1): from netlink (MAC, MTU, state, carrier,
 * master, counters, addresses, default route), ethtool (speed, duplex, bus)
 * and sysfs (PCI ids). */
#define _GNU_SOURCE /* strlcpy-free snprintf use, readlink */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netlink/addr.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>

#include "bridge_int.h"

/* First line of /sys/class/net/<dev>/<attr> into buf ("" if none). */
static void sys_attr(const char *dev, const char *attr, char *buf, size_t size)
{
	char path[256];
	snprintf(path, sizeof path, "/sys/class/net/%s/%s", dev, attr);
	buf[0] = 0;
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
}

bool br_is_physical(br_state *s, struct rtnl_link *l)
{
	const char *name = rtnl_link_get_name(l), *type = rtnl_link_get_type(l);
	char path[256];
	struct stat st;
	if (rtnl_link_get_arptype(l) != 1 /* ARPHRD_ETHER */)
		return false;
	snprintf(path, sizeof path, "/sys/class/net/%s/device", name);
	if (stat(path, &st) == 0)
		return true;
	/* veth pairs are the NICs of the simulated host (veth_nics, set by
	 * xapid there); on a real host a veth is a container's. A VIF's
	 * device (vif<domid>.<n>, tap...) is never one. */
	if (s->veth_nics && type && strcmp(type, "veth") == 0 && strncmp(name, "vif", 3) != 0 &&
	    strncmp(name, "tap", 3) != 0)
		return true;
	return false;
}

typedef struct ethtool_facts {
	int64_t speed;
	int duplex;
	char bus[ETHTOOL_BUSINFO_LEN];
} ethtool_facts;

static void ethtool(const char *dev, ethtool_facts *f)
{
	f->speed = -1;
	f->duplex = -1;
	f->bus[0] = 0;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", dev);
	struct ethtool_cmd cmd = { .cmd = ETHTOOL_GSET };
	ifr.ifr_data = (void *)&cmd;
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0) {
		/* what ethtool_cmd_speed() computes, without its int shift
		 * (undefined for SPEED_UNKNOWN's 0xffff high half) */
		uint32_t sp = (uint32_t)cmd.speed_hi << 16 | cmd.speed;
		if (sp != (uint32_t)SPEED_UNKNOWN && sp != 0)
			f->speed = sp;
		if (cmd.duplex == DUPLEX_FULL)
			f->duplex = 1;
		else if (cmd.duplex == DUPLEX_HALF)
			f->duplex = 0;
	}
	struct ethtool_drvinfo di = { .cmd = ETHTOOL_GDRVINFO };
	ifr.ifr_data = (void *)&di;
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0)
		snprintf(f->bus, sizeof f->bus, "%s", di.bus_info);
	close(fd);
}

static const char *hex_id(char *v)
{
	return strncmp(v, "0x", 2) == 0 ? v + 2 : v;
}

/* The addresses of ifindex: the first global IPv4 one ("a.b.c.d/len") and
 * the global IPv6 ones, space separated. */
static void addresses(br_nl *nl, int ifindex, char *v4, size_t n4, char *v6, size_t n6)
{
	struct nl_cache *cache = NULL;
	v4[0] = v6[0] = 0;
	if (rtnl_addr_alloc_cache(nl->sk, &cache) < 0)
		return;
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		if (rtnl_addr_get_ifindex(a) != ifindex || rtnl_addr_get_scope(a) != RT_SCOPE_UNIVERSE)
			continue;
		struct nl_addr *local = rtnl_addr_get_local(a);
		char text[INET6_ADDRSTRLEN];
		int fam = rtnl_addr_get_family(a);
		if (!local || !inet_ntop(fam, nl_addr_get_binary_addr(local), text, sizeof text))
			continue;
		if (fam == AF_INET && !v4[0])
			snprintf(v4, n4, "%s/%d", text, rtnl_addr_get_prefixlen(a));
		else if (fam == AF_INET6) {
			size_t used = strlen(v6);
			snprintf(v6 + used, n6 - used, "%s%s/%d", used ? " " : "", text,
				 rtnl_addr_get_prefixlen(a));
		}
	}
	nl_cache_free(cache);
}

/* The gateway of the IPv4 default route through ifindex, "" if none. */
static void gateway(br_nl *nl, int ifindex, char *out, size_t n)
{
	struct nl_cache *cache = NULL;
	out[0] = 0;
	if (rtnl_route_alloc_cache(nl->sk, AF_INET, 0, &cache) < 0)
		return;
	for (struct nl_object *o = nl_cache_get_first(cache); o && !out[0]; o = nl_cache_get_next(o)) {
		struct rtnl_route *r = (struct rtnl_route *)o;
		struct nl_addr *dst = rtnl_route_get_dst(r);
		if (rtnl_route_get_table(r) != RT_TABLE_MAIN || (dst && nl_addr_get_prefixlen(dst) != 0))
			continue;
		for (int i = 0; i < rtnl_route_get_nnexthops(r); i++) {
			struct rtnl_nexthop *nh = rtnl_route_nexthop_n(r, i);
			struct nl_addr *gw = rtnl_route_nh_get_gateway(nh);
			if (rtnl_route_nh_get_ifindex(nh) == ifindex && gw) {
				inet_ntop(AF_INET, nl_addr_get_binary_addr(gw), out, (socklen_t)n);
				break;
			}
		}
	}
	nl_cache_free(cache);
}

int br_emit_link(br_state *s, xapi_call_t *call, br_nl *nl, struct rtnl_link *l, bool with_addrs)
{
	const char *dev = rtnl_link_get_name(l);
	char mac[32] = "", master[IFNAMSIZ] = "", v4[64] = "", v6[512] = "", gw[64] = "";
	char vendor[16], device[16];
	struct nl_addr *a = rtnl_link_get_addr(l);
	if (a && nl_addr_get_len(a) == 6) {
		const unsigned char *b = nl_addr_get_binary_addr(a);
		snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3],
			 b[4], b[5]);
	}
	int m = rtnl_link_get_master(l);
	if (m > 0)
		rtnl_link_i2name(nl->links, m, master, sizeof master);
	if (with_addrs) {
		addresses(nl, rtnl_link_get_ifindex(l), v4, sizeof v4, v6, sizeof v6);
		gateway(nl, rtnl_link_get_ifindex(l), gw, sizeof gw);
	}
	ethtool_facts et;
	ethtool(dev, &et);
	sys_attr(dev, "device/vendor", vendor, sizeof vendor);
	sys_attr(dev, "device/device", device, sizeof device);
	/* a PCI address reads 0000:00:19.0 */
	bool pci = strlen(et.bus) == 12 && et.bus[4] == ':' && et.bus[7] == ':';
	struct xapi_pif_info pif = {
		.size = sizeof pif,
		.device = dev,
		.mac = mac,
		.mtu = rtnl_link_get_mtu(l),
		.carrier = rtnl_link_get_carrier(l) != 0,
		.speed_mbit = et.speed,
		.duplex = (int8_t)et.duplex,
		.vendor_id = vendor[0] ? hex_id(vendor) : NULL,
		.device_id = device[0] ? hex_id(device) : NULL,
		.pci_bus_path = pci ? et.bus : NULL,
		.physical = br_is_physical(s, l),
		.up = (rtnl_link_get_flags(l) & IFF_UP) != 0,
		.bridge = master[0] ? master : NULL,
		.ipv4 = v4,
		.ipv4_gateway = gw,
		.ipv6 = v6,
		.rx_bytes = (int64_t)rtnl_link_get_stat(l, RTNL_LINK_RX_BYTES),
		.tx_bytes = (int64_t)rtnl_link_get_stat(l, RTNL_LINK_TX_BYTES),
		.rx_packets = (int64_t)rtnl_link_get_stat(l, RTNL_LINK_RX_PACKETS),
		.tx_packets = (int64_t)rtnl_link_get_stat(l, RTNL_LINK_TX_PACKETS),
		.rx_errors = (int64_t)rtnl_link_get_stat(l, RTNL_LINK_RX_ERRORS),
		.tx_errors = (int64_t)rtnl_link_get_stat(l, RTNL_LINK_TX_ERRORS),
	};
	int rc = s->host->emit_pif(call, &pif);
	if (rc != XAPI_OK)
		return xapi_fail(s->host, call, NULL, 0, "cannot report interface %s", dev);
	return XAPI_OK;
}
