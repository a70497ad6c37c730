/* plugin_collect.c - the metrics calls of the loader: a collector's
 * collect (every collector at once, each in a thread of its own with a
 * deadline) and a storage driver's vdi_io (ABI 2.1). Both run in the
 * plugin's worker like a storage op (plugin_call.c), with a shorter life:
 * past the deadline the worker's process group is killed and the next round
 * starts a new one, so a hanging collector costs its own samples only. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "plugins_int.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- declarations ---- */

static pthread_mutex_t hook_lock = PTHREAD_MUTEX_INITIALIZER;
static xd_plugins_ds_declare_fn *declare_hook;

void xd_plugins_on_ds_declare(xd_plugins_ds_declare_fn *fn)
{
	pthread_mutex_lock(&hook_lock);
	declare_hook = fn;
	pthread_mutex_unlock(&hook_lock);
}

void xd_plugin_take_declaration(const char *plugin, json_object *msg)
{
	const char *owner = xd_pp_str(msg, "owner_class");
	xd_ds_decl d = {
		.plugin = plugin,
		.name = xd_pp_str(msg, "name"),
		.description = xd_pp_str(msg, "description"),
		.units = xd_pp_str(msg, "units"),
		.owner_class = owner ? owner : "host",
		.type = (int)xd_pp_int(msg, "type", XAPI_DS_GAUGE),
		.min = xd_pp_double(msg, "min", 0),
		.max = xd_pp_double(msg, "max", 0),
		.enabled_by_default = xd_pp_int(msg, "enabled_by_default", 1) != 0,
	};
	if (!d.name)
		return;
	pthread_mutex_lock(&hook_lock);
	xd_plugins_ds_declare_fn *fn = declare_hook;
	pthread_mutex_unlock(&hook_lock);
	if (fn)
		fn(&d);
}

/* ---- one call with a deadline ---- */

/* What one call brought back. */
typedef struct reply {
	json_object **samples;         /* ds_sample messages */
	size_t nsamples;
	json_object *vdi_io;           /* the vdi_io message */
	int64_t status;                /* done's status */
	char *why;                     /* the call failed: how (heap) */
} reply;

static void reply_clear(reply *r)
{
	for (size_t i = 0; i < r->nsamples; i++)
		json_object_put(r->samples[i]);
	free(r->samples);
	json_object_put(r->vdi_io);
	free(r->why);
	memset(r, 0, sizeof *r);
}

static void set_why(reply *r, const char *fmt, const char *a, const char *b)
{
	free(r->why);
	if (asprintf(&r->why, fmt, a, b) < 0)
		r->why = NULL;
}

/* Sends msg to a worker of p (started if needed) and reads until "done"
 * or the deadline. 0: done came (r->status says how it went), -1: the
 * worker died, hung (killed) or could not start (r->why). */
static int call_once(xd_plugin *p, const char *op, json_object *msg, double deadline, reply *r)
{
	memset(r, 0, sizeof *r);
	xd_worker_slot *s = xd_plugin_try_acquire(p, op);
	if (!s) {
		set_why(r, "is busy with another call: no %s this round%s", op, "");
		return -1;
	}
	int rc = -1;
	char *how = NULL;
	if (s->proc.pid > 0 && xd_wproc_ended(&s->proc, &how))
		xd_warn("plugin %s: its idle worker %s; starting a new one", p->conf_name,
			how ? how : "ended");
	free(how);
	how = NULL;
	if (s->proc.pid <= 0 && xd_plugin_start_worker(p, &s->proc, &how) != 0) {
		set_why(r, "could not be started: %s%s", how ? how : "?", "");
		free(how);
		goto out;
	}
	if (xd_wproc_send(&s->proc, msg) != 0) {
		how = xd_wproc_reap(&s->proc);
		set_why(r, "%s during %s", how ? how : "ended", op);
		free(how);
		goto out;
	}
	for (;;) {
		double left = deadline - now_s();
		if (left <= 0) {
			xd_wproc_kill(&s->proc);
			set_why(r, "did not answer %s in time: its worker was killed%s", op, "");
			goto out;
		}
		json_object *m = NULL;
		xd_pp_status st = xd_wproc_recv(&s->proc, (int)(left * 1000) + 1, &m);
		if (st == XD_PP_TIMEOUT)
			continue;
		if (st != XD_PP_MSG) {
			if (st == XD_PP_BAD)
				xd_wproc_kill(&s->proc);
			how = xd_wproc_reap(&s->proc);
			set_why(r, "%s during %s", how ? how : "broke the protocol", op);
			free(how);
			goto out;
		}
		const char *t = xd_pp_str(m, "t");
		t = t ? t : "";
		if (strcmp(t, "done") == 0) {
			r->status = xd_pp_int(m, "status", XAPI_E_FAILED);
			json_object *e = xd_pp_obj(m, "err");
			if (r->status != XAPI_OK)
				set_why(r, "failed: %s%s", e && xd_pp_str(e, "msg") ? xd_pp_str(e, "msg")
						   : xd_plugin_status_name(r->status), "");
			json_object_put(m);
			rc = 0;
			goto out;
		}
		if (strcmp(t, "ds_sample") == 0) {
			json_object **grown = realloc(r->samples, (r->nsamples + 1) * sizeof *grown);
			if (grown) {
				r->samples = grown;
				r->samples[r->nsamples++] = m;
				continue;
			}
		} else if (strcmp(t, "vdi_io") == 0) {
			json_object_put(r->vdi_io);
			r->vdi_io = m;
			continue;
		} else {
			xd_plugin_log_message(p->conf_name, m);
		}
		json_object_put(m);
	}
out:
	xd_plugin_release(p, s);
	return rc;
}

