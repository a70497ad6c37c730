/* vm_int.h - what the VM modules of api/ share (private to core/api/):
 *
 *   vm_update.c     read-modify-write of a VM under its lock, committed in
 *                   one transaction with the writes to its devices
 *   vm_ops.c        xapi's operation rules: which vm_operations are allowed
 *                   in which state (allowed_operations), current_operations
 *   vm_domain.c     the VM record -> hypervisor domain, and the db state of a
 *                   running VM (resident_on, domid, devices, console, metrics)
 *   vm_disks.c      the VDIs of a VM through the storage layer
 *   vm_lifecycle.c  VM.start ... VM.power_state_reset
 *   vm_placement.c  VM.assert_can_boot_here, VM.get_possible_hosts
 *   vm_settings.c   memory, VCPUs, template flag, allowed devices
 *   vm_clone.c      clone, copy, snapshot, checkpoint
 *   vm_revert.c     revert
 *   vm_provision.c  provision (the disks a template describes)
 *   vm_monitor.c    the refresher thread (metrics, guest metrics, domains
 *                   that shut down or crashed by themselves)
 *   device_ops.c    VBD/VIF plug, unplug, eject, insert
 */
#ifndef XD_API_VM_INT_H
#define XD_API_VM_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "error.h"
#include "hv/hv.h"
#include "rpc/rpc.h"
#include "value.h"

/* ---- record helpers (borrowed values; "" / 0 / false when absent) ---- */
const char *xd_rec_str(const xd_value *rec, const char *field);
int64_t xd_rec_int(const xd_value *rec, const char *field);
bool xd_rec_bool(const xd_value *rec, const char *field);
double xd_rec_float(const xd_value *rec, const char *field);
/* Replaces a field of a record (v taken). */
void xd_rec_set(xd_value *rec, const char *field, xd_value *v);
/* A string -> string map value of a record, or NULL. */
const char *xd_rec_map_get(const xd_value *rec, const char *field, const char *key);
/* Console.location of a console (console_http.c): the URL clients CONNECT
 * to. Heap. */
char *xd_console_location(const char *console_uuid);
/* Lower-case power state ("Running" -> "running") into out. */
void xd_power_lower(const char *state, char out[16]);

/* vm_bios.c: gives a VM record without BIOS strings xapi's generic ones
 * (what a start does, as xapi's). */
void xd_vm_bios_generic_if_unset(xd_value *rec);

/* ---- vm_update.c ----
 *
 * The one way the VM modules change a VM: xd_vm_update_begin takes the VM's
 * lock and reads its record twice (before / after); the caller edits
 * `after`, queues writes to other objects, and commits: allowed_operations
 * is recomputed from `after`, the fields that differ are written with the
 * queued writes in one transaction, and the lock is released. Reads of other
 * objects happen before the commit (a transaction cannot read). */
typedef struct xd_vm_update xd_vm_update;
xd_vm_update *xd_vm_update_begin(const char *vm, xd_error *err);
xd_value *xd_vm_update_after(xd_vm_update *u);          /* borrowed, editable */
const xd_value *xd_vm_update_before(xd_vm_update *u);   /* borrowed */
const char *xd_vm_update_ref(xd_vm_update *u);
/* Queued writes (values and records taken). */
void xd_vm_update_set(xd_vm_update *u, const char *cls, const char *ref, const char *field,
		      xd_value *v);
void xd_vm_update_create(xd_vm_update *u, const char *cls, const char *ref, xd_value *rec);
void xd_vm_update_destroy(xd_vm_update *u, const char *cls, const char *ref);
/* Removes op_key from current_operations (NULL: none) as part of the commit. */
void xd_vm_update_end_op(xd_vm_update *u, const char *op_key);
/* Commits and frees u (also on failure); nothing is written when nothing
 * changed. */
int xd_vm_update_commit(xd_vm_update *u, xd_error *err);
/* For start-up, before any client is served: an update without the lock
 * (several can be open at once), written into the caller's transaction
 * (whose write lock the caller holds: every read happens before it). */
