/* vdi_http.c - the raw VDI transfers over HTTP, as xapi's
 * import_raw_vdi.ml / export_raw_vdi.ml:
 *
 *   PUT /import_raw_vdi?vdi=<ref|uuid>[&format=raw][&task_id=<task>]
 *       the body (Content-Length bytes, at most the VDI's size) is written
 *       from the start of the VDI; or ?sr_id=<ref>|sr_uuid=<uuid> without vdi:
 *       a new VDI of Content-Length bytes ("Imported VDI") is made first.
 *   GET /export_raw_vdi?vdi=<ref|uuid>[&format=raw][&task_id=<task>]
 *       the whole VDI (virtual_size bytes, holes as zeros).
 *
 * Credentials as xapi's: session_id in the query, or HTTP Basic auth
 * (user:password, a session only for the transfer), or none over the unix
 * socket as root. Missing or bad ones: 401 with WWW-Authenticate. The data
 * moves in chunks of XD_VDI_DATA_CHUNK through the VDI's datapath (attached
 * for the transfer, detached after): never the whole disk in memory.
 * Progress goes to task_id's task (or a task made for the transfer); the
 * task ends completed (import: with the VDI ref) or failed with the
 * XenAPI error. Errors before the data moves are HTTP statuses with the
 * XenAPI error as a text body: 400 bad request, 401 credentials, 404 no
 * such VDI (xapi answers 500 there) or unknown format (as xapi), 409 VDI
 * in use, 411 no Content-Length, 500 anything else. Formats other than
 * raw (vhd, tar, qcow2) are 400: not supported here yet. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "auth/session.h"
#include "datapath/vdi_data.h"
#include "db/db.h"
#include "generic/generic.h"
#include "http/http.h"
#include "ids.h"
#include "log.h"
#include "storage/storage.h"
#include "storage_api.h"
#include "tasks/tasks.h"

/* ---- one transfer ------------------------------------------------------------ */

typedef struct transfer {
	const xd_http_request *req;
	bool import;
	char *vdi;          /* the VDI (ref) */
	char *task;         /* the task progress and the result go to */
	bool own_task;      /* made here (else the client's task_id) */
	char *session;      /* the session given, if any */
	bool answered;      /* an HTTP answer went out */
	bool attached;      /* the VDI is attached for the transfer */
	int64_t consumed;   /* body bytes read so far (import) */
} transfer;

static const xd_class *vdi_cls(void)
{
	return xd_dm_class("VDI");
}

