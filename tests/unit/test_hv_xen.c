/* test_hv_xen.c - the xen backend where there is no hypervisor (as on the
 * project's machines): backend selection and its fallback to sim, a quiet
 * stderr, every operation failing cleanly; then what runs without one: the
 * xentoollog logger and the reading of guest data from a (fake) xenstore.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/hv.h"
#include "hv/hv_int.h"
#include "hv/xen/hv_xen_guest.h"
#include "hv/xen/hv_xen_log.h"
#include "log.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_hv_xen.XXXXXX";

static char *slurp(const char *path)
{
	static char text[65536];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	text[n] = '\0';
	if (f)
		fclose(f);
	return text;
}

/* The log line holding needle ("" if none). */
static const char *line_with(const char *log, const char *needle)
{
	static char line[2048];
	const char *p = strstr(log, needle), *b, *e;

	line[0] = '\0';
	if (!p)
		return line;
	for (b = p; b > log && b[-1] != '\n'; b--)
		;
	e = strchr(p, '\n');
	snprintf(line, sizeof(line), "%.*s", (int)((e ? e : p + strlen(p)) - b), b);
	return line;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* ---- selection ---------------------------------------------------------------- */

static void test_selection(void)
{
	char why[512] = "", logpath[256], errpath[256], *log;
	xd_error err = XD_ERROR_INIT;
	int saved_stderr, fd;

	if (access("/dev/xen/privcmd", F_OK) == 0) {
		ok(1, "# skip: this machine runs on Xen");
		return;
	}
	snprintf(logpath, sizeof(logpath), "%s/log", tmpdir);
	snprintf(errpath, sizeof(errpath), "%s/stderr", tmpdir);
	ok(xd_log_set_file(logpath) == 0, "log to a file");
	xd_log_set_level(XD_LOG_DEBUG);
	/* whatever libxl or libxenctrl might print would land here */
	fflush(stderr);
	saved_stderr = dup(2);
	fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);

	ok(!xd_hv_xen_available(why, sizeof(why)), "no hypervisor here");
	is_str(why, "no /dev/xen (not running on Xen); libxl_ctx_alloc failed: Could not obtain "
	       "handle on privileged command interface: No such file or directory",
	       "the reason names /dev/xen, libxl and what it said");

	is_int(xd_hv_init("xen", false, &err), -1, "xen asked, none there, no fallback");
	is_str(err.code, "INTERNAL_ERROR", "INTERNAL_ERROR");
	ok(err.nparams == 1 && strncmp(err.params[0], "xen backend unavailable: no /dev/xen", 36) == 0,
	   "with the reason (%s)", err.nparams ? err.params[0] : "");
	xd_error_clear(&err);

	is_int(xd_hv_init("xen", true, &err), 0, "xen asked with fallback to sim");
	is_str(xd_hv()->name, "sim", "runs on sim");

	is_int(xd_hv_init("kvm", true, &err), -1, "an unknown backend");
	is_str(err.code, "INVALID_VALUE", "INVALID_VALUE");
	is_str(err.nparams > 1 ? err.params[1] : NULL, "kvm", "[backend, kvm]");
	xd_error_clear(&err);
	is_int(xd_hv_init("sim", false, &err), 0, "sim");
	is_str(xd_hv()->name, "sim", "sim selected");
	xd_hv_shutdown();
	is_str(xd_hv()->name, "sim", "after shutdown xd_hv still answers (sim)");

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	is_str(slurp(errpath), "", "nothing on stderr");
	xd_log_set_file(NULL);
	log = slurp(logpath);
	is_int(count(log, "falling back to the simulated host"), 1, "one warning line for the fallback");
	ok(strstr(line_with(log, "falling back"), "Z warn xen backend unavailable (no /dev/xen") != NULL,
	   "at warning level, with the reason");
	ok(strstr(log, "xen: libxl: ") != NULL, "libxl's own messages go to our log");
	is_int(count(log, "Z error "), 0, "probe failures are not logged as errors");
	xd_log_set_level(XD_LOG_ERROR);
}

