/* net_pif.c - this host's PIFs: scan and introduce (records from what the
 * backend reports, a network per new NIC as xapi's introduce makes it),
 * plug and unplug (the network's bridge, the NIC its port, the IP
 * configuration on the bridge, as xapi's nm.ml), the IP addresses recorded
 * from what the backend says, the first boot and the reconcile. */
#define _GNU_SOURCE /* asprintf */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/session.h"
#include "db/db.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "net_int.h"

/* ---- lookups ---- */

typedef struct find_ctx {
	const char *host, *device, *mac;
	int f_host, f_device, f_mac, f_vlan;
	char *found;
} find_ctx;

static int find_pif_cb(const char *ref, const xd_value *const *f, void *ud)
{
	find_ctx *c = ud;
	if (c->found || strcmp(f[c->f_host]->u.s, c->host) != 0 || f[c->f_vlan]->u.i != -1)
		return 0;
	if ((c->device && strcmp(f[c->f_device]->u.s, c->device) == 0) ||
	    (c->mac && c->mac[0] && strcasecmp(f[c->f_mac]->u.s, c->mac) == 0))
		c->found = strdup(ref);
	return 0;
}

/* This host's untagged PIF of device (or of that MAC), or NULL. Heap. */
static char *find_pif(const char *host, const char *device, const char *mac)
{
	const xd_class *c = xd_dm_class("PIF");
	find_ctx cx = { host, device, mac, xd_dm_field_index(c, "host"),
			xd_dm_field_index(c, "device"), xd_dm_field_index(c, "MAC"),
			xd_dm_field_index(c, "VLAN"), NULL };
	xd_db_foreach(c, find_pif_cb, &cx);
	return cx.found;
}

typedef struct bridges_ctx {
	int f_bridge;
	const char *want;
	char *found;
	xd_value *all;
} bridges_ctx;

static int bridges_cb(const char *ref, const xd_value *const *f, void *ud)
{
	bridges_ctx *c = ud;
	xd_array_append_take(c->all, xd_value_copy(f[c->f_bridge]));
	if (!c->found && c->want && strcmp(f[c->f_bridge]->u.s, c->want) == 0)
		c->found = strdup(ref);
	return 0;
}

static bool in_array(const xd_value *a, const char *s)
{
	for (size_t i = 0; i < a->u.arr.n; i++)
		if (strcmp(a->u.arr.items[i]->u.s, s) == 0)
			return true;
	return false;
}

/* The network whose bridge xapi's convention gives device (ethN ->
 * xenbrN, else the first free xenbr<N>, as newer xapi numbers them by
 * position), made if there is none. Heap ref. */
static char *network_for(const char *device, xd_error *err)
{
	const xd_class *c = xd_dm_class("network");
	char bridge[32] = "";
	if (strncmp(device, "eth", 3) == 0 && device[3] && strlen(device) < 12) {
		bool digits = true;
		for (const char *p = device + 3; *p; p++)
			digits &= isdigit((unsigned char)*p) != 0;
		if (digits)
			snprintf(bridge, sizeof bridge, "xenbr%s", device + 3);
	}
	bridges_ctx bc = { xd_dm_field_index(c, "bridge"), bridge[0] ? bridge : NULL, NULL,
			   xd_array() };
	xd_db_foreach(c, bridges_cb, &bc);
	if (!bridge[0] || in_array(bc.all, bridge)) {
		if (bc.found) {
			xd_value_free(bc.all);
			return bc.found;
		}
		for (int n = 0; !bridge[0] || in_array(bc.all, bridge); n++)
			snprintf(bridge, sizeof bridge, "xenbr%d", n);
	}
	xd_value_free(bc.all);
	xd_value *rec = xd_struct();
	char label[160];
	snprintf(label, sizeof label, "Pool-wide network associated with %s", device);
	xd_struct_set_take(rec, "name_label", xd_string(label));
	xd_struct_set_take(rec, "bridge", xd_string(bridge));
	xd_generic_fill_defaults(c, rec);
	char *ref = xd_ref_new();
	if (xd_db_create(c, ref, rec, err) < 0) {
		free(ref);
		return NULL;
	}
	return ref;
}

