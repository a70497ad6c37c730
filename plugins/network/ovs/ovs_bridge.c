/* ovs_bridge.c - bridges: bridge_ensure, bridge_destroy, bridge_ports. A
 * network's bridge is a Bridge row with its internal port, or, for a VLAN
 * network, a fake bridge (ovs_vlan.c): both count as "the bridge exists". */
#include <stdlib.h>
#include <string.h>

#include "ovs_int.h"
#include "ovs_link.h"

/* xapid's other_config keys for a bridge, and where OVS keeps them (as
 * XenServer's interface-reconfigure and networkd put them). Keys starting
 * with "xs-" (xs-network-uuids) go to external_ids; others are not OVS's. */
static void bridge_config(struct ovs *o, const xapi_kv_t *kv, json_object *row)
{
	json_object *ext = ovsdb_map(), *oc = ovsdb_map();
	const char *fail_mode = "standalone";
	size_t n = kv ? o->host->kv_count(kv) : 0;
	for (size_t i = 0; i < n; i++) {
		const char *k = o->host->kv_key(kv, i), *v = o->host->kv_value(kv, i);
		if (strncmp(k, "xs-", 3) == 0)
			ovsdb_map_put(ext, k, v);
		else if (strcmp(k, "vswitch-controller-fail-mode") == 0 &&
			 (strcmp(v, "secure") == 0 || strcmp(v, "standalone") == 0))
			fail_mode = v;
		else if (strcmp(k, "vswitch-disable-in-band") == 0)
			ovsdb_map_put(oc, "disable-in-band", v);
		else if (strcmp(k, "hwaddr") == 0 || strcmp(k, "mac-table-size") == 0)
			ovsdb_map_put(oc, k, v);
	}
	json_object_object_add(row, "fail_mode", json_object_new_string(fail_mode));
	json_object_object_add(row, "external_ids", ext);
	json_object_object_add(row, "other_config", oc);
}

/* Does map value `want` hold exactly what map value `have` holds? */
static int same_map(json_object *have, json_object *want)
{
	json_object *wp = json_object_array_get_idx(want, 1);
	json_object *hp = have ? json_object_array_get_idx(have, 1) : NULL;
	size_t n = json_object_array_length(wp);
	if (!hp || !json_object_is_type(hp, json_type_array) || json_object_array_length(hp) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		json_object *kv = json_object_array_get_idx(wp, i);
		const char *v = ovsdb_map_get(have, json_object_get_string(
							     json_object_array_get_idx(kv, 0)));
		if (!v || strcmp(v, json_object_get_string(json_object_array_get_idx(kv, 1))))
			return 0;
	}
	return 1;
}

/* Is the existing bridge row already as `want` (a row being built) says?
 * Then ensure changes nothing: no commit, no reconfiguration of vswitchd
 * (every VIF plug ensures its network's bridge). */
static int same_bridge(json_object *br, json_object *want)
{
	return strcmp(ovsdb_str(br, "fail_mode"), ovsdb_str(want, "fail_mode")) == 0 &&
	       same_map(ovsdb_col(br, "external_ids"), ovsdb_col(want, "external_ids")) &&
	       same_map(ovsdb_col(br, "other_config"), ovsdb_col(want, "other_config"));
}

/* ops += the MTU of the bridge's own interface (mtu_request). */
static void set_mtu(struct ovs_op *op, json_object *ops, const char *name, int64_t mtu)
{
	json_object *iface;
	int64_t have;
	if (mtu <= 0 || (ovs_get(op, "Interface", name, &iface) == XAPI_OK && iface &&
			 ovsdb_opt_int(ovsdb_col(iface, "mtu_request"), &have) && have == mtu))
		return;
	json_object *row = json_object_new_object();
	json_object_object_add(row, "mtu_request", json_object_new_int64(mtu));
	json_object_array_add(ops, ovsdb_op_update("Interface", ovsdb_where_str("name", name), row));
}

struct ensure_args {
	const char *bridge;
	int64_t mtu;
	const xapi_kv_t *other_config;
};

