/* device_ops.c - VBD.plug/unplug/unplug_force/eject/insert and
 * VIF.plug/unplug/unplug_force, with the operation rules of xapi's
 * xapi_vbd_helpers.ml / xapi_vif_helpers.ml (which error an operation gets
 * in which state, first rule wins) that also make their
 * allowed_operations. Changes go through the owning VM's update, so they
 * are ordered with the VM's own operations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "network/network.h"
#include "vm_int.h"

enum { VBD_ATTACH, VBD_EJECT, VBD_UNPLUG, VBD_UNPLUG_FORCE, VBD_INSERT, VBD_PLUG, VBD_PAUSE,
       VBD_UNPAUSE, VBD_NOPS };
static const char *const vbd_ops[VBD_NOPS] = { "attach", "eject", "unplug", "unplug_force",
					       "insert", "plug", "pause", "unpause" };
enum { VIF_ATTACH, VIF_PLUG, VIF_UNPLUG, VIF_NOPS };
static const char *const vif_ops[VIF_NOPS] = { "attach", "plug", "unplug" };

/* The error table of one device: the first error set for an op wins. */
typedef struct op_table {
	xd_error e[VBD_NOPS];
	size_t n;
} op_table;

static void table_set(op_table *t, unsigned mask, const char *code, const char *p1,
		      const char *p2, const char *p3, const char *p4)
{
	const char *params[4] = { p1, p2, p3, p4 };
	size_t np = 0;
	while (np < 4 && params[np])
		np++;
	for (size_t i = 0; i < t->n; i++)
		if ((mask & (1u << i)) && !t->e[i].code)
			xd_error_setv(&t->e[i], code, params, np);
}

static void table_clear(op_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		xd_error_clear(&t->e[i]);
}

#define BIT(x) (1u << (x))

static bool vm_has_hotplug(const xd_vm_reader *rd, const xd_value *vm_rec, const char *field,
			   xd_error *why)
{
	xd_value *gm = xd_vm_read(rd, "VM_guest_metrics", xd_rec_str(vm_rec, "guest_metrics"));
	const char *can = xd_rec_str(gm, field);
	bool ok = true;
	if (gm && strcmp(can, "yes") == 0)
		ok = true;
	else if (gm && strcmp(can, "no") == 0) {
		ok = false;
		xd_error_set(why, "OPERATION_NOT_ALLOWED",
			     strcmp(field, "can_use_hotplug_vbd") == 0
				     ? "VM states it does not support VBD hotplug."
				     : "VM states it does not support VIF hotplug.",
			     NULL);
	} else if (!gm || !xd_rec_bool(gm, "PV_drivers_detected")) {
		ok = false;
		xd_error_set(why, "VM_MISSING_PV_DRIVERS", NULL);
	}
	xd_value_free(gm);
	return ok;
}

/* The VM's own operations that forbid hotplug while they run. */
static void vm_ops_rule(op_table *t, unsigned mask, const char *vm, const xd_value *vm_rec)
{
	const xd_value *ops = xd_struct_get(vm_rec, "current_operations");
	for (size_t i = 0; ops && ops->t == XD_V_STRUCT && i < ops->u.st.n; i++) {
		const char *op = ops->u.st.m[i].v->u.s;
		if (strcmp(op, "clean_shutdown") && strcmp(op, "hard_shutdown") &&
		    strcmp(op, "suspend") && strcmp(op, "pause"))
			continue;
		char text[256];
		snprintf(text, sizeof text, "Current operation on VM:%s is %s", vm, op);
		table_set(t, mask, "OPERATION_NOT_ALLOWED", text, NULL, NULL, NULL);
	}
}

