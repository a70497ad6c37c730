/* nfs_fs.c - an NFSv3 export through libnfs (userspace: no kernel mount)
 * under the file driver's code: struct file_fs on the export, and the
 * cached mount. libnfs answers -errno; these wrappers answer -1 with errno
 * set, as the POSIX ones the file code was written for.
 *
 * The mount is kept in the driver instance between calls of one worker
 * (a cache, not state: any call may meet a fresh worker and mounts again),
 * and checked at the start of every call: a server that went away and came
 * back is mounted again. Every RPC has a timeout (plugin setting
 * io_timeout), so a silent server fails the call instead of hanging it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <nfsc/libnfs.h>

#include "nfs_int.h"
#include "../common/nfs_mount.h"

static struct nfs_context *NFS(struct file_ctx *ctx)
{
	return ctx->drv->conn;
}

static int ret(int rc)
{
	if (rc >= 0)
		return 0;
	errno = -rc;
	return -1;
}

static int n_mkdir(struct file_ctx *ctx, const char *path, int mode)
{
	return ret(nfs_mkdir2(NFS(ctx), path, mode));
}

static int n_rmdir(struct file_ctx *ctx, const char *path)
{
	return ret(nfs_rmdir(NFS(ctx), path));
}

static int n_unlink(struct file_ctx *ctx, const char *path)
{
	return ret(nfs_unlink(NFS(ctx), path));
}

static int n_rename(struct file_ctx *ctx, const char *from, const char *to)
{
	return ret(nfs_rename(NFS(ctx), from, to));
}

static int n_link(struct file_ctx *ctx, const char *from, const char *to)
{
	return ret(nfs_link(NFS(ctx), from, to));
}

static int n_chmod(struct file_ctx *ctx, const char *path, int mode)
{
	return ret(nfs_chmod(NFS(ctx), path, mode));
}

static int n_truncate(struct file_ctx *ctx, const char *path, int64_t size)
{
	return ret(nfs_truncate(NFS(ctx), path, (uint64_t)size));
}

static int n_stat(struct file_ctx *ctx, const char *path, struct file_stat *st)
{
	struct nfs_stat_64 sb;
	if (ret(nfs_stat64(NFS(ctx), path, &sb)) < 0)
		return -1;
	st->dir = S_ISDIR(sb.nfs_mode);
	st->regular = S_ISREG(sb.nfs_mode);
	st->size = (int64_t)sb.nfs_size;
	st->allocated = (int64_t)sb.nfs_used;
	return 0;
}

static ssize_t n_pread(struct file_ctx *ctx, const char *path, void *buf, size_t len, int64_t off)
{
	struct nfsfh *fh;
	if (ret(nfs_open(NFS(ctx), path, O_RDONLY, &fh)) < 0)
		return -1;
	size_t done = 0;
	while (done < len) {
		int n = nfs_pread(NFS(ctx), fh, (uint64_t)off + done, len - done, (char *)buf + done);
		if (n < 0) {
			nfs_close(NFS(ctx), fh);
			errno = -n;
			return -1;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	nfs_close(NFS(ctx), fh);
	return (ssize_t)done;
}

static int n_write_new(struct file_ctx *ctx, const char *path, const void *buf, size_t len)
{
	struct nfsfh *fh;
	if (ret(nfs_open2(NFS(ctx), path, O_WRONLY | O_CREAT | O_TRUNC, 0644, &fh)) < 0)
		return -1;
	size_t done = 0;
	int rc = 0;
	while (done < len && rc == 0) {
		int n = nfs_pwrite(NFS(ctx), fh, done, len - done, (const char *)buf + done);
		if (n <= 0)
			rc = n < 0 ? n : -EIO;
		else
			done += (size_t)n;
	}
	if (rc == 0)
		rc = nfs_fsync(NFS(ctx), fh);
	nfs_close(NFS(ctx), fh);
	return ret(rc);
}

static int n_list(struct file_ctx *ctx, const char *path, char ***names, size_t *n)
{
	*names = NULL;
	*n = 0;
	struct nfsdir *d;
	if (ret(nfs_opendir(NFS(ctx), path, &d)) < 0)
		return -1;
	size_t cap = 0;
	struct nfsdirent *e;
	int rc = 0;
	while (rc == 0 && (e = nfs_readdir(NFS(ctx), d)))
		rc = file_names_add(names, n, &cap, e->name);
	nfs_closedir(NFS(ctx), d);
	if (rc < 0) {
		file_names_free(*names, *n);
		*names = NULL;
		*n = 0;
		errno = ENOMEM;
	}
	return rc;
}

static int n_space(struct file_ctx *ctx, const char *path, int64_t *size, int64_t *used)
{
	struct nfs_statvfs_64 vfs;
	if (ret(nfs_statvfs64(NFS(ctx), path, &vfs)) < 0)
		return -1;
	*size = (int64_t)(vfs.f_blocks * vfs.f_frsize);
	*used = (int64_t)((vfs.f_blocks - vfs.f_bfree) * vfs.f_frsize);
	return 0;
}

const struct file_fs nfs_fs = {
	n_mkdir, n_rmdir, n_unlink, n_rename, n_link, n_chmod, n_truncate, n_stat,
	n_pread, n_write_new, n_list, n_space,
};

void nfs_conn_drop(struct file_drv *drv)
{
	if (drv->conn) {
		nfs_destroy_context(drv->conn);
		drv->conn = NULL;
	}
	drv->conn_key[0] = '\0';
}

int nfs_conn_mount(struct file_ctx *ctx, const char *server, const char *export, int timeout_ms,
		   char *why, size_t why_size)
{
	struct file_drv *drv = ctx->drv;
	char key[sizeof(drv->conn_key)];
	snprintf(key, sizeof(key), "%s:%s", server, export);
	struct nfs_stat_64 sb;
	if (drv->conn && strcmp(drv->conn_key, key) == 0 &&
	    nfs_stat64(drv->conn, "/", &sb) == 0)
		return 0; /* the cached mount still answers */
	nfs_conn_drop(drv);
	struct nfs_context *nfs = nfs_mount_v3(server, export, timeout_ms, why, why_size);
	if (!nfs)
		return -1;
	drv->conn = nfs;
	snprintf(drv->conn_key, sizeof(drv->conn_key), "%s", key);
	return 0;
}
