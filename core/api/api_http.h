/* api_http.h - what the api/ modules' HTTP handlers (vdi_http.c,
 * console_http.c) share: checking a request's credentials as xapi's
 * Xapi_http.with_context does. */
#ifndef XD_API_HTTP_H
#define XD_API_HTTP_H

#include "http/http.h"

/* 0 if req may go on: session_id=<valid session> in the query (*session
 * is then a heap copy of it, else NULL), or HTTP Basic user:password that
 * logs in, or the unix socket as root (xapi's local login). -1 otherwise,
 * with a log line naming `what` and the refused user; the caller answers
 * 401. */
int xd_http_credentials(const xd_http_request *req, const char *what, char **session);

#endif
