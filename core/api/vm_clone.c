/* vm_clone.c - VM.clone, VM.copy, VM.snapshot, VM.checkpoint, VM.revert
 * and VM.provision, as xapi's xapi_vm_clone.ml / xapi_vm_snapshot.ml: the
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

#include "generic.h"
#include "ids.h"
#include "log.h"
#include "strbuf.h"
#include "tasks.h"
#include "vm_int.h"
#include "wire.h"

typedef enum { DISK_CLONE, DISK_COPY, DISK_SNAPSHOT, DISK_CHECKPOINT } disk_op;

typedef struct new_disk {
	char *vbd;      /* the source VBD */
	char *vdi;      /* its VDI in the new VM (NULL: empty) */
	bool created;   /* a new VDI (to destroy on failure) */
} new_disk;

typedef struct disks {
	new_disk *d;
	size_t n;
} disks;

static void disks_free(const xd_call *call, disks *ds, bool destroy_created)
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

static bool in_set(const xd_value *set, const char *s)
{
	for (size_t i = 0; set && set->t == XD_V_ARRAY && i < set->u.arr.n; i++)
		if (set->u.arr.items[i]->t == XD_V_STRING && strcmp(set->u.arr.items[i]->u.s, s) == 0)
			return true;
	return false;
}

/* The new disks for every VBD of rec (xapi's safe_clone_disks). */
static int copy_disks(const xd_call *call, const xd_value *rec, disk_op op, const char *sr,
		      const xd_value *ignore_vdis, disks *out, xd_error *err)
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
		bool snap = op == DISK_SNAPSHOT || op == DISK_CHECKPOINT;
		if (snap && !empty && in_set(ignore_vdis, vdi)) {
			xd_value_free(v);
			continue;
		}
		new_disk *d = &out->d[out->n];
		d->vbd = strdup(ref);
		if (empty) {
			d->vdi = NULL;
		} else if (strcmp(xd_rec_str(v, "type"), "CD") == 0) {
			d->vdi = strdup(vdi); /* ISOs are shared, not copied */
		} else {
			switch (op) {
			case DISK_CLONE: d->vdi = xd_vm_vdi_clone(call, vdi, err); break;
			case DISK_COPY: d->vdi = xd_vm_vdi_copy(call, vdi, sr, err); break;
			default: d->vdi = xd_vm_vdi_snapshot(call, vdi, err); break;
			}
			d->created = d->vdi != NULL;
			if (!d->vdi) {
				free(d->vbd);
				xd_value_free(v);
				disks_free(call, out, true);
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
static xd_value *new_vm_record(const xd_value *orig, const char *orig_ref, disk_op op,
			       const char *name, const char *metrics, const char *power_state,
			       const char *suspend_vdi)
{
	static const char *const relation_sets[] = { "VBDs", "VIFs", "consoles", "snapshots",
		"children", "crash_dumps", "VUSBs", "VTPMs", "VGPUs", "attached_PCIs", NULL };
	static const char *const empty_sets[] = { "pending_guidances",
		"pending_guidances_recommended", "pending_guidances_full", NULL };
	bool snap = op == DISK_SNAPSHOT || op == DISK_CHECKPOINT;
	xd_value *r = xd_value_copy(orig);
	int64_t now = (int64_t)time(NULL);
	xd_struct_remove(r, "uuid");
	xd_generic_fill_defaults(xd_dm_class("VM"), r); /* a fresh uuid */
	xd_rec_set(r, "uuid", xd_string_take(xd_uuid_new()));
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

static xd_value *new_vbd_record(const xd_value *src, const char *vm, const char *vdi)
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
	/* CA-58405: the new VM owns its new disks */
	if (strcmp(xd_rec_str(src, "type"), "Disk") == 0) {
		xd_value *oc = xd_struct_get(r, "other_config");
		if (oc && oc->t == XD_V_STRUCT && !xd_struct_get(oc, "owner"))
			xd_struct_set_take(oc, "owner", xd_string(""));
	}
	return r;
}

static xd_value *new_vif_record(const xd_value *src, const char *vm, bool keep_mac)
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
static void queue_new_vm(xd_vm_update *u, const char *ref, xd_value *rec, const disks *ds,
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
		xd_vm_update_create(u, "VBD", r, new_vbd_record(s, ref, ds->d[i].vdi));
		free(r);
		xd_value_free(s);
	}
	const xd_value *vifs = xd_struct_get(orig, "VIFs");
	for (size_t i = 0; vifs && i < vifs->u.arr.n; i++) {
		xd_value *s = xd_db_get_record(vif, vifs->u.arr.items[i]->u.s);
		if (!s)
			continue;
		char *r = xd_ref_new();
		xd_vm_update_create(u, "VIF", r, new_vif_record(s, ref, snap));
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
static void refresh_devices(const char *vm)
{
	xd_error err = XD_ERROR_INIT;
	xd_vm_update *u = xd_vm_update_begin(vm, &err);
	if (u) {
		xd_vm_queue_device_ops(u, 0);
		xd_vm_update_commit(u, &err);
	}
	xd_error_clear(&err);
}

/* clone / copy / snapshot of vm under the op mark key: the new VM's ref. */
static char *make_copy(const xd_call *call, const char *vm, const char *key, disk_op op,
		       const char *name, const char *sr, const xd_value *ignore_vdis,
		       const char *msg, xd_error *err)
{
	xd_value *rec = xd_db_get_record(xd_dm_class("VM"), vm);
	if (!rec) {
		xd_error_set(err, "HANDLE_INVALID", "VM", vm, NULL);
		return NULL;
	}
	bool snap = op == DISK_SNAPSHOT || op == DISK_CHECKPOINT;
	const char *ps = xd_rec_str(rec, "power_state");
	disks ds = { 0 };
	char *suspend_vdi = NULL, *ref = NULL;
	if (copy_disks(call, rec, op, sr, ignore_vdis, &ds, err) < 0)
		goto fail;
	/* a suspended VM copied keeps its memory image (a copy of its VDI) */
	const char *new_ps = "Halted";
	const char *svdi = xd_rec_str(rec, "suspend_VDI");
	if (!snap && strcmp(ps, "Suspended") == 0 && !xd_ref_is_null(svdi)) {
		new_ps = "Suspended";
		suspend_vdi = op == DISK_COPY ? xd_vm_vdi_copy(call, svdi, sr, err)
					      : xd_vm_vdi_clone(call, svdi, err);
		if (!suspend_vdi)
			goto fail;
	}
	xd_vm_update *u = xd_vm_update_begin(vm, err);
	if (!u)
		goto fail;
	ref = xd_ref_new();
	char *metrics = xd_ref_new();
	xd_value *nrec = new_vm_record(xd_vm_update_before(u), vm, op, name, metrics, new_ps,
				       suspend_vdi);
	free(metrics);
	queue_new_vm(u, ref, nrec, &ds, snap);
	xd_vm_update_end_op(u, key);
	if (msg) {
		char body[512];
		snprintf(body, sizeof body, "VM '%s' (uuid: %s) %s, %s name: %s",
			 xd_rec_str(rec, "name_label"), xd_rec_str(rec, "uuid"),
			 snap ? "snapshotted" : "cloned", snap ? "snapshot" : "new", name);
		xd_vm_update_message(u, msg, 5, body);
	}
	if (xd_vm_update_commit(u, err) < 0)
		goto fail;
	disks_free(call, &ds, false);
	free(suspend_vdi);
	xd_value_free(rec);
	refresh_devices(ref);
	return ref;
fail:
	if (suspend_vdi) {
		xd_error e = XD_ERROR_INIT;
		xd_vm_vdi_destroy(call, suspend_vdi, &e);
		xd_error_clear(&e);
	}
	free(suspend_vdi);
	disks_free(call, &ds, true);
	free(ref);
	xd_value_free(rec);
	return NULL;
}

static xd_value *copy_op(const xd_call *call, const char *opname, disk_op op, const char *sr,
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
	return copy_op(call, "clone", DISK_CLONE, NULL, NULL, "VM_CLONED", err);
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
	return copy_op(call, "copy", DISK_COPY, sr, NULL, NULL, err);
}

static xd_value *h_snapshot(const xd_call *call, xd_error *err)
{
	const xd_value *ignore = call->nargs > 2 ? call->args[2] : NULL;
	return copy_op(call, "snapshot", DISK_SNAPSHOT, NULL, ignore, "VM_SNAPSHOTTED", err);
}

/* ---- revert ----------------------------------------------------------------------- */

/* Fields a revert leaves alone (xapi's extended do_not_copy). */
static const char *const keep_on_revert[] = {
	"uuid", "suspend_VDI", "power_state", "parent", "current_operations", "allowed_operations",
	"metrics", "guest_metrics", "resident_on", "domid", "protection_policy",
	"snapshot_schedule", "scheduled_to_be_resident_on", "snapshots", "tags", "affinity",
	"consoles", "VBDs", "VIFs", "VGPUs", "VUSBs", "VTPMs", "attached_PCIs", "name_label",
	"is_a_snapshot", "is_a_template", "is_default_template", "snapshot_of", "snapshot_time",
	"transportable_snapshot_id", "children", "crash_dumps", "blobs", "snapshot_info",
	"snapshot_metadata", "domarch", NULL,
};

static bool kept(const char *f)
{
	for (const char *const *k = keep_on_revert; *k; k++)
		if (strcmp(*k, f) == 0)
			return true;
	return false;
}

/* The VM gives up its domain (as VM.hard_shutdown) before a revert. */
static int halt_for_revert(const char *vm, const xd_value *rec, xd_error *err)
{
	const char *ps = xd_rec_str(rec, "power_state");
	if (strcmp(ps, "Halted") == 0)
		return 0;
	if (strcmp(ps, "Suspended") == 0) {
		const char *vdi = xd_rec_str(rec, "suspend_VDI");
		xd_error e = XD_ERROR_INIT;
		if (!xd_ref_is_null(vdi))
			xd_vm_vdi_destroy(NULL, vdi, &e);
		else {
			char *path = xd_vm_suspend_file(xd_rec_str(rec, "uuid"));
			unlink(path);
			free(path);
		}
		xd_error_clear(&e);
		xd_vm_update *u = xd_vm_update_begin(vm, err);
		if (!u)
			return -1;
		xd_rec_set(xd_vm_update_after(u), "suspend_VDI", xd_string(XD_NULL_REF));
		xd_vm_queue_stopped(u, "Halted");
		return xd_vm_update_commit(u, err);
	}
	return xd_vm_finish_halt(vm, NULL, (int)xd_rec_int(rec, "domid"), NULL, err);
}

static int do_revert(const xd_call *call, const char *snap, const char *vm, const char *vm_key,
		     xd_error *err)
{
	const xd_class *vmc = xd_dm_class("VM"), *vbdc = xd_dm_class("VBD"), *vdic = xd_dm_class("VDI");
	xd_value *srec = xd_db_get_record(vmc, snap), *vrec = xd_db_get_record(vmc, vm);
	disks ds = { 0 };
	int rc = -1;
	if (!srec || !vrec) {
		xd_error_set(err, "HANDLE_INVALID", "VM", !srec ? snap : vm, NULL);
		goto out;
	}
	if (halt_for_revert(vm, vrec, err) < 0)
		goto out;
	xd_value_free(vrec);
	vrec = xd_db_get_record(vmc, vm);
	/* the snapshot's disks, cloned for the VM */
	if (copy_disks(call, srec, DISK_CLONE, NULL, NULL, &ds, err) < 0)
		goto out;
	/* the VM's disks that the snapshot has a copy of go (xapi's revert_vbds) */
	const xd_value *vbds = xd_struct_get(vrec, "VBDs");
	int f_snap_of = xd_dm_field_index(vdic, "snapshot_of");
	xd_value *destroy_vdis = xd_array();
	for (size_t i = 0; vbds && i < vbds->u.arr.n; i++) {
		xd_value *b = xd_db_get_record(vbdc, vbds->u.arr.items[i]->u.s);
		const char *vdi = xd_rec_str(b, "VDI");
		bool is_disk = b && strcmp(xd_rec_str(b, "type"), "Disk") == 0 && !xd_ref_is_null(vdi);
		for (size_t k = 0; is_disk && k < ds.n; k++) {
			/* ds.d[k].vbd is the snapshot's VBD: does its VDI snapshot this one? */
			xd_value *sb = xd_db_get_record(vbdc, ds.d[k].vbd);
			xd_value *of = sb ? xd_db_get_field(vdic, xd_rec_str(sb, "VDI"), f_snap_of) : NULL;
			if (of && of->t == XD_V_STRING && strcmp(of->u.s, vdi) == 0 &&
			    !in_set(destroy_vdis, vdi))
				xd_array_append_take(destroy_vdis, xd_string(vdi));
			xd_value_free(of);
			xd_value_free(sb);
		}
		xd_value_free(b);
	}
	xd_vm_update *u = xd_vm_update_begin(vm, err);
	if (!u) {
		xd_value_free(destroy_vdis);
		goto out;
	}
	xd_value *after = xd_vm_update_after(u);
	const xd_class *c = vmc;
	for (size_t i = 0; i < c->nfields; i++) {
		const char *f = c->fields[i].name;
		const xd_value *v = xd_struct_get(srec, f);
		if (!kept(f) && v)
			xd_rec_set(after, f, xd_value_copy(v));
	}
	xd_rec_set(after, "ha_always_run", xd_bool(false));
	xd_rec_set(after, "parent", xd_string(snap));
	/* devices: the VM's go, copies of the snapshot's come */
	for (size_t i = 0; vbds && i < vbds->u.arr.n; i++)
		xd_vm_update_destroy(u, "VBD", vbds->u.arr.items[i]->u.s);
	const xd_value *vifs = xd_struct_get(vrec, "VIFs");
	for (size_t i = 0; vifs && i < vifs->u.arr.n; i++)
		xd_vm_update_destroy(u, "VIF", vifs->u.arr.items[i]->u.s);
	for (size_t i = 0; i < ds.n; i++) {
		xd_value *s = xd_db_get_record(vbdc, ds.d[i].vbd);
		if (!s)
			continue;
		char *r = xd_ref_new();
		xd_vm_update_create(u, "VBD", r, new_vbd_record(s, vm, ds.d[i].vdi));
		free(r);
		xd_value_free(s);
	}
	const xd_value *svifs = xd_struct_get(srec, "VIFs");
	for (size_t i = 0; svifs && i < svifs->u.arr.n; i++) {
		xd_value *s = xd_db_get_record(xd_dm_class("VIF"), svifs->u.arr.items[i]->u.s);
		if (!s)
			continue;
		char *r = xd_ref_new();
		xd_vm_update_create(u, "VIF", r, new_vif_record(s, vm, true));
		free(r);
		xd_value_free(s);
	}
	xd_vm_update_end_op(u, vm_key);
	char body[512];
	snprintf(body, sizeof body, "VM '%s' (uuid: %s) reverted to snapshot: %s (uuid %s)",
		 xd_rec_str(vrec, "name_label"), xd_rec_str(vrec, "uuid"), xd_rec_str(srec, "name_label"),
		 xd_rec_str(srec, "uuid"));
	xd_vm_update_message(u, "VM_SNAPSHOT_REVERTED", 5, body);
	rc = xd_vm_update_commit(u, err);
	if (rc == 0) {
		for (size_t i = 0; i < destroy_vdis->u.arr.n; i++) {
			xd_error e = XD_ERROR_INIT;
			if (xd_vm_vdi_destroy(call, destroy_vdis->u.arr.items[i]->u.s, &e) < 0)
				xd_warn("revert: old disk %s not destroyed: %s",
					destroy_vdis->u.arr.items[i]->u.s, e.code);
			xd_error_clear(&e);
		}
		refresh_devices(vm);
	}
	xd_value_free(destroy_vdis);
out:
	disks_free(call, &ds, rc < 0);
	xd_value_free(srec);
	xd_value_free(vrec);
	return rc;
}

static xd_value *h_revert(const xd_call *call, xd_error *err)
{
	const char *snap = xd_arg_str(call, 0);
	const xd_class *c = xd_dm_class("VM");
	if (xd_check_ref(c, snap, err) < 0)
		return NULL;
	xd_value *of = xd_db_get_field(c, snap, xd_dm_field_index(c, "snapshot_of"));
	char *vm = of && of->t == XD_V_STRING ? strdup(of->u.s) : NULL;
	xd_value_free(of);
	char *skey = NULL, *vkey = NULL;
	xd_value *res = NULL;
	if (xd_vm_op_begin(call, snap, "revert", &skey, err) < 0)
		goto out;
	if (!vm || xd_ref_is_null(vm) || !xd_db_exists(c, vm)) {
		/* xapi would make a VM from the snapshot's metadata here */
		xd_error_set(err, "VM_REVERT_FAILED", snap, vm ? vm : XD_NULL_REF, NULL);
		goto out;
	}
	if (xd_vm_op_begin(call, vm, "reverting", &vkey, err) < 0)
		goto out;
	if (do_revert(call, snap, vm, vkey, err) == 0)
		res = xd_void();
out:
	if (vkey)
		xd_vm_op_end(vm, vkey);
	if (skey)
		xd_vm_op_end(snap, skey);
	free(vkey);
	free(skey);
	free(vm);
	return res;
}

/* ---- provision ------------------------------------------------------------------ */

/* A template's other_config "disks" XML (<provision><disk .../></provision>)
 * would make VDIs here; templates without it (ours) just stop being one. */
static xd_value *h_provision(const xd_call *call, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0);
	char *key = NULL;
	if (xd_check_ref(xd_dm_class("VM"), vm, err) < 0 ||
	    xd_vm_op_begin(call, vm, "provision", &key, err) < 0)
		return NULL;
	int rc = -1;
	xd_vm_update *u = xd_vm_update_begin(vm, err);
	if (u) {
		const char *disks_xml = xd_rec_map_get(xd_vm_update_after(u), "other_config", "disks");
		if (disks_xml && strstr(disks_xml, "<disk")) {
			xd_vm_update_abort(u);
			xd_error_set(err, "PROVISION_FAILED_OUT_OF_SPACE", NULL);
		} else {
			/* xapi: provision turns the template into a VM ("install time") */
			xd_rec_set(xd_vm_update_after(u), "is_a_template", xd_bool(false));
			xd_value *oc = xd_struct_get(xd_vm_update_after(u), "other_config");
			if (oc && oc->t == XD_V_STRUCT)
				xd_struct_remove(oc, "disks");
			xd_vm_update_end_op(u, key);
			rc = xd_vm_update_commit(u, err);
		}
	}
	if (rc < 0)
		xd_vm_op_end(vm, key);
	free(key);
	return rc < 0 ? NULL : xd_void();
}

void xd_api_vm_clone_register(void)
{
	xd_rpc_register("VM", "clone", h_clone);
	xd_rpc_register("VM", "copy", h_copy);
	xd_rpc_register("VM", "snapshot", h_snapshot);
	xd_rpc_register("VM", "revert", h_revert);
	xd_rpc_register("VM", "provision", h_provision);
}
