/* db_undo.c - the primitive changes a write makes to memory (a field, the
 * indexes, the many side of a relation, the dangling index), each recorded
 * so that a failed transaction can be undone exactly, and the upkeep of
 * relations built on them.
 *
 * Undo runs in exact reverse order, which is what lets a removed object be
 * put back at its old place in its class's creation order from its own
 * prev/next pointers, and a removed set member at its old position.
 *
 * t == NULL means "no transaction" (loading, quiet writes): nothing is
 * recorded and replaced values are released at once.
 */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "ids.h"

static void push_undo(xd_db_txn *t, db_undo u)
{
	if (t->nu == t->ucap) {
		t->ucap = t->ucap ? t->ucap * 2 : 16;
		t->u = db_xrealloc(t->u, t->ucap * sizeof(*t->u));
	}
	t->u[t->nu++] = u;
}

void db_mark_dirty(xd_db_txn *t, db_obj *o)
{
	db_memo_drop(o); /* also done by each change below; touch changes nothing */
	if (!t || (o->tx & DB_TX_DIRTY))
		return;
	o->tx |= DB_TX_DIRTY;
	if (t->ndirty == t->dcap) {
		t->dcap = t->dcap ? t->dcap * 2 : 16;
		t->dirty = db_xrealloc(t->dirty, t->dcap * sizeof(*t->dirty));
	}
	t->dirty[t->ndirty++] = o;
}

/* ---- indexes ---- */

static void uuid_unindex(db_cls *dc, db_obj *o)
{
	const char *u = db_uuid_of(dc, o);
	if (*u && db_hash_get(&dc->uuids, u) == o)
		db_hash_del(&dc->uuids, u);
}

static void uuid_index(db_cls *dc, db_obj *o)
{
	const char *u = db_uuid_of(dc, o);
	if (*u)
		db_hash_put(&dc->uuids, u, o);
}

void db_index_obj(db_cls *dc, db_obj *o)
{
	db_hash_put(&db.refs, o->ref, o);
	o->prev = dc->tail;
	o->next = NULL;
	if (dc->tail)
		dc->tail->next = o;
	else
		dc->head = o;
	dc->tail = o;
	dc->count++;
	uuid_index(dc, o);
	o->live = true;
}

/* Leaves o->prev/next as they were so that reindex can put it back. */
static void unindex(db_cls *dc, db_obj *o)
{
	db_hash_del(&db.refs, o->ref);
	if (o->prev)
		o->prev->next = o->next;
	else
		dc->head = o->next;
	if (o->next)
		o->next->prev = o->prev;
	else
		dc->tail = o->prev;
	dc->count--;
	uuid_unindex(dc, o);
	o->live = false;
}

static void reindex(db_cls *dc, db_obj *o)
{
	db_hash_put(&db.refs, o->ref, o);
	if (o->prev)
		o->prev->next = o;
	else
		dc->head = o;
	if (o->next)
		o->next->prev = o;
	else
		dc->tail = o;
	dc->count++;
	uuid_index(dc, o);
	o->live = true;
}

int db_obj_index_loaded(db_obj *o)
{
	db_cls *dc = db_cls_of(o->cls);
	const char *u = db_uuid_of(dc, o);
	if (db_hash_get(&db.refs, o->ref) || (*u && db_hash_get(&dc->uuids, u)))
		return -1;
	db_index_obj(dc, o);
	return 0;
}

void db_obj_insert(xd_db_txn *t, db_obj *o)
{
	db_index_obj(db_cls_of(o->cls), o);
	if (t)
		push_undo(t, (db_undo){ .k = U_INSERT, .o = o });
}

void db_obj_remove(xd_db_txn *t, db_obj *o)
{
	unindex(db_cls_of(o->cls), o);
	push_undo(t, (db_undo){ .k = U_REMOVE, .o = o });
}

/* ---- fields ---- */

/* Puts v, of the given kind, in field idx (keeping the uuid index right). */
static void put_field(db_obj *o, int idx, xd_value *v, unsigned kind)
{
	db_cls *dc = db_cls_of(o->cls);
	bool is_uuid = o->live && idx == dc->cls->uuid_field;
	if (is_uuid)
		uuid_unindex(dc, o);
	/* Every field change, done, undone or quiet, comes through here or
	 * through the in-place array changes below: each drops the memos. */
	db_memo_drop(o);
	o->fields[idx] = v;
	db_set_fkind(o, idx, kind);
	if (is_uuid)
		uuid_index(dc, o);
}

void db_slot_set(xd_db_txn *t, db_obj *o, int idx, xd_value *v, unsigned kind)
{
	xd_value *old = o->fields[idx];
	unsigned oldk = db_fkind(o, idx);
	put_field(o, idx, v, kind);
	if (t)
		push_undo(t, (db_undo){ .k = U_SLOT, .o = o, .idx = idx, .v = old, .kind = oldk });
	else
		db_release(old, oldk);
}

