/* sr_example.c - a small but complete SR driver for xapi-c: SR type
 * "example", VDIs stored as sparse raw files in a directory.
 *
 *   xe sr-create type=example name-label=demo device-config:path=/srv/example
 *
 * device_config:path is the SR's directory (made by sr_create). Each VDI is
 * the file <path>/<vdi-uuid>.raw; its location is that file name. There is
 * no snapshot or clone (a raw file cannot share blocks cheaply), so the
 * driver does not claim VDI_SNAPSHOT / VDI_CLONE and xapid refuses those
 * calls for it with SR_OPERATION_NOT_SUPPORTED.
 *
 * Built out of tree with the Makefile next to this file, from the installed
 * SDK only (pkg-config xapi-plugin). doc/plugin-sdk.md walks through it.
 *
 * The rules every op follows (sdk/include/xapi/plugin.h):
 *  - arguments are borrowed for the call; results leave through
 *    host->emit_sr / host->emit_vdi, which copy them;
 *  - failures are reported with xapi_fail() and an SMAPIv1 error number
 *    (xapid makes SR_BACKEND_FAILURE_<n> of it), never exit() or abort();
 *  - no state is kept in memory between calls: xapid may restart the
 *    worker process that runs the driver at any moment.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <xapi/plugin.h>

/* SMAPIv1 error numbers (xapi's XE_SR_ERRORCODES.xml). */
#define E_INVALID_ARG 1
#define E_SR_UNAVAILABLE 47
#define E_VDI_CREATE 78
#define E_VDI_SIZE 79
#define E_VDI_REMOVE 64
#define E_VDI_MISSING 144
#define E_NO_SPACE 44
#define E_PATH_MISSING 94

/* The driver's instance: only what init was given. */
struct example {
	const struct xapi_host *host;
	xapi_plugin_t *self;
};

/* The SR's directory from device_config:path, or NULL after failing the
 * call. */
static const char *sr_dir(struct example *ex, xapi_call_t *call, const struct xapi_sr *sr)
{
	const char *path = ex->host->kv_get(sr->device_config, "path");
	if (!path || path[0] != '/') {
		xapi_fail(ex->host, call, NULL, E_PATH_MISSING,
			  "device-config:path must be an absolute directory path");
		return NULL;
	}
	return path;
}

/* A location we made: "<uuid>.raw", no '/'. */
static int valid_location(const char *loc)
{
	size_t n = loc ? strlen(loc) : 0;
	return n > 4 && n < 128 && !strchr(loc, '/') && loc[0] != '.' &&
	       strcmp(loc + n - 4, ".raw") == 0;
}

/* emit_sr with the space of the filesystem under dir. */
static int emit_space(struct example *ex, xapi_call_t *call, const char *uuid, const char *dir)
{
	struct statvfs vfs;
	if (statvfs(dir, &vfs) != 0)
		return xapi_fail(ex->host, call, NULL, E_SR_UNAVAILABLE, "statvfs %s: %s", dir,
				 strerror(errno));
	struct xapi_sr_info info = {
		.size = sizeof(info),
		.uuid = uuid,
		.physical_size = (int64_t)vfs.f_blocks * (int64_t)vfs.f_frsize,
		.physical_utilisation = (int64_t)(vfs.f_blocks - vfs.f_bfree) * (int64_t)vfs.f_frsize,
		.virtual_allocation = -1,
	};
	return ex->host->emit_sr(call, &info);
}

/* emit_vdi for the file dir/loc; optionally with its datapath. */
static int emit_file(struct example *ex, xapi_call_t *call, const char *dir, const char *loc,
		     const char *datapath)
{
	char path[4096], uuid[64];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, loc);
	if (stat(path, &st) != 0)
		return xapi_fail(ex->host, call, NULL, E_VDI_MISSING, "VDI could not be found: %s",
				 path);
	snprintf(uuid, sizeof(uuid), "%.*s", (int)(strlen(loc) - 4), loc);
	struct xapi_vdi_info v = {
		.size = sizeof(v),
		.location = loc,
		.uuid = uuid,
		.virtual_size = (int64_t)st.st_size,
		.physical_utilisation = (int64_t)st.st_blocks * 512, /* sparse: what is used */
		.datapath = datapath,
	};
	return ex->host->emit_vdi(call, &v);
}

/* ---- SR ops ---- */

static int example_sr_create(void *st, xapi_call_t *call, const struct xapi_sr *sr, int64_t size,
			     unsigned flags)
{
	struct example *ex = st;
	XAPI_CHECK_FLAGS(ex->host, call, flags, 0);
	const char *dir = sr_dir(ex, call, sr);
	if (!dir)
		return XAPI_E_FAILED;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return xapi_fail(ex->host, call, NULL, E_SR_UNAVAILABLE, "mkdir %s: %s", dir,
				 strerror(errno));
	return emit_space(ex, call, sr->uuid, dir);
}

