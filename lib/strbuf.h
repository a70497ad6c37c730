/* strbuf.h - a growable byte buffer used by the encoders and the http layer.
 * Owns its data; xd_strbuf_steal() hands it over (NUL terminated). */
#ifndef XD_STRBUF_H
#define XD_STRBUF_H

#include <stddef.h>

typedef struct xd_strbuf {
	char *data;
	size_t len, cap;
	/* Optional drain (xd_strbuf_set_drain): where a buffer that writes a
	 * whole answer hands its bytes over as it goes, so that an answer of
	 * any size never sits in memory whole. */
	int (*drain)(void *ud, const char *p, size_t n);
	void *drain_ud;
	size_t drain_at;
	int drain_failed;
} xd_strbuf;

#define XD_STRBUF_INIT { NULL, 0, 0, NULL, NULL, 0, 0 }

void xd_strbuf_append(xd_strbuf *sb, const char *s, size_t n);
void xd_strbuf_puts(xd_strbuf *sb, const char *s);
void xd_strbuf_putc(xd_strbuf *sb, char c);
void xd_strbuf_printf(xd_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with XML escaping of & < > (and " in attributes never used). */
void xd_strbuf_put_xml_escaped(xd_strbuf *sb, const char *s);
/* Appends s as a JSON string literal including the quotes. */
void xd_strbuf_put_json_string(xd_strbuf *sb, const char *s);
void xd_strbuf_reset(xd_strbuf *sb);
/* Makes sb hand its bytes to drain (0 on success, -1 when they could not
 * go: the peer left) at each drain point once it holds at least `at`
 * bytes; NULL turns it off. */
void xd_strbuf_set_drain(xd_strbuf *sb, int (*drain)(void *ud, const char *p, size_t n),
			 void *ud, size_t at);
/* A drain point: a producer of a long answer calls it between pieces.
 * With a drain set and `at` bytes held, they go to the drain and sb is
 * emptied. After a failed drain every later byte is dropped here. Returns
 * -1 once a drain failed (the producer may stop early), else 0. */
int xd_strbuf_drain_point(xd_strbuf *sb);
char *xd_strbuf_steal(xd_strbuf *sb);
void xd_strbuf_free(xd_strbuf *sb);

#endif
