/* test_lvm_cmd.c - the lvm driver's LVM layer without LVM: the private
 * configuration and command lines (lvm_cmd.c), the report parser
 * (lvm_report.c), and, through the driver's ABI with a mock host and a
 * fake `lvm` first in PATH that logs its arguments and answers canned
 * reports, the commands the device-mapper path issues (activation), which
 * cannot run on machines without device-mapper.
 *
 *   test_lvm_cmd [path/to/lvm.so]   (default: the build's, LVM_PLUGIN_SO)
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xapi/mock.h>

#include "lvm_cmd.h"
#include "lvm_data.h"
#include "lvm_report.h"
#include "tap.h"

#ifndef LVM_PLUGIN_SO
#define LVM_PLUGIN_SO "plugins/storage/lvm/.libs/lvm.so"
#endif

#define SR_UUID "6d0b6e3e-1c1f-4a0e-9d6e-0c3f5a1b2c3d"
#define VDI_UUID "0f4c1f2a-7b4e-4d71-9a55-2b6a0e3c9d11"
#define VG "VG_XenStorage-" SR_UUID
#define LV "LV-" VDI_UUID

static char tmp[] = "/tmp/test_lvm_cmd.XXXXXX";

static char *join(const char *const *v)
{
	static char buf[4096];
	buf[0] = '\0';
	for (size_t i = 0; v[i]; i++) {
		strcat(buf, i ? " " : "");
		strcat(buf, v[i]);
	}
	return buf;
}

static void test_names(void)
{
	ok(lvm_device_name_ok("/dev/disk/by-id/scsi-3600a0b8_x:1.2+y@z"), "by-id names pass");
	ok(!lvm_device_name_ok("dev/sdb"), "a relative path is refused");
	ok(!lvm_device_name_ok("/dev/sd b"), "a space is refused");
	ok(!lvm_device_name_ok("/dev/a|b"), "a | (the filter's delimiter) is refused");
	ok(!lvm_device_name_ok("/dev/\"x"), "a quote is refused");
	ok(!lvm_device_name_ok("/dev/../etc"), "'..' is refused");
	char p[200];
	ok(lvm_dm_path(VG, LV, p, sizeof(p)) == 0, "dm path fits");
	is_str(p, "/dev/mapper/VG_XenStorage--6d0b6e3e--1c1f--4a0e--9d6e--0c3f5a1b2c3d-"
		  "LV--0f4c1f2a--7b4e--4d71--9a55--2b6a0e3c9d11",
	       "device-mapper's name doubles every '-'");
	ok(lvm_dm_path(VG, LV, p, 40) < 0, "a short buffer is refused");
}

static void test_config(void)
{
	struct lvm_env env;
	char run[300];
	snprintf(run, sizeof(run), "%s/run", tmp);
	ok(lvm_env_init(&env, "/dev/loop7", run, LVM_ACCESS_LOOP) == 0, "env for /dev/loop7");
	char dir[400];
	snprintf(dir, sizeof(dir), "%s/run/dev_loop7", tmp);
	is_str(env.dir, dir, "one private directory per device");
	struct stat st;
	ok(stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 077) == 0,
	   "made, private to its owner");
	char cfg[LVM_CONFIG_MAX], want[LVM_CONFIG_MAX];
	ok(lvm_config_text(&env, cfg, sizeof(cfg)) == 0, "config text");
	snprintf(want, sizeof(want),
		 "devices{filter=[\"a|^/dev/loop7$|\",\"r|.*|\"] "
		 "global_filter=[\"a|^/dev/loop7$|\",\"r|.*|\"] use_devicesfile=0 "
		 "obtain_device_list_from_udev=0 hints=\"none\"} global{use_lvmlockd=0 locking_dir=\"%s\" "
		 "event_activation=0 activation=0} activation{udev_sync=0 udev_rules=0 "
		 "monitoring=0} backup{backup=0 archive=0}", dir);
	is_str(cfg, want, "without device-mapper: only the device, activation off");
	env.access = LVM_ACCESS_DM;
	env.udev = true;
	lvm_config_text(&env, cfg, sizeof(cfg));
	ok(strstr(cfg, "activation=1}") && strstr(cfg, "udev_sync=1 udev_rules=1"),
	   "with device-mapper and udev: activation on, udev makes the nodes (%s)", cfg);
	env.udev = false;
	lvm_config_text(&env, cfg, sizeof(cfg));
	ok(strstr(cfg, "activation=1}") && strstr(cfg, "udev_sync=0 udev_rules=0"),
	   "with device-mapper, no udev: LVM makes the nodes");

	struct lvm_argv a;
	const char *args[] = { "lvchange", "-ay", VG "/" LV, NULL };
	ok(lvm_argv_build(&env, &a, args) == 0, "argv");
	char head[600];
	snprintf(head, sizeof(head), "env LVM_SYSTEM_DIR=%s LVM_SUPPRESS_FD_WARNINGS=1 lvm "
		 "lvchange --config ", dir);
	ok(strncmp(join(a.v), head, strlen(head)) == 0, "env, private system dir, lvm, the "
	   "command, its config: %s", join(a.v));
	is_str(a.v[a.n - 2], "-ay", "then the arguments");
	is_str(a.v[a.n - 1], VG "/" LV, "...");
	ok(a.v[a.n] == NULL, "NULL-terminated");

	char vglv[300];
	const char *act[4];
	lvm_cmd_activate(VG, LV, true, vglv, act);
	is_str(join(act), "lvchange -ay " VG "/" LV, "activation");
	lvm_cmd_activate(VG, LV, false, vglv, act);
	is_str(join(act), "lvchange -an " VG "/" LV, "deactivation");
	struct lvm_place p = { .offset = 5242880, .size = 16777216, .segments = 1 };
	char off[24], lim[24];
	const char *lo[12];
	lvm_cmd_loop("/dev/loop7", &p, false, off, lim, lo);
	is_str(join(lo), "losetup --find --show --offset 5242880 --sizelimit 16777216 "
		"--direct-io=on --read-only /dev/loop7", "a read-only loop at the LV's place");
	lvm_cmd_loop("/dev/loop7", &p, true, off, lim, lo);
	is_str(join(lo), "losetup --find --show --offset 5242880 --sizelimit 16777216 --direct-io=on "
		"/dev/loop7",
	       "a writable one");
}

static void test_report(void)
{
	const char *out =
		"  WARNING: Activation disabled. No device-mapper interaction will be attempted.\n"
		"  LVM2_LV_NAME='LV-a' LVM2_LV_SIZE='16777216' LVM2_LV_TAGS=''\n"
		"  LVM2_LV_NAME='LV-b' LVM2_LV_SIZE='8388608' LVM2_LV_TAGS='x,snapshot_of=abc'\n";
	struct lvm_rows rows;
	ok(lvm_report_parse(out, &rows) == 0, "parses");
	is_int(rows.n, 2, "two rows, the warning skipped");
	is_str(lvm_row_get(&rows.v[1], "LV_NAME"), "LV-b", "field");
	is_int(lvm_row_int(&rows.v[0], "LV_SIZE"), 16777216, "number");
	is_int(lvm_row_int(&rows.v[0], "NOPE"), -1, "absent number");
	char tag[64];
	ok(lvm_row_tag(&rows.v[1], "snapshot_of=", tag, sizeof(tag)) == 1, "tag found");
	is_str(tag, "abc", "its value");
	ok(!lvm_row_tag(&rows.v[0], "snapshot_of=", tag, sizeof(tag)), "no tag");
	lvm_rows_free(&rows);
	ok(lvm_report_parse("  LVM2_LV_NAME='unterminated\n", &rows) < 0, "a broken row fails");
	char why[100];
	lvm_output_reason("  WARNING: x\n  Volume group \"v\" not found\n  WARNING: y\n", why,
			  sizeof(why));
	is_str(why, "Volume group \"v\" not found", "the reason skips warnings");
}

/* ---- the device-mapper path through the driver, with a fake lvm ---- */

