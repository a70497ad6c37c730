/* db_write.c - writes and transactions.
 *
 * Every write runs as a transaction: it takes the write lock, applies its
 * changes to memory through db_undo.c (which records how to undo each one),
 * and at commit either undoes everything (a write failed) or stamps every
 * touched object with one new generation, queues their new state for the
 * writer thread (db_store.c), drops the lock and waits for the sqlite
 * commit. The single-write calls are transactions of one write.
 */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "ids.h"
#include "log.h"

/* ---- write operations (write lock held; failures fill t->err) ---- */

static db_cls *writable_cls(xd_db_txn *t, const xd_class *c)
{
	db_cls *dc = db_cls_of(c);
	if (!dc || !c->stored) {
		xd_error_setf(&t->err, "INTERNAL_ERROR", "class %s is not stored in the database",
			      c ? c->name : "(null)");
		return NULL;
	}
	return dc;
}

static db_obj *obj_for_write(xd_db_txn *t, const xd_class *c, const char *ref)
{
	db_obj *o = ref ? db_hash_get(&db.refs, ref) : NULL;
	if (!o || o->cls != c) {
		xd_error_set(&t->err, "HANDLE_INVALID", c->name, ref ? ref : "", NULL);
		return NULL;
	}
	return o;
}

static int field_for_write(xd_db_txn *t, db_cls *dc, int idx)
{
	if (idx < 0 || (size_t)idx >= dc->cls->nfields)
		return xd_error_setf(&t->err, "INTERNAL_ERROR", "%s has no field number %d",
				     dc->cls->name, idx);
	if (dc->many[idx])
		return xd_error_setf(&t->err, "INTERNAL_ERROR",
				     "%s.%s is maintained by the database from its relation",
				     dc->cls->name, dc->cls->fields[idx].name);
	return 0;
}

static int check_uuid_free(xd_db_txn *t, db_cls *dc, const db_obj *self, const xd_value *v)
{
	if (v->t != XD_V_STRING || !v->u.s[0])
		return 0;
	db_obj *other = db_hash_get(&dc->uuids, v->u.s);
	if (other && other != self)
		return xd_error_set(&t->err, "DB_UNIQUENESS_CONSTRAINT_VIOLATION", dc->cls->name,
				    "uuid", v->u.s, NULL);
	return 0;
}

static int op_create(xd_db_txn *t, const xd_class *c, const char *ref, xd_value *record)
{
	db_cls *dc = writable_cls(t, c);
	db_obj *o = NULL;
	int rc = -1;

	if (!dc)
		goto out;
	if (!record || record->t != XD_V_STRUCT) {
		xd_error_setf(&t->err, "INTERNAL_ERROR", "%s create: the record is not a struct",
			      c->name);
		goto out;
	}
	if (!ref || xd_ref_is_null(ref)) {
		xd_error_setf(&t->err, "INTERNAL_ERROR", "%s create: no reference given", c->name);
		goto out;
	}
	if (db_hash_get(&db.refs, ref)) {
		xd_error_set(&t->err, "DB_UNIQUENESS_CONSTRAINT_VIOLATION", c->name, "_ref", ref,
			     NULL);
		goto out;
	}
	o = db_obj_alloc(dc, ref);
	for (size_t i = 0; i < record->u.st.n; i++) {
		xd_member *m = &record->u.st.m[i];
		int idx = db_field_by_name(dc, m->name, (int)i);
		if (idx < 0) {
			xd_error_setf(&t->err, "INTERNAL_ERROR", "%s has no field %s", c->name,
				      m->name);
			goto out;
		}
		if (!db_shape_ok(c->fields[idx].type, m->v)) {
			xd_error_setf(&t->err, "INTERNAL_ERROR", "%s.%s: value of the wrong type",
				      c->name, m->name);
			goto out;
		}
		if (dc->many[idx] || o->fields[idx])
			continue; /* derived from the relation */
		/* Steal the value: the record is ours, and value.c frees a
		 * struct with NULL members fine. */
		xd_value *v = m->v;
		m->v = NULL;
		db_obj_init_field(o, idx, v);
	}
	db_obj_fill_defaults(o);
	if (c->uuid_field >= 0 && check_uuid_free(t, dc, NULL, o->fields[c->uuid_field]) < 0)
		goto out;

	db_obj_insert(t, o);
	db_mark_dirty(t, o);
	o->tx |= DB_TX_NEW;
	db_rel_link_all(t, o);
	db_rel_adopt(t, o);
	o = NULL;
	rc = 0;
out:
	db_obj_free(o);
	xd_value_free(record);
	return rc;
}