static int ensure_once(struct ovs_op *op, void *arg)
{
	const struct ensure_args *a = arg;
	const char *bridge = a->bridge;
	int64_t mtu = a->mtu;
	const xapi_kv_t *other_config = a->other_config;
	struct ovs *o = op->o;
	json_object *br, *port, *ops = json_object_new_array();
	int rc = ovs_get(op, "Bridge", bridge, &br);
	if (rc == XAPI_OK && !br)
		rc = ovs_get(op, "Port", bridge, &port);
	if (rc != XAPI_OK) {
		json_object_put(ops);
		return rc;
	}
	if (br) {
		/* there: its settings and MTU brought to what xapid asks */
		json_object *row = json_object_new_object();
		bridge_config(o, other_config, row);
		if (same_bridge(br, row))
			json_object_put(row);
		else
			json_object_array_add(ops, ovsdb_op_update(
				"Bridge", ovsdb_where_str("name", bridge), row));
		set_mtu(op, ops, bridge, mtu);
	} else if (port && json_object_get_boolean(ovsdb_col(port, "fake_bridge"))) {
		set_mtu(op, ops, bridge, mtu); /* a VLAN network's bridge */
	} else if (port) {
		json_object_put(ops);
		return ovs_fail(o, op->call,
				"cannot make bridge %s: a port of that name is on another bridge",
				bridge);
	} else {
		json_object *iface = ovs_iface_row(bridge, "internal");
		if (mtu > 0)
			json_object_object_add(iface, "mtu_request", json_object_new_int64(mtu));
		json_object_array_add(ops, ovsdb_op_insert("Interface", iface, "iface"));
		json_object *prow = json_object_new_object(), *ifs = json_object_new_array();
		json_object_object_add(prow, "name", json_object_new_string(bridge));
		json_object_array_add(ifs, ovsdb_named_uuid("iface"));
		json_object_object_add(prow, "interfaces", ovsdb_set(ifs));
		json_object_array_add(ops, ovsdb_op_insert("Port", prow, "port"));
		json_object *brow = json_object_new_object(), *ports = json_object_new_array();
		json_object_object_add(brow, "name", json_object_new_string(bridge));
		json_object_array_add(ports, ovsdb_named_uuid("port"));
		json_object_object_add(brow, "ports", ovsdb_set(ports));
		if (o->datapath_type[0])
			json_object_object_add(brow, "datapath_type",
					       json_object_new_string(o->datapath_type));
		bridge_config(o, other_config, brow);
		json_object_array_add(ops, ovsdb_op_insert("Bridge", brow, "bridge"));
		json_object *bs = json_object_new_array();
		json_object_array_add(bs, ovsdb_named_uuid("bridge"));
		json_object_array_add(ops, ovsdb_op_mutate("Open_vSwitch", ovsdb_where_all(),
							   ovsdb_mutation("bridges", "insert",
									  ovsdb_set(bs))));
	}
	if (json_object_array_length(ops) == 0) {
		json_object_put(ops);
		return XAPI_OK;
	}
	return ovs_commit(op, ops, bridge);
}

int ovs_bridge_ensure(void *st, xapi_call_t *call, const char *bridge, int64_t mtu,
		      const xapi_kv_t *other_config, unsigned flags)
{
	struct ovs *o = st;
	XAPI_CHECK_FLAGS(o->host, call, flags, 0);
	if (ovs_check_name(o, call, "bridge", bridge) != XAPI_OK)
		return XAPI_E_FAILED;
	if (mtu < 0 || mtu > 65535)
		return xapi_fail(o->host, call, NULL, 1, "MTU %lld out of range", (long long)mtu);
	struct ensure_args a = { bridge, mtu, other_config };
	int rc = ovs_run(o, call, "bridge", bridge, ensure_once, &a);
	if (rc != XAPI_OK)
		return rc;
	/* "exist and be up": vswitchd made the device, it starts down */
	if (o->wait_ms > 0)
		return ovs_link_up(o, call, bridge);
	return XAPI_OK;
}

/* The Port rows of a bridge's ports set (one select each, one round trip),
 * held by op. */
