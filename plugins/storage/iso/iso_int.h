/* iso_int.h - what the sources of the `iso` SR driver share (internal).
 *
 * The driver (iso.c) lists, describes and hands out images of a library;
 * where the library is, a local directory (iso_local.c) or a directory of
 * an NFS export (iso_nfs.c), is a struct iso_lib chosen from
 * device-config:location when a call starts.
 */
#ifndef ISO_INT_H
#define ISO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xapi/plugin.h>

/* sm's numbers (XE_SR_ERRORCODES.xml) */
enum iso_err {
	IE_VDI_UNAVAILABLE = 46,
	IE_SR_UNAVAILABLE = 47,
	IE_NFS_VERSION = 72,
	IE_NFS_MOUNT = 73,
	IE_NFS_TARGET = 108,
	IE_VDI_MISSING = 144,
	IE_MOUNT_FAILURE = 222,
	IE_LOCATION_STRING = 225,
	IE_LOCAL_PATH = 226,
};

struct iso_drv {
	const struct xapi_host *host;
	xapi_plugin_t *self;
};

struct iso_stat {
	bool regular;
	int64_t size;
	int64_t allocated;
};

struct iso_ctx;

/* Where a library is. Every op but those marked fails the call itself
 * (iso_fail) and answers -1. */
struct iso_lib {
	/* the names in the library directory ("." and ".." left out), calloc'd */
	int (*list)(struct iso_ctx *ctx, char ***names, size_t *n);
	/* -1 (not failing the call) when name is not there */
	int (*stat)(struct iso_ctx *ctx, const char *name, struct iso_stat *st);
	int (*space)(struct iso_ctx *ctx, int64_t *size, int64_t *used);
	/* the read-only datapath of an image */
	int (*attach)(struct iso_ctx *ctx, const char *name, char *uri, size_t usize);
	int (*detach)(struct iso_ctx *ctx, const char *name);
	/* what attaches of this SR left running (SR.detach) */
	int (*detach_all)(struct iso_ctx *ctx);
	/* end of the call: what the library holds goes */
	void (*done)(struct iso_ctx *ctx);
};

/* One call's context. */
struct iso_ctx {
	struct iso_drv *drv;
	xapi_call_t *call;
	const char *srid;
	const struct iso_lib *lib;
	char dir[4096];         /* local: the directory; nfs: the path in the export */
	/* nfs only */
	void *nfs;              /* the mount (struct nfs_context), this call's */
	char url[3400];         /* nfs://server/export, what qemu opens images under */
};

int iso_fail(struct iso_ctx *ctx, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int iso_names_add(char ***names, size_t *n, size_t *cap, const char *name);
void iso_names_free(char **names, size_t n);

extern const struct iso_lib iso_local;
extern const struct iso_lib iso_nfs;

/* For a location "server:/path" (or "[v6]:/path"): mounts the export for
 * this call (mount = false: only names it, for detaches, which must work
 * while the server is away), ctx->dir = iso_path under it. */
int iso_nfs_open(struct iso_ctx *ctx, const char *location, const xapi_kv_t *dconf, bool mount);

#endif
