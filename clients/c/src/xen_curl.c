/* xen_curl.c - xen_curl.h: a xen_call_func that POSTs with libcurl, over TCP
 * or a unix socket, keeping the connection alive between calls. */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "xen/api/xen_curl.h"

struct xen_curl {
	CURL *curl;
	struct curl_slist *headers;
};

struct sink {
	void *result_handle;
	xen_result_func result_func;
};

xen_curl *xen_curl_new(const char *url, const char *unix_socket)
{
	xen_curl *t = calloc(1, sizeof(*t));

	/* curl_global_init is not thread-safe before 7.84: callers of several
	 * threads create their transports from one first (libcurl's rule). */
	if (!t || !(t->curl = curl_easy_init())) {
		free(t);
		return NULL;
	}
	t->headers = curl_slist_append(NULL, "Content-Type: text/xml");
	curl_easy_setopt(t->curl, CURLOPT_URL, url);
	if (unix_socket)
		curl_easy_setopt(t->curl, CURLOPT_UNIX_SOCKET_PATH, unix_socket);
	curl_easy_setopt(t->curl, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(t->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(t->curl, CURLOPT_POST, 1L);
	return t;
}

void xen_curl_free(xen_curl *t)
{
	if (!t)
		return;
	curl_easy_cleanup(t->curl);
	curl_slist_free_all(t->headers);
	free(t);
}

bool xen_curl_set_tls(xen_curl *t, const char *ca_file, bool verify)
{
	long on = verify ? 1L : 0L;

	if (ca_file && curl_easy_setopt(t->curl, CURLOPT_CAINFO, ca_file) != CURLE_OK)
		return false;
	/* VERIFYHOST takes 2 for "check the name" (1 is an error since 7.66). */
	return curl_easy_setopt(t->curl, CURLOPT_SSL_VERIFYPEER, on) == CURLE_OK &&
	       curl_easy_setopt(t->curl, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L) == CURLE_OK;
}

static size_t on_data(char *ptr, size_t size, size_t n, void *userdata)
{
	struct sink *s = userdata;

	return s->result_func(ptr, size * n, s->result_handle) ? size * n : 0;
}

int xen_curl_call(const void *data, size_t len, void *user_handle, void *result_handle,
		  xen_result_func result_func)
{
	xen_curl *t = user_handle;
	struct sink s = { result_handle, result_func };
	long status = 0;
	CURLcode rc;

	curl_easy_setopt(t->curl, CURLOPT_POSTFIELDS, data);
	curl_easy_setopt(t->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(t->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(t->curl, CURLOPT_WRITEDATA, &s);
	rc = curl_easy_perform(t->curl);
	if (rc != CURLE_OK)
		return (int)rc;
	curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
	return status == 200 ? 0 : (int)status;
}
