/* db_memo.c - memos: each object's record kept encoded for the wire (see
 * db.h), so that a large get_all_records shares text instead of building
 * and encoding a value tree per object on every call.
 *
 * A memo is shared text (value.h) that the object holds (db_obj.memo[slot])
 * and that answers showing it hold too, so an answer still being sent keeps
 * its memos alive after the object changed. Readers fill a slot under the
 * read lock, so several may race: each encodes its own copy and the
 * compare-and-swap from NULL decides which one stays. Writers hold the write
 * lock, so no reader looks at a slot while it is dropped (db_memo_drop,
 * called by every primitive change in db_undo.c and when an object is freed).
 */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"

/* Outlives close/open, like a setting: tests set it before opening. */
static size_t memo_limit = XD_DB_MEMO_LIMIT_DEFAULT;

static size_t memo_size(const xd_shared_text *m)
{
	return sizeof(*m) + m->len + 1;
}

void xd_db_set_memo_limit(size_t bytes)
{
	__atomic_store_n(&memo_limit, bytes, __ATOMIC_RELAXED);
}

size_t xd_db_memo_bytes(void)
{
	return __atomic_load_n(&db.memo_bytes, __ATOMIC_RELAXED);
}

void db_memo_drop(db_obj *o)
{
	for (int s = 0; s < XD_DB_MEMO_SLOTS; s++) {
		xd_shared_text *m = o->memo[s];
		if (!m)
			continue;
		o->memo[s] = NULL;
		__atomic_sub_fetch(&db.memo_bytes, memo_size(m), __ATOMIC_RELAXED);
		xd_shared_text_release(m);
	}
}

/* A new memo of o (one hold): the header is reserved at the start of the
 * buffer the encoder writes into, so the text is never copied. */
static xd_shared_text *memo_encode(const db_obj *o, xd_db_encode_fn encode)
{
	static const char header[sizeof(xd_shared_text)];
	xd_strbuf sb = XD_STRBUF_INIT;

	xd_strbuf_append(&sb, header, sizeof(header));
	encode(&sb, o->cls, (const xd_value *const *)o->fields);
	size_t len = sb.len - sizeof(header);
	/* Gives back the geometric slack: memos live long. */
	return xd_shared_text_wrap(db_xrealloc(xd_strbuf_steal(&sb), sizeof(header) + len + 1),
				   len);
}

/* o's memo in slot, made if missing (read lock held), held for the caller. */
static xd_shared_text *memo_of(const db_obj *o, int slot, xd_db_encode_fn encode)
{
	/* The memo is the one thing readers write: the read lock makes the
	 * object's fields immutable, not its memo slots. */
	xd_shared_text **at = (xd_shared_text **)&o->memo[slot];
	xd_shared_text *m = __atomic_load_n(at, __ATOMIC_ACQUIRE);
	if (m) {
		xd_shared_text_hold(m);
		return m;
	}
	m = memo_encode(o, encode);
	size_t sz = memo_size(m);
	if (__atomic_load_n(&db.memo_bytes, __ATOMIC_RELAXED) + sz >
	    __atomic_load_n(&memo_limit, __ATOMIC_RELAXED))
		return m; /* over the limit: used for this call only */
	xd_shared_text *expected = NULL;
	xd_shared_text_hold(m); /* the object's hold, if it takes it */
	if (__atomic_compare_exchange_n(at, &expected, m, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		__atomic_add_fetch(&db.memo_bytes, sz, __ATOMIC_RELAXED);
		return m;
	}
	/* Another reader filled it first, with the same text. Nobody else
	 * has seen ours: drop both holds. */
	xd_shared_text_release(m);
	xd_shared_text_release(m);
	xd_shared_text_hold(expected);
	return expected;
}

int xd_db_foreach_memo(const xd_class *c, int slot, xd_db_filter_fn filter, xd_db_memo_fn fn,
		       void *ud, xd_db_encode_fn encode)
{
	db_cls *dc = db.open ? db_cls_of(c) : NULL;
	int rc = 0;

	if (slot < 0 || slot >= XD_DB_MEMO_SLOTS || !encode)
		return -1;
	if (!dc || !fn)
		return 0;
	pthread_rwlock_rdlock(&db.lock);
	for (const db_obj *o = dc->head; o && rc == 0; o = o->next) {
		const xd_value *const *fields = (const xd_value *const *)o->fields;
		if (filter && !filter(o->ref, fields, ud))
			continue;
		xd_shared_text *m = memo_of(o, slot, encode);
		rc = fn(o->ref, fields, m, ud);
		xd_shared_text_release(m);
	}
	pthread_rwlock_unlock(&db.lock);
	return rc;
}

xd_shared_text *xd_db_get_memo(const xd_class *c, const char *ref, int slot,
			       xd_db_encode_fn encode)
{
	xd_shared_text *m = NULL;

	if (!db.open || !ref || slot < 0 || slot >= XD_DB_MEMO_SLOTS || !encode)
		return NULL;
	pthread_rwlock_rdlock(&db.lock);
	const db_obj *o = db_hash_get(&db.refs, ref);
	if (o && o->cls == c)
		m = memo_of(o, slot, encode);
	pthread_rwlock_unlock(&db.lock);
	return m;
}
