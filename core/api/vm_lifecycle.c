/* vm_lifecycle.c - VM.start/start_on, clean_shutdown, hard_shutdown,
 * shutdown, clean_reboot, hard_reboot, pause, unpause, suspend, resume,
 * resume_on and power_state_reset, as xapi's (xapi_vm.ml and the message
 * forwarding layer): every operation is checked and marked in
 * current_operations first (vm_ops.c), then the domain is driven through
 * the hypervisor backend, and the resulting state is written in one
 * transaction that also clears the mark. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "auth/session.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "vm_int.h"

/* xapi's domain_shutdown_total_timeout */
static double shutdown_timeout_s = 1200.0;

void xd_vm_set_shutdown_timeout(double seconds)
{
	if (seconds > 0)
		shutdown_timeout_s = seconds;
}

static xd_value *vm_record(const char *vm, xd_error *err)
{
	xd_value *rec = xd_db_get_record(xd_dm_class("VM"), vm);
	if (!rec)
		xd_error_set(err, "HANDLE_INVALID", "VM", vm, NULL);
	return rec;
}

static void message_body(char *out, size_t n, const xd_value *rec, const char *what)
{
	snprintf(out, n, "VM '%s' (uuid: %s) %s", xd_rec_str(rec, "name_label"),
		 xd_rec_str(rec, "uuid"), what);
}

/* Destroys a domain, treating "already gone" as done. */
static void destroy_domain(int domid)
{
	xd_error err = XD_ERROR_INIT;
	if (domid >= 0 && xd_hv()->destroy(domid, &err) < 0)
		xd_debug("domain %d: destroy: %s", domid, err.code);
	xd_error_clear(&err);
}

/* The backend names a VM by its uuid where xapi puts the ref
 * (VM_SHUTDOWN_TIMEOUT [vm, timeout]...): the VM layer swaps it. */
void xd_vm_fix_error(xd_error *err, const char *vm)
{
	const xd_class *c = xd_dm_class("VM");
	xd_value *uuid = xd_db_get_field(c, vm, xd_dm_field_index(c, "uuid"));
	for (size_t i = 0; uuid && err->code && i < err->nparams; i++) {
		if (strcmp(err->params[i], uuid->u.s) == 0) {
			free(err->params[i]);
			err->params[i] = strdup(vm);
		}
	}
	xd_value_free(uuid);
}

/* sim: the faults a test asked for in VM.other_config "sim:fault". */
void xd_vm_sim_faults(const xd_value *rec)
{
	if (xd_hv() != xd_hv_sim_ops())
		return;
	const char *f = xd_rec_map_get(rec, "other_config", "sim:fault");
	xd_hv_sim_inject(xd_rec_str(rec, "uuid"), f ? f : "");
}

/* The VM's record with its sim faults applied (before driving its domain). */
static void apply_faults(const char *vm)
{
	xd_value *rec = xd_db_get_record(xd_dm_class("VM"), vm);
	if (rec)
		xd_vm_sim_faults(rec);
	xd_value_free(rec);
}

/* ---- the common steps ------------------------------------------------------ */

/* Whether this host has a plugged PBD for sr. */
static bool sr_plugged_here(const char *sr, const char *host)
{
	const xd_class *sc = xd_dm_class("SR"), *pc = xd_dm_class("PBD");
	xd_value *pbds = xd_db_get_field(sc, sr, xd_dm_field_index(sc, "PBDs"));
	bool ok = false;
	for (size_t i = 0; pbds && i < pbds->u.arr.n && !ok; i++) {
		xd_value *p = xd_db_get_record(pc, pbds->u.arr.items[i]->u.s);
		ok = p && strcmp(xd_rec_str(p, "host"), host) == 0 && xd_rec_bool(p, "currently_attached");
		xd_value_free(p);
	}
	xd_value_free(pbds);
	return ok;
}

