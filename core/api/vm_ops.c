/* vm_ops.c - which vm_operations may run on a VM, as xapi decides it
 * (ocaml/xapi/xapi_vm_lifecycle.ml): the power states each operation starts
 * from, the operations that may run together, the rules for templates,
 * snapshots and the control domain; allowed_operations is the set of the
 * operations that pass; current_operations holds the running ones, keyed by
 * their task. */
#include "vm_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/session.h"
#include "ids.h"
#include "log.h"
#include "tasks/tasks.h"

enum { HALTED = 1, PAUSED = 2, SUSPENDED = 4, RUNNING = 8, ALL = 15 };

/* In xapi's lists the states always come in this order. */
static const struct {
	unsigned bit;
	const char *name;
} state_order[] = {
	{ HALTED, "halted" }, { PAUSED, "paused" }, { SUSPENDED, "suspended" }, { RUNNING, "running" },
};

static unsigned state_bit(const char *power_state)
{
	if (strcmp(power_state, "Halted") == 0)
		return HALTED;
	if (strcmp(power_state, "Paused") == 0)
		return PAUSED;
	if (strcmp(power_state, "Suspended") == 0)
		return SUSPENDED;
	if (strcmp(power_state, "Running") == 0)
		return RUNNING;
	return 0;
}

static bool is_one_of(const char *op, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(op, *list) == 0)
			return true;
	return false;
}

/* xapi's allowed_power_states. */
static unsigned allowed_states(const char *op, const xd_value *rec)
{
	static const char *const halted_only[] = { "changing_shadow_memory", "changing_NVRAM",
		"make_into_template", "provision", "start", "start_on", "create_vtpm", NULL };
	static const char *const running_only[] = { "awaiting_memory_live", "call_plugin",
		"clean_reboot", "clean_shutdown", "changing_memory_live",
		"changing_shadow_memory_live", "changing_VCPUs_live", "data_source_op", "pause",
		"pool_migrate", "send_sysrq", "send_trigger", "snapshot_with_quiesce", "sysprep",
		"suspend", NULL };
	static const char *const any[] = { "assert_operation_valid", "metadata_export",
		"power_state_reset", "revert", "reverting", "snapshot", "update_allowed_operations",
		"query_services", NULL };
	static const char *const static_changes[] = { "changing_VCPUs", "changing_static_range",
		"changing_memory_limits", NULL };
	static const char *const live_or_suspended[] = { "checkpoint", "get_boot_record",
		"shutdown", "hard_shutdown", NULL };
	static const char *const offline[] = { "create_template", "destroy", "export", NULL };

	if (strcmp(op, "import") == 0)
		return 0;
	if (is_one_of(op, static_changes))
		return HALTED | (xd_rec_bool(rec, "is_control_domain") ? RUNNING : 0);
	if (is_one_of(op, halted_only))
		return HALTED;
	if (strcmp(op, "unpause") == 0)
		return PAUSED;
	if (strcmp(op, "csvm") == 0 || strcmp(op, "resume") == 0 || strcmp(op, "resume_on") == 0)
		return SUSPENDED;
	if (is_one_of(op, running_only))
		return RUNNING;
	if (strcmp(op, "changing_dynamic_range") == 0)
		return HALTED | RUNNING;
	if (strcmp(op, "clone") == 0 || strcmp(op, "copy") == 0)
		/* a suspended VM itself is only cloned when the pool allows it
		 * (other_config allow_clone_suspended_vm, off by default) */
		return HALTED | (xd_rec_bool(rec, "is_a_snapshot") ? SUSPENDED : 0);
	if (is_one_of(op, offline))
		return HALTED | SUSPENDED;
	if (strcmp(op, "hard_reboot") == 0)
		return PAUSED | RUNNING;
	if (is_one_of(op, live_or_suspended))
		return PAUSED | SUSPENDED | RUNNING;
	if (strcmp(op, "migrate_send") == 0)
		return HALTED | SUSPENDED | RUNNING;
	if (is_one_of(op, any))
		return ALL;
	return 0;
}

int xd_vm_bad_power_state(const char *vm, const char *expected_csv, const char *actual,
			  xd_error *err)
{
	char lower[16];
	xd_power_lower(actual, lower);
	return xd_error_set(err, "VM_BAD_POWER_STATE", vm, expected_csv, lower, NULL);
}

