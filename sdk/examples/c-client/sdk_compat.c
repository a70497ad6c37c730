/* sdk_compat - the API surface that programs written for upstream's C SDK
 * use (its own test programs: test_vm_ops, test_get_records, test_enumerate,
 * test_event_handling, test_failures, test_vm_async_migrate), called the way
 * they call it, so that a change that breaks such a program breaks this one:
 *     sdk_compat ADDRESS USER PASSWORD SR_NAME
 * Records on the stack with string literals and record_opts holding handles
 * (as test_vm_ops builds its VDI and VBD), enum-keyed maps, record_opt sets
 * followed by get_record, an async call's task, event.from with a token, a
 * session passed as an argument. Prints one line per step ("STEP what ...");
 * exit 0 when every step did what it must. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/api/xen_all.h>

#include "transport.h"

static int failed;

static bool check(xen_session *s, bool ok, const char *what)
{
	if (ok && s->ok)
		return true;
	example_print_error(what, s);
	xen_session_clear_error(s);
	failed = 1;
	return false;
}

/* test_vm_ops: the host's versions, bootloaders and capabilities. */
static void host_facts(xen_session *s)
{
	xen_host host;
	xen_string_string_map *versions = NULL;
	xen_string_set *loaders = NULL, *caps = NULL;

	if (!check(s, xen_session_get_this_host(s, &host, s), "get_this_host"))
		return;
	if (check(s, xen_host_get_software_version(s, &versions, host) &&
		     xen_host_get_supported_bootloaders(s, &loaders, host) &&
		     xen_host_get_capabilities(s, &caps, host), "host facts")) {
		const char *brand = "";

		for (size_t i = 0; i < versions->size; i++)
			if (!strcmp(versions->contents[i].key, "product_brand"))
				brand = versions->contents[i].val;
		printf("STEP host brand=%s bootloaders=%zu capabilities=%zu\n", brand,
		       loaders->size, caps->size);
	}
	xen_string_string_map_free(versions);
	xen_string_set_free(loaders);
	xen_string_set_free(caps);
	xen_host_free(host);
}

/* test_get_records: every host and template, a clone with a blocked
 * operation read back through the enum-keyed map. */
static void records(xen_session *s)
{
	xen_host_xen_host_record_map *hosts;
	xen_vm_xen_vm_record_map *vms;
	xen_sr_xen_sr_record_map *srs;
	char uuid[256] = "";
	size_t templates = 0;
	xen_vm orig, clone;
	xen_vm_record *rec;

	if (!check(s, xen_host_get_all_records(s, &hosts), "host.get_all_records"))
		return;
	for (size_t i = 0; i < hosts->size; i++)
		printf("STEP host_record %s edition=%s\n", hosts->contents[i].val->name_label,
		       hosts->contents[i].val->edition);
	xen_host_xen_host_record_map_free(hosts);

	if (!check(s, xen_vm_get_all_records(s, &vms), "VM.get_all_records"))
		return;
	for (size_t i = 0; i < vms->size; i++) {
		xen_vm_record *r = vms->contents[i].val;

		if (!r->is_a_template)
			continue;
		if (!uuid[0])
			snprintf(uuid, sizeof(uuid), "%s", r->uuid);
		templates++;
	}
	xen_vm_xen_vm_record_map_free(vms);
	printf("STEP templates %zu\n", templates);

	if (!check(s, xen_vm_get_by_uuid(s, &orig, uuid), "VM.get_by_uuid"))
		return;
	xen_vm_clone(s, &clone, orig, "clonedVM");
	xen_vm_free(orig);
	if (!check(s, true, "VM.clone"))
		return;
	xen_vm_add_to_blocked_operations(s, clone, XEN_VM_OPERATIONS_POOL_MIGRATE, "123");
	if (check(s, xen_vm_get_record(s, &rec, clone), "VM.get_record")) {
		printf("STEP clone allowed=%zu", rec->allowed_operations->size);
		for (size_t k = 0; k < rec->blocked_operations->size; k++)
			printf(" blocked=%s:%s",
			       xen_vm_operations_to_string(rec->blocked_operations->contents[k].key),
			       rec->blocked_operations->contents[k].val);
		printf("\n");
		xen_vm_record_free(rec);
	}
	check(s, xen_vm_destroy(s, clone), "VM.destroy");
	xen_vm_free(clone);

	if (!check(s, xen_sr_get_all_records(s, &srs), "SR.get_all_records"))
		return;
	printf("STEP srs %zu\n", srs->size);
	xen_sr_xen_sr_record_map_free(srs);
}

