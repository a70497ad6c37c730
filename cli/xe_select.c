/* xe_select.c - selecting the objects an operation command acts on, as
 * upstream xe's select_vms / do_vm_op do (see xe_select.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm.h"
#include "xe_obj.h"
#include "xe_select.h"
#include "xe_util.h"
#include "xe_view.h"

void xe_failure(const char *fmt, ...)
{
	char msg[1024], param[1100];
	va_list ap;
	xd_error err = XD_ERROR_INIT;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(param, sizeof(param), "Failure: %s", msg);
	xd_error_set(&err, "INTERNAL_ERROR", param, NULL);
	xe_print_error(&err);
	xd_error_clear(&err);
}

void xe_selection_clear(xe_selection *sel)
{
	for (size_t i = 0; i < sel->n; i++) {
		free(sel->items[i].ref);
		xd_value_free(sel->items[i].rec);
	}
	free(sel->items);
	sel->items = NULL;
	sel->n = 0;
}

/* Is k a parameter that never selects (xe's own, the command's own)? A
 * "map:key" parameter counts by its map name, as upstream compares. */
static bool not_a_filter(const xe_selspec *s, const char *k)
{
	static const char *const xe_own[] = { "params", "progress", "minimal", NULL };
	size_t len = strcspn(k, ":");

	if (xe_obj_is_std_param(k))
		return true;
	if (s->name_key && strcmp(k, s->name_key) == 0)
		return true;
	for (size_t i = 0; xe_own[i]; i++)
		if (strcmp(k, xe_own[i]) == 0)
			return true;
	for (size_t i = 0; s->own && s->own[i]; i++)
		if (strlen(s->own[i]) == len && strncmp(k, s->own[i], len) == 0)
			return true;
	return false;
}

static int add_filter(const xe_view *v, const xe_selspec *s, const char *key, const char *val,
		      xe_filter **fs, size_t *n)
{
	char *why = NULL;

	*fs = xe_realloc(*fs, (*n + 1) * sizeof(**fs));
	if (xe_filter_parse(v, key, val, false, &(*fs)[*n], &why) < 0) {
		free(why);
		xe_failure("Parameter '%s' is not a field of the %s class. Failed to select %s "
			   "for operation.", key, s->one, s->one);
		return -1;
	}
	(*n)++;
	return 0;
}

static bool name_matches(const xd_class *c, const xd_value *rec, const char *want)
{
	const char *fields[2] = {
		c->uuid_field >= 0 ? c->fields[c->uuid_field].name : NULL,
		c->name_label_field >= 0 ? c->fields[c->name_label_field].name : NULL,
	};

	for (size_t i = 0; i < 2; i++) {
		const xd_value *v = fields[i] ? xd_struct_get(rec, fields[i]) : NULL;

		if (v && v->t == XD_V_STRING && strcmp(v->u.s, want) == 0)
			return true;
	}
	return false;
}

int xe_select(xe_client *x, const xe_opts *o, const xe_selspec *s, xe_selection *out)
{
	const xd_class *c = xd_dm_class(s->cls);
	const char *name = s->name_key ? xe_opts_get(o, s->name_key) : NULL;
	xe_view v;
	xe_filter *fs = NULL;
	size_t nf = 0;
	xd_value *all = NULL;
	int rc = -1;

	out->items = NULL;
	out->n = 0;
	if (!c) {
		xe_fail("the class %s is not known", s->cls);
		return -1;
	}
	xe_view_init(&v, c);
	if (s->implicit) {
		char *list = xe_strdup(s->implicit), *save = NULL;

		for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			char *eq = strchr(t, '=');

			*eq = '\0';
			if (add_filter(&v, s, t, eq + 1, &fs, &nf) < 0) {
				free(list);
				goto out;
			}
		}
		free(list);
	}
	for (size_t i = 0; i < o->nparams; i++)
		if (!not_a_filter(s, o->params[i].key) &&
		    add_filter(&v, s, o->params[i].key, o->params[i].val, &fs, &nf) < 0)
			goto out;
	all = xe_obj_all_records(x, c);
	if (!all)
		goto out;
	for (size_t i = 0; i < all->u.st.n; i++) {
		const char *ref = all->u.st.m[i].name;
		xd_value *rec = all->u.st.m[i].v;
		const xd_value *u = c->uuid_field >= 0 ? xd_struct_get(rec, c->fields[c->uuid_field].name)
						       : NULL;
		xe_row row;
		bool match = !name || name_matches(c, rec, name);

		xe_row_init(&row, &v, ref, rec);
		for (size_t k = 0; k < nf && match; k++)
			match = xe_filter_match(&fs[k], &row, &v, x);
		xe_row_clear(&row, &v);
		if (x->broken)
			goto out;
		if (!match)
			continue;
		out->items = xe_realloc(out->items, (out->n + 1) * sizeof(*out->items));
		out->items[out->n].ref = xe_strdup(ref);
		/* Steal the record: the map keeps a placeholder. */
		out->items[out->n].rec = rec;
		all->u.st.m[i].v = xd_struct();
		out->items[out->n].uuid = u && u->t == XD_V_STRING ? u->u.s : "";
		out->n++;
	}
	rc = 0;
out:
	for (size_t i = 0; i < nf; i++)
		xe_filter_clear(&fs[i]);
	free(fs);
	xd_value_free(all);
	xe_view_clear(&v);
	if (rc < 0)
		xe_selection_clear(out);
	return rc;
}

int xe_select_each(xe_client *x, const xe_opts *o, const xe_selspec *s, bool multiple_ok,
		   xe_sel_op op, void *ud)
{
	xe_selection sel;
	int rc = 0;

	if (xe_select(x, o, s, &sel) < 0)
		return 1;
	if (sel.n == 0) {
		xe_failure("No matching %s found", s->what);
		rc = 1;
	} else if (sel.n > 1 && !(multiple_ok && xe_opts_flag(o, "multiple"))) {
		if (multiple_ok)
			xe_failure("Multiple matches %s found. --multiple required to complete "
				   "the operation", s->what);
		else
			xe_failure("Multiple matches %s found. Operation can only be performed "
				   "on one %s at a time", s->what, s->one);
		rc = 1;
	} else {
		/* With --multiple every object is tried; any failure fails the run. */
		for (size_t i = 0; i < sel.n && !x->broken; i++)
			rc |= op(x, o, &sel.items[i], ud);
	}
	xe_selection_clear(&sel);
	return rc;
}

char *xe_default_sr(xe_client *x, const char *why)
{
	xd_value *pools = xe_client_call(x, "pool.get_all", NULL);
	xd_value *sr = NULL;
	char *ref = NULL;

	if (pools && pools->t == XD_V_ARRAY && pools->u.arr.n > 0)
		sr = xe_client_call(x, "pool.get_default_SR", xe_strings(1, pools->u.arr.items[0]->u.s));
	/* A default SR that was destroyed is no default. */
	if (sr && sr->t == XD_V_STRING && strcmp(sr->u.s, "OpaqueRef:NULL") != 0 &&
	    xe_client_ref_uuid(x, "SR", sr->u.s))
		ref = xe_strdup(sr->u.s);
	else if (sr && why)
		xe_failure("%s", why);
	xd_value_free(sr);
	xd_value_free(pools);
	return ref;
}
