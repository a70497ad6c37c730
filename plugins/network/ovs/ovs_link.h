/* ovs_link.h - the kernel's side of interfaces for the Open vSwitch backend:
 * facts, up/down, MTU and IP configuration go through the Linux helpers of
 * the bridge backend (plugins/network/bridge: bridge_nl.c, bridge_facts.c,
 * bridge_ip.c, compiled into this plugin too), so that both backends report
 * the same PIFs and configure addresses the same way; only what OVS owns
 * (the MTU of its interfaces: mtu_request) goes through OVSDB. */
#ifndef OVS_LINK_H
#define OVS_LINK_H

#include <stdint.h>

#include <xapi/plugin.h>

struct ovs;

/* Sets ifname up: XAPI_OK or the call failed. */
int ovs_link_up(struct ovs *o, xapi_call_t *call, const char *ifname);
/* DHCP client there (XAPI_NET_CAP_DHCP)? */
int ovs_link_dhcp_available(void);

#endif
