/* xe_host.c - upstream xe's host commands (host-disable, host-enable,
 * host-evacuate, host-get-vms-which-prevent-evacuation,
 * host-compute-free-memory, host-call-plugin) on the hosts the selectors
 * name (host=<name or uuid>, field filters, --multiple), task-cancel,
 * message-create, message-destroy, message-destroy-all, and the pool's pool-sync-database and
 * pool-management-reconfigure: the calls xapi's CLI server sends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xe_cmds.h"
#include "xe_format.h"
#include "xe_obj.h"
#include "xe_select.h"
#include "xe_util.h"

#define HOST_SPEC XE_HOST_SPEC

static int op_disable(xe_client *x, const xe_opts *o, const xe_selected *h, void *ud)
{
	(void)o;
	(void)ud;
	return xe_client_call_ok(x, "host.disable", xe_strings(1, h->ref)) < 0;
}

static int cmd_host_disable(xe_client *x, const xe_opts *o)
{
	bool auto_enable = true;
	const char *v = xe_opts_get(o, "auto-enable");

	if (v && xe_parse_bool(v, &auto_enable) < 0) {
		xe_fail("Parameter auto-enable: '%s' is not a boolean", v);
		return 1;
	}
	/* host.disable's auto_enable argument is newer than our datamodel, and
	 * this server keeps a disabled host disabled across restarts: what
	 * upstream's auto-enable=false asks; true cannot be honoured. */
	if (v && auto_enable) {
		xe_fail("auto-enable=true is not supported by this server: a disabled host "
			"stays disabled until host-enable");
		return 1;
	}
	return xe_select_each(x, o, HOST_SPEC("auto-enable"), true, op_disable, NULL);
}

static int op_enable(xe_client *x, const xe_opts *o, const xe_selected *h, void *ud)
{
	xd_error err = XD_ERROR_INIT;
	xd_value *r;

	(void)o;
	(void)ud;
	/* Upstream drops the maintenance mark first; absent is no error. */
	r = xe_client_try(x, "host.remove_from_other_config", xe_strings(2, h->ref, "MAINTENANCE_MODE"),
			  &err);
	xd_value_free(r);
	xd_error_clear(&err);
	return xe_client_call_ok(x, "host.enable", xe_strings(1, h->ref)) < 0;
}

static int cmd_host_enable(xe_client *x, const xe_opts *o)
{
	return xe_select_each(x, o, HOST_SPEC("force"), true, op_enable, NULL);
}

typedef struct evacuate_args {
	const char *network;  /* a ref, or OpaqueRef:NULL: the management network */
	int64_t batch;        /* 0: the server's default */
} evacuate_args;

static int op_evacuate(xe_client *x, const xe_opts *o, const xe_selected *h, void *ud)
{
	const evacuate_args *a = ud;
	xd_value *args = xe_strings(2, h->ref, a->network);

	(void)o;
	xd_array_append_take(args, xd_int(a->batch));
	return xe_client_call_ok(x, "host.evacuate", args) < 0;
}

static int cmd_host_evacuate(xe_client *x, const xe_opts *o)
{
	const char *net_uuid = xe_opts_get(o, "network-uuid");
	const char *batch = xe_opts_get(o, "batch-size");
	evacuate_args a = { NULL, 0 };
	char *net, *end = NULL;
	int rc;

	if (batch) {
		long long n = strtoll(batch, &end, 10);

		if (end == batch || *end || n < 0) {
			xe_fail("Parameter batch-size: '%s' is not a positive integer", batch);
			return 1;
		}
		a.batch = n;
	}
	net = net_uuid ? xe_client_ref_by_uuid(x, "network", net_uuid) : xe_strdup("OpaqueRef:NULL");
	if (!net)
		return 1;
	a.network = net;
	rc = xe_select_each(x, o, HOST_SPEC("network-uuid", "batch-size"), false, op_evacuate, &a);
	free(net);
	return rc;
}

static int op_free_memory(xe_client *x, const xe_opts *o, const xe_selected *h, void *ud)
{
	xd_value *r = xe_client_call(x, "host.compute_free_memory", xe_strings(1, h->ref));

	(void)o;
	(void)ud;
	if (!r)
		return 1;
	if (r->t == XD_V_INT)
		printf("%lld\n", (long long)r->u.i);
	else if (r->t == XD_V_STRING) /* int64 as XML-RPC strings */
		printf("%s\n", r->u.s);
	xd_value_free(r);
	return 0;
}

