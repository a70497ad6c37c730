/* xe_transport.h - JSON-RPC 2.0 calls over HTTP/1.1 POST /jsonrpc, to the
 * local unix socket or a TCP host:port (https, or plain HTTP with --nossl), on one keep-alive connection that
 * is reopened once if the server closed it between calls.
 *
 * Owns: the connection (socket, read buffer) and the last transport error.
 */
#ifndef XE_TRANSPORT_H
#define XE_TRANSPORT_H

#include <stdbool.h>

#include "error.h"
#include "value.h"

typedef struct xe_conn xe_conn;

/* Where to connect: socket_path for the unix socket, else host and port.
 * Nothing is connected until the first call. Copies its arguments. */
xe_conn *xe_conn_new_unix(const char *socket_path);
/* tls: https (xe's default with -s), the connection through lib/tls_pipe.h. */
xe_conn *xe_conn_new_tcp(const char *host, int port, bool tls);
void xe_conn_free(xe_conn *c);

/* Print every request and response body on stderr. */
void xe_conn_set_debug(xe_conn *c, bool on);

/* The target as a human reads it: the socket path or "host:port". */
const char *xe_conn_target(const xe_conn *c);

/* One call. params (an XD_V_ARRAY) is taken. Returns:
 *   0  and *result (new tree) on success;
 *  -1  and err filled with the server's [code, params...] on a XenAPI error;
 *  -2  on a transport failure (connect, I/O, HTTP status, malformed reply):
 *      the message is in xe_conn_error() (e.g. "Cannot connect to
 *      /var/lib/xapi-c/xapi.sock: No such file or directory"). */
int xe_conn_call(xe_conn *c, const char *method, xd_value *params, xd_value **result,
		 xd_error *err);
const char *xe_conn_error(const xe_conn *c);

/* A new connection to the same target, apart from the one calls use, for
 * an HTTP data transfer (vm-export, vdi-import...): its fd, or -1 with the
 * reason in xe_conn_error(). The caller closes it. */
int xe_conn_connect_data(xe_conn *c);
/* "localhost" for the unix socket, else the host: the Host header. */
const char *xe_conn_host(const xe_conn *c);

#endif
