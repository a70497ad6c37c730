/* net_floor.c - the floor for bench/network.py: the netlink operations that
 * "a network created and a VIF plugged on it" costs, issued directly with
 * libnl-route-3 by a minimal program: per network, a bridge made and
 * brought up, a veth pair made with its guest end in the guest's
 * namespace, its host end enslaved to the bridge and both ends up.
 *
 *     net_floor HOST_NETNS GUEST_NETNS COUNT     prints the seconds taken
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>

static struct nl_sock *sock_in(const char *ns)
{
	char path[256];
	snprintf(path, sizeof path, "/run/netns/%s", ns);
	int fd = open(path, O_RDONLY), home = open("/proc/thread-self/ns/net", O_RDONLY);
	if (fd < 0 || home < 0 || setns(fd, CLONE_NEWNET) != 0) {
		perror(path);
		exit(1);
	}
	struct nl_sock *sk = nl_socket_alloc();
	if (nl_connect(sk, NETLINK_ROUTE) < 0)
		exit(1);
	if (setns(home, CLONE_NEWNET) != 0)
		exit(1);
	close(fd);
	close(home);
	return sk;
}

static void up(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *l = NULL, *req = rtnl_link_alloc();
	if (rtnl_link_get_kernel(sk, 0, name, &l) < 0) {
		fprintf(stderr, "no %s\n", name);
		exit(1);
	}
	rtnl_link_set_flags(req, IFF_UP);
	if (rtnl_link_change(sk, l, req, 0) < 0)
		exit(1);
	rtnl_link_put(req);
	rtnl_link_put(l);
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	struct nl_sock *hs = sock_in(argv[1]), *gs = sock_in(argv[2]);
	char path[256];
	snprintf(path, sizeof path, "/run/netns/%s", argv[2]);
	int gfd = open(path, O_RDONLY);
	int n = atoi(argv[3]);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		char br[IFNAMSIZ], host[IFNAMSIZ], guest[IFNAMSIZ];
		snprintf(br, sizeof br, "fbr%d", i);
		snprintf(host, sizeof host, "fvif%d", i);
		snprintf(guest, sizeof guest, "feth%d", i);
		if (rtnl_link_bridge_add(hs, br) < 0)
			return 1;
		up(hs, br);
		struct rtnl_link *l = rtnl_link_veth_alloc(), *p = rtnl_link_veth_get_peer(l);
		rtnl_link_set_name(l, host);
		rtnl_link_set_name(p, guest);
		rtnl_link_set_ns_fd(p, gfd);
		if (rtnl_link_add(hs, l, NLM_F_CREATE | NLM_F_EXCL) < 0)
			return 1;
		rtnl_link_put(p);
		rtnl_link_veth_release(l);
		struct rtnl_link *b = NULL, *v = NULL;
		rtnl_link_get_kernel(hs, 0, br, &b);
		rtnl_link_get_kernel(hs, 0, host, &v);
		if (rtnl_link_enslave(hs, b, v) < 0)
			return 1;
		rtnl_link_put(b);
		rtnl_link_put(v);
		up(hs, host);
		up(gs, guest);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.6f\n", (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