/* test_enumerate: a VM's VBDs and consoles, each record_opt's handle
 * followed with get_record. */
static void enumerate(xen_session *s)
{
	xen_vm_set *vms;
	size_t vbds = 0, consoles = 0;

	if (!check(s, xen_vm_get_all(s, &vms), "VM.get_all"))
		return;
	for (size_t i = 0; i < vms->size; i++) {
		xen_vm_record *rec;

		if (!check(s, xen_vm_get_record(s, &rec, vms->contents[i]), "VM.get_record"))
			continue;
		for (size_t j = 0; rec->vbds && j < rec->vbds->size; j++) {
			xen_vbd_record_opt *o = rec->vbds->contents[j];
			xen_vbd_record *vbd;

			if (!o->is_record &&
			    check(s, xen_vbd_get_record(s, &vbd, o->u.handle), "VBD.get_record")) {
				vbds++;
				xen_vbd_record_free(vbd);
			}
		}
		for (size_t j = 0; rec->consoles && j < rec->consoles->size; j++) {
			xen_console_record_opt *o = rec->consoles->contents[j];
			xen_console_record *c;

			if (!o->is_record && check(s, xen_console_get_record(s, &c, o->u.handle),
						   "console.get_record")) {
				if (xen_console_protocol_to_string(c->protocol))
					consoles++;
				xen_console_record_free(c);
			}
		}
		if (rec->is_control_domain)
			printf("STEP control_domain %s\n", xen_vm_power_state_to_string(rec->power_state));
		xen_vm_record_free(rec);
	}
	printf("STEP enumerated vms=%zu vbds=%zu consoles=%zu\n", vms->size, vbds, consoles);
	xen_vm_set_free(vms);
}

static void print_power_state(xen_session *s, xen_vm vm)
{
	enum xen_vm_power_state state;

	if (check(s, xen_vm_get_power_state(s, &state, vm), "VM.get_power_state"))
		printf("STEP power_state %s\n", xen_vm_power_state_to_string(state));
}

/* test_vm_ops: a VM from a template, its disk made from records on the
 * stack, through start/suspend/resume/shutdown; an async call's failure
 * read from its task. */
