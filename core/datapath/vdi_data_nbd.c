/* vdi_data_nbd.c - the NBD datapath backend (libnbd), for drivers whose
 * vdi_attach serves the VDI with an NBD server on a unix socket (qemu-nbd
 * for qcow2 images). */
#include "vdi_data_int.h"

#include <libnbd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"

static int nbd_failed(xd_error *err, const xd_vdi_data *d, const char *what)
{
	const char *why = nbd_get_error();
	return xd_error_setf(err, "VDI_IO_ERROR", "%s on %s: %s", what, d->uri, why ? why : "?");
}

/* Large requests go as several in flight at once: the server (qemu-nbd)
 * works on them in parallel, which a single request at a time leaves idle. */
#define NBD_PIECE ((size_t)512 << 10)

/* datapath_timeout in ms (60 s where no config was loaded: unit tests) */
static int64_t silence_ms(void)
{
	return xd_cfg.datapath_timeout > 0 ? (int64_t)(xd_cfg.datapath_timeout * 1000) : 60000;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A server that answers nothing for datapath_timeout (an NFS or iSCSI
 * server gone under qemu-nbd, which then retries for ever) fails the
 * transfer: the connection is closed, so that libnbd never touches our
 * buffers again, and every later request on it fails at once. */
static int timed_out(xd_vdi_data *d, const char *what, xd_error *err)
{
	xd_error_setf(err, "VDI_IO_ERROR", "%s on %s: no answer within %g s", what, d->uri,
		      (double)silence_ms() / 1000);
	nbd_close(d->nbd);
	d->nbd = NULL;
	return -1;
}

static int gone(xd_vdi_data *d, const char *what, xd_error *err)
{
	return xd_error_setf(err, "VDI_IO_ERROR", "%s on %s: the connection was dropped after "
			     "an earlier timeout", what, d->uri);
}

/* Waits for request c. *deadline moves on at every answer: the limit is on
 * silence, not on the length of a transfer. 0, -1 (the request failed:
 * the libnbd error), -2 (timed out: the handle is closed). */
static int wait_for(xd_vdi_data *d, int64_t c, int64_t *deadline)
{
	for (;;) {
		int r = nbd_aio_command_completed(d->nbd, (uint64_t)c);
		if (r != 0) {
			*deadline = now_ms() + silence_ms();
			return r < 0 ? -1 : 0;
		}
		int64_t left = *deadline - now_ms();
		if (left <= 0)
			return -2;
		if (nbd_poll(d->nbd, left < 1000 ? (int)left : 1000) < 0)
			return -1;
	}
}

static int64_t start_deadline(void)
{
	return now_ms() + silence_ms();
}

/* One request already sent, waited for. */
static int finish(xd_vdi_data *d, int64_t c, const char *what, xd_error *err)
{
	if (c < 0)
		return nbd_failed(err, d, what);
	int64_t deadline = start_deadline();
	int r = wait_for(d, c, &deadline);
	if (r == -2)
		return timed_out(d, what, err);
	return r < 0 ? nbd_failed(err, d, what) : 0;
}

static int n_io(xd_vdi_data *d, char *buf, size_t len, int64_t off, bool write, xd_error *err)
{
	const char *what = write ? "write" : "read";
	if (!d->nbd)
		return gone(d, what, err);
	int64_t cookies[(XD_VDI_DATA_CHUNK + NBD_PIECE - 1) / NBD_PIECE];
	size_t n = 0;
	size_t piece_max = len <= NBD_PIECE || len > XD_VDI_DATA_CHUNK ? len : NBD_PIECE;
	for (size_t done = 0; done < len; done += piece_max) {
		size_t piece = len - done < piece_max ? len - done : piece_max;
		nbd_completion_callback none = NBD_NULL_COMPLETION;
		int64_t c = write ? nbd_aio_pwrite(d->nbd, buf + done, piece, (uint64_t)off + done,
						   none, 0)
				  : nbd_aio_pread(d->nbd, buf + done, piece, (uint64_t)off + done,
						  none, 0);
		if (c < 0) {
			nbd_failed(err, d, what);
			break;
		}
		cookies[n++] = c;
	}
	/* wait for every request sent, even after a failure: buf is ours
	 * (unless the server went silent: then the handle is closed) */
	int rc = err->code ? -1 : 0;
	int64_t deadline = start_deadline();
	for (size_t i = 0; i < n; i++) {
		int r = wait_for(d, cookies[i], &deadline);
		if (r == -2) {
			if (rc == 0)
				return timed_out(d, what, err);
			nbd_close(d->nbd);
			d->nbd = NULL;
			return rc;
		}
		if (r < 0 && rc == 0)
			rc = nbd_failed(err, d, what);
		if (r < 0 && nbd_aio_in_flight(d->nbd) < 0)
			break; /* the connection is dead: nothing more will complete */
	}
	return rc;
}

static int n_read(xd_vdi_data *d, void *buf, size_t len, int64_t off, xd_error *err)
{
	return n_io(d, buf, len, off, false, err);
}

static int n_write(xd_vdi_data *d, const void *buf, size_t len, int64_t off, xd_error *err)
{
	/* libnbd only reads buf for a write */
	return n_io(d, (char *)buf, len, off, true, err);
}

static int n_zero(xd_vdi_data *d, size_t len, int64_t off, xd_error *err)
{
	if (!d->nbd)
		return gone(d, "zero", err);
	if (d->nbd_zero) {
		/* no NO_HOLE flag: the server may punch a hole */
		nbd_completion_callback none = NBD_NULL_COMPLETION;
		return finish(d, nbd_aio_zero(d->nbd, len, (uint64_t)off, none, 0), "zero", err);
	}
	size_t piece = len < XD_VDI_DATA_CHUNK ? len : XD_VDI_DATA_CHUNK;
	char *zeros = calloc(1, piece ? piece : 1);
	int rc = 0;
	if (!zeros)
		abort();
	while (len && rc == 0) {
		size_t n = len < piece ? len : piece;
		rc = n_write(d, zeros, n, off, err);
		len -= n;
		off += (int64_t)n;
	}
	free(zeros);
	return rc;
}

static int n_flush(xd_vdi_data *d, xd_error *err)
{
	if (!d->nbd)
		return gone(d, "flush", err);
	nbd_completion_callback none = NBD_NULL_COMPLETION;
	return d->nbd_flush ? finish(d, nbd_aio_flush(d->nbd, none, 0), "flush", err) : 0;
}

typedef struct extent_ctx {
	int64_t len;
	bool hole;
	bool got;
} extent_ctx;

/* The first extent of base:allocation's answer. */
static int first_extent(void *ud, const char *metacontext, uint64_t offset, uint32_t *entries,
			size_t nr_entries, int *error)
{
	extent_ctx *cx = ud;
	if (cx->got || strcmp(metacontext, LIBNBD_CONTEXT_BASE_ALLOCATION) != 0 || nr_entries < 2)
		return 0;
	cx->len = entries[0];
	cx->hole = (entries[1] & LIBNBD_STATE_ZERO) != 0;
	cx->got = true;
	return 0;
}

static int64_t n_extent(xd_vdi_data *d, int64_t off, int64_t len, bool *hole, xd_error *err)
{
	*hole = false;
	if (!d->nbd)
		return gone(d, "block status", err);
	if (!d->nbd_status)
		return len;
	extent_ctx cx = { 0 };
	nbd_extent_callback cb = { .callback = first_extent, .user_data = &cx };
	/* a request may not exceed 32 bits */
	uint64_t ask = len > (int64_t)0x7fffffff ? 0x7fffffff : (uint64_t)len;
	nbd_completion_callback none = NBD_NULL_COMPLETION;
	if (finish(d, nbd_aio_block_status(d->nbd, ask, (uint64_t)off, cb, none,
					   LIBNBD_CMD_FLAG_REQ_ONE), "block status", err) < 0)
		return -1;
	if (!cx.got || cx.len <= 0)
		return len;
	*hole = cx.hole;
	return cx.len < len ? cx.len : len;
}

static void n_close(xd_vdi_data *d)
{
	if (d->nbd) {
		nbd_shutdown(d->nbd, 0);
		nbd_close(d->nbd);
		d->nbd = NULL;
	}
}

static const xd_vdi_data_ops nbd_ops = {
	n_read, n_write, n_zero, n_flush, n_extent, n_close,
};

int xd_vdi_data_open_nbd(xd_vdi_data *d, xd_error *err)
{
	d->nbd = nbd_create();
	if (!d->nbd)
		return nbd_failed(err, d, "nbd_create");
	d->ops = &nbd_ops; /* from here on, close cleans up */
	/* ask for the allocation map so that copies can skip holes */
	nbd_add_meta_context(d->nbd, LIBNBD_CONTEXT_BASE_ALLOCATION);
	if (nbd_connect_uri(d->nbd, d->uri) < 0)
		return nbd_failed(err, d, "connect");
	int64_t size = nbd_get_size(d->nbd);
	if (size < 0)
		return nbd_failed(err, d, "get size");
	d->size = size;
	if (d->writable && nbd_is_read_only(d->nbd) == 1)
		return xd_error_setf(err, "VDI_IO_ERROR", "%s is served read-only", d->uri);
	d->nbd_zero = nbd_can_zero(d->nbd) == 1;
	d->nbd_flush = nbd_can_flush(d->nbd) == 1;
	d->nbd_status = nbd_can_meta_context(d->nbd, LIBNBD_CONTEXT_BASE_ALLOCATION) == 1;
	d->maps_holes = d->nbd_status;
	return 0;
}