static int example_sr_delete(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct example *ex = st;
	XAPI_CHECK_FLAGS(ex->host, call, flags, 0);
	const char *dir = sr_dir(ex, call, sr);
	if (!dir)
		return XAPI_E_FAILED;
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? XAPI_OK : xapi_fail(ex->host, call, NULL, E_SR_UNAVAILABLE,
							      "%s: %s", dir, strerror(errno));
	struct dirent *e;
	while ((e = readdir(d))) {
		char path[4096];
		if (!valid_location(e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	if (rmdir(dir) != 0)
		return xapi_fail(ex->host, call, NULL, E_SR_UNAVAILABLE, "rmdir %s: %s", dir,
				 strerror(errno));
	return XAPI_OK;
}

/* PBD.plug: the directory must be there. */
static int example_sr_attach(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct example *ex = st;
	XAPI_CHECK_FLAGS(ex->host, call, flags, 0);
	const char *dir = sr_dir(ex, call, sr);
	if (!dir)
		return XAPI_E_FAILED;
	struct stat stb;
	if (stat(dir, &stb) != 0 || !S_ISDIR(stb.st_mode))
		return xapi_fail(ex->host, call, NULL, E_SR_UNAVAILABLE,
				 "The SR is not available: %s is not a directory", dir);
	return emit_space(ex, call, sr->uuid, dir);
}

/* PBD.unplug: nothing to undo (files need no attaching). */
static int example_sr_detach(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct example *ex = st;
	XAPI_CHECK_FLAGS(ex->host, call, flags, 0);
	return XAPI_OK;
}

/* SR.scan: every <uuid>.raw file is a VDI. */
static int example_sr_scan(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct example *ex = st;
	XAPI_CHECK_FLAGS(ex->host, call, flags, 0);
	const char *dir = sr_dir(ex, call, sr);
	if (!dir)
		return XAPI_E_FAILED;
	DIR *d = opendir(dir);
	if (!d)
		return xapi_fail(ex->host, call, NULL, E_SR_UNAVAILABLE, "%s: %s", dir,
				 strerror(errno));
	int rc = XAPI_OK;
	struct dirent *e;
	while (rc == XAPI_OK && (e = readdir(d)))
		if (valid_location(e->d_name))
			rc = emit_file(ex, call, dir, e->d_name, NULL);
	closedir(d);
	return rc == XAPI_OK ? emit_space(ex, call, sr->uuid, dir) : rc;
}

/* ---- VDI ops ---- */

static int example_vdi_create(void *st, xapi_call_t *call, const struct xapi_sr *sr,
			      const struct xapi_vdi_info *want, unsigned flags)
{
	struct example *ex = st;
	XAPI_CHECK_FLAGS(ex->host, call, flags, 0);
	const char *dir = sr_dir(ex, call, sr);
	if (!dir)
		return XAPI_E_FAILED;
	if (want->virtual_size < 0)
		return xapi_fail(ex->host, call, NULL, E_VDI_SIZE, "VDI Invalid size: %lld",
				 (long long)want->virtual_size);
	if (!want->uuid || strlen(want->uuid) != 36 || strchr(want->uuid, '/'))
		return xapi_fail(ex->host, call, NULL, E_INVALID_ARG, "a VDI uuid is needed");
	char loc[64], path[4096];
	snprintf(loc, sizeof(loc), "%s.raw", want->uuid);
	snprintf(path, sizeof(path), "%s/%s", dir, loc);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return xapi_fail(ex->host, call, NULL, E_VDI_CREATE, "VDI Creation failed: %s: %s",
				 path, strerror(errno));
	/* sparse: the size is set, no block is written */
	int bad = ftruncate(fd, (off_t)want->virtual_size) != 0;
	int e = errno;
	close(fd);
	if (bad) {
		unlink(path);
		return xapi_fail(ex->host, call, NULL, e == EFBIG ? E_NO_SPACE : E_VDI_CREATE,
				 "VDI Creation failed: %s", strerror(e));
	}
	return emit_file(ex, call, dir, loc, NULL);
}

static int example_vdi_delete(void *st, xapi_call_t *call, const struct xapi_sr *sr,
			      const char *loc, unsigned flags)
{
	struct example *ex = st;
	XAPI_CHECK_FLAGS(ex->host, call, flags, 0);
	const char *dir = sr_dir(ex, call, sr);
	if (!dir)
		return XAPI_E_FAILED;
	if (!valid_location(loc))
		return xapi_fail(ex->host, call, NULL, E_INVALID_ARG, "bad location '%s'", loc);
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, loc);
	if (unlink(path) != 0 && errno != ENOENT)
		return xapi_fail(ex->host, call, NULL, E_VDI_REMOVE, "Failed to remove VDI %s: %s",
				 path, strerror(errno));
	return XAPI_OK;
}

static int example_vdi_resize(void *st, xapi_call_t *call, const struct xapi_sr *sr,
			      const char *loc, int64_t new_size, unsigned flags)
{
	struct example *ex = st;
	XAPI_CHECK_FLAGS(ex->host, call, flags, 0);
	const char *dir = sr_dir(ex, call, sr);
	if (!dir)
		return XAPI_E_FAILED;
	if (!valid_location(loc))
		return xapi_fail(ex->host, call, NULL, E_INVALID_ARG, "bad location '%s'", loc);
	char path[4096];
	struct stat stb;
	snprintf(path, sizeof(path), "%s/%s", dir, loc);
	if (stat(path, &stb) != 0)
		return xapi_fail(ex->host, call, NULL, E_VDI_MISSING, "VDI could not be found: %s",
				 path);
	if (new_size < (int64_t)stb.st_size)
		return xapi_fail(ex->host, call, NULL, E_VDI_SIZE,
				 "VDI Invalid size: shrinking is not supported");
	if (truncate(path, (off_t)new_size) != 0)
		return xapi_fail(ex->host, call, NULL, E_VDI_SIZE, "VDI resize failed: %s",
				 strerror(errno));
	return emit_file(ex, call, dir, loc, NULL);
}

/* The data of a raw file is the file itself: its datapath is file://,
 * percent-encoded (a directory may hold a space or a %: xapi/storage.h). */
static int example_vdi_attach(void *st, xapi_call_t *call, const struct xapi_sr *sr,
			      const char *loc, int writable, unsigned flags)
{
	struct example *ex = st;
	XAPI_CHECK_FLAGS(ex->host, call, flags, 0);
	const char *dir = sr_dir(ex, call, sr);
	if (!dir)
		return XAPI_E_FAILED;
	if (!valid_location(loc))
		return xapi_fail(ex->host, call, NULL, E_INVALID_ARG, "bad location '%s'", loc);
	char path[4200], uri[12600];
	snprintf(path, sizeof(path), "%s/%s", dir, loc);
	if (xapi_datapath_file(uri, sizeof(uri), path) < 0)
		return xapi_fail(ex->host, call, NULL, E_INVALID_ARG, "path too long: %s", path);
	return emit_file(ex, call, dir, loc, uri);
}

static int example_vdi_detach(void *st, xapi_call_t *call, const struct xapi_sr *sr,
			      const char *loc, unsigned flags)
{
	struct example *ex = st;
	XAPI_CHECK_FLAGS(ex->host, call, flags, 0);
	return XAPI_OK;
}

/* ---- what xapid sees ---- */

static const char *const example_capabilities[] = {
	"VDI_CREATE", "VDI_DELETE", "VDI_ATTACH", "VDI_DETACH", "VDI_RESIZE", NULL,
};

static const struct xapi_config_key example_config[] = {
	{ "path", "directory holding the VDIs as sparse raw files (required)", XAPI_CONFIG_REQUIRED },
	{ NULL, NULL, 0 },
};

static const struct xapi_sr_ops example_ops = {
	.size = sizeof(struct xapi_sr_ops),
	.sr_create = example_sr_create,
	.sr_delete = example_sr_delete,
	.sr_attach = example_sr_attach,
	.sr_detach = example_sr_detach,
	.sr_scan = example_sr_scan,
	.vdi_create = example_vdi_create,
	.vdi_delete = example_vdi_delete,
	.vdi_resize = example_vdi_resize,
	.vdi_attach = example_vdi_attach,
	.vdi_detach = example_vdi_detach,
};

static const struct xapi_plugin_desc example_desc = {
	.size = sizeof(struct xapi_plugin_desc),
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_STORAGE,
	.name = "example",
	.description = "Example SR driver: VDIs as sparse raw files in a directory",
	.vendor = "Example Vendor",
	.copyright = "(C) Example Vendor, public domain",
	.version = "1.0",
	.capabilities = example_capabilities,
	.config = example_config,
	.flags = XAPI_PLUGIN_THREADSAFE, /* no shared state: calls may overlap */
	.fini = free,
	.ops = &example_ops,
};

/* Runs in every worker process xapid starts for the driver (up to 8 with
 * XAPI_PLUGIN_THREADSAFE, and again after a crash): only what is cheap and
 * safe to repeat, nothing done to the storage. */
static int example_init(const struct xapi_host *host, xapi_plugin_t *self,
			const struct xapi_plugin_desc **d, void **st)
{
	struct example *ex = calloc(1, sizeof(*ex));
	if (!ex)
		return XAPI_E_FAILED;
	ex->host = host;
	ex->self = self;
	xapi_log(host, self, NULL, XAPI_LOG_INFO, "example SR driver loaded (core ABI %u.%u)",
		 XAPI_ABI_MAJOR_OF(host->abi_version), XAPI_ABI_MINOR_OF(host->abi_version));
	*d = &example_desc;
	*st = ex;
	return XAPI_OK;
}

XAPI_PLUGIN_DEFINE(example_init)
