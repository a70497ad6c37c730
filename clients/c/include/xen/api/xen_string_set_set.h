/* xen_string_set_set.h - a set of string sets (libxenserver). */
#ifndef XEN_STRING_SET_SET_H
#define XEN_STRING_SET_SET_H

#include "xen_common.h"
#include <xen/api/xen_string_set.h>

typedef struct xen_string_set_set {
	size_t size;
	xen_string_set *contents[];
} xen_string_set_set;

extern xen_string_set_set *xen_string_set_set_alloc(size_t size);
/* Frees the member sets too. */
extern void xen_string_set_set_free(xen_string_set_set *set);

#endif
