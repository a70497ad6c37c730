/* lvm.c - the `lvm` SR driver: a local block device as one LVM PV holding
 * the VG "VG_XenStorage-<sr uuid>", VDIs as thick LVs "LV-<vdi uuid>", as
 * xapi's `lvm` SRs (sm's LVHDSR with raw VDIs). This file holds what xapid
 * sees of it: the descriptor, the capabilities, the device_config keys and
 * settings, the ops table. The ops are in lvm_sr.c and lvm_vdi.c; LVM
 * itself is reached through lvm_cmd.c (private configuration),
 * lvm_report.c (its reports) and lvm_data.c (an LV's data), which know
 * nothing of SRs. doc/plugins/storage-lvm.md describes it for operators.
 */
#include <stdlib.h>
#include <string.h>

#include "lvm_int.h"

/* No VDI_RESIZE_ONLINE (a VM's disk grows only when detached here), no
 * THIN_PROVISIONING (LVs are thick), no VDI_RESET_ON_BOOT. Snapshots and
 * clones are full copies (see lvm_vdi.c). */
static const char *const capabilities[] = {
	"SR_PROBE",     "SR_UPDATE",   "VDI_CREATE",    "VDI_DELETE",
	"VDI_ATTACH",   "VDI_DETACH",  "VDI_SNAPSHOT",  "VDI_CLONE",
	"VDI_RESIZE",   "VDI_INTRODUCE", "VDI_UPDATE",
	NULL,
};

static const struct xapi_config_key config[] = {
	{ "device", "the local block device that becomes the SR's one LVM PV (e.g. /dev/sdb)",
	  XAPI_CONFIG_REQUIRED },
	{ NULL, NULL, 0 },
};

static const struct xapi_sr_ops ops = {
	.size = sizeof(struct xapi_sr_ops),
	.sr_probe = lvm_sr_probe,
	.sr_create = lvm_sr_create,
	.sr_delete = lvm_sr_delete,
	.sr_attach = lvm_sr_attach,
	.sr_detach = lvm_sr_detach,
	.sr_scan = lvm_sr_scan,
	.sr_update = lvm_sr_update,
	.vdi_create = lvm_vdi_create,
	.vdi_delete = lvm_vdi_delete,
	.vdi_snapshot = lvm_vdi_snapshot,
	.vdi_clone = lvm_vdi_clone,
	.vdi_resize = lvm_vdi_resize,
	.vdi_attach = lvm_vdi_attach,
	.vdi_detach = lvm_vdi_detach,
	.vdi_introduce = lvm_vdi_introduce,
	.vdi_update = lvm_vdi_update,
};

static const struct xapi_plugin_desc lvm_desc = {
	.size = sizeof(struct xapi_plugin_desc),
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_STORAGE,
	.name = "lvm",
	/* "title: text": SM.name_label is the title, SM.name_description all */
	.description = "Local LVM: a local block device as an LVM volume group, VDIs as "
		       "logical volumes, snapshots and clones as full copies",
	.vendor = "xapi-c",
	.copyright = "(C) the xapi-c authors",
	.version = "1.0",
	.capabilities = capabilities,
	.config = config,
	.flags = 0, /* one call at a time: LVM's metadata has one writer */
	.fini = free,
	.ops = &ops,
};

static int lvm_init(const struct xapi_host *host, xapi_plugin_t *self,
		    const struct xapi_plugin_desc **d, void **st)
{
	if (!XAPI_CAN(host, struct xapi_host, run) || !XAPI_CAN(host, struct xapi_host, emit_vdi) ||
	    !XAPI_CAN(host, struct xapi_host, emit_sr) || !XAPI_CAN(host, struct xapi_host, failv) ||
	    !XAPI_CAN(host, struct xapi_host, cancelled))
		return XAPI_E_UNSUPPORTED;
	const char *run_dir = host->config_get(self, "run_dir");
	const char *access = host->config_get(self, "access");
	enum lvm_access mode = LVM_ACCESS_AUTO;
	if (access && strcmp(access, "device-mapper") == 0)
		mode = LVM_ACCESS_DM;
	else if (access && strcmp(access, "loop") == 0)
		mode = LVM_ACCESS_LOOP;
	else if (access && strcmp(access, "auto") != 0) {
		xapi_log(host, self, NULL, XAPI_LOG_ERROR,
			 "access = %s: want auto, device-mapper or loop", access);
		return XAPI_E_INVALID;
	}
	if (run_dir && (run_dir[0] != '/' || strlen(run_dir) >= 200)) {
		xapi_log(host, self, NULL, XAPI_LOG_ERROR,
			 "run_dir = %s: want an absolute path shorter than 200 bytes", run_dir);
		return XAPI_E_INVALID;
	}
	struct lvm_drv *drv = calloc(1, sizeof(*drv));
	if (!drv)
		return XAPI_E_FAILED;
	drv->host = host;
	drv->self = self;
	strcpy(drv->run_dir, run_dir ? run_dir : LVM_DEFAULT_RUN_DIR);
	drv->access = mode;
	*d = &lvm_desc;
	*st = drv;
	return XAPI_OK;
}

XAPI_PLUGIN_DEFINE(lvm_init)
