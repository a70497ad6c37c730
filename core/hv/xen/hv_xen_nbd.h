/* hv_xen_nbd.h - a VDI's NBD datapath as a dom0 block device for blkback.
 *
 * Xen 4.17's qdisk (QEMU's xen-block) opens a file name only: it cannot be
 * handed an nbd+unix:// datapath (it tried to stat "nbd:unix:..." and the
 * guest saw no disk). So before a domain is built or a disk hot-plugged,
 * each NBD datapath is connected to a free /dev/nbdN of dom0's kernel
 * (`qemu-nbd --connect`, which does the NBD handshake and then stays as
 * the device's socket owner), and the guest gets that device through
 * blkback (libxl's phy backend: no device-model process at all for a PV
 * guest's disks). The device is released after its domain is destroyed or
 * the disk unplugged.
 */
#ifndef XD_HV_XEN_NBD_H
#define XD_HV_XEN_NBD_H

#include <stdbool.h>

#include "error.h"

/* Loads dom0's nbd module if it is not there yet; logs a warning if that
 * fails (connect then fails with the reason). */
void xd_hv_xen_nbd_prepare(void);

bool xd_hv_xen_nbd_is_datapath(const char *datapath);

/* nbd+unix:///NAME?socket=PATH -> NAME and PATH, percent-decoded (both heap,
 * NAME may be ""). Pure. -1 with INTERNAL_ERROR on a malformed URI. */
int xd_hv_xen_nbd_parse(const char *uri, char **name, char **path, xd_error *err);

/* Connects a free /dev/nbdN to the datapath, read-only or not as the disk
 * is (a read-only NBD export refuses a writer); *dev (heap) is its path.
 * -1 with INTERNAL_ERROR naming the datapath and qemu-nbd's message. */
int xd_hv_xen_nbd_connect(const char *datapath, bool readonly, char **dev, xd_error *err);

/* True for a device this module hands out ("/dev/nbdN"). */
bool xd_hv_xen_nbd_is_device(const char *path);

/* Disconnects it (qemu-nbd --disconnect); failures are logged. */
void xd_hv_xen_nbd_release(const char *dev);

/* True if a /dev/nbdN client's command line (NUL-separated, len bytes, as
 * /proc/PID/cmdline) is one xd_hv_xen_nbd_connect starts: qemu-nbd
 * --connect with our --image-opts over a unix socket. Pure. */
bool xd_hv_xen_nbd_cmdline_is_ours(const char *cmdline, size_t len);

/* After a crash or kill -9 of xapid, devices connected for domains that
 * were then destroyed behind its back stay connected to dead servers. At
 * start, disconnects every /dev/nbdN that is ours (by its client's command
 * line) and is none of in_use[0..n) (the disks of the domains still alive);
 * leaves the host's own NBD devices alone. Returns how many it released. */
int xd_hv_xen_nbd_sweep(char *const *in_use, int n);

#endif
