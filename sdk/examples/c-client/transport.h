/* transport.h - the examples' xen_call_func: one HTTP POST per call over
 * TCP ("http://HOST:PORT/") or a unix socket ("unix:/path/xapi.sock"),
 * with nothing but POSIX sockets. This is the SDK's main path: the library
 * builds the XML, the program moves the bytes. */
#ifndef EXAMPLE_TRANSPORT_H
#define EXAMPLE_TRANSPORT_H

#include <xen/api/xen_all.h>

/* handle: the server address string given at login. Returns 0, or 1 when
 * the server could not be reached or closed the connection early. */
int example_call(const void *data, size_t len, void *handle, void *result_handle,
		 xen_result_func result_func);

/* Logs in with the address and credentials of argv[1..3]; exits on failure. */
xen_session *example_login(int argc, char **argv, int need);

/* Prints the session's error as "ERROR code param..." on stderr. */
void example_print_error(const char *what, xen_session *s);

#endif
