/* xe_vm_devices.c - upstream xe's commands on a VM's devices: vm-disk-list,
 * vm-disk-add, vm-disk-remove, vm-cd-list, vm-cd-add, vm-cd-insert,
 * vm-cd-eject, vm-cd-remove and vm-vif-list, each on the VMs the selectors
 * name (xe_select.h), with the calls and messages of xapi's CLI server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xe_cmds.h"
#include "xe_obj.h"
#include "xe_select.h"
#include "xe_util.h"

#define VM_SPEC(...) XE_VM_SPEC(XE_VM_IMPLICIT, __VA_ARGS__)

static const char *str_of(const xd_value *rec, const char *name)
{
	const xd_value *v = rec ? xd_struct_get(rec, name) : NULL;

	return v && v->t == XD_V_STRING ? v->u.s : "";
}

static bool bool_of(const xd_value *rec, const char *name)
{
	const xd_value *v = rec ? xd_struct_get(rec, name) : NULL;

	return v && v->t == XD_V_BOOL && v->u.b;
}

static const xd_value *refs_of(const xd_value *rec, const char *name)
{
	const xd_value *v = xd_struct_get(rec, name);

	return v && v->t == XD_V_ARRAY ? v : NULL;
}

static xd_value *record_of(xe_client *x, const char *cls, const char *ref)
{
	char *method = xe_printf("%s.get_record", cls);
	xd_value *r = xe_client_call(x, method, xe_strings(1, ref));

	free(method);
	return r;
}

/* ---- lists ---- */

/* vm-disk-list / vm-cd-list: "Disk N VBD:" and its block, then "Disk N
 * VDI:" and its block unless the drive is empty; vbd-params= and
 * vdi-params= choose the fields. */
static int op_disk_list(xe_client *x, const xe_opts *o, const xe_selected *vm, void *ud)
{
	bool cd = ud != NULL;
	const char *vbd_want = xe_opts_get(o, "vbd-params");
	const char *vdi_want = xe_opts_get(o, "vdi-params");
	const xd_value *vbds = refs_of(vm->rec, "VBDs");
	int n = 0;

	if (!vbd_want)
		vbd_want = cd ? "uuid,vm-name-label,userdevice,empty" : "uuid,vm-name-label,userdevice";
	if (!vdi_want)
		vdi_want = "uuid,name-label,virtual-size,sr-name-label";
	for (size_t i = 0; vbds && i < vbds->u.arr.n; i++) {
		const char *ref = vbds->u.arr.items[i]->u.s;
		xd_value *vbd = record_of(x, "VBD", ref), *vdi = NULL;

		if (!vbd)
			return 1;
		if (strcmp(str_of(vbd, "type"), cd ? "CD" : "Disk") != 0) {
			xd_value_free(vbd);
			continue;
		}
		printf("%s %d VBD:\n", cd ? "CD" : "Disk", n);
		xe_print_fields(x, xd_dm_class("VBD"), ref, vbd, vbd_want);
		if (!bool_of(vbd, "empty") && (vdi = record_of(x, "VDI", str_of(vbd, "VDI")))) {
			printf("%s %d VDI:\n", cd ? "CD" : "Disk", n);
			xe_print_fields(x, xd_dm_class("VDI"), str_of(vbd, "VDI"), vdi, vdi_want);
		}
		xd_value_free(vdi);
		xd_value_free(vbd);
		n++;
	}
	return x->broken ? 1 : 0;
}

static int cmd_vm_disk_list(xe_client *x, const xe_opts *o)
{
	return xe_select_each(x, o, VM_SPEC("vbd-params", "vdi-params"), true, op_disk_list, NULL);
}

/* snapshot-disk-list snapshot-uuid= | uuid=: vm-disk-list of a snapshot. */
static int cmd_snapshot_disk_list(xe_client *x, const xe_opts *o)
{
	char *ref = xe_snapshot_ref(x, o);
	xe_selected snap = { ref, NULL, NULL };
	int rc = 1;

	if (ref && (snap.rec = record_of(x, "VM", ref)))
		rc = op_disk_list(x, o, &snap, NULL);
	xd_value_free(snap.rec);
	free(ref);
	return rc;
}

