/* faulty.c - the storage driver "faulty", for the crash isolation tests.
 * It misbehaves on request:
 *
 *   VDI.create (vdi_create), by the VDI's name_label, SR.scan (sr_scan),
 *   by the SR's name_label (SR.set_name_label makes an existing SR's
 *   scans misbehave), and SR.probe (sr_probe), by device_config or
 *   sm_config key "fault":
 *     crash      raises SIGSEGV               (a segfault)
 *     exit       calls exit(3)
 *     hang       sleeps forever, deaf to host->cancelled()
 *     helper     runs `sleep 987.654` (a hang in a helper program; the
 *                odd number lets a test find it in the process table)
 *     fail       xapi_fail(NULL, 42, ...)     (SR_BACKEND_FAILURE_42)
 *     full       xapi_fail("SR_FULL", ...)
 *     notfound   returns XAPI_E_NOT_FOUND without saying why
 *     nap        sleeps 0.5 s, then works
 *     slow       reports progress for up to 10 s, stops when cancelled
 *     run        runs `echo out-of-helper` and names the VDI after its output
 *     st-..., eio, fail-..., noemit, loc-...: what an op returns and emits
 *                (faulty_status.h)
 *     later:F    (vdi_create only) works, and the VDI's location ends in
 *                "+F": vdi_delete of it then does fault F
 *     anything else works: vdi_create emits a VDI, sr_probe one SR.
 *
 * With the setting threadsafe = true it is the driver "faulty_ts" instead,
 * which sets XAPI_PLUGIN_THREADSAFE (xapid then runs its calls side by side).
 *
 *   PBD.plug and SR.create (sr_attach), SR.scan (sr_scan): the same
 *   faults, by device_config key "attach" / "scan".
 *
 * sr_attach emits the SR with name_label = its "greeting" setting, so that
 * tests can see plugins.d settings arrive. With device_config key "dir",
 * sr_create makes the directory <dir>/<sr uuid> and sr_delete removes it
 * (what a failed SR.create leaves behind shows there); without it they do
 * nothing. sr_detach, sr_scan (unless told otherwise) and vdi_delete succeed
 * doing nothing. Not installed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "faulty_status.h"

static const struct xapi_host *H;
static xapi_plugin_t *self_handle;

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Misbehaves as `how` says; returns 1 if it did something (rc set). */
static int misbehave(xapi_call_t *call, const char *how, int *rc)
{
	if (!how)
		return 0;
	if (faulty_status_fault(H, call, how, NULL, rc))
		return 1;
	if (strcmp(how, "crash") == 0) {
		raise(SIGSEGV);
		return 0;
	}
	if (strcmp(how, "exit") == 0)
		exit(3);
	if (strcmp(how, "hang") == 0) {
		for (;;)
			pause();
	}
	if (strcmp(how, "helper") == 0) {
		const char *argv[] = { "sleep", "987.654", NULL };
		const char *out = NULL;
		H->run(call, argv, 1000 * 1000, &out);
		*rc = xapi_fail(H, call, NULL, 1, "the helper returned");
		return 1;
	}
	if (strcmp(how, "fail") == 0) {
		*rc = xapi_fail(H, call, NULL, 42, "the faulty driver failed on purpose");
		return 1;
	}
	if (strcmp(how, "full") == 0) {
		*rc = xapi_fail(H, call, "SR_FULL", 0, "no room in the faulty SR");
		return 1;
	}
	if (strcmp(how, "notfound") == 0) {
		*rc = XAPI_E_NOT_FOUND;
		return 1;
	}
	if (strcmp(how, "nap") == 0) {
		sleep_ms(500);
		return 0;
	}
	if (strcmp(how, "slow") == 0) {
		for (int i = 0; i < 200; i++) {
			if (H->cancelled(call)) {
				*rc = XAPI_E_CANCELLED;
				return 1;
			}
			H->progress(call, i / 200.0);
			sleep_ms(50);
		}
		*rc = XAPI_OK;
		return 1;
	}
	return 0;
}

/* <device_config:dir>/<sr uuid> in buf; 0 if the SR has no "dir". */
static int sr_dir(const struct xapi_sr *sr, char *buf, size_t size)
{
	const char *dir = H->kv_get(sr->device_config, "dir");
	if (!dir || !sr->uuid)
		return 0;
	snprintf(buf, size, "%s/%s", dir, sr->uuid);
	return 1;
}

static int sr_create(void *st, xapi_call_t *call, const struct xapi_sr *sr, int64_t size,
		     unsigned flags)
{
	char path[4096];
	XAPI_CHECK_FLAGS(H, call, flags, 0);
	if (sr_dir(sr, path, sizeof path) && mkdir(path, 0755) != 0)
		return xapi_fail(H, call, NULL, 78, "cannot make %s: %s", path, strerror(errno));
	return XAPI_OK;
}

static int sr_delete(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	char path[4096];
	XAPI_CHECK_FLAGS(H, call, flags, 0);
	if (sr_dir(sr, path, sizeof path) && rmdir(path) != 0 && errno != ENOENT)
		return xapi_fail(H, call, NULL, 200, "cannot remove %s: %s", path, strerror(errno));
	return XAPI_OK;
}

static int vdi_delete(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		      unsigned flags)
{
	int rc = XAPI_OK;
	XAPI_CHECK_FLAGS(H, call, flags, 0);
	const char *later = location ? strchr(location, '+') : NULL;
	if (later && misbehave(call, later + 1, &rc))
		return rc;
	return XAPI_OK;
}

