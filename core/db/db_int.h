/* db_int.h - what the files of the db module share: db.c (open, close,
 * reads), db_values.c (class tables, shared values, objects), db_undo.c
 * (undoable changes to memory, relations), db_write.c (writes and
 * transactions), db_changes.c (the change list, generations, waiting),
 * db_store.c (sqlite and the writer thread), db_codec.c (the stored record
 * format). Not an interface for anyone else: use db.h.
 *
 * Locks, always taken in this order: db.lock (rwlock over all in-memory
 * state), then db.qmu (the writer queue, the committed generation, waiters).
 */
#ifndef XD_DB_INT_H
#define XD_DB_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "db_hash.h"

/* One entry of the change list: every live object and every remembered
 * deletion has exactly one, kept in generation order (a write moves the
 * object's entry to the tail), so "what changed after X" walks back from the
 * tail and stops at X. */
typedef struct db_node {
	uint64_t gen;
	struct db_node *prev, *next;
	bool tomb;   /* a db_tomb, else a db_obj */
	bool linked; /* in the change list */
} db_node;

typedef struct db_tomb {
	db_node node;
	struct db_tomb *tnext; /* FIFO of tombstones, oldest first (for trimming) */
	const xd_class *cls;
	char ref[];
} db_tomb;

/* Transaction marks on an object. */
#define DB_TX_DIRTY 1u /* in the transaction's dirty list */
#define DB_TX_NEW   2u /* created by the transaction */
#define DB_TX_GONE  4u /* destroyed by the transaction */

typedef struct db_obj {
	db_node node; /* node.gen is the object's mod_gen */
	const xd_class *cls;
	const char *ref;           /* points into this allocation */
	uint64_t created_gen;
	struct db_obj *prev, *next; /* the class's creation order */
	uint8_t tx;                /* DB_TX_* */
	bool live;                 /* in the indexes */
	bool quiet;                /* has a quiet write waiting (guarded by db.qmu) */
	/* Filled under the read lock by compare-and-swap (db_memo.c), so read
	 * and set with atomics; dropped under the write lock by every change. */
	xd_shared_text *memo[XD_DB_MEMO_SLOTS]; /* the db's hold on each memo */
	/* Followed in the same allocation by two bits per field saying who owns
	 * the value (db_fkind) and by the ref string. */
	xd_value *fields[];
} db_obj;

/* Who owns a field's value. */
#define DB_OWNED    0u /* the object */
#define DB_PERM     1u /* the db, for as long as it is open (defaults, enum members...) */
#define DB_INTERNED 2u /* the intern table, shared and reference counted */

static inline unsigned db_fkind(const db_obj *o, int i)
{
	const uint8_t *b = (const uint8_t *)&o->fields[o->cls->nfields];
	return (b[i >> 2] >> ((i & 3) * 2)) & 3u;
}

static inline void db_set_fkind(db_obj *o, int i, unsigned k)
{
	uint8_t *b = (uint8_t *)&o->fields[o->cls->nfields];
	b[i >> 2] = (uint8_t)((b[i >> 2] & ~(3u << ((i & 3) * 2))) | (k << ((i & 3) * 2)));
}

/* Per class: what the db derives from the datamodel, and the objects. */
typedef struct db_cls {
	const xd_class *cls;
	xd_value **dflt;       /* per field: its default, a shared value */
	xd_value ***enum_vals; /* per enum field: shared values of each enum member */
	int *one_rel;          /* per field: relation whose one side it is, or -1 */
	bool *many;            /* per field: the many side of a relation (derived, not stored) */
	int *many_rels;        /* relations whose many side is this class */
	size_t nmany_rels;
	db_obj *head, *tail;   /* creation order */
	size_t count;
	db_hash uuids;         /* uuid -> db_obj (non-empty uuids only) */
} db_cls;

/* Persistence work the writer thread does. */
typedef enum { DB_OP_PUT, DB_OP_DEL, DB_OP_TRIM } db_op_kind;

