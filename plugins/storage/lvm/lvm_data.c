/* lvm_data.c - an LV's data through device-mapper or a loop device over
 * the PV (see lvm_data.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lvm_data.h"
#include "lvm_report.h"

#define CHUNK (4 << 20)

static int io_fail(struct lvm_io *io, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int io_fail(struct lvm_io *io, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(io->why, sizeof(io->why), fmt, ap);
	va_end(ap);
	return -1;
}

/* Runs an lvm command; on failure io->why says what it said. */
static int io_lvm(struct lvm_io *io, const char *const args[], const char **out)
{
	int rc = lvm_run(io->host, io->call, io->env, args, out);
	if (rc == 0)
		return 0;
	char reason[300];
	lvm_output_reason(*out, reason, sizeof(reason));
	return io_fail(io, "lvm %s failed (status %d): %s", args[0], rc, reason);
}

int lvm_lv_place(struct lvm_io *io, const char *vg, const char *lv, struct lvm_place *p)
{
	const char *args[] = { "pvs", LVM_REPORT_OPTS, "--segments", "-o",
			       "vg_name,lv_name,pe_start,pvseg_start,pvseg_size,vg_extent_size,lv_size",
			       io->env->device, NULL };
	const char *out;
	if (io_lvm(io, args, &out) < 0)
		return -1;
	struct lvm_rows rows;
	if (lvm_report_parse(out, &rows) < 0)
		return io_fail(io, "cannot read the report of lvm pvs");
	memset(p, 0, sizeof(*p));
	p->size = -1;
	for (size_t i = 0; i < rows.n; i++) {
		const struct lvm_row *r = &rows.v[i];
		const char *v = lvm_row_get(r, "VG_NAME"), *l = lvm_row_get(r, "LV_NAME");
		if (!v || !l || strcmp(v, vg) != 0 || strcmp(l, lv) != 0)
			continue;
		int64_t pe_start = lvm_row_int(r, "PE_START"), start = lvm_row_int(r, "PVSEG_START");
		int64_t ext = lvm_row_int(r, "VG_EXTENT_SIZE");
		if (p->segments++ == 0)
			p->offset = pe_start + start * ext;
		p->size = lvm_row_int(r, "LV_SIZE");
	}
	lvm_rows_free(&rows);
	if (!p->segments)
		return io_fail(io, "no LV %s in VG %s on %s", lv, vg, io->env->device);
	return 0;
}

int lvm_cmd_activate(const char *vg, const char *lv, bool on, char vglv[300], const char *args[4])
{
	if (snprintf(vglv, 300, "%s/%s", vg, lv) >= 300)
		return -1;
	args[0] = "lvchange";
	args[1] = on ? "-ay" : "-an";
	args[2] = vglv;
	args[3] = NULL;
	return 0;
}

void lvm_cmd_loop(const char *dev, const struct lvm_place *p, bool writable, char off[24],
		  char lim[24], const char *argv[12])
{
	size_t n = 0;
	snprintf(off, 24, "%" PRId64, p->offset);
	snprintf(lim, 24, "%" PRId64, p->size);
	argv[n++] = "losetup";
	argv[n++] = "--find";
	argv[n++] = "--show";
	argv[n++] = "--offset";
	argv[n++] = off;
	argv[n++] = "--sizelimit";
	argv[n++] = lim;
	/* straight to the PV: no second page cache over the PV's own */
	argv[n++] = "--direct-io=on";
	if (!writable)
		argv[n++] = "--read-only";
	argv[n++] = dev;
	argv[n] = NULL;
}

/* Reads a one-line sysfs file into buf (newline dropped); -1 if absent. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	char *ok = fgets(buf, (int)len, f);
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The loop devices over dev (at offset, or any offset if offset < 0):
 * calls fn(name) for each ("loop3"); stops at fn's non-zero return. */
