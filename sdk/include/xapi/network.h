/* xapi/network.h - network backends (XAPI_KIND_NETWORK): Linux bridge,
 * Open vSwitch... One backend is active on a host. xapid asks it to make the
 * bridges of networks, to put physical interfaces (PIFs), VLANs, bonds and
 * guest interfaces (VIFs) on them.
 *
 * Every name passed in (bridge, interface) is borrowed for the call. A
 * backend reports the host's physical interfaces with emit_pif from pif_scan.
 * probe narrows the static capabilities to what this host can do (a kernel
 * without 8021q has no VLANs).
 *
 * Since 2.1 xapid's network layer (core/network/, doc/network.md) calls
 * these ops: pif_scan at PIF.scan and first boot, bridge_ensure /
 * bridge_destroy for networks, port_add / port_remove for PIFs and VIFs,
 * and the 2.1 ops below for IP configuration, MTU, link state, tunnels,
 * VIF locking, interface facts and counters, and the reconcile after a
 * restart. The mandatory ops are pif_scan, bridge_ensure, bridge_destroy,
 * port_add and port_remove (a backend without one is refused with one log
 * line); every other op may be NULL (or absent from an older table), and
 * what it would do is then an absent capability the API refuses with
 * xapi's error.
 *
 * Network namespace. xapid may run a backend's worker inside a network
 * namespace (the simulated host's, `--backend sim`): the worker enters it
 * before xapi_plugin_init, with /sys remounted for it, so netlink, ioctls,
 * /sys/class/net and the helper programs a backend runs all see that
 * namespace as "the host's network". A backend needs do nothing about it.
 *
 * Failures. Every op (and each of them is idempotent: ensuring a bridge that
 * exists, removing one that is gone, succeed) returns XAPI_OK, or fails with
 * xapi_fail() saying why (name a XenAPI code such as "PIF_IS_PHYSICAL", or
 * give an SMAPIv1-style number); a bare negative status carries no reason
 * to the operator, and a bare errno is a driver bug, as for storage ops.
 * The rules of xapi/plugin.h hold as for storage: a crash, exit()
 * or hang fails the call it was making (a hang after plugin_timeout, the
 * worker's process group killed), never xapid, and the next call starts a
 * new worker, whose init runs again; a crash also logs a backtrace. An op
 * keeps no state in memory between calls (the worker may be new) and must
 * be safe to repeat after such a failure: ask the kernel or OVSDB what is
 * there rather than remembering it. host->cancelled() answers non-zero only
 * for a call made for a task that was cancelled; the short ops here need
 * not poll it.
 */
#ifndef XAPI_NETWORK_H
#define XAPI_NETWORK_H 1

#include <stdint.h>

#include <xapi/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XAPI_NET_CAP_VLAN   (1u << 0)
#define XAPI_NET_CAP_BOND   (1u << 1)
#define XAPI_NET_CAP_TUNNEL (1u << 2)   /* vxlan tunnels (tunnel_add, protocol "vxlan") */
/* since 2.1 */
#define XAPI_NET_CAP_GRE    (1u << 3)   /* tunnel_add with protocol "gre" */
#define XAPI_NET_CAP_LOCKING (1u << 4)  /* port_lock enforces VIF locking modes */
#define XAPI_NET_CAP_DHCP   (1u << 5)   /* ip_configure with mode "DHCP" */
#define XAPI_NET_CAP_IPV6   (1u << 6)   /* ip_configure with family 6 */

/* A physical interface, as pif_scan reports it. */
struct xapi_pif_info {
	size_t size;
	const char *device;     /* "eth0" */
	const char *mac;        /* "aa:bb:cc:dd:ee:ff" */
	int64_t mtu;
	uint8_t carrier;
	int64_t speed_mbit;     /* -1 if unknown */
	/* since 2.1 (pif_scan and link_query fill what they know; read them
	 * with XAPI_HAS, a 2.0 backend's record ends above) */
	int8_t duplex;          /* 1 full, 0 half, -1 unknown */
	const char *vendor_id;  /* PCI ids "8086", "10d3"; NULL if none */
	const char *device_id;
	const char *vendor_name;  /* "Intel Corporation"; NULL if unknown */
	const char *device_name;
	const char *pci_bus_path; /* "0000:00:19.0"; NULL if not PCI */
	uint8_t physical;       /* a NIC (not a bridge, VLAN, bond, veth of a VIF...) */
	uint8_t up;             /* administratively up */
	const char *bridge;     /* the bridge it is a port of; NULL if none */
	/* IPv4 address and prefix, "" if none; ipv6: space-separated
	 * "addr/prefix" of global scope, "" if none */
	const char *ipv4;       /* "192.0.2.10/24" */
	const char *ipv4_gateway; /* the default route through it, "" if none */
	const char *ipv6;
	/* counters since the interface was made, -1 if unknown */
	int64_t rx_bytes, tx_bytes, rx_packets, tx_packets, rx_errors, tx_errors;
};

/* since 2.1: IP configuration of one interface (ip_configure). */
struct xapi_ip_config {
	size_t size;
	int family;             /* 4 or 6 */
	/* xapi's modes: IPv4 "None", "DHCP", "Static"; IPv6 "None", "DHCP",
	 * "Static", "Autoconf" */
	const char *mode;
	const char *address;    /* Static: "192.0.2.10/24", "2001:db8::5/64" */
	const char *gateway;    /* Static: default route, "" for none */
	const char *dns;        /* comma-separated servers, "" for none (informational) */
};

