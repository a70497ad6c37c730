/* firstboot.h - what a fresh host's database holds, and what every start
 * refreshes: the pool, this host, its metrics and CPUs, the control domain
 * and the default templates. Owns nothing after it returns. */
#ifndef XD_FIRSTBOOT_H
#define XD_FIRSTBOOT_H

#include "error.h"

/* Creates the objects if the db has no host yet, else refreshes this
 * host's runtime facts (metrics live, memory, software version, scheduler,
 * capabilities, address, the control domain's memory and vCPUs), the
 * hypervisor's from the backend (xd_hv_init first).
 * Sets xd_this_host(). listen_addr: the address clients reach us on. */
int xd_firstboot(const char *listen_addr, xd_error *err);

#endif
