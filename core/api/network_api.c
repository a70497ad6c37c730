/* network_api.c - network messages with behaviour (xapi_network.ml),
 * the network calls of VIF (move, locking, addresses: xapi_vif.ml) and
 * host.management_* (xapi_host.ml): xapi's checks in xapi's order, the
 * network layer for what must change on the host. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "auth/session.h"
#include "db/db.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "net_api.h"
#include "network/network.h"
#include "rpc/rpc.h"
#include "vm_int.h"

/* the MTU range this xapi-c accepts for networks */
#define MTU_MIN 68
#define MTU_MAX 9216


int xd_api_check_mtu(int64_t mtu, xd_error *err)
{
	if (mtu >= MTU_MIN && mtu <= MTU_MAX)
		return 0;
	char v[32];
	snprintf(v, sizeof v, "%lld", (long long)mtu);
	return xd_error_set(err, "INVALID_VALUE", "MTU", v, NULL);
}

/* An error whose parameters are the refs of a set (xapi's List.map
 * Ref.string_of). */
static int refs_error(xd_error *err, const char *code, const xd_value *refs)
{
	const char *p[XD_ERROR_MAX_PARAMS];
	size_t n = 0;
	for (size_t i = 0; i < refs->u.arr.n && n < XD_ERROR_MAX_PARAMS; i++)
		p[n++] = refs->u.arr.items[i]->u.s;
	return xd_error_setv(err, code, p, n);
}

/* The VIFs of refs that are attached. */
static xd_value *attached_vifs(const xd_value *refs)
{
	xd_value *out = xd_array();
	const xd_class *c = xd_dm_class("VIF");
	int fi = xd_dm_field_index(c, "currently_attached");
	for (size_t i = 0; refs && i < refs->u.arr.n; i++) {
		xd_value *v = xd_db_get_field(c, refs->u.arr.items[i]->u.s, fi);
		if (v && v->u.b)
			xd_array_append_take(out, xd_string(refs->u.arr.items[i]->u.s));
		xd_value_free(v);
	}
	return out;
}

/* ---- network ---- */

static xd_value *h_network_destroy(const xd_call *call, xd_error *err)
{
	const char *net = xd_arg_str(call, 0);
	xd_value *rec = xd_api_record("network", net, err), *res = NULL;
	if (!rec)
		return NULL;
	xd_value *vifs = attached_vifs(xd_struct_get(rec, "VIFs"));
	const xd_value *pifs = xd_struct_get(rec, "PIFs");
	if (vifs->u.arr.n)
		refs_error(err, "NETWORK_CONTAINS_VIF", vifs);
	else if (pifs && pifs->u.arr.n)
		refs_error(err, "NETWORK_CONTAINS_PIF", pifs);
	else {
		/* its bridge (a private network's, made for its VIFs) goes first */
		if (xd_network_backend())
			xd_network_release_bridge(net);
		res = xd_generic_handler(call->cls, call->msg)(call, err);
	}
	xd_value_free(vifs);
	xd_value_free(rec);
	return res;
}

static xd_value *h_network_set_MTU(const xd_call *call, xd_error *err)
{
	const char *net = xd_arg_str(call, 0);
	int64_t mtu = xd_arg_int(call, 1);
	if (xd_check_ref(call->cls, net, err) < 0 || xd_api_check_mtu(mtu, err) < 0)
		return NULL;
	if (xd_api_set_field("network", net, "MTU", xd_int(mtu), err) < 0)
		return NULL;
	return xd_void();
}

