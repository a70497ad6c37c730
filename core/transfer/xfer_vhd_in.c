/* xfer_vhd_in.c - a dynamic or differencing VHD read from a stream, front
 * to back, as vhd-tool's serve_vhd_to_raw does: footer, dynamic header,
 * BAT, then the blocks in the order of their place in the file; of each
 * block the sectors its bitmap marks are written over the VDI, the others
 * left as they are. So a differencing VHD (Xen Orchestra's delta backups)
 * imported into a copy of its parent gives the child. A stream has no way
 * back: a block placed before the end of the BAT or overlapping another
 * is a malformed VHD, as are bad cookies and checksums. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/tasks.h"
#include "transfer.h"
#include "vhd_format.h"

/* The largest block size accepted (the format allows any power of two;
 * every writer we know uses 2 MiB). */
#define VHD_MAX_BLOCK ((uint32_t)64 << 20)
/* At most this many BAT entries (2040 GiB in 2 MiB blocks is 1 044 480). */
#define VHD_MAX_ENTRIES ((uint32_t)1 << 24)

typedef struct placed {
	uint64_t sector; /* where the block's bitmap starts in the file */
	uint32_t block;  /* its index in the disk */
} placed;

static int cmp_placed(const void *a, const void *b)
{
	const placed *x = a, *y = b;
	return x->sector < y->sector ? -1 : x->sector > y->sector;
}

static int bad(xd_error *err, const char *why)
{
	xd_error_setf(err, "VDI_IO_ERROR", "not a valid VHD stream: %s", why);
	return -1;
}

/* The block layout of the VHD being read (the sink's context). */
typedef struct block_shape {
	uint32_t block_size;
	size_t bitmap_len;
	int64_t limit; /* the disk's size */
} block_shape;

/* Writes the sectors of one block that its bitmap marks, in runs: the
 * sink's writer, piece = the bitmap then the data, start = the block's
 * place in the disk. */
static int write_block(void *ctx, xd_vdi_data *d, const char *piece, size_t piece_len,
		       int64_t start, xd_error *err)
{
	const block_shape *sh = ctx;
	const unsigned char *bitmap = (const unsigned char *)piece;
	const char *data = piece + sh->bitmap_len;
	uint32_t block_size = sh->block_size;
	int64_t limit = sh->limit;
	uint32_t sectors = block_size / VHD_SECTOR;
	(void)piece_len;
	uint32_t s = 0;
	while (s < sectors) {
		if (!(bitmap[s / 8] & (0x80 >> (s % 8)))) {
			s++;
			continue;
		}
		uint32_t e = s;
		while (e < sectors && (bitmap[e / 8] & (0x80 >> (e % 8))))
			e++;
		int64_t off = start + (int64_t)s * VHD_SECTOR;
		int64_t end = start + (int64_t)e * VHD_SECTOR;
		if (end > limit)
			end = limit; /* sectors past the disk's end carry nothing */
		if (off < end) {
			size_t len = (size_t)(end - off);
			const char *p = data + (size_t)s * VHD_SECTOR;
			if (xd_xfer_put(d, p, len, off, err) < 0)
				return -1;
		}
		s = e;
	}
	return 0;
}