static const char *fake_lvm =
	"#!/bin/sh\n"
	"echo \"$*\" >> \"$FAKE_LVM_LOG\"\n"
	"case \"$1\" in\n"
	"pvs) echo \"  LVM2_PV_NAME='$FAKE_DEV' LVM2_VG_NAME='" VG "' LVM2_VG_SIZE='1073741824' "
	"LVM2_VG_FREE='1056964608' LVM2_VG_EXTENT_SIZE='4194304'\" ;;\n"
	"lvs) echo \"  LVM2_LV_NAME='" LV "' LVM2_LV_SIZE='16777216' LVM2_LV_TAGS=''\" ;;\n"
	"esac\n"
	"exit 0\n";

static char logpath[300];

/* The log's lines without the --config text, joined by '\n'; truncates it. */
static char *fake_log(void)
{
	static char buf[8192];
	buf[0] = '\0';
	FILE *f = fopen(logpath, "r");
	char line[4096];
	while (f && fgets(line, sizeof(line), f)) {
		char *c = strstr(line, " --config ");
		char *rest = c ? strstr(c, "archive=0}") : NULL;
		if (c && rest) {
			*c = '\0';
			strcat(buf, line);
			strcat(buf, rest + strlen("archive=0}"));
		} else {
			strcat(buf, line);
		}
	}
	if (f)
		fclose(f);
	f = fopen(logpath, "w");
	if (f)
		fclose(f);
	return buf;
}

/* Any block device node stands for the PV (the fake never opens it). */
static const char *some_block_device(void)
{
	static char path[300];
	DIR *d = opendir("/dev");
	struct dirent *e;
	struct stat st;
	while (d && (e = readdir(d))) {
		snprintf(path, sizeof(path), "/dev/%s", e->d_name);
		if (stat(path, &st) == 0 && S_ISBLK(st.st_mode) && lvm_device_name_ok(path)) {
			closedir(d);
			return path;
		}
	}
	if (d)
		closedir(d);
	return NULL;
}