static xd_value *h_set_default_locking_mode(const xd_call *call, xd_error *err)
{
	const char *net = xd_arg_str(call, 0);
	xd_value *rec = xd_api_record("network", net, err);
	if (!rec)
		return NULL;
	xd_value *res = NULL;
	if (xd_api_set_field("network", net, "default_locking_mode", xd_string(xd_arg_str(call, 1)),
		      err) == 0) {
		/* running VIFs that follow the default follow it now */
		const xd_value *vifs = xd_struct_get(rec, "VIFs");
		int rc = 0;
		for (size_t i = 0; rc == 0 && vifs && i < vifs->u.arr.n; i++) {
			xd_value *v = xd_db_get_record(xd_dm_class("VIF"), vifs->u.arr.items[i]->u.s);
			xd_value *vm = v ? xd_db_get_record(xd_dm_class("VM"), xd_rec_str(v, "VM")) : NULL;
			if (v && vm && xd_rec_bool(v, "currently_attached") && xd_rec_int(vm, "domid") >= 0 &&
			    strcmp(xd_rec_str(v, "locking_mode"), "network_default") == 0)
				rc = xd_network_vif_relock(vifs->u.arr.items[i]->u.s,
							   (int)xd_rec_int(vm, "domid"), err);
			xd_value_free(vm);
			xd_value_free(v);
		}
		if (rc == 0)
			res = xd_void();
	}
	xd_value_free(rec);
	return res;
}

/* nbd and insecure_nbd exclude each other (xapi's purpose rules). */
static xd_value *h_add_purpose(const xd_call *call, xd_error *err)
{
	const char *net = xd_arg_str(call, 0), *p = xd_arg_str(call, 1);
	xd_value *rec = xd_api_record("network", net, err);
	if (!rec)
		return NULL;
	const xd_value *have = xd_struct_get(rec, "purpose");
	const char *other = strcmp(p, "nbd") == 0 ? "insecure_nbd" : "nbd";
	xd_value *res = NULL;
	bool clash = false;
	for (size_t i = 0; have && i < have->u.arr.n; i++)
		clash |= strcmp(have->u.arr.items[i]->u.s, other) == 0;
	if (clash) {
		xd_error_set(err, "NETWORK_INCOMPATIBLE_PURPOSES", p, other, NULL);
	} else {
		const xd_class *c = xd_dm_class("network");
		xd_value *item = xd_string(p);
		if (xd_db_set_add(c, net, xd_dm_field_index(c, "purpose"), item, err) == 0)
			res = xd_void();
		xd_value_free(item);
	}
	xd_value_free(rec);
	return res;
}

static xd_value *h_remove_purpose(const xd_call *call, xd_error *err)
{
	const char *net = xd_arg_str(call, 0);
	if (xd_check_ref(call->cls, net, err) < 0)
		return NULL;
	const xd_class *c = xd_dm_class("network");
	xd_value *item = xd_string(xd_arg_str(call, 1));
	int rc = xd_db_set_remove(c, net, xd_dm_field_index(c, "purpose"), item, err);
	xd_value_free(item);
	return rc < 0 ? NULL : xd_void();
}

/* ---- VIF ---- */

/* The domid of the VIF's VM if the VIF is attached to a running domain,
 * else -1. */
static int vif_domid(const xd_value *vif)
{
	if (!xd_rec_bool(vif, "currently_attached"))
		return -1;
	const xd_class *c = xd_dm_class("VM");
	xd_value *d = xd_db_get_field(c, xd_rec_str(vif, "VM"), xd_dm_field_index(c, "domid"));
	int domid = d && d->t == XD_V_INT ? (int)d->u.i : -1;
	xd_value_free(d);
	return domid;
}

static xd_value *h_vif_move(const xd_call *call, xd_error *err)
{
	const char *vif = xd_arg_str(call, 0), *net = xd_arg_str(call, 1);
	xd_value *rec = xd_api_record("VIF", vif, err), *res = NULL;
	if (!rec)
		return NULL;
	if (xd_check_ref(xd_dm_class("network"), net, err) < 0)
		goto out;
	int domid = vif_domid(rec);
	if (domid >= 0)
		xd_network_vif_unplug(vif, domid);
	if (xd_api_set_field("VIF", vif, "network", xd_string(net), err) < 0)
		goto out;
	if (domid >= 0 && xd_network_vif_plug(vif, domid, err) < 0)
		goto out;
	res = xd_void();
out:
	xd_value_free(rec);
	return res;
}