xd_vm_update *xd_vm_update_begin_unlocked(const char *vm, xd_error *err);
/* Computes allowed_operations (reads the db: before xd_db_begin). */
void xd_vm_update_seal(xd_vm_update *u);
int xd_vm_update_commit_into(xd_vm_update *u, xd_db_txn *t, xd_error *err);
void xd_vm_update_abort(xd_vm_update *u);

/* A message (xapi's message class: VM_STARTED...) about a VM, queued into u. */
void xd_vm_update_message(xd_vm_update *u, const char *name, int64_t priority,
			  const char *body);

/* Reads an object as it will be once u commits (its queued writes applied;
 * NULL if u destroys it or it does not exist): the rules of vm_ops.c and
 * device_ops.c look at companions (guest metrics...) through this, since
 * a commit recomputes allowed_operations before the writes are in the db.
 * A NULL reader reads the db. New record; the caller frees. */
typedef struct xd_vm_reader {
	xd_value *(*get)(void *ud, const char *cls, const char *ref);
	void *ud;
} xd_vm_reader;
xd_value *xd_vm_read(const xd_vm_reader *r, const char *cls, const char *ref);
xd_vm_reader xd_vm_update_reader(xd_vm_update *u);

/* ---- vm_ops.c ---- */
/* 0 if op may start on the VM now (rec: its record), else -1 with xapi's
 * error (OPERATION_BLOCKED, VM_BAD_POWER_STATE, OTHER_OPERATION_IN_PROGRESS,
 * VM_IS_TEMPLATE, VM_IS_SNAPSHOT, OPERATION_NOT_ALLOWED...). */
int xd_vm_check_op(const char *vm, const xd_value *rec, const char *op, xd_error *err);
int xd_vm_check_op_r(const xd_vm_reader *r, const char *vm, const xd_value *rec, const char *op,
		     xd_error *err);
/* The allowed_operations set for rec (a new array). */
xd_value *xd_vm_allowed_ops(const char *vm, const xd_value *rec);
xd_value *xd_vm_allowed_ops_r(const xd_vm_reader *r, const char *vm, const xd_value *rec);
/* VM_BAD_POWER_STATE [vm, expected..., actual] for op from rec's state. */
int xd_vm_bad_power_state(const char *vm, const char *expected_csv, const char *actual,
			  xd_error *err);
/* Marks op as running (current_operations[key] = op) after checking it;
 * key: the call's task ref, or a fresh ref for a synchronous call (heap,
 * the caller frees). xd_vm_op_end removes the mark (when the final commit
 * of the operation did not: xd_vm_update_end_op). */
int xd_vm_op_begin(const xd_call *call, const char *vm, const char *op, char **key,
		   xd_error *err);
void xd_vm_op_end(const char *vm, const char *key);
/* The same without waiting for operations in progress (they refuse it),
 * for the daemon's own work (the monitor). */
int xd_vm_op_try(const char *vm, const char *op, char **key, xd_error *err);
/* As xapi, an operation blocked only by another one in progress waits for
 * it (woken when any VM operation ends; a cancel of its task stops the
 * wait with TASK_CANCELLED [task]) up to this long (default 7200 s), then
 * fails with OTHER_OPERATION_IN_PROGRESS. */
void xd_vm_set_op_wait(double seconds);
/* Called when some VM's current_operations shrank (wakes the waiters). */
void xd_vm_ops_changed(void);

/* ---- vm_disks.c: the storage layer, seen from a VM ---- */
/* Attaches the VDI of a VBD; *datapath (heap) is NULL when the storage
 * layer gives none (no driver for the SR type). */
int xd_vm_vdi_attach(const char *vdi, bool writable, char **datapath, char **format,
		     xd_error *err);
void xd_vm_vdi_detach(const char *vdi);
/* VDI.clone / VDI.snapshot / copy through the storage layer: the new VDI's
 * ref (heap). */
char *xd_vm_vdi_clone(const xd_call *call, const char *vdi, xd_error *err);
char *xd_vm_vdi_snapshot(const xd_call *call, const char *vdi, xd_error *err);
char *xd_vm_vdi_copy(const xd_call *call, const char *vdi, const char *sr, xd_error *err);
int xd_vm_vdi_destroy(const xd_call *call, const char *vdi, xd_error *err);
/* A suspend image in a VDI: the file the backend writes or reads (the
 * VDI's own file when its datapath is one, else a file of the state dir
 * copied to / from the VDI). */