int xd_vhd_import(xd_xfer_in *in, xd_vdi_data *d, int64_t size, const char *vdi, xd_error *err)
{
	unsigned char footer[VHD_FOOTER], header[VHD_HEADER], tail[VHD_FOOTER];
	unsigned char *bat = NULL;
	placed *order = NULL;
	xd_xfer_sink *sink = NULL;
	int rc = -1;

	if (xd_xfer_read(in, footer, sizeof(footer), "the VHD footer", err) < 0)
		return -1;
	if (memcmp(footer + VHD_F_COOKIE, "conectix", 8) != 0)
		return bad(err, "no footer cookie at the start (only dynamic and differencing VHDs "
				"can be streamed)");
	if (vhd_get32(footer + VHD_F_CHECKSUM) != vhd_checksum(footer, VHD_FOOTER, VHD_F_CHECKSUM))
		return bad(err, "footer checksum mismatch");
	uint32_t type = vhd_get32(footer + VHD_F_DISK_TYPE);
	if (type != VHD_TYPE_DYNAMIC && type != VHD_TYPE_DIFFERENCING)
		return bad(err, "only dynamic and differencing VHDs can be streamed");
	uint64_t vsize = vhd_get64(footer + VHD_F_CURRENT_SIZE);
	if (vsize > (uint64_t)size) {
		char want[32];
		snprintf(want, sizeof(want), "%llu", (unsigned long long)vsize);
		xd_error_set(err, "VDI_TOO_SMALL", vdi, want, NULL);
		return -1;
	}
	uint64_t hoff = vhd_get64(footer + VHD_F_DATA_OFFSET);
	if (hoff < VHD_FOOTER || hoff > (uint64_t)1 << 40)
		return bad(err, "dynamic header offset out of range");
	if (xd_xfer_skip(in, (int64_t)hoff - in->pos, "the VHD", err) < 0 ||
	    xd_xfer_read(in, header, sizeof(header), "the VHD header", err) < 0)
		return -1;
	if (memcmp(header + VHD_H_COOKIE, "cxsparse", 8) != 0)
		return bad(err, "no dynamic header cookie");
	if (vhd_get32(header + VHD_H_CHECKSUM) != vhd_checksum(header, VHD_HEADER, VHD_H_CHECKSUM))
		return bad(err, "dynamic header checksum mismatch");
	uint64_t toff = vhd_get64(header + VHD_H_TABLE_OFFSET);
	uint32_t entries = vhd_get32(header + VHD_H_MAX_ENTRIES);
	uint32_t block_size = vhd_get32(header + VHD_H_BLOCK_SIZE);
	if (block_size < VHD_SECTOR || block_size > VHD_MAX_BLOCK || (block_size & (block_size - 1)))
		return bad(err, "block size out of range");
	if (entries > VHD_MAX_ENTRIES || (uint64_t)entries * block_size < vsize)
		return bad(err, "the BAT does not cover the disk");
	if (toff < (uint64_t)in->pos || toff > (uint64_t)1 << 40)
		return bad(err, "BAT offset out of range");
	size_t bitmap_len = ((block_size / VHD_SECTOR / 8) + VHD_SECTOR - 1) / VHD_SECTOR * VHD_SECTOR;
	bat = malloc((size_t)entries * 4 + 1);
	order = malloc(sizeof(*order) * ((size_t)entries + 1));
	if (!bat || !order)
		abort();
	if (xd_xfer_skip(in, (int64_t)toff - in->pos, "the VHD", err) < 0 ||
	    xd_xfer_read(in, bat, (size_t)entries * 4, "the VHD's BAT", err) < 0)
		goto out;
	size_t n = 0;
	for (uint32_t i = 0; i < entries; i++) {
		uint32_t s = vhd_get32(bat + (size_t)i * 4);
		if (s != VHD_BAT_UNUSED)
			order[n++] = (placed){ .sector = s, .block = i };
	}
	qsort(order, n, sizeof(*order), cmp_placed);
	xd_vdi_progress prog;
	bool by_body = in->limit > 0;
	xd_vdi_progress_init(&prog, in->task, 0.0, 1.0, by_body ? in->limit : (int64_t)n);
	/* blocks are written by the sink's thread while the next ones come */
	block_shape shape = { block_size, bitmap_len, (int64_t)vsize };
	sink = xd_xfer_sink_start(d, bitmap_len + block_size, write_block, &shape, err);
	if (!sink)
		goto out;
	for (size_t i = 0; i < n; i++) {
		int64_t at = (int64_t)order[i].sector * VHD_SECTOR;
		if (at < in->pos)
			goto overlap;
		char *piece = xd_xfer_sink_buf(sink, err);
		if (!piece || xd_xfer_skip(in, at - in->pos, "the VHD", err) < 0 ||
		    xd_xfer_read(in, piece, bitmap_len, "a VHD block's bitmap", err) < 0 ||
		    xd_xfer_read(in, piece + bitmap_len, block_size, "a VHD block", err) < 0)
			goto out;
		xd_xfer_sink_put(sink, bitmap_len + block_size, (int64_t)order[i].block * block_size);
		xd_vdi_progress_update(&prog, by_body ? in->pos : (int64_t)i + 1);
	}
	if (xd_xfer_sink_end(sink, err) < 0) {
		sink = NULL;
		goto out;
	}
	sink = NULL;
	/* the footer copy ends the file: a stream without it was cut short.
	 * A body of unknown length ends with the footer (the client may keep
	 * its side open); else what is left is read, the last 512 bytes kept */
	size_t have = 0;
	if (in->limit < 0) {
		if (xd_xfer_read(in, tail, sizeof(tail), "the VHD's last footer", err) < 0)
			goto out;
		have = sizeof(tail);
	}
	while (in->limit >= 0) {
		char buf[65536];
		int64_t got = xd_xfer_read_some(in, buf, sizeof(buf), err);
		if (got < 0)
			goto out;
		if (got == 0)
			break;
		if ((size_t)got >= sizeof(tail)) {
			memcpy(tail, buf + got - sizeof(tail), sizeof(tail));
			have = sizeof(tail);
		} else {
			size_t room = sizeof(tail) - (size_t)got;
			size_t keep = have < room ? have : room;
			memmove(tail, tail + have - keep, keep);
			memcpy(tail + keep, buf, (size_t)got);
			have = keep + (size_t)got;
		}
	}
	if (have < sizeof(tail) || memcmp(tail + VHD_F_COOKIE, "conectix", 8) != 0) {
		bad(err, "the footer at the end is missing (truncated?)");
		goto out;
	}
	rc = xd_vdi_data_flush(d, err);
	goto out;
overlap:
	bad(err, "blocks overlap or precede the BAT");
out:
	/* the blocks received whole are written, as before a failure when each
	 * was written as it came; a write's failure comes first */
	if (xd_xfer_sink_end(sink, err) < 0)
		rc = -1;
	free(bat);
	free(order);
	return rc;
}
