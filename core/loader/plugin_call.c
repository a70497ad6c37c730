/* plugin_call.c - one op in a plugin's worker (xd_plugin_call; storage: xd_plugins_sr_call),
 * its progress and cancellation relayed to the task, its results collected
 * and its errors (or its death) turned into XenAPI errors. No lock is held
 * while the worker runs but the plugin's own slot, so that other clients
 * (and other plugins) keep being served. */
#define _GNU_SOURCE /* asprintf */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "plugin_timeouts.h"
#include "plugins_int.h"
#include "rpc/rpc.h"
#include "tasks/tasks.h"

/* How often a call in progress looks at its task's cancel flag. */
#define CANCEL_POLL_S 0.25
/* At shutdown a call still running gets this long before its worker is
 * killed (xapid must not wait plugin_timeout to stop). */
#define STOP_GRACE_S 5.0

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void xd_sr_result_clear(xd_sr_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nsrs; i++) {
		xd_sr_info *s = &r->srs[i];
		free(s->uuid);
		free(s->name_label);
		free(s->name_description);
		xd_value_free(s->sm_config);
	}
	for (size_t i = 0; i < r->nvdis; i++) {
		xd_vdi_info *v = &r->vdis[i];
		free(v->location);
		free(v->uuid);
		free(v->name_label);
		free(v->name_description);
		free(v->snapshot_of);
		free(v->parent);
		free(v->datapath);
		xd_value_free(v->sm_config);
	}
	free(r->srs);
	free(r->vdis);
	memset(r, 0, sizeof *r);
}

/* ---- arguments to JSON ---- */

static json_object *map_to_json(const xd_value *v)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; v && v->t == XD_V_STRUCT && i < v->u.st.n; i++) {
		const xd_member *m = &v->u.st.m[i];
		if (m->v->t == XD_V_STRING) {
			json_object_object_add(o, m->name, json_object_new_string(m->v->u.s));
		} else if (m->v->t == XD_V_INT) {
			char n[32];
			snprintf(n, sizeof n, "%lld", (long long)m->v->u.i);
			json_object_object_add(o, m->name, json_object_new_string(n));
		} else if (m->v->t == XD_V_BOOL) {
			json_object_object_add(o, m->name,
					       json_object_new_string(m->v->u.b ? "true" : "false"));
		}
	}
	return o;
}

static json_object *want_to_json(const xd_vdi_info *w)
{
	json_object *o = json_object_new_object();
	xd_pp_add_str(o, "uuid", w->uuid);
	xd_pp_add_str(o, "name_label", w->name_label);
	xd_pp_add_str(o, "name_description", w->name_description);
	json_object_object_add(o, "virtual_size", json_object_new_int64(w->virtual_size));
	json_object_object_add(o, "physical_utilisation",
			       json_object_new_int64(w->physical_utilisation));
	json_object_object_add(o, "read_only", json_object_new_int(w->read_only));
	json_object_object_add(o, "is_a_snapshot", json_object_new_int(w->is_a_snapshot));
	xd_pp_add_str(o, "snapshot_of", w->snapshot_of);
	xd_pp_add_str(o, "parent", w->parent);
	json_object_object_add(o, "sm_config", map_to_json(w->sm_config));
	return o;
}

static json_object *call_message(const char *op, const xd_sr_args *a)
{
	json_object *m = xd_pp_new("call");
	json_object_object_add(m, "op", json_object_new_string(op));
	if (!a)
		return m;
	if (a->sr) {
		json_object *sr = json_object_new_object();
		xd_pp_add_str(sr, "uuid", a->sr->uuid);
		xd_pp_add_str(sr, "name_label", a->sr->name_label);
		json_object_object_add(sr, "device_config", map_to_json(a->sr->device_config));
		json_object_object_add(sr, "sm_config", map_to_json(a->sr->sm_config));
		json_object_object_add(m, "sr", sr);
	}
	if (a->device_config)
		json_object_object_add(m, "device_config", map_to_json(a->device_config));
	if (a->sm_config)
		json_object_object_add(m, "sm_config", map_to_json(a->sm_config));
	xd_pp_add_str(m, "location", a->location);
	if (a->want)
		json_object_object_add(m, "want", want_to_json(a->want));
	json_object_object_add(m, "size", json_object_new_int64(a->size));
	json_object_object_add(m, "writable", json_object_new_boolean(a->writable));
	return m;
}

