/* firstboot.h - what a fresh host's database holds, and what every start
 * refreshes: the pool, this host, its metrics and CPUs, the control domain
 * and the default templates. Owns nothing after it returns. */
#ifndef XD_FIRSTBOOT_H
#define XD_FIRSTBOOT_H

#include "error.h"
#include "value.h"

/* Creates the objects if the db has no host yet, else refreshes this
 * host's runtime facts (metrics live, memory, software version, scheduler,
 * capabilities, address, the control domain's memory and vCPUs), the
 * hypervisor's from the backend (xd_hv_init first).
 * Sets xd_this_host(). listen_addr: the address clients reach us on. */
int xd_firstboot(const char *listen_addr, xd_error *err);

/* Forwards xapid's log to this host's logging:syslog_destination ("host" or
 * "host:port", UDP), or stops forwarding when it is absent or empty: what
 * host.syslog_reconfigure and every start apply (host_syslog.c). 0, or -1
 * with INTERNAL_ERROR (a name that does not resolve). */
int xd_host_syslog_apply(xd_error *err);

/* This host's BIOS strings, as xapi reads them with dmidecode (here from
 * /sys/class/dmi/id), with xapi's generic values where the machine has
 * none (host_bios.c). A string map; caller frees. */
xd_value *xd_host_bios_strings(void);

#endif
