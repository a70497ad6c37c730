/* file_sr.c - the SR ops of the file driver: probe, create, delete,
 * attach, detach, scan, update. An SR is the directory
 * <device_config:location>/<sr-uuid>, marked by its metadata file. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "file_int.h"

/* mkdir -p */
static int make_dirs(struct file_ctx *ctx, const char *path, int mode)
{
	char d[4400];
	if ((size_t)snprintf(d, sizeof(d), "%s", path) >= sizeof(d)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (ctx->fs->mkdir(ctx, d, mode) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (ctx->fs->mkdir(ctx, d, mode) != 0 && errno != EEXIST)
		return -1;
	struct file_stat st;
	if (ctx->fs->stat(ctx, d, &st) != 0)
		return -1;
	if (!st.dir) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int file_sr_probe(void *st, xapi_call_t *call, const xapi_kv_t *device_config,
		  const xapi_kv_t *sm_config, unsigned flags)
{
	struct file_drv *drv = st;
	struct file_ctx ctx;
	XAPI_CHECK_FLAGS(drv->host, call, flags, 0);
	if (file_ctx_locate(&ctx, drv, call, device_config) < 0)
		return XAPI_E_FAILED;
	const char *loc = ctx.root;
	char **names;
	size_t nnames;
	if (ctx.fs->list(&ctx, loc, &names, &nnames) < 0) {
		/* nothing there yet: no SRs (a UI probes before it creates) */
		if (errno == ENOENT)
			return XAPI_OK;
		return file_fail(&ctx, FE_INVALID_ARG, "cannot read location '%s': %s", loc,
				 strerror(errno));
	}
	int rc = XAPI_OK;
	for (size_t k = 0; k < nnames && rc == XAPI_OK; k++) {
		char uuid[40], name[512];
		const char *d_name = names[k];
		if (!file_uuid_valid(d_name) ||
		    (size_t)snprintf(ctx.dir, sizeof(ctx.dir), "%s%s%s", loc,
				     loc[strlen(loc) - 1] == '/' ? "" : "/", d_name) >=
			    sizeof(ctx.dir) ||
		    file_meta_read(&ctx, ctx.dir, uuid, name, sizeof(name)) < 0 ||
		    strcmp(uuid, d_name) != 0)
			continue;
		snprintf(ctx.srid, sizeof(ctx.srid), "%s", uuid);
		struct file_images imgs;
		int64_t alloc = -1;
		if (file_images_list(&ctx, &imgs) == 0) {
			alloc = file_images_allocation(&imgs);
			file_images_free(&imgs);
		} else {
			rc = XAPI_E_FAILED;
			break;
		}
		int64_t size = -1, used = -1;
		file_fs_space(&ctx, ctx.dir, &size, &used);
		struct xapi_sr_info info = {
			.size = sizeof(info),
			.uuid = uuid,
			.name_label = name,
			.physical_size = size,
			.physical_utilisation = used,
			.virtual_allocation = alloc,
		};
		rc = drv->host->emit_sr(call, &info);
	}
	file_names_free(names, nnames);
	return rc;
}

int file_sr_create(void *st, xapi_call_t *call, const struct xapi_sr *sr, int64_t size,
		   unsigned flags)
{
	struct file_ctx ctx;
	XAPI_CHECK_FLAGS(((struct file_drv *)st)->host, call, flags, 0);
	if (file_ctx_init(&ctx, st, call, sr, false) < 0)
		return XAPI_E_FAILED;
	char uuid[40];
	if (file_meta_read(&ctx, ctx.dir, uuid, NULL, 0) == 0)
		return file_fail(&ctx, FE_SR_EXISTS, "The SR already exists: '%s' holds SR %s",
				 ctx.dir, uuid);
	char nbd[4400];
	snprintf(nbd, sizeof(nbd), "%s/%s", ctx.dir, FILE_NBD_DIR);
	/* sockets are local: an SR elsewhere (nfs) has them in nbd_dir */
	if (make_dirs(&ctx, ctx.dir, 0755) < 0 || (ctx.local && make_dirs(&ctx, nbd, 0700) < 0))
		return file_fail(&ctx, errno == ENOSPC ? FE_NO_SPACE : FE_SR_CREATE,
				 "File SR creation error: cannot make '%s': %s", ctx.dir,
				 strerror(errno));
	if (file_meta_write(&ctx, ctx.dir, sr->uuid, sr->name_label) < 0)
		return XAPI_E_FAILED;
	file_log(&ctx, XAPI_LOG_INFO, "created SR %s in %s", sr->uuid, ctx.dir);
	return file_emit_space(&ctx, 0);
}

/* What sr_delete may remove: images, our temp files, the metadata. */
static bool ours(const char *name)
{
	return file_location_valid(name) || strncmp(name, FILE_TMP_PREFIX, 5) == 0 ||
	       strcmp(name, FILE_META) == 0;
}

/* Removes <dir>/<sub> with the files in it (one level). */
static int remove_flat_dir(struct file_ctx *ctx, const char *dir, const char *sub)
{
	char path[4400];
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	char **names;
	size_t n;
	if (ctx->fs->list(ctx, path, &names, &n) < 0)
		return errno == ENOENT ? 0 : -1;
	for (size_t i = 0; i < n; i++) {
		char f[4700];
		snprintf(f, sizeof(f), "%s/%s", path, names[i]);
		ctx->fs->unlink(ctx, f);
	}
	file_names_free(names, n);
	return ctx->fs->rmdir(ctx, path) == 0 || errno == ENOENT ? 0 : -1;
}

int file_sr_delete(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct file_ctx ctx;
	XAPI_CHECK_FLAGS(((struct file_drv *)st)->host, call, flags, 0);
	if (file_ctx_init(&ctx, st, call, sr, false) < 0)
		return XAPI_E_FAILED;
	struct file_stat sb;
	if (ctx.fs->stat(&ctx, ctx.dir, &sb) != 0 && errno == ENOENT) {
		file_log(&ctx, XAPI_LOG_INFO, "SR directory %s is already gone", ctx.dir);
		return XAPI_OK;
	}
	if (file_ctx_init(&ctx, st, call, sr, true) < 0)
		return XAPI_E_FAILED;
	/* Files we did not make stay, and so does the SR: check first, so a
	 * refusal leaves the SR whole. */
	char **names;
	size_t nnames;
	if (ctx.fs->list(&ctx, ctx.dir, &names, &nnames) < 0)
		return file_fail(&ctx, FE_SR_RMDIR, "cannot read '%s': %s", ctx.dir,
				 strerror(errno));
	char foreign[256] = "";
	for (size_t k = 0; k < nnames; k++)
		if (names[k][0] != '.' ? !ours(names[k])
				       : strcmp(names[k], FILE_NBD_DIR) && !ours(names[k]))
			snprintf(foreign, sizeof(foreign), "%s", names[k]);
	file_names_free(names, nnames);
	if (foreign[0])
		return file_fail(&ctx, FE_SR_RMDIR,
				 "File SR failed to remove directory '%s': it holds '%s', which "
				 "is not an image of the SR",
				 ctx.dir, foreign);
	if (file_nbd_stop_all(&ctx) < 0)
		return XAPI_E_FAILED;
	if (ctx.fs->list(&ctx, ctx.dir, &names, &nnames) < 0)
		return file_fail(&ctx, FE_SR_RMDIR, "cannot read '%s': %s", ctx.dir,
				 strerror(errno));
	int rc = XAPI_OK;
	for (size_t k = 0; k < nnames && rc == XAPI_OK; k++) {
		char path[4400];
		/* the metadata goes last: until then the SR is still an SR */
		if (!ours(names[k]) || strcmp(names[k], FILE_META) == 0)
			continue;
		if (file_path(&ctx, names[k], path, sizeof(path)) < 0 ||
		    (ctx.fs->unlink(&ctx, path) != 0 && errno != ENOENT))
			rc = file_fail(&ctx, FE_SR_RMDIR, "cannot remove '%s': %s", path,
				       strerror(errno));
	}
	file_names_free(names, nnames);
	if (rc != XAPI_OK)
		return rc;
	char meta[4400];
	file_path(&ctx, FILE_META, meta, sizeof(meta));
	if (remove_flat_dir(&ctx, ctx.dir, FILE_NBD_DIR) < 0 || ctx.fs->unlink(&ctx, meta) != 0 ||
	    ctx.fs->rmdir(&ctx, ctx.dir) != 0)
		return file_fail(&ctx, FE_SR_RMDIR, "File SR failed to remove directory '%s': %s",
				 ctx.dir, strerror(errno));
	file_log(&ctx, XAPI_LOG_INFO, "deleted SR %s (%s)", sr->uuid, ctx.dir);
	return XAPI_OK;
}

/* Half-made files of an operation that died (worker crash, power loss). */
static void remove_leftovers(struct file_ctx *ctx)
{
	char **names;
	size_t n;
	if (ctx->fs->list(ctx, ctx->dir, &names, &n) < 0)
		return;
	for (size_t k = 0; k < n; k++) {
		char path[4400];
		if (strncmp(names[k], FILE_TMP_PREFIX, 5) != 0 ||
		    file_path(ctx, names[k], path, sizeof(path)) < 0)
			continue;
		if (ctx->fs->unlink(ctx, path) == 0)
			file_log(ctx, XAPI_LOG_INFO, "removed leftover %s", path);
	}
	file_names_free(names, n);
}

/* The images, with unused parents collected, and the SR's space emitted. */
static int refresh(struct file_ctx *ctx, bool gc, bool emit_vdis)
{
	struct file_images imgs;
	if (file_images_list(ctx, &imgs) < 0)
		return XAPI_E_FAILED;
	if (gc)
		file_images_gc(ctx, &imgs);
	int rc = XAPI_OK;
	for (size_t i = 0; emit_vdis && i < imgs.n && rc == XAPI_OK; i++)
		rc = file_image_emit(ctx, &imgs.v[i], false, NULL, NULL);
	if (rc == XAPI_OK)
		rc = file_emit_space(ctx, file_images_allocation(&imgs));
	file_images_free(&imgs);
	return rc;
}

int file_sr_attach(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct file_ctx ctx;
	XAPI_CHECK_FLAGS(((struct file_drv *)st)->host, call, flags, 0);
	if (file_ctx_init(&ctx, st, call, sr, true) < 0)
		return XAPI_E_FAILED;
	struct file_stat sb;
	if (ctx.fs->stat(&ctx, ctx.dir, &sb) != 0)
		return file_fail(&ctx, FE_SR_UNAVAILABLE, "The SR is not available: '%s': %s",
				 ctx.dir, strerror(errno));
	if (!sb.dir)
		return file_fail(&ctx, FE_SR_UNAVAILABLE,
				 "The SR is not available: '%s' is not a directory", ctx.dir);
	remove_leftovers(&ctx);
	return refresh(&ctx, true, false);
}

int file_sr_detach(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct file_ctx ctx;
	XAPI_CHECK_FLAGS(((struct file_drv *)st)->host, call, flags, 0);
	if (file_ctx_offline(&ctx, st, call, sr) == 0)
		return file_nbd_stop_all(&ctx) < 0 ? XAPI_E_FAILED : XAPI_OK;
	if (file_ctx_init(&ctx, st, call, sr, false) < 0)
		return XAPI_E_FAILED;
	struct file_stat sb;
	if (ctx.fs->stat(&ctx, ctx.dir, &sb) != 0)
		return XAPI_OK; /* storage gone: nothing is served from it */
	return file_nbd_stop_all(&ctx) < 0 ? XAPI_E_FAILED : XAPI_OK;
}

int file_sr_scan(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct file_ctx ctx;
	XAPI_CHECK_FLAGS(((struct file_drv *)st)->host, call, flags, 0);
	if (file_ctx_init(&ctx, st, call, sr, true) < 0)
		return XAPI_E_FAILED;
	return refresh(&ctx, true, true);
}

int file_sr_update(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct file_ctx ctx;
	XAPI_CHECK_FLAGS(((struct file_drv *)st)->host, call, flags, 0);
	if (file_ctx_init(&ctx, st, call, sr, true) < 0)
		return XAPI_E_FAILED;
	return refresh(&ctx, false, false);
}