static void test_ops_without_xen(void)
{
	const xd_hv_ops *xen = xd_hv_xen_ops();
	xd_error err = XD_ERROR_INIT;
	xd_hv_domain_spec spec = { .vm_uuid = "6b1e2f3a-0c4d-4e5f-8a9b-0c1d2e3f4a5b",
				   .domain_type = "pv", .memory_static_max = 1 << 30,
				   .memory_target = 1 << 29, .vcpus_max = 1, .vcpus_at_startup = 1,
				   .pv_kernel = "/boot/vmlinuz" };
	xd_hv_disk disk = { .vdev = "xvda", .datapath = "file:///x" };
	xd_hv_nic nic = { .devid = 0 };
	xd_hv_dominfo di;
	xd_hv_guest_info gi;
	char *p = NULL, *l = NULL;

	is_str(xen->name, "xen", "the xen table");
	is_int(xen->free_memory(), 0, "free memory: 0");
	is_int(xen->total_memory(), 0, "total memory: 0");
#define FAILS(call, what)                                                              \
	do {                                                                           \
		is_int(call, -1, what " fails");                                       \
		is_str(err.nparams ? err.params[0] : NULL, "the xen backend is not open", \
		       what ": the backend is not open");                             \
		xd_error_clear(&err);                                                  \
	} while (0)
	FAILS(xen->create(&spec, &err), "create");
	FAILS(xen->unpause(1, &err), "unpause");
	FAILS(xen->pause(1, &err), "pause");
	FAILS(xen->shutdown(1, XD_SHUTDOWN_POWEROFF, 1, &err), "shutdown");
	FAILS(xen->destroy(1, &err), "destroy");
	FAILS(xen->suspend(1, "/tmp/x", &err), "suspend");
	FAILS(xen->restore(&spec, "/tmp/x", &err), "restore");
	FAILS(xen->disk_add(1, &disk, &err), "disk_add");
	FAILS(xen->disk_remove(1, "xvda", false, &err), "disk_remove");
	FAILS(xen->nic_add(1, &nic, &err), "nic_add");
	FAILS(xen->nic_remove(1, 0, &err), "nic_remove");
	FAILS(xen->set_memory_target(1, 1 << 20, &err), "set_memory_target");
	FAILS(xen->set_vcpus(1, 1, &err), "set_vcpus");
	FAILS(xen->info(1, &di, &err), "info");
	FAILS(xen->guest_info(1, &gi, &err), "guest_info");
	FAILS(xen->console(1, &p, &l, &err), "console");
	FAILS(xen->migrate_send(1, "tcp://127.0.0.1:1", true, &err), "migrate_send");
	FAILS(xen->migrate_receive(&spec, "tcp://127.0.0.1:1", &err), "migrate_receive");
	{
		int64_t target = 0;
		char *ring = xen->dmesg(&err);

		ok(ring == NULL, "dmesg: no ring");
		is_str(err.nparams ? err.params[0] : NULL, "the xen backend is not open",
		       "dmesg: the backend is not open");
		xd_error_clear(&err);
		FAILS(xen->send_debug_keys("h", &err), "send_debug_keys");
		FAILS(xen->memory_target(1, &target, &err), "memory_target");
		FAILS(xen->set_shadow_memory(1, 8, &err), "set_shadow_memory");
	}
	ok(p == NULL && l == NULL, "no console strings");
}

/* ---- the logger ------------------------------------------------------------------ */

