/* file_util.c - the file SR driver's call context, errors, names, helper
 * programs and the SR metadata file. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "file_int.h"

int file_fail(struct file_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = ctx->drv->host->failv(ctx->call, NULL, code, fmt, ap);
	va_end(ap);
	return rc;
}

void file_log(struct file_ctx *ctx, enum xapi_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ctx->drv->host->logv(ctx->drv->self, ctx->call, level, fmt, ap);
	va_end(ap);
}

int file_ctx_locate(struct file_ctx *ctx, struct file_drv *drv, xapi_call_t *call,
		    const xapi_kv_t *device_config)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->drv = drv;
	ctx->call = call;
	return drv->be->locate(ctx, device_config);
}

int file_ctx_offline(struct file_ctx *ctx, struct file_drv *drv, xapi_call_t *call,
		     const struct xapi_sr *sr)
{
	if (!drv->be->remote || !sr->uuid || !file_uuid_valid(sr->uuid))
		return -1;
	memset(ctx, 0, sizeof(*ctx));
	ctx->drv = drv;
	ctx->call = call;
	ctx->local = false;
	snprintf(ctx->srid, sizeof(ctx->srid), "%s", sr->uuid);
	return 0;
}

int file_ctx_init(struct file_ctx *ctx, struct file_drv *drv, xapi_call_t *call,
		  const struct xapi_sr *sr, bool need_dir)
{
	if (file_ctx_locate(ctx, drv, call, sr->device_config) < 0)
		return -1;
	if (!sr->uuid || !file_uuid_valid(sr->uuid))
		return file_fail(ctx, FE_INVALID_ARG, "bad SR uuid '%s'", sr->uuid ? sr->uuid : "");
	snprintf(ctx->srid, sizeof(ctx->srid), "%s", sr->uuid);
	size_t len = strlen(ctx->root);
	while (len > 0 && ctx->root[len - 1] == '/')
		len--;
	if ((size_t)snprintf(ctx->dir, sizeof(ctx->dir), "%.*s/%s", (int)len, ctx->root,
			     sr->uuid) >= sizeof(ctx->dir) - 300)
		return file_fail(ctx, FE_INVALID_ARG, "location '%s' is too long", ctx->root);
	if (!need_dir)
		return 0;
	char uuid[40];
	if (file_meta_read(ctx, ctx->dir, uuid, NULL, 0) < 0)
		return file_fail(ctx, FE_SR_UNAVAILABLE,
				 "The SR is not available: no SR %s at '%s' (%s missing or unreadable)",
				 sr->uuid, ctx->dir, FILE_META);
	if (strcmp(uuid, sr->uuid) != 0)
		return file_fail(ctx, FE_SR_UNAVAILABLE,
				 "The SR is not available: '%s' belongs to SR %s", ctx->dir, uuid);
	return 0;
}

int file_path(const struct file_ctx *ctx, const char *name, char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "%s/%s", ctx->dir, name);
	return n < size ? 0 : -1;
}

int file_qemu_name(const struct file_ctx *ctx, const char *name, char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "%s%s/%s", ctx->url, ctx->dir, name);
	return n < size ? 0 : -1;
}

bool file_uuid_valid(const char *s)
{
	static const char pattern[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	for (size_t i = 0; i < sizeof(pattern) - 1; i++) {
		char c = s[i];
		if (pattern[i] == '-' ? c != '-'
				      : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return s[sizeof(pattern) - 1] == '\0';
}

int file_new_uuid(char out[37])
{
	int fd = open("/proc/sys/kernel/random/uuid", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, out, 36);
	close(fd);
	if (n != 36)
		return -1;
	out[36] = '\0';
	return file_uuid_valid(out) ? 0 : -1;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

bool file_location_valid(const char *loc)
{
	if (!loc || !*loc || loc[0] == '.' || strchr(loc, '/') || strlen(loc) >= 200)
		return false;
	for (const char *p = loc; *p; p++)
		if ((unsigned char)*p < 0x20)
			return false;
	return (ends_with(loc, ".qcow2") && strlen(loc) > 6) ||
	       (ends_with(loc, ".img") && strlen(loc) > 4);
}

int file_run(struct file_ctx *ctx, int code, const char *const argv[])
{
	const char *out = NULL;
	int rc = ctx->drv->host->run(ctx->call, argv, FILE_RUN_TIMEOUT_MS, &out);
	if (rc == 0)
		return 0;
	if (!out)
		out = "";
	/* the helper's last words, without the trailing newline */
	size_t len = strlen(out);
	while (len && (out[len - 1] == '\n' || out[len - 1] == ' '))
		len--;
	if (strstr(out, "No space left on device"))
		code = FE_NO_SPACE;
	if (rc < 0)
		return file_fail(ctx, code, "%s could not run or was killed: %.*s", argv[0],
				 (int)len, out);
	return file_fail(ctx, code, "%s failed (exit status %d): %.*s", argv[0], rc, (int)len,
			 out);
}

