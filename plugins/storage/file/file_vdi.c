/* file_vdi.c - the VDI ops of the file driver.
 *
 * Snapshot and clone in constant time, whatever the size: the VDI's file
 * becomes a hidden read-only parent and two thin qcow2 overlays are made on
 * it, one under the VDI's own name (its location never changes) and one for
 * the new VDI. The steps are ordered so that a crash at any point leaves
 * the VDI's file complete under its name:
 *
 *   1. link(X, B.base.qcow2)        B and X are the same file
 *   2. overlay on B -> .tmp-T       X untouched
 *   3. rename(.tmp-T, X)            atomically: X is now the overlay on B
 *   4. overlay on B -> .tmp-N, rename to N.qcow2 (the new VDI)
 *
 * A crash after 1 leaves B without children: the next scan or attach
 * removes it (file_images_gc) and X is as it was. A crash after 3 leaves X
 * as an overlay of B and no new VDI: the snapshot did not happen, nothing is
 * lost. A qemu-nbd serving X holds the old file open, which is now B: it is
 * stopped before and started again after, on the same socket.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "file_int.h"

#define MAX_CHAIN 30 /* xapi's VHD limit (SnapshotChainTooLong) */

static int64_t round_up_512(int64_t n)
{
	return (n + 511) / 512 * 512;
}

/* Common start of every VDI op: the SR, a valid location and its image.
 * Returns XAPI_OK, or the status after failing the call; a missing image
 * gives XAPI_E_NOT_FOUND (VDI_MISSING) unless missing_ok. */
static int open_vdi(struct file_ctx *ctx, void *st, xapi_call_t *call, const struct xapi_sr *sr,
		    const char *loc, unsigned flags, struct file_image *img, bool missing_ok)
{
	struct file_drv *drv = st;
	XAPI_CHECK_FLAGS(drv->host, call, flags, 0);
	if (file_ctx_init(ctx, drv, call, sr, true) < 0)
		return XAPI_E_FAILED;
	if (!file_location_valid(loc))
		return file_fail(ctx, FE_INVALID_ARG,
				 "'%s' is not a location of this SR type (a file name ending in "
				 ".qcow2 or .img)",
				 loc ? loc : "");
	if (file_image_read(ctx, loc, img) == 0)
		return XAPI_OK;
	if (errno != ENOENT)
		return file_fail(ctx, FE_VDI_LOAD, "Failed to load VDI %s: %s", loc,
				 strerror(errno));
	if (missing_ok)
		return XAPI_E_NOT_FOUND;
	file_fail(ctx, FE_VDI_MISSING, "VDI could not be found: no file %s in %s", loc, ctx->dir);
	return XAPI_E_NOT_FOUND;
}

static int emit_fresh(struct file_ctx *ctx, const char *name, bool is_a_snapshot,
		      const char *snapshot_of, const char *datapath)
{
	struct file_image img;
	if (file_image_read(ctx, name, &img) < 0)
		return file_fail(ctx, FE_VDI_LOAD, "Failed to load VDI %s: %s", name,
				 strerror(errno));
	return file_image_emit(ctx, &img, is_a_snapshot, snapshot_of, datapath);
}