static int power_state_error(const char *vm, unsigned mask, const char *actual, xd_error *err)
{
	char expected[64] = "";
	for (size_t i = 0; i < sizeof state_order / sizeof state_order[0]; i++) {
		if (!(mask & state_order[i].bit))
			continue;
		if (expected[0])
			strcat(expected, ", ");
		strcat(expected, state_order[i].name);
	}
	return xd_vm_bad_power_state(vm, expected, actual, err);
}

/* xapi's is_allowed_concurrently. ops: the current_operations map. */
static bool allowed_concurrently(const char *op, const xd_value *ops)
{
	static const char *const long_copies[] = { "clone", "copy", "export", NULL };
	static const char *const snapshots[] = { "snapshot", "checkpoint", NULL };
	static const char *const boot_record[] = { "get_boot_record", NULL };
	const char *const *groups[] = { long_copies, snapshots, boot_record };
	size_t n = ops->u.st.n;

	for (size_t g = 0; g < 3; g++) {
		if (!is_one_of(op, groups[g]))
			continue;
		bool all = true;
		for (size_t i = 0; i < n && all; i++)
			all = is_one_of(ops->u.st.m[i].v->u.s, groups[g]);
		if (all)
			return true;
	}
	if (strcmp(op, "hard_shutdown") == 0 || strcmp(op, "hard_reboot") == 0) {
		/* hard_shutdown overrides anything but itself; hard_reboot anything
		 * but a hard shutdown or reboot */
		for (size_t i = 0; i < n; i++) {
			const char *cur = ops->u.st.m[i].v->u.s;
			if (strcmp(cur, "hard_shutdown") == 0 ||
			    (strcmp(op, "hard_reboot") == 0 && strcmp(cur, "hard_reboot") == 0))
				return false;
		}
		return true;
	}
	/* single running operation -> operation that may join it */
	static const char *const pairs[][2] = {
		{ "snapshot_with_quiesce", "snapshot" }, { "migrate_send", "metadata_export" },
		{ "migrate_send", "clean_shutdown" }, { "migrate_send", "clean_reboot" },
	};
	if (n != 1)
		return false;
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		if (strcmp(ops->u.st.m[0].v->u.s, pairs[i][0]) == 0 && strcmp(op, pairs[i][1]) == 0)
			return true;
	return false;
}

static int concurrency_error(const char *vm, const xd_value *ops, xd_error *err)
{
	if (ops->u.st.n == 1)
		return xd_error_set(err, "OTHER_OPERATION_IN_PROGRESS", "VM", vm,
				    ops->u.st.m[0].v->u.s, ops->u.st.m[0].name, NULL);
	/* several: "{op1,op2}" and "{task1,task2}", as xapi */
	size_t len = 3, rlen = 3;
	for (size_t i = 0; i < ops->u.st.n; i++) {
		len += strlen(ops->u.st.m[i].v->u.s) + 1;
		rlen += strlen(ops->u.st.m[i].name) + 1;
	}
	char *names = calloc(1, len), *refs = calloc(1, rlen);
	if (!names || !refs)
		abort();
	strcat(names, "{");
	strcat(refs, "{");
	for (size_t i = 0; i < ops->u.st.n; i++) {
		if (i) {
			strcat(names, ",");
			strcat(refs, ",");
		}
		strcat(names, ops->u.st.m[i].v->u.s);
		strcat(refs, ops->u.st.m[i].name);
	}
	strcat(names, "}");
	strcat(refs, "}");
	xd_error_set(err, "OTHER_OPERATION_IN_PROGRESS", "VM", vm, names, refs, NULL);
	free(names);
	free(refs);
	return -1;
}

