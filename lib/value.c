/* value.c - the dynamically typed value tree (see value.h).
 *
 * Allocation failure aborts (documented in value.h): every caller would
 * otherwise need an error path for each constructor. Misuse such as
 * appending to a non-array never crashes: the taken value is freed. */
#include "value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "strbuf.h"

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = xmalloc(n);

	memcpy(p, s, n);
	return p;
}

static xd_value *value_new(xd_vtype t)
{
	xd_value *v = xmalloc(sizeof(*v));

	memset(v, 0, sizeof(*v));
	v->t = t;
	return v;
}

xd_value *xd_nil(void)
{
	return value_new(XD_V_NIL);
}

xd_value *xd_bool(bool b)
{
	xd_value *v = value_new(XD_V_BOOL);

	v->u.b = b;
	return v;
}

xd_value *xd_int(int64_t i)
{
	xd_value *v = value_new(XD_V_INT);

	v->u.i = i;
	return v;
}

xd_value *xd_int_i4(int32_t i)
{
	xd_value *v = xd_int(i);

	v->i4 = true;
	return v;
}

xd_value *xd_float(double f)
{
	xd_value *v = value_new(XD_V_FLOAT);

	v->u.f = f;
	return v;
}

xd_value *xd_string(const char *s)
{
	return xd_string_take(xstrdup(s ? s : ""));
}

xd_value *xd_string_take(char *s)
{
	xd_value *v = value_new(XD_V_STRING);

	v->u.s = s ? s : xstrdup("");
	return v;
}

xd_value *xd_string_n(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return xd_string_take(p);
}

xd_value *xd_datetime(int64_t t)
{
	xd_value *v = value_new(XD_V_DATETIME);

	v->u.i = t;
	return v;
}

xd_value *xd_array(void)
{
	return value_new(XD_V_ARRAY);
}

xd_value *xd_struct(void)
{
	return value_new(XD_V_STRUCT);
}

xd_value *xd_raw_take(char *text, size_t len)
{
	xd_value *v = value_new(XD_V_RAW);

	if (!text) {
		text = xstrdup("");
		len = 0;
	}
	v->u.raw.s = text;
	v->u.raw.len = len;
	return v;
}

xd_shared_text *xd_shared_text_wrap(void *block, size_t len)
{
	xd_shared_text *t = block;

	t->refs = 1;
	t->len = len;
	t->text[len] = '\0';
	return t;
}

xd_shared_text *xd_shared_text_new(const char *s, size_t len)
{
	xd_shared_text *t = xmalloc(sizeof(*t) + len + 1);

	if (len)
		memcpy(t->text, s, len);
	return xd_shared_text_wrap(t, len);
}

void xd_shared_text_hold(xd_shared_text *t)
{
	if (t)
		__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
}

