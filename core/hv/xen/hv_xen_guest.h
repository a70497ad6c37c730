/* hv_xen_guest.h - the guest agent's data in xenstore as VM_guest_metrics
 * fields, read the way xapi reads it (xapi_guest_agent.ml), under
 * /local/domain/<domid>/:
 *   os_version  data/os_name, os_uname, os_distro, os_majorver, os_minorver,
 *               attr/os/spmajor, spminor -> name, uname, distro, major,
 *               minor, spmajor, spminor
 *   networks    attr/vif/<n>/ipv4/<i> and ipv6/<i> -> "<n>/ipv4/<i>", ...,
 *               the first IPv4 also as "<n>/ip"; older agents:
 *               attr/eth<n>/ip -> "<n>/ip" and "<n>/ipv4/0",
 *               attr/eth<n>/ipv6/<i>/addr -> "<n>/ipv6/<i>"
 *   other       every control/<key> (feature-shutdown...); data/ts as
 *               data-ts; data/cant_suspend_reason as
 *               data-cant-suspend-reason in place of feature-suspend
 *   memory      data/meminfo_total, data/meminfo_free (KiB)
 *   pv_drivers  attr/PVAddons/MajorVersion or drivers/<i> present
 * The store is reached through two callbacks so that the reading can be
 * tested without a hypervisor.
 */
#ifndef XD_HV_XEN_GUEST_H
#define XD_HV_XEN_GUEST_H

#include "hv/hv.h"

typedef struct xd_hv_xen_store {
	/* The value of key (relative to the domain's directory), malloc'd, or NULL. */
	char *(*read)(void *ctx, const char *key);
	/* The names under key as one malloc'd block that free() releases (as
	 * xs_directory returns them), with their count in *n; NULL if none. */
	char **(*list)(void *ctx, const char *key, unsigned *n);
	void *ctx;
} xd_hv_xen_store;

/* Fills out (caller frees the maps). A guest that has written nothing gives
 * NULL maps, memory -1 and no PV drivers. */
void xd_hv_xen_guest_read(const xd_hv_xen_store *st, xd_hv_guest_info *out);

#endif
