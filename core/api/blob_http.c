/* blob_http.c - a blob's bytes over HTTP, as xapi's Xapi_blob.handler:
 *
 *   GET /blob?ref=<blob ref>|uuid=<blob uuid>[&session_id=][&task_id=]
 *       200 with the bytes last PUT, Content-Type the blob's mime_type;
 *       404 (no body) while nothing was ever PUT.
 *   PUT /blob?ref=<blob ref>|uuid=<blob uuid>[&session_id=][&task_id=]
 *       the body (Content-Length bytes, or HTTP chunked: an extension, xapi
 *       wants a length) replaces the bytes; size and last_updated follow.
 *
 * As xapi: ref= wins over uuid=; neither is 400; a blob neither names is
 * 404 "Unknown reference". A public blob is read without credentials; any
 * other request needs them as every data path (session_id, HTTP Basic, root
 * on the unix socket: 401), a GET with any role (http/get_blob: read-only),
 * a PUT with vm-power-admin's (http/put_blob, checked before anything else
 * as xapi's server does: 403). A PUT without a length is 500 "Need content
 * length". xapi answers a PUT's 200 before it reads the body, and its
 * clients (its xe, XenCenter, its own migrate_push) wait for that answer
 * before they send; other clients send the body at once and read the
 * answer after, and to them an early 200 would not mean "stored". So the
 * 200 goes first only to a client that sends nothing of its body for a
 * second; anyone else gets it (or the error) once the bytes are stored.
 * The body goes to a temporary file in <state_dir>/blobs, synced
 * and renamed over the blob's file only once it is whole, so a body cut
 * short leaves the blob as it was (xapi truncates first). xapi has no size
 * limit; the state dir's free space is the one (ENOSPC fails the PUT).
 *
 * task_id's task ends as the request does: completed, or failed with the
 * XenAPI error (UUID_INVALID / HANDLE_INVALID [blob, …] for 404, the
 * credentials' error, INTERNAL_ERROR [why] for a body that failed). A GET of
 * a blob never written completes it, as xapi (the 404 says the rest). */
#define _GNU_SOURCE /* asprintf, mkostemp */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "blob_int.h"
#include "config.h"
#include "db/db.h"
#include "http/http.h"
#include "log.h"
#include "tasks/tasks.h"
#include "transfer/transfer.h"
#include "xreq.h"

#define PIECE ((size_t)1 << 20)
/* How long a client that sent the head may be silent before it is taken
 * for one that waits for the 200 (xapi's clients). */
#define WAITING_CLIENT_MS 1000

static const char *const known_params[] = { "ref", "uuid", "session_id", "task_id",
					    "subtask_of", NULL };

typedef struct blob_req {
	xd_xreq x;
	char *ref;       /* the blob the query names (may not exist) */
} blob_req;

static const xd_class *blob_class(void)
{
	return xd_dm_class("blob");
}

/* status with a text body (xapi's, where it has one); the task fails with
 * code [class, what] (or is completed when code is NULL). */
static void answer(blob_req *b, int status, const char *body, const char *code,
		   const char *what)
{
	xd_error err = XD_ERROR_INIT;
	if (code)
		xd_error_set(&err, code, what ? "blob" : NULL, what, NULL);
	xd_info("%s: %d %s", b->x.name, status, code ? code : "");
	if (b->x.task) {
		if (code)
			xd_task_fail(b->x.task, &err);
		else
			xd_task_complete(b->x.task, NULL);
	}
	xd_http_send_simple(b->x.req->fd, status, body ? "text/plain" : NULL, body);
	b->x.answered = true;
	xd_xreq_drain(&b->x);
	xd_error_clear(&err);
}

/* ref= or uuid=: b->ref set; else answered 400 or 404. */
static int find_blob(blob_req *b)
{
	const char *q = b->x.req->query;
	b->ref = xd_http_query_get(q, "ref");
	if (b->ref)
		return 0;
	char *uuid = xd_http_query_get(q, "uuid");
	if (!uuid) {
		xd_xreq_fail_code(&b->x, 400, "INTERNAL_ERROR",
				  "HTTP request for binary blob lacked 'ref' or 'uuid' parameter");
		return -1;
	}
	b->ref = xd_db_ref_by_uuid(blob_class(), uuid);
	if (!b->ref)
		answer(b, 404, "Unknown reference\n", "UUID_INVALID", uuid);
	free(uuid);
	return b->ref ? 0 : -1;
}

/* The blob's uuid and mime_type (heap), or answered 404. */
static int blob_fields(blob_req *b, char **uuid, char **mime)
{
	const xd_class *c = blob_class();
	xd_value *rec = xd_db_get_record(c, b->ref);
	if (!rec) {
		answer(b, 404, "Unknown reference\n", "HANDLE_INVALID", b->ref);
		return -1;
	}
	const xd_value *u = xd_struct_get(rec, "uuid"), *m = xd_struct_get(rec, "mime_type");
	*uuid = strdup(u ? u->u.s : "");
	if (mime)
		*mime = strdup(m ? m->u.s : "application/octet-stream");
	xd_value_free(rec);
	return 0;
}