static int each_loop(const char *dev, int64_t offset, int (*fn)(void *, const char *), void *arg)
{
	DIR *d = opendir("/sys/block");
	if (!d)
		return 0;
	struct dirent *e;
	int rc = 0;
	while (!rc && (e = readdir(d))) {
		if (strncmp(e->d_name, "loop", 4) != 0)
			continue;
		char path[300], back[PATH_MAX], off[32];
		snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", e->d_name);
		if (read_line(path, back, sizeof(back)) < 0 || strcmp(back, dev) != 0)
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/loop/offset", e->d_name);
		if (offset >= 0 && (read_line(path, off, sizeof(off)) < 0 ||
				    strtoll(off, NULL, 10) != offset))
			continue;
		rc = fn(arg, e->d_name);
	}
	closedir(d);
	return rc;
}

struct found { char name[64]; };

static int take_first(void *arg, const char *name)
{
	snprintf(((struct found *)arg)->name, sizeof(((struct found *)arg)->name), "%s", name);
	return 1;
}

struct detach { struct lvm_io *io; int failed; };

static int detach_one(void *arg, const char *name)
{
	struct detach *d = arg;
	char dev[80];
	snprintf(dev, sizeof(dev), "/dev/%s", name);
	const char *argv[] = { "losetup", "--detach", dev, NULL };
	const char *out = NULL;
	if (d->io->host->run(d->io->call, argv, LVM_RUN_TIMEOUT_MS, &out) != 0) {
		io_fail(d->io, "losetup --detach %s: %s", dev, out ? out : "");
		d->failed = 1;
	}
	return 0;
}

/* The PV's canonical path, as the loop driver records a backing file. */
static int pv_real(struct lvm_io *io, char real[PATH_MAX])
{
	if (!realpath(io->env->device, real))
		return io_fail(io, "device %s: %s", io->env->device, strerror(errno));
	return 0;
}

/* lvchange -ay|-an VG/LV (device-mapper). */
static int dm_switch(struct lvm_io *io, const char *vg, const char *lv, bool on)
{
	char vglv[300];
	const char *args[4], *out;
	if (lvm_cmd_activate(vg, lv, on, vglv, args) < 0)
		return io_fail(io, "names too long");
	return io_lvm(io, args, &out);
}

/* Where VG/LV lies (p) and the PV's canonical path (real), and the first
 * loop device already over it (f->name, "" if none). */
static int loop_find(struct lvm_io *io, const char *vg, const char *lv, struct lvm_place *p,
		     char real[PATH_MAX], struct found *f)
{
	if (lvm_lv_place(io, vg, lv, p) < 0 || pv_real(io, real) < 0)
		return -1;
	f->name[0] = '\0';
	each_loop(real, p->offset, take_first, f);
	return 0;
}

int lvm_data_open(struct lvm_io *io, const char *vg, const char *lv, bool writable,
		  char *path, size_t len)
{
	if (io->env->access == LVM_ACCESS_DM) {
		if (lvm_dm_path(vg, lv, path, len) < 0)
			return io_fail(io, "names too long");
		return dm_switch(io, vg, lv, true);
	}
	struct lvm_place p;
	char real[PATH_MAX];
	struct found f;
	if (loop_find(io, vg, lv, &p, real, &f) < 0)
		return -1;
	if (p.segments != 1)
		return io_fail(io, "%s/%s has %d segments: without device-mapper only an LV of one "
			       "segment can be reached", vg, lv, p.segments);
	if (f.name[0]) {
		/* already open (a second attach, or left by a crashed worker) */
		snprintf(path, len, "/dev/%s", f.name);
		return 0;
	}
	char off[24], lim[24];
	const char *argv[12], *out = NULL;
	lvm_cmd_loop(real, &p, writable, off, lim, argv);
	int rc = io->host->run(io->call, argv, LVM_RUN_TIMEOUT_MS, &out);
	if (rc != 0 || !out || strncmp(out, "/dev/loop", 9) != 0)
		return io_fail(io, "losetup over %s at %s failed: %s", real, off, out ? out : "");
	snprintf(path, len, "%.*s", (int)strcspn(out, "\n"), out);
	return 0;
}

int lvm_data_is_open(struct lvm_io *io, const char *vg, const char *lv)
{
	if (io->env->access == LVM_ACCESS_DM) {
		char path[600];
		if (lvm_dm_path(vg, lv, path, sizeof(path)) < 0)
			return io_fail(io, "names too long");
		return access(path, F_OK) == 0;
	}
	struct lvm_place p;
	char real[PATH_MAX];
	struct found f;
	if (loop_find(io, vg, lv, &p, real, &f) < 0)
		return -1;
	return f.name[0] != '\0';
}

