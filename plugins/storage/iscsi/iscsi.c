/* iscsi.c - the `lvmoiscsi` SR driver: an SR on one iSCSI LUN, reached
 * with libiscsi (userspace: no kernel session, no block device), VDIs as
 * runs of extents in the driver's own format on the LUN (iscsi_int.h),
 * data served by qemu-nbd through QEMU's iSCSI initiator. This file is
 * what xapid sees of it: descriptor, capabilities, device-config keys,
 * ops table. doc/plugins/storage-iscsi.md describes it for operators.
 */
#include <stdlib.h>

#include "iscsi_int.h"

static const char *const capabilities[] = {
	"SR_PROBE",   "SR_UPDATE",  "VDI_CREATE", "VDI_DELETE", "VDI_ATTACH",
	"VDI_DETACH", "VDI_SNAPSHOT", "VDI_CLONE", "VDI_RESIZE", "VDI_INTRODUCE",
	"VDI_UPDATE", NULL,
};

/* xapi's lvmoiscsi keys (sm's LVHDoISCSISR / BaseISCSI). */
static const struct xapi_config_key config[] = {
	{ "target", "IP address or hostname of the iSCSI target (required)", XAPI_CONFIG_REQUIRED },
	{ "port", "TCP port of the target (default 3260)", 0 },
	{ "targetIQN", "IQN of the target (required; SR.probe without it lists the target's IQNs)",
	  XAPI_CONFIG_REQUIRED | XAPI_CONFIG_PROBE_OPTIONAL },
	{ "SCSIid", "SCSI id of the LUN holding the SR (required; SR.probe without it lists the "
		    "target's LUNs)", XAPI_CONFIG_REQUIRED | XAPI_CONFIG_PROBE_OPTIONAL },
	{ "chapuser", "CHAP user name (optional)", 0 },
	{ "chappassword", "CHAP secret (optional)", 0 },
	{ NULL, NULL, 0 },
};

static const struct xapi_sr_ops ops = {
	.size = sizeof(struct xapi_sr_ops),
	.sr_probe = isc_sr_probe,
	.sr_create = isc_sr_create,
	.sr_delete = isc_sr_delete,
	.sr_attach = isc_sr_attach,
	.sr_detach = isc_sr_detach,
	.sr_scan = isc_sr_scan,
	.sr_update = isc_sr_update,
	.vdi_create = isc_vdi_create,
	.vdi_delete = isc_vdi_delete,
	.vdi_snapshot = isc_vdi_snapshot,
	.vdi_clone = isc_vdi_clone,
	.vdi_resize = isc_vdi_resize,
	.vdi_attach = isc_vdi_attach,
	.vdi_detach = isc_vdi_detach,
	.vdi_introduce = isc_vdi_introduce,
	.vdi_update = isc_vdi_update,
};

static const struct xapi_plugin_desc iscsi_desc = {
	.size = sizeof(struct xapi_plugin_desc),
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_STORAGE,
	.name = "lvmoiscsi",
	.description = "iSCSI: SR on an iSCSI LUN through a userspace initiator (libiscsi), "
		       "VDIs as extents on the LUN",
	.vendor = "xapi-c",
	.copyright = "(C) the xapi-c authors",
	.version = "1.0",
	.capabilities = capabilities,
	.config = config,
	.flags = 0, /* one call at a time: allocation reads, then writes, the slots */
	.fini = free,
	.ops = &ops,
};

static int iscsi_init(const struct xapi_host *host, xapi_plugin_t *self,
		      const struct xapi_plugin_desc **d, void **st)
{
	if (!XAPI_CAN(host, struct xapi_host, run) || !XAPI_CAN(host, struct xapi_host, emit_vdi) ||
	    !XAPI_CAN(host, struct xapi_host, emit_sr) || !XAPI_CAN(host, struct xapi_host, failv))
		return XAPI_E_UNSUPPORTED;
	struct isc_drv *drv = calloc(1, sizeof(*drv));
	if (!drv)
		return XAPI_E_FAILED;
	drv->host = host;
	drv->self = self;
	*d = &iscsi_desc;
	*st = drv;
	return XAPI_OK;
}

XAPI_PLUGIN_DEFINE(iscsi_init)
