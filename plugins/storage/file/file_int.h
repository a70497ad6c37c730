/* file_int.h - what the sources of the `file` SR driver share (internal).
 *
 * The driver keeps no state between calls (xapid may restart its worker
 * process at any time): everything is rebuilt from the SR directory.
 *
 * Layout on disk (see doc/plugins/storage-file.md):
 *     <location>/<sr-uuid>/.xapi-sr          the SR's metadata (uuid, name)
 *     <location>/<sr-uuid>/<uuid>.qcow2      a VDI (location "<uuid>.qcow2")
 *     <location>/<sr-uuid>/<uuid>.base.qcow2 a hidden, read-only parent
 *     <location>/<sr-uuid>/<name>.qcow2|.img images copied in (raw for .img)
 *     <location>/<sr-uuid>/.tmp-*            half-made files (removed at attach)
 *     <location>/<sr-uuid>/.nbd/<hash>.sock|.pid   qemu-nbd of an attached VDI
 *
 * A VDI's location is its file name inside the SR directory: it never
 * changes, snapshot and clone switch the file under the same name.
 */
#ifndef FILE_INT_H
#define FILE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <xapi/plugin.h>

/* SMAPIv1 error numbers (xapi-project/sm XE_SR_ERRORCODES.xml); xapid turns
 * them into SR_BACKEND_FAILURE_<n>, or VDI_IN_USE (24), SR_NOT_EMPTY (39),
 * VDI_MISSING (144) as xapi does. */
enum file_err {
	FE_INVALID_ARG = 1,
	FE_VDI_IN_USE = 24,
	FE_UNIMPLEMENTED = 38,
	FE_SR_SCAN = 40,
	FE_SR_EXISTS = 42,
	FE_VDI_EXISTS = 43,
	FE_NO_SPACE = 44,
	FE_VDI_UNAVAILABLE = 46,
	FE_SR_UNAVAILABLE = 47,
	FE_SR_CREATE = 61,
	FE_SR_RMDIR = 62,
	FE_VDI_REMOVE = 64,
	FE_VDI_LOAD = 65,
	FE_VDI_TYPE = 66,
	FE_VDI_CREATE = 78,
	FE_VDI_SIZE = 79,
	FE_VDI_CLONE = 81,
	FE_VDI_SNAPSHOT = 82,
	FE_LOCATION_MISSING = 94,
	FE_VDI_RESIZE = 110,
	FE_VDI_MISSING = 144,
	FE_EIO = 200,
};

struct file_ctx;

/* What the driver needs of a file's facts. */
struct file_stat {
	bool dir, regular;
	int64_t size;
	int64_t allocated;             /* bytes the file uses */
};

/* The filesystem the SRs live on: the local one (`file`), or an NFS export
 * reached with libnfs (`nfs`, plugins/storage/nfs/). Paths are what
 * file_ctx_init put in ctx->root and ctx->dir. Each call returns 0 (or a
 * byte count) or -1 with errno set, as POSIX does. */
struct file_fs {
	int (*mkdir)(struct file_ctx *ctx, const char *path, int mode);
	int (*rmdir)(struct file_ctx *ctx, const char *path);
	int (*unlink)(struct file_ctx *ctx, const char *path);
	int (*rename)(struct file_ctx *ctx, const char *from, const char *to);
	int (*link)(struct file_ctx *ctx, const char *from, const char *to);
	int (*chmod)(struct file_ctx *ctx, const char *path, int mode);
	int (*truncate)(struct file_ctx *ctx, const char *path, int64_t size);
	int (*stat)(struct file_ctx *ctx, const char *path, struct file_stat *st);
	/* reads len bytes at off of a regular file (not following symlinks) */
	ssize_t (*pread)(struct file_ctx *ctx, const char *path, void *buf, size_t len,
			 int64_t off);
	/* makes (or replaces) path with these bytes, synced */
	int (*write_new)(struct file_ctx *ctx, const char *path, const void *buf, size_t len);
	/* the names in a directory ("." and ".." left out), calloc'd */
	int (*list)(struct file_ctx *ctx, const char *path, char ***names, size_t *n);
	int (*space)(struct file_ctx *ctx, const char *path, int64_t *size, int64_t *used);
};

/* What makes one driver of this code differ from the other: where its SRs
 * are and how they are reached. */
struct file_backend {
	const struct file_fs *fs;
	/* From device_config: ctx->root (where SR directories are), ctx->fs,
	 * ctx->url (the prefix qemu opens paths with: "" for local files,
	 * "nfs://server/export" for NFS), ctx->local. Fails the call with
	 * the driver's error (a key missing, the server unreachable). */
	int (*locate)(struct file_ctx *ctx, const xapi_kv_t *device_config);
	/* the SRs are on a server (nfs): their qemu-nbd sockets are in
	 * nbd_dir, named by SR uuid, and a detach stops them without
	 * reaching the server (which may be what went away) */
	bool remote;
};

