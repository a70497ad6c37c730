/* xreq.c - the credentials, parameters, task and error answers of the
 * HTTP data paths (xreq.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include "auth/session.h"
#include "db/db.h"
#include "log.h"
#include "rpc/rpc.h"
#include "tasks/tasks.h"
#include "xreq.h"

void xd_xreq_init(xd_xreq *t, const xd_http_request *req, bool upload, const char *name,
		  const char *realm)
{
	memset(t, 0, sizeof(*t));
	t->req = req;
	t->upload = upload;
	t->name = name;
	t->realm = realm;
}

/* Calls method with params (taken) as the client; the result or NULL. */
static xd_value *call_as(xd_xreq *t, const char *method, xd_value *params, xd_error *err)
{
	xd_result_kind kind;
	return xd_rpc_dispatch(method, params, t->req->peer, &kind, err);
}

const char *xd_xreq_session(xd_xreq *t, xd_error *err)
{
	if (t->session)
		return t->session;
	xd_value *params = xd_array();
	xd_array_append_take(params, xd_string(t->user ? t->user : "root"));
	xd_array_append_take(params, xd_string(t->password ? t->password : ""));
	xd_value *s = call_as(t, "session.login_with_password", params, err);
	if (!s)
		return NULL;
	t->session = strdup(s->u.s);
	t->own_session = true;
	xd_value_free(s);
	return t->session;
}

void xd_xreq_clear(xd_xreq *t)
{
	if (t->own_session) {
		xd_error err = XD_ERROR_INIT;
		xd_value *params = xd_array();
		xd_array_append_take(params, xd_string(t->session));
		xd_value_free(call_as(t, "session.logout", params, &err));
		xd_error_clear(&err);
	}
	free(t->task);
	free(t->session);
	free(t->user);
	free(t->password);
}

int xd_xreq_status_of(const xd_error *err)
{
	const char *c = err->code ? err->code : "";
	if (!strcmp(c, "HANDLE_INVALID") || !strcmp(c, "UUID_INVALID"))
		return 404;
	if (!strcmp(c, "SESSION_INVALID") || !strcmp(c, "SESSION_AUTHENTICATION_FAILED"))
		return 401;
	if (!strcmp(c, "VDI_IN_USE") || !strcmp(c, "OTHER_OPERATION_IN_PROGRESS"))
		return 409;
	if (!strcmp(c, "VDI_TOO_SMALL") || !strcmp(c, "VDI_READONLY"))
		return 400;
	return 500;
}

/* After an early answer to a PUT whose body we did not read: stop sending,
 * then read and drop what the client still sends for a while (at most 64
 * MiB or 2 s), so that closing does not reset the connection before the
 * client read the answer. */
void xd_xreq_drain(xd_xreq *t)
{
	int64_t have = t->consumed > (int64_t)t->req->body_prefix_len ? t->consumed
									 : (int64_t)t->req->body_prefix_len;
	/* an HTTP chunked body: its length is unknown, read until the limits */
	int64_t left = t->req->chunked ? INT64_MAX : t->req->content_length - have;
	if (!t->upload || (t->req->content_length < 0 && !t->req->chunked) || left <= 0)
		return;
	char sink[65536];
	int64_t budget = (int64_t)64 << 20;
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	shutdown(t->req->fd, SHUT_WR);
	while (left > 0 && budget > 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= 2)
			break;
		struct pollfd pfd = { .fd = t->req->fd, .events = POLLIN };
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		ssize_t n = recv(t->req->fd, sink, sizeof(sink), 0);
		if (n <= 0)
			break;
		left -= n;
		budget -= n;
	}
}

