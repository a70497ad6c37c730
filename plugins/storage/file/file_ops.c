/* file_ops.c - what the drivers built on this code (`file`, `nfs`)
 * share of their descriptor: the capabilities, the ops table, and the
 * instance their init makes. Each driver's own file (file.c,
 * ../nfs/nfs.c) adds its name, device-config keys and backend. */
#include <stdlib.h>

#include "file_int.h"

const char *const file_capabilities[] = {
	"SR_PROBE",     "SR_UPDATE",   "VDI_CREATE",    "VDI_DELETE",
	"VDI_ATTACH",   "VDI_DETACH",  "VDI_SNAPSHOT",  "VDI_CLONE",
	"VDI_RESIZE",   "VDI_INTRODUCE", "VDI_UPDATE",  "THIN_PROVISIONING",
	NULL,
};

const struct xapi_sr_ops file_sr_ops = {
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
	.vdi_io = file_vdi_io,          /* since 2.1 */
};

int file_init_with(const struct xapi_host *host, xapi_plugin_t *self,
		   const struct file_backend *be, const struct xapi_plugin_desc *desc,
		   const struct xapi_plugin_desc **d, void **st)
{
	/* the services this code calls, all in ABI 1.0 */
	if (!XAPI_CAN(host, struct xapi_host, run) || !XAPI_CAN(host, struct xapi_host, emit_vdi) ||
	    !XAPI_CAN(host, struct xapi_host, emit_sr) || !XAPI_CAN(host, struct xapi_host, failv))
		return XAPI_E_UNSUPPORTED;
	struct file_drv *drv = calloc(1, sizeof(*drv));
	if (!drv)
		return XAPI_E_FAILED;
	drv->host = host;
	drv->self = self;
	drv->be = be;
	*d = desc;
	*st = drv;
	return XAPI_OK;
}
