/* storage_ops.h - SR.allowed_operations / current_operations and
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
#ifndef XD_STORAGE_OPS_H
#define XD_STORAGE_OPS_H

#include "error.h"
#include "rpc.h"

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

#endif
