/* vm_monitor.c - keeps the db in step with the domains (see api.h, "The VM monitor"):
 * VM_metrics, VM_guest_metrics, host_metrics.memory_free, and the
 * transitions a guest makes by itself. */
#include "api.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/session.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "vm_int.h"

static pthread_t thread;
static bool running, stopping;
static char **pending;          /* VMs to look at before the next round */
static size_t npending, cap_pending;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static double interval = 5.0;

static const char *state_name(xd_dom_state s)
{
	switch (s) {
	case XD_DOM_RUNNING: return "running";
	case XD_DOM_PAUSED: return "paused";
	case XD_DOM_SHUTDOWN: return "shutdown";
	case XD_DOM_CRASHED: return "crashed";
	case XD_DOM_DYING: return "dying";
	}
	return "unknown";
}

static bool is_true(const char *v)
{
	return v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

/* Queues field := v for an object whose current record is cur, only when
 * the value changes. Returns whether it queued (v taken either way). */
static bool queue_if_changed(xd_vm_update *u, const char *cls, const char *ref,
			     const xd_value *cur, const char *field, xd_value *v)
{
	const xd_value *old = cur ? xd_struct_get(cur, field) : NULL;
	if (old && xd_value_equal(old, v)) {
		xd_value_free(v);
		return false;
	}
	xd_vm_update_set(u, cls, ref, field, v);
	return true;
}

static void queue_vm_metrics(xd_vm_update *u, const xd_hv_dominfo *di, bool starting)
{
	xd_value *vm = xd_vm_update_after(u);
	const xd_class *mc = xd_dm_class("VM_metrics");
	const char *m = xd_rec_str(vm, "metrics");
	xd_value *cur = xd_ref_is_null(m) ? NULL : xd_db_get_record(mc, m);
	char *fresh = NULL;
	int64_t now = (int64_t)time(NULL);
	if (!cur) {
		/* a VM made before metrics existed gets its companion now */
		fresh = xd_ref_new();
		xd_value *r = xd_struct();
		xd_struct_set_take(r, "start_time", xd_datetime(now));
		xd_vm_update_create(u, "VM_metrics", fresh, r);
		xd_rec_set(vm, "metrics", xd_string(fresh));
		m = fresh;
	}
	const char *dt = xd_vm_domain_type(vm);
	bool changed = false;
	changed |= queue_if_changed(u, "VM_metrics", m, cur, "memory_actual", xd_int(di->memory_actual));
	changed |= queue_if_changed(u, "VM_metrics", m, cur, "VCPUs_number", xd_int(di->vcpus));
	xd_value *st = xd_array();
	xd_array_append_take(st, xd_string(state_name(di->state)));
	changed |= queue_if_changed(u, "VM_metrics", m, cur, "state", st);
	changed |= queue_if_changed(u, "VM_metrics", m, cur, "hvm", xd_bool(strcmp(dt, "hvm") == 0));
	changed |= queue_if_changed(u, "VM_metrics", m, cur, "current_domain_type", xd_string(dt));
	changed |= queue_if_changed(u, "VM_metrics", m, cur, "nomigrate",
				    xd_bool(is_true(xd_rec_map_get(vm, "platform", "nomigrate"))));
	changed |= queue_if_changed(u, "VM_metrics", m, cur, "nested_virt",
				    xd_bool(is_true(xd_rec_map_get(vm, "platform", "nested-virt"))));
	xd_value *params = xd_value_copy(xd_struct_get(vm, "VCPUs_params"));
	changed |= queue_if_changed(u, "VM_metrics", m, cur, "VCPUs_params", params ? params : xd_struct());
	if (starting)
		xd_vm_update_set(u, "VM_metrics", m, "start_time", xd_datetime(now));
	if (changed || starting)
		xd_vm_update_set(u, "VM_metrics", m, "last_updated", xd_datetime(now));
	xd_value_free(cur);
	free(fresh);
}

static xd_value *map_or_empty(const xd_value *m)
{
	return m && m->t == XD_V_STRUCT ? xd_value_copy(m) : xd_struct();
}

static void put_bytes(xd_value *map, const char *key, int64_t v)
{
	char num[32];
	if (v < 0)
		return;
	snprintf(num, sizeof num, "%lld", (long long)v);
	xd_struct_set_take(map, key, xd_string(num));
}

/* The guest agent's view: os_version, networks, other (with the memory in
 * use and free inside the guest, in bytes: "memory_used", "memory_free",
 * "memory_total"), PV drivers. */
static void queue_guest_metrics(xd_vm_update *u, const xd_hv_guest_info *gi, bool starting)
{
	xd_value *vm = xd_vm_update_after(u);
	const xd_class *gc = xd_dm_class("VM_guest_metrics");
	const char *g = xd_rec_str(vm, "guest_metrics");
	xd_value *cur = NULL;
	char *fresh = NULL;
	int64_t now = (int64_t)time(NULL);
	if (starting && !xd_ref_is_null(g)) {
		/* as xapi: what a previous boot (or the VM this one was cloned
		 * from) reported is stale */
		xd_vm_update_destroy(u, "VM_guest_metrics", g);
		g = "";
	}
	if (!xd_ref_is_null(g))
		cur = xd_db_get_record(gc, g);
	if (!cur) {
		fresh = xd_ref_new();
		xd_vm_update_create(u, "VM_guest_metrics", fresh, xd_struct());
		xd_rec_set(vm, "guest_metrics", xd_string(fresh));
		g = fresh;
	}
	xd_value *other = map_or_empty(gi->other);
	put_bytes(other, "memory_used", gi->memory_used);
	put_bytes(other, "memory_free", gi->memory_free);
	if (gi->memory_used >= 0 && gi->memory_free >= 0)
		put_bytes(other, "memory_total", gi->memory_used + gi->memory_free);
	bool changed = false;
	changed |= queue_if_changed(u, "VM_guest_metrics", g, cur, "os_version", map_or_empty(gi->os_version));
	changed |= queue_if_changed(u, "VM_guest_metrics", g, cur, "networks", map_or_empty(gi->networks));
	changed |= queue_if_changed(u, "VM_guest_metrics", g, cur, "other", other);
	changed |= queue_if_changed(u, "VM_guest_metrics", g, cur, "PV_drivers_detected", xd_bool(gi->pv_drivers));
	changed |= queue_if_changed(u, "VM_guest_metrics", g, cur, "PV_drivers_up_to_date", xd_bool(gi->pv_drivers));
	xd_value *ver = xd_struct();
	if (gi->pv_drivers) {
		const char *kv[] = { "major", "9", "minor", "0", "micro", "0", "build", "0", NULL };
		for (const char **p = kv; *p; p += 2)
			xd_struct_set_take(ver, p[0], xd_string(p[1]));
	}
	changed |= queue_if_changed(u, "VM_guest_metrics", g, cur, "PV_drivers_version", ver);
	const char *hot = gi->pv_drivers ? "yes" : "unspecified";
	changed |= queue_if_changed(u, "VM_guest_metrics", g, cur, "can_use_hotplug_vbd", xd_string(hot));
	changed |= queue_if_changed(u, "VM_guest_metrics", g, cur, "can_use_hotplug_vif", xd_string(hot));
	changed |= queue_if_changed(u, "VM_guest_metrics", g, cur, "live", xd_bool(true));
	if (changed)
		xd_vm_update_set(u, "VM_guest_metrics", g, "last_updated", xd_datetime(now));
	xd_value_free(cur);
	free(fresh);
}

static void guest_info_clear(xd_hv_guest_info *gi)
{
	xd_value_free(gi->os_version);
	xd_value_free(gi->networks);
	xd_value_free(gi->other);
	memset(gi, 0, sizeof *gi);
}

void xd_vm_queue_metrics(xd_vm_update *u, int domid, bool starting)
{
	const xd_hv_ops *hv = xd_hv();
	xd_error err = XD_ERROR_INIT;
	xd_hv_dominfo di;
	memset(&di, 0, sizeof di);
	if (hv->info(domid, &di, &err) == 0)
		queue_vm_metrics(u, &di, starting);
	xd_error_clear(&err);
	xd_hv_guest_info gi;
	memset(&gi, 0, sizeof gi);
	gi.memory_used = gi.memory_free = -1;
	if (hv->guest_info(domid, &gi, &err) == 0 &&
	    (gi.os_version || gi.networks || gi.other || gi.pv_drivers || gi.memory_used >= 0))
		queue_guest_metrics(u, &gi, starting);
	guest_info_clear(&gi);
	xd_error_clear(&err);
}

/* ---- one round ------------------------------------------------------------ */

typedef struct candidates {
	const char *host;
	int f_ps, f_res, f_cd;
	char **refs;
	size_t n, cap;
} candidates;

static int collect_live(const char *ref, const xd_value *const *fields, void *ud)
{
	candidates *c = ud;
	const char *ps = fields[c->f_ps]->u.s;
	if (fields[c->f_cd]->u.b || (strcmp(ps, "Running") != 0 && strcmp(ps, "Paused") != 0))
		return 0;
	if (!c->host || strcmp(fields[c->f_res]->u.s, c->host) != 0)
		return 0;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->refs = realloc(c->refs, c->cap * sizeof *c->refs);
		if (!c->refs)
			abort();
	}
	c->refs[c->n++] = strdup(ref);
	return 0;
}

