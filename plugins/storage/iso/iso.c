/* iso.c - the `iso` SR driver: a library of ISO images (*.iso and *.img,
 * as xapi's ISOSR.py), read-only, in a local directory or on an NFS export
 * (location "server:/path", as xapi's, or "nfs://server/path"; iso_nfs.c).
 * Scan lists the images
 * as read-only VDIs (location = the file name, name_label = the file name,
 * uuid from a "<uuid>.iso" name); attach hands out the image read-only.
 * Nothing is made or removed on the storage: SR.destroy and SR.forget
 * leave the library as it was. doc/plugins/storage-iso.md describes it
 * for operators.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iso_int.h"

int iso_fail(struct iso_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = ctx->drv->host->failv(ctx->call, NULL, code, fmt, ap);
	va_end(ap);
	return rc < 0 ? rc : -1;
}

int iso_names_add(char ***names, size_t *n, size_t *cap, const char *name)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		char **v = realloc(*names, c * sizeof(*v));
		if (!v)
			return -1;
		*names = v;
		*cap = c;
	}
	if (!((*names)[*n] = strdup(name)))
		return -1;
	(*n)++;
	return 0;
}

void iso_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* device-config:iso_path, a directory under the location (sm's key): no
 * ".." in it, so that it stays under the location. */
static int add_iso_path(struct iso_ctx *ctx, const char *iso_path)
{
	while (iso_path && *iso_path == '/')
		iso_path++;
	if (!iso_path || !*iso_path)
		return 0;
	if (strcmp(iso_path, "..") == 0 || strncmp(iso_path, "../", 3) == 0 ||
	    strstr(iso_path, "/../") || strlen(iso_path) > 1000 ||
	    (strlen(iso_path) >= 3 && strcmp(iso_path + strlen(iso_path) - 3, "/..") == 0))
		return iso_fail(ctx, IE_LOCAL_PATH, "Invalid local path [opterr=iso_path %s: it "
				"must stay under the location]", iso_path);
	size_t len = strlen(ctx->dir);
	snprintf(ctx->dir + len, sizeof(ctx->dir) - len, "%s%s",
		 len && ctx->dir[len - 1] == '/' ? "" : "/", iso_path);
	return 0;
}

/* Which library device_config names, opened for this call (mount = false:
 * named only, for the detaches). sm's keys: location (required),
 * type (nfs_iso; cifs is refused), iso_path, nfsversion, options. */
static int ctx_init(struct iso_ctx *ctx, struct iso_drv *drv, xapi_call_t *call,
		    const xapi_kv_t *dconf, const char *srid, bool mount)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->drv = drv;
	ctx->call = call;
	ctx->srid = srid;
	const struct xapi_host *h = drv->host;
	const char *loc = dconf ? h->kv_get(dconf, "location") : NULL;
	const char *type = dconf ? h->kv_get(dconf, "type") : NULL;
	const char *options = dconf ? h->kv_get(dconf, "options") : NULL;
	if (!loc || !*loc)
		return iso_fail(ctx, 94, "The request is missing the location parameter");
	/* a mount option changes what is mounted: never taken silently */
	if (options && *options)
		return iso_fail(ctx, IE_MOUNT_FAILURE, "Could not mount the directory specified "
				"in Device Configuration [opterr=options '%s': mount options are not "
				"taken (the export is reached through libnfs, not mounted)]", options);
	bool cifs = (type && strcmp(type, "cifs") == 0) || strncmp(loc, "//", 2) == 0 ||
		    loc[0] == '\\';
	if (cifs)
		return iso_fail(ctx, IE_MOUNT_FAILURE, "Could not mount the directory specified "
				"in Device Configuration [opterr=%s: CIFS (SMB) libraries are not "
				"supported; use NFS (server:/path) or a local directory]", loc);
	if (type && *type && strcmp(type, "nfs_iso") != 0 && strcmp(type, "iso") != 0)
		return iso_fail(ctx, IE_LOCATION_STRING, "Incorrect Location string format. "
				"[opterr=type %s: nfs_iso or cifs]", type);
	if (loc[0] == '/') {
		if (strlen(loc) >= sizeof(ctx->dir) - 1100)
			return iso_fail(ctx, IE_LOCAL_PATH, "Invalid local path [opterr=%s: too "
					"long]", loc);
		ctx->lib = &iso_local;
		snprintf(ctx->dir, sizeof(ctx->dir), "%s", loc);
		if (add_iso_path(ctx, dconf ? h->kv_get(dconf, "iso_path") : NULL) < 0)
			return -1;
		/* the directory must exist: any stat of it says so */
		struct iso_stat st;
		return mount ? ctx->lib->space(ctx, &st.size, &st.allocated) : 0;
	}
	if (strstr(loc, "://") && strncmp(loc, "nfs://", 6) != 0)
		return iso_fail(ctx, IE_LOCATION_STRING, "Incorrect Location string format. "
				"[opterr=%s: server:/path or nfs://server/path for NFS, or an absolute "
				"local path]", loc);
	if (!strstr(loc, ":/")) /* (nfs:// has it) */
		return iso_fail(ctx, IE_LOCAL_PATH, "Invalid local path [opterr=%s: not an "
				"absolute path]", loc);
	ctx->lib = &iso_nfs;
	if (iso_nfs_open(ctx, loc, dconf, mount) < 0)
		return -1;
	return add_iso_path(ctx, h->kv_get(dconf, "iso_path"));
}