static void vbd_table(const xd_vm_reader *rd, op_table *t, const char *vbd, const xd_value *r,
		      const char *vm, const xd_value *vm_rec)
{
	memset(t, 0, sizeof *t);
	t->n = VBD_NOPS;
	const xd_value *cur = xd_struct_get(r, "current_operations");
	if (cur && cur->t == XD_V_STRUCT && cur->u.st.n) {
		unsigned all = (BIT(VBD_NOPS) - 1) & ~(BIT(VBD_PAUSE) | BIT(VBD_UNPAUSE));
		table_set(t, all, "OTHER_OPERATION_IN_PROGRESS", "VBD", vbd, cur->u.st.m[0].v->u.s,
			  cur->u.st.m[0].name);
		table_set(t, BIT(VBD_PAUSE) | BIT(VBD_UNPAUSE), "OTHER_OPERATION_IN_PROGRESS", "VBD",
			  vbd, cur->u.st.m[0].v->u.s, cur->u.st.m[0].name);
	}
	if (!xd_rec_bool(r, "unpluggable"))
		table_set(t, BIT(VBD_UNPLUG) | BIT(VBD_UNPLUG_FORCE), "VBD_NOT_UNPLUGGABLE", vbd, NULL,
			  NULL, NULL);
	bool cd = strcmp(xd_rec_str(r, "type"), "CD") == 0;
	if (!cd)
		table_set(t, BIT(VBD_INSERT) | BIT(VBD_EJECT), "VBD_NOT_REMOVABLE_MEDIA", vbd, NULL,
			  NULL, NULL);
	if (xd_rec_bool(r, "empty"))
		table_set(t, BIT(VBD_EJECT), "VBD_IS_EMPTY", vbd, NULL, NULL, NULL);
	else
		table_set(t, BIT(VBD_INSERT), "VBD_NOT_EMPTY", vbd, NULL, NULL, NULL);
	const char *ps = xd_rec_str(vm_rec, "power_state");
	bool plugged = xd_rec_bool(r, "currently_attached");
	if (strcmp(ps, "Running") == 0) {
		if (plugged)
			table_set(t, BIT(VBD_PLUG), "DEVICE_ALREADY_ATTACHED", vbd, NULL, NULL, NULL);
		else
			table_set(t, BIT(VBD_UNPLUG) | BIT(VBD_UNPLUG_FORCE), "DEVICE_ALREADY_DETACHED",
				  vbd, NULL, NULL, NULL);
	} else {
		char actual[16];
		xd_power_lower(ps, actual);
		unsigned bad = BIT(VBD_PLUG) | BIT(VBD_UNPLUG) | BIT(VBD_UNPLUG_FORCE);
		if (strcmp(ps, "Paused") != 0)
			bad |= BIT(VBD_PAUSE) | BIT(VBD_UNPAUSE);
		table_set(t, bad, "VM_BAD_POWER_STATE", vm, "running", actual, NULL);
	}
	vm_ops_rule(t, BIT(VBD_PLUG) | BIT(VBD_UNPLUG), vm, vm_rec);
	if (strcmp(ps, "Running") == 0 && xd_vm_is_hvm(vm_rec)) {
		unsigned plug_ops = BIT(VBD_PLUG) | BIT(VBD_UNPLUG) | BIT(VBD_UNPLUG_FORCE);
		xd_error why = XD_ERROR_INIT;
		if (!vm_has_hotplug(rd, vm_rec, "can_use_hotplug_vbd", &why)) {
			if (strcmp(why.code, "VM_MISSING_PV_DRIVERS") == 0)
				table_set(t, plug_ops, why.code, vm, NULL, NULL, NULL);
			else
				table_set(t, plug_ops, why.code, why.params[0], NULL, NULL, NULL);
		}
		xd_error_clear(&why);
		if (cd)
			table_set(t, plug_ops, "OPERATION_NOT_ALLOWED",
				  "HVM CDROMs cannot be hotplugged/unplugged, only inserted or ejected",
				  NULL, NULL, NULL);
	}
	if (cd && strcmp(ps, "Suspended") == 0)
		table_set(t, BIT(VBD_INSERT) | BIT(VBD_EJECT), "VM_BAD_POWER_STATE", vm,
			  "halted, running", "suspended", NULL);
	/* VBD.pause/unpause are not supported by any of our SRs */
}

