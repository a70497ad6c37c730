/* test_dqlite.c - core/db's dqlite wire protocol client against real dqlite
 * nodes (libdqlite) started here on loopback ports picked free: handshake,
 * LEADER, OPEN, EXEC_SQL, PREPARE/EXEC/QUERY/FINALIZE with parameters of
 * every type, a result set big enough to come in several parts, the node's
 * failures with their codes, and a three-node cluster: ADD, ASSIGN, CLUSTER,
 * "not leader" from a follower, TRANSFER of leadership, REMOVE, and the
 * rows written before a leader is stopped still there on the new leader.
 * Then the object store (db.h) on dqlite: objects, relations and tombstones
 * kept across close/open, and writes going on through a leadership transfer
 * and the loss of the leader with nothing committed lost, and kill -9 of
 * the process whose node leads in the middle of writes (a second process:
 * this binary run with --writer) with every acknowledged write kept. */
#include <netinet/in.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "db/dqlite_client.h"
#include "db/dqlite_node.h"
#include "dm.h"
#include "ids.h"
#include "log.h"
#include "tap.h"

static char tmpdir[] = "/tmp/xapi-c-test-dqlite-XXXXXX";

/* A loopback port free right now (the kernel's choice). */
static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(a);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &l) < 0) {
		perror("free_port");
		exit(2);
	}
	close(fd);
	return ntohs(a.sin_port);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static db_dq_server *start_node(uint64_t id, char *addr, size_t alen)
{
	char dir[256];
	xd_error err = XD_ERROR_INIT;
	snprintf(addr, alen, "127.0.0.1:%d", free_port());
	/* a directory per address: Raft keeps each node's address in its data,
	 * so a node restarted elsewhere would be unreachable for its peers */
	snprintf(dir, sizeof(dir), "%s/node%llu-%s", tmpdir, (unsigned long long)id, addr);
	db_dq_server *s = db_dq_server_start(id, addr, dir, &err);
	if (!s) {
		fprintf(stderr, "start node %llu: %s\n", (unsigned long long)id, err.params[0]);
		exit(2);
	}
	xd_error_clear(&err);
	return s;
}

static db_dq_conn *conn(const char *addr)
{
	char eb[256];
	db_dq_conn *c = db_dq_connect(addr, 5.0, eb, sizeof(eb));
	if (!c) {
		fprintf(stderr, "%s\n", eb);
		exit(2);
	}
	return c;
}

/* Waits until the node at addr knows a leader; returns its id. */
static uint64_t wait_leader(const char *addr, char **leader_addr)
{
	for (int i = 0; i < 200; i++) {
		db_dq_conn *c = conn(addr);
		uint64_t id = 0;
		char *a = NULL;
		int rc = db_dq_leader(c, &id, &a);
		db_dq_close(c);
		if (rc == 0 && id) {
			if (leader_addr)
				*leader_addr = a;
			else
				free(a);
			return id;
		}
		free(a);
		sleep_ms(50);
	}
	return 0;
}

