/* lvm_cmd.c - LVM command lines with a configuration private to one device
 * (see lvm_cmd.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lvm_cmd.h"

bool lvm_device_name_ok(const char *device)
{
	if (!device || device[0] != '/' || strlen(device) >= 256 || strstr(device, ".."))
		return false;
	for (const char *p = device; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("/_.:+@-", c)))
			return false;
	}
	return true;
}

/* mkdir -p, private to root */
static int mkdir_p(const char *path)
{
	char buf[600];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* Does the kernel have device-mapper? Its misc device is registered (a
 * /dev/mapper/control node proves nothing: libdevmapper makes one even
 * where the kernel has no device-mapper). */
static bool dm_in_kernel(void)
{
	FILE *f = fopen("/proc/misc", "re");
	char line[128];
	bool found = false;
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, " device-mapper") != NULL;
	if (f)
		fclose(f);
	return found || access("/sys/class/misc/device-mapper", F_OK) == 0;
}

int lvm_env_init(struct lvm_env *env, const char *device, const char *run_dir,
		 enum lvm_access mode)
{
	memset(env, 0, sizeof(*env));
	if (!lvm_device_name_ok(device)) {
		errno = EINVAL;
		return -1;
	}
	snprintf(env->device, sizeof(env->device), "%s", device);
	int n = snprintf(env->dir, sizeof(env->dir), "%s/", run_dir);
	if (n < 0 || (size_t)n + strlen(device) >= sizeof(env->dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* one directory per device: every op on the device shares its locks */
	for (const char *p = device + 1; *p; p++)
		env->dir[n++] = *p == '/' ? '_' : *p;
	env->dir[n] = '\0';
	if (mode == LVM_ACCESS_AUTO)
		mode = dm_in_kernel() ? LVM_ACCESS_DM : LVM_ACCESS_LOOP;
	env->access = mode;
	/* udev makes /dev/mapper nodes when it runs; else LVM makes them */
	env->udev = mode == LVM_ACCESS_DM && access("/run/udev/control", F_OK) == 0;
	return mkdir_p(env->dir);
}

int lvm_config_text(const struct lvm_env *env, char *buf, size_t len)
{
	bool dm = env->access == LVM_ACCESS_DM;
	int n = snprintf(buf, len,
			 /* only our device: the host's disks and VGs stay out of sight */
			 "devices{filter=[\"a|^%s$|\",\"r|.*|\"] "
			 "global_filter=[\"a|^%s$|\",\"r|.*|\"] "
			 /* no hints file: it would be /run/lvm/hints, the host's */
			 "use_devicesfile=0 obtain_device_list_from_udev=0 hints=\"none\"} "
			 "global{use_lvmlockd=0 locking_dir=\"%s\" event_activation=0 "
			 "activation=%d} "
			 "activation{udev_sync=%d udev_rules=%d monitoring=0} "
			 /* the metadata lives on the PV; no copies under /etc/lvm */
			 "backup{backup=0 archive=0}",
			 env->device, env->device, env->dir, dm ? 1 : 0, env->udev ? 1 : 0,
			 env->udev ? 1 : 0);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int lvm_argv_build(const struct lvm_env *env, struct lvm_argv *a, const char *const args[])
{
	memset(a, 0, sizeof(*a));
	if (!args || !args[0])
		return -1;
	if (snprintf(a->sysdir_env, sizeof(a->sysdir_env), "LVM_SYSTEM_DIR=%s", env->dir) >=
		    (int)sizeof(a->sysdir_env) ||
	    lvm_config_text(env, a->config, sizeof(a->config)) < 0)
		return -1;
	/* `env` sets the variables for lvm alone: the host's run() takes no
	 * environment, and LVM_SYSTEM_DIR keeps /etc/lvm/lvm.conf unread */
	const char *head[] = { "env", a->sysdir_env, "LVM_SUPPRESS_FD_WARNINGS=1", "lvm",
			       args[0], "--config", a->config };
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		a->v[a->n++] = head[i];
	for (size_t i = 1; args[i]; i++) {
		if (a->n >= LVM_ARGV_MAX)
			return -1;
		a->v[a->n++] = args[i];
	}
	a->v[a->n] = NULL;
	return 0;
}

int lvm_dm_path(const char *vg, const char *lv, char *buf, size_t len)
{
	size_t n = 0;
	const char *pre = "/dev/mapper/";
	const char *parts[] = { vg, lv };
	for (const char *p = pre; *p; p++) {
		if (n + 1 >= len)
			return -1;
		buf[n++] = *p;
	}
	for (int i = 0; i < 2; i++) {
		if (i == 1) {
			if (n + 1 >= len)
				return -1;
			buf[n++] = '-';
		}
		for (const char *p = parts[i]; *p; p++) {
			int k = *p == '-' ? 2 : 1;
			if (n + (size_t)k >= len)
				return -1;
			buf[n++] = *p;
			if (k == 2)
				buf[n++] = '-';
		}
	}
	buf[n] = '\0';
	return 0;
}

int lvm_run(const struct xapi_host *host, xapi_call_t *call, const struct lvm_env *env,
	    const char *const args[], const char **out)
{
	struct lvm_argv a;
	*out = "";
	if (lvm_argv_build(env, &a, args) < 0) {
		*out = "the lvm command line is too long";
		return -1;
	}
	const char *o = NULL;
	int rc = host->run(call, a.v, LVM_RUN_TIMEOUT_MS, &o);
	*out = o ? o : "";
	return rc;
}

void lvm_output_reason(const char *out, char *buf, size_t len)
{
	if (len == 0)
		return;
	buf[0] = '\0';
	for (const char *line = out; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t l = end ? (size_t)(end - line) : strlen(line);
		const char *s = line;
		while (l && (*s == ' ' || *s == '\t')) {
			s++;
			l--;
		}
		if (l && strncmp(s, "WARNING:", 8) != 0 && strncmp(s, "LVM2_", 5) != 0)
			snprintf(buf, len, "%.*s", (int)l, s);
		line = end ? end + 1 : NULL;
	}
	if (!buf[0])
		snprintf(buf, len, "%s", "no output");
}
