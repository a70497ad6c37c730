/* vm_settings.c - VM settings with rules around them, as xapi's: the
 * memory limits (static_min <= dynamic_min <= dynamic_max <= static_max),
 * the vCPU counts, the template flag, the shadow multiplier (also live), the domain
 * type and actions_after_crash, the device numbers still free
 * (get_allowed_VBD_devices / get_allowed_VIF_devices) and the memory
 * overhead. Each runs as the vm_operation xapi marks it with. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "vm_int.h"

/* ---- memory --------------------------------------------------------------- */

typedef struct mem {
	int64_t static_min, dynamic_min, dynamic_max, static_max;
} mem;

static mem mem_of(const xd_value *rec)
{
	mem m = { xd_rec_int(rec, "memory_static_min"), xd_rec_int(rec, "memory_dynamic_min"),
		  xd_rec_int(rec, "memory_dynamic_max"), xd_rec_int(rec, "memory_static_max") };
	return m;
}

/* xapi's Vm_memory_constraints.assert_valid_for_current_context: the order,
 * and a control domain pinned at static_max. */
static int check_mem(const xd_value *rec, const mem *m, xd_error *err)
{
	bool ordered = m->static_min <= m->dynamic_min && m->dynamic_min <= m->dynamic_max &&
		       m->dynamic_max <= m->static_max;
	if (xd_rec_bool(rec, "is_control_domain")) {
		if (!(m->static_min <= m->dynamic_min && m->dynamic_min == m->dynamic_max &&
		      m->dynamic_max == m->static_max))
			return xd_error_set(err, "MEMORY_CONSTRAINT_VIOLATION_MAXPIN", "control domain",
					    NULL);
		return 0;
	}
	if (!ordered)
		return xd_error_set(err, "MEMORY_CONSTRAINT_VIOLATION_ORDER", NULL);
	return 0;
}

static void put_mem(xd_value *rec, const mem *m, bool target_too)
{
	xd_rec_set(rec, "memory_static_min", xd_int(m->static_min));
	xd_rec_set(rec, "memory_dynamic_min", xd_int(m->dynamic_min));
	xd_rec_set(rec, "memory_dynamic_max", xd_int(m->dynamic_max));
	xd_rec_set(rec, "memory_static_max", xd_int(m->static_max));
	/* memory_target is unused; xapi keeps it at dynamic_min */
	if (target_too)
		xd_rec_set(rec, "memory_target", xd_int(m->dynamic_min));
	xd_rec_set(rec, "memory_overhead", xd_int(xd_vm_memory_overhead(rec)));
	if (xd_rec_bool(rec, "is_control_domain") &&
	    strcmp(xd_rec_str(rec, "power_state"), "Running") == 0)
		xd_rec_set(rec, "requires_reboot", xd_bool(true));
}

typedef enum { SET_DYNAMIC, SET_STATIC, SET_LIMITS, SET_MEMORY } mem_kind;

/* Applies new limits inside an operation already marked (key). */
static int apply_mem(const char *vm, const char *key, mem_kind kind, const int64_t *v,
		     xd_error *err)
{
	xd_vm_update *u = xd_vm_update_begin(vm, err);
	if (!u)
		return -1;
	xd_value *rec = xd_vm_update_after(u);
	mem m = mem_of(rec);
	switch (kind) {
	case SET_DYNAMIC:
		m.dynamic_min = v[0];
		m.dynamic_max = v[1];
		break;
	case SET_STATIC:
		m.static_min = v[0];
		m.static_max = v[1];
		break;
	case SET_LIMITS:
		m.static_min = v[0];
		m.static_max = v[1];
		m.dynamic_min = v[2];
		m.dynamic_max = v[3];
		break;
	case SET_MEMORY:
		m.static_max = m.dynamic_min = m.dynamic_max = v[0];
		break;
	}
	if (check_mem(rec, &m, err) < 0) {
		xd_vm_update_abort(u);
		return -1;
	}
	/* a running guest gets its new balloon target now */
	bool live = strcmp(xd_rec_str(rec, "power_state"), "Running") == 0 &&
		    !xd_rec_bool(rec, "is_control_domain");
	if (live && kind == SET_DYNAMIC &&
	    xd_hv()->set_memory_target((int)xd_rec_int(rec, "domid"), m.dynamic_max, err) < 0) {
		xd_vm_update_abort(u);
		return -1;
	}
	put_mem(rec, &m, kind != SET_STATIC);
	if (live && kind == SET_DYNAMIC)
		xd_vm_queue_metrics(u, (int)xd_rec_int(rec, "domid"), false);
	xd_vm_update_end_op(u, key);
	return xd_vm_update_commit(u, err);
}

