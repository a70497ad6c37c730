/* db_store.c - the storing side of the db: schema and its version check,
 * loading everything into memory at open, and the single writer thread that
 * commits queued writes in groups.
 *
 * Tables: objects (ref, class, created_gen, mod_gen, data: db_codec.c),
 * tombstones (gen, ref, class: deletions remembered for event tokens),
 * meta (key/value: schema_version, generation, history_start).
 *
 * The SQL engine is a backend (db_sql.h): local sqlite3 for one host, or
 * the pool's dqlite cluster, chosen by the path. Only the writer thread
 * touches the connection once the db is open.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_int.h"
#include "db_sql.h"
#include "log.h"

/* How long quiet writes may wait for a commit to ride with. */
#define QUIET_FLUSH_S 5
/* At shutdown, give up on a failing disk after this many attempts. */
#define STOP_RETRIES 3

static const db_sql_backend *sql;
static char *sql_path;
static db_sql_stmt *st_put, *st_del, *st_tomb, *st_trim, *st_meta;

static int fail_sql(xd_error *err, const char *what)
{
	return xd_error_setf(err, "INTERNAL_ERROR", "database %s: %s: %s", sql_path, what,
			     sql ? sql->errmsg() : "cannot open");
}

static int exec(const char *q, xd_error *err)
{
	if (sql->exec(q) < 0)
		return fail_sql(err, q);
	return 0;
}

/* Reads one integer (meta value, count...). Returns 0, 1 if there is no
 * row, -1 on error (the statement does not compile: e.g. no such table). */
static int query_int(const char *q, const char *key, int64_t *out)
{
	db_sql_rows *r = sql->select(q, key);
	int rc = -1;
	if (!r)
		return -1;
	int s = sql->next(r);
	if (s == 1) {
		*out = sql->col_int64(r, 0);
		rc = 0;
	} else if (s == 0) {
		rc = 1;
	}
	sql->rows_close(r);
	return rc;
}

/* ---- schema ---- */