static int cmd_vm_cd_list(xe_client *x, const xe_opts *o)
{
	return xe_select_each(x, o, VM_SPEC("vbd-params", "vdi-params"), true, op_disk_list, "cd");
}

static int op_vif_list(xe_client *x, const xe_opts *o, const xe_selected *vm, void *ud)
{
	const char *want = xe_opts_get(o, "params");
	const xd_value *vifs = refs_of(vm->rec, "VIFs");

	(void)ud;
	for (size_t i = 0; vifs && i < vifs->u.arr.n; i++) {
		xd_value *vif = record_of(x, "VIF", vifs->u.arr.items[i]->u.s);

		if (!vif)
			return 1;
		xe_print_fields(x, xd_dm_class("VIF"), vifs->u.arr.items[i]->u.s, vif,
				want ? want
				     : "uuid,device,MAC,network-uuid,network-name-label,vm-name-label");
		xd_value_free(vif);
	}
	return 0;
}

static int cmd_vm_vif_list(xe_client *x, const xe_opts *o)
{
	/* Upstream lists the VIFs of every selected VM without --multiple. */
	xe_selection sel;
	int rc = 0;

	if (xe_select(x, o, VM_SPEC("params"), &sel) < 0)
		return 1;
	if (sel.n == 0) {
		xe_failure("No matching VMs found");
		rc = 1;
	}
	for (size_t i = 0; i < sel.n && rc == 0; i++)
		rc = op_vif_list(x, o, &sel.items[i], NULL);
	xe_selection_clear(&sel);
	return rc;
}

/* ---- disks ---- */

/* A new VBD of vdi on vm, plugged when the VM runs (upstream's
 * create_vbd_and_plug); owner marks a disk vm-uninstall destroys. */
static int vbd_create_and_plug(xe_client *x, const char *vm, const char *vdi,
			       const char *device, bool cd, bool owner)
{
	xd_value *rec = xd_struct(), *oc = xd_struct(), *args, *vbd, *ps;
	int rc = 0;

	if (owner)
		xd_struct_set_take(oc, "owner", xd_string("true"));
	xd_struct_set_take(rec, "VM", xd_string(vm));
	xd_struct_set_take(rec, "VDI", xd_string(vdi));
	xd_struct_set_take(rec, "userdevice", xd_string(device));
	xd_struct_set_take(rec, "bootable", xd_bool(false));
	xd_struct_set_take(rec, "mode", xd_string(cd ? "RO" : "RW"));
	xd_struct_set_take(rec, "type", xd_string(cd ? "CD" : "Disk"));
	xd_struct_set_take(rec, "unpluggable", xd_bool(true));
	xd_struct_set_take(rec, "empty", xd_bool(false));
	xd_struct_set_take(rec, "other_config", oc);
	xd_struct_set_take(rec, "qos_algorithm_type", xd_string(""));
	xd_struct_set_take(rec, "qos_algorithm_params", xd_struct());
	args = xd_array();
	xd_array_append_take(args, rec);
	vbd = xe_client_call(x, "VBD.create", args);
	if (!vbd || vbd->t != XD_V_STRING) {
		xd_value_free(vbd);
		return -1;
	}
	ps = xe_client_call(x, "VM.get_power_state", xe_strings(1, vm));
	if (!ps)
		rc = -1;
	else if (ps->t == XD_V_STRING && strcmp(ps->u.s, "Running") == 0)
		rc = xe_client_call_ok(x, "VBD.plug", xe_strings(1, vbd->u.s));
	xd_value_free(ps);
	xd_value_free(vbd);
	return rc;
}

typedef struct disk_add {
	const char *sr;
	int64_t size;
} disk_add;