static void vif_table(const xd_vm_reader *rd, op_table *t, const char *vif, const xd_value *r,
		      const char *vm, const xd_value *vm_rec)
{
	memset(t, 0, sizeof *t);
	t->n = VIF_NOPS;
	const xd_value *cur = xd_struct_get(r, "current_operations");
	if (cur && cur->t == XD_V_STRUCT && cur->u.st.n) {
		/* "{op; op}" and "{ref; ref}", as xapi's VIF rule writes them */
		char ops[256] = "{", refs[512] = "{";
		for (size_t i = cur->u.st.n; i-- > 0;) {
			strncat(ops, cur->u.st.m[i].v->u.s, sizeof ops - strlen(ops) - 3);
			strncat(refs, cur->u.st.m[i].name, sizeof refs - strlen(refs) - 3);
			if (i) {
				strcat(ops, "; ");
				strcat(refs, "; ");
			}
		}
		strcat(ops, "}");
		strcat(refs, "}");
		table_set(t, BIT(VIF_NOPS) - 1, "OTHER_OPERATION_IN_PROGRESS", "VIF", vif, ops, refs);
	}
	if (xd_rec_bool(vm_rec, "is_control_domain") && xd_rec_int(vm_rec, "domid") == 0)
		table_set(t, BIT(VIF_PLUG), "OPERATION_NOT_ALLOWED",
			  "Control domain does not support hotplug", NULL, NULL, NULL);
	const char *ps = xd_rec_str(vm_rec, "power_state");
	bool plugged = xd_rec_bool(r, "currently_attached");
	if (strcmp(ps, "Running") == 0) {
		if (plugged)
			table_set(t, BIT(VIF_PLUG), "DEVICE_ALREADY_ATTACHED", vif, NULL, NULL, NULL);
		else
			table_set(t, BIT(VIF_UNPLUG), "DEVICE_ALREADY_DETACHED", vif, NULL, NULL, NULL);
	} else {
		char actual[16];
		xd_power_lower(ps, actual);
		table_set(t, BIT(VIF_PLUG) | BIT(VIF_UNPLUG), "VM_BAD_POWER_STATE", vm, "running",
			  actual, NULL);
	}
	vm_ops_rule(t, BIT(VIF_PLUG) | BIT(VIF_UNPLUG), vm, vm_rec);
	if (strcmp(ps, "Running") == 0 && xd_vm_is_hvm(vm_rec)) {
		xd_error why = XD_ERROR_INIT;
		if (!vm_has_hotplug(rd, vm_rec, "can_use_hotplug_vif", &why)) {
			if (strcmp(why.code, "VM_MISSING_PV_DRIVERS") == 0)
				table_set(t, BIT(VIF_PLUG) | BIT(VIF_UNPLUG), why.code, vm, NULL, NULL, NULL);
			else
				table_set(t, BIT(VIF_PLUG) | BIT(VIF_UNPLUG), why.code, why.params[0], NULL,
					  NULL, NULL);
		}
		xd_error_clear(&why);
	}
}

static xd_value *allowed_of(op_table *t, const char *const *names)
{
	xd_value *out = xd_array();
	for (size_t i = 0; i < t->n; i++)
		if (!t->e[i].code)
			xd_array_append_take(out, xd_string(names[i]));
	return out;
}

xd_value *xd_device_allowed_ops(const char *cls, const char *ref, const xd_value *rec,
				const char *vm, const xd_value *vm_rec)
{
	op_table t;
	bool vbd = strcmp(cls, "VBD") == 0;
	if (vbd)
		vbd_table(NULL, &t, ref, rec, vm, vm_rec);
	else
		vif_table(NULL, &t, ref, rec, vm, vm_rec);
	xd_value *out = allowed_of(&t, vbd ? vbd_ops : vif_ops);
	table_clear(&t);
	return out;
}

/* Recomputes the allowed_operations of every VBD and VIF of the VM in u,
 * from the VM as u leaves it; attached >= 0 overrides currently_attached
 * (the devices of a VM that starts or stops). */
