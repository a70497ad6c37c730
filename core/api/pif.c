/* pif.c - PIF messages (xapi_pif.ml, message_forwarding.ml's PIF module):
 * scan, introduce, forget, plug, unplug, IP configuration and the db_*
 * calls, with xapi's checks in xapi's order; the network layer
 * (network/network.h) does the work. Every PIF lives on this host (no
 * pool yet): a PIF of another host is refused as xapi's forwarding would
 * find no such host, HANDLE_INVALID. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <xapi/plugin.h>

#include "api.h"
#include "auth/session.h"
#include "db/db.h"
#include "generic/generic.h"
#include "ids.h"
#include "net_api.h"
#include "network/network.h"
#include "rpc/rpc.h"
#include "vm_int.h"

static const xd_class *pif_cls(void)
{
	return xd_dm_class("PIF");
}

int xd_api_set_field(const char *cls, const char *ref, const char *field, xd_value *v,
		     xd_error *err)
{
	const xd_class *c = xd_dm_class(cls);
	int rc = xd_db_set_field(c, ref, xd_dm_field_index(c, field), v, err);
	xd_value_free(v);
	return rc;
}

xd_value *xd_api_record(const char *cls, const char *ref, xd_error *err)
{
	xd_value *r = xd_db_get_record(xd_dm_class(cls), ref);
	if (!r)
		xd_error_set(err, "HANDLE_INVALID", cls, ref, NULL);
	return r;
}

int xd_api_pif_destroy(const char *pif, xd_error *err)
{
	xd_value *rec = xd_api_record("PIF", pif, err);
	if (!rec)
		return -1;
	const char *metrics = xd_rec_str(rec, "metrics");
	int rc = xd_db_destroy(pif_cls(), pif, err);
	if (rc == 0 && !xd_ref_is_null(metrics))
		xd_db_destroy(xd_dm_class("PIF_metrics"), metrics, NULL);
	xd_value_free(rec);
	return rc;
}


/* The PIF's record if it is one of this host's; else the error. */
static xd_value *local_pif(const char *pif, xd_error *err)
{
	xd_value *rec = xd_db_get_record(pif_cls(), pif);
	if (!rec) {
		xd_error_set(err, "HANDLE_INVALID", "PIF", pif, NULL);
		return NULL;
	}
	const char *host = xd_this_host();
	if (!host || strcmp(xd_rec_str(rec, "host"), host) != 0) {
		xd_error_set(err, "PIF_NOT_ATTACHED_TO_HOST", pif, xd_rec_str(rec, "host"), NULL);
		xd_value_free(rec);
		return NULL;
	}
	return rec;
}

static int check_local_host(const char *host, xd_error *err)
{
	if (xd_check_ref(xd_dm_class("host"), host, err) < 0)
		return -1;
	if (!xd_this_host() || strcmp(host, xd_this_host()) != 0)
		return xd_error_setf(err, "INTERNAL_ERROR", "host %s is not this host (no pool yet)",
				     host);
	return 0;
}

bool xd_api_valid_ip(int family, const char *s)
{
	unsigned char buf[16];
	return s && inet_pton(family == 6 ? AF_INET6 : AF_INET, s, buf) == 1;
}

/* ---- scan / introduce / forget ---- */

static xd_value *h_scan(const xd_call *call, xd_error *err)
{
	const char *host = xd_arg_str(call, 0);
	if (check_local_host(host, err) < 0 || xd_network_check_backend(err) < 0 ||
	    xd_network_pif_scan(host, err) < 0)
		return NULL;
	return xd_void();
}

static xd_value *h_introduce(const xd_call *call, xd_error *err)
{
	const char *host = xd_arg_str(call, 0), *mac = xd_arg_str(call, 1);
	const char *device = xd_arg_str(call, 2);
	char *pif = NULL;
	if (check_local_host(host, err) < 0 || xd_network_check_backend(err) < 0)
		return NULL;
	if (mac[0] && !xd_api_valid_mac(mac)) {
		xd_error_set(err, "MAC_INVALID", mac, NULL);
		return NULL;
	}
	if (xd_network_pif_introduce(host, device, mac, xd_arg_bool(call, 3), &pif, err) < 0)
		return NULL;
	return xd_string_take(pif);
}

/* What keeps a PIF from being forgotten or destroyed, as xapi's
 * assert_* checks, in xapi's order. */