static int op_destroy(xd_db_txn *t, const xd_class *c, const char *ref)
{
	db_cls *dc = writable_cls(t, c);
	db_obj *o = dc ? obj_for_write(t, c, ref) : NULL;
	if (!o)
		return -1;
	for (size_t f = 0; f < c->nfields; f++) {
		if (dc->one_rel[f] >= 0)
			db_rel_unlink(t, o, dc->one_rel[f]);
	}
	/* no cascade (as xapi): what pointed at o now points at nothing */
	db_rel_orphan(t, o);
	db_mark_dirty(t, o);
	o->tx |= DB_TX_GONE;
	db_obj_remove(t, o);
	return 0;
}

static int op_set_field(xd_db_txn *t, const xd_class *c, const char *ref, int idx,
			const xd_value *v)
{
	db_cls *dc = writable_cls(t, c);
	db_obj *o = dc ? obj_for_write(t, c, ref) : NULL;
	if (!o || field_for_write(t, dc, idx) < 0)
		return -1;
	if (!db_shape_ok(c->fields[idx].type, v))
		return xd_error_setf(&t->err, "INTERNAL_ERROR", "%s.%s: value of the wrong type",
				     c->name, c->fields[idx].name);
	if (idx == c->uuid_field && check_uuid_free(t, dc, o, v) < 0)
		return -1;

	int r = dc->one_rel[idx];
	if (r >= 0)
		db_rel_unlink(t, o, r);
	db_store_value(t, o, idx, xd_value_copy(v));
	if (r >= 0)
		db_rel_link(t, o, r);
	db_mark_dirty(t, o);
	return 0;
}

/* Map and set changes build a new value: such fields are small. */
static db_obj *collection_for_write(xd_db_txn *t, const xd_class *c, const char *ref, int idx,
				    xd_tkind kind)
{
	db_cls *dc = writable_cls(t, c);
	db_obj *o = dc ? obj_for_write(t, c, ref) : NULL;
	if (!o || field_for_write(t, dc, idx) < 0)
		return NULL;
	if (c->fields[idx].type->kind != kind) {
		xd_error_setf(&t->err, "INTERNAL_ERROR", "%s.%s is not a %s", c->name,
			      c->fields[idx].name, kind == XD_T_MAP ? "map" : "set");
		return NULL;
	}
	return o;
}

static int op_map_add(xd_db_txn *t, const xd_class *c, const char *ref, int idx,
		      const char *key, const xd_value *val)
{
	db_obj *o = collection_for_write(t, c, ref, idx, XD_T_MAP);
	if (!o)
		return -1;
	if (!key || !val)
		return xd_error_setf(&t->err, "INTERNAL_ERROR", "map add without key or value");
	if (xd_struct_get(o->fields[idx], key))
		return xd_error_set(&t->err, "MAP_DUPLICATE_KEY", c->name, c->fields[idx].name,
				    db_uuid_of(db_cls_of(c), o), key, NULL);
	xd_value *nv = xd_value_copy(o->fields[idx]);
	xd_struct_set_take(nv, key, xd_value_copy(val));
	db_store_value(t, o, idx, nv);
	db_mark_dirty(t, o);
	return 0;
}

static int op_map_remove(xd_db_txn *t, const xd_class *c, const char *ref, int idx,
			 const char *key)
{
	db_obj *o = collection_for_write(t, c, ref, idx, XD_T_MAP);
	if (!o)
		return -1;
	if (!key || !xd_struct_get(o->fields[idx], key))
		return 0; /* as xapi: removing an absent key is no change */
	xd_value *nv = xd_value_copy(o->fields[idx]);
	xd_struct_remove(nv, key);
	db_store_value(t, o, idx, nv);
	db_mark_dirty(t, o);
	return 0;
}

static long set_find(const xd_value *set, const xd_value *item)
{
	for (size_t i = 0; i < set->u.arr.n; i++) {
		if (xd_value_equal(set->u.arr.items[i], item))
			return (long)i;
	}
	return -1;
}

static int op_set_add(xd_db_txn *t, const xd_class *c, const char *ref, int idx,
		      const xd_value *item)
{
	db_obj *o = collection_for_write(t, c, ref, idx, XD_T_SET);
	if (!o)
		return -1;
	if (!item)
		return xd_error_setf(&t->err, "INTERNAL_ERROR", "set add without an item");
	if (set_find(o->fields[idx], item) >= 0)
		return 0;
	xd_value *nv = xd_value_copy(o->fields[idx]);
	xd_array_append_take(nv, xd_value_copy(item));
	db_store_value(t, o, idx, nv);
	db_mark_dirty(t, o);
	return 0;
}