static xd_value *mem_op(const xd_call *call, const char *op, mem_kind kind, const int64_t *v,
			xd_error *err)
{
	const char *vm = xd_arg_str(call, 0);
	char *key = NULL;
	if (xd_check_ref(xd_dm_class("VM"), vm, err) < 0 ||
	    xd_vm_op_begin(call, vm, op, &key, err) < 0)
		return NULL;
	int rc = apply_mem(vm, key, kind, v, err);
	if (rc < 0)
		xd_vm_op_end(vm, key);
	free(key);
	return rc < 0 ? NULL : xd_void();
}

static int64_t field_int(const char *vm, const char *field)
{
	const xd_class *c = xd_dm_class("VM");
	xd_value *v = xd_db_get_field(c, vm, xd_dm_field_index(c, field));
	int64_t i = v && v->t == XD_V_INT ? v->u.i : 0;
	xd_value_free(v);
	return i;
}

static xd_value *h_set_memory_dynamic_range(const xd_call *call, xd_error *err)
{
	int64_t v[2] = { xd_arg_int(call, 1), xd_arg_int(call, 2) };
	return mem_op(call, "changing_dynamic_range", SET_DYNAMIC, v, err);
}

static xd_value *h_set_memory_dynamic_max(const xd_call *call, xd_error *err)
{
	int64_t v[2] = { field_int(xd_arg_str(call, 0), "memory_dynamic_min"), xd_arg_int(call, 1) };
	return mem_op(call, "changing_dynamic_range", SET_DYNAMIC, v, err);
}

static xd_value *h_set_memory_dynamic_min(const xd_call *call, xd_error *err)
{
	int64_t v[2] = { xd_arg_int(call, 1), field_int(xd_arg_str(call, 0), "memory_dynamic_max") };
	return mem_op(call, "changing_dynamic_range", SET_DYNAMIC, v, err);
}

static xd_value *h_set_memory_static_range(const xd_call *call, xd_error *err)
{
	int64_t v[2] = { xd_arg_int(call, 1), xd_arg_int(call, 2) };
	return mem_op(call, "changing_static_range", SET_STATIC, v, err);
}

static xd_value *h_set_memory_static_max(const xd_call *call, xd_error *err)
{
	int64_t v[2] = { field_int(xd_arg_str(call, 0), "memory_static_min"), xd_arg_int(call, 1) };
	return mem_op(call, "changing_static_range", SET_STATIC, v, err);
}

static xd_value *h_set_memory_static_min(const xd_call *call, xd_error *err)
{
	int64_t v[2] = { xd_arg_int(call, 1), field_int(xd_arg_str(call, 0), "memory_static_max") };
	return mem_op(call, "changing_static_range", SET_STATIC, v, err);
}

static xd_value *h_set_memory_limits(const xd_call *call, xd_error *err)
{
	int64_t v[4] = { xd_arg_int(call, 1), xd_arg_int(call, 2), xd_arg_int(call, 3),
			 xd_arg_int(call, 4) };
	return mem_op(call, "changing_memory_limits", SET_LIMITS, v, err);
}

static xd_value *h_set_memory(const xd_call *call, xd_error *err)
{
	int64_t v[1] = { xd_arg_int(call, 1) };
	return mem_op(call, "changing_memory_limits", SET_MEMORY, v, err);
}

static xd_value *h_compute_memory_overhead(const xd_call *call, xd_error *err)
{
	xd_value *rec = xd_db_get_record(xd_dm_class("VM"), xd_arg_str(call, 0));
	if (!rec) {
		xd_error_set(err, "HANDLE_INVALID", "VM", xd_arg_str(call, 0), NULL);
		return NULL;
	}
	xd_value *r = xd_int(xd_vm_memory_overhead(rec));
	xd_value_free(rec);
	return r;
}

/* VM.maximise_memory(total, approximate): the largest memory_static_max
 * (rounded down to a MiB) whose start-up memory, the memory and its
 * overhead, fits in total; approximate counts 64 vCPUs, as xapi. The
 * requirement grows with the memory, so a bisection finds it. */
