/* vdi_http.c - the VDI transfers over HTTP, as xapi's import_raw_vdi.ml /
 * export_raw_vdi.ml:
 *
 *   PUT /import_raw_vdi?vdi=<ref|uuid>[&format=raw|vhd|qcow2|tar][&chunked=true][&task_id=<task>]
 *       raw: the body (Content-Length bytes, at most the VDI's size) is
 *       written from the start of the VDI; raw with chunked=true: xapi's
 *       sparse chunked stream (transfer.h); vhd: a dynamic or differencing
 *       VHD whose allocated sectors are written over the VDI (a delta lands
 *       on its base). Or ?sr_id=<ref>|sr_uuid=<uuid> without vdi (raw
 *       only, as xapi): a new VDI of Content-Length bytes ("Imported VDI")
 *       is made first. tar: stream_vdi.ml's vdi/<8 digits> chunks with
 *       their checksums (transfer.h).
 *   GET /export_raw_vdi?vdi=<ref|uuid>[&format=raw|vhd|qcow2|tar][&base=<vdi>][&task_id=<task>]
 *       raw: the whole VDI (virtual_size bytes, holes as zeros); vhd: a
 *       dynamic VHD of the blocks holding data, or with base= of the
 *       blocks that differ from base (a delta); tar: the chunks an XVA
 *       holds, under vdi/.
 *
 * Credentials as xapi's: session_id in the query, or HTTP Basic auth
 * (user:password, a session only for the transfer), or none over the unix
 * socket as root. Missing or bad ones: 401 with WWW-Authenticate. The data
 * moves in chunks of XD_VDI_DATA_CHUNK through the VDI's datapath (attached
 * for the transfer, detached after): never the whole disk in memory.
 * Progress goes to task_id's task (or a task made for the transfer); the
 * task ends completed (import: with the VDI ref) or failed with the
 * XenAPI error; a task.cancel stops the transfer within a second. Errors
 * before the data moves are HTTP statuses with the XenAPI error as a text
 * body: 400 bad request, 401 credentials, 404 no such VDI (xapi answers
 * 500 there) or what xapi answers 404 to (an unknown format, chunked with
 * vhd, an HTTP chunked body), 409 VDI in use, 411 no Content-Length, 500
 * anything else. A query parameter xapi does not read (or one of its we do
 * not support: base= but with vhd) is refused with 400 and nothing moves:
 * a stream is never written in a way the client did not ask for. */
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
#include "transfer/transfer.h"
#include "xreq.h"

/* ---- one transfer ------------------------------------------------------------ */

typedef enum { FMT_RAW, FMT_VHD, FMT_QCOW2, FMT_TAR } disk_format;

static const char *const format_names[] = { "raw", "vhd", "qcow2", "tar" };
/* format=tar: the VDI's chunks are vdi/<8 digits> (xapi's vdi_tar_export_dir) */
#define TAR_PREFIX "vdi"

typedef struct transfer {
	xd_xreq x;          /* the request, its credentials and task */
	bool import;
	disk_format format;
	bool chunked;       /* import: xapi's sparse chunked raw stream */
	char *vdi;          /* the VDI (ref) */
	char *base;         /* export: the VDI a delta is made against */
	bool attached;      /* the VDI is attached for the transfer */
	xd_vdi_data **data, **base_data; /* export: the open datapaths */
	bool finished;      /* export: the task completed */
} transfer;

static const xd_class *vdi_cls(void)
{
	return xd_dm_class("VDI");
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
		xd_xreq_fail(&t->x, 404, &err);
		xd_error_clear(&err);
	}
	return ref;
}

/* The query parameters xapi's handlers read: any other is refused, so
 * that nothing a client asks for is silently ignored. */
static const char *const import_params[] = { "session_id", "task_id", "vdi", "sr_id",
					     "sr_uuid", "format", "chunked", NULL };
static const char *const export_params[] = { "session_id", "task_id", "vdi", "format", "base",
					     NULL };

