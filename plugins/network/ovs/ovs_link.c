/* ovs_link.c - interfaces as the kernel sees them: pif_scan, link_query,
 * link_set. The facts come from /sys/class/net (the worker's namespace has
 * its own /sys: xapi/network.h), addresses from getifaddrs, the default
 * route from /proc/net/route; the bridge an interface is a port of from
 * OVSDB. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ovs_int.h"
#include "ovs_link.h"

static int ifreq_call(const char *ifname, unsigned long req, struct ifreq *ifr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", ifname);
	int e = ioctl(fd, req, ifr) == 0 ? 0 : errno;
	close(fd);
	return e;
}

int ovs_link_updown(const char *ifname, int up)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	int e = ifreq_call(ifname, SIOCGIFFLAGS, &ifr);
	if (e)
		return e;
	if (!!(ifr.ifr_flags & IFF_UP) == !!up)
		return 0;
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	return ifreq_call(ifname, SIOCSIFFLAGS, &ifr);
}

int ovs_link_mtu(const char *ifname, int64_t mtu)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_mtu = (int)mtu;
	return ifreq_call(ifname, SIOCSIFMTU, &ifr);
}

/* First line of /sys/class/net/<dev>/<attr>, "" if unreadable. */
static void attr(const char *dev, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", dev, name);
	buf[0] = '\0';
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

static int64_t attr_int(const char *dev, const char *name, int64_t dflt)
{
	char buf[64];
	attr(dev, name, buf, sizeof(buf));
	if (!buf[0])
		return dflt;
	char *end;
	long long v = strtoll(buf, &end, 0);
	return end != buf ? v : dflt;
}

static int exists(const char *dev, const char *name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", dev, name);
	return access(path, F_OK) == 0;
}

/* A NIC: a device of a bus, or the host end of a veth pair that is not a
 * VIF (the simulated host's NICs are veth pairs: DESIGN.md section 7). */
static int is_physical(const char *dev)
{
	if (strncmp(dev, "vif", 3) == 0 || strncmp(dev, "tap", 3) == 0 ||
	    strncmp(dev, "ovs-", 4) == 0 || exists(dev, "bridge") || exists(dev, "bonding") ||
	    exists(dev, "tun_flags") || exists(dev, "brport"))
		return 0;
	if (exists(dev, "device"))
		return 1;
	return attr_int(dev, "iflink", 0) != attr_int(dev, "ifindex", 0); /* a veth */
}

struct facts {
	char mac[64], vendor[16], device[16], pci[64], ipv4[64], gw[64], ipv6[512];
	char bridge[64];
};

static void addresses(const char *dev, struct facts *f)
{
	struct ifaddrs *ifa, *i;
	if (getifaddrs(&ifa) != 0)
		return;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || strcmp(i->ifa_name, dev) != 0)
			continue;
		char a[INET6_ADDRSTRLEN];
		int prefix = 0;
		if (i->ifa_addr->sa_family == AF_INET && !f->ipv4[0]) {
			struct in_addr m = ((struct sockaddr_in *)i->ifa_netmask)->sin_addr;
			prefix = __builtin_popcount(m.s_addr);
			inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, a, sizeof(a));
			snprintf(f->ipv4, sizeof(f->ipv4), "%s/%d", a, prefix);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)i->ifa_addr;
			if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr))
				continue;
			struct in6_addr *m = &((struct sockaddr_in6 *)i->ifa_netmask)->sin6_addr;
			for (int b = 0; b < 16; b++)
				prefix += __builtin_popcount(m->s6_addr[b]);
			inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
			size_t l = strlen(f->ipv6);
			snprintf(f->ipv6 + l, sizeof(f->ipv6) - l, "%s%s/%d", l ? " " : "", a, prefix);
		}
	}
	freeifaddrs(ifa);
	/* the default route through dev: /proc/net/route, gateway in hex */
	FILE *r = fopen("/proc/net/route", "re");
	char line[256];
	while (r && fgets(line, sizeof(line), r)) {
		char name[64];
		unsigned dst, gw, fl;
		if (sscanf(line, "%63s %x %x %x", name, &dst, &gw, &fl) == 4 &&
		    strcmp(name, dev) == 0 && dst == 0 && gw != 0) {
			struct in_addr g = { .s_addr = gw };
			inet_ntop(AF_INET, &g, f->gw, sizeof(f->gw));
			break;
		}
	}
	if (r)
		fclose(r);
}

/* The OVS bridge that has dev as a port (a fake bridge's name for a tagged
 * port), or "" . */
static void ovs_bridge_of(struct ovs *o, const char *dev, char *out, size_t size)
{
	struct ovs_op op;
	out[0] = '\0';
	if (ovs_op_begin(o, NULL, &op) != XAPI_OK)
		return;
	json_object *port, *br;
	if (ovs_get(&op, "Port", dev, &port) == XAPI_OK && port &&
	    ovs_bridge_of_port(&op, ovsdb_row_uuid(port), &br) == XAPI_OK && br)
		snprintf(out, size, "%s", ovsdb_str(br, "name"));
	ovs_op_end(&op);
}

