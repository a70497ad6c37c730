/* storage.h - what the storage API handlers share: an SR as its driver sees
 * it on this host (the SR record and this host's PBD), calls to the driver
 * (plugins.h) with xapi's checks around them, and attaching a VDI's data on
 * this host for the core's own use (HTTP import/export, VDI.copy).
 *
 * Owns: the table of VDIs the core has attached (a count per VDI, so that
 * two transfers of the same VDI share one driver attach and the last one
 * detaches), and the lock that serialises SR plug state changes.
 *
 * The storage subsystem's one public header: its two other parts, xapi's
 * allowed/current operations (storage_ops.c) and driver results into the db
 * (storage_sync.c), have their sections below.
 */
#ifndef XD_STORAGE_H
#define XD_STORAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "loader/plugins.h"
#include "rpc/rpc.h"
#include "value.h"

/* An SR opened for a driver call: the record, this host's PBD and the
 * xd_sr_ref the driver gets (its strings point into the record). */
typedef struct xd_storage_sr {
	char *ref;               /* the SR */
	char *pbd;               /* this host's PBD, NULL if it has none */
	bool attached;           /* that PBD's currently_attached */
	xd_value *record;        /* the SR record */
	xd_value *device_config; /* the PBD's device_config ({} without a PBD) */
	xd_sr_ref sr;            /* what xd_plugins_sr_call takes */
} xd_storage_sr;

/* Reads the SR and this host's PBD. HANDLE_INVALID [SR, ref] if the SR
 * does not exist. Close with xd_storage_sr_close (also after a failure). */
int xd_storage_sr_open(const char *sr, xd_storage_sr *out, xd_error *err);
void xd_storage_sr_close(xd_storage_sr *s);
/* SR_HAS_NO_PBDS [sr] unless this host has a PBD for it and it is plugged
 * (xapi's Sm.assert_pbd_is_plugged). */
int xd_storage_sr_require_attached(const xd_storage_sr *s, xd_error *err);

/* This host's PBD of sr (heap ref) or NULL. */
char *xd_storage_my_pbd(const char *sr);
/* Whether any PBD of sr (any host) is plugged. */
bool xd_storage_sr_any_attached(const char *sr);

/* Runs op for the SR in its driver (args->sr and args->task are filled
 * here). Errors as xd_plugins_sr_call's. */
int xd_storage_call(const xd_storage_sr *s, xd_sr_op op, xd_sr_args *args, const char *task,
		    xd_sr_result *out, xd_error *err);

/* Driver errors as xapi's handlers give them (the loader names the SR by
 * uuid and the VDI by location): VDI_MISSING [sr, vdi], SR_OPERATION_NOT_SUPPORTED
 * [sr], VDI_IN_USE [vdi, op]; and for a VDI that could not get `requested`
 * bytes the driver's "no space" (SR_BACKEND_FAILURE_44 or SR_FULL) becomes
 * SR_FULL [requested, maximum] (requested < 0: not such a call). sr, vdi,
 * op may be NULL. */
void xd_storage_fix_error(xd_error *err, const char *sr, const char *vdi, const char *op,
			  int64_t requested);

/* The first VDI a call emitted, or INTERNAL_ERROR naming the op if the
 * driver emitted none. */
const xd_vdi_info *xd_storage_emitted_vdi(const xd_sr_result *r, const char *what,
					  xd_error *err);

/* ---- attaching a VDI's data on this host -------------------------------- */

/* Makes the VDI's data reachable here (the driver's vdi_attach) and
 * returns its datapath URI (heap; see xapi/storage.h). Attaches nest: the
 * driver is called on the first and detached on the last. A writable
 * attach while the VDI is attached read-only here fails VDI_IN_USE
 * [vdi, op]; so does a data writer (op "import" or "copy", writable) while
 * the VDI is attached at all, and any attach while such a writer holds it. SR_HAS_NO_PBDS if the SR is not plugged here, VDI_MISSING
 * [sr, vdi] if the record says the volume is gone. */
char *xd_storage_vdi_attach(const char *vdi, bool writable, const char *op, const char *task,
			    xd_error *err);
/* Undoes one attach (errors are logged: there is no one to tell). A cancel
 * of task does not stop it: the driver is called without the task. */
void xd_storage_vdi_detach(const char *vdi, const char *task);
/* How the core holds the VDI attached here: 0 not, 1 read-only, 2
 * writable (allowed_operations counts it like an attached VBD, as xapi's
 * own dom0 VBDs are). */
int xd_storage_vdi_attach_mode(const char *vdi);

/* ---- daemon start ------------------------------------------------------- */

