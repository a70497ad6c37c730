/* xe_vm.c - upstream xe's VM, template and snapshot commands: the power
 * lifecycle (vm-start ... vm-unpause), clone/copy/snapshot/checkpoint,
 * install from a template, uninstall (the VM and the disks it owns),
 * snapshot-revert and the snapshot-* commands, memory and vCPU settings.
 * The VM commands select their VMs with upstream's selectors (xe_select.h);
 * each sends the XenAPI call xapi's CLI server would send.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xe_cmds.h"
#include "xe_obj.h"
#include "xe_select.h"
#include "xe_util.h"

#define VM_IMPLICIT XE_VM_IMPLICIT
#define VM_SPEC XE_VM_SPEC

/* One call whose result is not needed: the exit code. */
static int run(xe_client *x, const char *method, xd_value *args)
{
	return xe_client_call_ok(x, method, args) < 0 ? 1 : 0;
}

/* A host named by uuid or name-label (vm-start on=...). Caller frees. */
static char *host_by_name_or_uuid(xe_client *x, const char *want)
{
	xd_error err = XD_ERROR_INIT;
	xd_value *r = xe_client_try(x, "host.get_by_uuid", xe_strings(1, want), &err);
	char *ref = NULL;

	xd_error_clear(&err);
	if (r && r->t == XD_V_STRING)
		ref = xe_strdup(r->u.s);
	xd_value_free(r);
	if (ref || x->broken)
		return ref;
	r = xe_client_call(x, "host.get_by_name_label", xe_strings(1, want));
	if (r && r->t == XD_V_ARRAY && r->u.arr.n == 1 && r->u.arr.items[0]->t == XD_V_STRING)
		ref = xe_strdup(r->u.arr.items[0]->u.s);
	else if (r)
		xe_failure("No matching hosts found");
	xd_value_free(r);
	return ref;
}

static int bool_opt(const xe_opts *o, const char *key, bool *out)
{
	const char *v = xe_opts_get(o, key);

	*out = false;
	if (v && xe_parse_bool(v, out) < 0) {
		xe_fail("Parameter %s: '%s' is not a boolean", key, v);
		return -1;
	}
	return 0;
}

/* ---- power ---- */

/* <method>(vm): the ud is the method. */
static int op_simple(xe_client *x, const xe_opts *o, const xe_selected *vm, void *ud)
{
	(void)o;
	return run(x, ud, xe_strings(1, vm->ref));
}

/* vm-start / vm-resume: (vm, paused, force), or *_on with the host. */
static int op_start(xe_client *x, const xe_opts *o, const xe_selected *vm, void *ud)
{
	bool resume = ud != NULL, paused = false, force = false;
	const char *on = xe_opts_get(o, "on");
	char *host = NULL;
	xd_value *args;
	int rc;

	if ((!resume && bool_opt(o, "paused", &paused) < 0) || bool_opt(o, "force", &force) < 0)
		return 1;
	if (on && !(host = host_by_name_or_uuid(x, on)))
		return 1;
	args = xe_strings(1, vm->ref);
	if (host)
		xd_array_append_take(args, xd_string_take(host));
	xd_array_append_take(args, xd_bool(paused));
	xd_array_append_take(args, xd_bool(force));
	rc = run(x, resume ? (on ? "VM.resume_on" : "VM.resume") : (on ? "VM.start_on" : "VM.start"),
		 args);
	return rc;
}

static int cmd_vm_start(xe_client *x, const xe_opts *o)
{
	return xe_select_each(x, o, VM_SPEC(VM_IMPLICIT, "force", "on", "paused"), true, op_start,
			      NULL);
}

static int cmd_vm_resume(xe_client *x, const xe_opts *o)
{
	return xe_select_each(x, o, VM_SPEC(VM_IMPLICIT, "force", "on"), true, op_start, "resume");
}

/* vm-shutdown / vm-reboot: clean, or hard with --force. */
static int clean_or_hard(xe_client *x, const xe_opts *o, const char *clean, const char *hard)
{
	return xe_select_each(x, o, VM_SPEC(VM_IMPLICIT, "force"), true, op_simple,
			      (void *)(xe_opts_flag(o, "force") ? hard : clean));
}

static int cmd_vm_shutdown(xe_client *x, const xe_opts *o)
{
	return clean_or_hard(x, o, "VM.clean_shutdown", "VM.hard_shutdown");
}

