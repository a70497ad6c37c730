/* vlan_bond.c - VLAN, Bond and tunnel messages (xapi_vlan.ml, xapi_bond.ml,
 * xapi_tunnel.ml): each makes a PIF of its own (the untagged PIF, the bond
 * master bond<N>, the access PIF tunnel<N>) on the given network, with
 * xapi's checks in xapi's order, and plugs it through the network layer.
 * What the backend cannot do (no 8021q or bonding module under the bridge
 * backend) is refused before anything is made; a plug that fails undoes
 * the records, so nothing half-made is left. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xapi/plugin.h>

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


static int not_available(xd_error *err, const char *what)
{
	const char *b = xd_network_backend();
	return xd_error_setf(err, "OPERATION_NOT_ALLOWED",
			     "%s not available on this host's %s network backend%s", what,
			     b ? b : "(none)",
			     b && strcmp(b, "bridge") == 0 ? " (the kernel has no module for them)" : "");
}

/* NETWORK_ALREADY_CONNECTED [network, pif] if network has a PIF on this host. */
static int check_unconnected(const char *network, xd_error *err)
{
	xd_value *net = xd_api_record("network", network, err);
	if (!net)
		return -1;
	const xd_value *pifs = xd_struct_get(net, "PIFs");
	int rc = 0;
	for (size_t i = 0; rc == 0 && pifs && i < pifs->u.arr.n; i++) {
		xd_value *p = xd_db_get_record(xd_dm_class("PIF"), pifs->u.arr.items[i]->u.s);
		if (p && strcmp(xd_rec_str(p, "host"), xd_this_host() ? xd_this_host() : "") == 0)
			rc = xd_error_set(err, "NETWORK_ALREADY_CONNECTED", network,
					  pifs->u.arr.items[i]->u.s, NULL);
		xd_value_free(p);
	}
	xd_value_free(net);
	return rc;
}

/* A non-physical PIF of this host (and its PIF_metrics). Heap ref. */
static char *make_pif(const char *device, const char *network, const char *mac, int64_t vlan,
		      xd_error *err)
{
	const xd_class *mc = xd_dm_class("PIF_metrics"), *pc = xd_dm_class("PIF");
	xd_value *m = xd_struct();
	xd_generic_fill_defaults(mc, m);
	char *mref = xd_ref_new(), *ref = xd_ref_new();
	xd_value *net = xd_db_get_record(xd_dm_class("network"), network);
	xd_value *p = xd_struct();
	xd_struct_set_take(p, "device", xd_string(device));
	xd_struct_set_take(p, "network", xd_string(network));
	xd_struct_set_take(p, "host", xd_string(xd_this_host()));
	xd_struct_set_take(p, "MAC", xd_string(mac));
	xd_struct_set_take(p, "MTU", xd_int(net ? xd_rec_int(net, "MTU") : 1500));
	xd_struct_set_take(p, "VLAN", xd_int(vlan));
	xd_struct_set_take(p, "metrics", xd_string(mref));
	xd_struct_set_take(p, "physical", xd_bool(false));
	xd_struct_set_take(p, "currently_attached", xd_bool(false));
	xd_generic_fill_defaults(pc, p);
	xd_value_free(net);
	if (xd_db_create(mc, mref, m, err) < 0) {
		xd_value_free(p);
		free(ref);
		ref = NULL;
	} else if (xd_db_create(pc, ref, p, err) < 0) {
		xd_db_destroy(mc, mref, NULL);
		free(ref);
		ref = NULL;
	}
	free(mref);
	return ref;
}

static void destroy_pif(const char *pif)
{
	xd_error err = XD_ERROR_INIT;
	xd_api_pif_destroy(pif, &err);
	xd_error_clear(&err);
}