static void vm_ops(xen_session *s, char *sr_name)
{
	xen_vm_set *templates;
	xen_sr_set *srs;
	xen_vm vm;
	xen_vdi vdi0;
	xen_vbd vbd0;
	xen_task task;
	char *name_after, *vm_uuid, *vdi_uuid, *vbd_uuid;
	xen_string_string_map *params;

	if (!check(s, xen_vm_get_by_name_label(s, &templates, "Other install media") &&
		      templates->size > 0, "template"))
		return;
	xen_vm_clone(s, &vm, templates->contents[0], "NewVM <&>");
	xen_vm_set_free(templates);
	if (!check(s, true, "VM.clone"))
		return;
	if (check(s, xen_vm_get_name_label(s, &name_after, vm), "VM.get_name_label")) {
		printf("STEP name %s\n", name_after);
		free(name_after);
	}
	xen_vm_add_to_other_config(s, vm, "compat", "yes");
	xen_vm_remove_from_other_config(s, vm, "compat");
	xen_vm_set_name_description(s, vm, "An example VM created via C bindings");
	xen_vm_provision(s, vm);
	check(s, true, "VM.provision");

	if (!check(s, xen_sr_get_by_name_label(s, &srs, sr_name) && srs->size > 0, "SR"))
		goto out;
	xen_sr_record_opt sr_record = { .u.handle = srs->contents[0] };
	xen_string_string_map *other_config = xen_string_string_map_alloc(0);
	xen_vdi_record vdi0_record = {
		.name_label = "MyRootFS",
		.name_description = "MyRootFS description",
		.sr = &sr_record,
		.virtual_size = 1024 * 1024 * 1024,
		.type = XEN_VDI_TYPE_SYSTEM,
		.sharable = false,
		.read_only = false,
		.other_config = other_config,
	};
	bool made = check(s, xen_vdi_create(s, &vdi0, &vdi0_record), "VDI.create");

	xen_string_string_map_free(other_config);
	xen_sr_set_free(srs);
	if (!made)
		goto out;
	xen_vm_record_opt vm_record_opt = { .u.handle = vm };
	xen_vdi_record_opt vdi0_record_opt = { .u.handle = vdi0 };
	xen_string_string_map *qos = xen_string_string_map_alloc(0);
	xen_string_string_map *vbd_other_config = xen_string_string_map_alloc(0);
	xen_vbd_record vbd0_record = {
		.vm = &vm_record_opt,
		.vdi = &vdi0_record_opt,
		.userdevice = "xvda",
		.type = xen_vbd_type_from_string(s, "Disk"),
		.mode = XEN_VBD_MODE_RW,
		.bootable = 1,
		.qos_algorithm_params = qos,
		.other_config = vbd_other_config,
	};

	made = check(s, xen_vbd_create(s, &vbd0, &vbd0_record), "VBD.create");
	xen_string_string_map_free(qos);
	xen_string_string_map_free(vbd_other_config);
	if (made) {
		xen_vm_get_uuid(s, &vm_uuid, vm);
		xen_vdi_get_uuid(s, &vdi_uuid, vdi0);
		xen_vbd_get_uuid(s, &vbd_uuid, vbd0);
		if (check(s, true, "uuids"))
			printf("STEP created vm=%s vdi=%s vbd=%s\n", vm_uuid, vdi_uuid, vbd_uuid);
		xen_uuid_free(vm_uuid);
		xen_uuid_free(vdi_uuid);
		xen_uuid_free(vbd_uuid);
		xen_vbd_free(vbd0);
	}

	/* test_vm_ops: a blob of its own and one named in the VM's blobs */
	xen_blob blob, vm_blob;
	xen_blob_record *blob_record;

	if (check(s, xen_blob_create(s, &blob, "hello", false), "blob.create")) {
		if (check(s, xen_vm_create_new_blob(s, &vm_blob, vm, "test", "test", false),
			  "VM.create_new_blob")) {
			if (check(s, xen_blob_get_record(s, &blob_record, vm_blob), "blob.get_record")) {
				printf("STEP blob mime_type=%s\n", blob_record->mime_type);
				xen_blob_record_free(blob_record);
			}
			xen_blob_free(vm_blob);
		}
		check(s, xen_blob_destroy(s, blob), "blob.destroy");
		xen_blob_free(blob);
	}

	xen_vm_set_actions_after_shutdown(s, vm, XEN_ON_NORMAL_EXIT_RESTART);
	if (check(s, xen_vm_get_hvm_boot_params(s, &params, vm), "VM.get_HVM_boot_params")) {
		printf("STEP hvm_boot_params %zu\n", params->size);
		xen_string_string_map_free(params);
	}
	print_power_state(s, vm);
	check(s, xen_vm_start(s, vm, false, false), "VM.start");
	print_power_state(s, vm);

	/* test_vm_async_migrate's pattern: an async call, its task polled,
	 * the failure's error_info read (starting a running VM must fail). */
	if (check(s, xen_vm_start_async(s, &task, vm, false, false), "Async.VM.start")) {
		enum xen_task_status_type status = XEN_TASK_STATUS_TYPE_PENDING;
		xen_string_set *info = NULL;

		for (int i = 0; i < 600 && status == XEN_TASK_STATUS_TYPE_PENDING; i++) {
			if (!check(s, xen_task_get_status(s, &status, task), "task.get_status"))
				break;
			if (status == XEN_TASK_STATUS_TYPE_PENDING)
				usleep(100 * 1000);
		}
		if (status == XEN_TASK_STATUS_TYPE_FAILURE &&
		    check(s, xen_task_get_error_info(s, &info, task), "task.get_error_info"))
			printf("STEP task failure %s\n", info->size ? info->contents[0] : "");
		else
			printf("STEP task %s\n", xen_task_status_type_to_string(status));
		xen_string_set_free(info);
		xen_task_destroy(s, task);
		xen_task_free(task);
	}

	check(s, xen_vm_suspend(s, vm), "VM.suspend");
	print_power_state(s, vm);
	check(s, xen_vm_resume(s, vm, false, false), "VM.resume");
	print_power_state(s, vm);
	check(s, xen_vm_hard_shutdown(s, vm), "VM.hard_shutdown");
	print_power_state(s, vm);
	check(s, xen_vdi_destroy(s, vdi0), "VDI.destroy");
	xen_vdi_free(vdi0);
out:
	check(s, xen_vm_destroy(s, vm), "VM.destroy");
	xen_vm_free(vm);
}