static int check_forgettable(const char *pif, const xd_value *rec, xd_error *err)
{
	if (!xd_ref_is_null(xd_rec_str(rec, "bond_slave_of")))
		return xd_error_set(err, "PIF_ALREADY_BONDED", pif, NULL);
	const xd_value *vl = xd_struct_get(rec, "VLAN_slave_of");
	if (vl && vl->u.arr.n)
		return xd_error_set(err, "PIF_VLAN_STILL_EXISTS", pif, NULL);
	const xd_value *tn = xd_struct_get(rec, "tunnel_transport_PIF_of");
	if (tn && tn->u.arr.n)
		return xd_error_set(err, "PIF_TUNNEL_STILL_EXISTS", pif, NULL);
	if (xd_rec_bool(rec, "management"))
		return xd_error_set(err, "PIF_IS_MANAGEMENT_INTERFACE", pif, NULL);
	return 0;
}

static xd_value *h_forget(const xd_call *call, xd_error *err)
{
	const char *pif = xd_arg_str(call, 0);
	xd_value *rec = local_pif(pif, err), *res = NULL;
	if (!rec)
		return NULL;
	if (check_forgettable(pif, rec, err) < 0)
		goto out;
	if (xd_rec_bool(rec, "currently_attached") && xd_network_pif_unplug(pif, err) < 0)
		goto out;
	if (xd_api_pif_destroy(pif, err) < 0)
		goto out;
	res = xd_void();
out:
	xd_value_free(rec);
	return res;
}

/* ---- plug / unplug ---- */

static xd_value *h_plug(const xd_call *call, xd_error *err)
{
	const char *pif = xd_arg_str(call, 0);
	xd_value *rec = local_pif(pif, err), *res = NULL;
	if (!rec)
		return NULL;
	if (!xd_ref_is_null(xd_rec_str(rec, "bond_slave_of")))
		xd_error_set(err, "CANNOT_PLUG_BOND_SLAVE", pif, NULL);
	else if (xd_network_check_backend(err) == 0 && xd_network_pif_plug(pif, err) == 0)
		res = xd_void();
	xd_value_free(rec);
	return res;
}

static xd_value *h_unplug(const xd_call *call, xd_error *err)
{
	const char *pif = xd_arg_str(call, 0);
	xd_value *rec = local_pif(pif, err), *res = NULL;
	if (!rec)
		return NULL;
	if (xd_rec_bool(rec, "disallow_unplug"))
		xd_error_set(err, "PIF_DOES_NOT_ALLOW_UNPLUG", pif, NULL);
	else if (xd_rec_bool(rec, "management"))
		xd_error_set(err, "PIF_IS_MANAGEMENT_INTERFACE", pif, NULL);
	else if (!xd_ref_is_null(xd_rec_str(rec, "bond_slave_of")))
		xd_error_set(err, "CANNOT_PLUG_BOND_SLAVE", pif, NULL);
	else if (xd_network_check_backend(err) == 0 && xd_network_pif_unplug(pif, err) == 0)
		res = xd_void();
	xd_value_free(rec);
	return res;
}

static xd_value *h_set_disallow_unplug(const xd_call *call, xd_error *err)
{
	const char *pif = xd_arg_str(call, 0);
	xd_value *rec = local_pif(pif, err);
	if (!rec)
		return NULL;
	xd_value_free(rec);
	if (xd_api_set_field("PIF", pif, "disallow_unplug", xd_bool(xd_arg_bool(call, 1)), err) < 0)
		return NULL;
	return xd_void();
}

/* ---- IP configuration ---- */

static bool valid_netmask(const char *m)
{
	struct in_addr a;
	if (inet_pton(AF_INET, m, &a) != 1)
		return false;
	uint32_t v = ntohl(a.s_addr);
	return (v & (~v >> 1)) == 0; /* ones, then zeros */
}