static xd_value *h_maximise_memory(const xd_call *call, xd_error *err)
{
	xd_value *rec = xd_db_get_record(xd_dm_class("VM"), xd_arg_str(call, 0));
	int64_t total = xd_arg_int(call, 1), lo = 0, hi;

	if (!rec) {
		xd_error_set(err, "HANDLE_INVALID", "VM", xd_arg_str(call, 0), NULL);
		return NULL;
	}
	if (xd_arg_bool(call, 2))
		xd_rec_set(rec, "VCPUs_max", xd_int(64));
	hi = total > 0 ? total : 0;
	/* invariant: lo fits (or is 0); everything above hi does not */
	while (lo < hi) {
		int64_t mid = lo + (hi - lo + 1) / 2;

		xd_rec_set(rec, "memory_static_max", xd_int(mid));
		if (mid + xd_vm_memory_overhead(rec) <= total)
			lo = mid;
		else
			hi = mid - 1;
	}
	xd_value_free(rec);
	return xd_int(lo / (1LL << 20) * (1LL << 20));
}

/* ---- vCPUs ------------------------------------------------------------------ */

static int invalid_vcpus(const char *rule, int64_t v, xd_error *err)
{
	char n[32];
	snprintf(n, sizeof n, "%lld", (long long)v);
	return xd_error_set(err, "INVALID_VALUE", rule, n, NULL);
}

#define VCPU_RULE "VCPU values must satisfy: 0 < VCPUs_at_startup \xe2\x89\xa4 VCPUs_max"
#define VCPU_LIVE_RULE "VCPU values must satisfy: 0 < VCPUs \xe2\x89\xa4 VCPUs_max"

static bool is_dom0(const xd_value *rec)
{
	return xd_rec_bool(rec, "is_control_domain") && xd_rec_int(rec, "domid") == 0;
}

static xd_value *h_set_VCPUs_max(const xd_call *call, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0);
	int64_t v = xd_arg_int(call, 1);
	char *key = NULL;
	if (xd_check_ref(xd_dm_class("VM"), vm, err) < 0 ||
	    xd_vm_op_begin(call, vm, "changing_VCPUs", &key, err) < 0)
		return NULL;
	int rc = -1;
	xd_vm_update *u = xd_vm_update_begin(vm, err);
	if (u) {
		xd_value *rec = xd_vm_update_after(u);
		if (v < 1 || v < xd_rec_int(rec, "VCPUs_at_startup")) {
			invalid_vcpus(VCPU_RULE, v, err);
			xd_vm_update_abort(u);
		} else {
			xd_rec_set(rec, "VCPUs_max", xd_int(v));
			xd_rec_set(rec, "memory_overhead", xd_int(xd_vm_memory_overhead(rec)));
			if (xd_rec_bool(rec, "is_control_domain") &&
			    strcmp(xd_rec_str(rec, "power_state"), "Running") == 0)
				xd_rec_set(rec, "requires_reboot", xd_bool(true));
			xd_vm_update_end_op(u, key);
			rc = xd_vm_update_commit(u, err);
		}
	}
	if (rc < 0)
		xd_vm_op_end(vm, key);
	free(key);
	return rc < 0 ? NULL : xd_void();
}

/* xapi marks no operation for this one: it applies at the next boot. */
static xd_value *h_set_VCPUs_at_startup(const xd_call *call, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0);
	int64_t v = xd_arg_int(call, 1);
	xd_vm_update *u = xd_vm_update_begin(vm, err);
	if (!u)
		return NULL;
	xd_value *rec = xd_vm_update_after(u);
	if (is_dom0(rec)) {
		xd_vm_update_abort(u);
		xd_error_set(err, "OPERATION_NOT_ALLOWED", "set_VCPUs_at_startup is not allowed on dom0",
			     NULL);
		return NULL;
	}
	if (v < 1 || v > xd_rec_int(rec, "VCPUs_max")) {
		xd_vm_update_abort(u);
		invalid_vcpus(VCPU_RULE, v, err);
		return NULL;
	}
	xd_rec_set(rec, "VCPUs_at_startup", xd_int(v));
	xd_rec_set(rec, "memory_overhead", xd_int(xd_vm_memory_overhead(rec)));
	return xd_vm_update_commit(u, err) < 0 ? NULL : xd_void();
}

