/* iscsi_int.h - what the sources of the `lvmoiscsi` SR driver share
 * (internal).
 *
 * The driver reaches the target with libiscsi (a userspace initiator: no
 * kernel session, no /dev/sdX), so there is no block device for LVM. The
 * LUN carries the driver's own small volume format instead (doc/plugins/
 * storage-iscsi.md says why):
 *
 *     bytes 0 .. 512           the superblock: magic, SR uuid, name, extent
 *                              size, number of data extents
 *     1 MiB .. 2 MiB           2048 VDI slots of 512 bytes (one sector each,
 *                              so that a slot is written atomically)
 *     4 MiB ..                 data extents of 4 MiB; a VDI is one
 *                              contiguous run of extents
 *
 * A VDI's location is its uuid. Its datapath is a qemu-nbd serving the
 * VDI's byte range of the LUN through qemu's own iSCSI initiator
 * (driver=raw,offset=,size= over file.driver=iscsi).
 *
 * The driver keeps no state between calls: everything is read from the LUN.
 */
#ifndef ISCSI_INT_H
#define ISCSI_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <xapi/plugin.h>
#include <xapi/storage.h>

struct iscsi_context;

/* SMAPIv1 error numbers (xapi-project/sm XE_SR_ERRORCODES.xml). */
enum iscsi_err {
	IE_INVALID_ARG = 1,
	IE_VDI_IN_USE = 24,
	IE_SR_EXISTS = 42,
	IE_VDI_EXISTS = 43,
	IE_NO_SPACE = 44,
	IE_VDI_UNAVAILABLE = 46,
	IE_SR_UNAVAILABLE = 47,
	IE_ISCSI_LOGIN = 68,
	IE_VDI_SIZE = 79,
	IE_VDI_CLONE = 81,
	IE_VDI_SNAPSHOT = 82,
	IE_TARGET_IQN = 96,
	IE_SCSIID = 107,
	IE_VDI_RESIZE = 110,
	IE_ISCSI_TARGET = 141,
	IE_VDI_MISSING = 144,
	IE_EIO = 200,
};

#define ISC_SECTOR 512u
#define ISC_SLOTS_OFF (1u << 20)
#define ISC_NSLOTS 2048u
#define ISC_DATA_OFF (4u << 20)
#define ISC_EXTENT (4u << 20)
#define ISC_DEFAULT_PORT 3260
#define ISC_RUN_TIMEOUT_MS 120000 /* one qemu-nbd start */
#define NBD_URI_MAX 16384

/* The driver instance (init's `st`). */
struct isc_drv {
	const struct xapi_host *host;
	xapi_plugin_t *self;
};

/* Where the SR's LUN is: device-config, parsed. */
struct isc_target {
	char host[256];
	int port;
	char portal[300];          /* host:port ([v6]:port) */
	const char *iqn;           /* borrowed; NULL if not given */
	const char *scsiid;        /* borrowed; NULL if not given */
	const char *chapuser, *chappassword; /* borrowed; NULL if not given */
};

/* One call's context. */
struct isc_ctx {
	struct isc_drv *drv;
	xapi_call_t *call;
	const char *sr_uuid;
	struct isc_target t;
	struct iscsi_context *iscsi; /* logged in to t.iqn, or NULL */
	int lun;                     /* the SR's LUN (SCSIid), -1 until found */
	uint32_t block;              /* its block size */
	uint64_t lun_bytes;          /* its size */
};

/* The superblock, in memory. On the LUN: little-endian fields at fixed
 * offsets (iscsi_meta.c). */
struct isc_super {
	char uuid[37];
	char name[128];
	uint64_t extents;            /* data extents after ISC_DATA_OFF */
};

/* One VDI slot. */
struct isc_slot {
	unsigned index;
	bool used;
	char uuid[37];
	uint64_t virtual_size;
	uint64_t start;              /* first extent */
	uint64_t count;              /* extents */
	bool read_only, snapshot;
	char snapshot_of[37];
};

struct isc_meta {
	struct isc_super sb;
	struct isc_slot slots[ISC_NSLOTS];
};

