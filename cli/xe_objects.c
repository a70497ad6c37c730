/* xe_objects.c - upstream xe's plain creators and destroyers and the one-value
 * queries on a selected object: secret-create, secret-destroy, vm-create
 * (a bare VM with upstream's defaults), vm-destroy (its disks kept),
 * vm-compute-memory-overhead, vm-compute-maximum-memory,
 * host-compute-memory-overhead, host-get-server-certificate and blob-create
 * (a blob on its owner: <class>.create_new_blob).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xe_cmds.h"
#include "xe_format.h"
#include "xe_obj.h"
#include "xe_select.h"
#include "xe_util.h"

static int cmd_secret_create(xe_client *x, const xe_opts *o)
{
	const char *value = xe_obj_required(o, "value");
	xd_value *rec, *args;

	if (!value)
		return 1;
	rec = xd_struct();
	xd_struct_set_take(rec, "value", xd_string(value));
	xd_struct_set_take(rec, "other_config", xe_map_params(o, "other-config:"));
	args = xd_array();
	xd_array_append_take(args, rec);
	return xe_call_and_print(x, "secret.create", args, "secret");
}

static int cmd_secret_destroy(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "secret", "destroy");
}

/* vm-create name-label= [name-description=]: upstream's defaults (256 MiB
 * static/dynamic max, 128 MiB min, one vCPU, destroy on shutdown and crash). */
static int cmd_vm_create(xe_client *x, const xe_opts *o)
{
	static const char *const ints[][2] = {
		{ "user_version", "0" },          { "memory_static_max", "268435456" },
		{ "memory_dynamic_max", "268435456" }, { "memory_dynamic_min", "134217728" },
		{ "memory_static_min", "134217728" },  { "VCPUs_max", "1" },
		{ "VCPUs_at_startup", "1" },
	};
	static const char *const strs[][2] = {
		{ "actions_after_shutdown", "destroy" }, { "actions_after_reboot", "restart" },
		{ "actions_after_crash", "destroy" },    { "PV_bootloader", "" },
		{ "PV_kernel", "" },                     { "PV_ramdisk", "" },
		{ "PV_args", "" },                       { "PV_bootloader_args", "" },
		{ "PV_legacy_args", "" },                { "HVM_boot_policy", "" },
		{ "PCI_bus", "" },                       { "recommendations", "" },
		{ "affinity", "OpaqueRef:NULL" },
	};
	static const char *const maps[] = { "VCPUs_params", "HVM_boot_params", "platform",
					    "other_config" };
	const char *name = xe_obj_required(o, "name-label");
	const char *desc = xe_opts_get(o, "name-description");
	xd_value *rec, *args;

	if (!name)
		return 1;
	rec = xd_struct();
	xd_struct_set_take(rec, "name_label", xd_string(name));
	xd_struct_set_take(rec, "name_description", xd_string(desc ? desc : ""));
	xd_struct_set_take(rec, "is_a_template", xd_bool(false));
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		xd_struct_set_take(rec, ints[i][0], xd_int(strtoll(ints[i][1], NULL, 10)));
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		xd_struct_set_take(rec, strs[i][0], xd_string(strs[i][1]));
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		xd_struct_set_take(rec, maps[i], xd_struct());
	args = xd_array();
	xd_array_append_take(args, rec);
	return xe_call_and_print(x, "VM.create", args, "VM");
}

/* vm-destroy uuid=: the record only (vm-uninstall takes the disks too); a
 * control domain is refused as upstream's CLI does. */
static int cmd_vm_destroy(xe_client *x, const xe_opts *o)
{
	char *vm = xe_ref_param(x, o, "uuid", "VM");
	xd_value *dom0;
	int rc;

	if (!vm)
		return 1;
	dom0 = xe_client_call(x, "VM.get_is_control_domain", xe_strings(1, vm));
	if (!dom0) {
		free(vm);
		return 1;
	}
	if (dom0->t == XD_V_BOOL && dom0->u.b) {
		xd_error err = XD_ERROR_INIT;

		xd_error_set(&err, "OPERATION_NOT_ALLOWED",
			     "You cannot destroy a control domain via the CLI", NULL);
		xe_print_error(&err);
		xd_error_clear(&err);
		rc = 1;
	} else {
		rc = xe_call_and_print(x, "VM.destroy", xe_strings(1, vm), NULL);
	}
	xd_value_free(dom0);
	free(vm);
	return rc;
}

/* A call's result (taken) on a line: a number, or a string (int64 as
 * XML-RPC strings, certificates). The exit code: 1 if the call failed. */
static int print_line(xd_value *r)
{
	if (!r)
		return 1;
	if (r->t == XD_V_INT)
		printf("%lld\n", (long long)r->u.i);
	else if (r->t == XD_V_STRING)
		printf("%s\n", r->u.s);
	xd_value_free(r);
	return 0;
}

/* vm-compute-maximum-memory total=<size> [approximate=]: VM.maximise_memory. */
typedef struct max_memory_args {
	int64_t total;
	bool approximate;
} max_memory_args;

