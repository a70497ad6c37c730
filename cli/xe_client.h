/* xe_client.h - an xe run's view of the server: the session, calls with the
 * session prepended, xe-style error output, and a cache of what refs
 * resolve to (uuid, name-label) so that a listing asks once per object.
 *
 * Owns: the connection, the session ref and the ref cache.
 */
#ifndef XE_CLIENT_H
#define XE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "value.h"
#include "xe_transport.h"

typedef struct xe_refinfo {
	char *ref;
	char *uuid;   /* NULL: could not be resolved */
	char *name;   /* name_label, NULL until asked for or if none */
	bool name_done;
} xe_refinfo;

typedef struct xe_client {
	xe_conn *conn;
	char *session;     /* NULL until logged in */
	bool broken;       /* a transport failure was reported: stop calling */
	xe_refinfo *refs;
	size_t nrefs, cap;
	size_t *hidx;     /* hash index into refs (entry + 1, 0 = free) */
	size_t hcap;
} xe_client;

/* Takes conn. */
void xe_client_init(xe_client *x, xe_conn *conn);
void xe_client_clear(xe_client *x);

/* session.login_with_password(user, pw, "2.23", "xe"). Prints the error and
 * returns -1 on failure. */
int xe_client_login(xe_client *x, const char *user, const char *pw);
/* session.logout; errors ignored. */
void xe_client_logout(xe_client *x);

/* Calls method with the session as first parameter, then args (an array,
 * taken; NULL for none). Returns the result, or NULL after printing the
 * error (XenAPI error xe-style, or the transport failure). */
xd_value *xe_client_call(xe_client *x, const char *method, xd_value *args);
/* The same for a call whose result is not needed: 0, or -1 after printing
 * the error. */
int xe_client_call_ok(xe_client *x, const char *method, xd_value *args);
/* Same as xe_client_call, but a XenAPI error is returned in err and not printed (transport
 * failures are still printed, with err left clear). */
xd_value *xe_client_try(xe_client *x, const char *method, xd_value *args, xd_error *err);
/* A call without the session (no session yet, or a no-session message). */
xd_value *xe_client_call_raw(xe_client *x, const char *method, xd_value *params, xd_error *err);

/* The uuid / name_label of the object ref of class cls (declared name),
 * borrowed from the cache; NULL if it cannot be resolved. */
const char *xe_client_ref_uuid(xe_client *x, const char *cls, const char *ref);
const char *xe_client_ref_name(xe_client *x, const char *cls, const char *ref);
/* The same as an xe_ref_fn (see xe_format.h): ud is the xe_client. */
const char *xe_client_resolve(void *ud, const char *cls, const char *ref);
/* Remembers what a record fetched anyway says about ref (no call later). */
void xe_client_ref_learn(xe_client *x, const char *ref, const char *uuid, const char *name);

/* The ref of the object of class cls (declared name) with this uuid, or NULL
 * after printing the error (UUID_INVALID...). Caller frees. */
char *xe_client_ref_by_uuid(xe_client *x, const char *cls, const char *uuid);

/* Prints a XenAPI error as xe does, on stderr: a sentence for the common
 * codes, then "Error code: CODE" and "Error parameters: p1, p2". */
void xe_print_error(const xd_error *err);
/* Prints "Error: <message>" on stderr (client-side failures). */
void xe_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* An array of n strings. */
xd_value *xe_strings(size_t n, ...);

#endif
