/* xe_format.c - xe names, markers and value text (see xe_format.h). */
#include "xe_format.h"


#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strbuf.h"
#include "wire.h"
#include "xe_util.h"

char *xe_lower(const char *s)
{
	char *d = xe_strdup(s);

	for (char *p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

static bool named_after_target(const xd_field *f)
{
	return f->type->kind == XD_T_REF && f->type->name &&
	       strcasecmp(f->name, f->type->name) == 0;
}

char *xe_field_name(const xd_field *f)
{
	char *n;

	if (named_after_target(f)) {
		char *low = xe_lower(f->name);

		n = xe_printf("%s-uuid", low);
		free(low);
		for (char *p = n; *p; p++)
			if (*p == '_')
				*p = '-';
		return n;
	}
	n = xe_strdup(f->name);
	for (char *p = n; *p; p++)
		if (*p == '_')
			*p = '-';
	return n;
}

/* Compares a and b treating '-' and '_' as equal, case-insensitively. */
static bool loose_equal(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '-' ? '_' : (char)tolower((unsigned char)*a);
		char y = *b == '-' ? '_' : (char)tolower((unsigned char)*b);

		if (x != y)
			return false;
	}
	return *a == *b;
}

int xe_field_lookup(const xd_class *c, const char *name)
{
	int loose = -1;

	for (size_t i = 0; i < c->nfields; i++) {
		const xd_field *f = &c->fields[i];
		char *xn = xe_field_name(f);
		bool exact = strcmp(xn, name) == 0 || strcmp(f->name, name) == 0;

		if (!exact && loose < 0 && (loose_equal(xn, name) || loose_equal(f->name, name)))
			loose = (int)i;
		free(xn);
		if (exact)
			return (int)i;
	}
	return loose;
}

static bool has_message(const xd_class *c, const char *prefix, const char *field)
{
	char *name = xe_printf("%s%s", prefix, field);
	bool r = xd_dm_message(c, name) != NULL;

	free(name);
	return r;
}

bool xe_field_settable(const xd_class *c, const xd_field *f)
{
	return has_message(c, "set_", f->name);
}

bool xe_field_addable(const xd_class *c, const xd_field *f)
{
	if (f->type->kind == XD_T_MAP)
		return has_message(c, "add_to_", f->name);
	if (f->type->kind == XD_T_SET)
		return has_message(c, "add_", f->name);
	return false;
}

bool xe_field_removable(const xd_class *c, const xd_field *f)
{
	if (f->type->kind == XD_T_MAP)
		return has_message(c, "remove_from_", f->name);
	if (f->type->kind == XD_T_SET)
		return has_message(c, "remove_", f->name);
	return false;
}

const char *xe_field_marker(const xd_class *c, const xd_field *f)
{
	switch (f->type->kind) {
	case XD_T_SET:
		return xe_field_addable(c, f) ? "(SRW)" : "(SRO)";
	case XD_T_MAP:
		return xe_field_addable(c, f) ? "(MRW)" : "(MRO)";
	default:
		return xe_field_settable(c, f) ? "( RW)" : "( RO)";
	}
}

static bool is_null_ref(const char *r)
{
	return !r || !*r || strcmp(r, "OpaqueRef:NULL") == 0;
}

char *xe_format_scalar(const xd_type *t, const xd_value *v, xe_ref_fn resolve, void *ud)
{
	char dt[32];

	if (!v)
		return xe_strdup("");
	switch (t->kind) {
	case XD_T_BOOL:
		if (v->t == XD_V_BOOL)
			return xe_strdup(v->u.b ? "true" : "false");
		break;
	case XD_T_INT:
		if (v->t == XD_V_INT)
			return xe_printf("%lld", (long long)v->u.i);
		break;
	case XD_T_FLOAT:
		/* xe shows floats with three decimals. */
		if (v->t == XD_V_FLOAT)
			return xe_printf("%.3f", v->u.f);
		if (v->t == XD_V_INT)
			return xe_printf("%.3f", (double)v->u.i);
		break;
	case XD_T_DATETIME:
		if (v->t == XD_V_DATETIME) {
			xd_datetime_format(v->u.i, dt);
			return xe_strdup(dt);
		}
		break;
	case XD_T_ENUM:
		/* xe shows enum values in lower case ("running", "halted"). */
		if (v->t == XD_V_STRING)
			return xe_lower(v->u.s);
		break;
	case XD_T_REF:
		if (v->t == XD_V_STRING) {
			const char *uuid = NULL;

			if (is_null_ref(v->u.s))
				return xe_strdup(XE_NOT_IN_DB);
			if (resolve)
				uuid = resolve(ud, t->name, v->u.s);
			return xe_strdup(uuid ? uuid : XE_NOT_IN_DB);
		}
		break;
	case XD_T_SET:
	case XD_T_MAP:
		return xe_format_value(t, v, resolve, ud);
	default:
		break;
	}
	/* Whatever the declaration says, show what we were given. */
	switch (v->t) {
	case XD_V_NIL:
		return xe_strdup("");
	case XD_V_BOOL:
		return xe_strdup(v->u.b ? "true" : "false");
	case XD_V_INT:
		return xe_printf("%lld", (long long)v->u.i);
	case XD_V_FLOAT:
		return xe_printf("%.3f", v->u.f);
	case XD_V_STRING:
		return xe_strdup(v->u.s);
	case XD_V_DATETIME:
		xd_datetime_format(v->u.i, dt);
		return xe_strdup(dt);
	default: {
		xd_strbuf sb = XD_STRBUF_INIT;

		xd_json_encode_value(&sb, v);
		return sb.data ? xd_strbuf_steal(&sb) : xe_strdup("");
	}
	}
}

char *xe_format_value(const xd_type *t, const xd_value *v, xe_ref_fn resolve, void *ud)
{
	xd_strbuf sb = XD_STRBUF_INIT;

	if (!v)
		return xe_strdup("");
	if (t->kind == XD_T_SET && v->t == XD_V_ARRAY) {
		for (size_t i = 0; i < v->u.arr.n; i++) {
			char *s = xe_format_scalar(t->elem, v->u.arr.items[i], resolve, ud);

			if (i)
				xd_strbuf_puts(&sb, "; ");
			xd_strbuf_puts(&sb, s);
			free(s);
		}
	} else if (t->kind == XD_T_MAP && v->t == XD_V_STRUCT) {
		for (size_t i = 0; i < v->u.st.n; i++) {
			char *s = xe_format_scalar(t->val, v->u.st.m[i].v, resolve, ud);

			if (i)
				xd_strbuf_puts(&sb, "; ");
			xd_strbuf_printf(&sb, "%s: %s", v->u.st.m[i].name, s);
			free(s);
		}
	} else {
		return xe_format_scalar(t, v, resolve, ud);
	}
	return sb.data ? xd_strbuf_steal(&sb) : xe_strdup("");
}

xd_value *xe_parse_value(const xd_type *t, const char *text, const char *what, char **why)
{
	char *end = NULL;

	*why = NULL;
	switch (t->kind) {
	case XD_T_STRING:
		return xd_string(text);
	case XD_T_INT: {
		long long i;

		errno = 0;
		i = strtoll(text, &end, 10);
		if (errno || !*text || *end) {
			*why = xe_printf("Parameter %s must be an integer", what);
			return NULL;
		}
		return xd_int(i);
	}
	case XD_T_FLOAT: {
		double d;

		errno = 0;
		d = strtod(text, &end);
		if (errno || !*text || *end || !isfinite(d)) {
			*why = xe_printf("Parameter %s must be a floating-point number", what);
			return NULL;
		}
		return xd_float(d);
	}
	case XD_T_BOOL: {
		static const char *const yes[] = { "true", "t", "yes", "y", "1", "on", NULL };
		static const char *const no[] = { "false", "f", "no", "n", "0", "off", NULL };

		for (size_t i = 0; yes[i]; i++)
			if (strcasecmp(text, yes[i]) == 0)
				return xd_bool(true);
		for (size_t i = 0; no[i]; i++)
			if (strcasecmp(text, no[i]) == 0)
				return xd_bool(false);
		*why = xe_printf("Parameter %s must be a boolean (true or false)", what);
		return NULL;
	}
	case XD_T_DATETIME: {
		int64_t tt;

		if (xd_datetime_parse(text, &tt) < 0) {
			*why = xe_printf("Parameter %s must be a date and time (YYYYMMDDTHH:MM:SSZ)", what);
			return NULL;
		}
		return xd_string(text);
	}
	case XD_T_ENUM:
		if (t->en) {
			xd_strbuf sb = XD_STRBUF_INIT;
			xd_value *r;

			for (size_t i = 0; i < t->en->nvalues; i++)
				if (strcasecmp(text, t->en->values[i]) == 0)
					return xd_string(t->en->values[i]);
			for (size_t i = 0; i < t->en->nvalues; i++)
				xd_strbuf_printf(&sb, "%s%s", i ? ", " : "", t->en->values[i]);
			*why = xe_printf("Parameter %s must be one of: %s", what, sb.data ? sb.data : "");
			xd_strbuf_free(&sb);
			r = NULL;
			return r;
		}
		return xd_string(text);
	default:
		*why = xe_printf("Parameter %s cannot be given on the command line (type %s)", what,
			       t->text ? t->text : "?");
		return NULL;
	}
}

char *xe_render_record(const char *const *labels, const char *const *values, size_t n)
{
	xd_strbuf sb = XD_STRBUF_INIT;
	size_t width = 0;

	for (size_t i = 0; i < n; i++)
		if (strlen(labels[i]) > width)
			width = strlen(labels[i]);
	width += 4;
	for (size_t i = 0; i < n; i++) {
		int w = (int)width;

		if (i == 0)
			xd_strbuf_printf(&sb, "%-*s: %s\n", w, labels[i], values[i]);
		else
			xd_strbuf_printf(&sb, "%*s: %s\n", w, labels[i], values[i]);
	}
	if (n == 0)
		xd_strbuf_putc(&sb, '\n');
	return xd_strbuf_steal(&sb);
}

char *xe_escape_commas(const char *s)
{
	xd_strbuf sb = XD_STRBUF_INIT;

	for (; *s; s++) {
		if (*s == ',' || *s == '\\')
			xd_strbuf_putc(&sb, '\\');
		xd_strbuf_putc(&sb, *s);
	}
	return sb.data ? xd_strbuf_steal(&sb) : xe_strdup("");
}
