/* vdi_data.c - datapaths (see vdi_data.h): the file backend, the block
 * copy, transfer progress. The NBD backend is in vdi_data_nbd.c. */
#define _GNU_SOURCE
#include "vdi_data_int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "tasks/tasks.h"
#include "uri.h"

static int io_error(xd_error *err, const xd_vdi_data *d, const char *what, int e)
{
	return xd_error_setf(err, "VDI_IO_ERROR", "%s on %s: %s", what, d->uri, strerror(e));
}

/* ---- file:// ---------------------------------------------------------------- */

static int file_read(xd_vdi_data *d, void *buf, size_t len, int64_t off, xd_error *err)
{
	char *p = buf;
	while (len) {
		ssize_t n = pread(d->fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return io_error(err, d, "read", errno);
		if (n == 0)
			return xd_error_setf(err, "VDI_IO_ERROR", "read past the end of %s", d->uri);
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

static int file_write(xd_vdi_data *d, const void *buf, size_t len, int64_t off, xd_error *err)
{
	const char *p = buf;
	while (len) {
		ssize_t n = pwrite(d->fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return io_error(err, d, "write", errno);
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

static int file_zero(xd_vdi_data *d, size_t len, int64_t off, xd_error *err)
{
	if (fallocate(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) == 0 ||
	    fallocate(d->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) == 0)
		return 0;
	/* neither (block device, old filesystem): write the zeros */
	size_t piece = len < XD_VDI_DATA_CHUNK ? len : XD_VDI_DATA_CHUNK;
	char *zeros = calloc(1, piece ? piece : 1);
	int rc = 0;
	if (!zeros)
		abort();
	while (len && rc == 0) {
		size_t n = len < piece ? len : piece;
		rc = file_write(d, zeros, n, off, err);
		len -= n;
		off += (int64_t)n;
	}
	free(zeros);
	return rc;
}

static int file_flush(xd_vdi_data *d, xd_error *err)
{
	if (fsync(d->fd) < 0 && errno != EINVAL)
		return io_error(err, d, "fsync", errno);
	return 0;
}

static int64_t file_extent(xd_vdi_data *d, int64_t off, int64_t len, bool *hole, xd_error *err)
{
	/* SEEK_DATA from off: ENXIO means nothing but hole until the end */
	off_t data = lseek(d->fd, (off_t)off, SEEK_DATA);
	if (data < 0 && errno == ENXIO) {
		*hole = true;
		return len;
	}
	if (data < 0) {
		*hole = false; /* the filesystem cannot tell */
		return len;
	}
	if (data > off) {
		*hole = true;
		return data - off < len ? data - off : len;
	}
	off_t h = lseek(d->fd, (off_t)off, SEEK_HOLE);
	*hole = false;
	if (h < 0 || h <= off)
		return len;
	return h - off < len ? h - off : len;
}

static void file_close(xd_vdi_data *d)
{
	if (d->fd >= 0)
		close(d->fd);
}

static const xd_vdi_data_ops file_ops = {
	file_read, file_write, file_zero, file_flush, file_extent, file_close,
};

static int open_file(xd_vdi_data *d, xd_error *err)
{
	char *path = xd_file_uri_path(d->uri);
	struct stat st;
	int rc = -1;
	if (!path) {
		xd_error_setf(err, "INTERNAL_ERROR", "malformed file datapath %s (is it percent-encoded?)",
			      d->uri);
		return -1;
	}
	d->fd = open(path, (d->writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (d->fd < 0) {
		io_error(err, d, "open", errno);
		goto out;
	}
	if (fstat(d->fd, &st) < 0) {
		io_error(err, d, "stat", errno);
		goto out;
	}
	if (S_ISBLK(st.st_mode)) {
		uint64_t bytes = 0;
		if (ioctl(d->fd, BLKGETSIZE64, &bytes) < 0) {
			io_error(err, d, "BLKGETSIZE64", errno);
			goto out;
		}
		d->size = (int64_t)bytes;
	} else {
		d->size = st.st_size;
		d->maps_holes = true; /* SEEK_DATA/SEEK_HOLE (a block device says all data) */
	}
	d->ops = &file_ops;
	rc = 0;
out:
	free(path);
	return rc;
}

/* ---- the handle ------------------------------------------------------------ */

xd_vdi_data *xd_vdi_data_open(const char *uri, bool writable, xd_error *err)
{
	xd_vdi_data *d = calloc(1, sizeof(*d));
	if (!d)
		abort();
	d->fd = -1;
	d->writable = writable;
	d->uri = strdup(uri ? uri : "");
	int rc;
	if (strncmp(d->uri, "file://", 7) == 0)
		rc = open_file(d, err);
	else if (strncmp(d->uri, "nbd+unix://", 11) == 0 || strncmp(d->uri, "nbd://", 6) == 0)
		rc = xd_vdi_data_open_nbd(d, err);
	else
		rc = xd_error_setf(err, "INTERNAL_ERROR", "unsupported datapath %s", d->uri);
	if (rc < 0) {
		if (d->ops)
			d->ops->close(d);
		else if (d->fd >= 0)
			close(d->fd);
		free(d->uri);
		free(d);
		return NULL;
	}
	xd_debug("vdi_data: opened %s (%s, %lld bytes)", d->uri, writable ? "rw" : "ro",
		 (long long)d->size);
	return d;
}

void xd_vdi_data_close(xd_vdi_data *d)
{
	if (!d)
		return;
	d->ops->close(d);
	free(d->uri);
	free(d);
}

int64_t xd_vdi_data_size(const xd_vdi_data *d)
{
	return d->size;
}

static int check_range(const xd_vdi_data *d, size_t len, int64_t off, xd_error *err)
{
	if (off < 0 || (int64_t)len > d->size || off > d->size - (int64_t)len)
		return xd_error_setf(err, "VDI_IO_ERROR", "%zu bytes at %lld are outside %s (%lld bytes)",
				     len, (long long)off, d->uri, (long long)d->size);
	return 0;
}

int xd_vdi_data_read(xd_vdi_data *d, void *buf, size_t len, int64_t off, xd_error *err)
{
	if (check_range(d, len, off, err) < 0)
		return -1;
	return len ? d->ops->read(d, buf, len, off, err) : 0;
}

int xd_vdi_data_write(xd_vdi_data *d, const void *buf, size_t len, int64_t off, xd_error *err)
{
	if (!d->writable)
		return xd_error_setf(err, "VDI_IO_ERROR", "%s is open read-only", d->uri);
	if (check_range(d, len, off, err) < 0)
		return -1;
	return len ? d->ops->write(d, buf, len, off, err) : 0;
}

int xd_vdi_data_zero(xd_vdi_data *d, size_t len, int64_t off, xd_error *err)
{
	if (!d->writable)
		return xd_error_setf(err, "VDI_IO_ERROR", "%s is open read-only", d->uri);
	if (check_range(d, len, off, err) < 0)
		return -1;
	return len ? d->ops->zero(d, len, off, err) : 0;
}

int xd_vdi_data_flush(xd_vdi_data *d, xd_error *err)
{
	return d->writable ? d->ops->flush(d, err) : 0;
}

int64_t xd_vdi_data_extent(xd_vdi_data *d, int64_t off, int64_t len, bool *hole, xd_error *err)
{
	if (len <= 0 || off < 0 || off >= d->size) {
		*hole = false;
		return len > 0 ? len : 1;
	}
	if (len > d->size - off)
		len = d->size - off;
	int64_t n = d->ops->extent(d, off, len, hole, err);
	if (n < 0)
		return -1;
	return n > 0 ? n : 1;
}

bool xd_vdi_data_maps_holes(const xd_vdi_data *d)
{
	return d->maps_holes;
}

bool xd_vdi_data_is_zero(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	/* a first byte, then compare the buffer with itself shifted by one */
	return len == 0 || (p[0] == 0 && memcmp(p, p + 1, len - 1) == 0);
}

/* ---- progress --------------------------------------------------------------- */

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void xd_vdi_progress_init(xd_vdi_progress *p, const char *task, double p0, double p1,
			  int64_t total)
{
	p->task = task;
	p->p0 = p0;
	p->p1 = p1;
	p->total = total;
	p->last_fraction = -1;
	p->last_time = 0;
}

void xd_vdi_progress_update(xd_vdi_progress *p, int64_t done)
{
	if (!p->task || p->total <= 0)
		return;
	double fraction = (double)done / (double)p->total;
	double now = mono_s();
	if (fraction - p->last_fraction < 0.005 && now - p->last_time < 1.0 && fraction < 1.0)
		return;
	p->last_fraction = fraction;
	p->last_time = now;
	xd_task_set_progress(p->task, p->p0 + (p->p1 - p->p0) * fraction);
}

/* ---- copy ------------------------------------------------------------------ */

/* The copy overlaps reading and writing: a reader thread fills a ring of
 * chunks (deciding there what is a hole, or unchanged from base) while the
 * calling thread writes them out. Each datapath is used by one thread. */
#define COPY_RING 4

typedef enum { PIECE_DATA, PIECE_ZERO, PIECE_SKIP } piece_kind;

typedef struct piece {
	char *buf;
	int64_t off;
	size_t n;
	piece_kind kind;
} piece;

typedef struct copy_pipe {
	xd_vdi_data *src, *base;
	int64_t size;
	bool dst_zeroed;
	pthread_mutex_t m;
	pthread_cond_t c;
	piece ring[COPY_RING];
	size_t head, filled;  /* next slot the reader fills; slots ready */
	bool stop;            /* the writer gave up */
	bool done;            /* the reader finished (or failed) */
	xd_error err;         /* the reader's failure */
	char *bbuf;           /* base's bytes (reader only) */
} copy_pipe;

/* What one piece of src is: read into p->buf when it is data. */
static int classify(copy_pipe *cp, piece *p, int64_t off, int64_t want, xd_error *err)
{
	bool hole = false;
	int64_t n = cp->base ? want : xd_vdi_data_extent(cp->src, off, want, &hole, err);
	if (n < 0)
		return -1;
	p->off = off;
	p->n = (size_t)n;
	if (!hole) {
		if (xd_vdi_data_read(cp->src, p->buf, p->n, off, err) < 0)
			return -1;
		hole = !cp->base && xd_vdi_data_is_zero(p->buf, p->n);
	}
	if (hole) {
		p->kind = cp->dst_zeroed ? PIECE_SKIP : PIECE_ZERO;
	} else if (cp->base) {
		/* incremental: what base (= dst's content) has already is skipped */
		if (xd_vdi_data_read(cp->base, cp->bbuf, p->n, off, err) < 0)
			return -1;
		p->kind = memcmp(p->buf, cp->bbuf, p->n) == 0 ? PIECE_SKIP : PIECE_DATA;
	} else {
		p->kind = PIECE_DATA;
	}
	return 0;
}

static void *copy_reader(void *arg)
{
	copy_pipe *cp = arg;
	int64_t off = 0;
	while (off < cp->size) {
		pthread_mutex_lock(&cp->m);
		while (cp->filled == COPY_RING && !cp->stop)
			pthread_cond_wait(&cp->c, &cp->m);
		bool stop = cp->stop;
		piece *p = &cp->ring[cp->head];
		pthread_mutex_unlock(&cp->m);
		if (stop)
			break;
		int64_t want = cp->size - off < (int64_t)XD_VDI_DATA_CHUNK ? cp->size - off
									   : (int64_t)XD_VDI_DATA_CHUNK;
		xd_error err = XD_ERROR_INIT;
		int rc = classify(cp, p, off, want, &err);
		pthread_mutex_lock(&cp->m);
		if (rc < 0) {
			xd_error_copy(&cp->err, &err);
			xd_error_clear(&err);
			pthread_mutex_unlock(&cp->m);
			break;
		}
		off += (int64_t)p->n;
		cp->head = (cp->head + 1) % COPY_RING;
		cp->filled++;
		pthread_cond_broadcast(&cp->c);
		pthread_mutex_unlock(&cp->m);
	}
	pthread_mutex_lock(&cp->m);
	cp->done = true;
	pthread_cond_broadcast(&cp->c);
	pthread_mutex_unlock(&cp->m);
	return NULL;
}

int xd_vdi_data_copy(xd_vdi_data *src, xd_vdi_data *dst, xd_vdi_data *base, int64_t size,
		     bool dst_zeroed, const char *task, double p0, double p1, xd_error *err)
{
	copy_pipe cp = { .src = src, .base = base, .size = size, .dst_zeroed = dst_zeroed };
	xd_vdi_progress prog;
	int64_t done = 0, written = 0;
	size_t tail = 0;
	int rc = -1;
	pthread_t reader;
	pthread_mutex_init(&cp.m, NULL);
	pthread_cond_init(&cp.c, NULL);
	for (size_t i = 0; i < COPY_RING; i++)
		if (!(cp.ring[i].buf = malloc(XD_VDI_DATA_CHUNK)))
			abort();
	if (base && !(cp.bbuf = malloc(XD_VDI_DATA_CHUNK)))
		abort();
	xd_vdi_progress_init(&prog, task, p0, p1, size);
	if (pthread_create(&reader, NULL, copy_reader, &cp) != 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "cannot start the copy's reader thread");
		goto free;
	}
	for (;;) {
		pthread_mutex_lock(&cp.m);
		while (cp.filled == 0 && !cp.done)
			pthread_cond_wait(&cp.c, &cp.m);
		bool more = cp.filled > 0;
		pthread_mutex_unlock(&cp.m);
		if (!more)
			break;
		piece *p = &cp.ring[tail];
		int wrc = 0;
		if (task && xd_task_cancelling(task))
			wrc = xd_error_set(err, "TASK_CANCELLED", task, NULL);
		else if (p->kind == PIECE_ZERO)
			wrc = xd_vdi_data_zero(dst, p->n, p->off, err);
		else if (p->kind == PIECE_DATA && (wrc = xd_vdi_data_write(dst, p->buf, p->n, p->off, err)) == 0)
			written += (int64_t)p->n;
		pthread_mutex_lock(&cp.m);
		if (wrc < 0)
			cp.stop = true;
		tail = (tail + 1) % COPY_RING;
		cp.filled--;
		pthread_cond_broadcast(&cp.c);
		pthread_mutex_unlock(&cp.m);
		if (wrc < 0)
			break;
		done = p->off + (int64_t)p->n;
		xd_vdi_progress_update(&prog, done);
	}
	pthread_join(reader, NULL);
	if (err->code)
		goto free; /* the writer's own failure */
	if (cp.err.code) {
		xd_error_copy(err, &cp.err);
		goto free;
	}
	if (done < size) {
		xd_error_setf(err, "INTERNAL_ERROR", "the copy stopped at %lld of %lld bytes",
			      (long long)done, (long long)size);
		goto free;
	}
	if (xd_vdi_data_flush(dst, err) < 0)
		goto free;
	xd_debug("vdi_data: copied %lld bytes (%lld written) from %s to %s", (long long)size,
		 (long long)written, src->uri, dst->uri);
	rc = 0;
free:
	for (size_t i = 0; i < COPY_RING; i++)
		free(cp.ring[i].buf);
	free(cp.bbuf);
	xd_error_clear(&cp.err);
	pthread_mutex_destroy(&cp.m);
	pthread_cond_destroy(&cp.c);
	return rc;
}
