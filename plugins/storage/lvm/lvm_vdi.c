/* lvm_vdi.c - the lvm SR driver's VDI ops. A VDI is a thick LV: create
 * zeroes it (a new LV holds whatever its extents held before), snapshot
 * and clone are full copies (without thin pools or device-mapper
 * snapshots, LVM has no cheaper way that stays correct), resize grows it
 * and zeroes the new end. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lvm_int.h"

#define MISSING 144 /* sm's VDIMissing: xapid answers VDI_MISSING [sr, vdi] */

static int64_t round_up(int64_t n, int64_t unit)
{
	return (n + unit - 1) / unit * unit;
}

/* The row of LV lv in rows, NULL if there is none. */
static const struct lvm_row *lv_find(const struct lvm_rows *rows, const char *lv)
{
	for (size_t i = 0; i < rows->n; i++) {
		const char *name = lvm_row_get(&rows->v[i], "LV_NAME");
		if (name && strcmp(name, lv) == 0)
			return &rows->v[i];
	}
	return NULL;
}

/* The LVs of the SR in rows, *row the one of location (which must exist). */
static int lv_need(struct lvm_ctx *ctx, const char *location, char lv[64], struct lvm_rows *rows,
		   const struct lvm_row **row)
{
	rows->v = NULL;
	rows->n = 0;
	if (lvm_lv_name(location, lv) < 0) {
		xapi_fail(ctx->drv->host, ctx->call, NULL, MISSING,
			  "The VDI is not available [opterr=bad location '%s']", location);
		return XAPI_E_NOT_FOUND;
	}
	if (lvm_lvs(ctx, NULL, rows) < 0)
		return XAPI_E_FAILED;
	if ((*row = lv_find(rows, lv)))
		return XAPI_OK;
	lvm_rows_free(rows);
	xapi_fail(ctx->drv->host, ctx->call, NULL, MISSING,
		  "The VDI is not available [opterr=LV not found: %s/%s]", ctx->vg, lv);
	return XAPI_E_NOT_FOUND;
}

/* What every op on an existing VDI starts with: the SR's VG on the device,
 * the LVs, the one of `location`. */
struct vdi_op {
	struct lvm_ctx ctx;
	struct lvm_pv pv;
	char lv[64];
	struct lvm_rows rows;          /* free with lvm_rows_free */
	const struct lvm_row *row;     /* the VDI's LV, in rows */
};

static int vdi_begin(struct vdi_op *op, void *st, xapi_call_t *call, const struct xapi_sr *sr,
		     const char *location, unsigned flags)
{
	struct lvm_drv *drv = st;
	op->rows = (struct lvm_rows){ 0 };
	XAPI_CHECK_FLAGS(drv->host, call, flags, 0);
	if (lvm_ctx_init(&op->ctx, drv, call, sr->device_config, sr->uuid) < 0 ||
	    lvm_vg_need(&op->ctx, &op->pv) < 0)
		return XAPI_E_FAILED;
	return location ? lv_need(&op->ctx, location, op->lv, &op->rows, &op->row) : XAPI_OK;
}

/* Space for bytes more in the VG? Fails the call (44) if not. */
static int space_for(struct lvm_ctx *ctx, const struct lvm_pv *pv, int64_t bytes)
{
	if (bytes <= pv->vg_free)
		return 0;
	return lvm_fail(ctx, LE_NO_SPACE, "%" PRId64 " bytes wanted, %" PRId64 " free in %s",
			bytes, pv->vg_free, ctx->vg);
}

static void lv_remove(struct lvm_ctx *ctx, const char *lv)
{
	char vglv[200];
	snprintf(vglv, sizeof(vglv), "%s/%s", ctx->vg, lv);
	const char *args[] = { "lvremove", "-f", vglv, NULL };
	const char *out;
	if (lvm_run(ctx->drv->host, ctx->call, &ctx->env, args, &out) != 0)
		lvm_log(ctx, XAPI_LOG_ERROR, "could not remove %s after a failure: %s", vglv, out);
}

