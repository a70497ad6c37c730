/* plugin_net.c - xd_plugins_net_call: one op of the network backend in its
 * worker (plugin_call.c runs it), the interfaces it emitted collected, and
 * its status and xapi_fail() turned into the XenAPI error of plugins.h. */
#define _GNU_SOURCE /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "plugin_conf.h"
#include "plugins_int.h"

void xd_net_result_clear(xd_net_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nlinks; i++) {
		xd_net_link *l = &r->links[i];
		free(l->device);
		free(l->mac);
		free(l->bridge);
		free(l->ipv4);
		free(l->ipv4_gateway);
		free(l->ipv6);
		free(l->vendor_id);
		free(l->device_id);
		free(l->vendor_name);
		free(l->device_name);
		free(l->pci_bus_path);
	}
	free(r->links);
	memset(r, 0, sizeof *r);
}

bool xd_plugins_conf_enabled(const char *conf_dir, const char *name)
{
	xd_plugin_conf *c = NULL;
	size_t n = 0;
	char *why = NULL;
	bool on = false;
	if (xd_plugin_conf_read(conf_dir, NULL, &c, &n, &why) == 0)
		for (size_t i = 0; i < n; i++)
			on |= strcmp(c[i].name, name) == 0 && c[i].enabled && !c[i].error;
	xd_plugin_conf_free(c, n);
	free(why);
	return on;
}

bool xd_plugins_has_net(const char *name)
{
	return xd_plugins_find_net(name) != NULL;
}

bool xd_plugins_net_can(const char *name, xd_net_op op)
{
	xd_plugin *p = xd_plugins_find_net(name);
	return p && (int)op >= 0 && op < XD_NET_NOPS && p->net_ops[op];
}

char *xd_plugins_net_describe(const char *name)
{
	xd_plugin *p = xd_plugins_find_net(name);
	char *s = NULL;
	if (p && asprintf(&s, "%s %s", p->name, p->version && *p->version ? p->version : "?") < 0)
		s = NULL;
	return s;
}

/* ---- the call message ---- */

static void add_str(json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v ? v : ""));
}

static json_object *strings(const xd_value *v)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; v && v->t == XD_V_ARRAY && i < v->u.arr.n; i++)
		if (v->u.arr.items[i]->t == XD_V_STRING)
			json_object_array_add(a, json_object_new_string(v->u.arr.items[i]->u.s));
	return a;
}

static json_object *string_map(const xd_value *v)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; v && v->t == XD_V_STRUCT && i < v->u.st.n; i++)
		if (v->u.st.m[i].v->t == XD_V_STRING)
			json_object_object_add(o, v->u.st.m[i].name,
					       json_object_new_string(v->u.st.m[i].v->u.s));
	return o;
}

static json_object *call_message(xd_net_op op, const xd_net_args *a)
{
	static const xd_net_args none = { .up = -1 };
	if (!a)
		a = &none;
	json_object *m = xd_pp_new("call");
	json_object_object_add(m, "op", json_object_new_string(xd_pp_net_op_names[op]));
	json_object *n = json_object_new_object();
	add_str(n, "bridge", a->bridge);
	add_str(n, "ifname", a->ifname);
	add_str(n, "trunk", a->trunk);
	add_str(n, "name", a->name);
	json_object_object_add(n, "tag", json_object_new_int(a->tag));
	json_object_object_add(n, "mtu", json_object_new_int64(a->mtu));
	json_object_object_add(n, "up", json_object_new_int(a->up));
	json_object_object_add(n, "kv", string_map(a->kv));
	json_object_object_add(n, "members", strings(a->members));
	add_str(n, "mode", a->mode);
	json_object_object_add(n, "family", json_object_new_int(a->family ? a->family : 4));
	add_str(n, "address", a->address);
	add_str(n, "gateway", a->gateway);
	add_str(n, "dns", a->dns);
	add_str(n, "protocol", a->protocol);
	add_str(n, "remote", a->remote);
	add_str(n, "local", a->local);
	add_str(n, "transport", a->transport);
	json_object_object_add(n, "key", json_object_new_int64(a->key));
	add_str(n, "mac", a->mac);
	json_object_object_add(n, "ipv4_allowed", strings(a->ipv4_allowed));
	json_object_object_add(n, "ipv6_allowed", strings(a->ipv6_allowed));
	json_object_object_add(m, "net", n);
	return m;
}

/* ---- what comes back ---- */

typedef struct net_sink {
	xd_plugin *p;
	xd_net_op op;
	xd_net_result *out;
} net_sink;

static char *opt_str(json_object *o, const char *key)
{
	const char *s = xd_pp_str(o, key);
	return s ? strdup(s) : NULL;
}

