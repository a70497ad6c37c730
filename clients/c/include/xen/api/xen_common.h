/* xen_common.h - libxenserver's session, transport contract and helpers.
 *
 * Part of xapi-c's C bindings: the names, types and ownership rules are
 * those of the XenServer C SDK, so that programs written for it build
 * against this library unchanged (doc/c-bindings.md).
 *
 * Transport: the library does not open connections. Each call builds an
 * XML-RPC request and hands it to the caller's xen_call_func, which posts
 * it to the server and feeds the response body back through result_func
 * (any number of times, in pieces); it returns 0 on success, non-zero on a
 * transport failure (the session then holds TRANSPORT_FAULT and that code).
 * xen_curl.h has a ready-made call_func over HTTP and unix sockets.
 *
 * Errors: a call returns false and leaves session->ok false with
 * error_description[0..error_description_count) set to the server's error
 * (code first, then its parameters), or SERVER_FAULT and a reason when the
 * response cannot be read. While ok is false further calls do nothing;
 * xen_session_clear_error() resets it.
 *
 * Ownership: everything a call returns through *result is the caller's, to
 * free with the matching _free function; arguments stay the caller's.
 */
#ifndef XEN_COMMON_H
#define XEN_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Fields and parameters named like C++ keywords get these names. */
#ifndef XEN_CLAZZ
#ifdef __cplusplus
#define XEN_CLAZZ clazz
#else
#define XEN_CLAZZ class
#endif
#endif
#ifndef XEN_API_TYPE
#ifdef __cplusplus
#define XEN_API_TYPE type_name
#else
#define XEN_API_TYPE typename
#endif
#endif

#include "xen/api/xen_api_version.h"
#include "xen/api/xen_host_decl.h"
#include "xen/api/xen_task_decl.h"
#include "xen/api/xen_string_set.h"

/* Declared here too: xen_string_set.h includes this header first. */
struct xen_string_set;

/* Hands len bytes of the response body to the library; false = stop. */
typedef bool (*xen_result_func)(const void *data, size_t len, void *result_handle);

/* Posts the request (len bytes, not counting a terminating NUL) to the
 * server and passes the response body to result_func(…, result_handle).
 * user_handle is the handle given at login. Returns 0 on success. */
typedef int (*xen_call_func)(const void *, size_t len, void *user_handle, void *result_handle,
			     xen_result_func result_func);

typedef struct {
	xen_call_func call_func;
	void *handle;
	const char *session_id;
	bool ok;
	char **error_description;
	int error_description_count;
	xen_api_version api_version;
} xen_session;

typedef struct xen_session_record {
	char *uuid;
	struct xen_host_record_opt *this_host;
	char *this_user;
	time_t last_active;
} xen_session_record;

extern xen_session_record *xen_session_record_alloc(void);
extern void xen_session_record_free(xen_session_record *record);

struct xen_task_;
typedef struct xen_task_ *xen_task_id;

typedef struct {
	int progress;
	long eta;
} xen_task_status;

typedef struct {
	int major;
	int minor;
	int patch;
	char *extraversion;
} xen_version;

extern void xen_version_free(xen_version *version);
/* This library's version: the XenAPI version it was generated for. */
extern xen_version *xen_get_client_side_version(void);

extern bool xen_uuid_string_to_bytes(char *uuid, char **bytes);
extern bool xen_uuid_bytes_to_string(char *bytes, char **uuid);
extern void xen_uuid_free(char *uuid);
extern void xen_uuid_bytes_free(char *bytes);

/* Once per process, before and after any other call (no-ops kept for the
 * SDK's contract: this library has no global state to set up). */
extern void xen_init(void);
extern void xen_fini(void);

/* Logs in; always returns a session (check ->ok), which the caller ends
 * with xen_session_logout (that frees it, even when the call fails). */
extern xen_session *xen_session_login_with_password(xen_call_func call_func, void *handle,
						    const char *uname, const char *pwd,
						    xen_api_version version);
extern xen_session *xen_session_slave_local_login_with_password(xen_call_func call_func,
								void *handle, const char *uname,
								const char *pwd);
extern void xen_session_logout(xen_session *session);
extern void xen_session_local_logout(xen_session *session);
extern bool xen_session_logout_subject_identifier(xen_session *session,
						  const char *subject_identifier);
extern bool xen_session_logout_subject_identifier_async(xen_session *session, xen_task *result,
							const char *subject_identifier);
extern bool xen_session_get_all_subject_identifiers(xen_session *session,
						    struct xen_string_set **result);
extern bool xen_session_get_all_subject_identifiers_async(xen_session *session,
							  xen_task *result);
/* Forgets the last error: ok = true, error_description freed. */
extern void xen_session_clear_error(xen_session *session);
extern bool xen_session_get_uuid(xen_session *session, char **result, xen_session *self_session);
extern bool xen_session_get_this_host(xen_session *session, xen_host *result,
				      xen_session *self_session);
extern bool xen_session_get_this_user(xen_session *session, char **result,
				      xen_session *self_session);
extern bool xen_session_get_last_active(xen_session *session, time_t *result,
					xen_session *self_session);
extern bool xen_session_get_record(xen_session *session, xen_session_record **result,
				   xen_session *self_session);

#endif