/* ---- records ---- */

static xd_value *metrics_record(const xd_net_link *l)
{
	xd_value *m = xd_struct();
	xd_struct_set_take(m, "carrier", xd_bool(l && l->carrier > 0));
	xd_struct_set_take(m, "vendor_id", xd_string(l ? l->vendor_id : ""));
	xd_struct_set_take(m, "vendor_name", xd_string(l ? l->vendor_name : ""));
	xd_struct_set_take(m, "device_id", xd_string(l ? l->device_id : ""));
	xd_struct_set_take(m, "device_name", xd_string(l ? l->device_name : ""));
	xd_struct_set_take(m, "speed", xd_int(l && l->speed_mbit > 0 ? l->speed_mbit : 0));
	xd_struct_set_take(m, "duplex", xd_bool(l && l->duplex > 0));
	xd_struct_set_take(m, "pci_bus_path", xd_string(l ? l->pci_bus_path : ""));
	xd_struct_set_take(m, "last_updated", xd_datetime((int64_t)time(NULL)));
	return m;
}

void xd_net_pif_metrics_update(const char *pif, const xd_net_link *l)
{
	xd_value *rec = xd_net_record("PIF", pif);
	const char *metrics = xd_net_str(rec, "metrics");
	const xd_class *c = xd_dm_class("PIF_metrics");
	if (metrics[0] && xd_db_exists(c, metrics)) {
		xd_value *m = metrics_record(l);
		xd_error err = XD_ERROR_INIT;
		bool changed = false;
		for (size_t i = 0; i < m->u.st.n; i++) {
			/* last_updated alone would make an event every round: it
			 * moves when a fact does */
			if (strcmp(m->u.st.m[i].name, "last_updated") == 0)
				continue;
			int fi = xd_dm_field_index(c, m->u.st.m[i].name);
			xd_value *old = xd_db_get_field(c, metrics, fi);
			if (!old || !xd_value_equal(old, m->u.st.m[i].v)) {
				xd_db_set_field(c, metrics, fi, m->u.st.m[i].v, &err);
				changed = true;
			}
			xd_value_free(old);
			xd_error_clear(&err);
		}
		if (changed)
			xd_db_set_field(c, metrics, xd_dm_field_index(c, "last_updated"),
					xd_struct_get(m, "last_updated"), &err);
		xd_error_clear(&err);
		xd_value_free(m);
	}
	xd_value_free(rec);
}

/* A PIF record for NIC l (device, MAC, MTU) of host on network, with its
 * PIF_metrics. */
static char *create_pif(const char *host, const char *device, const char *mac, int64_t mtu,
			const char *network, bool managed, const xd_net_link *l, xd_error *err)
{
	const xd_class *mc = xd_dm_class("PIF_metrics"), *pc = xd_dm_class("PIF");
	xd_value *m = metrics_record(l);
	xd_generic_fill_defaults(mc, m);
	char *mref = xd_ref_new();
	if (xd_db_create(mc, mref, m, err) < 0) {
		free(mref);
		return NULL;
	}
	xd_value *p = xd_struct();
	xd_struct_set_take(p, "device", xd_string(device));
	xd_struct_set_take(p, "network", xd_string(network));
	xd_struct_set_take(p, "host", xd_string(host));
	xd_struct_set_take(p, "MAC", xd_string(mac));
	xd_struct_set_take(p, "MTU", xd_int(mtu > 0 ? mtu : 1500));
	xd_struct_set_take(p, "VLAN", xd_int(-1));
	xd_struct_set_take(p, "metrics", xd_string(mref));
	xd_struct_set_take(p, "physical", xd_bool(true));
	xd_struct_set_take(p, "currently_attached", xd_bool(false));
	xd_struct_set_take(p, "managed", xd_bool(managed));
	xd_generic_fill_defaults(pc, p);
	char *ref = xd_ref_new();
	if (xd_db_create(pc, ref, p, err) < 0) {
		xd_db_destroy(mc, mref, NULL);
		free(ref);
		ref = NULL;
	}
	free(mref);
	return ref;
}

/* ---- scan / introduce ---- */

