/* test_hv_sim.c - the simulated host: domids, the state machine, the memory
 * budget, faults, suspend images, devices, guest data, migration between
 * two threads, and concurrent use. Every refusal is checked with its exact
 * XenAPI error.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hv/hv.h"
#include "hv/hv_int.h"
#include "log.h"
#include "tap.h"

#define MiB (1024LL * 1024)
#define GiB (1024LL * MiB)

static const xd_hv_ops *hv;
static char tmpdir[] = "/tmp/test_hv_sim.XXXXXX";

static xd_hv_disk disks[3];
static xd_hv_nic nics[2];

static xd_hv_domain_spec spec_of(const char *uuid, int64_t target)
{
	disks[0] = (xd_hv_disk){ .vdev = "xvda", .datapath = "file:///srv/a.raw", .format = "raw" };
	disks[1] = (xd_hv_disk){ .vdev = "xvdb", .datapath = "nbd+unix:///?socket=/run/b.sock",
				 .format = "qcow2" };
	disks[2] = (xd_hv_disk){ .vdev = "xvdd", .cdrom = true, .readonly = true };
	nics[0] = (xd_hv_nic){ .devid = 0, .mac = "52:54:00:00:00:01", .bridge = "xenbr0" };
	nics[1] = (xd_hv_nic){ .devid = 1, .mac = "52:54:00:00:00:02", .bridge = "xenbr1" };
	return (xd_hv_domain_spec){ .vm_uuid = uuid, .name = uuid, .domain_type = "hvm",
				    .memory_static_max = 2 * target, .memory_target = target,
				    .vcpus_max = 4, .vcpus_at_startup = 2, .disks = disks,
				    .ndisks = 3, .nics = nics, .nnics = 2 };
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char msg[128];
static const char *no_domain(int domid)
{
	snprintf(msg, sizeof(msg), "domain %d does not exist", domid);
	return msg;
}

static const char *crashed(int domid)
{
	snprintf(msg, sizeof(msg), "domain %d is crashed", domid);
	return msg;
}

/* The simulated guest's IPv4 address: 198.18.0.0/15 + (domid << 3 | devid). */
static const char *guest_ip(int domid, int devid)
{
	static char ip[2][32];
	unsigned off = (((unsigned)domid << 3) | (unsigned)devid) & 0x1ffffu;
	snprintf(ip[devid & 1], sizeof(ip[0]), "198.%u.%u.%u", 18 + (off >> 16), (off >> 8) & 255u,
		 off & 255u);
	return ip[devid & 1];
}

/* err holds code with params p0, p1 (NULL = not checked); cleared after. */
static void check_err(xd_error *err, const char *what, const char *code, const char *p0,
		      const char *p1)
{
	is_str(err->code, code, "%s: %s", what, code);
	if (p0)
		is_str(err->nparams > 0 ? err->params[0] : NULL, p0, "%s: param 1", what);
	if (p1)
		is_str(err->nparams > 1 ? err->params[1] : NULL, p1, "%s: param 2", what);
	xd_error_clear(err);
}

static int state_of(int domid)
{
	xd_hv_dominfo di;
	xd_error err = XD_ERROR_INIT;
	if (hv->info(domid, &di, &err) < 0) {
		xd_error_clear(&err);
		return -1;
	}
	return (int)di.state;
}

