/* vdi_data.h - the bytes of a VDI, reached through the datapath URI its
 * driver's vdi_attach gave (xapi/storage.h):
 *     file:///path                    a raw file or block device (pread/pwrite)
 *     nbd+unix:///[NAME]?socket=PATH  an NBD server on a unix socket (libnbd)
 * and the block copy that VDI.copy and the HTTP transfers are built on.
 *
 * Owns: each open handle (a file descriptor or an NBD connection). A handle
 * is used by one thread at a time. I/O errors are VDI_IO_ERROR [what
 * happened], as xapi reports device I/O errors.
 */
#ifndef XD_VDI_DATA_H
#define XD_VDI_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Transfers move data in pieces of this size: never the whole disk. */
#define XD_VDI_DATA_CHUNK ((size_t)4 << 20)

typedef struct xd_vdi_data xd_vdi_data;

/* Opens the datapath. An unknown scheme or a malformed URI is
 * INTERNAL_ERROR naming it; a connection or open failure VDI_IO_ERROR. */
xd_vdi_data *xd_vdi_data_open(const char *uri, bool writable, xd_error *err);
void xd_vdi_data_close(xd_vdi_data *d);

/* Bytes the datapath holds (the VDI's virtual size, or more). */
int64_t xd_vdi_data_size(const xd_vdi_data *d);

/* Exactly len bytes at off (reading past the end is an error). */
int xd_vdi_data_read(xd_vdi_data *d, void *buf, size_t len, int64_t off, xd_error *err);
int xd_vdi_data_write(xd_vdi_data *d, const void *buf, size_t len, int64_t off,
		      xd_error *err);
/* Makes [off, off+len) read as zeros, leaving a hole where the backend can. */
int xd_vdi_data_zero(xd_vdi_data *d, size_t len, int64_t off, xd_error *err);
/* Commits written data to stable storage. */
int xd_vdi_data_flush(xd_vdi_data *d, xd_error *err);

/* From off, how many bytes (at most len, at least 1) are a hole (*hole
 * true: they read as zeros) or data (*hole false). Backends that cannot
 * tell say data. Returns the count, or -1 with err. */
int64_t xd_vdi_data_extent(xd_vdi_data *d, int64_t off, int64_t len, bool *hole,
			   xd_error *err);

/* Whether xd_vdi_data_extent tells holes from data (a regular file, an
 * NBD server with block status), rather than saying data everywhere (a
 * block device, an NBD server without it). */
bool xd_vdi_data_maps_holes(const xd_vdi_data *d);

/* Whether the buffer holds only zero bytes. */
bool xd_vdi_data_is_zero(const void *buf, size_t len);

/* Copies the first size bytes of src to dst in XD_VDI_DATA_CHUNK pieces.
 * Runs that read as zeros are not written when dst_zeroed (a fresh VDI
 * reads as zeros), else written as zeros (holes where dst can). With base
 * (may be NULL), only pieces where src differs from base are written
 * (dst holds base's data already: an incremental copy). Progress goes to
 * task (may be NULL) from p0 to p1; a cancelled task stops the copy with
 * TASK_CANCELLED [task]. */
int xd_vdi_data_copy(xd_vdi_data *src, xd_vdi_data *dst, xd_vdi_data *base, int64_t size,
		     bool dst_zeroed, const char *task, double p0, double p1, xd_error *err);

/* Progress of a transfer on a task, at most every ~0.5% or 1 s (each
 * update is a db write). */
typedef struct xd_vdi_progress {
	const char *task;
	double p0, p1;
	int64_t total;
	double last_fraction, last_time;
} xd_vdi_progress;
void xd_vdi_progress_init(xd_vdi_progress *p, const char *task, double p0, double p1,
			  int64_t total);
void xd_vdi_progress_update(xd_vdi_progress *p, int64_t done);

#endif