static void live_vms(candidates *c)
{
	const xd_class *vm = xd_dm_class("VM");
	memset(c, 0, sizeof *c);
	c->host = xd_this_host();
	c->f_ps = xd_dm_field_index(vm, "power_state");
	c->f_res = xd_dm_field_index(vm, "resident_on");
	c->f_cd = xd_dm_field_index(vm, "is_control_domain");
	xd_db_foreach(vm, collect_live, c);
}

static void candidates_free(candidates *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->refs[i]);
	free(c->refs);
}

/* What became of a domain the VM still counts as its own. */
typedef enum { DOM_LIVE, DOM_HALTED, DOM_REBOOTED, DOM_CRASHED, DOM_GONE } dom_fate;

static dom_fate fate_of(int domid, xd_hv_dominfo *di)
{
	xd_error err = XD_ERROR_INIT;
	int rc = xd_hv()->info(domid, di, &err);
	xd_error_clear(&err);
	if (rc < 0)
		return DOM_GONE;
	if (di->state == XD_DOM_CRASHED)
		return DOM_CRASHED;
	if (di->state != XD_DOM_SHUTDOWN)
		return DOM_LIVE;
	switch (di->reason) {
	case XD_SHUTDOWN_REBOOT: return DOM_REBOOTED;
	case XD_SHUTDOWN_CRASH: return DOM_CRASHED;
	default: return DOM_HALTED;
	}
}