/* Makes the LV `lv` of bytes (a multiple of the extent) reading as zeros,
 * tagged with tag (or NULL), and leaves it open: its path into path. On
 * failure the LV is gone again. */
static int lv_make(struct lvm_ctx *ctx, const char *lv, int64_t bytes, const char *tag, int code,
		   char *path, size_t len)
{
	char size[32];
	snprintf(size, sizeof(size), "%" PRId64 "b", bytes);
	const char *args[16];
	size_t n = 0;
	args[n++] = "lvcreate";
	/* not activated, not zeroed by LVM (it would need device-mapper):
	 * we zero it ourselves below */
	args[n++] = "-an";
	args[n++] = "-Zn";
	args[n++] = "-y";
	if (ctx->env.access == LVM_ACCESS_LOOP) {
		/* one segment: what a loop device can reach */
		args[n++] = "--alloc";
		args[n++] = "contiguous";
	}
	if (tag) {
		args[n++] = "--addtag";
		args[n++] = tag;
	}
	args[n++] = "-n";
	args[n++] = lv;
	args[n++] = "-L";
	args[n++] = size;
	args[n++] = ctx->vg;
	args[n] = NULL;
	const char *out;
	if (lvm_cmd(ctx, code, args, &out) < 0)
		return -1;
	if (lvm_data_open(&ctx->io, ctx->vg, lv, true, path, len) < 0) {
		lvm_fail(ctx, LE_LVM_MOUNT, "%s", ctx->io.why);
		lv_remove(ctx, lv);
		return -1;
	}
	if (lvm_data_zero(&ctx->io, path, 0, bytes) < 0) {
		lvm_fail(ctx, LE_LVM_WRITE, "%s", ctx->io.why);
		lvm_data_close_path(&ctx->io, ctx->vg, lv, path);
		lv_remove(ctx, lv);
		return -1;
	}
	return 0;
}

int lvm_vdi_create(void *st, xapi_call_t *call, const struct xapi_sr *sr,
		   const struct xapi_vdi_info *want, unsigned flags)
{
	struct vdi_op op;
	if (vdi_begin(&op, st, call, sr, NULL, flags) != XAPI_OK)
		return XAPI_E_FAILED;
	struct lvm_ctx *ctx = &op.ctx;
	char lv[64];
	if (!want->uuid || lvm_lv_name(want->uuid, lv) < 0)
		return lvm_fail(ctx, LE_VDI_CREATE, "bad VDI uuid '%s'", want->uuid ? want->uuid : "");
	if (want->virtual_size <= 0)
		return lvm_fail(ctx, LE_VDI_SIZE, "size %" PRId64 " bytes", want->virtual_size);
	int64_t bytes = round_up(want->virtual_size, op.pv.extent);
	if (space_for(ctx, &op.pv, bytes) < 0)
		return XAPI_E_FAILED;
	char path[300];
	if (lv_make(ctx, lv, bytes, NULL, LE_VDI_CREATE, path, sizeof(path)) < 0)
		return XAPI_E_FAILED;
	if (lvm_data_close_path(&ctx->io, ctx->vg, lv, path) < 0)
		lvm_log(ctx, XAPI_LOG_WARN, "closing %s: %s", lv, ctx->io.why);
	return lvm_emit_vdi(ctx, want->uuid, bytes, NULL, NULL);
}

int lvm_vdi_delete(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		   unsigned flags)
{
	struct vdi_op op;
	int rc = vdi_begin(&op, st, call, sr, location, flags);
	lvm_rows_free(&op.rows);
	if (rc != XAPI_OK)
		return rc;
	struct lvm_ctx *ctx = &op.ctx;
	if (lvm_data_close(&ctx->io, ctx->vg, op.lv) < 0)
		return lvm_fail(ctx, LE_LVM_UNMOUNT, "%s", ctx->io.why);
	char vglv[200];
	snprintf(vglv, sizeof(vglv), "%s/%s", ctx->vg, op.lv);
	const char *args[] = { "lvremove", "-f", vglv, NULL };
	const char *out;
	return lvm_cmd(ctx, LE_VDI_REMOVE, args, &out) < 0 ? XAPI_E_FAILED : XAPI_OK;
}