int file_vdi_create(void *st, xapi_call_t *call, const struct xapi_sr *sr,
		    const struct xapi_vdi_info *want, unsigned flags)
{
	struct file_drv *drv = st;
	struct file_ctx ctx;
	XAPI_CHECK_FLAGS(drv->host, call, flags, 0);
	if (file_ctx_init(&ctx, drv, call, sr, true) < 0)
		return XAPI_E_FAILED;
	if (want->virtual_size < 0 || want->virtual_size > INT64_MAX - 512)
		return file_fail(&ctx, FE_VDI_SIZE, "VDI Invalid size: %lld",
				 (long long)want->virtual_size);
	char uuid[37];
	if (want->uuid && file_uuid_valid(want->uuid))
		snprintf(uuid, sizeof(uuid), "%s", want->uuid);
	else if (file_new_uuid(uuid) < 0)
		return file_fail(&ctx, FE_VDI_CREATE, "cannot make a uuid");
	char name[64], tmpname[80], path[4400], tmp[4400], size[32];
	snprintf(name, sizeof(name), "%s.qcow2", uuid);
	snprintf(tmpname, sizeof(tmpname), "%s%s.qcow2", FILE_TMP_PREFIX, uuid);
	char target[5700];
	struct file_stat sb;
	file_path(&ctx, name, path, sizeof(path));
	file_path(&ctx, tmpname, tmp, sizeof(tmp));
	file_qemu_name(&ctx, tmpname, target, sizeof(target));
	if (ctx.fs->stat(&ctx, path, &sb) == 0)
		return file_fail(&ctx, FE_VDI_EXISTS, "The VDI already exists: %s", name);
	snprintf(size, sizeof(size), "%lld", (long long)round_up_512(want->virtual_size));
	const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", target, size, NULL };
	if (file_run(&ctx, FE_VDI_CREATE, argv) < 0) {
		ctx.fs->unlink(&ctx, tmp);
		return XAPI_E_FAILED;
	}
	if (ctx.fs->rename(&ctx, tmp, path) != 0) {
		int e = errno;
		ctx.fs->unlink(&ctx, tmp);
		return file_fail(&ctx, FE_VDI_CREATE, "VDI Creation failed: rename to %s: %s", path,
				 strerror(e));
	}
	file_log(&ctx, XAPI_LOG_DEBUG, "created %s (%s bytes)", name, size);
	return emit_fresh(&ctx, name, false, NULL, NULL);
}

int file_vdi_delete(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *loc,
		    unsigned flags)
{
	struct file_ctx ctx;
	struct file_image img;
	int rc = open_vdi(&ctx, st, call, sr, loc, flags, &img, true);
	if (rc == XAPI_E_NOT_FOUND) {
		/* already gone: deleting is done (as sm's FileSR) */
		file_nbd_stop(&ctx, loc);
		return XAPI_OK;
	}
	if (rc != XAPI_OK)
		return rc;
	long pid = file_nbd_running(&ctx, loc, NULL);
	if (pid > 0)
		return file_fail(&ctx, FE_VDI_IN_USE,
				 "The VDI is currently in use: %s is attached (qemu-nbd %ld)", loc,
				 pid);
	struct file_images imgs;
	if (file_images_list(&ctx, &imgs) < 0)
		return XAPI_E_FAILED;
	struct file_image *me = file_images_find(&imgs, loc);
	if (me && me->children > 0) {
		rc = file_fail(&ctx, FE_VDI_IN_USE,
			       "The VDI is currently in use: %s is the parent of %d other image(s)",
			       loc, me->children);
		goto out;
	}
	char path[4400];
	file_path(&ctx, loc, path, sizeof(path));
	if (ctx.fs->unlink(&ctx, path) != 0 && errno != ENOENT) {
		rc = file_fail(&ctx, FE_VDI_REMOVE, "Failed to remove VDI %s: %s", path,
			       strerror(errno));
		goto out;
	}
	/* its parents go too once nobody else uses them */
	if (me) {
		if (me->backing[0]) {
			struct file_image *p = file_images_find(&imgs, me->backing);
			if (p && p->children > 0)
				p->children--;
		}
		me->name[0] = '\0'; /* gone: the collector skips it */
	}
	file_images_gc(&ctx, &imgs);
	file_log(&ctx, XAPI_LOG_DEBUG, "deleted %s", loc);
out:
	file_images_free(&imgs);
	return rc;
}

/* How many parents above img (stops at MAX_CHAIN + 1). */
static int chain_depth(struct file_ctx *ctx, const struct file_image *img)
{
	int depth = 0;
	struct file_image cur = *img;
	while (cur.backing[0] && !cur.backing_outside && depth <= MAX_CHAIN) {
		char next[256];
		snprintf(next, sizeof(next), "%s", cur.backing);
		if (file_image_read(ctx, next, &cur) < 0)
			break;
		depth++;
	}
	return depth;
}