/* test_event_handling: every class, from an empty token, then from the
 * token returned while this session changes a VM. */
static void events(xen_session *s)
{
	struct xen_string_set *classes = xen_string_set_alloc(1);
	struct xen_event_batch *batch;
	char token[512] = "";
	xen_vm_set *vms;
	size_t mods = 0;

	classes->contents[0] = strdup("*");
	if (check(s, xen_event_from(s, &batch, classes, token, 0), "event.from")) {
		snprintf(token, sizeof(token), "%s", batch->token);
		printf("STEP events first=%zu token=%d\n", batch->events->size, token[0] != 0);
		xen_event_batch_free(batch);
	}
	if (check(s, xen_vm_get_by_name_label(s, &vms, "Other install media") && vms->size,
		  "template")) {
		xen_vm_add_to_other_config(s, vms->contents[0], "compat-event", "1");
		xen_vm_remove_from_other_config(s, vms->contents[0], "compat-event");
		xen_vm_set_free(vms);
	}
	if (check(s, xen_event_from(s, &batch, classes, token, 30), "event.from token")) {
		for (size_t i = 0; i < batch->events->size; i++) {
			xen_event_record *ev = batch->events->contents[i];

			if (ev->operation == XEN_EVENT_OPERATION_MOD && !strcmp(ev->class, "vm"))
				mods++;
		}
		printf("STEP events vm_mod=%d\n", mods > 0);
		xen_event_batch_free(batch);
	}
	xen_string_set_free(classes);
}

/* A session as an argument (VM.assert_can_be_recovered's session_to):
 * whatever the server answers comes back in the session. */
static void session_argument(xen_session *s)
{
	xen_vm_set *vms;

	if (!check(s, xen_vm_get_by_name_label(s, &vms, "Other install media") && vms->size,
		   "template"))
		return;
	if (xen_vm_assert_can_be_recovered(s, vms->contents[0], s))
		printf("STEP recover ok\n");
	else
		printf("STEP recover %s %s\n", s->error_description[0],
		       s->error_description_count > 1 ? s->error_description[1] : "");
	xen_session_clear_error(s);
	xen_vm_set_free(vms);
}

int main(int argc, char **argv)
{
	xen_session *s;

	xen_init();
	s = example_login(argc, argv, 1);
	/* test_failures */
	printf("STEP failure %d %s\n", xen_api_failure_from_string("INTERNAL_ERROR") ==
	       XEN_API_FAILURE_INTERNAL_ERROR,
	       xen_api_failure_to_string(XEN_API_FAILURE_HANDLE_INVALID));
	host_facts(s);
	records(s);
	enumerate(s);
	vm_ops(s, argv[4]);
	events(s);
	session_argument(s);
	xen_session_logout(s);
	xen_fini();
	printf("DONE failed=%d\n", failed);
	return failed;
}