int lvm_data_close(struct lvm_io *io, const char *vg, const char *lv)
{
	if (io->env->access == LVM_ACCESS_DM)
		return dm_switch(io, vg, lv, false);
	struct lvm_place p;
	char real[PATH_MAX];
	if (lvm_lv_place(io, vg, lv, &p) < 0 || pv_real(io, real) < 0)
		return -1;
	struct detach d = { io, 0 };
	each_loop(real, p.offset, detach_one, &d);
	return d.failed ? -1 : 0;
}

int lvm_data_close_path(struct lvm_io *io, const char *vg, const char *lv, const char *path)
{
	if (io->env->access == LVM_ACCESS_DM || strncmp(path, "/dev/loop", 9) != 0)
		return lvm_data_close(io, vg, lv);
	struct detach d = { io, 0 };
	detach_one(&d, path + 5);
	return d.failed ? -1 : 0;
}

int lvm_data_close_all(struct lvm_io *io, const char *vg)
{
	if (io->env->access == LVM_ACCESS_DM) {
		const char *args[] = { "vgchange", "-an", vg, NULL };
		const char *out;
		return io_lvm(io, args, &out);
	}
	char real[PATH_MAX];
	if (pv_real(io, real) < 0)
		return -1;
	struct detach d = { io, 0 };
	each_loop(real, -1, detach_one, &d);
	return d.failed ? -1 : 0;
}

int lvm_data_zero(struct lvm_io *io, const char *path, int64_t off, int64_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return io_fail(io, "open %s: %s", path, strerror(errno));
	uint64_t range[2] = { (uint64_t)off, (uint64_t)len };
	int rc = 0;
	if (len > 0 && ioctl(fd, BLKZEROOUT, range) != 0) {
		/* no write-zeroes here: write them */
		char *zero = calloc(1, CHUNK);
		for (int64_t done = 0; zero && done < len && rc == 0;) {
			size_t n = (size_t)(len - done < CHUNK ? len - done : CHUNK);
			ssize_t w = pwrite(fd, zero, n, off + done);
			if (w <= 0)
				rc = io_fail(io, "zeroing %s: %s", path, strerror(errno));
			else
				done += w;
		}
		if (!zero)
			rc = io_fail(io, "out of memory");
		free(zero);
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = io_fail(io, "fsync %s: %s", path, strerror(errno));
	close(fd);
	return rc;
}

static bool all_zero(const char *b, size_t n)
{
	return n == 0 || (b[0] == 0 && memcmp(b, b + 1, n - 1) == 0);
}

int lvm_data_copy(struct lvm_io *io, const char *src, const char *dst, int64_t size)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), out = open(dst, O_WRONLY | O_CLOEXEC);
	char *buf = malloc(CHUNK);
	int rc = 0;
	if (in < 0 || out < 0 || !buf)
		rc = io_fail(io, "open %s: %s", in < 0 ? src : dst, strerror(errno));
	for (int64_t done = 0; rc == 0 && done < size;) {
		if (io->host->cancelled(io->call)) {
			rc = 1;
			break;
		}
		size_t want = (size_t)(size - done < CHUNK ? size - done : CHUNK);
		ssize_t n = pread(in, buf, want, done);
		if (n <= 0) {
			rc = io_fail(io, "reading %s at %" PRId64 ": %s", src, done,
				     n == 0 ? "end of device" : strerror(errno));
			break;
		}
		if (!all_zero(buf, (size_t)n) && pwrite(out, buf, (size_t)n, done) != n) {
			rc = io_fail(io, "writing %s at %" PRId64 ": %s", dst, done, strerror(errno));
			break;
		}
		done += n;
		io->host->progress(io->call, (double)done / (double)size);
	}
	if (rc == 0 && fsync(out) != 0)
		rc = io_fail(io, "fsync %s: %s", dst, strerror(errno));
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	free(buf);
	return rc;
}