/* Sets a VIF field and, on a running domain, applies its locking again. */
static xd_value *vif_lock_change(const xd_call *call, const char *field, xd_value *v,
				 xd_error *err)
{
	const char *vif = xd_arg_str(call, 0);
	xd_value *rec = xd_api_record("VIF", vif, err), *res = NULL;
	if (!rec) {
		xd_value_free(v);
		return NULL;
	}
	if (xd_api_set_field("VIF", vif, field, v, err) == 0) {
		int domid = vif_domid(rec);
		if (domid < 0 || !xd_network_backend() || xd_network_vif_relock(vif, domid, err) == 0)
			res = xd_void();
	}
	xd_value_free(rec);
	return res;
}

static xd_value *h_set_locking_mode(const xd_call *call, xd_error *err)
{
	return vif_lock_change(call, "locking_mode", xd_string(xd_arg_str(call, 1)), err);
}

/* "a.b.c.d" (or an IPv6 address) as xapi's ipv4_allowed wants. */
static int check_addr(int family, const char *a, xd_error *err)
{
	if (!xd_api_valid_ip(family, a))
		return xd_error_set(err, "INVALID_IP_ADDRESS_SPECIFIED", a, NULL);
	return 0;
}

static xd_value *set_allowed(const xd_call *call, int family, xd_error *err)
{
	const xd_value *v = call->args[1];
	for (size_t i = 0; i < v->u.arr.n; i++)
		if (check_addr(family, v->u.arr.items[i]->u.s, err) < 0)
			return NULL;
	return vif_lock_change(call, family == 4 ? "ipv4_allowed" : "ipv6_allowed",
			       xd_value_copy(v), err);
}

static xd_value *change_allowed(const xd_call *call, int family, bool add, xd_error *err)
{
	const char *vif = xd_arg_str(call, 0), *a = xd_arg_str(call, 1);
	const char *field = family == 4 ? "ipv4_allowed" : "ipv6_allowed";
	if (add && check_addr(family, a, err) < 0)
		return NULL;
	xd_value *rec = xd_api_record("VIF", vif, err);
	if (!rec)
		return NULL;
	xd_value *set = xd_value_copy(xd_struct_get(rec, field));
	xd_value_free(rec);
	bool have = false;
	for (size_t i = 0; i < set->u.arr.n; i++)
		if (strcmp(set->u.arr.items[i]->u.s, a) == 0) {
			have = true;
			if (!add) {
				xd_array_remove(set, i);
				break;
			}
		}
	if (add && !have)
		xd_array_append_take(set, xd_string(a));
	return vif_lock_change(call, field, set, err);
}

static xd_value *h_set_ipv4_allowed(const xd_call *c, xd_error *e) { return set_allowed(c, 4, e); }
static xd_value *h_set_ipv6_allowed(const xd_call *c, xd_error *e) { return set_allowed(c, 6, e); }
static xd_value *h_add_ipv4_allowed(const xd_call *c, xd_error *e) { return change_allowed(c, 4, true, e); }
static xd_value *h_add_ipv6_allowed(const xd_call *c, xd_error *e) { return change_allowed(c, 6, true, e); }
static xd_value *h_remove_ipv4_allowed(const xd_call *c, xd_error *e) { return change_allowed(c, 4, false, e); }
static xd_value *h_remove_ipv6_allowed(const xd_call *c, xd_error *e) { return change_allowed(c, 6, false, e); }

/* VIF.configure_ipv4/6: what the guest is told (recorded; xapi hands it
 * to the guest agent). address "a.b.c.d/len". */
