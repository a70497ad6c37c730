/* lvm_util.c - the lvm SR driver's call context, errors, and what it reads
 * from LVM (the PV, the VG, the LVs). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lvm_int.h"

/* sm's descriptions (XE_SR_ERRORCODES.xml) of the numbers this driver uses */
static const char *describe(int code)
{
	switch (code) {
	case LE_INVALID_ARG: return "Invalid argument";
	case LE_INVALID_DEV: return "No such device";
	case LE_SR_NOT_EMPTY: return "The SR is not empty";
	case LE_SR_SCAN: return "The SR scan failed";
	case LE_SR_EXISTS: return "The SR already exists";
	case LE_VDI_EXISTS: return "The VDI already exists";
	case LE_NO_SPACE: return "There is insufficient space";
	case LE_VDI_UNAVAILABLE: return "The VDI is not available";
	case LE_SR_UNAVAILABLE: return "The SR is not available";
	case LE_LVM_CREATE: return "Logical Volume creation error";
	case LE_LVM_DELETE: return "Logical Volume deletion error";
	case LE_LVM_MOUNT: return "Logical Volume mount/activate error";
	case LE_LVM_UNMOUNT: return "Logical Volume unmount/deactivate error";
	case LE_LVM_WRITE: return "Logical Volume write error";
	case LE_LVM_PART_CREATE: return "Logical Volume partition creation error";
	case LE_VDI_REMOVE: return "Failed to remove VDI";
	case LE_LVM_GROUP_CREATE: return "Logical Volume group creation failed";
	case LE_VDI_CREATE: return "VDI Creation failed";
	case LE_VDI_SIZE: return "VDI Invalid size";
	case LE_VDI_CLONE: return "Failed to clone VDI";
	case LE_VDI_SNAPSHOT: return "Failed to snapshot VDI";
	case LE_DEVICE_MISSING: return "The request is missing the device parameter";
	case LE_DEVICE_INVALID: return "The device is not a valid path";
	case LE_PVS_FAILED: return "pvs failed";
	case LE_VDI_RESIZE: return "VDI resize failed";
	default: return "Error";
	}
}

