/* xen_parse.c - an XML-RPC <value> straight into a typed slot (the
 * descriptors of xen_internal.h): no intermediate tree, so that a large
 * get_all_records costs one pass over the response. */
#include "xen_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen_xml.h"

static bool parse_into(xen_xr *r, const xen_type_ *t, void *slot);

static bool name_is(const char *n, size_t len, const char *want)
{
	/* No strlen: strncmp stops at the first byte that differs or want's NUL. */
	return strncmp(n, want, len) == 0 && want[len] == '\0';
}

/* "20240102T03:04:05Z", "2024-01-02T03:04:05Z" or with a numeric offset. */
static bool parse_datetime(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, n = 0;
	long off = 0;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d%2d%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 &&
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6) {
		/* Events' timestamps travel as seconds since the epoch ("1712.5"). */
		char *end;
		double secs = strtod(s, &end);

		if (end == s || *end)
			return false;
		*out = (time_t)secs;
		return true;
	}
	s += n;
	if (*s == '.')
		while (*++s >= '0' && *s <= '9')
			;
	if (*s == '+' || *s == '-') {
		int oh = 0, om = 0;

		if (sscanf(s + 1, "%2d:%2d", &oh, &om) < 1)
			return false;
		off = (oh * 3600L + om * 60L) * (*s == '-' ? -1 : 1);
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = timegm(&tm) - off;
	return true;
}

/* A scalar's text into a slot of t. Takes s (malloc'd). */
static bool scalar_into(xen_xr *r, const xen_type_ *t, char *s, void *slot)
{
	char *end;

	switch (t->kind) {
	case XK_STRING:
		*(char **)slot = s;
		return true;
	case XK_REF_OPT: {
		xen_opt_ *o = calloc(1, sizeof(*o));

		if (!o)
			break;
		o->u.handle = s;
		*(xen_opt_ **)slot = o;
		return true;
	}
	case XK_INT:
	case XK_CINT: {
		long long v = strtoll(s, &end, 10);

		if (end == s || *end)
			break;
		if (t->kind == XK_INT)
			*(int64_t *)slot = v;
		else
			*(int *)slot = (int)v;
		free(s);
		return true;
	}
	case XK_FLOAT:
		*(double *)slot = strtod(s, &end);
		if (end == s)
			break;
		free(s);
		return true;
	case XK_BOOL:
		*(bool *)slot = !strcmp(s, "1") || !strcmp(s, "true");
		free(s);
		return true;
	case XK_DATETIME:
		if (!parse_datetime(s, (time_t *)slot))
			break;
		free(s);
		return true;
	case XK_ENUM:
		/* A value this SDK does not know is _UNDEFINED, as upstream's. */
		*(int *)slot = xen_enum_from_string_(t, s);
		free(s);
		return true;
	default:
		break;
	}
	free(s);
	return xen_xr_fail(r, "value of the wrong type");
}

/* Grows a set/map allocated with xen_set_alloc_ to hold one more member. */
static void *grow(void *p, size_t *cap, size_t used, size_t each)
{
	size_t ncap;
	void *np;

	if (used < *cap)
		return p;
	ncap = *cap ? *cap * 2 : 8;
	np = realloc(p, sizeof(size_t) + ncap * each);
	if (!np)
		return NULL;
	memset((char *)np + sizeof(size_t) + *cap * each, 0, (ncap - *cap) * each);
	*cap = ncap;
	return np;
}

static bool array_into(xen_xr *r, const xen_type_ *t, void *slot)
{
	size_t cap = 0, n = 0;
	char *set = xen_set_alloc_(t, 0);
	int o;

	if (!set)
		return xen_xr_fail(r, "out of memory");
	*(void **)slot = set; /* owned by the slot from now: freed with it on error */
	if ((o = xen_xr_open(r, "data")) == 0)
		return xen_xr_fail(r, "array without data");
	if (o == 2)
		return xen_xr_close(r, "array");
	for (;;) {
		const char *nm;
		size_t len = xen_xr_peek(r, &nm);

		if (!len)
			break;
		if (!(set = grow(set, &cap, n, t->size)))
			return xen_xr_fail(r, "out of memory");
		*(void **)slot = set;
		if (!parse_into(r, t->elem, set + sizeof(size_t) + n * t->size))
			return false;
		*(size_t *)set = ++n;
	}
	return xen_xr_close(r, "data") && xen_xr_close(r, "array");
}

static const xen_member_ *find_member(const xen_type_ *t, const char *n, size_t len, size_t *hint)
{
	size_t i, k;

	/* Fields usually arrive in declaration order: try the next one first. */
	for (k = 0; k < t->nmembers; k++) {
		i = (*hint + k) % t->nmembers;
		if (name_is(n, len, t->members[i].name)) {
			*hint = i + 1;
			return &t->members[i];
		}
	}
	return NULL;
}

