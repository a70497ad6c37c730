/* nfs_int.h - what the sources of the `nfs` SR driver share (internal).
 * The driver is the `file` driver's code (../file/, qcow2 images, O(1)
 * snapshots) over an NFSv3 export reached with libnfs instead of a local
 * directory: this folder holds only its descriptor, how device-config
 * names the export, and the libnfs filesystem. */
#ifndef NFS_INT_H
#define NFS_INT_H

#include <stddef.h>

#include "../file/file_int.h"

/* SMAPIv1 numbers of sm's NFSSR (XE_SR_ERRORCODES.xml). */
enum nfs_err {
	NE_VERSION = 72,            /* NFSVersion */
	NE_MOUNT = 73,              /* NFSMount */
	NE_SERVERPATH_BAD = 103,    /* ConfigServerPathBad */
	NE_TARGET = 108,            /* NFSTarget */
};

extern const struct file_fs nfs_fs;
/* Mounts server:export into ctx->drv (kept while it answers); -1 with why. */
int nfs_conn_mount(struct file_ctx *ctx, const char *server, const char *export, int timeout_ms,
		   char *why, size_t why_size);
void nfs_conn_drop(struct file_drv *drv);

#endif
