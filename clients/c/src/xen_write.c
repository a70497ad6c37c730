/* xen_write.c - the XML-RPC request body from typed argument slots. Ints
 * travel as strings, as xapi's own clients send them (XML-RPC's i4 is only
 * 32 bits); a NULL string or ref as "" (xapi's empty value). */
#include "xen_parse.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void xen_buf_put(xen_buf_ *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 1024;
		char *ns;

		while (ncap < b->len + n + 1)
			ncap *= 2;
		if (!(ns = realloc(b->s, ncap))) {
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = ncap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void xen_buf_puts(xen_buf_ *b, const char *s)
{
	xen_buf_put(b, s, strlen(s));
}

static void put_escaped(xen_buf_ *b, const char *s)
{
	const char *run = s;

	for (; s && *s; s++) {
		const char *e = NULL;

		switch (*s) {
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '&': e = "&amp;"; break;
		case '"': e = "&quot;"; break;
		case '\r': e = "&#13;"; break; /* a raw CR would be read back as LF */
		default: continue;
		}
		xen_buf_put(b, run, (size_t)(s - run));
		xen_buf_puts(b, e);
		run = s + 1;
	}
	if (run)
		xen_buf_puts(b, run);
}

static void put_scalar(xen_buf_ *b, const char *tag, const char *text)
{
	xen_buf_puts(b, "<value><");
	xen_buf_puts(b, tag);
	xen_buf_puts(b, ">");
	put_escaped(b, text);
	xen_buf_puts(b, "</");
	xen_buf_puts(b, tag);
	xen_buf_puts(b, "></value>");
}

/* A slot as map key text (a struct member name). */
static void key_text(const xen_type_ *t, const void *slot, char *tmp, size_t n, const char **out)
{
	switch (t->kind) {
	case XK_INT: snprintf(tmp, n, "%" PRId64, *(const int64_t *)slot); *out = tmp; break;
	case XK_CINT: snprintf(tmp, n, "%d", *(const int *)slot); *out = tmp; break;
	case XK_ENUM: *out = xen_enum_to_string_(t, *(const int *)slot); break;
	default: *out = *(char *const *)slot ? *(char *const *)slot : ""; break;
	}
}

static void put_value(xen_buf_ *b, const xen_type_ *t, const void *slot)
{
	char tmp[64];
	size_t i;

	switch (t->kind) {
	case XK_STRING:
		put_scalar(b, "string", *(char *const *)slot ? *(char *const *)slot : "");
		return;
	case XK_INT:
	case XK_CINT:
	case XK_ENUM:
		{
			const char *s;

			key_text(t, slot, tmp, sizeof(tmp), &s);
			put_scalar(b, "string", s);
		}
		return;
	case XK_FLOAT:
		snprintf(tmp, sizeof(tmp), "%.17g", *(const double *)slot);
		put_scalar(b, "double", tmp);
		return;
	case XK_BOOL:
		put_scalar(b, "boolean", *(const bool *)slot ? "1" : "0");
		return;
	case XK_DATETIME: {
		time_t tt = *(const time_t *)slot;
		struct tm tm;

		gmtime_r(&tt, &tm);
		strftime(tmp, sizeof(tmp), "%Y%m%dT%H:%M:%SZ", &tm);
		put_scalar(b, "dateTime.iso8601", tmp);
		return;
	}
	case XK_REF_OPT: {
		const xen_opt_ *o = *(xen_opt_ *const *)slot;
		const char *ref = "";

		/* A record in a ref's place stands for the object it describes. */
		if (o && !o->is_record && o->u.handle)
			ref = o->u.handle;
		else if (o && o->is_record && o->u.record && *(char **)o->u.record)
			ref = *(char **)o->u.record;
		put_scalar(b, "string", ref);
		return;
	}
	case XK_SET: {
		const char *set = *(const char *const *)slot;
		size_t n = set ? *(const size_t *)set : 0;

		xen_buf_puts(b, "<value><array><data>");
		for (i = 0; i < n; i++)
			put_value(b, t->elem, set + sizeof(size_t) + i * t->size);
		xen_buf_puts(b, "</data></array></value>");
		return;
	}
	case XK_MAP: {
		const char *map = *(const char *const *)slot;
		size_t n = map ? *(const size_t *)map : 0;

		xen_buf_puts(b, "<value><struct>");
		for (i = 0; i < n; i++) {
			const char *e = map + sizeof(size_t) + i * t->size, *k;

			key_text(t->elem, e, tmp, sizeof(tmp), &k);
			xen_buf_puts(b, "<member><name>");
			put_escaped(b, k);
			xen_buf_puts(b, "</name>");
			put_value(b, t->val, e + t->val_offset);
			xen_buf_puts(b, "</member>");
		}
		xen_buf_puts(b, "</struct></value>");
		return;
	}
	case XK_RECORD: {
		const char *rec = *(const char *const *)slot;

		xen_buf_puts(b, "<value><struct>");
		for (i = 0; rec && i < t->nmembers; i++) {
			xen_buf_puts(b, "<member><name>");
			xen_buf_puts(b, t->members[i].name);
			xen_buf_puts(b, "</name>");
			put_value(b, t->members[i].type, rec + t->members[i].offset);
			xen_buf_puts(b, "</member>");
		}
		xen_buf_puts(b, "</struct></value>");
		return;
	}
	}
}

void xen_write_call_(xen_buf_ *b, const char *method, const xen_arg_ *args, size_t nargs)
{
	size_t i;

	xen_buf_puts(b, "<?xml version=\"1.0\"?><methodCall><methodName>");
	put_escaped(b, method);
	xen_buf_puts(b, "</methodName><params>");
	for (i = 0; i < nargs; i++) {
		xen_buf_puts(b, "<param>");
		put_value(b, args[i].type, args[i].slot);
		xen_buf_puts(b, "</param>");
	}
	xen_buf_puts(b, "</params></methodCall>");
}
