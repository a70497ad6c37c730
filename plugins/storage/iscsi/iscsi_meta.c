/* iscsi_meta.c - the driver's volume format on the LUN (iscsi_int.h has
 * the map): the superblock, the VDI slots, extent allocation.
 *
 * Every field is little-endian at a fixed offset. A slot is one 512-byte
 * sector: SCSI writes a sector whole, so a crash leaves each slot either
 * old or new. The ops order their writes so that a crash never makes a
 * slot point at data that is not complete (data first, slot last).
 */
#include <stdlib.h>
#include <string.h>

#include "iscsi_int.h"

static const char SB_MAGIC[8] = { 'X', 'A', 'P', 'I', 'C', 'L', 'U', 'N' };
static const char SLOT_MAGIC[8] = { 'X', 'A', 'P', 'I', 'V', 'D', 'I', '1' };
#define SB_VERSION 1u
#define SLOT_RO 1u
#define SLOT_SNAPSHOT 2u

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void put_str(unsigned char *p, size_t size, const char *s)
{
	memset(p, 0, size);
	size_t n = s ? strlen(s) : 0;
	memcpy(p, s ? s : "", n < size ? n : size - 1);
}

static void get_str(char *out, size_t size, const unsigned char *p, size_t psize)
{
	size_t n = strnlen((const char *)p, psize);
	if (n >= size)
		n = size - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

int isc_meta_read(struct isc_ctx *ctx, struct isc_meta *m)
{
	memset(m, 0, sizeof(*m));
	unsigned char *buf = malloc(ISC_NSLOTS * ISC_SECTOR);
	if (!buf)
		return isc_fail(ctx, IE_EIO, "out of memory");
	if (isc_read(ctx, 0, buf, ISC_SECTOR) < 0) {
		free(buf);
		return -1;
	}
	if (memcmp(buf, SB_MAGIC, 8) != 0 || get64(buf + 8) != SB_VERSION) {
		free(buf);
		return 1;
	}
	m->sb.extents = get64(buf + 16);
	get_str(m->sb.uuid, sizeof(m->sb.uuid), buf + 24, 40);
	get_str(m->sb.name, sizeof(m->sb.name), buf + 64, 128);
	if (isc_read(ctx, ISC_SLOTS_OFF, buf, ISC_NSLOTS * ISC_SECTOR) < 0) {
		free(buf);
		return -1;
	}
	for (unsigned i = 0; i < ISC_NSLOTS; i++) {
		const unsigned char *p = buf + (size_t)i * ISC_SECTOR;
		struct isc_slot *s = &m->slots[i];
		s->index = i;
		if (memcmp(p, SLOT_MAGIC, 8) != 0)
			continue;
		get_str(s->uuid, sizeof(s->uuid), p + 8, 40);
		s->virtual_size = get64(p + 48);
		s->start = get64(p + 56);
		s->count = get64(p + 64);
		uint64_t fl = get64(p + 72);
		s->read_only = fl & SLOT_RO;
		s->snapshot = fl & SLOT_SNAPSHOT;
		get_str(s->snapshot_of, sizeof(s->snapshot_of), p + 80, 40);
		/* a slot that does not make sense is ignored (and its space
		 * free), rather than trusted */
		s->used = isc_uuid_valid(s->uuid) && s->count > 0 &&
			  s->start + s->count <= m->sb.extents &&
			  s->virtual_size <= s->count * (uint64_t)ISC_EXTENT;
	}
	free(buf);
	return 0;
}

int isc_super_write(struct isc_ctx *ctx, const struct isc_super *sb)
{
	unsigned char buf[ISC_SECTOR] = { 0 };
	memcpy(buf, SB_MAGIC, 8);
	put64(buf + 8, SB_VERSION);
	put64(buf + 16, sb->extents);
	put_str(buf + 24, 40, sb->uuid);
	put_str(buf + 64, 128, sb->name);
	return isc_write(ctx, 0, buf, ISC_SECTOR);
}

int isc_super_wipe(struct isc_ctx *ctx)
{
	unsigned char buf[ISC_SECTOR] = { 0 };
	return isc_write(ctx, 0, buf, ISC_SECTOR);
}

int isc_slot_write(struct isc_ctx *ctx, const struct isc_slot *s)
{
	unsigned char buf[ISC_SECTOR] = { 0 };
	if (s->used) {
		memcpy(buf, SLOT_MAGIC, 8);
		put_str(buf + 8, 40, s->uuid);
		put64(buf + 48, s->virtual_size);
		put64(buf + 56, s->start);
		put64(buf + 64, s->count);
		put64(buf + 72, (s->read_only ? SLOT_RO : 0) | (s->snapshot ? SLOT_SNAPSHOT : 0));
		put_str(buf + 80, 40, s->snapshot_of);
	}
	return isc_write(ctx, ISC_SLOTS_OFF + (uint64_t)s->index * ISC_SECTOR, buf, ISC_SECTOR);
}

int isc_meta_load(struct isc_ctx *ctx, struct isc_meta *m)
{
	if (isc_open(ctx) < 0)
		return -1;
	int rc = isc_meta_read(ctx, m);
	if (rc < 0)
		return -1;
	if (rc > 0 || strcmp(m->sb.uuid, ctx->sr_uuid) != 0)
		return isc_fail(ctx, IE_SR_UNAVAILABLE, "The SR is not available [opterr=LUN %s "
				"holds %s%s]", ctx->t.scsiid, rc > 0 ? "no SR" : "SR ",
				rc > 0 ? "" : m->sb.uuid);
	return 0;
}

struct isc_slot *isc_slot_find(struct isc_meta *m, const char *uuid)
{
	for (unsigned i = 0; i < ISC_NSLOTS; i++)
		if (m->slots[i].used && strcmp(m->slots[i].uuid, uuid) == 0)
			return &m->slots[i];
	return NULL;
}

struct isc_slot *isc_slot_free(struct isc_meta *m)
{
	for (unsigned i = 0; i < ISC_NSLOTS; i++)
		if (!m->slots[i].used)
			return &m->slots[i];
	return NULL;
}

uint64_t isc_extents_for(uint64_t bytes)
{
	uint64_t n = (bytes + ISC_EXTENT - 1) / ISC_EXTENT;
	return n ? n : 1;
}

static int by_start(const void *a, const void *b)
{
	const struct isc_slot *x = *(struct isc_slot *const *)a, *y = *(struct isc_slot *const *)b;
	return x->start < y->start ? -1 : x->start > y->start;
}

int64_t isc_alloc(const struct isc_meta *m, uint64_t n, const struct isc_slot *except)
{
	static const struct isc_slot *used[ISC_NSLOTS];
	size_t k = 0;
	for (unsigned i = 0; i < ISC_NSLOTS; i++)
		if (m->slots[i].used && &m->slots[i] != except)
			used[k++] = &m->slots[i];
	qsort(used, k, sizeof(used[0]), by_start);
	uint64_t at = 0;
	for (size_t i = 0; i < k; i++) {
		if (used[i]->start >= at + n)
			return (int64_t)at;
		if (used[i]->start + used[i]->count > at)
			at = used[i]->start + used[i]->count;
	}
	return at + n <= m->sb.extents ? (int64_t)at : -1;
}

uint64_t isc_used_extents(const struct isc_meta *m)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < ISC_NSLOTS; i++)
		if (m->slots[i].used)
			n += m->slots[i].count;
	return n;
}