static xd_value *configure_ip(const xd_call *call, int family, xd_error *err)
{
	const char *vif = xd_arg_str(call, 0), *mode = xd_arg_str(call, 1);
	const char *addr = xd_arg_str(call, 2), *gw = xd_arg_str(call, 3);
	if (xd_check_ref(call->cls, vif, err) < 0)
		return NULL;
	bool stat = strcmp(mode, "Static") == 0;
	char host[64];
	const char *slash = strchr(addr, '/');
	snprintf(host, sizeof host, "%.*s", slash ? (int)(slash - addr) : (int)strlen(addr), addr);
	if (stat && (!slash || !xd_api_valid_ip(family, host)))
		return xd_error_set(err, "INVALID_IP_ADDRESS_SPECIFIED", "address", NULL), NULL;
	if (stat && gw[0] && !xd_api_valid_ip(family, gw))
		return xd_error_set(err, "INVALID_IP_ADDRESS_SPECIFIED", "gateway", NULL), NULL;
	xd_value *addrs = xd_array();
	if (stat)
		xd_array_append_take(addrs, xd_string(addr));
	const char *p = family == 4 ? "ipv4" : "ipv6";
	char f_mode[32], f_addrs[32], f_gw[32];
	snprintf(f_mode, sizeof f_mode, "%s_configuration_mode", p);
	snprintf(f_addrs, sizeof f_addrs, "%s_addresses", p);
	snprintf(f_gw, sizeof f_gw, "%s_gateway", p);
	if (xd_api_set_field("VIF", vif, f_mode, xd_string(mode), err) < 0 ||
	    xd_api_set_field("VIF", vif, f_addrs, addrs, err) < 0 ||
	    xd_api_set_field("VIF", vif, f_gw, xd_string(stat ? gw : ""), err) < 0)
		return NULL;
	return xd_void();
}

static xd_value *h_configure_ipv4(const xd_call *c, xd_error *e) { return configure_ip(c, 4, e); }
static xd_value *h_configure_ipv6(const xd_call *c, xd_error *e) { return configure_ip(c, 6, e); }

/* ---- host management interface ---- */

typedef struct mgmt_ctx {
	const char *host, *device;
	int f_host, f_mgmt, f_device;
	xd_value *managed;   /* this host's PIFs marked management */
	char *by_device;     /* this host's PIF of device */
} mgmt_ctx;

static int mgmt_cb(const char *ref, const xd_value *const *f, void *ud)
{
	mgmt_ctx *c = ud;
	if (strcmp(f[c->f_host]->u.s, c->host) != 0)
		return 0;
	if (f[c->f_mgmt]->u.b)
		xd_array_append_take(c->managed, xd_string(ref));
	if (c->device && !c->by_device && strcmp(f[c->f_device]->u.s, c->device) == 0)
		c->by_device = strdup(ref);
	return 0;
}

static mgmt_ctx scan_mgmt(const char *device)
{
	const xd_class *c = xd_dm_class("PIF");
	mgmt_ctx cx = { xd_this_host() ? xd_this_host() : "", device, xd_dm_field_index(c, "host"),
			xd_dm_field_index(c, "management"), xd_dm_field_index(c, "device"),
			xd_array(), NULL };
	xd_db_foreach(c, mgmt_cb, &cx);
	return cx;
}