/* xapi's assert_can_boot_here, for this host: enabled, and every SR the
 * VM's disks (and suspend image) are on plugged here (VM_REQUIRES_SR). */
static int check_host_and_srs(const char *vm, const xd_value *rec, xd_error *err)
{
	const char *host = xd_this_host();
	if (!host)
		return 0;
	const xd_class *hc = xd_dm_class("host"), *bc = xd_dm_class("VBD"), *dc = xd_dm_class("VDI");
	xd_value *enabled = xd_db_get_field(hc, host, xd_dm_field_index(hc, "enabled"));
	bool on = !enabled || enabled->u.b;
	xd_value_free(enabled);
	if (!on)
		return xd_error_set(err, "HOST_DISABLED", host, NULL);
	xd_value *vdis = xd_array();
	const xd_value *vbds = xd_struct_get(rec, "VBDs");
	for (size_t i = 0; vbds && i < vbds->u.arr.n; i++) {
		xd_value *b = xd_db_get_record(bc, vbds->u.arr.items[i]->u.s);
		if (b && !xd_rec_bool(b, "empty") && !xd_ref_is_null(xd_rec_str(b, "VDI")))
			xd_array_append_take(vdis, xd_string(xd_rec_str(b, "VDI")));
		xd_value_free(b);
	}
	if (!xd_ref_is_null(xd_rec_str(rec, "suspend_VDI")))
		xd_array_append_take(vdis, xd_string(xd_rec_str(rec, "suspend_VDI")));
	int rc = 0;
	int f_sr = xd_dm_field_index(dc, "SR");
	for (size_t i = 0; i < vdis->u.arr.n && rc == 0; i++) {
		xd_value *sr = xd_db_get_field(dc, vdis->u.arr.items[i]->u.s, f_sr);
		if (sr && !xd_ref_is_null(sr->u.s) && !sr_plugged_here(sr->u.s, host))
			rc = xd_error_set(err, "VM_REQUIRES_SR", vm, sr->u.s, NULL);
		xd_value_free(sr);
	}
	xd_value_free(vdis);
	return rc;
}

/* Checks a VM record before its domain is built (vm_int.h). */
int xd_vm_validate_for_boot(const char *vm, const xd_value *rec, xd_error *err)
{
	char n[32];
	int64_t vmax = xd_rec_int(rec, "VCPUs_max"), vstart = xd_rec_int(rec, "VCPUs_at_startup");
	if (vmax < 1) {
		snprintf(n, sizeof n, "%lld", (long long)vmax);
		return xd_error_set(err, "INVALID_VALUE", "VCPUs_max", n, NULL);
	}
	if (vstart < 1) {
		snprintf(n, sizeof n, "%lld", (long long)vstart);
		return xd_error_set(err, "INVALID_VALUE", "VCPUs-at-startup", n, NULL);
	}
	if (vstart > vmax) {
		snprintf(n, sizeof n, "%lld", (long long)vstart);
		return xd_error_set(err, "VALUE_NOT_SUPPORTED", "VCPUs-at-startup", n,
				    "value greater than VCPUs-max", NULL);
	}
	/* constraints that cannot even be brought into order by clamping the
	 * dynamic range into the static one (xapi's Vm_memory_constraints.transform) */
	if (xd_rec_int(rec, "memory_static_max") < xd_rec_int(rec, "memory_static_min") ||
	    xd_rec_int(rec, "memory_dynamic_max") < xd_rec_int(rec, "memory_dynamic_min"))
		return xd_error_set(err, "MEMORY_CONSTRAINT_VIOLATION", NULL);
	if (check_host_and_srs(vm, rec, err) < 0)
		return -1;
	xd_hv_domain_spec spec;
	xd_vm_domain_spec(rec, NULL, &spec);
	int64_t free_mem = xd_hv()->free_memory();
	if (spec.memory_target > free_mem) {
		char need[32], avail[32];
		snprintf(need, sizeof need, "%lld", (long long)spec.memory_target);
		snprintf(avail, sizeof avail, "%lld", (long long)free_mem);
		return xd_error_set(err, "HOST_NOT_ENOUGH_FREE_MEMORY", need, avail, NULL);
	}
	return 0;
}