/* A full copy of the VDI at location as the new LV of want->uuid. */
static int copy_vdi(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		    const struct xapi_vdi_info *want, bool snapshot, unsigned flags)
{
	int code = snapshot ? LE_VDI_SNAPSHOT : LE_VDI_CLONE;
	struct vdi_op op;
	int rc = vdi_begin(&op, st, call, sr, location, flags);
	int64_t bytes = rc == XAPI_OK ? lvm_row_int(op.row, "LV_SIZE") : 0;
	lvm_rows_free(&op.rows);
	if (rc != XAPI_OK)
		return rc;
	struct lvm_ctx *ctx = &op.ctx;
	const char *src = op.lv;
	char dst[64];
	if (!want || !want->uuid || lvm_lv_name(want->uuid, dst) < 0)
		return lvm_fail(ctx, code, "bad uuid for the new VDI");
	if (space_for(ctx, &op.pv, bytes) < 0)
		return XAPI_E_FAILED;
	/* the source may be attached (a VM's disk): then it stays open */
	int was_open = lvm_data_is_open(&ctx->io, ctx->vg, src);
	if (was_open < 0)
		return lvm_fail(ctx, LE_LVM_MOUNT, "%s", ctx->io.why);
	char tag[80], spath[300], dpath[300];
	snprintf(tag, sizeof(tag), "%s%s", LVM_SNAP_TAG, location);
	if (lv_make(ctx, dst, bytes, snapshot ? tag : NULL, code, dpath, sizeof(dpath)) < 0)
		return XAPI_E_FAILED;
	rc = XAPI_OK;
	if (lvm_data_open(&ctx->io, ctx->vg, src, false, spath, sizeof(spath)) < 0) {
		rc = lvm_fail(ctx, LE_LVM_MOUNT, "%s", ctx->io.why);
	} else {
		int c = lvm_data_copy(&ctx->io, spath, dpath, bytes);
		if (c > 0)
			rc = XAPI_E_CANCELLED;
		else if (c < 0)
			rc = lvm_fail(ctx, code, "%s", ctx->io.why);
		if (!was_open && lvm_data_close_path(&ctx->io, ctx->vg, src, spath) < 0)
			lvm_log(ctx, XAPI_LOG_WARN, "closing %s: %s", src, ctx->io.why);
	}
	if (lvm_data_close_path(&ctx->io, ctx->vg, dst, dpath) < 0)
		lvm_log(ctx, XAPI_LOG_WARN, "closing %s: %s", dst, ctx->io.why);
	if (rc != XAPI_OK) {
		lv_remove(ctx, dst);
		return rc;
	}
	return lvm_emit_vdi(ctx, want->uuid, bytes, snapshot ? location : NULL, NULL);
}

int lvm_vdi_snapshot(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		     const struct xapi_vdi_info *want, unsigned flags)
{
	return copy_vdi(st, call, sr, location, want, true, flags);
}

int lvm_vdi_clone(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		  const struct xapi_vdi_info *want, unsigned flags)
{
	return copy_vdi(st, call, sr, location, want, false, flags);
}