static int cmd_vm_reboot(xe_client *x, const xe_opts *o)
{
	return clean_or_hard(x, o, "VM.clean_reboot", "VM.hard_reboot");
}

static int one_call(xe_client *x, const xe_opts *o, const char *method)
{
	return xe_select_each(x, o, VM_SPEC(VM_IMPLICIT, "force"), true, op_simple, (void *)method);
}

static int cmd_vm_suspend(xe_client *x, const xe_opts *o)
{
	return one_call(x, o, "VM.suspend");
}

static int cmd_vm_pause(xe_client *x, const xe_opts *o)
{
	return one_call(x, o, "VM.pause");
}

static int cmd_vm_unpause(xe_client *x, const xe_opts *o)
{
	return one_call(x, o, "VM.unpause");
}

#define NO_FORCE_MSG                                                                     \
	"This operation is dangerous and may cause data loss. This operation must be forced " \
	"(use --force)."

static int cmd_vm_reset_powerstate(xe_client *x, const xe_opts *o)
{
	if (!xe_opts_flag(o, "force")) {
		xe_failure(NO_FORCE_MSG);
		return 1;
	}
	return one_call(x, o, "VM.power_state_reset");
}

/* ---- clone, copy, snapshot, checkpoint ---- */

typedef struct copy_args {
	const char *method;  /* VM.clone, VM.copy, VM.snapshot, VM.checkpoint */
	const char *sr;      /* VM.copy: the SR ref ("OpaqueRef:NULL": the same SRs) */
	xd_value *ignore;    /* VM.snapshot: the VDIs left out (an array), borrowed */
} copy_args;

/* The new VM's description and uuid, after a call that made it. */
static int finish_new_vm(xe_client *x, const xe_opts *o, xd_value *r)
{
	const char *desc = xe_opts_get(o, "new-name-description");
	int rc = 0;

	if (r->t == XD_V_STRING && desc)
		rc = run(x, "VM.set_name_description", xe_strings(2, r->u.s, desc));
	if (rc == 0)
		rc = xe_print_new_uuid(x, "VM", r);
	return rc;
}

static int op_copy(xe_client *x, const xe_opts *o, const xe_selected *vm, void *ud)
{
	const copy_args *a = ud;
	xd_value *args = xe_strings(2, vm->ref, xe_opts_get(o, "new-name-label"));
	xd_value *r;
	int rc;

	if (a->sr)
		xd_array_append_take(args, xd_string(a->sr));
	if (a->ignore)
		xd_array_append_take(args, xd_value_copy(a->ignore));
	r = xe_client_call(x, a->method, args);
	if (!r)
		return 1;
	rc = finish_new_vm(x, o, r);
	xd_value_free(r);
	return rc;
}

/* The ref of the SR in sr-uuid=, or "OpaqueRef:NULL" without one; NULL
 * after printing the error. */
static char *sr_param(xe_client *x, const xe_opts *o)
{
	const char *uuid = xe_opts_get(o, "sr-uuid");

	return uuid ? xe_client_ref_by_uuid(x, "SR", uuid) : xe_strdup("OpaqueRef:NULL");
}

static int clone_like(xe_client *x, const xe_opts *o, const char *implicit, copy_args *a,
		      bool multiple_ok)
{
	if (!xe_obj_required(o, "new-name-label"))
		return 1;
	return xe_select_each(x, o,
			      VM_SPEC(implicit, "new-name-label", "new-name-description",
				      "ignore-vdi-uuids", "sr-uuid"),
			      multiple_ok, op_copy, a);
}

static int cmd_vm_clone(xe_client *x, const xe_opts *o)
{
	copy_args a = { "VM.clone", NULL, NULL };

	return clone_like(x, o, "is-control-domain=false", &a, true);
}

static int cmd_vm_checkpoint(xe_client *x, const xe_opts *o)
{
	copy_args a = { "VM.checkpoint", NULL, NULL };

	return clone_like(x, o, VM_IMPLICIT, &a, true);
}

static int cmd_vm_copy(xe_client *x, const xe_opts *o)
{
	char *sr = xe_obj_required(o, "new-name-label") ? sr_param(x, o) : NULL;
	copy_args a = { "VM.copy", sr, NULL };
	int rc;

	if (!sr)
		return 1;
	rc = clone_like(x, o, "is-control-domain=false", &a, false);
	free(sr);
	return rc;
}