static void test_memory_and_domids(void)
{
	xd_error err = XD_ERROR_INIT;
	xd_hv_domain_spec s;
	int d[5];

	xd_hv_sim_set_memory(1 * GiB);
	is_int(hv->total_memory(), 1 * GiB, "total memory as set");
	is_int(hv->free_memory(), 1 * GiB, "all free");
	s = spec_of("00000000-0000-0000-0000-000000000001", 256 * MiB);
	d[0] = hv->create(&s, &err);
	is_int(d[0], 1, "the first domid is 1");
	s.vm_uuid = "00000000-0000-0000-0000-000000000002";
	d[1] = hv->create(&s, &err);
	s.vm_uuid = "00000000-0000-0000-0000-000000000003";
	d[2] = hv->create(&s, &err);
	s.vm_uuid = "00000000-0000-0000-0000-000000000004";
	d[3] = hv->create(&s, &err);
	ok(d[1] == 2 && d[2] == 3 && d[3] == 4, "domids count up");
	is_int(hv->free_memory(), 0, "budget used up");
	s.vm_uuid = "00000000-0000-0000-0000-000000000005";
	is_int(hv->create(&s, &err), -1, "a fifth domain does not fit");
	check_err(&err, "no memory", "HOST_NOT_ENOUGH_FREE_MEMORY", "268435456", "0");

	s.vm_uuid = "00000000-0000-0000-0000-000000000001";
	is_int(hv->create(&s, &err), -1, "a second domain of one VM refused");
	check_err(&err, "same VM twice", "INTERNAL_ERROR",
		  "VM 00000000-0000-0000-0000-000000000001 already has domain 1", NULL);

	ok(hv->destroy(d[1], &err) == 0, "destroy");
	is_int(hv->free_memory(), 256 * MiB, "destroy gives the memory back");
	is_int(hv->destroy(d[1], &err), -1, "destroy twice");
	check_err(&err, "destroy twice", "INTERNAL_ERROR", "domain 2 does not exist", NULL);
	s.vm_uuid = "00000000-0000-0000-0000-000000000005";
	d[4] = hv->create(&s, &err);
	is_int(d[4], 5, "domids are not reused");

	/* memory target moves within the budget and static max */
	ok(hv->destroy(d[2], &err) == 0, "destroy another");
	ok(hv->set_memory_target(d[0], 512 * MiB, &err) == 0, "grow to static max");
	is_int(hv->free_memory(), 0, "growth taken from the budget");
	is_int(hv->set_memory_target(d[0], 512 * MiB + 1, &err), -1, "beyond static max");
	check_err(&err, "beyond static max", "MEMORY_CONSTRAINT_VIOLATION_ORDER", NULL, NULL);
	is_int(hv->set_memory_target(d[0], 0, &err), -1, "zero target");
	check_err(&err, "zero target", "MEMORY_CONSTRAINT_VIOLATION_ORDER", NULL, NULL);
	ok(hv->set_memory_target(d[0], 128 * MiB, &err) == 0, "shrink");
	is_int(hv->free_memory(), 384 * MiB, "shrinking frees");
	ok(hv->set_memory_target(d[3], 512 * MiB, &err) == 0, "grow another by 256 MiB");
	is_int(hv->set_memory_target(d[4], 512 * MiB, &err), -1, "growth beyond the budget");
	check_err(&err, "growth beyond the budget", "HOST_NOT_ENOUGH_FREE_MEMORY", "268435456",
		  "134217728");
	xd_hv_dominfo di;
	ok(hv->info(d[0], &di, &err) == 0, "info");
	is_int(di.memory_actual, 128 * MiB, "memory_actual follows the target");
	is_int(di.vcpus, 2, "VCPUs_at_startup online");
	ok(hv->set_vcpus(d[0], 4, &err) == 0, "set 4 vCPUs");
	is_int(hv->set_vcpus(d[0], 5, &err), -1, "5 vCPUs of 4");
	check_err(&err, "too many vCPUs", "INTERNAL_ERROR",
		  "the maximum number of vcpus configured for this VM is currently: 4", NULL);
	is_int(hv->set_vcpus(d[0], 0, &err), -1, "0 vCPUs");
	xd_error_clear(&err);
	ok(hv->info(d[0], &di, &err) == 0 && di.vcpus == 4, "4 vCPUs online");

	hv->destroy(d[0], &err);
	hv->destroy(d[3], &err);
	hv->destroy(d[4], &err);
	is_int(hv->free_memory(), 1 * GiB, "all free again");

	/* bad specs: the checks every backend makes */
	s = spec_of("00000000-0000-0000-0000-000000000006", 256 * MiB);
	s.memory_target = s.memory_static_max + 1;
	is_int(hv->create(&s, &err), -1, "target above static max");
	check_err(&err, "target above static max", "MEMORY_CONSTRAINT_VIOLATION_ORDER", NULL, NULL);
	s = spec_of("00000000-0000-0000-0000-000000000006", 256 * MiB);
	s.domain_type = "kvm";
	is_int(hv->create(&s, &err), -1, "unknown domain type");
	check_err(&err, "unknown domain type", "INVALID_VALUE", "domain_type", "kvm");
	s = spec_of("00000000-0000-0000-0000-000000000006", 256 * MiB);
	disks[1].vdev = "xvda";
	is_int(hv->create(&s, &err), -1, "two disks on one vdev");
	check_err(&err, "two disks on one vdev", "DEVICE_ALREADY_ATTACHED", "xvda", NULL);
	s = spec_of("00000000-0000-0000-0000-000000000006", 256 * MiB);
	disks[0].datapath = NULL;
	is_int(hv->create(&s, &err), -1, "a disk without datapath");
	check_err(&err, "a disk without datapath", "INTERNAL_ERROR", "disk xvda has no datapath",
		  NULL);
}