void xd_vm_queue_device_ops(xd_vm_update *u, int attached)
{
	const char *vm = xd_vm_update_ref(u);
	const xd_value *vm_rec = xd_vm_update_after(u);
	xd_vm_reader rd = xd_vm_update_reader(u);
	static const struct {
		const char *cls, *set;
	} kinds[] = { { "VBD", "VBDs" }, { "VIF", "VIFs" } };
	for (size_t k = 0; k < 2; k++) {
		const xd_value *refs = xd_struct_get(vm_rec, kinds[k].set);
		for (size_t i = 0; refs && i < refs->u.arr.n; i++) {
			const char *ref = refs->u.arr.items[i]->u.s;
			xd_value *r = xd_vm_read(&rd, kinds[k].cls, ref);
			if (!r)
				continue;
			if (attached >= 0)
				xd_rec_set(r, "currently_attached", xd_bool(attached != 0));
			op_table t;
			if (k == 0)
				vbd_table(&rd, &t, ref, r, vm, vm_rec);
			else
				vif_table(&rd, &t, ref, r, vm, vm_rec);
			xd_value *allowed = allowed_of(&t, k == 0 ? vbd_ops : vif_ops);
			const xd_value *old = xd_struct_get(r, "allowed_operations");
			if (old && xd_value_equal(old, allowed))
				xd_value_free(allowed);
			else
				xd_vm_update_set(u, kinds[k].cls, ref, "allowed_operations", allowed);
			table_clear(&t);
			xd_value_free(r);
		}
	}
}

/* ---- running one device operation ------------------------------------------- */

typedef struct dev_op {
	const xd_call *call;
	const char *cls;          /* "VBD" | "VIF" */
	const char *ref;
	int op;                   /* index in vbd_ops / vif_ops */
	char *vm;
	char key[64];
} dev_op;

/* Reads the device and its VM, checks op, and marks it in the device's
 * current_operations (under the VM's lock). */
static int dev_begin(dev_op *d, xd_error *err)
{
	const xd_class *c = xd_dm_class(d->cls);
	xd_value *r = xd_db_get_record(c, d->ref);
	if (!r)
		return xd_error_set(err, "HANDLE_INVALID", d->cls, d->ref, NULL);
	d->vm = strdup(xd_rec_str(r, "VM"));
	xd_value_free(r);
	xd_vm_update *u = xd_vm_update_begin(d->vm, err);
	if (!u)
		return -1;
	r = xd_db_get_record(c, d->ref);
	if (!r) {
		xd_vm_update_abort(u);
		return xd_error_set(err, "HANDLE_INVALID", d->cls, d->ref, NULL);
	}
	op_table t;
	bool vbd = strcmp(d->cls, "VBD") == 0;
	if (vbd)
		vbd_table(NULL, &t, d->ref, r, d->vm, xd_vm_update_after(u));
	else
		vif_table(NULL, &t, d->ref, r, d->vm, xd_vm_update_after(u));
	int rc = 0;
	if (t.e[d->op].code) {
		xd_error_copy(err, &t.e[d->op]);
		rc = -1;
	}
	table_clear(&t);
	if (rc == 0) {
		char *k = d->call && d->call->task ? strdup(d->call->task) : xd_ref_new();
		snprintf(d->key, sizeof d->key, "%s", k);
		free(k);
		xd_value *ops = xd_value_copy(xd_struct_get(r, "current_operations"));
		xd_struct_set_take(ops, d->key, xd_string(vbd ? vbd_ops[d->op] : vif_ops[d->op]));
		xd_vm_update_set(u, d->cls, d->ref, "current_operations", ops);
		xd_vm_queue_device_ops(u, -1);
		rc = xd_vm_update_commit(u, err);
	} else {
		xd_vm_update_abort(u);
	}
	xd_value_free(r);
	return rc;
}

/* The final write: fields (a struct of field -> value, taken) and the mark
 * removed, allowed_operations of the VM's devices recomputed. */
static int dev_finish(dev_op *d, xd_value *fields, xd_error *err)
{
	xd_vm_update *u = xd_vm_update_begin(d->vm, err);
	if (!u) {
		xd_value_free(fields);
		return -1;
	}
	const xd_class *c = xd_dm_class(d->cls);
	xd_value *ops = xd_db_get_field(c, d->ref, xd_dm_field_index(c, "current_operations"));
	if (ops && ops->t == XD_V_STRUCT) {
		xd_struct_remove(ops, d->key);
		xd_vm_update_set(u, d->cls, d->ref, "current_operations", ops);
	} else {
		xd_value_free(ops);
	}
	for (size_t i = 0; fields && i < fields->u.st.n; i++) {
		xd_vm_update_set(u, d->cls, d->ref, fields->u.st.m[i].name, fields->u.st.m[i].v);
		fields->u.st.m[i].v = NULL;
	}
	xd_value_free(fields);
	xd_vm_queue_device_ops(u, -1);
	return xd_vm_update_commit(u, err);
}