/* ---- GET ---------------------------------------------------------------------- */

static void get_bytes(blob_req *b)
{
	char *uuid = NULL, *mime = NULL;
	if (blob_fields(b, &uuid, &mime) < 0)
		return;
	char *path = xd_blob_file(uuid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) < 0) {
		/* never PUT: 404 without a body, and the task completes, as xapi */
		if (fd >= 0)
			close(fd);
		answer(b, 404, NULL, NULL, NULL);
		goto out;
	}
	char head[512];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 200 OK\r\nConnection: close\r\nCache-Control: no-cache, no-store\r\n"
			 "Content-Length: %lld\r\nContent-Type: %s\r\n\r\n",
			 (long long)sb.st_size, mime);
	b->x.answered = true;
	/* the task ends before the last byte goes, so that a client that read
	 * them all finds it ended */
	if (b->x.task)
		xd_task_complete(b->x.task, NULL);
	if (n > 0 && (size_t)n < sizeof(head) &&
	    xd_xreq_send_all(b->x.req->fd, head, (size_t)n) == 0) {
		char *buf = malloc(PIECE);
		int64_t left = sb.st_size;
		while (buf && left > 0) {
			ssize_t got = read(fd, buf, left < (int64_t)PIECE ? (size_t)left : PIECE);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0 || xd_xreq_send_all(b->x.req->fd, buf, (size_t)got) < 0)
				break;
			left -= got;
		}
		if (left > 0)
			xd_info("%s: %s: %lld bytes not sent", b->x.name, uuid, (long long)left);
		free(buf);
	}
	close(fd);
out:
	free(path);
	free(uuid);
	free(mime);
}

static void h_get(const xd_http_request *req)
{
	blob_req b = { 0 };
	xd_xreq_init(&b.x, req, false, "get_blob", "Blob handler");
	if (xd_xreq_check_params(&b.x, known_params) < 0)
		goto out;
	xd_xreq_given_task(&b.x);
	if (find_blob(&b) < 0)
		goto out;
	xd_value *pub = xd_db_get_field(blob_class(), b.ref,
					xd_dm_field_index(blob_class(), "public"));
	bool public = pub && pub->u.b;
	xd_value_free(pub);
	/* a public blob is read by anyone, as xapi's */
	if (!public && xd_xreq_check_credentials(&b.x) < 0)
		goto out;
	get_bytes(&b);
out:
	free(b.ref);
	xd_xreq_clear(&b.x);
}

/* ---- PUT ---------------------------------------------------------------------- */

/* The files of PUTs a crash cut short, removed by this run's first PUT
 * before it makes its own (not at start-up: `make doc/api-coverage.md`
 * registers the handlers without being the daemon of that state dir). */
static void drop_partial_puts(void)
{
	char *dir = NULL;
	if (asprintf(&dir, "%s/" XD_BLOB_DIR, xd_cfg.state_dir ? xd_cfg.state_dir : ".") < 0)
		abort();
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		if (strncmp(e->d_name, ".put-", 5) != 0)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0)
			xd_info("blobs: removed %s/%s, a PUT cut short", dir, e->d_name);
	}
	if (d)
		closedir(d);
	free(dir);
}

/* The body into a new file in the blobs dir: its path (heap) and *size, or
 * NULL with err (the file removed). */
static char *receive(blob_req *b, int64_t *size, xd_error *err)
{
	char *tmp = NULL;
	if (asprintf(&tmp, "%s/" XD_BLOB_DIR, xd_cfg.state_dir ? xd_cfg.state_dir : ".") < 0)
		abort();
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST) {
		xd_error_setf(err, "INTERNAL_ERROR", "cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		return NULL;
	}
	free(tmp);
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, drop_partial_puts);
	if (asprintf(&tmp, "%s/" XD_BLOB_DIR "/.put-XXXXXX",
		     xd_cfg.state_dir ? xd_cfg.state_dir : ".") < 0)
		abort();
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		return NULL;
	}
	xd_xfer_in in;
	xd_xfer_dechunk dc;
	xd_xfer_in_init(&in, b->x.req, b->x.task);
	if (b->x.req->chunked) /* the framing says where it ends, not a length */
		in.limit = -1;
	xd_xfer_dechunk_init(&dc, &in);
	char *buf = malloc(PIECE);
	int rc = buf ? 0 : -1;
	*size = 0;
	while (rc == 0) {
		int64_t n = b->x.req->chunked ? xd_xfer_dechunk_read(&dc, buf, PIECE, err)
					      : xd_xfer_read_some(&in, buf, PIECE, err);
		if (n <= 0) {
			rc = (int)n;
			break;
		}
		b->x.consumed = in.pos;
		for (int64_t off = 0; rc == 0 && off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				xd_error_setf(err, "INTERNAL_ERROR", "cannot write the blob: %s",
					      strerror(errno));
				rc = -1;
			} else {
				off += w;
			}
		}
		*size += n;
	}
	free(buf);
	b->x.consumed = in.pos;
	if (rc == 0 && fsync(fd) < 0) { /* xapi writes with O_SYNC */
		xd_error_setf(err, "INTERNAL_ERROR", "cannot write the blob: %s", strerror(errno));
		rc = -1;
	}
	if (close(fd) < 0 && rc == 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "cannot write the blob: %s", strerror(errno));
		rc = -1;
	}
	if (rc < 0) {
		if (!xd_error_is_set(err))
			xd_error_set(err, "INTERNAL_ERROR", "out of memory", NULL);
		unlink(tmp);
		free(tmp);
		return NULL;
	}
	return tmp;
}