/* format=, chunked=, base= and the HTTP framing: what goes on is set in t;
 * else answered as xapi answers. */
static int check_format(transfer *t)
{
	char *format = xd_http_query_get(t->x.req->query, "format");
	char *chunked = xd_http_query_get(t->x.req->query, "chunked");
	char msg[160];
	int status = 0;
	const char *why = NULL;
	if (!format || !strcasecmp(format, "raw")) {
		t->format = FMT_RAW;
	} else if (!strcasecmp(format, "vhd")) {
		t->format = FMT_VHD;
	} else if (!strcasecmp(format, "qcow2")) {
		t->format = FMT_QCOW2;
	} else if (!strcasecmp(format, "tar")) {
		t->format = FMT_TAR;
	} else {
		snprintf(msg, sizeof(msg), "Unknown format %.80s", format);
		status = 404; /* as xapi */
	}
	if (!status && chunked) {
		/* xapi takes chunked=<anything> for chunked; a value that says
		 * otherwise is refused rather than read one way or the other */
		if (strcasecmp(chunked, "true") != 0)
			why = "chunked= takes true only", status = 400;
		else if (t->format != FMT_RAW)
			why = "Cannot handle chunked VHD", status = 404;
		t->chunked = true;
	}
	if (!status && t->import && t->x.req->chunked)
		why = "Cannot handle encoding: chunked", status = 404; /* as xapi */
	if (status) {
		xd_xreq_fail_code(&t->x, status, "INTERNAL_ERROR", why ? why : msg);
		free(format);
		free(chunked);
		return -1;
	}
	free(format);
	free(chunked);
	return 0;
}

/* base=: a VDI of the same SR, for a VHD delta; answered if not. */
static int check_base(transfer *t)
{
	char *name = xd_http_query_get(t->x.req->query, "base");
	if (!name)
		return 0;
	t->base = find_vdi(t, name);
	free(name);
	if (!t->base)
		return -1;
	if (t->format != FMT_VHD && t->format != FMT_QCOW2) {
		/* a raw stream cannot say "unchanged": refused rather than sent whole */
		xd_xreq_fail_code(&t->x, 400, "INTERNAL_ERROR", "base= needs format=vhd or qcow2");
		return -1;
	}
	return 0;
}

/* The common start: credentials, format, task, VDI (or, for an import, the
 * SR to make one in). */
static int start(transfer *t)
{
	xd_xreq_given_task(&t->x);
	if (xd_xreq_check_credentials(&t->x) < 0 ||
	    xd_xreq_check_params(&t->x, t->import ? import_params : export_params) < 0 ||
	    check_format(t) < 0 ||
	    xd_xreq_take_task(&t->x, t->import ? "Importing raw VDI" : "Exporting raw VDI") < 0)
		return -1;
	char *name = xd_http_query_get(t->x.req->query, "vdi");
	if (name) {
		t->vdi = find_vdi(t, name);
		free(name);
		return t->vdi ? check_base(t) : -1;
	}
	if (!t->import) {
		xd_xreq_fail_code(&t->x, 400, "INTERNAL_ERROR", "Missing vdi query parameter");
		return -1;
	}
	/* import without a VDI: a new one in sr_id / sr_uuid, of the body's size */
	char *sr = xd_http_query_get(t->x.req->query, "sr_id");
	if (!sr) {
		char *uuid = xd_http_query_get(t->x.req->query, "sr_uuid");
		sr = uuid ? xd_db_ref_by_uuid(xd_dm_class("SR"), uuid) : NULL;
		free(uuid);
	}
	xd_error err = XD_ERROR_INIT;
	if (!sr) {
		xd_xreq_fail_code(&t->x, 400, "VDI_MISSING", NULL); /* xapi: "Require an SR or VDI to import" */
		return -1;
	}
	if (t->format != FMT_RAW) {
		free(sr);
		xd_xreq_fail_code(&t->x, 400, "INTERNAL_ERROR",
				  t->format == FMT_VHD
					  ? "Importing a VHD directly into an SR not yet supported"
				  : t->format == FMT_QCOW2
					  ? "Importing a QCOW2 directly into an SR not yet supported"
					  : "Not enough info supplied to import"); /* as xapi */
		return -1;
	}
	if (t->x.req->content_length < 0) {
		free(sr);
		xd_xreq_fail_code(&t->x, 411, "INTERNAL_ERROR", "Not enough info supplied to import");
		return -1;
	}
	xd_value *rec = xd_struct();
	xd_struct_set_take(rec, "SR", xd_string(sr));
	xd_struct_set_take(rec, "name_label", xd_string("Imported VDI"));
	xd_struct_set_take(rec, "virtual_size", xd_int(t->x.req->content_length));
	xd_struct_set_take(rec, "type", xd_string("user"));
	t->vdi = xd_vdi_create_record(t->x.task, rec, &err);
	free(sr);
	if (!t->vdi) {
		xd_xreq_fail(&t->x, xd_xreq_status_of(&err), &err);
		xd_error_clear(&err);
		return -1;
	}
	return 0;
}

