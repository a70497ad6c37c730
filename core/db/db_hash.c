/* db_hash.c - open addressing with linear probing and backward-shift
 * deletion (no tombstone slots, so lookups stay short after many deletes). */
#include "db_hash.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_str(const char *s)
{
	/* FNV-1a: refs and uuids are random after a fixed prefix, so a simple
	 * byte hash spreads them well enough. */
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

static db_hash_slot *find_slot(const db_hash *h, const char *key, uint64_t hv)
{
	size_t mask = h->cap - 1;
	for (size_t i = hv & mask;; i = (i + 1) & mask) {
		db_hash_slot *s = &h->slots[i];
		if (!s->key)
			return s;
		if (s->h == hv && strcmp(s->key, key) == 0)
			return s;
	}
}

static void grow(db_hash *h)
{
	size_t ncap = h->cap ? h->cap * 2 : 16;
	db_hash_slot *old = h->slots;
	size_t ocap = h->cap;

	h->slots = calloc(ncap, sizeof(*h->slots));
	if (!h->slots)
		abort(); /* as value.h: nothing useful is possible without memory */
	h->cap = ncap;
	for (size_t i = 0; i < ocap; i++) {
		if (old[i].key)
			*find_slot(h, old[i].key, old[i].h) = old[i];
	}
	free(old);
}

void *db_hash_get(const db_hash *h, const char *key)
{
	if (!h->cap || !key)
		return NULL;
	db_hash_slot *s = find_slot(h, key, hash_str(key));
	return s->key ? s->val : NULL;
}

void db_hash_put(db_hash *h, const char *key, void *val)
{
	/* keep the load factor under 3/4 */
	if ((h->n + 1) * 4 > h->cap * 3)
		grow(h);
	uint64_t hv = hash_str(key);
	db_hash_slot *s = find_slot(h, key, hv);
	if (!s->key)
		h->n++;
	s->key = key;
	s->val = val;
	s->h = hv;
}

void *db_hash_del(db_hash *h, const char *key)
{
	if (!h->cap || !key)
		return NULL;
	size_t mask = h->cap - 1;
	db_hash_slot *s = find_slot(h, key, hash_str(key));
	if (!s->key)
		return NULL;
	void *val = s->val;
	size_t i = (size_t)(s - h->slots);

	/* Backward shift: move later members of the probe run into the hole
	 * when their home slot is not between the hole and themselves. */
	for (size_t j = (i + 1) & mask; h->slots[j].key; j = (j + 1) & mask) {
		size_t home = h->slots[j].h & mask;
		int in_range = (i < j) ? (home > i && home <= j) : (home > i || home <= j);
		if (!in_range) {
			h->slots[i] = h->slots[j];
			i = j;
		}
	}
	h->slots[i].key = NULL;
	h->slots[i].val = NULL;
	h->n--;
	return val;
}

void db_hash_each(const db_hash *h, void (*fn)(void *val, void *ud), void *ud)
{
	for (size_t i = 0; i < h->cap; i++) {
		if (h->slots[i].key)
			fn(h->slots[i].val, ud);
	}
}

void db_hash_free(db_hash *h)
{
	free(h->slots);
	h->slots = NULL;
	h->cap = h->n = 0;
}