json_object *xd_plugin_call_message(const char *op, const xd_sr_ref *sr, const char *location)
{
	xd_sr_args a = { .sr = sr, .location = location };
	return call_message(op, &a);
}

/* ---- results ---- */

static char *opt_str(json_object *o, const char *key)
{
	const char *s = xd_pp_str(o, key);
	return s ? strdup(s) : NULL;
}

static xd_value *opt_map(json_object *o, const char *key)
{
	json_object *m = xd_pp_obj(o, key);
	if (!m)
		return NULL;
	xd_value *v = xd_struct();
	json_object_object_foreach(m, k, val)
		if (json_object_is_type(val, json_type_string))
			xd_struct_set_take(v, k, xd_string(json_object_get_string(val)));
	return v;
}

static void add_sr(xd_sr_result *r, json_object *m)
{
	xd_sr_info *grown = realloc(r->srs, (r->nsrs + 1) * sizeof *grown);
	if (!grown)
		return;
	r->srs = grown;
	xd_sr_info *s = &r->srs[r->nsrs++];
	s->uuid = opt_str(m, "uuid");
	s->name_label = opt_str(m, "name_label");
	s->name_description = opt_str(m, "name_description");
	s->physical_size = xd_pp_int(m, "physical_size", -1);
	s->physical_utilisation = xd_pp_int(m, "physical_utilisation", -1);
	s->virtual_allocation = xd_pp_int(m, "virtual_allocation", -1);
	s->sm_config = opt_map(m, "sm_config");
}

static void add_vdi(xd_sr_result *r, json_object *m)
{
	xd_vdi_info *grown = realloc(r->vdis, (r->nvdis + 1) * sizeof *grown);
	if (!grown)
		return;
	r->vdis = grown;
	xd_vdi_info *v = &r->vdis[r->nvdis++];
	v->location = opt_str(m, "location");
	v->uuid = opt_str(m, "uuid");
	v->name_label = opt_str(m, "name_label");
	v->name_description = opt_str(m, "name_description");
	v->virtual_size = xd_pp_int(m, "virtual_size", 0);
	v->physical_utilisation = xd_pp_int(m, "physical_utilisation", -1);
	v->read_only = xd_pp_int(m, "read_only", 0) != 0;
	v->is_a_snapshot = xd_pp_int(m, "is_a_snapshot", 0) != 0;
	v->snapshot_of = opt_str(m, "snapshot_of");
	v->parent = opt_str(m, "parent");
	v->datapath = opt_str(m, "datapath");
	v->sm_config = opt_map(m, "sm_config");
}

/* ---- errors ---- */

/* What a "done" means (status, xapi_fail, emits) is plugin_status.c's; the
 * failures of the worker itself are worded here with the same helper. */
#define backend_failure xd_plugin_backend_failure

/* ---- the worker slots ---- */

/* Under p->lock: a slot free for a call (one with a live worker first),
 * or NULL while the driver makes as many calls as it may. */
static xd_worker_slot *free_slot(xd_plugin *p)
{
	xd_worker_slot *empty = NULL;
	for (unsigned i = 0; i < p->max_workers; i++) {
		xd_worker_slot *s = &p->slots[i];
		if (s->busy)
			continue;
		if (s->proc.pid > 0)
			return s;
		if (!empty)
			empty = s;
	}
	return empty;
}

/* Under p->lock: what a caller waits for, as task.other_config shows it
 * ("driver <type> <op> <task>", the first call in the way). */
static void describe_busy(const xd_plugin *p, char *out, size_t n)
{
	for (unsigned i = 0; i < p->max_workers; i++) {
		const xd_worker_slot *s = &p->slots[i];
		if (s->busy) {
			snprintf(out, n, "driver %s %s %s", p->name, s->op ? s->op : "?",
				 s->task[0] ? s->task : "OpaqueRef:NULL");
			return;
		}
	}
	snprintf(out, n, "driver %s", p->name);
}