static void ctx_done(struct iso_ctx *ctx)
{
	if (ctx->lib)
		ctx->lib->done(ctx);
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
	char uuid[37];
	struct iso_stat st;
	if (!is_image(name) || ctx->lib->stat(ctx, name, &st) < 0 || !st.regular)
		return -1;
	struct xapi_vdi_info v = {
		.size = sizeof(v),
		.location = name,
		.uuid = uuid_name(name, uuid) ? uuid : NULL,
		.name_label = name,
		.name_description = "",
		.virtual_size = st.size,
		.physical_utilisation = st.allocated,
		.read_only = 1,
		.datapath = datapath,
	};
	return ctx->drv->host->emit_vdi(ctx->call, &v);
}

static int emit_space(struct iso_ctx *ctx)
{
	int64_t size, used;
	if (ctx->lib->space(ctx, &size, &used) < 0)
		return XAPI_E_FAILED;
	struct xapi_sr_info info = {
		.size = sizeof(info),
		.uuid = ctx->srid,
		.physical_size = size,
		.physical_utilisation = used,
		.virtual_allocation = size, /* as sm's ISOSR */
	};
	return ctx->drv->host->emit_sr(ctx->call, &info);
}

/* SR ops: nothing to make or remove; attach and update check the library
 * and report its filesystem's space. */
static int iso_sr_attach(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct iso_ctx ctx;
	XAPI_CHECK_FLAGS(((struct iso_drv *)st)->host, call, flags, 0);
	int rc = ctx_init(&ctx, st, call, sr->device_config, sr->uuid, true) < 0
			 ? XAPI_E_FAILED
			 : emit_space(&ctx);
	ctx_done(&ctx);
	return rc;
}

static int iso_sr_create(void *st, xapi_call_t *call, const struct xapi_sr *sr, int64_t size,
			 unsigned flags)
{
	(void)size;
	struct iso_ctx ctx;
	XAPI_CHECK_FLAGS(((struct iso_drv *)st)->host, call, flags, 0);
	int rc = ctx_init(&ctx, st, call, sr->device_config, sr->uuid, true) < 0 ? XAPI_E_FAILED
										 : XAPI_OK;
	ctx_done(&ctx);
	return rc;
}

static int iso_sr_delete(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	(void)sr;
	XAPI_CHECK_FLAGS(((struct iso_drv *)st)->host, call, flags, 0);
	return XAPI_OK;
}

/* What attaches left running goes; the server need not answer. */
static int iso_sr_detach(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct iso_ctx ctx;
	XAPI_CHECK_FLAGS(((struct iso_drv *)st)->host, call, flags, 0);
	int rc = ctx_init(&ctx, st, call, sr->device_config, sr->uuid, false) < 0 ||
				 ctx.lib->detach_all(&ctx) < 0
			 ? XAPI_E_FAILED
			 : XAPI_OK;
	ctx_done(&ctx);
	return rc;
}