/* The management role moves to pif (xapi: it must have an address). */
int xd_api_management_to(const char *pif, xd_error *err)
{
	xd_value *rec = xd_api_record("PIF", pif, err);
	if (!rec)
		return -1;
	int rc = 0;
	bool v6 = strcmp(xd_rec_str(rec, "primary_address_type"), "IPv6") == 0;
	const char *mode = xd_rec_str(rec, v6 ? "ipv6_configuration_mode" : "ip_configuration_mode");
	if (strcmp(xd_rec_str(rec, "host"), xd_this_host() ? xd_this_host() : "") != 0)
		rc = xd_error_set(err, "PIF_NOT_ATTACHED_TO_HOST", pif, xd_rec_str(rec, "host"), NULL);
	else if (strcmp(mode, "None") == 0)
		rc = xd_error_set(err, v6 ? "PIF_HAS_NO_V6_NETWORK_CONFIGURATION"
					  : "PIF_HAS_NO_NETWORK_CONFIGURATION", pif, NULL);
	xd_value_free(rec);
	if (rc < 0)
		return -1;
	mgmt_ctx cx = scan_mgmt(NULL);
	for (size_t i = 0; rc == 0 && i < cx.managed->u.arr.n; i++)
		if (strcmp(cx.managed->u.arr.items[i]->u.s, pif) != 0)
			rc = xd_api_set_field("PIF", cx.managed->u.arr.items[i]->u.s, "management", xd_bool(false),
				       err);
	xd_value_free(cx.managed);
	if (rc == 0)
		rc = xd_api_set_field("PIF", pif, "management", xd_bool(true), err);
	xd_value *now = rc == 0 ? xd_db_get_record(xd_dm_class("PIF"), pif) : NULL;
	if (now && !xd_rec_bool(now, "currently_attached"))
		rc = xd_network_pif_plug(pif, err);
	xd_value_free(now);
	return rc;
}

static xd_value *h_management_reconfigure(const xd_call *call, xd_error *err)
{
	return xd_api_management_to(xd_arg_str(call, 0), err) < 0 ? NULL : xd_void();
}

static xd_value *h_local_management_reconfigure(const xd_call *call, xd_error *err)
{
	const char *iface = xd_arg_str(call, 0);
	mgmt_ctx cx = scan_mgmt(iface);
	xd_value *res = NULL;
	if (!cx.by_device)
		xd_error_set(err, "PIF_DEVICE_NOT_FOUND", NULL);
	else if (xd_api_management_to(cx.by_device, err) == 0)
		res = xd_void();
	free(cx.by_device);
	xd_value_free(cx.managed);
	return res;
}

static xd_value *h_management_disable(const xd_call *call, xd_error *err)
{
	(void)call;
	mgmt_ctx cx = scan_mgmt(NULL);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < cx.managed->u.arr.n; i++)
		rc = xd_api_set_field("PIF", cx.managed->u.arr.items[i]->u.s, "management", xd_bool(false), err);
	xd_value_free(cx.managed);
	return rc < 0 ? NULL : xd_void();
}

void xd_api_network_register(void)
{
	xd_rpc_register("network", "destroy", h_network_destroy);
	xd_rpc_register("network", "set_MTU", h_network_set_MTU);
	xd_rpc_register("network", "set_default_locking_mode", h_set_default_locking_mode);
	xd_rpc_register("network", "add_purpose", h_add_purpose);
	xd_rpc_register("network", "remove_purpose", h_remove_purpose);
	xd_rpc_register("VIF", "move", h_vif_move);
	xd_rpc_register("VIF", "set_locking_mode", h_set_locking_mode);
	xd_rpc_register("VIF", "set_ipv4_allowed", h_set_ipv4_allowed);
	xd_rpc_register("VIF", "set_ipv6_allowed", h_set_ipv6_allowed);
	xd_rpc_register("VIF", "add_ipv4_allowed", h_add_ipv4_allowed);
	xd_rpc_register("VIF", "add_ipv6_allowed", h_add_ipv6_allowed);
	xd_rpc_register("VIF", "remove_ipv4_allowed", h_remove_ipv4_allowed);
	xd_rpc_register("VIF", "remove_ipv6_allowed", h_remove_ipv6_allowed);
	xd_rpc_register("VIF", "configure_ipv4", h_configure_ipv4);
	xd_rpc_register("VIF", "configure_ipv6", h_configure_ipv6);
	xd_rpc_register("host", "management_reconfigure", h_management_reconfigure);
	xd_rpc_register("host", "local_management_reconfigure", h_local_management_reconfigure);
	xd_rpc_register("host", "management_disable", h_management_disable);
}
