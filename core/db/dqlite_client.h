/* dqlite_client.h - a small client for dqlite's documented wire protocol
 * (https://dqlite.io/docs/protocol), the only way to run SQL on a dqlite
 * cluster from C: libdqlite has no public SQL API. Internal to the db module.
 *
 * One connection is one TCP (or abstract unix) stream to one node, used by
 * one thread at a time. Every call sends one request and reads its
 * response; a failure is either the node's FAILURE response (code and
 * message kept in the connection: SQLITE_BUSY, "not leader"...) or an I/O
 * error (code 0, the connection is then unusable: close it).
 *
 * Writes and reads only succeed on the Raft leader; the others answer
 * DB_DQ_NOT_LEADER codes. db_dq_leader asks any node where the leader is.
 */
#ifndef XD_DQLITE_CLIENT_H
#define XD_DQLITE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Value types, as sqlite's plus dqlite's special ones. */
#define DB_DQ_INTEGER 1
#define DB_DQ_FLOAT 2
#define DB_DQ_TEXT 3
#define DB_DQ_BLOB 4
#define DB_DQ_NULL 5
#define DB_DQ_UNIXTIME 9
#define DB_DQ_ISO8601 10
#define DB_DQ_BOOLEAN 11

/* Node roles (ASSIGN, CLUSTER). */
#define DB_DQ_VOTER 0
#define DB_DQ_STANDBY 1
#define DB_DQ_SPARE 2

/* Failure codes worth telling apart (sqlite extended codes as dqlite sends). */
#define DB_DQ_BUSY 5                        /* SQLITE_BUSY */
#define DB_DQ_NOT_LEADER (10 | (40 << 8))   /* SQLITE_IOERR_NOT_LEADER */
#define DB_DQ_LEADERSHIP_LOST (10 | (41 << 8)) /* SQLITE_IOERR_LEADERSHIP_LOST */

typedef struct db_dq_value {
	int type;
	int64_t i;      /* INTEGER, UNIXTIME, BOOLEAN */
	double f;       /* FLOAT */
	const void *p;  /* TEXT/ISO8601 (NUL-terminated), BLOB */
	size_t len;     /* BLOB length; TEXT length without the NUL */
} db_dq_value;

/* A whole result set, every part of a multi-part answer gathered. */
typedef struct db_dq_rows {
	size_t ncols, nrows;
	char **names;      /* ncols column names */
	db_dq_value *vals; /* nrows * ncols, row after row; p points into owned memory */
} db_dq_rows;

typedef struct db_dq_node {
	uint64_t id;
	char *address;
	uint64_t role;
} db_dq_node;

typedef struct db_dq_conn db_dq_conn;

/* Connects a socket to address ("host:port", "[v6]:port" or "@abstract")
 * with TCP_NODELAY (without it a request and its answer wait up to 40 ms on
 * delayed ACKs) and a timeout on every read and write. Returns the fd or -1
 * with errno set. Also the connect function given to the embedded node. */
int db_dq_dial(const char *address, double timeout_s);

/* Connects and does the protocol handshake. NULL on failure with a message
 * in errbuf. */
db_dq_conn *db_dq_connect(const char *address, double timeout_s, char *errbuf, size_t errlen);
void db_dq_close(db_dq_conn *c);
/* The last failure: the node's code (0 for an I/O or protocol error, after
 * which the connection is broken) and a message. */
uint64_t db_dq_errcode(const db_dq_conn *c);
const char *db_dq_errmsg(const db_dq_conn *c);
/* True once an I/O or protocol error broke the connection. */
bool db_dq_broken(const db_dq_conn *c);

/* LEADER: the leader's id and address (heap; NULL and id 0 when there is no
 * leader yet). */
int db_dq_leader(db_dq_conn *c, uint64_t *id, char **address);
/* OPEN a database by name; *db is its id on this connection. */
int db_dq_open(db_dq_conn *c, const char *name, uint32_t *db);
/* PREPARE: a statement id and its number of parameters. */
int db_dq_prepare(db_dq_conn *c, uint32_t db, const char *sql, uint32_t *stmt, uint64_t *nparams);
/* EXEC of a prepared statement with parameters. */
int db_dq_exec(db_dq_conn *c, uint32_t db, uint32_t stmt, const db_dq_value *params, size_t n,
	       uint64_t *last_id, uint64_t *changes);
/* QUERY of a prepared statement: rows filled (free with db_dq_rows_free). */
int db_dq_query(db_dq_conn *c, uint32_t db, uint32_t stmt, const db_dq_value *params, size_t n,
		db_dq_rows *rows);
int db_dq_finalize(db_dq_conn *c, uint32_t db, uint32_t stmt);
/* EXEC_SQL: one or more statements of text (parameters bind to the first). */
int db_dq_exec_sql(db_dq_conn *c, uint32_t db, const char *sql, const db_dq_value *params,
		   size_t n, uint64_t *last_id, uint64_t *changes);
/* QUERY_SQL: a query given as text. */
int db_dq_query_sql(db_dq_conn *c, uint32_t db, const char *sql, const db_dq_value *params,
		    size_t n, db_dq_rows *rows);
void db_dq_rows_free(db_dq_rows *rows);

/* Membership (sent to the leader): ADD a node as a spare, ASSIGN it a role,
 * REMOVE it, TRANSFER leadership to it, CLUSTER: every node (free with
 * db_dq_nodes_free). */
int db_dq_add(db_dq_conn *c, uint64_t id, const char *address);
int db_dq_assign(db_dq_conn *c, uint64_t id, uint64_t role);
int db_dq_remove(db_dq_conn *c, uint64_t id);
int db_dq_transfer(db_dq_conn *c, uint64_t id);
int db_dq_cluster(db_dq_conn *c, db_dq_node **nodes, size_t *n);
void db_dq_nodes_free(db_dq_node *nodes, size_t n);

#endif
