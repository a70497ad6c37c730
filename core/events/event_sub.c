/* event_sub.c - subscriptions, tokens and event classes (see event_sub.h).
 * Behaviour follows xapi's Xapi_event.Subscription and Token modules. */
#include "event_sub.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *xstrndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (!p)
		abort();
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static char *lower_dup(const char *s, size_t n)
{
	char *p = xstrndup(s, n);
	for (char *q = p; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	return p;
}

static void sub_free(xd_sub *s)
{
	free(s->cls);
	free(s->ref);
	s->cls = s->ref = NULL;
}

static void subs_push(xd_subs *s, xd_sub sub)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		xd_sub *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			abort();
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = sub;
}

/* Fills sub from entry; never fails today (see the header). */
static int sub_parse(const char *entry, xd_sub *sub, xd_error *err)
{
	(void)err;
	memset(sub, 0, sizeof(*sub));
	if (strcmp(entry, "*") == 0) {
		sub->kind = XD_SUB_ALL;
		return 0;
	}
	const char *slash = strchr(entry, '/');
	if (!slash) {
		sub->kind = XD_SUB_CLASS;
		sub->cls = lower_dup(entry, strlen(entry));
		return 0;
	}
	sub->kind = XD_SUB_OBJECT;
	sub->cls = lower_dup(entry, (size_t)(slash - entry));
	sub->ref = xstrndup(slash + 1, strlen(slash + 1));
	return 0;
}

int xd_subs_add(xd_subs *s, const char *entry, xd_error *err)
{
	xd_sub sub;
	if (!entry)
		return xd_error_set(err, "EVENT_SUBSCRIPTION_PARSE_FAILURE", "", NULL);
	if (sub_parse(entry, &sub, err) < 0)
		return -1;
	subs_push(s, sub);
	return 0;
}

int xd_subs_add_array(xd_subs *s, const xd_value *arr, xd_error *err)
{
	size_t before = s->n;
	if (!arr || arr->t != XD_V_ARRAY)
		return xd_error_set(err, "EVENT_SUBSCRIPTION_PARSE_FAILURE", "", NULL);
	for (size_t i = 0; i < arr->u.arr.n; i++) {
		const xd_value *v = arr->u.arr.items[i];
		if (v->t != XD_V_STRING) {
			char *txt = xd_value_to_debug_string(v);
			xd_error_set(err, "EVENT_SUBSCRIPTION_PARSE_FAILURE", txt, NULL);
			free(txt);
			goto fail;
		}
		if (xd_subs_add(s, v->u.s, err) < 0)
			goto fail;
	}
	return 0;
fail:
	while (s->n > before)
		sub_free(&s->v[--s->n]);
	return -1;
}

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool sub_equal(const xd_sub *a, const xd_sub *b)
{
	return a->kind == b->kind && str_eq(a->cls, b->cls) && str_eq(a->ref, b->ref);
}

void xd_subs_remove(xd_subs *s, const xd_subs *rm)
{
	size_t w = 0;
	for (size_t i = 0; i < s->n; i++) {
		bool drop = false;
		for (size_t j = 0; j < rm->n && !drop; j++)
			drop = sub_equal(&s->v[i], &rm->v[j]);
		if (drop)
			sub_free(&s->v[i]);
		else
			s->v[w++] = s->v[i];
	}
	s->n = w;
}

int xd_subs_copy(xd_subs *dst, const xd_subs *src)
{
	for (size_t i = 0; i < src->n; i++) {
		const xd_sub *o = &src->v[i];
		xd_sub c = { o->kind, o->cls ? lower_dup(o->cls, strlen(o->cls)) : NULL,
			     o->ref ? xstrndup(o->ref, strlen(o->ref)) : NULL };
		subs_push(dst, c);
	}
	return 0;
}

void xd_subs_clear(xd_subs *s)
{
	for (size_t i = 0; i < s->n; i++)
		sub_free(&s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

bool xd_subs_match_class(const xd_subs *s, const char *lname)
{
	for (size_t i = 0; i < s->n; i++) {
		const xd_sub *x = &s->v[i];
		if (x->kind == XD_SUB_ALL || strcmp(x->cls, lname) == 0)
			return true;
	}
	return false;
}

bool xd_subs_match_object(const xd_subs *s, const char *lname, const char *ref)
{
	for (size_t i = 0; i < s->n; i++) {
		const xd_sub *x = &s->v[i];
		switch (x->kind) {
		case XD_SUB_ALL:
			return true;
		case XD_SUB_CLASS:
			if (strcmp(x->cls, lname) == 0)
				return true;
			break;
		case XD_SUB_OBJECT:
			if (strcmp(x->cls, lname) == 0 && strcmp(x->ref, ref) == 0)
				return true;
			break;
		}
	}
	return false;
}

/* One decimal number filling [s, e) exactly, no sign, no overflow. */
static int parse_u64(const char *s, const char *e, uint64_t *out)
{
	uint64_t v = 0;
	if (s == e)
		return -1;
	for (const char *p = s; p < e; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int xd_event_token_parse(const char *token, uint64_t *gen, uint64_t *msg_gen, xd_error *err)
{
	uint64_t g = 0, m = 0;
	if (!token)
		return xd_error_set(err, "EVENT_FROM_TOKEN_PARSE_FAILURE", "", NULL);
	if (token[0] != '\0') {
		const char *comma = strchr(token, ',');
		const char *end = token + strlen(token);
		if (!comma || parse_u64(token, comma, &g) < 0 || parse_u64(comma + 1, end, &m) < 0)
			return xd_error_set(err, "EVENT_FROM_TOKEN_PARSE_FAILURE", token, NULL);
	}
	*gen = g;
	*msg_gen = m;
	return 0;
}

void xd_event_token_format(uint64_t gen, uint64_t msg_gen, char out[XD_EVENT_TOKEN_LEN])
{
	/* zero padding makes tokens compare correctly as strings, as xapi's */
	snprintf(out, XD_EVENT_TOKEN_LEN, "%020" PRIu64 ",%020" PRIu64, gen, msg_gen);
}

bool xd_event_class_has_events(const char *cls_name)
{
	/* xapi's datamodel: the classes created with ~gen_events:false */
	static const char *const quiet[] = {
		"session", "user", "secret", "auth", "data_source", "SR_stat",
		"probe_result", "vdi_nbd_server_info", "diagnostics", "event",
	};
	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
		if (strcasecmp(cls_name, quiet[i]) == 0)
			return false;
	return true;
}

double xd_event_timeout_normalise(double timeout_s)
{
	const double day = 86400.0;
	if (isnan(timeout_s) || timeout_s < 0 || timeout_s > 10 * 365 * day)
		return day;
	return timeout_s;
}
