/* test_hv_xen_config.c - the VM record -> libxl_domain_config translation:
 * PV, PVH and HVM guests (2 disks: qcow2 over NBD and a raw file, a CD, 2
 * NICs) compared as libxl's own JSON against tests/unit/data/xen_config/,
 * then every refusal with its exact error.
 *
 * XD_TEST_REGENERATE=1 rewrites the expected files from the current code
 * (review the diff before committing it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/hv.h"
#include "hv/xen/hv_xen_config.h"
#include "hv/xen/hv_xen_nbd.h"
#include "tap.h"

#ifndef XD_TEST_DATADIR
#define XD_TEST_DATADIR "tests/unit/data"
#endif

#define VM_UUID "6b1e2f3a-0c4d-4e5f-8a9b-0c1d2e3f4a5b"
#define GiB (1024LL * 1024 * 1024)

static xd_hv_disk disks[3];
static xd_hv_nic nics[2];

static void default_devices(void)
{
	disks[0] = (xd_hv_disk){ .vbd_uuid = "vbd-0", .vdev = "xvda",
				 .datapath = "/dev/nbd3", /* an NBD datapath once connected */
				 .format = "raw", .bootable = true };
	disks[1] = (xd_hv_disk){ .vbd_uuid = "vbd-1", .vdev = "xvdb",
				 .datapath = "file:///var/lib/xapi-c/sr/5c1d/data%20disk.raw",
				 .format = "raw" };
	disks[2] = (xd_hv_disk){ .vbd_uuid = "vbd-3", .vdev = "xvdd",
				 .datapath = "file:///srv/iso/debian-12.iso",
				 .format = "raw", .readonly = true, .cdrom = true };
	nics[0] = (xd_hv_nic){ .vif_uuid = "vif-0", .devid = 0, .mac = "52:54:00:12:34:56",
			       .bridge = "xenbr0", .mtu = 1500 };
	nics[1] = (xd_hv_nic){ .vif_uuid = "vif-1", .devid = 1, .mac = "52:54:00:ab:cd:ef",
			       .bridge = "xapi1", .mtu = 9000 };
}

