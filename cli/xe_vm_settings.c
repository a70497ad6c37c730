/* xe_vm_settings.c - upstream xe's VM commands about BIOS strings and the
 * live memory target, on the VMs the selectors name:
 *   vm-copy-bios-strings host-uuid=   VM.copy_bios_strings
 *   vm-is-bios-customized             reads bios_strings: not yet set,
 *                                     BIOS-generic, or BIOS-customized
 *   vm-memory-target-set target=      VM.set_memory_dynamic_range(target,
 *   vm-memory-balloon target=           target), control domains included
 *   vm-memory-target-wait             VM.wait_memory_target_live
 *   vm-memory-shadow-multiplier-set multiplier=   VM.set_shadow_multiplier_live
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bios_strings.h"
#include "xe_cmds.h"
#include "xe_obj.h"
#include "xe_select.h"
#include "xe_util.h"

#define VM_SPEC XE_VM_SPEC
/* upstream's do_vm_op ~include_control_vms:true */
#define ANY_VM_IMPLICIT "is-a-template=false"

static int op_copy_bios(xe_client *x, const xe_opts *o, const xe_selected *vm, void *ud)
{
	(void)o;
	return xe_client_call_ok(x, "VM.copy_bios_strings", xe_strings(2, vm->ref, ud)) < 0;
}

static int cmd_vm_copy_bios_strings(xe_client *x, const xe_opts *o)
{
	const char *uuid = xe_obj_required(o, "host-uuid");
	char *host = uuid ? xe_client_ref_by_uuid(x, "host", uuid) : NULL;
	int rc;

	if (!host)
		return 1;
	rc = xe_select_each(x, o, VM_SPEC(XE_VM_IMPLICIT, "host-uuid"), true, op_copy_bios, host);
	free(host);
	return rc;
}

static bool is_generic(const xd_value *m)
{
	if (m->u.st.n != XD_BIOS_GENERIC_COUNT)
		return false;
	for (size_t i = 0; i < XD_BIOS_GENERIC_COUNT; i++) {
		const xd_value *v = xd_struct_get(m, xd_bios_generic[i][0]);

		if (!v || v->t != XD_V_STRING || strcmp(v->u.s, xd_bios_generic[i][1]) != 0)
			return false;
	}
	return true;
}

static int op_bios_customized(xe_client *x, const xe_opts *o, const xe_selected *vm, void *ud)
{
	xd_value *m = xe_client_call(x, "VM.get_bios_strings", xe_strings(1, vm->ref));

	(void)o;
	(void)ud;
	if (!m)
		return 1;
	if (m->t != XD_V_STRUCT || m->u.st.n == 0)
		printf("The BIOS strings of this VM have not yet been set.\n");
	else if (is_generic(m))
		printf("This VM is BIOS-generic.\n");
	else
		printf("This VM is BIOS-customized.\n");
	xd_value_free(m);
	return 0;
}

static int cmd_vm_is_bios_customized(xe_client *x, const xe_opts *o)
{
	return xe_select_each(x, o, VM_SPEC(XE_VM_IMPLICIT, "force"), true, op_bios_customized,
			      NULL);
}

static int op_target(xe_client *x, const xe_opts *o, const xe_selected *vm, void *ud)
{
	const int64_t *target = ud;
	xd_value *args = xe_strings(1, vm->ref);

	(void)o;
	xd_array_append_take(args, xd_int(*target));
	xd_array_append_take(args, xd_int(*target));
	return xe_client_call_ok(x, "VM.set_memory_dynamic_range", args) < 0;
}

static int cmd_vm_memory_target_set(xe_client *x, const xe_opts *o)
{
	const char *v = xe_obj_required(o, "target");
	int64_t target;

	if (!v)
		return 1;
	if (xe_parse_size(v, &target) < 0) {
		xe_fail("Failed to parse field 'target': expecting an integer (possibly with suffix "
			"KiB, MiB, GiB, TiB), got '%s'", v);
		return 1;
	}
	return xe_select_each(x, o, VM_SPEC(ANY_VM_IMPLICIT, "target"), true, op_target, &target);
}

static int op_target_wait(xe_client *x, const xe_opts *o, const xe_selected *vm, void *ud)
{
	(void)o;
	(void)ud;
	return xe_client_call_ok(x, "VM.wait_memory_target_live", xe_strings(1, vm->ref)) < 0;
}

static int cmd_vm_memory_target_wait(xe_client *x, const xe_opts *o)
{
	return xe_select_each(x, o, VM_SPEC(ANY_VM_IMPLICIT, "force"), true, op_target_wait, NULL);
}

static int op_shadow(xe_client *x, const xe_opts *o, const xe_selected *vm, void *ud)
{
	xd_value *args = xe_strings(1, vm->ref);

	(void)o;
	xd_array_append_take(args, xd_float(*(const double *)ud));
	return xe_client_call_ok(x, "VM.set_shadow_multiplier_live", args) < 0;
}

static int cmd_vm_memory_shadow_multiplier_set(xe_client *x, const xe_opts *o)
{
	const char *v = xe_obj_required(o, "multiplier");
	char *end = NULL;
	double m;

	if (!v)
		return 1;
	m = strtod(v, &end);
	if (end == v || *end) {
		xe_failure("Failed to parse parameter 'multiplier': expecting a float");
		return 1;
	}
	return xe_select_each(x, o, VM_SPEC(XE_VM_IMPLICIT, "multiplier"), true, op_shadow, &m);
}

static const xe_named_cmd cmds[] = {
	{ "vm-copy-bios-strings", cmd_vm_copy_bios_strings, "host-uuid", "<vm-selectors>",
	  "Copy the BIOS strings of the given host to the VM." },
	{ "vm-is-bios-customized", cmd_vm_is_bios_customized, "", "<vm-selectors>",
	  "Indicates whether the BIOS strings of the VM have been customized." },
	{ "vm-memory-target-set", cmd_vm_memory_target_set, "target", "<vm-selectors>",
	  "Set the memory target for a halted or running VM. The given value must be within "
	  "the range defined by the VM's memory_static_min and memory_static_max values." },
	{ "vm-memory-balloon", cmd_vm_memory_target_set, "target", "<vm-selectors>",
	  "Set the memory target for a running VM. The given value must be within the range "
	  "defined by the VM's memory_dynamic_min and memory_dynamic_max values. Deprecated: "
	  "use vm-memory-dynamic-range-set." },
	{ "vm-memory-target-wait", cmd_vm_memory_target_wait, "", "<vm-selectors>",
	  "Wait for a running VM to reach its current memory target." },
	{ "vm-memory-shadow-multiplier-set", cmd_vm_memory_shadow_multiplier_set, "multiplier",
	  "<vm-selectors>", "Set the shadow memory multiplier of a VM which may be running." },
};

const size_t xe_vm_settings_ncmds = sizeof(cmds) / sizeof(cmds[0]);
const xe_named_cmd *const xe_vm_settings_cmds = cmds;