/* The received file becomes the blob's bytes, and its record says so. */
static int store(blob_req *b, const char *tmp, int64_t size, xd_error *err)
{
	const xd_class *c = blob_class();
	char *path = NULL;
	xd_blob_lock();
	/* blob.destroy may have run while the body came */
	xd_value *u = xd_db_get_field(c, b->ref, c->uuid_field);
	int rc = -1;
	if (!u) {
		xd_error_set(err, "HANDLE_INVALID", "blob", b->ref, NULL);
	} else {
		path = xd_blob_file(u->u.s);
		if (rename(tmp, path) < 0)
			xd_error_setf(err, "INTERNAL_ERROR", "cannot store the blob: %s",
				      strerror(errno));
		else
			rc = 0;
	}
	if (rc == 0) {
		xd_db_txn *t = xd_db_begin();
		xd_value *sz = xd_int(size), *when = xd_datetime((int64_t)time(NULL));
		xd_db_txn_set_field(t, c, b->ref, xd_dm_field_index(c, "size"), sz, err);
		xd_db_txn_set_field(t, c, b->ref, xd_dm_field_index(c, "last_updated"), when, err);
		rc = xd_db_commit(t, err);
		xd_value_free(sz);
		xd_value_free(when);
	}
	xd_blob_unlock();
	xd_value_free(u);
	free(path);
	return rc;
}

static void h_put(const xd_http_request *req)
{
	blob_req b = { 0 };
	xd_error err = XD_ERROR_INIT;
	xd_xreq_init(&b.x, req, true, "put_blob", "put_blob");
	if (xd_xreq_check_params(&b.x, known_params) < 0)
		goto out;
	xd_xreq_given_task(&b.x);
	/* xapi's server checks put_blob's credentials and role before the
	 * handler runs */
	if (xd_xreq_check_credentials(&b.x) < 0 || find_blob(&b) < 0)
		goto out;
	if (!xd_db_exists(blob_class(), b.ref)) {
		answer(&b, 404, "Unknown reference\n", "HANDLE_INVALID", b.ref);
		goto out;
	}
	if (req->content_length < 0 && !req->chunked) {
		xd_xreq_fail_code(&b.x, 500, "INTERNAL_ERROR", "Need content length");
		goto out;
	}
	static const char ok[] = "HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\n"
				 "Connection: close\r\nContent-Length: 0\r\n\r\n";
	if (req->body_prefix_len == 0 && (req->chunked || req->content_length > 0)) {
		struct pollfd pfd = { .fd = req->fd, .events = POLLIN };
		if (poll(&pfd, 1, WAITING_CLIENT_MS) == 0) {
			b.x.answered = true;
			if (xd_xreq_send_all(req->fd, ok, sizeof(ok) - 1) < 0)
				xd_debug("put_blob: the client is gone before its body");
		}
	}
	int64_t size = 0;
	char *tmp = receive(&b, &size, &err);
	if (!tmp || store(&b, tmp, size, &err) < 0) {
		if (tmp)
			unlink(tmp);
		if (err.code && !strcmp(err.code, "VDI_IO_ERROR")) { /* a body cut short: no VDI here */
			char *why = strdup(err.nparams ? err.params[0] : "");
			xd_error_clear(&err);
			xd_error_set(&err, "INTERNAL_ERROR", why, NULL);
			free(why);
		}
		xd_xreq_fail(&b.x, 500, &err); /* fails the task */
	} else {
		if (b.x.task)
			xd_task_complete(b.x.task, NULL);
		if (!b.x.answered && xd_xreq_send_all(req->fd, ok, sizeof(ok) - 1) < 0)
			xd_debug("put_blob: the client is gone before the answer");
		b.x.answered = true;
	}
	free(tmp);
out:
	xd_error_clear(&err);
	free(b.ref);
	xd_xreq_clear(&b.x);
}

void xd_api_blob_http_register(void)
{
	xd_http_register("GET", "/blob", h_get);
	xd_http_register("PUT", "/blob", h_put);
}