/* The guest shut down, rebooted or crashed by itself: what the VM's
 * actions_after_* say (xapi's event thread). */
static void guest_exit(const char *vm, const xd_value *rec, dom_fate fate)
{
	const char *action = fate == DOM_REBOOTED ? xd_rec_str(rec, "actions_after_reboot")
			     : fate == DOM_CRASHED ? xd_rec_str(rec, "actions_after_crash")
						   : xd_rec_str(rec, "actions_after_shutdown");
	bool restart = strstr(action, "restart") != NULL;
	int domid = (int)xd_rec_int(rec, "domid");
	xd_info("VM %s: domain %d %s by itself; action %s", vm, domid,
		fate == DOM_REBOOTED ? "rebooted" : fate == DOM_CRASHED ? "crashed" : "shut down",
		action[0] ? action : "destroy");
	if (strcmp(action, "preserve") == 0) {
		/* the crashed domain stays for inspection; the VM shows Paused */
		xd_error err = XD_ERROR_INIT;
		xd_vm_update *u = xd_vm_update_begin(vm, &err);
		if (u) {
			xd_rec_set(xd_vm_update_after(u), "power_state", xd_string("Paused"));
			xd_vm_update_commit(u, &err);
		}
		xd_error_clear(&err);
		return;
	}
	char *key = NULL;
	xd_error err = XD_ERROR_INIT;
	if (xd_vm_op_try(vm, restart ? "hard_reboot" : "hard_shutdown", &key, &err) < 0) {
		/* a client's operation got there first: look again next round */
		xd_debug("VM %s: guest exit handled later: %s", vm, err.code);
		xd_error_clear(&err);
		return;
	}
	int rc = restart ? xd_vm_restart(vm, key, domid, &err)
			 : xd_vm_finish_halt(vm, key, domid, NULL, &err);
	if (rc < 0) {
		xd_warn("VM %s: after the guest's exit: %s", vm, err.code);
		xd_vm_op_end(vm, key);
	}
	xd_error_clear(&err);
	free(key);
}

