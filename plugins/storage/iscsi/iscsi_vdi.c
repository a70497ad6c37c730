/* iscsi_vdi.c - the VDI ops of the lvmoiscsi driver. A VDI is one run of
 * extents on the LUN, described by its slot; data is written before the
 * slot that makes it visible, so a crash leaves either the old state or
 * the new one (a half-made copy is free space again). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iscsi_int.h"

/* The op's context with the SR's metadata loaded. */
struct vdi_op {
	struct isc_ctx ctx;
	struct isc_meta *m;
};

static int op_begin(struct vdi_op *o, void *st, xapi_call_t *call, const struct xapi_sr *sr,
		    unsigned flags)
{
	o->m = NULL;
	if (isc_ctx_init(&o->ctx, st, call, sr->device_config, sr->uuid) < 0)
		return -1;
	if (flags)
		return isc_fail(&o->ctx, IE_INVALID_ARG, "unsupported flags 0x%x", flags);
	o->m = malloc(sizeof(*o->m));
	if (!o->m)
		return isc_fail(&o->ctx, IE_EIO, "out of memory");
	return isc_meta_load(&o->ctx, o->m);
}

static int op_end(struct vdi_op *o, int rc)
{
	free(o->m);
	isc_ctx_done(&o->ctx);
	if (rc >= 0)
		return XAPI_OK;
	return rc == XAPI_E_CANCELLED || rc == XAPI_E_NO_SPACE || rc == XAPI_E_NOT_FOUND ? rc
											 : XAPI_E_FAILED;
}

/* The slot of location; XAPI_E_NOT_FOUND (VDI_MISSING) if none. */
static struct isc_slot *find(struct vdi_op *o, const char *location, int *rc)
{
	struct isc_slot *s = isc_uuid_valid(location) ? isc_slot_find(o->m, location) : NULL;
	if (!s)
		*rc = isc_fail(&o->ctx, IE_VDI_MISSING, "The VDI is not available [opterr=no VDI "
			       "%s on this SR]", location);
	return s;
}

/* A new slot of n extents for uuid (data not written yet): NULL and *rc
 * set if there is no room. */
static struct isc_slot *new_slot(struct vdi_op *o, const char *uuid, uint64_t bytes, int *rc)
{
	if (!isc_uuid_valid(uuid)) {
		*rc = isc_fail(&o->ctx, IE_INVALID_ARG, "Invalid argument [opterr=uuid '%s']",
			       uuid ? uuid : "");
		return NULL;
	}
	if (isc_slot_find(o->m, uuid)) {
		*rc = isc_fail(&o->ctx, IE_VDI_EXISTS, "The VDI already exists [opterr=%s]", uuid);
		return NULL;
	}
	struct isc_slot *s = isc_slot_free(o->m);
	uint64_t n = isc_extents_for(bytes);
	int64_t at = s ? isc_alloc(o->m, n, NULL) : -1;
	if (!s) {
		*rc = isc_fail(&o->ctx, IE_NO_SPACE, "There is insufficient space [opterr=all %u "
			       "VDI slots of the SR are used]", ISC_NSLOTS);
		return NULL;
	}
	if (at < 0) {
		*rc = XAPI_E_NO_SPACE; /* SR_FULL [requested, free] */
		return NULL;
	}
	unsigned index = s->index;
	memset(s, 0, sizeof(*s));
	s->index = index;
	snprintf(s->uuid, sizeof(s->uuid), "%s", uuid);
	s->start = (uint64_t)at;
	s->count = n;
	s->virtual_size = bytes;
	return s;
}

int isc_vdi_create(void *st, xapi_call_t *call, const struct xapi_sr *sr,
		   const struct xapi_vdi_info *want, unsigned flags)
{
	struct vdi_op o;
	int rc = op_begin(&o, st, call, sr, flags);
	if (rc == 0 && want->virtual_size < 0)
		rc = isc_fail(&o.ctx, IE_VDI_SIZE, "The VDI size is invalid [opterr=%lld bytes]",
			      (long long)want->virtual_size);
	struct isc_slot *s = rc == 0 ? new_slot(&o, want->uuid, (uint64_t)want->virtual_size, &rc)
				     : NULL;
	if (s) {
		s->read_only = want->read_only;
		/* extents may hold a deleted VDI's data: a new disk reads zeros */
		rc = isc_zero(&o.ctx, isc_slot_off(s), s->count * (uint64_t)ISC_EXTENT);
		s->used = true;
		if (rc == 0)
			rc = isc_slot_write(&o.ctx, s);
		if (rc == 0)
			rc = isc_emit_vdi(&o.ctx, s, NULL);
	}
	return op_end(&o, rc);
}