/* ---- data ----------------------------------------------------------------------- */

static int do_import(transfer *t, xd_vdi_data *d, int64_t size, xd_error *err)
{
	xd_xfer_in in;
	int rc;
	xd_xfer_in_init(&in, t->x.req, t->x.task);
	if (t->format == FMT_VHD)
		rc = xd_vhd_import(&in, d, size, t->vdi, err);
	else if (t->format == FMT_TAR) {
		rc = xd_tar_vdi_import(&in, d, size, TAR_PREFIX, err);
		/* the end of the archive, of no use (xapi leaves it unread;
		 * read here so that the answer is not lost to a reset) */
		if (rc == 0 && xd_xfer_left(&in) > 0)
			rc = xd_xfer_skip(&in, xd_xfer_left(&in), "the archive", err);
	}
	else if (t->chunked)
		rc = xd_xfer_import_chunked(&in, d, size, t->vdi, err);
	else
		rc = xd_xfer_import_raw(&in, d, t->x.req->content_length, err);
	t->x.consumed = in.pos;
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
		xd_storage_vdi_detach(t->vdi, t->x.task);
	t->attached = false;
}

/* An error answer once the VDI is attached: released first, so that the
 * client's next request (a retry, another import) finds the VDI free
 * rather than VDI_IN_USE by its own failed transfer. */
static void fail_released(transfer *t, xd_vdi_data **d, int status, xd_error *err)
{
	release(t, d);
	xd_xreq_fail(&t->x, status, err);
}

/* Ends the export's task before the client has the last byte, and
 * detaches (see release): xd_xfer_out's before_end, when the last piece
 * is read and about to go. */
static void finish_export(void *ctx)
{
	transfer *t = ctx;
	release(t, t->data);
	if (*t->base_data) {
		xd_vdi_data_close(*t->base_data);
		*t->base_data = NULL;
		xd_storage_vdi_detach(t->base, t->x.task);
	}
	xd_value *result = xd_string("");
	xd_task_complete(t->x.task, result);
	xd_value_free(result);
	t->finished = true;
}

static void out_init(transfer *t, xd_xfer_out *out, int64_t total)
{
	*out = (xd_xfer_out){ .fd = t->x.req->fd, .task = t->x.task, .total = total,
			      .before_end = finish_export, .ctx = t };
}

/* The raw export's pieces, in order (xd_xfer_source's next). */
typedef struct raw_pieces {
	int64_t off, total;
} raw_pieces;

static int next_raw_piece(void *ctx, int64_t *off, size_t *len, size_t *total, xd_error *err)
{
	(void)err;
	raw_pieces *rp = ctx;
	if (rp->off >= rp->total)
		return 1;
	int64_t n = rp->total - rp->off < (int64_t)XD_VDI_DATA_CHUNK ? rp->total - rp->off
								     : (int64_t)XD_VDI_DATA_CHUNK;
	*off = rp->off;
	*len = *total = (size_t)n;
	rp->off += n;
	return 0;
}

