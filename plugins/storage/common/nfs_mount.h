/* nfs_mount.h - a libnfs mount of an NFSv3 export with a timeout on every
 * RPC: what the drivers that reach NFS servers share (nfs, iso).
 *
 * Compiled into each driver's .so, as nbd_server.c is; it keeps no state.
 */
#ifndef NFS_MOUNT_H
#define NFS_MOUNT_H

#include <stddef.h>

struct nfs_context;

/* The mounted export, or NULL with why (libnfs's words: "MNT3ERR_..." when
 * the server refused the export, a connect or RPC error when nothing
 * answered). timeout_ms bounds every RPC, the mount's included. */
struct nfs_context *nfs_mount_v3(const char *server, const char *export, int timeout_ms,
				 char *why, size_t why_size);
/* Whether why (from nfs_mount_v3) says the server answered and refused the
 * export, as opposed to no NFS service answering at all. */
int nfs_mount_refused(const char *why);

#endif