static xd_value *h_set_VCPUs_number_live(const xd_call *call, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0);
	int64_t n = xd_arg_int(call, 1);
	char *key = NULL;
	if (xd_check_ref(xd_dm_class("VM"), vm, err) < 0 ||
	    xd_vm_op_begin(call, vm, "changing_VCPUs_live", &key, err) < 0)
		return NULL;
	int rc = -1;
	xd_vm_update *u = xd_vm_update_begin(vm, err);
	if (u) {
		xd_value *rec = xd_vm_update_after(u);
		int domid = (int)xd_rec_int(rec, "domid");
		if (n < 1 || n > xd_rec_int(rec, "VCPUs_max")) {
			invalid_vcpus(VCPU_LIVE_RULE, n, err);
			xd_vm_update_abort(u);
		} else if (xd_hv()->set_vcpus(domid, (int)n, err) < 0) {
			xd_vm_update_abort(u);
		} else {
			xd_rec_set(rec, "VCPUs_at_startup", xd_int(n));
			xd_vm_queue_metrics(u, domid, false);
			xd_vm_update_end_op(u, key);
			rc = xd_vm_update_commit(u, err);
		}
	}
	if (rc < 0)
		xd_vm_op_end(vm, key);
	free(key);
	return rc < 0 ? NULL : xd_void();
}

/* ---- template, shadow multiplier, domain type, crash action ----------------- */

/* true: as the operation make_into_template (a Halted VM only); false: the
 * "install time" of the VM, as xapi records it. */
static xd_value *h_set_is_a_template(const xd_call *call, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0);
	bool value = xd_arg_bool(call, 1);
	char *key = NULL;
	if (xd_check_ref(xd_dm_class("VM"), vm, err) < 0)
		return NULL;
	if (value && xd_vm_op_begin(call, vm, "make_into_template", &key, err) < 0)
		return NULL;
	int rc = -1;
	xd_vm_update *u = xd_vm_update_begin(vm, err);
	if (u) {
		xd_value *rec = xd_vm_update_after(u);
		xd_rec_set(rec, "is_a_template", xd_bool(value));
		if (value) {
			xd_rec_set(rec, "ha_always_run", xd_bool(false));
		} else {
			const char *m = xd_rec_str(rec, "metrics");
			if (!xd_ref_is_null(m))
				xd_vm_update_set(u, "VM_metrics", m, "install_time",
						 xd_datetime((int64_t)time(NULL)));
		}
		xd_vm_update_end_op(u, key);
		rc = xd_vm_update_commit(u, err);
	}
	if (rc < 0 && key)
		xd_vm_op_end(vm, key);
	free(key);
	return rc < 0 ? NULL : xd_void();
}

/* OCaml's string_of_float, which xapi's INVALID_VALUE carries for the live
 * call: "0.5", "0.". */
static void ocaml_float(double v, char out[64])
{
	snprintf(out, 64, "%.12g", v);
	if (!strpbrk(out, ".eninf"))
		strcat(out, ".");
}

/* VM.set_HVM_shadow_multiplier (halted: the record) and
 * VM.set_shadow_multiplier_live (running: an HVM domain's shadow memory
 * resized first; a PV domain has none, and xapi lets that pass unchanged). */
static xd_value *shadow_op(const xd_call *call, bool live, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0);
	double v = xd_arg_float(call, 1);
	char *key = NULL;
	if (xd_check_ref(xd_dm_class("VM"), vm, err) < 0 ||
	    xd_vm_op_begin(call, vm, live ? "changing_shadow_memory_live" : "changing_shadow_memory",
			   &key, err) < 0)
		return NULL;
	int rc = -1;
	if (v < 1.0) {
		char t[64];
		if (live)
			ocaml_float(v, t);
		else
			snprintf(t, sizeof t, "%g", v);
		xd_error_set(err, "INVALID_VALUE", live ? "multiplier" : "HVM_shadow_multiplier", t,
			     NULL);
	} else {
		xd_vm_update *u = xd_vm_update_begin(vm, err);
		xd_value *rec = u ? xd_vm_update_after(u) : NULL;
		bool pv = rec && strcmp(xd_vm_domain_type(rec), "pv") == 0;
		if (rec && live && pv)
			xd_info("VM.set_shadow_multiplier_live: not supported for PV domains");
		if (rec && live && !pv &&
		    xd_hv()->set_shadow_memory((int)xd_rec_int(rec, "domid"),
					       xd_vm_shadow_mib(rec, v), err) < 0) {
			xd_vm_update_abort(u);
		} else if (rec) {
			if (!(live && pv)) {
				xd_rec_set(rec, "HVM_shadow_multiplier", xd_float(v));
				xd_rec_set(rec, "memory_overhead", xd_int(xd_vm_memory_overhead(rec)));
			}
			xd_vm_update_end_op(u, key);
			rc = xd_vm_update_commit(u, err);
		}
	}
	if (rc < 0)
		xd_vm_op_end(vm, key);
	free(key);
	return rc < 0 ? NULL : xd_void();
}

