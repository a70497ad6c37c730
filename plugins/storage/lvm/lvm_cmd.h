/* lvm_cmd.h - LVM's command-line tools run with a configuration private to
 * one device: the only device LVM may look at is that one (its filter and
 * global_filter admit nothing else), its locks and its system directory are
 * a directory of our own, and the host's /etc/lvm is never read. This is
 * how a driver keeps LVM away from the host's own disks and VGs.
 *
 * Shared by the SR drivers that keep LVM on one block device (the `lvm`
 * driver; an iSCSI driver with LVM on its LUN can use it as it is): it
 * knows nothing of SRs or VDIs. The command lines are built by pure
 * functions (lvm_argv_build, lvm_cmd_*) so that unit tests check exactly
 * what would run, with device-mapper (activation) and without.
 */
#ifndef LVM_CMD_H
#define LVM_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xapi/plugin.h>

/* How LVs are reached: activation (device-mapper, /dev/mapper/<vg>-<lv>),
 * or without device-mapper a loop device over the PV at the LV's offset
 * (single-segment LVs only; lvm_data.h). */
enum lvm_access { LVM_ACCESS_AUTO = 0, LVM_ACCESS_DM = 1, LVM_ACCESS_LOOP = 2 };

struct lvm_env {
	char device[256];              /* the one PV, as given */
	char dir[512];                 /* private LVM_SYSTEM_DIR and locking_dir */
	enum lvm_access access;        /* DM or LOOP (never AUTO once set up) */
	bool udev;                     /* udev runs: it makes the device nodes */
};

#define LVM_ARGV_MAX 40
#define LVM_CONFIG_MAX 2048

/* One command line: argv points into the struct itself. */
struct lvm_argv {
	const char *v[LVM_ARGV_MAX + 1];
	size_t n;
	char sysdir_env[600];          /* "LVM_SYSTEM_DIR=<dir>" */
	char config[LVM_CONFIG_MAX];   /* the --config text */
};

/* Can `device` stand in the filter (a path of [A-Za-z0-9/_.:+@-], starting
 * with '/', shorter than 256)? Others are refused: they would need escapes
 * LVM's config syntax does not promise to keep. */
bool lvm_device_name_ok(const char *device);

/* Fills env for `device`: dir = <run_dir>/<device with '/' as '_'>;
 * access AUTO is resolved (DM when the kernel has device-mapper). Creates
 * the directory (mode 0700). Returns 0, or -1 with errno (ENAMETOOLONG,
 * EINVAL for a device lvm_device_name_ok refuses, mkdir's errno). */
int lvm_env_init(struct lvm_env *env, const char *device, const char *run_dir,
		 enum lvm_access mode);

/* The --config text for env (devices, global, activation, backup). */
int lvm_config_text(const struct lvm_env *env, char *buf, size_t len);

/* a->v = env LVM_SYSTEM_DIR=<dir> LVM_SUPPRESS_FD_WARNINGS=1 lvm
 *        <args[0]> --config <text> <args[1]...>
 * (args ends with NULL). Returns 0, or -1 when it does not fit. */
int lvm_argv_build(const struct lvm_env *env, struct lvm_argv *a, const char *const args[]);

/* The report options every lvm_cmd_report_* adds: one line per row,
 * LVM2_<FIELD>='value' pairs, sizes in bytes without a suffix. */
#define LVM_REPORT_OPTS "--noheadings", "--nameprefixes", "--units", "b", "--nosuffix"

/* Device-mapper's name of an LV (each '-' of vg and lv doubled, joined by
 * '-') as /dev/mapper/<name> into buf. -1 if it does not fit. */
int lvm_dm_path(const char *vg, const char *lv, char *buf, size_t len);

/* Runs args (as lvm_argv_build) through host->run. Returns the exit status
 * (-1: could not run, killed at its timeout). *out: its stdout and stderr
 * (core memory, valid until the op returns; "" if none). */
int lvm_run(const struct xapi_host *host, xapi_call_t *call, const struct lvm_env *env,
	    const char *const args[], const char **out);

/* The last line of LVM's output worth showing a client (skipping the
 * WARNING lines it prints about activation and backups), into buf. */
void lvm_output_reason(const char *out, char *buf, size_t len);

#define LVM_RUN_TIMEOUT_MS 120000

#endif
