/* iso.c - the `iso` SR driver: a local directory of ISO images (*.iso and
 * *.img, as xapi's ISOSR.py) as a read-only library. Scan lists the images
 * as read-only VDIs (location = the file name, name_label = the file name,
 * uuid from a "<uuid>.iso" name); attach hands out the file itself,
 * read-only. Nothing is made or removed on the storage: SR.destroy and
 * SR.forget leave the directory as it was. doc/plugins/storage-iso.md
 * describes it for operators.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <xapi/plugin.h>

/* sm's numbers (XE_SR_ERRORCODES.xml) */
enum iso_err {
	IE_VDI_UNAVAILABLE = 46,
	IE_SR_UNAVAILABLE = 47,
	IE_LOCATION_STRING = 225,
	IE_LOCAL_PATH = 226,
	IE_VDI_MISSING = 144,
};

struct iso_drv {
	const struct xapi_host *host;
	xapi_plugin_t *self;
};

struct iso_ctx {
	struct iso_drv *drv;
	xapi_call_t *call;
	char dir[4096];
	const char *srid;
};

static int iso_fail(struct iso_ctx *ctx, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int iso_fail(struct iso_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = ctx->drv->host->failv(ctx->call, NULL, code, fmt, ap);
	va_end(ap);
	return rc;
}

/* The library directory of device_config:location; it must exist. */
static int ctx_init(struct iso_ctx *ctx, struct iso_drv *drv, xapi_call_t *call,
		    const xapi_kv_t *dconf, const char *srid)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->drv = drv;
	ctx->call = call;
	ctx->srid = srid;
	const char *loc = dconf ? drv->host->kv_get(dconf, "location") : NULL;
	if (!loc || !*loc)
		return iso_fail(ctx, 94, "The request is missing the location parameter");
	if (strstr(loc, "://") || (loc[0] != '/' && strchr(loc, ':')))
		return iso_fail(ctx, IE_LOCATION_STRING,
				"Incorrect Location string format. [opterr=%s: only a local "
				"directory (an absolute path) is supported]", loc);
	struct stat st;
	if (loc[0] != '/' || strlen(loc) >= sizeof(ctx->dir) - 300)
		return iso_fail(ctx, IE_LOCAL_PATH, "Invalid local path [opterr=%s: not an "
				"absolute path]", loc);
	if (stat(loc, &st) != 0)
		return iso_fail(ctx, IE_LOCAL_PATH, "Invalid local path [opterr=%s: %s]", loc,
				strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return iso_fail(ctx, IE_LOCAL_PATH, "Invalid local path [opterr=%s: not a "
				"directory]", loc);
	snprintf(ctx->dir, sizeof(ctx->dir), "%s", loc);
	return 0;
}

static bool is_image(const char *name)
{
	size_t n = strlen(name);
	return name[0] != '.' && n > 4 && !strchr(name, '/') &&
	       (strcasecmp(name + n - 4, ".iso") == 0 || strcasecmp(name + n - 4, ".img") == 0);
}

/* "<uuid>.iso": the VDI keeps that uuid (sm's uuid_file_regex). */
static bool uuid_name(const char *name, char out[37])
{
	static const char pattern[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	if (strlen(name) != 40)
		return false;
	for (size_t i = 0; i < 36; i++) {
		char c = name[i];
		bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
		if (pattern[i] == '-' ? c != '-' : !hex)
			return false;
		out[i] = (char)(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
	}
	out[36] = '\0';
	return true;
}

/* emit_vdi of one image (datapath for an attach); -1: it is not there. */
static int emit_image(struct iso_ctx *ctx, const char *name, const char *datapath)
{
	char path[4400], uuid[37];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", ctx->dir, name);
	if (!is_image(name) || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	struct xapi_vdi_info v = {
		.size = sizeof(v),
		.location = name,
		.uuid = uuid_name(name, uuid) ? uuid : NULL,
		.name_label = name,
		.name_description = "",
		.virtual_size = st.st_size,
		.physical_utilisation = (int64_t)st.st_blocks * 512,
		.read_only = 1,
		.datapath = datapath,
	};
	return ctx->drv->host->emit_vdi(ctx->call, &v);
}

static int emit_space(struct iso_ctx *ctx)
{
	struct statvfs vfs;
	if (statvfs(ctx->dir, &vfs) != 0)
		return iso_fail(ctx, IE_SR_UNAVAILABLE, "The SR is not available [opterr=%s: %s]",
				ctx->dir, strerror(errno));
	int64_t size = (int64_t)vfs.f_blocks * (int64_t)vfs.f_frsize;
	struct xapi_sr_info info = {
		.size = sizeof(info),
		.uuid = ctx->srid,
		.physical_size = size,
		.physical_utilisation = (int64_t)(vfs.f_blocks - vfs.f_bfree) * (int64_t)vfs.f_frsize,
		.virtual_allocation = size, /* as sm's ISOSR */
	};
	return ctx->drv->host->emit_sr(ctx->call, &info);
}

/* SR ops: nothing to make or remove; attach and update check the directory
 * and report its filesystem's space. */
static int iso_sr_attach(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct iso_ctx ctx;
	XAPI_CHECK_FLAGS(((struct iso_drv *)st)->host, call, flags, 0);
	if (ctx_init(&ctx, st, call, sr->device_config, sr->uuid) < 0)
		return XAPI_E_FAILED;
	return emit_space(&ctx);
}

static int iso_sr_create(void *st, xapi_call_t *call, const struct xapi_sr *sr, int64_t size,
			 unsigned flags)
{
	(void)size;
	struct iso_ctx ctx;
	XAPI_CHECK_FLAGS(((struct iso_drv *)st)->host, call, flags, 0);
	return ctx_init(&ctx, st, call, sr->device_config, sr->uuid) < 0 ? XAPI_E_FAILED : XAPI_OK;
}

static int iso_sr_nothing(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	(void)sr;
	XAPI_CHECK_FLAGS(((struct iso_drv *)st)->host, call, flags, 0);
	return XAPI_OK;
}

static int iso_sr_scan(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct iso_ctx ctx;
	XAPI_CHECK_FLAGS(((struct iso_drv *)st)->host, call, flags, 0);
	if (ctx_init(&ctx, st, call, sr->device_config, sr->uuid) < 0)
		return XAPI_E_FAILED;
	DIR *d = opendir(ctx.dir);
	if (!d)
		return iso_fail(&ctx, IE_SR_UNAVAILABLE, "The SR is not available [opterr=%s: %s]",
				ctx.dir, strerror(errno));
	struct dirent *e;
	int rc = XAPI_OK;
	while (rc == XAPI_OK && (e = readdir(d))) {
		int r = emit_image(&ctx, e->d_name, NULL);
		if (r > 0 || r < -1)
			rc = r; /* an emit that failed (not "no image") */
	}
	closedir(d);
	return rc != XAPI_OK ? rc : emit_space(&ctx);
}

/* VDI ops on one image: attach (read-only), detach, introduce, update. */
static int one_image(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		     const char *datapath_of)
{
	struct iso_ctx ctx;
	if (ctx_init(&ctx, st, call, sr->device_config, sr->uuid) < 0)
		return XAPI_E_FAILED;
	char path[4400], uri[13300];
	const char *datapath = NULL;
	if (datapath_of) {
		snprintf(path, sizeof(path), "%s/%s", ctx.dir, location);
		if (xapi_datapath_file(uri, sizeof(uri), path) < 0)
			return iso_fail(&ctx, IE_VDI_UNAVAILABLE, "path too long");
		datapath = uri;
	}
	int rc = emit_image(&ctx, location, datapath);
	if (rc == -1) {
		iso_fail(&ctx, IE_VDI_MISSING, "The VDI is not available [opterr=no image %s in %s]",
			 location, ctx.dir);
		return XAPI_E_NOT_FOUND;
	}
	return rc;
}

static int iso_vdi_attach(void *st, xapi_call_t *call, const struct xapi_sr *sr,
			  const char *location, int writable, unsigned flags)
{
	struct iso_drv *drv = st;
	XAPI_CHECK_FLAGS(drv->host, call, flags, 0);
	if (writable)
		return xapi_fail(drv->host, call, NULL, IE_VDI_UNAVAILABLE,
				 "The VDI is not available [opterr=%s is a read-only ISO image]",
				 location);
	return one_image(st, call, sr, location, "yes");
}

static int iso_vdi_detach(void *st, xapi_call_t *call, const struct xapi_sr *sr,
			  const char *location, unsigned flags)
{
	(void)sr;
	(void)location;
	XAPI_CHECK_FLAGS(((struct iso_drv *)st)->host, call, flags, 0);
	return XAPI_OK;
}

static int iso_vdi_introduce(void *st, xapi_call_t *call, const struct xapi_sr *sr,
			     const char *location, unsigned flags)
{
	XAPI_CHECK_FLAGS(((struct iso_drv *)st)->host, call, flags, 0);
	return one_image(st, call, sr, location, NULL);
}

static const char *const capabilities[] = {
	"SR_UPDATE", "VDI_ATTACH", "VDI_DETACH", "VDI_INTRODUCE", "VDI_UPDATE", NULL,
};

static const struct xapi_config_key config[] = {
	{ "location", "the local directory holding the ISO images (required)",
	  XAPI_CONFIG_REQUIRED },
	{ NULL, NULL, 0 },
};

static const struct xapi_sr_ops ops = {
	.size = sizeof(struct xapi_sr_ops),
	.sr_create = iso_sr_create,
	.sr_delete = iso_sr_nothing,
	.sr_attach = iso_sr_attach,
	.sr_detach = iso_sr_nothing,
	.sr_scan = iso_sr_scan,
	.sr_update = iso_sr_attach,
	.vdi_attach = iso_vdi_attach,
	.vdi_detach = iso_vdi_detach,
	.vdi_introduce = iso_vdi_introduce,
	.vdi_update = iso_vdi_introduce,
};

static const struct xapi_plugin_desc iso_desc = {
	.size = sizeof(struct xapi_plugin_desc),
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_STORAGE,
	.name = "iso",
	.description = "ISO: CD images stored as files in iso format in a local directory",
	.vendor = "xapi-c",
	.copyright = "(C) the xapi-c authors",
	.version = "1.0",
	.capabilities = capabilities,
	.config = config,
	.flags = XAPI_PLUGIN_THREADSAFE, /* it only reads the directory */
	.fini = free,
	.ops = &ops,
};

static int iso_init(const struct xapi_host *host, xapi_plugin_t *self,
		    const struct xapi_plugin_desc **d, void **st)
{
	if (!XAPI_CAN(host, struct xapi_host, emit_vdi) ||
	    !XAPI_CAN(host, struct xapi_host, emit_sr) || !XAPI_CAN(host, struct xapi_host, failv))
		return XAPI_E_UNSUPPORTED;
	struct iso_drv *drv = calloc(1, sizeof(*drv));
	if (!drv)
		return XAPI_E_FAILED;
	drv->host = host;
	drv->self = self;
	*d = &iso_desc;
	*st = drv;
	return XAPI_OK;
}

XAPI_PLUGIN_DEFINE(iso_init)
