/* xe_event.c - `xe event-wait class=<class> [field=value | field=/=value ...]
 * [--timeout N]`: blocks until an object of the class satisfies every
 * condition, comparing values as xe shows them.
 *
 * event.from(classes, "", t) first returns every existing object (so the
 * first call is also the initial check); later calls pass the token back and
 * return only what changed. Upstream xe waits forever; our --timeout makes
 * it give up with exit code 1.
 */
#include "xe_cmds.h"


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "xe_format.h"
#include "xe_view.h"
#include "xe_util.h"

#define XE_EVENT_POLL_S 30.0 /* one event.from call at most this long */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Does an event's snapshot satisfy every filter? */
static bool event_matches(xe_client *x, const xe_view *v, const xd_value *ev,
			  const xe_filter *fs, size_t nf)
{
	const xd_value *snap = xd_struct_get(ev, "snapshot");
	const xd_value *op = xd_struct_get(ev, "operation");
	const xd_value *cls = xd_struct_get(ev, "class");
	const xd_value *ref = xd_struct_get(ev, "ref");
	xe_row row;
	bool m = true;

	if (!snap || snap->t != XD_V_STRUCT || !cls || cls->t != XD_V_STRING)
		return false;
	if (op && op->t == XD_V_STRING && strcmp(op->u.s, "del") == 0)
		return false;
	if (strcasecmp(cls->u.s, v->cls->name) != 0)
		return false;
	xe_row_init(&row, v, ref && ref->t == XD_V_STRING ? ref->u.s : "", snap);
	for (size_t i = 0; i < nf && m; i++)
		m = xe_filter_match(&fs[i], &row, v, x);
	xe_row_clear(&row, v);
	return m;
}

int xe_cmd_event_wait(xe_client *x, const xe_opts *o)
{
	const char *cname = xe_opts_get(o, "class");
	const char *tmo = xe_opts_get(o, "timeout");
	const xe_classinfo *ci = NULL;
	const xd_class *c;
	xe_view v;
	xe_filter *fs = NULL;
	size_t nf = 0;
	char *token = NULL;
	double deadline = -1;
	int rc = 1;

	if (!cname) {
		fprintf(stderr, "Required parameter not found: class\n");
		return 1;
	}
	c = xe_class_resolve(cname, &ci);
	if (!c) {
		xe_fail("Unknown class '%s'", cname);
		return 1;
	}
	if (tmo) {
		char *end = NULL;
		double t = strtod(tmo, &end);

		if (!*tmo || *end || t < 0) {
			xe_fail("timeout must be a number of seconds, not '%s'", tmo);
			return 1;
		}
		deadline = now_s() + t;
	}
	xe_view_init(&v, c);
	for (size_t i = 0; i < o->nparams; i++) {
		const char *k = o->params[i].key;
		xe_filter *n;
		char *why = NULL;

		if (strcmp(k, "class") == 0 || strcmp(k, "timeout") == 0)
			continue;
		n = xe_realloc(fs, (nf + 1) * sizeof(*fs));
		fs = n;
		if (xe_filter_parse(&v, k, o->params[i].val, true, &fs[nf], &why) < 0) {
			xe_fail("%s", why);
			free(why);
			goto out;
		}
		nf++;
	}
	token = xe_strdup("");
	for (;;) {
		double wait = XE_EVENT_POLL_S;
		xd_value *args, *classes, *batch, *events, *tok;

		if (deadline >= 0) {
			double left = deadline - now_s();

			/* The first call (empty token) always runs: it is the
			 * check of the current state. */
			if (left <= 0 && *token) {
				fprintf(stderr, "Timed out waiting for the condition\n");
				goto out;
			}
			if (left < wait)
				wait = left > 0 ? left : 0;
		}
		classes = xd_array();
		xd_array_append_take(classes, xd_string(c->lname));
		args = xd_array();
		xd_array_append_take(args, classes);
		xd_array_append_take(args, xd_string(token));
		xd_array_append_take(args, xd_float(wait));
		batch = xe_client_call(x, "event.from", args);
		if (!batch)
			goto out;
		events = batch->t == XD_V_STRUCT ? xd_struct_get(batch, "events") : NULL;
		tok = batch->t == XD_V_STRUCT ? xd_struct_get(batch, "token") : NULL;
		if (!events || events->t != XD_V_ARRAY || !tok || tok->t != XD_V_STRING) {
			xe_fail("the server's event.from reply is not an event batch");
			xd_value_free(batch);
			goto out;
		}
		for (size_t i = 0; i < events->u.arr.n; i++) {
			if (event_matches(x, &v, events->u.arr.items[i], fs, nf)) {
				xd_value_free(batch);
				rc = 0;
				goto out;
			}
			if (x->broken) {
				xd_value_free(batch);
				goto out;
			}
		}
		free(token);
		token = xe_strdup(tok->u.s);
		xd_value_free(batch);
	}
out:
	for (size_t i = 0; i < nf; i++)
		xe_filter_clear(&fs[i]);
	free(fs);
	free(token);
	xe_view_clear(&v);
	return rc;
}
