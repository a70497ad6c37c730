/* xfer_vhd_out.c - a VDI exported as a dynamic VHD, as xapi's vhd-tool
 * writes one from a raw disk: footer copy, dynamic header, BAT, the blocks
 * in disk order (each a bitmap with every sector present, then 2 MiB of
 * data), the footer. The blocks sent are chosen first (the plan), so that
 * the BAT and the Content-Length are known before the first byte: blocks
 * that hold data by the datapath's allocation map (SEEK_DATA/SEEK_HOLE on a
 * file, NBD block status: nothing is read to plan, and a 10 GiB disk with
 * 100 MiB of data costs the 100 MiB; where the datapath cannot tell, a
 * block device, the blocks are read and those of zeros left out), or with
 * a base the blocks whose bytes differ from it (a delta: applied over the
 * base, it gives the disk; both are read to plan). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "tasks/tasks.h"
#include "transfer.h"
#include "vhd_format.h"

/* seconds from the Unix epoch to the VHD one (2000-01-01 00:00:00 UTC) */
#define VHD_EPOCH 946684800

struct xd_vhd_plan {
	int64_t size;       /* the VDI's bytes */
	uint32_t nblocks;   /* BAT entries */
	uint32_t nsent;     /* blocks in the file */
	unsigned char *sent;/* per block: 1 if in the file */
	const char *task;
	double p0;          /* where the export's own progress starts */
};

static int64_t bat_bytes(uint32_t nblocks)
{
	return ((int64_t)nblocks * 4 + VHD_SECTOR - 1) / VHD_SECTOR * VHD_SECTOR;
}

static int64_t block_bytes(void)
{
	return VHD_SECTOR + (int64_t)VHD_BLOCK; /* bitmap (4096 bits) + data */
}

int64_t xd_vhd_plan_bytes(const xd_vhd_plan *p)
{
	return VHD_FOOTER + VHD_HEADER + bat_bytes(p->nblocks) + (int64_t)p->nsent * block_bytes() +
	       VHD_FOOTER;
}

void xd_vhd_plan_free(xd_vhd_plan *p)
{
	if (p) {
		free(p->sent);
		free(p);
	}
}

/* Whether [off, off+len) has a data extent (holes read as zeros). */
static int has_data(xd_vdi_data *d, int64_t off, int64_t len, xd_error *err)
{
	while (len > 0) {
		bool hole;
		int64_t n = xd_vdi_data_extent(d, off, len, &hole, err);
		if (n < 0)
			return -1;
		if (!hole)
			return 1;
		off += n;
		len -= n;
	}
	return 0;
}

xd_vhd_plan *xd_vhd_plan_make(xd_vdi_data *src, xd_vdi_data *base, int64_t size,
			      const char *task, xd_error *err)
{
	xd_vhd_plan *p = calloc(1, sizeof(*p));
	char *a = malloc(VHD_BLOCK), *b = base ? malloc(VHD_BLOCK) : NULL;
	xd_vdi_progress prog;
	if (!p || !a || (base && !b))
		abort();
	p->size = size;
	p->task = task;
	p->nblocks = (uint32_t)((size + VHD_BLOCK - 1) / VHD_BLOCK);
	p->sent = calloc(p->nblocks ? p->nblocks : 1, 1);
	if (!p->sent)
		abort();
	p->p0 = base ? 0.5 : 0.0;
	xd_vdi_progress_init(&prog, task, 0.0, p->p0, size);
	for (uint32_t i = 0; i < p->nblocks; i++) {
		if (task && xd_task_cancelling(task)) {
			xd_error_set(err, "TASK_CANCELLED", task, NULL);
			goto fail;
		}
		int64_t off = (int64_t)i * VHD_BLOCK;
		size_t len = size - off < (int64_t)VHD_BLOCK ? (size_t)(size - off) : VHD_BLOCK;
		int in_src = has_data(src, off, (int64_t)len, err);
		int in_base = base ? has_data(base, off, (int64_t)len, err) : 0;
		if (in_src < 0 || in_base < 0)
			goto fail;
		if (!in_src && !in_base)
			continue; /* both read as zeros: nothing to read */
		if (!base && xd_vdi_data_maps_holes(src)) {
			/* the allocation map decides, without reading the block: the
			 * export reads each block once, when it sends it */
			p->sent[i] = 1;
			p->nsent++;
			xd_vdi_progress_update(&prog, off + (int64_t)len);
			continue;
		}
		if (in_src && xd_vdi_data_read(src, a, len, off, err) < 0)
			goto fail;
		if (!in_src)
			memset(a, 0, len);
		if (base) {
			if (in_base && xd_vdi_data_read(base, b, len, off, err) < 0)
				goto fail;
			if (!in_base)
				memset(b, 0, len);
			p->sent[i] = memcmp(a, b, len) != 0;
		} else { /* a datapath that cannot tell: blocks of zeros found by reading */
			p->sent[i] = !xd_vdi_data_is_zero(a, len);
		}
		p->nsent += p->sent[i];
		xd_vdi_progress_update(&prog, off + (int64_t)len);
	}
	free(a);
	free(b);
	return p;
fail:
	free(a);
	free(b);
	xd_vhd_plan_free(p);
	return NULL;
}