int lvm_vdi_resize(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		   int64_t new_size, unsigned flags)
{
	struct vdi_op op;
	int rc = vdi_begin(&op, st, call, sr, location, flags);
	if (rc != XAPI_OK)
		return rc;
	struct lvm_ctx *ctx = &op.ctx;
	const struct lvm_pv *pv = &op.pv;
	const char *lv = op.lv;
	int64_t old = lvm_row_int(op.row, "LV_SIZE");
	char snap_of[64];
	bool snap = lvm_row_tag(op.row, LVM_SNAP_TAG, snap_of, sizeof(snap_of)) &&
		    lvm_uuid_valid(snap_of);
	lvm_rows_free(&op.rows);
	if (new_size < old)
		return lvm_fail(ctx, LE_VDI_SIZE, "shrinking not allowed (%" PRId64 " < %" PRId64
				" bytes)", new_size, old);
	int64_t bytes = round_up(new_size, pv->extent);
	if (bytes == old)
		return lvm_emit_vdi(ctx, location, old, snap ? snap_of : NULL, NULL);
	if (space_for(ctx, pv, bytes - old) < 0)
		return XAPI_E_FAILED;
	char vglv[200], size[32];
	snprintf(vglv, sizeof(vglv), "%s/%s", ctx->vg, lv);
	snprintf(size, sizeof(size), "%" PRId64 "b", bytes);
	const char *loop_args[] = { "lvextend", "--alloc", "contiguous", "-L", size, vglv, NULL };
	const char *dm_args[] = { "lvextend", "-L", size, vglv, NULL };
	const char *out;
	if (lvm_cmd(ctx, LE_VDI_RESIZE, ctx->env.access == LVM_ACCESS_LOOP ? loop_args : dm_args,
		    &out) < 0)
		return XAPI_E_FAILED;
	/* the new end holds what its extents held before */
	char path[300];
	if (lvm_data_open(&ctx->io, ctx->vg, lv, true, path, sizeof(path)) < 0)
		return lvm_fail(ctx, LE_LVM_MOUNT, "%s", ctx->io.why);
	rc = lvm_data_zero(&ctx->io, path, old, bytes - old) < 0
		     ? lvm_fail(ctx, LE_LVM_WRITE, "%s", ctx->io.why)
		     : XAPI_OK;
	if (lvm_data_close_path(&ctx->io, ctx->vg, lv, path) < 0)
		lvm_log(ctx, XAPI_LOG_WARN, "closing %s: %s", lv, ctx->io.why);
	return rc != XAPI_OK ? rc : lvm_emit_vdi(ctx, location, bytes, snap ? snap_of : NULL, NULL);
}

int lvm_vdi_attach(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		   int writable, unsigned flags)
{
	struct vdi_op op;
	char path[300], uri[700];
	int rc = vdi_begin(&op, st, call, sr, location, flags);
	struct lvm_ctx *ctx = &op.ctx;
	if (rc != XAPI_OK)
		; /* failed above */
	else if (lvm_data_open(&ctx->io, ctx->vg, op.lv, writable, path, sizeof(path)) < 0)
		rc = lvm_fail(ctx, LE_LVM_MOUNT, "%s", ctx->io.why);
	else if (xapi_datapath_file(uri, sizeof(uri), path) < 0)
		rc = lvm_fail(ctx, LE_LVM_MOUNT, "path too long: %s", path);
	else
		rc = lvm_emit_lv(ctx, op.row, uri);
	lvm_rows_free(&op.rows);
	return rc;
}

int lvm_vdi_detach(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		   unsigned flags)
{
	struct vdi_op op;
	if (vdi_begin(&op, st, call, sr, NULL, flags) != XAPI_OK)
		return XAPI_E_FAILED;
	struct lvm_ctx *ctx = &op.ctx;
	if (lvm_lv_name(location, op.lv) < 0)
		return XAPI_OK; /* never ours: nothing is open */
	if (lvm_lvs(ctx, NULL, &op.rows) < 0)
		return XAPI_E_FAILED;
	bool there = lv_find(&op.rows, op.lv) != NULL;
	lvm_rows_free(&op.rows);
	if (!there)
		return XAPI_OK; /* gone: nothing is open */
	if (lvm_data_close(&ctx->io, ctx->vg, op.lv) < 0)
		return lvm_fail(ctx, LE_LVM_UNMOUNT, "%s", ctx->io.why);
	return XAPI_OK;
}

/* VDI.introduce and VDI.update: the LV's facts as they are. */
int lvm_vdi_introduce(void *st, xapi_call_t *call, const struct xapi_sr *sr,
		      const char *location, unsigned flags)
{
	struct vdi_op op;
	int rc = vdi_begin(&op, st, call, sr, location, flags);
	if (rc == XAPI_OK)
		rc = lvm_emit_lv(&op.ctx, op.row, NULL);
	lvm_rows_free(&op.rows);
	return rc;
}

int lvm_vdi_update(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		   unsigned flags)
{
	return lvm_vdi_introduce(st, call, sr, location, flags);
}