/* A PIF for NIC l unless this host has one of that device or MAC. */
static int adopt(const char *host, const xd_net_link *l, bool managed, char **out, xd_error *err)
{
	char *have = find_pif(host, l->device, l->mac);
	if (have) {
		xd_net_pif_metrics_update(have, l);
		if (out)
			*out = have;
		else
			free(have);
		return 0;
	}
	char *net = network_for(l->device, err);
	if (!net)
		return -1;
	char *pif = create_pif(host, l->device, l->mac ? l->mac : "", l->mtu, net, managed, l, err);
	free(net);
	if (!pif)
		return -1;
	xd_info("network: PIF %s for NIC %s (%s)", pif, l->device, l->mac ? l->mac : "");
	if (out)
		*out = pif;
	else
		free(pif);
	return 0;
}

int xd_network_pif_scan(const char *host, xd_error *err)
{
	xd_net_result r;
	if (xd_net_call(XD_NET_PIF_SCAN, NULL, &r, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < r.nlinks && rc == 0; i++)
		if (r.links[i].device && r.links[i].physical)
			rc = adopt(host, &r.links[i], true, NULL, err);
	xd_net_result_clear(&r);
	return rc;
}

int xd_network_pif_introduce(const char *host, const char *device, const char *mac,
			     bool managed, char **pif_out, xd_error *err)
{
	*pif_out = NULL;
	xd_net_result r;
	if (xd_net_call(XD_NET_PIF_SCAN, NULL, &r, err) < 0)
		return -1;
	const xd_net_link *l = NULL;
	for (size_t i = 0; i < r.nlinks; i++)
		if (r.links[i].device && strcmp(r.links[i].device, device) == 0)
			l = &r.links[i];
	int rc;
	if (!l || (mac && mac[0] && l->mac && strcasecmp(l->mac, mac) != 0)) {
		/* xapi: the device is not there (or has another MAC) */
		rc = xd_error_set(err, mac && mac[0] && l ? "MAC_DOES_NOT_EXIST" : "PIF_DEVICE_NOT_FOUND",
				  mac && mac[0] && l ? mac : NULL, NULL);
	} else {
		char *have = find_pif(host, device, NULL);
		if (have) {
			rc = xd_error_set(err, "DUPLICATE_PIF_DEVICE_NAME", device, NULL);
			free(have);
		} else {
			rc = adopt(host, l, managed, pif_out, err);
		}
	}
	xd_net_result_clear(&r);
	return rc;
}

/* ---- plug / unplug ---- */

/* The external ids xapi's scripts give a port (OVS keeps them). */
static xd_value *port_ids(const char *network_uuid)
{
	xd_value *ids = xd_struct();
	xd_struct_set_take(ids, "xs-network-uuids", xd_string(network_uuid));
	return ids;
}

/* The devices of a bond's members (its slaves). */
static xd_value *member_devices(const xd_value *bond)
{
	xd_value *out = xd_array();
	const xd_value *slaves = xd_struct_get(bond, "slaves");
	for (size_t i = 0; slaves && i < slaves->u.arr.n; i++) {
		xd_value *p = xd_net_record("PIF", slaves->u.arr.items[i]->u.s);
		if (p)
			xd_array_append_take(out, xd_string(xd_net_str(p, "device")));
		xd_value_free(p);
	}
	return out;
}

/* What a PIF is on its bridge, added (add) or removed: a VLAN of its
 * tagged PIF's device, a bond of its members, a tunnel to the network's
 * tunnel_remote, or (a NIC) the device itself as a port. */
static int port_of(const xd_value *rec, const char *bridge, const xd_value *net,
		   const xd_value *ids, bool add, xd_error *err)
{
	const char *device = xd_net_str(rec, "device");
	const xd_value *bonds = xd_struct_get(rec, "bond_master_of");
	const xd_value *tunnels = xd_struct_get(rec, "tunnel_access_PIF_of");
	int64_t vlan = xd_net_int(rec, "VLAN");
	int rc = 0;
	if (vlan >= 0) {
		const xd_value *vl = xd_struct_get(rec, "VLAN_master_of");
		xd_value *v = vl ? xd_net_record("VLAN", vl->u.s) : NULL;
		xd_value *tagged = v ? xd_net_record("PIF", xd_net_str(v, "tagged_PIF")) : NULL;
		xd_net_args a = { .bridge = bridge, .trunk = xd_net_str(tagged, "device"),
				  .tag = (int)vlan, .up = -1 };
		rc = xd_net_do(add ? XD_NET_VLAN_ADD : XD_NET_VLAN_REMOVE, &a, err);
		xd_value_free(tagged);
		xd_value_free(v);
	} else if (bonds && bonds->u.arr.n) {
		xd_value *b = xd_net_record("Bond", bonds->u.arr.items[0]->u.s);
		xd_value *members = member_devices(b);
		xd_net_args a = { .bridge = bridge, .name = device, .members = members,
				  .mode = xd_net_str(b, "mode"), .kv = xd_struct_get(b, "properties"),
				  .up = -1 };
		rc = xd_net_do(add ? XD_NET_BOND_ADD : XD_NET_BOND_REMOVE, &a, err);
		xd_value_free(members);
		xd_value_free(b);
	} else if (tunnels && tunnels->u.arr.n) {
		xd_value *t = xd_net_record("tunnel", tunnels->u.arr.items[0]->u.s);
		xd_value *tp = t ? xd_net_record("PIF", xd_net_str(t, "transport_PIF")) : NULL;
		const xd_value *oc = xd_struct_get(net, "other_config");
		const xd_value *remote = oc ? xd_struct_get(oc, "tunnel_remote") : NULL;
		const xd_value *key = oc ? xd_struct_get(oc, "tunnel_key") : NULL;
		xd_net_args a = { .bridge = bridge, .name = device,
				  .protocol = xd_net_str(t, "protocol"),
				  .remote = remote ? remote->u.s : "", .local = xd_net_str(tp, "IP"),
				  .key = key ? atoll(key->u.s) : 0,
				  .transport = xd_net_str(tp, "device"), .up = -1 };
		rc = xd_net_do(add ? XD_NET_TUNNEL_ADD : XD_NET_TUNNEL_REMOVE, &a, err);
		xd_value_free(tp);
		xd_value_free(t);
	} else if (xd_net_bool(rec, "physical")) {
		xd_net_args a = { .bridge = bridge, .ifname = device, .kv = ids, .up = -1 };
		rc = xd_net_do(add ? XD_NET_PORT_ADD : XD_NET_PORT_REMOVE, &a, err);
		if (rc == 0 && add)
			rc = xd_net_do(XD_NET_LINK_SET, &(xd_net_args){ .ifname = device,
									 .mtu = xd_net_int(rec, "MTU"),
									 .up = 1 },
				       err);
	}
	return rc;
}

/* "a.b.c.d/len" -> "a.b.c.d" and the netmask "255.255.255.0". */
static bool split_cidr(const char *cidr, char *ip, size_t nip, char *mask, size_t nmask)
{
	int plen;
	char addr[64];
	if (!cidr || sscanf(cidr, "%63[^/]/%d", addr, &plen) != 2 || plen < 0 || plen > 32)
		return false;
	uint32_t m = plen ? 0xffffffffu << (32 - plen) : 0;
	snprintf(ip, nip, "%s", addr);
	snprintf(mask, nmask, "%u.%u.%u.%u", m >> 24, (m >> 16) & 255, (m >> 8) & 255, m & 255);
	return true;
}

int xd_network_pif_apply_ip(const char *pif, int family, xd_error *err)
{
	xd_value *rec = xd_net_record("PIF", pif);
	if (!rec)
		return xd_error_set(err, "HANDLE_INVALID", "PIF", pif, NULL);
	int rc = 0;
	if (!xd_net_bool(rec, "currently_attached"))
		goto out;
	char *bridge = xd_net_bridge_of(xd_net_str(rec, "network"));
	char addr[128] = "";
	xd_net_args a = { .ifname = bridge, .family = family, .up = -1 };
	if (family == 4) {
		const char *ip = xd_net_str(rec, "IP"), *mask = xd_net_str(rec, "netmask");
		a.mode = xd_net_str(rec, "ip_configuration_mode");
		int prefix = 0;
		unsigned b[4];
		if (sscanf(mask, "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]) == 4) {
			uint32_t m = b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
			while (m & 0x80000000u)
				prefix++, m <<= 1;
		}
		snprintf(addr, sizeof addr, "%s/%d", ip, prefix);
		a.gateway = xd_net_str(rec, "gateway");
		a.dns = xd_net_str(rec, "DNS");
	} else {
		a.mode = xd_net_str(rec, "ipv6_configuration_mode");
		const xd_value *v6 = xd_struct_get(rec, "IPv6");
		snprintf(addr, sizeof addr, "%s", v6 && v6->u.arr.n ? v6->u.arr.items[0]->u.s : "");
		a.gateway = xd_net_str(rec, "ipv6_gateway");
	}
	a.address = addr;
	xd_net_result r;
	rc = xd_net_call(XD_NET_IP_CONFIGURE, &a, &r, err);
	/* DHCP: what the lease gave goes into the record, as xapi's does */
	if (rc == 0 && family == 4 && r.nlinks && strcmp(a.mode, "DHCP") == 0) {
		char ip[64] = "", mask[32] = "";
		if (!split_cidr(r.links[0].ipv4, ip, sizeof ip, mask, sizeof mask))
			ip[0] = mask[0] = 0;
		xd_net_set("PIF", pif, "IP", xd_string(ip), err);
		xd_net_set("PIF", pif, "netmask", xd_string(mask), err);
		xd_net_set("PIF", pif, "gateway", xd_string(r.links[0].ipv4_gateway), err);
	}
	xd_net_result_clear(&r);
	free(bridge);
out:
	xd_value_free(rec);
	return rc;
}

int xd_network_ensure_bridge(const char *network, xd_error *err)
{
	xd_value *rec = xd_net_record("network", network);
	if (!rec)
		return xd_error_set(err, "HANDLE_INVALID", "network", network, NULL);
	xd_value *oc = xd_value_copy(xd_struct_get(rec, "other_config"));
	/* the network's uuid on its bridge, as XenServer's scripts put it
	 * (Open vSwitch keeps it in the Bridge's external_ids) */
	if (oc && oc->t == XD_V_STRUCT)
		xd_struct_set_take(oc, "xs-network-uuids", xd_string(xd_net_str(rec, "uuid")));
	xd_net_args a = { .bridge = xd_net_str(rec, "bridge"), .mtu = xd_net_int(rec, "MTU"),
			  .kv = oc, .up = -1 };
	int rc = xd_net_do(XD_NET_BRIDGE_ENSURE, &a, err);
	xd_value_free(oc);
	xd_value_free(rec);
	return rc;
}

int xd_network_pif_plug(const char *pif, xd_error *err)
{
	xd_value *rec = xd_net_record("PIF", pif);
	if (!rec)
		return xd_error_set(err, "HANDLE_INVALID", "PIF", pif, NULL);
	const char *network = xd_net_str(rec, "network");
	xd_value *net = xd_net_record("network", network);
	int rc = xd_network_ensure_bridge(network, err);
	xd_value *ids = port_ids(xd_net_str(net, "uuid"));
	if (rc == 0)
		rc = port_of(rec, xd_net_str(net, "bridge"), net, ids, true, err);
	xd_value_free(ids);
	if (rc == 0)
		rc = xd_net_set("PIF", pif, "currently_attached", xd_bool(true), err);
	if (rc == 0 && strcmp(xd_net_str(rec, "ip_configuration_mode"), "None") != 0) {
		rc = xd_network_pif_apply_ip(pif, 4, err);
		/* the bridge holds the address now; left on the NIC (a port: it
		 * no longer receives for itself) it would be a second route into
		 * the same subnet that leads nowhere */
		if (rc == 0 && xd_net_bool(rec, "physical"))
			rc = xd_net_do(XD_NET_IP_CONFIGURE,
				       &(xd_net_args){ .ifname = xd_net_str(rec, "device"), .family = 4,
						       .mode = "None", .up = -1 },
				       err);
	}
	if (rc == 0 && strcmp(xd_net_str(rec, "ipv6_configuration_mode"), "None") != 0)
		rc = xd_network_pif_apply_ip(pif, 6, err);
	xd_net_result r;
	if (rc == 0 && xd_net_call(XD_NET_LINK_QUERY,
				   &(xd_net_args){ .ifname = xd_net_str(rec, "device"), .up = -1 }, &r,
				   err) == 0 && r.nlinks)
		xd_net_pif_metrics_update(pif, &r.links[0]);
	else if (rc == 0)
		xd_error_clear(err);
	if (rc == 0)
		xd_net_result_clear(&r);
	xd_value_free(net);
	xd_value_free(rec);
	return rc;
}

typedef struct users_ctx {
	const char *network;
	int f_network, f_attached;
	int n;
} users_ctx;

static int users_cb(const char *ref, const xd_value *const *f, void *ud)
{
	users_ctx *c = ud;
	(void)ref;
	if (strcmp(f[c->f_network]->u.s, c->network) == 0 && f[c->f_attached]->u.b)
		c->n++;
	return 0;
}

void xd_network_release_bridge(const char *network)
{
	int n = 0;
	const char *classes[] = { "VIF", "PIF" };
	for (int i = 0; i < 2; i++) {
		const xd_class *c = xd_dm_class(classes[i]);
		users_ctx cx = { network, xd_dm_field_index(c, "network"),
				 xd_dm_field_index(c, "currently_attached"), 0 };
		xd_db_foreach(c, users_cb, &cx);
		n += cx.n;
	}
	if (n)
		return;
	char *bridge = xd_net_bridge_of(network);
	xd_error err = XD_ERROR_INIT;
	if (bridge[0] && xd_net_do(XD_NET_BRIDGE_DESTROY, &(xd_net_args){ .bridge = bridge, .up = -1 },
				   &err) < 0)
		xd_warn("network: bridge %s left: %s", bridge, err.nparams ? err.params[0] : err.code);
	xd_error_clear(&err);
	free(bridge);
}

int xd_network_pif_unplug(const char *pif, xd_error *err)
{
	xd_value *rec = xd_net_record("PIF", pif);
	if (!rec)
		return xd_error_set(err, "HANDLE_INVALID", "PIF", pif, NULL);
	char *bridge = xd_net_bridge_of(xd_net_str(rec, "network"));
	int rc = 0;
	if (strcmp(xd_net_str(rec, "ip_configuration_mode"), "None") != 0)
		rc = xd_net_do(XD_NET_IP_CONFIGURE, &(xd_net_args){ .ifname = bridge, .family = 4,
								     .mode = "None", .up = -1 },
			       err);
	xd_value *net = xd_net_record("network", xd_net_str(rec, "network"));
	if (rc == 0)
		rc = port_of(rec, bridge, net, NULL, false, err);
	xd_value_free(net);
	if (rc == 0)
		rc = xd_net_set("PIF", pif, "currently_attached", xd_bool(false), err);
	if (rc == 0)
		xd_network_release_bridge(xd_net_str(rec, "network"));
	free(bridge);
	xd_value_free(rec);
	return rc;
}

/* ---- start-up ---- */

typedef struct list_ctx {
	const char *host;
	int f_host;
	xd_value *refs;
} list_ctx;

static int list_cb(const char *ref, const xd_value *const *f, void *ud)
{
	list_ctx *c = ud;
	if (strcmp(f[c->f_host]->u.s, c->host) == 0)
		xd_array_append_take(c->refs, xd_string(ref));
	return 0;
}

static xd_value *host_pifs(const char *host)
{
	const xd_class *c = xd_dm_class("PIF");
	list_ctx cx = { host, xd_dm_field_index(c, "host"), xd_array() };
	xd_db_foreach(c, list_cb, &cx);
	return cx.refs;
}

void xd_net_pif_reconcile(const char *host)
{
	xd_value *pifs = host_pifs(host);
	for (size_t i = 0; i < pifs->u.arr.n; i++) {
		const char *pif = pifs->u.arr.items[i]->u.s;
		xd_value *rec = xd_net_record("PIF", pif);
		xd_error err = XD_ERROR_INIT;
		if (xd_net_bool(rec, "currently_attached") && xd_network_pif_plug(pif, &err) < 0)
			xd_warn("network: PIF %s (%s) could not be plugged again: %s %s", pif,
				xd_net_str(rec, "device"), err.code, err.nparams ? err.params[0] : "");
		xd_error_clear(&err);
		xd_value_free(rec);
	}
	xd_value_free(pifs);
}

/* On a real host the management NIC usually has its address already (the
 * installer's or the OS's configuration), and the host is reached through
 * it. Plugging the PIF makes the NIC a port of its bridge, where an address
 * no longer works: the host would drop off the network at xapid's first
 * start. xapi's firstboot takes the management configuration from the
 * installer; ours takes what the NIC has (as Static: the backend cannot say
 * whether a lease gave it) and the plug moves it onto the bridge. */
static int keep_management_address(const char *pif, const char *device, xd_error *err)
{
	xd_net_result r;
	xd_error qerr = XD_ERROR_INIT;
	if (xd_net_call(XD_NET_LINK_QUERY, &(xd_net_args){ .ifname = device, .up = -1 }, &r,
			&qerr) < 0) {
		xd_error_clear(&qerr);
		return 0;
	}
	char ip[64], mask[32];
	int rc = 0;
	if (r.nlinks && split_cidr(r.links[0].ipv4, ip, sizeof ip, mask, sizeof mask)) {
		const char *gw = r.links[0].ipv4_gateway ? r.links[0].ipv4_gateway : "";
		xd_info("network: first boot: the management interface %s keeps %s (gateway %s) "
			"as a Static configuration, moved onto its bridge; if it came from DHCP: "
			"xe pif-reconfigure-ip mode=dhcp", device, r.links[0].ipv4, gw[0] ? gw : "none");
		rc = xd_net_set("PIF", pif, "ip_configuration_mode", xd_string("Static"), err);
		if (rc == 0)
			rc = xd_net_set("PIF", pif, "IP", xd_string(ip), err);
		if (rc == 0)
			rc = xd_net_set("PIF", pif, "netmask", xd_string(mask), err);
		if (rc == 0)
			rc = xd_net_set("PIF", pif, "gateway", xd_string(gw), err);
	}
	xd_net_result_clear(&r);
	return rc;
}

int xd_net_pif_firstboot(const char *host, xd_error *err)
{
	if (xd_network_pif_scan(host, err) < 0)
		return -1;
	xd_value *pifs = host_pifs(host);
	/* the management interface: the first NIC in name order (eth0) */
	const char *mgmt = NULL;
	char *mgmt_dev = NULL;
	for (size_t i = 0; i < pifs->u.arr.n; i++) {
		const char *pif = pifs->u.arr.items[i]->u.s;
		xd_value *rec = xd_net_record("PIF", pif);
		const char *dev = xd_net_str(rec, "device");
		if (!mgmt || strcmp(dev, mgmt_dev) < 0) {
			mgmt = pif;
			free(mgmt_dev);
			mgmt_dev = strdup(dev);
		}
		xd_value_free(rec);
	}
	int rc = 0;
	if (mgmt) {
		xd_info("network: first boot: %zu PIFs, management interface %s (%s)", pifs->u.arr.n,
			mgmt, mgmt_dev);
		rc = xd_net_set("PIF", mgmt, "management", xd_bool(true), err);
		if (rc == 0)
			rc = xd_net_set("PIF", mgmt, "disallow_unplug", xd_bool(false), err);
		if (rc == 0)
			rc = keep_management_address(mgmt, mgmt_dev, err);
	}
	for (size_t i = 0; rc == 0 && i < pifs->u.arr.n; i++) {
		const char *pif = pifs->u.arr.items[i]->u.s;
		if (xd_network_pif_plug(pif, err) < 0) {
			xd_warn("network: first boot: PIF %s not plugged: %s", pif, err->code);
			xd_error_clear(err);
		}
	}
	free(mgmt_dev);
	xd_value_free(pifs);
	return rc;
}