void xd_shared_text_release(xd_shared_text *t)
{
	/* acq_rel: the last holder must see every other holder's reads done */
	if (t && __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(t);
}

xd_value *xd_raw_shared(xd_shared_text *t)
{
	xd_value *v;

	if (!t)
		return xd_raw("", 0);
	v = value_new(XD_V_RAW);
	xd_shared_text_hold(t);
	v->u.raw.shared = t;
	v->u.raw.s = t->text;
	v->u.raw.len = t->len;
	return v;
}

xd_value *xd_lazy_new(const xd_lazy_ops *ops, void *ud)
{
	xd_value *v = value_new(XD_V_LAZY);

	v->u.lazy = xmalloc(sizeof(*v->u.lazy));
	v->u.lazy->ops = ops;
	v->u.lazy->ud = ud;
	v->u.lazy->refs = 1;
	return v;
}

void xd_lazy_emit(const xd_value *v, struct xd_strbuf *sb, bool json)
{
	v->u.lazy->ops->emit(v->u.lazy->ud, sb, json);
}

static void lazy_release(xd_lazy *l)
{
	if (__atomic_sub_fetch(&l->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		if (l->ops->free)
			l->ops->free(l->ud);
		free(l);
	}
}

xd_value *xd_raw(const char *text, size_t len)
{
	char *p = xmalloc(len + 1);

	if (len)
		memcpy(p, text, len);
	p[len] = '\0';
	return xd_raw_take(p, len);
}

void xd_value_free(xd_value *v)
{
	size_t i;

	if (!v)
		return;
	switch (v->t) {
	case XD_V_STRING:
		free(v->u.s);
		break;
	case XD_V_RAW:
		if (v->u.raw.shared)
			xd_shared_text_release(v->u.raw.shared);
		else
			free(v->u.raw.s);
		break;
	case XD_V_LAZY:
		lazy_release(v->u.lazy);
		break;
	case XD_V_ARRAY:
		for (i = 0; i < v->u.arr.n; i++)
			xd_value_free(v->u.arr.items[i]);
		free(v->u.arr.items);
		break;
	case XD_V_STRUCT:
		for (i = 0; i < v->u.st.n; i++) {
			free(v->u.st.m[i].name);
			xd_value_free(v->u.st.m[i].v);
		}
		free(v->u.st.m);
		break;
	default:
		break;
	}
	free(v);
}

xd_value *xd_value_copy(const xd_value *v)
{
	xd_value *c;
	size_t i;

	if (!v)
		return NULL;
	switch (v->t) {
	case XD_V_STRING:
		return xd_string(v->u.s);
	case XD_V_RAW:
		if (v->u.raw.shared)
			return xd_raw_shared(v->u.raw.shared);
		return xd_raw(v->u.raw.s, v->u.raw.len);
	case XD_V_LAZY:
		c = value_new(XD_V_LAZY);
		__atomic_add_fetch(&v->u.lazy->refs, 1, __ATOMIC_RELAXED);
		c->u.lazy = v->u.lazy;
		return c;
	case XD_V_ARRAY:
		c = xd_array();
		/* Exact-size copy: copies are rarely appended to. */
		if (v->u.arr.n) {
			c->u.arr.items = xmalloc(v->u.arr.n * sizeof(*c->u.arr.items));
			c->u.arr.cap = v->u.arr.n;
		}
		for (i = 0; i < v->u.arr.n; i++)
			c->u.arr.items[i] = xd_value_copy(v->u.arr.items[i]);
		c->u.arr.n = v->u.arr.n;
		return c;
	case XD_V_STRUCT:
		c = xd_struct();
		if (v->u.st.n) {
			c->u.st.m = xmalloc(v->u.st.n * sizeof(*c->u.st.m));
			c->u.st.cap = v->u.st.n;
		}
		for (i = 0; i < v->u.st.n; i++) {
			c->u.st.m[i].name = xstrdup(v->u.st.m[i].name);
			c->u.st.m[i].v = xd_value_copy(v->u.st.m[i].v);
		}
		c->u.st.n = v->u.st.n;
		return c;
	default:
		c = value_new(v->t);
		c->u = v->u;
		c->i4 = v->i4;
		return c;
	}
}

bool xd_value_equal(const xd_value *a, const xd_value *b)
{
	size_t i;

	if (a == b)
		return true;
	if (!a || !b || a->t != b->t)
		return false;
	switch (a->t) {
	case XD_V_NIL:
		return true;
	case XD_V_BOOL:
		return a->u.b == b->u.b;
	case XD_V_INT:
	case XD_V_DATETIME:
		return a->u.i == b->u.i;
	case XD_V_FLOAT:
		/* NaN equals NaN here: "same value" is what callers mean. */
		return a->u.f == b->u.f || (isnan(a->u.f) && isnan(b->u.f));
	case XD_V_STRING:
		return strcmp(a->u.s, b->u.s) == 0;
	case XD_V_RAW:
		/* Same bytes: two encodings of one value may differ, but raw
		 * text is only ever compared in tests. */
		return a->u.raw.len == b->u.raw.len &&
		       memcmp(a->u.raw.s, b->u.raw.s, a->u.raw.len) == 0;
	case XD_V_LAZY:
		return a->u.lazy == b->u.lazy; /* made when encoded: same maker */
	case XD_V_ARRAY:
		if (a->u.arr.n != b->u.arr.n)
			return false;
		for (i = 0; i < a->u.arr.n; i++)
			if (!xd_value_equal(a->u.arr.items[i], b->u.arr.items[i]))
				return false;
		return true;
	case XD_V_STRUCT:
		/* Maps compare by content: member order carries no meaning on
		 * the wire. Names are unique, so equal counts + every member of
		 * a found equal in b is enough. */
		if (a->u.st.n != b->u.st.n)
			return false;
		for (i = 0; i < a->u.st.n; i++) {
			const xd_value *bv = xd_struct_get(b, a->u.st.m[i].name);

			if (!bv || !xd_value_equal(a->u.st.m[i].v, bv))
				return false;
		}
		return true;
	}
	return false;
}

void xd_array_append_take(xd_value *arr, xd_value *item)
{
	if (!arr || arr->t != XD_V_ARRAY) {
		xd_value_free(item);
		return;
	}
	if (arr->u.arr.n == arr->u.arr.cap) {
		arr->u.arr.cap = arr->u.arr.cap ? arr->u.arr.cap * 2 : 4;
		arr->u.arr.items = xrealloc(arr->u.arr.items,
					    arr->u.arr.cap * sizeof(*arr->u.arr.items));
	}
	arr->u.arr.items[arr->u.arr.n++] = item;
}

void xd_array_remove(xd_value *arr, size_t i)
{
	if (!arr || arr->t != XD_V_ARRAY || i >= arr->u.arr.n)
		return;
	xd_value_free(arr->u.arr.items[i]);
	memmove(&arr->u.arr.items[i], &arr->u.arr.items[i + 1],
		(arr->u.arr.n - i - 1) * sizeof(*arr->u.arr.items));
	arr->u.arr.n--;
}

static ssize_t struct_find(const xd_value *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->u.st.n; i++)
		if (strcmp(st->u.st.m[i].name, name) == 0)
			return (ssize_t)i;
	return -1;
}

void xd_struct_set_take(xd_value *st, const char *name, xd_value *v)
{
	ssize_t at;

	if (!st || st->t != XD_V_STRUCT || !name) {
		xd_value_free(v);
		return;
	}
	at = struct_find(st, name);
	if (at >= 0) {
		xd_value_free(st->u.st.m[at].v);
		st->u.st.m[at].v = v;
		return;
	}
	if (st->u.st.n == st->u.st.cap) {
		st->u.st.cap = st->u.st.cap ? st->u.st.cap * 2 : 8;
		st->u.st.m = xrealloc(st->u.st.m, st->u.st.cap * sizeof(*st->u.st.m));
	}
	st->u.st.m[st->u.st.n].name = xstrdup(name);
	st->u.st.m[st->u.st.n].v = v;
	st->u.st.n++;
}

void xd_struct_reserve(xd_value *st, size_t n)
{
	if (!st || st->t != XD_V_STRUCT || n <= st->u.st.cap)
		return;
	st->u.st.cap = n;
	st->u.st.m = xrealloc(st->u.st.m, n * sizeof(*st->u.st.m));
}

void xd_struct_append_take(xd_value *st, char *name, xd_value *v)
{
	if (!st || st->t != XD_V_STRUCT || !name) {
		free(name);
		xd_value_free(v);
		return;
	}
	if (st->u.st.n == st->u.st.cap)
		xd_struct_reserve(st, st->u.st.cap ? st->u.st.cap * 2 : 8);
	st->u.st.m[st->u.st.n].name = name;
	st->u.st.m[st->u.st.n].v = v;
	st->u.st.n++;
}

void xd_struct_append(xd_value *st, const char *name, xd_value *v)
{
	if (!st || st->t != XD_V_STRUCT || !name) {
		xd_value_free(v);
		return;
	}
	xd_struct_append_take(st, xstrdup(name), v);
}

xd_value *xd_struct_get(const xd_value *st, const char *name)
{
	ssize_t at;

	if (!st || st->t != XD_V_STRUCT || !name)
		return NULL;
	at = struct_find(st, name);
	return at >= 0 ? st->u.st.m[at].v : NULL;
}

int xd_struct_remove(xd_value *st, const char *name)
{
	ssize_t at;

	if (!st || st->t != XD_V_STRUCT || !name)
		return -1;
	at = struct_find(st, name);
	if (at < 0)
		return -1;
	free(st->u.st.m[at].name);
	xd_value_free(st->u.st.m[at].v);
	memmove(&st->u.st.m[at], &st->u.st.m[at + 1],
		(st->u.st.n - (size_t)at - 1) * sizeof(*st->u.st.m));
	st->u.st.n--;
	return 0;
}

/* ---- datetimes ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * civil-calendar algorithm); avoids timegm's dependence on TZ state. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static void put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

void xd_datetime_format(int64_t t, char out[32])
{
	/* Clamp to years 0..9999 so the text keeps xapi's fixed shape. */
	const int64_t lo = -62167219200LL, hi = 253402300799LL;
	int64_t days, secs, y;
	int m, d;

	if (t < lo)
		t = lo;
	if (t > hi)
		t = hi;
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	/* Digits by hand: the encoders call this for every datetime. */
	put2(out, (int)(y / 100));
	put2(out + 2, (int)(y % 100));
	put2(out + 4, m);
	put2(out + 6, d);
	out[8] = 'T';
	put2(out + 9, (int)(secs / 3600));
	out[11] = ':';
	put2(out + 12, (int)(secs / 60 % 60));
	out[14] = ':';
	put2(out + 15, (int)(secs % 60));
	out[17] = 'Z';
	out[18] = '\0';
}