/* An overlay of parent (in the SR, size bytes) as <dir>/<name>, made under
 * a temp name first. */
static int make_overlay(struct file_ctx *ctx, int code, const char *parent, int64_t size,
			const char *name)
{
	char uuid[37], tmpname[80], tmp[4400], path[4400], target[5700], bytes[32];
	if (file_new_uuid(uuid) < 0)
		return file_fail(ctx, code, "cannot make a uuid");
	snprintf(tmpname, sizeof(tmpname), "%s%s.qcow2", FILE_TMP_PREFIX, uuid);
	file_path(ctx, tmpname, tmp, sizeof(tmp));
	file_path(ctx, name, path, sizeof(path));
	file_qemu_name(ctx, tmpname, target, sizeof(target));
	snprintf(bytes, sizeof(bytes), "%lld", (long long)size);
	/* the parent by its bare name: qemu looks for it next to the overlay,
	 * so the SR directory can move (or be probed at another path). Not on
	 * NFS: QEMU 7.2's nfs driver resolves a relative backing name under
	 * the overlay's own path (nfs_dirname returns the file's path), so
	 * there the parent is named by its URL. -u with the size: qemu-img
	 * need not open the chain. */
	char parent_name[5700];
	if (ctx->url[0])
		file_qemu_name(ctx, parent, parent_name, sizeof(parent_name));
	else
		snprintf(parent_name, sizeof(parent_name), "%s", parent);
	const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", parent_name,
			       "-F", "qcow2", target, bytes, NULL };
	if (file_run(ctx, code, argv) < 0) {
		ctx->fs->unlink(ctx, tmp);
		return XAPI_E_FAILED;
	}
	if (ctx->fs->rename(ctx, tmp, path) != 0) {
		int e = errno;
		ctx->fs->unlink(ctx, tmp);
		return file_fail(ctx, code, "rename to %s: %s", path, strerror(e));
	}
	return XAPI_OK;
}

