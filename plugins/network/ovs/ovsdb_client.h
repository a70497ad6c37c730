/* ovsdb_client.h - a JSON-RPC 1.0 client of ovsdb-server (RFC 7047 section 4)
 * on its unix socket: one connection, calls answered by id, the server's
 * "echo" keep-alives answered, notifications ("update" of a monitor) kept in
 * arrival order for the caller. Every wait has a deadline: a stuck
 * ovsdb-server fails the call, it does not hang the plugin. */
#ifndef OVS_OVSDB_CLIENT_H
#define OVS_OVSDB_CLIENT_H

#include <stdint.h>

#include <json-c/json.h>

#include "ovsdb_stream.h"

struct ovsdb_client {
	int fd;
	int timeout_ms;              /* for each call */
	int64_t next_id;
	struct ovsdb_stream in;
	json_object *notes;          /* array: notifications not yet taken */
	char err[512];               /* why the last call failed */
};

/* Connects to the unix socket `path`. 0, or -1 with c->err set (c is then
 * closed and may be closed again). */
int ovsdb_client_open(struct ovsdb_client *c, const char *path, int timeout_ms);
void ovsdb_client_close(struct ovsdb_client *c);
/* The same on a connected fd (a socketpair in tests); takes the fd. */
int ovsdb_client_attach(struct ovsdb_client *c, int fd, int timeout_ms);

/* Sends `method` with `params` (a JSON array; the reference is taken) and
 * waits for its reply. 0 and *result (the caller's reference) on success;
 * -1 with c->err when the server answered an error, the connection broke or
 * the deadline passed. */
int ovsdb_client_call(struct ovsdb_client *c, const char *method, json_object *params,
		      json_object **result);

/* The next notification (the whole message: method, params) within
 * timeout_ms: 1 and *msg (the caller's), 0 on timeout, -1 on a broken
 * connection (c->err). */
int ovsdb_client_notification(struct ovsdb_client *c, int timeout_ms, json_object **msg);

/* transact on database `db` with the operations `ops` (a JSON array, taken).
 * 0 and *results (the per-operation results, the caller's) when every
 * operation succeeded and the transaction committed; otherwise -1 and c->err
 * holds the first error the server gave ("constraint violation: ...").
 * *results, if not NULL on failure, is the caller's too. */
int ovsdb_client_transact(struct ovsdb_client *c, const char *db, json_object *ops,
			  json_object **results);
/* Did the last failed transact fail on a unique index (a concurrent
 * insert of the same name: worth re-reading and trying again)? */
int ovsdb_client_conflict(const struct ovsdb_client *c);

#endif
