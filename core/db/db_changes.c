/* db_changes.c - the change list events are computed from, generations and
 * waiting for them.
 *
 * Every live object and every remembered deletion (tombstone) has one node
 * in a list ordered by generation; a write moves the object's node to the
 * tail. "Everything changed after X" is then a walk back from the tail that
 * stops at X: its cost is the size of the answer, not of the database, and
 * several changes to one object collapse by construction. Only deletions age
 * out (after the history limit); after a restart the list is rebuilt from the
 * stored mod_gen/created_gen of each object and the stored tombstones.
 *
 * Only committed generations are reported: a node stamped with a generation
 * the writer thread has not committed yet is skipped (it is reported once its
 * commit is done), so event.from never shows what a crash could undo.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_int.h"

static uint64_t history_limit = 100000;

void db_log_append(db_node *n)
{
	n->prev = db.log_tail;
	n->next = NULL;
	if (db.log_tail)
		db.log_tail->next = n;
	else
		db.log_head = n;
	db.log_tail = n;
	n->linked = true;
}

void db_log_unlink(db_node *n)
{
	if (!n->linked)
		return;
	if (n->prev)
		n->prev->next = n->next;
	else
		db.log_head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		db.log_tail = n->prev;
	n->prev = n->next = NULL;
	n->linked = false;
}

void db_log_add_tomb(db_tomb *t)
{
	db_log_append(&t->node);
	t->tnext = NULL;
	if (db.tomb_tail)
		db.tomb_tail->tnext = t;
	else
		db.tomb_head = t;
	db.tomb_tail = t;
}

uint64_t db_history_limit(void)
{
	return __atomic_load_n(&history_limit, __ATOMIC_RELAXED);
}

uint64_t db_log_trim(uint64_t now)
{
	uint64_t limit = db_history_limit();
	uint64_t upto = 0;

	if (now <= limit)
		return 0;
	while (db.tomb_head && db.tomb_head->node.gen <= now - limit) {
		db_tomb *t = db.tomb_head;
		db.tomb_head = t->tnext;
		if (!db.tomb_head)
			db.tomb_tail = NULL;
		db_log_unlink(&t->node);
		upto = t->node.gen;
		free(t);
	}
	if (upto > db.history_start)
		db.history_start = upto;
	return upto;
}

static int node_cmp(const void *a, const void *b)
{
	const db_node *x = *(db_node *const *)a, *y = *(db_node *const *)b;
	return x->gen < y->gen ? -1 : x->gen > y->gen;
}

void db_log_build_loaded(db_obj **objs, size_t nobjs, db_tomb **tombs, size_t ntombs)
{
	size_t n = nobjs + ntombs;
	db_node **all = malloc((n ? n : 1) * sizeof(*all));
	if (!all)
		abort();
	for (size_t i = 0; i < nobjs; i++)
		all[i] = &objs[i]->node;
	for (size_t i = 0; i < ntombs; i++)
		all[nobjs + i] = &tombs[i]->node;
	qsort(all, n, sizeof(*all), node_cmp);
	for (size_t i = 0; i < n; i++)
		db_log_append(all[i]);
	/* tombs come sorted by generation from the store */
	for (size_t i = 0; i < ntombs; i++) {
		tombs[i]->tnext = NULL;
		if (db.tomb_tail)
			db.tomb_tail->tnext = tombs[i];
		else
			db.tomb_head = tombs[i];
		db.tomb_tail = tombs[i];
	}
	free(all);
}

void db_log_free(void)
{
	for (db_tomb *t = db.tomb_head, *next; t; t = next) {
		next = t->tnext;
		free(t);
	}
	db.tomb_head = db.tomb_tail = NULL;
	db.log_head = db.log_tail = NULL;
}

/* ---- public ---- */

void xd_db_set_history_limit(uint64_t gens)
{
	__atomic_store_n(&history_limit, gens ? gens : 1, __ATOMIC_RELAXED);
}

uint64_t xd_db_history_start(void)
{
	if (!db.open)
		return 0;
	pthread_rwlock_rdlock(&db.lock);
	uint64_t h = db.history_start;
	pthread_rwlock_unlock(&db.lock);
	return h;
}

uint64_t xd_db_generation(void)
{
	if (!db.open)
		return 0;
	pthread_mutex_lock(&db.qmu);
	uint64_t g = db.committed;
	pthread_mutex_unlock(&db.qmu);
	return g;
}

