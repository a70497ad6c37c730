/* ovs_bond.c - bonds: one Port of the member interfaces, with bond_mode and
 * lacp as XenServer sets them (balance-slb, active-backup; lacp = lacp=active
 * with balance-tcp, or balance-slb for hashing_algorithm src_mac), and its
 * defaults for link detection (carrier, miimon 100 ms, downdelay 200 ms,
 * updelay 31 s). A member's own plain port goes: its interface row moves into
 * the bond. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovs_int.h"

/* A non-negative integer property, or -1 if absent; -2 if malformed. */
static long long int_prop(struct ovs *o, const xapi_kv_t *kv, const char *key)
{
	const char *v = kv ? o->host->kv_get(kv, key) : NULL;
	if (!v)
		return -1;
	char *end;
	long long n = strtoll(v, &end, 10);
	return *v && !*end && n >= 0 ? n : -2;
}

int ovs_bond_columns(struct ovs *o, xapi_call_t *call, const char *mode,
		     const xapi_kv_t *properties, json_object *port)
{
	const char *h = properties ? o->host->kv_get(properties, "hashing_algorithm") : NULL;
	if (!h && properties)
		h = o->host->kv_get(properties, "hashing-algorithm");
	const char *bond_mode, *lacp;
	if (strcmp(mode, "lacp") == 0) {
		lacp = "active";
		if (!h || strcmp(h, "tcpudp_ports") == 0)
			bond_mode = "balance-tcp";
		else if (strcmp(h, "src_mac") == 0)
			bond_mode = "balance-slb";
		else
			return xapi_fail(o->host, call, NULL, 1,
					 "hashing_algorithm %s: src_mac or tcpudp_ports", h);
	} else if (strcmp(mode, "balance-slb") == 0 || strcmp(mode, "active-backup") == 0) {
		lacp = "off";
		bond_mode = mode;
	} else {
		return xapi_fail(o->host, call, NULL, 1,
				 "bond mode %s: balance-slb, active-backup or lacp", mode);
	}
	json_object_object_add(port, "bond_mode", json_object_new_string(bond_mode));
	json_object_object_add(port, "lacp", json_object_new_string(lacp));
	static const struct { const char *key; long long dflt; const char *column; } ints[] = {
		{ "updelay", 31000, "bond_updelay" },
		{ "downdelay", 200, "bond_downdelay" },
	};
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		long long v = int_prop(o, properties, ints[i].key);
		if (v == -2)
			return xapi_fail(o->host, call, NULL, 1, "bond property %s: not a number",
					 ints[i].key);
		json_object_object_add(port, ints[i].column,
				       json_object_new_int64(v >= 0 ? v : ints[i].dflt));
	}
	json_object *oc = ovsdb_map();
	char buf[32];
	long long miimon = int_prop(o, properties, "miimon");
	long long carrier = int_prop(o, properties, "use_carrier");
	long long rebalance = int_prop(o, properties, "rebalance-interval");
	if (miimon == -2 || carrier == -2 || rebalance == -2) {
		json_object_put(oc);
		return xapi_fail(o->host, call, NULL, 1,
				 "bond properties miimon, use_carrier, rebalance-interval: numbers");
	}
	snprintf(buf, sizeof(buf), "%lld", miimon >= 0 ? miimon : 100);
	ovsdb_map_put(oc, "bond-miimon-interval", buf);
	ovsdb_map_put(oc, "bond-detect-mode", carrier == 0 ? "miimon" : "carrier");
	if (rebalance >= 0) {
		snprintf(buf, sizeof(buf), "%lld", rebalance);
		ovsdb_map_put(oc, "bond-rebalance-interval", buf);
	}
	size_t n = properties ? o->host->kv_count(properties) : 0;
	for (size_t i = 0; i < n; i++) {
		const char *k = o->host->kv_key(properties, i), *v = o->host->kv_value(properties, i);
		if (strcmp(k, "lacp-time") == 0 || strcmp(k, "lacp-fallback-ab") == 0) {
			ovsdb_map_put(oc, k, v);
		} else if (strcmp(k, "hashing_algorithm") && strcmp(k, "hashing-algorithm") &&
			   strcmp(k, "updelay") && strcmp(k, "downdelay") && strcmp(k, "miimon") &&
			   strcmp(k, "use_carrier") && strcmp(k, "rebalance-interval") &&
			   strcmp(k, "mode")) {
			char key[128]; /* the rest as networkd passes them: bond-<key> */
			snprintf(key, sizeof(key), "bond-%s", k);
			ovsdb_map_put(oc, key, v);
		}
	}
	json_object_object_add(port, "other_config", oc);
	return XAPI_OK;
}

