/* session.c - logins, session validity, idle expiry (see session.h). */
#include "session.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "rbac/rbac.h"

#define MAX_GONE_HOOKS 8

static xd_session_config cfg;
static const xd_class *session_cls;
static int f_last_active, f_originator, f_this_user, f_auth_user_name, f_auth_user_sid,
	f_is_local_superuser;
static char *this_host;

static xd_session_gone_fn gone_hooks[MAX_GONE_HOOKS];
static size_t ngone_hooks;

static pthread_t reaper;
static bool reaper_running;
static pthread_mutex_t reaper_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reaper_cv = PTHREAD_COND_INITIALIZER;
static bool stopping;

const char *xd_this_host(void)
{
	return this_host ? this_host : XD_NULL_REF;
}

void xd_set_this_host(const char *ref)
{
	free(this_host);
	this_host = strdup(ref);
}

void xd_session_on_gone(xd_session_gone_fn fn)
{
	if (ngone_hooks < MAX_GONE_HOOKS)
		gone_hooks[ngone_hooks++] = fn;
}

/* Removes a session and tells everyone who keeps per-session state. */
static void session_destroy(const char *ref, const char *why)
{
	xd_error err = XD_ERROR_INIT;
	if (xd_db_destroy(session_cls, ref, &err) == 0) {
		xd_info("session %.24s... ended: %s", ref, why);
		for (size_t i = 0; i < ngone_hooks; i++)
			gone_hooks[i](ref);
		xd_db_wake_all(); /* blocked event waits of that session must notice */
	}
	xd_error_clear(&err);
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

int xd_session_check(const char *ref, xd_error *err)
{
	xd_value *la = ref ? xd_db_get_field(session_cls, ref, f_last_active) : NULL;
	if (!la)
		return xd_error_set(err, "SESSION_INVALID", ref ? ref : "", NULL);
	int64_t now = now_s();
	bool expired = cfg.idle_timeout_s > 0 && (double)(now - la->u.i) > cfg.idle_timeout_s;
	bool refresh = !expired && la->u.i != now;
	xd_value_free(la);
	if (expired) {
		session_destroy(ref, "idle timeout");
		return xd_error_set(err, "SESSION_INVALID", ref, NULL);
	}
	if (refresh) {
		/* no commit and no event of its own: activity is not an object change */
		xd_value *v = xd_datetime(now);
		xd_db_set_field_quiet(session_cls, ref, f_last_active, v);
		xd_value_free(v);
	}
	return 0;
}

/* ---- the reaper: idle sessions go even when nobody calls with them ---- */

typedef struct expired_ctx {
	int64_t now;
	xd_value *refs;
} expired_ctx;

static int find_expired(const char *ref, const xd_value *const *fields, void *ud)
{
	expired_ctx *cx = ud;
	if ((double)(cx->now - fields[f_last_active]->u.i) > cfg.idle_timeout_s)
		xd_array_append_take(cx->refs, xd_string(ref));
	return 0;
}

static void reap_once(void)
{
	expired_ctx cx = { .now = now_s(), .refs = xd_array() };
	xd_db_foreach(session_cls, find_expired, &cx);
	for (size_t i = 0; i < cx.refs->u.arr.n; i++)
		session_destroy(cx.refs->u.arr.items[i]->u.s, "idle timeout");
	xd_value_free(cx.refs);
}

static void *reaper_main(void *arg)
{
	double period = cfg.idle_timeout_s / 4;
	if (period > 30)
		period = 30;
	if (period < 0.2)
		period = 0.2;
	pthread_mutex_lock(&reaper_mu);
	while (!stopping) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		long ns = (long)((period - (long)period) * 1e9) + ts.tv_nsec;
		ts.tv_sec += (time_t)period + ns / 1000000000L;
		ts.tv_nsec = ns % 1000000000L;
		pthread_cond_timedwait(&reaper_cv, &reaper_mu, &ts);
		if (stopping)
			break;
		pthread_mutex_unlock(&reaper_mu);
		reap_once();
		pthread_mutex_lock(&reaper_mu);
	}
	pthread_mutex_unlock(&reaper_mu);
	return NULL;
}

int xd_session_init(const xd_session_config *c)
{
	cfg = *c;
	if (cfg.idle_timeout_s <= 0)
		cfg.idle_timeout_s = 86400;
	if (!cfg.max_per_originator)
		cfg.max_per_originator = 500;
	session_cls = xd_dm_class("session");
	f_last_active = xd_dm_field_index(session_cls, "last_active");
	f_originator = xd_dm_field_index(session_cls, "originator");
	f_this_user = xd_dm_field_index(session_cls, "this_user");
	f_auth_user_name = xd_dm_field_index(session_cls, "auth_user_name");
	f_auth_user_sid = xd_dm_field_index(session_cls, "auth_user_sid");
	f_is_local_superuser = xd_dm_field_index(session_cls, "is_local_superuser");
	if (xd_auth_init(cfg.users_file, cfg.pam_service) < 0)
		return -1;
	stopping = false;
	if (pthread_create(&reaper, NULL, reaper_main, NULL) != 0)
		return -1;
	reaper_running = true;
	return 0;
}