static int op_disk_add(xe_client *x, const xe_opts *o, const xe_selected *vm, void *ud)
{
	const disk_add *a = ud;
	xd_value *rec = xd_struct(), *sm = xd_struct(), *args, *vdi;
	int rc;

	/* The storage's hint of which VM the disk is for, as upstream sets. */
	xd_struct_set_take(sm, "vmhint", xd_string(vm->uuid));
	xd_struct_set_take(rec, "name_label", xd_string("Created by xe"));
	xd_struct_set_take(rec, "name_description", xd_string("Created by xe"));
	xd_struct_set_take(rec, "SR", xd_string(a->sr));
	xd_struct_set_take(rec, "virtual_size", xd_int(a->size));
	xd_struct_set_take(rec, "type", xd_string("user"));
	xd_struct_set_take(rec, "sharable", xd_bool(false));
	xd_struct_set_take(rec, "read_only", xd_bool(false));
	xd_struct_set_take(rec, "other_config", xd_struct());
	xd_struct_set_take(rec, "xenstore_data", xd_struct());
	xd_struct_set_take(rec, "sm_config", sm);
	xd_struct_set_take(rec, "tags", xd_array());
	args = xd_array();
	xd_array_append_take(args, rec);
	vdi = xe_client_call(x, "VDI.create", args);
	if (!vdi || vdi->t != XD_V_STRING) {
		xd_value_free(vdi);
		return 1;
	}
	rc = vbd_create_and_plug(x, vm->ref, vdi->u.s, xe_opts_get(o, "device"), false, true);
	if (rc < 0) /* no disk left without its drive */
		xd_value_free(xe_client_call(x, "VDI.destroy", xe_strings(1, vdi->u.s)));
	xd_value_free(vdi);
	return rc < 0 ? 1 : 0;
}

static int cmd_vm_disk_add(xe_client *x, const xe_opts *o)
{
	const char *size = xe_obj_required(o, "disk-size");
	const char *sr_uuid = xe_opts_get(o, "sr-uuid");
	disk_add a = { NULL, 0 };
	char *sr;
	int rc;

	if (!size || !xe_obj_required(o, "device"))
		return 1;
	if (xe_parse_size(size, &a.size) < 0) {
		xe_fail("Parameter disk-size: '%s' is not a size (a number of bytes, or with a "
			"suffix KiB, MiB, GiB, TiB)", size);
		return 1;
	}
	sr = sr_uuid ? xe_client_ref_by_uuid(x, "SR", sr_uuid)
		     : xe_default_sr(x, "No default Pool SR set; you must specify an SR on the "
					"commandline");
	if (!sr)
		return 1;
	a.sr = sr;
	rc = xe_select_each(x, o, VM_SPEC("sr-uuid", "device", "disk-size"), true, op_disk_add, &a);
	free(sr);
	return rc;
}

static int op_disk_remove(xe_client *x, const xe_opts *o, const xe_selected *vm, void *ud)
{
	const char *device = xe_opts_get(o, "device");
	const xd_value *vbds = refs_of(vm->rec, "VBDs");
	int rc = -2;

	(void)ud;
	for (size_t i = 0; vbds && i < vbds->u.arr.n && rc == -2; i++) {
		xd_value *vbd = record_of(x, "VBD", vbds->u.arr.items[i]->u.s);

		if (!vbd)
			return 1;
		if (strcmp(str_of(vbd, "userdevice"), device) == 0) {
			rc = xe_client_call_ok(x, "VBD.destroy", xe_strings(1, vbds->u.arr.items[i]->u.s));
			if (rc == 0)
				rc = xe_client_call_ok(x, "VDI.destroy", xe_strings(1, str_of(vbd, "VDI")));
		}
		xd_value_free(vbd);
	}
	if (rc == -2)
		xe_failure("Disk not found");
	return rc == 0 ? 0 : 1;
}

static int cmd_vm_disk_remove(xe_client *x, const xe_opts *o)
{
	if (!xe_obj_required(o, "device"))
		return 1;
	return xe_select_each(x, o, VM_SPEC("device"), true, op_disk_remove, NULL);
}

/* ---- CDs ---- */

/* The VDIs named cd-name on ISO SRs (an array of refs). */
static xd_value *iso_vdis(xe_client *x, const char *name)
{
	xd_value *all = xe_client_call(x, "VDI.get_by_name_label", xe_strings(1, name));
	xd_value *out;

	if (!all || all->t != XD_V_ARRAY) {
		xd_value_free(all);
		return NULL;
	}
	out = xd_array();
	for (size_t i = 0; i < all->u.arr.n; i++) {
		const char *vdi = all->u.arr.items[i]->u.s;
		xd_value *sr = xe_client_call(x, "VDI.get_SR", xe_strings(1, vdi));
		xd_value *ct = sr && sr->t == XD_V_STRING
				       ? xe_client_call(x, "SR.get_content_type", xe_strings(1, sr->u.s))
				       : NULL;

		if (ct && ct->t == XD_V_STRING && strcmp(ct->u.s, "iso") == 0)
			xd_array_append_take(out, xd_string(vdi));
		xd_value_free(ct);
		xd_value_free(sr);
	}
	xd_value_free(all);
	return out;
}