static void refresh_vm(const char *vm)
{
	xd_error err = XD_ERROR_INIT;
	xd_vm_update *u = xd_vm_update_begin(vm, &err);
	if (!u) {
		xd_error_clear(&err);
		return;
	}
	xd_value *rec = xd_vm_update_after(u);
	const char *ps = xd_rec_str(rec, "power_state");
	int domid = (int)xd_rec_int(rec, "domid");
	if ((strcmp(ps, "Running") != 0 && strcmp(ps, "Paused") != 0) || domid < 0) {
		xd_vm_update_abort(u);
		return;
	}
	xd_hv_dominfo di;
	memset(&di, 0, sizeof di);
	dom_fate fate = fate_of(domid, &di);
	const xd_value *ops = xd_struct_get(rec, "current_operations");
	if (fate != DOM_LIVE) {
		/* while an operation runs, the domain is its business */
		bool busy = ops && ops->t == XD_V_STRUCT && ops->u.st.n > 0;
		xd_value *copy = busy ? NULL : xd_value_copy(rec);
		xd_vm_update_abort(u);
		if (copy) {
			guest_exit(vm, copy, fate == DOM_GONE ? DOM_HALTED : fate);
			xd_value_free(copy);
		}
		return;
	}
	xd_vm_queue_metrics(u, domid, false);
	if (xd_vm_update_commit(u, &err) < 0)
		xd_debug("VM %s: metrics not written: %s", vm, err.code);
	xd_error_clear(&err);
}

/* Writes field := v of an object only when it differs. */
static void set_if_changed(const xd_class *c, const char *ref, const char *field, int64_t v)
{
	int fi = xd_dm_field_index(c, field);
	xd_value *cur = xd_db_get_field(c, ref, fi);
	xd_value *now = xd_int(v);
	xd_error err = XD_ERROR_INIT;
	if (cur && !xd_value_equal(cur, now))
		xd_db_set_field(c, ref, fi, now, &err);
	xd_error_clear(&err);
	xd_value_free(cur);
	xd_value_free(now);
}

/* host_metrics: the memory the hypervisor backend has (what is free is
 * host.compute_free_memory: host_metrics lost memory_free upstream). */
static void refresh_host_memory(void)
{
	const char *host = xd_this_host();
	if (!host)
		return;
	const xd_class *hc = xd_dm_class("host"), *mc = xd_dm_class("host_metrics");
	xd_value *m = xd_db_get_field(hc, host, xd_dm_field_index(hc, "metrics"));
	if (m && m->t == XD_V_STRING && xd_db_exists(mc, m->u.s)) {
		set_if_changed(mc, m->u.s, "memory_total", xd_hv()->total_memory());
	}
	xd_value_free(m);
}

/* The control domain follows its domain between starts (dom0 ballooned
 * with xl mem-set, vCPUs taken offline): the memory fields first boot sets
 * (all at its current memory, so that they stay ordered, the static
 * maximum at its maximum), VM_metrics' memory and vCPUs, written only when
 * they changed. */
