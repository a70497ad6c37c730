/* xfer_raw.c - raw imports: a plain body written from the start of the
 * disk, and xapi's sparse "chunked" raw encoding
 * (vhd-tool's serve_chunked_to_raw): per chunk a 12-byte header, a
 * little-endian u64 offset and u32 length, then that many bytes to write at
 * the offset; the header {0, 0} ends the stream. Every header is checked
 * against the VDI before a byte of its chunk is written, and the stream
 * must end with the end header (and nothing after it): a raw body sent
 * with chunked=true fails instead of landing in the disk. */
#include <stdio.h>
#include <string.h>

#include "tasks/tasks.h"
#include "transfer.h"

#define CHUNK_HEADER 12

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Whether [off, off+len) of d reads as zeros already (false when the
 * datapath cannot tell, or the question fails: then it is zeroed). */
static bool reads_as_zeros(xd_vdi_data *d, size_t len, int64_t off)
{
	if (!xd_vdi_data_maps_holes(d))
		return false;
	for (size_t done = 0; done < len;) {
		bool hole;
		xd_error e = XD_ERROR_INIT;
		int64_t n = xd_vdi_data_extent(d, off + (int64_t)done, (int64_t)(len - done), &hole, &e);
		xd_error_clear(&e);
		if (n < 0 || !hole)
			return false;
		done += (size_t)n;
	}
	return true;
}

int xd_xfer_put(xd_vdi_data *d, const void *buf, size_t len, int64_t off, xd_error *err)
{
	if (!xd_vdi_data_is_zero(buf, len))
		return xd_vdi_data_write(d, buf, len, off, err);
	/* zeros become holes: an import keeps the VDI sparse. Where the VDI
	 * reads as zeros already (most of a raw import into a fresh VDI),
	 * nothing is written: asking is one cheap block status, where a zero
	 * request makes qemu-nbd update the qcow2's tables for every cluster */
	return reads_as_zeros(d, len, off) ? 0 : xd_vdi_data_zero(d, len, off, err);
}

int xd_xfer_import_raw(xd_xfer_in *in, xd_vdi_data *d, int64_t total, xd_error *err)
{
	int64_t off = 0;
	xd_vdi_progress prog;
	xd_xfer_sink *sink = xd_xfer_sink_start(d, XD_VDI_DATA_CHUNK, NULL, NULL, err);
	if (!sink)
		return -1;
	xd_vdi_progress_init(&prog, in->task, 0.0, 1.0, total);
	while (off < total) {
		size_t n = total - off < (int64_t)XD_VDI_DATA_CHUNK ? (size_t)(total - off)
								    : XD_VDI_DATA_CHUNK;
		char *buf = xd_xfer_sink_buf(sink, err);
		if (!buf || xd_xfer_read(in, buf, n, "the raw disk", err) < 0)
			break;
		xd_xfer_sink_put(sink, n, off);
		off += (int64_t)n;
		xd_vdi_progress_update(&prog, off);
	}
	if (xd_xfer_sink_end(sink, err) < 0 || off < total)
		return -1;
	return xd_vdi_data_flush(d, err);
}

int xd_xfer_import_chunked(xd_xfer_in *in, xd_vdi_data *d, int64_t size, const char *vdi,
			   xd_error *err)
{
	unsigned char head[CHUNK_HEADER];
	xd_vdi_progress prog;
	int64_t reached = 0;
	int rc = -1;
	xd_xfer_sink *sink = xd_xfer_sink_start(d, XD_VDI_DATA_CHUNK, NULL, NULL, err);
	if (!sink)
		return -1;
	/* by the body's bytes when it has a length, else by how far into the
	 * disk the chunks reached (they come in order from xapi's clients) */
	bool by_body = in->limit > 0;
	xd_vdi_progress_init(&prog, in->task, 0.0, 1.0, by_body ? in->limit : size);
	for (;;) {
		if (xd_xfer_read(in, head, sizeof(head), "a chunk header", err) < 0)
			goto out;
		uint64_t off = le64(head);
		uint32_t len = le32(head + 8);
		if (off == 0 && len == 0)
			break;
		if (off > (uint64_t)size || len > (uint64_t)size - off) {
			char end[32];
			snprintf(end, sizeof(end), "%llu", (unsigned long long)(off + len));
			xd_error_set(err, "VDI_TOO_SMALL", vdi, end, NULL);
			goto out;
		}
		int64_t at = (int64_t)off, left = len;
		while (left > 0) {
			size_t n = left < (int64_t)XD_VDI_DATA_CHUNK ? (size_t)left : XD_VDI_DATA_CHUNK;
			char *buf = xd_xfer_sink_buf(sink, err);
			if (!buf || xd_xfer_read(in, buf, n, "a chunk's data", err) < 0)
				goto out;
			xd_xfer_sink_put(sink, n, at);
			at += (int64_t)n;
			left -= (int64_t)n;
			if (at > reached)
				reached = at;
			xd_vdi_progress_update(&prog, by_body ? in->pos : reached);
		}
	}
	if (xd_xfer_left(in) > 0) {
		xd_error_setf(err, "VDI_IO_ERROR",
			      "%lld bytes follow the end of the chunked stream",
			      (long long)xd_xfer_left(in));
		goto out;
	}
	rc = 0;
out:
	/* every piece received whole is written, also before a failure (as
	 * when each was written as it came) */
	if (xd_xfer_sink_end(sink, err) < 0 || rc < 0)
		return -1;
	rc = xd_vdi_data_flush(d, err);
	xd_vdi_progress_update(&prog, by_body ? in->limit : size);
	return rc;
}
