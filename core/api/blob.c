/* blob.c - blob.create, blob.destroy and <class>.create_new_blob (VM, host,
 * pool, SR, network), as xapi's ocaml/xapi/xapi_blob.ml: a blob is a record
 * (size 0, last_updated the epoch, mime_type application/octet-stream when
 * empty) named in its owner's `blobs` map. Its bytes travel over HTTP
 * (/blob, blob_http.c) and live in <state_dir>/blobs/<uuid>, which
 * blob.destroy removes with the record.
 */
#define _GNU_SOURCE /* asprintf */
#include "api.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blob_int.h"
#include "config.h"

#include "db/db.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "rpc/rpc.h"

/* The classes with a `blobs` map and a create_new_blob message. */
static const char *const owners[] = { "VM", "host", "pool", "SR", "network" };

static const xd_class *blob_cls;
static pthread_mutex_t blob_mu = PTHREAD_MUTEX_INITIALIZER;

void xd_blob_lock(void)
{
	pthread_mutex_lock(&blob_mu);
}

void xd_blob_unlock(void)
{
	pthread_mutex_unlock(&blob_mu);
}

char *xd_blob_file(const char *uuid)
{
	char *path = NULL;
	if (asprintf(&path, "%s/" XD_BLOB_DIR "/%s", xd_cfg.state_dir ? xd_cfg.state_dir : ".",
		     uuid) < 0)
		abort();
	return path;
}

/* Removes the blob's bytes (there are none until a first PUT). */
static void drop_file(const char *ref)
{
	xd_value *uuid = xd_db_get_field(blob_cls, ref, blob_cls->uuid_field);
	if (!uuid)
		return;
	char *path = xd_blob_file(uuid->u.s);
	if (unlink(path) < 0 && errno != ENOENT)
		xd_warn("blob.destroy: cannot remove %s: %s", path, strerror(errno));
	free(path);
	xd_value_free(uuid);
}

static char *make_blob(const char *mime_type, bool public, xd_error *err)
{
	xd_value *rec = xd_struct();
	xd_struct_set_take(rec, "name_label", xd_string(""));
	xd_struct_set_take(rec, "name_description", xd_string(""));
	xd_struct_set_take(rec, "size", xd_int(0));
	xd_struct_set_take(rec, "public", xd_bool(public));
	xd_struct_set_take(rec, "last_updated", xd_datetime(0));
	xd_struct_set_take(rec, "mime_type",
			   xd_string(mime_type[0] ? mime_type : "application/octet-stream"));
	xd_generic_fill_defaults(blob_cls, rec); /* uuid */
	char *ref = xd_ref_new();
	if (xd_db_create(blob_cls, ref, rec, err) < 0) {
		free(ref);
		return NULL;
	}
	return ref;
}

static xd_value *h_create(const xd_call *call, xd_error *err)
{
	char *ref = make_blob(xd_arg_str(call, 0), xd_arg_bool(call, 1), err);
	return ref ? xd_string_take(ref) : NULL;
}

/* <owner>.create_new_blob(self, name, mime_type, public): a duplicate name
 * is MAP_DUPLICATE_KEY, checked before the blob is made. */
static xd_value *h_create_new_blob(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0), *name = xd_arg_str(call, 1);
	int fi = xd_dm_field_index(call->cls, "blobs");
	if (xd_check_ref(call->cls, self, err) < 0)
		return NULL;
	xd_value *blobs = xd_db_get_field(call->cls, self, fi);
	bool dup = blobs && xd_struct_get(blobs, name) != NULL;
	xd_value_free(blobs);
	if (dup) {
		xd_value *uuid = xd_db_get_field(call->cls, self, call->cls->uuid_field);
		xd_error_set(err, "MAP_DUPLICATE_KEY", call->cls->name, "blobs",
			     uuid ? uuid->u.s : self, name, NULL);
		xd_value_free(uuid);
		return NULL;
	}
	char *ref = make_blob(xd_arg_str(call, 2), xd_arg_bool(call, 3), err);
	if (!ref)
		return NULL;
	xd_value *v = xd_string(ref);
	int rc = xd_db_map_add(call->cls, self, fi, name, v, err);
	xd_value_free(v);
	if (rc < 0) {
		xd_error dummy = XD_ERROR_INIT;
		xd_db_destroy(blob_cls, ref, &dummy);
		xd_error_clear(&dummy);
		free(ref);
		return NULL;
	}
	return xd_string_take(ref);
}

/* Drops the blob from every owner's map first, then its bytes and its
 * record, as xapi's destroy. */
int xd_blob_destroy(const char *self, xd_error *err)
{
	if (xd_check_ref(blob_cls, self, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(owners) / sizeof(owners[0]); i++) {
		const xd_class *c = xd_dm_class(owners[i]);
		int fi = c ? xd_dm_field_index(c, "blobs") : -1;
		if (fi < 0)
			continue;
		xd_value *all = xd_db_get_all(c);
		for (size_t k = 0; all && k < all->u.arr.n; k++) {
			const char *owner = all->u.arr.items[k]->u.s;
			xd_value *blobs = xd_db_get_field(c, owner, fi);
			for (size_t j = 0; blobs && j < blobs->u.st.n; j++)
				if (strcmp(blobs->u.st.m[j].v->u.s, self) == 0 &&
				    xd_db_map_remove(c, owner, fi, blobs->u.st.m[j].name, err) < 0) {
					xd_value_free(blobs);
					xd_value_free(all);
					return -1;
				}
			xd_value_free(blobs);
		}
		xd_value_free(all);
	}
	xd_blob_lock();
	drop_file(self);
	int rc = xd_db_destroy(blob_cls, self, err);
	xd_blob_unlock();
	return rc;
}

static xd_value *h_destroy(const xd_call *call, xd_error *err)
{
	return xd_blob_destroy(xd_arg_str(call, 0), err) < 0 ? NULL : xd_void();
}

void xd_api_blob_register(void)
{
	blob_cls = xd_dm_class("blob");
	if (!blob_cls)
		return;
	xd_rpc_register("blob", "create", h_create);
	xd_rpc_register("blob", "destroy", h_destroy);
	for (size_t i = 0; i < sizeof(owners) / sizeof(owners[0]); i++) {
		const xd_class *c = xd_dm_class(owners[i]);
		if (c && xd_dm_message(c, "create_new_blob"))
			xd_rpc_register(owners[i], "create_new_blob", h_create_new_blob);
	}
}