static void test_states(void)
{
	const char *vm = "11111111-0000-0000-0000-000000000001";
	xd_error err = XD_ERROR_INIT;
	xd_hv_domain_spec s = spec_of(vm, 64 * MiB);
	xd_hv_dominfo di;
	double t0, c1, c2;
	int d;

	xd_hv_sim_set_memory(4 * GiB);
	d = hv->create(&s, &err);
	ok(d > 0, "create");
	is_int(state_of(d), XD_DOM_PAUSED, "created paused");
	hv->info(d, &di, &err);
	ok(di.cpu_time_s == 0.0, "no cpu time before it runs");
	ok(hv->unpause(d, &err) == 0, "unpause");
	is_int(state_of(d), XD_DOM_RUNNING, "running");
	ok(hv->unpause(d, &err) == 0, "unpause a running domain: nothing to do");
	usleep(60000);
	hv->info(d, &di, &err);
	c1 = di.cpu_time_s;
	ok(c1 >= 0.05, "cpu time advances while running (%.3f)", c1);
	ok(hv->pause(d, &err) == 0, "pause");
	is_int(state_of(d), XD_DOM_PAUSED, "paused");
	hv->info(d, &di, &err);
	c1 = di.cpu_time_s;
	usleep(30000);
	hv->info(d, &di, &err);
	c2 = di.cpu_time_s;
	ok(c1 == c2, "cpu time stands still while paused");

	/* a paused guest cannot acknowledge a clean shutdown */
	t0 = now_s();
	is_int(hv->shutdown(d, XD_SHUTDOWN_POWEROFF, 0.1, &err), -1, "clean shutdown of a paused domain");
	ok(now_s() - t0 >= 0.09, "waited for the timeout");
	check_err(&err, "paused guest", "VM_SHUTDOWN_TIMEOUT", vm, "0.1");
	is_int(state_of(d), XD_DOM_PAUSED, "still paused");
	ok(hv->unpause(d, &err) == 0, "unpause again");

	is_int(hv->shutdown(d, XD_SHUTDOWN_SUSPEND, 1, &err), -1, "shutdown for suspend");
	check_err(&err, "shutdown for suspend", "INTERNAL_ERROR",
		  "a domain is suspended with suspend, not shutdown", NULL);
	ok(hv->shutdown(d, XD_SHUTDOWN_POWEROFF, 5, &err) == 0, "clean shutdown acknowledged");
	is_int(hv->info(d, &di, &err), -1, "the domain is gone");
	check_err(&err, "gone", "INTERNAL_ERROR", no_domain(d), NULL);

	/* reboot: acknowledged, the domain goes (the VM layer builds a new one) */
	d = hv->create(&s, &err);
	hv->unpause(d, &err);
	ok(hv->shutdown(d, XD_SHUTDOWN_REBOOT, 5, &err) == 0, "clean reboot");
	is_int(state_of(d), -1, "rebooted domain gone");

	/* a hypervisor-made crash keeps the domain (and its memory) */
	d = hv->create(&s, &err);
	hv->unpause(d, &err);
	ok(hv->shutdown(d, XD_SHUTDOWN_CRASH, 0, &err) == 0, "crash it");
	ok(hv->info(d, &di, &err) == 0, "crashed domain still listed");
	is_int(di.state, XD_DOM_CRASHED, "crashed");
	is_int(di.reason, XD_SHUTDOWN_CRASH, "reason crash");
	is_int(hv->free_memory(), 4 * GiB - 64 * MiB, "a crashed domain holds its memory");
	is_int(hv->unpause(d, &err), -1, "unpause a crashed domain");
	check_err(&err, "unpause crashed", "INTERNAL_ERROR", crashed(d), NULL);
	is_int(hv->shutdown(d, XD_SHUTDOWN_POWEROFF, 1, &err), -1, "shutdown a crashed domain");
	xd_error_clear(&err);
	ok(hv->destroy(d, &err) == 0, "destroy a crashed domain");
	is_int(hv->free_memory(), 4 * GiB, "memory back");
	is_int(hv->pause(12345, &err), -1, "pause an unknown domain");
	check_err(&err, "unknown domain", "INTERNAL_ERROR", "domain 12345 does not exist", NULL);
}

static const char *slow_vm = "22222222-0000-0000-0000-000000000001";
static void *lift_fault(void *arg)
{
	(void)arg;
	usleep(100000);
	xd_hv_sim_inject(slow_vm, NULL);
	return NULL;
}

static void test_faults(void)
{
	xd_error err = XD_ERROR_INIT;
	xd_hv_domain_spec s = spec_of(slow_vm, 64 * MiB);
	xd_hv_dominfo di;
	pthread_t t;
	double t0;
	int d;

	xd_hv_sim_inject(slow_vm, "create_fails");
	is_int(hv->create(&s, &err), -1, "create_fails");
	check_err(&err, "create_fails", "INTERNAL_ERROR", "simulated fault: create_fails", NULL);

	xd_hv_sim_inject(slow_vm, "shutdown_ignored");
	d = hv->create(&s, &err);
	ok(d > 0, "create once the fault is replaced");
	hv->unpause(d, &err);
	t0 = now_s();
	is_int(hv->shutdown(d, XD_SHUTDOWN_POWEROFF, 0.25, &err), -1, "ignored shutdown");
	ok(now_s() - t0 >= 0.24, "after the timeout");
	check_err(&err, "ignored shutdown", "VM_SHUTDOWN_TIMEOUT", slow_vm, "0.25");
	is_int(hv->shutdown(d, XD_SHUTDOWN_REBOOT, 0.5, &err), -1, "ignored reboot");
	check_err(&err, "ignored reboot", "VM_SHUTDOWN_TIMEOUT", slow_vm, "0.5");
	is_int(state_of(d), XD_DOM_RUNNING, "still running");
	/* the guest comes round while we wait */
	pthread_create(&t, NULL, lift_fault, NULL);
	t0 = now_s();
	ok(hv->shutdown(d, XD_SHUTDOWN_POWEROFF, 10, &err) == 0, "acknowledged once the fault is lifted");
	ok(now_s() - t0 < 5, "without waiting for the whole timeout");
	pthread_join(t, NULL);

	xd_hv_sim_inject(slow_vm, "shutdown_refused, unplug_rejected");
	d = hv->create(&s, &err);
	hv->unpause(d, &err);
	is_int(hv->shutdown(d, XD_SHUTDOWN_POWEROFF, 1, &err), -1, "refused shutdown");
	check_err(&err, "refused shutdown", "VM_FAILED_SHUTDOWN_ACKNOWLEDGMENT", slow_vm, NULL);
	is_int(hv->disk_remove(d, "xvdb", false, &err), -1, "guest keeps its disk");
	check_err(&err, "unplug rejected", "DEVICE_DETACH_REJECTED", "VBD", "xvdb");
	ok(hv->disk_remove(d, "xvdb", true, &err) == 0, "forced unplug");
	is_int(hv->nic_remove(d, 1, &err), -1, "guest keeps its NIC");
	check_err(&err, "NIC unplug rejected", "DEVICE_DETACH_REJECTED", "VIF", "1");
	hv->destroy(d, &err);

	xd_hv_sim_inject(slow_vm, "crash");
	d = hv->create(&s, &err);
	is_int(state_of(d), XD_DOM_PAUSED, "crash fault: fine while paused");
	ok(hv->unpause(d, &err) == 0, "unpause");
	ok(hv->info(d, &di, &err) == 0 && di.state == XD_DOM_CRASHED, "crashes as soon as it runs");
	is_int(di.reason, XD_SHUTDOWN_CRASH, "reason crash");
	hv->destroy(d, &err);
	xd_hv_sim_inject(slow_vm, "");
	d = hv->create(&s, &err);
	hv->unpause(d, &err);
	is_int(state_of(d), XD_DOM_RUNNING, "faults cleared");
	xd_hv_sim_inject(slow_vm, "crash");
	is_int(state_of(d), XD_DOM_CRASHED, "a fault injected into a running domain strikes");
	hv->destroy(d, &err);
	xd_hv_sim_inject(slow_vm, NULL);
	xd_error_clear(&err);
}

