/* db_hash.h - the string-keyed hash map behind the db's indexes (ref ->
 * object, uuid -> object, dangling ref -> waiting objects). Private to the db.
 *
 * Owns: its slot array only. Keys are borrowed: an entry's key string must
 * stay valid and unchanged while the entry is in the map (the db always uses
 * a string that lives inside the value it maps to). Not thread safe: the db's
 * lock protects it.
 */
#ifndef XD_DB_HASH_H
#define XD_DB_HASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct db_hash_slot {
	const char *key; /* NULL: empty slot */
	void *val;
	uint64_t h;
} db_hash_slot;

typedef struct db_hash {
	db_hash_slot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t n;
} db_hash;

#define DB_HASH_INIT { NULL, 0, 0 }

void *db_hash_get(const db_hash *h, const char *key);
/* Inserts or replaces. */
void db_hash_put(db_hash *h, const char *key, void *val);
/* Removes key; returns its value or NULL if absent. */
void *db_hash_del(db_hash *h, const char *key);
/* Calls fn on every value (any order); the map must not change meanwhile. */
void db_hash_each(const db_hash *h, void (*fn)(void *val, void *ud), void *ud);
void db_hash_free(db_hash *h);

#endif
