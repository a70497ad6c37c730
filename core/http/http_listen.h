/* http_listen.h - opening the server's listening sockets (internal to http.c).
 *
 * Owns: nothing; the caller owns the returned descriptors.
 */
#ifndef XD_HTTP_LISTEN_H
#define XD_HTTP_LISTEN_H

/* Listens on "ADDR:PORT", "[V6ADDR]:PORT", ":PORT" or "*:PORT" (any
 * address); port 0 picks a free one. Returns the socket and sets *port to the
 * bound port, or -1 with a log line naming the address. */
int xd_http_listen_tcp(const char *listen_addr, int *port);

/* Listens on a unix socket at path, mode 0666. A stale socket file (nobody
 * answers on it) is replaced; a live one or a file of another kind is not.
 * Returns the socket or -1 with a log line. */
int xd_http_listen_unix(const char *path);

#endif
