/* iscsi_sr.c - the SR ops of the lvmoiscsi driver: probe, create, delete,
 * attach, detach, scan, update. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iscsi_int.h"

#define SR_FLAGS_CHECK(ctx, flags)                                                     \
	do {                                                                           \
		if (flags)                                                             \
			return isc_fail(ctx, IE_INVALID_ARG, "unsupported flags 0x%x", \
					flags);                                        \
	} while (0)

/* A context for an op on sr, the LUN opened; -1 if that failed. */
static int open_sr(struct isc_ctx *ctx, void *st, xapi_call_t *call, const struct xapi_sr *sr,
		   unsigned flags)
{
	if (isc_ctx_init(ctx, st, call, sr->device_config, sr->uuid) < 0)
		return -1;
	SR_FLAGS_CHECK(ctx, flags);
	return 0;
}

static struct isc_meta *meta_new(struct isc_ctx *ctx)
{
	struct isc_meta *m = malloc(sizeof(*m));
	if (!m)
		isc_fail(ctx, IE_EIO, "out of memory");
	return m;
}

int isc_sr_probe(void *st, xapi_call_t *call, const xapi_kv_t *device_config,
		 const xapi_kv_t *sm_config, unsigned flags)
{
	(void)sm_config;
	struct isc_ctx ctx;
	if (isc_ctx_init(&ctx, st, call, device_config, NULL) < 0)
		return XAPI_E_FAILED;
	SR_FLAGS_CHECK(&ctx, flags);
	/* without targetIQN: the target's IQNs (error 96 + XML), without
	 * SCSIid: its LUNs (107 + XML), as sm's lvmoiscsi answers */
	int rc = ctx.t.iqn ? isc_open(&ctx) : isc_probe_iqns(&ctx);
	struct isc_meta *m = rc < 0 ? NULL : meta_new(&ctx);
	if (m) {
		rc = isc_meta_read(&ctx, m);
		if (rc == 0) {
			struct xapi_sr_info si = {
				.size = sizeof(si),
				.uuid = m->sb.uuid,
				.name_label = m->sb.name,
				.physical_size = (int64_t)(m->sb.extents * ISC_EXTENT),
				.physical_utilisation = (int64_t)(isc_used_extents(m) * ISC_EXTENT),
				.virtual_allocation = -1,
			};
			rc = ctx.drv->host->emit_sr(call, &si);
		}
		rc = rc > 0 ? 0 : rc; /* a LUN without an SR: none found */
	}
	free(m);
	isc_ctx_done(&ctx);
	return rc < 0 ? XAPI_E_FAILED : XAPI_OK;
}

int isc_sr_create(void *st, xapi_call_t *call, const struct xapi_sr *sr, int64_t size,
		  unsigned flags)
{
	struct isc_ctx ctx;
	if (open_sr(&ctx, st, call, sr, flags) < 0)
		return XAPI_E_FAILED;
	struct isc_meta *m = NULL;
	int rc = isc_open(&ctx);
	if (rc == 0 && !(m = meta_new(&ctx)))
		rc = -1;
	if (rc == 0)
		rc = isc_meta_read(&ctx, m);
	if (rc == 0 && strcmp(m->sb.uuid, sr->uuid) != 0)
		rc = isc_fail(&ctx, IE_SR_EXISTS, "The SR already exists [opterr=LUN %s holds SR "
			      "%s: SR.destroy it, or SR.introduce it]", ctx.t.scsiid, m->sb.uuid);
	else if (rc >= 0) {
		/* a fresh LUN, or a repeat of this create */
		struct isc_super sb = { .extents = (ctx.lun_bytes - ISC_DATA_OFF) / ISC_EXTENT };
		if (size > 0 && (uint64_t)size / ISC_EXTENT < sb.extents)
			sb.extents = (uint64_t)size / ISC_EXTENT;
		snprintf(sb.uuid, sizeof(sb.uuid), "%s", sr->uuid);
		snprintf(sb.name, sizeof(sb.name), "%s", sr->name_label ? sr->name_label : "");
		/* slots first: the superblock makes the SR exist */
		rc = isc_zero(&ctx, ISC_SLOTS_OFF, ISC_NSLOTS * ISC_SECTOR);
		if (rc == 0)
			rc = isc_super_write(&ctx, &sb);
	}
	free(m);
	isc_ctx_done(&ctx);
	return rc < 0 ? rc == XAPI_E_CANCELLED ? rc : XAPI_E_FAILED : XAPI_OK;
}

int isc_sr_delete(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct isc_ctx ctx;
	if (open_sr(&ctx, st, call, sr, flags) < 0)
		return XAPI_E_FAILED;
	struct isc_meta *m = NULL;
	int rc = isc_nbd_stop_all(&ctx);
	if (rc == 0)
		rc = isc_open(&ctx);
	if (rc == 0 && !(m = meta_new(&ctx)))
		rc = -1;
	if (rc == 0)
		rc = isc_meta_read(&ctx, m);
	/* deleting twice works; another SR's LUN is never wiped */
	if (rc == 0 && strcmp(m->sb.uuid, sr->uuid) == 0)
		rc = isc_super_wipe(&ctx);
	free(m);
	isc_ctx_done(&ctx);
	return rc < 0 ? XAPI_E_FAILED : XAPI_OK;
}

int isc_sr_attach(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct isc_ctx ctx;
	if (open_sr(&ctx, st, call, sr, flags) < 0)
		return XAPI_E_FAILED;
	struct isc_meta *m = meta_new(&ctx);
	int rc = m ? isc_meta_load(&ctx, m) : -1;
	if (rc == 0)
		rc = isc_emit_space(&ctx, m);
	free(m);
	isc_ctx_done(&ctx);
	return rc < 0 ? XAPI_E_FAILED : XAPI_OK;
}

int isc_sr_detach(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	struct isc_ctx ctx;
	if (open_sr(&ctx, st, call, sr, flags) < 0)
		return XAPI_E_FAILED;
	/* no session is kept between calls: only the VDIs' servers to stop */
	int rc = isc_nbd_stop_all(&ctx);
	isc_ctx_done(&ctx);
	return rc < 0 ? XAPI_E_FAILED : XAPI_OK;
}

static int scan_or_update(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags,
			  bool vdis)
{
	struct isc_ctx ctx;
	if (open_sr(&ctx, st, call, sr, flags) < 0)
		return XAPI_E_FAILED;
	struct isc_meta *m = meta_new(&ctx);
	int rc = m ? isc_meta_load(&ctx, m) : -1;
	for (unsigned i = 0; vdis && rc == 0 && i < ISC_NSLOTS; i++)
		if (m->slots[i].used)
			rc = isc_emit_vdi(&ctx, &m->slots[i], NULL);
	if (rc == 0)
		rc = isc_emit_space(&ctx, m);
	free(m);
	isc_ctx_done(&ctx);
	return rc < 0 ? XAPI_E_FAILED : XAPI_OK;
}

int isc_sr_scan(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	return scan_or_update(st, call, sr, flags, true);
}

int isc_sr_update(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	return scan_or_update(st, call, sr, flags, false);
}
