/* vdi_copy.c - VDI.copy (xapi_vdi.ml copy): the data is moved by the core
 * itself, through the datapaths of both VDIs (vdi_data.h), in chunks, with
 * progress on the call's task and cancel honoured between chunks. Into a
 * new VDI on `sr`, or into an existing one (into_vdi); with base_vdi only
 * the blocks that differ from it are written. A VDI the copy created is
 * destroyed again if the copy fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/vdi_data.h"
#include "db/db.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "rpc/rpc.h"
#include "storage/storage.h"
#include "storage_api.h"
#include "tasks/tasks.h"

static const xd_class *vdi_cls(void)
{
	return xd_dm_class("VDI");
}

/* A ref argument that names a VDI, or NULL (OpaqueRef:NULL, or nothing). */
static const char *opt_vdi(const char *ref)
{
	return ref && !xd_ref_is_null(ref) && xd_db_exists(vdi_cls(), ref) ? ref : NULL;
}

/* The new destination: what the source is, on sr, writable (CA-64962). */
static char *create_destination(const xd_value *src, const char *sr, const char *task,
				xd_error *err)
{
	static const char *const copied[] = { "name_label", "name_description", "virtual_size",
					      "type", "sharable", "other_config", "xenstore_data",
					      "tags", "allow_caching", NULL };
	xd_value *rec = xd_struct();
	for (size_t i = 0; copied[i]; i++) {
		const xd_value *v = xd_struct_get(src, copied[i]);
		if (v)
			xd_struct_set_take(rec, copied[i], xd_value_copy(v));
	}
	xd_struct_set_take(rec, "SR", xd_string(sr));
	xd_struct_set_take(rec, "read_only", xd_bool(false));
	/* the storage keeps its own things (locks...) in sm_config: not copied */
	xd_struct_set_take(rec, "sm_config", xd_struct());
	return xd_vdi_create_record(task, rec, err);
}

/* Attaches and opens one VDI for the copy. */
typedef struct side {
	const char *vdi;
	char *uri;
	xd_vdi_data *data;
} side;

static int side_open(side *s, const char *vdi, bool writable, const char *task, xd_error *err)
{
	s->vdi = vdi;
	s->uri = xd_storage_vdi_attach(vdi, writable, "copy", task, err);
	if (!s->uri)
		return -1;
	s->data = xd_vdi_data_open(s->uri, writable, err);
	return s->data ? 0 : -1;
}

static void side_close(side *s, const char *task)
{
	xd_vdi_data_close(s->data);
	if (s->uri)
		xd_storage_vdi_detach(s->vdi, task);
	free(s->uri);
	memset(s, 0, sizeof(*s));
}

/* The copy itself, once dst is known to be suitable. */
static int copy_data(const char *vdi, const char *dst, const char *base, int64_t size,
		     bool fresh, const char *task, xd_error *err)
{
	side s = { 0 }, d = { 0 }, b = { 0 };
	int rc = -1;
	if (side_open(&s, vdi, false, task, err) < 0 || side_open(&d, dst, true, task, err) < 0 ||
	    (base && side_open(&b, base, false, task, err) < 0))
		goto out;
	if (xd_vdi_data_size(s.data) < size || xd_vdi_data_size(d.data) < size ||
	    (base && xd_vdi_data_size(b.data) < size)) {
		xd_error_setf(err, "VDI_IO_ERROR", "a datapath holds fewer than the %lld bytes to copy",
			      (long long)size);
		goto out;
	}
	rc = xd_vdi_data_copy(s.data, d.data, base ? b.data : NULL, size, fresh && !base, task,
			      0.0, 1.0, err);
out:
	side_close(&b, task);
	side_close(&d, task);
	side_close(&s, task);
	return rc;
}

char *xd_vdi_copy(const xd_storage_op_key *k, const char *vdi, const char *sr,
		  const char *base_vdi, const char *into_vdi, xd_error *err)
{
	const char *base = opt_vdi(base_vdi), *into = opt_vdi(into_vdi);
	const char *task = k->task;
	xd_value *src = vdi ? xd_db_get_record(vdi_cls(), vdi) : NULL, *drec = NULL;
	char *dst = NULL, *res = NULL;
	bool created = false;
	if (!src) {
		xd_error_set(err, "HANDLE_INVALID", "VDI", vdi ? vdi : "", NULL);
		return NULL;
	}
	if (!into && xd_check_ref(xd_dm_class("SR"), sr, err) < 0)
		goto free;
	if (!xd_storage_rec_bool(src, "managed")) {
		xd_error_set(err, "VDI_NOT_MANAGED", vdi, NULL);
		goto free;
	}
	/* copy runs beside other operations on the source (not snapshot) */
	if (xd_storage_mark(k, NULL, NULL, vdi, "copy", err) < 0)
		goto free;
	if (into) {
		dst = strdup(into);
	} else {
		dst = create_destination(src, sr, task, err);
		if (!dst)
			goto out;
		created = true;
	}
	drec = xd_db_get_record(vdi_cls(), dst);
	int64_t size = xd_storage_rec_int(src, "virtual_size");
	if (xd_storage_rec_bool(drec, "read_only")) {
		xd_error_set(err, "VDI_READONLY", dst, NULL);
		goto out;
	}
	if (xd_storage_rec_int(drec, "virtual_size") < size) {
		char want[32];
		snprintf(want, sizeof(want), "%lld", (long long)size);
		xd_error_set(err, "VDI_TOO_SMALL", dst, want, NULL);
		goto out;
	}
	xd_info("VDI.copy: %s -> %s (%lld bytes%s%s)", vdi, dst, (long long)size,
		base ? ", base " : "", base ? base : "");
	if (copy_data(vdi, dst, base, size, created, task, err) < 0)
		goto out;
	res = dst;
	dst = NULL;
out:
	xd_storage_unmark(k, NULL, vdi);
	if (!res && created) {
		xd_error cerr = XD_ERROR_INIT;
		xd_info("VDI.copy failed (%s): destroying the VDI it made, %s", err->code, dst);
		/* without the task: a cancel (often why the copy failed) must not
		 * stop the clean-up */
		if (xd_vdi_destroy_internal(dst, NULL, &cerr) < 0)
			xd_warn("VDI.copy: could not destroy %s: %s", dst, cerr.code);
		xd_error_clear(&cerr);
	}
free:
	xd_value_free(src);
	xd_value_free(drec);
	free(dst);
	return res;
}

static xd_value *h_copy(const xd_call *call, xd_error *err)
{
	xd_storage_op_key k;
	xd_storage_op_key_init(&k, call);
	char *ref = xd_vdi_copy(&k, xd_arg_str(call, 0), xd_arg_str(call, 1), xd_arg_str(call, 2),
				xd_arg_str(call, 3), err);
	return ref ? xd_string_take(ref) : NULL;
}

void xd_api_vdi_copy_register(void)
{
	xd_rpc_register("VDI", "copy", h_copy);
}
