/* test_vm_ops.c - the VM operation rules (core/api/vm_ops.c) on records
 * built here: the power states of each operation and the VM_BAD_POWER_STATE
 * text, blocked operations, templates and snapshots, the control domain,
 * operations in progress, allowed_operations in xapi's order; and the
 * helpers of vm_domain.c (device names, memory overhead, domain type). */
#include <stdlib.h>
#include <string.h>

#include "api/vm_int.h"
#include "db/db.h"
#include "dm.h"
#include "generic/generic.h"
#include "tap.h"

#define VM_REF "OpaqueRef:11111111-1111-1111-1111-111111111111"
#define MiB (1024LL * 1024LL)

static xd_value *vm_rec(const char *power_state)
{
	xd_value *r = xd_struct();
	xd_generic_fill_defaults(xd_dm_class("VM"), r);
	xd_rec_set(r, "power_state", xd_string(power_state));
	xd_rec_set(r, "HVM_boot_policy", xd_string("BIOS order"));
	xd_rec_set(r, "memory_static_max", xd_int(256 * MiB));
	xd_rec_set(r, "VCPUs_max", xd_int(1));
	xd_rec_set(r, "HVM_shadow_multiplier", xd_float(1.0));
	return r;
}

/* The error of op on rec as "CODE|p1|p2..." ("" when allowed). */
static char *check(const xd_value *rec, const char *op)
{
	static char out[512];
	xd_error err = XD_ERROR_INIT;
	out[0] = 0;
	if (xd_vm_check_op(VM_REF, rec, op, &err) < 0) {
		snprintf(out, sizeof out, "%s", err.code);
		for (size_t i = 0; i < err.nparams; i++) {
			strncat(out, "|", sizeof out - strlen(out) - 1);
			strncat(out, err.params[i], sizeof out - strlen(out) - 1);
		}
	}
	xd_error_clear(&err);
	return out;
}