static void test_single_node(void)
{
	char addr[64];
	db_dq_server *s = start_node(1, addr, sizeof(addr));
	char *la = NULL;
	is_int(wait_leader(addr, &la), 1, "LEADER: node 1 leads its own new cluster");
	is_str(la, addr, "LEADER: with its address");
	free(la);

	db_dq_conn *c = conn(addr);
	uint32_t db = 99;
	ok(db_dq_open(c, "test.db", &db) == 0, "OPEN test.db");
	uint64_t last = 0, changes = 0;
	ok(db_dq_exec_sql(c, db, "CREATE TABLE t(i INTEGER, f REAL, s TEXT, b BLOB, n)", NULL, 0,
			  NULL, NULL) == 0,
	   "EXEC_SQL: CREATE TABLE");

	uint32_t st;
	uint64_t np = 0;
	ok(db_dq_prepare(c, db, "INSERT INTO t VALUES(?1, ?2, ?3, ?4, ?5)", &st, &np) == 0,
	   "PREPARE insert");
	is_int(np, 5, "PREPARE: its parameter count");
	static const unsigned char blob[] = { 0, 1, 2, 0xff, 0, 7, 8, 9, 10 };
	db_dq_value p[5] = {
		{ .type = DB_DQ_INTEGER, .i = -1234567890123LL },
		{ .type = DB_DQ_FLOAT, .f = 2.5 },
		{ .type = DB_DQ_TEXT, .p = "eight ch" }, /* 8 chars: the NUL takes a word */
		{ .type = DB_DQ_BLOB, .p = blob, .len = sizeof(blob) },
		{ .type = DB_DQ_NULL },
	};
	ok(db_dq_exec(c, db, st, p, 5, &last, &changes) == 0, "EXEC with five parameter types");
	is_int(changes, 1, "EXEC: one row changed");
	is_int(last, 1, "EXEC: last insert id");

	db_dq_rows r;
	ok(db_dq_query_sql(c, db, "SELECT i, f, s, b, n FROM t", NULL, 0, &r) == 0, "QUERY_SQL");
	is_int(r.ncols, 5, "QUERY_SQL: five columns");
	is_int(r.nrows, 1, "QUERY_SQL: one row");
	is_str(r.names[2], "s", "QUERY_SQL: column names");
	if (r.nrows == 1) {
		is_int(r.vals[0].type, DB_DQ_INTEGER, "integer type");
		ok(r.vals[0].i == -1234567890123LL, "integer value (negative, 64 bits)");
		ok(r.vals[1].type == DB_DQ_FLOAT && r.vals[1].f == 2.5, "float value");
		ok(r.vals[2].type == DB_DQ_TEXT && strcmp(r.vals[2].p, "eight ch") == 0, "text value");
		ok(r.vals[3].type == DB_DQ_BLOB && r.vals[3].len == sizeof(blob) &&
			   memcmp(r.vals[3].p, blob, sizeof(blob)) == 0,
		   "blob value, zero bytes included");
		is_int(r.vals[4].type, DB_DQ_NULL, "null value");
	}
	db_dq_rows_free(&r);

	/* Many rows of 1 KiB: the node sends them in several ROWS messages. */
	char big[1025];
	memset(big, 'x', 1024);
	big[1024] = 0;
	ok(db_dq_exec_sql(c, db, "BEGIN", NULL, 0, NULL, NULL) == 0, "EXEC_SQL BEGIN");
	int fails = 0;
	for (int i = 0; i < 3000; i++) {
		big[0] = (char)('a' + i % 26);
		db_dq_value q[5] = { { .type = DB_DQ_INTEGER, .i = i + 100 },
				     { .type = DB_DQ_FLOAT, .f = i / 2.0 },
				     { .type = DB_DQ_TEXT, .p = big },
				     { .type = DB_DQ_BLOB, .p = big, .len = (size_t)(i % 17) },
				     { .type = DB_DQ_INTEGER, .i = i } };
		fails += db_dq_exec(c, db, st, q, 5, NULL, NULL) != 0;
	}
	ok(fails == 0 && db_dq_exec_sql(c, db, "COMMIT", NULL, 0, NULL, NULL) == 0,
	   "3000 inserts in one explicit transaction across requests");
	ok(db_dq_finalize(c, db, st) == 0, "FINALIZE");

	uint32_t qs;
	ok(db_dq_prepare(c, db, "SELECT i, s, b FROM t WHERE i >= ?1 ORDER BY i", &qs, NULL) == 0,
	   "PREPARE select");
	db_dq_value from = { .type = DB_DQ_INTEGER, .i = 100 };
	ok(db_dq_query(c, db, qs, &from, 1, &r) == 0, "QUERY: ~3 MiB of rows");
	is_int(r.nrows, 3000, "QUERY: every part gathered (3000 rows)");
	int bad = 0;
	for (size_t i = 0; i < r.nrows; i++) {
		const db_dq_value *v = r.vals + i * r.ncols;
		if (v[0].i != (int64_t)i + 100 || v[1].len != 1024 ||
		    ((const char *)v[1].p)[0] != (char)('a' + i % 26) || v[2].len != i % 17)
			bad++;
	}
	is_int(bad, 0, "QUERY: every row intact and in order");
	db_dq_rows_free(&r);

	/* The node's failures come back with their sqlite code. */
	ok(db_dq_exec_sql(c, db, "INSERT INTO nosuch VALUES(1)", NULL, 0, NULL, NULL) < 0,
	   "bad SQL fails");
	is_int(db_dq_errcode(c), 1, "with SQLITE_ERROR");
	ok(strstr(db_dq_errmsg(c), "no such table") != NULL, "and sqlite's message: %s",
	   db_dq_errmsg(c));
	ok(!db_dq_broken(c), "a failure answer leaves the connection usable");
	db_dq_value one = { .type = DB_DQ_INTEGER, .i = 1 };
	ok(db_dq_query_sql(c, db, "SELECT count(*) FROM t WHERE i >= ?1", &one, 1, &r) == 0 &&
		   r.nrows == 1 && r.vals[0].i == 3000,
	   "QUERY_SQL with a parameter after a failure");
	db_dq_rows_free(&r);
	db_dq_value bogus = { .type = 42 };
	ok(db_dq_exec_sql(c, db, "SELECT ?1", &bogus, 1, NULL, NULL) < 0 && db_dq_errcode(c) == 0,
	   "a parameter of unknown type is refused before sending");
	ok(!db_dq_broken(c), "without breaking the connection");

	db_dq_node *nodes;
	size_t n;
	ok(db_dq_cluster(c, &nodes, &n) == 0 && n == 1 && nodes[0].id == 1 &&
		   nodes[0].role == DB_DQ_VOTER && strcmp(nodes[0].address, addr) == 0,
	   "CLUSTER: one voter");
	db_dq_nodes_free(nodes, n);
	db_dq_close(c);

	char eb[256];
	ok(db_dq_connect("127.0.0.1:1", 1.0, eb, sizeof(eb)) == NULL && strstr(eb, "127.0.0.1:1"),
	   "connecting to a closed port fails with a message: %s", eb);
	ok(db_dq_connect("no-port", 1.0, eb, sizeof(eb)) == NULL, "a malformed address fails");
	db_dq_server_stop(s);
}

