/* xapi/storage.h - storage repository drivers (XAPI_KIND_STORAGE).
 *
 * Life cycle. One driver instance (the `st` its init returned) serves every
 * SR of its type on this host. xapid calls sr_create once when a client
 * makes a new SR (SR.create), sr_attach when the SR is plugged on this host
 * (PBD.plug, also at every daemon start for plugged PBDs), the vdi_* ops while
 * attached, sr_detach at PBD.unplug, sr_delete at SR.destroy. Each call gets
 * the SR as a struct xapi_sr: its uuid, the device_config of this host's PBD
 * and the SR's sm_config, all borrowed for the call. A driver keeps no state
 * it cannot rebuild from these and from its storage: xapid may restart the
 * driver's worker process between any two calls.
 *
 * VDIs are named by their `location`, a string the driver chooses when it
 * emits the VDI (vdi_create, vdi_snapshot, vdi_clone, sr_scan, vdi_introduce)
 * and that stays stable for the VDI's life; xapid stores it in VDI.location.
 *
 * Data. A driver does not move disk contents through this ABI: vdi_attach
 * emits the VDI with a `datapath` URI that xapid (HTTP import/export,
 * VDI.copy) and the hypervisor open themselves:
 *     file:///path              a raw file or block device
 *     nbd+unix:///?socket=PATH  an NBD server on a unix socket (e.g. qemu-nbd)
 *     nbd+unix:///NAME?socket=PATH  the same with an export name
 * The datapath stays valid until vdi_detach of the same location.
 *
 * Capabilities (desc->capabilities) use xapi's strings; the loader checks
 * that each one's op is present:
 *     SR_PROBE -> sr_probe          SR_UPDATE -> sr_update
 *     VDI_CREATE -> vdi_create      VDI_DELETE -> vdi_delete
 *     VDI_ATTACH -> vdi_attach      VDI_DETACH -> vdi_detach
 *     VDI_SNAPSHOT -> vdi_snapshot  VDI_CLONE -> vdi_clone
 *     VDI_RESIZE -> vdi_resize      VDI_INTRODUCE -> vdi_introduce
 *     VDI_UPDATE -> vdi_update
 * Mandatory ops: sr_attach, sr_detach, sr_scan (a NULL one refuses the
 * plugin). Other capability strings (VDI_RESET_ON_BOOT/2, VDI_MIRROR,
 * THIN_PROVISIONING...) are passed on to SM.capabilities as they are.
 */
#ifndef XAPI_STORAGE_H
#define XAPI_STORAGE_H 1

#include <stdint.h>

#include <xapi/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An SR as the core hands it to the driver (borrowed). */
struct xapi_sr {
	size_t size;
	const char *uuid;
	const char *name_label;
	const xapi_kv_t *device_config;
	const xapi_kv_t *sm_config;
};

/* What the driver reports about an SR: emit_sr() from sr_probe (one per SR
 * found), and from sr_attach/sr_scan/sr_update (the SR's own space). */
struct xapi_sr_info {
	size_t size;
	const char *uuid;              /* probe: the SR found there, if known */
	const char *name_label;        /* probe; may be NULL */
	const char *name_description;  /* probe; may be NULL */
	int64_t physical_size;         /* bytes, -1 if unknown */
	int64_t physical_utilisation;  /* bytes, -1 if unknown */
	int64_t virtual_allocation;    /* bytes, -1 if unknown */
	const xapi_kv_t *sm_config;    /* probe: settings to create/introduce it with; may be NULL */
};

/* A VDI: what the core asks for (vdi_create's `want`) and what the driver
 * reports (emit_vdi). Strings may be NULL where noted. */
struct xapi_vdi_info {
	size_t size;
	const char *location;          /* the driver's stable name; NULL in `want` */
	const char *uuid;              /* set by the core in `want`; scan may report the one it found */
	const char *name_label;
	const char *name_description;
	int64_t virtual_size;          /* bytes the guest sees */
	int64_t physical_utilisation;  /* bytes used on the storage, -1 if unknown */
	uint8_t read_only;
	uint8_t is_a_snapshot;         /* emit: for snapshots made by vdi_snapshot */
	const char *snapshot_of;       /* emit, optional: location of the VDI this is a snapshot of */
	const char *parent;            /* emit, optional: location of a hidden parent (chains) */
	const char *datapath;          /* emit from vdi_attach: how to reach the data (see above) */
	const xapi_kv_t *sm_config;    /* driver data kept in VDI.sm_config; may be NULL */
};

typedef int xapi_sr_op_fn(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags);
typedef int xapi_vdi_op_fn(void *st, xapi_call_t *call, const struct xapi_sr *sr,
			   const char *location, unsigned flags);

struct xapi_sr_ops {
	size_t size;                   /* sizeof(struct xapi_sr_ops) */

	/* SR.probe: which SRs exist at this device_config? emit_sr() each
	 * (none is fine). */
	int (*sr_probe)(void *st, xapi_call_t *call, const xapi_kv_t *device_config,
			const xapi_kv_t *sm_config, unsigned flags);
	/* SR.create: make a new, empty SR. size: physical_size the client
	 * asked for (0 = all there is). */
	int (*sr_create)(void *st, xapi_call_t *call, const struct xapi_sr *sr, int64_t size,
			 unsigned flags);
	/* SR.destroy: remove the SR and everything in it (the core checked it
	 * holds no VDIs in use). Also SR.create undoing itself when sr_attach
	 * failed after sr_create: then the SR is not attached (sr_detach was
	 * called after the failed attach). */
	xapi_sr_op_fn *sr_delete;
	/* PBD.plug / unplug on this host. attach emits the SR's space. */
	xapi_sr_op_fn *sr_attach;
	xapi_sr_op_fn *sr_detach;
	/* SR.scan: emit_vdi() for every VDI the SR holds (hidden parents of
	 * snapshot chains too, with their location), and emit_sr() for its space. */
	xapi_sr_op_fn *sr_scan;
	/* SR.update: emit_sr() with the current space. */
	xapi_sr_op_fn *sr_update;

	/* VDI.create: make a VDI of want->virtual_size bytes; emit it. */
	int (*vdi_create)(void *st, xapi_call_t *call, const struct xapi_sr *sr,
			  const struct xapi_vdi_info *want, unsigned flags);
	/* VDI.destroy. */
	xapi_vdi_op_fn *vdi_delete;
	/* VDI.snapshot / VDI.clone: emit the new VDI (snapshot: is_a_snapshot
	 * set, snapshot_of = location). The original keeps its location. */
	xapi_vdi_op_fn *vdi_snapshot;
	xapi_vdi_op_fn *vdi_clone;
	/* VDI.resize: grow to new_size bytes (shrinking may be refused with
	 * XAPI_E_UNSUPPORTED); emit the VDI. */
	int (*vdi_resize)(void *st, xapi_call_t *call, const struct xapi_sr *sr,
			  const char *location, int64_t new_size, unsigned flags);
	/* Make the data reachable; emit the VDI with its datapath. */
	int (*vdi_attach)(void *st, xapi_call_t *call, const struct xapi_sr *sr,
			  const char *location, int writable, unsigned flags);
	xapi_vdi_op_fn *vdi_detach;
	/* VDI.introduce: a VDI that exists at `location`; emit it or fail
	 * XAPI_E_NOT_FOUND. */
	xapi_vdi_op_fn *vdi_introduce;
	/* VDI.update: emit the VDI's current facts. */
	xapi_vdi_op_fn *vdi_update;
	/* since 1.1: append here, never above */
};

#ifdef __cplusplus
}
#endif

#endif /* XAPI_STORAGE_H */
