/* db.h - the object store: every object of every stored class, in memory
 * for reads and in sqlite3 (WAL) for durability.
 *
 * Owns: the in-memory index (class -> ref -> record, uuid -> ref), the
 * sqlite connection, the single writer thread, the generation counter and
 * the change log that events are computed from. Its own locking: every
 * function here is thread safe. Callbacks run under the db read lock and
 * must not call back into the db.
 *
 * Writes: applied to memory under the write lock (each write gets the next
 * generation number), then queued to the writer thread, which commits all
 * queued writes in one sqlite transaction (group commit). A write call returns
 * only after its write is committed. Relations (dm.h xd_relation) are kept
 * consistent here: setting VBD.VM to x adds the VBD to x's VBDs and removes it
 * from the old VM's, in the same generation, and both objects get a change.
 *
 * This is the only module that knows about the SQL engine under it: local
 * sqlite for one host (a file path), or the pool's database replicated on
 * dqlite (a path "dqlite:DIR?id=N&address=HOST:PORT", see db_sql.h), behind
 * the same interface.
 */
#ifndef XD_DB_H
#define XD_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dm.h"
#include "error.h"
#include "strbuf.h"
#include "value.h"

#define XD_DB_SCHEMA_VERSION 1

/* Opens (creating if needed) the database at path, checks the schema
 * version (a different version: -1 with INTERNAL_ERROR explaining it, and
 * the file is left untouched), loads every object into memory and starts the
 * writer thread. ":memory:" gives a throwaway db for tests; a "dqlite:" path
 * starts this host's dqlite node and uses the cluster's leader. */
int xd_db_open(const char *path, xd_error *err);
/* Flushes, stops the writer thread, closes. Safe to call twice. */
void xd_db_close(void);

/* ---- reads (memory only) ---- */

bool xd_db_exists(const xd_class *c, const char *ref);
/* The class of any ref we store, or NULL. */
const xd_class *xd_db_class_of(const char *ref);
/* Copies of stored values; NULL if the object does not exist. */
xd_value *xd_db_get_field(const xd_class *c, const char *ref, int field_idx);
/* The full record as an XD_V_STRUCT with every field, in declaration order. */
xd_value *xd_db_get_record(const xd_class *c, const char *ref);
/* Array of ref strings, in creation order. */
xd_value *xd_db_get_all(const xd_class *c);
size_t xd_db_count(const xd_class *c);
/* Heap copy of the ref whose uuid field is uuid, or NULL. */
char *xd_db_ref_by_uuid(const xd_class *c, const char *uuid);
/* Calls fn for each object of the class, under the read lock, in creation
 * order; fields[i] is the value of field i. Stops early when fn returns
 * non-zero and returns that value. */
typedef int (*xd_db_visit_fn)(const char *ref, const xd_value *const *fields, void *ud);
int xd_db_foreach(const xd_class *c, xd_db_visit_fn fn, void *ud);

/* ---- memos: each object's record kept encoded for the wire ----
 *
 * A memo is the text of an object's whole record in one wire encoding, kept
 * in the object until the object changes (any write to it, also a quiet
 * one, a relation change on the other side, a rollback, its destruction).
 * It is made lazily, by the first read that asks for it, under the read lock
 * (readers racing to fill one memo each encode it; one copy wins, the others
 * are freed). A slot is one encoding, and every caller must give the same
 * encode function for a slot: XD_DB_MEMO_XMLRPC is xd_xmlrpc_encode_value's
 * "<value><struct>...</struct></value>" text of the record, XD_DB_MEMO_JSON
 * xd_json_encode_value's. encode writes the record of fields (in field
 * order, as xd_db_get_record) to out; it runs under the read lock.
 *
 * Memos cost about the size of the answer: they are only made for callers
 * that ask (get_all_records), and once all memos together reach the limit
 * (xd_db_set_memo_limit) new ones are encoded for the call and not kept. */
#define XD_DB_MEMO_XMLRPC 0
#define XD_DB_MEMO_JSON 1
#define XD_DB_MEMO_SLOTS 2
#define XD_DB_MEMO_LIMIT_DEFAULT ((size_t)128 << 20)

typedef void (*xd_db_encode_fn)(xd_strbuf *out, const xd_class *c,
				const xd_value *const *fields);
/* Decides which objects a foreach_memo visits (true: visit); NULL: all. */
typedef bool (*xd_db_filter_fn)(const char *ref, const xd_value *const *fields, void *ud);
/* memo: the text, valid during the call; to keep it, hold it
 * (xd_shared_text_hold, or xd_raw_shared for a value that shows it). */
typedef int (*xd_db_memo_fn)(const char *ref, const xd_value *const *fields,
			     xd_shared_text *memo, void *ud);
/* Like xd_db_foreach, with the memo of each object that filter accepts (no
 * memo is made for the others). Returns -1 for a bad slot or a missing
 * encode, else as xd_db_foreach. */
int xd_db_foreach_memo(const xd_class *c, int slot, xd_db_filter_fn filter, xd_db_memo_fn fn,
		       void *ud, xd_db_encode_fn encode);
/* One object's memo, held for the caller (xd_shared_text_release it), or
 * NULL if the object does not exist. */
xd_shared_text *xd_db_get_memo(const xd_class *c, const char *ref, int slot,
			       xd_db_encode_fn encode);