static void test_cluster(void)
{
	char a[3][64];
	db_dq_server *s[3];
	for (int i = 0; i < 3; i++)
		s[i] = start_node((uint64_t)i + 1, a[i], sizeof(a[i]));
	is_int(wait_leader(a[0], NULL), 1, "cluster: node 1 leads");

	db_dq_conn *c = conn(a[0]);
	ok(db_dq_add(c, 2, a[1]) == 0 && db_dq_add(c, 3, a[2]) == 0, "ADD nodes 2 and 3");
	ok(db_dq_assign(c, 2, DB_DQ_VOTER) == 0 && db_dq_assign(c, 3, DB_DQ_VOTER) == 0,
	   "ASSIGN both the voter role");
	db_dq_node *nodes;
	size_t n;
	int voters = 0;
	ok(db_dq_cluster(c, &nodes, &n) == 0 && n == 3, "CLUSTER: three nodes");
	for (size_t i = 0; i < n; i++)
		voters += nodes[i].role == DB_DQ_VOTER;
	is_int(voters, 3, "CLUSTER: all voters");
	db_dq_nodes_free(nodes, n);

	uint32_t db;
	ok(db_dq_open(c, "pool.db", &db) == 0 &&
		   db_dq_exec_sql(c, db, "CREATE TABLE kv(k TEXT PRIMARY KEY, v INTEGER)", NULL, 0,
				  NULL, NULL) == 0 &&
		   db_dq_exec_sql(c, db, "INSERT INTO kv VALUES('a', 1), ('b', 2)", NULL, 0, NULL,
				  NULL) == 0,
	   "writes on the leader");

	/* A follower knows the leader but refuses SQL. */
	db_dq_conn *f = conn(a[1]);
	uint64_t lid = 0;
	char *laddr = NULL;
	ok(db_dq_leader(f, &lid, &laddr) == 0 && lid == 1 && laddr && strcmp(laddr, a[0]) == 0,
	   "a follower names the leader");
	free(laddr);
	uint32_t fdb;
	int rc = db_dq_open(f, "pool.db", &fdb);
	if (rc == 0)
		rc = db_dq_exec_sql(f, fdb, "INSERT INTO kv VALUES('c', 3)", NULL, 0, NULL, NULL);
	ok(rc < 0 && db_dq_errcode(f) == DB_DQ_NOT_LEADER, "a follower answers not leader (%llu: %s)",
	   (unsigned long long)db_dq_errcode(f), db_dq_errmsg(f));
	db_dq_close(f);

	ok(db_dq_transfer(c, 2) == 0, "TRANSFER leadership to node 2");
	db_dq_close(c);
	uint64_t now = 0;
	for (int i = 0; i < 100 && now != 2; i++) {
		now = wait_leader(a[0], NULL);
		if (now != 2)
			sleep_ms(50);
	}
	is_int(now, 2, "node 2 leads after the transfer");

	/* Stop the leader: the two others elect one and have every row. */
	db_dq_server_stop(s[1]);
	s[1] = NULL;
	uint64_t nl = 0;
	for (int i = 0; i < 100 && (nl == 0 || nl == 2); i++) {
		nl = wait_leader(a[0], NULL);
		if (nl == 0 || nl == 2)
			sleep_ms(50);
	}
	ok(nl == 1 || nl == 3, "a new leader after the leader stops (%llu)", (unsigned long long)nl);
	c = conn(a[nl - 1]);
	db_dq_rows r;
	ok(db_dq_open(c, "pool.db", &db) == 0 &&
		   db_dq_query_sql(c, db, "SELECT k, v FROM kv ORDER BY k", NULL, 0, &r) == 0 &&
		   r.nrows == 2 && strcmp(r.vals[2].p, "b") == 0 && r.vals[3].i == 2,
	   "the committed rows are on the new leader");
	db_dq_rows_free(&r);
	ok(db_dq_remove(c, 2) == 0, "REMOVE the stopped node");
	ok(db_dq_cluster(c, &nodes, &n) == 0 && n == 2, "CLUSTER: two nodes left");
	db_dq_nodes_free(nodes, n);
	db_dq_close(c);
	for (int i = 0; i < 3; i++)
		db_dq_server_stop(s[i]);
}