static xd_value *h_set_HVM_shadow_multiplier(const xd_call *call, xd_error *err)
{
	return shadow_op(call, false, err);
}

static xd_value *h_set_shadow_multiplier_live(const xd_call *call, xd_error *err)
{
	return shadow_op(call, true, err);
}

/* A plain field write through the VM's update (allowed_operations follow). */
static xd_value *set_field(const xd_call *call, const char *field, xd_value *v, xd_error *err)
{
	xd_vm_update *u = xd_vm_update_begin(xd_arg_str(call, 0), err);
	if (!u) {
		xd_value_free(v);
		return NULL;
	}
	xd_rec_set(xd_vm_update_after(u), field, v);
	return xd_vm_update_commit(u, err) < 0 ? NULL : xd_void();
}

/* xapi keeps HVM_boot_policy and domain_type consistent both ways. */
static xd_value *h_set_domain_type(const xd_call *call, xd_error *err)
{
	const char *t = xd_arg_str(call, 1);
	if (strcmp(t, "unspecified") == 0) {
		xd_error_set(err, "INVALID_VALUE", "domain_type", t, NULL);
		return NULL;
	}
	xd_vm_update *u = xd_vm_update_begin(xd_arg_str(call, 0), err);
	if (!u)
		return NULL;
	xd_value *rec = xd_vm_update_after(u);
	xd_rec_set(rec, "domain_type", xd_string(t));
	xd_rec_set(rec, "HVM_boot_policy", xd_string(strcmp(t, "hvm") == 0 ? "BIOS order" : ""));
	return xd_vm_update_commit(u, err) < 0 ? NULL : xd_void();
}

static xd_value *h_set_HVM_boot_policy(const xd_call *call, xd_error *err)
{
	const char *p = xd_arg_str(call, 1);
	xd_vm_update *u = xd_vm_update_begin(xd_arg_str(call, 0), err);
	if (!u)
		return NULL;
	xd_value *rec = xd_vm_update_after(u);
	xd_rec_set(rec, "HVM_boot_policy", xd_string(p));
	xd_rec_set(rec, "domain_type", xd_string(p[0] ? "hvm" : "pv"));
	return xd_vm_update_commit(u, err) < 0 ? NULL : xd_void();
}

static xd_value *h_set_actions_after_crash(const xd_call *call, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0), *v = xd_arg_str(call, 1);
	const char *fld = "VM.actions_after_crash";
	if (strcmp(v, "rename_restart") == 0) {
		xd_error_set(err, "VALUE_NOT_SUPPORTED", fld, v,
			     "option would leak a domain; VMs and not domains are managed by this API",
			     NULL);
		return NULL;
	}
	if (strncmp(v, "coredump_and_", 13) == 0) {
		xd_value *rec = xd_db_get_record(xd_dm_class("VM"), vm);
		bool pv = rec && strcmp(xd_vm_domain_type(rec), "pv") == 0;
		xd_value_free(rec);
		if (rec && !pv) {
			xd_error_set(err, "VALUE_NOT_SUPPORTED", fld, v,
				     "cannot invoke a coredump of an HVM, PVH or PV-in-PVH domain", NULL);
			return NULL;
		}
	}
	return set_field(call, "actions_after_crash", xd_string(v), err);
}

/* ---- free device numbers ------------------------------------------------------ */

