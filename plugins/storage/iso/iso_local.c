/* iso_local.c - a library in a local directory: the images are handed out
 * as they are (file:// datapaths, read-only), nothing runs while they are
 * attached. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "iso_int.h"

static int local_list(struct iso_ctx *ctx, char ***names, size_t *n)
{
	*names = NULL;
	*n = 0;
	DIR *d = opendir(ctx->dir);
	if (!d)
		return iso_fail(ctx, IE_SR_UNAVAILABLE, "The SR is not available [opterr=%s: %s]",
				ctx->dir, strerror(errno));
	size_t cap = 0;
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			rc = iso_names_add(names, n, &cap, e->d_name);
	closedir(d);
	if (rc < 0)
		return iso_fail(ctx, IE_SR_UNAVAILABLE, "The SR is not available [opterr=%s: out "
				"of memory]", ctx->dir);
	return 0;
}

static int local_stat(struct iso_ctx *ctx, const char *name, struct iso_stat *st)
{
	char path[4400];
	struct stat sb;
	snprintf(path, sizeof(path), "%s/%s", ctx->dir, name);
	if (stat(path, &sb) != 0)
		return -1;
	st->regular = S_ISREG(sb.st_mode);
	st->size = sb.st_size;
	st->allocated = (int64_t)sb.st_blocks * 512;
	return 0;
}

/* Also how a call checks the directory is there (ctx_init). */
static int local_space(struct iso_ctx *ctx, int64_t *size, int64_t *used)
{
	struct stat sb;
	if (stat(ctx->dir, &sb) != 0)
		return iso_fail(ctx, IE_LOCAL_PATH, "Invalid local path [opterr=%s: %s]", ctx->dir,
				strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return iso_fail(ctx, IE_LOCAL_PATH, "Invalid local path [opterr=%s: not a "
				"directory]", ctx->dir);
	struct statvfs vfs;
	if (statvfs(ctx->dir, &vfs) != 0)
		return iso_fail(ctx, IE_SR_UNAVAILABLE, "The SR is not available [opterr=%s: %s]",
				ctx->dir, strerror(errno));
	*size = (int64_t)vfs.f_blocks * (int64_t)vfs.f_frsize;
	*used = (int64_t)(vfs.f_blocks - vfs.f_bfree) * (int64_t)vfs.f_frsize;
	return 0;
}

static int local_attach(struct iso_ctx *ctx, const char *name, char *uri, size_t usize)
{
	char path[4400];
	snprintf(path, sizeof(path), "%s/%s", ctx->dir, name);
	if (xapi_datapath_file(uri, usize, path) < 0)
		return iso_fail(ctx, IE_VDI_UNAVAILABLE, "path too long");
	return 0;
}

static int local_nothing(struct iso_ctx *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return 0;
}

static int local_detach_all(struct iso_ctx *ctx)
{
	(void)ctx;
	return 0;
}

static void local_done(struct iso_ctx *ctx)
{
	(void)ctx;
}

const struct iso_lib iso_local = {
	local_list, local_stat, local_space, local_attach, local_nothing, local_detach_all,
	local_done,
};
