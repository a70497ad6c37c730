/* lvm_data.h - reaching the data of an LV, with device-mapper or without.
 *
 * With device-mapper (LVM_ACCESS_DM, a Xen dom0) an LV is activated
 * (`lvchange -ay VG/LV`) and its data is /dev/mapper/<vg>-<lv>;
 * deactivated at close. Without it (LVM_ACCESS_LOOP: our test machines,
 * containers) LVM cannot activate, so a single-segment LV is reached
 * through a loop device over the PV at the LV's offset and length
 * (`losetup --offset --sizelimit`), detached at close; LVs of more than one
 * segment cannot be reached that way (the `lvm` driver allocates
 * contiguously in this mode so that its LVs stay single-segment).
 *
 * Stateless: what is open is found again from device-mapper or from the
 * loop devices' sysfs entries, so a restarted worker closes what an
 * earlier one opened. Shared with any driver that uses lvm_cmd.h.
 */
#ifndef LVM_DATA_H
#define LVM_DATA_H

#include <stdbool.h>
#include <stdint.h>

#include "lvm_cmd.h"

/* What the functions below need, and why the last one failed. */
struct lvm_io {
	const struct xapi_host *host;
	xapi_call_t *call;
	const struct lvm_env *env;
	char why[512];
};

/* Where an LV's data lies on the PV. */
struct lvm_place {
	int64_t offset;                /* bytes from the start of the PV */
	int64_t size;                  /* the LV's size in bytes */
	int segments;
};

int lvm_lv_place(struct lvm_io *io, const char *vg, const char *lv, struct lvm_place *p);

/* The arguments (lvm_run's args) of activating or deactivating VG/LV:
 * { "lvchange", "-ay"|"-an", "<vg>/<lv>", NULL } in buf (vglv holds the
 * "<vg>/<lv>" they point at). */
int lvm_cmd_activate(const char *vg, const char *lv, bool on, char vglv[300],
		     const char *args[4]);
/* losetup's argv for a loop over dev at p (read-only unless writable);
 * off and lim hold the numbers the argv points at. */
void lvm_cmd_loop(const char *dev, const struct lvm_place *p, bool writable, char off[24],
		  char lim[24], const char *argv[12]);

/* Makes VG/LV's data reachable: its path into path. 0 or -1 (io->why). */
int lvm_data_open(struct lvm_io *io, const char *vg, const char *lv, bool writable,
		  char *path, size_t len);
/* Is VG/LV open now (attached by someone)? 1, 0, or -1 (io->why). */
int lvm_data_is_open(struct lvm_io *io, const char *vg, const char *lv);
/* Undoes lvm_data_open (nothing to do if it is not open). */
int lvm_data_close(struct lvm_io *io, const char *vg, const char *lv);
/* The same when the caller opened it in this op and has its path (no
 * lookup of where it is: one LVM command less). */
int lvm_data_close_path(struct lvm_io *io, const char *vg, const char *lv, const char *path);
/* Closes every LV of the VG (SR detach); loop devices over the PV go. */
int lvm_data_close_all(struct lvm_io *io, const char *vg);

/* Zeroes [off, off+len) of the block device at path (BLKZEROOUT, else
 * writes of zeros). */
int lvm_data_zero(struct lvm_io *io, const char *path, int64_t off, int64_t len);
/* Copies size bytes from src to dst (dst reads as zeros: zero chunks are
 * skipped), with progress and cancel. 0, -1 (io->why), or 1 if cancelled. */
int lvm_data_copy(struct lvm_io *io, const char *src, const char *dst, int64_t size);

#endif
