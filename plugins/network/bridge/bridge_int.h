/* bridge_int.h - what the parts of the Linux bridge network backend share
 * (bridge.c: descriptor, init, bridges and ports; bridge_nl.c: the netlink
 * helpers over libnl-route-3; bridge_facts.c: what is reported of an
 * interface; bridge_ip.c: IP configuration, DHCP through busybox udhcpc;
 * bridge_tunnel.c: vxlan; bridge_vlan.c: 8021q VLANs; bridge_bond.c: bonding;
 * bridge_lock.c: VIF locking with nftables). No state is kept between calls:
 * every op asks the kernel (xapi/network.h). */
#ifndef BRIDGE_INT_H
#define BRIDGE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <netlink/errno.h>
#include <netlink/route/link.h>
#include <xapi/network.h>
#include <xapi/plugin.h>

typedef struct br_state {
	const struct xapi_host *host;
	xapi_plugin_t *self;
	bool veth_nics;          /* setting veth_nics: veth devices are NICs */
} br_state;

/* One op's netlink session: a connected NETLINK_ROUTE socket and a cache
 * of the links (refilled after changes with br_refill). */
typedef struct br_nl {
	struct nl_sock *sk;
	struct nl_cache *links;
} br_nl;

/* Opens it, or fails the call (returns XAPI_E_FAILED after xapi_fail). */
int br_nl_open(br_state *s, xapi_call_t *call, br_nl *nl);
void br_nl_close(br_nl *nl);
int br_refill(br_state *s, xapi_call_t *call, br_nl *nl);
/* The link of that name in the cache (a reference the caller puts with
 * rtnl_link_put), or NULL. */
struct rtnl_link *br_link(br_nl *nl, const char *name);
/* Fails the call with a netlink error: "<what> <name>: <nl_geterror>". */
int br_nl_fail(br_state *s, xapi_call_t *call, int nlerr, const char *what, const char *name);
/* Sets the flags/MTU/master of a link through a change request. */
int br_link_set_up(br_state *s, xapi_call_t *call, br_nl *nl, struct rtnl_link *l, bool up);
int br_link_set_mtu(br_state *s, xapi_call_t *call, br_nl *nl, struct rtnl_link *l,
		    int64_t mtu);
/* Makes ifname a port of bridge (leaving another bridge if it was in
 * one), up. */
int br_enslave(br_state *s, xapi_call_t *call, br_nl *nl, const char *bridge, const char *ifname);
/* Deletes interface name if it is a device of that kind ("vlan", "bond",
 * "vxlan"); nothing if it is absent or of another kind (idempotent). */
int br_delete_kind(br_state *s, xapi_call_t *call, br_nl *nl, const char *name, const char *kind);
/* A whole remove op (bond_remove, tunnel_remove): br_delete_kind in a
 * netlink session of its own. */
int br_remove_op(void *st, xapi_call_t *call, const char *name, const char *kind, unsigned flags);
/* Is the interface name acceptable to the kernel (1..15 bytes, no '/',
 * no whitespace, not "." or "..")? Else fails the call. */
int br_check_name(br_state *s, xapi_call_t *call, const char *what, const char *name);

/* bridge_facts.c: emit_pif() of link l with every fact of xapi/network.h
 * 2.1 (addresses when with_addrs). */
int br_emit_link(br_state *s, xapi_call_t *call, br_nl *nl, struct rtnl_link *l, bool with_addrs);
/* Is l a NIC: a device with a bus, or (with veth_nics, the simulated
 * host) a veth that is not a VIF? */
bool br_is_physical(br_state *s, struct rtnl_link *l);

/* bridge_ip.c */
int br_ip_configure(void *st, xapi_call_t *call, const char *ifname,
		    const struct xapi_ip_config *ip, unsigned flags);
/* Is the DHCP client program there? */
bool br_dhcp_available(void);

/* bridge_lockspec.c: fails the call unless lock's mode is unlocked,
 * locked or disabled, its MAC (when locked) a MAC and its addresses
 * addresses (what the rules made of them may contain). */
int br_lock_check(br_state *s, xapi_call_t *call, const struct xapi_port_lock *lock);

/* bridge_lock.c: VIF locking through nftables (port_lock); lock NULL
 * removes the rules of ifname (port_remove). */
int br_lock_apply(br_state *s, xapi_call_t *call, const char *ifname,
		  const struct xapi_port_lock *lock);
/* Can this host's kernel take the rules (nf_tables, bridge family)? */
bool br_lock_available(void);
int br_port_lock(void *st, xapi_call_t *call, const char *bridge, const char *ifname,
		 const struct xapi_port_lock *lock, unsigned flags);

/* bridge_vlan.c */
int br_vlan_add(void *st, xapi_call_t *call, const char *bridge, const char *trunk, int tag,
		unsigned flags);
int br_vlan_remove(void *st, xapi_call_t *call, const char *bridge, const char *trunk, int tag,
		   unsigned flags);
/* Does the kernel have 8021q (loaded, built in or loadable)? */
bool br_vlan_available(void);
/* The same for any module (its name as in modules.dep: "bonding"). */
bool br_kernel_has_module(const char *name);

/* bridge_bond.c */
int br_bond_add(void *st, xapi_call_t *call, const char *bridge, const char *bond,
		const char *const *members, const char *mode, const xapi_kv_t *properties,
		unsigned flags);
int br_bond_remove(void *st, xapi_call_t *call, const char *bridge, const char *bond,
		   unsigned flags);
bool br_bond_available(void);

/* bridge_tunnel.c */
int br_tunnel_add(void *st, xapi_call_t *call, const char *bridge, const char *name,
		  const struct xapi_tunnel_info *t, unsigned flags);
int br_tunnel_remove(void *st, xapi_call_t *call, const char *bridge, const char *name,
		     unsigned flags);

#endif
