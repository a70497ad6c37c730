/* xen_types.c - the scalar descriptors, the generic free walk and
 * allocation, and the hand-declared sets of xen_string_set.h & co. */
#include <stdlib.h>
#include <string.h>

#include "xen_parse.h"
#include "xen/api/xen_int_set.h"
#include "xen/api/xen_string_set.h"
#include "xen/api/xen_string_set_set.h"

const xen_type_ xen_t_string_ = { .kind = XK_STRING };
const xen_type_ xen_t_int_ = { .kind = XK_INT };
const xen_type_ xen_t_cint_ = { .kind = XK_CINT };
const xen_type_ xen_t_float_ = { .kind = XK_FLOAT };
const xen_type_ xen_t_bool_ = { .kind = XK_BOOL };
const xen_type_ xen_t_datetime_ = { .kind = XK_DATETIME };
const xen_type_ xen_t_string_set_ = { .kind = XK_SET, .size = sizeof(char *),
				      .elem = &xen_t_string_ };
const xen_type_ xen_t_int_set_ = { .kind = XK_SET, .size = sizeof(int), .elem = &xen_t_cint_ };
const xen_type_ xen_t_string_set_set_ = { .kind = XK_SET, .size = sizeof(void *),
					  .elem = &xen_t_string_set_ };

void *xen_zalloc_(size_t n)
{
	return calloc(1, n);
}

char *xen_strdup_(const char *s)
{
	return s ? strdup(s) : NULL;
}

void *xen_set_alloc_(const xen_type_ *t, size_t n)
{
	size_t *p = calloc(1, sizeof(size_t) + n * t->size);

	if (p)
		*p = n;
	return p;
}

void xen_free_slot_(const xen_type_ *t, void *slot)
{
	size_t i, n;
	char *p;

	switch (t->kind) {
	case XK_STRING:
		free(*(char **)slot);
		return;
	case XK_REF_OPT: {
		xen_opt_ *o = *(xen_opt_ **)slot;

		if (!o)
			return;
		if (o->is_record)
			xen_free_ptr_(t->elem, o->u.record);
		else
			free(o->u.handle);
		free(o);
		return;
	}
	case XK_SET:
	case XK_MAP:
		if (!(p = *(char **)slot))
			return;
		n = *(size_t *)p;
		for (i = 0; i < n; i++) {
			char *e = p + sizeof(size_t) + i * t->size;

			xen_free_slot_(t->elem, e);
			if (t->kind == XK_MAP)
				xen_free_slot_(t->val, e + t->val_offset);
		}
		free(p);
		return;
	case XK_RECORD:
		if (!(p = *(char **)slot))
			return;
		if (t->has_handle)
			free(*(char **)p);
		for (i = 0; i < t->nmembers; i++)
			xen_free_slot_(t->members[i].type, p + t->members[i].offset);
		free(p);
		return;
	default: /* ints, floats, bools, times, enums: nothing allocated */
		return;
	}
}

void xen_free_ptr_(const xen_type_ *t, void *p)
{
	xen_free_slot_(t, &p);
}

const char *xen_enum_to_string_(const xen_type_ *t, int v)
{
	return v >= 0 && v < t->nnames ? t->names[v] : "undefined";
}

int xen_enum_from_string_(const xen_type_ *t, const char *s)
{
	int i;

	for (i = 0; i < t->nnames; i++)
		if (!strcmp(t->names[i], s))
			return i;
	return t->nnames;
}

xen_string_set *xen_string_set_alloc(size_t size)
{
	return xen_set_alloc_(&xen_t_string_set_, size);
}

void xen_string_set_free(xen_string_set *set)
{
	xen_free_ptr_(&xen_t_string_set_, set);
}

xen_int_set *xen_int_set_alloc(size_t size)
{
	return xen_set_alloc_(&xen_t_int_set_, size);
}

void xen_int_set_free(xen_int_set *set)
{
	xen_free_ptr_(&xen_t_int_set_, set);
}

xen_string_set_set *xen_string_set_set_alloc(size_t size)
{
	return xen_set_alloc_(&xen_t_string_set_set_, size);
}

void xen_string_set_set_free(xen_string_set_set *set)
{
	xen_free_ptr_(&xen_t_string_set_set_, set);
}