static int emit(struct ovs *o, xapi_call_t *call, const char *dev, int with_bridge)
{
	struct facts f;
	memset(&f, 0, sizeof(f));
	attr(dev, "address", f.mac, sizeof(f.mac));
	attr(dev, "device/vendor", f.vendor, sizeof(f.vendor));
	attr(dev, "device/device", f.device, sizeof(f.device));
	char link[PATH_MAX], path[PATH_MAX];
	snprintf(path, sizeof(path), "/sys/class/net/%s/device", dev);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		const char *b = strrchr(link, '/');
		b = b ? b + 1 : link;
		if (strlen(b) < sizeof(f.pci))
			memcpy(f.pci, b, strlen(b) + 1);
	}
	addresses(dev, &f);
	if (with_bridge)
		ovs_bridge_of(o, dev, f.bridge, sizeof(f.bridge));
	char duplex[16];
	attr(dev, "duplex", duplex, sizeof(duplex));
	int64_t speed = attr_int(dev, "speed", -1);
	int64_t flags = attr_int(dev, "flags", 0);
	struct xapi_pif_info pif = {
		.size = sizeof(pif),
		.device = dev,
		.mac = f.mac,
		.mtu = attr_int(dev, "mtu", -1),
		.carrier = attr_int(dev, "carrier", 0) == 1,
		.speed_mbit = speed > 0 ? speed : -1,
		.duplex = strcmp(duplex, "full") == 0 ? 1 : strcmp(duplex, "half") == 0 ? 0 : -1,
		.vendor_id = f.vendor[0] ? f.vendor : NULL,
		.device_id = f.device[0] ? f.device : NULL,
		.pci_bus_path = strchr(f.pci, ':') ? f.pci : NULL,
		.physical = (uint8_t)is_physical(dev),
		.up = (flags & IFF_UP) != 0,
		.bridge = f.bridge[0] ? f.bridge : NULL,
		.ipv4 = f.ipv4,
		.ipv4_gateway = f.gw,
		.ipv6 = f.ipv6,
		.rx_bytes = attr_int(dev, "statistics/rx_bytes", -1),
		.tx_bytes = attr_int(dev, "statistics/tx_bytes", -1),
		.rx_packets = attr_int(dev, "statistics/rx_packets", -1),
		.tx_packets = attr_int(dev, "statistics/tx_packets", -1),
		.rx_errors = attr_int(dev, "statistics/rx_errors", -1),
		.tx_errors = attr_int(dev, "statistics/tx_errors", -1),
	};
	if (o->host->emit_pif(call, &pif) != XAPI_OK)
		return ovs_fail(o, call, "cannot report interface %s", dev);
	return XAPI_OK;
}

int ovs_pif_scan(void *st, xapi_call_t *call, unsigned flags)
{
	struct ovs *o = st;
	XAPI_CHECK_FLAGS(o->host, call, flags, 0);
	DIR *d = opendir("/sys/class/net");
	if (!d)
		return ovs_fail(o, call, "cannot read /sys/class/net: %s", strerror(errno));
	int rc = XAPI_OK;
	struct dirent *e;
	while (rc == XAPI_OK && (e = readdir(d))) {
		char mac[64];
		if (e->d_name[0] == '.' || !is_physical(e->d_name))
			continue;
		attr(e->d_name, "address", mac, sizeof(mac));
		if (!mac[0])
			continue;
		rc = emit(o, call, e->d_name, 1);
	}
	closedir(d);
	return rc;
}

int ovs_link_query(void *st, xapi_call_t *call, const char *ifname, unsigned flags)
{
	struct ovs *o = st;
	XAPI_CHECK_FLAGS(o->host, call, flags, 0);
	if (ovs_check_name(o, call, "interface", ifname) != XAPI_OK)
		return XAPI_E_FAILED;
	if (!exists(ifname, "ifindex"))
		return xapi_fail(o->host, call, NULL, 0, "no interface %s", ifname);
	return emit(o, call, ifname, 1);
}

int ovs_link_set(void *st, xapi_call_t *call, const char *ifname, int64_t mtu, int up,
		 unsigned flags)
{
	struct ovs *o = st;
	XAPI_CHECK_FLAGS(o->host, call, flags, 0);
	if (ovs_check_name(o, call, "interface", ifname) != XAPI_OK)
		return XAPI_E_FAILED;
	if (mtu > 0) {
		/* OVS owns the MTU of its interfaces (mtu_request); others
		 * through the kernel */
		struct ovs_op op;
		json_object *iface = NULL;
		int rc = ovs_op_begin(o, call, &op);
		if (rc == XAPI_OK)
			rc = ovs_get(&op, "Interface", ifname, &iface);
		if (rc == XAPI_OK && iface) {
			json_object *ops = json_object_new_array(), *row = json_object_new_object();
			json_object_object_add(row, "mtu_request", json_object_new_int64(mtu));
			json_object_array_add(ops, ovsdb_op_update("Interface",
								   ovsdb_where_str("name", ifname),
								   row));
			rc = ovs_commit(&op, ops, ifname);
		} else if (rc == XAPI_OK) {
			int e = ovs_link_mtu(ifname, mtu);
			if (e)
				rc = ovs_fail(o, call, "cannot set the MTU of %s to %lld: %s", ifname,
					      (long long)mtu, strerror(e));
		}
		if (op.o)
			ovs_op_end(&op);
		if (rc != XAPI_OK)
			return rc;
	}
	if (up >= 0) {
		int e = ovs_link_updown(ifname, up);
		if (e)
			return ovs_fail(o, call, "cannot bring %s %s: %s", ifname, up ? "up" : "down",
					strerror(e));
	}
	return XAPI_OK;
}
