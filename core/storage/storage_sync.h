/* storage_sync.h - what a storage driver reported, written into the db as
 * xapi's update_vdis does (xapi_sr.ml): VDI records keyed by (SR,
 * location), SR space.
 *
 * Rules:
 *  - a location the db does not know gets a new record (managed true,
 *    missing false, type user, the driver's uuid if it is a free valid
 *    one, else a fresh one);
 *  - a VDI named as another's `parent` is a hidden parent of a snapshot
 *    chain: managed false (and a parent the db does not know yet gets a
 *    record too, "base copy" as sm names them);
 *  - after a scan, a record whose location the driver no longer reports is
 *    forgotten, as xapi does; while VBDs still point at it, it is kept with
 *    missing true instead, so those VBDs do not dangle;
 *  - known records get the driver's sizes, read_only and sm_config, and
 *    is_a_snapshot / snapshot_of when the driver asserts them (an absent
 *    snapshot_of never clears one the db has).
 *
 * Owns: the lock that makes one read-compare-write of an SR's VDIs atomic
 * with respect to the others.
 */
#ifndef XD_STORAGE_SYNC_H
#define XD_STORAGE_SYNC_H

#include "error.h"
#include "plugins.h"

/* The result of sr_scan: every VDI of the SR and its space. */
int xd_storage_sync_scan(const char *sr, const xd_sr_result *r, xd_error *err);
/* One VDI a call emitted (vdi_create, snapshot, clone, resize, introduce,
 * update, attach): its record, created if the location is new. Returns
 * the VDI ref (heap) or NULL. */
char *xd_storage_sync_vdi(const char *sr, const xd_vdi_info *vi, xd_error *err);
/* SR space from emit_sr; values of -1 leave the field as it is. */
int xd_storage_sync_sr(const char *sr, const xd_sr_info *si, xd_error *err);
/* The VDI of sr at location (heap ref) or NULL. */
char *xd_storage_vdi_by_location(const char *sr, const char *location);

#endif