static void test_power_states(void)
{
	static const struct {
		const char *op, *state, *want;
	} cases[] = {
		{ "start", "Running", "VM_BAD_POWER_STATE|" VM_REF "|halted|running" },
		{ "start", "Halted", "" },
		{ "pause", "Halted", "VM_BAD_POWER_STATE|" VM_REF "|running|halted" },
		{ "unpause", "Running", "VM_BAD_POWER_STATE|" VM_REF "|paused|running" },
		{ "hard_shutdown", "Halted", "VM_BAD_POWER_STATE|" VM_REF "|paused, suspended, running|halted" },
		{ "hard_reboot", "Suspended", "VM_BAD_POWER_STATE|" VM_REF "|paused, running|suspended" },
		{ "resume", "Halted", "VM_BAD_POWER_STATE|" VM_REF "|suspended|halted" },
		{ "destroy", "Running", "VM_BAD_POWER_STATE|" VM_REF "|halted, suspended|running" },
		{ "changing_dynamic_range", "Paused", "VM_BAD_POWER_STATE|" VM_REF "|halted, running|paused" },
		{ "migrate_send", "Paused", "VM_BAD_POWER_STATE|" VM_REF "|halted, suspended, running|paused" },
		{ "snapshot", "Suspended", "" },
		{ "power_state_reset", "Paused", "" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		xd_value *r = vm_rec(cases[i].state);
		is_str(check(r, cases[i].op), cases[i].want, "%s from %s", cases[i].op, cases[i].state);
		xd_value_free(r);
	}
}

static void test_rules(void)
{
	xd_value *r = vm_rec("Halted");
	xd_value *blocked = xd_struct();
	xd_struct_set_take(blocked, "start", xd_string("not now"));
	xd_rec_set(r, "blocked_operations", blocked);
	/* blocked comes before the power state */
	is_str(check(r, "start"), "OPERATION_BLOCKED|" VM_REF "|not now", "blocked start");
	xd_rec_set(r, "power_state", xd_string("Running"));
	is_str(check(r, "start"), "OPERATION_BLOCKED|" VM_REF "|not now", "blocked first");
	xd_value_free(r);

	r = vm_rec("Halted");
	xd_rec_set(r, "is_a_template", xd_bool(true));
	is_str(check(r, "start"), "VM_IS_TEMPLATE|" VM_REF "|start", "template start");
	is_str(check(r, "clone"), "", "template clone");
	is_str(check(r, "destroy"), "", "template destroy");
	is_str(check(r, "provision"), "", "template provision");
	xd_rec_set(r, "is_default_template", xd_bool(true));
	is_str(check(r, "destroy"), "VM_IS_TEMPLATE|" VM_REF "|destroy", "default template destroy");
	xd_rec_set(r, "is_a_snapshot", xd_bool(true));
	is_str(check(r, "start"), "VM_IS_SNAPSHOT|" VM_REF "|start", "snapshot start");
	is_str(check(r, "revert"), "", "snapshot revert");
	xd_value_free(r);

	r = vm_rec("Halted");
	is_str(check(r, "revert"), "ONLY_REVERT_SNAPSHOT", "revert a VM");
	is_str(check(r, "provision"), "ONLY_PROVISION_TEMPLATE", "provision a VM");
	xd_value *platform = xd_struct();
	xd_struct_set_take(platform, "nomigrate", xd_string("true"));
	xd_rec_set(r, "platform", platform);
	xd_rec_set(r, "power_state", xd_string("Running"));
	is_str(check(r, "suspend"), "VM_IS_IMMOBILE|" VM_REF, "immobile suspend");
	is_str(check(r, "snapshot_with_quiesce"), "VM_SNAPSHOT_WITH_QUIESCE_NOT_SUPPORTED|" VM_REF,
	       "quiesce");
	is_str(check(r, "query_services"), "NOT_SYSTEM_DOMAIN|" VM_REF, "query_services");
	xd_value_free(r);

	r = vm_rec("Running");
	xd_rec_set(r, "is_control_domain", xd_bool(true));
	xd_rec_set(r, "domid", xd_int(0));
	is_str(check(r, "clean_shutdown"),
	       "OPERATION_NOT_ALLOWED|This operation is not allowed on a control domain", "dom0 shutdown");
	is_str(check(r, "changing_VCPUs"), "OPERATION_NOT_ALLOWED|This operation is not allowed on dom0",
	       "dom0 vcpus");
	is_str(check(r, "changing_dynamic_range"), "", "dom0 dynamic range");
	xd_value_free(r);
}

static void test_in_progress(void)
{
	xd_value *r = vm_rec("Running");
	xd_value *ops = xd_struct();
	xd_struct_set_take(ops, "OpaqueRef:t1", xd_string("clean_shutdown"));
	xd_rec_set(r, "current_operations", ops);
	is_str(check(r, "pause"),
	       "OTHER_OPERATION_IN_PROGRESS|VM|" VM_REF "|clean_shutdown|OpaqueRef:t1", "busy");
	is_str(check(r, "hard_shutdown"), "", "hard_shutdown overrides");
	is_str(check(r, "hard_reboot"), "", "hard_reboot overrides");
	xd_struct_set_take(ops, "OpaqueRef:t2", xd_string("hard_shutdown"));
	is_str(check(r, "hard_shutdown"),
	       "OTHER_OPERATION_IN_PROGRESS|VM|" VM_REF
	       "|{clean_shutdown,hard_shutdown}|{OpaqueRef:t1,OpaqueRef:t2}",
	       "two in progress");
	xd_value_free(r);

	r = vm_rec("Halted");
	ops = xd_struct();
	xd_struct_set_take(ops, "OpaqueRef:t1", xd_string("clone"));
	xd_rec_set(r, "current_operations", ops);
	is_str(check(r, "copy"), "", "copies run together");
	is_str(check(r, "snapshot"), "OTHER_OPERATION_IN_PROGRESS|VM|" VM_REF "|clone|OpaqueRef:t1",
	       "no snapshot during a clone");
	xd_value_free(r);
}

static void test_allowed(void)
{
	xd_value *r = vm_rec("Halted");
	xd_value *a = xd_vm_allowed_ops(VM_REF, r);
	char *s = xd_value_to_debug_string(a);
	/* xapi's order: the enum folded by consing, last value first */
	is_str(s, "[\"create_vtpm\", \"destroy\", \"metadata_export\", \"export\", "
		  "\"make_into_template\", \"changing_NVRAM\", \"changing_shadow_memory\", "
		  "\"changing_static_range\", \"changing_dynamic_range\", \"migrate_send\", "
		  "\"start_on\", \"start\", \"copy\", \"clone\", \"snapshot\"]",
	       "allowed_operations of a halted VM");
	free(s);
	xd_value_free(a);
	xd_value_free(r);
}

static void test_domain_helpers(void)
{
	char d[16];
	static const struct {
		const char *userdevice;
		bool hvm;
		const char *want;
	} names[] = {
		{ "0", true, "hda" }, { "3", true, "hdd" }, { "4", true, "xvde" }, { "0", false, "xvda" },
		{ "25", false, "xvdz" }, { "26", false, "xvdaa" }, { "27", false, "xvdab" },
		{ "701", false, "xvdzz" }, { "702", false, "xvdaaa" },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		xd_vm_vbd_device_name(names[i].userdevice, names[i].hvm, d);
		is_str(d, names[i].want, "device %s (%s)", names[i].userdevice,
		       names[i].hvm ? "hvm" : "pv");
	}
	xd_value *r = vm_rec("Halted");
	is_str(xd_vm_domain_type(r), "hvm", "unspecified + boot policy -> hvm");
	/* 2 + shadow(256 + 2*256 pages -> 3) + 1 per-vCPU MiB */
	is_int(xd_vm_memory_overhead(r), 6 * MiB, "hvm overhead, 256 MiB 1 vCPU");
	xd_rec_set(r, "HVM_boot_policy", xd_string(""));
	is_str(xd_vm_domain_type(r), "pv", "unspecified, no boot policy -> pv");
	is_int(xd_vm_memory_overhead(r), 5 * MiB, "pv overhead");
	xd_rec_set(r, "domain_type", xd_string("pv_in_pvh"));
	is_str(xd_vm_domain_type(r), "pvh", "pv_in_pvh built as pvh");
	xd_rec_set(r, "memory_static_max", xd_int(4096 * MiB));
	xd_rec_set(r, "VCPUs_max", xd_int(4));
	xd_rec_set(r, "domain_type", xd_string("hvm"));
	/* 2 + ceil((1024 + 8192) / 256) = 36, + ceil(152/256) = 1 */
	is_int(xd_vm_memory_overhead(r), 39 * MiB, "hvm overhead, 4 GiB 4 vCPUs");
	xd_value_free(r);
}

int main(void)
{
	xd_error err = XD_ERROR_INIT;
	if (xd_dm_init() != 0 || xd_db_open(":memory:", &err) != 0) {
		printf("not ok 1 - set-up\n");
		return 1;
	}
	test_power_states();
	test_rules();
	test_in_progress();
	test_allowed();
	test_domain_helpers();
	xd_db_close();
	return tap_done();
}
