/* storage_api.h - what the storage handlers (sr.c, sr_probe.c, pbd.c,
 * vdi.c, vdi_ops.c, vdi_copy.c, vdi_http.c) share. Internal to core/api. */
#ifndef XD_STORAGE_API_H
#define XD_STORAGE_API_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "rpc/rpc.h"
#include "storage/storage.h"
#include "value.h"

/* sr_scan and its results into the db, for a caller that marked the SR
 * (SR.scan, PBD.plug, VDI.destroy). SR_HAS_NO_PBDS if not plugged here. */
int xd_sr_scan_marked(const char *sr, const char *task, xd_error *err);
/* PBD.plug without the SR mark (SR.create plugs the PBDs it made). */
int xd_pbd_plug_marked(const char *pbd, const char *task, xd_error *err);

/* A new VDI on sr for record (a complete VDI record: SR, virtual_size,
 * name_label... as the generic create builds it; taken): marks the SR
 * (vdi_create), calls the driver's vdi_create, stores the record with the
 * driver's location and sizes. Returns the ref (heap). */
char *xd_vdi_create_record(const char *key_task, xd_value *record, xd_error *err);
/* VDI.destroy's work for a caller that marked the SR and the VDI. */
int xd_vdi_destroy_marked(const char *vdi, const char *task, xd_error *err);
/* VDI.destroy from the core (VDI.copy's cleanup): marks, then destroys. */
int xd_vdi_destroy_internal(const char *vdi, const char *task, xd_error *err);

/* VDI.snapshot / VDI.clone and VDI.copy for the core's own use (VM.clone,
 * VM.snapshot, VM.copy): as the messages, marked under k (its task gets the
 * progress and may cancel). Return the new VDI's ref (heap). sr,
 * base_vdi, into_vdi as VDI.copy's (OpaqueRef:NULL or NULL when unused). */
char *xd_vdi_snapshot_or_clone(const xd_storage_op_key *k, const char *vdi, bool snapshot,
			       xd_error *err);
char *xd_vdi_copy(const xd_storage_op_key *k, const char *vdi, const char *sr,
		  const char *base_vdi, const char *into_vdi, xd_error *err);

/* Handlers registered by the other storage files. */
void xd_api_sr_probe_register(void);
void xd_api_vdi_ops_register(void);
void xd_api_vdi_copy_register(void);

/* Small readers of records (borrowed values, "" / false / 0 when absent). */
const char *xd_storage_rec_str(const xd_value *rec, const char *name);
bool xd_storage_rec_bool(const xd_value *rec, const char *name);
int64_t xd_storage_rec_int(const xd_value *rec, const char *name);

#endif