/* ---- the object store on dqlite ---- */

static const xd_class *VM, *VBD;

/* Creates an object of class c with its defaults and a name; returns its
 * ref (heap). */
static char *make(const xd_class *c, const char *name, const char *vm)
{
	xd_value *r = xd_struct();
	for (size_t i = 0; i < c->nfields; i++)
		xd_struct_set_take(r, c->fields[i].name, xd_dm_default_value(&c->fields[i]));
	xd_struct_set_take(r, "uuid", xd_string_take(xd_uuid_new()));
	if (name)
		xd_struct_set_take(r, "name_label", xd_string(name));
	if (vm)
		xd_struct_set_take(r, "VM", xd_string(vm));
	char *ref = xd_ref_new();
	xd_error err = XD_ERROR_INIT;
	if (xd_db_create(c, ref, r, &err) < 0) {
		printf("# create %s: %s %s\n", c->name, err.code, err.nparams ? err.params[0] : "");
		xd_error_clear(&err);
		free(ref);
		return NULL;
	}
	return ref;
}

static char *name_of(const char *vm)
{
	xd_value *v = xd_db_get_field(VM, vm, xd_dm_field_index(VM, "name_label"));
	char *s = v && v->t == XD_V_STRING ? strdup(v->u.s) : NULL;
	xd_value_free(v);
	return s;
}