void db_store_value(xd_db_txn *t, db_obj *o, int idx, xd_value *v)
{
	unsigned kind = DB_OWNED;
	xd_value *sv = db_share(db_cls_of(o->cls), idx, v, &kind);
	db_slot_set(t, o, idx, sv ? sv : v, kind);
}

/* Many sides are changed in place: they can be large (SR.VDIs). */
static void arr_append(xd_db_txn *t, db_obj *o, int idx, xd_value *item)
{
	if (db_fkind(o, idx) != DB_OWNED)
		db_slot_set(t, o, idx, xd_array(), DB_OWNED);
	db_memo_drop(o);
	xd_array_append_take(o->fields[idx], item);
	if (t)
		push_undo(t, (db_undo){ .k = U_APPEND, .o = o, .idx = idx });
}

static void arr_del(xd_db_txn *t, db_obj *o, int idx, size_t pos)
{
	xd_value *arr = o->fields[idx];
	xd_value *item = arr->u.arr.items[pos];
	db_memo_drop(o);
	memmove(&arr->u.arr.items[pos], &arr->u.arr.items[pos + 1],
		(arr->u.arr.n - pos - 1) * sizeof(xd_value *));
	arr->u.arr.n--;
	if (t)
		push_undo(t, (db_undo){ .k = U_ARR_DEL, .o = o, .idx = idx, .pos = pos, .v = item });
	else
		xd_value_free(item);
}

static void arr_insert_at(xd_value *arr, size_t pos, xd_value *item)
{
	xd_array_append_take(arr, item); /* grows the array */
	memmove(&arr->u.arr.items[pos + 1], &arr->u.arr.items[pos],
		(arr->u.arr.n - 1 - pos) * sizeof(xd_value *));
	arr->u.arr.items[pos] = item;
}

/* ---- the dangling index ---- */

static void dangle_insert(const char *key, size_t pos, db_obj *o, int rel)
{
	db_dangle *d = db_hash_get(&db.dangling, key);
	if (!d) {
		d = calloc(1, sizeof(*d));
		if (!d)
			abort();
		d->key = db_xstrdup(key);
		db_hash_put(&db.dangling, d->key, d);
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 4;
		d->e = db_xrealloc(d->e, d->cap * sizeof(*d->e));
	}
	if (pos > d->n)
		pos = d->n;
	memmove(&d->e[pos + 1], &d->e[pos], (d->n - pos) * sizeof(*d->e));
	d->e[pos].o = o;
	d->e[pos].rel = rel;
	d->n++;
}

static void dangle_free(void *p, void *ud)
{
	db_dangle *d = p;
	free(d->e);
	free(d->key);
	free(d);
}

void db_dangling_free(void)
{
	db_hash_each(&db.dangling, dangle_free, NULL);
	db_hash_free(&db.dangling);
}

static void dangle_remove_at(db_dangle *d, size_t pos)
{
	memmove(&d->e[pos], &d->e[pos + 1], (d->n - pos - 1) * sizeof(*d->e));
	if (--d->n == 0) {
		db_hash_del(&db.dangling, d->key);
		dangle_free(d, NULL);
	}
}

static void dang_add(xd_db_txn *t, const char *key, db_obj *o, int rel)
{
	db_dangle *d = db_hash_get(&db.dangling, key);
	dangle_insert(key, d ? d->n : 0, o, rel);
	if (t)
		push_undo(t, (db_undo){ .k = U_DANG_ADD, .key = db_xstrdup(key), .o = o, .idx = rel });
}

static void dang_del(xd_db_txn *t, const char *key, db_obj *o, int rel)
{
	db_dangle *d = db_hash_get(&db.dangling, key);
	for (size_t i = d ? d->n : 0; i-- > 0;) {
		if (d->e[i].o == o && d->e[i].rel == rel) {
			if (t)
				push_undo(t, (db_undo){ .k = U_DANG_DEL, .key = db_xstrdup(key), .o = o,
							.idx = rel, .pos = i });
			dangle_remove_at(d, i);
			return;
		}
	}
}

/* ---- undo ---- */

static void undo_one(db_undo *u)
{
	db_obj *o = u->o;
	switch (u->k) {
	case U_SLOT: {
		xd_value *cur = o->fields[u->idx];
		unsigned curk = db_fkind(o, u->idx);
		put_field(o, u->idx, u->v, u->kind);
		db_release(cur, curk);
		break;
	}
	case U_INSERT:
		unindex(db_cls_of(o->cls), o);
		db_obj_free(o);
		break;
	case U_REMOVE:
		reindex(db_cls_of(o->cls), o);
		break;
	case U_APPEND: {
		xd_value *arr = o->fields[u->idx];
		db_memo_drop(o);
		xd_value_free(arr->u.arr.items[--arr->u.arr.n]);
		break;
	}
	case U_ARR_DEL:
		db_memo_drop(o);
		arr_insert_at(o->fields[u->idx], u->pos, u->v);
		break;
	case U_DANG_ADD: {
		db_dangle *d = db_hash_get(&db.dangling, u->key);
		if (d)
			dangle_remove_at(d, d->n - 1);
		free(u->key);
		break;
	}
	case U_DANG_DEL:
		dangle_insert(u->key, u->pos, o, u->idx);
		free(u->key);
		break;
	}
}