/* Builds the VM's domain (from an image when restore_from is set) and
 * records it running; clears the op mark. msg: the message to leave. */
static int bring_up(const char *vm, const char *key, const char *restore_from, bool paused,
		    const char *msg, const char *what, xd_error *err)
{
	xd_value *rec = vm_record(vm, err);
	if (!rec)
		return -1;
	int rc = -1, domid = -1;
	xd_vm_devices *d = NULL;
	if (!restore_from && xd_vm_validate_for_boot(vm, rec, err) < 0)
		goto out;
	if (restore_from && check_host_and_srs(vm, rec, err) < 0)
		goto out;
	d = xd_vm_devices_prepare(vm, rec, err);
	if (!d)
		goto out;
	xd_vm_sim_faults(rec);
	domid = xd_vm_domain_build(rec, d, restore_from, paused, err);
	if (domid < 0) {
		xd_vm_fix_error(err, vm);
		xd_vm_devices_free(d, true);
		d = NULL;
		goto out;
	}
	xd_vm_update *u = xd_vm_update_begin(vm, err);
	if (!u) {
		destroy_domain(domid);
		xd_vm_devices_free(d, true);
		d = NULL;
		goto out;
	}
	xd_vm_queue_running(u, domid, d, paused);
	if (!restore_from)
		xd_vm_bios_generic_if_unset(xd_vm_update_after(u));
	if (restore_from) /* the image is consumed */
		xd_rec_set(xd_vm_update_after(u), "suspend_VDI", xd_string(XD_NULL_REF));
	xd_vm_update_end_op(u, key);
	if (msg) {
		char body[512];
		message_body(body, sizeof body, rec, what);
		xd_vm_update_message(u, msg, 5, body);
	}
	rc = xd_vm_update_commit(u, err);
	if (rc < 0) {
		destroy_domain(domid);
		xd_vm_devices_free(d, true);
		d = NULL;
	} else {
		/* a guest that dies at once is noticed at once */
		xd_vm_monitor_watch(vm);
	}
out:
	xd_vm_devices_free(d, false);
	xd_value_free(rec);
	return rc;
}

int xd_vm_finish_halt(const char *vm, const char *key, int destroy_domid, const char *msg,
		      xd_error *err)
{
	destroy_domain(destroy_domid);
	xd_value *rec = vm_record(vm, err);
	if (!rec)
		return -1;
	xd_vm_detach_disks(rec);
	int rc = -1;
	xd_vm_update *u = xd_vm_update_begin(vm, err);
	if (u) {
		xd_vm_queue_stopped(u, "Halted");
		xd_vm_update_end_op(u, key);
		if (msg) {
			char body[512];
			message_body(body, sizeof body, rec, "shutdown");
			xd_vm_update_message(u, msg, 5, body);
		}
		rc = xd_vm_update_commit(u, err);
	}
	xd_value_free(rec);
	return rc;
}

int xd_vm_restart(const char *vm, const char *key, int old_domid, xd_error *err)
{
	destroy_domain(old_domid);
	xd_value *rec = vm_record(vm, err);
	if (!rec)
		return -1;
	xd_vm_detach_disks(rec);
	xd_value_free(rec);
	if (bring_up(vm, key, NULL, false, "VM_REBOOTED", "rebooted", err) == 0)
		return 0;
	/* could not come back: the VM is down, as xapi leaves it */
	xd_error keep = XD_ERROR_INIT;
	xd_error_copy(&keep, err);
	xd_vm_finish_halt(vm, key, -1, NULL, err);
	xd_error_clear(err);
	*err = keep;
	return -1;
}

/* ---- handlers ---------------------------------------------------------------- */

