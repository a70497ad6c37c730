/* db.c - the object store's entry points: open and close, and the reads.
 *
 * The rest of the module: db_values.c (class tables, shared values,
 * objects), db_undo.c (changes to memory and relations, undoable),
 * db_write.c (writes and transactions), db_changes.c (the change list,
 * generations, waiting), db_store.c (sqlite and the writer thread),
 * db_codec.c (the stored record format), db_hash.c (the indexes).
 *
 * Reads take the read lock and never touch sqlite; what they return is a
 * copy the caller owns.
 */
#include "db.h"

#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "log.h"

struct db_state db;

/* ---- reads ---- */

static const db_obj *obj_for_read(const xd_class *c, const char *ref)
{
	const db_obj *o = ref ? db_hash_get(&db.refs, ref) : NULL;
	return (o && o->cls == c) ? o : NULL;
}

bool xd_db_exists(const xd_class *c, const char *ref)
{
	if (!db.open)
		return false;
	pthread_rwlock_rdlock(&db.lock);
	bool r = obj_for_read(c, ref) != NULL;
	pthread_rwlock_unlock(&db.lock);
	return r;
}

const xd_class *xd_db_class_of(const char *ref)
{
	if (!db.open || !ref)
		return NULL;
	pthread_rwlock_rdlock(&db.lock);
	const db_obj *o = db_hash_get(&db.refs, ref);
	const xd_class *c = o ? o->cls : NULL;
	pthread_rwlock_unlock(&db.lock);
	return c;
}

xd_value *xd_db_get_field(const xd_class *c, const char *ref, int field_idx)
{
	xd_value *v = NULL;
	if (!db.open || !c || field_idx < 0 || (size_t)field_idx >= c->nfields)
		return NULL;
	pthread_rwlock_rdlock(&db.lock);
	const db_obj *o = obj_for_read(c, ref);
	if (o)
		v = xd_value_copy(o->fields[field_idx]);
	pthread_rwlock_unlock(&db.lock);
	return v;
}

xd_value *xd_db_get_record(const xd_class *c, const char *ref)
{
	xd_value *v = NULL;
	if (!db.open)
		return NULL;
	pthread_rwlock_rdlock(&db.lock);
	const db_obj *o = obj_for_read(c, ref);
	if (o)
		v = db_record_of(o);
	pthread_rwlock_unlock(&db.lock);
	return v;
}

xd_value *xd_db_get_all(const xd_class *c)
{
	xd_value *arr = xd_array();
	db_cls *dc = db.open ? db_cls_of(c) : NULL;
	if (!dc)
		return arr;
	pthread_rwlock_rdlock(&db.lock);
	for (const db_obj *o = dc->head; o; o = o->next)
		xd_array_append_take(arr, xd_string(o->ref));
	pthread_rwlock_unlock(&db.lock);
	return arr;
}

size_t xd_db_count(const xd_class *c)
{
	db_cls *dc = db.open ? db_cls_of(c) : NULL;
	if (!dc)
		return 0;
	pthread_rwlock_rdlock(&db.lock);
	size_t n = dc->count;
	pthread_rwlock_unlock(&db.lock);
	return n;
}

char *xd_db_ref_by_uuid(const xd_class *c, const char *uuid)
{
	db_cls *dc = db.open ? db_cls_of(c) : NULL;
	char *r = NULL;
	if (!dc || !uuid || !*uuid)
		return NULL;
	pthread_rwlock_rdlock(&db.lock);
	const db_obj *o = db_hash_get(&dc->uuids, uuid);
	if (o)
		r = db_xstrdup(o->ref);
	pthread_rwlock_unlock(&db.lock);
	return r;
}

int xd_db_foreach(const xd_class *c, xd_db_visit_fn fn, void *ud)
{
	db_cls *dc = db.open ? db_cls_of(c) : NULL;
	int rc = 0;
	if (!dc || !fn)
		return 0;
	pthread_rwlock_rdlock(&db.lock);
	for (const db_obj *o = dc->head; o && rc == 0; o = o->next)
		rc = fn(o->ref, (const xd_value *const *)o->fields, ud);
	pthread_rwlock_unlock(&db.lock);
	return rc;
}

/* ---- open and close ---- */

static void free_memory(void)
{
	db_dangling_free();
	db_hash_free(&db.refs);
	db_log_free();
	db_classes_free();
}

static void init_locks(void)
{
	pthread_rwlockattr_t ra;
	pthread_condattr_t ca;

	/* Writers first: a steady stream of readers must not starve writes. */
	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&db.lock, &ra);
	pthread_rwlockattr_destroy(&ra);
	pthread_mutex_init(&db.qmu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&db.qcond, &ca);
	pthread_cond_init(&db.done_cond, &ca);
	pthread_condattr_destroy(&ca);
}

static void destroy_locks(void)
{
	pthread_cond_destroy(&db.qcond);
	pthread_cond_destroy(&db.done_cond);
	pthread_mutex_destroy(&db.qmu);
	pthread_rwlock_destroy(&db.lock);
}

int xd_db_open(const char *path, xd_error *err)
{
	if (db.open)
		return xd_error_setf(err, "INTERNAL_ERROR", "the database is already open");
	if (xd_dm_init() < 0)
		return xd_error_setf(err, "INTERNAL_ERROR", "the datamodel failed to initialise");

	init_locks();
	db_classes_init();
	if (db_store_open(path, err) < 0)
		goto fail;
	if (db_store_load(err) < 0)
		goto fail_store;
	if (db_store_start(err) < 0)
		goto fail_store;
	db.open = true;
	return 0;

fail_store:
	db_store_close();
fail:
	free_memory();
	destroy_locks();
	memset(&db, 0, sizeof(db));
	return -1;
}

void xd_db_close(void)
{
	if (!db.open)
		return;
	db_store_stop();
	db_store_close();
	free_memory();
	destroy_locks();
	memset(&db, 0, sizeof(db));
}
