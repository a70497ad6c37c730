/* xe_change.c - the writing per-class commands: <class>-param-set, -add,
 * -remove, -clear. Every argument is checked and turned into calls first
 * (a "plan"); only then are the calls sent, so a bad argument changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xe_format.h"
#include "xe_obj.h"
#include "xe_util.h"
#include "xe_view.h"

/* The text as a value of field type t for a setter: refs are given by
 * uuid ("" = the null ref), the rest parsed. Prints the error, NULL. */
static xd_value *arg_value(xe_client *x, const xd_type *t, const char *text, const char *what)
{
	char *why = NULL;
	xd_value *v;

	if (t->kind == XD_T_REF) {
		char *ref;

		if (!*text)
			return xd_string("OpaqueRef:NULL");
		if (strncmp(text, "OpaqueRef:", 10) == 0)
			return xd_string(text);
		if (!t->name || !xd_dm_class(t->name)) {
			xe_fail("Parameter %s refers to a class this client does not know", what);
			return NULL;
		}
		ref = xe_client_ref_by_uuid(x, t->name, text);
		return ref ? xd_string_take(ref) : NULL;
	}
	v = xe_parse_value(t, text, what, &why);
	if (!v) {
		xe_fail("%s", why);
		free(why);
	}
	return v;
}


/* ---- changes: planned first, then sent, so a bad argument changes nothing ---- */

typedef struct plan_step {
	char *method;
	xd_value *args; /* without the session */
} plan_step;

typedef struct plan {
	plan_step *steps;
	size_t n;
} plan;

static void plan_add(plan *p, const xd_class *c, const char *prefix, const xd_field *f,
		     xd_value *args)
{
	plan_step *n = xe_realloc(p->steps, (p->n + 1) * sizeof(*n));

	p->steps = n;
	n[p->n].method = xe_printf("%s.%s%s", c->name, prefix, f->name);
	n[p->n].args = args;
	p->n++;
}

static int plan_run(xe_client *x, plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		xd_value *r = xe_client_call(x, p->steps[i].method, p->steps[i].args);

		p->steps[i].args = NULL;
		if (!r)
			return 1;
		xd_value_free(r);
	}
	return 0;
}

static void plan_clear(plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->steps[i].method);
		xd_value_free(p->steps[i].args);
	}
	free(p->steps);
	memset(p, 0, sizeof(*p));
}

/* [ref, a] / [ref, a, b] */
static xd_value *args2(const char *ref, xd_value *a, xd_value *b)
{
	xd_value *arr = xd_array();

	xd_array_append_take(arr, xd_string(ref));
	if (a)
		xd_array_append_take(arr, a);
	if (b)
		xd_array_append_take(arr, b);
	return arr;
}

/* Finds the field behind a param-name; prints the error. */
static const xd_field *named_field(const xe_view *v, const char *name)
{
	int col = xe_view_col(v, name);

	if (col < 0) {
		xe_fail("Unknown field '%s'", name);
		return NULL;
	}
	if (v->cols[col].ref_name) {
		xe_fail("Field '%s' is read-only.", v->cols[col].label);
		return NULL;
	}
	return &v->cls->fields[v->cols[col].field];
}

