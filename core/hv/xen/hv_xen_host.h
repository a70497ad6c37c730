/* hv_xen_host.h - the xen backend's host-wide operations that are not
 * about a domain: the hypervisor's console ring, its debug keys, and the
 * control domain's host name (host.dmesg, host.send_debug_keys,
 * host.set_hostname_live). hv_xen.c passes its libxenctrl handle. */
#ifndef XD_HV_XEN_HOST_H
#define XD_HV_XEN_HOST_H

#include <xenctrl.h>

#include "error.h"

/* The whole console ring (malloc'd text), or NULL with INTERNAL_ERROR. */
char *xd_hv_xen_read_conring(xc_interface *xch, xd_error *err);
int xd_hv_xen_debug_keys(xc_interface *xch, const char *keys, xd_error *err);
/* sethostname(2), then hostname_file (/etc/hostname) rewritten so that
 * the name survives a reboot, as xapi's set-hostname script does. */
int xd_hv_xen_set_hostname(const char *name, const char *hostname_file, xd_error *err);

#endif
