/* login_throttle.c - slows password guessing (see session.h, "Logins").
 *
 * Failures are counted per user name and per source address. Past a few
 * free failures, each further attempt under that name or from that address
 * must wait its turn: attempts are given slots an interval apart (the
 * interval doubles with each failure, up to a cap), so concurrent guesses
 * queue instead of running side by side, and an attempt whose turn is too
 * far off is refused at once without a password check. Only the thread of
 * the guessing connection waits: other users' logins and every call with a
 * session go on untouched. A failure count is forgotten after a quiet while;
 * a successful login clears its user's count (not its address's, or a
 * guesser could reset its own by logging in to an account it owns).
 *
 * After repeated failures a FAILED_LOGIN_ATTEMPTS message is created for the
 * host, as xapi's alert (at most once per user or address per hour).
 */
#include "session.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"

#define FREE_FAILURES 3       /* failures before any delay */
#define FIRST_INTERVAL 0.25   /* seconds between attempts after those */
#define MAX_INTERVAL 4.0
#define MAX_WAIT 20.0         /* a turn further off than this: refused now */
#define FORGET_AFTER 300.0    /* seconds without failure: count forgotten */
#define ALERT_AFTER 5         /* failures in a row that make a message */
#define ALERT_EVERY 3600.0
#define NKEYS 1024            /* least recently failed entries are reused */

typedef struct entry {
	char key[160];        /* "u:<user>" or "a:<address>"; "" = free */
	unsigned failures;
	double last_failure;
	double next_slot;     /* when the next attempt may run */
	double last_alert;
} entry;

static entry table[NKEYS];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static double now_mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The entry of key (created if create), or NULL. With mu held. */
static entry *lookup(const char *key, bool create, double now)
{
	entry *victim = NULL;

	for (size_t i = 0; i < NKEYS; i++) {
		entry *e = &table[i];

		if (e->key[0] && strcmp(e->key, key) == 0) {
			if (now - e->last_failure > FORGET_AFTER)
				e->failures = 0;
			return e;
		}
		if (!victim || !e->key[0] ||
		    (victim->key[0] && e->last_failure < victim->last_failure))
			victim = e;
	}
	if (!create)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	snprintf(victim->key, sizeof(victim->key), "%s", key);
	victim->last_alert = -ALERT_EVERY;
	return victim;
}

static double interval(unsigned failures)
{
	double d = FIRST_INTERVAL;

	if (failures < FREE_FAILURES)
		return 0;
	for (unsigned i = FREE_FAILURES; i < failures && d < MAX_INTERVAL; i++)
		d *= 2;
	return d < MAX_INTERVAL ? d : MAX_INTERVAL;
}

static void keys(const char *user, const char *addr, char *ku, char *ka, size_t n)
{
	snprintf(ku, n, "u:%s", user ? user : "");
	snprintf(ka, n, "a:%s", addr && *addr ? addr : "?");
}

int xd_login_throttle_wait(const char *user, const char *addr)
{
	char k[2][160];
	double now = now_mono(), turn = now;
	entry *e[2];

	keys(user, addr, k[0], k[1], sizeof(k[0]));
	pthread_mutex_lock(&mu);
	for (int i = 0; i < 2; i++) {
		e[i] = lookup(k[i], false, now);
		if (e[i] && e[i]->failures >= FREE_FAILURES && e[i]->next_slot > turn)
			turn = e[i]->next_slot;
	}
	if (turn - now > MAX_WAIT) {
		pthread_mutex_unlock(&mu);
		return -1;
	}
	/* Take the turn: the next attempt comes one interval after it. */
	for (int i = 0; i < 2; i++)
		if (e[i] && e[i]->failures >= FREE_FAILURES)
			e[i]->next_slot = turn + interval(e[i]->failures);
	pthread_mutex_unlock(&mu);

	if (turn > now) {
		double d = turn - now;
		struct timespec ts = { .tv_sec = (time_t)d,
				       .tv_nsec = (long)((d - (double)(time_t)d) * 1e9) };

		while (nanosleep(&ts, &ts) != 0)
			;
	}
	return 0;
}

/* A message for the host, as xapi's FAILED_LOGIN_ATTEMPTS alert. */
static void alert(const char *what, unsigned failures)
{
	const xd_class *mc = xd_dm_class("message"), *hc = xd_dm_class("host");
	xd_error err = XD_ERROR_INIT;
	xd_value *uuid = hc ? xd_db_get_field(hc, xd_this_host(), hc->uuid_field) : NULL;
	char body[512];

	if (!mc || !uuid) {
		xd_value_free(uuid);
		return;
	}
	snprintf(body, sizeof(body), "%u failed login attempts in a row for %s", failures, what);
	xd_value *rec = xd_struct();
	xd_struct_set_take(rec, "name", xd_string("FAILED_LOGIN_ATTEMPTS"));
	xd_struct_set_take(rec, "priority", xd_int(3));
	xd_struct_set_take(rec, "cls", xd_string("Host"));
	xd_struct_set_take(rec, "obj_uuid", xd_value_copy(uuid));
	xd_struct_set_take(rec, "timestamp", xd_datetime((int64_t)time(NULL)));
	xd_struct_set_take(rec, "body", xd_string(body));
	xd_generic_fill_defaults(mc, rec);
	char *ref = xd_ref_new();
	if (xd_db_create(mc, ref, rec, &err) < 0)
		xd_warn("login throttle: cannot create a message: %s", err.code ? err.code : "?");
	free(ref);
	xd_error_clear(&err);
	xd_value_free(uuid);
}

void xd_login_throttle_result(const char *user, const char *addr, bool ok)
{
	char k[2][160], what[2][200];
	unsigned alert_n[2] = { 0, 0 };
	double now = now_mono();

	keys(user, addr, k[0], k[1], sizeof(k[0]));
	pthread_mutex_lock(&mu);
	if (ok) {
		entry *e = lookup(k[0], false, now);

		if (e)
			e->failures = 0;
		pthread_mutex_unlock(&mu);
		return;
	}
	for (int i = 0; i < 2; i++) {
		entry *e = lookup(k[i], true, now);

		e->failures++;
		e->last_failure = now;
		/* the next attempt waits the interval this failure earned */
		if (e->failures >= FREE_FAILURES && e->next_slot < now + interval(e->failures))
			e->next_slot = now + interval(e->failures);
		if (e->failures >= ALERT_AFTER && now - e->last_alert >= ALERT_EVERY) {
			e->last_alert = now;
			alert_n[i] = e->failures;
			snprintf(what[i], sizeof(what[i]), "%s '%s'", i == 0 ? "user" : "address",
				 k[i] + 2);
		}
	}
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < 2; i++)
		if (alert_n[i]) {
			xd_warn("login: %s", what[i]);
			alert(what[i], alert_n[i]);
		}
}