static xd_hv_domain_spec base_spec(const char *type)
{
	default_devices();
	return (xd_hv_domain_spec){
		.vm_uuid = VM_UUID,
		.name = "test guest",
		.domain_type = type,
		.memory_static_max = 2 * GiB,
		.memory_target = 1 * GiB,
		.vcpus_max = 4,
		.vcpus_at_startup = 2,
		.disks = disks,
		.ndisks = 3,
		.nics = nics,
		.nnics = 2,
	};
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = calloc(1, (size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* Builds spec, prints it as libxl JSON and compares with data/xen_config/<name>.json. */
static void check_json(const char *name, const xd_hv_domain_spec *spec)
{
	char path[512];
	libxl_domain_config cfg;
	xd_error err = XD_ERROR_INIT;
	char *json = NULL, *want = NULL;

	snprintf(path, sizeof(path), "%s/xen_config/%s.json", XD_TEST_DATADIR, name);
	if (xd_hv_xen_config_build(spec, &cfg, &err) < 0) {
		ok(0, "%s: builds (%s %s)", name, err.code, err.nparams ? err.params[0] : "");
		xd_error_clear(&err);
		return;
	}
	json = xd_hv_xen_config_json(NULL, &cfg);
	ok(json != NULL, "%s: libxl prints the config", name);
	if (json && getenv("XD_TEST_REGENERATE")) {
		FILE *f = fopen(path, "w");
		ok(f && fputs(json, f) >= 0 && fputc('\n', f) != EOF, "%s: regenerated %s", name, path);
		if (f)
			fclose(f);
	}
	want = read_file(path);
	ok(want != NULL, "%s: expected file %s", name, path);
	if (json && want) {
		size_t n = strlen(want);
		if (n && want[n - 1] == '\n')
			want[n - 1] = '\0';
		is_str(json, want, "%s: config matches %s", name, path);
	}
	free(json);
	free(want);
	libxl_domain_config_dispose(&cfg);
}

static void check_error(const char *what, const xd_hv_domain_spec *spec, const char *code,
			const char *p0, const char *p1)
{
	libxl_domain_config cfg;
	xd_error err = XD_ERROR_INIT;
	int rc = xd_hv_xen_config_build(spec, &cfg, &err);

	is_int(rc, -1, "%s: refused", what);
	is_str(err.code, code, "%s: %s", what, code);
	if (p0)
		is_str(err.nparams > 0 ? err.params[0] : NULL, p0, "%s: first param", what);
	if (p1)
		is_str(err.nparams > 1 ? err.params[1] : NULL, p1, "%s: second param", what);
	if (rc == 0)
		libxl_domain_config_dispose(&cfg);
	xd_error_clear(&err);
}

static xd_value *string_map(const char *k1, const char *v1, const char *k2, const char *v2)
{
	xd_value *m = xd_struct();
	if (k1)
		xd_struct_set_take(m, k1, xd_string(v1));
	if (k2)
		xd_struct_set_take(m, k2, xd_string(v2));
	return m;
}

static void test_expected_configs(void)
{
	xd_hv_domain_spec pv = base_spec("pv");
	pv.pv_bootloader = "pygrub";
	pv.pv_bootloader_args = "--index=0  --entry=debian";
	pv.pv_args = "console=hvc0 root=/dev/xvda1";
	/* the PV guest's CD drive is empty */
	disks[2].datapath = NULL;
	disks[2].format = NULL;
	check_json("pv", &pv);

	xd_hv_domain_spec pvh = base_spec("pv_in_pvh");
	pvh.pv_kernel = "/usr/lib/xapi-c/guest/vmlinuz";
	pvh.pv_ramdisk = "/usr/lib/xapi-c/guest/initrd.img";
	pvh.pv_args = "console=hvc0";
	check_json("pvh", &pvh);

	xd_hv_domain_spec hvm = base_spec("hvm");
	xd_value *platform = xd_struct();
	xd_struct_set_take(platform, "viridian", xd_string("true"));
	xd_struct_set_take(platform, "acpi", xd_string("1"));
	xd_struct_set_take(platform, "apic", xd_string("true"));
	xd_struct_set_take(platform, "nx", xd_string("false"));
	xd_struct_set_take(platform, "pae", xd_string("TRUE"));
	xd_struct_set_take(platform, "device-model", xd_string("qemu-upstream-uefi"));
	xd_value *boot = string_map("firmware", "uefi", "order", "dcn");
	hvm.platform = platform;
	hvm.hvm_boot_params = boot;
	disks[0].vdev = "hda";
	disks[1].vdev = "hdb";
	disks[2].vdev = "hdd";
	check_json("hvm", &hvm);
	xd_value_free(platform);
	xd_value_free(boot);
}

static void test_devices(void)
{
	xd_error err = XD_ERROR_INIT;
	libxl_device_disk d;
	libxl_device_nic n;
	char *t = NULL;

	char *name = NULL, *path = NULL;
	ok(xd_hv_xen_nbd_parse("nbd+unix:///vol%2F7?socket=/run/n%20b.sock&x=1", &name, &path,
			       &err) == 0,
	   "nbd with an export name and an extra query key");
	is_str(name, "vol/7", "export name decoded");
	is_str(path, "/run/n b.sock", "socket decoded");
	free(name);
	free(path);
	ok(xd_hv_xen_nbd_parse("nbd+unix:///?socket=/run/a:b,c.sock", &name, &path, &err) == 0,
	   "nbd socket with ':' and ','  (qemu's --image-opts takes them)");
	is_str(name, "", "no export name");
	is_str(path, "/run/a:b,c.sock", "socket kept");
	free(name);
	free(path);
	const char *badnbd[] = { "nbd+unix://host/?socket=/s", "nbd+unix:///x", "nbd+unix:///?sock=/s",
				 "nbd+unix:///?socket=", "nbd:unix:/s", NULL };
	for (int i = 0; badnbd[i]; i++) {
		is_int(xd_hv_xen_nbd_parse(badnbd[i], &name, &path, &err), -1, "NBD '%s' refused",
		       badnbd[i]);
		is_str(err.code, "INTERNAL_ERROR", "NBD '%s': INTERNAL_ERROR", badnbd[i]);
		ok(!name && !path, "NBD '%s': nothing returned", badnbd[i]);
		xd_error_clear(&err);
	}
	ok(xd_hv_xen_nbd_is_device("/dev/nbd12"), "/dev/nbd12 is one of ours");
	ok(!xd_hv_xen_nbd_is_device("/dev/nbd") && !xd_hv_xen_nbd_is_device("/dev/nbd1p1") &&
	   !xd_hv_xen_nbd_is_device("/dev/sda"), "partitions and other devices are not");

	/* the stale-device sweep recognises only the clients it starts */
	static const char ours[] = "/usr/bin/qemu-nbd\0--connect\0/dev/nbd3\0--image-opts\0"
				   "driver=nbd,server.type=unix,server.path=/run/x.sock";
	static const char ro[] = "qemu-nbd\0--connect\0/dev/nbd0\0--image-opts\0"
				 "driver=nbd,server.type=unix,server.path=/s\0--read-only";
	static const char host_own[] = "/usr/bin/qemu-nbd\0--connect\0/dev/nbd3\0/srv/a.qcow2";
	static const char tcp[] = "qemu-nbd\0--connect\0/dev/nbd1\0--image-opts\0"
				  "driver=nbd,server.type=inet,server.host=h";
	static const char other[] = "/usr/sbin/nbd-client\0--connect\0"
				    "driver=nbd,server.type=unix,server.path=/s";
	ok(xd_hv_xen_nbd_cmdline_is_ours(ours, sizeof(ours)), "our qemu-nbd client is ours");
	ok(xd_hv_xen_nbd_cmdline_is_ours(ro, sizeof(ro)), "a read-only one too");
	ok(!xd_hv_xen_nbd_cmdline_is_ours(host_own, sizeof(host_own)) &&
	   !xd_hv_xen_nbd_cmdline_is_ours(tcp, sizeof(tcp)) &&
	   !xd_hv_xen_nbd_cmdline_is_ours(other, sizeof(other)) &&
	   !xd_hv_xen_nbd_cmdline_is_ours("", 0),
	   "the host's own NBD clients, TCP ones and other programs are not");
	/* libxl cannot reach an NBD socket: the backend connects it first */
	ok(xd_hv_xen_datapath_target("nbd+unix:///?socket=/s", &t, &err) == -1,
	   "unconnected NBD datapath refused");
	is_str(err.params[0], "NBD datapath not connected to a dom0 device: nbd+unix:///?socket=/s",
	       "unconnected NBD: message");
	xd_error_clear(&err);
	ok(xd_hv_xen_datapath_target("file://localhost/srv/a.raw", &t, &err) == 0, "file://localhost/");
	is_str(t, "/srv/a.raw", "file://localhost/ -> path");
	free(t);
	ok(xd_hv_xen_datapath_target("/dev/loop3", &t, &err) == 0, "plain path");
	is_str(t, "/dev/loop3", "plain path kept");
	free(t);

	const char *bad[] = { "nbd+unix:///?socket=/s", "file://otherhost/p", "file:///p%zz",
			      "file:///p%00q", "iscsi://target/lun", "", NULL };
	for (int i = 0; bad[i]; i++) {
		t = NULL;
		is_int(xd_hv_xen_datapath_target(bad[i], &t, &err), -1, "datapath '%s' refused", bad[i]);
		is_str(err.code, "INTERNAL_ERROR", "datapath '%s': INTERNAL_ERROR", bad[i]);
		ok(t == NULL, "datapath '%s': no target", bad[i]);
		xd_error_clear(&err);
	}

	/* hotplug helpers: a CD with media, read-only */
	xd_hv_disk cd = { .vdev = "xvdd", .datapath = "file:///srv/x.iso", .format = "raw",
			  .cdrom = true };
	ok(xd_hv_xen_config_disk(&cd, &d, &err) == 0, "CD with media");
	is_int(d.is_cdrom, 1, "is_cdrom");
	is_int(d.removable, 1, "removable");
	is_int(d.readwrite, 0, "read-only");
	is_int(d.backend, LIBXL_DISK_BACKEND_QDISK, "qdisk backend");
	is_int(d.format, LIBXL_DISK_FORMAT_RAW, "raw");
	libxl_device_disk_dispose(&d);

	xd_hv_disk blk = { .vdev = "xvdb", .datapath = "/dev/nbd0", .format = "raw" };
	ok(xd_hv_xen_config_disk(&blk, &d, &err) == 0, "raw dom0 device");
	is_int(d.backend, LIBXL_DISK_BACKEND_PHY, "a raw device goes to blkback");
	is_str(d.pdev_path, "/dev/nbd0", "the device as pdev_path");
	libxl_device_disk_dispose(&d);

	xd_hv_disk vhd = { .vdev = "xvdc", .datapath = "file:///srv/x.vhd", .format = "vhd" };
	ok(xd_hv_xen_config_disk(&vhd, &d, &err) == 0, "vhd disk");
	is_int(d.format, LIBXL_DISK_FORMAT_VHD, "vhd format");
	is_int(d.readwrite, 1, "read-write");
	libxl_device_disk_dispose(&d);

	xd_hv_disk vmdk = { .vdev = "xvdc", .datapath = "file:///srv/x.vmdk", .format = "vmdk" };
	is_int(xd_hv_xen_config_disk(&vmdk, &d, &err), -1, "vmdk refused");
	is_str(err.params[0], "unsupported disk format: vmdk", "vmdk: message");
	xd_error_clear(&err);

	xd_hv_disk nodp = { .vdev = "xvdc" };
	is_int(xd_hv_xen_config_disk(&nodp, &d, &err), -1, "disk without datapath refused");
	is_str(err.params[0], "disk xvdc has no datapath", "no datapath: message");
	xd_error_clear(&err);

	xd_hv_nic nic = { .devid = 3, .mac = "52-54-00-AA-bb-01", .bridge = "br9" };
	ok(xd_hv_xen_config_nic(&nic, false, &n, &err) == 0, "NIC with dashes in the MAC");
	is_int(n.mac[3], 0xaa, "MAC byte 3");
	is_int(n.mac[5], 0x01, "MAC byte 5");
	is_int(n.devid, 3, "devid");
	is_int(n.mtu, 0, "no MTU: libxl default");
	is_int(n.nictype, LIBXL_NIC_TYPE_VIF, "PV guest: vif");
	libxl_device_nic_dispose(&n);
	ok(xd_hv_xen_config_nic(&nic, true, &n, &err) == 0, "HVM NIC");
	is_int(n.nictype, LIBXL_NIC_TYPE_VIF_IOEMU, "HVM guest: vif + emulated card");
	libxl_device_nic_dispose(&n);
	nic.mac = "52:54:00:aa:bb";
	is_int(xd_hv_xen_config_nic(&nic, false, &n, &err), -1, "short MAC refused");
	is_str(err.code, "MAC_INVALID", "MAC_INVALID");
	is_str(err.params[0], "52:54:00:aa:bb", "MAC_INVALID [mac]");
	xd_error_clear(&err);
}

static void test_errors(void)
{
	xd_hv_domain_spec s;
	xd_value *m;

	s = base_spec("hvm");
	m = string_map("firmware", "coreboot", NULL, NULL);
	s.hvm_boot_params = m;
	check_error("unknown firmware", &s, "INVALID_VALUE", "HVM-boot-params['firmware']",
		    "coreboot");
	xd_value_free(m);

	s = base_spec("hvm");
	m = string_map("order", "cdz", NULL, NULL);
	s.hvm_boot_params = m;
	check_error("bad boot order", &s, "INVALID_VALUE", "HVM-boot-params['order']", "cdz");
	xd_value_free(m);

	s = base_spec("hvm");
	m = string_map("device-model", "qemu-trad", NULL, NULL);
	xd_value *b = string_map("firmware", "uefi", NULL, NULL);
	s.platform = m;
	s.hvm_boot_params = b;
	check_error("uefi on qemu-trad", &s, "INVALID_VALUE", "platform:device-model",
		    "UEFI boot is not supported with qemu-trad");
	xd_value_free(m);
	xd_value_free(b);

	s = base_spec("hvm");
	m = string_map("device-model", "qemu-upstream-uefi", NULL, NULL);
	s.platform = m;
	check_error("bios on qemu-upstream-uefi", &s, "INVALID_VALUE", "platform:device-model",
		    "BIOS boot is not supported with qemu-upstream-uefi");
	xd_value_free(m);

	s = base_spec("hvm");
	m = string_map("device-model", "bochs", NULL, NULL);
	s.platform = m;
	check_error("unknown device model", &s, "INVALID_VALUE", "platform:device-model", "bochs");
	xd_value_free(m);

	s = base_spec("pv");
	check_error("PV without kernel or bootloader", &s, "INTERNAL_ERROR",
		    "there is no bootable device", NULL);
	s = base_spec("pvh");
	s.pv_bootloader = "";
	s.pv_kernel = "";
	check_error("PVH with empty kernel and bootloader", &s, "INTERNAL_ERROR",
		    "there is no bootable device", NULL);

	s = base_spec("hvm");
	s.domain_type = "hvm-ish";
	check_error("unknown domain type", &s, "INVALID_VALUE", "domain_type", "hvm-ish");
	s.domain_type = NULL;
	check_error("no domain type", &s, "INVALID_VALUE", "domain_type", "");

	s = base_spec("hvm");
	s.memory_target = s.memory_static_max + 1;
	check_error("target above static max", &s, "MEMORY_CONSTRAINT_VIOLATION_ORDER", NULL, NULL);
	s.memory_target = 0;
	check_error("zero target", &s, "MEMORY_CONSTRAINT_VIOLATION_ORDER", NULL, NULL);

	s = base_spec("hvm");
	s.vcpus_at_startup = 5;
	check_error("more VCPUs at startup than max", &s, "INVALID_VALUE", "VCPUs_at_startup", "5");
	s.vcpus_at_startup = 0;
	check_error("no VCPU at startup", &s, "INVALID_VALUE", "VCPUs_at_startup", "0");

	s = base_spec("hvm");
	disks[1].vdev = "xvda";
	check_error("two disks on xvda", &s, "DEVICE_ALREADY_ATTACHED", "xvda", NULL);
	s = base_spec("hvm");
	nics[1].devid = 0;
	check_error("two NICs with devid 0", &s, "DEVICE_ALREADY_ATTACHED", "0", NULL);

	s = base_spec("hvm");
	disks[1].datapath = "smb://server/share/disk";
	check_error("unreachable datapath", &s, "INTERNAL_ERROR",
		    "datapath not reachable by libxl: smb://server/share/disk", NULL);
	s = base_spec("hvm");
	nics[1].mac = "not-a-mac";
	check_error("bad MAC in a domain", &s, "MAC_INVALID", "not-a-mac", NULL);

	s = base_spec("hvm");
	s.vm_uuid = "not-a-uuid";
	check_error("VM uuid libxl cannot take", &s, "UUID_INVALID", "VM", "not-a-uuid");
	s.vm_uuid = NULL;
	check_error("no VM uuid", &s, "INTERNAL_ERROR", "domain spec without a VM uuid", NULL);

	/* xapi's booleans: anything else leaves libxl's default */
	s = base_spec("hvm");
	m = string_map("viridian", "yes", "nx", "0");
	s.platform = m;
	libxl_domain_config cfg;
	xd_error err = XD_ERROR_INIT;
	ok(xd_hv_xen_config_build(&s, &cfg, &err) == 0, "HVM with an odd boolean builds");
	ok(libxl_defbool_is_default(cfg.b_info.u.hvm.viridian), "viridian=yes: libxl default");
	ok(!libxl_defbool_is_default(cfg.b_info.u.hvm.nx) &&
	   !libxl_defbool_val(cfg.b_info.u.hvm.nx), "nx=0: false");
	is_int(cfg.b_info.u.hvm.bios, LIBXL_BIOS_TYPE_SEABIOS, "no firmware key: SeaBIOS");
	is_str(cfg.b_info.u.hvm.boot, "cd", "no order: xapi's default cd");
	libxl_domain_config_dispose(&cfg);
	xd_value_free(m);
}

int main(void)
{
	test_expected_configs();
	test_devices();
	test_errors();
	return tap_done();
}
