/* ovs_db.c - what every op of the backend does with ovsdb-server: connect,
 * read rows by name, commit and wait for ovs-vswitchd (ovs_int.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ovs_int.h"

int ovs_fail(struct ovs *o, xapi_call_t *call, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!call)
		return XAPI_E_FAILED; /* an undo after the call's own error: keep that one */
	return xapi_fail(o->host, call, NULL, 0, "%s", msg);
}

int ovs_check_name(struct ovs *o, xapi_call_t *call, const char *what, const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > 15 || strpbrk(name, "/ \t\n\r\"\\:") || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return xapi_fail(o->host, call, NULL, 1,
				 "invalid %s name '%s' (1 to 15 characters, no '/', ':', quote or space)",
				 what, name ? name : "(null)");
	return XAPI_OK;
}

int ovs_check_args(struct ovs *o, xapi_call_t *call, unsigned flags, const char *bridge,
		   const char *what, const char *name)
{
	XAPI_CHECK_FLAGS(o->host, call, flags, 0);
	if (ovs_check_name(o, call, "bridge", bridge) != XAPI_OK ||
	    ovs_check_name(o, call, what, name) != XAPI_OK)
		return XAPI_E_FAILED;
	if (strcmp(bridge, name) == 0)
		return xapi_fail(o->host, call, NULL, 1, "%s is the bridge itself, not a %s",
				 bridge, what);
	return XAPI_OK;
}

int ovs_op_begin(struct ovs *o, xapi_call_t *call, struct ovs_op *op)
{
	memset(op, 0, sizeof(*op));
	op->o = o;
	op->call = call;
	/* the call may wait for vswitchd in the server: give it that long */
	int t = o->timeout_ms + o->wait_ms;
	if (ovsdb_client_open(&op->db, o->socket, t) != 0)
		return ovs_fail(o, call, "%s", op->db.err);
	op->held = json_object_new_array();
	return XAPI_OK;
}

void ovs_op_end(struct ovs_op *op)
{
	ovsdb_client_close(&op->db);
	if (op->held)
		json_object_put(op->held);
	op->held = NULL;
}

int ovs_run(struct ovs *o, xapi_call_t *call, const char *kind, const char *name,
	    ovs_once_fn *once, void *arg)
{
	struct ovs_op op;
	if (ovs_op_begin(o, call, &op) != XAPI_OK)
		return XAPI_E_FAILED;
	int rc = OVS_RETRY;
	for (int i = 0; i < OVS_ATTEMPTS && rc == OVS_RETRY; i++)
		rc = once(&op, arg);
	ovs_op_end(&op);
	if (rc == OVS_RETRY)
		return ovs_fail(o, call, "%s %s: kept colliding with other changes", kind, name);
	return rc;
}

/* One read-only transaction of one select; its rows (borrowed, held). */
static int select_rows(struct ovs_op *op, const char *table, json_object *where,
		       json_object **rows)
{
	*rows = NULL;
	json_object *ops = json_object_new_array(), *res;
	json_object_array_add(ops, ovsdb_op_select(table, where, NULL));
	if (ovsdb_client_transact(&op->db, OVS_DB, ops, &res) != 0) {
		if (res)
			json_object_put(res);
		return ovs_fail(op->o, op->call, "reading %s from ovsdb-server: %s", table,
				op->db.err);
	}
	json_object_array_add(op->held, res);
	*rows = ovsdb_result_rows(res, 0);
	return XAPI_OK;
}

int ovs_get(struct ovs_op *op, const char *table, const char *name, json_object **row)
{
	json_object *rows;
	int rc = select_rows(op, table, ovsdb_where_str("name", name), &rows);
	*row = rc == XAPI_OK && rows ? json_object_array_get_idx(rows, 0) : NULL;
	return rc;
}

int ovs_bridge_of_port(struct ovs_op *op, const char *port_uuid, json_object **row)
{
	json_object *elems = json_object_new_array(), *rows;
	json_object_array_add(elems, ovsdb_uuid(port_uuid));
	json_object *where = json_object_new_array(), *cond = json_object_new_array();
	json_object_array_add(cond, json_object_new_string("ports"));
	json_object_array_add(cond, json_object_new_string("includes"));
	json_object_array_add(cond, ovsdb_set(elems));
	json_object_array_add(where, cond);
	int rc = select_rows(op, "Bridge", where, &rows);
	*row = rc == XAPI_OK && rows ? json_object_array_get_idx(rows, 0) : NULL;
	return rc;
}

/* Waits until ovs-vswitchd has applied configuration `cfg` (its cur_cfg
 * reaches our next_cfg), with the server's "wait" operation; then reads
 * the error OVS recorded on check_iface, if any. */
