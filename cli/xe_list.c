/* xe_list.c - the reading per-class commands: <class>-list (columns,
 * filters, --minimal), <class>-param-list and <class>-param-get.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xe_format.h"
#include "xe_obj.h"
#include "xe_util.h"
#include "xe_view.h"

static void print_row(xe_client *x, const xe_view *v, xe_row *row, const bool *sel)
{
	const char **labels = xe_calloc(v->ncols + 1, sizeof(*labels));
	const char **vals = xe_calloc(v->ncols + 1, sizeof(*vals));
	char **owned = xe_calloc(v->ncols + 1, sizeof(*owned));
	size_t n = 0;
	char *text;
	for (size_t i = 0; i < v->ncols; i++) {
		if (sel && !sel[i])
			continue;
		owned[n] = xe_view_heading(v, i);
		labels[n] = owned[n];
		vals[n] = xe_row_value(row, v, i, x);
		n++;
	}
	text = xe_render_record(labels, vals, n);
	/* xe ends every record block with two empty lines. */
	fputs(text, stdout);
	fputs("\n\n", stdout);
	free(text);
	for (size_t i = 0; i < n; i++)
		free(owned[i]);
	free(owned);
	free(labels);
	free(vals);
}

/* ---- <class>-list ---- */

static int add_filter(const xe_view *v, const char *key, const char *val, xe_filter **fs,
		      size_t *n)
{
	char *why = NULL;
	xe_filter *nf = xe_realloc(*fs, (*n + 1) * sizeof(**fs));

	*fs = nf;
	if (xe_filter_parse(v, key, val, false, &nf[*n], &why) < 0) {
		xe_fail("%s", why);
		free(why);
		return -1;
	}
	(*n)++;
	return 0;
}

static bool *select_named(const xe_view *v, const char *want);

/* Which columns to show: params=a,b (or all), else the class defaults. */
static bool *select_cols(const xe_view *v, const xe_opts *o, const xe_classinfo *ci)
{
	const char *want = xe_opts_get(o, "params");

	return select_named(v, want ? want : ci->defaults);
}

/* The columns named in want ("a,b", "" or "all": every one). */
static bool *select_named(const xe_view *v, const char *want)
{
	bool *sel = xe_calloc(v->ncols + 1, sizeof(*sel));
	char *list, *save = NULL;
	if (!*want || strcmp(want, "all") == 0) {
		for (size_t i = 0; i < v->ncols; i++)
			sel[i] = true;
		return sel;
	}
	list = xe_strdup(want);
	/* Unknown names are skipped, as xe does (some defaults are xe-computed
	 * fields we do not have). */
	for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int col = xe_view_col(v, tok);

		if (col >= 0)
			sel[col] = true;
	}
	free(list);
	return sel;
}

int xe_cmd_list(xe_client *x, const xe_opts *o, const xd_class *c, const xe_classinfo *ci)
{
	xe_view v;
	xe_filter *fs = NULL;
	size_t nf = 0;
	bool *sel = NULL;
	xd_value *all = NULL;
	bool print_all = xe_opts_flag(o, "all");
	bool first = true;
	int rc = 1;

	xe_view_init(&v, c);
	if (ci->filters) {
		char *list = xe_strdup(ci->filters), *save = NULL;

		for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			char *eq = strchr(t, '=');

			*eq = '\0';
			if (add_filter(&v, t, eq + 1, &fs, &nf) < 0) {
				free(list);
				goto out;
			}
		}
		free(list);
	}
	for (size_t i = 0; i < o->nparams; i++)
		if (!xe_obj_is_std_param(o->params[i].key) &&
		    add_filter(&v, o->params[i].key, o->params[i].val, &fs, &nf) < 0)
			goto out;
	sel = select_cols(&v, o, ci);
	all = xe_obj_all_records(x, c);
	if (!all)
		goto out;
	for (size_t i = 0; i < all->u.st.n; i++) {
		xe_row row;
		bool match = true;

		xe_row_init(&row, &v, all->u.st.m[i].name, all->u.st.m[i].v);
		for (size_t k = 0; k < nf && match && !print_all; k++)
			match = xe_filter_match(&fs[k], &row, &v, x);
		if (match) {
			if (o->minimal) {
				/* The first shown field of each record. */
				size_t col = 0;

				while (col < v.ncols && !sel[col])
					col++;
				if (col < v.ncols) {
					char *e = xe_escape_commas(xe_row_value(&row, &v, col, x));

					printf("%s%s", first ? "" : ",", e);
					free(e);
					first = false;
				}
			} else {
				print_row(x, &v, &row, sel);
			}
		}
		xe_row_clear(&row, &v);
		if (x->broken)
			goto out;
	}
	if (o->minimal)
		printf("\n");
	rc = 0;