/* The first <prefix><N> no PIF of this host is called. */
static void free_device(const char *prefix, char *out, size_t n)
{
	xd_value *all = xd_db_get_all(xd_dm_class("PIF"));
	const xd_class *c = xd_dm_class("PIF");
	int fi = xd_dm_field_index(c, "device");
	for (int k = 0;; k++) {
		snprintf(out, n, "%s%d", prefix, k);
		bool used = false;
		for (size_t i = 0; !used && i < all->u.arr.n; i++) {
			xd_value *d = xd_db_get_field(c, all->u.arr.items[i]->u.s, fi);
			used = d && strcmp(d->u.s, out) == 0;
			xd_value_free(d);
		}
		if (!used)
			break;
	}
	xd_value_free(all);
}

/* ---- VLAN ---- */

/* VLAN.create's work (net_api.h). */
char *xd_api_vlan_create(const char *tagged, int64_t tag, const char *network, xd_error *err)
{
	xd_value *t = xd_api_record("PIF", tagged, err);
	char *pif = NULL, *vlan = NULL, *res = NULL;
	if (!t || xd_check_ref(xd_dm_class("network"), network, err) < 0)
		goto out;
	if (xd_rec_int(t, "VLAN") >= 0) {
		xd_error_set(err, "PIF_IS_VLAN", tagged, NULL);
		goto out;
	}
	if (!xd_ref_is_null(xd_rec_str(t, "bond_slave_of"))) {
		xd_error_set(err, "CANNOT_ADD_VLAN_TO_BOND_SLAVE", tagged, NULL);
		goto out;
	}
	/* 4095 is reserved (802.1Q) */
	if (tag < 0 || tag > 4094) {
		char v[32];
		snprintf(v, sizeof v, "%lld", (long long)tag);
		xd_error_set(err, "VLAN_TAG_INVALID", v, NULL);
		goto out;
	}
	const xd_value *vlans = xd_struct_get(t, "VLAN_slave_of");
	for (size_t i = 0; vlans && i < vlans->u.arr.n; i++) {
		xd_value *v = xd_db_get_record(xd_dm_class("VLAN"), vlans->u.arr.items[i]->u.s);
		bool same = v && xd_rec_int(v, "tag") == tag;
		xd_value_free(v);
		if (same) {
			xd_error_set(err, "PIF_VLAN_EXISTS", xd_rec_str(t, "device"), NULL);
			goto out;
		}
	}
	if (check_unconnected(network, err) < 0 || xd_network_check_backend(err) < 0)
		goto out;
	if (!xd_network_has_cap(XAPI_NET_CAP_VLAN)) {
		not_available(err, "VLANs are");
		goto out;
	}
	pif = make_pif(xd_rec_str(t, "device"), network, xd_rec_str(t, "MAC"), tag, err);
	if (!pif)
		goto out;
	const xd_class *vc = xd_dm_class("VLAN");
	xd_value *v = xd_struct();
	xd_struct_set_take(v, "tagged_PIF", xd_string(tagged));
	xd_struct_set_take(v, "untagged_PIF", xd_string(pif));
	xd_struct_set_take(v, "tag", xd_int(tag));
	xd_generic_fill_defaults(vc, v);
	vlan = xd_ref_new();
	if (xd_db_create(vc, vlan, v, err) < 0 ||
	    xd_api_set_field("PIF", pif, "VLAN_master_of", xd_string(vlan), err) < 0)
		goto undo;
	if (xd_rec_bool(t, "currently_attached") && xd_network_pif_plug(pif, err) < 0)
		goto undo;
	res = vlan;
	vlan = NULL;
	goto out;
undo:
	xd_db_destroy(vc, vlan, NULL);
	destroy_pif(pif);
out:
	free(pif);
	free(vlan);
	xd_value_free(t);
	return res;
}

static xd_value *h_vlan_create(const xd_call *call, xd_error *err)
{
	char *vlan = xd_api_vlan_create(xd_arg_str(call, 0), xd_arg_int(call, 1),
					xd_arg_str(call, 2), err);

	return vlan ? xd_string_take(vlan) : NULL;
}