static void refresh_control_domain(void)
{
	const char *host = xd_this_host();
	xd_hv_host_info hi;
	xd_error err = XD_ERROR_INIT;
	if (!host || xd_hv()->host_info(&hi, &err) != 0) {
		xd_error_clear(&err);
		return;
	}
	const xd_class *hc = xd_dm_class("host"), *vc = xd_dm_class("VM");
	const xd_class *mc = xd_dm_class("VM_metrics");
	xd_value *dom0 = xd_db_get_field(hc, host, xd_dm_field_index(hc, "control_domain"));
	if (dom0 && dom0->t == XD_V_STRING && xd_db_exists(vc, dom0->u.s)) {
		set_if_changed(vc, dom0->u.s, "memory_static_max", hi.dom0_memory_max);
		const char *fields[] = { "memory_dynamic_max", "memory_dynamic_min",
					 "memory_static_min", "memory_target", NULL };
		for (const char **f = fields; *f; f++)
			set_if_changed(vc, dom0->u.s, *f, hi.dom0_memory);
		xd_value *m = xd_db_get_field(vc, dom0->u.s, xd_dm_field_index(vc, "metrics"));
		if (m && m->t == XD_V_STRING && xd_db_exists(mc, m->u.s)) {
			set_if_changed(mc, m->u.s, "memory_actual", hi.dom0_memory);
			set_if_changed(mc, m->u.s, "VCPUs_number", hi.dom0_vcpus);
		}
		xd_value_free(m);
	}
	xd_value_free(dom0);
	xd_hv_host_info_clear(&hi);
}

static void refresh_round(void)
{
	candidates c;
	live_vms(&c);
	for (size_t i = 0; i < c.n; i++)
		refresh_vm(c.refs[i]);
	candidates_free(&c);
	refresh_host_memory();
	refresh_control_domain();
}

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Every interval a whole round; in between, the VMs asked for (a VM that
 * just started: a guest that dies at once is noticed at once), without
 * walking every running VM for each start. */
static void *monitor_main(void *arg)
{
	double next_round = mono_now() + interval;
	pthread_mutex_lock(&mu);
	while (!stopping) {
		if (!npending) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			double wait = next_round - mono_now();
			double until = (double)ts.tv_sec + ts.tv_nsec / 1e9 + (wait > 0 ? wait : 0);
			ts.tv_sec = (time_t)until;
			ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
			pthread_cond_timedwait(&cv, &mu, &ts);
		}
		if (stopping)
			break;
		char **batch = pending;
		size_t n = npending;
		pending = NULL;
		npending = cap_pending = 0;
		pthread_mutex_unlock(&mu);
		for (size_t i = 0; i < n; i++) {
			refresh_vm(batch[i]);
			free(batch[i]);
		}
		free(batch);
		if (mono_now() >= next_round) {
			refresh_round();
			next_round = mono_now() + interval;
		}
		pthread_mutex_lock(&mu);
	}
	for (size_t i = 0; i < npending; i++)
		free(pending[i]);
	free(pending);
	pending = NULL;
	npending = cap_pending = 0;
	pthread_mutex_unlock(&mu);
	return NULL;
}

void xd_vm_monitor_watch(const char *vm)
{
	pthread_mutex_lock(&mu);
	if (running && !stopping) {
		if (npending == cap_pending) {
			cap_pending = cap_pending ? cap_pending * 2 : 16;
			pending = realloc(pending, cap_pending * sizeof *pending);
			if (!pending)
				abort();
		}
		pending[npending++] = strdup(vm);
		pthread_cond_signal(&cv);
	}
	pthread_mutex_unlock(&mu);
}

/* ---- start-up ---------------------------------------------------------------- */

typedef struct stale {
	int f_ps, f_ops, f_allowed, f_res, f_cd;
	const char *host;
	char **refs;
	size_t n, cap;
} stale;

static int collect_stale(const char *ref, const xd_value *const *fields, void *ud)
{
	stale *s = ud;
	const char *ps = fields[s->f_ps]->u.s;
	bool live = strcmp(ps, "Running") == 0 || strcmp(ps, "Paused") == 0;
	bool here = s->host && strcmp(fields[s->f_res]->u.s, s->host) == 0;
	if (fields[s->f_ops]->u.st.n == 0 && fields[s->f_allowed]->u.arr.n > 0 &&
	    !(live && here && !fields[s->f_cd]->u.b))
		return 0;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->refs = realloc(s->refs, s->cap * sizeof *s->refs);
		if (!s->refs)
			abort();
	}
	s->refs[s->n++] = strdup(ref);
	return 0;
}

