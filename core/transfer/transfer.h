/* transfer.h - disk images as byte streams, the encodings of xapi's HTTP
 * data paths (vhd-tool's, stream_vdi.ml's):
 *
 *   raw, chunked   import: xapi's sparse encoding (per chunk a little-endian
 *                  u64 offset and u32 length, then the data; a zero-length
 *                  chunk at offset 0 ends the stream)
 *   vhd            export: a dynamic VHD (footer, header, BAT, per block a
 *                  sector bitmap and its data; only allocated blocks, or with
 *                  a base only the blocks that differ); import: a dynamic or
 *                  differencing VHD read front to back, its allocated
 *                  sectors written over the VDI
 *   tar (XVA)      the pieces of an XVA: tar members, and a VDI as
 *                  Ref:<id>/<8 digits> chunks of 1 MiB with a .checksum each
 *
 * A stream in is the body of an HTTP request read through xd_xfer_in
 * (bounded by its Content-Length, or until the client closes); a stream out is a
 * socket written through xd_xfer_out. Both watch a task: a cancel stops a
 * transfer within a second with TASK_CANCELLED [task], even while the
 * client sends or reads nothing. Malformed streams are VDI_IO_ERROR [why]
 * (vhd-tool's failures reach xapi's clients as that too); nothing is
 * written for a chunk or block that is not whole and valid.
 *
 * Owns: nothing beyond each call; the caller owns sockets and datapaths.
 */
#ifndef XD_TRANSFER_H
#define XD_TRANSFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath/vdi_data.h"
#include "error.h"
#include "http/http.h"

/* ---- streams ---------------------------------------------------------------- */

struct xd_xfer_unzip;

typedef struct xd_xfer_in {
	int fd;
	const char *prefix;    /* body bytes the HTTP layer read already */
	size_t prefix_len, prefix_used;
	int64_t limit;         /* body bytes announced; -1: until the client closes */
	int64_t pos;           /* stream bytes consumed */
	const char *task;      /* may be NULL */
	struct xd_xfer_unzip *unzip; /* set by xd_xfer_in_uncompress, else NULL */
	int64_t cancel_checked_ms;   /* when the task was last looked at */
} xd_xfer_in;

void xd_xfer_in_init(xd_xfer_in *in, const xd_http_request *req, const char *task);
/* Exactly len bytes. At the end of the stream: -1 with VDI_IO_ERROR
 * naming what (truncated); a cancel: TASK_CANCELLED. */
int xd_xfer_read(xd_xfer_in *in, void *buf, size_t len, const char *what, xd_error *err);
/* Up to len bytes, 0 at the end of the stream. */
int64_t xd_xfer_read_some(xd_xfer_in *in, void *buf, size_t len, xd_error *err);
/* Drops n bytes. */
int xd_xfer_skip(xd_xfer_in *in, int64_t n, const char *what, xd_error *err);
/* Bytes of the body not consumed yet (-1: unknown). */
int64_t xd_xfer_left(const xd_xfer_in *in);

/* xfer_unzip.c: if the stream starts with a gzip or zstd frame (an XVA
 * exported with use_compression=), every read from in after this gives the
 * uncompressed bytes, through zlib or libzstd in this process. 0 (also for
 * a plain stream), or -1 with err. A stream that is not what its frames say
 * fails its reads with IMPORT_ERROR [why]. xd_xfer_in_end frees it. */
int xd_xfer_in_uncompress(xd_xfer_in *in, xd_error *err);
void xd_xfer_in_end(xd_xfer_in *in);
/* Is the stream being decompressed? */
bool xd_xfer_unzip_compressed(const xd_xfer_in *in);
/* The compressed read of xd_xfer_read_some (xfer_io.c calls it). */
int64_t xd_xfer_unzip_read(xd_xfer_in *in, void *buf, size_t len, xd_error *err);
/* xfer_io.c: the body's bytes as they come, compressed or not. */
int64_t xd_xfer_read_wire(xd_xfer_in *in, void *buf, size_t len, xd_error *err);

/* xfer_chunked.c: an HTTP chunked body (Transfer-Encoding: chunked) read
 * through in (whose limit is -1): its data bytes, up to len at a time, 0
 * after the last chunk and the trailer. Bad framing or a body cut short:
 * -1 with INTERNAL_ERROR [why]; a cancel: TASK_CANCELLED. */
typedef struct xd_xfer_dechunk {
	xd_xfer_in *in;
	int64_t left;          /* data bytes left in the current chunk */
	bool started, done;    /* a size line was read; the last chunk was */
} xd_xfer_dechunk;

void xd_xfer_dechunk_init(xd_xfer_dechunk *d, xd_xfer_in *in);
int64_t xd_xfer_dechunk_read(xd_xfer_dechunk *d, void *buf, size_t len, xd_error *err);