static int changes(uint64_t since, xd_db_want_fn want, void *ud, bool snapshots,
		   xd_change **out, size_t *n, uint64_t *upto, bool *lost)
{
	const db_node **hits = NULL;
	size_t nhits = 0, cap = 0;
	bool is_lost = false;

	*out = NULL;
	*n = 0;
	if (upto)
		*upto = 0;
	if (lost)
		*lost = false;
	if (!db.open)
		return 0;

	pthread_rwlock_rdlock(&db.lock);
	pthread_mutex_lock(&db.qmu);
	uint64_t committed = db.committed;
	pthread_mutex_unlock(&db.qmu);

	/* since == 0 is "from the beginning": nothing before it to lose. */
	is_lost = since != 0 && since < db.history_start;
	for (const db_node *nd = db.log_tail; nd && nd->gen > since; nd = nd->prev) {
		if (nd->gen > committed)
			continue;
		const xd_class *c;
		const char *ref;
		if (nd->tomb) {
			/* a client starting from nothing has no use for deletions */
			if (since == 0)
				continue;
			c = ((const db_tomb *)nd)->cls;
			ref = ((const db_tomb *)nd)->ref;
		} else {
			c = ((const db_obj *)nd)->cls;
			ref = ((const db_obj *)nd)->ref;
		}
		if (want && !want(c, ref, ud))
			continue;
		if (nhits == cap) {
			cap = cap ? cap * 2 : 64;
			hits = realloc(hits, cap * sizeof(*hits));
			if (!hits)
				abort();
		}
		hits[nhits++] = nd;
	}

	xd_change *ch = calloc(nhits ? nhits : 1, sizeof(*ch));
	if (!ch)
		abort();
	for (size_t i = 0; i < nhits; i++) {
		const db_node *nd = hits[nhits - 1 - i]; /* oldest first */
		xd_change *c = &ch[i];
		c->gen = nd->gen;
		if (nd->tomb) {
			const db_tomb *t = (const db_tomb *)nd;
			c->cls = t->cls;
			c->ref = strdup(t->ref);
			c->op = XD_CHANGE_DEL;
		} else {
			const db_obj *o = (const db_obj *)nd;
			c->cls = o->cls;
			c->ref = strdup(o->ref);
			c->op = o->created_gen > since ? XD_CHANGE_ADD : XD_CHANGE_MOD;
			c->snapshot = snapshots ? db_record_of(o) : NULL;
		}
		if (!c->ref)
			abort();
	}
	pthread_rwlock_unlock(&db.lock);

	free(hits);
	*out = ch;
	*n = nhits;
	if (upto)
		*upto = committed > since ? committed : since;
	if (lost)
		*lost = is_lost;
	return is_lost ? 1 : 0;
}

int xd_db_changes(uint64_t since, xd_db_want_fn want, void *ud, xd_change **out, size_t *n,
		  uint64_t *upto, bool *lost)
{
	return changes(since, want, ud, true, out, n, upto, lost);
}

int xd_db_changes_bare(uint64_t since, xd_db_want_fn want, void *ud, xd_change **out,
		       size_t *n, uint64_t *upto, bool *lost)
{
	return changes(since, want, ud, false, out, n, upto, lost);
}

void xd_db_changes_free(xd_change *ch, size_t n)
{
	if (!ch)
		return;
	for (size_t i = 0; i < n; i++) {
		free(ch[i].ref);
		xd_value_free(ch[i].snapshot);
	}
	free(ch);
}

static void deadline_after(struct timespec *ts, double s)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	time_t whole = (time_t)s;
	long ns = (long)((s - (double)whole) * 1e9);
	ts->tv_sec += whole;
	ts->tv_nsec += ns;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

bool xd_db_wait(uint64_t since, double timeout_s)
{
	struct timespec dl;
	bool r;

	if (!db.open)
		return false;
	if (timeout_s >= 0)
		deadline_after(&dl, timeout_s > 1e9 ? 1e9 : timeout_s);
	pthread_mutex_lock(&db.qmu);
	uint64_t epoch = db.wake_epoch;
	while (db.committed <= since && db.wake_epoch == epoch && !db.stop) {
		if (timeout_s < 0)
			pthread_cond_wait(&db.done_cond, &db.qmu);
		else if (pthread_cond_timedwait(&db.done_cond, &db.qmu, &dl) == ETIMEDOUT)
			break;
	}
	r = db.committed > since;
	pthread_mutex_unlock(&db.qmu);
	return r;
}

void xd_db_wake_all(void)
{
	if (!db.open)
		return;
	pthread_mutex_lock(&db.qmu);
	db.wake_epoch++;
	pthread_cond_broadcast(&db.done_cond);
	pthread_mutex_unlock(&db.qmu);
}