static void db_path(char *out, size_t n, uint64_t id, const char *addr)
{
	snprintf(out, n, "dqlite:%s/db%llu?id=%llu&address=%s", tmpdir, (unsigned long long)id,
		 (unsigned long long)id, addr);
}

static void test_db_single(void)
{
	char addr[64], path[512];
	xd_error err = XD_ERROR_INIT;
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", free_port());
	db_path(path, sizeof(path), 10, addr);
	strcat(path, "&wait=1");
	/* Node 10 is not node 1: it waits for a leader that never comes. */
	ok(xd_db_open(path, &err) < 0 && strcmp(err.code, "INTERNAL_ERROR") == 0 &&
		   strstr(err.params[0], "no leader"),
	   "a node that is not the bootstrap node and was never added finds no leader");
	xd_error_clear(&err);
	ok(xd_db_open("dqlite:nodir", &err) < 0 && strstr(err.params[0], "dqlite:DIR?id=N"),
	   "a malformed dqlite path is refused with the expected form");
	xd_error_clear(&err);

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", free_port());
	db_path(path, sizeof(path), 1, addr);
	ok(xd_db_open(path, &err) == 0, "xd_db_open on a new dqlite node%s%s",
	   err.code ? ": " : "", err.code ? err.params[0] : "");
	is_int(xd_db_generation(), 0, "a new pool db at generation 0");
	char *vm = make(VM, "on raft", NULL);
	char *vbd = make(VBD, NULL, vm);
	char *gone = make(VM, "gone", NULL);
	ok(vm && vbd && gone, "objects created (committed on dqlite)");
	uint64_t before_del = xd_db_generation();
	ok(xd_db_destroy(VM, gone, &err) == 0, "one destroyed");
	uint64_t gen = xd_db_generation();
	xd_db_close();

	ok(xd_db_open(path, &err) == 0, "reopen the dqlite db");
	is_int(xd_db_generation(), gen, "generation persisted");
	char *n = name_of(vm);
	is_str(n, "on raft", "field persisted");
	free(n);
	xd_value *vbds = xd_db_get_field(VM, vm, xd_dm_field_index(VM, "VBDs"));
	ok(vbds && vbds->t == XD_V_ARRAY && vbds->u.arr.n == 1 &&
		   strcmp(vbds->u.arr.items[0]->u.s, vbd) == 0,
	   "relation set rebuilt from the dqlite rows");
	xd_value_free(vbds);
	ok(!xd_db_exists(VM, gone), "destroyed object stays destroyed");
	xd_change *ch;
	size_t nch;
	uint64_t upto;
	bool lost;
	xd_db_changes(before_del, NULL, NULL, &ch, &nch, &upto, &lost);
	ok(nch == 1 && ch[0].op == XD_CHANGE_DEL && strcmp(ch[0].ref, gone) == 0,
	   "its tombstone too");
	xd_db_changes_free(ch, nch);
	xd_db_close();
	free(vm);
	free(vbd);
	free(gone);
}

/* Writes go on through a leadership transfer and the loss of the leader;
 * after it all, every committed object is there, each exactly once. */
