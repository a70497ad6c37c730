/* xva_table.c - the objects of an XVA and their ids (xva_int.h). */
#include <stdlib.h>
#include <string.h>

#include "xva_int.h"

#define NULL_REF "OpaqueRef:NULL"

void xd_xva_table_add(xd_xva_table *t, const char *cls, const char *ref, const char *id)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->o = realloc(t->o, t->cap * sizeof(*t->o));
		if (!t->o)
			abort();
	}
	xd_xva_obj *o = &t->o[t->n++];
	o->cls = strdup(cls);
	o->ref = strdup(ref);
	o->id = strdup(id);
	if (!o->cls || !o->ref || !o->id)
		abort();
}

const char *xd_xva_id_of(const xd_xva_table *t, const char *ref)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->o[i].ref, ref))
			return t->o[i].id;
	return NULL;
}

const char *xd_xva_ref_of(const xd_xva_table *t, const char *id)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->o[i].id, id))
			return t->o[i].ref;
	return NULL;
}

void xd_xva_table_free(xd_xva_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->o[i].cls);
		free(t->o[i].ref);
		free(t->o[i].id);
	}
	free(t->o);
	memset(t, 0, sizeof(*t));
}

static bool is_ref(const char *s)
{
	return !strncmp(s, "OpaqueRef:", 10) || !strncmp(s, "Ref:", 4);
}

/* The new text of a reference, or NULL if it maps to nothing. */
static const char *mapped(const char *s, const xd_xva_table *t, bool to_ids)
{
	if (!strcmp(s, NULL_REF))
		return NULL;
	return to_ids ? xd_xva_id_of(t, s) : xd_xva_ref_of(t, s);
}

void xd_xva_map_refs(xd_value *rec, const xd_xva_table *t, bool to_ids)
{
	for (size_t i = 0; rec && rec->t == XD_V_STRUCT && i < rec->u.st.n; i++) {
		xd_value *v = rec->u.st.m[i].v;
		if (v->t == XD_V_STRING && is_ref(v->u.s)) {
			const char *m = mapped(v->u.s, t, to_ids);
			char *copy = strdup(m ? m : NULL_REF);
			if (!copy)
				abort();
			free(v->u.s);
			v->u.s = copy;
		} else if (v->t == XD_V_ARRAY) {
			for (size_t j = v->u.arr.n; j-- > 0;) {
				xd_value *item = v->u.arr.items[j];
				if (item->t != XD_V_STRING || !is_ref(item->u.s))
					continue;
				const char *m = mapped(item->u.s, t, to_ids);
				if (!m) {
					xd_array_remove(v, j);
					continue;
				}
				char *copy = strdup(m);
				if (!copy)
					abort();
				free(item->u.s);
				item->u.s = copy;
			}
		}
	}
}
