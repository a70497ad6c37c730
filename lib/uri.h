/* uri.h - the datapath URIs of xapi/storage.h as the daemon reads them:
 * percent-decoding (RFC 3986) and the path of a file:// URI (RFC 8089).
 * Drivers write them percent-encoded; every reader in the daemon (VDI data,
 * the hypervisor backends) decodes them here, so that a path with a space
 * or a % means the same file everywhere.
 */
#ifndef XD_URI_H
#define XD_URI_H

#include <stddef.h>

/* n bytes of s, percent-decoded (heap), or NULL for a % not followed by two
 * hex digits or an encoded NUL. */
char *xd_uri_decode(const char *s, size_t n);

/* The path of file:///PATH or file://localhost/PATH, decoded, without a
 * ?query or #fragment (heap); a plain absolute path (not a URI) is taken as
 * it is. NULL for another host, anything else, a bad escape, no memory. */
char *xd_file_uri_path(const char *uri);

#endif