/* The driver instance (init's `st`). */
struct file_drv {
	const struct xapi_host *host;
	xapi_plugin_t *self;
	const struct file_backend *be;
	void *conn;                    /* the backend's cached connection (nfs) */
	char conn_key[1024];           /* what it is connected to */
};

/* One call's context: what every helper needs to log and fail. */
struct file_ctx {
	struct file_drv *drv;
	xapi_call_t *call;
	const struct file_fs *fs;
	bool local;                    /* the SR directory is a local path */
	char root[4096];               /* where SR directories are */
	char url[1200];                /* prefix of paths given to qemu */
	char dir[4096];                /* the SR directory */
	char srid[40];                 /* its uuid */
};

#define FILE_META ".xapi-sr"       /* the SR's metadata file */
#define FILE_BASE_SUFFIX ".base.qcow2"
#define FILE_TMP_PREFIX ".tmp-"
#define FILE_NBD_DIR ".nbd"
#define FILE_RUN_TIMEOUT_MS 120000 /* one qemu-img or qemu-nbd start */

/* ---- file_util.c: context, errors, names ---- */

/* Fills ctx's drv, call and where the SRs are (the backend's locate). */
int file_ctx_locate(struct file_ctx *ctx, struct file_drv *drv, xapi_call_t *call,
		    const xapi_kv_t *device_config);
/* For a remote backend: ctx with only what finds the SR's qemu-nbd servers
 * (drv, call, srid), without reaching the server. 0, or -1 if the backend
 * is local (then use file_ctx_init). */
int file_ctx_offline(struct file_ctx *ctx, struct file_drv *drv, xapi_call_t *call,
		     const struct xapi_sr *sr);
/* Fills ctx for the SR (device_config location + uuid). Fails the call
 * (94: no location) and returns -1. need_dir: the SR directory must exist
 * and hold this SR's metadata (47 otherwise). */
int file_ctx_init(struct file_ctx *ctx, struct file_drv *drv, xapi_call_t *call,
		  const struct xapi_sr *sr, bool need_dir);