/* After the plugins are loaded: re-attaches (sr_attach) every SR whose PBD
 * on this host says currently_attached (a failure unplugs it, with a log
 * line; a missing driver also notes it as waiting, below), plugs the waiting
 * PBDs whose driver is loaded now, drops current_operations left by a
 * previous run and recomputes the allowed_operations of every SR and VDI.
 * From then on, a storage driver that a rescan loads plugs the PBDs that
 * wait for it (xd_plugins_on_sr_loaded). */
void xd_storage_startup(void);

/* SRs waiting for their driver (storage_plug.c). A PBD unplugged at start
 * only because its SR's driver was not loaded carries
 * other_config[XD_STORAGE_WAIT_KEY] = "true" and is plugged (sr_attach,
 * under a plug mark, no scan) when that driver loads. The note goes when
 * the PBD is plugged or unplugged by anyone (an operator's unplug stands),
 * or when that plug fails (then it is an ordinary unplugged PBD). */
#define XD_STORAGE_WAIT_KEY "xapi-c-plug-when-driver-loads"
/* Sets currently_attached and drops the note: every plug and unplug goes
 * through here. */
int xd_storage_pbd_set_attached(const char *pbd, bool attached, xd_error *err);
/* Notes that the (unplugged) PBD waits for its driver / drops the note. */
void xd_storage_pbd_wait_for_driver(const char *pbd);
void xd_storage_pbd_forget_wait(const char *pbd);
/* Plugs the waiting PBDs of this host whose SR has this type (NULL: any
 * type) if the driver is loaded. */
void xd_storage_plug_waiting(const char *type);

/* Operations (storage_ops.c): SR.allowed_operations / current_operations and
 * VDI.allowed_operations / current_operations, as xapi computes them
 * (xapi_sr_operations.ml, xapi_vdi.ml check_operation_error).
 *
 * Every storage message that changes something first marks its SR and/or
 * VDI: the check that the operation is allowed now and the entry in
 * current_operations (task ref -> operation) are one step under this
 * module's lock, so two conflicting calls cannot both pass; the loser gets
 * xapi's error (OTHER_OPERATION_IN_PROGRESS [class, ref, op, task], SR_HAS_PBD,
 * VDI_IN_USE...). Unmarking removes the entry and recomputes
 * allowed_operations. An entry is only believed while the operation runs in
 * this process (a daemon killed mid-operation leaves entries that block
 * nothing and go at the next refresh). A VDI the core holds attached
 * (storage.h) counts as an attached VBD, as xapi's dom0 VBDs do.
 *
 * Owns: that lock and the set of keys of the operations running here.
 */

/* The key an operation is marked with: the call's task when it runs Async,
 * else a fresh ref of its own (xapi's calls always have a task). */
typedef struct xd_storage_op_key {
	char key[64];
	const char *task;        /* the call's task (cancel), or NULL */
} xd_storage_op_key;
void xd_storage_op_key_init(xd_storage_op_key *k, const xd_call *call);

/* Is op (a storage_operations / vdi_operations name) allowed now? 0, or -1
 * with the error xapi would give. */
int xd_storage_sr_check(const char *sr, const char *op, xd_error *err);
int xd_storage_vdi_check(const char *vdi, const char *op, xd_error *err);

/* Marks sr with sr_op and/or vdi with vdi_op (either may be NULL) under
 * k: checks, then adds to current_operations and recomputes
 * allowed_operations; all or nothing. Like xapi (Helpers.retry_with_global_lock)
 * it waits while the only obstacle is OTHER_OPERATION_IN_PROGRESS (woken when
 * an operation ends), for up to xapi's two hours; a cancel of k's task
 * ends the wait with TASK_CANCELLED [task]. */
int xd_storage_mark(const xd_storage_op_key *k, const char *sr, const char *sr_op,
		    const char *vdi, const char *vdi_op, xd_error *err);
/* Removes k from both (objects that are gone are skipped) and wakes the
 * waiters. */
void xd_storage_unmark(const xd_storage_op_key *k, const char *sr, const char *vdi);
/* For tests: the longest mark waits (default 7200 s). */
void xd_storage_set_mark_timeout(double seconds);

/* Recompute and store allowed_operations (after any change they depend on:
 * PBDs, VDIs, VBDs, capabilities). */
void xd_storage_sr_refresh(const char *sr);
void xd_storage_vdi_refresh(const char *vdi);
/* The SR, and every VDI in it. */
void xd_storage_sr_refresh_all_vdis(const char *sr);

/* Driver results into the db (storage_sync.c): what a storage driver reported, written into the db as
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