/* map:key=value in param-set: replaces the key (remove, then add). */
static int plan_map_entry(xe_client *x, const xe_view *v, const char *ref, const xd_value *rec,
			  const char *k, const char *val, plan *p)
{
	const char *colon = strchr(k, ':');
	char *base = xe_strndup(k, (size_t)(colon - k));
	const xd_field *f;
	xd_value *value;
	const xd_value *cur;
	int col, rc = -1;
	col = xe_view_col(v, base);
	if (col < 0 || v->cols[col].ref_name) {
		xe_fail("Unknown field '%s'", k);
		goto out;
	}
	f = &v->cls->fields[v->cols[col].field];
	if (f->type->kind == XD_T_SET) {
		xe_fail("Cannot param-set on set fields");
		goto out;
	}
	if (f->type->kind != XD_T_MAP) {
		xe_fail("Field '%s' is not a set or map", v->cols[col].label);
		goto out;
	}
	if (!xe_field_addable(v->cls, f) || !xe_field_removable(v->cls, f)) {
		xe_fail("Map field '%s' is read-only.", v->cols[col].label);
		goto out;
	}
	value = arg_value(x, f->type->val, val, k);
	if (!value)
		goto out;
	cur = xd_struct_get(rec, f->name);
	if (cur && cur->t == XD_V_STRUCT && xd_struct_get(cur, colon + 1))
		plan_add(p, v->cls, "remove_from_", f, args2(ref, xd_string(colon + 1), NULL));
	plan_add(p, v->cls, "add_to_", f, args2(ref, xd_string(colon + 1), value));
	rc = 0;
out:
	free(base);
	return rc;
}

int xe_cmd_param_set(xe_client *x, const xe_opts *o, const xd_class *c, const xe_classinfo *ci)
{
	xe_view v;
	plan p = { 0 };
	char *ref = NULL;
	xd_value *rec = NULL;
	int rc = 1;

	xe_view_init(&v, c);
	if (xe_obj_fetch(x, o, c, &ref, &rec) < 0)
		goto out;
	for (size_t i = 0; i < o->nparams; i++) {
		const char *k = o->params[i].key, *val = o->params[i].val;
		const xd_field *f;
		xd_value *value;
		int col;

		if (strcmp(k, "uuid") == 0 || xe_obj_is_std_param(k))
			continue;
		col = xe_view_col(&v, k);
		if (col < 0 && strchr(k, ':')) {
			if (plan_map_entry(x, &v, ref, rec, k, val, &p) < 0)
				goto out;
			continue;
		}
		if (col < 0) {
			/* xe's older syntax for map keys: other-config-foo=bar */
			xe_filter legacy;
			char *why = NULL;

			if (xe_filter_parse(&v, k, val, false, &legacy, &why) == 0 &&
			    legacy.kind == XE_F_MAP_KEY) {
				const xd_field *mf = &c->fields[legacy.field];
				char *label = xe_field_name(mf);
				char *mk = xe_printf("%s:%s", label, legacy.key);
				int r = plan_map_entry(x, &v, ref, rec, mk, val, &p);

				free(mk);
				free(label);
				xe_filter_clear(&legacy);
				if (r < 0)
					goto out;
				continue;
			}
			if (why)
				free(why);
			else
				xe_filter_clear(&legacy);
			xe_fail("Unknown field '%s'", k);
			goto out;
		}
		f = named_field(&v, k);
		if (!f)
			goto out;
		if (!xe_field_settable(c, f)) {
			if ((f->type->kind == XD_T_MAP || f->type->kind == XD_T_SET) &&
			    xe_field_addable(c, f))
				xe_fail("Field '%s' is a map or set. use the 'name:key=value' syntax.",
					v.cols[col].label);
			else
				xe_fail("Field '%s' is read-only.", v.cols[col].label);
			goto out;
		}
		if (f->type->kind == XD_T_MAP || f->type->kind == XD_T_SET) {
			xe_fail("Field '%s' is a map or set. use the 'name:key=value' syntax.",
				v.cols[col].label);
			goto out;
		}
		value = arg_value(x, f->type, val, v.cols[col].label);
		if (!value)
			goto out;
		plan_add(&p, c, "set_", f, args2(ref, value, NULL));
	}
	rc = plan_run(x, &p);
out:
	plan_clear(&p);
	xd_value_free(rec);
	free(ref);
	xe_view_clear(&v);
	return rc;
}

/* ---- <class>-param-add / -remove / -clear ---- */

/* What param-add and param-remove check before they change anything: the
 * field exists, is a set or a map, may be changed (writable), and the
 * object exists. Fills *f, *ref and *rec; returns 0, or -1 after saying why. */
