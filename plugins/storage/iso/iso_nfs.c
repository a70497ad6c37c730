/* iso_nfs.c - a library on an NFSv3 export, location "server:/path" as
 * xapi's ISOSR takes it ("[v6 address]:/path" too), or "nfs://server/path". Listed and described
 * through libnfs (userspace, no kernel mount). Each call mounts the export
 * for itself and drops it at its end, so calls run side by side (the
 * driver is XAPI_PLUGIN_THREADSAFE) and a server that went away and came
 * back needs nothing. An attached image is served read-only by a qemu-nbd
 * of its own through QEMU's NFS client, on a unix socket in the plugin
 * setting nbd_dir (default /run/xapi-c/nbd) named <SR uuid>-<hash>.sock:
 * detaches find it by that name, without reaching the server (which may be
 * what went away).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <nfsc/libnfs.h>

#include "iso_int.h"
#include "../common/nbd_server.h"
#include "../common/nfs_mount.h"

#define NBD_DEFAULT_DIR "/run/xapi-c/nbd"
#define NBD_STOP_WAIT_MS 10000
#define NFS_DEFAULT_TIMEOUT_S 30
#define RUN_TIMEOUT_MS 120000

static struct nfs_context *NFS(struct iso_ctx *ctx)
{
	return ctx->nfs;
}

static const char *nbd_dir(struct iso_ctx *ctx)
{
	const char *d = ctx->drv->host->config_get(ctx->drv->self, "nbd_dir");
	return d && *d ? d : NBD_DEFAULT_DIR;
}

/* server and export of "server:/path", "[v6]:/path" (xapi's form) or
 * "nfs://server/path", "nfs://[v6]/path" (a URL); -1 if malformed. */
static int split_location(const char *loc, char *server, size_t ssize, const char **path)
{
	const char *end;
	bool url = strncmp(loc, "nfs://", 6) == 0;
	const char *s = url ? loc + 6 : loc;
	bool v6 = *s == '[';
	if (v6) {
		s++;
		end = strchr(s, ']');
		if (!end || (url ? end[1] != '/' : end[1] != ':'))
			return -1;
		*path = url ? end + 1 : end + 2;
	} else {
		end = url ? strchr(s, '/') : strchr(s, ':');
		if (!end)
			return -1;
		*path = url ? end : end + 1;
	}
	size_t n = (size_t)(end - s);
	if (n == 0 || n >= ssize)
		return -1;
	memcpy(server, s, n);
	server[n] = '\0';
	if (strpbrk(server, "/?#@, []") || (!v6 && strchr(server, ':')))
		return -1;
	if ((*path)[0] != '/' || strstr(*path, "/../") || strlen(*path) > 1000 ||
	    strpbrk(*path, "?#%,"))
		return -1;
	return 0;
}

int iso_nfs_open(struct iso_ctx *ctx, const char *location, const xapi_kv_t *dconf, bool mount)
{
	const struct xapi_host *h = ctx->drv->host;
	char server[256], export[1024], epath[3100];
	const char *path;
	if (split_location(location, server, sizeof(server), &path) < 0)
		return iso_fail(ctx, IE_LOCATION_STRING, "Incorrect Location string format. "
				"[opterr=%s: server:/path or nfs://server/path for NFS, or an "
				"absolute local path]", location);
	const char *version = h->kv_get(dconf, "nfsversion");
	if (version && *version && strcmp(version, "3") != 0)
		return iso_fail(ctx, IE_NFS_VERSION, "Required NFS server version unsupported "
				"[opterr=nfsversion %s: this driver speaks NFSv3 only]", version);
	/* the export without trailing slashes; its directories are "/..." */
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	snprintf(export, sizeof(export), "%.*s", (int)len, path);
	if (nbd_server_url_path(epath, sizeof(epath), len == 1 ? "" : export) < 0)
		return iso_fail(ctx, IE_LOCATION_STRING, "Incorrect Location string format. "
				"[opterr=%s: too long]", location);
	bool v6 = strchr(server, ':') != NULL;
	if ((size_t)snprintf(ctx->url, sizeof(ctx->url), "nfs://%s%s%s%s", v6 ? "[" : "", server,
			     v6 ? "]" : "", epath) >= sizeof(ctx->url))
		return iso_fail(ctx, IE_LOCATION_STRING, "Incorrect Location string format. "
				"[opterr=%s: too long]", location);
	snprintf(ctx->dir, sizeof(ctx->dir), "/");
	if (!mount)
		return 0;
	const char *t = h->config_get(ctx->drv->self, "io_timeout");
	int timeout_s = t && atoi(t) > 0 ? atoi(t) : NFS_DEFAULT_TIMEOUT_S;
	char why[512];
	ctx->nfs = nfs_mount_v3(server, export, timeout_s * 1000, why, sizeof(why));
	if (!ctx->nfs) {
		if (nfs_mount_refused(why))
			return iso_fail(ctx, IE_NFS_MOUNT, "NFS mount error [opterr=%s:%s: %s]",
					server, export, why);
		return iso_fail(ctx, IE_NFS_TARGET, "Unable to detect an NFS service on this "
				"target. [opterr=%s: %s]", server, why);
	}
	return 0;
}

