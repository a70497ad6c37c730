/* file_nbd.c - one qemu-nbd server per attached VDI, on a unix socket.
 *
 * vdi_attach starts `qemu-nbd --fork` (it returns once the socket listens)
 * with a pid file next to the socket; vdi_detach stops it by that pid after
 * checking /proc/<pid>/cmdline really is our qemu-nbd on that socket (pids
 * are reused after a reboot). No nbd kernel module is involved: the socket
 * is the datapath, "nbd+unix:///?socket=<path>".
 *
 * Socket names: <sr>/.nbd/<hash>.sock, hash = FNV-1a of the location, so
 * that any location gives a short name. A unix socket path must fit in 108
 * bytes; when the SR directory is too deep for that the socket goes to the
 * plugin setting `nbd_dir` (default /run/xapi-c/nbd) as
 * <sr-uuid>-<hash>.sock.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "file_int.h"

#define NBD_DEFAULT_DIR "/run/xapi-c/nbd"
#define NBD_STOP_WAIT_MS 10000

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static const char *fallback_dir(struct file_ctx *ctx)
{
	const char *d = ctx->drv->host->config_get(ctx->drv->self, "nbd_dir");
	return d && *d ? d : NBD_DEFAULT_DIR;
}

int file_nbd_paths(struct file_ctx *ctx, const char *loc, char *sock, size_t ssize, char *pid,
		   size_t psize)
{
	char hash[17];
	snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)fnv1a(loc));
	size_t max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;
	size_t n = (size_t)snprintf(sock, ssize, "%s/%s/%s.sock", ctx->dir, FILE_NBD_DIR, hash);
	if (n < ssize && n <= max) {
		snprintf(pid, psize, "%s/%s/%s.pid", ctx->dir, FILE_NBD_DIR, hash);
		return 0;
	}
	const char *dir = fallback_dir(ctx);
	n = (size_t)snprintf(sock, ssize, "%s/%s-%s.sock", dir, ctx->srid, hash);
	if (n >= ssize || n > max)
		return file_fail(ctx, FE_VDI_UNAVAILABLE,
				 "no room for a unix socket path: the SR directory and the "
				 "plugin setting nbd_dir '%s' are both too long", dir);
	snprintf(pid, psize, "%s/%s-%s.pid", dir, ctx->srid, hash);
	return 0;
}

/* mkdir -p for the socket's directory. */
static int make_dir_of(const char *file)
{
	char d[4400];
	snprintf(d, sizeof(d), "%s", file);
	char *slash = strrchr(d, '/');
	if (!slash || slash == d)
		return 0;
	*slash = '\0';
	for (char *p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(d, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(d, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/* Reads a small file into buf (NUL-terminated); bytes read or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* Is pid alive (not a zombie) and our qemu-nbd serving sock? */
static bool is_our_server(long pid, const char *sock, bool *read_only)
{
	char path[64], buf[8192];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return false;
	const char *rp = strrchr(buf, ')');
	if (!rp || rp[1] != ' ' || rp[2] == 'Z' || rp[2] == 'X')
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	ssize_t n = read_small(path, buf, sizeof(buf));
	if (n <= 0)
		return false;
	bool nbd = false, on_sock = false, ro = false;
	char want[4400];
	snprintf(want, sizeof(want), "--socket=%s", sock);
	/* cmdline: NUL-separated arguments */
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1) {
		const char *arg = buf + i;
		const char *base = strrchr(arg, '/');
		if (i == 0)
			nbd = strcmp(base ? base + 1 : arg, "qemu-nbd") == 0;
		if (strcmp(arg, want) == 0)
			on_sock = true;
		if (strcmp(arg, "--read-only") == 0)
			ro = true;
	}
	if (read_only)
		*read_only = ro;
	return nbd && on_sock;
}

static long pid_in(const char *pidfile)
{
	char buf[32];
	if (read_small(pidfile, buf, sizeof(buf)) <= 0)
		return 0;
	char *end;
	long pid = strtol(buf, &end, 10);
	return pid > 1 && (*end == '\n' || *end == '\0') ? pid : 0;
}

long file_nbd_running(struct file_ctx *ctx, const char *loc, bool *read_only)
{
	char sock[4400], pidf[4400];
	if (file_nbd_paths(ctx, loc, sock, sizeof(sock), pidf, sizeof(pidf)) < 0)
		return -1;
	long pid = pid_in(pidf);
	if (pid && is_our_server(pid, sock, read_only))
		return pid;
	/* stale: a crash, a reboot */
	/* the requests it served go into the VDI's totals; its trace goes */
	char trace[4500];
	file_io_trace_path(ctx, pidf, trace, sizeof trace);
	if (file_io_fold(ctx, loc, trace, true, NULL) < 0)
		file_log(ctx, XAPI_LOG_WARN, "cannot keep the I/O counters of %s: %s", loc,
			 strerror(errno));
	unlink(pidf);
	unlink(sock);
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static bool wait_gone(long pid, const char *sock, long ms)
{
	for (long waited = 0; waited < ms; waited += 5) {
		if (!is_our_server(pid, sock, NULL))
			return true;
		sleep_ms(5);
	}
	return !is_our_server(pid, sock, NULL);
}

int file_nbd_stop(struct file_ctx *ctx, const char *loc)
{
	char sock[4400], pidf[4400];
	if (file_nbd_paths(ctx, loc, sock, sizeof(sock), pidf, sizeof(pidf)) < 0)
		return -1;
	long pid = pid_in(pidf);
	if (pid && is_our_server(pid, sock, NULL)) {
		/* SIGTERM: qemu-nbd flushes the image and exits */
		kill((pid_t)pid, SIGTERM);
		if (!wait_gone(pid, sock, NBD_STOP_WAIT_MS)) {
			file_log(ctx, XAPI_LOG_WARN, "qemu-nbd %ld of %s ignored SIGTERM; killing it",
				 pid, loc);
			kill((pid_t)pid, SIGKILL);
			if (!wait_gone(pid, sock, 2000))
				return file_fail(ctx, FE_VDI_UNAVAILABLE,
						 "qemu-nbd %ld of VDI %s does not stop", pid, loc);
		}
	}
	/* the requests it served go into the VDI's totals; its trace goes */
	char trace[4500];
	file_io_trace_path(ctx, pidf, trace, sizeof trace);
	if (file_io_fold(ctx, loc, trace, true, NULL) < 0)
		file_log(ctx, XAPI_LOG_WARN, "cannot keep the I/O counters of %s: %s", loc,
			 strerror(errno));
	unlink(pidf);
	unlink(sock);
	return 0;
}

int file_nbd_stop_all(struct file_ctx *ctx)
{
	struct file_images imgs;
	if (file_images_list(ctx, &imgs) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < imgs.n && rc == 0; i++)
		rc = file_nbd_stop(ctx, imgs.v[i].name);
	file_images_free(&imgs);
	return rc;
}

/* "nbd+unix:///?socket=<path>", the path percent-encoded (RFC 3986 query). */
static int make_uri(const char *sock, char *uri, size_t usize)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t w = (size_t)snprintf(uri, usize, "nbd+unix:///?socket=");
	for (const unsigned char *p = (const unsigned char *)sock; *p; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || strchr("-._~/", *p);
		if (w + 4 >= usize)
			return -1;
		if (plain) {
			uri[w++] = (char)*p;
		} else {
			uri[w++] = '%';
			uri[w++] = hex[*p >> 4];
			uri[w++] = hex[*p & 15];
		}
	}
	uri[w] = '\0';
	return 0;
}

int file_nbd_start(struct file_ctx *ctx, const char *loc, enum file_fmt fmt, bool writable,
		   char *uri, size_t usize)
{
	char sock[4400], pidf[4400], image[4400];
	if (file_nbd_paths(ctx, loc, sock, sizeof(sock), pidf, sizeof(pidf)) < 0)
		return -1;
	if (make_uri(sock, uri, usize) < 0)
		return file_fail(ctx, FE_VDI_UNAVAILABLE, "socket path too long for a URI");
	bool ro = false;
	long pid = file_nbd_running(ctx, loc, &ro);
	if (pid < 0)
		return -1;
	if (pid > 0 && (!ro || !writable))
		return 0; /* already served, in a mode that will do */
	if (pid > 0 && file_nbd_stop(ctx, loc) < 0)
		return -1; /* read-only but now wanted writable: restart */
	if (make_dir_of(sock) < 0)
		return file_fail(ctx, FE_VDI_UNAVAILABLE, "cannot make the directory of '%s': %s",
				 sock, strerror(errno));
	file_path(ctx, loc, image, sizeof(image));
	/* a trace left by a server that died: its requests count, then it goes */
	char trace[4500], a_trace[4600];
	file_io_trace_path(ctx, pidf, trace, sizeof trace);
	if (file_io_fold(ctx, loc, trace, true, NULL) < 0)
		file_log(ctx, XAPI_LOG_WARN, "cannot keep the I/O counters of %s: %s", loc,
			 strerror(errno));
	/* every request it serves, one line each (file_io.c reads them) */
	snprintf(a_trace, sizeof a_trace, "--trace=enable=blk_co_p*,file=%s", trace);
	char a_sock[4500], a_pid[4500];
	snprintf(a_sock, sizeof(a_sock), "--socket=%s", sock);
	snprintf(a_pid, sizeof(a_pid), "--pid-file=%s", pidf);
	const char *argv[16];
	size_t n = 0;
	argv[n++] = "qemu-nbd";
	argv[n++] = a_sock;
	argv[n++] = a_pid;
	argv[n++] = fmt == FF_QCOW2 ? "--format=qcow2" : "--format=raw";
	argv[n++] = "--persistent";  /* stay up when a client leaves */
	argv[n++] = "--shared=0";    /* any number of clients */
	argv[n++] = "--fork";        /* returns once the socket listens */
	argv[n++] = a_trace;
	if (writable) {
		/* zeroes written and discards keep the image sparse */
		argv[n++] = "--discard=unmap";
		argv[n++] = "--detect-zeroes=unmap";
	} else {
		argv[n++] = "--read-only";
	}
	argv[n++] = image;
	argv[n] = NULL;
	return file_run(ctx, FE_VDI_UNAVAILABLE, argv);
}