int isc_vdi_delete(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		   unsigned flags)
{
	struct vdi_op o;
	int rc = op_begin(&o, st, call, sr, flags);
	struct isc_slot *s = rc == 0 && isc_uuid_valid(location) ? isc_slot_find(o.m, location)
								 : NULL;
	if (s && isc_nbd_running(&o.ctx, s->uuid) > 0)
		rc = isc_fail(&o.ctx, IE_VDI_IN_USE, "The VDI is currently in use");
	else if (s) {
		s->used = false; /* deleting twice works: a missing VDI is no error */
		rc = isc_slot_write(&o.ctx, s);
	}
	return op_end(&o, rc);
}

/* snapshot and clone: a full copy of the data into new extents. A served
 * VDI's qemu-nbd is stopped for the copy (no write lands half-way) and
 * started again on the same socket afterwards. */
static int copy_vdi(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		    const struct xapi_vdi_info *want, unsigned flags, bool snapshot)
{
	struct vdi_op o;
	int rc = op_begin(&o, st, call, sr, flags);
	struct isc_slot *src = rc == 0 ? find(&o, location, &rc) : NULL;
	struct isc_slot *dst = src ? new_slot(&o, want->uuid, src->virtual_size, &rc) : NULL;
	if (dst) {
		long served = isc_nbd_running(&o.ctx, src->uuid);
		if (served > 0)
			rc = isc_nbd_stop(&o.ctx, src->uuid);
		uint64_t bytes = (src->virtual_size + o.ctx.block - 1) / o.ctx.block * o.ctx.block;
		uint64_t room = dst->count * (uint64_t)ISC_EXTENT;
		if (rc == 0 && room > bytes)
			rc = isc_zero(&o.ctx, isc_slot_off(dst) + bytes, room - bytes);
		if (rc == 0)
			rc = isc_copy(&o.ctx, isc_slot_off(src), isc_slot_off(dst), bytes);
		if (served > 0) {
			char uri[NBD_URI_MAX];
			int rc2 = isc_nbd_start(&o.ctx, src, true, uri, sizeof(uri));
			rc = rc ? rc : rc2;
		}
		dst->used = true;
		dst->read_only = want->read_only;
		dst->snapshot = snapshot;
		if (snapshot)
			snprintf(dst->snapshot_of, sizeof(dst->snapshot_of), "%s", src->uuid);
		if (rc == 0)
			rc = isc_slot_write(&o.ctx, dst);
		if (rc == 0)
			rc = isc_emit_vdi(&o.ctx, dst, NULL);
		if (rc < 0 && rc != XAPI_E_CANCELLED && !o.ctx.drv->host->cancelled(call))
			isc_log(&o.ctx, XAPI_LOG_WARN, "%s of VDI %s failed", snapshot ? "snapshot" :
				"clone", location);
	}
	return op_end(&o, rc);
}

int isc_vdi_snapshot(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		     const struct xapi_vdi_info *want, unsigned flags)
{
	return copy_vdi(st, call, sr, location, want, flags, true);
}

int isc_vdi_clone(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		  const struct xapi_vdi_info *want, unsigned flags)
{
	return copy_vdi(st, call, sr, location, want, flags, false);
}

/* Are the n extents after s's free? */
static bool room_after(const struct isc_meta *m, const struct isc_slot *s, uint64_t n)
{
	uint64_t a = s->start + s->count, b = s->start + n;
	if (b > m->sb.extents)
		return false;
	for (unsigned i = 0; i < ISC_NSLOTS; i++) {
		const struct isc_slot *x = &m->slots[i];
		if (x != s && x->used && x->start < b && x->start + x->count > a)
			return false;
	}
	return true;
}

