/* db_sql_dqlite.c - the pool backend of db_sql.h: an embedded dqlite node
 * and SQL sent over the wire protocol (dqlite_client.h) to the cluster's
 * leader, wherever it is.
 *
 * Path: "dqlite:DIR?id=N&address=HOST:PORT[&wait=SECONDS]". Node 1 with an
 * empty DIR bootstraps a new cluster; another node waits until a leader adds
 * it (at most wait seconds, default 15, for each leader it looks for). A
 * node's address is kept in the Raft data: it must not change across
 * restarts.
 *
 * Leader changes: a statement that finds the connection broken or answered
 * "not leader" reconnects to the new leader and runs again, once, outside a
 * transaction. In a transaction, every statement is recorded (with copies
 * of its parameters) and a leader change runs the whole transaction again on
 * the new leader (for up to `wait` seconds), so the writer thread does not
 * see a leader change at all. A COMMIT carries a request id (a row in
 * xd_requests, written in the same transaction): when a COMMIT's outcome is
 * unknown (the leader died or lost leadership before answering) the id is
 * looked up on the new leader: found, the commit is done; not found, the
 * transaction runs again there. A write is applied exactly once.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "db_sql.h"
#include "dqlite_client.h"
#include "dqlite_node.h"
#include "log.h"

#define DB_NAME "xapi.db"
/* How long to look for a leader by default (an election takes ~0.5 s);
 * the path's wait=SECONDS changes it. */
#define LEADER_WAIT_S 15.0
#define IO_TIMEOUT_S 10.0
#define MAX_PARAMS 8
/* Request ids older than this are forgotten (seconds). */
#define REQUEST_KEEP_S 3600
#define PRUNE_EVERY 512

static db_dq_server *server;
static db_dq_conn *conn;
static uint32_t dbid;
static uint64_t conn_gen; /* bumped at each (re)connection: statements re-prepare */
static bool in_txn;
static bool requests_ready; /* xd_requests exists */
static uint64_t commits;
static void txn_end(void);
static char errbuf[512];
static double leader_wait_s = LEADER_WAIT_S;

struct db_sql_stmt {
	char *sql;
	uint32_t id;
	uint64_t gen; /* conn_gen it was prepared on; 0: not yet */
	db_dq_value p[MAX_PARAMS];
	size_t np;
};

/* One statement of the open transaction, kept (with copies of its
 * parameters) to run the transaction again on a new leader. */
typedef struct txn_step {
	db_sql_stmt *st; /* a prepared statement, or NULL: sql */
	char *sql;
	db_dq_value p[MAX_PARAMS];
	size_t np;
} txn_step;

static txn_step *steps;
static size_t nsteps, steps_cap;

struct db_sql_rows {
	db_dq_rows rows;
	size_t at; /* next row to return + 1 after next() */
};