/* CHS as the VHD specification computes it from the size. */
static uint32_t geometry(int64_t size)
{
	uint64_t ts = (uint64_t)size / VHD_SECTOR, cth;
	uint32_t spt, heads;
	if (ts > 65535ull * 16 * 255)
		ts = 65535ull * 16 * 255;
	if (ts >= 65535ull * 16 * 63) {
		spt = 255;
		heads = 16;
		cth = ts / spt;
	} else {
		spt = 17;
		cth = ts / spt;
		heads = (uint32_t)((cth + 1023) / 1024);
		if (heads < 4)
			heads = 4;
		if (cth >= heads * 1024ull || heads > 16) {
			spt = 31;
			heads = 16;
			cth = ts / spt;
		}
		if (cth >= heads * 1024ull) {
			spt = 63;
			heads = 16;
			cth = ts / spt;
		}
	}
	uint32_t cyl = (uint32_t)(cth / heads);
	return cyl << 16 | heads << 8 | spt;
}

static void unique_id(unsigned char *out, const char *uuid)
{
	size_t n = 0;
	for (const char *s = uuid; s && *s && n < 16; s++) {
		if (*s == '-')
			continue;
		unsigned hi, lo;
		if (sscanf(s, "%1x%1x", &hi, &lo) != 2)
			break;
		out[n++] = (unsigned char)(hi << 4 | lo);
		s++;
	}
}

static void make_footer(unsigned char *f, const xd_vhd_plan *p, const char *uuid)
{
	memset(f, 0, VHD_FOOTER);
	memcpy(f + VHD_F_COOKIE, "conectix", 8);
	vhd_put32(f + VHD_F_FEATURES, 2);
	vhd_put32(f + VHD_F_VERSION, 0x00010000);
	vhd_put64(f + VHD_F_DATA_OFFSET, VHD_FOOTER);
	time_t now = time(NULL);
	vhd_put32(f + VHD_F_TIMESTAMP, (uint32_t)(now - VHD_EPOCH));
	/* "tap\0" as XenServer's: readers (qemu's vpc) take the size from
	 * current_size, not from the geometry */
	memcpy(f + VHD_F_CREATOR_APP, "tap", 4);
	vhd_put32(f + VHD_F_CREATOR_VERSION, 0x00010003);
	vhd_put32(f + VHD_F_CREATOR_OS, 0);
	vhd_put64(f + VHD_F_ORIGINAL_SIZE, (uint64_t)p->size);
	vhd_put64(f + VHD_F_CURRENT_SIZE, (uint64_t)p->size);
	vhd_put32(f + VHD_F_GEOMETRY, geometry(p->size));
	vhd_put32(f + VHD_F_DISK_TYPE, VHD_TYPE_DYNAMIC);
	unique_id(f + VHD_F_UNIQUE_ID, uuid);
	vhd_put32(f + VHD_F_CHECKSUM, vhd_checksum(f, VHD_FOOTER, VHD_F_CHECKSUM));
}