static bool is_true(const char *v)
{
	return v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

static int template_error(const char *vm, const xd_value *rec, const char *op, xd_error *err)
{
	static const char *const ok[] = { "changing_dynamic_range", "changing_static_range",
		"changing_memory_limits", "changing_shadow_memory", "changing_VCPUs", "changing_NVRAM",
		"clone", "copy", "export", "metadata_export", "provision", NULL };
	bool default_template = xd_rec_bool(rec, "is_default_template") ||
				is_true(xd_rec_map_get(rec, "other_config", "default_template"));
	if (is_one_of(op, ok) ||
	    ((strcmp(op, "destroy") == 0 || strcmp(op, "migrate_send") == 0) && !default_template))
		return 0;
	return xd_error_set(err, "VM_IS_TEMPLATE", vm, op, NULL);
}

static int snapshot_error(const char *vm, const char *op, xd_error *err)
{
	static const char *const ok[] = { "revert", "clone", "copy", "export", "destroy",
		"hard_shutdown", "metadata_export", NULL };
	if (is_one_of(op, ok))
		return 0;
	return xd_error_set(err, "VM_IS_SNAPSHOT", vm, op, NULL);
}

static int control_domain_error(const char *vm, const xd_value *rec, const char *op,
				xd_error *err)
{
	static const char *const ok[] = { "data_source_op", "changing_memory_live",
		"awaiting_memory_live", "metadata_export", "changing_dynamic_range",
		"changing_memory_limits", "changing_static_range", "start", "start_on",
		"changing_VCPUs", "destroy", NULL };
	if (!xd_rec_bool(rec, "is_control_domain"))
		return 0;
	const char *host = xd_this_host();
	bool dom0 = xd_rec_int(rec, "domid") == 0 &&
		    (!host || strcmp(xd_rec_str(rec, "resident_on"), host) == 0);
	if (dom0 && (strcmp(op, "changing_VCPUs") == 0 || strcmp(op, "destroy") == 0))
		return xd_error_set(err, "OPERATION_NOT_ALLOWED", "This operation is not allowed on dom0",
				    NULL);
	if (!is_one_of(op, ok))
		return xd_error_set(err, "OPERATION_NOT_ALLOWED",
				    "This operation is not allowed on a control domain", NULL);
	return 0;
}

/* Whether the guest (HVM) can take part in op: xapi asks the PV drivers
 * for clean shutdown/reboot and vCPU hotplug (check_op_for_feature). */
static bool guest_has_feature(const xd_value *gm, const char *feature)
{
	const char *v = xd_rec_map_get(gm, "other", feature);
	return v && strcmp(v, "1") == 0;
}

static int feature_error(const xd_vm_reader *rd, const char *vm, const xd_value *rec,
			 const char *op, xd_error *err)
{
	static const char *const needs_guest[] = { "suspend", "checkpoint", "pool_migrate",
		"migrate_send", "clean_shutdown", "clean_reboot", "changing_VCPUs_live", NULL };
	unsigned st = state_bit(xd_rec_str(rec, "power_state"));
	if (!(st & (RUNNING | PAUSED)) || !is_one_of(op, needs_guest))
		return 0;
	const char *gm_ref = xd_rec_str(rec, "guest_metrics");
	const char *m_ref = xd_rec_str(rec, "metrics");
	xd_value *m = xd_vm_read(rd, "VM_metrics", m_ref);
	const char *cur = xd_rec_str(m, "current_domain_type");
	bool booted_pv = strcmp(cur, "pv") == 0 || strcmp(cur, "pvh") == 0 ||
			 strcmp(cur, "pv_in_pvh") == 0;
	xd_value_free(m);
	if (booted_pv)
		return 0;
	xd_value *gm = xd_vm_read(rd, "VM_guest_metrics", gm_ref);
	int rc = 0;
	if (gm && xd_rec_bool(gm, "PV_drivers_detected"))
		goto out;
	if (strcmp(op, "suspend") == 0 || strcmp(op, "checkpoint") == 0 ||
	    strcmp(op, "pool_migrate") == 0 || strcmp(op, "migrate_send") == 0) {
		const char *why = xd_rec_map_get(gm, "other", "data-cant-suspend-reason");
		if (why)
			rc = xd_error_set(err, "VM_NON_SUSPENDABLE", vm, why, NULL);
		else if (!guest_has_feature(gm, "feature-suspend"))
			rc = xd_error_set(err, "VM_LACKS_FEATURE", vm, NULL);
	} else if (strcmp(op, "clean_shutdown") == 0) {
		if (!guest_has_feature(gm, "feature-shutdown") &&
		    !guest_has_feature(gm, "feature-poweroff"))
			rc = xd_error_set(err, "VM_LACKS_FEATURE", vm, NULL);
	} else if (strcmp(op, "clean_reboot") == 0) {
		if (!guest_has_feature(gm, "feature-shutdown") &&
		    !guest_has_feature(gm, "feature-reboot"))
			rc = xd_error_set(err, "VM_LACKS_FEATURE", vm, NULL);
	} else if (strcmp(op, "changing_VCPUs_live") == 0) {
		if (!guest_has_feature(gm, "feature-vcpu-hotplug"))
			rc = xd_error_set(err, "VM_LACKS_FEATURE", vm, NULL);
	}
out:
	xd_value_free(gm);
	return rc;
}

/* A disk that resets at boot cannot be part of a memory image or snapshot. */
static int on_boot_error(const xd_vm_reader *rd, const xd_value *rec, const char *op,
			 xd_error *err)
{
	if (strcmp(op, "checkpoint") && strcmp(op, "snapshot") && strcmp(op, "suspend"))
		return 0;
	const xd_value *vbds = xd_struct_get(rec, "VBDs");
	int rc = 0;
	for (size_t i = 0; vbds && i < vbds->u.arr.n && rc == 0; i++) {
		xd_value *b = xd_vm_read(rd, "VBD", vbds->u.arr.items[i]->u.s);
		xd_value *d = b ? xd_vm_read(rd, "VDI", xd_rec_str(b, "VDI")) : NULL;
		const char *ob = xd_rec_map_get(d, "sm_config", "on_boot");
		if (ob && strcmp(ob, "reset") == 0)
			rc = xd_error_set(err, "VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION", NULL);
		xd_value_free(b);
		xd_value_free(d);
	}
	return rc;
}

int xd_vm_check_op(const char *vm, const xd_value *rec, const char *op, xd_error *err)
{
	return xd_vm_check_op_r(NULL, vm, rec, op, err);
}

int xd_vm_check_op_r(const xd_vm_reader *rd, const char *vm, const xd_value *rec, const char *op,
		     xd_error *err)
{
	const char *reason = xd_rec_map_get(rec, "blocked_operations", op);
	if (reason)
		return xd_error_set(err, "OPERATION_BLOCKED", vm, reason, NULL);
	const char *ps = xd_rec_str(rec, "power_state");
	unsigned mask = allowed_states(op, rec);
	if (!(mask & state_bit(ps)))
		return power_state_error(vm, mask, ps, err);
	const xd_value *ops = xd_struct_get(rec, "current_operations");
	if (ops && ops->t == XD_V_STRUCT && ops->u.st.n && !allowed_concurrently(op, ops))
		return concurrency_error(vm, ops, err);
	bool tmpl = xd_rec_bool(rec, "is_a_template"), snap = xd_rec_bool(rec, "is_a_snapshot");
	if (tmpl && !snap && template_error(vm, rec, op, err) < 0)
		return -1;
	if (snap && snapshot_error(vm, op, err) < 0)
		return -1;
	if (strcmp(op, "provision") == 0 && !tmpl)
		return xd_error_set(err, "ONLY_PROVISION_TEMPLATE", NULL);
	if (strcmp(op, "revert") == 0 && !snap)
		return xd_error_set(err, "ONLY_REVERT_SNAPSHOT", NULL);
	bool immobile = is_true(xd_rec_map_get(rec, "platform", "nomigrate")) ||
			is_true(xd_rec_map_get(rec, "platform", "nested-virt"));
	if (immobile && (strcmp(op, "suspend") == 0 || strcmp(op, "checkpoint") == 0 ||
			 strcmp(op, "pool_migrate") == 0 || strcmp(op, "migrate_send") == 0))
		return xd_error_set(err, "VM_IS_IMMOBILE", vm, NULL);
	if (strcmp(op, "changing_dynamic_range") == 0 &&
	    is_true(xd_rec_map_get(rec, "platform", "nested-virt")))
		return xd_error_set(err, "VM_IS_USING_NESTED_VIRT", vm, NULL);
	if (control_domain_error(vm, rec, op, err) < 0)
		return -1;
	if (feature_error(rd, vm, rec, op, err) < 0)
		return -1;
	if (strcmp(op, "snapshot_with_quiesce") == 0)
		return xd_error_set(err, "VM_SNAPSHOT_WITH_QUIESCE_NOT_SUPPORTED", vm, NULL);
	if (on_boot_error(rd, rec, op, err) < 0)
		return -1;
	if (strcmp(op, "query_services") == 0 &&
	    !is_true(xd_rec_map_get(rec, "other_config", "is_system_domain")))
		return xd_error_set(err, "NOT_SYSTEM_DOMAIN", vm, NULL);
	return 0;
}

/* Operations xapi never lists in allowed_operations. */
static const char *const ignored_ops[] = {
	"create_template", "power_state_reset", "csvm", "get_boot_record", "send_sysrq",
	"send_trigger", "query_services", "shutdown", "call_plugin", "changing_memory_live",
	"awaiting_memory_live", "changing_memory_limits", "changing_shadow_memory_live",
	"changing_VCPUs", "assert_operation_valid", "data_source_op", "update_allowed_operations",
	"import", "reverting", NULL,
};

xd_value *xd_vm_allowed_ops(const char *vm, const xd_value *rec)
{
	return xd_vm_allowed_ops_r(NULL, vm, rec);
}

xd_value *xd_vm_allowed_ops_r(const xd_vm_reader *rd, const char *vm, const xd_value *rec)
{
	const xd_enum *e = xd_dm_enum("vm_operations");
	xd_value *out = xd_array();
	/* xapi folds the enum into a list by consing: last value first */
	for (size_t i = e->nvalues; i-- > 0;) {
		const char *op = e->values[i];
		if (is_one_of(op, ignored_ops))
			continue;
		xd_error err = XD_ERROR_INIT;
		if (xd_vm_check_op_r(rd, vm, rec, op, &err) == 0)
			xd_array_append_take(out, xd_string(op));
		xd_error_clear(&err);
	}
	return out;
}

/* Operations that wait for another to finish (xapi's
 * Helpers.retry_with_global_lock): woken whenever a VM's
 * current_operations shrinks, re-checked at least every second (for a
 * cancel), for at most op_wait_max seconds. */
static pthread_mutex_t wait_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wait_cv = PTHREAD_COND_INITIALIZER;
static uint64_t ops_ended;
static double op_wait_max = 7200.0; /* xapi's two hours */

void xd_vm_set_op_wait(double seconds)
{
	op_wait_max = seconds;
}

void xd_vm_ops_changed(void)
{
	pthread_mutex_lock(&wait_mu);
	ops_ended++;
	pthread_cond_broadcast(&wait_cv);
	pthread_mutex_unlock(&wait_mu);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Waits until an operation ends somewhere (or a second passes). */
static void wait_for_ops(uint64_t seen)
{
	struct timespec ts;
	pthread_mutex_lock(&wait_mu);
	if (ops_ended == seen) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&wait_cv, &wait_mu, &ts);
	}
	pthread_mutex_unlock(&wait_mu);
}