static int port_rows(struct ovs_op *op, json_object *bridge_row, json_object **rows_out)
{
	json_object *ports = ovsdb_col(bridge_row, "ports"), *ops = json_object_new_array();
	size_t n = ovsdb_set_count(ports);
	json_object *rows = json_object_new_array();
	json_object_array_add(op->held, rows);
	*rows_out = rows;
	for (size_t i = 0; i < n; i++) {
		const char *u = ovsdb_uuid_of(ovsdb_set_elem(ports, i));
		json_object_array_add(ops, ovsdb_op_select("Port",
							   ovsdb_where_eq("_uuid", ovsdb_uuid(u)),
							   NULL));
	}
	if (n == 0) {
		json_object_put(ops);
		return XAPI_OK;
	}
	json_object *res;
	if (ovsdb_client_transact(&op->db, OVS_DB, ops, &res) != 0) {
		if (res)
			json_object_put(res);
		return ovs_fail(op->o, op->call, "reading ports: %s", op->db.err);
	}
	json_object_array_add(op->held, res);
	for (size_t i = 0; i < n; i++) {
		json_object *r = ovsdb_result_rows(res, i);
		if (r && json_object_array_length(r))
			json_object_array_add(rows, json_object_get(json_object_array_get_idx(r, 0)));
	}
	return XAPI_OK;
}

/* Where a bridge name leads: the real Bridge row holding its ports, and
 * the VLAN tag when it is a fake bridge (-1 for a real one). *real is NULL
 * when there is no such bridge. */
static int resolve(struct ovs_op *op, const char *bridge, json_object **real, int64_t *tag,
		   json_object **fake_port)
{
	json_object *br, *port = NULL;
	*real = NULL;
	*tag = -1;
	*fake_port = NULL;
	int rc = ovs_get(op, "Bridge", bridge, &br);
	if (rc == XAPI_OK && br) {
		*real = br;
		return XAPI_OK;
	}
	if (rc == XAPI_OK)
		rc = ovs_get(op, "Port", bridge, &port);
	if (rc != XAPI_OK || !port || !json_object_get_boolean(ovsdb_col(port, "fake_bridge")))
		return rc;
	*fake_port = port;
	if (!ovsdb_opt_int(ovsdb_col(port, "tag"), tag))
		*tag = 0;
	return ovs_bridge_of_port(op, ovsdb_row_uuid(port), real);
}

int ovs_bridge_resolve(struct ovs_op *op, const char *bridge, json_object **real, int64_t *tag)
{
	json_object *fake;
	return resolve(op, bridge, real, tag, &fake);
}

int ovs_bridge_needed(struct ovs_op *op, const char *bridge, json_object **real, int64_t *tag)
{
	int rc = ovs_bridge_resolve(op, bridge, real, tag);
	if (rc == XAPI_OK && !*real)
		return xapi_fail(op->o->host, op->call, "BRIDGE_NOT_AVAILABLE", 0, "%s", bridge);
	return rc;
}

/* Is this port one of the bridge named `bridge` (tag -1: the real bridge's
 * untagged ports but its own; else the fake bridge's tagged ports)? */
static int port_of(json_object *port, const char *bridge, int64_t tag)
{
	const char *name = ovsdb_str(port, "name");
	int64_t t;
	int tagged = ovsdb_opt_int(ovsdb_col(port, "tag"), &t);
	if (strcmp(name, bridge) == 0 || json_object_get_boolean(ovsdb_col(port, "fake_bridge")))
		return 0;
	return tag < 0 ? !tagged : tagged && t == tag;
}

int ovs_bridge_destroy_once(struct ovs_op *op, void *arg)
{
	const char *bridge = arg;
	json_object *real, *fake, *rows;
	int64_t tag;
	int rc = resolve(op, bridge, &real, &tag, &fake);
	if (rc != XAPI_OK || !real)
		return rc; /* gone already */
	json_object *ops = json_object_new_array(), *e = json_object_new_array();
	if (!fake) {
		json_object_array_add(e, ovsdb_uuid(ovsdb_row_uuid(real)));
		json_object_array_add(ops, ovsdb_op_mutate("Open_vSwitch", ovsdb_where_all(),
							   ovsdb_mutation("bridges", "delete",
									  ovsdb_set(e))));
		return ovs_commit(op, ops, NULL);
	}
	/* as ovs-vsctl del-br of a fake bridge: its ports go with it */
	if ((rc = port_rows(op, real, &rows)) != XAPI_OK) {
		json_object_put(e);
		json_object_put(ops);
		return rc;
	}
	json_object_array_add(e, ovsdb_uuid(ovsdb_row_uuid(fake)));
	for (size_t j = 0; j < json_object_array_length(rows); j++) {
		json_object *p = json_object_array_get_idx(rows, j);
		if (port_of(p, bridge, tag))
			json_object_array_add(e, ovsdb_uuid(ovsdb_row_uuid(p)));
	}
	json_object_array_add(ops, ovsdb_op_mutate(
		"Bridge", ovsdb_where_eq("_uuid", ovsdb_uuid(ovsdb_row_uuid(real))),
		ovsdb_mutation("ports", "delete", ovsdb_set(e))));
	return ovs_commit(op, ops, NULL);
}

