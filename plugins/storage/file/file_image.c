/* file_image.c - the images of a file SR: what each one is (read from its
 * qcow2 header, or the file size for raw .img), the parent/child relations
 * of backing chains, garbage collection of hidden parents, and reporting
 * them to xapid.
 *
 * The qcow2 header is read directly (QEMU's docs/interop/qcow2.txt: magic,
 * version, backing file offset and length, virtual size, all big-endian)
 * rather than through `qemu-img info`: a scan then costs one read per
 * image instead of one process per image, and works on images a running
 * qemu-nbd holds locked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_int.h"

#define QCOW2_MAGIC 0x514649fbu /* "QFI\xfb" */

static uint64_t be64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* The qcow2 facts of an open image; -1 if it is not a qcow2 we can read. */
static int read_qcow2(struct file_ctx *ctx, const char *path, struct file_image *img,
		      const char *dir)
{
	unsigned char h[32];
	if (ctx->fs->pread(ctx, path, h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    be32(h) != QCOW2_MAGIC)
		return -1;
	uint32_t version = be32(h + 4);
	if (version != 2 && version != 3)
		return -1;
	uint64_t boff = be64(h + 8);
	uint32_t blen = be32(h + 16);
	uint64_t size = be64(h + 24);
	if (size > (uint64_t)INT64_MAX)
		return -1;
	img->virtual_size = (int64_t)size;
	if (boff == 0 || blen == 0)
		return 0;
	char backing[1024];
	if (blen >= sizeof(backing) ||
	    ctx->fs->pread(ctx, path, backing, blen, (int64_t)boff) != (ssize_t)blen)
		return -1;
	backing[blen] = '\0';
	/* A parent inside the SR: a plain name, an absolute path into dir
	 * (images made elsewhere and copied in with their chain), or the
	 * SR's own URL (nfs: make_overlay names parents so) */
	const char *name = backing;
	size_t dlen = strlen(dir), ulen = strlen(ctx->url);
	if (backing[0] == '/' && strncmp(backing, dir, dlen) == 0 && backing[dlen] == '/')
		name = backing + dlen + 1;
	else if (ulen && strncmp(backing, ctx->url, ulen) == 0 &&
		 strncmp(backing + ulen, dir, dlen) == 0 && backing[ulen + dlen] == '/')
		name = backing + ulen + dlen + 1;
	if (strchr(name, '/') || strlen(name) >= sizeof(img->backing) || !*name) {
		img->backing_outside = true;
		return 0;
	}
	snprintf(img->backing, sizeof(img->backing), "%s", name);
	return 0;
}

int file_image_read(struct file_ctx *ctx, const char *name, struct file_image *img)
{
	char path[4400];
	memset(img, 0, sizeof(*img));
	if (file_path(ctx, name, path, sizeof(path)) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(img->name, sizeof(img->name), "%s", name);
	struct file_stat st;
	if (ctx->fs->stat(ctx, path, &st) != 0)
		return -1;
	if (!st.regular) {
		errno = ENOENT;
		return -1;
	}
	img->physical = st.allocated;
	if (ends_with(name, ".img")) {
		/* .img is always raw: never probed, so a guest cannot turn
		 * its disk into a qcow2 with a backing file of its choice */
		img->fmt = FF_RAW;
		img->virtual_size = st.size;
	} else {
		img->fmt = FF_QCOW2;
		img->base = ends_with(name, FILE_BASE_SUFFIX);
		if (read_qcow2(ctx, path, img, ctx->dir) < 0)
			img->bad = true;
	}
	return 0;
}

void file_images_free(struct file_images *imgs)
{
	free(imgs->v);
	imgs->v = NULL;
	imgs->n = 0;
}

struct file_image *file_images_find(struct file_images *imgs, const char *name)
{
	for (size_t i = 0; i < imgs->n; i++)
		if (strcmp(imgs->v[i].name, name) == 0)
			return &imgs->v[i];
	return NULL;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct file_image *)a)->name, ((const struct file_image *)b)->name);
}

