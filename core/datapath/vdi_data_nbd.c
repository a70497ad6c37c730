/* vdi_data_nbd.c - the NBD datapath backend (libnbd), for drivers whose
 * vdi_attach serves the VDI with an NBD server on a unix socket (qemu-nbd
 * for qcow2 images). */
#include "vdi_data_int.h"

#include <libnbd.h>
#include <stdlib.h>
#include <string.h>

static int nbd_failed(xd_error *err, const xd_vdi_data *d, const char *what)
{
	const char *why = nbd_get_error();
	return xd_error_setf(err, "VDI_IO_ERROR", "%s on %s: %s", what, d->uri, why ? why : "?");
}

/* Large requests go as several in flight at once: the server (qemu-nbd)
 * works on them in parallel, which a single request at a time leaves idle. */
#define NBD_PIECE ((size_t)512 << 10)

static int n_io(xd_vdi_data *d, char *buf, size_t len, int64_t off, bool write, xd_error *err)
{
	int64_t cookies[(XD_VDI_DATA_CHUNK + NBD_PIECE - 1) / NBD_PIECE];
	size_t n = 0;
	if (len <= NBD_PIECE || len > XD_VDI_DATA_CHUNK) {
		int rc = write ? nbd_pwrite(d->nbd, buf, len, (uint64_t)off, 0)
			       : nbd_pread(d->nbd, buf, len, (uint64_t)off, 0);
		return rc < 0 ? nbd_failed(err, d, write ? "write" : "read") : 0;
	}
	for (size_t done = 0; done < len; done += NBD_PIECE) {
		size_t piece = len - done < NBD_PIECE ? len - done : NBD_PIECE;
		nbd_completion_callback none = NBD_NULL_COMPLETION;
		int64_t c = write ? nbd_aio_pwrite(d->nbd, buf + done, piece, (uint64_t)off + done,
						   none, 0)
				  : nbd_aio_pread(d->nbd, buf + done, piece, (uint64_t)off + done,
						  none, 0);
		if (c < 0) {
			nbd_failed(err, d, write ? "write" : "read");
			break;
		}
		cookies[n++] = c;
	}
	/* wait for every request sent, even after a failure: buf is ours */
	int rc = err->code ? -1 : 0;
	for (size_t i = 0; i < n; i++) {
		int r;
		while ((r = nbd_aio_command_completed(d->nbd, (uint64_t)cookies[i])) == 0)
			if (nbd_poll(d->nbd, -1) < 0) {
				r = -1;
				break;
			}
		if (r < 0 && rc == 0)
			rc = nbd_failed(err, d, write ? "write" : "read");
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
	if (d->nbd_zero) {
		/* no NO_HOLE flag: the server may punch a hole */
		if (nbd_zero(d->nbd, len, (uint64_t)off, 0) < 0)
			return nbd_failed(err, d, "zero");
		return 0;
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
	if (d->nbd_flush && nbd_flush(d->nbd, 0) < 0)
		return nbd_failed(err, d, "flush");
	return 0;
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
	if (!d->nbd_status)
		return len;
	extent_ctx cx = { 0 };
	nbd_extent_callback cb = { .callback = first_extent, .user_data = &cx };
	/* a request may not exceed 32 bits */
	uint64_t ask = len > (int64_t)0x7fffffff ? 0x7fffffff : (uint64_t)len;
	if (nbd_block_status(d->nbd, ask, (uint64_t)off, cb, LIBNBD_CMD_FLAG_REQ_ONE) < 0)
		return nbd_failed(err, d, "block status");
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
	return 0;
}
