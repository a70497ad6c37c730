/* http.h - the HTTP/1.1 server: one TCP listener and one unix socket,
 * keep-alive, a thread per connection (bounded by max_connections), request
 * bodies bounded by max_body. Routes: POST /jsonrpc -> JSON-RPC; any other
 * POST -> XML-RPC; OPTIONS -> CORS pre-flight; GET/PUT paths registered by
 * other modules (data paths: /import_raw_vdi, /export_raw_vdi ...).
 *
 * HTTPS connections are served by the same code: core/tls turns each into
 * a plain socket (lib/tls_pipe.h) right after accept.
 *
 * Owns: the listening sockets and the connection threads.
 */
#ifndef XD_HTTP_H
#define XD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rpc/rpc.h"

typedef struct xd_http_config {
	const char *listen;          /* "ADDR:PORT"; NULL = no TCP listener */
	const char *listen_tls;      /* "ADDR:PORT" for HTTPS (tls/tls.h set up
	                                first); NULL = none */
	const char *socket_path;     /* NULL = no unix socket */
	size_t max_body;             /* bytes; larger requests get 413 */
	unsigned max_connections;
	unsigned max_per_address;    /* connections from one TCP address; 0: 128 */
	double request_timeout_s;    /* head + RPC body, from the first byte; 0: 30 */
} xd_http_config;

/* A request to a registered (non-RPC) path. The handler reads the body from
 * fd itself (content_length bytes, of which body_prefix_len are already in
 * body_prefix) and writes a whole HTTP response to fd. */
typedef struct xd_http_request {
	const char *method;          /* "GET", "PUT" ... */
	const char *path;            /* without the query */
	const char *query;           /* raw query string, "" if none */
	const char *authorization;   /* Authorization header or NULL */
	int64_t content_length;      /* -1 if absent */
	bool chunked;                /* Transfer-Encoding: chunked (no length) */
	const char *body_prefix;
	size_t body_prefix_len;
	int fd;
	const xd_peer *peer;
} xd_http_request;
typedef void (*xd_http_path_fn)(const xd_http_request *req);
/* Register before xd_http_start. method "GET"/"PUT"; path exact. */
int xd_http_register(const char *method, const char *path, xd_http_path_fn fn);

/* Binds and listens (errors: -1 and a log line naming the address). */
int xd_http_start(const xd_http_config *cfg);
/* The bound TCP port (useful with port 0). */
int xd_http_port(void);
/* The bound HTTPS port; 0 without a TLS listener. */
int xd_http_tls_port(void);
/* True once xd_http_stop began: a handler that holds its connection for
 * long (a console) polls it and lets go. */
bool xd_http_stopping(void);
/* Closes listeners, waits for connection threads to finish their current
 * request (blocked event waits are woken by the caller first). */
void xd_http_stop(void);

/* Helpers for path handlers. */
void xd_http_send_simple(int fd, int status, const char *content_type, const char *body);
/* Value of key in a query string (decoded), heap copy, or NULL. */
char *xd_http_query_get(const char *query, const char *key);

#endif
