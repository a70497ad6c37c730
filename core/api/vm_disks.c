/* vm_disks.c - the VDIs of a VM as the lifecycle code needs them: attached
 * for a domain (their datapath), cloned, snapshotted or copied for
 * VM.clone / VM.snapshot / VM.copy / VM.revert, and the suspend images.
 * Everything goes through the storage layer (storage.h, and the VDI
 * internals of api/storage_api.h, with their checks and marks): this file
 * is the only place the VM code meets it. */
#define _GNU_SOURCE
#include "vm_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "datapath/vdi_data.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "storage/storage.h"
#include "storage_api.h"

int xd_vm_vdi_attach(const char *vdi, bool writable, char **datapath, char **format,
		     xd_error *err)
{
	*format = NULL;
	*datapath = xd_storage_vdi_attach(vdi, writable, "attach", NULL, err);
	return *datapath ? 0 : -1;
}

void xd_vm_vdi_detach(const char *vdi)
{
	xd_storage_vdi_detach(vdi, NULL);
}

/* The key the storage layer marks the VDIs and SRs with: the task of the
 * VM operation when it runs Async (xapi's subtasks report to it), else a
 * fresh ref. */
static void op_key(xd_storage_op_key *k, const xd_call *call)
{
	xd_storage_op_key_init(k, call);
}

char *xd_vm_vdi_clone(const xd_call *call, const char *vdi, xd_error *err)
{
	xd_storage_op_key k;
	op_key(&k, call);
	return xd_vdi_snapshot_or_clone(&k, vdi, false, err);
}

char *xd_vm_vdi_snapshot(const xd_call *call, const char *vdi, xd_error *err)
{
	xd_storage_op_key k;
	op_key(&k, call);
	return xd_vdi_snapshot_or_clone(&k, vdi, true, err);
}

/* A full copy; sr NULL: into the VDI's own SR. */
char *xd_vm_vdi_copy(const xd_call *call, const char *vdi, const char *sr, xd_error *err)
{
	const xd_class *c = xd_dm_class("VDI");
	xd_value *own = sr ? NULL : xd_db_get_field(c, vdi, xd_dm_field_index(c, "SR"));
	xd_storage_op_key k;
	op_key(&k, call);
	char *ref = xd_vdi_copy(&k, vdi, sr ? sr : own ? own->u.s : XD_NULL_REF, NULL, NULL, err);
	xd_value_free(own);
	return ref;
}

int xd_vm_vdi_destroy(const xd_call *call, const char *vdi, xd_error *err)
{
	return xd_vdi_destroy_internal(vdi, call ? call->task : NULL, err);
}

/* ---- suspend images ------------------------------------------------------ */

static char *state_file(const char *dir_name, const char *name)
{
	char dir[4096], *path = NULL;
	snprintf(dir, sizeof dir, "%s/%s", xd_cfg.state_dir ? xd_cfg.state_dir : ".", dir_name);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		xd_warn("cannot create %s: %s", dir, strerror(errno));
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		abort();
	return path;
}

/* Without any suspend SR (VM.suspend_SR, pool.suspend_image_SR and
 * host.suspend_image_sr all NULL) xapi refuses to suspend; we keep the
 * image in a file of the state dir instead, so that suspend works on a
 * host with no storage configured. */
char *xd_vm_suspend_file(const char *vm_uuid)
{
	char name[128];
	snprintf(name, sizeof name, "%s.img", vm_uuid);
	return state_file("suspend-images", name);
}

int xd_vm_copy_image_file(const char *from_uuid, const char *to_uuid, xd_error *err)
{
	char *from = xd_vm_suspend_file(from_uuid), *to = xd_vm_suspend_file(to_uuid);
	int rc = -1, in = open(from, O_RDONLY), out = -1;
	struct stat st;
	if (in < 0 || fstat(in, &st) != 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "no suspend image at %s", from);
		goto out;
	}
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (out < 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "cannot create %s: %s", to, strerror(errno));
		goto out;
	}
	for (off_t left = st.st_size; left > 0;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)left, 0);
		if (n <= 0) {
			xd_error_setf(err, "INTERNAL_ERROR", "copying %s: %s", from,
				      n < 0 ? strerror(errno) : "short file");
			unlink(to);
			goto out;
		}
		left -= n;
	}
	rc = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	free(from);
	free(to);
	return rc;
}

/* The local file behind a file:// datapath, or NULL. */
static const char *file_of(const char *datapath)
{
	return datapath && strncmp(datapath, "file://", 7) == 0 ? datapath + 7 : NULL;
}

/* Copies size bytes between two datapaths (file:// or the driver's). */
static int copy_data(const char *from, const char *to, int64_t size, bool dst_fresh, xd_error *err)
{
	xd_vdi_data *src = xd_vdi_data_open(from, false, err), *dst = NULL;
	int rc = -1;
	if (!src)
		return -1;
	dst = xd_vdi_data_open(to, true, err);
	if (dst && size < 0)
		size = xd_vdi_data_size(src);
	if (dst && xd_vdi_data_copy(src, dst, NULL, size, dst_fresh, NULL, 0, 1, err) == 0 &&
	    xd_vdi_data_flush(dst, err) == 0)
		rc = 0;
	xd_vdi_data_close(dst);
	xd_vdi_data_close(src);
	return rc;
}