static xd_value *h_reconfigure_ip(const xd_call *call, xd_error *err)
{
	const char *pif = xd_arg_str(call, 0), *mode = xd_arg_str(call, 1);
	const char *ipa = xd_arg_str(call, 2), *mask = xd_arg_str(call, 3);
	const char *gw = xd_arg_str(call, 4), *dns = xd_arg_str(call, 5);
	xd_value *rec = local_pif(pif, err), *res = NULL;
	if (!rec)
		return NULL;
	if (!xd_ref_is_null(xd_rec_str(rec, "bond_slave_of"))) {
		xd_error_set(err, "CANNOT_PLUG_BOND_SLAVE", pif, NULL);
		goto out;
	}
	if (strcmp(mode, "Static") == 0) {
		if (!xd_api_valid_ip(4, ipa)) {
			xd_error_set(err, "INVALID_IP_ADDRESS_SPECIFIED", "IP", NULL);
			goto out;
		}
		if (!valid_netmask(mask)) {
			xd_error_set(err, "INVALID_IP_ADDRESS_SPECIFIED", "netmask", NULL);
			goto out;
		}
		if (gw[0] && !xd_api_valid_ip(4, gw)) {
			xd_error_set(err, "INVALID_IP_ADDRESS_SPECIFIED", "gateway", NULL);
			goto out;
		}
	}
	if (strcmp(mode, "None") == 0 && xd_rec_bool(rec, "management")) {
		xd_error_set(err, "PIF_IS_MANAGEMENT_INTERFACE", pif, NULL);
		goto out;
	}
	if (strcmp(mode, "DHCP") == 0 && !xd_network_has_cap(XAPI_NET_CAP_DHCP)) {
		xd_error_setf(err, "OPERATION_NOT_ALLOWED", "the %s network backend has no DHCP "
			      "client on this host", xd_network_backend() ? xd_network_backend() : "");
		goto out;
	}
	bool stat = strcmp(mode, "Static") == 0;
	if (xd_api_set_field("PIF", pif, "ip_configuration_mode", xd_string(mode), err) < 0 ||
	    xd_api_set_field("PIF", pif, "IP", xd_string(stat ? ipa : ""), err) < 0 ||
	    xd_api_set_field("PIF", pif, "netmask", xd_string(stat ? mask : ""), err) < 0 ||
	    xd_api_set_field("PIF", pif, "gateway", xd_string(stat ? gw : ""), err) < 0 ||
	    xd_api_set_field("PIF", pif, "DNS", xd_string(stat ? dns : ""), err) < 0)
		goto out;
	if (xd_rec_bool(rec, "currently_attached") &&
	    (xd_network_check_backend(err) < 0 || xd_network_pif_apply_ip(pif, 4, err) < 0))
		goto out;
	res = xd_void();
out:
	xd_value_free(rec);
	return res;
}

static xd_value *h_reconfigure_ipv6(const xd_call *call, xd_error *err)
{
	const char *pif = xd_arg_str(call, 0), *mode = xd_arg_str(call, 1);
	const char *addr = xd_arg_str(call, 2), *gw = xd_arg_str(call, 3);
	const char *dns = xd_arg_str(call, 4);
	xd_value *rec = local_pif(pif, err), *res = NULL;
	if (!rec)
		return NULL;
	bool stat = strcmp(mode, "Static") == 0;
	char host[64];
	const char *slash = strchr(addr, '/');
	snprintf(host, sizeof host, "%.*s", slash ? (int)(slash - addr) : (int)strlen(addr), addr);
	if (stat && (!slash || !xd_api_valid_ip(6, host))) {
		xd_error_set(err, "INVALID_IP_ADDRESS_SPECIFIED", "IPv6", NULL);
		goto out;
	}
	if (stat && gw[0] && !xd_api_valid_ip(6, gw)) {
		xd_error_set(err, "INVALID_IP_ADDRESS_SPECIFIED", "gateway", NULL);
		goto out;
	}
	if (strcmp(mode, "None") == 0 && xd_rec_bool(rec, "management") &&
	    strcmp(xd_rec_str(rec, "primary_address_type"), "IPv6") == 0) {
		xd_error_set(err, "PIF_IS_MANAGEMENT_INTERFACE", pif, NULL);
		goto out;
	}
	if ((strcmp(mode, "DHCP") == 0 || strcmp(mode, "Autoconf") == 0)) {
		xd_error_setf(err, "OPERATION_NOT_ALLOWED", "IPv6 mode %s is not supported by the %s "
			      "network backend", mode, xd_network_backend() ? xd_network_backend() : "");
		goto out;
	}
	xd_value *v6 = xd_array();
	if (stat)
		xd_array_append_take(v6, xd_string(addr));
	if (xd_api_set_field("PIF", pif, "ipv6_configuration_mode", xd_string(mode), err) < 0 ||
	    xd_api_set_field("PIF", pif, "IPv6", v6, err) < 0 ||
	    xd_api_set_field("PIF", pif, "ipv6_gateway", xd_string(stat ? gw : ""), err) < 0 ||
	    (stat && dns[0] && xd_api_set_field("PIF", pif, "DNS", xd_string(dns), err) < 0))
		goto out;
	if (xd_rec_bool(rec, "currently_attached") &&
	    (xd_network_check_backend(err) < 0 || xd_network_pif_apply_ip(pif, 6, err) < 0))
		goto out;
	res = xd_void();
out:
	xd_value_free(rec);
	return res;
}

