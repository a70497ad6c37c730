/* vm_clone.c - VM.clone, VM.copy, VM.snapshot, VM.checkpoint and
 * VM.revert, as xapi's xapi_vm_clone.ml / xapi_vm_snapshot.ml: the
 * disks first (VDI clone, copy or snapshot through the storage layer; CDs
 * are shared, empty drives stay empty; on any failure the new VDIs go
 * again), then the new VM with copies of its VBDs and VIFs and a metrics
 * object of its own, written in one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "strbuf.h"
#include "tasks/tasks.h"
#include "vm_int.h"
#include "wire.h"

void xd_vm_disks_free(const xd_call *call, xd_vm_disks *ds, bool destroy_created)
{
	for (size_t i = 0; i < ds->n; i++) {
		if (destroy_created && ds->d[i].created) {
			xd_error e = XD_ERROR_INIT;
			if (xd_vm_vdi_destroy(call, ds->d[i].vdi, &e) < 0)
				xd_warn("VDI %s made for a failed clone not destroyed: %s", ds->d[i].vdi,
					e.code);
			xd_error_clear(&e);
		}
		free(ds->d[i].vbd);
		free(ds->d[i].vdi);
	}
	free(ds->d);
	ds->d = NULL;
	ds->n = 0;
}

bool xd_vm_in_set(const xd_value *set, const char *s)
{
	for (size_t i = 0; set && set->t == XD_V_ARRAY && i < set->u.arr.n; i++)
		if (set->u.arr.items[i]->t == XD_V_STRING && strcmp(set->u.arr.items[i]->u.s, s) == 0)
			return true;
	return false;
}

/* The new disks for every VBD of rec (xapi's safe_clone_disks). */
int xd_vm_copy_disks(const xd_call *call, const xd_value *rec, xd_disk_op op, const char *sr,
		      const xd_value *ignore_vdis, xd_vm_disks *out, xd_error *err)
{
	const xd_class *vc = xd_dm_class("VBD");
	const xd_value *vbds = xd_struct_get(rec, "VBDs");
	size_t n = vbds ? vbds->u.arr.n : 0;
	out->d = calloc(n + 1, sizeof *out->d);
	out->n = 0;
	if (!out->d)
		abort();
	for (size_t i = 0; i < n; i++) {
		const char *ref = vbds->u.arr.items[i]->u.s;
		xd_value *v = xd_db_get_record(vc, ref);
		if (!v)
			continue;
		const char *vdi = xd_rec_str(v, "VDI");
		bool empty = xd_rec_bool(v, "empty") || xd_ref_is_null(vdi);
		bool snap = op == XD_DISK_SNAPSHOT || op == XD_DISK_CHECKPOINT;
		if (snap && !empty && xd_vm_in_set(ignore_vdis, vdi)) {
			xd_value_free(v);
			continue;
		}
		xd_vm_new_disk *d = &out->d[out->n];
		d->vbd = strdup(ref);
		if (empty) {
			d->vdi = NULL;
		} else if (strcmp(xd_rec_str(v, "type"), "CD") == 0) {
			d->vdi = strdup(vdi); /* ISOs are shared, not copied */
		} else {
			switch (op) {
			case XD_DISK_CLONE: d->vdi = xd_vm_vdi_clone(call, vdi, err); break;
			case XD_DISK_COPY: d->vdi = xd_vm_vdi_copy(call, vdi, sr, err); break;
			default: d->vdi = xd_vm_vdi_snapshot(call, vdi, err); break;
			}
			d->created = d->vdi != NULL;
			if (!d->vdi) {
				free(d->vbd);
				xd_value_free(v);
				xd_vm_disks_free(call, out, true);
				return -1;
			}
		}
		out->n++;
		xd_value_free(v);
		if (call && call->task)
			xd_task_set_progress(call->task, (double)(i + 1) / (double)(n + 1));
	}
	return 0;
}