static void test_db_failover(void)
{
	char a1[64], a[3][64], path[512];
	xd_error err = XD_ERROR_INIT;
	db_dq_server *s[3] = { NULL };
	for (int i = 1; i < 3; i++)
		s[i] = start_node((uint64_t)i + 1 + 20, a[i], sizeof(a[i]));
	snprintf(a1, sizeof(a1), "127.0.0.1:%d", free_port());
	/* a fresh directory: another cluster's node 1 */
	/* elections on a loaded machine (a whole suite beside it) take longer */
	snprintf(path, sizeof(path), "dqlite:%s/fo1?id=1&address=%s&wait=45", tmpdir, a1);
	ok(xd_db_open(path, &err) == 0, "failover: the db's own node bootstraps the cluster");
	db_dq_conn *c = conn(a1);
	ok(db_dq_add(c, 22, a[1]) == 0 && db_dq_assign(c, 22, DB_DQ_VOTER) == 0 &&
		   db_dq_add(c, 23, a[2]) == 0 && db_dq_assign(c, 23, DB_DQ_VOTER) == 0,
	   "failover: two more voters added");
	char *refs[150] = { NULL };
	int made = 0;
	for (int i = 0; i < 50; i++)
		made += (refs[i] = make(VM, "phase 1", NULL)) != NULL;
	ok(db_dq_transfer(c, 22) == 0, "failover: leadership moved to node 22");
	db_dq_close(c);
	for (int i = 50; i < 100; i++)
		made += (refs[i] = make(VM, "phase 2", NULL)) != NULL;
	is_int(made, 100, "writes went on through the transfer");
	is_int(wait_leader(a1, NULL), 22, "node 22 leads");
	db_dq_server_stop(s[1]);
	s[1] = NULL;
	for (int i = 100; i < 150; i++)
		made += (refs[i] = make(VM, "phase 3", NULL)) != NULL;
	is_int(made, 150, "writes went on after the leader was stopped");
	uint64_t gen = xd_db_generation();
	xd_db_close();

	ok(xd_db_open(path, &err) == 0, "reopen through the surviving nodes%s%s", err.code ? ": " : "", err.code ? (err.nparams ? err.params[0] : err.code) : "");
	is_int(xd_db_count(VM), 150, "every committed object is there, each once");
	is_int(xd_db_generation(), gen, "generation persisted");
	int right = 0;
	for (int i = 0; i < 150; i++) {
		char *n = name_of(refs[i]);
		right += n && strcmp(n, i < 50 ? "phase 1" : i < 100 ? "phase 2" : "phase 3") == 0;
		free(n);
		free(refs[i]);
	}
	is_int(right, 150, "with their fields");
	xd_db_close();
	for (int i = 0; i < 3; i++)
		db_dq_server_stop(s[i]);
	xd_error_clear(&err);
}

/* The writer process of test_kill_master: opens the db as node 1 of a new
 * cluster (so its node is the leader), says "open", waits for a line on
 * stdin, then creates VMs for ever, printing each ref once its create has
 * returned (committed). */
static int writer_main(const char *path)
{
	xd_error err = XD_ERROR_INIT;
	char line[16];
	if (xd_db_open(path, &err) < 0) {
		fprintf(stderr, "writer: %s\n", err.nparams ? err.params[0] : err.code);
		return 1;
	}
	printf("open\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	for (long i = 0;; i++) {
		char name[32];
		snprintf(name, sizeof(name), "w%ld", i);
		char *ref = make(VM, name, NULL);
		if (!ref)
			return 1;
		printf("%s %s\n", ref, name);
		fflush(stdout);
		free(ref);
	}
}

/* Reads the writer's "REF NAME" lines into refs and names from index n
 * until max or the end; returns the new count. */
static size_t read_acks(FILE *in, char **refs, char **names, size_t n, size_t max)
{
	char line[256];
	while (n < max && fgets(line, sizeof(line), in)) {
		char r[128], nm[64];
		if (sscanf(line, "%127s %63s", r, nm) != 2)
			break;
		refs[n] = strdup(r);
		names[n++] = strdup(nm);
	}
	return n;
}

/* kill -9 of the process whose node leads, in the middle of writes: the
 * two other voters elect a leader, and the db reopened as node 1 has every
 * object whose write had returned. */
