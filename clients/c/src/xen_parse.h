/* xen_parse.h - XML-RPC values into typed slots, and the request writer. */
#ifndef XEN_PARSE_H
#define XEN_PARSE_H

#include <stdbool.h>

#include "xen_internal.h"
#include "xen_xml.h"

/* The layout every xen_X_record_opt shares. */
typedef struct xen_opt_ {
	bool is_record;
	union {
		void *handle;
		void *record;
	} u;
} xen_opt_;

/* Parses the <value> at r into slot (partial results stay in the slot, to
 * be freed by the caller with xen_free_slot_). false + r->err on error. */
bool xen_parse_value_(xen_xr *r, const xen_type_ *t, void *slot);

/* A growing output buffer for the request. */
typedef struct xen_buf_ {
	char *s;
	size_t len, cap;
	bool oom;
} xen_buf_;

void xen_buf_put(xen_buf_ *b, const char *s, size_t n);
void xen_buf_puts(xen_buf_ *b, const char *s);
/* The <methodCall> for method with args (strings, sets... per descriptor). */
void xen_write_call_(xen_buf_ *b, const char *method, const xen_arg_ *args, size_t nargs);

#endif
