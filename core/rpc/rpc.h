/* rpc.h - one call, from decoded params to a result or an error, whatever
 * the transport (XML-RPC, JSON-RPC; TCP or the unix socket).
 *
 * Owns: the handler registry (filled at start-up, read-only after) and the
 * dispatch order of xapi's generated server: method lookup and argument
 * count, then argument types, then the session, then the handler.
 */
#ifndef XD_RPC_H
#define XD_RPC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "dm.h"
#include "error.h"
#include "value.h"
#include <stdio.h>

/* Who is calling, as the transport knows it. */
typedef struct xd_peer {
	bool is_unix;            /* came over the local unix socket */
	uid_t uid;               /* SO_PEERCRED uid when is_unix, else (uid_t)-1 */
	char addr[64];           /* printable peer address for logs */
	char addr_host[64];      /* the address without the port ("" for unix):
	                            what per-client limits count by */
	bool json;               /* the result is encoded as JSON (JSON-RPC), else
	                            XML-RPC: handlers returning XD_V_RAW text
	                            (value.h) pick the encoding from it */
} xd_peer;

/* One call as a handler sees it. Everything is borrowed for the call. */
typedef struct xd_call {
	const char *wire_name;   /* as the client sent it, e.g. "VM_get_name_label" */
	const xd_class *cls;     /* NULL for system.* */
	const xd_message *msg;   /* NULL for system.* */
	const char *session;     /* validated session ref, NULL for no-session calls */
	xd_value **args;         /* coerced to the declared param types; defaults filled */
	size_t nargs;            /* == msg->nparams */
	const xd_peer *peer;
	uint64_t request_id;
	const char *task;        /* task ref when running as Async.*, else NULL */
} xd_call;

/* A handler returns a new value (XD_V_STRING "" for void) or NULL with err set. */
typedef xd_value *(*xd_handler_fn)(const xd_call *call, xd_error *err);

/* Registers the handler for "<class>.<message>" (class as declared). Called
 * from start-up code only. Returns -1 if the message is not declared. */
int xd_rpc_register(const char *cls, const char *msg, xd_handler_fn fn);
/* The handler for a message: an explicit one, or the generic one for implicit
 * messages; NULL if none. */
xd_handler_fn xd_rpc_handler(const xd_class *c, const xd_message *m);

/* How the answer must be wrapped. */
typedef enum {
	XD_RESULT_ENVELOPE,      /* {Status, Value} / {Status, ErrorDescription} */
	XD_RESULT_RAW,           /* system.listMethods over XML-RPC: bare value */
} xd_result_kind;

/* Runs one call. params: the XD_V_ARRAY of wire params (taken). Returns the
 * result (new tree) or NULL with err set. */
xd_value *xd_rpc_dispatch(const char *method, xd_value *params, const xd_peer *peer,
			  xd_result_kind *kind, xd_error *err);

/* All registered wire names (sync), for system.listMethods: a new array. */
xd_value *xd_rpc_list_methods(void);

/* Set once at shutdown: long waits (event.from, event.next) return early. */
void xd_rpc_set_stopping(void);
bool xd_rpc_stopping(void);

/* Fills the generic (table-driven) handlers; registers every api/ module. */
void xd_rpc_init(void);

/* The API coverage table (coverage.c): the API coverage table (doc/api-coverage.md): every message
 * of every class we declare, and whether a handler implements it. */

/* Prints the markdown table. Needs xd_dm_init() and xd_rpc_init(). */
void xd_coverage_print(FILE *out);

#endif