/* Takes a worker slot for op. While the driver already makes as many calls
 * as it may (one without XAPI_PLUGIN_THREADSAFE), the caller waits: the
 * wait is logged (once per call in the way) and shown in its task's
 * other_config (tasks.h, XD_TASK_WAITING_KEY), and a cancel of the task
 * ends it within CANCEL_POLL_S with TASK_CANCELLED. */
static xd_worker_slot *acquire(xd_plugin *p, const char *op, const char *task, xd_error *err)
{
	xd_worker_slot *got = NULL;
	char shown[192] = "";
	pthread_mutex_lock(&p->lock);
	for (;;) {
		got = free_slot(p);
		if (got) {
			got->busy = true;
			got->op = op;
			snprintf(got->task, sizeof got->task, "%s", task ? task : "");
			break;
		}
		char what[192];
		describe_busy(p, what, sizeof what);
		if (strcmp(what, shown) != 0) {
			snprintf(shown, sizeof shown, "%s", what);
			/* no log or db write under the plugin's lock */
			pthread_mutex_unlock(&p->lock);
			xd_info("plugin %s: %s waits for the driver's turn (waiting for %s)",
				p->conf_name, op, what);
			xd_task_set_waiting(task, what);
			pthread_mutex_lock(&p->lock);
			continue; /* a slot may have come free meanwhile */
		}
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)(CANCEL_POLL_S * 1e9);
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&p->cond, &p->lock, &until);
		if (task) {
			/* The db is not read under the plugin's lock. */
			pthread_mutex_unlock(&p->lock);
			bool cancelling = xd_task_cancelling(task);
			pthread_mutex_lock(&p->lock);
			if (cancelling) {
				xd_error_set(err, "TASK_CANCELLED", task, NULL);
				break;
			}
		}
	}
	pthread_mutex_unlock(&p->lock);
	if (shown[0]) {
		xd_task_set_waiting(task, NULL);
		if (got)
			xd_info("plugin %s: %s has the driver's turn now", p->conf_name, op);
		else
			xd_info("plugin %s: %s cancelled while it waited for the driver's turn",
				p->conf_name, op);
	}
	return got;
}

xd_worker_slot *xd_plugin_try_acquire(xd_plugin *p, const char *op)
{
	pthread_mutex_lock(&p->lock);
	xd_worker_slot *got = free_slot(p);
	if (got) {
		got->busy = true;
		got->op = op;
		got->task[0] = 0;
	}
	pthread_mutex_unlock(&p->lock);
	return got;
}