/* ---- iscsi_util.c ---- */
int isc_fail(struct isc_ctx *ctx, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same, with a third error parameter (sm's stderr: the probe XML). */
int isc_fail_detail(struct isc_ctx *ctx, int code, const char *detail, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void isc_log(struct isc_ctx *ctx, enum xapi_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Parses device_config into ctx->t (fails 95/1 on a bad target or port). */
int isc_ctx_init(struct isc_ctx *ctx, struct isc_drv *drv, xapi_call_t *call,
		 const xapi_kv_t *dc, const char *sr_uuid);
void isc_ctx_done(struct isc_ctx *ctx);
bool isc_uuid_valid(const char *s);
/* Appends s to the XML buffer, escaped. */
void isc_xml_text(char *buf, size_t size, const char *s);

/* ---- iscsi_conn.c: libiscsi ---- */
/* Logs in to t.iqn (68 on a refused login, 141 if the portal does not
 * answer, 96 if the target is unknown). */
int isc_login(struct isc_ctx *ctx);
/* SendTargets discovery: fails 96 with the IQNs as xapi's XML. */
int isc_probe_iqns(struct isc_ctx *ctx);
/* The LUNs of the logged-in target: fails 107 with xapi's XML. */
int isc_probe_luns(struct isc_ctx *ctx);
/* Finds t.scsiid among the LUNs (107 if absent): sets ctx->lun, block,
 * lun_bytes. */
int isc_find_lun(struct isc_ctx *ctx);
/* Logs in and finds the LUN. */
int isc_open(struct isc_ctx *ctx);
int isc_read(struct isc_ctx *ctx, uint64_t off, void *buf, uint32_t len);
int isc_write(struct isc_ctx *ctx, uint64_t off, const void *buf, uint32_t len);
/* Zeroes len bytes at off (len and off multiples of the block). */
int isc_zero(struct isc_ctx *ctx, uint64_t off, uint64_t len);
/* Copies len bytes from src to dst on the LUN, with progress and cancel. */
int isc_copy(struct isc_ctx *ctx, uint64_t src, uint64_t dst, uint64_t len);

/* ---- iscsi_meta.c: the on-LUN format ---- */
/* Reads superblock and slots; 1 if the LUN holds no SR, 0, -1 (failed). */
int isc_meta_read(struct isc_ctx *ctx, struct isc_meta *m);
int isc_super_write(struct isc_ctx *ctx, const struct isc_super *sb);
int isc_slot_write(struct isc_ctx *ctx, const struct isc_slot *s);
/* Wipes the superblock (the SR is gone). */
int isc_super_wipe(struct isc_ctx *ctx);
/* Reads the SR's metadata and checks it is this SR (47 otherwise). */
int isc_meta_load(struct isc_ctx *ctx, struct isc_meta *m);
struct isc_slot *isc_slot_find(struct isc_meta *m, const char *uuid);
struct isc_slot *isc_slot_free(struct isc_meta *m);
/* First run of n free extents (skipping `except`, a slot being moved): its
 * first extent, or -1. */
int64_t isc_alloc(const struct isc_meta *m, uint64_t n, const struct isc_slot *except);
uint64_t isc_extents_for(uint64_t bytes);
uint64_t isc_used_extents(const struct isc_meta *m);
int isc_emit_space(struct isc_ctx *ctx, const struct isc_meta *m);
int isc_emit_vdi(struct isc_ctx *ctx, const struct isc_slot *s, const char *datapath);
static inline uint64_t isc_slot_off(const struct isc_slot *s)
{
	return ISC_DATA_OFF + s->start * (uint64_t)ISC_EXTENT;
}

/* ---- iscsi_nbd.c ---- */
int isc_nbd_start(struct isc_ctx *ctx, const struct isc_slot *s, bool writable, char *uri,
		  size_t usize);
int isc_nbd_stop(struct isc_ctx *ctx, const char *uuid);
long isc_nbd_running(struct isc_ctx *ctx, const char *uuid);
int isc_nbd_stop_all(struct isc_ctx *ctx);

/* ---- the ops ---- */
int isc_sr_probe(void *st, xapi_call_t *call, const xapi_kv_t *device_config,
		 const xapi_kv_t *sm_config, unsigned flags);
int isc_sr_create(void *st, xapi_call_t *call, const struct xapi_sr *sr, int64_t size,
		  unsigned flags);
xapi_sr_op_fn isc_sr_delete, isc_sr_attach, isc_sr_detach, isc_sr_scan, isc_sr_update;
int isc_vdi_create(void *st, xapi_call_t *call, const struct xapi_sr *sr,
		   const struct xapi_vdi_info *want, unsigned flags);
xapi_vdi_op_fn isc_vdi_delete, isc_vdi_detach, isc_vdi_introduce, isc_vdi_update;
int isc_vdi_snapshot(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		     const struct xapi_vdi_info *want, unsigned flags);
int isc_vdi_clone(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		  const struct xapi_vdi_info *want, unsigned flags);
int isc_vdi_resize(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		   int64_t new_size, unsigned flags);
int isc_vdi_attach(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		   int writable, unsigned flags);

#endif