/* Every byte (holes as zeros), read ahead while the client takes the
 * pieces before. */
static int export_raw(transfer *t, xd_xfer_out *out, xd_vdi_data **d, int64_t total,
		      xd_error *err)
{
	raw_pieces rp = { 0, total };
	xd_vdi_progress prog;
	xd_xfer_source *src = xd_xfer_source_start(*d, XD_VDI_DATA_CHUNK, next_raw_piece, &rp, err);
	if (!src)
		return -1;
	xd_vdi_progress_init(&prog, t->x.task, 0.0, 1.0, total);
	int64_t sent = 0, n;
	const char *buf;
	while ((n = xd_xfer_source_next(src, &buf, NULL, err)) > 0) {
		if (xd_xfer_write(out, buf, (size_t)n, err) < 0)
			break;
		sent += n;
		xd_vdi_progress_update(&prog, sent);
	}
	xd_xfer_source_end(src);
	return sent == total ? 0 : -1;
}

/* The export's head: its length, type and file name as xapi's. */
static int export_head(transfer *t, int64_t length)
{
	char head[512];
	xd_value *uuid = xd_db_get_field(vdi_cls(), t->vdi, xd_dm_field_index(vdi_cls(), "uuid"));
	char len[64] = "";
	if (length >= 0) /* a tar's length is not known before it is sent */
		snprintf(len, sizeof(len), "Content-Length: %" PRId64 "\r\n", length);
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 200 OK\r\n%s"
			 "Content-Type: %s\r\n"
			 "Content-Disposition: attachment; filename=\"%s.%s\"\r\n"
			 "task-id: %s\r\nConnection: close\r\n\r\n",
			 len,
			 t->format == FMT_VHD	  ? "application/vhd"
			 : t->format == FMT_QCOW2 ? "application/x-qemu-disk"
			 : t->format == FMT_TAR	  ? "application/x-tar"
						  : "application/octet-stream",
			 uuid ? uuid->u.s : "vdi", format_names[t->format], t->x.task);
	xd_value_free(uuid);
	t->x.answered = true;
	return xd_xreq_send_all(t->x.req->fd, head, (size_t)n);
}

/* The VHD export: the plan (which blocks), the head, the blocks. */
static int export_vhd(transfer *t, xd_vdi_data **d, xd_vdi_data **base, int64_t size,
		      xd_error *err)
{
	xd_xfer_out out;
	int rc = -1;
	xd_vhd_plan *plan = xd_vhd_plan_make(*d, *base, size, t->x.task, err);
	if (!plan) {
		xd_xreq_fail(&t->x, xd_xreq_status_of(err), err);
		return -1;
	}
	if (export_head(t, xd_vhd_plan_bytes(plan)) < 0) {
		xd_error_setf(err, "VDI_IO_ERROR", "the client went away");
		goto out;
	}
	xd_value *uuid = xd_db_get_field(vdi_cls(), t->vdi, xd_dm_field_index(vdi_cls(), "uuid"));
	out_init(t, &out, xd_vhd_plan_bytes(plan));
	rc = xd_vhd_export(plan, *d, &out, uuid ? uuid->u.s : NULL, err);
	xd_value_free(uuid);
out:
	xd_vhd_plan_free(plan);
	if (rc < 0 && t->x.answered)
		xd_xreq_fail(&t->x, 500, err); /* the task only: the answer has started */
	return rc;
}

/* format=tar: the VDI as stream_vdi.ml sends it (its 1 MiB chunks with an
 * .xxhash each, chunks of zeros left out but the first and last), then the
 * end of the archive; no Content-Length (the connection closes). */
static int export_tar(transfer *t, xd_vdi_data **d, int64_t size, xd_error *err)
{
	xd_xfer_out out = { .fd = t->x.req->fd, .task = t->x.task, .total = -1 };
	xd_vdi_progress prog;
	int64_t done = 0;
	xd_vdi_progress_init(&prog, t->x.task, 0.0, 1.0, size);
	if (export_head(t, -1) < 0 ||
	    xd_xva_send_disk(&out, *d, size, TAR_PREFIX, &prog, &done, err) < 0)
		return -1;
	finish_export(t); /* the task ends before the client sees the end */
	return xd_tar_write_end(&out, err);
}