/* Runs one VM operation: check the VM ref, mark the op, call fn, and on
 * failure clear the mark. fn clears it itself on success (in its commit). */
typedef int (*op_fn)(const xd_call *call, const char *vm, const char *key, xd_error *err);

static xd_value *run_op(const xd_call *call, const char *vm, const char *op, op_fn fn,
			xd_error *err)
{
	char *key = NULL;
	if (xd_check_ref(xd_dm_class("VM"), vm, err) < 0 ||
	    xd_vm_op_begin(call, vm, op, &key, err) < 0)
		return NULL;
	int rc = fn(call, vm, key, err);
	if (rc < 0)
		xd_vm_op_end(vm, key);
	free(key);
	return rc < 0 ? NULL : xd_void();
}

static int do_start(const xd_call *call, const char *vm, const char *key, xd_error *err)
{
	bool paused = xd_arg_bool(call, strcmp(call->msg->name, "start_on") == 0 ? 2 : 1);
	return bring_up(vm, key, NULL, paused, "VM_STARTED", "started", err);
}

static xd_value *h_start(const xd_call *call, xd_error *err)
{
	return run_op(call, xd_arg_str(call, 0), "start", do_start, err);
}

/* One host: the host given must be this one. */
static int check_this_host(const char *host, xd_error *err)
{
	if (xd_check_ref(xd_dm_class("host"), host, err) < 0)
		return -1;
	const char *me = xd_this_host();
	if (me && strcmp(me, host) != 0)
		return xd_error_set(err, "HOST_OFFLINE", host, NULL);
	return 0;
}

static xd_value *h_start_on(const xd_call *call, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0);
	if (xd_check_ref(xd_dm_class("VM"), vm, err) < 0 ||
	    check_this_host(xd_arg_str(call, 1), err) < 0)
		return NULL;
	return run_op(call, vm, "start_on", do_start, err);
}

static int current_domid(const char *vm, xd_error *err)
{
	const xd_class *c = xd_dm_class("VM");
	xd_value *v = xd_db_get_field(c, vm, xd_dm_field_index(c, "domid"));
	int domid = v ? (int)v->u.i : -1;
	xd_value_free(v);
	if (domid < 0)
		xd_error_set(err, "INTERNAL_ERROR", "the VM has no domain", NULL);
	return domid;
}

/* Asks the guest to shut down (reason poweroff or reboot). */
static int ask_guest(const char *vm, int domid, xd_shutdown_reason reason, double timeout,
		     xd_error *err)
{
	apply_faults(vm);
	if (xd_hv()->shutdown(domid, reason, timeout, err) < 0) {
		xd_vm_fix_error(err, vm);
		return -1;
	}
	return 0;
}

static int do_clean_shutdown(const xd_call *call, const char *vm, const char *key, xd_error *err)
{
	int domid = current_domid(vm, err);
	if (domid < 0 || ask_guest(vm, domid, XD_SHUTDOWN_POWEROFF, shutdown_timeout_s, err) < 0)
		return -1;
	return xd_vm_finish_halt(vm, key, -1, "VM_SHUTDOWN", err);
}

static xd_value *h_clean_shutdown(const xd_call *call, xd_error *err)
{
	return run_op(call, xd_arg_str(call, 0), "clean_shutdown", do_clean_shutdown, err);
}