int isc_vdi_resize(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		   int64_t new_size, unsigned flags)
{
	struct vdi_op o;
	int rc = op_begin(&o, st, call, sr, flags);
	struct isc_slot *s = rc == 0 ? find(&o, location, &rc) : NULL;
	if (s && (new_size < 0 || (uint64_t)new_size < s->virtual_size))
		rc = isc_fail(&o.ctx, IE_VDI_SIZE, "The VDI size is invalid [opterr=shrinking "
			      "from %llu to %lld bytes is not supported]",
			      (unsigned long long)s->virtual_size, (long long)new_size);
	else if (s && isc_nbd_running(&o.ctx, s->uuid) > 0)
		rc = isc_fail(&o.ctx, IE_VDI_IN_USE, "The VDI is currently in use");
	else if (s) {
		uint64_t n = isc_extents_for((uint64_t)new_size);
		struct isc_slot next = *s;
		next.virtual_size = (uint64_t)new_size;
		if (n > s->count && room_after(o.m, s, n)) {
			/* grow in place: the new extents read zeros first */
			rc = isc_zero(&o.ctx, isc_slot_off(s) + s->count * (uint64_t)ISC_EXTENT,
				      (n - s->count) * (uint64_t)ISC_EXTENT);
			next.count = n;
		} else if (n > s->count) {
			/* move: copy into a run big enough, then switch the slot */
			int64_t at = isc_alloc(o.m, n, s);
			if (at < 0) {
				rc = XAPI_E_NO_SPACE;
			} else {
				next.start = (uint64_t)at;
				next.count = n;
				uint64_t old = s->count * (uint64_t)ISC_EXTENT;
				rc = isc_zero(&o.ctx, isc_slot_off(&next) + old,
					      (n - s->count) * (uint64_t)ISC_EXTENT);
				if (rc == 0)
					rc = isc_copy(&o.ctx, isc_slot_off(s), isc_slot_off(&next),
						      old);
			}
		}
		if (rc == 0) {
			*s = next;
			rc = isc_slot_write(&o.ctx, s);
		}
		if (rc == 0)
			rc = isc_emit_vdi(&o.ctx, s, NULL);
	}
	return op_end(&o, rc);
}

int isc_vdi_attach(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		   int writable, unsigned flags)
{
	struct vdi_op o;
	int rc = op_begin(&o, st, call, sr, flags);
	struct isc_slot *s = rc == 0 ? find(&o, location, &rc) : NULL;
	if (s && writable && s->read_only)
		rc = isc_fail(&o.ctx, IE_VDI_UNAVAILABLE, "The VDI is not available [opterr=VDI %s "
			      "is read-only]", location);
	else if (s) {
		char uri[NBD_URI_MAX];
		rc = isc_nbd_start(&o.ctx, s, writable, uri, sizeof(uri));
		if (rc == 0)
			rc = isc_emit_vdi(&o.ctx, s, uri);
	}
	return op_end(&o, rc);
}

int isc_vdi_detach(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		   unsigned flags)
{
	struct isc_ctx ctx;
	if (isc_ctx_init(&ctx, st, call, sr->device_config, sr->uuid) < 0)
		return XAPI_E_FAILED;
	/* no target needed: the server is found by its socket name */
	int rc = flags ? isc_fail(&ctx, IE_INVALID_ARG, "unsupported flags 0x%x", flags)
		       : isc_uuid_valid(location) ? isc_nbd_stop(&ctx, location) : 0;
	isc_ctx_done(&ctx);
	return rc < 0 ? XAPI_E_FAILED : XAPI_OK;
}

static int describe(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		    unsigned flags)
{
	struct vdi_op o;
	int rc = op_begin(&o, st, call, sr, flags);
	struct isc_slot *s = rc == 0 && isc_uuid_valid(location) ? isc_slot_find(o.m, location)
								 : NULL;
	if (rc == 0 && !s)
		rc = isc_fail(&o.ctx, IE_VDI_MISSING, "The VDI is not available [opterr=no VDI "
			      "%s on this SR]", location);
	else if (s)
		rc = isc_emit_vdi(&o.ctx, s, NULL);
	return op_end(&o, rc);
}

int isc_vdi_introduce(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		      unsigned flags)
{
	return describe(st, call, sr, location, flags);
}

int isc_vdi_update(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		   unsigned flags)
{
	return describe(st, call, sr, location, flags);
}