void db_rollback_mem(xd_db_txn *t)
{
	/* Clear the marks first: undoing an insert frees the object. */
	for (size_t i = 0; i < t->ndirty; i++)
		t->dirty[i]->tx = 0;
	for (size_t i = t->nu; i-- > 0;)
		undo_one(&t->u[i]);
	t->nu = 0;
}

void db_forget_undo(xd_db_txn *t)
{
	for (size_t i = 0; i < t->nu; i++) {
		db_undo *u = &t->u[i];
		if (u->k == U_SLOT)
			db_release(u->v, u->kind);
		else if (u->k == U_ARR_DEL)
			xd_value_free(u->v);
		else if (u->k == U_DANG_ADD || u->k == U_DANG_DEL)
			free(u->key);
	}
	/* removed objects last, after everything that might still name them */
	for (size_t i = 0; i < t->nu; i++) {
		if (t->u[i].k == U_REMOVE)
			db_obj_free(t->u[i].o);
	}
	t->nu = 0;
}

/* ---- relations ---- */

static const char *one_target(const db_obj *o, int field)
{
	const xd_value *v = o->fields[field];
	if (!v || v->t != XD_V_STRING || xd_ref_is_null(v->u.s))
		return NULL;
	return v->u.s;
}

void db_rel_link(xd_db_txn *t, db_obj *o, int r)
{
	const xd_relation *rel = db.rels[r];
	const char *tgt = one_target(o, rel->one_field);
	if (!tgt)
		return;
	db_obj *m = db_hash_get(&db.refs, tgt);
	if (m && m->cls == rel->many_cls) {
		arr_append(t, m, rel->many_field, xd_string(o->ref));
		db_mark_dirty(t, m);
	} else if (!m) {
		dang_add(t, tgt, o, r);
	}
}

void db_rel_unlink(xd_db_txn *t, db_obj *o, int r)
{
	const xd_relation *rel = db.rels[r];
	const char *tgt = one_target(o, rel->one_field);
	if (!tgt)
		return;
	db_obj *m = db_hash_get(&db.refs, tgt);
	if (m && m->cls == rel->many_cls) {
		const xd_value *arr = m->fields[rel->many_field];
		/* newest first: short-lived members (tasks) are usually at the end */
		for (size_t i = arr->u.arr.n; i-- > 0;) {
			const xd_value *it = arr->u.arr.items[i];
			if (it->t == XD_V_STRING && strcmp(it->u.s, o->ref) == 0) {
				arr_del(t, m, rel->many_field, i);
				db_mark_dirty(t, m);
				break;
			}
		}
	} else if (!m) {
		dang_del(t, tgt, o, r);
	}
}

void db_rel_link_all(xd_db_txn *t, db_obj *o)
{
	const db_cls *dc = db_cls_of(o->cls);
	for (size_t f = 0; f < o->cls->nfields; f++) {
		if (dc->one_rel[f] >= 0)
			db_rel_link(t, o, dc->one_rel[f]);
	}
}

void db_rel_adopt(xd_db_txn *t, db_obj *o)
{
	db_dangle *d = db_hash_get(&db.dangling, o->ref);
	if (!d)
		return;
	size_t n = d->n;
	for (size_t i = 0; i < n; i++) {
		const xd_relation *rel = db.rels[d->e[i].rel];
		if (rel->many_cls == o->cls)
			arr_append(t, o, rel->many_field, xd_string(d->e[i].o->ref));
	}
	/* backwards, so positions stay valid; d is freed when emptied */
	for (size_t i = n; i-- > 0;) {
		d = db_hash_get(&db.dangling, o->ref);
		if (!d)
			break;
		if (db.rels[d->e[i].rel]->many_cls == o->cls)
			dang_del(t, o->ref, d->e[i].o, d->e[i].rel);
	}
}

void db_rel_orphan(xd_db_txn *t, db_obj *o)
{
	const db_cls *dc = db_cls_of(o->cls);
	for (size_t k = 0; k < dc->nmany_rels; k++) {
		int r = dc->many_rels[k];
		const xd_value *arr = o->fields[db.rels[r]->many_field];
		for (size_t i = 0; i < arr->u.arr.n; i++) {
			db_obj *one = db_hash_get(&db.refs, arr->u.arr.items[i]->u.s);
			if (one)
				dang_add(t, o->ref, one, r);
		}
	}
}

void db_link_all_loaded(void)
{
	for (size_t i = 0; i < db.ncls; i++) {
		for (db_obj *o = db.cls[i].head; o; o = o->next)
			db_rel_link_all(NULL, o);
	}
}
