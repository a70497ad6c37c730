/* xe_view.c - columns, rows and filters of xe (see xe_view.h). */
#include "xe_view.h"


#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xe_format.h"
#include "xe_util.h"

static void add_col(xe_view *v, char *label, const char *marker, int field, bool ref_name)
{
	xe_col *n = xe_realloc(v->cols, (v->ncols + 1) * sizeof(*n));

	v->cols = n;
	n[v->ncols].label = label;
	n[v->ncols].marker = marker;
	n[v->ncols].field = field;
	n[v->ncols].ref_name = ref_name;
	v->ncols++;
}

void xe_view_init(xe_view *v, const xd_class *c)
{
	memset(v, 0, sizeof(*v));
	v->cls = c;
	for (size_t i = 0; i < c->nfields; i++) {
		const xd_field *f = &c->fields[i];
		char *label = xe_field_name(f);
		size_t n = strlen(label);
		const xd_class *target;

		add_col(v, label, xe_field_marker(c, f), (int)i, false);
		/* "vm-uuid" gets a "vm-name-label" companion when the target
		 * class has names. */
		if (f->type->kind != XD_T_REF || n < 5 || strcmp(label + n - 5, "-uuid") != 0)
			continue;
		target = f->type->name ? xd_dm_class(f->type->name) : NULL;
		if (!target || target->name_label_field < 0)
			continue;
		add_col(v, xe_printf("%.*s-name-label", (int)(n - 5), label), "( RO)", (int)i, true);
	}
}

void xe_view_clear(xe_view *v)
{
	for (size_t i = 0; i < v->ncols; i++)
		free(v->cols[i].label);
	free(v->cols);
	memset(v, 0, sizeof(*v));
}

/* Compares a and b treating '-' and '_' as equal, case-insensitively. */
static bool loose_equal(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '-' ? '_' : *a;
		char y = *b == '-' ? '_' : *b;

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return *a == *b;
}

int xe_view_col(const xe_view *v, const char *name)
{
	int f;

	for (size_t i = 0; i < v->ncols; i++)
		if (strcmp(v->cols[i].label, name) == 0)
			return (int)i;
	for (size_t i = 0; i < v->ncols; i++)
		if (loose_equal(v->cols[i].label, name))
			return (int)i;
	/* The wire name ("name_label", "VM") of a real field. */
	f = xe_field_lookup(v->cls, name);
	if (f < 0)
		return -1;
	for (size_t i = 0; i < v->ncols; i++)
		if (v->cols[i].field == f && !v->cols[i].ref_name)
			return (int)i;
	return -1;
}

char *xe_view_heading(const xe_view *v, size_t col)
{
	const xe_col *c = &v->cols[col];
	const xd_field *f = &v->cls->fields[c->field];

	return xe_printf("%s %s%s", c->label, c->marker,
		       f->deprecated && !c->ref_name ? " [DEPRECATED]" : "");
}

void xe_row_init(xe_row *r, const xe_view *v, const char *ref, const xd_value *rec)
{
	r->ref = ref;
	r->rec = rec;
	r->vals = xe_calloc(v->ncols ? v->ncols : 1, sizeof(*r->vals));
}

void xe_row_clear(xe_row *r, const xe_view *v)
{
	if (r->vals)
		for (size_t i = 0; i < v->ncols; i++)
			free(r->vals[i]);
	free(r->vals);
	memset(r, 0, sizeof(*r));
}

static const xd_value *field_value(const xe_row *r, const xd_field *f)
{
	return r->rec && r->rec->t == XD_V_STRUCT ? xd_struct_get(r->rec, f->name) : NULL;
}

const char *xe_row_value(xe_row *r, const xe_view *v, size_t col, xe_client *x)
{
	const xe_col *c = &v->cols[col];
	const xd_field *f = &v->cls->fields[c->field];
	const xd_value *fv;

	if (r->vals[col])
		return r->vals[col];
	fv = field_value(r, f);
	if (c->ref_name) {
		const char *name = NULL;

		if (fv && fv->t == XD_V_STRING && strcmp(fv->u.s, "OpaqueRef:NULL") != 0 && *fv->u.s)
			name = xe_client_ref_name(x, f->type->name, fv->u.s);
		r->vals[col] = xe_strdup(name ? name : XE_NOT_IN_DB);
	} else {
		r->vals[col] = xe_format_value(f->type, fv, xe_client_resolve, x);
	}
	return r->vals[col];
}