static int cmd_host_compute_free_memory(xe_client *x, const xe_opts *o)
{
	return xe_select_each(x, o, HOST_SPEC("force"), false, op_free_memory, NULL);
}

/* Each VM that stops the evacuation: uuid, name-label and the reason
 * (the error code and its parameters, comma-separated). */
static int cmd_host_get_vms_which_prevent_evacuation(xe_client *x, const xe_opts *o)
{
	const char *uuid = xe_obj_required(o, "uuid");
	char *host = uuid ? xe_client_ref_by_uuid(x, "host", uuid) : NULL;
	xd_value *r;

	if (!host)
		return 1;
	r = xe_client_call(x, "host.get_vms_which_prevent_evacuation", xe_strings(1, host));
	free(host);
	if (!r)
		return 1;
	for (size_t i = 0; r->t == XD_V_STRUCT && i < r->u.st.n; i++) {
		const char *vm = r->u.st.m[i].name;
		const xd_value *why = r->u.st.m[i].v;
		xd_strbuf sb = XD_STRBUF_INIT;
		const char *labels[3] = { "uuid ( RO)", "name-label ( RW)", "reason ( RO)" };
		const char *vals[3];
		char *text;

		for (size_t k = 0; why->t == XD_V_ARRAY && k < why->u.arr.n; k++)
			if (why->u.arr.items[k]->t == XD_V_STRING)
				xd_strbuf_printf(&sb, "%s%s", k ? "," : "", why->u.arr.items[k]->u.s);
		vals[0] = xe_client_ref_uuid(x, "VM", vm);
		vals[1] = xe_client_ref_name(x, "VM", vm);
		vals[2] = sb.data ? sb.data : "";
		vals[0] = vals[0] ? vals[0] : "";
		vals[1] = vals[1] ? vals[1] : "";
		text = xe_render_record(labels, vals, 3);
		printf("%s\n\n", text);
		free(text);
		xd_strbuf_free(&sb);
	}
	xd_value_free(r);
	return 0;
}

/* host-call-plugin host-uuid= plugin= fn= [args:<k>=<v>...]: the result. */
static int cmd_host_call_plugin(xe_client *x, const xe_opts *o)
{
	const char *uuid = xe_obj_required(o, "host-uuid");
	const char *plugin = uuid ? xe_obj_required(o, "plugin") : NULL;
	const char *fn = plugin ? xe_obj_required(o, "fn") : NULL;
	char *host = fn ? xe_client_ref_by_uuid(x, "host", uuid) : NULL;
	xd_value *args, *r;

	if (!host)
		return 1;
	args = xe_strings(3, host, plugin, fn);
	free(host);
	xd_array_append_take(args, xe_map_params(o, "args:"));
	r = xe_client_call(x, "host.call_plugin", args);
	if (!r)
		return 1;
	printf("%s\n", r->t == XD_V_STRING ? r->u.s : "");
	xd_value_free(r);
	return 0;
}

/* ---- tasks and messages ---- */

static int cmd_task_cancel(xe_client *x, const xe_opts *o)
{
	const char *uuid = xe_obj_required(o, "uuid");
	char *task = uuid ? xe_client_ref_by_uuid(x, "task", uuid) : NULL;
	int rc = task ? xe_client_call_ok(x, "task.cancel", xe_strings(1, task)) < 0 : 1;

	free(task);
	return rc;
}

static int cmd_message_create(xe_client *x, const xe_opts *o)
{
	static const struct {
		const char *param, *cls;
	} objs[] = { { "vm-uuid", "VM" }, { "pool-uuid", "Pool" }, { "sr-uuid", "SR" },
		     { "host-uuid", "Host" } };
	const char *name = xe_obj_required(o, "name");
	const char *prio = name ? xe_obj_required(o, "priority") : NULL;
	const char *body = prio ? xe_obj_required(o, "body") : NULL;
	char *end = NULL;
	long long p;
	xd_value *args;

	if (!body)
		return 1;
	p = strtoll(prio, &end, 10);
	if (end == prio || *end) {
		xe_failure("Priority field should be an integer");
		return 1;
	}
	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		const char *uuid = xe_opts_get(o, objs[i].param);

		if (!uuid)
			continue;
		args = xe_strings(1, name);
		xd_array_append_take(args, xd_int(p));
		xd_array_append_take(args, xd_string(objs[i].cls));
		xd_array_append_take(args, xd_string(uuid));
		xd_array_append_take(args, xd_string(body));
		return xe_client_call_ok(x, "message.create", args) < 0;
	}
	xe_fail("Need one of: vm-uuid, host-uuid, sr-uuid or pool-uuid");
	return 1;
}