static void set_err(const char *fmt, const char *a, const char *b)
{
	snprintf(errbuf, sizeof(errbuf), fmt, a, b);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pause_ms(int ms)
{
	struct timespec ts = { 0, (long)ms * 1000000L };
	nanosleep(&ts, NULL);
}

static void drop_conn(void)
{
	db_dq_close(conn);
	conn = NULL;
}

/* Finds the leader through our own node and opens the database on it. */
static int connect_leader(void)
{
	drop_conn();
	double until = now_s() + leader_wait_s;
	char eb[256] = "no leader";
	while (now_s() < until) {
		db_dq_conn *c = db_dq_connect(db_dq_server_address(server), IO_TIMEOUT_S, eb, sizeof(eb));
		uint64_t id = 0;
		char *addr = NULL;
		if (c && db_dq_leader(c, &id, &addr) == 0 && id && addr) {
			if (strcmp(addr, db_dq_server_address(server)) != 0) {
				db_dq_close(c);
				c = db_dq_connect(addr, IO_TIMEOUT_S, eb, sizeof(eb));
			}
			if (c && db_dq_open(c, DB_NAME, &dbid) == 0) {
				free(addr);
				conn = c;
				conn_gen++;
				return 0;
			}
		}
		if (c)
			snprintf(eb, sizeof(eb), "%s", db_dq_errmsg(c)[0] ? db_dq_errmsg(c) : "no leader");
		free(addr);
		db_dq_close(c);
		pause_ms(50);
	}
	set_err("dqlite: no leader reachable from %s: %s", db_dq_server_address(server), eb);
	return -1;
}

/* The failure is one after which another leader may answer. */
static bool leader_gone(void)
{
	uint64_t code = db_dq_errcode(conn);
	return db_dq_broken(conn) || code == DB_DQ_NOT_LEADER || code == DB_DQ_LEADERSHIP_LOST;
}

static int failed(void)
{
	set_err("%s%s", db_dq_errmsg(conn), "");
	if (leader_gone())
		drop_conn();
	return -1;
}

/* ---- open ---- */

static int parse_path(const char *path, char **dir, uint64_t *id, char **address)
{
	leader_wait_s = LEADER_WAIT_S;
	const char *spec = path + strlen("dqlite:");
	const char *q = strchr(spec, '?');
	*dir = *address = NULL;
	*id = 0;
	if (!q || q == spec)
		return -1;
	*dir = strndup(spec, (size_t)(q - spec));
	char *args = strdup(q + 1), *save = NULL;
	if (!*dir || !args)
		abort();
	for (char *kv = strtok_r(args, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
		if (strncmp(kv, "id=", 3) == 0)
			*id = strtoull(kv + 3, NULL, 10);
		else if (strncmp(kv, "address=", 8) == 0 && !*address)
			*address = strdup(kv + 8);
		else if (strncmp(kv, "wait=", 5) == 0)
			leader_wait_s = strtod(kv + 5, NULL);
	}
	free(args);
	return *id && *address ? 0 : -1;
}

static int dq_open(const char *path, xd_error *err)
{
	char *dir, *address;
	uint64_t id;
	if (parse_path(path, &dir, &id, &address) < 0) {
		free(dir);
		free(address);
		return xd_error_setf(err, "INTERNAL_ERROR",
				     "database %s: expected dqlite:DIR?id=N&address=HOST:PORT", path);
	}
	server = db_dq_server_start(id, address, dir, err);
	free(dir);
	free(address);
	if (!server)
		return -1;
	if (connect_leader() < 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "%s", errbuf);
		db_dq_server_stop(server);
		server = NULL;
		return -1;
	}
	return 0;
}

static void dq_close(void)
{
	drop_conn();
	db_dq_server_stop(server);
	server = NULL;
	txn_end();
	free(steps);
	steps = NULL;
	steps_cap = 0;
	requests_ready = false;
}

static const char *dq_errmsg(void)
{
	return errbuf[0] ? errbuf : "dqlite: unknown error";
}

/* ---- statements ---- */

static void steps_clear(void)
{
	for (size_t i = 0; i < nsteps; i++) {
		free(steps[i].sql);
		for (size_t k = 0; k < steps[i].np; k++)
			free((void *)steps[i].p[k].p);
	}
	nsteps = 0;
}

static txn_step *step_add(db_sql_stmt *st, const char *sql, const db_dq_value *p, size_t np)
{
	if (nsteps == steps_cap) {
		steps_cap = steps_cap ? steps_cap * 2 : 64;
		steps = realloc(steps, steps_cap * sizeof(*steps));
		if (!steps)
			abort();
	}
	txn_step *t = &steps[nsteps++];
	memset(t, 0, sizeof(*t));
	t->st = st;
	if (sql && !(t->sql = strdup(sql)))
		abort();
	for (size_t k = 0; k < np; k++) {
		t->p[k] = p[k];
		if (p[k].type == DB_DQ_TEXT || p[k].type == DB_DQ_BLOB) {
			size_t n = p[k].type == DB_DQ_TEXT ? strlen(p[k].p) + 1 : p[k].len;
			void *copy = malloc(n ? n : 1);
			if (!copy)
				abort();
			if (n)
				memcpy(copy, p[k].p, n);
			t->p[k].p = copy;
		}
	}
	t->np = np;
	return t;
}

/* Runs one statement on the current connection: 0, or -1 (see leader_gone). */
static int send_step(const txn_step *t)
{
	if (!t->st)
		return db_dq_exec_sql(conn, dbid, t->sql, t->p, t->np, NULL, NULL);
	if (t->st->gen != conn_gen) {
		if (db_dq_prepare(conn, dbid, t->st->sql, &t->st->id, NULL) < 0)
			return -1;
		t->st->gen = conn_gen;
	}
	return db_dq_exec(conn, dbid, t->st->id, t->p, t->np, NULL, NULL);
}

/* Runs BEGIN and every recorded statement on the leader, again on the next
 * leader while leaders change, until `until`. */
static int replay(double until)
{
	for (;;) {
		if (!conn && connect_leader() < 0)
			return -1;
		bool done = db_dq_exec_sql(conn, dbid, "BEGIN", NULL, 0, NULL, NULL) == 0;
		for (size_t i = 0; done && i < nsteps; i++)
			done = send_step(&steps[i]) == 0;
		if (done)
			return 0;
		bool again = leader_gone() && now_s() < until;
		failed();
		if (!again)
			return -1;
	}
}

/* A statement of the open transaction: recorded, then run; a leader change
 * runs the whole transaction again on the new leader. */
static int txn_run(db_sql_stmt *st, const char *sql, const db_dq_value *p, size_t np)
{
	txn_step *t = step_add(st, sql, p, np);
	if (conn && send_step(t) == 0)
		return 0;
	if (conn && !leader_gone())
		return failed();
	if (conn)
		failed();
	return replay(now_s() + leader_wait_s);
}

static void txn_end(void)
{
	steps_clear();
	in_txn = false;
}

/* Has the COMMIT of request id reached the database? 1 yes, 0 no, -1 unknown. */
static int request_committed(int64_t rid)
{
	if (!conn && connect_leader() < 0)
		return -1;
	db_dq_rows r;
	db_dq_value p = { .type = DB_DQ_INTEGER, .i = rid };
	if (db_dq_query_sql(conn, dbid, "SELECT 1 FROM xd_requests WHERE id = ?1", &p, 1, &r) < 0) {
		failed();
		return -1;
	}
	int found = r.nrows > 0;
	db_dq_rows_free(&r);
	return found;
}

static int commit(void)
{
	int64_t rid;
	if (getrandom(&rid, sizeof(rid), 0) != sizeof(rid))
		rid = (int64_t)now_s() ^ (int64_t)conn_gen << 40;
	rid &= INT64_MAX;
	db_dq_value p[2] = { { .type = DB_DQ_INTEGER, .i = rid },
			     { .type = DB_DQ_INTEGER, .i = (int64_t)time(NULL) } };
	db_dq_value old = { .type = DB_DQ_INTEGER, .i = (int64_t)time(NULL) - REQUEST_KEEP_S };
	double until = now_s() + leader_wait_s;
	int rc = -1;
	/* The table of request ids is made by the first commit (in its
	 * transaction), so that a new database is still empty before it. */
	if ((!requests_ready &&
	     txn_run(NULL,
		     "CREATE TABLE IF NOT EXISTS xd_requests(id INTEGER PRIMARY KEY,"
		     " at INTEGER NOT NULL)",
		     NULL, 0) < 0) ||
	    txn_run(NULL, "INSERT INTO xd_requests(id, at) VALUES(?1, ?2)", p, 2) < 0 ||
	    /* pruning scans the table: one commit in PRUNE_EVERY does it */
	    (++commits % PRUNE_EVERY == 0 &&
	     txn_run(NULL, "DELETE FROM xd_requests WHERE at < ?1", &old, 1) < 0))
		goto out;
	for (;;) {
		if (db_dq_exec_sql(conn, dbid, "COMMIT", NULL, 0, NULL, NULL) == 0) {
			rc = 0;
			break;
		}
		if (!leader_gone()) {
			failed();
			break;
		}
		/* Unknown outcome: the new leader knows whether the request id is
		 * in the database; if not, the transaction runs again there. */
		failed();
		int known;
		while ((known = request_committed(rid)) < 0 && now_s() < until)
			pause_ms(50);
		if (known == 1) {
			xd_info("dqlite: a commit interrupted by a leader change was committed");
			rc = 0;
			break;
		}
		if (known < 0 || replay(until) < 0)
			break;
	}
out:
	if (rc == 0)
		requests_ready = true;
	txn_end();
	return rc;
}

static int dq_exec(const char *q)
{
	if (in_txn) {
		if (strcmp(q, "COMMIT") == 0)
			return commit();
		if (strcmp(q, "ROLLBACK") == 0) {
			txn_end();
			/* a dead connection took the transaction with it */
			if (conn && db_dq_exec_sql(conn, dbid, "ROLLBACK", NULL, 0, NULL, NULL) < 0)
				failed();
			return 0;
		}
		return txn_run(NULL, q, NULL, 0);
	}
	if (strcmp(q, "ROLLBACK") == 0)
		return 0; /* nothing open (the failed COMMIT already ended it) */
	if (strcmp(q, "BEGIN") == 0) {
		steps_clear();
		in_txn = true;
		if (conn && db_dq_exec_sql(conn, dbid, "BEGIN", NULL, 0, NULL, NULL) == 0)
			return 0;
		if (conn && !leader_gone()) {
			txn_end();
			return failed();
		}
		if (conn)
			failed();
		if (replay(now_s() + leader_wait_s) < 0) {
			txn_end();
			return -1;
		}
		return 0;
	}
	for (int attempt = 0;; attempt++) {
		if (!conn && connect_leader() < 0)
			return -1;
		if (db_dq_exec_sql(conn, dbid, q, NULL, 0, NULL, NULL) == 0)
			return 0;
		bool retry = leader_gone() && attempt == 0;
		failed();
		if (!retry)
			return -1;
	}
}

static int dq_tune(xd_error *err)
{
	(void)err;
	/* Nothing to tune: Raft gives durability (a commit is on a quorum's
	 * disks, fsynced). */
	return 0;
}

static db_sql_stmt *dq_prepare(const char *q)
{
	db_sql_stmt *s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	s->sql = strdup(q);
	if (!s->sql)
		abort();
	return s;
}

static void dq_finalize(db_sql_stmt *s)
{
	if (!s)
		return;
	/* Statements die with their connection; one still open is finalized. */
	if (conn && s->gen == conn_gen && !db_dq_broken(conn))
		db_dq_finalize(conn, dbid, s->id);
	free(s->sql);
	free(s);
}

static db_dq_value *slot(db_sql_stmt *s, int i)
{
	if (i < 1 || i > MAX_PARAMS)
		abort(); /* db_store.c's statements have at most 5 */
	if ((size_t)i > s->np)
		s->np = (size_t)i;
	return &s->p[i - 1];
}

static void dq_bind_int64(db_sql_stmt *s, int i, int64_t v)
{
	*slot(s, i) = (db_dq_value){ .type = DB_DQ_INTEGER, .i = v };
}

static void dq_bind_text(db_sql_stmt *s, int i, const char *t)
{
	*slot(s, i) = (db_dq_value){ .type = DB_DQ_TEXT, .p = t };
}

static void dq_bind_blob(db_sql_stmt *s, int i, const void *p, size_t n)
{
	*slot(s, i) = (db_dq_value){ .type = DB_DQ_BLOB, .p = p, .len = n };
}

static int dq_run(db_sql_stmt *s)
{
	int rc = -1;
	if (in_txn) {
		rc = txn_run(s, NULL, s->p, s->np);
		goto out;
	}
	for (int attempt = 0;; attempt++) {
		if (!conn && connect_leader() < 0)
			break;
		txn_step one = { .st = s, .np = s->np };
		memcpy(one.p, s->p, sizeof(one.p));
		if (send_step(&one) == 0) {
			rc = 0;
			break;
		}
		bool retry = leader_gone() && attempt == 0;
		failed();
		if (!retry)
			break;
	}
out:
	memset(s->p, 0, sizeof(s->p));
	s->np = 0;
	return rc;
}

static db_sql_rows *dq_select(const char *q, const char *param)
{
	db_sql_rows *r = calloc(1, sizeof(*r));
	if (!r)
		abort();
	db_dq_value p = { .type = DB_DQ_TEXT, .p = param };
	/* a read may be asked again: while an election runs (a node just
	 * restarted may still point at the old leader), until leader_wait_s */
	double until = now_s() + leader_wait_s;
	for (;;) {
		if (!conn && connect_leader() < 0)
			break;
		if (db_dq_query_sql(conn, dbid, q, &p, param ? 1 : 0, &r->rows) == 0)
			return r;
		bool retry = leader_gone() && !in_txn && now_s() < until;
		failed();
		if (!retry)
			break;
		pause_ms(50);
	}
	free(r);
	return NULL;
}

static int dq_next(db_sql_rows *r)
{
	if (r->at >= r->rows.nrows)
		return 0;
	r->at++;
	return 1;
}

static const db_dq_value *col(db_sql_rows *r, int i)
{
	if (r->at == 0 || i < 0 || (size_t)i >= r->rows.ncols)
		return NULL;
	return &r->rows.vals[(r->at - 1) * r->rows.ncols + (size_t)i];
}

static int64_t dq_col_int64(db_sql_rows *r, int i)
{
	const db_dq_value *v = col(r, i);
	if (!v)
		return 0;
	if (v->type == DB_DQ_FLOAT)
		return (int64_t)v->f;
	if (v->type == DB_DQ_TEXT)
		return strtoll(v->p, NULL, 10);
	return v->type == DB_DQ_NULL || v->type == DB_DQ_BLOB ? 0 : v->i;
}

static const char *dq_col_text(db_sql_rows *r, int i)
{
	const db_dq_value *v = col(r, i);
	return v && (v->type == DB_DQ_TEXT || v->type == DB_DQ_ISO8601) ? v->p : NULL;
}

static const void *dq_col_blob(db_sql_rows *r, int i, size_t *len)
{
	const db_dq_value *v = col(r, i);
	if (!v || (v->type != DB_DQ_BLOB && v->type != DB_DQ_TEXT)) {
		*len = 0;
		return NULL;
	}
	*len = v->len;
	return v->p;
}

static void dq_rows_close(db_sql_rows *r)
{
	if (!r)
		return;
	db_dq_rows_free(&r->rows);
	free(r);
}

const db_sql_backend db_sql_dqlite = {
	.name = "dqlite",
	.open = dq_open,
	.tune = dq_tune,
	.close = dq_close,
	.errmsg = dq_errmsg,
	.exec = dq_exec,
	.prepare = dq_prepare,
	.finalize = dq_finalize,
	.bind_int64 = dq_bind_int64,
	.bind_text = dq_bind_text,
	.bind_blob = dq_bind_blob,
	.run = dq_run,
	.select = dq_select,
	.next = dq_next,
	.col_int64 = dq_col_int64,
	.col_text = dq_col_text,
	.col_blob = dq_col_blob,
	.rows_close = dq_rows_close,
};

const db_sql_backend *db_sql_for_path(const char *path)
{
	return strncmp(path, "dqlite:", 7) == 0 ? &db_sql_dqlite : &db_sql_sqlite;
}
