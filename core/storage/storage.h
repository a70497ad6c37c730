/* storage.h - what the storage API handlers share: an SR as its driver sees
 * it on this host (the SR record and this host's PBD), calls to the driver
 * (plugins.h) with xapi's checks around them, and attaching a VDI's data on
 * this host for the core's own use (HTTP import/export, VDI.copy).
 *
 * Owns: the table of VDIs the core has attached (a count per VDI, so that
 * two transfers of the same VDI share one driver attach and the last one
 * detaches), and the lock that serialises SR plug state changes.
 *
 * Companions: storage_sync.h (driver results -> the db) and storage_ops.h
 * (allowed_operations / current_operations).
 */
#ifndef XD_STORAGE_H
#define XD_STORAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "plugins.h"
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
 * [vdi, op]. SR_HAS_NO_PBDS if the SR is not plugged here, VDI_MISSING
 * [sr, vdi] if the record says the volume is gone. */
char *xd_storage_vdi_attach(const char *vdi, bool writable, const char *op, const char *task,
			    xd_error *err);
/* Undoes one attach (errors are logged: there is no one to tell). */
void xd_storage_vdi_detach(const char *vdi, const char *task);
/* How the core holds the VDI attached here: 0 not, 1 read-only, 2
 * writable (allowed_operations counts it like an attached VBD, as xapi's
 * own dom0 VBDs are). */
int xd_storage_vdi_attach_mode(const char *vdi);

/* ---- daemon start ------------------------------------------------------- */

/* After the plugins are loaded: re-attaches (sr_attach) every SR whose PBD
 * on this host says currently_attached (a failure unplugs it, with a log
 * line), drops current_operations left by a previous run and recomputes
 * the allowed_operations of every SR and VDI. */
void xd_storage_startup(void);

#endif