/* The directory of the images, after iso_path was added: there and a
 * directory (what every mounting call checks first). */
static int check_dir(struct iso_ctx *ctx)
{
	struct nfs_stat_64 sb;
	int rc = nfs_stat64(NFS(ctx), ctx->dir, &sb);
	if (rc < 0)
		return iso_fail(ctx, IE_SR_UNAVAILABLE, "The SR is not available [opterr=%s%s: "
				"%s]", ctx->url, ctx->dir, strerror(-rc));
	if (!S_ISDIR(sb.nfs_mode))
		return iso_fail(ctx, IE_SR_UNAVAILABLE, "The SR is not available [opterr=%s%s: not "
				"a directory]", ctx->url, ctx->dir);
	return 0;
}

static int n_list(struct iso_ctx *ctx, char ***names, size_t *n)
{
	*names = NULL;
	*n = 0;
	if (check_dir(ctx) < 0)
		return -1;
	struct nfsdir *d;
	int rc = nfs_opendir(NFS(ctx), ctx->dir, &d);
	if (rc < 0)
		return iso_fail(ctx, IE_SR_UNAVAILABLE, "The SR is not available [opterr=%s%s: "
				"%s]", ctx->url, ctx->dir, strerror(-rc));
	size_t cap = 0;
	struct nfsdirent *e;
	rc = 0;
	while (rc == 0 && (e = nfs_readdir(NFS(ctx), d)))
		if (strcmp(e->name, ".") != 0 && strcmp(e->name, "..") != 0)
			rc = iso_names_add(names, n, &cap, e->name);
	nfs_closedir(NFS(ctx), d);
	if (rc < 0)
		return iso_fail(ctx, IE_SR_UNAVAILABLE, "The SR is not available [opterr=out of "
				"memory]");
	return 0;
}

static int n_stat(struct iso_ctx *ctx, const char *name, struct iso_stat *st)
{
	char path[4400];
	struct nfs_stat_64 sb;
	snprintf(path, sizeof(path), "%s%s%s", ctx->dir,
		 ctx->dir[strlen(ctx->dir) - 1] == '/' ? "" : "/", name);
	if (nfs_stat64(NFS(ctx), path, &sb) < 0)
		return -1;
	st->regular = S_ISREG(sb.nfs_mode);
	st->size = (int64_t)sb.nfs_size;
	st->allocated = (int64_t)sb.nfs_used;
	return 0;
}

static int n_space(struct iso_ctx *ctx, int64_t *size, int64_t *used)
{
	if (check_dir(ctx) < 0)
		return -1;
	struct nfs_statvfs_64 vfs;
	int rc = nfs_statvfs64(NFS(ctx), ctx->dir, &vfs);
	if (rc < 0)
		return iso_fail(ctx, IE_SR_UNAVAILABLE, "The SR is not available [opterr=%s: %s]",
				ctx->url, strerror(-rc));
	*size = (int64_t)(vfs.f_blocks * vfs.f_frsize);
	*used = (int64_t)((vfs.f_blocks - vfs.f_bfree) * vfs.f_frsize);
	return 0;
}

