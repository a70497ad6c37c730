/* events.c - event.from, the legacy event.register/unregister/next,
 * event.inject and event.get_current_id (see events.h).
 *
 * Nothing is queued per client: every answer is computed from the db's
 * generations (xd_db_changes), as xapi's event.from does. The legacy API
 * keeps, per session, its subscriptions and a cursor (the generation it has
 * been answered up to); a cursor older than the db's retained history means
 * deletions were forgotten: EVENTS_LOST.
 *
 * Blocked calls wait on the db (xd_db_wait), in slices, and register
 * themselves so that the end of their session (logout, reaper) marks them:
 * they then fail with SESSION_INVALID [session] as xapi's do. Lock order:
 * ev_mu may be held while calling the db, never the reverse (the db
 * callbacks below touch only their own arguments).
 */
#include "events.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/session.h"
#include "db/db.h"
#include "event_stream.h"
#include "event_sub.h"
#include "generic/generic.h"
#include "log.h"
#include "rpc/rpc.h"

/* Upper bound of one wait on the db, so a wake-up lost to a race is only a
 * short delay; a slice that sees no new generation costs no db scan. */
#define WAIT_SLICE_S 1.0
/* event.next blocks until something happens; xapi has no timeout either. */
#define NEXT_FOREVER_S 1e9

static pthread_mutex_t ev_mu = PTHREAD_MUTEX_INITIALIZER;

/* A blocked event.from / event.next call. */
typedef struct waiter {
	struct waiter *next;
	const char *session;  /* borrowed from the call */
	bool gone;            /* its session ended */
} waiter;
static waiter *waiters;

/* The legacy registration of one session. */
typedef struct legacy_reg {
	struct legacy_reg *next;
	char *session;
	xd_subs subs;
	uint64_t cursor;      /* answered up to this generation */
	unsigned refs;        /* the table's reference + calls using it */
} legacy_reg;
static legacy_reg *legacy_regs;

/* Per class index: whether it generates events (computed once). */
static bool *class_events;
static size_t nclass_events;

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p)
		abort();
	return p;
}

/* ---- waiting ------------------------------------------------------------- */

static void waiter_add(waiter *w)
{
	pthread_mutex_lock(&ev_mu);
	w->next = waiters;
	waiters = w;
	pthread_mutex_unlock(&ev_mu);
}

static void waiter_remove(waiter *w)
{
	pthread_mutex_lock(&ev_mu);
	for (waiter **p = &waiters; *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			break;
		}
	}
	pthread_mutex_unlock(&ev_mu);
}

static bool waiter_gone(waiter *w)
{
	pthread_mutex_lock(&ev_mu);
	bool gone = w->gone;
	pthread_mutex_unlock(&ev_mu);
	return gone;
}

/* Waits until the db moves past `since` or the deadline passes: 0; 1 if the
 * daemon is stopping (the caller answers with what it has); -1 with
 * SESSION_INVALID if the session ended. The session is checked before each
 * wait: a logout that happened after `since` was read bumps the generation
 * (the session object goes), so it cannot be missed between check and wait. */
static int wait_for_change(waiter *w, const char *session, uint64_t since, double deadline,
			   xd_error *err)
{
	for (;;) {
		if (xd_rpc_stopping())
			return 1;
		if (waiter_gone(w))
			return xd_error_set(err, "SESSION_INVALID", session, NULL);
		if (xd_session_check(session, err) < 0)
			return -1;
		double left = deadline - mono_now();
		if (left <= 0)
			return 0;
		if (xd_db_wait(since, left < WAIT_SLICE_S ? left : WAIT_SLICE_S))
			return 0;
	}
}

/* ---- building answers ---------------------------------------------------- */

static bool class_has_events(const xd_class *c)
{
	return (size_t)c->idx < nclass_events && class_events[c->idx];
}

/* xd_db_changes filter: ud is the xd_subs of the call (a private copy). */
static bool want_object(const xd_class *c, const char *ref, void *ud)
{
	return class_has_events(c) && xd_subs_match_object(ud, c->lname, ref);
}

/* Appends the events of the changes after `since` to events; *upto gets the
 * generation the answer is complete to. skip_del: for the initial fetch
 * ("" token), where a deletion of an object the client never saw is noise.
 * Returns -1 (err set) on a db failure, else 0; *lost as xd_db_changes. */
static int collect_events(uint64_t since, xd_subs *subs, bool skip_del, const char *legacy_ts,
			  xd_value *events, uint64_t *upto, bool *lost, xd_error *err)
{
	xd_change *ch = NULL;
	size_t n = 0;
	*lost = false;
	if (xd_db_changes(since, want_object, subs, &ch, &n, upto, lost) < 0)
		return xd_error_setf(err, "INTERNAL_ERROR", "cannot read the db changes");
	for (size_t i = 0; i < n; i++) {
		if (skip_del && ch[i].op == XD_CHANGE_DEL)
			continue;
		xd_array_append_take(events, xd_event_record(&ch[i], ch[i].snapshot, legacy_ts));
		ch[i].snapshot = NULL;
	}
	xd_db_changes_free(ch, n);
	return 0;
}

