/* xen_xml.h - the small XML reader libxenserver parses responses with: just
 * what XML-RPC needs (elements without attributes, text, the five entities
 * and numeric character references, prolog, comments). It reads a buffer in
 * place; nothing is allocated but decoded text. */
#ifndef XEN_XML_H
#define XEN_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct xen_xr {
	const char *p, *end;
	const char *err;        /* first error, NULL while fine */
} xen_xr;

void xen_xr_init(xen_xr *r, const char *buf, size_t len);
/* Skips whitespace, <?…?>, <!--…--> and <!DOCTYPE…>. */
void xen_xr_misc(xen_xr *r);
/* After whitespace: <name> -> 1, <name/> -> 2 (both consumed); else 0, nothing consumed. */
int xen_xr_open_n(xen_xr *r, const char *name, size_t n);
/* After whitespace: </name>; false (and r->err) otherwise. */
bool xen_xr_close_n(xen_xr *r, const char *name, size_t n);
/* The names are literals: their lengths are folded at compile time. */
#define xen_xr_open(r, name) xen_xr_open_n((r), (name), strlen(name))
#define xen_xr_close(r, name) xen_xr_close_n((r), (name), strlen(name))
/* The name of the start tag after whitespace, without consuming it (len 0: none). */
size_t xen_xr_peek(xen_xr *r, const char **name);
/* Raw text up to the next '<'. */
void xen_xr_text(xen_xr *r, const char **start, size_t *len);
/* Skips one element with everything inside it (positioned at its '<'). */
bool xen_xr_skip(xen_xr *r);
/* Decodes entities of text into a NUL-terminated malloc'd string (NULL on a
 * bad reference or out of memory). */
char *xen_xml_decode(const char *s, size_t len);
bool xen_xr_fail(xen_xr *r, const char *why);

#endif
