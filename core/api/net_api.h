/* net_api.h - what the api/ files of the network classes share (pif.c,
 * network_api.c, vlan_bond.c, devices.c). */
#ifndef XD_NET_API_H
#define XD_NET_API_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* An IPv4 (family 4) or IPv6 (6) address, without a prefix. */
bool xd_api_valid_ip(int family, const char *s);
/* "aa:bb:cc:dd:ee:ff" */
bool xd_api_valid_mac(const char *mac);
/* 0 if mtu is an MTU a network or PIF may have, else INVALID_VALUE
 * ["MTU", mtu]. */
int xd_api_check_mtu(int64_t mtu, xd_error *err);
/* xapi's VIF MAC from the VM's mac_seed and the device number (the chain of
 * MD5 digests of Xapi_vif_helpers.gen_mac): out gets 18 bytes. */
void xd_api_vif_mac(const char *seed, int device, char out[18]);

#endif