static int collection_field(xe_client *x, const xe_opts *o, const xd_class *c, const xe_view *v,
			    const char *name, bool adding, const xd_field **f, char **ref,
			    xd_value **rec)
{
	*f = named_field(v, name);
	if (!*f)
		return -1;
	if ((*f)->type->kind != XD_T_SET && (*f)->type->kind != XD_T_MAP) {
		xe_fail(adding ? "Can only add to parameters of type Set or Map"
			       : "Can only remove from parameters of type Set or Map");
		return -1;
	}
	if (adding ? !xe_field_addable(c, *f) : !xe_field_removable(c, *f)) {
		xe_fail(adding ? "Parameter is read-only" : "Cannot remove parameters from read-only map");
		return -1;
	}
	return xe_obj_fetch(x, o, c, ref, rec) < 0 ? -1 : 0;
}

int xe_cmd_param_add(xe_client *x, const xe_opts *o, const xd_class *c, const xe_classinfo *ci)
{
	const char *name = xe_obj_required(o, "param-name");
	const char *key = xe_opts_get(o, "param-key");
	const xd_field *f;
	xe_view v;
	plan p = { 0 };
	char *ref = NULL;
	xd_value *rec = NULL;
	int rc = 1;

	if (!name)
		return 1;
	xe_view_init(&v, c);
	if (collection_field(x, o, c, &v, name, true, &f, &ref, &rec) < 0)
		goto out;
	if (f->type->kind == XD_T_SET) {
		/* param-key=<member>, or the members as bare words. */
		size_t n = 0;

		if (key) {
			xd_value *item = arg_value(x, f->type->elem, key, name);

			if (!item)
				goto out;
			plan_add(&p, c, "add_", f, args2(ref, item, NULL));
			n++;
		}
		for (size_t i = 0; i < o->nwords; i++) {
			xd_value *item = arg_value(x, f->type->elem, o->words[i], name);

			if (!item)
				goto out;
			plan_add(&p, c, "add_", f, args2(ref, item, NULL));
			n++;
		}
		if (n == 0) {
			xe_fail("When adding a key to a set, use the syntax: *-param-add "
				"param-name=<name> param-key=<key>");
			goto out;
		}
	} else {
		for (size_t i = 0; i < o->nparams; i++) {
			const char *k = o->params[i].key;
			xd_value *val;

			if (strcmp(k, "uuid") == 0 || strcmp(k, "param-name") == 0 ||
			    strcmp(k, "param-key") == 0 || xe_obj_is_std_param(k))
				continue;
			val = arg_value(x, f->type->val, o->params[i].val, k);
			if (!val)
				goto out;
			plan_add(&p, c, "add_to_", f, args2(ref, xd_string(k), val));
		}
		if (p.n == 0) {
			xe_fail("When adding to a map, give the entries as key=value");
			goto out;
		}
	}
	rc = plan_run(x, &p);
out:
	plan_clear(&p);
	xd_value_free(rec);
	free(ref);
	xe_view_clear(&v);
	return rc;
}

/* Is the text one of the set's members (as shown, or as sent)? Returns
 * the member's raw value, or NULL. */
static const xd_value *set_member(xe_client *x, const xd_type *t, const xd_value *set,
				  const char *text)
{
	if (!set || set->t != XD_V_ARRAY)
		return NULL;
	for (size_t i = 0; i < set->u.arr.n; i++) {
		const xd_value *it = set->u.arr.items[i];
		char *shown;
		bool same;

		if (it->t == XD_V_STRING && strcmp(it->u.s, text) == 0)
			return it;
		shown = xe_format_scalar(t->elem, it, NULL, NULL);
		same = t->elem->kind == XD_T_ENUM ? strcasecmp(shown, text) == 0
						  : strcmp(shown, text) == 0;
		free(shown);
		if (!same && t->elem->kind == XD_T_REF && it->t == XD_V_STRING) {
			const char *u = xe_client_ref_uuid(x, t->elem->name, it->u.s);

			same = u && strcmp(u, text) == 0;
		}
		if (same)
			return it;
	}
	return NULL;
}