/* xapi_fail with an SMAPIv1 number; returns XAPI_E_FAILED. */
int file_fail(struct file_ctx *ctx, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void file_log(struct file_ctx *ctx, enum xapi_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "<dir>/<name>" into buf; -1 if it does not fit. */
int file_path(const struct file_ctx *ctx, const char *name, char *buf, size_t size);
/* What qemu-img opens for <dir>/<name>: the path, or its nfs:// URL. */
int file_qemu_name(const struct file_ctx *ctx, const char *name, char *buf, size_t size);
/* A new random uuid (36 chars + NUL). */
int file_new_uuid(char out[37]);
bool file_uuid_valid(const char *s);
/* Is this a name the driver accepts as a VDI location: a plain file name
 * (no '/', not hidden) ending in .qcow2 or .img. */
bool file_location_valid(const char *loc);
/* Runs argv through host->run; on failure fails the call with `code` and
 * the helper's output (44 if it says the disk is full). */
int file_run(struct file_ctx *ctx, int code, const char *const argv[]);
/* Writes the SR metadata file (atomically). */
int file_meta_write(struct file_ctx *ctx, const char *dir, const char *uuid,
		    const char *name_label);
/* Reads uuid and name_label from dir's metadata; -1 if absent or bad. */
int file_meta_read(struct file_ctx *ctx, const char *dir, char uuid[40], char *name,
		   size_t name_size);
/* Size and used bytes of the filesystem holding dir; -1 on error. */
int file_fs_space(struct file_ctx *ctx, const char *dir, int64_t *size, int64_t *used);
/* The qemu image arguments of an image of the SR: "-f fmt <path or URL>"
 * (style 'i', qemu-img) or "--format=fmt <path or URL>" (style 'n',
 * qemu-nbd). Writes up to 3 arguments into argv (buf holds their text);
 * returns how many, -1 (failed). */
int file_image_args(struct file_ctx *ctx, const char *name, int fmt, char style,
		    const char **argv, char *buf, size_t size);
/* Appends a copy of name to a list (fs->list's), "." and ".." left out;
 * -1 when out of memory. */
int file_names_add(char ***names, size_t *n, size_t *cap, const char *name);
void file_names_free(char **names, size_t n);
/* The local filesystem (file.c's backend). */
extern const struct file_fs file_posix_fs;
/* emit_sr with the space of the filesystem holding dir (and
 * virtual_allocation, -1 if unknown). */
int file_emit_space(struct file_ctx *ctx, int64_t virtual_allocation);

/* ---- file_io.c: the I/O counters of a VDI (vdi_io) ---- */

/* Fills arg with qemu-nbd's "--trace=..." logging every request of the
 * server of pidf; false when its requests are not counted (a remote SR). */
bool file_io_trace_arg(struct file_ctx *ctx, const char *pidf, char *arg, size_t n);
/* The server of pidf is gone: the requests its trace logged go into loc's
 * totals and the trace goes. */
void file_io_end(struct file_ctx *ctx, const char *loc, const char *pidf);
/* vdi_io: loc's totals with what its running server logged since. */
int file_vdi_io(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *loc,
		struct xapi_vdi_io *io, unsigned flags);

/* ---- file_image.c: the images of an SR ---- */

enum file_fmt { FF_RAW = 0, FF_QCOW2 = 1 };

struct file_image {
	char name[256];                /* file name = location */
	enum file_fmt fmt;
	bool base;                     /* a hidden parent we made (*.base.qcow2) */
	bool bad;                      /* unreadable header: reported as such */
	int64_t virtual_size;
	int64_t physical;              /* st_blocks * 512 */
	char backing[256];             /* parent's file name if inside the SR, else "" */
	bool backing_outside;          /* backed by a file outside the SR dir */
	int children;                  /* images of the SR backed by this one */
};

struct file_images {
	struct file_image *v;
	size_t n;
};

/* Reads one image's facts (no children count). Returns 0, -1 if the file
 * does not exist (errno ENOENT) or cannot be read. */
int file_image_read(struct file_ctx *ctx, const char *name, struct file_image *img);
/* Every image of the SR, with children counted. Fails the call on error. */
int file_images_list(struct file_ctx *ctx, struct file_images *out);
void file_images_free(struct file_images *imgs);
struct file_image *file_images_find(struct file_images *imgs, const char *name);
/* Removes hidden parents nobody uses any more, walking up chains.
 * Returns how many files went. */
int file_images_gc(struct file_ctx *ctx, struct file_images *imgs);
/* emit_vdi for one image. */
int file_image_emit(struct file_ctx *ctx, const struct file_image *img, bool is_a_snapshot,
		    const char *snapshot_of, const char *datapath);
/* Sum of virtual sizes of the visible (non-base) images. */
int64_t file_images_allocation(const struct file_images *imgs);

/* ---- file_nbd.c: qemu-nbd per attached VDI ---- */

/* Socket and pid file paths of a location's server. */
int file_nbd_paths(struct file_ctx *ctx, const char *loc, char *sock, size_t ssize, char *pid,
		   size_t psize);
/* pid of the running server of loc, 0 if none (stale files are removed). */
long file_nbd_running(struct file_ctx *ctx, const char *loc, bool *read_only);
/* Starts (or keeps) the server; writes the datapath URI into uri. */
int file_nbd_start(struct file_ctx *ctx, const char *loc, enum file_fmt fmt, bool writable,
		   char *uri, size_t usize);
/* Stops the server of loc if any. */
int file_nbd_stop(struct file_ctx *ctx, const char *loc);
/* Stops every server of the SR. */
int file_nbd_stop_all(struct file_ctx *ctx);

/* ---- the ops (file_sr.c, file_vdi.c, file_attach.c) ---- */

int file_sr_probe(void *st, xapi_call_t *call, const xapi_kv_t *device_config,
		  const xapi_kv_t *sm_config, unsigned flags);
int file_sr_create(void *st, xapi_call_t *call, const struct xapi_sr *sr, int64_t size,
		   unsigned flags);
xapi_sr_op_fn file_sr_delete, file_sr_attach, file_sr_detach, file_sr_scan, file_sr_update;
int file_vdi_create(void *st, xapi_call_t *call, const struct xapi_sr *sr,
		    const struct xapi_vdi_info *want, unsigned flags);
xapi_vdi_op_fn file_vdi_delete, file_vdi_detach, file_vdi_introduce, file_vdi_update;
int file_vdi_snapshot(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		      const struct xapi_vdi_info *want, unsigned flags);
int file_vdi_clone(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		   const struct xapi_vdi_info *want, unsigned flags);
int file_vdi_resize(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		    int64_t new_size, unsigned flags);
int file_vdi_attach(void *st, xapi_call_t *call, const struct xapi_sr *sr, const char *location,
		    int writable, unsigned flags);

/* ---- file_ops.c: what the descriptors of file and nfs share ---- */
extern const char *const file_capabilities[];
extern const struct xapi_sr_ops file_sr_ops;
/* Init's common part: checks the host services, makes the instance. */
int file_init_with(const struct xapi_host *host, xapi_plugin_t *self,
		   const struct file_backend *be, const struct xapi_plugin_desc *desc,
		   const struct xapi_plugin_desc **d, void **st);

#endif