static void test_devices(void)
{
	xd_error err = XD_ERROR_INIT;
	xd_hv_domain_spec s = spec_of("33333333-0000-0000-0000-000000000001", 64 * MiB);
	int d = hv->create(&s, &err);
	xd_hv_disk extra = { .vdev = "xvdc", .datapath = "file:///srv/c.raw", .format = "raw" };
	xd_hv_nic nic = { .devid = 2, .mac = "52:54:00:00:00:03", .bridge = "xenbr0" };

	ok(hv->disk_add(d, &extra, &err) == 0, "hot-plug a disk");
	is_int(hv->disk_add(d, &extra, &err), -1, "the same disk again");
	check_err(&err, "disk twice", "DEVICE_ALREADY_ATTACHED", "xvdc", NULL);
	is_int(hv->disk_add(d, &disks[0], &err), -1, "a disk on a vdev in use");
	check_err(&err, "vdev in use", "DEVICE_ALREADY_ATTACHED", "xvda", NULL);
	ok(hv->disk_remove(d, "xvdc", false, &err) == 0, "unplug it");
	is_int(hv->disk_remove(d, "xvdc", false, &err), -1, "unplug it again");
	check_err(&err, "disk gone", "DEVICE_ALREADY_DETACHED", "xvdc", NULL);
	is_int(hv->disk_remove(d, "xvdz", true, &err), -1, "force-unplug a disk never there");
	check_err(&err, "disk never there", "DEVICE_ALREADY_DETACHED", "xvdz", NULL);
	extra.datapath = NULL;
	is_int(hv->disk_add(d, &extra, &err), -1, "a disk without datapath");
	check_err(&err, "no datapath", "INTERNAL_ERROR", "disk xvdc has no datapath", NULL);
	extra.cdrom = true;
	ok(hv->disk_add(d, &extra, &err) == 0, "an empty CD drive");

	ok(hv->nic_add(d, &nic, &err) == 0, "hot-plug a NIC");
	is_int(hv->nic_add(d, &nic, &err), -1, "the same NIC again");
	check_err(&err, "NIC twice", "DEVICE_ALREADY_ATTACHED", "2", NULL);
	ok(hv->nic_remove(d, 2, &err) == 0, "unplug the NIC");
	is_int(hv->nic_remove(d, 7, &err), -1, "unplug a NIC never there");
	check_err(&err, "NIC never there", "DEVICE_ALREADY_DETACHED", "7", NULL);

	hv->unpause(d, &err);
	hv->shutdown(d, XD_SHUTDOWN_CRASH, 0, &err);
	is_int(hv->disk_add(d, &disks[0], &err), -1, "no hotplug into a crashed domain");
	check_err(&err, "crashed", "INTERNAL_ERROR", crashed(d), NULL);
	hv->destroy(d, &err);
	is_int(hv->nic_add(d, &nic, &err), -1, "no hotplug into a destroyed domain");
	check_err(&err, "destroyed", "INTERNAL_ERROR", no_domain(d), NULL);
}