static bool key_into(xen_xr *r, const xen_type_ *kt, const char *raw, size_t len, void *slot)
{
	char *k = xen_xml_decode(raw, len);

	if (!k)
		return xen_xr_fail(r, "bad member name");
	return scalar_into(r, kt, k, slot);
}

static bool struct_into(xen_xr *r, const xen_type_ *t, void *slot)
{
	size_t cap = 0, n = 0, hint = 0;
	char *obj;
	int o;

	if (t->kind == XK_RECORD)
		obj = calloc(1, t->size);
	else if (t->kind == XK_MAP)
		obj = xen_set_alloc_(t, 0);
	else
		return xen_xr_fail(r, "struct where another type was expected");
	if (!obj)
		return xen_xr_fail(r, "out of memory");
	*(void **)slot = obj;
	while ((o = xen_xr_open(r, "member")) != 0) {
		const char *raw;
		size_t len;

		if (o == 2 || xen_xr_open(r, "name") != 1)
			return xen_xr_fail(r, "member without name");
		xen_xr_text(r, &raw, &len);
		if (!xen_xr_close(r, "name"))
			return false;
		if (t->kind == XK_RECORD) {
			const xen_member_ *m = find_member(t, raw, len, &hint);

			if (!m) {
				if (!xen_xr_skip(r))
					return false;
			} else if (!parse_into(r, m->type, obj + m->offset)) {
				return false;
			}
		} else {
			char *e;

			if (!(obj = grow(obj, &cap, n, t->size)))
				return xen_xr_fail(r, "out of memory");
			*(void **)slot = obj;
			e = obj + sizeof(size_t) + n * t->size;
			*(size_t *)obj = ++n; /* counted before parsing: freed if half-read */
			if (!key_into(r, t->elem, raw, len, e) ||
			    !parse_into(r, t->val, e + t->val_offset))
				return false;
			/* A record in a map keyed by refs is that object's: its handle. */
			if (t->val->kind == XK_RECORD && t->val->has_handle &&
			    t->elem->kind == XK_STRING && *(char **)e)
				**(char ***)(e + t->val_offset) = xen_strdup_(*(char **)e);
		}
		if (!xen_xr_close(r, "member"))
			return false;
	}
	return xen_xr_close(r, "struct");
}

static bool parse_into(xen_xr *r, const xen_type_ *t, void *slot)
{
	const char *raw, *nm;
	size_t len, nlen;
	char *s;
	int o = xen_xr_open(r, "value");

	if (o == 0)
		return xen_xr_fail(r, "value expected");
	if (o == 2)
		return scalar_into(r, t, xen_strdup_(""), slot);
	xen_xr_text(r, &raw, &len);
	nlen = xen_xr_peek(r, &nm);
	if (nlen == 0) { /* <value>text</value>: a string */
		if (!(s = xen_xml_decode(raw, len)))
			return xen_xr_fail(r, "bad character reference");
		return scalar_into(r, t, s, slot) && xen_xr_close(r, "value");
	}
	if (name_is(nm, nlen, "struct")) {
		if (xen_xr_open(r, "struct") == 2) {
			if (t->kind == XK_MAP)
				*(void **)slot = xen_set_alloc_(t, 0);
			else if (t->kind == XK_RECORD)
				*(void **)slot = calloc(1, t->size);
			else
				return xen_xr_fail(r, "struct where another type was expected");
			if (!*(void **)slot)
				return xen_xr_fail(r, "out of memory");
			return xen_xr_close(r, "value");
		}
		return struct_into(r, t, slot) && xen_xr_close(r, "value");
	}
	if (name_is(nm, nlen, "array")) {
		if (t->kind != XK_SET || xen_xr_open(r, "array") != 1)
			return xen_xr_fail(r, "array where another type was expected");
		return array_into(r, t, slot) && xen_xr_close(r, "value");
	}
	{
		char tag[24];

		if (nlen >= sizeof(tag))
			return xen_xr_fail(r, "unknown value type");
		memcpy(tag, nm, nlen);
		tag[nlen] = '\0';
		o = xen_xr_open(r, tag);
		if (o == 2) {
			s = xen_strdup_("");
		} else {
			xen_xr_text(r, &raw, &len);
			if (!(s = xen_xml_decode(raw, len)))
				return xen_xr_fail(r, "bad character reference");
			if (!xen_xr_close(r, tag)) {
				free(s);
				return false;
			}
		}
		if (!strcmp(tag, "nil")) {
			free(s);
			return xen_xr_close(r, "value"); /* leaves the slot empty */
		}
		return scalar_into(r, t, s, slot) && xen_xr_close(r, "value");
	}
}

bool xen_parse_value_(xen_xr *r, const xen_type_ *t, void *slot)
{
	return parse_into(r, t, slot);
}
