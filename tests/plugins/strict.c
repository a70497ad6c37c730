/* strict.c - the storage driver "strict", for the tests of what the ABI
 * promises a driver (tests/integration/test_plugin_abi.py):
 *
 *  - required device-config keys: `location` (XAPI_CONFIG_REQUIRED) and
 *    `token` (XAPI_CONFIG_REQUIRED | XAPI_CONFIG_PROBE_OPTIONAL); xapid must
 *    refuse SR.create / SR.probe / PBD.plug without them before any op runs,
 *    so every op logs "strict: <op> called" for the tests to look for;
 *  - snapshot and clone name the new VDI after want->uuid and emit no uuid
 *    of their own (xapid must give the record that uuid);
 *  - datapaths: VDIs are sparse raw files <location>/<uuid>.raw, attached
 *    as file:// URIs written with xapi_datapath_file(), so a location with
 *    a space or a % shows that the daemon decodes them; with device-config
 *    colour=bare-path it hands out the bare path instead (a driver bug).
 * Not installed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

static const struct xapi_host *H;
static xapi_plugin_t *self_handle;

static void called(xapi_call_t *call, const char *op)
{
	xapi_log(H, self_handle, call, XAPI_LOG_INFO, "strict: %s called", op);
}

static const char *dir_of(const struct xapi_sr *sr)
{
	return H->kv_get(sr->device_config, "location");
}

static int sr_probe(void *st, xapi_call_t *call, const xapi_kv_t *device_config,
		    const xapi_kv_t *sm_config, unsigned flags)
{
	XAPI_CHECK_FLAGS(H, call, flags, 0);
	called(call, "sr_probe");
	return XAPI_OK;
}

static int sr_create(void *st, xapi_call_t *call, const struct xapi_sr *sr, int64_t size,
		     unsigned flags)
{
	XAPI_CHECK_FLAGS(H, call, flags, 0);
	called(call, "sr_create");
	if (mkdir(dir_of(sr), 0700) != 0 && access(dir_of(sr), W_OK) != 0)
		return xapi_fail(H, call, NULL, 61, "File SR creation error: %s", dir_of(sr));
	return XAPI_OK;
}

static int sr_attach(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	XAPI_CHECK_FLAGS(H, call, flags, 0);
	called(call, "sr_attach");
	return XAPI_OK;
}

/* A sparse file of size bytes named <uuid>.raw; emits it. */
static int make_vdi(xapi_call_t *call, const struct xapi_sr *sr, const struct xapi_vdi_info *want,
		    const char *snapshot_of)
{
	char loc[64], path[4200];
	if (!want->uuid || strlen(want->uuid) != 36)
		return xapi_fail(H, call, NULL, 78, "VDI Creation failed: no uuid given");
	snprintf(loc, sizeof loc, "%s.raw", want->uuid);
	snprintf(path, sizeof path, "%s/%s", dir_of(sr), loc);
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, want->virtual_size) != 0) {
		if (fd >= 0)
			close(fd);
		return xapi_fail(H, call, NULL, 78, "VDI Creation failed: %s", path);
	}
	close(fd);
	struct xapi_vdi_info v = {
		.size = sizeof v,
		.location = loc,
		.uuid = NULL, /* on purpose: xapid knows the uuid it asked for */
		.name_label = want->name_label,
		.virtual_size = want->virtual_size,
		.physical_utilisation = 0,
		.is_a_snapshot = snapshot_of != NULL,
		.snapshot_of = snapshot_of,
	};
	return H->emit_vdi(call, &v);
}

static int vdi_create(void *st, xapi_call_t *call, const struct xapi_sr *sr,
		      const struct xapi_vdi_info *want, unsigned flags)
{
	XAPI_CHECK_FLAGS(H, call, flags, 0);
	called(call, "vdi_create");
	return make_vdi(call, sr, want, NULL);
}