int ovs_bridge_destroy(void *st, xapi_call_t *call, const char *bridge, unsigned flags)
{
	struct ovs *o = st;
	XAPI_CHECK_FLAGS(o->host, call, flags, 0);
	if (ovs_check_name(o, call, "bridge", bridge) != XAPI_OK)
		return XAPI_E_FAILED;
	return ovs_run(o, call, "bridge", bridge, ovs_bridge_destroy_once, (void *)bridge);
}

/* The first interface row of port p (borrowed, held by op), or NULL. */
static json_object *first_iface(struct ovs_op *op, json_object *p)
{
	const char *u = ovsdb_uuid_of(ovsdb_set_elem(ovsdb_col(p, "interfaces"), 0));
	json_object *ops = json_object_new_array(), *res, *rows;
	if (!u) {
		json_object_put(ops);
		return NULL;
	}
	json_object_array_add(ops, ovsdb_op_select("Interface", ovsdb_where_eq("_uuid",
										  ovsdb_uuid(u)), NULL));
	if (ovsdb_client_transact(&op->db, OVS_DB, ops, &res) != 0) {
		if (res)
			json_object_put(res);
		return NULL;
	}
	json_object_array_add(op->held, res);
	rows = ovsdb_result_rows(res, 0);
	return rows ? json_object_array_get_idx(rows, 0) : NULL;
}

static int ports_once(struct ovs_op *op, void *arg)
{
	const char *bridge = arg;
	struct ovs *o = op->o;
	xapi_call_t *call = op->call;
	json_object *real, *rows;
	int64_t tag;
	int rc = ovs_bridge_resolve(op, bridge, &real, &tag);
	if (rc == XAPI_OK && real)
		rc = port_rows(op, real, &rows);
	for (size_t i = 0; rc == XAPI_OK && real && i < json_object_array_length(rows); i++) {
		json_object *p = json_object_array_get_idx(rows, i);
		if (!port_of(p, bridge, tag))
			continue;
		/* a bond is one port of several interfaces: xapid knows it by
		 * the port's name (the bond PIF's device) */
		json_object *iface = first_iface(op, p);
		const char *mac = ovsdb_col(iface, "mac_in_use") &&
			json_object_is_type(ovsdb_col(iface, "mac_in_use"), json_type_string)
			? ovsdb_str(iface, "mac_in_use") : "";
		struct xapi_pif_info pif = {
			.size = sizeof(pif),
			.device = ovsdb_str(p, "name"),
			.mac = mac,
			.mtu = -1,
			.speed_mbit = -1,
			.duplex = -1,
			.bridge = bridge,
			.ipv4 = "", .ipv4_gateway = "", .ipv6 = "",
			.rx_bytes = -1, .tx_bytes = -1, .rx_packets = -1, .tx_packets = -1,
			.rx_errors = -1, .tx_errors = -1,
		};
		if (o->host->emit_pif(call, &pif) != XAPI_OK)
			rc = ovs_fail(o, call, "cannot report port %s", pif.device);
	}
	return rc;
}

int ovs_bridge_ports(void *st, xapi_call_t *call, const char *bridge, unsigned flags)
{
	struct ovs *o = st;
	XAPI_CHECK_FLAGS(o->host, call, flags, 0);
	if (ovs_check_name(o, call, "bridge", bridge) != XAPI_OK)
		return XAPI_E_FAILED;
	return ovs_run(o, call, "bridge", bridge, ports_once, (void *)bridge);
}