int xe_cmd_param_remove(xe_client *x, const xe_opts *o, const xd_class *c, const xe_classinfo *ci)
{
	const char *name = xe_obj_required(o, "param-name");
	const char *key = name ? xe_obj_required(o, "param-key") : NULL;
	const xd_field *f;
	const xd_value *cur;
	xe_view v;
	plan p = { 0 };
	char *ref = NULL;
	xd_value *rec = NULL;
	int rc = 1;

	if (!name || !key)
		return 1;
	xe_view_init(&v, c);
	if (collection_field(x, o, c, &v, name, false, &f, &ref, &rec) < 0)
		goto out;
	cur = xd_struct_get(rec, f->name);
	if (f->type->kind == XD_T_SET) {
		const xd_value *m = set_member(x, f->type, cur, key);

		if (!m) {
			xe_fail("Key %s is not in the set", key);
			goto out;
		}
		plan_add(&p, c, "remove_", f, args2(ref, xd_value_copy(m), NULL));
	} else {
		if (!cur || cur->t != XD_V_STRUCT || !xd_struct_get(cur, key)) {
			xe_fail("Key %s is not in map", key);
			goto out;
		}
		plan_add(&p, c, "remove_from_", f, args2(ref, xd_string(key), NULL));
	}
	rc = plan_run(x, &p);
out:
	plan_clear(&p);
	xd_value_free(rec);
	free(ref);
	xe_view_clear(&v);
	return rc;
}

int xe_cmd_param_clear(xe_client *x, const xe_opts *o, const xd_class *c, const xe_classinfo *ci)
{
	const char *name = xe_obj_required(o, "param-name");
	const xd_field *f;
	const xd_value *cur;
	xe_view v;
	plan p = { 0 };
	char *ref = NULL;
	xd_value *rec = NULL;
	int rc = 1;

	if (!name)
		return 1;
	xe_view_init(&v, c);
	f = named_field(&v, name);
	if (!f)
		goto out;
	if (xe_obj_fetch(x, o, c, &ref, &rec) < 0)
		goto out;
	cur = xd_struct_get(rec, f->name);
	if (f->type->kind == XD_T_SET || f->type->kind == XD_T_MAP) {
		bool is_map = f->type->kind == XD_T_MAP;

		if (xe_field_settable(c, f)) {
			/* One call: set_<f> to the empty set or map. */
			plan_add(&p, c, "set_", f, args2(ref, is_map ? xd_struct() : xd_array(), NULL));
		} else if (xe_field_removable(c, f)) {
			if (is_map && cur && cur->t == XD_V_STRUCT)
				for (size_t i = 0; i < cur->u.st.n; i++)
					plan_add(&p, c, "remove_from_", f,
						 args2(ref, xd_string(cur->u.st.m[i].name), NULL));
			if (!is_map && cur && cur->t == XD_V_ARRAY)
				for (size_t i = 0; i < cur->u.arr.n; i++)
					plan_add(&p, c, "remove_", f,
						 args2(ref, xd_value_copy(cur->u.arr.items[i]), NULL));
		} else {
			xe_fail("Can only clear RW parameters");
			goto out;
		}
	} else if (xe_field_settable(c, f)) {
		if (f->type->kind == XD_T_STRING)
			plan_add(&p, c, "set_", f, args2(ref, xd_string(""), NULL));
		else if (f->type->kind == XD_T_REF)
			plan_add(&p, c, "set_", f, args2(ref, xd_string("OpaqueRef:NULL"), NULL));
		else {
			xe_fail("Cannot clear this parameter");
			goto out;
		}
	} else {
		xe_fail("Can only clear RW parameters");
		goto out;
	}
	rc = plan_run(x, &p);
out:
	plan_clear(&p);
	xd_value_free(rec);
	free(ref);
	xe_view_clear(&v);
	return rc;
}