/* From Suspended: the image is dropped (xapi destroys the suspend VDI). */
static int discard_suspended(const char *vm, const char *key, xd_error *err)
{
	xd_value *rec = vm_record(vm, err);
	if (!rec)
		return -1;
	const char *vdi = xd_rec_str(rec, "suspend_VDI");
	if (!xd_ref_is_null(vdi)) {
		xd_error e = XD_ERROR_INIT;
		if (xd_vm_vdi_destroy(NULL, vdi, &e) < 0)
			xd_warn("VM %s: suspend VDI %s not destroyed: %s", vm, vdi, e.code);
		xd_error_clear(&e);
	} else {
		char *path = xd_vm_suspend_file(xd_rec_str(rec, "uuid"));
		unlink(path);
		free(path);
	}
	int rc = -1;
	xd_vm_update *u = xd_vm_update_begin(vm, err);
	if (u) {
		xd_rec_set(xd_vm_update_after(u), "suspend_VDI", xd_string(XD_NULL_REF));
		xd_vm_queue_stopped(u, "Halted");
		xd_vm_update_end_op(u, key);
		char body[512];
		message_body(body, sizeof body, rec, "shutdown forcibly");
		xd_vm_update_message(u, "VM_SHUTDOWN", 5, body);
		rc = xd_vm_update_commit(u, err);
	}
	xd_value_free(rec);
	return rc;
}

static bool is_suspended(const char *vm)
{
	const xd_class *c = xd_dm_class("VM");
	xd_value *v = xd_db_get_field(c, vm, xd_dm_field_index(c, "power_state"));
	bool s = v && strcmp(v->u.s, "Suspended") == 0;
	xd_value_free(v);
	return s;
}

static int do_hard_shutdown(const xd_call *call, const char *vm, const char *key, xd_error *err)
{
	if (is_suspended(vm))
		return discard_suspended(vm, key, err);
	int domid = current_domid(vm, err);
	if (domid < 0)
		return -1;
	return xd_vm_finish_halt(vm, key, domid, "VM_SHUTDOWN", err);
}

static xd_value *h_hard_shutdown(const xd_call *call, xd_error *err)
{
	return run_op(call, xd_arg_str(call, 0), "hard_shutdown", do_hard_shutdown, err);
}

/* Clean first; whatever stops that, hard (xapi's VM.shutdown). */
static int do_shutdown(const xd_call *call, const char *vm, const char *key, xd_error *err)
{
	if (is_suspended(vm))
		return discard_suspended(vm, key, err);
	int domid = current_domid(vm, err);
	if (domid < 0)
		return -1;
	/* xapi: VM.shutdown_delay, when set, is how long the guest gets */
	const xd_class *c = xd_dm_class("VM");
	xd_value *delay = xd_db_get_field(c, vm, xd_dm_field_index(c, "shutdown_delay"));
	double timeout = delay && delay->u.i > 0 ? (double)delay->u.i : shutdown_timeout_s;
	xd_value_free(delay);
	xd_error clean = XD_ERROR_INIT;
	if (ask_guest(vm, domid, XD_SHUTDOWN_POWEROFF, timeout, &clean) == 0)
		domid = -1;
	else
		xd_info("VM %s: clean shutdown failed (%s): hard shutdown", vm, clean.code);
	xd_error_clear(&clean);
	return xd_vm_finish_halt(vm, key, domid, "VM_SHUTDOWN", err);
}

static xd_value *h_shutdown(const xd_call *call, xd_error *err)
{
	return run_op(call, xd_arg_str(call, 0), "shutdown", do_shutdown, err);
}

static int do_clean_reboot(const xd_call *call, const char *vm, const char *key, xd_error *err)
{
	int domid = current_domid(vm, err);
	if (domid < 0 || ask_guest(vm, domid, XD_SHUTDOWN_REBOOT, shutdown_timeout_s, err) < 0)
		return -1;
	return xd_vm_restart(vm, key, -1, err);
}

static xd_value *h_clean_reboot(const xd_call *call, xd_error *err)
{
	return run_op(call, xd_arg_str(call, 0), "clean_reboot", do_clean_reboot, err);
}

static int do_hard_reboot(const xd_call *call, const char *vm, const char *key, xd_error *err)
{
	int domid = current_domid(vm, err);
	if (domid < 0)
		return -1;
	return xd_vm_restart(vm, key, domid, err);
}

static xd_value *h_hard_reboot(const xd_call *call, xd_error *err)
{
	return run_op(call, xd_arg_str(call, 0), "hard_reboot", do_hard_reboot, err);
}

