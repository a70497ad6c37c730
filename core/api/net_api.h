/* net_api.h - what the api/ files of the network classes share (pif.c,
 * network_api.c, vlan_bond.c, devices.c). */
#ifndef XD_NET_API_H
#define XD_NET_API_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "value.h"

/* An IPv4 (family 4) or IPv6 (6) address, without a prefix. */
bool xd_api_valid_ip(int family, const char *s);
/* "aa:bb:cc:dd:ee:ff" */
bool xd_api_valid_mac(const char *mac);
/* 0 if mtu is an MTU a network or PIF may have, else INVALID_VALUE
 * ["MTU", mtu]. */
int xd_api_check_mtu(int64_t mtu, xd_error *err);
/* Sets one field of an object (takes v): 0 or -1 with err. */
int xd_api_set_field(const char *cls, const char *ref, const char *field, xd_value *v,
		     xd_error *err);
/* The record of ref, or NULL with HANDLE_INVALID [cls, ref]. */
xd_value *xd_api_record(const char *cls, const char *ref, xd_error *err);
/* Destroys a PIF's record and its PIF_metrics (nothing on the host). */
int xd_api_pif_destroy(const char *pif, xd_error *err);
/* xapi's VIF MAC from the VM's mac_seed and the device number (the chain of
 * MD5 digests of Xapi_vif_helpers.gen_mac): out gets 18 bytes. */
void xd_api_vif_mac(const char *seed, int device, char out[18]);

/* VLAN.create: a VLAN with this tag on the tagged PIF, its untagged PIF on
 * network; the VLAN's ref (heap), or NULL with xapi's error. */
char *xd_api_vlan_create(const char *tagged, int64_t tag, const char *network, xd_error *err);
/* VLAN.destroy: 0, or -1 with xapi's error. */
int xd_api_vlan_destroy(const char *vlan, xd_error *err);
/* host.management_reconfigure: the management role moves to pif. */
int xd_api_management_to(const char *pif, xd_error *err);

#endif
