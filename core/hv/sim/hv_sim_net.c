/* hv_sim_net.c - the simulated host's network: a network namespace of its
 * own (<netns>), whose "NICs" are veth devices (names from the sim_nics
 * setting) with their other ends in <netns>-lan (named lan0, lan1... in
 * the order of the NICs: the cables, where a test plugs a DHCP server or
 * a peer), and for each running domain with NICs a namespace
 * <netns>-d<domid>, its guest, where NIC devid is eth<devid> (the VIF's
 * MAC and MTU), the other end being vif<domid>.<devid> in <netns>, as the
 * xen backend's devices are named: the network backend makes it a port of
 * the VIF's bridge. Traffic between simulated VMs is real traffic.
 *
 * Without xd_hv_sim_net_setup (no network backend) none of it exists and
 * NICs are only records, as before. Called under the sim lock (netlink
 * requests take a few milliseconds). */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/addr.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "hv/hv_int.h"
#include "hv_sim_int.h"
#include "hv_sim_netns.h"
#include "log.h"

static char *host_ns; /* under the sim lock; NULL: no simulated network */

static void dom_ns(int domid, char *out, size_t n)
{
	snprintf(out, n, "%s-d%d", host_ns, domid);
}

static int nl_fail(xd_error *err, int nlerr, const char *what, const char *name)
{
	return xd_error_setf(err, "INTERNAL_ERROR", "simulated host: %s %s: %s", what, name,
			     nl_geterror(nlerr));
}

/* Brings up device `name` through sk. */
static int link_up(struct nl_sock *sk, const char *name, xd_error *err)
{
	struct rtnl_link *l = NULL, *req = rtnl_link_alloc();
	int rc = rtnl_link_get_kernel(sk, 0, name, &l);
	if (rc >= 0) {
		rtnl_link_set_flags(req, IFF_UP);
		rc = rtnl_link_change(sk, l, req, 0);
	}
	rtnl_link_put(req);
	if (l)
		rtnl_link_put(l);
	return rc < 0 ? nl_fail(err, rc, "cannot bring up", name) : 0;
}

static bool link_exists(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *l = NULL;
	if (rtnl_link_get_kernel(sk, 0, name, &l) < 0)
		return false;
	rtnl_link_put(l);
	return true;
}

/* A veth pair: `name` through sk's namespace, `peer` in namespace peer_ns
 * (with mac and mtu if given). */
static int veth(struct nl_sock *sk, const char *name, const char *peer, const char *peer_ns,
		const char *mac, int64_t mtu, xd_error *err)
{
	int nsfd = xd_netns_fd(peer_ns);
	if (nsfd < 0)
		return xd_error_setf(err, "INTERNAL_ERROR", "simulated host: no namespace %s",
				     peer_ns);
	struct rtnl_link *l = rtnl_link_veth_alloc();
	struct rtnl_link *p = rtnl_link_veth_get_peer(l);
	struct nl_addr *a = NULL;
	rtnl_link_set_name(l, name);
	rtnl_link_set_name(p, peer);
	rtnl_link_set_ns_fd(p, nsfd);
	if (mac && *mac && nl_addr_parse(mac, AF_LLC, &a) == 0)
		rtnl_link_set_addr(p, a);
	if (mtu > 0) {
		rtnl_link_set_mtu(l, (unsigned)mtu);
		rtnl_link_set_mtu(p, (unsigned)mtu);
	}
	int rc = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
	if (a)
		nl_addr_put(a);
	rtnl_link_put(p);
	rtnl_link_veth_release(l);
	close(nsfd);
	return rc < 0 ? nl_fail(err, rc, "cannot make veth", name) : 0;
}

/* Removes the guests' namespaces <netns>-d<domid> (a kill -9 of xapid
 * leaves them: its simulated domains are gone with it). */
static void remove_guest_namespaces(const char *netns)
{
	DIR *d = opendir("/run/netns");
	size_t n = strlen(netns);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		const char *p = e->d_name;
		if (strncmp(p, netns, n) != 0 || strncmp(p + n, "-d", 2) != 0 || !p[n + 2])
			continue;
		bool digits = true;
		for (const char *q = p + n + 2; *q; q++)
			digits &= isdigit((unsigned char)*q) != 0;
		if (digits)
			xd_netns_remove(p);
	}
	if (d)
		closedir(d);
}

int xd_hv_sim_net_setup(const char *netns, const char *nics, xd_error *err)
{
	char lan[256];
	int rc = -1, i = 0;
	struct nl_sock *sk = NULL;
	char *list = strdup(nics ? nics : "");
	xd_sim_lock();
	free(host_ns);
	host_ns = NULL;
	snprintf(lan, sizeof lan, "%s-lan", netns);
	remove_guest_namespaces(netns);
	if (xd_netns_make(netns, err) < 0 || xd_netns_make(lan, err) < 0)
		goto out;
	if (!(sk = xd_netns_socket(netns, err)))
		goto out;
	if (link_up(sk, "lo", err) < 0)
		goto out;
	char *save = NULL;
	for (char *nic = strtok_r(list, ", ", &save); nic; nic = strtok_r(NULL, ", ", &save), i++) {
		char peer[IFNAMSIZ];
		snprintf(peer, sizeof peer, "lan%d", i);
		/* kept from an earlier run of xapid: a restart finds its NICs */
		if (!link_exists(sk, nic) && veth(sk, nic, peer, lan, NULL, 0, err) < 0)
			goto out;
		if (link_up(sk, nic, err) < 0)
			goto out;
	}
	host_ns = strdup(netns);
	rc = 0;
out:
	xd_sim_unlock();
	if (sk) {
		nl_socket_free(sk);
		/* the lan ends are brought up from inside their namespace */
		struct nl_sock *lsk = rc == 0 ? xd_netns_socket(lan, err) : NULL;
		for (int k = 0; lsk && k < i; k++) {
			char peer[IFNAMSIZ];
			snprintf(peer, sizeof peer, "lan%d", k);
			if (link_exists(lsk, peer) && link_up(lsk, peer, err) < 0)
				rc = -1;
		}
		if (lsk)
			nl_socket_free(lsk);
		else if (rc == 0)
			rc = -1;
	}
	free(list);
	if (rc == 0)
		xd_info("sim: the simulated host's network is namespace %s (NICs %s, their cables "
			"in %s)", netns, nics, lan);
	return rc;
}