static int cmd_message_destroy(xe_client *x, const xe_opts *o)
{
	const char *uuid = xe_opts_get(o, "uuid"), *uuids = xe_opts_get(o, "uuids");
	xd_value *refs;
	char *list, *save = NULL;
	int rc = 0;

	if (uuid && uuids) {
		xe_fail("Ambiguous arguments; need one of uuid, uuids");
		return 1;
	}
	if (!uuid && !uuids) {
		xe_fail("Need one of uuid, uuids");
		return 1;
	}
	refs = xd_array();
	list = xe_strdup(uuid ? uuid : uuids);
	for (char *t = strtok_r(list, ",", &save); t && rc == 0; t = strtok_r(NULL, ",", &save)) {
		char *ref = xe_client_ref_by_uuid(x, "message", t);

		if (ref)
			xd_array_append_take(refs, xd_string_take(ref));
		else
			rc = 1;
	}
	free(list);
	if (rc == 0) {
		xd_value *args = xd_array();

		xd_array_append_take(args, refs);
		return xe_client_call_ok(x, "message.destroy_many", args) < 0;
	}
	xd_value_free(refs);
	return rc;
}

/* A message's timestamp or priority as a number (ints arrive as strings
 * over XML-RPC, datetimes as xapi's text over JSON-RPC). */
static int64_t value_int(const xd_value *v, bool *ok)
{
	char *end = NULL;
	int64_t n = 0;

	*ok = false;
	if (v && (v->t == XD_V_INT || v->t == XD_V_DATETIME)) {
		*ok = true;
		n = v->u.i;
	} else if (v && v->t == XD_V_STRING) {
		if (xd_datetime_parse(v->u.s, &n) == 0) {
			*ok = true;
			return n;
		}
		n = strtoll(v->u.s, &end, 10);
		*ok = end != v->u.s && !*end;
	}
	return n;
}

static int message_filter(const xe_opts *o, const char *key, const char *what, int64_t *out)
{
	const char *v = xe_opts_get(o, key);

	if (v && xd_datetime_parse(v, out) < 0) {
		xe_fail("%s timestamp format for '%s' (expected RFC3339, for example, "
			"2025-01-01T00:00:00Z)", what, key);
		return -1;
	}
	return v ? 1 : 0;
}

/* message-destroy-all [before=] [after=] [priority=]: xapi's
 * message.destroy_all is newer than this datamodel, so xe applies its
 * filters itself (timestamp strictly before / after, priority equal) and
 * destroys the matches with message.destroy_many. */
static int cmd_message_destroy_all(xe_client *x, const xe_opts *o)
{
	const char *prio = xe_opts_get(o, "priority");
	int64_t before = 0, after = 0, priority = 0;
	int has_before, has_after;
	xd_value *all, *refs, *args;
	char *end = NULL;

	/* upstream's two messages differ in their first letter */
	has_before = message_filter(o, "before", "invalid", &before);
	has_after = has_before < 0 ? -1 : message_filter(o, "after", "Invalid", &after);
	if (has_after < 0)
		return 1;
	if (prio) {
		priority = strtoll(prio, &end, 10);
		if (end == prio || *end || priority < 0) {
			xe_fail("Invalid priority format (expected positive integer)");
			return 1;
		}
	}
	all = xe_client_call(x, "message.get_all_records", NULL);
	if (!all)
		return 1;
	refs = xd_array();
	for (size_t i = 0; all->t == XD_V_STRUCT && i < all->u.st.n; i++) {
		const xd_value *m = all->u.st.m[i].v;
		bool ok_ts, ok_p;
		int64_t ts = value_int(xd_struct_get(m, "timestamp"), &ok_ts);
		int64_t p = value_int(xd_struct_get(m, "priority"), &ok_p);

		if ((has_before && !(ok_ts && ts < before)) || (has_after && !(ok_ts && ts > after)) ||
		    (prio && !(ok_p && p == priority)))
			continue;
		xd_array_append_take(refs, xd_string(all->u.st.m[i].name));
	}
	xd_value_free(all);
	args = xd_array();
	xd_array_append_take(args, refs);
	return xe_client_call_ok(x, "message.destroy_many", args) < 0;
}

