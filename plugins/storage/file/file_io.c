/* file_io.c - the I/O counters of a VDI (vdi_io, ABI 2.1).
 *
 * qemu-nbd, which serves an attached VDI, is started with its block-layer
 * trace events blk_co_preadv and blk_co_pwritev logged to
 * <server>.trace: one line per request the NBD clients made ("blk_co_preadv
 * blk 0x.. bs 0x.. offset O bytes N flags F"). vdi_io reads the lines added
 * since its last look and adds them to the VDI's totals, kept in
 * <sr>/.nbd/<hash>.io ("v1 read_bytes write_bytes read_ops write_ops
 * trace_inode trace_offset"), so that the counters go on across detach and
 * attach and across worker restarts (the driver keeps no state in memory).
 * Detach folds what is left before removing the trace. qemu-nbd does not
 * time requests: the latency members stay unknown (-1).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_int.h"

struct io_totals {
	int64_t rbytes, wbytes, rops, wops;
	uint64_t ino;                  /* the trace file they were read from */
	int64_t off;                   /* how far */
};

static void totals_path(struct file_ctx *ctx, const char *loc, char *out, size_t n)
{
	char sock[4400], pidf[4400];
	/* named after the same hash as the server's socket, always in the SR */
	if (file_nbd_paths(ctx, loc, sock, sizeof sock, pidf, sizeof pidf) < 0) {
		snprintf(out, n, "%s/%s/unknown.io", ctx->dir, FILE_NBD_DIR);
		return;
	}
	const char *base = strrchr(sock, '/');
	base = base ? base + 1 : sock;
	const char *dash = strrchr(base, '-'); /* <sr-uuid>-<hash>.sock in nbd_dir */
	snprintf(out, n, "%s/%s/%.16s.io", ctx->dir, FILE_NBD_DIR, dash ? dash + 1 : base);
}

/* <server>.trace for the server's pid file: where qemu-nbd logs requests. */
static void trace_path(const char *pidfile, char *out, size_t n)
{
	size_t len = strlen(pidfile);
	if (len > 4 && !strcmp(pidfile + len - 4, ".pid"))
		len -= 4;
	snprintf(out, n, "%.*s.trace", (int)len, pidfile);
}

static void read_totals(int fd, struct io_totals *t)
{
	char buf[256];
	memset(t, 0, sizeof *t);
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return;
	buf[n] = 0;
	unsigned long long ino = 0;
	long long a, b, c, d, off;
	if (sscanf(buf, "v1 %lld %lld %lld %lld %llu %lld", &a, &b, &c, &d, &ino, &off) == 6) {
		t->rbytes = a, t->wbytes = b, t->rops = c, t->wops = d;
		t->ino = ino, t->off = off;
	}
}

static int write_totals(int fd, const struct io_totals *t)
{
	char buf[256];
	int n = snprintf(buf, sizeof buf, "v1 %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64
			 " %" PRIu64 " %" PRId64 "\n", t->rbytes, t->wbytes, t->rops, t->wops,
			 t->ino, t->off);
	if (pwrite(fd, buf, (size_t)n, 0) != n || ftruncate(fd, n) != 0)
		return -1;
	return 0;
}

/* Adds the complete lines of the trace after t->off to t. */
static void fold_trace(const char *trace, struct io_totals *t)
{
	FILE *f = fopen(trace, "re");
	if (!f)
		return;
	struct stat sb;
	if (fstat(fileno(f), &sb) != 0) {
		fclose(f);
		return;
	}
	if ((uint64_t)sb.st_ino != t->ino) { /* a new server: its own trace */
		t->ino = (uint64_t)sb.st_ino;
		t->off = 0;
	}
	if (fseeko(f, (off_t)t->off, SEEK_SET) != 0) {
		fclose(f);
		return;
	}
	char line[512];
	while (fgets(line, sizeof line, f)) {
		size_t len = strlen(line);
		if (len == 0 || line[len - 1] != '\n')
			break; /* qemu-nbd is still writing it: next time */
		t->off += (int64_t)len;
		bool rd = !strncmp(line, "blk_co_preadv ", 14);
		bool wr = !strncmp(line, "blk_co_pwritev ", 15);
		const char *b = strstr(line, " bytes ");
		if ((!rd && !wr) || !b)
			continue;
		long long bytes = strtoll(b + 7, NULL, 0);
		if (rd)
			t->rbytes += bytes, t->rops++;
		else
			t->wbytes += bytes, t->wops++;
	}
	fclose(f);
}