static xd_value *h_set_primary_address_type(const xd_call *call, xd_error *err)
{
	const char *pif = xd_arg_str(call, 0);
	xd_value *rec = local_pif(pif, err);
	if (!rec)
		return NULL;
	bool mgmt = xd_rec_bool(rec, "management");
	xd_value_free(rec);
	if (mgmt) /* xapi: the management interface's type changes with it */
		return xd_error_set(err, "PIF_IS_MANAGEMENT_INTERFACE", pif, NULL), NULL;
	if (xd_api_set_field("PIF", pif, "primary_address_type", xd_string(xd_arg_str(call, 1)), err) < 0)
		return NULL;
	return xd_void();
}

/* xapi knows one property, gro (on|off), on physical PIFs. */
static xd_value *h_set_property(const xd_call *call, xd_error *err)
{
	const char *pif = xd_arg_str(call, 0), *name = xd_arg_str(call, 1);
	const char *value = xd_arg_str(call, 2);
	xd_value *rec = local_pif(pif, err);
	if (!rec)
		return NULL;
	bool physical = xd_rec_bool(rec, "physical");
	xd_value_free(rec);
	if (!physical)
		return xd_error_set(err, "PIF_IS_NOT_PHYSICAL", pif, NULL), NULL;
	if (strcmp(name, "gro") != 0)
		return xd_error_set(err, "INVALID_VALUE", name, value, NULL), NULL;
	if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0)
		return xd_error_set(err, "INVALID_VALUE", name, value, NULL), NULL;
	const xd_class *c = pif_cls();
	int fi = xd_dm_field_index(c, "properties");
	xd_value *props = xd_db_get_field(c, pif, fi);
	xd_struct_set_take(props, name, xd_string(value));
	int rc = xd_db_set_field(c, pif, fi, props, err);
	xd_value_free(props);
	return rc < 0 ? NULL : xd_void();
}

/* ---- db_introduce / db_forget: the record alone ---- */

static xd_value *h_db_introduce(const xd_call *call, xd_error *err)
{
	static const char *const names[] = {
		"device", "network", "host", "MAC", "MTU", "VLAN", "physical",
		"ip_configuration_mode", "IP", "netmask", "gateway", "DNS", "bond_slave_of",
		"VLAN_master_of", "management", "other_config", "disallow_unplug",
		"ipv6_configuration_mode", "IPv6", "ipv6_gateway", "primary_address_type", "managed",
		"properties",
	};
	const xd_class *c = pif_cls();
	if (xd_check_ref(xd_dm_class("network"), xd_arg_str(call, 1), err) < 0 ||
	    xd_check_ref(xd_dm_class("host"), xd_arg_str(call, 2), err) < 0)
		return NULL;
	xd_value *rec = xd_struct();
	for (size_t i = 0; i < sizeof names / sizeof names[0] && i < call->nargs; i++)
		xd_struct_set_take(rec, names[i], xd_value_copy(call->args[i]));
	const xd_class *mc = xd_dm_class("PIF_metrics");
	xd_value *m = xd_struct();
	xd_generic_fill_defaults(mc, m);
	char *mref = xd_ref_new(), *ref = xd_ref_new();
	xd_struct_set_take(rec, "metrics", xd_string(mref));
	xd_struct_set_take(rec, "currently_attached", xd_bool(false));
	xd_generic_fill_defaults(c, rec);
	xd_value *res = NULL;
	if (xd_db_create(mc, mref, m, err) == 0) {
		if (xd_db_create(c, ref, rec, err) == 0)
			res = xd_string(ref);
		else
			xd_db_destroy(mc, mref, NULL);
	} else {
		xd_value_free(rec);
	}
	free(mref);
	free(ref);
	return res;
}

static xd_value *h_db_forget(const xd_call *call, xd_error *err)
{
	return xd_api_pif_destroy(xd_arg_str(call, 0), err) < 0 ? NULL : xd_void();
}

void xd_api_pif_register(void)
{
	xd_rpc_register("PIF", "scan", h_scan);
	xd_rpc_register("PIF", "introduce", h_introduce);
	xd_rpc_register("PIF", "forget", h_forget);
	xd_rpc_register("PIF", "plug", h_plug);
	xd_rpc_register("PIF", "unplug", h_unplug);
	xd_rpc_register("PIF", "set_disallow_unplug", h_set_disallow_unplug);
	xd_rpc_register("PIF", "reconfigure_ip", h_reconfigure_ip);
	xd_rpc_register("PIF", "reconfigure_ipv6", h_reconfigure_ipv6);
	xd_rpc_register("PIF", "set_primary_address_type", h_set_primary_address_type);
	xd_rpc_register("PIF", "set_property", h_set_property);
	xd_rpc_register("PIF", "db_introduce", h_db_introduce);
	xd_rpc_register("PIF", "db_forget", h_db_forget);
}
