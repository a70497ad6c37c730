/* vm_revert.c - VM.revert, as xapi's xapi_vm_snapshot.ml: the VM gives up
 * its domain, its disks that the snapshot has a copy of go, clones of the
 * snapshot's disks (and of its memory image, for a checkpoint) take their
 * place, its VIFs are the snapshot's again, and its fields are the
 * snapshot's but for its identity (uuid, name, snapshots...). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "vm_int.h"

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
	xd_vm_disks ds = { 0 };
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
	if (xd_vm_copy_disks(call, srec, XD_DISK_CLONE, NULL, NULL, &ds, err) < 0)
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
			    !xd_vm_in_set(destroy_vdis, vdi))
				xd_array_append_take(destroy_vdis, xd_string(vdi));
			xd_value_free(of);
			xd_value_free(sb);
		}
		xd_value_free(b);
	}
	/* a checkpoint's memory comes back too: the VM is Suspended with a copy
	 * of the snapshot's image */
	bool suspended = strcmp(xd_rec_str(srec, "power_state"), "Suspended") == 0;
	char *image_vdi = NULL;
	if (suspended) {
		const char *svdi = xd_rec_str(srec, "suspend_VDI");
		int irc = xd_ref_is_null(svdi)
				  ? xd_vm_copy_image_file(xd_rec_str(srec, "uuid"), xd_rec_str(vrec, "uuid"), err)
				  : ((image_vdi = xd_vm_vdi_clone(call, svdi, err)) ? 0 : -1);
		if (irc < 0) {
			xd_value_free(destroy_vdis);
			goto out;
		}
	}
	xd_vm_update *u = xd_vm_update_begin(vm, err);
	if (!u) {
		xd_value_free(destroy_vdis);
		free(image_vdi);
		goto out;
	}
	if (suspended) {
		xd_rec_set(xd_vm_update_after(u), "power_state", xd_string("Suspended"));
		xd_rec_set(xd_vm_update_after(u), "suspend_VDI",
			   xd_string(image_vdi ? image_vdi : XD_NULL_REF));
	}
	free(image_vdi);
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
		xd_vm_update_create(u, "VBD", r, xd_vm_new_vbd_record(s, vm, ds.d[i].vdi));
		free(r);
		xd_value_free(s);
	}
	const xd_value *svifs = xd_struct_get(srec, "VIFs");
	for (size_t i = 0; svifs && i < svifs->u.arr.n; i++) {
		xd_value *s = xd_db_get_record(xd_dm_class("VIF"), svifs->u.arr.items[i]->u.s);
		if (!s)
			continue;
		char *r = xd_ref_new();
		xd_vm_update_create(u, "VIF", r, xd_vm_new_vif_record(s, vm, true));
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
		xd_vm_refresh_devices(vm);
	}
	xd_value_free(destroy_vdis);
out:
	xd_vm_disks_free(call, &ds, rc < 0);
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

void xd_api_vm_revert_register(void)
{
	xd_rpc_register("VM", "revert", h_revert);
}