typedef struct xd_vm_image xd_vm_image;
/* A new VDI of type suspend on sr, room for size bytes, attached writable. */
xd_vm_image *xd_vm_suspend_image_create(const xd_call *call, const char *sr,
					const char *vm_uuid, int64_t size, xd_error *err);
/* An existing suspend VDI, attached read-only, its image ready to read. */
xd_vm_image *xd_vm_suspend_image_open(const char *vdi, xd_error *err);
const char *xd_vm_image_path(const xd_vm_image *im);
const char *xd_vm_image_vdi(const xd_vm_image *im);
/* After the backend wrote the image: into the VDI. */
int xd_vm_image_commit(xd_vm_image *im, xd_error *err);
/* Detaches (and drops a staging file); the VDI stays. */
void xd_vm_image_close(xd_vm_image *im);
/* Where images go when there is no suspend SR at all (heap). */
char *xd_vm_suspend_file(const char *vm_uuid);

/* ---- vm_domain.c ---- */
/* The devices of a VM while its domain is built: disks (VDIs attached) and
 * NICs, with the strings they point to. */
typedef struct xd_vm_devices xd_vm_devices;
/* Reads the VM's VBDs and VIFs and attaches the VDIs (rolled back on error). */
xd_vm_devices *xd_vm_devices_prepare(const char *vm, const xd_value *rec, xd_error *err);
/* Detaches what prepare attached (detach=true) and frees. */
void xd_vm_devices_free(xd_vm_devices *d, bool detach);
/* The domain spec of rec with d's devices (borrows both). */
void xd_vm_domain_spec(const xd_value *rec, const xd_vm_devices *d, xd_hv_domain_spec *spec);
/* A VBD's userdevice or device as a disk number: "3", "xvdd", "hdd", "sdd"
 * (-1: neither a number nor such a name). */
int xd_vm_disk_number(const char *s);
/* The guest device name of a VBD userdevice: "xvda", "hda"... */
void xd_vm_vbd_device_name(const char *userdevice, bool hvm, char out[16]);
bool xd_vm_is_hvm(const xd_value *rec);
/* Builds and (unless paused) unpauses the domain: its domid or -1. From an
 * image when restore_from is set. */
int xd_vm_domain_build(const xd_value *rec, const xd_vm_devices *d, const char *restore_from,
		       bool paused, xd_error *err);
/* Queues the db state of a VM now running as domid (power_state, domid,
 * resident_on, devices attached, console, metrics, guest metrics). */
void xd_vm_queue_running(xd_vm_update *u, int domid, const xd_vm_devices *d, bool paused);
/* Queues the db state of a VM without a domain: to_state "Halted" or
 * "Suspended" (devices detached, consoles gone, resident_on NULL, domid -1). */
void xd_vm_queue_stopped(xd_vm_update *u, const char *to_state);
/* Detaches the VDIs of the VM's attached VBDs (rec: the VM record). */
void xd_vm_detach_disks(const xd_value *rec);
/* Memory needed on the host beyond the guest's target (xapi's formula). */
int64_t xd_vm_memory_overhead(const xd_value *rec);
/* The shadow memory (MiB) an HVM domain of rec needs with multiplier mult. */
int64_t xd_vm_shadow_mib(const xd_value *rec, double mult);
/* The effective domain type ("hvm", "pv", "pvh"). */
const char *xd_vm_domain_type(const xd_value *rec);

/* ---- vm_clone.c: copies of a VM's devices (clone, snapshot, revert) ---- */
typedef enum { XD_DISK_CLONE, XD_DISK_COPY, XD_DISK_SNAPSHOT, XD_DISK_CHECKPOINT } xd_disk_op;
typedef struct xd_vm_new_disk {
	char *vbd;      /* the source VBD */
	char *vdi;      /* its VDI in the new VM (NULL: empty) */
	bool created;   /* a new VDI (destroyed again on failure) */
} xd_vm_new_disk;
typedef struct xd_vm_disks {
	xd_vm_new_disk *d;
	size_t n;
} xd_vm_disks;
/* The new disks for every VBD of rec (xapi's safe_clone_disks): CDs are
 * shared, empty drives stay empty; sr for XD_DISK_COPY (NULL: each VDI's
 * own); ignore_vdis (a set) for snapshots. On failure nothing is left. */