/* lower-case class name -> number of live objects, for every stored class */
static xd_value *valid_ref_counts(void)
{
	xd_value *counts = xd_struct();
	for (size_t i = 0; i < xd_dm_nclasses(); i++) {
		const xd_class *c = xd_dm_class_at(i);
		if (!c->stored)
			continue;
		size_t n = xd_db_count(c);
		/* xapi sends these as <i4> (int32 in its event_from type) */
		xd_struct_set_take(counts, c->lname, xd_int_i4(n > INT32_MAX ? INT32_MAX : (int32_t)n));
	}
	return counts;
}

/* ---- event.from ---------------------------------------------------------- */

static xd_value *h_from(const xd_call *call, xd_error *err)
{
	xd_subs subs = XD_SUBS_INIT;
	uint64_t since = 0, msg_since = 0, upto = 0;
	xd_value *events = NULL, *result = NULL;
	waiter w = { .session = call->session };
	bool lost;

	if (xd_subs_add_array(&subs, call->args[0], err) < 0)
		goto out;
	if (xd_event_token_parse(xd_arg_str(call, 1), &since, &msg_since, err) < 0)
		goto out;
	double deadline = mono_now() + xd_event_timeout_normalise(xd_arg_float(call, 2));
	bool initial = since == 0;

	waiter_add(&w);
	if (initial) {
		/* Everything there is: written as it is sent (event_stream.c). */
		xd_change *ch = NULL;
		size_t n = 0;
		if (xd_db_changes_bare(0, want_object, &subs, &ch, &n, &upto, &lost) < 0) {
			xd_error_setf(err, "INTERNAL_ERROR", "cannot read the db changes");
			goto out_waiter;
		}
		if (n > 0)
			events = xd_event_stream(ch, n);
		else
			xd_db_changes_free(ch, n);
	}
	if (!events)
		events = xd_array();
	while (events->t == XD_V_ARRAY) { /* not the streamed first answer */
		if (collect_events(since, &subs, initial, NULL, events, &upto, &lost, err) < 0)
			goto out_waiter;
		/* never an empty answer before the timeout: changes that woke us
		 * but match nothing just move the starting point */
		if (events->u.arr.n > 0 || mono_now() >= deadline)
			break;
		if (upto > since)
			since = upto;
		int rc = wait_for_change(&w, call->session, since, deadline, err);
		if (rc < 0)
			goto out_waiter;
		if (rc > 0)
			break;
	}
	char token[XD_EVENT_TOKEN_LEN];
	/* messages are db objects here: the second half has nothing to count */
	xd_event_token_format(upto, 0, token);
	result = xd_struct();
	xd_struct_set_take(result, "events", events);
	events = NULL;
	xd_struct_set_take(result, "valid_ref_counts", valid_ref_counts());
	xd_struct_set_take(result, "token", xd_string(token));
out_waiter:
	waiter_remove(&w);
out:
	xd_value_free(events);
	xd_subs_clear(&subs);
	return result;
}

/* ---- the legacy API ------------------------------------------------------ */

/* Under ev_mu. */
static legacy_reg *legacy_find(const char *session)
{
	for (legacy_reg *r = legacy_regs; r; r = r->next)
		if (strcmp(r->session, session) == 0)
			return r;
	return NULL;
}

/* Under ev_mu: the registration of session, created if absent (xapi
 * creates it for unregister too). */
static legacy_reg *legacy_get(const char *session)
{
	legacy_reg *r = legacy_find(session);
	if (r)
		return r;
	r = calloc(1, sizeof(*r));
	if (!r)
		abort();
	r->session = xstrdup(session);
	r->cursor = xd_db_generation(); /* events from now on */
	r->refs = 1;
	r->next = legacy_regs;
	legacy_regs = r;
	return r;
}

/* Under ev_mu. */
static void legacy_unref(legacy_reg *r)
{
	if (--r->refs > 0)
		return;
	xd_subs_clear(&r->subs);
	free(r->session);
	free(r);
}

static xd_value *h_register(const xd_call *call, xd_error *err)
{
	xd_subs add = XD_SUBS_INIT;
	if (xd_subs_add_array(&add, call->args[0], err) < 0)
		return NULL;
	pthread_mutex_lock(&ev_mu);
	legacy_reg *r = legacy_get(call->session);
	xd_subs_copy(&r->subs, &add);
	pthread_mutex_unlock(&ev_mu);
	xd_subs_clear(&add);
	return xd_void();
}

static xd_value *h_unregister(const xd_call *call, xd_error *err)
{
	xd_subs rm = XD_SUBS_INIT;
	if (xd_subs_add_array(&rm, call->args[0], err) < 0)
		return NULL;
	pthread_mutex_lock(&ev_mu);
	legacy_reg *r = legacy_get(call->session);
	xd_subs_remove(&r->subs, &rm);
	pthread_mutex_unlock(&ev_mu);
	xd_subs_clear(&rm);
	return xd_void();
}