/* ---- the pool ---- */

static int cmd_pool_sync_database(xe_client *x, const xe_opts *o)
{
	(void)o;
	return xe_client_call_ok(x, "pool.sync_database", NULL) < 0;
}

/* pool-disable-ssl-legacy [uuid=]: upstream's deprecated command, a call
 * that changes nothing (there is no legacy SSL to disable). */
static int cmd_pool_disable_ssl_legacy(xe_client *x, const xe_opts *o)
{
	const char *uuid = xe_opts_get(o, "uuid");
	xd_value *pools = uuid ? NULL : xe_client_call(x, "pool.get_all", NULL);
	char *pool = uuid ? xe_client_ref_by_uuid(x, "pool", uuid)
		   : pools && pools->t == XD_V_ARRAY && pools->u.arr.n > 0
			   ? xe_strdup(pools->u.arr.items[0]->u.s)
			   : NULL;
	int rc = pool ? xe_client_call_ok(x, "pool.disable_ssl_legacy", xe_strings(1, pool)) < 0 : 1;

	xd_value_free(pools);
	free(pool);
	return rc;
}

/* pool-management-reconfigure network-uuid=: every host's management
 * interface to its PIF on that network. */
static int cmd_pool_management_reconfigure(xe_client *x, const xe_opts *o)
{
	const char *uuid = xe_obj_required(o, "network-uuid");
	char *net = uuid ? xe_client_ref_by_uuid(x, "network", uuid) : NULL;
	int rc;

	if (!net)
		return 1;
	rc = xe_client_call_ok(x, "pool.management_reconfigure", xe_strings(1, net)) < 0;
	free(net);
	return rc;
}

/* ---- the table ---- */

static const xe_named_cmd cmds[] = {
	{ "host-disable", cmd_host_disable, "", "auto-enable, <host-selectors>",
	  "Disable the XE host. Until it is enabled again no VM starts on it." },
	{ "host-enable", cmd_host_enable, "", "<host-selectors>", "Enables the XE host." },
	{ "host-evacuate", cmd_host_evacuate, "", "network-uuid, batch-size, <host-selectors>",
	  "Migrate all VMs off a host." },
	{ "host-get-vms-which-prevent-evacuation", cmd_host_get_vms_which_prevent_evacuation,
	  "uuid", "", "Return a list of VMs which prevent the evacuation of a specific host and "
	  "display reasons for each one." },
	{ "host-compute-free-memory", cmd_host_compute_free_memory, "", "<host-selectors>",
	  "Computes the amount of free memory on the host." },
	{ "host-call-plugin", cmd_host_call_plugin, "host-uuid, plugin, fn", "args:",
	  "Calls the function within the plugin on the given host with optional arguments." },
	{ "task-cancel", cmd_task_cancel, "uuid", "", "Set a task to cancelling and return." },
	{ "message-create", cmd_message_create, "name, priority, body",
	  "vm-uuid, host-uuid, sr-uuid, pool-uuid",
	  "Create a message associated with a particular API object. Note exactly one of the "
	  "optional parameters must be supplied." },
	{ "message-destroy", cmd_message_destroy, "", "uuid, uuids",
	  "Destroy one or more existing messages (uuids: comma-separated)." },
	{ "message-destroy-all", cmd_message_destroy_all, "", "before, after, priority",
	  "Destroy all messages matching the given conditions (combined with logical AND). If "
	  "no conditions are provided, all messages are destroyed." },
	{ "pool-sync-database", cmd_pool_sync_database, "", "",
	  "Synchronise the current database across all hosts in the pool." },
	{ "pool-disable-ssl-legacy", cmd_pool_disable_ssl_legacy, "", "uuid",
	  "Set ssl-legacy to False on each host. Deprecated: legacy SSL is no longer supported "
	  "(nothing changes)." },
	{ "pool-management-reconfigure", cmd_pool_management_reconfigure, "network-uuid", "",
	  "Reconfigure the management network interface for all Hosts in the Pool." },
};

const size_t xe_host_ncmds = sizeof(cmds) / sizeof(cmds[0]);
const xe_named_cmd *const xe_host_cmds = cmds;