static xd_value *h_get_allowed_VBD_devices(const xd_call *call, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0);
	xd_value *rec = xd_db_get_record(xd_dm_class("VM"), vm);
	if (!rec) {
		xd_error_set(err, "HANDLE_INVALID", "VM", vm, NULL);
		return NULL;
	}
	int max = xd_rec_bool(rec, "is_control_domain") ? 255 : 254;
	bool used[256] = { false };
	const xd_class *vc = xd_dm_class("VBD");
	const xd_value *vbds = xd_struct_get(rec, "VBDs");
	for (size_t i = 0; vbds && i < vbds->u.arr.n; i++) {
		xd_value *r = xd_db_get_record(vc, vbds->u.arr.items[i]->u.s);
		int a = xd_vm_disk_number(xd_rec_str(r, "userdevice")),
		    b = xd_vm_disk_number(xd_rec_str(r, "device"));
		if (a >= 0 && a < 256)
			used[a] = true;
		if (b >= 0 && b < 256)
			used[b] = true;
		xd_value_free(r);
	}
	xd_value *out = xd_array();
	for (int n = 0; n <= max; n++) {
		char t[16];
		if (used[n])
			continue;
		snprintf(t, sizeof t, "%d", n);
		xd_array_append_take(out, xd_string(t));
	}
	xd_value_free(rec);
	return out;
}

static xd_value *h_get_allowed_VIF_devices(const xd_call *call, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0);
	const xd_class *c = xd_dm_class("VM"), *vc = xd_dm_class("VIF");
	xd_value *vifs = xd_db_get_field(c, vm, xd_dm_field_index(c, "VIFs"));
	if (!vifs) {
		xd_error_set(err, "HANDLE_INVALID", "VM", vm, NULL);
		return NULL;
	}
	bool used[16] = { false };
	int fd = xd_dm_field_index(vc, "device");
	for (size_t i = 0; i < vifs->u.arr.n; i++) {
		xd_value *d = xd_db_get_field(vc, vifs->u.arr.items[i]->u.s, fd);
		char *end = NULL;
		long n = d ? strtol(d->u.s, &end, 10) : -1;
		if (d && !*end && n >= 0 && n < 16)
			used[n] = true;
		xd_value_free(d);
	}
	xd_value *out = xd_array();
	for (int n = 0; n < 16; n++) {
		char t[16];
		if (used[n])
			continue;
		snprintf(t, sizeof t, "%d", n);
		xd_array_append_take(out, xd_string(t));
	}
	xd_value_free(vifs);
	return out;
}

void xd_api_vm_settings_register(void)
{
	xd_rpc_register("VM", "set_memory_dynamic_range", h_set_memory_dynamic_range);
	xd_rpc_register("VM", "set_memory_dynamic_max", h_set_memory_dynamic_max);
	xd_rpc_register("VM", "set_memory_dynamic_min", h_set_memory_dynamic_min);
	xd_rpc_register("VM", "set_memory_static_range", h_set_memory_static_range);
	xd_rpc_register("VM", "set_memory_static_max", h_set_memory_static_max);
	xd_rpc_register("VM", "set_memory_static_min", h_set_memory_static_min);
	xd_rpc_register("VM", "set_memory_limits", h_set_memory_limits);
	xd_rpc_register("VM", "set_memory", h_set_memory);
	xd_rpc_register("VM", "compute_memory_overhead", h_compute_memory_overhead);
	xd_rpc_register("VM", "maximise_memory", h_maximise_memory);
	xd_rpc_register("VM", "set_VCPUs_max", h_set_VCPUs_max);
	xd_rpc_register("VM", "set_VCPUs_at_startup", h_set_VCPUs_at_startup);
	xd_rpc_register("VM", "set_VCPUs_number_live", h_set_VCPUs_number_live);
	xd_rpc_register("VM", "set_is_a_template", h_set_is_a_template);
	xd_rpc_register("VM", "set_HVM_shadow_multiplier", h_set_HVM_shadow_multiplier);
	xd_rpc_register("VM", "set_shadow_multiplier_live", h_set_shadow_multiplier_live);
	xd_rpc_register("VM", "set_domain_type", h_set_domain_type);
	xd_rpc_register("VM", "set_HVM_boot_policy", h_set_HVM_boot_policy);
	xd_rpc_register("VM", "set_actions_after_crash", h_set_actions_after_crash);
	xd_rpc_register("VM", "get_allowed_VBD_devices", h_get_allowed_VBD_devices);
	xd_rpc_register("VM", "get_allowed_VIF_devices", h_get_allowed_VIF_devices);
}
