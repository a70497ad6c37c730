/* xe_http.h - the raw HTTP of xe's data connections (transfers, the
 * console): sending, query strings, reading a response head.
 */
#ifndef XE_HTTP_H
#define XE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/* All of buf to fd (no SIGPIPE). 0, or -1 with errno. */
int xe_http_send_all(int fd, const void *buf, size_t len);

/* Appends "?key=value" (or "&key=value") to q, the value percent-encoded. */
void xe_http_put_query(xd_strbuf *q, const char *key, const char *value);

/* Reads the response head a byte at a time (nothing of the body is taken
 * from the socket); *length gets Content-Length or -1. The status, or -1. */
int xe_http_read_head(int fd, int64_t *length);

/* Up to max bytes of the body (length from xe_http_read_head; -1: until
 * the server closes), NUL-terminated, heap. */
char *xe_http_read_body(int fd, int64_t length, size_t max);

#endif