void xd_hv_sim_net_teardown(void)
{
	xd_sim_lock();
	if (host_ns) {
		char lan[256];
		snprintf(lan, sizeof lan, "%s-lan", host_ns);
		remove_guest_namespaces(host_ns);
		xd_netns_remove(host_ns);
		xd_netns_remove(lan);
		free(host_ns);
		host_ns = NULL;
	}
	xd_sim_unlock();
}

char *xd_hv_sim_netns(void)
{
	xd_sim_lock();
	char *s = host_ns ? strdup(host_ns) : NULL;
	xd_sim_unlock();
	return s;
}

/* Under the sim lock. */
int xd_sim_net_nic_add(int domid, const xd_sim_nic *n, xd_error *err)
{
	char ns[256], host_end[IFNAMSIZ], guest_end[IFNAMSIZ];
	if (!host_ns)
		return 0;
	dom_ns(domid, ns, sizeof ns);
	if (xd_netns_make(ns, err) < 0)
		return -1;
	snprintf(host_end, sizeof host_end, "vif%d.%d", domid, n->devid);
	snprintf(guest_end, sizeof guest_end, "eth%d", n->devid);
	struct nl_sock *sk = xd_netns_socket(host_ns, err), *gsk = NULL;
	int rc = -1;
	if (!sk)
		return -1;
	if (!link_exists(sk, host_end) &&
	    veth(sk, host_end, guest_end, ns, n->mac, n->mtu, err) < 0)
		goto out;
	if (link_up(sk, host_end, err) < 0 || !(gsk = xd_netns_socket(ns, err)))
		goto out;
	if (link_up(gsk, "lo", err) < 0 || link_up(gsk, guest_end, err) < 0)
		goto out;
	rc = 0;
out:
	nl_socket_free(sk);
	if (gsk)
		nl_socket_free(gsk);
	return rc;
}

/* Under the sim lock: the pair goes with its host end. */
void xd_sim_net_nic_remove(int domid, int devid)
{
	char host_end[IFNAMSIZ];
	xd_error err = XD_ERROR_INIT;
	if (!host_ns)
		return;
	snprintf(host_end, sizeof host_end, "vif%d.%d", domid, devid);
	struct nl_sock *sk = xd_netns_socket(host_ns, &err);
	struct rtnl_link *l = NULL;
	if (sk && rtnl_link_get_kernel(sk, 0, host_end, &l) >= 0) {
		rtnl_link_delete(sk, l);
		rtnl_link_put(l);
	}
	if (sk)
		nl_socket_free(sk);
	xd_error_clear(&err);
}

/* Under the sim lock: the domain is gone, its guest's namespace too. */
void xd_sim_net_dom_gone(int domid)
{
	char ns[256];
	if (!host_ns)
		return;
	dom_ns(domid, ns, sizeof ns);
	xd_netns_remove(ns);
}

/* Under the sim lock: the addresses eth<devid> of the guest has: its first
 * IPv4 one and its global IPv6 ones. 0 if the simulated network exists
 * (v4/v6 "" when none), -1 if not (the guest agent then makes them up). */
int xd_sim_net_guest_addrs(int domid, int devid, char *v4, size_t n4, char **v6, int max6,
			   int *n6)
{
	char ns[256], dev[IFNAMSIZ];
	xd_error err = XD_ERROR_INIT;
	v4[0] = 0;
	*n6 = 0;
	if (!host_ns)
		return -1;
	dom_ns(domid, ns, sizeof ns);
	snprintf(dev, sizeof dev, "eth%d", devid);
	struct nl_sock *sk = xd_netns_socket(ns, &err);
	xd_error_clear(&err);
	struct nl_cache *links = NULL, *addrs = NULL;
	if (!sk)
		return 0;
	if (rtnl_link_alloc_cache(sk, AF_UNSPEC, &links) >= 0 && rtnl_addr_alloc_cache(sk, &addrs) >= 0) {
		int idx = rtnl_link_name2i(links, dev);
		for (struct nl_object *o = nl_cache_get_first(addrs); idx > 0 && o;
		     o = nl_cache_get_next(o)) {
			struct rtnl_addr *a = (struct rtnl_addr *)o;
			struct nl_addr *local = rtnl_addr_get_local(a);
			char text[INET6_ADDRSTRLEN];
			int fam = rtnl_addr_get_family(a);
			if (rtnl_addr_get_ifindex(a) != idx || rtnl_addr_get_scope(a) != RT_SCOPE_UNIVERSE ||
			    !local || !inet_ntop(fam, nl_addr_get_binary_addr(local), text, sizeof text))
				continue;
			if (fam == AF_INET && !v4[0])
				snprintf(v4, n4, "%s", text);
			else if (fam == AF_INET6 && *n6 < max6)
				v6[(*n6)++] = strdup(text);
		}
	}
	if (addrs)
		nl_cache_free(addrs);
	if (links)
		nl_cache_free(links);
	nl_socket_free(sk);
	return 0;
}