void xd_session_shutdown(void)
{
	if (reaper_running) {
		pthread_mutex_lock(&reaper_mu);
		stopping = true;
		pthread_cond_signal(&reaper_cv);
		pthread_mutex_unlock(&reaper_mu);
		pthread_join(reaper, NULL);
		reaper_running = false;
	}
	xd_auth_shutdown();
	free(this_host);
	this_host = NULL;
	ngone_hooks = 0;
}

/* ---- login --------------------------------------------------------------- */

typedef struct oldest_ctx {
	const char *user;
	const char *originator;
	unsigned count;
	char *oldest;   /* first in creation order = oldest */
} oldest_ctx;

static int count_originator(const char *ref, const xd_value *const *fields, void *ud)
{
	oldest_ctx *cx = ud;
	if (strcmp(fields[f_originator]->u.s, cx->originator) != 0 ||
	    strcmp(fields[f_auth_user_name]->u.s, cx->user) != 0)
		return 0;
	if (cx->count++ == 0)
		cx->oldest = strdup(ref);
	return 0;
}

/* xapi caps the sessions one originator may hold; the oldest make room.
 * Counted per user and originator: another user's reuse of the same
 * originator string must not log this user's sessions out. */
static void enforce_originator_cap(const char *user, const char *originator)
{
	for (;;) {
		oldest_ctx cx = { .user = user, .originator = originator };
		xd_db_foreach(session_cls, count_originator, &cx);
		bool over = cx.count >= cfg.max_per_originator;
		if (over)
			session_destroy(cx.oldest, "too many sessions for this originator");
		free(cx.oldest);
		if (!over)
			break;
	}
}

/* Who a new session is for: the local superuser (subject NULL, every
 * permission), or a subject with the role mask of its roles. */
typedef struct session_owner {
	const char *user;
	const char *subject;     /* subject ref, NULL for the local superuser */
	unsigned mask;
} session_owner;

static xd_value *new_session(const session_owner *o, const char *originator, xd_error *err)
{
	bool superuser = o->subject == NULL;
	enforce_originator_cap(o->user, originator);
	xd_value *rec = xd_struct();
	int64_t now = now_s();
	xd_struct_set_take(rec, "this_host", xd_string(xd_this_host()));
	xd_struct_set_take(rec, "last_active", xd_datetime(now));
	xd_struct_set_take(rec, "validation_time", xd_datetime(now));
	xd_struct_set_take(rec, "is_local_superuser", xd_bool(superuser));
	xd_struct_set_take(rec, "auth_user_name", xd_string(o->user));
	xd_struct_set_take(rec, "originator", xd_string(originator));
	if (!superuser) {
		/* as xapi: the superuser's session lists no permissions (it has
		 * them all); a subject's lists its roles' */
		xd_struct_set_take(rec, "subject", xd_string(o->subject));
		xd_struct_set_take(rec, "auth_user_sid", xd_string(o->user));
		xd_struct_set_take(rec, "rbac_permissions", xd_rbac_permission_names(o->mask));
	}
	xd_generic_fill_defaults(session_cls, rec);
	char *ref = xd_ref_new();
	if (xd_db_create(session_cls, ref, rec, err) < 0) {
		free(ref);
		return NULL;
	}
	xd_rbac_session_set(ref, o->mask);
	xd_info("login of %s (%s) as session %.24s...", o->user, originator, ref);
	return xd_string_take(ref);
}

static bool is_local_root(const xd_call *call, const char *user)
{
	return call->peer && call->peer->is_unix && call->peer->uid == 0 && xd_auth_is_root(user);
}

/* Who may log in besides the local superuser: a subject whose identifier is
 * the user name, with at least one role (xapi's answers otherwise). */
static int subject_login(const char *user, const char *addr, session_owner *o, char **sref,
			 xd_error *err)
{
	char msg[512];
	if (xd_rbac_subject_of_user(user, sref, &o->mask) < 0) {
		snprintf(msg, sizeof msg,
			 "Subject %s (identifier %s, from %s) has no access rights in this pool",
			 user, user, addr[0] ? addr : "local");
		xd_info("login of '%s' refused: not a subject", user);
		return xd_error_set(err, "SESSION_AUTHENTICATION_FAILED", user, msg, NULL);
	}
	if (o->mask == 0) {
		snprintf(msg, sizeof msg, "Subject %s (identifier %s) has no roles in this pool",
			 user, user);
		xd_info("login of '%s' refused: no roles", user);
		return xd_error_set(err, "RBAC_PERMISSION_DENIED", user, msg, NULL);
	}
	o->subject = *sref;
	return 0;
}

