/* lvm_sr.c - the lvm SR driver's SR ops: probe, create, delete, attach,
 * detach, scan, update (xapi's LVHDSR.py and lvutil.py do the same with
 * the same error numbers). */
#include <stdio.h>
#include <string.h>

#include "lvm_int.h"

int lvm_sr_probe(void *st, xapi_call_t *call, const xapi_kv_t *device_config,
		 const xapi_kv_t *sm_config, unsigned flags)
{
	(void)sm_config;
	struct lvm_drv *drv = st;
	struct lvm_ctx ctx;
	XAPI_CHECK_FLAGS(drv->host, call, flags, 0);
	if (lvm_ctx_init(&ctx, drv, call, device_config, NULL) < 0)
		return XAPI_E_FAILED;
	struct lvm_pv pv;
	if (lvm_pv_get(&ctx, &pv) < 0)
		return XAPI_E_FAILED;
	size_t pl = strlen(LVM_VG_PREFIX);
	/* only VGs of SRs: another VG on the device is no SR (as sm's scan_srlist) */
	if (!pv.is_pv || strncmp(pv.vg, LVM_VG_PREFIX, pl) != 0 || !lvm_uuid_valid(pv.vg + pl))
		return XAPI_OK;
	struct xapi_sr_info info = {
		.size = sizeof(info),
		.uuid = pv.vg + pl,
		.physical_size = pv.vg_size,
		.physical_utilisation = pv.vg_size - pv.vg_free,
		.virtual_allocation = -1,
	};
	return drv->host->emit_sr(call, &info);
}

int lvm_sr_create(void *st, xapi_call_t *call, const struct xapi_sr *sr, int64_t size,
		  unsigned flags)
{
	(void)size; /* as xapi: the SR is the whole device */
	struct lvm_drv *drv = st;
	struct lvm_ctx ctx;
	XAPI_CHECK_FLAGS(drv->host, call, flags, 0);
	if (lvm_ctx_init(&ctx, drv, call, sr->device_config, sr->uuid) < 0)
		return XAPI_E_FAILED;
	struct lvm_pv pv;
	if (lvm_pv_get(&ctx, &pv) < 0)
		return XAPI_E_FAILED;
	/* xapi wipes whatever the device held; we refuse to destroy a VG
	 * (an SR or the host's own): it must be removed on purpose first */
	if (pv.is_pv && strncmp(pv.vg, LVM_VG_PREFIX, strlen(LVM_VG_PREFIX)) == 0)
		return lvm_fail(&ctx, LE_SR_EXISTS, "%s already holds the volume group %s "
				"(SR.probe finds it, SR.introduce attaches it)",
				ctx.env.device, pv.vg);
	if (pv.is_pv && pv.vg[0])
		return lvm_fail(&ctx, LE_LVM_GROUP_CREATE, "%s already belongs to the volume "
				"group %s", ctx.env.device, pv.vg);
	const char *out;
	const char *pvcreate[] = { "pvcreate", "-ff", "-y", "--metadatasize", "10M",
				   ctx.env.device, NULL };
	if (lvm_cmd(&ctx, LE_LVM_PART_CREATE, pvcreate, &out) < 0)
		return XAPI_E_FAILED;
	const char *vgcreate[] = { "vgcreate", "--metadatasize", "10M", ctx.vg, ctx.env.device,
				   NULL };
	if (lvm_cmd(&ctx, LE_LVM_GROUP_CREATE, vgcreate, &out) < 0) {
		const char *pvremove[] = { "pvremove", "-ff", "-y", ctx.env.device, NULL };
		const char *o2;
		lvm_run(drv->host, call, &ctx.env, pvremove, &o2);
		return XAPI_E_FAILED;
	}
	lvm_log(&ctx, XAPI_LOG_INFO, "made VG %s on %s (%s)", ctx.vg, ctx.env.device,
		ctx.env.access == LVM_ACCESS_DM ? "device-mapper" : "no device-mapper: loop access");
	return XAPI_OK;
}

/* The context of an op that is done when the SR's VG is not there:
 * XAPI_OK with *here set (false: the VG is gone), or a failure. */
static int sr_lookup(struct lvm_ctx *ctx, struct lvm_pv *pv, void *st, xapi_call_t *call,
		     const struct xapi_sr *sr, unsigned flags, bool *here)
{
	struct lvm_drv *drv = st;
	XAPI_CHECK_FLAGS(drv->host, call, flags, 0);
	if (lvm_ctx_init(ctx, drv, call, sr->device_config, sr->uuid) < 0 ||
	    lvm_pv_get(ctx, pv) < 0)
		return XAPI_E_FAILED;
	*here = strcmp(pv->vg, ctx->vg) == 0;
	return XAPI_OK;
}