/* Reads exactly n decimal digits. */
static int read_digits(const char **p, int n, int *out)
{
	int v = 0;

	while (n--) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

int xd_datetime_parse(const char *s, int64_t *out)
{
	const char *p = s;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	bool dashes;

	if (!s || !out)
		return -1;
	if (read_digits(&p, 4, &y) < 0)
		return -1;
	dashes = *p == '-';
	if (dashes)
		p++;
	if (read_digits(&p, 2, &mo) < 0)
		return -1;
	if (dashes && *p++ != '-')
		return -1;
	if (read_digits(&p, 2, &d) < 0)
		return -1;
	if (*p != 'T' && *p != 't')
		return -1;
	p++;
	if (read_digits(&p, 2, &h) < 0)
		return -1;
	if (*p == ':')
		p++;
	if (read_digits(&p, 2, &mi) < 0)
		return -1;
	if (*p == ':')
		p++;
	if (read_digits(&p, 2, &sec) < 0)
		return -1;
	/* Fractional seconds are accepted and dropped: xapi's dates are
	 * whole seconds. */
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		p++;
		if (read_digits(&p, 2, &oh) < 0)
			return -1;
		if (*p == ':') {
			p++;
			if (read_digits(&p, 2, &om) < 0)
				return -1;
		} else if (*p && read_digits(&p, 2, &om) < 0) {
			return -1;
		}
	}
	/* No zone at all means UTC: xapi's own dates always are. */
	if (*p != '\0')
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
	    mi > 59 || sec > 60 || oh > 23 || om > 59) /* sec 60: leap second */
		return -1;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	       sign * (oh * 3600 + om * 60);
	return 0;
}