static void random_mac(char out[18])
{
	unsigned char b[6] = { 0 };
	if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
		b[5] = (unsigned char)time(NULL);
	b[0] = (unsigned char)((b[0] & 0xfe) | 0x02); /* unicast, locally administered */
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

/* The fields of the new VM (xapi's copy_vm_record). */
static xd_value *new_vm_record(const xd_value *orig, const char *orig_ref, xd_disk_op op,
			       const char *uuid, const char *name, const char *metrics,
			       const char *power_state, const char *suspend_vdi)
{
	static const char *const relation_sets[] = { "VBDs", "VIFs", "consoles", "snapshots",
		"children", "crash_dumps", "VUSBs", "VTPMs", "VGPUs", "attached_PCIs", NULL };
	static const char *const empty_sets[] = { "pending_guidances",
		"pending_guidances_recommended", "pending_guidances_full", NULL };
	bool snap = op == XD_DISK_SNAPSHOT || op == XD_DISK_CHECKPOINT;
	xd_value *r = xd_value_copy(orig);
	int64_t now = (int64_t)time(NULL);
	xd_rec_set(r, "uuid", xd_string(uuid));
	for (const char *const *f = relation_sets; *f; f++)
		xd_rec_set(r, *f, xd_array());
	for (const char *const *f = empty_sets; *f; f++)
		xd_rec_set(r, *f, xd_array());
	xd_rec_set(r, "name_label", xd_string(name));
	xd_rec_set(r, "power_state", xd_string(power_state));
	xd_rec_set(r, "current_operations", xd_struct());
	xd_rec_set(r, "blocked_operations", xd_struct());
	xd_rec_set(r, "is_a_template", xd_bool(snap || xd_rec_bool(orig, "is_a_template")));
	xd_rec_set(r, "is_default_template", xd_bool(false));
	xd_rec_set(r, "is_a_snapshot", xd_bool(snap));
	xd_rec_set(r, "snapshot_of", xd_string(snap ? orig_ref : XD_NULL_REF));
	xd_rec_set(r, "snapshot_time", xd_datetime(snap ? now : 0));
	xd_value *info = xd_struct();
	if (snap) {
		xd_struct_set_take(info, "disk-snapshot-type", xd_string("crash_consistent"));
		xd_struct_set_take(info, "power-state-at-snapshot",
				   xd_string(xd_rec_str(orig, "power_state")));
	}
	xd_rec_set(r, "snapshot_info", info);
	xd_strbuf meta = XD_STRBUF_INIT;
	if (snap)
		xd_xmlrpc_encode_value(&meta, orig); /* the VM as it was, as xapi keeps it */
	char *text = xd_strbuf_steal(&meta);
	xd_rec_set(r, "snapshot_metadata", xd_string(text ? text : ""));
	free(text);
	xd_rec_set(r, "transportable_snapshot_id", xd_string(""));
	xd_rec_set(r, "parent", xd_string(snap ? xd_rec_str(orig, "parent") : XD_NULL_REF));
	xd_rec_set(r, "resident_on", xd_string(XD_NULL_REF));
	xd_rec_set(r, "scheduled_to_be_resident_on", xd_string(XD_NULL_REF));
	xd_rec_set(r, "suspend_VDI", xd_string(suspend_vdi ? suspend_vdi : XD_NULL_REF));
	xd_rec_set(r, "domid", xd_int(-1));
	xd_rec_set(r, "domarch", xd_string(""));
	xd_rec_set(r, "metrics", xd_string(metrics));
	xd_rec_set(r, "guest_metrics", xd_string(XD_NULL_REF));
	xd_rec_set(r, "blobs", xd_struct());
	xd_rec_set(r, "ha_always_run", xd_bool(false));
	xd_rec_set(r, "protection_policy", xd_string(XD_NULL_REF));
	xd_rec_set(r, "snapshot_schedule", xd_string(XD_NULL_REF));
	xd_rec_set(r, "is_vmss_snapshot", xd_bool(false));
	xd_rec_set(r, "appliance", xd_string(XD_NULL_REF));
	xd_rec_set(r, "start_delay", xd_int(0));
	xd_rec_set(r, "shutdown_delay", xd_int(0));
	xd_rec_set(r, "order", xd_int(0));
	xd_rec_set(r, "suspend_SR", xd_string(XD_NULL_REF));
	xd_rec_set(r, "version", xd_int(0));
	xd_rec_set(r, "requires_reboot", xd_bool(false));
	char genid[64];
	unsigned long long g[2] = { 0, 0 };
	if (getrandom(g, sizeof g, 0) != (ssize_t)sizeof g)
		g[0] = (unsigned long long)now;
	snprintf(genid, sizeof genid, "%llu:%llu", g[0] >> 1, g[1] >> 1);
	xd_rec_set(r, "generation_id", xd_string(genid));
	/* other_config: no default-template marks; a template's name is kept */
	xd_value *oc = xd_value_copy(xd_struct_get(orig, "other_config"));
	if (!oc || oc->t != XD_V_STRUCT) {
		xd_value_free(oc);
		oc = xd_struct();
	}
	xd_struct_remove(oc, "default_template");
	xd_struct_remove(oc, "xensource_internal");
	if (xd_rec_bool(orig, "is_a_template") && !xd_struct_get(oc, "base_template_name"))
		xd_struct_set_take(oc, "base_template_name", xd_string(xd_rec_str(orig, "name_label")));
	xd_rec_set(r, "other_config", oc);
	return r;
}

xd_value *xd_vm_new_vbd_record(const xd_value *src, const char *vm, const char *vdi)
{
	xd_value *r = xd_value_copy(src);
	xd_struct_remove(r, "uuid");
	xd_rec_set(r, "uuid", xd_string_take(xd_uuid_new()));
	xd_rec_set(r, "VM", xd_string(vm));
	xd_rec_set(r, "VDI", xd_string(vdi ? vdi : XD_NULL_REF));
	xd_rec_set(r, "empty", xd_bool(vdi == NULL));
	xd_rec_set(r, "currently_attached", xd_bool(false));
	xd_rec_set(r, "device", xd_string(""));
	xd_rec_set(r, "current_operations", xd_struct());
	xd_rec_set(r, "allowed_operations", xd_array());
	/* CA-58405: the new VM owns its new xd_vm_disks */
	if (strcmp(xd_rec_str(src, "type"), "Disk") == 0) {
		xd_value *oc = xd_struct_get(r, "other_config");
		if (oc && oc->t == XD_V_STRUCT && !xd_struct_get(oc, "owner"))
			xd_struct_set_take(oc, "owner", xd_string(""));
	}
	return r;
}

xd_value *xd_vm_new_vif_record(const xd_value *src, const char *vm, bool keep_mac)
{
	xd_value *r = xd_value_copy(src);
	xd_struct_remove(r, "uuid");
	xd_rec_set(r, "uuid", xd_string_take(xd_uuid_new()));
	xd_rec_set(r, "VM", xd_string(vm));
	xd_rec_set(r, "currently_attached", xd_bool(false));
	xd_rec_set(r, "current_operations", xd_struct());
	xd_rec_set(r, "allowed_operations", xd_array());
	if (!keep_mac && xd_rec_bool(src, "MAC_autogenerated")) {
		char mac[18];
		random_mac(mac);
		xd_rec_set(r, "MAC", xd_string(mac));
	}
	return r;
}

/* Queues the new VM (ref), its metrics, VBDs and VIFs into u (the source
 * VM's update). */
static void queue_new_vm(xd_vm_update *u, const char *ref, xd_value *rec, const xd_vm_disks *ds,
			 bool snap)
{
	const char *src = xd_vm_update_ref(u);
	const xd_value *orig = xd_vm_update_before(u);
	char *metrics = strdup(xd_rec_str(rec, "metrics"));
	xd_value *m = xd_struct();
	const char *om = xd_rec_str(orig, "metrics");
	xd_value *old_m = xd_ref_is_null(om) ? NULL : xd_db_get_record(xd_dm_class("VM_metrics"), om);
	xd_struct_set_take(m, "install_time", xd_datetime(xd_rec_int(old_m, "install_time")));
	xd_struct_set_take(m, "last_updated", xd_datetime((int64_t)time(NULL)));
	xd_value_free(old_m);
	xd_vm_update_create(u, "VM_metrics", metrics, m);
	xd_rec_set(rec, "allowed_operations", xd_vm_allowed_ops(ref, rec));
	xd_vm_update_create(u, "VM", ref, rec);
	const xd_class *vbd = xd_dm_class("VBD"), *vif = xd_dm_class("VIF");
	for (size_t i = 0; i < ds->n; i++) {
		xd_value *s = xd_db_get_record(vbd, ds->d[i].vbd);
		if (!s)
			continue;
		char *r = xd_ref_new();
		xd_vm_update_create(u, "VBD", r, xd_vm_new_vbd_record(s, ref, ds->d[i].vdi));
		free(r);
		xd_value_free(s);
	}
	const xd_value *vifs = xd_struct_get(orig, "VIFs");
	for (size_t i = 0; vifs && i < vifs->u.arr.n; i++) {
		xd_value *s = xd_db_get_record(vif, vifs->u.arr.items[i]->u.s);
		if (!s)
			continue;
		char *r = xd_ref_new();
		xd_vm_update_create(u, "VIF", r, xd_vm_new_vif_record(s, ref, snap));
		free(r);
		xd_value_free(s);
	}
	/* a snapshot becomes the parent of the VM it was taken from */
	if (snap)
		xd_rec_set(xd_vm_update_after(u), "parent", xd_string(ref));
	(void)src;
	free(metrics);
}

/* The new VM's devices get their allowed_operations. */
void xd_vm_refresh_devices(const char *vm)
{
	xd_error err = XD_ERROR_INIT;
	xd_vm_update *u = xd_vm_update_begin(vm, &err);
	if (u) {
		xd_vm_queue_device_ops(u, 0);
		xd_vm_update_commit(u, &err);
	}
	xd_error_clear(&err);
}

/* The memory image of a suspended VM for its copy: a clone, copy or
 * snapshot of its suspend VDI, or a copy of its image file. */
static int copy_image(const xd_call *call, const xd_value *rec, xd_disk_op op, const char *sr,
		      const char *new_uuid, char **vdi_out, xd_error *err)
{
	const char *svdi = xd_rec_str(rec, "suspend_VDI");
	*vdi_out = NULL;
	if (xd_ref_is_null(svdi))
		return xd_vm_copy_image_file(xd_rec_str(rec, "uuid"), new_uuid, err);
	switch (op) {
	case XD_DISK_COPY: *vdi_out = xd_vm_vdi_copy(call, svdi, sr, err); break;
	case XD_DISK_CLONE: *vdi_out = xd_vm_vdi_clone(call, svdi, err); break;
	default: *vdi_out = xd_vm_vdi_snapshot(call, svdi, err); break;
	}
	return *vdi_out ? 0 : -1;
}

static void drop_image(const xd_call *call, const char *vdi, const char *uuid)
{
	xd_error e = XD_ERROR_INIT;
	if (vdi) {
		xd_vm_vdi_destroy(call, vdi, &e);
	} else if (uuid) {
		char *path = xd_vm_suspend_file(uuid);
		unlink(path);
		free(path);
	}
	xd_error_clear(&e);
}

static const char *what_of(xd_disk_op op)
{
	switch (op) {
	case XD_DISK_SNAPSHOT: return "snapshotted, snapshot";
	case XD_DISK_CHECKPOINT: return "checkpointed, snapshot";
	default: return "cloned, new";
	}
}

/* The new VM (ref, uuid, power state, image) queued into u with copies of
 * the devices ds, the op mark cleared, a message left. */
static void queue_copy(xd_vm_update *u, const char *ref, const char *uuid, xd_disk_op op,
		       const char *name, const char *new_ps, const char *image_vdi,
		       const xd_vm_disks *ds, const char *key, const char *msg)
{
	const char *vm = xd_vm_update_ref(u);
	const xd_value *orig = xd_vm_update_before(u);
	bool snap = op == XD_DISK_SNAPSHOT || op == XD_DISK_CHECKPOINT;
	char *metrics = xd_ref_new();
	xd_value *nrec = new_vm_record(orig, vm, op, uuid, name, metrics, new_ps, image_vdi);
	free(metrics);
	queue_new_vm(u, ref, nrec, ds, snap);
	xd_vm_update_end_op(u, key);
	if (msg) {
		char body[512];
		snprintf(body, sizeof body, "VM '%s' (uuid: %s) %s name: %s", xd_rec_str(orig, "name_label"),
			 xd_rec_str(orig, "uuid"), what_of(op), name);
		xd_vm_update_message(u, msg, 5, body);
	}
}

/* clone / copy / snapshot (of a VM in any state) / checkpoint of a
 * suspended VM, under the op mark key: the new VM's ref. */
static char *make_copy(const xd_call *call, const char *vm, const char *key, xd_disk_op op,
		       const char *name, const char *sr, const xd_value *ignore_vdis,
		       const char *msg, xd_error *err)
{
	xd_value *rec = xd_db_get_record(xd_dm_class("VM"), vm);
	if (!rec) {
		xd_error_set(err, "HANDLE_INVALID", "VM", vm, NULL);
		return NULL;
	}
	char *uuid = xd_uuid_new(), *image_vdi = NULL, *ref = NULL;
	bool image = false;
	xd_vm_disks ds = { 0 };
	if (xd_vm_copy_disks(call, rec, op, sr, ignore_vdis, &ds, err) < 0)
		goto fail;
	/* a suspended VM copied (or checkpointed) keeps its memory image; a
	 * plain snapshot is of the disks only */
	const char *new_ps = "Halted";
	if (strcmp(xd_rec_str(rec, "power_state"), "Suspended") == 0 && op != XD_DISK_SNAPSHOT) {
		if (copy_image(call, rec, op, sr, uuid, &image_vdi, err) < 0)
			goto fail;
		image = true;
		new_ps = "Suspended";
	}
	xd_vm_update *u = xd_vm_update_begin(vm, err);
	if (!u)
		goto fail;
	ref = xd_ref_new();
	queue_copy(u, ref, uuid, op, name, new_ps, image_vdi, &ds, key, msg);
	if (xd_vm_update_commit(u, err) < 0)
		goto fail;
	xd_vm_disks_free(call, &ds, false);
	free(image_vdi);
	free(uuid);
	xd_value_free(rec);
	xd_vm_refresh_devices(ref);
	return ref;
fail:
	if (image)
		drop_image(call, image_vdi, image_vdi ? NULL : uuid);
	free(image_vdi);
	free(uuid);
	xd_vm_disks_free(call, &ds, true);
	free(ref);
	xd_value_free(rec);
	return NULL;
}

/* VM.checkpoint of a running (or paused) VM, as xapi's: the memory is saved
 * into an image for the snapshot (the domain stops), the disks are
 * snapshotted while nothing writes to them, and the VM is restored from
 * the image; the snapshot is Suspended with that image. If the VM cannot
 * be restored it is Halted and the error is VM_CHECKPOINT_RESUME_FAILED. */
static char *checkpoint_live(const xd_call *call, const char *vm, const char *key,
			     const char *name, xd_error *err)
{
	xd_value *rec = xd_db_get_record(xd_dm_class("VM"), vm);
	if (!rec) {
		xd_error_set(err, "HANDLE_INVALID", "VM", vm, NULL);
		return NULL;
	}
	bool paused = strcmp(xd_rec_str(rec, "power_state"), "Paused") == 0;
	int domid = (int)xd_rec_int(rec, "domid");
	char *uuid = xd_uuid_new(), *sr = xd_vm_suspend_sr(rec), *file = NULL, *image_vdi = NULL;
	char *ref = NULL;
	xd_vm_image *im = NULL;
	xd_vm_devices *d = NULL;
	xd_vm_disks ds = { 0 };
	xd_error disk_err = XD_ERROR_INIT;
	if (sr) {
		int64_t size = xd_rec_int(rec, "memory_static_max") + 8 * 1024 * 1024;
		if (!(im = xd_vm_suspend_image_create(call, sr, uuid, size, err)))
			goto out;
		image_vdi = strdup(xd_vm_image_vdi(im));
	} else {
		file = xd_vm_suspend_file(uuid);
	}
	const char *path = im ? xd_vm_image_path(im) : file;
	if (xd_hv()->suspend(domid, path, err) < 0) {
		xd_vm_fix_error(err, vm);
		goto drop;
	}
	bool saved = !im || xd_vm_image_commit(im, err) == 0;
	xd_vm_detach_disks(rec);
	if (saved && xd_vm_copy_disks(call, rec, XD_DISK_CHECKPOINT, NULL, NULL, &ds, &disk_err) < 0)
		saved = false;
	/* back to where it was, from the image */
	d = xd_vm_devices_prepare(vm, rec, err);
	int newdom = d ? xd_vm_domain_build(rec, d, path, paused, err) : -1;
	if (newdom < 0) {
		xd_vm_devices_free(d, true);
		d = NULL;
		xd_vm_finish_halt(vm, key, -1, NULL, err);
		xd_error_set(err, "VM_CHECKPOINT_RESUME_FAILED", vm, NULL);
		goto drop;
	}
	xd_vm_update *u = xd_vm_update_begin(vm, err);
	if (!u)
		goto drop;
	xd_vm_queue_running(u, newdom, d, paused);
	if (saved) {
		ref = xd_ref_new();
		queue_copy(u, ref, uuid, XD_DISK_CHECKPOINT, name, "Suspended", image_vdi, &ds, key,
			   "VM_CHECKPOINTED");
	}
	if (xd_vm_update_commit(u, err) < 0) {
		free(ref);
		ref = NULL;
		goto drop;
	}
	if (!saved) {
		if (disk_err.code)
			xd_error_copy(err, &disk_err);
		goto drop;
	}
	xd_vm_image_close(im);
	im = NULL;
	xd_vm_refresh_devices(ref);
	goto out;
drop:
	xd_vm_image_close(im);
	im = NULL;
	drop_image(call, image_vdi, image_vdi ? NULL : uuid);
	xd_vm_disks_free(call, &ds, true);
out:
	xd_vm_image_close(im);
	xd_vm_devices_free(d, false);
	if (ref)
		xd_vm_disks_free(call, &ds, false);
	xd_error_clear(&disk_err);
	free(uuid);
	free(sr);
	free(file);
	free(image_vdi);
	xd_value_free(rec);
	return ref;
}

static xd_value *h_checkpoint(const xd_call *call, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0);
	char *key = NULL;
	if (xd_check_ref(xd_dm_class("VM"), vm, err) < 0 ||
	    xd_vm_op_begin(call, vm, "checkpoint", &key, err) < 0)
		return NULL;
	const xd_class *c = xd_dm_class("VM");
	xd_value *ps = xd_db_get_field(c, vm, xd_dm_field_index(c, "power_state"));
	bool suspended = ps && strcmp(ps->u.s, "Suspended") == 0;
	xd_value_free(ps);
	char *ref = suspended ? make_copy(call, vm, key, XD_DISK_CHECKPOINT, xd_arg_str(call, 1), NULL,
					  NULL, "VM_CHECKPOINTED", err)
			      : checkpoint_live(call, vm, key, xd_arg_str(call, 1), err);
	if (!ref)
		xd_vm_op_end(vm, key);
	free(key);
	return ref ? xd_string_take(ref) : NULL;
}

