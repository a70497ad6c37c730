/* xe_obj.c - the per-class commands of xe: <class>-list and the
 * <class>-param-* family, over the generic XenAPI messages (get_all_records,
 * get_by_uuid, get_record, set_<f>, add_to_/remove_from_<f>, add_/remove_<f>).
 */
#include "xe_cmds.h"


#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xe_format.h"
#include "xe_view.h"
#include "xe_util.h"

/* ---- the classes xe knows by name ---- */

static const xe_classinfo classes[] = {
	{ "vm", "VM", "name-label,uuid,power-state", "is-a-template=false", "VMs" },
	{ "template", "VM", "name-label,name-description,uuid",
	  "is-a-template=true,is-a-snapshot=false", "templates" },
	{ "snapshot", "VM", "name-label,name-description,uuid,snapshot-of,snapshot-time",
	  "is-a-snapshot=true", "snapshots" },
	{ "host", "host", "uuid,name-label,name-description", NULL, "hosts" },
	{ "host-cpu", "host_cpu", "uuid,number,vendor,speed,utilisation", NULL, "host CPUs" },
	{ "host-metrics", "host_metrics", "uuid,memory-total,live,last-updated", NULL,
	  "host metrics objects" },
	{ "pool", "pool", "uuid,name-label,name-description,master,default-SR", NULL, "pools" },
	{ "sr", "SR", "uuid,name-label,name-description,host,type,content-type", NULL, "SRs" },
	{ "vdi", "VDI", "uuid,name-label,name-description,virtual-size,read-only,sharable,sr-uuid",
	  NULL, "VDIs" },
	{ "vbd", "VBD", "uuid,vm-uuid,vm-name-label,vdi-uuid,device,empty", NULL, "VBDs" },
	{ "pbd", "PBD", "uuid,host-uuid,sr-uuid,device-config,currently-attached", NULL, "PBDs" },
	{ "sm", "SM", "uuid,type,name-label,name-description,vendor,copyright,configuration", NULL,
	  "SM (storage driver) objects" },
	{ "network", "network", "uuid,name-label,name-description,bridge", NULL, "networks" },
	{ "vif", "VIF", "uuid,device,vm-uuid,network-uuid", NULL, "VIFs" },
	{ "pif", "PIF", "uuid,device,VLAN,MAC,network-uuid,currently-attached,host-uuid", NULL,
	  "PIFs" },
	{ "bond", "Bond", "uuid,master,slaves", NULL, "bonds" },
	{ "vlan", "VLAN", "uuid,tagged-PIF,untagged-PIF,tag", NULL, "VLANs" },
	{ "tunnel", "tunnel", "uuid,transport-PIF,access-PIF,status", NULL, "tunnels" },
	{ "console", "console", "uuid,vm-uuid,vm-name-label,protocol,location", NULL, "consoles" },
	{ "task", "task", "uuid,name-label,name-description,status,progress", NULL, "tasks" },
	{ "message", "message", "", NULL, "messages" },
	{ "secret", "secret", "", NULL, "secrets" },
	{ "blob", "blob", "uuid,name-label,mime-type", NULL, "blobs" },
};

size_t xe_classinfo_count(void)
{
	return sizeof(classes) / sizeof(classes[0]);
}

const xe_classinfo *xe_classinfo_at(size_t i)
{
	return i < xe_classinfo_count() ? &classes[i] : NULL;
}

/* For served classes without an entry above. */
static const xe_classinfo generic_info = { NULL, NULL, "uuid,name-label,name-description", NULL,
					   "objects" };

const xd_class *xe_class_resolve(const char *xe_name, const xe_classinfo **ci)
{
	const xd_class *c;
	char *dm;

	for (size_t i = 0; i < xe_classinfo_count(); i++)
		if (strcmp(classes[i].xe_name, xe_name) == 0) {
			c = xd_dm_class(classes[i].dm_name);
			if (!c)
				return NULL;
			*ci = &classes[i];
			return c;
		}
	dm = xe_strdup(xe_name);
	for (char *p = dm; *p; p++)
		if (*p == '-')
			*p = '_';
	c = xd_dm_class_ci(dm);
	free(dm);
	/* Only classes with objects and uuids make sense here. */
	if (!c || !c->stored || c->uuid_field < 0)
		return NULL;
	*ci = &generic_info;
	return c;
}