static int cmd_vm_snapshot(xe_client *x, const xe_opts *o)
{
	const char *ignore = xe_opts_get(o, "ignore-vdi-uuids");
	copy_args a = { "VM.snapshot", NULL, xd_array() };
	int rc = 1;

	if (ignore && *ignore) {
		char *list = xe_strdup(ignore), *save = NULL;

		for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			char *ref = xe_client_ref_by_uuid(x, "VDI", t);

			if (!ref) {
				free(list);
				goto out;
			}
			xd_array_append_take(a.ignore, xd_string_take(ref));
		}
		free(list);
	}
	rc = clone_like(x, o, VM_IMPLICIT, &a, true);
out:
	xd_value_free(a.ignore);
	return rc;
}

/* ---- snapshots by uuid ---- */

char *xe_snapshot_ref(xe_client *x, const xe_opts *o)
{
	const char *uuid = xe_opts_get(o, "snapshot-uuid");
	char *ref;
	xd_value *is;

	if (!uuid)
		uuid = xe_opts_get(o, "uuid");
	if (!uuid) {
		xe_failure("Required parameter not found: snapshot-uuid or uuid.");
		return NULL;
	}
	ref = xe_client_ref_by_uuid(x, "VM", uuid);
	if (!ref)
		return NULL;
	is = xe_client_call(x, "VM.get_is_a_snapshot", xe_strings(1, ref));
	if (is && is->t == XD_V_BOOL && is->u.b) {
		xd_value_free(is);
		return ref;
	}
	if (is)
		xe_failure("This operation can only be performed on a VM snapshot. %s is not a VM "
			   "snapshot.", uuid);
	xd_value_free(is);
	free(ref);
	return NULL;
}

static int cmd_snapshot_revert(xe_client *x, const xe_opts *o)
{
	char *ref = xe_snapshot_ref(x, o);
	int rc = ref ? run(x, "VM.revert", xe_strings(1, ref)) : 1;

	free(ref);
	return rc;
}

static int cmd_snapshot_destroy(xe_client *x, const xe_opts *o)
{
	char *ref = xe_snapshot_ref(x, o);
	xd_value *ps;
	int rc = 1;

	if (!ref)
		return 1;
	ps = xe_client_call(x, "VM.get_power_state", xe_strings(1, ref));
	if (ps && ps->t == XD_V_STRING && strcmp(ps->u.s, "Halted") != 0)
		rc = run(x, "VM.hard_shutdown", xe_strings(1, ref));
	else if (ps)
		rc = 0;
	if (rc == 0)
		rc = run(x, "VM.destroy", xe_strings(1, ref));
	xd_value_free(ps);
	free(ref);
	return rc;
}

static int cmd_snapshot_reset_powerstate(xe_client *x, const xe_opts *o)
{
	char *ref;
	int rc;

	if (!xe_opts_flag(o, "force")) {
		xe_failure(NO_FORCE_MSG);
		return 1;
	}
	ref = xe_snapshot_ref(x, o);
	rc = ref ? run(x, "VM.power_state_reset", xe_strings(1, ref)) : 1;
	free(ref);
	return rc;
}

/* snapshot-clone / snapshot-copy: a new VM (or template) from a snapshot. */
static int snapshot_to_vm(xe_client *x, const xe_opts *o, bool copy)
{
	const char *name = xe_obj_required(o, "new-name-label");
	char *ref = name ? xe_snapshot_ref(x, o) : NULL;
	char *sr = ref && copy ? sr_param(x, o) : NULL;
	xd_value *args, *r;
	int rc = 1;

	if (!ref || (copy && !sr))
		goto out;
	args = xe_strings(2, ref, name);
	if (copy)
		xd_array_append_take(args, xd_string(sr));
	r = xe_client_call(x, copy ? "VM.copy" : "VM.clone", args);
	if (r)
		rc = finish_new_vm(x, o, r);
	xd_value_free(r);
out:
	free(ref);
	free(sr);
	return rc;
}

static int cmd_snapshot_clone(xe_client *x, const xe_opts *o)
{
	return snapshot_to_vm(x, o, false);
}