static uint64_t ops_seen(void)
{
	pthread_mutex_lock(&wait_mu);
	uint64_t n = ops_ended;
	pthread_mutex_unlock(&wait_mu);
	return n;
}

/* One attempt: 0 marked, -1 refused (err), 1 another operation is in the way. */
static int try_begin(const char *vm, const char *op, const char *key, xd_error *err)
{
	xd_vm_update *u = xd_vm_update_begin(vm, err);
	if (!u)
		return -1;
	xd_value *after = xd_vm_update_after(u);
	if (xd_vm_check_op(vm, after, op, err) < 0) {
		xd_vm_update_abort(u);
		return strcmp(err->code, "OTHER_OPERATION_IN_PROGRESS") == 0 ? 1 : -1;
	}
	xd_value *ops = xd_struct_get(after, "current_operations");
	if (!ops || ops->t != XD_V_STRUCT) {
		xd_rec_set(after, "current_operations", xd_struct());
		ops = xd_struct_get(after, "current_operations");
	}
	xd_struct_set_take(ops, key, xd_string(op));
	return xd_vm_update_commit(u, err);
}

int xd_vm_op_try(const char *vm, const char *op, char **key, xd_error *err)
{
	*key = xd_ref_new();
	if (try_begin(vm, op, *key, err) == 0)
		return 0;
	free(*key);
	*key = NULL;
	return -1;
}

