/* vm_lifecycle - a VM from a template with a new disk on the pool's default
 * SR, through its lifecycle, then removed:
 *     vm_lifecycle ADDRESS USER PASSWORD TEMPLATE NEW_NAME
 * Prints one line per step (CREATED, NAME, DISK, STATE ..., DESTROYED); exit 0 when
 * every step did what it should. The clean shutdown goes through the _async
 * form and its task, the others are synchronous. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/api/xen_all.h>

#include "transport.h"

static xen_session *s;

static void die(const char *what)
{
	example_print_error(what, s);
	xen_session_logout(s);
	_exit(1);
}

static void expect_state(xen_vm vm, enum xen_vm_power_state want)
{
	enum xen_vm_power_state st;

	if (!xen_vm_get_power_state(s, &st, vm))
		die("VM.get_power_state");
	printf("STATE %s\n", xen_vm_power_state_to_string(st));
	if (st != want) {
		fprintf(stderr, "power state %s, expected %s\n", xen_vm_power_state_to_string(st),
			xen_vm_power_state_to_string(want));
		xen_session_logout(s);
		_exit(1);
	}
}

static xen_vm find_template(const char *name)
{
	struct xen_vm_set *vms;
	xen_vm found = NULL;

	if (!xen_vm_get_by_name_label(s, &vms, (char *)name))
		die("VM.get_by_name_label");
	for (size_t i = 0; i < vms->size && !found; i++) {
		bool t;

		if (xen_vm_get_is_a_template(s, &t, vms->contents[i]) && t) {
			found = vms->contents[i];
			vms->contents[i] = NULL; /* ours now: the set frees the rest */
		}
	}
	xen_vm_set_free(vms);
	if (!found) {
		fprintf(stderr, "no template named %s\n", name);
		xen_session_logout(s);
		_exit(1);
	}
	return found;
}

static xen_sr default_sr(void)
{
	struct xen_pool_set *pools;
	xen_sr sr = NULL;

	if (!xen_pool_get_all(s, &pools))
		die("pool.get_all");
	if (pools->size && !xen_pool_get_default_sr(s, &sr, pools->contents[0]))
		die("pool.get_default_SR");
	xen_pool_set_free(pools);
	return sr;
}

/* A 4 MiB user disk on sr, attached to vm as its first, bootable disk. */
static xen_vdi add_disk(xen_vm vm, xen_sr sr, xen_vbd *vbd_out)
{
	xen_vdi_record *vr = xen_vdi_record_alloc();
	xen_vbd_record *br = xen_vbd_record_alloc();
	xen_vdi vdi;
	char *uuid;

	vr->name_label = strdup("c-client disk");
	vr->name_description = strdup("made by sdk/examples/c-client");
	vr->sr = xen_sr_record_opt_alloc();
	vr->sr->u.handle = strdup(sr);
	vr->virtual_size = 4 << 20;
	vr->type = XEN_VDI_TYPE_USER;
	vr->other_config = xen_string_string_map_alloc(0);
	vr->xenstore_data = xen_string_string_map_alloc(0);
	vr->sm_config = xen_string_string_map_alloc(0);
	vr->tags = xen_string_set_alloc(0);
	if (!xen_vdi_create(s, &vdi, vr))
		die("VDI.create");
	xen_vdi_record_free(vr);
	if (!xen_vdi_get_uuid(s, &uuid, vdi))
		die("VDI.get_uuid");
	printf("DISK %s\n", uuid);
	free(uuid);

	br->vm = xen_vm_record_opt_alloc();
	br->vm->u.handle = strdup(vm);
	br->vdi = xen_vdi_record_opt_alloc();
	br->vdi->u.handle = strdup(vdi);
	br->userdevice = strdup("0");
	br->bootable = true;
	br->mode = XEN_VBD_MODE_RW;
	br->type = XEN_VBD_TYPE_DISK;
	br->empty = false;
	br->other_config = xen_string_string_map_alloc(0);
	br->qos_algorithm_type = strdup("");
	br->qos_algorithm_params = xen_string_string_map_alloc(0);
	if (!xen_vbd_create(s, vbd_out, br))
		die("VBD.create");
	xen_vbd_record_free(br);
	return vdi;
}

/* VM.clean_shutdown through Async.VM.clean_shutdown and its task. */
static void shutdown_async(xen_vm vm)
{
	xen_task task;
	enum xen_task_status_type st = XEN_TASK_STATUS_TYPE_PENDING;

	if (!xen_vm_clean_shutdown_async(s, &task, vm))
		die("Async.VM.clean_shutdown");
	for (int i = 0; i < 600 && st == XEN_TASK_STATUS_TYPE_PENDING; i++) {
		if (!xen_task_get_status(s, &st, task))
			die("task.get_status");
		if (st == XEN_TASK_STATUS_TYPE_PENDING)
			usleep(50000);
	}
	printf("TASK %s\n", xen_task_status_type_to_string(st));
	if (st != XEN_TASK_STATUS_TYPE_SUCCESS) {
		struct xen_string_set *info;

		if (xen_task_get_error_info(s, &info, task)) {
			for (size_t i = 0; i < info->size; i++)
				fprintf(stderr, "task error: %s\n", info->contents[i]);
			xen_string_set_free(info);
		}
		xen_session_logout(s);
		_exit(1);
	}
	xen_task_destroy(s, task);
	xen_task_free(task);
}

int main(int argc, char **argv)
{
	xen_vm tmpl, vm;
	xen_sr sr;
	xen_vdi vdi;
	xen_vbd vbd;
	char *uuid;

	xen_init();
	s = example_login(argc, argv, 2);
	tmpl = find_template(argv[4]);
	if (!xen_vm_clone(s, &vm, tmpl, argv[5]))
		die("VM.clone");
	xen_vm_free(tmpl);
	if (!xen_vm_provision(s, vm) || !xen_vm_set_is_a_template(s, vm, false))
		die("VM.provision / set_is_a_template");
	if (!xen_vm_get_uuid(s, &uuid, vm))
		die("VM.get_uuid");
	printf("CREATED %s\n", uuid);
	free(uuid);
	if (!xen_vm_get_name_label(s, &uuid, vm))
		die("VM.get_name_label");
	printf("NAME %s\n", uuid);
	free(uuid);
	sr = default_sr();
	if (!sr || !strcmp(sr, "OpaqueRef:NULL")) {
		fprintf(stderr, "the pool has no default SR\n");
		return 1;
	}
	vdi = add_disk(vm, sr, &vbd);
	xen_sr_free(sr);

	expect_state(vm, XEN_VM_POWER_STATE_HALTED);
	if (!xen_vm_start(s, vm, false, false))
		die("VM.start");
	expect_state(vm, XEN_VM_POWER_STATE_RUNNING);
	if (!xen_vm_suspend(s, vm))
		die("VM.suspend");
	expect_state(vm, XEN_VM_POWER_STATE_SUSPENDED);
	if (!xen_vm_resume(s, vm, false, false))
		die("VM.resume");
	expect_state(vm, XEN_VM_POWER_STATE_RUNNING);
	shutdown_async(vm);
	expect_state(vm, XEN_VM_POWER_STATE_HALTED);

	if (!xen_vbd_destroy(s, vbd) || !xen_vdi_destroy(s, vdi) || !xen_vm_destroy(s, vm))
		die("destroy");
	printf("DESTROYED\n");
	xen_vbd_free(vbd);
	xen_vdi_free(vdi);
	xen_vm_free(vm);
	xen_session_logout(s);
	xen_fini();
	return 0;
}