static int op_set_remove(xd_db_txn *t, const xd_class *c, const char *ref, int idx,
			 const xd_value *item)
{
	db_obj *o = collection_for_write(t, c, ref, idx, XD_T_SET);
	if (!o)
		return -1;
	long pos = item ? set_find(o->fields[idx], item) : -1;
	if (pos < 0)
		return 0;
	xd_value *nv = xd_value_copy(o->fields[idx]);
	xd_array_remove(nv, (size_t)pos);
	db_store_value(t, o, idx, nv);
	db_mark_dirty(t, o);
	return 0;
}

static int op_touch(xd_db_txn *t, const xd_class *c, const char *ref)
{
	db_cls *dc = writable_cls(t, c);
	db_obj *o = dc ? obj_for_write(t, c, ref) : NULL;
	if (!o)
		return -1;
	db_mark_dirty(t, o);
	return 0;
}

/* ---- transactions ---- */

xd_db_txn *xd_db_begin(void)
{
	if (!db.open)
		return NULL;
	xd_db_txn *t = calloc(1, sizeof(*t));
	if (!t)
		abort();
	pthread_rwlock_wrlock(&db.lock);
	return t;
}

static void txn_free(xd_db_txn *t)
{
	xd_error_clear(&t->err);
	free(t->u);
	free(t->dirty);
	free(t);
}

/* Runs one write of a transaction: refused after an earlier failure (with
 * that failure), and a failure marks the transaction failed. err may be NULL. */
#define TXN_OP(t, err, call)                                                   \
	do {                                                                   \
		if (!(t))                                                      \
			return (err) ? xd_error_setf((err), "INTERNAL_ERROR",  \
						     "the database is not open") \
				     : -1;                                     \
		if (!(t)->failed && (call) == 0)                               \
			return 0;                                              \
		(t)->failed = true;                                            \
		if (err) {                                                     \
			xd_error_clear(err);                                   \
			xd_error_copy((err), &(t)->err);                       \
		}                                                              \
		return -1;                                                     \
	} while (0)

int xd_db_txn_create(xd_db_txn *t, const xd_class *c, const char *ref, xd_value *record,
		     xd_error *err)
{
	if (!t || t->failed)
		xd_value_free(record); /* taken in all cases */
	TXN_OP(t, err, op_create(t, c, ref, record));
}

int xd_db_txn_destroy(xd_db_txn *t, const xd_class *c, const char *ref, xd_error *err)
{
	TXN_OP(t, err, op_destroy(t, c, ref));
}

bool xd_db_txn_exists(xd_db_txn *t, const xd_class *c, const char *ref)
{
	const db_obj *o = (t && ref) ? db_hash_get(&db.refs, ref) : NULL;
	return o && o->cls == c;
}

int xd_db_txn_set_field(xd_db_txn *t, const xd_class *c, const char *ref, int field_idx,
			const xd_value *v, xd_error *err)
{
	TXN_OP(t, err, op_set_field(t, c, ref, field_idx, v));
}

static db_tomb *tomb_new(const db_obj *o, uint64_t gen)
{
	size_t rl = strlen(o->ref) + 1;
	db_tomb *tb = calloc(1, sizeof(*tb) + rl);
	if (!tb)
		abort();
	memcpy(tb->ref, o->ref, rl);
	tb->cls = o->cls;
	tb->node.gen = gen;
	tb->node.tomb = true;
	return tb;
}