static int op_cd_add(xe_client *x, const xe_opts *o, const xe_selected *vm, void *ud)
{
	return vbd_create_and_plug(x, vm->ref, ud, xe_opts_get(o, "device"), true, false) < 0;
}

static int cmd_vm_cd_add(xe_client *x, const xe_opts *o)
{
	const char *name = xe_obj_required(o, "cd-name");
	xd_value *vdis;
	int rc = 1;

	if (!name || !xe_obj_required(o, "device") || !(vdis = iso_vdis(x, name)))
		return 1;
	if (vdis->u.arr.n == 0)
		xe_failure("CD %s not found!", name);
	else
		rc = xe_select_each(x, o, VM_SPEC("cd-name", "device", "cd-location"), true,
				    op_cd_add, (void *)vdis->u.arr.items[0]->u.s);
	xd_value_free(vdis);
	return rc;
}

/* The VM's CD drives (refs, caller frees), only the empty ones if asked. */
static xd_value *cd_drives(xe_client *x, const xe_selected *vm, bool only_empty)
{
	const xd_value *vbds = refs_of(vm->rec, "VBDs");
	xd_value *out = xd_array();

	for (size_t i = 0; vbds && i < vbds->u.arr.n; i++) {
		xd_value *vbd = record_of(x, "VBD", vbds->u.arr.items[i]->u.s);

		if (!vbd) {
			xd_value_free(out);
			return NULL;
		}
		if (strcmp(str_of(vbd, "type"), "CD") == 0 && (!only_empty || bool_of(vbd, "empty")))
			xd_array_append_take(out, xd_string(vbds->u.arr.items[i]->u.s));
		xd_value_free(vbd);
	}
	return out;
}

static int op_cd_insert(xe_client *x, const xe_opts *o, const xe_selected *vm, void *ud)
{
	xd_value *cds = cd_drives(x, vm, true);
	int rc = 1;

	(void)o;
	if (!cds)
		return 1;
	if (cds->u.arr.n == 0) {
		xd_error err = XD_ERROR_INIT;

		xd_error_set(&err, "VM_NO_EMPTY_CD_VBD", vm->ref, NULL);
		xe_print_error(&err);
		xd_error_clear(&err);
	} else if (cds->u.arr.n > 1) {
		xe_failure("Two or more empty CD devices found. Please use vbd-insert");
	} else {
		rc = xe_client_call_ok(x, "VBD.insert", xe_strings(2, cds->u.arr.items[0]->u.s, ud)) < 0;
	}
	xd_value_free(cds);
	return rc;
}

static int cmd_vm_cd_insert(xe_client *x, const xe_opts *o)
{
	const char *name = xe_obj_required(o, "cd-name");
	xd_value *vdis;
	int rc = 1;

	if (!name || !(vdis = iso_vdis(x, name)))
		return 1;
	if (vdis->u.arr.n == 0)
		xe_failure("CD %s not found", name);
	else if (vdis->u.arr.n > 1)
		xe_failure("Multiple CDs named %s found. Please use vbd-insert and specify uuids", name);
	else
		rc = xe_select_each(x, o, VM_SPEC("cd-name"), true, op_cd_insert,
				    (void *)vdis->u.arr.items[0]->u.s);
	xd_value_free(vdis);
	return rc;
}

static int op_cd_eject(xe_client *x, const xe_opts *o, const xe_selected *vm, void *ud)
{
	xd_value *cds = cd_drives(x, vm, false);
	int rc = 1;

	(void)o;
	(void)ud;
	if (!cds)
		return 1;
	if (cds->u.arr.n == 0)
		xe_failure("No CDs found");
	else if (cds->u.arr.n > 1)
		xe_failure("Two or more CDs found. Please use vbd-eject");
	else
		rc = xe_client_call_ok(x, "VBD.eject", xe_strings(1, cds->u.arr.items[0]->u.s)) < 0;
	xd_value_free(cds);
	return rc;
}

