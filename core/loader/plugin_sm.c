/* plugin_sm.c - one SM object per loaded storage driver, as xapi keeps one
 * per SM plugin (Xapi_sm.create_from_query_result): created when the
 * driver loads, refreshed when it loads again, destroyed when it is no
 * longer loaded at start-up. other_config is the operator's and is kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "plugins_int.h"

/* SM.name_label: the title part of the description ("Local EXT3 VHD: ..."
 * gives "Local EXT3 VHD"), or all of it; the name when there is none. */
static xd_value *title_of(const xd_plugin *p)
{
	const char *d = p->description;
	if (!d || !*d)
		return xd_string(p->name);
	size_t n = strlen(d);
	for (const char *s = d; *s; s++)
		if ((*s == ':' || *s == '.') && (s[1] == ' ' || s[1] == 0)) {
			n = (size_t)(s - d);
			break;
		}
	return n ? xd_string_n(d, n) : xd_string(d);
}

/* The fields the driver decides, by name. */
static xd_value *wanted_fields(const xd_plugin *p)
{
	xd_value *r = xd_struct();
	xd_struct_set_take(r, "name_label", title_of(p));
	xd_struct_set_take(r, "name_description", xd_string(p->description));
	xd_struct_set_take(r, "type", xd_string(p->name));
	xd_struct_set_take(r, "vendor", xd_string(p->vendor));
	xd_struct_set_take(r, "copyright", xd_string(p->copyright));
	xd_struct_set_take(r, "version", xd_string(p->version));
	/* The version of our plugin ABI the driver was built for. */
	char api[32];
	snprintf(api, sizeof api, "%u.%u", p->abi_major, p->abi_minor);
	xd_struct_set_take(r, "required_api_version", xd_string(api));
	xd_struct_set_take(r, "configuration", xd_value_copy(p->configuration));
	xd_struct_set_take(r, "capabilities", xd_value_copy(p->capabilities));
	xd_struct_set_take(r, "features", xd_value_copy(p->features));
	xd_struct_set_take(r, "driver_filename", xd_string(p->so_path));
	xd_struct_set_take(r, "required_cluster_stack", xd_array());
	return r;
}

typedef struct sm_entry {
	char *ref;
	char *type;
} sm_entry;

typedef struct sm_list {
	sm_entry *v;
	size_t n, cap;
	int type_f;
} sm_list;

static int collect(const char *ref, const xd_value *const *fields, void *ud)
{
	sm_list *l = ud;
	const xd_value *t = fields[l->type_f];
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 8;
		sm_entry *grown = realloc(l->v, ncap * sizeof *grown);
		if (!grown)
			return 1;
		l->v = grown;
		l->cap = ncap;
	}
	l->v[l->n].ref = strdup(ref);
	l->v[l->n].type = strdup(t && t->t == XD_V_STRING ? t->u.s : "");
	l->n++;
	return 0;
}

static const char *ref_of_type(const sm_list *l, const char *type)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].ref && l->v[i].type && strcmp(l->v[i].type, type) == 0)
			return l->v[i].ref;
	return NULL;
}

static void refresh(const xd_class *c, const char *ref, const xd_value *want)
{
	xd_error err = XD_ERROR_INIT;
	for (size_t i = 0; i < want->u.st.n; i++) {
		const xd_member *m = &want->u.st.m[i];
		int f = xd_dm_field_index(c, m->name);
		if (f < 0)
			continue;
		xd_value *have = xd_db_get_field(c, ref, f);
		if (!have || !xd_value_equal(have, m->v)) {
			if (xd_db_set_field(c, ref, f, m->v, &err) != 0) {
				xd_warn("SM %s: cannot set %s: %s", ref, m->name, err.code);
				xd_error_clear(&err);
			}
		}
		xd_value_free(have);
	}
}

static void create(const xd_class *c, const xd_value *want)
{
	xd_error err = XD_ERROR_INIT;
	xd_value *rec = xd_value_copy(want);
	xd_struct_set_take(rec, "other_config", xd_struct());
	xd_generic_fill_defaults(c, rec);
	char *ref = xd_ref_new();
	if (xd_db_create(c, ref, rec, &err) != 0) {
		xd_warn("cannot create the SM object of %s: %s %s",
			xd_struct_get(want, "type")->u.s, err.code, err.nparams ? err.params[0] : "");
		xd_error_clear(&err);
	}
	free(ref);
}

void xd_plugins_sm_sync(xd_plugin *const *list, size_t n, bool destroy_stale)
{
	const xd_class *c = xd_dm_class("SM");
	if (!c)
		return;
	sm_list have = { .type_f = xd_dm_field_index(c, "type") };
	xd_db_foreach(c, collect, &have);

	for (size_t i = 0; i < n; i++) {
		const xd_plugin *p = list[i];
		if (p->kind != XAPI_KIND_STORAGE)
			continue;
		xd_value *want = wanted_fields(p);
		const char *ref = ref_of_type(&have, p->name);
		if (ref)
			refresh(c, ref, want);
		else
			create(c, want);
		xd_value_free(want);
	}
	for (size_t i = 0; destroy_stale && i < have.n; i++) {
		bool loaded = false;
		for (size_t k = 0; k < n && !loaded; k++)
			loaded = list[k]->kind == XAPI_KIND_STORAGE && have.v[i].type &&
				 strcmp(list[k]->name, have.v[i].type) == 0;
		/* A second SM object of a loaded type goes too (one per driver). */
		if (!have.v[i].ref ||
		    (loaded && ref_of_type(&have, have.v[i].type) == have.v[i].ref))
			continue;
		xd_error err = XD_ERROR_INIT;
		if (xd_db_destroy(c, have.v[i].ref, &err) != 0) {
			xd_warn("cannot destroy the SM object of %s: %s", have.v[i].type, err.code);
			xd_error_clear(&err);
		} else {
			xd_info("SM %s destroyed: its driver is not loaded", have.v[i].type);
		}
	}
	for (size_t i = 0; i < have.n; i++) {
		free(have.v[i].ref);
		free(have.v[i].type);
	}
	free(have.v);
}