/* ---- metadata ---- */

int file_meta_write(struct file_ctx *ctx, const char *dir, const char *uuid,
		    const char *name_label)
{
	char tmp[4400], path[4400], text[1200];
	snprintf(tmp, sizeof(tmp), "%s/%s%s", dir, FILE_TMP_PREFIX, FILE_META);
	snprintf(path, sizeof(path), "%s/%s", dir, FILE_META);
	size_t n = (size_t)snprintf(text, sizeof(text),
				    "# xapi-c file SR: do not edit\nformat=1\nuuid=%s\nname_label=",
				    uuid);
	/* one line per value: control characters become spaces */
	for (const char *p = name_label ? name_label : ""; *p && n + 2 < sizeof(text); p++)
		text[n++] = (unsigned char)*p < 0x20 ? ' ' : *p;
	text[n++] = '\n';
	if (ctx->fs->write_new(ctx, tmp, text, n) != 0 || ctx->fs->rename(ctx, tmp, path) != 0) {
		int e = errno;
		ctx->fs->unlink(ctx, tmp);
		return file_fail(ctx, e == ENOSPC ? FE_NO_SPACE : FE_SR_CREATE,
				 "cannot write '%s': %s", path, strerror(e));
	}
	return 0;
}

int file_meta_read(struct file_ctx *ctx, const char *dir, char uuid[40], char *name,
		   size_t name_size)
{
	char path[4400], text[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, FILE_META);
	ssize_t n = ctx->fs->pread(ctx, path, text, sizeof(text) - 1, 0);
	if (n < 0)
		return -1;
	text[n] = '\0';
	uuid[0] = '\0';
	if (name && name_size)
		name[0] = '\0';
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strncmp(line, "uuid=", 5) == 0)
			snprintf(uuid, 40, "%.39s", line + 5);
		else if (name && name_size && strncmp(line, "name_label=", 11) == 0)
			snprintf(name, name_size, "%.*s", (int)(name_size - 1), line + 11);
	}
	return file_uuid_valid(uuid) ? 0 : -1;
}

int file_fs_space(struct file_ctx *ctx, const char *dir, int64_t *size, int64_t *used)
{
	return ctx->fs->space(ctx, dir, size, used);
}

int file_names_add(char ***names, size_t *n, size_t *cap, const char *name)
{
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	if (*n == *cap) {
		size_t want = *cap ? *cap * 2 : 64;
		char **grown = realloc(*names, want * sizeof(char *));
		if (!grown)
			return -1;
		*names = grown;
		*cap = want;
	}
	if (!((*names)[*n] = strdup(name)))
		return -1;
	(*n)++;
	return 0;
}

void file_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int file_emit_space(struct file_ctx *ctx, int64_t virtual_allocation)
{
	struct xapi_sr_info info = {
		.size = sizeof(info),
		.uuid = ctx->srid,
		.virtual_allocation = virtual_allocation,
	};
	if (file_fs_space(ctx, ctx->dir, &info.physical_size, &info.physical_utilisation) < 0)
		return file_fail(ctx, FE_SR_UNAVAILABLE, "statvfs '%s': %s", ctx->dir,
				 strerror(errno));
	return ctx->drv->host->emit_sr(ctx->call, &info);
}