static int paths(struct iso_ctx *ctx, const char *name, char *sock, char *pidf)
{
	if (nbd_server_paths_in(nbd_dir(ctx), ctx->srid, name, sock, NBD_SERVER_PATH_MAX, pidf,
				NBD_SERVER_PATH_MAX) < 0)
		return iso_fail(ctx, IE_VDI_UNAVAILABLE, "no room for a unix socket path: the "
				"plugin setting nbd_dir '%s' is too long", nbd_dir(ctx));
	return 0;
}

/* A read-only qemu-nbd of the image (the one already running, if any). */
static int n_attach(struct iso_ctx *ctx, const char *name, char *uri, size_t usize)
{
	char sock[NBD_SERVER_PATH_MAX], pidf[NBD_SERVER_PATH_MAX];
	if (paths(ctx, name, sock, pidf) < 0)
		return -1;
	if (nbd_server_uri(sock, uri, usize) < 0)
		return iso_fail(ctx, IE_VDI_UNAVAILABLE, "socket path too long for a URI");
	if (nbd_server_running(sock, pidf, NULL) > 0)
		return 0;
	if (nbd_server_make_dir_of(sock) < 0)
		return iso_fail(ctx, IE_VDI_UNAVAILABLE, "cannot make the directory of '%s': %s",
				sock, strerror(errno));
	char a_sock[NBD_SERVER_PATH_MAX + 16], a_pid[NBD_SERVER_PATH_MAX + 16];
	char dir[13300], image[16800], rel[4400];
	const char *argv[NBD_SERVER_ARGV_MAX];
	size_t n = nbd_server_argv(argv, a_sock, a_pid, sock, pidf, false);
	snprintf(rel, sizeof(rel), "%s%s%s", ctx->dir,
		 ctx->dir[strlen(ctx->dir) - 1] == '/' ? "" : "/", name);
	if (nbd_server_url_path(dir, sizeof(dir), rel) < 0 ||
	    (size_t)snprintf(image, sizeof(image), "%s%s", ctx->url, dir) >= sizeof(image))
		return iso_fail(ctx, IE_VDI_UNAVAILABLE, "image path too long");
	argv[n++] = "--format=raw";
	argv[n++] = image;
	argv[n] = NULL;
	const char *out = NULL;
	int rc = ctx->drv->host->run(ctx->call, argv, RUN_TIMEOUT_MS, &out);
	if (rc != 0) {
		size_t len = out ? strlen(out) : 0;
		while (len && (out[len - 1] == '\n' || out[len - 1] == ' '))
			len--;
		return iso_fail(ctx, IE_VDI_UNAVAILABLE, "The VDI is not available [opterr=qemu-nbd "
				"of %s %s %d: %.*s]", name, rc < 0 ? "was killed or could not run"
				: "exit status", rc, (int)len, out ? out : "");
	}
	return 0;
}

static int n_detach(struct iso_ctx *ctx, const char *name)
{
	char sock[NBD_SERVER_PATH_MAX], pidf[NBD_SERVER_PATH_MAX];
	if (paths(ctx, name, sock, pidf) < 0)
		return -1;
	long pid = 0;
	if (nbd_server_stop(sock, pidf, NBD_STOP_WAIT_MS, &pid) < 0)
		return iso_fail(ctx, IE_VDI_UNAVAILABLE, "qemu-nbd %ld of %s does not stop", pid,
				name);
	return 0;
}

static int n_detach_all(struct iso_ctx *ctx)
{
	long pid = 0;
	if (nbd_server_stop_all_in(nbd_dir(ctx), ctx->srid, NBD_STOP_WAIT_MS, &pid) < 0)
		return iso_fail(ctx, IE_VDI_UNAVAILABLE, "qemu-nbd %ld of SR %s does not stop", pid,
				ctx->srid);
	return 0;
}

static void n_done(struct iso_ctx *ctx)
{
	if (ctx->nfs)
		nfs_destroy_context(ctx->nfs);
	ctx->nfs = NULL;
}

const struct iso_lib iso_nfs = {
	n_list, n_stat, n_space, n_attach, n_detach, n_detach_all, n_done,
};