/* ---- collect ---- */

typedef struct collect_job {
	xd_plugin *p;
	double deadline;
	reply r;
	int rc;
	pthread_t th;
	bool started;
} collect_job;

static void *collect_thread(void *arg)
{
	collect_job *j = arg;
	json_object *msg = xd_pp_new("call");
	json_object_object_add(msg, "op", json_object_new_string("collect"));
	j->rc = call_once(j->p, "collect", msg, j->deadline, &j->r);
	json_object_put(msg);
	return NULL;
}

int xd_plugins_metrics_collect(double timeout_s, xd_plugins_ds_sample_fn *fn, void *ud)
{
	size_t n = 0;
	xd_plugin **list = xd_plugins_of_kind(XAPI_KIND_METRICS, &n);
	collect_job *jobs = calloc(n ? n : 1, sizeof *jobs);
	int failed = 0;
	if (!list || !jobs) {
		free(list);
		free(jobs);
		return (int)n;
	}
	double deadline = now_s() + timeout_s;
	for (size_t i = 0; i < n; i++) {
		jobs[i].p = list[i];
		jobs[i].deadline = deadline;
		jobs[i].started = pthread_create(&jobs[i].th, NULL, collect_thread, &jobs[i]) == 0;
		if (!jobs[i].started)
			collect_thread(&jobs[i]);
	}
	/* every call ends by the deadline (the worker is killed then) */
	for (size_t i = 0; i < n; i++) {
		collect_job *j = &jobs[i];
		if (j->started)
			pthread_join(j->th, NULL);
		if (j->rc != 0 || j->r.status != XAPI_OK) {
			failed++;
			xd_warn("plugin %s: collect %s: its samples of this round are lost",
				j->p->conf_name, j->r.why ? j->r.why : "failed");
		} else {
			for (size_t k = 0; fn && k < j->r.nsamples; k++) {
				json_object *m = j->r.samples[k];
				const char *name = xd_pp_str(m, "name");
				if (name)
					fn(ud, j->p->conf_name, name, xd_pp_str(m, "owner"),
					   xd_pp_double(m, "v", 0));
			}
		}
		reply_clear(&j->r);
	}
	free(jobs);
	free(list);
	return failed;
}

/* ---- vdi_io ---- */

bool xd_plugins_sr_has_vdi_io(const char *type)
{
	xd_plugin *p = xd_plugins_find_sr(type);
	return p && p->has_vdi_io;
}

int xd_plugins_vdi_io(const xd_sr_ref *sr, const char *location, double timeout_s,
		      xd_vdi_io *out, xd_error *err)
{
	xd_plugin *p = xd_plugins_find_sr(sr->type);
	if (!p)
		return xd_error_set(err, "SR_UNKNOWN_DRIVER", sr->type ? sr->type : "", NULL);
	if (!p->has_vdi_io)
		return xd_error_set(err, "SR_OPERATION_NOT_SUPPORTED", sr->uuid ? sr->uuid : "", NULL);
	json_object *msg = xd_plugin_call_message("vdi_io", sr, location);
	reply r;
	int rc = call_once(p, "vdi_io", msg, now_s() + timeout_s, &r);
	json_object_put(msg);
	if (rc == 0 && r.status == XAPI_E_NOT_FOUND) {
		rc = xd_error_set(err, "VDI_MISSING", sr->uuid ? sr->uuid : "", location, NULL);
	} else if (rc != 0 || r.status != XAPI_OK || !r.vdi_io) {
		rc = xd_plugin_backend_failure(err, "the %s driver's vdi_io %s", p->name,
					       r.why ? r.why : "sent no figures");
	} else {
		out->read_bytes = xd_pp_int(r.vdi_io, "read_bytes", -1);
		out->write_bytes = xd_pp_int(r.vdi_io, "write_bytes", -1);
		out->read_ops = xd_pp_int(r.vdi_io, "read_ops", -1);
		out->write_ops = xd_pp_int(r.vdi_io, "write_ops", -1);
		out->read_time_us = xd_pp_int(r.vdi_io, "read_time_us", -1);
		out->write_time_us = xd_pp_int(r.vdi_io, "write_time_us", -1);
	}
	reply_clear(&r);
	return rc;
}
