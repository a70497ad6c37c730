/* list_objects - lists the hosts, VMs and SRs with their records:
 *     list_objects ADDRESS USER PASSWORD [--all]
 * --all also reads every record of every class through get_all_records and
 * get_record (the memory check of doc/c-bindings.md runs it under valgrind).
 * Exit 0 when every call succeeded. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <xen/api/xen_all.h>

#include "transport.h"

static int failed;

static bool check(xen_session *s, const char *what)
{
	if (s->ok)
		return true;
	example_print_error(what, s);
	xen_session_clear_error(s);
	failed = 1;
	return false;
}

static void list_hosts(xen_session *s)
{
	xen_host_xen_host_record_map *hosts;

	if (!xen_host_get_all_records(s, &hosts) && !check(s, "host.get_all_records"))
		return;
	for (size_t i = 0; i < hosts->size; i++) {
		xen_host_record *r = hosts->contents[i].val;

		printf("HOST %s %s hostname=%s api=%" PRId64 ".%" PRId64 " cpus=%zu\n", r->uuid,
		       r->name_label, r->hostname, r->api_version_major, r->api_version_minor,
		       r->host_cpus ? r->host_cpus->size : 0);
	}
	xen_host_xen_host_record_map_free(hosts);
}

static void list_vms(xen_session *s)
{
	xen_vm_xen_vm_record_map *vms;

	if (!xen_vm_get_all_records(s, &vms) && !check(s, "VM.get_all_records"))
		return;
	for (size_t i = 0; i < vms->size; i++) {
		xen_vm_record *r = vms->contents[i].val;

		printf("VM %s %s power_state=%s template=%d control_domain=%d memory=%" PRId64
		       " vbds=%zu\n", r->uuid, r->name_label,
		       xen_vm_power_state_to_string(r->power_state), r->is_a_template,
		       r->is_control_domain, r->memory_static_max, r->vbds ? r->vbds->size : 0);
	}
	xen_vm_xen_vm_record_map_free(vms);
}

static void list_srs(xen_session *s)
{
	xen_sr_xen_sr_record_map *srs;

	if (!xen_sr_get_all_records(s, &srs) && !check(s, "SR.get_all_records"))
		return;
	for (size_t i = 0; i < srs->size; i++) {
		xen_sr_record *r = srs->contents[i].val;

		printf("SR %s %s type=%s physical_size=%" PRId64 " vdis=%zu\n", r->uuid,
		       r->name_label, r->type, r->physical_size, r->vdis ? r->vdis->size : 0);
	}
	xen_sr_xen_sr_record_map_free(srs);
}

/* Every record of a class twice: the map of all, then each by its ref; the
 * uuids must agree. The macro keeps the 25 classes to one line each. */
#define READ_ALL(cls, label)                                                            \
	do {                                                                            \
		xen_##cls##_xen_##cls##_record_map *all;                                \
		size_t n = 0;                                                           \
		if (!xen_##cls##_get_all_records(s, &all)) {                            \
			check(s, label ".get_all_records");                             \
			break;                                                          \
		}                                                                       \
		for (size_t i = 0; i < all->size; i++) {                                \
			xen_##cls##_record *one;                                        \
			if (!xen_##cls##_get_record(s, &one, all->contents[i].key)) {   \
				check(s, label ".get_record");                          \
				continue;                                               \
			}                                                               \
			if (strcmp(one->uuid, all->contents[i].val->uuid) ||            \
			    strcmp(one->handle, all->contents[i].key)) {                \
				fprintf(stderr, label ": records disagree\n");          \
				failed = 1;                                             \
			}                                                               \
			n++;                                                            \
			xen_##cls##_record_free(one);                                   \
		}                                                                       \
		printf("CLASS %s %zu\n", label, n);                                     \
		xen_##cls##_xen_##cls##_record_map_free(all);                           \
	} while (0)

static void read_everything(xen_session *s)
{
	READ_ALL(pool, "pool");
	READ_ALL(host, "host");
	READ_ALL(host_metrics, "host_metrics");
	READ_ALL(host_cpu, "host_cpu");
	READ_ALL(vm, "VM");
	READ_ALL(vm_metrics, "VM_metrics");
	READ_ALL(vm_guest_metrics, "VM_guest_metrics");
	READ_ALL(vbd, "VBD");
	READ_ALL(vdi, "VDI");
	READ_ALL(sr, "SR");
	READ_ALL(pbd, "PBD");
	READ_ALL(sm, "SM");
	READ_ALL(network, "network");
	READ_ALL(pif, "PIF");
	READ_ALL(pif_metrics, "PIF_metrics");
	READ_ALL(vif, "VIF");
	READ_ALL(vlan, "VLAN");
	READ_ALL(bond, "Bond");
	READ_ALL(tunnel, "tunnel");
	READ_ALL(task, "task");
	READ_ALL(message, "message");
	READ_ALL(console, "console");
	READ_ALL(blob, "blob");
	READ_ALL(secret, "secret");
	{
		xen_session_record *me;

		if (xen_session_get_record(s, &me, s)) {
			printf("SESSION %s user=%s\n", me->uuid, me->this_user);
			xen_session_record_free(me);
		} else {
			check(s, "session.get_record");
		}
	}
}

int main(int argc, char **argv)
{
	xen_session *s;

	xen_init();
	s = example_login(argc, argv, 0);
	list_hosts(s);
	list_vms(s);
	list_srs(s);
	if (argc > 4 && !strcmp(argv[4], "--all"))
		read_everything(s);
	xen_session_logout(s);
	xen_fini();
	return failed;
}