static void test_guest_and_console(void)
{
	xd_error err = XD_ERROR_INIT;
	xd_hv_domain_spec s = spec_of("44444444-0000-0000-0000-000000000001", 100 * MiB);
	xd_hv_guest_info gi;
	char *proto, *loc, want[64];
	int d = hv->create(&s, &err);

	ok(hv->guest_info(d, &gi, &err) == 0, "guest info of a domain that never ran");
	ok(!gi.os_version && !gi.networks && !gi.other, "nothing reported before the guest boots");
	is_int(gi.memory_used, -1, "memory used unknown");
	ok(!gi.pv_drivers, "no PV drivers seen yet");

	hv->unpause(d, &err);
	ok(hv->guest_info(d, &gi, &err) == 0, "guest info once it runs");
	char *os = xd_value_to_debug_string(gi.os_version);
	is_str(os, "{\"name\": \"Simulated Linux\", \"distro\": \"sim\", \"major\": \"1\", \"minor\": \"0\"}",
	       "os_version");
	free(os);
	char *net = xd_value_to_debug_string(gi.networks);
	is_str(xd_struct_get(gi.networks, "0/ip")->u.s, guest_ip(d, 0), "NIC 0: IPv4 from 198.18.0.0/15");
	is_str(xd_struct_get(gi.networks, "0/ipv4/0")->u.s, guest_ip(d, 0), "NIC 0: ipv4/0 too");
	is_str(xd_struct_get(gi.networks, "1/ip")->u.s, guest_ip(d, 1), "NIC 1");
	snprintf(want, sizeof(want), "2001:db8::%x:1", (unsigned)d);
	is_str(xd_struct_get(gi.networks, "1/ipv6/0")->u.s, want, "NIC 1: IPv6 from 2001:db8::/32");
	is_int(gi.networks->u.st.n, 6, "3 keys per NIC (%s)", net);
	free(net);
	is_str(xd_struct_get(gi.other, "feature-suspend")->u.s, "1", "feature-suspend");
	is_int(gi.memory_used, 25 * MiB, "a quarter of the memory in use");
	is_int(gi.memory_free, 75 * MiB, "the rest free");
	ok(gi.pv_drivers, "PV drivers");
	xd_value_free(gi.os_version);
	xd_value_free(gi.networks);
	xd_value_free(gi.other);
	ok(hv->guest_info(d, &gi, &err) == 0, "again");
	net = xd_value_to_debug_string(gi.networks);
	ok(strstr(net, guest_ip(d, 0)) != NULL, "deterministic");
	free(net);
	xd_value_free(gi.os_version);
	xd_value_free(gi.networks);
	xd_value_free(gi.other);

	ok(hv->console(d, &proto, &loc, &err) == 0, "console");
	is_str(proto, "rfb", "rfb");
	snprintf(want, sizeof(want), "sim://console/%d", d);
	is_str(loc, want, "location");
	free(proto);
	free(loc);
	hv->destroy(d, &err);
	is_int(hv->console(d, &proto, &loc, &err), -1, "no console without a domain");
	xd_error_clear(&err);
	is_int(hv->guest_info(d, &gi, &err), -1, "no guest info without a domain");
	xd_error_clear(&err);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static char *read_text(const char *path)
{
	static char text[4096];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	text[n] = '\0';
	if (f)
		fclose(f);
	return text;
}

static void test_suspend_restore(void)
{
	const char *vm = "55555555-0000-0000-0000-000000000001";
	xd_error err = XD_ERROR_INIT;
	xd_hv_domain_spec s = spec_of(vm, 128 * MiB);
	xd_hv_dominfo di;
	xd_hv_guest_info gi;
	char path[128], bad[512], uri[1024];
	double cpu;
	int d, d2;

	xd_hv_sim_set_memory(1 * GiB);
	snprintf(path, sizeof(path), "%s/suspend.img", tmpdir);
	d = hv->create(&s, &err);
	hv->unpause(d, &err);
	hv->set_memory_target(d, 200 * MiB, &err);
	hv->set_vcpus(d, 3, &err);
	usleep(20000);
	ok(hv->suspend(d, path, &err) == 0, "suspend");
	is_int(state_of(d), -1, "the domain is gone");
	is_int(hv->free_memory(), 1 * GiB, "its memory is free");
	const char *img = read_text(path);
	ok(strncmp(img, "XAPI-C-SIM-SUSPEND-IMAGE 1\n", 27) == 0, "the image has a header");
	ok(strstr(img, "memory 209715200\n") && strstr(img, "disk xvdd\n") && strstr(img, "nic 1\n"),
	   "with the memory size and the devices");

	d2 = hv->restore(&s, path, &err);
	ok(d2 > d, "restore: a new domid");
	ok(hv->info(d2, &di, &err) == 0, "restored domain");
	is_int(di.state, XD_DOM_PAUSED, "restored paused");
	is_int(di.memory_actual, 200 * MiB, "with the memory it had");
	is_int(di.vcpus, 3, "and its vCPUs");
	cpu = di.cpu_time_s;
	ok(cpu >= 0.015, "and its cpu time (%.3f)", cpu);
	is_int(hv->free_memory(), 1 * GiB - 200 * MiB, "memory taken again");
	ok(hv->guest_info(d2, &gi, &err) == 0 && gi.os_version != NULL, "the guest agent answers at once");
	xd_value_free(gi.os_version);
	xd_value_free(gi.networks);
	xd_value_free(gi.other);
	is_int(hv->restore(&s, path, &err), -1, "restore while the VM has a domain");
	check_err(&err, "restore twice", "INTERNAL_ERROR", NULL, NULL);
	hv->destroy(d2, &err);

	/* a file:// URI works too; the image is written over a larger file */
	snprintf(uri, sizeof(uri), "file://%s", path);
	d = hv->restore(&s, uri, &err);
	ok(d > 0, "restore from a file:// URI");
	ok(hv->suspend(d, uri, &err) == 0, "suspend to a file:// URI");
	d = hv->restore(&s, path, &err);
	ok(d > 0, "and back");

	/* the checks */
	xd_hv_domain_spec other = spec_of("55555555-0000-0000-0000-000000000002", 128 * MiB);
	is_int(hv->suspend(d, "/nonexistent/dir/img", &err), -1, "suspend to an unwritable path");
	check_err(&err, "unwritable", "INTERNAL_ERROR",
		  "cannot write suspend image /nonexistent/dir/img: No such file or directory", NULL);
	is_int(state_of(d), XD_DOM_PAUSED, "the domain stays as it was");
	hv->unpause(d, &err);
	ok(hv->suspend(d, path, &err) == 0, "suspend again");

	is_int(hv->restore(&other, path, &err), -1, "restore another VM's image");
	snprintf(bad, sizeof(bad), "suspend image %s is of VM %s, not %s", path, vm,
		 "55555555-0000-0000-0000-000000000002");
	check_err(&err, "other VM", "INTERNAL_ERROR", bad, NULL);
	s = spec_of(vm, 128 * MiB);
	s.ndisks = 2;
	is_int(hv->restore(&s, path, &err), -1, "restore with a disk less");
	snprintf(bad, sizeof(bad), "suspend image %s has 3 disks and 2 NICs, the VM 2 and 2", path);
	check_err(&err, "disk less", "INTERNAL_ERROR", bad, NULL);
	s = spec_of(vm, 128 * MiB);
	disks[2].vdev = "xvde";
	is_int(hv->restore(&s, path, &err), -1, "restore with another disk");
	snprintf(bad, sizeof(bad), "suspend image %s has disk xvdd, the VM has not", path);
	check_err(&err, "another disk", "INTERNAL_ERROR", bad, NULL);
	s = spec_of(vm, 128 * MiB);
	nics[1].devid = 5;
	is_int(hv->restore(&s, path, &err), -1, "restore with another NIC");
	snprintf(bad, sizeof(bad), "suspend image %s has NIC 1, the VM has not", path);
	check_err(&err, "another NIC", "INTERNAL_ERROR", bad, NULL);
	s = spec_of(vm, 64 * MiB); /* static max 128 MiB < the 200 MiB saved */
	is_int(hv->restore(&s, path, &err), -1, "restore into less static max");
	snprintf(bad, sizeof(bad), "suspend image %s holds 209715200 bytes of memory, more than "
		 "the VM's memory_static_max 134217728", path);
	check_err(&err, "static max", "INTERNAL_ERROR", bad, NULL);
	s = spec_of(vm, 128 * MiB);
	xd_hv_sim_set_memory(100 * MiB);
	is_int(hv->restore(&s, path, &err), -1, "restore without the memory");
	check_err(&err, "restore memory", "HOST_NOT_ENOUGH_FREE_MEMORY", "209715200", "104857600");
	xd_hv_sim_set_memory(1 * GiB);

	snprintf(bad, sizeof(bad), "%s/missing.img", tmpdir);
	is_int(hv->restore(&s, bad, &err), -1, "restore from a missing file");
	check_err(&err, "missing", "INTERNAL_ERROR", NULL, NULL);
	snprintf(bad, sizeof(bad), "%s/junk.img", tmpdir);
	write_text(bad, "hello\n");
	is_int(hv->restore(&s, bad, &err), -1, "restore from junk");
	snprintf(uri, sizeof(uri), "%s is not a suspend image", bad);
	check_err(&err, "junk", "INTERNAL_ERROR", uri, NULL);
	write_text(bad, "XAPI-C-SIM-SUSPEND-IMAGE 2\nvm x\nend\n");
	is_int(hv->restore(&s, bad, &err), -1, "restore from a newer format");
	check_err(&err, "version", "RESTORE_INCOMPATIBLE_VERSION", NULL, NULL);
	write_text(bad, "XAPI-C-SIM-SUSPEND-IMAGE 1\nvm 55555555-0000-0000-0000-000000000001\nmemory 12x\nend\n");
	is_int(hv->restore(&s, bad, &err), -1, "restore from a corrupt image");
	snprintf(uri, sizeof(uri), "suspend image %s is corrupt (line 3)", bad);
	check_err(&err, "corrupt", "INTERNAL_ERROR", uri, NULL);
	write_text(bad, "XAPI-C-SIM-SUSPEND-IMAGE 1\nvm 55555555-0000-0000-0000-000000000001\n");
	is_int(hv->restore(&s, bad, &err), -1, "restore from a cut image");
	snprintf(uri, sizeof(uri), "suspend image %s is corrupt (incomplete)", bad);
	check_err(&err, "cut", "INTERNAL_ERROR", uri, NULL);
	is_int(hv->free_memory(), 1 * GiB, "no failed restore kept memory");
}

/* ---- migration ---------------------------------------------------------------- */

struct recv_arg {
	xd_hv_domain_spec spec;
	const char *url;
	int domid;
	xd_error err;
};

static void *receive(void *p)
{
	struct recv_arg *a = p;
	a->domid = hv->migrate_receive(&a->spec, a->url, &a->err);
	return NULL;
}

static void test_migration(void)
{
	const char *vm = "66666666-0000-0000-0000-000000000001";
	xd_error err = XD_ERROR_INIT;
	xd_hv_domain_spec s = spec_of(vm, 64 * MiB);
	struct recv_arg a = { .spec = s, .url = "sim://host2/migrate" };
	pthread_t t;
	xd_hv_dominfo di;
	int d;

	xd_hv_sim_set_memory(1 * GiB);
	d = hv->create(&s, &err);
	hv->unpause(d, &err);
	hv->set_vcpus(d, 4, &err);
	pthread_create(&t, NULL, receive, &a);
	ok(hv->migrate_send(d, a.url, true, &err) == 0, "migrate to a receiver in another thread");
	pthread_join(t, NULL);
	ok(a.domid > d, "received as a new domain (%d)", a.domid);
	is_int(state_of(d), -1, "gone from the sender");
	ok(hv->info(a.domid, &di, &err) == 0, "there at the receiver");
	is_int(di.state, XD_DOM_PAUSED, "paused until the receiver unpauses it");
	is_int(di.vcpus, 4, "with its vCPUs");
	is_int(hv->free_memory(), 1 * GiB - 64 * MiB, "memory held once");

	/* no receiver */
	double t0 = now_s();
	is_int(hv->migrate_send(a.domid, "sim://nowhere", false, &err), -1, "migrate to nowhere");
	ok(now_s() - t0 < 4, "gives up after a short wait");
	check_err(&err, "nowhere", "VM_MIGRATE_FAILED", vm, "localhost");
	is_int(state_of(a.domid), XD_DOM_PAUSED, "the domain stays where it was");

	/* the receiver refuses: the sender keeps its domain and learns why */
	d = a.domid;
	struct recv_arg b = { .spec = spec_of("66666666-0000-0000-0000-000000000002", 64 * MiB),
			      .url = "sim://host3/migrate" };
	pthread_create(&t, NULL, receive, &b);
	is_int(hv->migrate_send(d, b.url, true, &err), -1, "migrate to a receiver of another VM");
	pthread_join(t, NULL);
	is_int(b.domid, -1, "the receiver refused");
	is_str(b.err.code, "INTERNAL_ERROR", "receiver: INTERNAL_ERROR");
	is_str(err.code, "INTERNAL_ERROR", "sender: the receiver's error");
	ok(err.nparams && strstr(err.params[0], "is of VM"), "naming the mismatch");
	xd_error_clear(&err);
	xd_error_clear(&b.err);
	is_int(state_of(d), XD_DOM_PAUSED, "the domain stays at the sender");
	hv->destroy(d, &err);
}

/* ---- concurrency -------------------------------------------------------------- */

#define NTHREADS 16
#define ROUNDS 20
static int domids[NTHREADS][ROUNDS];
static int failures;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;

static void *churn(void *p)
{
	int me = (int)(intptr_t)p, r;
	char uuid[64];
	xd_error err = XD_ERROR_INIT;

	snprintf(uuid, sizeof(uuid), "77777777-0000-0000-0000-%012d", me);
	for (r = 0; r < ROUNDS; r++) {
		xd_hv_domain_spec s = { .vm_uuid = uuid, .domain_type = "pv", .memory_static_max = MiB,
					.memory_target = MiB, .vcpus_max = 1, .vcpus_at_startup = 1 };
		int d = hv->create(&s, &err);
		bool good = d > 0 && hv->unpause(d, &err) == 0 &&
			    hv->shutdown(d, XD_SHUTDOWN_POWEROFF, 5, &err) == 0;
		domids[me][r] = d;
		if (!good) {
			pthread_mutex_lock(&fail_lock);
			failures++;
			pthread_mutex_unlock(&fail_lock);
			xd_error_clear(&err);
		}
	}
	return NULL;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void test_concurrency(void)
{
	pthread_t t[NTHREADS];
	int all[NTHREADS * ROUNDS], i, dups = 0;

	xd_hv_sim_set_memory(1 * GiB);
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, churn, (void *)(intptr_t)i);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	is_int(failures, 0, "%d threads x %d create/unpause/shutdown", NTHREADS, ROUNDS);
	memcpy(all, domids, sizeof(all));
	qsort(all, NTHREADS * ROUNDS, sizeof(int), cmp_int);
	for (i = 1; i < NTHREADS * ROUNDS; i++)
		dups += all[i] == all[i - 1];
	is_int(dups, 0, "every domid handed out once");
	is_int(hv->free_memory(), 1 * GiB, "all memory back");
}

static void test_reset(void)
{
	xd_error err = XD_ERROR_INIT;
	xd_hv_domain_spec s = spec_of("88888888-0000-0000-0000-000000000001", 64 * MiB);
	int d = hv->create(&s, &err), d2;

	xd_hv_sim_reset();
	is_int(state_of(d), -1, "reset forgets the domains");
	d2 = hv->create(&s, &err);
	ok(d2 > d, "domids go on counting after a reset");
	hv->destroy(d2, &err);
	char f[32];
	xd_hv_format_float(60, f);
	is_str(f, "60.", "OCaml float 60.");
	xd_hv_format_float(0.5, f);
	is_str(f, "0.5", "OCaml float 0.5");
	xd_hv_format_float(-3, f);
	is_str(f, "-3.", "OCaml float -3.");
	xd_hv_format_float(1e20, f);
	is_str(f, "1e+20", "OCaml float 1e+20");
}

/* The simulated hypervisor's console ring (host.dmesg): boot lines first,
 * then domain and debug-key lines; 16 KiB, the oldest bytes dropped. */
static void test_console_ring(void)
{
	xd_error err = XD_ERROR_INIT;
	xd_hv_domain_spec s = spec_of("99999999-0000-0000-0000-000000000001", 64 * MiB);
	char want[320], *text;
	int d;

	xd_hv_sim_reset();
	xd_hv_sim_set_memory(1 * GiB);
	text = hv->dmesg(&err);
#define BOOT_LINE "(XEN) Xen version 4.17.0 (xapi-c simulated host)\n"
	ok(text && strncmp(text, BOOT_LINE, sizeof BOOT_LINE - 1) == 0,
	   "the ring starts with the boot lines");
	free(text);
	d = hv->create(&s, &err);
	hv->destroy(d, &err);
	is_int(hv->send_debug_keys("q\x01", &err), 0, "debug keys sent");
	text = hv->dmesg(&err);
	snprintf(want, sizeof want,
		 "(XEN) d%d: domain created for VM %s\n(XEN) d%d: domain destroyed\n"
		 "(XEN) 'q' pressed -> dumping domain (and guest debug) info\n"
		 "(XEN) key 0x01 pressed -> no handler for this key\n", d, s.vm_uuid, d);
	ok(text && strlen(text) > strlen(want) && !strcmp(text + strlen(text) - strlen(want), want),
	   "domain and key lines at the end");
	free(text);
	for (int i = 0; i < 1000; i++)
		hv->send_debug_keys("m", &err);
	text = hv->dmesg(&err);
	is_int(text ? (long long)strlen(text) : -1, 16384, "a full ring holds 16 KiB");
	ok(text && !strstr(text, "Xen version"), "the oldest lines are dropped");
#define M_LINE "(XEN) 'm' pressed -> memory info\n"
	ok(text && !strcmp(text + strlen(text) - (sizeof M_LINE - 1), M_LINE),
	   "the newest line last");
	free(text);
	xd_hv_sim_reset();
	text = hv->dmesg(&err);
	ok(text && !strncmp(text, "(XEN) Xen version", 17), "a reset boots the ring again");
	free(text);
}

/* Balloon targets and shadow memory. */
static void test_balloon_and_shadow(void)
{
	const char *vm = "aaaaaaaa-0000-0000-0000-000000000001";
	xd_error err = XD_ERROR_INIT;
	xd_hv_domain_spec s = spec_of(vm, 256 * MiB);
	xd_hv_dominfo di;
	int64_t target = 0;
	int d;

	xd_hv_sim_reset();
	xd_hv_sim_set_memory(1 * GiB);
	d = hv->create(&s, &err);
	hv->set_memory_target(d, 128 * MiB, &err);
	hv->memory_target(d, &target, &err);
	hv->info(d, &di, &err);
	is_int(target, 128 * MiB, "the target as set");
	is_int(di.memory_actual, 128 * MiB, "reached at once");
	xd_hv_sim_inject(vm, "balloon_stuck");
	hv->set_memory_target(d, 192 * MiB, &err);
	hv->memory_target(d, &target, &err);
	hv->info(d, &di, &err);
	is_int(target, 192 * MiB, "a stuck balloon has its new target");
	is_int(di.memory_actual, 128 * MiB, "... and does not move");
	is_int(hv->set_shadow_memory(d, 64, &err), 0, "shadow memory set");
	is_int(hv->free_memory(), 1 * GiB - 128 * MiB - 64 * MiB, "taken from the host");
	is_int(hv->set_shadow_memory(d, 4096, &err), -1, "more shadow than the host has");
	check_err(&err, "shadow", "HOST_NOT_ENOUGH_FREE_MEMORY", "4227858432", "872415232");
	hv->destroy(d, &err);
	is_int(hv->free_memory(), 1 * GiB, "all given back");
	is_int(hv->memory_target(d, &target, &err), -1, "no target without a domain");
	xd_error_clear(&err);
}

int main(void)
{
	char cmd[128];

	xd_log_set_level(XD_LOG_ERROR);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	hv = xd_hv_sim_ops();
	is_str(hv->name, "sim", "the sim backend");
	test_memory_and_domids();
	test_states();
	test_faults();
	test_devices();
	test_guest_and_console();
	test_suspend_restore();
	test_migration();
	test_concurrency();
	test_reset();
	test_console_ring();
	test_balloon_and_shadow();
	xd_hv_sim_reset();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return tap_done();
}