static void dev_free(dev_op *d)
{
	free(d->vm);
}

static xd_value *struct1(const char *k, xd_value *v)
{
	xd_value *s = xd_struct();
	xd_struct_set_take(s, k, v);
	return s;
}

/* The VM's domain and HVM-ness, for hotplug (its sim faults applied). */
static int vm_domain(const char *vm, bool *hvm, xd_error *err)
{
	xd_value *rec = xd_db_get_record(xd_dm_class("VM"), vm);
	if (!rec)
		return xd_error_set(err, "HANDLE_INVALID", "VM", vm, NULL);
	int domid = (int)xd_rec_int(rec, "domid");
	*hvm = xd_vm_is_hvm(rec);
	xd_vm_sim_faults(rec);
	xd_value_free(rec);
	return domid;
}

/* The backend names a device by its vdev or devid where xapi puts the
 * VBD's or VIF's ref. */
static int device_error(xd_error *err, const char *name, const char *ref)
{
	for (size_t i = 0; err->code && i < err->nparams; i++)
		if (strcmp(err->params[i], name) == 0) {
			free(err->params[i]);
			err->params[i] = strdup(ref);
		}
	return -1;
}

/* ---- VBD ----------------------------------------------------------------------- */

static int vbd_plug(dev_op *d, xd_error *err)
{
	xd_value *r = xd_db_get_record(xd_dm_class("VBD"), d->ref);
	bool hvm = false;
	int domid = vm_domain(d->vm, &hvm, err), rc = -1;
	if (!r || domid < 0)
		goto out;
	char dev[16];
	xd_vm_vbd_device_name(xd_rec_str(r, "userdevice"), hvm, dev);
	const char *vdi = xd_rec_str(r, "VDI");
	bool ro = strcmp(xd_rec_str(r, "mode"), "RO") == 0;
	bool has_vdi = !xd_rec_bool(r, "empty") && !xd_ref_is_null(vdi);
	char *datapath = NULL, *format = NULL;
	if (has_vdi && xd_vm_vdi_attach(vdi, !ro, &datapath, &format, err) < 0)
		goto out;
	xd_hv_disk disk = {
		.vbd_uuid = xd_rec_str(r, "uuid"), .vdev = dev, .datapath = datapath,
		.format = format ? format : "raw", .readonly = ro,
		.cdrom = strcmp(xd_rec_str(r, "type"), "CD") == 0, .bootable = xd_rec_bool(r, "bootable"),
	};
	rc = xd_hv()->disk_add(domid, &disk, err);
	if (rc < 0)
		device_error(err, dev, d->ref);
	if (rc < 0 && has_vdi)
		xd_vm_vdi_detach(vdi);
	free(datapath);
	free(format);
	if (rc == 0) {
		xd_value *f = struct1("currently_attached", xd_bool(true));
		xd_struct_set_take(f, "device", xd_string(dev));
		rc = dev_finish(d, f, err);
	}
out:
	xd_value_free(r);
	return rc;
}

static int vbd_unplug(dev_op *d, bool force, xd_error *err)
{
	xd_value *r = xd_db_get_record(xd_dm_class("VBD"), d->ref);
	bool hvm = false;
	int domid = vm_domain(d->vm, &hvm, err), rc = -1;
	if (!r || domid < 0)
		goto out;
	const char *dev = xd_rec_str(r, "device");
	char name[16];
	if (!dev[0]) {
		xd_vm_vbd_device_name(xd_rec_str(r, "userdevice"), hvm, name);
		dev = name;
	}
	if (xd_hv()->disk_remove(domid, dev, force, err) < 0) {
		device_error(err, dev, d->ref);
		goto out;
	}
	const char *vdi = xd_rec_str(r, "VDI");
	if (!xd_rec_bool(r, "empty") && !xd_ref_is_null(vdi))
		xd_vm_vdi_detach(vdi);
	rc = dev_finish(d, struct1("currently_attached", xd_bool(false)), err);
out:
	xd_value_free(r);
	return rc;
}