static const char schema_v1[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE objects(ref TEXT PRIMARY KEY, class TEXT NOT NULL,"
	" created_gen INTEGER NOT NULL, mod_gen INTEGER NOT NULL, data BLOB NOT NULL);"
	"CREATE TABLE tombstones(gen INTEGER NOT NULL, ref TEXT NOT NULL, class TEXT NOT NULL,"
	" PRIMARY KEY(gen, ref)) WITHOUT ROWID;"
	"INSERT INTO meta VALUES('generation', 0), ('history_start', 0);";

/* Upgrades from one schema version to the next, run in one transaction each.
 * Version 1 is the first: none yet. Add { from, fn } entries above the
 * terminator when the schema changes (and bump XD_DB_SCHEMA_VERSION). */
typedef int (*db_migration_fn)(xd_error *err);
static const struct {
	int from;
	db_migration_fn fn;
} migrations[] = {
	{ 0, NULL },
};

static db_migration_fn migration_from(int64_t v)
{
	for (size_t i = 0; migrations[i].fn; i++) {
		if (migrations[i].from == v)
			return migrations[i].fn;
	}
	return NULL;
}

static int check_schema(const char *path, xd_error *err)
{
	int64_t n = 0, v = 0;

	if (query_int("SELECT count(*) FROM sqlite_master", NULL, &n) != 0)
		return fail_sql(err, "cannot read the schema");
	if (n == 0) { /* a new database */
		if (exec("BEGIN", err) < 0 || exec(schema_v1, err) < 0)
			goto rollback;
		char q[96];
		snprintf(q, sizeof(q), "INSERT INTO meta VALUES('schema_version', %d)",
			 XD_DB_SCHEMA_VERSION);
		if (exec(q, err) < 0 || exec("COMMIT", err) < 0)
			goto rollback;
		return 0;
	}
	if (query_int("SELECT value FROM meta WHERE key = ?1", "schema_version", &v) != 0)
		return xd_error_setf(err, "INTERNAL_ERROR",
				     "database %s is not a xapi-c database (it has no schema "
				     "version); the file was left untouched", path);
	if (v == XD_DB_SCHEMA_VERSION)
		return 0;
	/* Check the whole chain exists before changing anything. */
	for (int64_t k = v; k < XD_DB_SCHEMA_VERSION; k++) {
		if (!migration_from(k))
			goto refuse;
	}
	if (v > XD_DB_SCHEMA_VERSION)
		goto refuse;
	for (; v < XD_DB_SCHEMA_VERSION; v++) {
		char q[96];
		if (exec("BEGIN", err) < 0 || migration_from(v)(err) < 0)
			goto rollback;
		snprintf(q, sizeof(q), "UPDATE meta SET value = %" PRId64
			 " WHERE key = 'schema_version'", v + 1);
		if (exec(q, err) < 0 || exec("COMMIT", err) < 0)
			goto rollback;
		xd_info("db: %s migrated from schema version %" PRId64 " to %" PRId64, path, v,
			v + 1);
	}
	return 0;
refuse:
	return xd_error_setf(err, "INTERNAL_ERROR",
			     "database %s has schema version %" PRId64 " but this xapid uses "
			     "schema version %d and cannot convert it; the file was left untouched",
			     path, v, XD_DB_SCHEMA_VERSION);
rollback:
	sql->exec("ROLLBACK");
	return -1;
}

static int prepare(db_sql_stmt **st, const char *q, xd_error *err)
{
	if (!(*st = sql->prepare(q)))
		return fail_sql(err, q);
	return 0;
}

int db_store_open(const char *path, xd_error *err)
{
	if (!path || !*path)
		return xd_error_setf(err, "INTERNAL_ERROR", "no database path given");
	sql_path = strdup(path);
	if (!sql_path)
		abort();
	sql = db_sql_for_path(path);
	if (sql->open(path, err) < 0) {
		if (xd_error_is_set(err))
			goto fail_set;
		goto fail;
	}
	/* Nothing above writes to the file: a refused database stays as it was. */
	if (check_schema(path, err) < 0)
		goto fail_set;
	if (sql->tune(err) < 0) {
		if (!xd_error_is_set(err))
			fail_sql(err, "cannot set it up");
		goto fail_set;
	}
	if (prepare(&st_put,
		    "INSERT INTO objects(ref, class, created_gen, mod_gen, data)"
		    " VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(ref) DO UPDATE SET"
		    " class = excluded.class, created_gen = excluded.created_gen,"
		    " mod_gen = excluded.mod_gen, data = excluded.data",
		    err) < 0 ||
	    prepare(&st_del, "DELETE FROM objects WHERE ref = ?1", err) < 0 ||
	    prepare(&st_tomb, "INSERT OR REPLACE INTO tombstones(gen, ref, class) VALUES(?1, ?2, ?3)",
		    err) < 0 ||
	    prepare(&st_trim, "DELETE FROM tombstones WHERE gen <= ?1", err) < 0 ||
	    prepare(&st_meta, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", err) < 0)
		goto fail_set;
	return 0;
fail:
	fail_sql(err, "cannot open");
fail_set:
	db_store_close();
	return -1;
}

void db_store_close(void)
{
	if (sql) {
		sql->finalize(st_put);
		sql->finalize(st_del);
		sql->finalize(st_tomb);
		sql->finalize(st_trim);
		sql->finalize(st_meta);
		sql->close();
	}
	st_put = st_del = st_tomb = st_trim = st_meta = NULL;
	sql = NULL;
	free(sql_path);
	sql_path = NULL;
}

/* ---- load ---- */

typedef struct {
	db_obj *o;
	int64_t rowid;
} loaded;

static int loaded_cmp(const void *a, const void *b)
{
	const loaded *x = a, *y = b;
	if (x->o->created_gen != y->o->created_gen)
		return x->o->created_gen < y->o->created_gen ? -1 : 1;
	return x->rowid < y->rowid ? -1 : x->rowid > y->rowid;
}

/* Class by stored name; remembers the last one (rows of a class tend to
 * come together). NULL for a class the datamodel no longer has. */
static const xd_class *class_named(const char *name)
{
	static const xd_class *last;
	if (!name)
		return NULL;
	if (last && strcmp(last->name, name) == 0)
		return last;
	const xd_class *c = xd_dm_class(name);
	if (c)
		last = c;
	return c;
}

static int load_objects(loaded **out, size_t *nout, uint64_t *maxgen, xd_error *err)
{
	db_sql_rows *st = NULL;
	loaded *arr = NULL;
	size_t n = 0, cap = 0, dropped = 0;
	int rc = -1, s;

	st = sql->select("SELECT rowid, ref, class, created_gen, mod_gen, data FROM objects", NULL);
	if (!st) {
		fail_sql(err, "cannot read objects");
		goto out;
	}
	while ((s = sql->next(st)) == 1) {
		const char *ref = sql->col_text(st, 1);
		const xd_class *c = class_named(sql->col_text(st, 2));
		db_cls *dc = c && c->stored ? db_cls_of(c) : NULL;
		if (!dc || !ref) {
			dropped++;
			continue;
		}
		db_obj *o = db_obj_alloc(dc, ref);
		o->created_gen = (uint64_t)sql->col_int64(st, 3);
		o->node.gen = (uint64_t)sql->col_int64(st, 4);
		size_t dlen;
		const void *data = sql->col_blob(st, 5, &dlen);
		if (db_decode(o, data, dlen) < 0) {
			xd_error_setf(err, "INTERNAL_ERROR", "database %s: the record of %s %s is corrupt",
				      sql_path, c->name, ref);
			db_obj_free(o);
			goto out;
		}
		if (o->node.gen > *maxgen)
			*maxgen = o->node.gen;
		if (o->created_gen > *maxgen)
			*maxgen = o->created_gen;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			arr = realloc(arr, cap * sizeof(*arr));
			if (!arr)
				abort();
		}
		arr[n].o = o;
		arr[n].rowid = sql->col_int64(st, 0);
		n++;
	}
	if (s != 0) {
		fail_sql(err, "cannot read objects");
		goto out;
	}
	if (dropped)
		xd_warn("db: %s: skipped %zu objects of classes the datamodel does not store",
			sql_path, dropped);
	rc = 0;
out:
	if (st)
		sql->rows_close(st);
	if (rc < 0) {
		for (size_t i = 0; i < n; i++)
			db_obj_free(arr[i].o);
		free(arr);
		arr = NULL;
		n = 0;
	}
	*out = arr;
	*nout = n;
	return rc;
}

static int load_tombs(db_tomb ***out, size_t *nout, uint64_t *maxgen, xd_error *err)
{
	db_sql_rows *st = NULL;
	db_tomb **arr = NULL;
	size_t n = 0, cap = 0;
	int rc = -1, s;

	st = sql->select("SELECT gen, ref, class FROM tombstones ORDER BY gen", NULL);
	if (!st) {
		fail_sql(err, "cannot read tombstones");
		goto out;
	}
	while ((s = sql->next(st)) == 1) {
		const char *ref = sql->col_text(st, 1);
		const xd_class *c = class_named(sql->col_text(st, 2));
		if (!c || !ref)
			continue;
		size_t rl = strlen(ref) + 1;
		db_tomb *t = calloc(1, sizeof(*t) + rl);
		if (!t)
			abort();
		memcpy(t->ref, ref, rl);
		t->cls = c;
		t->node.gen = (uint64_t)sql->col_int64(st, 0);
		t->node.tomb = true;
		if (t->node.gen > *maxgen)
			*maxgen = t->node.gen;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			arr = realloc(arr, cap * sizeof(*arr));
			if (!arr)
				abort();
		}
		arr[n++] = t;
	}
	if (s != 0) {
		fail_sql(err, "cannot read tombstones");
		goto out;
	}
	rc = 0;
out:
	if (st)
		sql->rows_close(st);
	if (rc < 0) {
		for (size_t i = 0; i < n; i++)
			free(arr[i]);
		free(arr);
		arr = NULL;
		n = 0;
	}
	*out = arr;
	*nout = n;
	return rc;
}

int db_store_load(xd_error *err)
{
	loaded *objs = NULL;
	db_tomb **tombs = NULL;
	db_obj **live = NULL;
	size_t nobjs = 0, ntombs = 0, nlive = 0;
	int64_t meta_gen = 0, hist = 0;
	uint64_t maxgen = 0;
	int rc = -1;

	if (query_int("SELECT value FROM meta WHERE key = ?1", "generation", &meta_gen) < 0 ||
	    query_int("SELECT value FROM meta WHERE key = ?1", "history_start", &hist) < 0) {
		fail_sql(err, "cannot read meta");
		goto out;
	}
	if (load_objects(&objs, &nobjs, &maxgen, err) < 0 ||
	    load_tombs(&tombs, &ntombs, &maxgen, err) < 0)
		goto out;

	if (nobjs)
		qsort(objs, nobjs, sizeof(*objs), loaded_cmp);
	live = malloc((nobjs ? nobjs : 1) * sizeof(*live));
	if (!live)
		abort();
	for (size_t i = 0; i < nobjs; i++) {
		if (db_obj_index_loaded(objs[i].o) < 0) {
			xd_warn("db: %s: dropping %s %s: its ref or uuid is already taken", sql_path,
				objs[i].o->cls->name, objs[i].o->ref);
			db_obj_free(objs[i].o);
			continue;
		}
		live[nlive++] = objs[i].o;
	}
	db_link_all_loaded();
	db_log_build_loaded(live, nlive, tombs, ntombs);

	if ((uint64_t)meta_gen > maxgen)
		maxgen = (uint64_t)meta_gen;
	db.gen = db.committed = maxgen;
	db.history_start = (uint64_t)hist;
	xd_info("db: loaded %zu objects and %zu tombstones from %s (generation %" PRIu64 ")", nlive,
		ntombs, sql_path, maxgen);
	rc = 0;
out:
	free(objs);
	free(tombs);
	free(live);
	return rc;
}

/* ---- the writer thread ---- */

void db_batch_free(db_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nops; i++) {
		free(b->ops[i].ref);
		free(b->ops[i].data);
	}
	free(b->ops);
	free(b);
}

void db_store_enqueue(db_batch *b)
{
	pthread_mutex_lock(&db.qmu);
	b->next = NULL;
	if (db.q_tail)
		db.q_tail->next = b;
	else
		db.q_head = b;
	db.q_tail = b;
	pthread_cond_signal(&db.qcond);
	pthread_mutex_unlock(&db.qmu);
}

void db_store_quiet(db_obj *o)
{
	pthread_mutex_lock(&db.qmu);
	if (!o->quiet) {
		o->quiet = true;
		if (db.nquiet == db.quiet_cap) {
			db.quiet_cap = db.quiet_cap ? db.quiet_cap * 2 : 64;
			db.quiet = realloc(db.quiet, db.quiet_cap * sizeof(*db.quiet));
			if (!db.quiet)
				abort();
		}
		db.quiet[db.nquiet] = strdup(o->ref);
		if (!db.quiet[db.nquiet])
			abort();
		/* the first one starts the writer's flush timer */
		if (++db.nquiet == 1)
			pthread_cond_signal(&db.qcond);
	}
	pthread_mutex_unlock(&db.qmu);
}

int db_store_wait(db_waiter *w, xd_error *err)
{
	pthread_mutex_lock(&db.qmu);
	while (w->status == 0)
		pthread_cond_wait(&db.done_cond, &db.qmu);
	pthread_mutex_unlock(&db.qmu);
	if (w->status < 0)
		return xd_error_setf(err, "INTERNAL_ERROR", "%s", w->msg);
	return 0;
}

static int run_op(const db_op *op)
{
	db_sql_stmt *st;
	switch (op->kind) {
	case DB_OP_PUT:
		st = st_put;
		sql->bind_text(st, 1, op->ref);
		sql->bind_text(st, 2, op->cls);
		sql->bind_int64(st, 3, (int64_t)op->created_gen);
		sql->bind_int64(st, 4, (int64_t)op->gen);
		sql->bind_blob(st, 5, op->data, op->len);
		break;
	case DB_OP_DEL:
		st = st_del;
		sql->bind_text(st, 1, op->ref);
		if (sql->run(st) < 0)
			return -1;
		if (!op->tomb)
			return 0;
		st = st_tomb;
		sql->bind_int64(st, 1, (int64_t)op->gen);
		sql->bind_text(st, 2, op->ref);
		sql->bind_text(st, 3, op->cls);
		break;
	case DB_OP_TRIM:
		st = st_trim;
		sql->bind_int64(st, 1, (int64_t)op->gen);
		if (sql->run(st) < 0)
			return -1;
		st = st_meta;
		sql->bind_text(st, 1, "history_start");
		sql->bind_int64(st, 2, (int64_t)op->gen);
		break;
	default:
		return -1;
	}
	return sql->run(st);
}

/* One SQL transaction for everything taken from the queue. */
static int commit_all(db_batch *list, uint64_t *maxgen, size_t *nwrites, char *msg, size_t msz)
{
	*maxgen = 0;
	*nwrites = 0;
	if (sql->exec("BEGIN") < 0)
		goto fail;
	for (db_batch *b = list; b; b = b->next) {
		for (size_t i = 0; i < b->nops; i++) {
			if (run_op(&b->ops[i]) < 0)
				goto fail;
		}
		if (b->gen) {
			(*nwrites)++;
			if (b->gen > *maxgen)
				*maxgen = b->gen;
		}
	}
	if (*maxgen) {
		sql->bind_text(st_meta, 1, "generation");
		sql->bind_int64(st_meta, 2, (int64_t)*maxgen);
		if (sql->run(st_meta) < 0)
			goto fail;
	}
	if (sql->exec("COMMIT") < 0)
		goto fail;
	return 0;
fail:
	snprintf(msg, msz, "database %s: write failed: %s", sql_path, sql->errmsg());
	sql->exec("ROLLBACK");
	return -1;
}

/* Encodes the current state of objects with quiet writes (read lock held). */
static db_batch *take_quiet(char **refs, size_t n)
{
	db_batch *b = NULL;
	for (size_t i = 0; i < n; i++) {
		db_obj *o = db_hash_get(&db.refs, refs[i]);
		if (o) {
			if (!b && !(b = calloc(1, sizeof(*b))))
				abort();
			if (b->nops == b->cap) {
				b->cap = b->cap ? b->cap * 2 : 16;
				b->ops = realloc(b->ops, b->cap * sizeof(*b->ops));
				if (!b->ops)
					abort();
			}
			db_op *op = &b->ops[b->nops++];
			memset(op, 0, sizeof(*op));
			op->kind = DB_OP_PUT;
			op->cls = o->cls->name;
			op->ref = refs[i];
			refs[i] = NULL;
			op->created_gen = o->created_gen;
			op->gen = o->node.gen;
			op->data = db_encode(o, &op->len);
		}
		free(refs[i]);
	}
	free(refs);
	return b;
}

static void deadline_after(struct timespec *ts, int s)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += s;
}