static int cmd_snapshot_copy(xe_client *x, const xe_opts *o)
{
	return snapshot_to_vm(x, o, true);
}

/* ---- memory and vCPUs ---- */

/* <method>(vm, sizes...) with the sizes of the parameters named in ud
 * (a NULL-ended list; the first entry is the method). */
static int op_sizes(xe_client *x, const xe_opts *o, const xe_selected *vm, void *ud)
{
	const char *const *spec = ud;
	xd_value *args = xe_strings(1, vm->ref);

	for (size_t i = 1; spec[i]; i++) {
		const char *v = xe_opts_get(o, spec[i]);
		int64_t n;

		if (xe_parse_size(v, &n) < 0) {
			xe_fail("Parameter %s: '%s' is not a size (a number of bytes, or with a "
				"suffix KiB, MiB, GiB, TiB)", spec[i], v);
			xd_value_free(args);
			return 1;
		}
		xd_array_append_take(args, xd_int(n));
	}
	return run(x, spec[0], args);
}

static int sizes_cmd(xe_client *x, const xe_opts *o, const char *const *spec)
{
	for (size_t i = 1; spec[i]; i++)
		if (!xe_obj_required(o, spec[i]))
			return 1;
	return xe_select_each(x, o, &(const xe_selspec){ "VM", "vm", VM_IMPLICIT, spec + 1, "VMs", "VM" },
			      true, op_sizes, (void *)spec);
}

static int cmd_vm_memory_set(xe_client *x, const xe_opts *o)
{
	static const char *const spec[] = { "VM.set_memory", "memory", NULL };
	return sizes_cmd(x, o, spec);
}

static int cmd_vm_memory_limits_set(xe_client *x, const xe_opts *o)
{
	static const char *const spec[] = { "VM.set_memory_limits", "static-min", "static-max",
					    "dynamic-min", "dynamic-max", NULL };
	return sizes_cmd(x, o, spec);
}

static int cmd_vm_memory_static_range_set(xe_client *x, const xe_opts *o)
{
	static const char *const spec[] = { "VM.set_memory_static_range", "min", "max", NULL };
	return sizes_cmd(x, o, spec);
}

static int cmd_vm_memory_dynamic_range_set(xe_client *x, const xe_opts *o)
{
	static const char *const spec[] = { "VM.set_memory_dynamic_range", "min", "max", NULL };
	return sizes_cmd(x, o, spec);
}

static int cmd_vm_vcpu_hotplug(xe_client *x, const xe_opts *o)
{
	/* A count, not a size: no suffix is meaningful, but plain numbers read the same. */
	static const char *const spec[] = { "VM.set_VCPUs_number_live", "new-vcpus", NULL };
	return sizes_cmd(x, o, spec);
}

/* ---- the table ---- */