out:
	for (size_t i = 0; i < nf; i++)
		xe_filter_clear(&fs[i]);
	free(fs);
	free(sel);
	xd_value_free(all);
	xe_view_clear(&v);
	return rc;
}

/* ---- <class>-param-list / -param-get ---- */

int xe_cmd_param_list(xe_client *x, const xe_opts *o, const xd_class *c, const xe_classinfo *ci)
{
	xe_view v;
	xe_row row;
	char *ref = NULL;
	xd_value *rec = NULL;

	if (xe_obj_fetch(x, o, c, &ref, &rec) < 0)
		return 1;
	xe_view_init(&v, c);
	xe_row_init(&row, &v, ref, rec);
	print_row(x, &v, &row, NULL);
	xe_row_clear(&row, &v);
	xe_view_clear(&v);
	xd_value_free(rec);
	free(ref);
	return x->broken ? 1 : 0;
}

int xe_cmd_param_get(xe_client *x, const xe_opts *o, const xd_class *c, const xe_classinfo *ci)
{
	const char *name = xe_obj_required(o, "param-name");
	const char *key = xe_opts_get(o, "param-key");
	xe_view v;
	xe_row row;
	char *ref = NULL;
	xd_value *rec = NULL;
	int col, rc = 1;

	if (!name)
		return 1;
	xe_view_init(&v, c);
	col = xe_view_col(&v, name);
	if (col < 0) {
		xe_fail("Unknown field '%s'", name);
		xe_view_clear(&v);
		return 1;
	}
	if (xe_obj_fetch(x, o, c, &ref, &rec) < 0) {
		xe_view_clear(&v);
		return 1;
	}
	xe_row_init(&row, &v, ref, rec);
	if (key && !v.cols[col].ref_name &&
	    c->fields[v.cols[col].field].type->kind == XD_T_MAP) {
		const xd_field *f = &c->fields[v.cols[col].field];
		const xd_value *m = xd_struct_get(rec, f->name);
		const xd_value *item = m && m->t == XD_V_STRUCT ? xd_struct_get(m, key) : NULL;

		if (!item) {
			xe_fail("Key %s not found in map", key);
			goto out;
		}
		{
			/* Map values that are refs are shown by uuid. */
			char *s = xe_format_scalar(f->type->val, item, xe_client_resolve, x);

			printf("%s\n", s);
			free(s);
		}
	} else {
		printf("%s\n", xe_row_value(&row, &v, (size_t)col, x));
	}
	rc = x->broken ? 1 : 0;
out:
	xe_row_clear(&row, &v);
	xe_view_clear(&v);
	xd_value_free(rec);
	free(ref);
	return rc;
}


void xe_print_fields(xe_client *x, const xd_class *c, const char *ref, const xd_value *rec,
		     const char *want)
{
	xe_view v;
	xe_row row;
	bool *sel;

	xe_view_init(&v, c);
	sel = select_named(&v, want);
	xe_row_init(&row, &v, ref, rec);
	print_row(x, &v, &row, sel);
	xe_row_clear(&row, &v);
	free(sel);
	xe_view_clear(&v);
}