static int vdi_snapshot(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *loc,
			const struct xapi_vdi_info *want, unsigned flags)
{
	XAPI_CHECK_FLAGS(H, call, flags, 0);
	called(call, "vdi_snapshot");
	return make_vdi(call, sr, want, loc);
}

static int vdi_clone(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *loc,
		     const struct xapi_vdi_info *want, unsigned flags)
{
	XAPI_CHECK_FLAGS(H, call, flags, 0);
	called(call, "vdi_clone");
	return make_vdi(call, sr, want, NULL);
}

static int vdi_delete(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *loc,
		      unsigned flags)
{
	char path[4200];
	XAPI_CHECK_FLAGS(H, call, flags, 0);
	snprintf(path, sizeof path, "%s/%s", dir_of(sr), loc);
	unlink(path);
	return XAPI_OK;
}

static int vdi_attach(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *loc,
		      int writable, unsigned flags)
{
	char path[4200], uri[13000];
	struct stat sb;
	XAPI_CHECK_FLAGS(H, call, flags, 0);
	snprintf(path, sizeof path, "%s/%s", dir_of(sr), loc);
	if (stat(path, &sb) != 0)
		return XAPI_E_NOT_FOUND;
	const char *colour = H->kv_get(sr->device_config, "colour");
	if (colour && strcmp(colour, "bare-path") == 0)
		snprintf(uri, sizeof uri, "%s", path); /* a driver bug: not a URI */
	else if (xapi_datapath_file(uri, sizeof uri, path) < 0)
		return xapi_fail(H, call, NULL, 46, "The VDI is not available: path too long");
	struct xapi_vdi_info v = {
		.size = sizeof v,
		.location = loc,
		.virtual_size = sb.st_size,
		.physical_utilisation = (int64_t)sb.st_blocks * 512,
		.datapath = uri,
	};
	return H->emit_vdi(call, &v);
}

static int vdi_detach(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *loc,
		      unsigned flags)
{
	XAPI_CHECK_FLAGS(H, call, flags, 0);
	return XAPI_OK;
}

static const struct xapi_sr_ops ops = {
	.size = sizeof(struct xapi_sr_ops),
	.sr_probe = sr_probe,
	.sr_create = sr_create,
	.sr_delete = ok_sr_op,
	.sr_attach = sr_attach,
	.sr_detach = ok_sr_op,
	.sr_scan = ok_sr_op,
	.vdi_create = vdi_create,
	.vdi_delete = vdi_delete,
	.vdi_snapshot = vdi_snapshot,
	.vdi_clone = vdi_clone,
	.vdi_attach = vdi_attach,
	.vdi_detach = vdi_detach,
};

static const char *const caps[] = { "SR_PROBE", "VDI_CREATE", "VDI_DELETE", "VDI_SNAPSHOT",
				    "VDI_CLONE", "VDI_ATTACH", "VDI_DETACH", NULL };

static const struct xapi_config_key config[] = {
	{ "location", "directory of the VDI files", XAPI_CONFIG_REQUIRED },
	{ "token", "a secret (required)", XAPI_CONFIG_REQUIRED | XAPI_CONFIG_PROBE_OPTIONAL },
	{ "colour", "optional; bare-path: vdi_attach gives a path, not a URI", 0 },
	{ NULL, NULL, 0 },
};

static const struct xapi_plugin_desc the_desc = {
	.size = sizeof the_desc,
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_STORAGE,
	.name = "strict",
	.description = "Strict test driver: required keys, snapshot uuids, encoded datapaths",
	.vendor = "xapi-c tests",
	.copyright = "(C) the xapi-c authors",
	.version = "0.1",
	.capabilities = caps,
	.config = config,
	.ops = &ops,
};

static int init(const struct xapi_host *h, xapi_plugin_t *self, const struct xapi_plugin_desc **d,
		void **st)
{
	H = h;
	self_handle = self;
	*d = &the_desc;
	*st = NULL;
	return XAPI_OK;
}

XAPI_PLUGIN_DEFINE(init)