/* The most bytes all memos together may hold (default
 * XD_DB_MEMO_LIMIT_DEFAULT; 0: none are kept). Lowering it frees nothing:
 * memos go as their objects change. */
void xd_db_set_memo_limit(size_t bytes);
/* Bytes held by memos now (for tests and the debug log). */
size_t xd_db_memo_bytes(void);

/* ---- writes (committed on return) ---- */

/* record: an XD_V_STRUCT holding every field of the class by name (the caller
 * fills defaults; see xd_dm_default_value). Taken in all cases. ref must be
 * new. Relation fields update the other side. */
int xd_db_create(const xd_class *c, const char *ref, xd_value *record, xd_error *err);
/* Removes the object; removes it from relation sets on the other side. */
int xd_db_destroy(const xd_class *c, const char *ref, xd_error *err);
/* Replaces one field (value borrowed, copied in). */
int xd_db_set_field(const xd_class *c, const char *ref, int field_idx, const xd_value *v,
		    xd_error *err);
/* Map fields: add fails with MAP_DUPLICATE_KEY [class, field, uuid, key] if the
 * key exists; remove of an absent key is a no-op (as xapi). */
int xd_db_map_add(const xd_class *c, const char *ref, int field_idx, const char *key,
		  const xd_value *val, xd_error *err);
int xd_db_map_remove(const xd_class *c, const char *ref, int field_idx, const char *key,
		     xd_error *err);
/* Set fields: add of a present member and remove of an absent one are no-ops. */
int xd_db_set_add(const xd_class *c, const char *ref, int field_idx, const xd_value *item,
		  xd_error *err);
int xd_db_set_remove(const xd_class *c, const char *ref, int field_idx, const xd_value *item,
		     xd_error *err);
/* Bumps the object's generation without changing it (event.inject). */
int xd_db_touch(const xd_class *c, const char *ref, xd_error *err);

/* Writes that are not worth a commit of their own (session last_active):
 * memory only, persisted with the next commit or at close; no event. */
int xd_db_set_field_quiet(const xd_class *c, const char *ref, int field_idx,
			  const xd_value *v);

/* Several writes applied atomically and committed together: they get one
 * generation. Between begin and commit the calling thread holds the write
 * lock: no other db call from that thread except the _txn writes. */
typedef struct xd_db_txn xd_db_txn;
xd_db_txn *xd_db_begin(void);
int xd_db_txn_create(xd_db_txn *t, const xd_class *c, const char *ref, xd_value *record, xd_error *err);
int xd_db_txn_destroy(xd_db_txn *t, const xd_class *c, const char *ref, xd_error *err);
int xd_db_txn_set_field(xd_db_txn *t, const xd_class *c, const char *ref, int field_idx,
			const xd_value *v, xd_error *err);
/* Reads inside a transaction (the caller already holds the lock). */
bool xd_db_txn_exists(xd_db_txn *t, const xd_class *c, const char *ref);
/* Commits (or, if any write in it failed, rolls the memory state back) and
 * frees t. Returns 0 or -1 with err from the first failure. */
int xd_db_commit(xd_db_txn *t, xd_error *err);
/* Undoes every write of t in memory, releases the lock and frees t. */
void xd_db_rollback(xd_db_txn *t);

/* ---- generations and changes (events) ---- */

typedef enum { XD_CHANGE_ADD, XD_CHANGE_MOD, XD_CHANGE_DEL } xd_change_op;

typedef struct xd_change {
	uint64_t gen;            /* generation of the latest change to this object */
	const xd_class *cls;
	char *ref;
	xd_change_op op;         /* ADD if created after `since` and still alive,
	                            MOD if it existed at `since` and is alive,
	                            DEL if it is gone */
	xd_value *snapshot;      /* full record for ADD/MOD, NULL for DEL */
} xd_change;

/* The current generation (the last one committed). Persisted: it never goes
 * back across restarts. */
uint64_t xd_db_generation(void);

/* Every object changed after generation `since`, one entry per object
 * (several changes collapse into the latest), in generation order, for the
 * objects `want` accepts (NULL: all). *upto is set to the generation the
 * answer is complete up to. Changes older than the retained history (see
 * xd_db_set_history_limit) make the call return 1 with *lost set (the caller
 * decides: event.next says EVENTS_LOST). Caller frees with xd_db_changes_free. */
typedef bool (*xd_db_want_fn)(const xd_class *c, const char *ref, void *ud);
int xd_db_changes(uint64_t since, xd_db_want_fn want, void *ud, xd_change **out, size_t *n,
		  uint64_t *upto, bool *lost);
/* The same without the snapshots (NULL): for answers that read each
 * record when they write it (the first event.from of a client). */
int xd_db_changes_bare(uint64_t since, xd_db_want_fn want, void *ud, xd_change **out,
		       size_t *n, uint64_t *upto, bool *lost);
void xd_db_changes_free(xd_change *ch, size_t n);
/* Deletions are remembered for this many generations (default 100000). */
void xd_db_set_history_limit(uint64_t gens);
/* The oldest generation whose changes are still fully known. */
uint64_t xd_db_history_start(void);

/* Blocks until the generation is greater than `since` or timeout_s passes
 * (a negative timeout waits forever). Returns true if there is something new. */
bool xd_db_wait(uint64_t since, double timeout_s);
/* Wakes every waiter (used at shutdown and when sessions die). */
void xd_db_wake_all(void);

#endif