static void test_logger(void)
{
	char logpath[256], *log;
	xentoollog_logger *lg;

	snprintf(logpath, sizeof(logpath), "%s/log2", tmpdir);
	xd_log_set_file(logpath);
	xd_log_set_level(XD_LOG_DEBUG);
	lg = xd_hv_xen_logger_new(true);
	is_str(xd_hv_xen_logger_first_error(lg), "", "no error yet");
	xtl_log(lg, XTL_INFO, -1, "libxl", "hello %d", 1);
	xtl_log(lg, XTL_ERROR, ENOENT, "xencall", "cannot open %s", "privcmd");
	xtl_log(lg, XTL_ERROR, -1, "libxl", "second");
	is_str(xd_hv_xen_logger_first_error(lg), "cannot open privcmd: No such file or directory",
	       "the first error is kept, with its errno");
	xd_hv_xen_logger_set_quiet(lg, false);
	xtl_log(lg, XTL_ERROR, -1, "libxl", "a real failure");
	xtl_log(lg, XTL_WARN, -1, NULL, "a warning without context");
	xtl_progress(lg, "xc", "saving memory", 0, 100);
	xd_hv_xen_logger_free(lg);
	xd_log_set_file(NULL);
	log = slurp(logpath);
	ok(strstr(log, "xen: xencall: cannot open privcmd: No such file or directory") != NULL,
	   "quiet errors logged");
	ok(strstr(line_with(log, "xen: xencall"), "Z debug ") != NULL, "at debug level");
	ok(strstr(log, "xen: libxl: a real failure") != NULL, "loud errors logged");
	ok(strstr(line_with(log, "a real failure"), "Z error ") != NULL, "at error level");
	ok(strstr(log, "xen: a warning without context") != NULL, "no context: no prefix");
	ok(strstr(log, "xen: xc: saving memory 0%") != NULL, "progress");
	xd_log_set_level(XD_LOG_ERROR);
}

/* ---- guest data from a fake xenstore ------------------------------------------------ */

typedef struct kv {
	const char *key, *val;
} kv;

static char *fake_read(void *ctx, const char *key)
{
	for (const kv *e = ctx; e->key; e++)
		if (strcmp(e->key, key) == 0)
			return strdup(e->val);
	return NULL;
}

/* The distinct children of key, as one block like xs_directory. */
static char **fake_list(void *ctx, const char *key, unsigned *n)
{
	const char *names[64];
	size_t lens[64], klen = strlen(key), bytes = 0;
	unsigned i, k = 0;

	for (const kv *e = ctx; e->key; e++) {
		const char *rest;
		size_t len;
		if (strncmp(e->key, key, klen) != 0 || e->key[klen] != '/')
			continue;
		rest = e->key + klen + 1;
		len = strcspn(rest, "/");
		for (i = 0; i < k; i++)
			if (lens[i] == len && strncmp(names[i], rest, len) == 0)
				break;
		if (i == k && k < 64) {
			names[k] = rest;
			lens[k++] = len;
			bytes += len + 1;
		}
	}
	*n = k;
	if (!k)
		return NULL;
	char **block = malloc((k + 1) * sizeof(char *) + bytes);
	char *s = (char *)(block + k + 1);
	for (i = 0; i < k; i++) {
		block[i] = s;
		memcpy(s, names[i], lens[i]);
		s[lens[i]] = '\0';
		s += lens[i] + 1;
	}
	block[k] = NULL;
	return block;
}

static const char *get(const xd_value *map, const char *key)
{
	const xd_value *v = map ? xd_struct_get(map, key) : NULL;
	return v && v->t == XD_V_STRING ? v->u.s : NULL;
}

static void free_info(xd_hv_guest_info *gi)
{
	xd_value_free(gi->os_version);
	xd_value_free(gi->networks);
	xd_value_free(gi->other);
}