static int op_max_memory(xe_client *x, const xe_opts *o, const xe_selected *vm, void *ud)
{
	const max_memory_args *a = ud;
	xd_value *args = xe_strings(1, vm->ref), *r;

	(void)o;
	xd_array_append_take(args, xd_int(a->total));
	xd_array_append_take(args, xd_bool(a->approximate));
	r = xe_client_call(x, "VM.maximise_memory", args);
	return print_line(r);
}

static int cmd_vm_compute_maximum_memory(xe_client *x, const xe_opts *o)
{
	const char *total = xe_obj_required(o, "total");
	max_memory_args a = { 0, false };

	if (!total)
		return 1;
	if (xe_parse_size(total, &a.total) < 0) {
		xe_fail("Parameter total: '%s' is not a size (a number of bytes, or with a suffix "
			"KiB, MiB, GiB, TiB)", total);
		return 1;
	}
	if (xe_bool_param(o, "approximate", false, &a.approximate) < 0)
		return 1;
	return xe_select_each(x, o, XE_VM_SPEC(XE_VM_IMPLICIT, "total", "approximate"), true,
			      op_max_memory, &a);
}

/* <method>(ref of the selected object) on a line. */
static int op_print(xe_client *x, const xe_opts *o, const xe_selected *obj, void *ud)
{
	(void)o;
	return print_line(xe_client_call(x, ud, xe_strings(1, obj->ref)));
}


static int cmd_vm_compute_memory_overhead(xe_client *x, const xe_opts *o)
{
	/* upstream includes control domains here */
	return xe_select_each(x, o, XE_VM_SPEC("is-a-template=false", "force"), true, op_print,
			      (void *)"VM.compute_memory_overhead");
}

static int cmd_host_compute_memory_overhead(xe_client *x, const xe_opts *o)
{
	return xe_select_each(x, o, XE_HOST_SPEC("force"), true, op_print,
			      (void *)"host.compute_memory_overhead");
}

static int cmd_host_get_server_certificate(xe_client *x, const xe_opts *o)
{
	return xe_select_each(x, o, XE_HOST_SPEC("force"), false, op_print,
			      (void *)"host.get_server_certificate");
}

/* blob-create name= [mime-type=] [public=] on one owner: vm-uuid,
 * pool-uuid, sr-uuid, host-uuid or network-uuid, looked for in upstream's
 * order. Prints the new blob's uuid. */
static int cmd_blob_create(xe_client *x, const xe_opts *o)
{
	static const char *const owners[][2] = {
		{ "vm-uuid", "VM" },     { "pool-uuid", "pool" },       { "sr-uuid", "SR" },
		{ "host-uuid", "host" }, { "network-uuid", "network" },
	};
	const char *name = xe_obj_required(o, "name");
	const char *mime = xe_opts_get(o, "mime-type");
	bool public;

	if (!name || xe_bool_param(o, "public", false, &public) < 0)
		return 1;
	for (size_t i = 0; i < sizeof(owners) / sizeof(owners[0]); i++) {
		if (!xe_opts_get(o, owners[i][0]))
			continue;
		char *ref = xe_ref_param(x, o, owners[i][0], owners[i][1]);
		if (!ref)
			return 1;
		char *method = xe_printf("%s.create_new_blob", owners[i][1]);
		xd_value *args = xe_strings(3, ref, name, mime ? mime : "");
		xd_array_append_take(args, xd_bool(public));
		int rc = xe_call_and_print(x, method, args, "blob");
		free(method);
		free(ref);
		return rc;
	}
	xe_fail("Need one of: vm-uuid, host-uuid, network-uuid, sr-uuid or pool-uuid");
	return 1;
}

static const xe_named_cmd cmds[] = {
	{ "blob-create", cmd_blob_create, "name",
	  "mime-type, vm-uuid, host-uuid, sr-uuid, network-uuid, pool-uuid, public",
	  "Create a binary blob to be associated with an API object" },
	{ "secret-create", cmd_secret_create, "value", "other-config:", "Create a secret" },
	{ "secret-destroy", cmd_secret_destroy, "uuid", "", "Destroy a secret" },
	{ "vm-create", cmd_vm_create, "name-label", "name-description",
	  "Create a new VM with default parameters." },
	{ "vm-destroy", cmd_vm_destroy, "uuid", "",
	  "Destroy a VM. This leaves the storage associated with the VM intact. To delete "
	  "storage too, use vm-uninstall." },
	{ "vm-compute-memory-overhead", cmd_vm_compute_memory_overhead, "", "<vm-selectors>",
	  "Computes the virtualization memory overhead of a VM." },
	{ "vm-compute-maximum-memory", cmd_vm_compute_maximum_memory, "total",
	  "approximate, <vm-selectors>",
	  "Compute the maximum amount of guest memory given the VM's configuration. By default "
	  "give a precise limit, if approximate is set then allow some extra wiggle-room." },
	{ "host-compute-memory-overhead", cmd_host_compute_memory_overhead, "", "<host-selectors>",
	  "Computes the virtualization memory overhead of a host." },
	{ "host-get-server-certificate", cmd_host_get_server_certificate, "", "<host-selectors>",
	  "Get the server TLS certificate of a host" },
};

const size_t xe_object_ncmds = sizeof(cmds) / sizeof(cmds[0]);
const xe_named_cmd *const xe_object_cmds = cmds;