static int do_export(transfer *t, xd_vdi_data **d, xd_vdi_data **base, int64_t size,
		     xd_error *err)
{
	xd_xfer_out out;
	t->data = d;
	t->base_data = base;
	out_init(t, &out, size);
	if (t->format == FMT_VHD) {
		if (export_vhd(t, d, base, size, err) < 0)
			return -1;
	} else {
		if ((t->format == FMT_TAR && export_tar(t, d, size, err) < 0) ||
		    (t->format == FMT_RAW &&
		     (export_head(t, size) < 0 || export_raw(t, &out, d, size, err) < 0))) {
			if (!err->code)
				xd_error_setf(err, "VDI_IO_ERROR", "the client went away");
			xd_xreq_fail(&t->x, 500, err); /* the task only: the answer has started */
			return -1;
		}
	}
	return 0;
}

/* The base of a delta, attached read-only beside the VDI. */
static xd_vdi_data *open_base(transfer *t, int64_t size, xd_error *err)
{
	char *uri = xd_storage_vdi_attach(t->base, false, "export", t->x.task, err);
	if (!uri)
		return NULL;
	xd_vdi_data *b = xd_vdi_data_open(uri, false, err);
	free(uri);
	if (!b) {
		xd_storage_vdi_detach(t->base, t->x.task);
		return NULL;
	}
	(void)size;
	return b;
}

static int qcow2_head(void *ctx, int64_t length)
{
	return export_head(ctx, length);
}

/* format=qcow2 both ways, through qemu-img (transfer.h). */
static void run_qcow2(transfer *t, const char *uri, const char *base_uri, int64_t size)
{
	xd_error err = XD_ERROR_INIT;
	xd_vdi_data *none = NULL;
	xd_info("%s: VDI %s, qcow2 (task %s)", t->import ? "import_raw_vdi" : "export_raw_vdi",
		t->vdi, t->x.task);
	if (t->import) {
		xd_xfer_in in;
		xd_xfer_in_init(&in, t->x.req, t->x.task);
		int rc = xd_qcow2_import(&in, uri, size, t->vdi, &err);
		t->x.consumed = in.pos;
		if (rc < 0) {
			fail_released(t, &none, xd_xreq_status_of(&err), &err);
		} else {
			release(t, &none);
			xd_value *result = xd_string(t->vdi);
			xd_task_complete(t->x.task, result);
			xd_value_free(result);
			char head[256];
			int n = snprintf(head, sizeof(head),
					 "HTTP/1.1 200 OK\r\nContent-Length: 0\r\ntask-id: %s\r\n"
					 "Connection: close\r\n\r\n",
					 t->x.task);
			xd_xreq_send_all(t->x.req->fd, head, (size_t)n);
			t->x.answered = true;
		}
	} else {
		xd_xfer_out out;
		t->data = &none;
		t->base_data = &none;
		out_init(t, &out, INT64_MAX);
		if (xd_qcow2_export(uri, base_uri, &out, qcow2_head, t, t->x.task, &err) < 0)
			xd_xreq_fail(&t->x, t->x.answered ? 500 : xd_xreq_status_of(&err), &err);
		else if (!t->finished)
			finish_export(t);
	}
	xd_error_clear(&err);
}

