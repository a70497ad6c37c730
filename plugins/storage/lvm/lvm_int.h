/* lvm_int.h - what the sources of the `lvm` SR driver share (internal).
 *
 * Layout on the device (as xapi's LVM SRs): the device is one PV holding
 * the VG "VG_XenStorage-<sr uuid>"; a VDI is the LV "LV-<vdi uuid>" and its
 * location is the VDI's uuid. A snapshot carries the LV tag
 * "snapshot_of=<uuid>". LVM runs with a configuration private to the
 * device (lvm_cmd.h) and LVs are reached through device-mapper or, without
 * it, a loop device (lvm_data.h). No state between calls: everything comes
 * from LVM's metadata on the device. doc/plugins/storage-lvm.md is the
 * operator's description.
 */
#ifndef LVM_INT_H
#define LVM_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <xapi/plugin.h>

#include "lvm_cmd.h"
#include "lvm_data.h"
#include "lvm_report.h"

#define LVM_VG_PREFIX "VG_XenStorage-"
#define LVM_LV_PREFIX "LV-"
#define LVM_SNAP_TAG "snapshot_of="
#define LVM_DEFAULT_RUN_DIR "/run/xapi-c/lvm"

/* SMAPIv1 error numbers (xapi-project/sm XE_SR_ERRORCODES.xml); xapid turns
 * them into SR_BACKEND_FAILURE_<n> (44 into SR_FULL, 39 SR_NOT_EMPTY, 16
 * SR_DEVICE_IN_USE). */
enum lvm_err {
	LE_INVALID_ARG = 1,
	LE_INVALID_DEV = 19,
	LE_SR_NOT_EMPTY = 39,
	LE_SR_SCAN = 40,
	LE_SR_EXISTS = 42,
	LE_VDI_EXISTS = 43,
	LE_NO_SPACE = 44,
	LE_VDI_UNAVAILABLE = 46,
	LE_SR_UNAVAILABLE = 47,
	LE_LVM_CREATE = 50,
	LE_LVM_DELETE = 51,
	LE_LVM_MOUNT = 52,
	LE_LVM_UNMOUNT = 53,
	LE_LVM_WRITE = 54,
	LE_LVM_PART_CREATE = 55,
	LE_VDI_REMOVE = 64,
	LE_LVM_GROUP_CREATE = 77,
	LE_VDI_CREATE = 78,
	LE_VDI_SIZE = 79,
	LE_VDI_CLONE = 81,
	LE_VDI_SNAPSHOT = 82,
	LE_DEVICE_MISSING = 90,
	LE_DEVICE_INVALID = 91,
	LE_PVS_FAILED = 93,
	LE_VDI_RESIZE = 110,
};

struct lvm_drv {
	const struct xapi_host *host;
	xapi_plugin_t *self;
	char run_dir[256];             /* setting run_dir */
	enum lvm_access access;        /* setting access: auto, device-mapper, loop */
};

/* One call's context. */
struct lvm_ctx {
	struct lvm_drv *drv;
	xapi_call_t *call;
	struct lvm_env env;
	struct lvm_io io;
	char srid[40];                 /* "" for a probe */
	char vg[64];                   /* VG_XenStorage-<srid> */
};

/* The PV's facts (pvs on the device). */
struct lvm_pv {
	bool is_pv;
	char vg[128];                  /* "" if in no VG */
	int64_t vg_size, vg_free, extent;
};

/* ---- lvm_util.c ---- */

/* xapi_fail with an SMAPIv1 number and sm's message: "<description of
 * code> [opterr=<fmt...>]". Returns XAPI_E_FAILED. */
int lvm_fail(struct lvm_ctx *ctx, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void lvm_log(struct lvm_ctx *ctx, enum xapi_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Fills ctx from device_config (the device: present, one path, a block
 * device) and the SR uuid (NULL for a probe). Fails the call and returns
 * -1 on a bad device. */
int lvm_ctx_init(struct lvm_ctx *ctx, struct lvm_drv *drv, xapi_call_t *call,
		 const xapi_kv_t *device_config, const char *sr_uuid);
bool lvm_uuid_valid(const char *s);
/* Runs an lvm command; on failure fails the call with code and LVM's
 * reason. */
int lvm_cmd(struct lvm_ctx *ctx, int code, const char *const args[], const char **out);
/* pvs on the device into pv. Fails the call (93) if pvs cannot run. */
int lvm_pv_get(struct lvm_ctx *ctx, struct lvm_pv *pv);
/* The SR's VG must be on the device (47 otherwise); its facts into pv. */
int lvm_vg_need(struct lvm_ctx *ctx, struct lvm_pv *pv);
/* The LVs of the SR's VG (lv_name, lv_size, lv_tags), or only `lv`. */
int lvm_lvs(struct lvm_ctx *ctx, const char *lv, struct lvm_rows *rows);
/* emit_sr with the VG's space (virtual_allocation -1: the core sums). */
int lvm_emit_space(struct lvm_ctx *ctx, const struct lvm_pv *pv);
/* emit_vdi of the LV of VDI uuid (thick: physical_utilisation = size);
 * snapshot_of NULL unless it is a snapshot; datapath may be NULL. */
int lvm_emit_vdi(struct lvm_ctx *ctx, const char *uuid, int64_t size, const char *snapshot_of,
		 const char *datapath);
/* emit_vdi of an LV row (datapath may be NULL). */
int lvm_emit_lv(struct lvm_ctx *ctx, const struct lvm_row *row, const char *datapath);
/* "LV-<uuid>" of a location (a VDI uuid); -1 if it is no uuid. */
int lvm_lv_name(const char *location, char out[64]);

/* ---- the ops (lvm_sr.c, lvm_vdi.c) ---- */

int lvm_sr_probe(void *st, xapi_call_t *call, const xapi_kv_t *device_config,
		 const xapi_kv_t *sm_config, unsigned flags);
int lvm_sr_create(void *st, xapi_call_t *call, const struct xapi_sr *sr, int64_t size,
		  unsigned flags);
xapi_sr_op_fn lvm_sr_delete, lvm_sr_attach, lvm_sr_detach, lvm_sr_scan, lvm_sr_update;
int lvm_vdi_create(void *st, xapi_call_t *call, const struct xapi_sr *sr,
		   const struct xapi_vdi_info *want, unsigned flags);
xapi_vdi_op_fn lvm_vdi_delete, lvm_vdi_detach, lvm_vdi_introduce, lvm_vdi_update;
int lvm_vdi_snapshot(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		     const struct xapi_vdi_info *want, unsigned flags);
int lvm_vdi_clone(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		  const struct xapi_vdi_info *want, unsigned flags);
int lvm_vdi_resize(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		   int64_t new_size, unsigned flags);
int lvm_vdi_attach(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		   int writable, unsigned flags);

#endif
