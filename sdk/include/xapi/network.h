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
 * Ops return XAPI_OK or a status of xapi/plugin.h after xapi_fail(), never
 * a bare errno, as storage ops do (name a XenAPI code such as
 * "PIF_IS_PHYSICAL" in xapi_fail, or give an SMAPIv1-style number); a long
 * op polls host->cancelled(). Which XenAPI error each status becomes is the
 * network layer's, written down with it.
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
#define XAPI_NET_CAP_TUNNEL (1u << 2)

/* A physical interface, as pif_scan reports it. */
struct xapi_pif_info {
	size_t size;
	const char *device;     /* "eth0" */
	const char *mac;        /* "aa:bb:cc:dd:ee:ff" */
	int64_t mtu;
	uint8_t carrier;
	int64_t speed_mbit;     /* -1 if unknown */
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
	/* since 2.1: append here, never above */
};

#ifdef __cplusplus
}
#endif

#endif /* XAPI_NETWORK_H */