/* ---- debug rendering ---- */

static void debug_render(xd_strbuf *sb, const xd_value *v)
{
	char dt[32];
	size_t i;

	if (!v) {
		xd_strbuf_puts(sb, "(null)");
		return;
	}
	switch (v->t) {
	case XD_V_NIL:
		xd_strbuf_puts(sb, "null");
		break;
	case XD_V_BOOL:
		xd_strbuf_puts(sb, v->u.b ? "true" : "false");
		break;
	case XD_V_INT:
		xd_strbuf_printf(sb, "%lld", (long long)v->u.i);
		break;
	case XD_V_FLOAT:
		xd_strbuf_printf(sb, "%.16g", v->u.f);
		break;
	case XD_V_STRING:
		xd_strbuf_put_json_string(sb, v->u.s);
		break;
	case XD_V_RAW:
		xd_strbuf_puts(sb, "raw(");
		xd_strbuf_append(sb, v->u.raw.s, v->u.raw.len);
		xd_strbuf_putc(sb, ')');
		break;
	case XD_V_LAZY:
		xd_strbuf_puts(sb, "lazy");
		break;
	case XD_V_DATETIME:
		xd_datetime_format(v->u.i, dt);
		xd_strbuf_printf(sb, "datetime(%s)", dt);
		break;
	case XD_V_ARRAY:
		xd_strbuf_putc(sb, '[');
		for (i = 0; i < v->u.arr.n; i++) {
			if (i)
				xd_strbuf_puts(sb, ", ");
			debug_render(sb, v->u.arr.items[i]);
		}
		xd_strbuf_putc(sb, ']');
		break;
	case XD_V_STRUCT:
		xd_strbuf_putc(sb, '{');
		for (i = 0; i < v->u.st.n; i++) {
			if (i)
				xd_strbuf_puts(sb, ", ");
			xd_strbuf_put_json_string(sb, v->u.st.m[i].name);
			xd_strbuf_puts(sb, ": ");
			debug_render(sb, v->u.st.m[i].v);
		}
		xd_strbuf_putc(sb, '}');
		break;
	}
}

char *xd_value_to_debug_string(const xd_value *v)
{
	xd_strbuf sb = XD_STRBUF_INIT;

	debug_render(&sb, v);
	return xd_strbuf_steal(&sb);
}
