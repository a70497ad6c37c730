/* http_parse.h - reading one HTTP/1.x request head (request line and header
 * fields) in place, and decoding query strings. Internal to http.c; split out
 * so that the parser is small and can be tested on its own.
 *
 * Owns: nothing; the parsed strings live in the caller's buffer.
 */
#ifndef XD_HTTP_PARSE_H
#define XD_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits: a head longer than this, or with more fields, is refused with 431. */
#define XD_HTTP_HEAD_MAX (64 * 1024)
#define XD_HTTP_FIELDS_MAX 100

#define XD_HTTP_NONE ((size_t)-1)

/* A parsed head. Strings are NUL-terminated inside the parsed buffer and
 * given as offsets from its start (the buffer may move when it grows). */
typedef struct xd_http_head {
	size_t len;             /* bytes of the head, blank line included */
	size_t method;          /* "POST" ... */
	size_t path;            /* "/jsonrpc" (without the query) */
	size_t query;           /* raw query ("" if none) */
	size_t authorization;   /* Authorization value or XD_HTTP_NONE */
	int minor;              /* HTTP/1.<minor> */
	int64_t content_length; /* -1 if absent */
	bool chunked;           /* Transfer-Encoding: chunked */
	bool keep_alive;        /* the connection stays open after the answer */
	bool expect_continue;   /* Expect: 100-continue */
} xd_http_head;

/* Skips CR/LF bytes that may precede a request line (RFC 9112 2.2). Returns
 * how many there are at the start of buf[0..n). */
size_t xd_http_leading_blank(const char *buf, size_t n);

/* Finds the end of a head in buf[0..n): returns its length (through the blank
 * line, CRLF or bare LF endings) or 0 if it is not complete yet. *scan keeps
 * the search position between calls for the same request (start at 0). */
size_t xd_http_head_end(const char *buf, size_t n, size_t *scan);

/* Parses the head buf[0..len) (len from xd_http_head_end) in place. Returns
 * 0, or the HTTP status to refuse it with: 400 (malformed), 431 (too many
 * fields), 501 (a transfer coding other than chunked), 505 (not HTTP/1.x). */
int xd_http_head_parse(char *buf, size_t len, xd_http_head *h);

/* Percent-decodes s[0..n) with '+' as space into a new string. Malformed
 * escapes are kept as they are. */
char *xd_http_decode_component(const char *s, size_t n);

#endif
