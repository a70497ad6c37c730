/* xen_curl.h - a ready-made xen_call_func on libcurl (xapi-c's addition to
 * the SDK; the caller-supplied callback stays the main path).
 *
 *     xen_curl *t = xen_curl_new("http://host:80/", NULL);       // TCP
 *     xen_curl *t = xen_curl_new("http://localhost/", "/var/lib/xapi-c/xapi.sock");
 *     xen_session *s = xen_session_login_with_password(xen_curl_call, t, ...);
 *     ...
 *     xen_session_logout(s);
 *     xen_curl_free(t);
 *
 * One xen_curl keeps one connection alive between calls; use one per thread.
 * Only present when the library was built with libcurl (XEN_HAVE_CURL). */
#ifndef XEN_CURL_H
#define XEN_CURL_H

#include <stdbool.h>
#include <stddef.h>
#include <xen/api/xen_common.h>

typedef struct xen_curl xen_curl;

/* url: where to POST (http:// or https://); unix_socket: a path to reach
 * instead of a TCP host, or NULL. NULL when out of memory. */
extern xen_curl *xen_curl_new(const char *url, const char *unix_socket);
extern void xen_curl_free(xen_curl *t);
/* https: by default the server's certificate is checked against the
 * system's CAs and its name against the URL's host. ca_file (PEM) trusts
 * that certificate or CA instead, e.g. the host's own self-signed one
 * (host.get_server_certificate); verify false turns every check off, as
 * XenAPI.py's ignore_ssl and the SDK's examples do. Returns false if
 * libcurl refuses the setting (no TLS support built in). */
extern bool xen_curl_set_tls(xen_curl *t, const char *ca_file, bool verify);
/* The xen_call_func: user_handle is the xen_curl. Returns 0, or the curl
 * error code (or the HTTP status when it is not 200). */
extern int xen_curl_call(const void *data, size_t len, void *user_handle, void *result_handle,
			 xen_result_func result_func);

#endif
