/* db_sql.h - the SQL engine under db_store.c, one of two backends chosen by
 * the path given to xd_db_open:
 *
 *   a file path (or ":memory:")  local sqlite3 in WAL mode (db_sql_sqlite.c):
 *                                one host, the default;
 *   "dqlite:DIR?id=N&address=A[&wait=S]"  the pool database: an embedded dqlite node
 *                                (id N, Raft data in DIR, serving on A) and
 *                                SQL over dqlite's wire protocol to the
 *                                cluster's leader (db_sql_dqlite.c).
 *
 * Only db_store.c calls this, from one thread at a time (the opener, then
 * the writer thread). Not an interface for anyone else: use db.h.
 */
#ifndef XD_DB_SQL_H
#define XD_DB_SQL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct db_sql_stmt db_sql_stmt;
typedef struct db_sql_rows db_sql_rows;

typedef struct db_sql_backend {
	const char *name;
	int (*open)(const char *path, xd_error *err);
	/* After the schema check: durability settings (sqlite: WAL, NORMAL). */
	int (*tune)(xd_error *err);
	void (*close)(void);
	/* The engine's last error message. */
	const char *(*errmsg)(void);
	/* One or more statements without parameters: 0 or -1. A COMMIT whose
	 * outcome is unknown (the leader was lost while it ran) is settled
	 * before returning: 0 only if it is committed, exactly once. */
	int (*exec)(const char *sql);
	db_sql_stmt *(*prepare)(const char *sql);
	void (*finalize)(db_sql_stmt *st);
	/* Parameters are numbered from 1; texts and blobs are borrowed until
	 * the statement runs. */
	void (*bind_int64)(db_sql_stmt *st, int i, int64_t v);
	void (*bind_text)(db_sql_stmt *st, int i, const char *s);
	void (*bind_blob)(db_sql_stmt *st, int i, const void *p, size_t n);
	/* Runs a statement that returns no rows, then clears it for reuse. */
	int (*run)(db_sql_stmt *st);
	/* A query with up to one text parameter (NULL: none); rows are read with
	 * next (1: a row, 0: done, -1: error) and the column getters. */
	db_sql_rows *(*select)(const char *sql, const char *text_param);
	int (*next)(db_sql_rows *r);
	int64_t (*col_int64)(db_sql_rows *r, int i);
	const char *(*col_text)(db_sql_rows *r, int i);
	const void *(*col_blob)(db_sql_rows *r, int i, size_t *len);
	void (*rows_close)(db_sql_rows *r);
} db_sql_backend;

extern const db_sql_backend db_sql_sqlite;
extern const db_sql_backend db_sql_dqlite;

/* The backend for a path given to xd_db_open. */
const db_sql_backend *db_sql_for_path(const char *path);

#endif