/* Sends status with the error as text; the task (if any) fails with it. */
void xd_xreq_fail(xd_xreq *t, int status, const xd_error *err)
{
	xd_strbuf body = XD_STRBUF_INIT;
	xd_strbuf_puts(&body, err->code ? err->code : "INTERNAL_ERROR");
	for (size_t i = 0; i < err->nparams; i++) {
		xd_strbuf_putc(&body, ' ');
		xd_strbuf_puts(&body, err->params[i]);
	}
	xd_strbuf_putc(&body, '\n');
	xd_info("%s: %d %s", t->name, status, body.data);
	if (t->task)
		xd_task_fail(t->task, err);
	if (!t->answered) {
		char extra[160] = "";
		if (status == 401) /* as xapi's response_unauthorised */
			snprintf(extra, sizeof(extra), "WWW-Authenticate: Basic realm=\"%s\"\r\n",
				 t->realm);
		char head[512];
		int n = snprintf(head, sizeof(head),
				 "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\nContent-Type: text/plain\r\n"
				 "%sConnection: close\r\n\r\n",
				 status,
				 status == 400 ? "Bad Request" : status == 401 ? "Unauthorised" : status == 403 ? "Forbidden"
				 : status == 404 ? "Not Found" : status == 409 ? "Conflict"
				 : status == 411 ? "Length Required" : "Internal Error",
				 body.len, extra);
		if (n > 0 && (size_t)n < sizeof(head)) {
			send(t->req->fd, head, (size_t)n, MSG_NOSIGNAL);
			send(t->req->fd, body.data, body.len, MSG_NOSIGNAL);
		}
		t->answered = true;
		xd_xreq_drain(t);
	}
	xd_strbuf_free(&body);
}

void xd_xreq_fail_code(xd_xreq *t, int status, const char *code, const char *param)
{
	xd_error err = XD_ERROR_INIT;
	xd_error_set(&err, code, param, NULL);
	xd_xreq_fail(t, status, &err);
	xd_error_clear(&err);
}

/* ---- credentials ------------------------------------------------------------- */

/* 0 if the request may go on; else answered 401. The check is auth's
 * (xd_auth_http, shared with /rrd_updates); the Basic credentials are kept
 * for xd_xreq_session. */
int xd_xreq_check_credentials(xd_xreq *t)
{
	const xd_http_request *req = t->req;
	xd_http_cred cred;
	int rc = xd_auth_http(req->query, req->authorization, req->peer, t->name, &cred);
	if (rc == 0) {
		t->session = cred.session;
		t->user = cred.user;
		t->password = cred.password;
		return 0;
	}
	if (rc == -2) /* the roles lack the path's permission: 403, as xapi */
		xd_xreq_fail(t, 403, &cred.denied);
	else
		xd_xreq_fail_code(t, 401, "SESSION_AUTHENTICATION_FAILED", NULL);
	xd_http_cred_clear(&cred);
	return -1;
}

int xd_xreq_check_params(xd_xreq *t, const char *const *known)
{
	const char *q = t->req->query;
	while (q && *q) {
		size_t len = strcspn(q, "&");
		size_t klen = strcspn(q, "=&");
		bool ok = klen == 0;
		for (size_t i = 0; !ok && known[i]; i++) {
			size_t n = strlen(known[i]);
			if (known[i][n - 1] == ':') /* a map's prefix: "vdi:" takes vdi:<key> */
				ok = klen > n && (!strncmp(q, known[i], n) ||
						  (klen > n + 2 && !strncmp(q, known[i], n - 1) &&
						   !strncasecmp(q + n - 1, "%3A", 3)));
			else
				ok = n == klen && !strncmp(q, known[i], klen);
		}
		if (!ok) {
			char msg[160];
			snprintf(msg, sizeof(msg), "Unknown parameter %.*s", (int)(klen < 80 ? klen : 80),
				 q);
			xd_xreq_fail_code(t, 400, "INTERNAL_ERROR", msg);
			return -1;
		}
		q += len;
		if (*q == '&')
			q++;
	}
	return 0;
}

/* task_id's task, if it names one: what goes wrong from here on (even
 * the credentials, as xapi) fails it. */
void xd_xreq_given_task(xd_xreq *t)
{
	char *given = xd_http_query_get(t->req->query, "task_id");
	if (given && xd_db_exists(xd_dm_class("task"), given))
		t->task = given;
	else
		free(given);
}

/* task_id's task, or a new one. */
int xd_xreq_take_task(xd_xreq *t, const char *label)
{
	char *given = t->task ? NULL : xd_http_query_get(t->req->query, "task_id");
	xd_error err = XD_ERROR_INIT;
	if (t->task)
		return 0;
	if (given) {
		if (!xd_db_exists(xd_dm_class("task"), given)) {
			xd_error_set(&err, "HANDLE_INVALID", "task", given, NULL);
			free(given);
			xd_xreq_fail(t, 404, &err);
			xd_error_clear(&err);
			return -1;
		}
		t->task = given;
		return 0;
	}
	t->task = xd_task_create(t->session, label,
				 "", &err);
	t->own_task = t->task != NULL;
	if (!t->task) {
		xd_xreq_fail(t, 500, &err);
		xd_error_clear(&err);
		return -1;
	}
	return 0;
}

int xd_xreq_send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

