/* file.c - the `file` SR driver: a directory of qcow2 images (raw .img
 * images too), snapshots and clones as qcow2 backing chains, data served by
 * qemu-nbd. This file holds what xapid sees of it: the descriptor, the
 * capabilities, the device_config keys and the ops table. The ops are in
 * file_sr.c (SR), file_vdi.c (VDI), with file_image.c (reading images),
 * file_nbd.c (qemu-nbd) and file_util.c (paths, errors, helpers).
 * doc/plugins/storage-file.md describes the driver for operators.
 */
#include <stdio.h>
#include <stdlib.h>

#include "file_int.h"

/* SRs in the local directory device_config:location. */
static int locate_local(struct file_ctx *ctx, const xapi_kv_t *device_config)
{
	const char *loc = ctx->drv->host->kv_get(device_config, "location");
	if (!loc || !*loc)
		return file_fail(ctx, FE_LOCATION_MISSING,
				 "The request is missing the location parameter");
	if (loc[0] != '/')
		return file_fail(ctx, FE_INVALID_ARG, "location '%s' is not an absolute path", loc);
	if ((size_t)snprintf(ctx->root, sizeof(ctx->root), "%s", loc) >= sizeof(ctx->root) - 400)
		return file_fail(ctx, FE_INVALID_ARG, "location '%s' is too long", loc);
	ctx->fs = &file_posix_fs;
	ctx->local = true;
	return 0;
}

static const struct file_backend local_backend = { &file_posix_fs, locate_local, false };

static const struct xapi_config_key config[] = {
	{ "location", "local directory path (required): the SR is its subdirectory <SR uuid>",
	  XAPI_CONFIG_REQUIRED },
	{ NULL, NULL, 0 },
};

static const struct xapi_plugin_desc file_desc = {
	.size = sizeof(struct xapi_plugin_desc),
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_STORAGE,
	.name = "file",
	/* "title: text": SM.name_label is the title, SM.name_description all */
	.description = "Local qcow2 files: VDIs as qcow2 images in a local directory, "
		       "snapshots and clones as backing chains",
	.vendor = "xapi-c",
	.copyright = "(C) the xapi-c authors",
	.version = "1.0",
	.capabilities = file_capabilities,
	.config = config,
	.flags = 0, /* one call at a time: snapshot and GC need a still directory */
	.fini = free,
	.ops = &file_sr_ops,
};

static int file_init(const struct xapi_host *host, xapi_plugin_t *self,
		     const struct xapi_plugin_desc **d, void **st)
{
	return file_init_with(host, self, &local_backend, &file_desc, d, st);
}

XAPI_PLUGIN_DEFINE(file_init)