static int iso_sr_scan(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct iso_ctx ctx;
	XAPI_CHECK_FLAGS(((struct iso_drv *)st)->host, call, flags, 0);
	char **names = NULL;
	size_t n = 0;
	int rc = XAPI_E_FAILED;
	if (ctx_init(&ctx, st, call, sr->device_config, sr->uuid, true) < 0 ||
	    ctx.lib->list(&ctx, &names, &n) < 0)
		goto out;
	rc = XAPI_OK;
	for (size_t i = 0; i < n && rc == XAPI_OK; i++) {
		int r = emit_image(&ctx, names[i], NULL);
		if (r > 0 || r < -1)
			rc = r; /* an emit that failed (not "no image") */
	}
	if (rc == XAPI_OK)
		rc = emit_space(&ctx);
out:
	iso_names_free(names, n);
	ctx_done(&ctx);
	return rc;
}

/* VDI ops on one image: attach (read-only), introduce, update. */
static int one_image(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		     bool attach)
{
	struct iso_ctx ctx;
	if (ctx_init(&ctx, st, call, sr->device_config, sr->uuid, true) < 0) {
		ctx_done(&ctx);
		return XAPI_E_FAILED;
	}
	char uri[13300];
	struct iso_stat ist;
	int rc;
	if (!is_image(location) || ctx.lib->stat(&ctx, location, &ist) < 0 || !ist.regular) {
		iso_fail(&ctx, IE_VDI_MISSING, "The VDI is not available [opterr=no image %s in %s]",
			 location, ctx.dir);
		rc = XAPI_E_NOT_FOUND;
	} else if (attach && ctx.lib->attach(&ctx, location, uri, sizeof(uri)) < 0) {
		rc = XAPI_E_FAILED;
	} else {
		rc = emit_image(&ctx, location, attach ? uri : NULL);
		if (rc == -1) /* gone between the two looks */
			rc = iso_fail(&ctx, IE_VDI_MISSING, "The VDI is not available [opterr=no "
				      "image %s in %s]", location, ctx.dir);
	}
	ctx_done(&ctx);
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
	return one_image(st, call, sr, location, true);
}

static int iso_vdi_detach(void *st, xapi_call_t *call, const struct xapi_sr *sr,
			  const char *location, unsigned flags)
{
	struct iso_ctx ctx;
	XAPI_CHECK_FLAGS(((struct iso_drv *)st)->host, call, flags, 0);
	int rc = ctx_init(&ctx, st, call, sr->device_config, sr->uuid, false) < 0 ||
				 ctx.lib->detach(&ctx, location) < 0
			 ? XAPI_E_FAILED
			 : XAPI_OK;
	ctx_done(&ctx);
	return rc;
}

static int iso_vdi_introduce(void *st, xapi_call_t *call, const struct xapi_sr *sr,
			     const char *location, unsigned flags)
{
	XAPI_CHECK_FLAGS(((struct iso_drv *)st)->host, call, flags, 0);
	return one_image(st, call, sr, location, false);
}

static const char *const capabilities[] = {
	"SR_UPDATE", "VDI_ATTACH", "VDI_DETACH", "VDI_INTRODUCE", "VDI_UPDATE", NULL,
};

static const struct xapi_config_key config[] = {
	{ "location", "the library (required): an absolute local directory, or server:/path "
		      "(nfs://server/path) of an NFSv3 export", XAPI_CONFIG_REQUIRED },
	{ "iso_path", "a directory under the location holding the images", 0 },
	{ "type", "nfs_iso for an NFS location (cifs is refused)", 0 },
	{ "nfsversion", "NFS version: 3 (the only one taken)", 0 },
	{ NULL, NULL, 0 },
};

static const struct xapi_sr_ops ops = {
	.size = sizeof(struct xapi_sr_ops),
	.sr_create = iso_sr_create,
	.sr_delete = iso_sr_delete,
	.sr_attach = iso_sr_attach,
	.sr_detach = iso_sr_detach,
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
	.description = "ISO: CD images stored as files in iso format, in a local directory or "
		       "on an NFS export",
	.vendor = "xapi-c",
	.copyright = "(C) the xapi-c authors",
	.version = "1.1",
	.capabilities = capabilities,
	.config = config,
	/* every call opens its own library (an NFS mount of its own) */
	.flags = XAPI_PLUGIN_THREADSAFE,
	.fini = free,
	.ops = &ops,
};

static int iso_init(const struct xapi_host *host, xapi_plugin_t *self,
		    const struct xapi_plugin_desc **d, void **st)
{
	if (!XAPI_CAN(host, struct xapi_host, emit_vdi) ||
	    !XAPI_CAN(host, struct xapi_host, emit_sr) || !XAPI_CAN(host, struct xapi_host, failv) ||
	    !XAPI_CAN(host, struct xapi_host, run))
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