/* ---- helpers ---- */

static xd_value *call_cls(xe_client *x, const xd_class *c, const char *msg, xd_value *args)
{
	char *method = xe_printf("%s.%s", c->name, msg);
	xd_value *r = xe_client_call(x, method, args);

	free(method);
	return r;
}

static const char *required(const xe_opts *o, const char *key)
{
	const char *v = xe_opts_get(o, key);

	if (!v)
		fprintf(stderr, "Required parameter not found: %s\n", key);
	return v;
}

/* Parameters that are never filters, setters or map entries. */
static bool is_std_param(const char *k)
{
	static const char *const std[] = { "params",	"all",	 "force", "multiple",
					   "message-priority", "trace", NULL };

	for (size_t i = 0; std[i]; i++)
		if (strcmp(k, std[i]) == 0)
			return true;
	return strncmp(k, "database:", 9) == 0;
}

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

/* The object's ref and record for uuid=...; prints errors. */
static int fetch_object(xe_client *x, const xe_opts *o, const xd_class *c, char **ref,
			xd_value **rec)
{
	const char *uuid = required(o, "uuid");

	*ref = NULL;
	*rec = NULL;
	if (!uuid)
		return -1;
	*ref = xe_client_ref_by_uuid(x, c->name, uuid);
	if (!*ref)
		return -1;
	*rec = call_cls(x, c, "get_record", xe_strings(1, *ref));
	if (!*rec || (*rec)->t != XD_V_STRUCT) {
		if (*rec)
			xe_fail("the server's get_record reply is not a record");
		xd_value_free(*rec);
		*rec = NULL;
		free(*ref);
		*ref = NULL;
		return -1;
	}
	return 0;
}

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