static const xe_named_cmd cmds[] = {
	{ "vm-install", xe_cmd_vm_install, "new-name-label",
	  "sr-name-label, sr-uuid, template, template-uuid, template-name-label, "
	  "copy-bios-strings-from",
	  "Install a new VM from a template. The template parameter can match either the "
	  "template name or the uuid. Prints the new VM's uuid." },
	{ "vm-uninstall", xe_cmd_vm_uninstall, "", "force, <vm-selectors>",
	  "Uninstall a VM. This operation will destroy those VDIs that are marked RW and "
	  "connected to this VM only. To simply destroy the VM record, use vm-destroy." },
	{ "vm-start", cmd_vm_start, "",
	  "force, on, paused, <vm-selectors>",
	  "Start the selected VM(s). The host on which to start can be specified with the "
	  "'on' parameter that takes a uuid or name. The optional parameter '--force' will "
	  "bypass any hardware-compatibility warnings." },
	{ "vm-shutdown", cmd_vm_shutdown, "", "force, <vm-selectors>",
	  "Shutdown the selected VM(s). Use --force to force a shutdown." },
	{ "vm-reboot", cmd_vm_reboot, "", "force, <vm-selectors>",
	  "Reboot the selected VM(s). Use --force to force a reboot." },
	{ "vm-suspend", cmd_vm_suspend, "", "<vm-selectors>",
	  "Suspend the selected VM(s)." },
	{ "vm-resume", cmd_vm_resume, "", "force, on, <vm-selectors>",
	  "Resume the selected VM(s)." },
	{ "vm-pause", cmd_vm_pause, "", "<vm-selectors>",
	  "Pause a running VM." },
	{ "vm-unpause", cmd_vm_unpause, "", "<vm-selectors>",
	  "Unpause a paused VM." },
	{ "vm-reset-powerstate", cmd_vm_reset_powerstate, "", "force, <vm-selectors>",
	  "Force the VM powerstate to halted in the management toolstack database only. "
	  "This command must be forced (use --force)." },
	{ "vm-clone", cmd_vm_clone, "new-name-label",
	  "new-name-description, <vm-selectors>",
	  "Clone an existing VM, using storage-level fast disk clone operation where "
	  "available. Prints the new VM's uuid." },
	{ "vm-copy", cmd_vm_copy, "new-name-label",
	  "new-name-description, sr-uuid, <vm-selectors>",
	  "Copy an existing VM, but without using storage-level fast disk clone operation "
	  "(even if this is available). The disk images of the copied VM are guaranteed to "
	  "be 'full images' - that is, not part of a copy-on-write (CoW) chain." },
	{ "vm-snapshot", cmd_vm_snapshot, "new-name-label",
	  "new-name-description, ignore-vdi-uuids, <vm-selectors>",
	  "Snapshot an existing VM, using storage-level fast disk snapshot operation where "
	  "available. Prints the snapshot's uuid." },
	{ "vm-checkpoint", cmd_vm_checkpoint, "new-name-label",
	  "new-name-description, <vm-selectors>",
	  "Checkpoint an existing VM, using storage-level fast disk snapshot operation "
	  "where available." },
	{ "snapshot-revert", cmd_snapshot_revert, "", "uuid, snapshot-uuid",
	  "Revert an existing VM to a previous checkpointed or snapshotted state." },
	{ "snapshot-clone", cmd_snapshot_clone, "new-name-label", "uuid, new-name-description",
	  "Create a new template by cloning an existing snapshot, using storage-level fast "
	  "disk clone operation where available." },
	{ "snapshot-copy", cmd_snapshot_copy, "new-name-label",
	  "uuid, new-name-description, sr-uuid",
	  "Create a new template by copying an existing VM, but without using "
	  "storage-level fast disk clone operation (even if this is available)." },
	{ "snapshot-destroy", cmd_snapshot_destroy, "", "uuid, snapshot-uuid",
	  "Destroy a snapshot. This leaves the storage associated with the snapshot "
	  "intact. To delete storage too, use snapshot-uninstall." },
	{ "snapshot-uninstall", xe_cmd_snapshot_uninstall, "", "uuid, snapshot-uuid, force",
	  "Uninstall a snapshot. This operation will destroy those VDIs that are marked RW "
	  "and connected to this snapshot only. To simply destroy the VM record, use "
	  "snapshot-destroy." },
	{ "snapshot-reset-powerstate", cmd_snapshot_reset_powerstate, "", "uuid, snapshot-uuid, force",
	  "Force the VM powerstate to halted in the management toolstack database only. "
	  "This command must be forced (use --force)." },
	{ "template-uninstall", xe_cmd_template_uninstall, "template-uuid", "force",
	  "Uninstall a custom template. This operation will destroy those VDIs that are "
	  "marked as 'owned' by this template." },
	{ "vm-memory-set", cmd_vm_memory_set, "memory", "<vm-selectors>",
	  "Configure the memory allocation of a VM." },
	{ "vm-memory-limits-set", cmd_vm_memory_limits_set,
	  "static-min, static-max, dynamic-min, dynamic-max", "<vm-selectors>",
	  "Configure the memory limits of a VM." },
	{ "vm-memory-static-range-set", cmd_vm_memory_static_range_set, "min, max", "<vm-selectors>",
	  "Configure the static memory range of a VM." },
	{ "vm-memory-dynamic-range-set", cmd_vm_memory_dynamic_range_set, "min, max", "<vm-selectors>",
	  "Configure the dynamic memory range of a VM." },
	{ "vm-vcpu-hotplug", cmd_vm_vcpu_hotplug, "new-vcpus", "<vm-selectors>",
	  "Dynamically adjust the number of VCPUs available to running VM." },
};

const size_t xe_vm_ncmds = sizeof(cmds) / sizeof(cmds[0]);
const xe_named_cmd *const xe_vm_cmds = cmds;