int xd_vm_copy_disks(const xd_call *call, const xd_value *rec, xd_disk_op op, const char *sr,
		     const xd_value *ignore_vdis, xd_vm_disks *out, xd_error *err);
void xd_vm_disks_free(const xd_call *call, xd_vm_disks *ds, bool destroy_created);
/* Records of copies of a VBD / VIF for vm (MAC kept or, when it was
 * generated, made anew). */
xd_value *xd_vm_new_vbd_record(const xd_value *src, const char *vm, const char *vdi);
xd_value *xd_vm_new_vif_record(const xd_value *src, const char *vm, bool keep_mac);
/* Recomputes the allowed_operations of the VM's devices. */
void xd_vm_refresh_devices(const char *vm);
bool xd_vm_in_set(const xd_value *set, const char *s);
/* A copy of the suspend image file of one VM for another (no suspend SR). */
int xd_vm_copy_image_file(const char *from_uuid, const char *to_uuid, xd_error *err);

/* ---- vm_lifecycle.c: steps the monitor shares ---- */
/* Destroys destroy_domid (-1: none), detaches the VM's disks and records it
 * Halted, clearing the op mark key; msg: a message to leave, or NULL. */
int xd_vm_finish_halt(const char *vm, const char *key, int destroy_domid, const char *msg,
		      xd_error *err);
/* Destroys old_domid (-1: none) and builds the domain again (a reboot);
 * if that fails the VM ends Halted and err says why. */
int xd_vm_restart(const char *vm, const char *key, int old_domid, xd_error *err);
/* The SR suspend images of this VM go to: VM.suspend_SR, else
 * pool.suspend_image_SR, else the host's suspend_image_sr (heap); NULL
 * when none is set (the image then goes to xd_vm_suspend_file). */
char *xd_vm_suspend_sr(const xd_value *rec);
/* Swaps the VM's uuid in an error of the backend for its ref. */
void xd_vm_fix_error(xd_error *err, const char *vm);
/* Can the VM's domain be built on this host now? xapi's
 * validate_basic_parameters (VCPUs, memory constraints) and
 * assert_can_boot_here: the host enabled (HOST_DISABLED), the SRs of its
 * disks plugged here (VM_REQUIRES_SR), the host's free memory
 * (HOST_NOT_ENOUGH_FREE_MEMORY). */
int xd_vm_validate_for_boot(const char *vm, const xd_value *rec, xd_error *err);
/* sim backend: passes VM.other_config "sim:fault" on (xd_hv_sim_inject). */
void xd_vm_sim_faults(const xd_value *rec);

/* ---- vm_monitor.c ---- */
/* Has the monitor look at this VM's domain soon (not at the next round). */
void xd_vm_monitor_watch(const char *vm);
/* Fills the VM_metrics / VM_guest_metrics writes for a running domain. */
void xd_vm_queue_metrics(xd_vm_update *u, int domid, bool starting);

/* ---- device_ops.c ---- */
/* Queues the allowed_operations of the VM's VBDs and VIFs, computed from
 * the VM as u leaves it; attached >= 0 stands for their currently_attached
 * (a VM that starts: 1, stops: 0). */
void xd_vm_queue_device_ops(xd_vm_update *u, int attached);
/* The allowed_operations of one VBD or VIF (cls) record of the VM vm_rec. */
xd_value *xd_device_allowed_ops(const char *cls, const char *ref, const xd_value *rec,
				const char *vm, const xd_value *vm_rec);

/* ---- registration ---- */
void xd_api_vm_lifecycle_register(void);
void xd_api_vm_settings_register(void);
void xd_api_vm_clone_register(void);
void xd_api_vm_revert_register(void);
void xd_api_vm_provision_register(void);
void xd_api_vm_placement_register(void);
void xd_api_device_ops_register(void);

#endif