/* pause / unpause: the domain stays; power_state and the metrics change. */
static int set_paused(const char *vm, const char *key, bool pause, xd_error *err)
{
	int domid = current_domid(vm, err);
	if (domid < 0)
		return -1;
	const xd_hv_ops *hv = xd_hv();
	if ((pause ? hv->pause(domid, err) : hv->unpause(domid, err)) < 0) {
		xd_vm_fix_error(err, vm);
		return -1;
	}
	xd_vm_update *u = xd_vm_update_begin(vm, err);
	if (!u)
		return -1;
	xd_rec_set(xd_vm_update_after(u), "power_state", xd_string(pause ? "Paused" : "Running"));
	xd_vm_queue_metrics(u, domid, false);
	xd_vm_queue_device_ops(u, -1);
	xd_vm_update_end_op(u, key);
	char body[512];
	message_body(body, sizeof body, xd_vm_update_after(u), pause ? "paused" : "unpaused");
	xd_vm_update_message(u, pause ? "VM_PAUSED" : "VM_UNPAUSED", 5, body);
	return xd_vm_update_commit(u, err);
}

static int do_pause(const xd_call *call, const char *vm, const char *key, xd_error *err)
{
	return set_paused(vm, key, true, err);
}

static int do_unpause(const xd_call *call, const char *vm, const char *key, xd_error *err)
{
	return set_paused(vm, key, false, err);
}

static xd_value *h_pause(const xd_call *call, xd_error *err)
{
	return run_op(call, xd_arg_str(call, 0), "pause", do_pause, err);
}

static xd_value *h_unpause(const xd_call *call, xd_error *err)
{
	return run_op(call, xd_arg_str(call, 0), "unpause", do_unpause, err);
}

/* ---- suspend / resume ------------------------------------------------------ */

/* The SR suspend images go to: VM.suspend_SR, else pool.suspend_image_SR,
 * else the host's suspend_image_sr; NULL when none is set (heap). */
char *xd_vm_suspend_sr(const xd_value *rec)
{
	const char *sr = xd_rec_str(rec, "suspend_SR");
	const xd_class *src = xd_dm_class("SR");
	if (!xd_ref_is_null(sr) && xd_db_exists(src, sr))
		return strdup(sr);
	const xd_class *pc = xd_dm_class("pool");
	xd_value *pools = xd_db_get_all(pc);
	char *found = NULL;
	if (pools && pools->u.arr.n) {
		xd_value *v = xd_db_get_field(pc, pools->u.arr.items[0]->u.s,
					      xd_dm_field_index(pc, "suspend_image_SR"));
		if (v && !xd_ref_is_null(v->u.s) && xd_db_exists(src, v->u.s))
			found = strdup(v->u.s);
		xd_value_free(v);
	}
	xd_value_free(pools);
	const char *host = xd_this_host();
	if (!found && host) {
		const xd_class *hc = xd_dm_class("host");
		xd_value *v = xd_db_get_field(hc, host, xd_dm_field_index(hc, "suspend_image_sr"));
		if (v && !xd_ref_is_null(v->u.s) && xd_db_exists(src, v->u.s))
			found = strdup(v->u.s);
		xd_value_free(v);
	}
	return found;
}

