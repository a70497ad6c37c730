/* file.c - the `file` SR driver: a directory of qcow2 images (raw .img
 * images too), snapshots and clones as qcow2 backing chains, data served by
 * qemu-nbd. This file holds what xapid sees of it: the descriptor, the
 * capabilities, the device_config keys and the ops table. The ops are in
 * file_sr.c (SR), file_vdi.c (VDI), with file_image.c (reading images),
 * file_nbd.c (qemu-nbd) and file_util.c (paths, errors, helpers).
 * doc/plugins/storage-file.md describes the driver for operators.
 */
#include <stdlib.h>

#include "file_int.h"

static const char *const capabilities[] = {
	"SR_PROBE",     "SR_UPDATE",   "VDI_CREATE",    "VDI_DELETE",
	"VDI_ATTACH",   "VDI_DETACH",  "VDI_SNAPSHOT",  "VDI_CLONE",
	"VDI_RESIZE",   "VDI_INTRODUCE", "VDI_UPDATE",  "THIN_PROVISIONING",
	NULL,
};

static const struct xapi_config_key config[] = {
	{ "location", "local directory path (required): the SR is its subdirectory <SR uuid>",
	  XAPI_CONFIG_REQUIRED },
	{ NULL, NULL, 0 },
};

static const struct xapi_sr_ops ops = {
	.size = sizeof(struct xapi_sr_ops),
	.sr_probe = file_sr_probe,
	.sr_create = file_sr_create,
	.sr_delete = file_sr_delete,
	.sr_attach = file_sr_attach,
	.sr_detach = file_sr_detach,
	.sr_scan = file_sr_scan,
	.sr_update = file_sr_update,
	.vdi_create = file_vdi_create,
	.vdi_delete = file_vdi_delete,
	.vdi_snapshot = file_vdi_snapshot,
	.vdi_clone = file_vdi_clone,
	.vdi_resize = file_vdi_resize,
	.vdi_attach = file_vdi_attach,
	.vdi_detach = file_vdi_detach,
	.vdi_introduce = file_vdi_introduce,
	.vdi_update = file_vdi_update,
	.vdi_io = file_vdi_io,
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
	.capabilities = capabilities,
	.config = config,
	.flags = 0, /* one call at a time: snapshot and GC need a still directory */
	.fini = free,
	.ops = &ops,
};

static int file_init(const struct xapi_host *host, xapi_plugin_t *self,
		     const struct xapi_plugin_desc **d, void **st)
{
	/* the services this driver calls, all in ABI 1.0 */
	if (!XAPI_CAN(host, struct xapi_host, run) || !XAPI_CAN(host, struct xapi_host, emit_vdi) ||
	    !XAPI_CAN(host, struct xapi_host, emit_sr) || !XAPI_CAN(host, struct xapi_host, failv))
		return XAPI_E_UNSUPPORTED;
	struct file_drv *drv = calloc(1, sizeof(*drv));
	if (!drv)
		return XAPI_E_FAILED;
	drv->host = host;
	drv->self = self;
	*d = &file_desc;
	*st = drv;
	return XAPI_OK;
}

XAPI_PLUGIN_DEFINE(file_init)