/* VLAN.destroy's work (net_api.h). */
int xd_api_vlan_destroy(const char *vlan, xd_error *err)
{
	xd_value *v = xd_api_record("VLAN", vlan, err);
	int rc = -1;
	if (!v)
		return -1;
	const char *pif = xd_rec_str(v, "untagged_PIF");
	xd_value *p = xd_db_get_record(xd_dm_class("PIF"), pif);
	if (p && xd_rec_bool(p, "management")) {
		xd_error_set(err, "PIF_IS_MANAGEMENT_INTERFACE", pif, NULL);
		goto out;
	}
	if (p && xd_rec_bool(p, "currently_attached") && xd_network_pif_unplug(pif, err) < 0)
		goto out;
	if (xd_db_destroy(xd_dm_class("VLAN"), vlan, err) < 0)
		goto out;
	destroy_pif(pif);
	rc = 0;
out:
	xd_value_free(p);
	xd_value_free(v);
	return rc;
}

static xd_value *h_vlan_destroy(const xd_call *call, xd_error *err)
{
	return xd_api_vlan_destroy(xd_arg_str(call, 0), err) < 0 ? NULL : xd_void();
}

/* ---- Bond ---- */

static int check_property(const char *name, const char *value, xd_error *err)
{
	bool ok;
	if (strcmp(name, "hashing_algorithm") == 0)
		ok = strcmp(value, "src_mac") == 0 || strcmp(value, "tcpudp_ports") == 0;
	else if (strcmp(name, "lacp-time") == 0)
		ok = strcmp(value, "slow") == 0 || strcmp(value, "fast") == 0;
	else if (strcmp(name, "lacp-fallback-ab") == 0)
		ok = strcmp(value, "true") == 0 || strcmp(value, "false") == 0;
	else if (strcmp(name, "lacp-aggregation-key") == 0 || strcmp(name, "updelay") == 0 ||
		 strcmp(name, "downdelay") == 0 || strcmp(name, "miimon") == 0) {
		char *end;
		long n = strtol(value, &end, 10);
		ok = *value && !*end && n >= 0;
	} else
		ok = false;
	return ok ? 0 : xd_error_set(err, "INVALID_VALUE", name, value, NULL);
}

