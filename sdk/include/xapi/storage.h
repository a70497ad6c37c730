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
 * A location is 1 to XAPI_LOCATION_MAX bytes of UTF-8 without control
 * characters (xapi/plugin.h, "Locations"). The ops that make or describe one
 * VDI must emit it when they return XAPI_OK ("Must emit" there).
 *
 * Data. A driver does not move disk contents through this ABI: vdi_attach
 * emits the VDI with a `datapath` URI that xapid (HTTP import/export,
 * VDI.copy) and the hypervisor open themselves:
 *     file:///path              a raw file or block device
 *     nbd+unix:///?socket=PATH  an NBD server on a unix socket (e.g. qemu-nbd)
 *     nbd+unix:///NAME?socket=PATH  the same with an export name
 * They are URIs (RFC 3986, RFC 8089): the path, NAME and PATH are
 * percent-encoded. Write every byte but A-Z a-z 0-9 - . _ ~ / as %XX (a
 * space is %20, a % is %25, a ? %3F); xapid decodes every %XX, and a
 * datapath that does not decode (a % not followed by two hex digits, or
 * %00) fails the attach. xapi_datapath_file() below writes a file:// one.
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

/* Writes "file://" and path (absolute), percent-encoded, into buf (see the
 * datapaths above; encode an nbd+unix socket path the same way). Returns the
 * length written, or -1 if buf (len bytes) is too small. */
static inline int xapi_datapath_file(char *buf, size_t len, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	static const char keep[] = "-._~/";
	size_t n = 0;
	const char *pre = "file://";
	for (; *pre; pre++) {
		if (n + 1 >= len)
			return -1;
		buf[n++] = *pre;
	}
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9');
		for (const char *k = keep; !plain && *k; k++)
			plain = *p == (unsigned char)*k;
		if (n + (plain ? 1 : 3) >= len)
			return -1;
		if (plain) {
			buf[n++] = (char)*p;
		} else {
			buf[n++] = '%';
			buf[n++] = hex[*p >> 4];
			buf[n++] = hex[*p & 15];
		}
	}
	if (len == 0)
		return -1;
	buf[n] = 0;
	return (int)n;
}

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

/* A VDI's I/O counters (vdi_io, since 2.1): the core's struct, filled by
 * the driver. -1 is "unknown" (the core sets every member to -1 first). */
struct xapi_vdi_io {
	size_t size;                   /* sizeof(struct xapi_vdi_io) in the core */
	int64_t read_bytes;            /* bytes read through the datapath */
	int64_t write_bytes;           /* bytes written */
	int64_t read_ops;              /* read requests served */
	int64_t write_ops;             /* write requests served */
	int64_t read_time_us;          /* time the read requests took, summed */
	int64_t write_time_us;         /* time the write requests took, summed */
	/* append here, never above */
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
	/* PBD.plug / unplug on this host. attach may emit the SR's space. The
	 * device_config keys the descriptor marks XAPI_CONFIG_REQUIRED are
	 * there (non-empty) when sr_create, sr_attach and sr_probe run: xapid
	 * refuses the call before (see struct xapi_config_key). */
	xapi_sr_op_fn *sr_attach;
	xapi_sr_op_fn *sr_detach;
	/* SR.scan: emit_vdi() for every VDI the SR holds (hidden parents of
	 * snapshot chains too, with their location), and emit_sr() for its space. */
	xapi_sr_op_fn *sr_scan;
	/* SR.update: emit_sr() with the current space (without one, the SR's
	 * sizes stay as they were). */
	xapi_sr_op_fn *sr_update;

	/* VDI.create: make a VDI of want->virtual_size bytes; emit it.
	 * want->uuid is the uuid xapid chose for the VDI. */
	int (*vdi_create)(void *st, xapi_call_t *call, const struct xapi_sr *sr,
			  const struct xapi_vdi_info *want, unsigned flags);
	/* VDI.destroy. */
	xapi_vdi_op_fn *vdi_delete;
	/* VDI.snapshot / VDI.clone of the VDI at `location`: emit the new VDI
	 * (snapshot: is_a_snapshot set, snapshot_of = location). The original
	 * keeps its location. `want` describes the new VDI as vdi_create's
	 * does: want->uuid is the uuid xapid chose for it (name it after that
	 * if you name VDIs by uuid, and emit it), name_label,
	 * name_description, virtual_size, read_only and sm_config are the
	 * original's; location is NULL; is_a_snapshot and snapshot_of
	 * (= location) are set for a snapshot. (ABI 1 had no `want`.) */
	int (*vdi_snapshot)(void *st, xapi_call_t *call, const struct xapi_sr *sr,
			    const char *location, const struct xapi_vdi_info *want, unsigned flags);
	int (*vdi_clone)(void *st, xapi_call_t *call, const struct xapi_sr *sr,
			 const char *location, const struct xapi_vdi_info *want, unsigned flags);
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

	/* ---- since 2.1 ---- */
	/* I/O figures of the attached VDI at `location` (the per-VDI data
	 * sources of the metrics engine, xapi's rrdp-iostat figures): fill
	 * the members of *io that XAPI_HAS(io, struct xapi_vdi_io, member)
	 * says are there (io->size is the core's sizeof) and leave the others
	 * as the core set them (-1, unknown). Counters, not rates: totals
	 * since the datapath started serving the VDI; they may start again
	 * from 0 after a detach and attach, never go back otherwise. Called
	 * every sampling interval (5 s) for each attached VDI, with the
	 * collectors' deadline: keep it a cheap read. XAPI_E_NOT_FOUND: the
	 * VDI is not attached here (no figures). Optional: a driver without
	 * it (any 2.0 driver) has no per-VDI figures. */
	int (*vdi_io)(void *st, xapi_call_t *call, const struct xapi_sr *sr,
		      const char *location, struct xapi_vdi_io *io, unsigned flags);
	/* since 2.2: append here, never above */
};

#ifdef __cplusplus
}
#endif

#endif /* XAPI_STORAGE_H */
