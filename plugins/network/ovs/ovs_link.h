/* ovs_link.h - what the backend asks the kernel about interfaces (sysfs,
 * ioctl, getifaddrs) in the namespace the worker runs in: up/down, MTU, and
 * the facts of a PIF. */
#ifndef OVS_LINK_H
#define OVS_LINK_H

#include <stdint.h>

/* Sets ifname up (1) or down (0): 0 or an errno. */
int ovs_link_updown(const char *ifname, int up);
/* Sets its MTU: 0 or an errno. */
int ovs_link_mtu(const char *ifname, int64_t mtu);

#endif