static xd_value *h_bond_create(const xd_call *call, xd_error *err)
{
	const char *network = xd_arg_str(call, 0), *mac = xd_arg_str(call, 2);
	const char *mode = xd_arg_str(call, 3);
	const xd_value *members = call->args[1], *props = call->args[4];
	xd_value *res = NULL;
	char *master = NULL, *bond = NULL;
	if (members->u.arr.n < 2)
		return xd_error_set(err, "PIF_BOND_NEEDS_MORE_MEMBERS", NULL), NULL;
	if (xd_check_ref(xd_dm_class("network"), network, err) < 0)
		return NULL;
	const char *host = NULL, *primary = members->u.arr.items[0]->u.s;
	int with_ip = 0;
	for (size_t i = 0; i < members->u.arr.n; i++) {
		const char *m = members->u.arr.items[i]->u.s;
		xd_value *p = xd_api_record("PIF", m, err);
		if (!p)
			return NULL;
		int rc = 0;
		if (host && strcmp(host, xd_rec_str(p, "host")) != 0)
			rc = xd_error_set(err, "PIF_CANNOT_BOND_CROSS_HOST", NULL);
		else if (!xd_ref_is_null(xd_rec_str(p, "bond_slave_of")))
			rc = xd_error_set(err, "PIF_ALREADY_BONDED", m, NULL);
		else if (xd_rec_int(p, "VLAN") >= 0)
			rc = xd_error_set(err, "PIF_IS_VLAN", m, NULL);
		else if (strcmp(xd_rec_str(p, "ip_configuration_mode"), "None") != 0 && ++with_ip > 1)
			rc = xd_error_set(err, "PIF_BOND_MORE_THAN_ONE_IP", NULL);
		if (!host)
			host = xd_this_host();
		xd_value_free(p);
		if (rc < 0)
			return NULL;
	}
	if (mac[0] && !xd_api_valid_mac(mac))
		return xd_error_set(err, "MAC_INVALID", mac, NULL), NULL;
	for (size_t i = 0; props && i < props->u.st.n; i++)
		if (check_property(props->u.st.m[i].name, props->u.st.m[i].v->u.s, err) < 0)
			return NULL;
	if (check_unconnected(network, err) < 0 || xd_network_check_backend(err) < 0)
		return NULL;
	if (!xd_network_has_cap(XAPI_NET_CAP_BOND))
		return not_available(err, "bonds are"), NULL;
	xd_value *prim = xd_db_get_record(xd_dm_class("PIF"), primary);
	char dev[32];
	free_device("bond", dev, sizeof dev);
	master = make_pif(dev, network, mac[0] ? mac : xd_rec_str(prim, "MAC"), -1, err);
	if (!master)
		goto out;
	const xd_class *bc = xd_dm_class("Bond");
	xd_value *b = xd_struct();
	xd_struct_set_take(b, "master", xd_string(master));
	xd_struct_set_take(b, "primary_slave", xd_string(primary));
	xd_struct_set_take(b, "mode", xd_string(mode));
	xd_struct_set_take(b, "properties", xd_value_copy(props));
	xd_struct_set_take(b, "links_up", xd_int((int64_t)members->u.arr.n));
	xd_struct_set_take(b, "auto_update_mac", xd_bool(mac[0] == 0));
	xd_generic_fill_defaults(bc, b);
	bond = xd_ref_new();
	if (xd_db_create(bc, bond, b, err) < 0)
		goto undo;
	/* the members leave their own bridges; the bond takes the primary's
	 * IP configuration and management role, as xapi moves them */
	for (size_t i = 0; i < members->u.arr.n; i++) {
		const char *m = members->u.arr.items[i]->u.s;
		xd_value *p = xd_db_get_record(xd_dm_class("PIF"), m);
		if (p && xd_rec_bool(p, "currently_attached") && !xd_rec_bool(p, "management"))
			xd_network_pif_unplug(m, err);
		xd_value_free(p);
		xd_error_clear(err);
		xd_api_set_field("PIF", m, "bond_slave_of", xd_string(bond), err);
	}
	static const char *const moved[] = { "ip_configuration_mode", "IP", "netmask", "gateway",
					     "DNS", "management" };
	for (size_t i = 0; i < sizeof moved / sizeof moved[0]; i++)
		xd_api_set_field("PIF", master, moved[i], xd_value_copy(xd_struct_get(prim, moved[i])), err);
	if (xd_rec_bool(prim, "management"))
		xd_api_set_field("PIF", primary, "management", xd_bool(false), err);
	if (xd_network_pif_plug(master, err) < 0)
		goto undo_members;
	res = xd_string(bond);
	goto out;
undo_members:
	for (size_t i = 0; i < members->u.arr.n; i++)
		xd_api_set_field("PIF", members->u.arr.items[i]->u.s, "bond_slave_of",
			  xd_string(XD_NULL_REF), NULL);
	if (xd_rec_bool(prim, "management"))
		xd_api_set_field("PIF", primary, "management", xd_bool(true), NULL);
	xd_db_destroy(bc, bond, NULL);
undo:
	destroy_pif(master);
out:
	free(master);
	free(bond);
	xd_value_free(prim);
	return res;
}

