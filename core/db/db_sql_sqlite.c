/* db_sql_sqlite.c - the local sqlite3 backend of db_sql.h (one host).
 *
 * WAL with synchronous=NORMAL: a commit is atomic and survives a crash of
 * the daemon; a power cut may lose the last commits but never corrupts.
 * Statements are sqlite's own, kept prepared (SQLITE_PREPARE_PERSISTENT).
 */
#include <sqlite3.h>
#include <stdlib.h>

#include "db_sql.h"

static sqlite3 *sql;

struct db_sql_stmt {
	sqlite3_stmt *st;
};

struct db_sql_rows {
	sqlite3_stmt *st;
};

static int lite_open(const char *path, xd_error *err)
{
	(void)err; /* db_store.c reports with errmsg */
	/* NOMUTEX: the connection is only ever used by one thread at a time
	 * (the opener, then the writer thread). */
	if (sqlite3_open_v2(path, &sql,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(sql, 5000);
	return 0;
}

static int lite_exec(const char *q)
{
	return sqlite3_exec(sql, q, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int lite_tune(xd_error *err)
{
	(void)err;
	return lite_exec("PRAGMA journal_mode=WAL") < 0 ||
			       lite_exec("PRAGMA synchronous=NORMAL") < 0
		       ? -1
		       : 0;
}

static const char *lite_errmsg(void)
{
	return sql ? sqlite3_errmsg(sql) : "cannot open";
}

static void lite_close(void)
{
	/* A failed close leaves the handle to the process; nothing to retry. */
	if (sql)
		sqlite3_close(sql);
	sql = NULL;
}

static db_sql_stmt *lite_prepare(const char *q)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(sql, q, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return NULL;
	db_sql_stmt *s = malloc(sizeof(*s));
	if (!s)
		abort();
	s->st = st;
	return s;
}

static void lite_finalize(db_sql_stmt *s)
{
	if (!s)
		return;
	sqlite3_finalize(s->st);
	free(s);
}

static void lite_bind_int64(db_sql_stmt *s, int i, int64_t v)
{
	sqlite3_bind_int64(s->st, i, (sqlite3_int64)v);
}

static void lite_bind_text(db_sql_stmt *s, int i, const char *t)
{
	sqlite3_bind_text(s->st, i, t, -1, SQLITE_STATIC);
}

static void lite_bind_blob(db_sql_stmt *s, int i, const void *p, size_t n)
{
	sqlite3_bind_blob(s->st, i, p, (int)n, SQLITE_STATIC);
}

static int lite_run(db_sql_stmt *s)
{
	int rc = sqlite3_step(s->st);
	sqlite3_reset(s->st);
	sqlite3_clear_bindings(s->st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static db_sql_rows *lite_select(const char *q, const char *param)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(sql, q, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	if (param)
		sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
	db_sql_rows *r = malloc(sizeof(*r));
	if (!r)
		abort();
	r->st = st;
	return r;
}

static int lite_next(db_sql_rows *r)
{
	int s = sqlite3_step(r->st);
	return s == SQLITE_ROW ? 1 : s == SQLITE_DONE ? 0 : -1;
}

static int64_t lite_col_int64(db_sql_rows *r, int i)
{
	return sqlite3_column_int64(r->st, i);
}

static const char *lite_col_text(db_sql_rows *r, int i)
{
	return (const char *)sqlite3_column_text(r->st, i);
}

static const void *lite_col_blob(db_sql_rows *r, int i, size_t *len)
{
	const void *p = sqlite3_column_blob(r->st, i);
	*len = (size_t)sqlite3_column_bytes(r->st, i);
	return p;
}

static void lite_rows_close(db_sql_rows *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->st);
	free(r);
}

const db_sql_backend db_sql_sqlite = {
	.name = "sqlite",
	.open = lite_open,
	.tune = lite_tune,
	.close = lite_close,
	.errmsg = lite_errmsg,
	.exec = lite_exec,
	.prepare = lite_prepare,
	.finalize = lite_finalize,
	.bind_int64 = lite_bind_int64,
	.bind_text = lite_bind_text,
	.bind_blob = lite_bind_blob,
	.run = lite_run,
	.select = lite_select,
	.next = lite_next,
	.col_int64 = lite_col_int64,
	.col_text = lite_col_text,
	.col_blob = lite_col_blob,
	.rows_close = lite_rows_close,
};