static void make_header(unsigned char *h, const xd_vhd_plan *p)
{
	memset(h, 0, VHD_HEADER);
	memcpy(h + VHD_H_COOKIE, "cxsparse", 8);
	vhd_put64(h + VHD_H_DATA_OFFSET, UINT64_MAX);
	vhd_put64(h + VHD_H_TABLE_OFFSET, VHD_FOOTER + VHD_HEADER);
	vhd_put32(h + VHD_H_VERSION, 0x00010000);
	vhd_put32(h + VHD_H_MAX_ENTRIES, p->nblocks);
	vhd_put32(h + VHD_H_BLOCK_SIZE, VHD_BLOCK);
	vhd_put32(h + VHD_H_CHECKSUM, vhd_checksum(h, VHD_HEADER, VHD_H_CHECKSUM));
}

/* The blocks the plan sends, in disk order (xd_xfer_source's next): the
 * last block's tail past the disk's end as zeros. */
typedef struct block_walk {
	const xd_vhd_plan *p;
	uint32_t i;
} block_walk;

static int next_block(void *ctx, int64_t *off, size_t *len, size_t *total, xd_error *err)
{
	(void)err;
	block_walk *w = ctx;
	while (w->i < w->p->nblocks && !w->p->sent[w->i])
		w->i++;
	if (w->i >= w->p->nblocks)
		return 1;
	*off = (int64_t)w->i * VHD_BLOCK;
	*len = w->p->size - *off < (int64_t)VHD_BLOCK ? (size_t)(w->p->size - *off) : VHD_BLOCK;
	*total = VHD_BLOCK;
	w->i++;
	return 0;
}

int xd_vhd_export(const xd_vhd_plan *p, xd_vdi_data *src, xd_xfer_out *out, const char *uuid,
		  xd_error *err)
{
	unsigned char footer[VHD_FOOTER], header[VHD_HEADER], bitmap[VHD_SECTOR];
	int64_t batlen = bat_bytes(p->nblocks);
	unsigned char *bat = malloc((size_t)batlen);
	xd_vdi_progress prog;
	int rc = -1;
	if (!bat)
		abort();
	make_footer(footer, p, uuid);
	make_header(header, p);
	memset(bat, 0xff, (size_t)batlen);
	/* blocks follow the BAT, in disk order, each sector-aligned */
	uint64_t sector = (uint64_t)(VHD_FOOTER + VHD_HEADER + batlen) / VHD_SECTOR;
	for (uint32_t i = 0; i < p->nblocks; i++) {
		if (!p->sent[i])
			continue;
		vhd_put32(bat + (size_t)i * 4, (uint32_t)sector);
		sector += (uint64_t)block_bytes() / VHD_SECTOR;
	}
	memset(bitmap, 0xff, sizeof(bitmap));
	xd_vdi_progress_init(&prog, p->task, p->p0, 1.0, xd_vhd_plan_bytes(p));
	if (xd_xfer_write(out, footer, sizeof(footer), err) < 0 ||
	    xd_xfer_write(out, header, sizeof(header), err) < 0 ||
	    xd_xfer_write(out, bat, (size_t)batlen, err) < 0)
		goto out;
	/* the blocks are read ahead while the client takes the ones before */
	block_walk walk = { p, 0 };
	xd_xfer_source *blocks = xd_xfer_source_start(src, VHD_BLOCK, next_block, &walk, err);
	if (!blocks)
		goto out;
	for (uint32_t k = 0; k < p->nsent; k++) {
		const char *data;
		int64_t n = xd_xfer_source_next(blocks, &data, NULL, err);
		if (n == 0)
			xd_error_setf(err, "INTERNAL_ERROR", "the VHD export ran out of blocks");
		if (n <= 0 || xd_xfer_write(out, bitmap, sizeof(bitmap), err) < 0 ||
		    xd_xfer_write(out, data, (size_t)n, err) < 0) {
			xd_xfer_source_end(blocks);
			goto out;
		}
		xd_vdi_progress_update(&prog, out->sent);
	}
	xd_xfer_source_end(blocks);
	if (xd_xfer_write(out, footer, sizeof(footer), err) < 0)
		goto out;
	xd_vdi_progress_update(&prog, xd_vhd_plan_bytes(p));
	rc = 0;
out:
	free(bat);
	return rc;
}