static xd_value *h_bond_destroy(const xd_call *call, xd_error *err)
{
	const char *bond = xd_arg_str(call, 0);
	xd_value *b = xd_api_record("Bond", bond, err), *res = NULL;
	if (!b)
		return NULL;
	const char *master = xd_rec_str(b, "master"), *primary = xd_rec_str(b, "primary_slave");
	xd_value *m = xd_db_get_record(xd_dm_class("PIF"), master);
	if (m && xd_rec_bool(m, "currently_attached") && xd_network_pif_unplug(master, err) < 0)
		goto out;
	const xd_value *slaves = xd_struct_get(b, "slaves");
	xd_value *sl = xd_value_copy(slaves);
	for (size_t i = 0; sl && i < sl->u.arr.n; i++)
		xd_api_set_field("PIF", sl->u.arr.items[i]->u.s, "bond_slave_of", xd_string(XD_NULL_REF), err);
	/* the primary member gets back the IP configuration and management */
	static const char *const moved[] = { "ip_configuration_mode", "IP", "netmask", "gateway",
					     "DNS", "management" };
	for (size_t i = 0; m && !xd_ref_is_null(primary) && i < sizeof moved / sizeof moved[0]; i++)
		xd_api_set_field("PIF", primary, moved[i], xd_value_copy(xd_struct_get(m, moved[i])), err);
	xd_db_destroy(xd_dm_class("Bond"), bond, err);
	destroy_pif(master);
	for (size_t i = 0; sl && i < sl->u.arr.n; i++) {
		xd_error e2 = XD_ERROR_INIT;
		if (xd_network_pif_plug(sl->u.arr.items[i]->u.s, &e2) < 0)
			xd_warn("Bond.destroy: member %s not plugged again: %s", sl->u.arr.items[i]->u.s,
				e2.code);
		xd_error_clear(&e2);
	}
	xd_value_free(sl);
	xd_error_clear(err);
	res = xd_void();
out:
	xd_value_free(m);
	xd_value_free(b);
	return res;
}

/* A plugged bond is made again with its new mode or properties. */
static int replug_master(const xd_value *b, xd_error *err)
{
	const char *master = xd_rec_str(b, "master");
	xd_value *m = xd_db_get_record(xd_dm_class("PIF"), master);
	int rc = 0;
	if (m && xd_rec_bool(m, "currently_attached")) {
		rc = xd_network_pif_unplug(master, err);
		if (rc == 0)
			rc = xd_network_pif_plug(master, err);
	}
	xd_value_free(m);
	return rc;
}

static xd_value *h_bond_set_mode(const xd_call *call, xd_error *err)
{
	const char *bond = xd_arg_str(call, 0);
	xd_value *b = xd_api_record("Bond", bond, err), *res = NULL;
	if (b && xd_api_set_field("Bond", bond, "mode", xd_string(xd_arg_str(call, 1)), err) == 0 &&
	    replug_master(b, err) == 0)
		res = xd_void();
	xd_value_free(b);
	return res;
}

static xd_value *h_bond_set_property(const xd_call *call, xd_error *err)
{
	const char *bond = xd_arg_str(call, 0), *name = xd_arg_str(call, 1);
	const char *value = xd_arg_str(call, 2);
	xd_value *b = xd_api_record("Bond", bond, err), *res = NULL;
	if (!b || check_property(name, value, err) < 0)
		goto out;
	xd_value *props = xd_value_copy(xd_struct_get(b, "properties"));
	xd_struct_set_take(props, name, xd_string(value));
	if (xd_api_set_field("Bond", bond, "properties", props, err) == 0 && replug_master(b, err) == 0)
		res = xd_void();
out:
	xd_value_free(b);
	return res;
}

/* ---- tunnel ---- */