typedef struct xd_xfer_out {
	int fd;
	int64_t sent;
	const char *task;
	/* Called once, before the write that reaches total bytes: what must be
	 * done before the client can see the end (the task completed, the VDI
	 * detached), so that its next call finds them so. */
	int64_t total;
	void (*before_end)(void *ctx);
	void *ctx;
	int64_t cancel_checked_ms; /* when the task was last looked at (0: never) */
} xd_xfer_out;

int xd_xfer_write(xd_xfer_out *out, const void *buf, size_t len, xd_error *err);
/* len bytes of the regular file fd from off, as xd_xfer_write (the kernel
 * moves them: sendfile). */
int xd_xfer_write_file(xd_xfer_out *out, int fd, int64_t off, size_t len, xd_error *err);

/* ---- the datapath beside the socket (xfer_pipe.c) ------------------------------ */

/* Imports: a thread writes the pieces the caller received, by write(ctx,
 * d, piece, its len, its off) (NULL: xd_xfer_put, zeros as holes) while the
 * caller receives the next ones. d is the thread's until xd_xfer_sink_end. */
typedef int (*xd_xfer_sink_write_fn)(void *ctx, xd_vdi_data *d, const char *buf, size_t len,
				     int64_t off, xd_error *err);
typedef struct xd_xfer_sink xd_xfer_sink;
xd_xfer_sink *xd_xfer_sink_start(xd_vdi_data *d, size_t piece_max, xd_xfer_sink_write_fn write,
				 void *ctx, xd_error *err);
/* A buffer of piece_max bytes to fill (waits for a free one); NULL with
 * the thread's error once a write failed. */
char *xd_xfer_sink_buf(xd_xfer_sink *s, xd_error *err);
/* The buffer got from xd_xfer_sink_buf, len bytes of it, to go at off. */
void xd_xfer_sink_put(xd_xfer_sink *s, size_t len, int64_t off);
/* Waits until every piece is written and frees s (NULL: 0). -1 when a
 * write failed: its error replaces err (it was about earlier bytes). */
int xd_xfer_sink_end(xd_xfer_sink *s, xd_error *err);

/* Exports: a thread reads ahead the pieces next names (0 and *off, *len
 * bytes of the datapath, *total >= *len bytes of piece, zeros after len;
 * total at most piece_max and not 0; 1: no more; -1 with err: failed),
 * holes as zeros without reading, while the caller sends earlier ones.
 * next runs in that thread (it may look at d's extents); d is the
 * thread's until the last piece is handed out. */
typedef int (*xd_xfer_source_next_fn)(void *ctx, int64_t *off, size_t *len, size_t *total,
				      xd_error *err);
typedef struct xd_xfer_source xd_xfer_source;
xd_xfer_source *xd_xfer_source_start(xd_vdi_data *d, size_t piece_max,
				     xd_xfer_source_next_fn next, void *ctx, xd_error *err);
/* The next piece in order: its bytes (valid until the next call) and
 * where it came from (off may be NULL); returns its length, 0 after the
 * last, -1 with err (a read failed). */
int64_t xd_xfer_source_next(xd_xfer_source *s, const char **buf, int64_t *off, xd_error *err);
void xd_xfer_source_end(xd_xfer_source *s);

/* ---- raw, chunked --------------------------------------------------------------- */

/* Writes len bytes at off, a run of zeros as a hole (imports keep VDIs
 * sparse). */
int xd_xfer_put(xd_vdi_data *d, const void *buf, size_t len, int64_t off, xd_error *err);
/* A raw body of total bytes written from the start of d. */
int xd_xfer_import_raw(xd_xfer_in *in, xd_vdi_data *d, int64_t total, xd_error *err);

/* Reads the sparse chunked stream into d (size bytes: a chunk beyond is
 * VDI_TOO_SMALL [vdi, end]). Progress goes to the task by the stream's
 * bytes when the body's length is known. */
int xd_xfer_import_chunked(xd_xfer_in *in, xd_vdi_data *d, int64_t size, const char *vdi,
			   xd_error *err);

/* ---- vhd ------------------------------------------------------------------------ */

/* xapi's Constants.max_vhd_size: 2040 GiB. Larger VDIs export as VHD with
 * VDI_TOO_LARGE [vdi, max]. */
#define XD_VHD_MAX_SIZE ((int64_t)2040 << 30)

typedef struct xd_vhd_plan xd_vhd_plan;
/* Which blocks of src (size bytes) a VHD export sends: those holding data,
 * or with base (may be NULL) those that differ from base. Reading both
 * counts as the first half of the task's progress when base is given. */
xd_vhd_plan *xd_vhd_plan_make(xd_vdi_data *src, xd_vdi_data *base, int64_t size,
			      const char *task, xd_error *err);
void xd_vhd_plan_free(xd_vhd_plan *p);
/* The bytes of the VHD the plan makes (its Content-Length). */
int64_t xd_vhd_plan_bytes(const xd_vhd_plan *p);
/* Writes the VHD. uuid (36 chars, may be NULL) becomes its unique id. */
int xd_vhd_export(const xd_vhd_plan *p, xd_vdi_data *src, xd_xfer_out *out, const char *uuid,
		  xd_error *err);