void xd_plugin_release(xd_plugin *p, xd_worker_slot *s)
{
	pthread_mutex_lock(&p->lock);
	s->busy = false;
	s->op = NULL;
	s->task[0] = 0;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

/* The client's error for a failure of the worker itself (the sink's
 * kind: SR_BACKEND_FAILURE ["", text, ""] for storage, INTERNAL_ERROR
 * [text] for the others). */
static int worker_failure(const xd_call_sink *sink, xd_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int worker_failure(const xd_call_sink *sink, xd_error *err, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (sink->internal_errors)
		xd_error_set(err, "INTERNAL_ERROR", msg ? msg : "", NULL);
	else
		backend_failure(err, "%s", msg ? msg : "");
	free(msg);
	return -1;
}

/* The worker died during op: reap it and say how. */
static int died(xd_plugin *p, xd_wproc *w, const char *op, const xd_call_sink *sink,
		xd_error *err)
{
	char *how = xd_wproc_reap(w);
	xd_err("plugin %s: its worker %s during %s; it is restarted on the next call",
	       p->conf_name, how ? how : "ended", op);
	worker_failure(sink, err, "the %s driver %s during %s", p->name, how ? how : "ended", op);
	free(how);
	return -1;
}

/* Sends the call and takes in what comes back until "done". The call ends
 * early in three ways: past its op's timeout (plugin_timeouts.h) the
 * worker is killed and the call fails; once its task is cancelled the
 * driver is told (host->cancelled) and, if it has not returned within
 * cancel_grace, the worker is killed and the call fails TASK_CANCELLED; at
 * xapid's shutdown it gets STOP_GRACE_S. Killing takes the worker's whole
 * process group (helpers it ran); the next call starts a new worker. */
static int exchange(xd_plugin *p, xd_wproc *w, const char *opname, double timeout,
		    const char *source, const char *task, json_object *msg,
		    const xd_call_sink *sink, xd_error *err)
{
	xd_plugins_settings cfg;
	xd_plugins_get_settings(&cfg);
	double grace = cfg.cancel_grace_s;
	xd_plugins_settings_free(&cfg);
	double deadline = now_s() + timeout, next_cancel_check = 0, cancel_deadline = 0;
	bool cancel_sent = false, stopping = false;
	int rc = -1;

	if (xd_wproc_send(w, msg) != 0)
		return died(p, w, opname, sink, err);
	for (;;) {
		double now = now_s();
		if (!stopping && xd_rpc_stopping()) {
			stopping = true;
			if (deadline > now + STOP_GRACE_S)
				deadline = now + STOP_GRACE_S;
		}
		if (now >= deadline) {
			xd_wproc_kill(w);
			if (stopping) {
				xd_err("plugin %s: xapid is stopping and %s still ran: its worker was killed",
				       p->conf_name, opname);
				return worker_failure(sink, err, "xapid is stopping: the %s driver's "
						      "%s was stopped", p->name, opname);
			}
			xd_err("plugin %s: its worker did not answer within %g s during %s: killed; "
			       "it is restarted on the next call (the limit is %s)", p->conf_name,
			       timeout, opname, source);
			return worker_failure(sink, err, "the %s driver did not answer within %g s "
					      "during %s", p->name, timeout, opname);
		}
		if (cancel_sent && now >= cancel_deadline) {
			/* The driver did not stop when told: cancel means now, not
			 * whenever the driver looks (DESIGN §5: a hang must fail
			 * that operation only). */
			xd_wproc_kill(w);
			xd_warn("plugin %s: %s did not stop within %g s of the cancel of task %s: its "
				"worker was killed; it is restarted on the next call", p->conf_name,
				opname, grace, task);
			return xd_error_set(err, "TASK_CANCELLED", task, NULL);
		}
		if (task && !cancel_sent && now >= next_cancel_check) {
			next_cancel_check = now + CANCEL_POLL_S;
			if (xd_task_cancelling(task)) {
				/* The plugin sees it through host->cancelled(). A send
				 * that fails means the worker is gone: the recv below
				 * sees EOF. */
				json_object *c = xd_pp_new("cancel");
				(void)xd_wproc_send(w, c);
				json_object_put(c);
				cancel_sent = true;
				cancel_deadline = now + grace;
				xd_info("plugin %s: task %s cancelled: %s is told to stop; its worker is "
					"killed if it has not within %g s", p->conf_name, task, opname, grace);
			}
		}
		double until = cancel_sent && cancel_deadline < deadline ? cancel_deadline : deadline;
		double wait = until - now < CANCEL_POLL_S ? until - now : CANCEL_POLL_S;
		if (wait < 0)
			wait = 0;
		json_object *m = NULL;
		xd_pp_status st = xd_wproc_recv(w, (int)(wait * 1000) + 1, &m);
		if (st == XD_PP_TIMEOUT)
			continue;
		if (st == XD_PP_EOF)
			return died(p, w, opname, sink, err);
		if (st == XD_PP_BAD) {
			xd_wproc_kill(w);
			xd_err("plugin %s: its worker broke the protocol during %s: killed", p->conf_name,
			       opname);
			return worker_failure(sink, err, "the %s driver's worker sent a malformed "
					      "message during %s", p->name, opname);
		}
		const char *t = xd_pp_str(m, "t");
		if (!t)
			t = "";
		if (strcmp(t, "done") == 0) {
			rc = sink->verdict(sink->ud, m, err);
			json_object_put(m);
			return rc;
		}
		if (strcmp(t, "progress") == 0) {
			if (task)
				xd_task_set_progress(task, xd_pp_double(m, "v", 0));
		} else if (!sink->emit(sink->ud, t, m))
			xd_plugin_log_message(p->conf_name, m);
		json_object_put(m);
	}
}

int xd_plugin_call(xd_plugin *p, const char *opname, double timeout, const char *source,
		   const char *task, json_object *msg, const xd_call_sink *sink, xd_error *err)
{
	xd_worker_slot *s = acquire(p, opname, task, err);
	if (!s)
		return -1;
	int rc = -1;
	char *how = NULL, *why = NULL;
	if (s->proc.pid > 0 && xd_wproc_ended(&s->proc, &how))
		xd_warn("plugin %s: its idle worker %s; starting a new one", p->conf_name,
			how ? how : "ended");
	free(how);
	if (s->proc.pid <= 0) {
		if (xd_plugin_start_worker(p, &s->proc, &why) != 0) {
			xd_err("plugin %s: cannot start its worker: %s", p->conf_name, why);
			worker_failure(sink, err, "the %s driver could not be started: %s", p->name,
				       why);
			free(why);
			goto out;
		}
		xd_info("plugin %s: worker %d started", p->conf_name, (int)s->proc.pid);
	}
	double t0 = now_s();
	rc = exchange(p, &s->proc, opname, timeout, source, task, msg, sink, err);
	xd_debug("plugin %s: %s %s in %.3f s%s%s", p->conf_name, opname, rc == 0 ? "done" : "failed",
		 now_s() - t0, rc == 0 ? "" : ": ", rc == 0 ? "" : err->code);
out:
	xd_plugin_release(p, s);
	return rc;
}

/* What a storage call collects: the SRs and VDIs emitted, then the
 * verdict of plugin_status.c. */
typedef struct sr_sink {
	xd_plugin *p;
	xd_sr_op op;
	const xd_sr_args *args;
	xd_sr_result *out;
} sr_sink;

static bool sr_emit(void *ud, const char *t, json_object *m)
{
	sr_sink *k = ud;
	if (strcmp(t, "sr") == 0)
		add_sr(k->out, m);
	else if (strcmp(t, "vdi") == 0)
		add_vdi(k->out, m);
	else
		return false;
	return true;
}

static int sr_verdict(void *ud, json_object *done, xd_error *err)
{
	sr_sink *k = ud;
	return xd_plugin_verdict(k->p, k->op, k->args, done, k->out, err);
}

int xd_plugins_sr_call(const char *type, xd_sr_op op, const xd_sr_args *args,
		       xd_sr_result *out, xd_error *err)
{
	memset(out, 0, sizeof *out);
	xd_plugin *p = xd_plugins_find_sr(type);
	if (!p)
		return xd_error_set(err, "SR_UNKNOWN_DRIVER", type ? type : "", NULL);
	if ((int)op < 0 || op >= XD_SR_NOPS)
		return xd_error_setf(err, "INTERNAL_ERROR", "storage op %d does not exist", (int)op);
	const char *opname = xd_pp_sr_op_names[op];
	const char *sr_uuid = args && args->sr && args->sr->uuid ? args->sr->uuid : "";
	if (!p->sr_ops[op])
		return xd_error_set(err, "SR_OPERATION_NOT_SUPPORTED", sr_uuid, NULL);
	if (xd_plugin_check_required(p, op, args, err) < 0)
		return -1;

	xd_plugins_settings cfg;
	xd_plugins_get_settings(&cfg);
	char source[64];
	double timeout = xd_op_timeout(&p->timeouts, (int)op, cfg.timeout_s, source, sizeof source);
	xd_plugins_settings_free(&cfg);
	sr_sink k = { p, op, args, out };
	xd_call_sink sink = { .emit = sr_emit, .verdict = sr_verdict, .ud = &k };
	json_object *msg = call_message(opname, args);
	int rc = xd_plugin_call(p, opname, timeout, source, args ? args->task : NULL, msg, &sink, err);
	json_object_put(msg);
	if (rc != 0)
		xd_sr_result_clear(out);
	return rc;
}
