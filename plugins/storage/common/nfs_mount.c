/* nfs_mount.c - see nfs_mount.h. */
#include <stdio.h>
#include <string.h>
#include <sys/time.h> /* libnfs.h uses struct timeval */

#include <nfsc/libnfs.h>

#include "nfs_mount.h"

struct nfs_context *nfs_mount_v3(const char *server, const char *export, int timeout_ms,
				 char *why, size_t why_size)
{
	struct nfs_context *nfs = nfs_init_context();
	if (!nfs) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	nfs_set_timeout(nfs, timeout_ms);
	nfs_set_version(nfs, 3); /* NFS_V3: libnfs cannot write over NFSv4 */
	if (nfs_mount(nfs, server, export) != 0) {
		snprintf(why, why_size, "%s", nfs_get_error(nfs));
		nfs_destroy_context(nfs);
		return NULL;
	}
	return nfs;
}

int nfs_mount_refused(const char *why)
{
	/* the export refused (MNT3ERR_*) or the mount protocol said no; else
	 * nothing answered, as sm's _testHost tells the two apart */
	return strstr(why, "MNT3ERR") || strstr(why, "mount");
}