/* Which columns to show: params=a,b (or all), else the class defaults. */
static bool *select_cols(const xe_view *v, const xe_opts *o, const xe_classinfo *ci)
{
	const char *want = xe_opts_get(o, "params");
	bool *sel = xe_calloc(v->ncols + 1, sizeof(*sel));
	char *list, *save = NULL;
	if (!want)
		want = ci->defaults;
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

static int cmd_list(xe_client *x, const xe_opts *o, const xd_class *c, const xe_classinfo *ci)
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
		if (!is_std_param(o->params[i].key) &&
		    add_filter(&v, o->params[i].key, o->params[i].val, &fs, &nf) < 0)
			goto out;
	sel = select_cols(&v, o, ci);
	all = call_cls(x, c, "get_all_records", NULL);
	if (!all)
		goto out;
	if (all->t != XD_V_STRUCT) {
		xe_fail("the server's get_all_records reply is not a map");
		goto out;
	}
	/* The records name themselves: no call needed to show these refs. */
	for (size_t i = 0; i < all->u.st.n; i++) {
		const xd_value *rec = all->u.st.m[i].v;
		const xd_value *u = c->uuid_field >= 0 ? xd_struct_get(rec, c->fields[c->uuid_field].name) : NULL;
		const xd_value *nl = c->name_label_field >= 0
					     ? xd_struct_get(rec, c->fields[c->name_label_field].name)
					     : NULL;

		xe_client_ref_learn(x, all->u.st.m[i].name,
				    u && u->t == XD_V_STRING ? u->u.s : NULL,
				    nl && nl->t == XD_V_STRING ? nl->u.s : NULL);
	}
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

static int cmd_param_list(xe_client *x, const xe_opts *o, const xd_class *c,
			  const xe_classinfo *ci)
{
	xe_view v;
	xe_row row;
	char *ref = NULL;
	xd_value *rec = NULL;

	if (fetch_object(x, o, c, &ref, &rec) < 0)
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

static int cmd_param_get(xe_client *x, const xe_opts *o, const xd_class *c,
			 const xe_classinfo *ci)
{
	const char *name = required(o, "param-name");
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
	if (fetch_object(x, o, c, &ref, &rec) < 0) {
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

static int cmd_param_set(xe_client *x, const xe_opts *o, const xd_class *c,
			 const xe_classinfo *ci)
{
	xe_view v;
	plan p = { 0 };
	char *ref = NULL;
	xd_value *rec = NULL;
	int rc = 1;

	xe_view_init(&v, c);
	if (fetch_object(x, o, c, &ref, &rec) < 0)
		goto out;
	for (size_t i = 0; i < o->nparams; i++) {
		const char *k = o->params[i].key, *val = o->params[i].val;
		const xd_field *f;
		xd_value *value;
		int col;

		if (strcmp(k, "uuid") == 0 || is_std_param(k))
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

static int cmd_param_add(xe_client *x, const xe_opts *o, const xd_class *c,
			 const xe_classinfo *ci)
{
	const char *name = required(o, "param-name");
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
	f = named_field(&v, name);
	if (!f)
		goto out;
	if (f->type->kind != XD_T_SET && f->type->kind != XD_T_MAP) {
		xe_fail("Can only add to parameters of type Set or Map");
		goto out;
	}
	if (!xe_field_addable(c, f)) {
		xe_fail("Parameter is read-only");
		goto out;
	}
	if (fetch_object(x, o, c, &ref, &rec) < 0)
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
			    strcmp(k, "param-key") == 0 || is_std_param(k))
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

static int cmd_param_remove(xe_client *x, const xe_opts *o, const xd_class *c,
			    const xe_classinfo *ci)
{
	const char *name = required(o, "param-name");
	const char *key = name ? required(o, "param-key") : NULL;
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
	f = named_field(&v, name);
	if (!f)
		goto out;
	if (f->type->kind != XD_T_SET && f->type->kind != XD_T_MAP) {
		xe_fail("Can only remove from parameters of type Set or Map");
		goto out;
	}
	if (!xe_field_removable(c, f)) {
		xe_fail("Cannot remove parameters from read-only map");
		goto out;
	}
	if (fetch_object(x, o, c, &ref, &rec) < 0)
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

static int cmd_param_clear(xe_client *x, const xe_opts *o, const xd_class *c,
			   const xe_classinfo *ci)
{
	const char *name = required(o, "param-name");
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
	if (fetch_object(x, o, c, &ref, &rec) < 0)
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

/* ---- the op table ---- */

static const xe_class_op ops[] = {
	{ "-param-list", cmd_param_list, "uuid", "",
	  "Lists all the parameters of the object with this uuid." },
	{ "-param-get", cmd_param_get, "uuid param-name", "param-key",
	  "Prints one parameter of the object. For a map parameter, param-key=<key> "
	  "prints the value of that key alone." },
	{ "-param-set", cmd_param_set, "uuid", "<field>=<value> <map>:<key>=<value> ...",
	  "Sets parameters of the object. A reference is given by the uuid of its target "
	  "(empty for none); a map entry with <map>:<key>=<value>." },
	{ "-param-add", cmd_param_add, "uuid param-name", "param-key <key>=<value> ...",
	  "Adds to a set or map parameter: for a set, param-key=<member>; for a map, "
	  "the entries as <key>=<value>." },
	{ "-param-remove", cmd_param_remove, "uuid param-name param-key", "",
	  "Removes a member from a set parameter or a key from a map parameter." },
	{ "-param-clear", cmd_param_clear, "uuid param-name", "",
	  "Empties a set or map parameter, or clears a string or reference parameter." },
	{ "-list", cmd_list, "", "params=<a,b,...|all> --minimal <field>=<value> "
				 "<map>:<key>=<value> <set>:contains=<value>",
	  "Lists the objects, filtered on the optional <field>=<value> arguments (the "
	  "values as shown). params= picks the fields shown; --minimal prints only the "
	  "first of them, comma-separated, on one line." },
};

size_t xe_class_op_count(void)
{
	return sizeof(ops) / sizeof(ops[0]);
}

const xe_class_op *xe_class_op_at(size_t i)
{
	return i < xe_class_op_count() ? &ops[i] : NULL;
}

const xe_class_op *xe_class_op_match(const char *command, const xd_class **c,
				     const xe_classinfo **ci)
{
	size_t len = strlen(command);

	for (size_t i = 0; i < xe_class_op_count(); i++) {
		size_t sl = strlen(ops[i].suffix);
		char *prefix;
		const xd_class *found;

		if (len <= sl || strcmp(command + len - sl, ops[i].suffix) != 0)
			continue;
		prefix = xe_strndup(command, len - sl);
		found = xe_class_resolve(prefix, ci);
		free(prefix);
		if (found) {
			*c = found;
			return &ops[i];
		}
	}
	return NULL;
}