/* Opens and locks the totals (the server's trace and the sampler may meet
 * a detach in another worker). */
static int open_totals(struct file_ctx *ctx, const char *loc)
{
	char path[4400], dir[4200];
	snprintf(dir, sizeof dir, "%s/%s", ctx->dir, FILE_NBD_DIR);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -1;
	totals_path(ctx, loc, path, sizeof path);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0 && flock(fd, LOCK_EX) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

struct io_totals_out {
	int64_t read_bytes, write_bytes, read_ops, write_ops;
};

/* Adds the requests logged in trace (may be NULL) to loc's totals;
 * remove_trace: the server is gone, its trace too. 0 or -1 (errno). */
static int io_fold(struct file_ctx *ctx, const char *loc, const char *trace, bool remove_trace,
		   struct io_totals_out *out)
{
	int fd = open_totals(ctx, loc);
	if (fd < 0)
		return -1;
	struct io_totals t;
	read_totals(fd, &t);
	if (trace) {
		fold_trace(trace, &t);
		if (remove_trace) {
			unlink(trace);
			t.ino = 0;
			t.off = 0;
		}
	}
	int rc = write_totals(fd, &t);
	close(fd);
	if (out) {
		out->read_bytes = t.rbytes;
		out->write_bytes = t.wbytes;
		out->read_ops = t.rops;
		out->write_ops = t.wops;
	}
	return rc;
}

bool file_io_trace_arg(struct file_ctx *ctx, const char *pidf, char *arg, size_t n)
{
	/* the totals live in the SR directory: only where it is a local path */
	if (!ctx->local)
		return false;
	char trace[4500];
	trace_path(pidf, trace, sizeof trace);
	return (size_t)snprintf(arg, n, "--trace=enable=blk_co_p*,file=%s", trace) < n;
}

void file_io_end(struct file_ctx *ctx, const char *loc, const char *pidf)
{
	char trace[4500];
	trace_path(pidf, trace, sizeof trace);
	if (!ctx->local || access(trace, F_OK) != 0)
		return; /* no server traced there */
	if (io_fold(ctx, loc, trace, true, NULL) < 0)
		file_log(ctx, XAPI_LOG_WARN, "cannot keep the I/O counters of %s: %s", loc,
			 strerror(errno));
}

int file_vdi_io(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *loc,
		struct xapi_vdi_io *io, unsigned flags)
{
	struct file_ctx ctx;
	struct file_drv *drv = st;
	XAPI_CHECK_FLAGS(drv->host, call, flags, 0);
	if (drv->be->remote)
		return XAPI_OK; /* a remote SR's servers are not traced: unknown (-1) */
	if (file_ctx_init(&ctx, drv, call, sr, true) < 0)
		return XAPI_E_FAILED;
	char image[4400];
	struct stat sb;
	if (!file_location_valid(loc) || file_path(&ctx, loc, image, sizeof image) < 0 ||
	    stat(image, &sb) != 0)
		return XAPI_E_NOT_FOUND;
	char sock[4400], pidf[4400], trace[4500];
	if (file_nbd_paths(&ctx, loc, sock, sizeof sock, pidf, sizeof pidf) < 0)
		return XAPI_E_FAILED;
	trace_path(pidf, trace, sizeof trace);
	struct io_totals_out t;
	if (io_fold(&ctx, loc, trace, false, &t) < 0)
		return file_fail(&ctx, FE_VDI_UNAVAILABLE, "cannot keep the I/O counters of %s: %s",
				 loc, strerror(errno));
	if (XAPI_HAS(io, struct xapi_vdi_io, write_ops)) {
		io->read_bytes = t.read_bytes;
		io->write_bytes = t.write_bytes;
		io->read_ops = t.read_ops;
		io->write_ops = t.write_ops;
	}
	return XAPI_OK;
}