static int do_suspend(const xd_call *call, const char *vm, const char *key, xd_error *err)
{
	xd_value *rec = vm_record(vm, err);
	if (!rec)
		return -1;
	int rc = -1, domid = (int)xd_rec_int(rec, "domid");
	char *sr = xd_vm_suspend_sr(rec), *file = NULL, *vdi = NULL;
	xd_vm_image *im = NULL;
	if (sr) {
		/* room for the memory and what the backend writes around it */
		int64_t size = xd_rec_int(rec, "memory_static_max") + 8 * 1024 * 1024;
		im = xd_vm_suspend_image_create(call, sr, xd_rec_str(rec, "uuid"), size, err);
		if (!im)
			goto out;
		vdi = strdup(xd_vm_image_vdi(im));
	} else {
		file = xd_vm_suspend_file(xd_rec_str(rec, "uuid"));
	}
	if (xd_hv()->suspend(domid, im ? xd_vm_image_path(im) : file, err) < 0) {
		xd_vm_fix_error(err, vm);
		goto drop_image;
	}
	if (im && xd_vm_image_commit(im, err) < 0) {
		/* the domain is gone with its memory unsaved: the VM is down */
		xd_error keep = XD_ERROR_INIT;
		xd_error_copy(&keep, err);
		xd_vm_image_close(im);
		im = NULL;
		xd_vm_finish_halt(vm, key, -1, NULL, err);
		xd_error_clear(err);
		*err = keep;
		goto drop_image;
	}
	xd_vm_image_close(im);
	im = NULL;
	xd_vm_detach_disks(rec);
	xd_vm_update *u = xd_vm_update_begin(vm, err);
	if (!u)
		goto out;
	xd_vm_queue_stopped(u, "Suspended");
	xd_rec_set(xd_vm_update_after(u), "suspend_VDI", xd_string(vdi ? vdi : XD_NULL_REF));
	xd_vm_update_end_op(u, key);
	char body[512];
	message_body(body, sizeof body, rec, "suspended");
	xd_vm_update_message(u, "VM_SUSPENDED", 5, body);
	rc = xd_vm_update_commit(u, err);
	goto out;
drop_image:
	xd_vm_image_close(im);
	im = NULL;
	if (vdi) {
		xd_error e = XD_ERROR_INIT;
		xd_vm_vdi_destroy(call, vdi, &e);
		xd_error_clear(&e);
	}
out:
	xd_vm_image_close(im);
	free(sr);
	free(vdi);
	free(file);
	xd_value_free(rec);
	return rc;
}

static xd_value *h_suspend(const xd_call *call, xd_error *err)
{
	return run_op(call, xd_arg_str(call, 0), "suspend", do_suspend, err);
}

static int do_resume(const xd_call *call, const char *vm, const char *key, xd_error *err)
{
	bool paused = xd_arg_bool(call, strcmp(call->msg->name, "resume_on") == 0 ? 2 : 1);
	xd_value *rec = vm_record(vm, err);
	if (!rec)
		return -1;
	char *vdi = strdup(xd_rec_str(rec, "suspend_VDI")), *file = NULL;
	xd_vm_image *im = NULL;
	int rc = -1;
	if (!xd_ref_is_null(vdi)) {
		im = xd_vm_suspend_image_open(vdi, err);
		if (!im)
			goto out;
	} else if (access((file = xd_vm_suspend_file(xd_rec_str(rec, "uuid"))), R_OK) != 0) {
		xd_error_set(err, "VM_HAS_NO_SUSPEND_VDI", vm, NULL);
		goto out;
	}
	rc = bring_up(vm, key, im ? xd_vm_image_path(im) : file, paused, "VM_RESUMED", "resumed",
		      err);
	xd_vm_image_close(im);
	im = NULL;
	if (rc < 0)
		goto out;
	/* the image is consumed once the domain is back (xapi destroys the VDI) */
	if (!xd_ref_is_null(vdi)) {
		xd_error e = XD_ERROR_INIT;
		if (xd_vm_vdi_destroy(call, vdi, &e) < 0)
			xd_warn("VM %s: suspend VDI not destroyed: %s", vm, e.code);
		xd_error_clear(&e);
	} else {
		unlink(file);
	}
out:
	xd_vm_image_close(im);
	free(vdi);
	free(file);
	xd_value_free(rec);
	return rc;
}

static xd_value *h_resume(const xd_call *call, xd_error *err)
{
	return run_op(call, xd_arg_str(call, 0), "resume", do_resume, err);
}