static bool net_emit(void *ud, const char *t, json_object *m)
{
	net_sink *k = ud;
	if (strcmp(t, "pif") != 0)
		return false;
	xd_net_link *grown = realloc(k->out->links, (k->out->nlinks + 1) * sizeof *grown);
	if (!grown)
		return true;
	k->out->links = grown;
	xd_net_link *l = &grown[k->out->nlinks++];
	l->device = opt_str(m, "device");
	l->mac = opt_str(m, "mac");
	l->bridge = opt_str(m, "bridge");
	l->ipv4 = opt_str(m, "ipv4");
	l->ipv4_gateway = opt_str(m, "ipv4_gateway");
	l->ipv6 = opt_str(m, "ipv6");
	l->vendor_id = opt_str(m, "vendor_id");
	l->device_id = opt_str(m, "device_id");
	l->vendor_name = opt_str(m, "vendor_name");
	l->device_name = opt_str(m, "device_name");
	l->pci_bus_path = opt_str(m, "pci_bus_path");
	l->mtu = xd_pp_int(m, "mtu", -1);
	l->speed_mbit = xd_pp_int(m, "speed_mbit", -1);
	l->carrier = (int)xd_pp_int(m, "carrier", -1);
	l->duplex = (int)xd_pp_int(m, "duplex", -1);
	/* a 2.0 backend says nothing of these: its PIFs are NICs that are up */
	l->physical = (int)xd_pp_int(m, "physical", 1);
	l->up = (int)xd_pp_int(m, "up", 1);
	l->rx_bytes = xd_pp_int(m, "rx_bytes", -1);
	l->tx_bytes = xd_pp_int(m, "tx_bytes", -1);
	l->rx_packets = xd_pp_int(m, "rx_packets", -1);
	l->tx_packets = xd_pp_int(m, "tx_packets", -1);
	l->rx_errors = xd_pp_int(m, "rx_errors", -1);
	l->tx_errors = xd_pp_int(m, "tx_errors", -1);
	return true;
}

static int net_verdict(void *ud, json_object *done, xd_error *err)
{
	net_sink *k = ud;
	const char *opname = xd_pp_net_op_names[k->op];
	int64_t status = xd_pp_int(done, "status", XAPI_E_FAILED);
	json_object *e = xd_pp_obj(done, "err");
	k->out->caps = (uint32_t)xd_pp_int(done, "caps", 0);
	if (status == XAPI_OK) {
		if (e)
			xd_warn("plugin %s: driver bug: %s called xapi_fail (%s) and returned XAPI_OK",
				k->p->conf_name, opname, xd_pp_str(e, "msg") ? xd_pp_str(e, "msg") : "");
		return 0;
	}
	if (json_object_get_boolean(json_object_object_get(done, "absent")))
		return xd_error_setf(err, "OPERATION_NOT_ALLOWED", "the %s network backend cannot %s",
				     k->p->name, opname);
	if (!XAPI_STATUS_VALID(status))
		xd_err("plugin %s: driver bug: the %s driver returned %lld from %s, which is not a "
		       "status (a bare errno?)", k->p->conf_name, k->p->name, (long long)status,
		       opname);
	const char *code = e ? xd_pp_str(e, "code") : NULL, *msg = e ? xd_pp_str(e, "msg") : NULL;
	if (xd_plugin_valid_code(code))
		return xd_error_set(err, code, msg ? msg : "", NULL);
	if (status == XAPI_E_CANCELLED)
		return xd_error_set(err, "TASK_CANCELLED", "", NULL);
	return xd_error_setf(err, "INTERNAL_ERROR", "%s network backend: %s: %s%s%s", k->p->name,
			     opname, code ? code : "", code ? ": " : "",
			     msg ? msg : xd_plugin_status_name(status));
}

int xd_plugins_net_call(const char *name, xd_net_op op, const xd_net_args *args,
			xd_net_result *out, xd_error *err)
{
	memset(out, 0, sizeof *out);
	xd_plugin *p = xd_plugins_find_net(name);
	if (!p)
		return xd_error_setf(err, "INTERNAL_ERROR", "network backend %s is not loaded",
				     name ? name : "(none)");
	if ((int)op < 0 || op >= XD_NET_NOPS)
		return xd_error_setf(err, "INTERNAL_ERROR", "network op %d does not exist", (int)op);
	const char *opname = xd_pp_net_op_names[op];
	if (!p->net_ops[op])
		return xd_error_setf(err, "OPERATION_NOT_ALLOWED", "the %s network backend cannot %s",
				     p->name, opname);
	xd_plugins_settings cfg;
	xd_plugins_get_settings(&cfg);
	/* Network ops only change the kernel's or OVSDB's tables (a DHCP
	 * client waits for its lease within this): the metadata limit. */
	double timeout = cfg.timeout_s < XD_METADATA_TIMEOUT_S ? cfg.timeout_s : XD_METADATA_TIMEOUT_S;
	xd_plugins_settings_free(&cfg);
	net_sink k = { p, op, out };
	xd_call_sink sink = { .emit = net_emit, .verdict = net_verdict, .ud = &k,
			      .internal_errors = true };
	json_object *msg = call_message(op, args);
	int rc = xd_plugin_call(p, opname, timeout, "the default for network operations",
				args ? args->task : NULL, msg, &sink, err);
	json_object_put(msg);
	if (rc != 0)
		xd_net_result_clear(out);
	return rc;
}