int lvm_fail(struct lvm_ctx *ctx, int code, const char *fmt, ...)
{
	char detail[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return xapi_fail(ctx->drv->host, ctx->call, NULL, code, "%s [opterr=%s]", describe(code),
			 detail);
}

void lvm_log(struct lvm_ctx *ctx, enum xapi_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ctx->drv->host->logv(ctx->drv->self, ctx->call, level, fmt, ap);
	va_end(ap);
}

bool lvm_uuid_valid(const char *s)
{
	static const char pattern[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	if (!s)
		return false;
	for (size_t i = 0; i < sizeof(pattern) - 1; i++) {
		char c = s[i];
		if (pattern[i] == '-' ? c != '-'
				      : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return s[sizeof(pattern) - 1] == '\0';
}

int lvm_lv_name(const char *location, char out[64])
{
	if (!lvm_uuid_valid(location))
		return -1;
	snprintf(out, 64, "%s%s", LVM_LV_PREFIX, location);
	return 0;
}

int lvm_ctx_init(struct lvm_ctx *ctx, struct lvm_drv *drv, xapi_call_t *call,
		 const xapi_kv_t *device_config, const char *sr_uuid)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->drv = drv;
	ctx->call = call;
	const char *dev = device_config ? drv->host->kv_get(device_config, "device") : NULL;
	if (!dev || !*dev)
		return xapi_fail(drv->host, call, NULL, LE_DEVICE_MISSING, "%s",
				 describe(LE_DEVICE_MISSING));
	if (strchr(dev, ','))
		return lvm_fail(ctx, LE_INVALID_ARG, "the lvm driver takes one device, not a list: "
				"'%s'", dev);
	if (!lvm_device_name_ok(dev))
		return lvm_fail(ctx, LE_DEVICE_INVALID, "'%s' is not an absolute path of "
				"[A-Za-z0-9/_.:+@-]", dev);
	struct stat st;
	if (stat(dev, &st) != 0)
		return lvm_fail(ctx, LE_INVALID_DEV, "Device %s does not exist", dev);
	if (!S_ISBLK(st.st_mode))
		return lvm_fail(ctx, LE_DEVICE_INVALID, "%s is not a block device", dev);
	if (sr_uuid) {
		if (!lvm_uuid_valid(sr_uuid))
			return lvm_fail(ctx, LE_INVALID_ARG, "bad SR uuid '%s'", sr_uuid);
		snprintf(ctx->srid, sizeof(ctx->srid), "%s", sr_uuid);
		snprintf(ctx->vg, sizeof(ctx->vg), "%s%s", LVM_VG_PREFIX, sr_uuid);
	}
	if (lvm_env_init(&ctx->env, dev, drv->run_dir, drv->access) < 0)
		return lvm_fail(ctx, LE_INVALID_ARG, "cannot make LVM's private directory under "
				"%s: %s", drv->run_dir, strerror(errno));
	ctx->io.host = drv->host;
	ctx->io.call = call;
	ctx->io.env = &ctx->env;
	return 0;
}

int lvm_cmd(struct lvm_ctx *ctx, int code, const char *const args[], const char **out)
{
	int rc = lvm_run(ctx->drv->host, ctx->call, &ctx->env, args, out);
	if (rc == 0)
		return 0;
	char reason[400];
	lvm_output_reason(*out, reason, sizeof(reason));
	if (strstr(*out, "insufficient free space") || strstr(*out, "Insufficient free space"))
		code = LE_NO_SPACE;
	if (rc < 0)
		return lvm_fail(ctx, code, "lvm %s could not run or was killed: %s", args[0], reason);
	return lvm_fail(ctx, code, "lvm %s failed (status %d): %s", args[0], rc, reason);
}

int lvm_pv_get(struct lvm_ctx *ctx, struct lvm_pv *pv)
{
	memset(pv, 0, sizeof(*pv));
	const char *args[] = { "pvs", LVM_REPORT_OPTS, "-o",
			       "pv_name,vg_name,vg_size,vg_free,vg_extent_size", ctx->env.device,
			       NULL };
	const char *out;
	int rc = lvm_run(ctx->drv->host, ctx->call, &ctx->env, args, &out);
	struct lvm_rows rows;
	if (rc != 0) {
		/* a device without a PV label: pvs says so and exits 5 */
		if (rc > 0 && strstr(out, "Failed to find physical volume"))
			return 0;
		return lvm_cmd(ctx, LE_PVS_FAILED, args, &out);
	}
	if (lvm_report_parse(out, &rows) < 0 || rows.n != 1) {
		lvm_rows_free(&rows);
		return lvm_fail(ctx, LE_PVS_FAILED, "unexpected output of pvs on %s",
				ctx->env.device);
	}
	pv->is_pv = true;
	const char *vg = lvm_row_get(&rows.v[0], "VG_NAME");
	snprintf(pv->vg, sizeof(pv->vg), "%s", vg ? vg : "");
	pv->vg_size = lvm_row_int(&rows.v[0], "VG_SIZE");
	pv->vg_free = lvm_row_int(&rows.v[0], "VG_FREE");
	pv->extent = lvm_row_int(&rows.v[0], "VG_EXTENT_SIZE");
	lvm_rows_free(&rows);
	return 0;
}

int lvm_vg_need(struct lvm_ctx *ctx, struct lvm_pv *pv)
{
	if (lvm_pv_get(ctx, pv) < 0)
		return -1;
	if (strcmp(pv->vg, ctx->vg) != 0)
		return lvm_fail(ctx, LE_SR_UNAVAILABLE, "no such volume group: %s on %s", ctx->vg,
				ctx->env.device);
	if (pv->extent <= 0 || pv->vg_size < 0 || pv->vg_free < 0)
		return lvm_fail(ctx, LE_PVS_FAILED, "pvs gave no sizes for %s", ctx->vg);
	return 0;
}

int lvm_lvs(struct lvm_ctx *ctx, const char *lv, struct lvm_rows *rows)
{
	char name[200];
	snprintf(name, sizeof(name), "%s%s%s", ctx->vg, lv ? "/" : "", lv ? lv : "");
	const char *args[] = { "lvs", LVM_REPORT_OPTS, "-o", "lv_name,lv_size,lv_tags", name,
			       NULL };
	const char *out;
	rows->v = NULL;
	rows->n = 0;
	if (lvm_cmd(ctx, LE_SR_SCAN, args, &out) < 0)
		return -1;
	if (lvm_report_parse(out, rows) < 0)
		return lvm_fail(ctx, LE_SR_SCAN, "unexpected output of lvs %s", name);
	return 0;
}

int lvm_emit_space(struct lvm_ctx *ctx, const struct lvm_pv *pv)
{
	struct xapi_sr_info info = {
		.size = sizeof(info),
		.uuid = ctx->srid,
		.physical_size = pv->vg_size,
		.physical_utilisation = pv->vg_size - pv->vg_free,
		.virtual_allocation = -1,
	};
	return ctx->drv->host->emit_sr(ctx->call, &info);
}

int lvm_emit_vdi(struct lvm_ctx *ctx, const char *uuid, int64_t size, const char *snapshot_of,
		 const char *datapath)
{
	struct xapi_vdi_info v = {
		.size = sizeof(v),
		.location = uuid,
		.uuid = uuid,
		.virtual_size = size,
		.physical_utilisation = size, /* thick: the LV is all allocated */
		.is_a_snapshot = snapshot_of != NULL,
		.snapshot_of = snapshot_of,
		.datapath = datapath,
	};
	return ctx->drv->host->emit_vdi(ctx->call, &v);
}

int lvm_emit_lv(struct lvm_ctx *ctx, const struct lvm_row *row, const char *datapath)
{
	const char *name = lvm_row_get(row, "LV_NAME");
	char snap_of[64] = "";
	bool snap = lvm_row_tag(row, LVM_SNAP_TAG, snap_of, sizeof(snap_of)) &&
		    lvm_uuid_valid(snap_of);
	return lvm_emit_vdi(ctx, name + strlen(LVM_LV_PREFIX), lvm_row_int(row, "LV_SIZE"),
			    snap ? snap_of : NULL, datapath);
}