static xd_value *h_resume_on(const xd_call *call, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0);
	if (xd_check_ref(xd_dm_class("VM"), vm, err) < 0 ||
	    check_this_host(xd_arg_str(call, 1), err) < 0)
		return NULL;
	return run_op(call, vm, "resume_on", do_resume, err);
}

/* ---- power_state_reset ----------------------------------------------------- */

/* A db-only reset to Halted, for a VM whose host died; refused while the
 * backend still runs its domain (DOMAIN_EXISTS), as xapi. */
static xd_value *h_power_state_reset(const xd_call *call, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0);
	xd_value *rec = vm_record(vm, err);
	if (!rec)
		return NULL;
	xd_value *result = NULL;
	if (xd_rec_bool(rec, "is_control_domain")) {
		xd_error_set(err, "CANNOT_RESET_CONTROL_DOMAIN", vm, NULL);
		goto out;
	}
	const char *ps = xd_rec_str(rec, "power_state");
	int domid = (int)xd_rec_int(rec, "domid");
	if ((strcmp(ps, "Running") == 0 || strcmp(ps, "Paused") == 0) && domid >= 0) {
		xd_hv_dominfo di;
		xd_error e = XD_ERROR_INIT;
		int rc = xd_hv()->info(domid, &di, &e);
		xd_error_clear(&e);
		if (rc == 0 && di.state == XD_DOM_RUNNING) {
			xd_error_set(err, "DOMAIN_EXISTS", vm, NULL);
			goto out;
		}
		if (rc == 0)
			destroy_domain(domid);
		xd_vm_detach_disks(rec);
	}
	xd_vm_update *u = xd_vm_update_begin(vm, err);
	if (!u)
		goto out;
	xd_value *after = xd_vm_update_after(u);
	xd_rec_set(after, "current_operations", xd_struct());
	if (strcmp(ps, "Suspended") == 0)
		xd_rec_set(after, "suspend_VDI", xd_string(XD_NULL_REF));
	xd_vm_queue_stopped(u, "Halted");
	if (xd_vm_update_commit(u, err) == 0)
		result = xd_void();
out:
	xd_value_free(rec);
	return result;
}

/* ---- operations as xapi lists them ----------------------------------------- */

static xd_value *h_assert_operation_valid(const xd_call *call, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0);
	xd_value *rec = vm_record(vm, err);
	if (!rec)
		return NULL;
	int rc = xd_vm_check_op(vm, rec, xd_arg_str(call, 1), err);
	xd_value_free(rec);
	return rc < 0 ? NULL : xd_void();
}

static xd_value *h_update_allowed_operations(const xd_call *call, xd_error *err)
{
	xd_vm_update *u = xd_vm_update_begin(xd_arg_str(call, 0), err);
	if (!u || xd_vm_update_commit(u, err) < 0)
		return NULL;
	return xd_void();
}

void xd_api_vm_lifecycle_register(void)
{
	xd_rpc_register("VM", "start", h_start);
	xd_rpc_register("VM", "start_on", h_start_on);
	xd_rpc_register("VM", "clean_shutdown", h_clean_shutdown);
	xd_rpc_register("VM", "hard_shutdown", h_hard_shutdown);
	xd_rpc_register("VM", "shutdown", h_shutdown);
	xd_rpc_register("VM", "clean_reboot", h_clean_reboot);
	xd_rpc_register("VM", "hard_reboot", h_hard_reboot);
	xd_rpc_register("VM", "pause", h_pause);
	xd_rpc_register("VM", "unpause", h_unpause);
	xd_rpc_register("VM", "suspend", h_suspend);
	xd_rpc_register("VM", "resume", h_resume);
	xd_rpc_register("VM", "resume_on", h_resume_on);
	xd_rpc_register("VM", "power_state_reset", h_power_state_reset);
	xd_rpc_register("VM", "assert_operation_valid", h_assert_operation_valid);
	xd_rpc_register("VM", "update_allowed_operations", h_update_allowed_operations);
}