static void run_transfer(const xd_http_request *req, bool import)
{
	transfer t = { .import = import };
	xd_xreq_init(&t.x, req, import, import ? "import_raw_vdi" : "export_raw_vdi",
		     import ? "VDI.import" : "VDI.export_raw");
	xd_error err = XD_ERROR_INIT;
	xd_value *rec = NULL;
	char *uri = NULL;
	xd_vdi_data *d = NULL, *base = NULL;
	if (start(&t) < 0)
		goto out;
	rec = xd_db_get_record(vdi_cls(), t.vdi);
	int64_t size = xd_storage_rec_int(rec, "virtual_size");
	if (import && t.format == FMT_RAW && !t.chunked) {
		int64_t total = req->content_length;
		if (total < 0) {
			xd_xreq_fail_code(&t.x, 411, "INTERNAL_ERROR", "Content-Length is required");
			goto out;
		}
		if (total > size) {
			char want[32];
			snprintf(want, sizeof(want), "%" PRId64, total);
			xd_error_set(&err, "VDI_TOO_SMALL", t.vdi, want, NULL);
			xd_xreq_fail(&t.x, 400, &err);
			goto out;
		}
	}
	if (!import && t.format == FMT_VHD && size > XD_VHD_MAX_SIZE) {
		char max[32];
		snprintf(max, sizeof(max), "%" PRId64, XD_VHD_MAX_SIZE);
		xd_error_set(&err, "VDI_TOO_LARGE", t.vdi, max, NULL);
		xd_xreq_fail(&t.x, 500, &err);
		goto out;
	}
	uri = xd_storage_vdi_attach(t.vdi, import, import ? "import" : "export", t.x.task, &err);
	if (!uri) {
		xd_xreq_fail(&t.x, xd_xreq_status_of(&err), &err);
		goto out;
	}
	t.attached = true;
	if (t.format == FMT_QCOW2) {
		/* qemu-img opens the datapath itself (not here too: an NBD
		 * server may take one client) */
		char *base_uri = NULL;
		if (t.base && !(base_uri = xd_storage_vdi_attach(t.base, false, "export", t.x.task,
								    &err))) {
			fail_released(&t, &d, xd_xreq_status_of(&err), &err);
			goto detach;
		}
		run_qcow2(&t, uri, base_uri, size);
		if (base_uri)
			xd_storage_vdi_detach(t.base, t.x.task);
		free(base_uri);
		goto detach;
	}
	d = xd_vdi_data_open(uri, import, &err);
	if (!d || xd_vdi_data_size(d) < size) {
		if (d)
			xd_error_setf(&err, "VDI_IO_ERROR", "the datapath %s is smaller than the VDI", uri);
		fail_released(&t, &d, 500, &err);
		goto detach;
	}
	if (t.base && !(base = open_base(&t, size, &err))) {
		fail_released(&t, &d, xd_xreq_status_of(&err), &err);
		goto detach;
	}
	xd_info("%s: VDI %s%s%s, %s%s (task %s)", import ? "import_raw_vdi" : "export_raw_vdi",
		t.vdi, t.base ? " against base " : "", t.base ? t.base : "",
		format_names[t.format], t.chunked ? " chunked" : "", t.x.task);
	if (import) {
		if (do_import(&t, d, size, &err) < 0) {
			fail_released(&t, &d, xd_xreq_status_of(&err), &err);
			goto detach;
		}
		release(&t, &d);
		/* the task ends before the client hears of it */
		xd_value *result = xd_string(t.vdi);
		xd_task_complete(t.x.task, result);
		xd_value_free(result);
		char head[256];
		int n = snprintf(head, sizeof(head),
				 "HTTP/1.1 200 OK\r\nContent-Length: 0\r\ntask-id: %s\r\n"
				 "Connection: close\r\n\r\n",
				 t.x.task);
		xd_xreq_send_all(req->fd, head, (size_t)n);
		t.x.answered = true;
		goto out;
	}
	if (do_export(&t, &d, &base, size, &err) == 0) {
		if (!t.finished) /* an empty VDI: no write reached the end */
			finish_export(&t);
		goto out;
	}
detach:
	if (base) {
		xd_vdi_data_close(base);
		xd_storage_vdi_detach(t.base, t.x.task);
	}
	release(&t, &d);
out:
	xd_error_clear(&err);
	xd_value_free(rec);
	free(uri);
	free(t.vdi);
	free(t.base);
	xd_xreq_clear(&t.x);
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
