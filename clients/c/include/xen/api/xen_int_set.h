/* xen_int_set.h - a set of ints (libxenserver; doc/c-bindings.md). */
#ifndef XEN_INT_SET_H
#define XEN_INT_SET_H

#include "xen_common.h"

typedef struct xen_int_set {
	size_t size;
	int contents[];
} xen_int_set;

extern xen_int_set *xen_int_set_alloc(size_t size);
extern void xen_int_set_free(xen_int_set *set);

#endif
