/* rpc.c - method lookup, argument checks, session and permission checks and
 * the call of the handler, in the order of xapi's generated server. */
#include "rpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "auth/session.h"
#include "events/events.h"
#include "generic/generic.h"
#include "log.h"
#include "rbac/rbac.h"
#include "tasks/tasks.h"

/* One entry per wire name ("VM.get_name_label" and "VM_get_name_label"). */
typedef struct method_entry {
	char *name;
	const xd_class *cls;
	const xd_message *msg;
} method_entry;

static method_entry *method_table; /* open addressing, power-of-two size */
static size_t method_table_size;
/* Explicit handlers: per class, per message index. */
static xd_handler_fn **explicit_handlers;

static size_t hash_str(const char *s)
{
	/* FNV-1a: short keys, no adversarial input concerns for a fixed table. */
	size_t h = 1469598103934665603ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static void table_insert(char *name, const xd_class *c, const xd_message *m)
{
	size_t i = hash_str(name) & (method_table_size - 1);
	while (method_table[i].name) {
		if (strcmp(method_table[i].name, name) == 0) {
			free(name); /* "A_b.c" and "A.b_c" may collide in the _ form: first wins */
			return;
		}
		i = (i + 1) & (method_table_size - 1);
	}
	method_table[i].name = name;
	method_table[i].cls = c;
	method_table[i].msg = m;
}

static const method_entry *table_find(const char *name)
{
	if (!method_table)
		return NULL;
	size_t i = hash_str(name) & (method_table_size - 1);
	while (method_table[i].name) {
		if (strcmp(method_table[i].name, name) == 0)
			return &method_table[i];
		i = (i + 1) & (method_table_size - 1);
	}
	return NULL;
}

static char *join_name(const char *cls, char sep, const char *msg)
{
	size_t n = strlen(cls) + strlen(msg) + 2;
	char *s = malloc(n);
	if (!s)
		abort();
	snprintf(s, n, "%s%c%s", cls, sep, msg);
	return s;
}

static void build_method_table(void)
{
	size_t total = 0;
	for (size_t i = 0; i < xd_dm_nclasses(); i++)
		total += xd_dm_class_at(i)->nmessages * 2;
	method_table_size = 64;
	while (method_table_size < total * 2)
		method_table_size <<= 1;
	method_table = calloc(method_table_size, sizeof(*method_table));
	explicit_handlers = calloc(xd_dm_nclasses(), sizeof(*explicit_handlers));
	if (!method_table || !explicit_handlers)
		abort();
	for (size_t i = 0; i < xd_dm_nclasses(); i++) {
		const xd_class *c = xd_dm_class_at(i);
		explicit_handlers[i] = calloc(c->nmessages ? c->nmessages : 1, sizeof(xd_handler_fn));
		if (!explicit_handlers[i])
			abort();
		for (size_t j = 0; j < c->nmessages; j++) {
			const xd_message *m = &c->messages[j];
			table_insert(join_name(c->name, '.', m->name), c, m);
			table_insert(join_name(c->name, '_', m->name), c, m);
		}
	}
}

int xd_rpc_register(const char *cls, const char *msg, xd_handler_fn fn)
{
	const xd_class *c = xd_dm_class(cls);
	const xd_message *m = c ? xd_dm_message(c, msg) : NULL;
	if (!m) {
		xd_err("internal: handler for undeclared message %s.%s", cls, msg);
		return -1;
	}
	explicit_handlers[c->idx][m - c->messages] = fn;
	return 0;
}

xd_handler_fn xd_rpc_handler(const xd_class *c, const xd_message *m)
{
	xd_handler_fn fn = explicit_handlers[c->idx][m - c->messages];
	if (fn)
		return fn;
	if (m->flags & XD_MSG_IMPLICIT)
		return xd_generic_handler(c, m);
	return NULL;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

xd_value *xd_rpc_list_methods(void)
{
	size_t n = 0, cap = 256;
	char **names = malloc(cap * sizeof(*names));
	if (!names)
		abort();
	for (size_t i = 0; i < xd_dm_nclasses(); i++) {
		const xd_class *c = xd_dm_class_at(i);
		for (size_t j = 0; j < c->nmessages; j++) {
			const xd_message *m = &c->messages[j];
			if ((m->flags & XD_MSG_HIDDEN) || !xd_rpc_handler(c, m))
				continue;
			if (n == cap) {
				cap *= 2;
				names = realloc(names, cap * sizeof(*names));
				if (!names)
					abort();
			}
			names[n++] = join_name(c->name, '.', m->name);
		}
	}
	qsort(names, n, sizeof(*names), cmp_strp);
	xd_value *arr = xd_array();
	xd_array_append_take(arr, xd_string("system.listMethods"));
	for (size_t i = 0; i < n; i++)
		xd_array_append_take(arr, xd_string_take(names[i]));
	free(names);
	return arr;
}

/* The session argument, when the first param is a string. */
static const char *first_string(const xd_value *params)
{
	if (params->u.arr.n == 0 || params->u.arr.items[0]->t != XD_V_STRING)
		return NULL;
	return params->u.arr.items[0]->u.s;
}

static int count_mismatch(const char *method, size_t expected, long received, xd_error *err)
{
	char e[32], r[32];
	snprintf(e, sizeof e, "%zu", expected);
	snprintf(r, sizeof r, "%ld", received);
	return xd_error_set(err, "MESSAGE_PARAMETER_COUNT_MISMATCH", method, e, r, NULL);
}

/* Checks the arguments and fills the defaults: args[] gets nparams values. */
static int prepare_args(const char *method, const xd_message *m, xd_value *params, size_t first,
			xd_value **args, xd_error *err)
{
	size_t given = params->u.arr.n - first;
	for (size_t i = 0; i < m->nparams; i++) {
		const xd_param *p = &m->params[i];
		xd_value *v;
		if (i < given) {
			/* steal the value from the params array; the array is freed later */
			v = params->u.arr.items[first + i];
			params->u.arr.items[first + i] = NULL;
		} else {
			v = xd_dm_parse_default(p->type, p->default_text);
			if (!v)
				return xd_error_setf(err, "INTERNAL_ERROR", "bad default for %s",
						     p->name);
		}
		args[i] = v;
		if (xd_dm_coerce(p->type, &args[i], p->name, err) < 0)
			return -1;
	}
	(void)method;
	return 0;
}

static void free_args(xd_value **args, size_t n)
{
	for (size_t i = 0; i < n; i++)
		xd_value_free(args[i]);
}

xd_value *xd_rpc_dispatch(const char *method, xd_value *params, const xd_peer *peer,
			  xd_result_kind *kind, xd_error *err)
{
	xd_value *result = NULL;
	xd_value **args = NULL;
	size_t nargs = 0;
	bool async = false;
	const char *name = method;

	*kind = XD_RESULT_ENVELOPE;
	if (!params || params->t != XD_V_ARRAY) {
		xd_error_set(err, "FIELD_TYPE_ERROR", "params", NULL);
		goto out;
	}
	if (strcmp(method, "system.listMethods") == 0 || strcmp(method, "system_listMethods") == 0) {
		*kind = XD_RESULT_RAW;
		result = xd_rpc_list_methods();
		goto out;
	}
	/* Async.<class>.<message>: the same message run by a task worker. */
	if (strncmp(method, "Async.", 6) == 0) {
		async = true;
		name = method + 6;
	}
	const method_entry *e = table_find(name);
	xd_handler_fn fn = e ? xd_rpc_handler(e->cls, e->msg) : NULL;
	if (!e || !fn || (async && !(e->msg->flags & XD_MSG_ASYNC))) {
		/* xapi checks a session it was given before saying the method is unknown */
		const char *s = first_string(params);
		if (s && strncmp(s, "OpaqueRef:", 10) == 0 && xd_session_check(s, err) < 0)
			goto out;
		xd_error_set(err, "MESSAGE_METHOD_UNKNOWN", method, NULL);
		goto out;
	}
	const xd_message *m = e->msg;
	bool takes_session = !(m->flags & XD_MSG_NO_SESSION);
	size_t first = takes_session ? 1 : 0;
	long received = (long)params->u.arr.n - (long)first;
	if (received < (long)m->nrequired || received > (long)m->nparams) {
		/* xapi names the synchronous message, also for an Async. call */
		count_mismatch(name, m->nrequired, received, err);
		goto out;
	}
	nargs = m->nparams;
	args = calloc(nargs ? nargs : 1, sizeof(*args));
	if (!args)
		abort();
	const char *session = NULL;
	if (takes_session) {
		xd_value *sv = params->u.arr.items[0];
		if (sv->t != XD_V_STRING) {
			xd_error_set(err, "FIELD_TYPE_ERROR", "session_id", NULL);
			goto out;
		}
		session = sv->u.s;
	}
	if (prepare_args(method, m, params, first, args, err) < 0)
		goto out;
	if (takes_session && xd_session_check(session, err) < 0)
		goto out;
	/* the one permission check of every call (XML-RPC, JSON-RPC, Async) */
	if (takes_session && xd_rbac_check_call(session, e->cls, m, err) < 0)
		goto out;

	xd_call call = {
		.wire_name = method,
		.cls = e->cls,
		.msg = m,
		.session = session,
		.args = args,
		.nargs = nargs,
		.peer = peer,
		.request_id = xd_log_get_request(),
		.task = NULL,
	};
	if (async) {
		char *task = xd_tasks_submit_async(&call, fn, err);
		if (task)
			result = xd_string_take(task);
		goto out;
	}
	result = fn(&call, err);
	if (!result && !xd_error_is_set(err))
		xd_error_setf(err, "INTERNAL_ERROR", "%s failed without saying why", method);
out:
	if (args)
		free_args(args, nargs);
	free(args);
	xd_value_free(params);
	if (xd_error_is_set(err))
		xd_debug("%s -> %s", method, err->code);
	return result;
}

static int stopping;

void xd_rpc_set_stopping(void)
{
	__atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
}

bool xd_rpc_stopping(void)
{
	return __atomic_load_n(&stopping, __ATOMIC_ACQUIRE) != 0;
}

void xd_rpc_init(void)
{
	build_method_table();
	if (xd_rbac_init() < 0)
		abort();
	xd_session_register_api();
	xd_rbac_register_api();
	xd_tasks_register_api();
	xd_events_register_api();
	xd_api_register_all();
}
