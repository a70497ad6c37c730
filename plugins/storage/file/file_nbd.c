/* file_nbd.c - one qemu-nbd server per attached VDI, on a unix socket.
 *
 * Starting, finding and stopping a server is ../common/nbd_server.c; this
 * file names the sockets and picks the image and its format.
 *
 * Socket names: <sr>/.nbd/<hash>.sock, hash = FNV-1a of the location, so
 * that any location gives a short name. A unix socket path must fit in 108
 * bytes; when the SR directory is too deep for that the socket goes to the
 * plugin setting `nbd_dir` (default /run/xapi-c/nbd) as
 * <sr-uuid>-<hash>.sock.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "file_int.h"
#include "../common/nbd_server.h"

#define NBD_DEFAULT_DIR "/run/xapi-c/nbd"
#define NBD_STOP_WAIT_MS 10000

static const char *fallback_dir(struct file_ctx *ctx)
{
	const char *d = ctx->drv->host->config_get(ctx->drv->self, "nbd_dir");
	return d && *d ? d : NBD_DEFAULT_DIR;
}

int file_nbd_paths(struct file_ctx *ctx, const char *loc, char *sock, size_t ssize, char *pid,
		   size_t psize)
{
	char hash[17];
	nbd_server_hash(loc, hash);
	size_t max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;
	size_t n = (size_t)snprintf(sock, ssize, "%s/%s/%s.sock", ctx->dir, FILE_NBD_DIR, hash);
	/* sockets are local files: an SR elsewhere (nfs) has them in nbd_dir */
	if (ctx->local && n < ssize && n <= max) {
		snprintf(pid, psize, "%s/%s/%s.pid", ctx->dir, FILE_NBD_DIR, hash);
		return 0;
	}
	const char *dir = fallback_dir(ctx);
	if (nbd_server_paths_in(dir, ctx->srid, loc, sock, ssize, pid, psize) < 0)
		return file_fail(ctx, FE_VDI_UNAVAILABLE,
				 "no room for a unix socket path: the SR directory and the "
				 "plugin setting nbd_dir '%s' are both too long", dir);
	return 0;
}

long file_nbd_running(struct file_ctx *ctx, const char *loc, bool *read_only)
{
	char sock[NBD_SERVER_PATH_MAX], pidf[NBD_SERVER_PATH_MAX];
	if (file_nbd_paths(ctx, loc, sock, sizeof(sock), pidf, sizeof(pidf)) < 0)
		return -1;
	long pid = nbd_server_running(sock, pidf, read_only);
	if (pid == 0) /* none, or a stale one (a crash, a reboot) */
		file_io_end(ctx, loc, pidf);
	return pid;
}

int file_nbd_stop(struct file_ctx *ctx, const char *loc)
{
	char sock[NBD_SERVER_PATH_MAX], pidf[NBD_SERVER_PATH_MAX];
	if (file_nbd_paths(ctx, loc, sock, sizeof(sock), pidf, sizeof(pidf)) < 0)
		return -1;
	long pid = 0;
	int rc = nbd_server_stop(sock, pidf, NBD_STOP_WAIT_MS, &pid);
	if (rc > 0)
		file_log(ctx, XAPI_LOG_WARN, "qemu-nbd %ld of %s ignored SIGTERM; killed it", pid,
			 loc);
	if (rc < 0)
		return file_fail(ctx, FE_VDI_UNAVAILABLE, "qemu-nbd %ld of VDI %s does not stop",
				 pid, loc);
	file_io_end(ctx, loc, pidf);
	return 0;
}

/* The servers of an SR that is not local, found by their names in nbd_dir:
 * this works while the NFS server is away (detach must). */
static int stop_all_in_nbd_dir(struct file_ctx *ctx)
{
	long pid = 0;
	if (nbd_server_stop_all_in(fallback_dir(ctx), ctx->srid, NBD_STOP_WAIT_MS, &pid) < 0)
		return file_fail(ctx, FE_VDI_UNAVAILABLE, "qemu-nbd %ld of SR %s does not stop",
				 pid, ctx->srid);
	return 0;
}

int file_nbd_stop_all(struct file_ctx *ctx)
{
	if (!ctx->local)
		return stop_all_in_nbd_dir(ctx);
	struct file_images imgs;
	if (file_images_list(ctx, &imgs) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < imgs.n && rc == 0; i++)
		rc = file_nbd_stop(ctx, imgs.v[i].name);
	file_images_free(&imgs);
	return rc;
}

int file_nbd_start(struct file_ctx *ctx, const char *loc, enum file_fmt fmt, bool writable,
		   char *uri, size_t usize)
{
	char sock[NBD_SERVER_PATH_MAX], pidf[NBD_SERVER_PATH_MAX], image[5800];
	if (file_nbd_paths(ctx, loc, sock, sizeof(sock), pidf, sizeof(pidf)) < 0)
		return -1;
	if (nbd_server_uri(sock, uri, usize) < 0)
		return file_fail(ctx, FE_VDI_UNAVAILABLE, "socket path too long for a URI");
	bool ro = false;
	long pid = file_nbd_running(ctx, loc, &ro);
	if (pid < 0)
		return -1;
	if (pid > 0 && (!ro || !writable))
		return 0; /* already served, in a mode that will do */
	if (pid > 0 && file_nbd_stop(ctx, loc) < 0)
		return -1; /* read-only but now wanted writable: restart */
	if (nbd_server_make_dir_of(sock) < 0)
		return file_fail(ctx, FE_VDI_UNAVAILABLE, "cannot make the directory of '%s': %s",
				 sock, strerror(errno));
	char a_sock[NBD_SERVER_PATH_MAX + 16], a_pid[NBD_SERVER_PATH_MAX + 16];
	char a_trace[NBD_SERVER_PATH_MAX + 64];
	const char *argv[NBD_SERVER_ARGV_MAX];
	size_t n = nbd_server_argv(argv, a_sock, a_pid, sock, pidf, writable);
	/* every request it serves, one line each (file_io.c reads them) */
	if (file_io_trace_arg(ctx, pidf, a_trace, sizeof a_trace))
		argv[n++] = a_trace;
	int k = file_image_args(ctx, loc, fmt, 'n', argv + n, image, sizeof(image));
	if (k < 0)
		return file_fail(ctx, FE_VDI_LOAD, "Failed to load VDI %s: its backing chain "
				 "cannot be read", loc);
	argv[n + (size_t)k] = NULL;
	return file_run(ctx, FE_VDI_UNAVAILABLE, argv);
}
