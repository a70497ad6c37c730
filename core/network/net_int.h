/* net_int.h - what the parts of the network layer share (network.c: the
 * backend, start and reconcile; net_pif.c: PIFs; net_vif.c: VIFs). */
#ifndef XD_NET_INT_H
#define XD_NET_INT_H

#include <xapi/network.h>

#include "loader/plugins.h"
#include "network.h"

/* One call to the backend (loader/plugins.h). */
int xd_net_call(xd_net_op op, const xd_net_args *a, xd_net_result *out, xd_error *err);
/* The same, for a call whose result is not needed. */
int xd_net_do(xd_net_op op, const xd_net_args *a, xd_error *err);

/* Field shorthands (borrowed strings; "" when absent). */
const char *xd_net_str(const xd_value *rec, const char *field);
bool xd_net_bool(const xd_value *rec, const char *field);
int64_t xd_net_int(const xd_value *rec, const char *field);
/* Sets one field of an object (takes v). */
int xd_net_set(const char *cls, const char *ref, const char *field, xd_value *v, xd_error *err);
xd_value *xd_net_record(const char *cls, const char *ref);

/* The bridge of a network ("" if it has none). Heap. */
char *xd_net_bridge_of(const char *network);
/* The ports this host's network layer wants on bridge: used by the
 * reconcile (net_vif.c). */

/* net_pif.c: the PIF_metrics of a PIF from what the backend reported. */
void xd_net_pif_metrics_update(const char *pif, const xd_net_link *l);
/* Plugs every PIF of this host that is marked plugged (start-up). */
void xd_net_pif_reconcile(const char *host);
/* Creates networks and PIFs for the NICs of a host that has none, the
 * first the management interface, and plugs them (first boot). */
int xd_net_pif_firstboot(const char *host, xd_error *err);

/* net_vif.c: VIF ports of running domains made true, stray ones removed. */
void xd_net_vif_reconcile(void);

#endif