typedef struct db_op {
	db_op_kind kind;
	const char *cls;  /* class name (static, from the datamodel) */
	char *ref;
	uint64_t created_gen; /* PUT */
	uint64_t gen;         /* PUT: mod_gen; DEL: deletion gen; TRIM: forget tombstones <= gen */
	bool tomb;            /* DEL: remember the deletion */
	unsigned char *data;  /* PUT: the encoded record */
	size_t len;
} db_op;

typedef struct db_waiter {
	int status; /* 0 pending, 1 committed, -1 failed */
	char msg[256];
} db_waiter;

typedef struct db_batch {
	struct db_batch *next;
	uint64_t gen; /* the write's generation; 0 for quiet writes */
	db_op *ops;
	size_t nops, cap;
	db_waiter *w; /* the caller waiting for the commit; NULL once told */
} db_batch;

struct db_state {
	bool open;
	pthread_rwlock_t lock;
	db_cls *cls;
	size_t ncls;
	const xd_relation **rels;
	size_t nrels;
	db_hash refs;     /* ref -> db_obj */
	db_hash dangling; /* ref of a missing object -> db_dangle (who points at it) */
	size_t memo_bytes; /* held by all memos (atomic: readers add) */

	/* Shared immutable values (db_values.c): fields point at one copy
	 * instead of holding their own; db_fkind says which. */
	struct db_interned **itab; /* content hash -> chain */
	size_t itab_cap, itab_n;
	struct db_enum_vals {
		const xd_enum *en;
		xd_value **vals; /* one permanent string per member */
	} *enums;
	size_t nenums, enums_cap;
	xd_value *sh_true, *sh_false, *sh_empty_str, *sh_empty_arr, *sh_empty_st,
		*sh_null_ref, *sh_zero, *sh_fzero, *sh_epoch;

	/* The change list (db_changes.c). */
	db_node *log_head, *log_tail;
	db_tomb *tomb_head, *tomb_tail;
	uint64_t gen;           /* last generation given out (may be uncommitted) */
	uint64_t history_start; /* deletions after this generation are all known */

	/* Writer queue (db_store.c), under qmu. */
	pthread_mutex_t qmu;
	pthread_cond_t qcond;    /* work for the writer thread */
	pthread_cond_t done_cond; /* a commit happened, or wake_all */
	db_batch *q_head, *q_tail;
	char **quiet;            /* refs with quiet writes not yet stored */
	size_t nquiet, quiet_cap;
	uint64_t committed;
	uint64_t wake_epoch;
	uint64_t commits;        /* sqlite transactions committed (for the debug log) */
	bool stop;
	bool writer_running;
	pthread_t writer;
};

extern struct db_state db;

/* Who points at a missing object: when it appears, its relation sets are
 * filled from here, so they always equal what a reload would compute. */
typedef struct db_dangle {
	char *key;
	size_t n, cap;
	struct dangle_ref {
		db_obj *o;
		int rel;
	} *e;
} db_dangle;

/* One recorded change, undone in reverse order on rollback. */
typedef enum { U_SLOT, U_INSERT, U_REMOVE, U_APPEND, U_ARR_DEL, U_DANG_ADD, U_DANG_DEL } db_undo_kind;

typedef struct db_undo {
	db_undo_kind k;
	int idx;       /* field; relation for U_DANG_* */
	unsigned kind; /* U_SLOT: db_fkind of the old value */
	db_obj *o;
	size_t pos;    /* U_ARR_DEL, U_DANG_DEL */
	xd_value *v;   /* U_SLOT: old value; U_ARR_DEL: the removed item */
	char *key;     /* U_DANG_*: the missing ref */
} db_undo;

struct xd_db_txn {
	db_undo *u;
	size_t nu, ucap;
	db_obj **dirty;
	size_t ndirty, dcap;
	xd_error err; /* the first failure */
	bool failed;
};