static int status_of(const xd_error *err)
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
static void linger(transfer *t)
{
	int64_t have = t->consumed > (int64_t)t->req->body_prefix_len ? t->consumed
									 : (int64_t)t->req->body_prefix_len;
	int64_t left = t->req->content_length - have;
	if (!t->import || t->req->content_length < 0 || left <= 0)
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
static void fail(transfer *t, int status, const xd_error *err)
{
	xd_strbuf body = XD_STRBUF_INIT;
	xd_strbuf_puts(&body, err->code ? err->code : "INTERNAL_ERROR");
	for (size_t i = 0; i < err->nparams; i++) {
		xd_strbuf_putc(&body, ' ');
		xd_strbuf_puts(&body, err->params[i]);
	}
	xd_strbuf_putc(&body, '\n');
	xd_info("%s: %d %s", t->import ? "import_raw_vdi" : "export_raw_vdi", status, body.data);
	if (t->task)
		xd_task_fail(t->task, err);
	if (!t->answered) {
		char extra[160] = "";
		if (status == 401) /* as xapi's response_unauthorised */
			snprintf(extra, sizeof(extra), "WWW-Authenticate: Basic realm=\"%s\"\r\n",
				 t->import ? "VDI.import" : "VDI.export_raw");
		char head[512];
		int n = snprintf(head, sizeof(head),
				 "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\nContent-Type: text/plain\r\n"
				 "%sConnection: close\r\n\r\n",
				 status,
				 status == 400 ? "Bad Request" : status == 401 ? "Unauthorised"
				 : status == 404 ? "Not Found" : status == 409 ? "Conflict"
				 : status == 411 ? "Length Required" : "Internal Error",
				 body.len, extra);
		if (n > 0 && (size_t)n < sizeof(head)) {
			send(t->req->fd, head, (size_t)n, MSG_NOSIGNAL);
			send(t->req->fd, body.data, body.len, MSG_NOSIGNAL);
		}
		t->answered = true;
		linger(t);
	}
	xd_strbuf_free(&body);
}

static void fail_code(transfer *t, int status, const char *code, const char *param)
{
	xd_error err = XD_ERROR_INIT;
	xd_error_set(&err, code, param, NULL);
	fail(t, status, &err);
	xd_error_clear(&err);
}

/* ---- credentials ------------------------------------------------------------- */

/* 0 if the request may go on; else answered 401. */
static int check_credentials(transfer *t)
{
	const xd_http_request *req = t->req;
	if (xd_auth_http(req->query, req->authorization, req->peer,
			 t->import ? "import_raw_vdi" : "export_raw_vdi", &t->session) == 0)
		return 0;
	fail_code(t, 401, "SESSION_AUTHENTICATION_FAILED", NULL);
	return -1;
}

/* ---- the request --------------------------------------------------------------- */

/* The VDI named by ref or uuid (heap), else answered 404. */
static char *find_vdi(transfer *t, const char *name)
{
	if (xd_db_exists(vdi_cls(), name))
		return strdup(name);
	char *ref = xd_db_ref_by_uuid(vdi_cls(), name);
	if (!ref) {
		xd_error err = XD_ERROR_INIT;
		if (xd_uuid_valid(name))
			xd_error_set(&err, "UUID_INVALID", "VDI", name, NULL);
		else
			xd_error_set(&err, "HANDLE_INVALID", "VDI", name, NULL);
		fail(t, 404, &err);
		xd_error_clear(&err);
	}
	return ref;
}

/* format=: raw (or none) goes on; else answered. */
static int check_format(transfer *t)
{
	char *format = xd_http_query_get(t->req->query, "format");
	int rc = 0;
	if (format && strcasecmp(format, "raw") != 0) {
		char msg[160];
		xd_error err = XD_ERROR_INIT;
		bool known = !strcasecmp(format, "vhd") || !strcasecmp(format, "tar") ||
			     !strcasecmp(format, "qcow2");
		if (known)
			snprintf(msg, sizeof(msg), "format %.40s is not supported here: only raw", format);
		else
			snprintf(msg, sizeof(msg), "Unknown format %.80s", format);
		xd_error_set(&err, "INTERNAL_ERROR", msg, NULL);
		fail(t, known ? 400 : 404, &err); /* xapi: 404 for a format it does not know */
		xd_error_clear(&err);
		rc = -1;
	}
	free(format);
	return rc;
}

/* task_id's task, if it names one: what goes wrong from here on (even
 * the credentials, as xapi) fails it. */
static void given_task(transfer *t)
{
	char *given = xd_http_query_get(t->req->query, "task_id");
	if (given && xd_db_exists(xd_dm_class("task"), given))
		t->task = given;
	else
		free(given);
}

/* task_id's task, or a new one. */
static int take_task(transfer *t)
{
	char *given = t->task ? NULL : xd_http_query_get(t->req->query, "task_id");
	xd_error err = XD_ERROR_INIT;
	if (t->task)
		return 0;
	if (given) {
		if (!xd_db_exists(xd_dm_class("task"), given)) {
			xd_error_set(&err, "HANDLE_INVALID", "task", given, NULL);
			free(given);
			fail(t, 404, &err);
			xd_error_clear(&err);
			return -1;
		}
		t->task = given;
		return 0;
	}
	t->task = xd_task_create(t->session, t->import ? "Importing raw VDI" : "Exporting raw VDI",
				 "", &err);
	t->own_task = t->task != NULL;
	if (!t->task) {
		fail(t, 500, &err);
		xd_error_clear(&err);
		return -1;
	}
	return 0;
}

/* The common start: credentials, format, task, VDI (or, for an import, the
 * SR to make one in). */
static int start(transfer *t)
{
	given_task(t);
	if (check_credentials(t) < 0 || check_format(t) < 0 || take_task(t) < 0)
		return -1;
	char *name = xd_http_query_get(t->req->query, "vdi");
	if (name) {
		t->vdi = find_vdi(t, name);
		free(name);
		return t->vdi ? 0 : -1;
	}
	if (!t->import) {
		fail_code(t, 400, "INTERNAL_ERROR", "Missing vdi query parameter");
		return -1;
	}
	/* import without a VDI: a new one in sr_id / sr_uuid, of the body's size */
	char *sr = xd_http_query_get(t->req->query, "sr_id");
	if (!sr) {
		char *uuid = xd_http_query_get(t->req->query, "sr_uuid");
		sr = uuid ? xd_db_ref_by_uuid(xd_dm_class("SR"), uuid) : NULL;
		free(uuid);
	}
	xd_error err = XD_ERROR_INIT;
	if (!sr) {
		fail_code(t, 400, "VDI_MISSING", NULL); /* xapi: "Require an SR or VDI to import" */
		return -1;
	}
	if (t->req->content_length < 0) {
		free(sr);
		fail_code(t, 411, "INTERNAL_ERROR", "Not enough info supplied to import");
		return -1;
	}
	xd_value *rec = xd_struct();
	xd_struct_set_take(rec, "SR", xd_string(sr));
	xd_struct_set_take(rec, "name_label", xd_string("Imported VDI"));
	xd_struct_set_take(rec, "virtual_size", xd_int(t->req->content_length));
	xd_struct_set_take(rec, "type", xd_string("user"));
	t->vdi = xd_vdi_create_record(t->task, rec, &err);
	free(sr);
	if (!t->vdi) {
		fail(t, status_of(&err), &err);
		xd_error_clear(&err);
		return -1;
	}
	return 0;
}

/* ---- data ----------------------------------------------------------------------- */

/* Fills buf with len body bytes: the prefix http.c already read, then the
 * socket. -1 if the client went away first. */
static int read_body(transfer *t, char *buf, size_t len, int64_t *consumed)
{
	size_t got = 0;
	if ((uint64_t)*consumed < t->req->body_prefix_len) {
		size_t n = t->req->body_prefix_len - (size_t)*consumed;
		if (n > len)
			n = len;
		memcpy(buf, t->req->body_prefix + *consumed, n);
		got = n;
	}
	while (got < len) {
		ssize_t n = recv(t->req->fd, buf + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	*consumed += (int64_t)len;
	t->consumed = *consumed;
	return 0;
}

static int send_all(int fd, const char *p, size_t len)
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

static int do_import(transfer *t, xd_vdi_data *d, int64_t total, xd_error *err)
{
	char *buf = malloc(XD_VDI_DATA_CHUNK);
	int64_t off = 0;
	xd_vdi_progress prog;
	int rc = -1;
	if (!buf)
		abort();
	xd_vdi_progress_init(&prog, t->task, 0.0, 1.0, total);
	while (off < total) {
		if (xd_task_cancelling(t->task)) {
			xd_error_set(err, "TASK_CANCELLED", t->task, NULL);
			goto out;
		}
		size_t n = total - off < (int64_t)XD_VDI_DATA_CHUNK ? (size_t)(total - off)
								    : XD_VDI_DATA_CHUNK;
		int64_t at = off;
		if (read_body(t, buf, n, &off) < 0) {
			xd_error_setf(err, "VDI_IO_ERROR",
				      "the client sent %lld of the %lld bytes it announced",
				      (long long)at, (long long)total);
			goto out;
		}
		/* zeros become holes: an import keeps the VDI sparse */
		if (xd_vdi_data_is_zero(buf, n) ? xd_vdi_data_zero(d, n, at, err) < 0
						: xd_vdi_data_write(d, buf, n, at, err) < 0)
			goto out;
		xd_vdi_progress_update(&prog, off);
	}
	rc = xd_vdi_data_flush(d, err);
out:
	free(buf);
	return rc;
}

/* The datapath closed and the VDI detached: done before the client can
 * see the end of the transfer (the last bytes of an export, the answer to
 * an import), so that what it does next finds the VDI free. */
static void release(transfer *t, xd_vdi_data **d)
{
	xd_vdi_data_close(*d);
	*d = NULL;
	if (t->attached)
		xd_storage_vdi_detach(t->vdi, t->task);
	t->attached = false;
}

static int do_export(transfer *t, xd_vdi_data **d, int64_t total, xd_error *err)
{
	char *buf = malloc(XD_VDI_DATA_CHUNK);
	int64_t off = 0;
	xd_vdi_progress prog;
	int rc = -1;
	if (!buf)
		abort();
	xd_vdi_progress_init(&prog, t->task, 0.0, 1.0, total);
	while (off < total) {
		if (xd_task_cancelling(t->task)) {
			xd_error_set(err, "TASK_CANCELLED", t->task, NULL);
			goto out;
		}
		int64_t want = total - off < (int64_t)XD_VDI_DATA_CHUNK ? total - off
								       : (int64_t)XD_VDI_DATA_CHUNK;
		bool hole;
		int64_t n = xd_vdi_data_extent(*d, off, want, &hole, err);
		if (n < 0)
			goto out;
		if (hole)
			memset(buf, 0, (size_t)n); /* a raw export sends every byte */
		else if (xd_vdi_data_read(*d, buf, (size_t)n, off, err) < 0)
			goto out;
		if (off + n >= total) {
			/* detached and done before the client has the last byte */
			release(t, d);
			xd_value *result = xd_string("");
			xd_task_complete(t->task, result);
			xd_value_free(result);
		}
		if (send_all(t->req->fd, buf, (size_t)n) < 0) {
			xd_error_setf(err, "VDI_IO_ERROR", "the client went away after %lld of %lld bytes",
				      (long long)off, (long long)total);
			goto out;
		}
		off += n;
		xd_vdi_progress_update(&prog, off);
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

static void run_transfer(const xd_http_request *req, bool import)
{
	transfer t = { .req = req, .import = import };
	xd_error err = XD_ERROR_INIT;
	xd_value *rec = NULL;
	char *uri = NULL;
	xd_vdi_data *d = NULL;
	if (start(&t) < 0)
		goto out;
	rec = xd_db_get_record(vdi_cls(), t.vdi);
	int64_t size = xd_storage_rec_int(rec, "virtual_size");
	int64_t total = size;
	if (import) {
		total = req->content_length;
		if (total < 0) {
			fail_code(&t, 411, "INTERNAL_ERROR", "Content-Length is required");
			goto out;
		}
		if (total > size) {
			char want[32];
			snprintf(want, sizeof(want), "%" PRId64, total);
			xd_error_set(&err, "VDI_TOO_SMALL", t.vdi, want, NULL);
			fail(&t, 400, &err);
			goto out;
		}
	}
	uri = xd_storage_vdi_attach(t.vdi, import, import ? "import" : "export", t.task, &err);
	if (!uri) {
		fail(&t, status_of(&err), &err);
		goto out;
	}
	t.attached = true;
	d = xd_vdi_data_open(uri, import, &err);
	if (!d || xd_vdi_data_size(d) < size) {
		if (d)
			xd_error_setf(&err, "VDI_IO_ERROR", "the datapath %s is smaller than the VDI", uri);
		fail(&t, 500, &err);
		goto detach;
	}
	xd_info("%s: VDI %s, %lld bytes (task %s)", import ? "import_raw_vdi" : "export_raw_vdi",
		t.vdi, (long long)total, t.task);
	if (import) {
		if (do_import(&t, d, total, &err) < 0) {
			fail(&t, status_of(&err), &err);
			goto detach;
		}
		release(&t, &d);
		/* the task ends before the client hears of it */
		xd_value *result = xd_string(t.vdi);
		xd_task_complete(t.task, result);
		xd_value_free(result);
		char head[256];
		int n = snprintf(head, sizeof(head),
				 "HTTP/1.1 200 OK\r\nContent-Length: 0\r\ntask-id: %s\r\n"
				 "Connection: close\r\n\r\n",
				 t.task);
		send_all(req->fd, head, (size_t)n);
		t.answered = true;
		goto out;
	} else {
		char head[512];
		xd_value *uuid = xd_db_get_field(vdi_cls(), t.vdi, xd_dm_field_index(vdi_cls(), "uuid"));
		int n = snprintf(head, sizeof(head),
				 "HTTP/1.1 200 OK\r\nContent-Length: %" PRId64 "\r\n"
				 "Content-Type: application/octet-stream\r\n"
				 "Content-Disposition: attachment; filename=\"%s.raw\"\r\n"
				 "task-id: %s\r\nConnection: close\r\n\r\n",
				 total, uuid ? uuid->u.s : "vdi", t.task);
		xd_value_free(uuid);
		t.answered = true;
		if (total == 0) {
			release(&t, &d);
			xd_value *result = xd_string("");
			xd_task_complete(t.task, result);
			xd_value_free(result);
		}
		if (send_all(req->fd, head, (size_t)n) < 0 || do_export(&t, &d, total, &err) < 0) {
			if (!err.code)
				xd_error_setf(&err, "VDI_IO_ERROR", "the client went away");
			fail(&t, 500, &err); /* the task only: the answer has started */
			goto detach;
		}
	}
detach:
	release(&t, &d);
out:
	xd_error_clear(&err);
	xd_value_free(rec);
	free(uri);
	free(t.vdi);
	free(t.task);
	free(t.session);
}

static void h_import(const xd_http_request *req)
{
	run_transfer(req, true);
}

static void h_export(const xd_http_request *req)
{
	run_transfer(req, false);
}

void xd_api_vdi_http_register(void)
{
	xd_http_register("PUT", "/import_raw_vdi", h_import);
	xd_http_register("GET", "/export_raw_vdi", h_export);
}