/* A suspend VDI's image written by the backend: straight into the VDI
 * when its datapath is a file, else through a file of the state dir. */
struct xd_vm_image {
	char *vdi;
	char *datapath;    /* the VDI attached */
	char *path;        /* what the backend reads or writes */
	bool staged;       /* path is a temporary file */
};

static void image_free(xd_vm_image *im)
{
	if (!im)
		return;
	if (im->staged)
		unlink(im->path);
	if (im->datapath)
		xd_vm_vdi_detach(im->vdi);
	free(im->vdi);
	free(im->datapath);
	free(im->path);
	free(im);
}

static xd_vm_image *image_attach(const char *vdi, bool writable, xd_error *err)
{
	xd_vm_image *im = calloc(1, sizeof *im);
	char *fmt = NULL;
	if (!im)
		abort();
	im->vdi = strdup(vdi);
	if (xd_vm_vdi_attach(vdi, writable, &im->datapath, &fmt, err) < 0) {
		free(fmt);
		image_free(im);
		return NULL;
	}
	free(fmt);
	const char *f = file_of(im->datapath);
	if (f) {
		im->path = strdup(f);
	} else {
		char *uuid = xd_uuid_new();
		im->path = state_file("suspend-staging", uuid);
		free(uuid);
		im->staged = true;
	}
	return im;
}

xd_vm_image *xd_vm_suspend_image_create(const xd_call *call, const char *sr,
					const char *vm_uuid, int64_t size, xd_error *err)
{
	const xd_class *c = xd_dm_class("VDI");
	xd_value *rec = xd_struct();
	size = (size + (1 << 20) - 1) & ~(int64_t)((1 << 20) - 1);
	xd_struct_set_take(rec, "name_label", xd_string("Suspend image"));
	char desc[128];
	snprintf(desc, sizeof desc, "Suspend image of VM %s", vm_uuid);
	xd_struct_set_take(rec, "name_description", xd_string(desc));
	xd_struct_set_take(rec, "SR", xd_string(sr));
	xd_struct_set_take(rec, "virtual_size", xd_int(size));
	xd_struct_set_take(rec, "type", xd_string("suspend"));
	xd_struct_set_take(rec, "sharable", xd_bool(false));
	xd_struct_set_take(rec, "read_only", xd_bool(false));
	xd_struct_set_take(rec, "other_config", xd_struct());
	xd_generic_fill_defaults(c, rec);
	char *vdi = xd_vdi_create_record(call ? call->task : NULL, rec, err); /* rec taken */
	if (!vdi)
		return NULL;
	xd_vm_image *im = image_attach(vdi, true, err);
	if (!im) {
		xd_error e = XD_ERROR_INIT;
		xd_vm_vdi_destroy(call, vdi, &e);
		xd_error_clear(&e);
	}
	free(vdi);
	return im;
}

xd_vm_image *xd_vm_suspend_image_open(const char *vdi, xd_error *err)
{
	xd_vm_image *im = image_attach(vdi, false, err);
	if (im && im->staged) {
		char *to = NULL;
		if (asprintf(&to, "file://%s", im->path) < 0)
			abort();
		/* a sparse file of the VDI's size: the copy writes only the data */
		int64_t size = -1;
		xd_vdi_data *d = xd_vdi_data_open(im->datapath, false, err);
		if (d) {
			size = xd_vdi_data_size(d);
			xd_vdi_data_close(d);
		}
		int fd = size < 0 ? -1 : open(im->path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
		if (fd >= 0 && ftruncate(fd, (off_t)size) != 0) {
			close(fd);
			fd = -1;
		}
		if (fd >= 0)
			close(fd);
		int rc = fd < 0 ? xd_error_setf(err, "INTERNAL_ERROR", "cannot create %s", im->path)
				: copy_data(im->datapath, to, -1, true, err);
		free(to);
		if (rc < 0) {
			image_free(im);
			return NULL;
		}
	}
	return im;
}

const char *xd_vm_image_path(const xd_vm_image *im)
{
	return im->path;
}

const char *xd_vm_image_vdi(const xd_vm_image *im)
{
	return im->vdi;
}

int xd_vm_image_commit(xd_vm_image *im, xd_error *err)
{
	if (!im->staged)
		return 0;
	struct stat st;
	if (stat(im->path, &st) != 0)
		return xd_error_setf(err, "INTERNAL_ERROR", "no suspend image at %s", im->path);
	char *from = NULL;
	if (asprintf(&from, "file://%s", im->path) < 0)
		abort();
	int rc = copy_data(from, im->datapath, (int64_t)st.st_size, false, err);
	free(from);
	return rc;
}

void xd_vm_image_close(xd_vm_image *im)
{
	image_free(im);
}