int isc_emit_space(struct isc_ctx *ctx, const struct isc_meta *m)
{
	uint64_t alloc = 0;
	for (unsigned i = 0; i < ISC_NSLOTS; i++)
		if (m->slots[i].used)
			alloc += m->slots[i].virtual_size;
	struct xapi_sr_info si = {
		.size = sizeof(si),
		.physical_size = (int64_t)(m->sb.extents * ISC_EXTENT),
		.physical_utilisation = (int64_t)(isc_used_extents(m) * ISC_EXTENT),
		.virtual_allocation = (int64_t)alloc,
	};
	return ctx->drv->host->emit_sr(ctx->call, &si);
}

int isc_emit_vdi(struct isc_ctx *ctx, const struct isc_slot *s, const char *datapath)
{
	struct xapi_vdi_info v = {
		.size = sizeof(v),
		.location = s->uuid,
		.uuid = s->uuid,
		.virtual_size = (int64_t)s->virtual_size,
		.physical_utilisation = (int64_t)(s->count * ISC_EXTENT),
		.read_only = s->read_only,
		.is_a_snapshot = s->snapshot,
		.snapshot_of = s->snapshot && *s->snapshot_of ? s->snapshot_of : NULL,
		.datapath = datapath,
	};
	return ctx->drv->host->emit_vdi(ctx->call, &v);
}