static void test_kill_master(const char *self)
{
	char a1[64], a[3][64], path[512];
	db_dq_server *s[3] = { NULL };
	for (int i = 1; i < 3; i++)
		s[i] = start_node((uint64_t)i + 31, a[i], sizeof(a[i]));
	snprintf(a1, sizeof(a1), "127.0.0.1:%d", free_port());
	snprintf(path, sizeof(path), "dqlite:%s/km1?id=1&address=%s", tmpdir, a1);

	int to_child[2], from_child[2];
	if (pipe(to_child) < 0 || pipe(from_child) < 0)
		exit(2);
	pid_t pid = fork();
	if (pid == 0) { /* a fresh process image: no threads inherited */
		dup2(to_child[0], 0);
		dup2(from_child[1], 1);
		close(to_child[1]);
		close(from_child[0]);
		execl(self, self, "--writer", path, (char *)NULL);
		_exit(127);
	}
	close(to_child[0]);
	close(from_child[1]);
	FILE *in = fdopen(from_child[0], "r");
	char line[256];
	ok(fgets(line, sizeof(line), in) && strcmp(line, "open\n") == 0,
	   "kill -9: the writer process opened the db, its node leads");
	db_dq_conn *c = conn(a1);
	ok(db_dq_add(c, 32, a[1]) == 0 && db_dq_assign(c, 32, DB_DQ_VOTER) == 0 &&
		   db_dq_add(c, 33, a[2]) == 0 && db_dq_assign(c, 33, DB_DQ_VOTER) == 0,
	   "kill -9: two more voters (in this process)");
	db_dq_close(c);
	if (write(to_child[1], "go\n", 3) != 3)
		exit(2);

	char *refs[4096], *names[4096];
	size_t n = read_acks(in, refs, names, 0, 200);
	kill(pid, SIGKILL);
	int st;
	waitpid(pid, &st, 0);
	/* what it printed before dying was committed too */
	n = read_acks(in, refs, names, n, 4096);
	fclose(in);
	close(to_child[1]);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && n >= 200,
	   "kill -9 of the writer after %zu acknowledged writes", n);
	uint64_t nl = 0;
	for (int i = 0; i < 200 && nl != 32 && nl != 33; i++) {
		nl = wait_leader(a[1], NULL);
		if (nl != 32 && nl != 33)
			sleep_ms(50);
	}
	ok(nl == 32 || nl == 33, "a new leader among the survivors (%llu)", (unsigned long long)nl);

	xd_error err = XD_ERROR_INIT;
	ok(xd_db_open(path, &err) == 0, "node 1 restarted by a new process: the db opens%s%s",
	   err.code ? ": " : "", err.code ? err.params[0] : "");
	size_t found = 0;
	for (size_t i = 0; i < n; i++) {
		char *nm = name_of(refs[i]);
		found += nm && strcmp(nm, names[i]) == 0;
		free(nm);
		free(refs[i]);
		free(names[i]);
	}
	is_int(found, n, "every acknowledged write is there after the kill");
	ok(xd_db_count(VM) >= n && xd_db_count(VM) <= n + 1,
	   "and at most the one write in flight more (%zu objects)", xd_db_count(VM));
	xd_db_close();
	xd_error_clear(&err);
	for (int i = 0; i < 3; i++)
		db_dq_server_stop(s[i]);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--writer") == 0) {
		xd_log_set_level(XD_LOG_ERROR);
		if (xd_dm_init() < 0)
			return 2;
		VM = xd_dm_class("VM");
		return writer_main(argv[2]);
	}
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	xd_log_set_level(XD_LOG_WARN);
	if (xd_dm_init() < 0)
		return 2;
	VM = xd_dm_class("VM");
	VBD = xd_dm_class("VBD");
	test_single_node();
	test_cluster();
	test_db_single();
	test_db_failover();
	/* argv[0], not /proc/self/exe: under valgrind that is valgrind itself */
	char self[4096];
	test_kill_master(realpath(argv[0], self) ? self : "/proc/self/exe");
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return tap_done();
}