/* db_values.c: class tables, shared values, objects */
void *db_xrealloc(void *p, size_t n);
char *db_xstrdup(const char *s);
void db_classes_init(void);
void db_classes_free(void);
db_cls *db_cls_of(const xd_class *c);
int db_field_by_name(const db_cls *dc, const char *name, int hint);
bool db_shape_ok(const xd_type *t, const xd_value *v);
/* The shared value to store for v (owned) in field idx: v itself now
 * interned, or an equal shared value (v is freed); *kind says which. NULL if
 * v is not worth sharing (the caller stores it as DB_OWNED). */
xd_value *db_share(const db_cls *dc, int idx, xd_value *v, unsigned *kind);
/* Drops a stored value of the given kind. */
void db_release(xd_value *v, unsigned kind);
db_obj *db_obj_alloc(const db_cls *dc, const char *ref);
void db_obj_free(db_obj *o);
/* Stores v (owned) in field idx of an object under construction. */
void db_obj_init_field(db_obj *o, int idx, xd_value *v);
/* Fills the fields left NULL with their defaults. */
void db_obj_fill_defaults(db_obj *o);
xd_value *db_record_of(const db_obj *o);
const char *db_uuid_of(const db_cls *dc, const db_obj *o);

/* db_undo.c: changes to memory, recorded for undo when t is not NULL */
void db_index_obj(db_cls *dc, db_obj *o);
void db_mark_dirty(xd_db_txn *t, db_obj *o);
void db_slot_set(xd_db_txn *t, db_obj *o, int idx, xd_value *v, unsigned kind);
void db_store_value(xd_db_txn *t, db_obj *o, int idx, xd_value *v);
void db_obj_insert(xd_db_txn *t, db_obj *o);
void db_obj_remove(xd_db_txn *t, db_obj *o);
void db_rollback_mem(xd_db_txn *t);
void db_forget_undo(xd_db_txn *t);
void db_dangling_free(void);
/* Relations: keep the many sides equal to what the one sides say. */
void db_rel_link_all(xd_db_txn *t, db_obj *o);   /* o's one sides, after it is indexed or set */
void db_rel_unlink(xd_db_txn *t, db_obj *o, int r);
void db_rel_link(xd_db_txn *t, db_obj *o, int r);
void db_rel_adopt(xd_db_txn *t, db_obj *o);      /* o created: take waiting members */
void db_rel_orphan(xd_db_txn *t, db_obj *o);     /* o destroyed: its members now dangle */
/* Load support: indexes the object (appended to its class), no relations. */
int db_obj_index_loaded(db_obj *o);
/* Load support: fills the many sides of relations from every object's one sides. */
void db_link_all_loaded(void);

/* db_memo.c: o changed (write lock held, or no other thread): its memos go. */
void db_memo_drop(db_obj *o);

/* db_codec.c */
unsigned char *db_encode(const db_obj *o, size_t *len);
/* Fills every field of o (defaults for fields the data does not have).
 * Returns 0, or -1 when the data is corrupt. */
int db_decode(db_obj *o, const unsigned char *data, size_t len);

/* db_changes.c */
void db_log_append(db_node *n);
void db_log_unlink(db_node *n);
void db_log_add_tomb(db_tomb *t);
/* Forgets deletions older than the history limit; returns the generation up
 * to which tombstones were dropped (0: none). */
uint64_t db_log_trim(uint64_t now);
void db_log_build_loaded(db_obj **objs, size_t nobjs, db_tomb **tombs, size_t ntombs);
void db_log_free(void);
uint64_t db_history_limit(void);

/* db_store.c */
int db_store_open(const char *path, xd_error *err);
int db_store_load(xd_error *err);
int db_store_start(xd_error *err);
void db_store_stop(void);
void db_store_close(void);
/* Queues a batch (caller holds the write lock, so queue order is generation order). */
void db_store_enqueue(db_batch *b);
/* Queues a quiet write of ref (caller holds the write lock). */
void db_store_quiet(db_obj *o);
/* Waits until w's batch is committed: 0, or -1 with INTERNAL_ERROR. */
int db_store_wait(db_waiter *w, xd_error *err);
void db_batch_free(db_batch *b);

#endif
