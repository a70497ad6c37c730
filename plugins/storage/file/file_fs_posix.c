/* file_fs_posix.c - the local filesystem under the file driver's code
 * (struct file_fs: the calls the driver makes on its SR directories). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "file_int.h"

static int p_mkdir(struct file_ctx *ctx, const char *path, int mode)
{
	(void)ctx;
	return mkdir(path, (mode_t)mode);
}

static int p_rmdir(struct file_ctx *ctx, const char *path)
{
	(void)ctx;
	return rmdir(path);
}

static int p_unlink(struct file_ctx *ctx, const char *path)
{
	(void)ctx;
	return unlink(path);
}

static int p_rename(struct file_ctx *ctx, const char *from, const char *to)
{
	(void)ctx;
	return rename(from, to);
}

static int p_link(struct file_ctx *ctx, const char *from, const char *to)
{
	(void)ctx;
	return link(from, to);
}

static int p_chmod(struct file_ctx *ctx, const char *path, int mode)
{
	(void)ctx;
	return chmod(path, (mode_t)mode);
}

static int p_truncate(struct file_ctx *ctx, const char *path, int64_t size)
{
	(void)ctx;
	return truncate(path, (off_t)size);
}

static void facts(const struct stat *sb, struct file_stat *st)
{
	st->dir = S_ISDIR(sb->st_mode);
	st->regular = S_ISREG(sb->st_mode);
	st->size = (int64_t)sb->st_size;
	st->allocated = (int64_t)sb->st_blocks * 512;
}

static int p_stat(struct file_ctx *ctx, const char *path, struct file_stat *st)
{
	(void)ctx;
	struct stat sb;
	if (stat(path, &sb) != 0)
		return -1;
	facts(&sb, st);
	return 0;
}

static ssize_t p_pread(struct file_ctx *ctx, const char *path, void *buf, size_t len, int64_t off)
{
	(void)ctx;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	ssize_t n = pread(fd, buf, len, (off_t)off);
	int e = errno;
	close(fd);
	errno = e;
	return n;
}

static int p_write_new(struct file_ctx *ctx, const char *path, const void *buf, size_t len)
{
	(void)ctx;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	ssize_t w = write(fd, buf, len);
	int bad = w != (ssize_t)len || fsync(fd) != 0;
	int e = w < 0 ? errno : bad ? (errno ? errno : EIO) : 0;
	if (close(fd) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	errno = e;
	return bad ? -1 : 0;
}

static int p_list(struct file_ctx *ctx, const char *path, char ***names, size_t *n)
{
	(void)ctx;
	*names = NULL;
	*n = 0;
	DIR *d = opendir(path);
	if (!d)
		return -1;
	size_t cap = 0;
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(d)))
		rc = file_names_add(names, n, &cap, e->d_name);
	closedir(d);
	if (rc < 0) {
		file_names_free(*names, *n);
		*names = NULL;
		*n = 0;
		errno = ENOMEM;
	}
	return rc;
}

static int p_space(struct file_ctx *ctx, const char *path, int64_t *size, int64_t *used)
{
	(void)ctx;
	struct statvfs vfs;
	if (statvfs(path, &vfs) != 0)
		return -1;
	*size = (int64_t)vfs.f_blocks * (int64_t)vfs.f_frsize;
	*used = (int64_t)(vfs.f_blocks - vfs.f_bfree) * (int64_t)vfs.f_frsize;
	return 0;
}

const struct file_fs file_posix_fs = {
	p_mkdir, p_rmdir, p_unlink, p_rename, p_link, p_chmod, p_truncate, p_stat,
	p_pread, p_write_new, p_list, p_space,
};