static xd_value *h_login(const xd_call *call, xd_error *err)
{
	const char *user = xd_arg_str(call, 0), *pw = xd_arg_str(call, 1);
	const char *originator = call->msg->nparams >= 4 ? xd_arg_str(call, 3) : "";
	const char *addr = call->peer ? call->peer->addr_host : "";
	const char *why = NULL;
	if (!is_local_root(call, user) && xd_auth_login(user, pw, addr, &why) < 0) {
		xd_info("login of '%s' refused: %s", user, why);
		xd_error_set(err, "SESSION_AUTHENTICATION_FAILED", user, why, NULL);
		return NULL;
	}
	session_owner o = { .user = user[0] ? user : "root", .mask = XD_RBAC_SUPERUSER };
	char *sref = NULL;
	if (!xd_auth_is_root(user) && subject_login(user, addr, &o, &sref, err) < 0) {
		free(sref); /* a subject without roles was found */
		return NULL;
	}
	xd_value *v = new_session(&o, originator, err);
	free(sref);
	return v;
}

static xd_value *h_logout(const xd_call *call, xd_error *err)
{
	session_destroy(call->session, "logout");
	return xd_void();
}

static xd_value *h_get_this_host(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	xd_value *v = xd_db_get_field(session_cls, self, xd_dm_field_index(session_cls, "this_host"));
	if (!v)
		xd_error_set(err, "HANDLE_INVALID", "session", self, NULL);
	return v;
}

static xd_value *h_get_this_user(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	xd_value *v = xd_db_get_field(session_cls, self, f_this_user);
	if (!v)
		xd_error_set(err, "HANDLE_INVALID", "session", self, NULL);
	return v;
}

typedef struct sid_ctx {
	const char *identifier;  /* logout: whose sessions; NULL: list them */
	const char *except;
	xd_value *out;           /* refs to end, or the identifiers */
} sid_ctx;

static int visit_subject_session(const char *ref, const xd_value *const *fields, void *ud)
{
	sid_ctx *cx = ud;
	const char *sid = fields[f_auth_user_sid]->u.s;
	if (fields[f_is_local_superuser]->u.b || !sid[0])
		return 0;
	if (!cx->identifier) {
		for (size_t i = 0; i < cx->out->u.arr.n; i++)
			if (strcmp(cx->out->u.arr.items[i]->u.s, sid) == 0)
				return 0;
		xd_array_append_take(cx->out, xd_string(sid));
	} else if (strcmp(sid, cx->identifier) == 0 && (!cx->except || strcmp(ref, cx->except) != 0)) {
		xd_array_append_take(cx->out, xd_string(ref));
	}
	return 0;
}

void xd_session_logout_subject(const char *identifier, const char *except)
{
	sid_ctx cx = { .identifier = identifier, .except = except, .out = xd_array() };
	xd_db_foreach(session_cls, visit_subject_session, &cx);
	for (size_t i = 0; i < cx.out->u.arr.n; i++)
		session_destroy(cx.out->u.arr.items[i]->u.s, "its subject was logged out");
	xd_value_free(cx.out);
}

/* The identifiers of the subjects with a session (the superuser's are not). */
static xd_value *h_get_all_subject_identifiers(const xd_call *call, xd_error *err)
{
	sid_ctx cx = { .out = xd_array() };
	xd_db_foreach(session_cls, visit_subject_session, &cx);
	return cx.out;
}

/* Never the caller's own session, never the superuser's (as xapi). */
static xd_value *h_logout_subject_identifier(const xd_call *call, xd_error *err)
{
	xd_session_logout_subject(xd_arg_str(call, 0), call->session);
	return xd_void();
}

void xd_session_register_api(void)
{
	xd_rpc_register("session", "login_with_password", h_login);
	xd_rpc_register("session", "slave_local_login_with_password", h_login);
	xd_rpc_register("session", "logout", h_logout);
	xd_rpc_register("session", "local_logout", h_logout);
	xd_rpc_register("session", "get_this_host", h_get_this_host);
	xd_rpc_register("session", "get_this_user", h_get_this_user);
	xd_rpc_register("session", "get_all_subject_identifiers", h_get_all_subject_identifiers);
	xd_rpc_register("session", "logout_subject_identifier", h_logout_subject_identifier);
}
