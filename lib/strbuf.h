/* strbuf.h - a growable byte buffer used by the encoders and the http layer.
 * Owns its data; xd_strbuf_steal() hands it over (NUL terminated). */
#ifndef XD_STRBUF_H
#define XD_STRBUF_H

#include <stddef.h>

typedef struct xd_strbuf {
	char *data;
	size_t len, cap;
} xd_strbuf;

#define XD_STRBUF_INIT { NULL, 0, 0 }

void xd_strbuf_append(xd_strbuf *sb, const char *s, size_t n);
void xd_strbuf_puts(xd_strbuf *sb, const char *s);
void xd_strbuf_putc(xd_strbuf *sb, char c);
void xd_strbuf_printf(xd_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with XML escaping of & < > (and " in attributes never used). */
void xd_strbuf_put_xml_escaped(xd_strbuf *sb, const char *s);
/* Appends s as a JSON string literal including the quotes. */
void xd_strbuf_put_json_string(xd_strbuf *sb, const char *s);
void xd_strbuf_reset(xd_strbuf *sb);
char *xd_strbuf_steal(xd_strbuf *sb);
void xd_strbuf_free(xd_strbuf *sb);

#endif
