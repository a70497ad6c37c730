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
 * Status in this release: xapid loads a network backend as any plugin (a
 * worker process of its own, init, the checks of the descriptor: the
 * mandatory ops pif_scan, bridge_ensure, bridge_destroy, port_add and
 * port_remove must be set, or it is refused with one log line), keeps its
 * worker, and calls none of its ops yet: the network layer that will
 * (core/network/, doc/architecture.md) is not written. Test a backend with
 * the mock host (xapi/mock.h).
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