int xd_vm_op_begin(const xd_call *call, const char *vm, const char *op, char **key,
		   xd_error *err)
{
	/* a synchronous call has no task of its own: a fresh ref stands for it */
	const char *task = call ? call->task : NULL;
	*key = task ? strdup(task) : xd_ref_new();
	double deadline = now_s() + op_wait_max;
	for (;;) {
		uint64_t seen = ops_seen();
		int rc = try_begin(vm, op, *key, err);
		if (rc <= 0) {
			if (rc < 0) {
				free(*key);
				*key = NULL;
			}
			return rc;
		}
		if (task && xd_task_cancelling(task)) {
			xd_error_set(err, "TASK_CANCELLED", task, NULL);
			break;
		}
		if (now_s() >= deadline)
			break;
		xd_debug("VM %s: %s waits for %s to finish", vm, op, err->params[2]);
		wait_for_ops(seen);
	}
	free(*key);
	*key = NULL;
	return -1;
}

void xd_vm_op_end(const char *vm, const char *key)
{
	xd_error err = XD_ERROR_INIT;
	xd_vm_update *u = key ? xd_vm_update_begin(vm, &err) : NULL;
	if (u) {
		xd_vm_update_end_op(u, key);
		if (xd_vm_update_commit(u, &err) < 0)
			xd_warn("VM %s: could not clear operation %s: %s", vm, key, err.code);
	}
	xd_error_clear(&err);
}