int xe_filter_parse(const xe_view *v, const char *key, const char *value, bool allow_negate,
		    xe_filter *f, char **why)
{
	const char *colon;
	int col;

	memset(f, 0, sizeof(*f));
	*why = NULL;
	if (allow_negate && strncmp(value, "/=", 2) == 0) {
		f->negate = true;
		value += 2;
	}
	col = xe_view_col(v, key);
	if (col >= 0) {
		f->kind = XE_F_FIELD;
		f->col = (size_t)col;
		goto ok;
	}
	colon = strchr(key, ':');
	if (colon) {
		char *base = xe_strndup(key, (size_t)(colon - key));
		int bc;

		bc = xe_view_col(v, base);
		free(base);
		if (bc < 0 || v->cols[bc].ref_name) {
			*why = xe_printf("Unknown field '%s'", key);
			return -1;
		}
		f->field = v->cols[bc].field;
		switch (v->cls->fields[f->field].type->kind) {
		case XD_T_MAP:
			f->kind = XE_F_MAP_KEY;
			f->key = xe_strdup(colon + 1);
			goto ok;
		case XD_T_SET:
			if (strcmp(colon + 1, "contains") != 0) {
				*why = xe_printf("Invalid syntax for set filtering (should be "
					       "set-param:contains=key)");
				return -1;
			}
			f->kind = XE_F_SET_CONTAINS;
			goto ok;
		default:
			*why = xe_printf("Field '%s' is not a set or map", v->cols[bc].label);
			return -1;
		}
	}
	/* xe's older map syntax: <map-name>-<key>=value, longest map name first. */
	{
		size_t best_len = 0;
		int best = -1;

		for (size_t i = 0; i < v->ncols; i++) {
			const xe_col *c = &v->cols[i];
			size_t n = strlen(c->label);

			if (c->ref_name || v->cls->fields[c->field].type->kind != XD_T_MAP)
				continue;
			if (strncmp(key, c->label, n) == 0 && key[n] == '-' && key[n + 1] &&
			    n > best_len) {
				best = (int)i;
				best_len = n;
			}
		}
		if (best >= 0) {
			f->kind = XE_F_MAP_KEY;
			f->field = v->cols[best].field;
			f->key = xe_strdup(key + best_len + 1);
			goto ok;
		}
	}
	*why = xe_printf("Unknown field '%s'", key);
	return -1;
ok:
	f->value = xe_strdup(value);
	return 0;
}

static bool same_text(const xd_type *t, const char *a, const char *b)
{
	/* Enums are shown in lower case: let "Running" match "running". */
	if (t && t->kind == XD_T_ENUM)
		return strcasecmp(a, b) == 0;
	return strcmp(a, b) == 0;
}

bool xe_filter_match(const xe_filter *f, xe_row *r, const xe_view *v, xe_client *x)
{
	bool m = false;

	if (f->kind == XE_F_FIELD) {
		const xe_col *c = &v->cols[f->col];
		const xd_type *t = c->ref_name ? NULL : v->cls->fields[c->field].type;

		m = same_text(t, xe_row_value(r, v, f->col, x), f->value);
	} else {
		const xd_field *fd = &v->cls->fields[f->field];
		const xd_value *fv = field_value(r, fd);

		if (f->kind == XE_F_MAP_KEY && fv && fv->t == XD_V_STRUCT) {
			const xd_value *item = xd_struct_get(fv, f->key);

			if (item) {
				char *s = xe_format_scalar(fd->type->val, item, xe_client_resolve, x);

				m = same_text(fd->type->val, s, f->value);
				free(s);
			}
		} else if (f->kind == XE_F_SET_CONTAINS && fv && fv->t == XD_V_ARRAY) {
			for (size_t i = 0; i < fv->u.arr.n && !m; i++) {
				char *s = xe_format_scalar(fd->type->elem, fv->u.arr.items[i],
							   xe_client_resolve, x);

				m = same_text(fd->type->elem, s, f->value);
				free(s);
			}
		}
	}
	return f->negate ? !m : m;
}

void xe_filter_clear(xe_filter *f)
{
	free(f->key);
	free(f->value);
	memset(f, 0, sizeof(*f));
}