static int sr_attach(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	int rc = XAPI_OK;
	XAPI_CHECK_FLAGS(H, call, flags, 0);
	if (misbehave(call, H->kv_get(sr->device_config, "attach"), &rc))
		return rc;
	const char *greeting = H->config_get(self_handle, "greeting");
	struct xapi_sr_info info = {
		.size = sizeof info,
		.uuid = sr->uuid,
		.name_label = greeting ? greeting : "no greeting",
		.physical_size = 1 << 30,
		.physical_utilisation = 0,
		.virtual_allocation = 0,
	};
	return H->emit_sr(call, &info);
}

static int sr_scan(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	int rc = XAPI_OK;
	XAPI_CHECK_FLAGS(H, call, flags, 0);
	/* by device_config "scan" (fixed when the SR is made), else by the
	 * SR's name_label (changeable on an existing SR) */
	if (misbehave(call, H->kv_get(sr->device_config, "scan"), &rc))
		return rc;
	if (misbehave(call, sr->name_label, &rc))
		return rc;
	return XAPI_OK;
}

static int sr_probe(void *st, xapi_call_t *call, const xapi_kv_t *device_config,
		    const xapi_kv_t *sm_config, unsigned flags)
{
	int rc = XAPI_OK;
	const char *how = H->kv_get(sm_config, "fault");
	if (!how)
		how = H->kv_get(device_config, "fault");
	if (misbehave(call, how, &rc))
		return rc;
	struct xapi_sr_info info = {
		.size = sizeof info,
		.uuid = "9a1f5a2c-0000-4000-8000-00000000f417",
		.name_label = "faulty SR",
		.name_description = "found by the faulty driver",
		.physical_size = 1 << 30,
		.physical_utilisation = 0,
		.virtual_allocation = 0,
		.sm_config = device_config,
	};
	return H->emit_sr(call, &info);
}

static int vdi_create(void *st, xapi_call_t *call, const struct xapi_sr *sr,
		      const struct xapi_vdi_info *want, unsigned flags)
{
	int rc = XAPI_OK;
	XAPI_CHECK_FLAGS(H, call, flags, 0);
	xapi_log(H, self_handle, call, XAPI_LOG_INFO, "vdi_create of '%s' in SR %s",
		 want->name_label ? want->name_label : "", sr->uuid ? sr->uuid : "");
	const char *later = want->name_label && strncmp(want->name_label, "later:", 6) == 0
		? want->name_label + 6 : NULL;
	/* the emit faults get the uuid, so that what they emit is otherwise sound */
	if (!later && faulty_status_fault(H, call, want->name_label, want->uuid, &rc))
		return rc;
	if (!later && misbehave(call, want->name_label, &rc))
		return rc;
	const char *name = want->name_label;
	const char *out = NULL;
	if (name && strcmp(name, "run") == 0) {
		const char *argv[] = { "echo", "out-of-helper", NULL };
		if (H->run(call, argv, 5000, &out) != 0 || !out)
			return xapi_fail(H, call, NULL, 1, "echo failed");
		name = out;
	}
	char location[128];
	snprintf(location, sizeof location, "faulty/%s%s%s", want->uuid ? want->uuid : "no-uuid",
		 later ? "+" : "", later ? later : "");
	struct xapi_vdi_info vdi = {
		.size = sizeof vdi,
		.location = location,
		.uuid = want->uuid,
		.name_label = name,
		.virtual_size = want->virtual_size,
		.physical_utilisation = 0,
		.sm_config = want->sm_config,
	};
	return H->emit_vdi(call, &vdi);
}

static const struct xapi_sr_ops ops = {
	.size = sizeof(struct xapi_sr_ops),
	.sr_probe = sr_probe,
	.sr_create = sr_create,
	.sr_delete = sr_delete,
	.sr_attach = sr_attach,
	.sr_detach = ok_sr_op,
	.sr_scan = sr_scan,
	.vdi_create = vdi_create,
	.vdi_delete = vdi_delete,
};

static const char *const caps[] = { "SR_PROBE", "VDI_CREATE", "VDI_DELETE", "VDI_RESET_ON_BOOT/2",
				    "ATOMIC_PAUSE", NULL };

static const struct xapi_config_key config[] = {
	{ "fault", "what to do wrong: crash, exit, hang, helper, fail, full, notfound, nap, slow", 0 },
	{ NULL, NULL, 0 },
};

static const struct xapi_plugin_desc the_desc = {
	.size = sizeof the_desc,
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_STORAGE,
	.name = "faulty",
	.description = "Faulty test driver: crashes, exits or hangs on request",
	.vendor = "xapi-c tests",
	.copyright = "(C) the xapi-c authors",
	.version = "0.1",
	.capabilities = caps,
	.config = config,
	.ops = &ops,
};

static const struct xapi_plugin_desc the_desc_ts = {
	.size = sizeof the_desc_ts,
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_STORAGE,
	.name = "faulty_ts",
	.description = "Faulty test driver, thread safe",
	.vendor = "xapi-c tests",
	.version = "0.1",
	.capabilities = caps,
	.config = config,
	.flags = XAPI_PLUGIN_THREADSAFE,
	.ops = &ops,
};

static int init(const struct xapi_host *h, xapi_plugin_t *self, const struct xapi_plugin_desc **d,
		void **st)
{
	H = h;
	self_handle = self;
	const char *ts = h->config_get(self, "threadsafe");
	*d = ts && strcmp(ts, "true") == 0 ? &the_desc_ts : &the_desc;
	*st = NULL;
	return XAPI_OK;
}

XAPI_PLUGIN_DEFINE(init)
