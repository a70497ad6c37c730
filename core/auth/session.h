/* session.h - logins and session validity.
 *
 * Sessions are objects of the "session" class in the db (so they survive a
 * restart, as xapi's do). Validity checks are memory reads; last_active is
 * refreshed without a commit of its own. Idle sessions are reaped after
 * session_idle_timeout seconds (xapi: 24 h).
 * Owns: the authenticators (PAM, or a users file) and the reaper thread.
 */
#ifndef XD_SESSION_H
#define XD_SESSION_H

#include <stdbool.h>

#include "error.h"
#include "rpc/rpc.h"

typedef struct xd_session_config {
	const char *users_file;       /* NULL: PAM */
	const char *pam_service;      /* default "xapi-c"; falls back to "login" */
	double idle_timeout_s;        /* default 86400 */
	unsigned max_per_originator;  /* default 500 */
} xd_session_config;

int xd_session_init(const xd_session_config *cfg);
void xd_session_shutdown(void);

/* 0 if ref names a live session (refreshing last_active), else -1 with
 * SESSION_INVALID [ref]. */
int xd_session_check(const char *ref, xd_error *err);
/* Registers the session.* handlers. */
void xd_session_register_api(void);
/* Ends every session of a subject (auth_user_sid == identifier) but
 * `except` (may be NULL) and the local superuser's, as xapi's
 * session.logout_subject_identifier. */
void xd_session_logout_subject(const char *identifier, const char *except);

/* Per-session hook for modules that keep state per session (event.register):
 * called when a session is destroyed (logout, reaped). */
typedef void (*xd_session_gone_fn)(const char *session_ref);
void xd_session_on_gone(xd_session_gone_fn fn);

/* The credentials an HTTP data path request was accepted with (heap
 * strings, NULL when not given): its session_id, or the user and password
 * of its Basic auth (a caller that makes API calls for the client logs in
 * with them, as xapi's Xapi_http). */
typedef struct xd_http_cred {
	char *session;
	char *user, *password;
	xd_error denied;         /* set when xd_auth_http returns -2 */
} xd_http_cred;
void xd_http_cred_clear(xd_http_cred *c);

/* auth_http.c: may an HTTP data path request go on? 0 if its credentials
 * hold: session_id in the query (a live session), Basic auth in
 * `authorization`, or the unix socket as root (all of *out NULL); else -1
 * (the caller answers 401) with *out empty. Then the permission of the path
 * (rbac.h, by `what`, which also names the path in the log): -2 if the
 * credentials' roles lack it (the caller answers 403, as xapi; out->denied
 * holds RBAC_PERMISSION_DENIED for a task). The one credentials check of
 * every HTTP handler. */
int xd_auth_http(const char *query, const char *authorization, const xd_peer *peer,
		 const char *what, xd_http_cred *out);

/* The host ref this daemon is (set by firstboot). */
const char *xd_this_host(void);
void xd_set_this_host(const char *ref);

/* Passwords (auth.c): checking a user name and password: against a users file
 * (user:crypt-hash lines, for tests and containers) or PAM.
 * Owns: the loaded users file (re-read when it changes). */

/* users_file NULL: PAM with the given service. */
int xd_auth_init(const char *users_file, const char *pam_service);
void xd_auth_shutdown(void);
/* 0 if the password is right; -1 with a short reason in why (static text). */
int xd_auth_check(const char *user, const char *password, const char **why);
/* The local account `user` (a users file line, or a passwd entry with PAM)
 * described as xapi's auth plugins describe a subject (subject-name,
 * subject-uid, subject-gid, subject-gecos, subject-is-group...): a new map,
 * or NULL if there is no such account. */
xd_value *xd_auth_user_info(const char *user);
/* The groups of a local account by name (PAM: the system's groups; a users
 * file has none): a new string set, or NULL if there is no such account. */
xd_value *xd_auth_user_groups(const char *user);
/* Is this login the local superuser (root, or the empty name)? */
bool xd_auth_is_root(const char *user);

/* Logins (login_throttle.c): failed logins slow further attempts under the
 * same user name or from the same address (see the file's comment).
 * Owns: the table of recent failures. */

/* Before a password check: waits for this attempt's turn; -1 if the turn is
 * too far off (refuse at once, as a failed login). */
int xd_login_throttle_wait(const char *user, const char *addr);
void xd_login_throttle_result(const char *user, const char *addr, bool ok);
/* Both around xd_auth_check: 0 if the password is right. */
int xd_auth_login(const char *user, const char *password, const char *addr, const char **why);

#endif