/* since 2.1: a tunnel port (tunnel_add). */
struct xapi_tunnel_info {
	size_t size;
	const char *protocol;   /* "vxlan" or "gre" */
	const char *remote;     /* remote endpoint address */
	const char *local;      /* local endpoint address, "" for any */
	int64_t key;            /* vxlan VNI / gre key, 0 if none */
	const char *transport;  /* device of the transport PIF, "" if none */
	int64_t mtu;            /* 0 for the backend's default */
};

/* since 2.1: what a VIF may send (port_lock), xapi's locking modes. */
struct xapi_port_lock {
	size_t size;
	/* "unlocked" (anything), "locked" (only mac and the allowed
	 * addresses), "disabled" (nothing). xapid resolves "network_default"
	 * to the network's default before calling. */
	const char *mode;
	const char *mac;        /* the VIF's MAC */
	const char *const *ipv4_allowed;  /* NULL terminated; may be empty */
	const char *const *ipv6_allowed;
};

struct xapi_net_ops {
	size_t size;                   /* sizeof(struct xapi_net_ops) */
	/* The capabilities (XAPI_NET_CAP_*) this host supports; called once. */
	uint32_t (*probe)(void *st, xapi_call_t *call, unsigned flags);
	/* emit_pif() for each physical interface. Mandatory. */
	int (*pif_scan)(void *st, xapi_call_t *call, unsigned flags);
	/* Makes bridge `bridge` exist and be up (idempotent). Mandatory. */
	int (*bridge_ensure)(void *st, xapi_call_t *call, const char *bridge, int64_t mtu,
			     const xapi_kv_t *other_config, unsigned flags);
	/* Removes it (idempotent). Mandatory. */
	int (*bridge_destroy)(void *st, xapi_call_t *call, const char *bridge, unsigned flags);
	/* Adds / removes interface ifname (a PIF's device or a VIF's vif<domid>.<n>)
	 * to / from the bridge. Mandatory. */
	int (*port_add)(void *st, xapi_call_t *call, const char *bridge, const char *ifname,
			const xapi_kv_t *external_ids, unsigned flags);
	int (*port_remove)(void *st, xapi_call_t *call, const char *bridge, const char *ifname,
			   unsigned flags);
	/* VLAN `tag` of interface `trunk`, as port of `bridge`. Needs XAPI_NET_CAP_VLAN. */
	int (*vlan_add)(void *st, xapi_call_t *call, const char *bridge, const char *trunk,
			int tag, unsigned flags);
	int (*vlan_remove)(void *st, xapi_call_t *call, const char *bridge, const char *trunk,
			   int tag, unsigned flags);
	/* A bond `bond` of `members` (NULL terminated) on `bridge`; mode as xapi's
	 * bond_mode ("balance-slb", "active-backup", "lacp"). Needs XAPI_NET_CAP_BOND. */
	int (*bond_add)(void *st, xapi_call_t *call, const char *bridge, const char *bond,
			const char *const *members, const char *mode, const xapi_kv_t *properties,
			unsigned flags);
	int (*bond_remove)(void *st, xapi_call_t *call, const char *bridge, const char *bond,
			   unsigned flags);
	/* ---- since 2.1 ---- */
	/* Configures IP on interface ifname (a PIF's bridge, as xapi puts a
	 * PIF's address on its bridge): removes what the family had, then
	 * None: nothing; Static: the address and the default route; DHCP:
	 * runs a DHCP client program (needs XAPI_NET_CAP_DHCP) and applies the
	 * lease. Then emit_pif() of ifname as link_query gives it, so xapid
	 * records the address that was obtained. */
	int (*ip_configure)(void *st, xapi_call_t *call, const char *ifname,
			    const struct xapi_ip_config *ip, unsigned flags);
	/* emit_pif() of interface ifname (any interface: a PIF, a bridge, a
	 * VIF's device) with all the 2.1 facts, addresses and counters;
	 * XAPI_E_NOT_FOUND if there is no such interface. */
	int (*link_query)(void *st, xapi_call_t *call, const char *ifname, unsigned flags);
	/* Sets the MTU (mtu > 0) and/or the administrative state (up: 1 up,
	 * 0 down, -1 unchanged) of ifname. */
	int (*link_set)(void *st, xapi_call_t *call, const char *ifname, int64_t mtu, int up,
			unsigned flags);
	/* A tunnel interface `name` on `bridge` (idempotent). Needs
	 * XAPI_NET_CAP_TUNNEL (vxlan) or XAPI_NET_CAP_GRE. */
	int (*tunnel_add)(void *st, xapi_call_t *call, const char *bridge, const char *name,
			  const struct xapi_tunnel_info *tunnel, unsigned flags);
	int (*tunnel_remove)(void *st, xapi_call_t *call, const char *bridge, const char *name,
			     unsigned flags);
	/* Applies the locking mode of the VIF whose device ifname is a port of
	 * bridge (replacing earlier rules for it; "unlocked" removes them).
	 * Needs XAPI_NET_CAP_LOCKING. */
	int (*port_lock)(void *st, xapi_call_t *call, const char *bridge, const char *ifname,
			 const struct xapi_port_lock *lock, unsigned flags);
	/* emit_pif() for every interface that is a port of bridge (device,
	 * mac, bridge filled): what the reconcile after a restart compares
	 * with the database to remove stray ports. A bridge that does not
	 * exist has no ports (XAPI_OK, nothing emitted). */
	int (*bridge_ports)(void *st, xapi_call_t *call, const char *bridge, unsigned flags);
	/* since 2.2: append here, never above */
};

#ifdef __cplusplus
}
#endif

#endif /* XAPI_NETWORK_H */