static xd_value *copy_op(const xd_call *call, const char *opname, xd_disk_op op, const char *sr,
			 const xd_value *ignore, const char *msg, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0);
	char *key = NULL;
	if (xd_check_ref(xd_dm_class("VM"), vm, err) < 0 ||
	    xd_vm_op_begin(call, vm, opname, &key, err) < 0)
		return NULL;
	char *ref = make_copy(call, vm, key, op, xd_arg_str(call, 1), sr, ignore, msg, err);
	if (!ref)
		xd_vm_op_end(vm, key);
	free(key);
	return ref ? xd_string_take(ref) : NULL;
}

static xd_value *h_clone(const xd_call *call, xd_error *err)
{
	return copy_op(call, "clone", XD_DISK_CLONE, NULL, NULL, "VM_CLONED", err);
}

static xd_value *h_copy(const xd_call *call, xd_error *err)
{
	const char *sr = xd_arg_str(call, 2);
	const xd_class *sc = xd_dm_class("SR");
	/* an SR that does not exist means "each disk to its own SR", as xapi */
	if (xd_ref_is_null(sr) || !xd_db_exists(sc, sr))
		sr = NULL;
	if (sr) {
		xd_value *ct = xd_db_get_field(sc, sr, xd_dm_field_index(sc, "content_type"));
		bool iso = ct && strcmp(ct->u.s, "iso") == 0;
		xd_value_free(ct);
		if (iso) {
			xd_error_set(err, "OPERATION_NOT_ALLOWED", "Cannot copy a VM's disks to an ISO SR",
				     NULL);
			return NULL;
		}
	}
	return copy_op(call, "copy", XD_DISK_COPY, sr, NULL, NULL, err);
}

static xd_value *h_snapshot(const xd_call *call, xd_error *err)
{
	const xd_value *ignore = call->nargs > 2 ? call->args[2] : NULL;
	return copy_op(call, "snapshot", XD_DISK_SNAPSHOT, NULL, ignore, "VM_SNAPSHOTTED", err);
}

void xd_api_vm_clone_register(void)
{
	xd_rpc_register("VM", "clone", h_clone);
	xd_rpc_register("VM", "copy", h_copy);
	xd_rpc_register("VM", "snapshot", h_snapshot);
	xd_rpc_register("VM", "checkpoint", h_checkpoint);
}