/* Media change of a CD drive; a running domain gets the new disk. */
static int vbd_media(dev_op *d, const char *new_vdi, xd_error *err)
{
	const xd_class *vm_c = xd_dm_class("VM");
	xd_value *r = xd_db_get_record(xd_dm_class("VBD"), d->ref);
	xd_value *vm = xd_db_get_record(vm_c, d->vm);
	int rc = -1;
	if (!r || !vm)
		goto out;
	const char *ps = xd_rec_str(vm, "power_state");
	bool live = (strcmp(ps, "Running") == 0 || strcmp(ps, "Paused") == 0) &&
		    xd_rec_bool(r, "currently_attached");
	if (live) {
		int domid = (int)xd_rec_int(vm, "domid");
		char dev[16];
		xd_vm_vbd_device_name(xd_rec_str(r, "userdevice"), xd_vm_is_hvm(vm), dev);
		char *datapath = NULL, *format = NULL;
		if (new_vdi && xd_vm_vdi_attach(new_vdi, false, &datapath, &format, err) < 0)
			goto out;
		xd_hv_disk disk = { .vbd_uuid = xd_rec_str(r, "uuid"), .vdev = dev,
				    .datapath = datapath, .format = format ? format : "raw",
				    .readonly = true, .cdrom = true };
		xd_error ignore = XD_ERROR_INIT;
		xd_hv()->disk_remove(domid, dev, true, &ignore);
		xd_error_clear(&ignore);
		rc = xd_hv()->disk_add(domid, &disk, err);
		free(datapath);
		free(format);
		if (rc < 0) {
			if (new_vdi)
				xd_vm_vdi_detach(new_vdi);
			goto out;
		}
		const char *old = xd_rec_str(r, "VDI");
		if (!xd_rec_bool(r, "empty") && !xd_ref_is_null(old))
			xd_vm_vdi_detach(old);
	}
	xd_value *f = struct1("VDI", xd_string(new_vdi ? new_vdi : XD_NULL_REF));
	xd_struct_set_take(f, "empty", xd_bool(new_vdi == NULL));
	rc = dev_finish(d, f, err);
out:
	xd_value_free(r);
	xd_value_free(vm);
	return rc;
}

static xd_value *run_dev(const xd_call *call, const char *cls, int op, xd_error *err)
{
	dev_op d = { .call = call, .cls = cls, .ref = xd_arg_str(call, 0), .op = op };
	int rc = -1;
	bool vbd = strcmp(cls, "VBD") == 0;
	const char *vdi = NULL;
	if (vbd && op == VBD_INSERT) {
		vdi = xd_arg_str(call, 1);
		if (xd_check_ref(xd_dm_class("VDI"), vdi, err) < 0)
			return NULL;
	}
	if (dev_begin(&d, err) == 0) {
		if (vbd) {
			switch (op) {
			case VBD_PLUG: rc = vbd_plug(&d, err); break;
			case VBD_UNPLUG: rc = vbd_unplug(&d, false, err); break;
			case VBD_UNPLUG_FORCE: rc = vbd_unplug(&d, true, err); break;
			case VBD_EJECT: rc = vbd_media(&d, NULL, err); break;
			case VBD_INSERT: rc = vbd_media(&d, vdi, err); break;
			}
		} else {
			bool hvm = false;
			int domid = vm_domain(d.vm, &hvm, err);
			xd_value *r = xd_db_get_record(xd_dm_class("VIF"), d.ref);
			xd_value *br = NULL;
			if (r && domid >= 0 && op == VIF_PLUG) {
				const xd_class *nc = xd_dm_class("network");
				br = xd_db_get_field(nc, xd_rec_str(r, "network"),
						     xd_dm_field_index(nc, "bridge"));
				xd_hv_nic nic = { .vif_uuid = xd_rec_str(r, "uuid"),
						  .devid = atoi(xd_rec_str(r, "device")),
						  .mac = xd_rec_str(r, "MAC"),
						  .bridge = br && br->t == XD_V_STRING ? br->u.s : "",
						  .mtu = xd_rec_int(r, "MTU") };
				if (xd_hv()->nic_add(domid, &nic, err) == 0) {
					/* the device joins its network's bridge, or goes again */
					if (xd_network_backend() && xd_network_vif_plug(d.ref, domid, err) < 0) {
						xd_error e2 = XD_ERROR_INIT;
						xd_hv()->nic_remove(domid, nic.devid, &e2);
						xd_error_clear(&e2);
					} else {
						rc = dev_finish(&d, struct1("currently_attached",
									    xd_bool(true)), err);
					}
				} else {
					device_error(err, xd_rec_str(r, "device"), d.ref);
				}
			} else if (r && domid >= 0) {
				xd_network_vif_unplug(d.ref, domid);
				if (xd_hv()->nic_remove(domid, atoi(xd_rec_str(r, "device")), err) == 0)
					rc = dev_finish(&d, struct1("currently_attached", xd_bool(false)), err);
				else
					device_error(err, xd_rec_str(r, "device"), d.ref);
			} else if (!r) {
				xd_error_set(err, "HANDLE_INVALID", "VIF", d.ref, NULL);
			}
			xd_value_free(br);
			xd_value_free(r);
		}
		if (rc < 0) { /* drop the mark */
			xd_error ignore = XD_ERROR_INIT;
			dev_finish(&d, NULL, &ignore);
			xd_error_clear(&ignore);
		}
	}
	dev_free(&d);
	return rc < 0 ? NULL : xd_void();
}

