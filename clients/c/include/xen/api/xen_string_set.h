/* xen_string_set.h - a set of strings (libxenserver; doc/c-bindings.md). */
#ifndef XEN_STRING_SET_H
#define XEN_STRING_SET_H

#include "xen_common.h"

typedef struct xen_string_set {
	size_t size;
	char *contents[];
} xen_string_set;

/* size slots, all NULL; xen_string_set_free frees the strings too. */
extern xen_string_set *xen_string_set_alloc(size_t size);
extern void xen_string_set_free(xen_string_set *set);

#endif