int file_images_list(struct file_ctx *ctx, struct file_images *out)
{
	out->v = NULL;
	out->n = 0;
	char **names;
	size_t nnames;
	if (ctx->fs->list(ctx, ctx->dir, &names, &nnames) < 0)
		return file_fail(ctx, FE_SR_SCAN, "The SR scan failed: cannot read '%s': %s",
				 ctx->dir, strerror(errno));
	size_t cap = 0;
	int rc = 0;
	for (size_t k = 0; k < nnames; k++) {
		const char *d_name = names[k];
		if (!file_location_valid(d_name))
			continue;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			struct file_image *nv = realloc(out->v, cap * sizeof(*nv));
			if (!nv) {
				rc = file_fail(ctx, FE_SR_SCAN, "out of memory");
				goto out;
			}
			out->v = nv;
		}
		if (file_image_read(ctx, d_name, &out->v[out->n]) == 0)
			out->n++;
		/* else: gone meanwhile, or not a regular file: not an image */
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), by_name);
	for (size_t i = 0; i < out->n; i++) {
		if (!out->v[i].backing[0])
			continue;
		struct file_image *p = file_images_find(out, out->v[i].backing);
		if (p)
			p->children++;
		else
			out->v[i].backing_outside = true; /* parent missing: shown as is */
	}
out:
	file_names_free(names, nnames);
	if (rc < 0)
		file_images_free(out);
	return rc;
}

int file_images_gc(struct file_ctx *ctx, struct file_images *imgs)
{
	int removed = 0;
	bool again = true;
	/* until nothing changes: removing a parent may orphan its own parent */
	while (again) {
		again = false;
		for (size_t i = 0; i < imgs->n; i++) {
			struct file_image *img = &imgs->v[i];
			char path[4400];
			if (!img->base || img->children > 0 || img->name[0] == '\0')
				continue;
			if (file_path(ctx, img->name, path, sizeof(path)) < 0 ||
			    (ctx->fs->unlink(ctx, path) != 0 && errno != ENOENT)) {
				file_log(ctx, XAPI_LOG_WARN, "cannot remove unused parent '%s': %s",
					 path, strerror(errno));
				continue;
			}
			file_log(ctx, XAPI_LOG_DEBUG, "removed unused parent %s", img->name);
			removed++;
			if (img->backing[0]) {
				struct file_image *p = file_images_find(imgs, img->backing);
				if (p && p->children > 0)
					p->children--;
			}
			img->name[0] = '\0'; /* gone; compacted below */
			again = true;
		}
	}
	size_t w = 0;
	for (size_t r = 0; r < imgs->n; r++)
		if (imgs->v[r].name[0])
			imgs->v[w++] = imgs->v[r];
	imgs->n = w;
	return removed;
}

/* "<uuid>.qcow2", "<uuid>.base.qcow2", "<uuid>.img": that uuid. */
static bool uuid_of_name(const char *name, char out[37])
{
	if (strlen(name) < 37 || name[36] != '.')
		return false;
	memcpy(out, name, 36);
	out[36] = '\0';
	const char *rest = name + 36;
	if (!file_uuid_valid(out))
		return false;
	return strcmp(rest, ".qcow2") == 0 || strcmp(rest, FILE_BASE_SUFFIX) == 0 ||
	       strcmp(rest, ".img") == 0;
}

int file_image_emit(struct file_ctx *ctx, const struct file_image *img, bool is_a_snapshot,
		    const char *snapshot_of, const char *datapath)
{
	char uuid[37];
	bool named = uuid_of_name(img->name, uuid);
	struct xapi_vdi_info v = {
		.size = sizeof(v),
		.location = img->name,
		.uuid = named ? uuid : NULL,
		/* xapi calls hidden parents "base copy"; images found in the
		 * directory are named after their file */
		.name_label = img->base ? "base copy" : named ? NULL : img->name,
		.name_description = img->bad ? "unreadable image header" : NULL,
		.virtual_size = img->virtual_size,
		.physical_utilisation = img->physical,
		.read_only = img->base,
		.is_a_snapshot = is_a_snapshot,
		.snapshot_of = snapshot_of,
		.parent = img->backing[0] && !img->backing_outside ? img->backing : NULL,
		.datapath = datapath,
	};
	return ctx->drv->host->emit_vdi(ctx->call, &v);
}

int64_t file_images_allocation(const struct file_images *imgs)
{
	int64_t sum = 0;
	for (size_t i = 0; i < imgs->n; i++)
		if (!imgs->v[i].base)
			sum += imgs->v[i].virtual_size;
	return sum;
}

int file_image_args(struct file_ctx *ctx, const char *name, int fmt, char style,
		    const char **argv, char *buf, size_t size)
{
	const char *format = fmt == FF_QCOW2 ? "qcow2" : "raw";
	if (style == 'n') {
		size_t w = (size_t)snprintf(buf, size, "--format=%s", format) + 1;
		if (w >= size || file_qemu_name(ctx, name, buf + w, size - w) < 0)
			return -1;
		argv[0] = buf;
		argv[1] = buf + w;
		return 2;
	}
	argv[0] = "-f";
	argv[1] = format;
	if (file_qemu_name(ctx, name, buf, size) < 0)
		return -1;
	argv[2] = buf;
	return 3;
}