static int snapshot_or_clone(void *st, xapi_call_t *call, const struct xapi_sr *sr,
			     const char *loc, const struct xapi_vdi_info *want, unsigned flags,
			     bool snapshot)
{
	const int code = snapshot ? FE_VDI_SNAPSHOT : FE_VDI_CLONE;
	const char *what = snapshot ? "snapshot" : "clone";
	struct file_ctx ctx;
	struct file_image img;
	int rc = open_vdi(&ctx, st, call, sr, loc, flags, &img, false);
	if (rc != XAPI_OK)
		return rc;
	if (img.fmt != FF_QCOW2)
		return file_fail(&ctx, FE_VDI_TYPE,
				 "Invalid VDI type: %s is a raw image; only qcow2 VDIs can be "
				 "%sd (convert it with qemu-img convert -O qcow2)",
				 loc, snapshot ? "snapshotte" : "clone");
	if (img.base)
		return file_fail(&ctx, FE_VDI_TYPE, "Invalid VDI type: %s is a hidden parent", loc);
	if (img.bad)
		return file_fail(&ctx, FE_VDI_LOAD, "Failed to load VDI %s: unreadable qcow2 header",
				 loc);
	if (chain_depth(&ctx, &img) >= MAX_CHAIN)
		return file_fail(&ctx, 109, "The snapshot chain is too long: %s has %d parents",
				 loc, MAX_CHAIN);

	bool was_ro = false;
	long pid = file_nbd_running(&ctx, loc, &was_ro);
	if (pid < 0)
		return XAPI_E_FAILED;
	if (pid > 0 && file_nbd_stop(&ctx, loc) < 0)
		return XAPI_E_FAILED;

	/* the new VDI is named after the uuid xapid chose for it, as vdi_create's */
	char base_uuid[37], new_uuid[37], base[64], fresh[64] = "", path[4400], base_path[4400];
	if (want && want->uuid && file_uuid_valid(want->uuid))
		snprintf(new_uuid, sizeof(new_uuid), "%s", want->uuid);
	else if (file_new_uuid(new_uuid) < 0)
		new_uuid[0] = 0;
	if (!new_uuid[0] || file_new_uuid(base_uuid) < 0) {
		rc = file_fail(&ctx, code, "cannot make a uuid");
		goto restart;
	}
	snprintf(base, sizeof(base), "%s%s", base_uuid, FILE_BASE_SUFFIX);
	snprintf(fresh, sizeof(fresh), "%s.qcow2", new_uuid);
	file_path(&ctx, loc, path, sizeof(path));
	file_path(&ctx, base, base_path, sizeof(base_path));
	char fresh_path[4400];
	file_path(&ctx, fresh, fresh_path, sizeof(fresh_path));
	struct file_stat sb;
	if (ctx.fs->stat(&ctx, fresh_path, &sb) == 0) {
		rc = file_fail(&ctx, FE_VDI_EXISTS, "The VDI already exists: %s", fresh);
		fresh[0] = 0;
		goto restart;
	}
	if (ctx.fs->link(&ctx, path, base_path) != 0) {
		rc = file_fail(&ctx, errno == ENOSPC ? FE_NO_SPACE : code,
			       "Failed to %s VDI: link %s: %s", what, base_path, strerror(errno));
		goto restart;
	}
	rc = make_overlay(&ctx, code, base, img.virtual_size, loc);
	if (rc != XAPI_OK) {
		ctx.fs->unlink(&ctx, base_path); /* X is still the whole VDI */
		goto restart;
	}
	/* on disk too, the parent is never written again */
	ctx.fs->chmod(&ctx, base_path, 0444);
	rc = make_overlay(&ctx, code, base, img.virtual_size, fresh);
	if (rc != XAPI_OK)
		goto restart; /* X is a valid overlay of B: consistent */
	file_log(&ctx, XAPI_LOG_DEBUG, "%s of %s: %s (parent %s)", what, loc, fresh, base);
restart:
	if (pid > 0) {
		char uri[4600];
		int r = file_nbd_start(&ctx, loc, FF_QCOW2, !was_ro, uri, sizeof(uri));
		if (r < 0 && rc == XAPI_OK)
			rc = r;
	}
	if (rc == XAPI_OK)
		rc = emit_fresh(&ctx, fresh, snapshot, snapshot ? loc : NULL, NULL);
	return rc;
}

int file_vdi_snapshot(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *loc,
		      const struct xapi_vdi_info *want, unsigned flags)
{
	return snapshot_or_clone(st, call, sr, loc, want, flags, true);
}

int file_vdi_clone(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *loc,
		   const struct xapi_vdi_info *want, unsigned flags)
{
	return snapshot_or_clone(st, call, sr, loc, want, flags, false);
}