static void test_dm_path(void)
{
	const char *dev = some_block_device();
	if (!dev) {
		ok(1, "# SKIP no block device node here");
		return;
	}
	char bin[300], lvm[350], path[4200], run[300];
	snprintf(bin, sizeof(bin), "%s/bin", tmp);
	snprintf(lvm, sizeof(lvm), "%s/lvm", bin);
	snprintf(logpath, sizeof(logpath), "%s/lvm.log", tmp);
	snprintf(run, sizeof(run), "%s/run", tmp);
	mkdir(bin, 0700);
	FILE *f = fopen(lvm, "w");
	fputs(fake_lvm, f);
	fclose(f);
	chmod(lvm, 0700);
	snprintf(path, sizeof(path), "%s:%s", bin, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", path, 1);
	setenv("FAKE_LVM_LOG", logpath, 1);
	setenv("FAKE_DEV", dev, 1);

	xapi_mock_t *m = xapi_mock_new();
	xapi_mock_setting(m, "access", "device-mapper");
	xapi_mock_setting(m, "run_dir", run);
	ok(xapi_mock_load(m, LVM_PLUGIN_SO) == XAPI_OK, "the driver loads (%s)", xapi_mock_error(m));
	const struct xapi_sr_ops *ops = xapi_mock_sr_ops(m);
	struct xapi_sr sr = { .size = sizeof(sr), .uuid = SR_UUID,
			      .device_config = xapi_mock_kv(m, "device", dev, NULL) };
	xapi_call_t *c = xapi_mock_call(m);
	fake_log();

	int rc = ops->vdi_attach(xapi_mock_st(m), c, &sr, VDI_UUID, 1, 0);
	ok(rc == XAPI_OK, "vdi_attach with device-mapper");
	const struct xapi_mock_result *r = xapi_mock_result(c);
	ok(!xapi_mock_check(c, "vdi_attach", rc), "by the ABI's rules");
	is_str(r->nvdis ? r->vdis[0].datapath : NULL,
	       "file:///dev/mapper/VG_XenStorage--6d0b6e3e--1c1f--4a0e--9d6e--0c3f5a1b2c3d-"
	       "LV--0f4c1f2a--7b4e--4d71--9a55--2b6a0e3c9d11", "the datapath is the dm node");
	char want[2000];
	snprintf(want, sizeof(want),
		 "pvs --noheadings --nameprefixes --units b --nosuffix -o "
		 "pv_name,vg_name,vg_size,vg_free,vg_extent_size %s\n"
		 "lvs --noheadings --nameprefixes --units b --nosuffix -o lv_name,lv_size,lv_tags "
		 VG "\n"
		 "lvchange -ay " VG "/" LV "\n", dev);
	is_str(fake_log(), want, "attach: the VG checked, the LV found, the LV activated");

	xapi_mock_call_reset(c);
	rc = ops->vdi_detach(xapi_mock_st(m), c, &sr, VDI_UUID, 0);
	ok(rc == XAPI_OK, "vdi_detach");
	ok(strstr(fake_log(), "lvchange -an " VG "/" LV "\n") != NULL, "detach deactivates");

	xapi_mock_call_reset(c);
	rc = ops->sr_detach(xapi_mock_st(m), c, &sr, 0);
	ok(rc == XAPI_OK, "sr_detach");
	ok(strstr(fake_log(), "vgchange -an " VG "\n") != NULL, "SR detach deactivates the VG");

	/* a snapshot of an attached VDI: the source stays active */
	xapi_mock_call_reset(c);
	struct xapi_vdi_info want_snap = { .size = sizeof(want_snap),
					   .uuid = "11111111-2222-4333-8444-555555555555",
					   .virtual_size = 16777216, .is_a_snapshot = 1 };
	rc = ops->vdi_snapshot(xapi_mock_st(m), c, &sr, VDI_UUID, &want_snap, 0);
	const char *log = fake_log();
	ok(strstr(log, "lvcreate -an -Zn -y --addtag snapshot_of=" VDI_UUID
		  " -n LV-11111111-2222-4333-8444-555555555555 -L 16777216b " VG "\n") != NULL,
	   "snapshot: the new LV anywhere in the VG (no --alloc contiguous), tagged");
	ok(strstr(log, "lvchange -ay " VG "/LV-11111111-2222-4333-8444-555555555555\n") != NULL,
	   "the new LV is activated to be zeroed and written");
	/* the fake made no dm node, so zeroing fails: the new LV is removed */
	ok(rc != XAPI_OK && strstr(log, "lvremove -f " VG "/LV-11111111-2222-4333-8444-555555555555"),
	   "a failure removes the half-made LV");
	is_int(r->fail_code, 54, "with sm's LVMWrite (54): %s", r->fail_msg ? r->fail_msg : "");
	xapi_mock_free(m);
}

int main(void)
{
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	test_names();
	test_config();
	test_report();
	test_dm_path();
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		ok(0, "cleanup of %s", tmp);
	return tap_done();
}
