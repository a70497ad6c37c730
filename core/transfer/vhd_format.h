/* vhd_format.h - the on-disk layout of a dynamic VHD (Microsoft's Virtual
 * Hard Disk Image Format Specification 1.0), as much of it as the export
 * writes and the import reads: the 512-byte footer, the 1024-byte dynamic
 * header, the BAT (big-endian u32 sector offsets, 0xFFFFFFFF for a block
 * not in the file), and per block a sector bitmap padded to 512 bytes,
 * then the block's data. All fields are big-endian. Private to transfer/. */
#ifndef XD_VHD_FORMAT_H
#define XD_VHD_FORMAT_H

#include <stdint.h>

#define VHD_SECTOR 512
#define VHD_FOOTER 512
#define VHD_HEADER 1024
#define VHD_BLOCK ((uint32_t)2 << 20) /* what vhd-util and vhd-tool write */
#define VHD_BAT_UNUSED 0xFFFFFFFFu

#define VHD_TYPE_FIXED 2
#define VHD_TYPE_DYNAMIC 3
#define VHD_TYPE_DIFFERENCING 4

/* footer offsets */
#define VHD_F_COOKIE 0          /* "conectix" */
#define VHD_F_FEATURES 8
#define VHD_F_VERSION 12
#define VHD_F_DATA_OFFSET 16    /* the dynamic header */
#define VHD_F_TIMESTAMP 24      /* seconds since 2000-01-01 UTC */
#define VHD_F_CREATOR_APP 28
#define VHD_F_CREATOR_VERSION 32
#define VHD_F_CREATOR_OS 36
#define VHD_F_ORIGINAL_SIZE 40
#define VHD_F_CURRENT_SIZE 48
#define VHD_F_GEOMETRY 56
#define VHD_F_DISK_TYPE 60
#define VHD_F_CHECKSUM 64
#define VHD_F_UNIQUE_ID 68

/* dynamic header offsets */
#define VHD_H_COOKIE 0          /* "cxsparse" */
#define VHD_H_DATA_OFFSET 8
#define VHD_H_TABLE_OFFSET 16
#define VHD_H_VERSION 24
#define VHD_H_MAX_ENTRIES 28
#define VHD_H_BLOCK_SIZE 32
#define VHD_H_CHECKSUM 36

static inline void vhd_put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static inline void vhd_put64(unsigned char *p, uint64_t v)
{
	vhd_put32(p, (uint32_t)(v >> 32));
	vhd_put32(p + 4, (uint32_t)v);
}

static inline uint32_t vhd_get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t vhd_get64(const unsigned char *p)
{
	return (uint64_t)vhd_get32(p) << 32 | vhd_get32(p + 4);
}

/* The one's complement of the sum of the bytes, the checksum field read as
 * zeros. */
static inline uint32_t vhd_checksum(const unsigned char *p, size_t len, size_t field)
{
	uint32_t sum = 0;
	for (size_t i = 0; i < len; i++)
		if (i < field || i >= field + 4)
			sum += p[i];
	return ~sum;
}

#endif