static int cmd_vm_cd_eject(xe_client *x, const xe_opts *o)
{
	return xe_select_each(x, o, VM_SPEC("force"), true, op_cd_eject, NULL);
}

/* vm-cd-remove cd-name=: the drive holding that ISO (cd-name=<EMPTY> for
 * an empty drive). */
static int op_cd_remove(xe_client *x, const xe_opts *o, const xe_selected *vm, void *ud)
{
	const char *name = xe_opts_get(o, "cd-name");
	xd_value *cds = cd_drives(x, vm, false);
	int rc = 1;
	bool found = false;

	(void)ud;
	for (size_t i = 0; cds && i < cds->u.arr.n && !found; i++) {
		const char *ref = cds->u.arr.items[i]->u.s;
		xd_value *vbd = record_of(x, "VBD", ref);
		bool empty = bool_of(vbd, "empty");
		const char *label = empty ? "<EMPTY>" : xe_client_ref_name(x, "VDI", str_of(vbd, "VDI"));

		if (vbd && label && strcmp(label, name) == 0) {
			found = true;
			rc = xe_client_call_ok(x, "VBD.destroy", xe_strings(1, ref)) < 0;
		}
		xd_value_free(vbd);
	}
	if (cds && !found)
		xe_failure("Disk not found");
	xd_value_free(cds);
	return rc;
}

static int cmd_vm_cd_remove(xe_client *x, const xe_opts *o)
{
	if (!xe_obj_required(o, "cd-name"))
		return 1;
	return xe_select_each(x, o, VM_SPEC("cd-name"), true, op_cd_remove, NULL);
}

/* ---- the table ---- */

static const xe_named_cmd cmds[] = {
	{ "vm-disk-list", cmd_vm_disk_list, "", "vbd-params, vdi-params, <vm-selectors>",
	  "List the disks on the selected VM(s)." },
	{ "snapshot-disk-list", cmd_snapshot_disk_list, "", "uuid, snapshot-uuid, vbd-params, vdi-params",
	  "List the disks on the selected VM(s)." },
	{ "vm-disk-add", cmd_vm_disk_add, "disk-size, device", "sr-uuid, <vm-selectors>",
	  "Add a new disk to the selected VM(s). disk-size takes KiB, MiB, GiB, TiB suffixes; "
	  "the disk goes on sr-uuid, else the pool's default SR." },
	{ "vm-disk-remove", cmd_vm_disk_remove, "device", "<vm-selectors>",
	  "Remove a disk from the selected VM and destroy it." },
	{ "vm-cd-list", cmd_vm_cd_list, "", "vbd-params, vdi-params, <vm-selectors>",
	  "List the CDs currently attached to the VM(s)." },
	{ "vm-cd-add", cmd_vm_cd_add, "cd-name, device", "<vm-selectors>",
	  "Add a CD to the VM(s). The device field should be selected from the parameter "
	  "'allowed-VBD-devices' of the VM." },
	{ "vm-cd-insert", cmd_vm_cd_insert, "cd-name", "<vm-selectors>",
	  "Insert a CD into the virtual CD drive. This command will only work if there is one "
	  "and only one empty CD device attached to the VM. When there are two or more empty "
	  "CD devices, please use the command 'vbd-insert' and specify the uuids of the VBD "
	  "and of the VDI to insert." },
	{ "vm-cd-eject", cmd_vm_cd_eject, "", "<vm-selectors>",
	  "Eject a CD from the virtual CD drive. This command will only work if there is one "
	  "and only one CD attached to the VM. When there are two or more CDs, please use the "
	  "command 'vbd-eject' and specify the uuid of the VBD." },
	{ "vm-cd-remove", cmd_vm_cd_remove, "cd-name", "<vm-selectors>",
	  "Remove the selected CDs from the VM(s)." },
	{ "vm-vif-list", cmd_vm_vif_list, "", "<vm-selectors>",
	  "List the VIFs present on selected VM." },
};

const size_t xe_vm_device_ncmds = sizeof(cmds) / sizeof(cmds[0]);
const xe_named_cmd *const xe_vm_device_cmds = cmds;