static int wait_vswitchd(struct ovs_op *op, int64_t cfg, const char *check_iface)
{
	json_object *ops = json_object_new_array(), *res, *w = json_object_new_object();
	json_object *cond = json_object_new_array(), *where = json_object_new_array();
	json_object *cols = json_object_new_array();
	json_object_array_add(cond, json_object_new_string("cur_cfg"));
	json_object_array_add(cond, json_object_new_string("<"));
	json_object_array_add(cond, json_object_new_int64(cfg));
	json_object_array_add(where, cond);
	json_object_array_add(cols, json_object_new_string("cur_cfg"));
	json_object_object_add(w, "op", json_object_new_string("wait"));
	json_object_object_add(w, "timeout", json_object_new_int(op->o->wait_ms));
	json_object_object_add(w, "table", json_object_new_string("Open_vSwitch"));
	json_object_object_add(w, "where", where);
	json_object_object_add(w, "columns", cols);
	json_object_object_add(w, "until", json_object_new_string("=="));
	json_object_object_add(w, "rows", json_object_new_array());
	json_object_array_add(ops, w);
	if (check_iface) {
		static const char *const c[] = { "error", "ofport", NULL };
		json_object_array_add(ops, ovsdb_op_select("Interface",
							   ovsdb_where_str("name", check_iface), c));
	}
	if (ovsdb_client_transact(&op->db, OVS_DB, ops, &res) != 0) {
		if (res)
			json_object_put(res);
		if (strncmp(op->db.err, "timed out", 9) == 0)
			return ovs_fail(op->o, op->call,
					"ovs-vswitchd did not apply the change within %d ms "
					"(is it running on %s?); OVSDB holds it",
					op->o->wait_ms, op->o->socket);
		return ovs_fail(op->o, op->call, "waiting for ovs-vswitchd: %s", op->db.err);
	}
	int rc = XAPI_OK;
	json_object *rows = check_iface ? ovsdb_result_rows(res, 1) : NULL;
	json_object *row = rows ? json_object_array_get_idx(rows, 0) : NULL;
	json_object *err = ovsdb_col(row, "error");
	if (row && ovsdb_set_count(err) == 1)
		rc = ovs_fail(op->o, op->call, "Open vSwitch cannot use %s: %s", check_iface,
			      json_object_get_string(ovsdb_set_elem(err, 0)));
	json_object_put(res);
	return rc;
}

int ovs_commit(struct ovs_op *op, json_object *ops, const char *check_iface)
{
	/* as ovs-vsctl does: bump next_cfg in the same transaction, read it
	 * back, then wait for vswitchd's cur_cfg to reach it */
	static const char *const cfg_col[] = { "next_cfg", NULL };
	json_object_array_add(ops, ovsdb_op_mutate("Open_vSwitch", ovsdb_where_all(),
						   ovsdb_mutation("next_cfg", "+=",
								  json_object_new_int(1))));
	size_t sel = json_object_array_length(ops);
	json_object_array_add(ops, ovsdb_op_select("Open_vSwitch", ovsdb_where_all(), cfg_col));
	json_object *res;
	if (ovsdb_client_transact(&op->db, OVS_DB, ops, &res) != 0) {
		if (res)
			json_object_put(res);
		if (ovsdb_client_conflict(&op->db))
			return OVS_RETRY;
		return ovs_fail(op->o, op->call, "ovsdb-server refused the change: %s", op->db.err);
	}
	json_object *rows = ovsdb_result_rows(res, sel);
	int64_t cfg = 0;
	json_object *v = ovsdb_col(rows ? json_object_array_get_idx(rows, 0) : NULL, "next_cfg");
	int have = v && json_object_is_type(v, json_type_int);
	if (have)
		cfg = json_object_get_int64(v);
	json_object_put(res);
	if (!have)
		return ovs_fail(op->o, op->call,
				"the Open_vSwitch table has no row (run ovs-vsctl init once)");
	if (op->o->wait_ms <= 0 || op->nowait)
		return XAPI_OK;
	return wait_vswitchd(op, cfg, check_iface);
}

json_object *ovs_iface_row(const char *name, const char *type)
{
	json_object *row = json_object_new_object();
	json_object_object_add(row, "name", json_object_new_string(name));
	if (type)
		json_object_object_add(row, "type", json_object_new_string(type));
	return row;
}

json_object *ovs_map_of_kv(struct ovs *o, const xapi_kv_t *kv)
{
	json_object *m = ovsdb_map();
	size_t n = kv ? o->host->kv_count(kv) : 0;
	for (size_t i = 0; i < n; i++)
		ovsdb_map_put(m, o->host->kv_key(kv, i), o->host->kv_value(kv, i));
	return m;
}

void ovs_detach_port(json_object *ops, const char *port_uuid)
{
	json_object *e = json_object_new_array();
	json_object_array_add(e, ovsdb_uuid(port_uuid));
	json_object_array_add(ops, ovsdb_op_mutate("Bridge", ovsdb_where_all(),
						   ovsdb_mutation("ports", "delete", ovsdb_set(e))));
}

void ovs_new_port(json_object *ops, const char *bridge_uuid, json_object *iface,
		  json_object *port)
{
	json_object *ifs = json_object_new_array();
	if (!port)
		port = json_object_new_object();
	json_object_object_add(port, "name", json_object_get(json_object_object_get(iface, "name")));
	json_object_array_add(ops, ovsdb_op_insert("Interface", iface, "iface"));
	json_object_array_add(ifs, ovsdb_named_uuid("iface"));
	json_object_object_add(port, "interfaces", ovsdb_set(ifs));
	json_object_array_add(ops, ovsdb_op_insert("Port", port, "port"));
	ovs_attach_port(ops, bridge_uuid, ovsdb_named_uuid("port"));
}

void ovs_move_port(json_object *ops, json_object *real, json_object *port_row)
{
	const char *pu = ovsdb_row_uuid(port_row);
	if (ovsdb_set_has_uuid(ovsdb_col(real, "ports"), pu))
		return;
	ovs_detach_port(ops, pu);
	ovs_attach_port(ops, ovsdb_row_uuid(real), ovsdb_uuid(pu));
}

void ovs_attach_port(json_object *ops, const char *bridge_uuid, json_object *port)
{
	json_object *e = json_object_new_array();
	json_object_array_add(e, port);
	json_object_array_add(ops, ovsdb_op_mutate("Bridge",
						   ovsdb_where_eq("_uuid", ovsdb_uuid(bridge_uuid)),
						   ovsdb_mutation("ports", "insert", ovsdb_set(e))));
}