static void test_guest_data(void)
{
	static const kv modern[] = {
		{ "data/os_name", "Debian GNU/Linux 12 (bookworm)" },
		{ "data/os_uname", "6.1.0-18-amd64" },
		{ "data/os_distro", "debian" },
		{ "data/os_majorver", "12" },
		{ "data/os_minorver", "5" },
		{ "data/meminfo_total", "2048000" },
		{ "data/meminfo_free", "1024000" },
		{ "data/ts", "1" },
		{ "attr/PVAddons/MajorVersion", "8" },
		{ "attr/vif/0/ipv4/1", "192.0.2.11" },
		{ "attr/vif/0/ipv4/0", "192.0.2.10" },
		{ "attr/vif/0/ipv6/0", "2001:db8::10" },
		{ "attr/vif/10/ipv4/0", "198.51.100.7" },
		{ "attr/eth0/ip", "203.0.113.99" }, /* ignored: the vif protocol wins */
		{ "control/feature-shutdown", "1" },
		{ "control/feature-suspend", "1" },
		{ "control/shutdown", "" },
		{ NULL, NULL },
	};
	static const kv legacy[] = {
		{ "attr/eth1/ip", "192.0.2.21" },
		{ "attr/eth1/ipv6/0/addr", "2001:db8::21" },
		{ "attr/xenbr0/ip", "192.0.2.30" },
		{ "attr/lo/ip", "127.0.0.1" },
		{ "attr/PVAddons/MajorVersion", "7" },
		{ "control/feature-suspend", "1" },
		{ "data/cant_suspend_reason", "a PCI device is passed through" },
		{ NULL, NULL },
	};
	static const kv silent[] = {
		{ "control/shutdown", "" },
		{ "data/meminfo_total", "oops" },
		{ NULL, NULL },
	};
	xd_hv_xen_store st = { fake_read, fake_list, (void *)modern };
	xd_hv_guest_info gi;

	xd_hv_xen_guest_read(&st, &gi);
	is_str(get(gi.os_version, "name"), "Debian GNU/Linux 12 (bookworm)", "os name");
	is_str(get(gi.os_version, "uname"), "6.1.0-18-amd64", "uname");
	is_str(get(gi.os_version, "distro"), "debian", "distro");
	is_str(get(gi.os_version, "major"), "12", "major");
	is_str(get(gi.os_version, "minor"), "5", "minor");
	is_str(get(gi.networks, "0/ip"), "192.0.2.10", "0/ip is the first IPv4 by index");
	is_str(get(gi.networks, "0/ipv4/0"), "192.0.2.10", "0/ipv4/0");
	is_str(get(gi.networks, "0/ipv4/1"), "192.0.2.11", "0/ipv4/1");
	is_str(get(gi.networks, "0/ipv6/0"), "2001:db8::10", "0/ipv6/0");
	is_str(get(gi.networks, "10/ip"), "198.51.100.7", "10/ip");
	is_int(gi.networks->u.st.n, 6, "nothing from attr/eth0 when attr/vif is there");
	is_str(get(gi.other, "feature-shutdown"), "1", "feature-shutdown");
	is_str(get(gi.other, "feature-suspend"), "1", "feature-suspend");
	is_str(get(gi.other, "shutdown"), "", "every control key");
	is_str(get(gi.other, "data-ts"), "1", "data-ts");
	is_int(gi.memory_used, 1024000LL * 1024, "memory used = total - free");
	is_int(gi.memory_free, 1024000LL * 1024, "memory free");
	ok(gi.pv_drivers, "PV drivers");
	free_info(&gi);

	st.ctx = (void *)legacy;
	xd_hv_xen_guest_read(&st, &gi);
	is_str(get(gi.networks, "1/ip"), "192.0.2.21", "legacy eth1/ip");
	is_str(get(gi.networks, "1/ipv4/0"), "192.0.2.21", "also as ipv4/0");
	is_str(get(gi.networks, "1/ipv6/0"), "2001:db8::21", "legacy ipv6");
	is_str(get(gi.networks, "0/ip"), "192.0.2.30", "xenbr0 counts as interface 0");
	is_int(gi.networks->u.st.n, 5, "lo is not an interface xapi reports");
	is_str(get(gi.other, "data-cant-suspend-reason"), "a PCI device is passed through",
	       "the reason replaces feature-suspend");
	ok(get(gi.other, "feature-suspend") == NULL, "no feature-suspend then");
	is_int(gi.os_version->u.st.n, 0, "no OS data");
	is_int(gi.memory_used, -1, "no memory data");
	free_info(&gi);

	st.ctx = (void *)silent;
	xd_hv_xen_guest_read(&st, &gi);
	ok(!gi.os_version && !gi.networks && !gi.other, "a silent guest: no maps");
	is_int(gi.memory_used, -1, "memory unknown");
	ok(!gi.pv_drivers, "no PV drivers");
}

int main(void)
{
	char cmd[128];

	xd_log_set_level(XD_LOG_ERROR);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_selection();
	test_ops_without_xen();
	test_logger();
	test_guest_data();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return tap_done();
}