static xd_value *h_next(const xd_call *call, xd_error *err)
{
	xd_value *events = NULL;
	waiter w = { .session = call->session };
	xd_subs subs = XD_SUBS_INIT;

	pthread_mutex_lock(&ev_mu);
	legacy_reg *r = legacy_find(call->session);
	if (r)
		r->refs++;
	pthread_mutex_unlock(&ev_mu);
	if (!r) {
		xd_error_set(err, "SESSION_NOT_REGISTERED", call->session, NULL);
		return NULL;
	}
	waiter_add(&w);
	double deadline = mono_now() + NEXT_FOREVER_S;
	for (;;) {
		pthread_mutex_lock(&ev_mu);
		uint64_t since = r->cursor;
		xd_subs_clear(&subs);
		xd_subs_copy(&subs, &r->subs);
		pthread_mutex_unlock(&ev_mu);

		uint64_t upto = since;
		bool lost = false;
		char ts[32];
		/* xapi's legacy timestamp: OCaml's string_of_float of the time */
		snprintf(ts, sizeof ts, "%lld.", (long long)time(NULL));
		xd_value_free(events);
		events = xd_array();
		if (collect_events(since, &subs, false, ts, events, &upto, &lost, err) < 0)
			goto fail;

		pthread_mutex_lock(&ev_mu);
		/* another event.next of this session answered this range first */
		bool raced = r->cursor != since;
		if (!raced && upto > r->cursor)
			r->cursor = upto;
		pthread_mutex_unlock(&ev_mu);
		if (raced)
			continue;
		if (lost) {
			/* the client must re-register and refetch; the cursor has
			 * moved on so the next call starts afresh */
			xd_error_set(err, "EVENTS_LOST", NULL);
			goto fail;
		}
		if (events->u.arr.n > 0)
			break;
		int rc = wait_for_change(&w, call->session, upto, deadline, err);
		if (rc < 0)
			goto fail;
		if (rc > 0)
			break; /* shutting down: an empty answer, the connection goes anyway */
	}
	goto out;
fail:
	xd_value_free(events);
	events = NULL;
out:
	waiter_remove(&w);
	xd_subs_clear(&subs);
	pthread_mutex_lock(&ev_mu);
	legacy_unref(r);
	pthread_mutex_unlock(&ev_mu);
	return events;
}

/* ---- inject, get_current_id ---------------------------------------------- */

static xd_value *h_inject(const xd_call *call, xd_error *err)
{
	const char *cls = xd_arg_str(call, 0), *ref = xd_arg_str(call, 1);
	/* as xapi: the ref must be an object of exactly that class */
	const xd_class *c = xd_db_class_of(ref);
	if (!c || strcmp(c->name, cls) != 0) {
		xd_error_set(err, "HANDLE_INVALID", cls, ref, NULL);
		return NULL;
	}
	/* a token from before the touch: event.from with it sees the touch */
	uint64_t before = xd_db_generation();
	if (xd_db_touch(c, ref, err) < 0)
		return NULL;
	char token[XD_EVENT_TOKEN_LEN];
	xd_event_token_format(before, 0, token);
	return xd_string(token);
}

static xd_value *h_get_current_id(const xd_call *call, xd_error *err)
{
	return xd_int((int64_t)xd_db_generation());
}

/* ---- registration -------------------------------------------------------- */

static void on_session_gone(const char *session)
{
	pthread_mutex_lock(&ev_mu);
	for (waiter *w = waiters; w; w = w->next)
		if (strcmp(w->session, session) == 0)
			w->gone = true;
	for (legacy_reg **p = &legacy_regs; *p; p = &(*p)->next) {
		if (strcmp((*p)->session, session) == 0) {
			legacy_reg *r = *p;
			*p = r->next;
			legacy_unref(r);
			break;
		}
	}
	pthread_mutex_unlock(&ev_mu);
	/* session.c wakes the db waiters after its hooks */
}

void xd_events_register_api(void)
{
	static const struct {
		const char *name;
		xd_handler_fn fn;
	} handlers[] = {
		{ "from", h_from },
		{ "register", h_register },
		{ "unregister", h_unregister },
		{ "next", h_next },
		{ "inject", h_inject },
		{ "get_current_id", h_get_current_id },
	};
	if (!class_events) {
		nclass_events = xd_dm_nclasses();
		class_events = calloc(nclass_events ? nclass_events : 1, sizeof(*class_events));
		if (!class_events)
			abort();
		for (size_t i = 0; i < nclass_events; i++) {
			const xd_class *c = xd_dm_class_at(i);
			class_events[c->idx] = c->stored && xd_event_class_has_events(c->name);
		}
		xd_session_on_gone(on_session_gone);
	}
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		xd_rpc_register("event", handlers[i].name, handlers[i].fn);
}