/* One VM after a restart: operations of the previous run are gone, and a
 * VM whose domain is gone is Halted. Returns the update (not locked). */
static xd_vm_update *reconcile_vm(const char *vm)
{
	xd_error err = XD_ERROR_INIT;
	xd_vm_update *u = xd_vm_update_begin_unlocked(vm, &err);
	xd_error_clear(&err);
	if (!u)
		return NULL;
	xd_value *rec = xd_vm_update_after(u);
	xd_rec_set(rec, "current_operations", xd_struct());
	const char *ps = xd_rec_str(rec, "power_state");
	const char *host = xd_this_host();
	bool live = strcmp(ps, "Running") == 0 || strcmp(ps, "Paused") == 0;
	if (live && !xd_rec_bool(rec, "is_control_domain") && host &&
	    strcmp(xd_rec_str(rec, "resident_on"), host) == 0) {
		xd_hv_dominfo di;
		dom_fate fate = fate_of((int)xd_rec_int(rec, "domid"), &di);
		if (fate != DOM_LIVE) {
			xd_info("VM %s: its domain is gone since the last run: Halted", vm);
			xd_vm_detach_disks(rec);
			xd_vm_queue_stopped(u, "Halted");
		}
	}
	xd_vm_update_seal(u);
	return u;
}

/* Start-up reconciliation in transactions of this many VMs (a fresh db of
 * 10,000 VMs whose allowed_operations were never computed costs a few
 * commits, not 10,000, and holds a bounded number of records). */
#define RECONCILE_BATCH 500

static void reconcile(char **refs, size_t n)
{
	xd_vm_update *batch[RECONCILE_BATCH];
	for (size_t i = 0; i < n; i += RECONCILE_BATCH) {
		size_t k = 0;
		for (size_t j = i; j < n && j < i + RECONCILE_BATCH; j++) {
			xd_vm_update *u = reconcile_vm(refs[j]);
			if (u)
				batch[k++] = u;
		}
		xd_error err = XD_ERROR_INIT;
		xd_db_txn *t = xd_db_begin();
		int rc = 0;
		for (size_t j = 0; j < k; j++) {
			xd_error e = XD_ERROR_INIT;
			if (xd_vm_update_commit_into(batch[j], t, &e) < 0 && rc == 0) {
				xd_error_copy(&err, &e);
				rc = -1;
			}
			xd_error_clear(&e);
		}
		if (rc < 0)
			xd_db_rollback(t);
		else
			rc = xd_db_commit(t, &err);
		if (rc < 0)
			xd_warn("start-up reconciliation of %zu VMs failed: %s", k, err.code);
		xd_error_clear(&err);
	}
}

int xd_vm_monitor_start(double interval_s)
{
	const xd_class *vm = xd_dm_class("VM");
	stale s;
	memset(&s, 0, sizeof s);
	s.f_ps = xd_dm_field_index(vm, "power_state");
	s.f_ops = xd_dm_field_index(vm, "current_operations");
	s.f_allowed = xd_dm_field_index(vm, "allowed_operations");
	s.f_res = xd_dm_field_index(vm, "resident_on");
	s.f_cd = xd_dm_field_index(vm, "is_control_domain");
	s.host = xd_this_host();
	xd_db_foreach(vm, collect_stale, &s);
	reconcile(s.refs, s.n);
	for (size_t i = 0; i < s.n; i++)
		free(s.refs[i]);
	if (s.n)
		xd_info("start-up: %zu VMs brought in line with the %s backend", s.n, xd_hv()->name);
	free(s.refs);
	refresh_host_memory();
	interval = interval_s > 0 ? interval_s : 5.0;
	stopping = false;
	if (pthread_create(&thread, NULL, monitor_main, NULL) != 0) {
		xd_err("cannot start the VM monitor thread");
		return -1;
	}
	pthread_mutex_lock(&mu);
	running = true;
	pthread_mutex_unlock(&mu);
	return 0;
}

void xd_vm_monitor_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&mu);
	stopping = true;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(thread, NULL);
	pthread_mutex_lock(&mu);
	running = false;
	pthread_mutex_unlock(&mu);
}