static xd_value *h_vbd_plug(const xd_call *call, xd_error *err)
{
	return run_dev(call, "VBD", VBD_PLUG, err);
}

static xd_value *h_vbd_unplug(const xd_call *call, xd_error *err)
{
	return run_dev(call, "VBD", VBD_UNPLUG, err);
}

static xd_value *h_vbd_unplug_force(const xd_call *call, xd_error *err)
{
	return run_dev(call, "VBD", VBD_UNPLUG_FORCE, err);
}

static xd_value *h_vbd_eject(const xd_call *call, xd_error *err)
{
	return run_dev(call, "VBD", VBD_EJECT, err);
}

static xd_value *h_vbd_insert(const xd_call *call, xd_error *err)
{
	return run_dev(call, "VBD", VBD_INSERT, err);
}

static xd_value *h_vif_plug(const xd_call *call, xd_error *err)
{
	return run_dev(call, "VIF", VIF_PLUG, err);
}

static xd_value *h_vif_unplug(const xd_call *call, xd_error *err)
{
	return run_dev(call, "VIF", VIF_UNPLUG, err);
}

/* VBD.assert_attachable: the attach rule now. */
static xd_value *h_vbd_assert_attachable(const xd_call *call, xd_error *err)
{
	const char *ref = xd_arg_str(call, 0);
	xd_value *r = xd_db_get_record(xd_dm_class("VBD"), ref);
	if (!r) {
		xd_error_set(err, "HANDLE_INVALID", "VBD", ref, NULL);
		return NULL;
	}
	xd_value *vm = xd_db_get_record(xd_dm_class("VM"), xd_rec_str(r, "VM"));
	xd_value *res = NULL;
	if (vm) {
		op_table t;
		vbd_table(NULL, &t, ref, r, xd_rec_str(r, "VM"), vm);
		if (t.e[VBD_ATTACH].code)
			xd_error_copy(err, &t.e[VBD_ATTACH]);
		else
			res = xd_void();
		table_clear(&t);
	} else {
		xd_error_set(err, "HANDLE_INVALID", "VM", xd_rec_str(r, "VM"), NULL);
	}
	xd_value_free(vm);
	xd_value_free(r);
	return res;
}

void xd_api_device_ops_register(void)
{
	xd_rpc_register("VBD", "plug", h_vbd_plug);
	xd_rpc_register("VBD", "unplug", h_vbd_unplug);
	xd_rpc_register("VBD", "unplug_force", h_vbd_unplug_force);
	xd_rpc_register("VBD", "eject", h_vbd_eject);
	xd_rpc_register("VBD", "insert", h_vbd_insert);
	xd_rpc_register("VBD", "assert_attachable", h_vbd_assert_attachable);
	xd_rpc_register("VIF", "plug", h_vif_plug);
	xd_rpc_register("VIF", "unplug", h_vif_unplug);
	xd_rpc_register("VIF", "unplug_force", h_vif_unplug);
}