int lvm_sr_delete(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct lvm_ctx ctx;
	struct lvm_pv pv;
	bool here = false;
	if (sr_lookup(&ctx, &pv, st, call, sr, flags, &here) != XAPI_OK)
		return XAPI_E_FAILED;
	if (!here) {
		/* nothing of this SR on the device: already gone */
		lvm_log(&ctx, XAPI_LOG_INFO, "no VG %s on %s to remove", ctx.vg, ctx.env.device);
		return XAPI_OK;
	}
	struct lvm_rows rows;
	if (lvm_lvs(&ctx, NULL, &rows) < 0)
		return XAPI_E_FAILED;
	size_t n = rows.n;
	lvm_rows_free(&rows);
	if (n)
		return lvm_fail(&ctx, LE_SR_NOT_EMPTY, "%zu logical volumes left in %s", n, ctx.vg);
	if (lvm_data_close_all(&ctx.io, ctx.vg) < 0)
		return lvm_fail(&ctx, LE_LVM_UNMOUNT, "%s", ctx.io.why);
	const char *out;
	const char *vgremove[] = { "vgremove", "-f", ctx.vg, NULL };
	const char *pvremove[] = { "pvremove", "-ff", "-y", ctx.env.device, NULL };
	if (lvm_cmd(&ctx, LE_LVM_DELETE, vgremove, &out) < 0 ||
	    lvm_cmd(&ctx, LE_LVM_DELETE, pvremove, &out) < 0)
		return XAPI_E_FAILED;
	return XAPI_OK;
}

/* The context of an op on the SR, whose VG must be on the device. */
static int sr_begin(struct lvm_ctx *ctx, struct lvm_pv *pv, void *st, xapi_call_t *call,
		    const struct xapi_sr *sr, unsigned flags)
{
	struct lvm_drv *drv = st;
	XAPI_CHECK_FLAGS(drv->host, call, flags, 0);
	if (lvm_ctx_init(ctx, drv, call, sr->device_config, sr->uuid) < 0 ||
	    lvm_vg_need(ctx, pv) < 0)
		return XAPI_E_FAILED;
	return XAPI_OK;
}

int lvm_sr_attach(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct lvm_ctx ctx;
	struct lvm_pv pv;
	if (sr_begin(&ctx, &pv, st, call, sr, flags) != XAPI_OK)
		return XAPI_E_FAILED;
	return lvm_emit_space(&ctx, &pv);
}

int lvm_sr_detach(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct lvm_ctx ctx;
	struct lvm_pv pv;
	bool here = false;
	if (sr_lookup(&ctx, &pv, st, call, sr, flags, &here) != XAPI_OK)
		return XAPI_E_FAILED;
	if (!here)
		return XAPI_OK; /* the VG is gone: nothing is open */
	if (lvm_data_close_all(&ctx.io, ctx.vg) < 0)
		return lvm_fail(&ctx, LE_LVM_UNMOUNT, "%s", ctx.io.why);
	return XAPI_OK;
}

int lvm_sr_scan(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct lvm_ctx ctx;
	struct lvm_pv pv;
	if (sr_begin(&ctx, &pv, st, call, sr, flags) != XAPI_OK)
		return XAPI_E_FAILED;
	struct lvm_rows rows;
	if (lvm_lvs(&ctx, NULL, &rows) < 0)
		return XAPI_E_FAILED;
	int rc = XAPI_OK;
	size_t pl = strlen(LVM_LV_PREFIX);
	for (size_t i = 0; i < rows.n && rc == XAPI_OK; i++) {
		const char *name = lvm_row_get(&rows.v[i], "LV_NAME");
		/* LVs that are no VDI of ours (made by hand) are left alone */
		if (!name || strncmp(name, LVM_LV_PREFIX, pl) != 0 || !lvm_uuid_valid(name + pl))
			continue;
		rc = lvm_emit_lv(&ctx, &rows.v[i], NULL);
	}
	lvm_rows_free(&rows);
	return rc != XAPI_OK ? rc : lvm_emit_space(&ctx, &pv);
}

int lvm_sr_update(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	return lvm_sr_attach(st, call, sr, flags);
}
