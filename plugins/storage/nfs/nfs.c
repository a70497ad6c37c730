/* nfs.c - the `nfs` SR driver: SRs on an NFSv3 export, reached with libnfs
 * (userspace, no kernel mount), each SR the directory <serverpath>/<SR
 * uuid> as xapi's NFSSR lays it out, its VDIs qcow2 images with O(1)
 * snapshots and clones: the file driver's code (../file/) over the libnfs
 * filesystem of nfs_fs.c. Data is served by qemu-nbd through QEMU's own
 * NFS client (nfs:// URLs), so the datapath is a local NBD socket.
 * doc/plugins/storage-nfs.md describes it for operators.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfs_int.h"
#include "../common/nfs_mount.h"

#define NFS_DEFAULT_TIMEOUT_S 30

/* xapi's NFSSR keys: server, serverpath, nfsversion (3 here). */
static int locate_nfs(struct file_ctx *ctx, const xapi_kv_t *dc)
{
	const struct xapi_host *h = ctx->drv->host;
	const char *server = h->kv_get(dc, "server");
	const char *path = h->kv_get(dc, "serverpath");
	const char *version = h->kv_get(dc, "nfsversion");
	if (!server || !*server)
		return file_fail(ctx, 102, "The request is missing the server parameter");
	if (!path || !*path)
		return file_fail(ctx, 101, "The request is missing the serverpath parameter");
	if (path[0] != '/' || strstr(path, "/../") || strlen(path) > 1000 ||
	    strpbrk(path, "?#%,") || strpbrk(server, "/?#@, "))
		return file_fail(ctx, NE_SERVERPATH_BAD, "The serverpath argument is not valid "
				 "[opterr=%s:%s]", server, path);
	/* libnfs 4.0 cannot write over NFSv4: only 3 is taken */
	if (version && *version && strcmp(version, "3") != 0)
		return file_fail(ctx, NE_VERSION, "Required NFS server version unsupported "
				 "[opterr=nfsversion %s: this driver speaks NFSv3 only]", version);
	const char *t = h->config_get(ctx->drv->self, "io_timeout");
	int timeout_s = t && atoi(t) > 0 ? atoi(t) : NFS_DEFAULT_TIMEOUT_S;
	char why[512];
	if (nfs_conn_mount(ctx, server, path, timeout_s * 1000, why, sizeof(why)) < 0) {
		if (nfs_mount_refused(why))
			return file_fail(ctx, NE_MOUNT, "NFS mount error [opterr=%s:%s: %s]", server,
					 path, why);
		return file_fail(ctx, NE_TARGET, "Unable to detect an NFS service on this target. "
				 "[opterr=%s: %s]", server, why);
	}
	ctx->fs = &nfs_fs;
	ctx->local = false;
	snprintf(ctx->root, sizeof(ctx->root), "/");
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	bool v6 = strchr(server, ':') != NULL;
	snprintf(ctx->url, sizeof(ctx->url), "nfs://%s%s%s%.*s", v6 ? "[" : "", server,
		 v6 ? "]" : "", len == 1 ? 0 : (int)len, path);
	return 0;
}

static const struct file_backend nfs_backend = { &nfs_fs, locate_nfs, true };

static const struct xapi_config_key config[] = {
	{ "server", "the NFS server's address (required)", XAPI_CONFIG_REQUIRED },
	{ "serverpath", "the exported path (required): SRs are its subdirectories <SR uuid>",
	  XAPI_CONFIG_REQUIRED },
	{ "nfsversion", "NFS version: 3 (the only one taken)", 0 },
	{ NULL, NULL, 0 },
};

static void nfs_fini(void *st)
{
	nfs_conn_drop(st);
	free(st);
}

static const struct xapi_plugin_desc nfs_desc = {
	.size = sizeof(struct xapi_plugin_desc),
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_STORAGE,
	.name = "nfs",
	.description = "NFS VHD: VDIs as qcow2 images on an NFSv3 export (libnfs, no kernel "
		       "mount), snapshots and clones as backing chains",
	.vendor = "xapi-c",
	.copyright = "(C) the xapi-c authors",
	.version = "1.0",
	.capabilities = file_capabilities,
	.config = config,
	.flags = 0, /* one call at a time: snapshot and GC need a still directory */
	.fini = nfs_fini,
	.ops = &file_sr_ops,
};

static int nfs_init(const struct xapi_host *host, xapi_plugin_t *self,
		    const struct xapi_plugin_desc **d, void **st)
{
	return file_init_with(host, self, &nfs_backend, &nfs_desc, d, st);
}

XAPI_PLUGIN_DEFINE(nfs_init)