static xd_value *h_tunnel_create(const xd_call *call, xd_error *err)
{
	const char *transport = xd_arg_str(call, 0), *network = xd_arg_str(call, 1);
	const char *protocol = xd_arg_str(call, 2);
	xd_value *t = xd_api_record("PIF", transport, err), *res = NULL;
	char *pif = NULL, *tun = NULL;
	if (!t || xd_check_ref(xd_dm_class("network"), network, err) < 0)
		goto out;
	bool gre = strcmp(protocol, "gre") == 0;
	/* xapi's answer where tunnels cannot be made */
	if (!xd_network_has_cap(gre ? XAPI_NET_CAP_GRE : XAPI_NET_CAP_TUNNEL)) {
		xd_error_set(err, "OPENVSWITCH_NOT_ACTIVE", NULL);
		goto out;
	}
	const xd_value *acc = xd_struct_get(t, "tunnel_access_PIF_of");
	if (acc && acc->u.arr.n) {
		xd_error_set(err, "IS_TUNNEL_ACCESS_PIF", transport, NULL);
		goto out;
	}
	if (!xd_ref_is_null(xd_rec_str(t, "bond_slave_of"))) {
		xd_error_set(err, "CANNOT_ADD_TUNNEL_TO_BOND_SLAVE", transport, NULL);
		goto out;
	}
	if (strcmp(xd_rec_str(t, "ip_configuration_mode"), "None") == 0) {
		xd_error_set(err, "TRANSPORT_PIF_NOT_CONFIGURED", transport, NULL);
		goto out;
	}
	if (check_unconnected(network, err) < 0)
		goto out;
	char dev[32];
	free_device("tunnel", dev, sizeof dev);
	pif = make_pif(dev, network, xd_rec_str(t, "MAC"), -1, err);
	if (!pif)
		goto out;
	const xd_class *tc = xd_dm_class("tunnel");
	xd_value *r = xd_struct();
	xd_struct_set_take(r, "access_PIF", xd_string(pif));
	xd_struct_set_take(r, "transport_PIF", xd_string(transport));
	xd_struct_set_take(r, "protocol", xd_string(protocol));
	xd_value *status = xd_struct();
	xd_struct_set_take(status, "active", xd_string("false"));
	xd_struct_set_take(r, "status", status);
	xd_generic_fill_defaults(tc, r);
	tun = xd_ref_new();
	if (xd_db_create(tc, tun, r, err) < 0)
		goto undo;
	if (xd_network_pif_plug(pif, err) < 0) {
		xd_db_destroy(tc, tun, NULL);
		goto undo;
	}
	xd_value *st = xd_struct();
	xd_struct_set_take(st, "active", xd_string("true"));
	xd_api_set_field("tunnel", tun, "status", st, err);
	res = xd_string(tun);
	goto out;
undo:
	destroy_pif(pif);
out:
	free(pif);
	free(tun);
	xd_value_free(t);
	return res;
}

static xd_value *h_tunnel_destroy(const xd_call *call, xd_error *err)
{
	const char *tun = xd_arg_str(call, 0);
	xd_value *t = xd_api_record("tunnel", tun, err), *res = NULL;
	if (!t)
		return NULL;
	const char *pif = xd_rec_str(t, "access_PIF");
	xd_value *p = xd_db_get_record(xd_dm_class("PIF"), pif);
	if ((!p || !xd_rec_bool(p, "currently_attached") || xd_network_pif_unplug(pif, err) == 0) &&
	    xd_db_destroy(xd_dm_class("tunnel"), tun, err) == 0) {
		destroy_pif(pif);
		res = xd_void();
	}
	xd_value_free(p);
	xd_value_free(t);
	return res;
}

void xd_api_vlan_bond_register(void)
{
	xd_rpc_register("VLAN", "create", h_vlan_create);
	xd_rpc_register("VLAN", "destroy", h_vlan_destroy);
	xd_rpc_register("Bond", "create", h_bond_create);
	xd_rpc_register("Bond", "destroy", h_bond_destroy);
	xd_rpc_register("Bond", "set_mode", h_bond_set_mode);
	xd_rpc_register("Bond", "set_property", h_bond_set_property);
	xd_rpc_register("tunnel", "create", h_tunnel_create);
	xd_rpc_register("tunnel", "destroy", h_tunnel_destroy);
}