int file_vdi_resize(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *loc,
		    int64_t new_size, unsigned flags)
{
	struct file_ctx ctx;
	struct file_image img;
	int rc = open_vdi(&ctx, st, call, sr, loc, flags, &img, false);
	if (rc != XAPI_OK)
		return rc;
	if (img.base)
		return file_fail(&ctx, FE_VDI_TYPE, "Invalid VDI type: %s is a hidden parent", loc);
	if (img.bad)
		return file_fail(&ctx, FE_VDI_LOAD, "Failed to load VDI %s: unreadable qcow2 header",
				 loc);
	if (new_size < 0 || new_size > INT64_MAX - 512)
		return file_fail(&ctx, FE_VDI_SIZE, "VDI Invalid size: %lld", (long long)new_size);
	int64_t size = round_up_512(new_size);
	if (size < img.virtual_size)
		return file_fail(&ctx, FE_VDI_SIZE,
				 "VDI Invalid size: shrinking is not allowed (%lld < %lld)",
				 (long long)new_size, (long long)img.virtual_size);
	if (size == img.virtual_size)
		return file_image_emit(&ctx, &img, false, NULL, NULL);
	long pid = file_nbd_running(&ctx, loc, NULL);
	if (pid > 0)
		return file_fail(&ctx, FE_VDI_IN_USE,
				 "The VDI is currently in use: %s is attached (qemu-nbd %ld)", loc,
				 pid);
	char path[4400], arg[32], image[5800];
	file_path(&ctx, loc, path, sizeof(path));
	if (img.fmt == FF_RAW) {
		if (ctx.fs->truncate(&ctx, path, size) != 0)
			return file_fail(&ctx, errno == ENOSPC || errno == EFBIG ? FE_NO_SPACE
										 : FE_VDI_RESIZE,
					 "VDI resize failed: %s: %s", path, strerror(errno));
	} else {
		snprintf(arg, sizeof(arg), "%lld", (long long)size);
		const char *argv[8] = { "qemu-img", "resize", "-q" };
		int k = file_image_args(&ctx, loc, FF_QCOW2, 'i', argv + 3, image, sizeof(image));
		if (k < 0)
			return file_fail(&ctx, FE_VDI_LOAD, "Failed to load VDI %s: its backing "
					 "chain cannot be read", loc);
		argv[3 + k] = arg;
		argv[4 + k] = NULL;
		if (file_run(&ctx, FE_VDI_RESIZE, argv) < 0)
			return XAPI_E_FAILED;
	}
	return emit_fresh(&ctx, loc, false, NULL, NULL);
}

int file_vdi_attach(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *loc,
		    int writable, unsigned flags)
{
	struct file_ctx ctx;
	struct file_image img;
	int rc = open_vdi(&ctx, st, call, sr, loc, flags, &img, false);
	if (rc != XAPI_OK)
		return rc;
	if (img.bad)
		return file_fail(&ctx, FE_VDI_LOAD, "Failed to load VDI %s: unreadable qcow2 header",
				 loc);
	if (img.base && writable)
		return file_fail(&ctx, FE_VDI_UNAVAILABLE,
				 "The VDI is not available: %s is a hidden parent (read-only)", loc);
	char uri[4600];
	if (file_nbd_start(&ctx, loc, img.fmt, writable, uri, sizeof(uri)) < 0)
		return XAPI_E_FAILED;
	return file_image_emit(&ctx, &img, false, NULL, uri);
}

int file_vdi_detach(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *loc,
		    unsigned flags)
{
	struct file_ctx ctx;
	struct file_image img;
	/* on a server (nfs): found by its socket name, the server not asked
	 * (it may be what went away) */
	if (file_ctx_offline(&ctx, st, call, sr) == 0) {
		XAPI_CHECK_FLAGS(ctx.drv->host, call, flags, 0);
		if (!file_location_valid(loc))
			return XAPI_OK; /* never attached */
		return file_nbd_stop(&ctx, loc) < 0 ? XAPI_E_FAILED : XAPI_OK;
	}
	/* a VDI whose file vanished still gets its server stopped */
	int rc = open_vdi(&ctx, st, call, sr, loc, flags, &img, true);
	if (rc != XAPI_OK && rc != XAPI_E_NOT_FOUND)
		return rc;
	return file_nbd_stop(&ctx, loc) < 0 ? XAPI_E_FAILED : XAPI_OK;
}

int file_vdi_introduce(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *loc,
		       unsigned flags)
{
	struct file_ctx ctx;
	struct file_image img;
	int rc = open_vdi(&ctx, st, call, sr, loc, flags, &img, false);
	if (rc != XAPI_OK)
		return rc;
	if (img.bad)
		return file_fail(&ctx, FE_VDI_LOAD, "Failed to load VDI %s: unreadable qcow2 header",
				 loc);
	return file_image_emit(&ctx, &img, false, NULL, NULL);
}

int file_vdi_update(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *loc,
		    unsigned flags)
{
	struct file_ctx ctx;
	struct file_image img;
	int rc = open_vdi(&ctx, st, call, sr, loc, flags, &img, false);
	if (rc != XAPI_OK)
		return rc;
	return file_image_emit(&ctx, &img, false, NULL, NULL);
}