struct bond_args {
	const char *bridge, *bond;
	const char *const *members;
	const char *mode;
	const xapi_kv_t *properties;
};

static int add_once(struct ovs_op *op, void *arg)
{
	const struct bond_args *a = arg;
	const char *bridge = a->bridge, *bond = a->bond, *mode = a->mode;
	const char *const *members = a->members;
	const xapi_kv_t *properties = a->properties;
	struct ovs *o = op->o;
	json_object *real, *bp;
	int64_t tag;
	int rc = ovs_bridge_needed(op, bridge, &real, &tag);
	if (rc != XAPI_OK)
		return rc;
	if ((rc = ovs_get(op, "Port", bond, &bp)) != XAPI_OK)
		return rc;
	json_object *ops = json_object_new_array(), *ifs = json_object_new_array();
	json_object *row = json_object_new_object();
	if ((rc = ovs_bond_columns(o, op->call, mode, properties, row)) != XAPI_OK)
		goto fail;
	for (size_t i = 0; members[i]; i++) {
		json_object *iface, *mp;
		if ((rc = ovs_get(op, "Interface", members[i], &iface)) != XAPI_OK ||
		    (rc = ovs_get(op, "Port", members[i], &mp)) != XAPI_OK)
			goto fail;
		if (mp && (!bp || strcmp(ovsdb_row_uuid(mp), ovsdb_row_uuid(bp))))
			ovs_detach_port(ops, ovsdb_row_uuid(mp)); /* its plain port goes */
		if (iface) {
			json_object_array_add(ifs, ovsdb_uuid(ovsdb_row_uuid(iface)));
		} else {
			char name[32];
			snprintf(name, sizeof(name), "member%zu", i);
			json_object_array_add(ops, ovsdb_op_insert("Interface",
								   ovs_iface_row(members[i], NULL),
								   name));
			json_object_array_add(ifs, ovsdb_named_uuid(name));
		}
	}
	json_object_object_add(row, "interfaces", ovsdb_set(ifs));
	ifs = NULL;
	json_object_object_add(row, "tag", tag >= 0 ? json_object_new_int64(tag)
						  : ovsdb_empty_set());
	if (bp) {
		ovs_move_port(ops, real, bp);
		json_object_array_add(ops, ovsdb_op_update("Port", ovsdb_where_str("name", bond), row));
	} else {
		json_object_object_add(row, "name", json_object_new_string(bond));
		json_object_array_add(ops, ovsdb_op_insert("Port", row, "bond"));
		ovs_attach_port(ops, ovsdb_row_uuid(real), ovsdb_named_uuid("bond"));
	}
	return ovs_commit(op, ops, members[0]);
fail:
	json_object_put(ifs);
	json_object_put(row);
	json_object_put(ops);
	return rc;
}

int ovs_bond_add(void *st, xapi_call_t *call, const char *bridge, const char *bond,
		 const char *const *members, const char *mode, const xapi_kv_t *properties,
		 unsigned flags)
{
	struct ovs *o = st;
	if (ovs_check_args(o, call, flags, bridge, "bond", bond) != XAPI_OK)
		return XAPI_E_FAILED;
	size_t n = 0;
	for (; members && members[n]; n++)
		if (ovs_check_name(o, call, "bond member", members[n]) != XAPI_OK)
			return XAPI_E_FAILED;
	if (n < 2)
		return xapi_fail(o->host, call, "PIF_BOND_NEEDS_MORE_MEMBERS", 0,
				 "a bond needs at least two members");
	struct bond_args a = { bridge, bond, members, mode ? mode : "balance-slb", properties };
	return ovs_run(o, call, "bond", bond, add_once, &a);
}

static int remove_once(struct ovs_op *op, void *arg)
{
	const char *bond = arg;
	json_object *bp;
	int rc = ovs_get(op, "Port", bond, &bp);
	if (rc != XAPI_OK || !bp)
		return rc;
	if (ovsdb_set_count(ovsdb_col(bp, "interfaces")) < 2 &&
	    !json_object_is_type(ovsdb_col(bp, "bond_mode"), json_type_string))
		return ovs_fail(op->o, op->call, "%s is not a bond", bond);
	json_object *ops = json_object_new_array();
	ovs_detach_port(ops, ovsdb_row_uuid(bp));
	return ovs_commit(op, ops, NULL);
}

int ovs_bond_remove(void *st, xapi_call_t *call, const char *bridge, const char *bond,
		    unsigned flags)
{
	struct ovs *o = st;
	if (ovs_check_args(o, call, flags, bridge, "bond", bond) != XAPI_OK)
		return XAPI_E_FAILED;
	return ovs_run(o, call, "bond", bond, remove_once, (void *)bond);
}
