/* hv_sim_image.h - the simulated host's suspend image: a small text file
 * with what a restore needs to rebuild the domain and to check that it is
 * rebuilding the right one (the VM, its memory and vCPUs, its devices).
 * The same record travels between simulated hosts on migration.
 *
 * Layout (one "key value" per line; ends at "end", so an image written over
 * a larger file or block device reads back the same):
 *   XAPI-C-SIM-SUSPEND-IMAGE 1
 *   vm <uuid>  type <domain_type>  memory <bytes>  static_max <bytes>
 *   vcpus <online> <max>  cpu_time <seconds>  disk <vdev>...  nic <devid>...
 *   end
 * Owns: the strings of an xd_sim_image (xd_sim_image_clear frees them).
 */
#ifndef XD_HV_SIM_IMAGE_H
#define XD_HV_SIM_IMAGE_H

#include <stdint.h>

#include "error.h"
#include "hv/hv.h"

#define XD_SIM_IMAGE_VERSION 1

typedef struct xd_sim_image {
	char *vm_uuid;
	char *domain_type;
	int64_t memory;        /* bytes the domain had when it was saved */
	int64_t static_max;
	int vcpus, vcpus_max;
	double cpu_time_s;
	char **vdevs;          /* its disks (guest device names) */
	int ndisks;
	int *devids;           /* its NICs */
	int nnics;
} xd_sim_image;

/* path: a file name or a file:// URI. Writes from the start of the file
 * without truncating it (it may be a VDI) and syncs. INTERNAL_ERROR on I/O
 * errors. */
int xd_sim_image_write(const xd_sim_image *img, const char *path, xd_error *err);

/* Reads an image: INTERNAL_ERROR if it cannot be read, is not an image or is
 * corrupt; RESTORE_INCOMPATIBLE_VERSION [] for another format version.
 * *out is zeroed first; on error it holds nothing. */
int xd_sim_image_read(const char *path, xd_sim_image *out, xd_error *err);

/* Does the image fit the VM that is being restored (same VM, memory within
 * static max, vCPUs within max, same disks and NICs)? INTERNAL_ERROR naming
 * the difference. what names the image in the message (its path). */
int xd_sim_image_check(const xd_sim_image *img, const xd_hv_domain_spec *spec, const char *what,
		       xd_error *err);

void xd_sim_image_clear(xd_sim_image *img);

#endif