static void *writer_main(void *arg)
{
	int failures = 0;

	pthread_mutex_lock(&db.qmu);
	for (;;) {
		/* Wait for work: a queued write (at once, unless retrying after a
		 * failure, then after a pause), or quiet writes that waited long
		 * enough, or shutdown. */
		struct timespec dl;
		bool timed_out = false;
		deadline_after(&dl, failures ? 1 : QUIET_FLUSH_S);
		while (!db.stop && !timed_out && !(db.q_head && !failures)) {
			if (db.nquiet || failures)
				timed_out = pthread_cond_timedwait(&db.qcond, &db.qmu, &dl) == ETIMEDOUT;
			else
				pthread_cond_wait(&db.qcond, &db.qmu);
		}
		if (!db.q_head && !db.nquiet) {
			if (db.stop)
				break;
			continue;
		}
		pthread_mutex_unlock(&db.qmu);

		/* Take the queue and the quiet list together under the read lock,
		 * so the quiet records encoded now are at least as new as every
		 * queued write, and are written after them. */
		pthread_rwlock_rdlock(&db.lock);
		pthread_mutex_lock(&db.qmu);
		db_batch *list = db.q_head;
		db_batch *tail = db.q_tail;
		db.q_head = db.q_tail = NULL;
		char **refs = db.quiet;
		size_t nrefs = db.nquiet;
		db.quiet = NULL;
		db.nquiet = db.quiet_cap = 0;
		for (size_t i = 0; i < nrefs; i++) {
			db_obj *o = db_hash_get(&db.refs, refs[i]);
			if (o)
				o->quiet = false;
		}
		pthread_mutex_unlock(&db.qmu);
		db_batch *qb = take_quiet(refs, nrefs);
		pthread_rwlock_unlock(&db.lock);
		if (qb) {
			if (tail)
				tail->next = qb;
			else
				list = qb;
			tail = qb;
		}
		if (!list) { /* only quiet writes to objects destroyed since */
			pthread_mutex_lock(&db.qmu);
			continue;
		}

		uint64_t maxgen;
		size_t nwrites;
		char msg[256];
		int rc = commit_all(list, &maxgen, &nwrites, msg, sizeof(msg));

		pthread_mutex_lock(&db.qmu);
		if (rc == 0) {
			failures = 0;
			if (maxgen > db.committed)
				db.committed = maxgen;
			db.commits++;
			xd_debug("db: commit %" PRIu64 ": %zu writes in one transaction (generation %" PRIu64 ")",
				 db.commits, nwrites, db.committed);
			for (db_batch *b = list, *next; b; b = next) {
				next = b->next;
				if (b->w)
					b->w->status = 1;
				db_batch_free(b);
			}
		} else {
			failures++;
			xd_err("%s (attempt %d)", msg, failures);
			for (db_batch *b = list; b; b = b->next) {
				if (b->w) {
					snprintf(b->w->msg, sizeof(b->w->msg), "%s", msg);
					b->w->status = -1;
					b->w = NULL;
				}
			}
			if (db.stop && failures >= STOP_RETRIES) {
				xd_err("db: giving up: the last writes were not stored");
				for (db_batch *b = list, *next; b; b = next) {
					next = b->next;
					db_batch_free(b);
				}
			} else {
				/* keep them first in line for the next attempt */
				tail->next = db.q_head;
				if (!db.q_head)
					db.q_tail = tail;
				db.q_head = list;
			}
		}
		pthread_cond_broadcast(&db.done_cond);
	}
	pthread_mutex_unlock(&db.qmu);
	return arg;
}

int db_store_start(xd_error *err)
{
	db.stop = false;
	if (pthread_create(&db.writer, NULL, writer_main, NULL) != 0)
		return xd_error_setf(err, "INTERNAL_ERROR", "cannot start the database writer thread");
	db.writer_running = true;
	return 0;
}

void db_store_stop(void)
{
	if (!db.writer_running)
		return;
	pthread_mutex_lock(&db.qmu);
	db.stop = true;
	pthread_cond_signal(&db.qcond);
	pthread_cond_broadcast(&db.done_cond);
	pthread_mutex_unlock(&db.qmu);
	pthread_join(db.writer, NULL);
	db.writer_running = false;
}