/* Reads a dynamic or differencing VHD and writes its allocated sectors into
 * d (size bytes). A VHD larger than size: VDI_TOO_SMALL [vdi, its size]. */
int xd_vhd_import(xd_xfer_in *in, xd_vdi_data *d, int64_t size, const char *vdi, xd_error *err);

/* ---- qcow2 (xfer_qcow2.c) -------------------------------------------------------- */

/* The VDI at the datapath uri (not open elsewhere meanwhile) converted to
 * qcow2 by qemu-img into a staging file ($TMPDIR, default /var/tmp), then
 * head(ctx, its length) is called (the HTTP head) and the file is written
 * to out. With base_uri (may be NULL; the base's datapath) only the
 * clusters that differ from the base are in it (a delta that names no
 * backing file). Progress: 0.5 when converted, then by bytes sent. */
int xd_qcow2_export(const char *uri, const char *base_uri, xd_xfer_out *out,
		    int (*head)(void *ctx, int64_t length), void *ctx, const char *task,
		    xd_error *err);
/* The body (a qcow2 image) spooled to a staging file, then the clusters it
 * holds written over the datapath uri by qemu-img (the others left as they
 * are: a delta imported over its base gives the child). size bytes: a
 * larger image is VDI_TOO_SMALL [vdi, its size]; not a qcow2: VDI_IO_ERROR. */
int xd_qcow2_import(xd_xfer_in *in, const char *uri, int64_t size, const char *vdi,
		    xd_error *err);

/* ---- tar, XVA --------------------------------------------------------------------- */

/* An XVA cuts each disk in chunks of this size (xapi's stream_vdi.ml). */
#define XD_XVA_CHUNK ((int64_t)1 << 20)

typedef struct xd_tar_member {
	char name[256];
	int64_t size;
} xd_tar_member;

#define XD_TAR_BLOCK 512
/* The ustar header (XD_TAR_BLOCK bytes) of a member of len bytes. */
void xd_tar_header(unsigned char *h, const char *name, size_t len);
/* One member (a ustar header, the data, the padding). */
int xd_tar_write(xd_xfer_out *out, const char *name, const void *data, size_t len,
		 xd_error *err);
/* The end of the archive (two zero blocks). */
int xd_tar_write_end(xd_xfer_out *out, xd_error *err);
/* The next member's header: 1 and *m, 0 at the end of the archive, -1 with
 * err (IMPORT_ERROR_PREMATURE_EOF when the stream ends first,
 * IMPORT_ERROR [why] for a malformed header). */
int xd_tar_next(xd_xfer_in *in, xd_tar_member *m, xd_error *err);
/* The member's data (len == m->size) and its padding. */
int xd_tar_read(xd_xfer_in *in, const xd_tar_member *m, void *buf, xd_error *err);
int xd_tar_skip(xd_xfer_in *in, const xd_tar_member *m, xd_error *err);

/* Writes the disk d (size bytes) as prefix/00000000, prefix/00000001 ...
 * members of XD_XVA_CHUNK bytes, each followed by prefix/<n>.xxhash (its
 * XXH64 in 16 upper-case hex digits), as xapi's stream_vdi.ml: chunks that
 * read as zeros are left out but for the first and the last. prog gets
 * *done (bytes of disks gone through) as it goes. */
int xd_xva_send_disk(xd_xfer_out *out, xd_vdi_data *d, int64_t size, const char *prefix,
		     xd_vdi_progress *prog, int64_t *done, xd_error *err);
/* The data member m (prefix/<n>) whose header was read: its data goes to
 * sink (pieces of XD_XVA_CHUNK) for n * XD_XVA_CHUNK of the disk (size
 * bytes) once the checksum member that must follow is read and compared
 * (.xxhash: XXH64; .checksum: SHA-1 of pre-2017 XVAs; another extension is
 * IMPORT_ERROR; a mismatch is IMPORT_ERROR_SOME_CHECKSUMS_FAILED unless
 * force). */
int xd_xva_recv_chunk(xd_xfer_in *in, const xd_tar_member *m, const char *prefix,
		      xd_xfer_sink *sink, int64_t size, bool force, xd_error *err);

/* format=tar of /import_raw_vdi (stream_vdi.ml's): the disk d (size
 * bytes) as prefix/<8 digits> chunks with their checksums, in increasing
 * order, up to the chunk that ends the disk (what follows it, the end of
 * the archive, is the caller's). A member out of order or not a chunk:
 * IMPORT_ERROR [why]; the end of the archive first:
 * IMPORT_ERROR_PREMATURE_EOF; a bad checksum:
 * IMPORT_ERROR_SOME_CHECKSUMS_FAILED (never forced, as xapi). */
int xd_tar_vdi_import(xd_xfer_in *in, xd_vdi_data *d, int64_t size, const char *prefix,
		      xd_error *err);

#endif