static db_op *batch_op(db_batch *b, db_op_kind kind, const db_obj *o, uint64_t gen)
{
	if (b->nops == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 8;
		b->ops = db_xrealloc(b->ops, b->cap * sizeof(*b->ops));
	}
	db_op *op = &b->ops[b->nops++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->gen = gen;
	if (o) {
		op->cls = o->cls->name;
		op->ref = db_xstrdup(o->ref);
	}
	return op;
}

/* Stamps the dirty objects with gen, moves them in the change list and
 * describes their new state for the writer thread. */
static db_batch *stamp_dirty(xd_db_txn *t, uint64_t gen)
{
	db_batch *b = calloc(1, sizeof(*b));
	if (!b)
		abort();
	b->gen = gen;
	for (size_t i = 0; i < t->ndirty; i++) {
		db_obj *o = t->dirty[i];
		unsigned tx = o->tx;
		o->tx = 0;
		if (tx & DB_TX_GONE) {
			if (tx & DB_TX_NEW)
				continue; /* born and gone in one transaction: never seen */
			db_log_unlink(&o->node);
			db_log_add_tomb(tomb_new(o, gen));
			batch_op(b, DB_OP_DEL, o, gen)->tomb = true;
			continue;
		}
		if (tx & DB_TX_NEW)
			o->created_gen = gen;
		else
			db_log_unlink(&o->node);
		o->node.gen = gen;
		db_log_append(&o->node);
		db_op *op = batch_op(b, DB_OP_PUT, o, gen);
		op->created_gen = o->created_gen;
		op->data = db_encode(o, &op->len);
	}
	uint64_t trimmed = db_log_trim(gen);
	if (trimmed)
		batch_op(b, DB_OP_TRIM, NULL, trimmed);
	return b;
}

int xd_db_commit(xd_db_txn *t, xd_error *err)
{
	xd_error tmp = XD_ERROR_INIT;
	db_waiter w = { 0 };
	int rc = -1;

	if (!err)
		err = &tmp;
	if (!t) {
		xd_error_setf(err, "INTERNAL_ERROR", "the database is not open");
		goto out;
	}
	if (t->failed) {
		db_rollback_mem(t);
		pthread_rwlock_unlock(&db.lock);
		xd_error_clear(err);
		xd_error_copy(err, &t->err);
		goto out;
	}
	if (t->ndirty == 0) { /* only no-op writes: no generation, no event */
		db_forget_undo(t);
		pthread_rwlock_unlock(&db.lock);
		rc = 0;
		goto out;
	}
	db_batch *b = stamp_dirty(t, ++db.gen);
	db_forget_undo(t);
	b->w = &w;
	db_store_enqueue(b); /* under the write lock: queue order is generation order */
	pthread_rwlock_unlock(&db.lock);
	rc = db_store_wait(&w, err);
out:
	if (t)
		txn_free(t);
	xd_error_clear(&tmp);
	return rc;
}

void xd_db_rollback(xd_db_txn *t)
{
	if (!t)
		return;
	db_rollback_mem(t);
	pthread_rwlock_unlock(&db.lock);
	txn_free(t);
}

/* ---- single writes: a transaction of one ---- */

#define SINGLE_OP(call)                                                        \
	do {                                                                   \
		xd_db_txn *t = xd_db_begin();                                  \
		if (t && (call) < 0)                                           \
			t->failed = true;                                      \
		return xd_db_commit(t, err);                                   \
	} while (0)

int xd_db_create(const xd_class *c, const char *ref, xd_value *record, xd_error *err)
{
	xd_db_txn *t = xd_db_begin();
	xd_db_txn_create(t, c, ref, record, NULL);
	return xd_db_commit(t, err);
}

int xd_db_destroy(const xd_class *c, const char *ref, xd_error *err)
{
	SINGLE_OP(op_destroy(t, c, ref));
}

int xd_db_set_field(const xd_class *c, const char *ref, int field_idx, const xd_value *v,
		    xd_error *err)
{
	SINGLE_OP(op_set_field(t, c, ref, field_idx, v));
}

int xd_db_map_add(const xd_class *c, const char *ref, int field_idx, const char *key,
		  const xd_value *val, xd_error *err)
{
	SINGLE_OP(op_map_add(t, c, ref, field_idx, key, val));
}

int xd_db_map_remove(const xd_class *c, const char *ref, int field_idx, const char *key,
		     xd_error *err)
{
	SINGLE_OP(op_map_remove(t, c, ref, field_idx, key));
}

int xd_db_set_add(const xd_class *c, const char *ref, int field_idx, const xd_value *item,
		  xd_error *err)
{
	SINGLE_OP(op_set_add(t, c, ref, field_idx, item));
}

int xd_db_set_remove(const xd_class *c, const char *ref, int field_idx, const xd_value *item,
		     xd_error *err)
{
	SINGLE_OP(op_set_remove(t, c, ref, field_idx, item));
}

int xd_db_touch(const xd_class *c, const char *ref, xd_error *err)
{
	SINGLE_OP(op_touch(t, c, ref));
}

int xd_db_set_field_quiet(const xd_class *c, const char *ref, int field_idx, const xd_value *v)
{
	db_cls *dc = db.open ? db_cls_of(c) : NULL;
	int rc = -1;

	if (!dc || !c->stored || field_idx < 0 || (size_t)field_idx >= c->nfields)
		return -1;
	/* Quiet writes skip relation and uuid bookkeeping: they are meant for
	 * plain fields such as session.last_active. */
	if (dc->many[field_idx] || dc->one_rel[field_idx] >= 0 || field_idx == c->uuid_field ||
	    !db_shape_ok(c->fields[field_idx].type, v)) {
		xd_warn("db: quiet write to %s.%s refused", c->name, c->fields[field_idx].name);
		return -1;
	}
	pthread_rwlock_wrlock(&db.lock);
	db_obj *o = ref ? db_hash_get(&db.refs, ref) : NULL;
	if (o && o->cls == c) {
		db_store_value(NULL, o, field_idx, xd_value_copy(v));
		db_store_quiet(o);
		rc = 0;
	}
	pthread_rwlock_unlock(&db.lock);
	return rc;
}
