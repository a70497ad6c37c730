/* xe_transfer.c - the xe commands that move data over xapid's HTTP paths,
 * with upstream xe's names and parameters:
 *
 *   vdi-import uuid= filename= [format=raw|vhd|qcow2|tar]      PUT /import_raw_vdi
 *   vdi-export uuid= filename= [format=raw|vhd|qcow2|tar] [base=]  GET /export_raw_vdi
 *   vm-export  vm=|uuid= filename= [compress=] [metadata=true]  GET /export
 *   template-export template-uuid= filename= [...]             (the same, on
 *   snapshot-export-to-template snapshot-uuid= filename= [...]  a template/snapshot)
 *   vm-import  filename= [sr-uuid=] [force=] [preserve=]       PUT /import
 *              [metadata=true [vdi:<uuid>=<uuid>...]]         PUT /import_metadata
 *   blob-get   uuid= filename=                                 GET /blob
 *   blob-put   uuid= filename=                                 PUT /blob
 *
 * Each makes a task first and passes it as task_id, so that it can follow
 * the server's progress (a line on stderr, redrawn, when stderr is a
 * terminal) and learn the outcome: the exit status is 0 only if the task
 * succeeded, else the task's error is printed as xe prints errors. The data
 * travels on a connection of its own, in pieces: files of any size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "strbuf.h"
#include "xe_cmds.h"
#include "xe_http.h"
#include "xe_select.h"
#include "xe_transport.h"
#include "xe_util.h"

#define PIECE ((size_t)1 << 20)

typedef struct xfer {
	xe_client *x;
	char *task;
	const char *what;   /* for the progress line */
	bool tty;
	double last_poll;
	int fd;             /* the data connection */
} xfer;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The task's progress on stderr, at most twice a second. */
static void show_progress(xfer *t, bool force)
{
	if (!t->tty || (!force && now_s() - t->last_poll < 0.5))
		return;
	t->last_poll = now_s();
	xd_error err = XD_ERROR_INIT;
	xd_value *p = xe_client_try(t->x, "task.get_progress", xe_strings(1, t->task), &err);
	if (p && p->t == XD_V_FLOAT)
		fprintf(stderr, "\r%s: %3d%% ", t->what, (int)(p->u.f * 100.0 + 0.5));
	xd_value_free(p);
	xd_error_clear(&err);
}

/* Waits for the task to end; 0 if it succeeded (*result: its result
 * text), else prints its error. */
static int wait_task(xfer *t, char **result)
{
	for (;;) {
		show_progress(t, false);
		xd_value *st = xe_client_call(t->x, "task.get_status", xe_strings(1, t->task));
		if (!st)
			return 1;
		bool pending = !strcmp(st->u.s, "pending") || !strcmp(st->u.s, "cancelling");
		bool ok = !strcmp(st->u.s, "success");
		xd_value_free(st);
		if (pending) {
			usleep(100 * 1000);
			continue;
		}
		if (t->tty) {
			show_progress(t, true);
			fputc('\n', stderr);
		}
		if (ok) {
			xd_value *r = result ? xe_client_call(t->x, "task.get_result",
							      xe_strings(1, t->task)) : NULL;
			if (result)
				*result = xe_strdup(r && r->t == XD_V_STRING ? r->u.s : "");
			xd_value_free(r);
			return 0;
		}
		xd_value *info = xe_client_call(t->x, "task.get_error_info", xe_strings(1, t->task));
		xd_error err = XD_ERROR_INIT;
		const char *items[XD_ERROR_MAX_PARAMS + 1];
		size_t n = 0;
		for (size_t i = 0; info && i < info->u.arr.n && n < XD_ERROR_MAX_PARAMS + 1; i++)
			items[n++] = info->u.arr.items[i]->u.s;
		xd_error_setv(&err, n ? items[0] : "INTERNAL_ERROR", items + 1, n ? n - 1 : 0);
		xe_print_error(&err);
		xd_error_clear(&err);
		xd_value_free(info);
		return 1;
	}
}

/* What a command asks of upload/download beyond the defaults. */
typedef struct xfer_how {
	/* the HTTP answer was not 200 while the task did not fail: printed on
	 * stderr (NULL: nothing) */
	const char *unknown_error;
	/* download: the file must not exist ("" is stdout), as upstream xe's
	 * HttpGet; upload: a file that is not a regular one (a pipe) goes
	 * HTTP chunked, whose end the server sees without a length */
	bool upstream_file;
} xfer_how;

/* Makes the task and opens the data connection with the request head
 * (length -1: the body goes chunked). */
static int start(xfer *t, xe_client *x, const char *what, const char *method, const char *path,
		 xd_strbuf *query, int64_t length, bool chunked)
{
	t->x = x;
	t->what = what;
	t->tty = isatty(2);
	t->fd = -1;
	xd_value *task = xe_client_call(x, "task.create", xe_strings(2, what, "xe"));
	if (!task)
		return -1;
	t->task = xe_strdup(task->u.s);
	xd_value_free(task);
	xe_http_put_query(query, "session_id", x->session);
	xe_http_put_query(query, "task_id", t->task);
	t->fd = xe_conn_connect_data(x->conn);
	if (t->fd < 0) {
		xe_fail("%s", xe_conn_error(x->conn));
		return -1;
	}
	xd_strbuf head = XD_STRBUF_INIT;
	xd_strbuf_printf(&head, "%s %s%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: xe\r\n", method, path,
			 query->data, xe_conn_host(x->conn));
	if (chunked)
		xd_strbuf_puts(&head, "Transfer-Encoding: chunked\r\n");
	else if (length >= 0)
		xd_strbuf_printf(&head, "Content-Length: %lld\r\n", (long long)length);
	xd_strbuf_puts(&head, "Connection: close\r\n\r\n");
	int rc = xe_http_send_all(t->fd, head.data, head.len);
	xd_strbuf_free(&head);
	if (rc < 0)
		xe_fail("cannot send the request: %s", strerror(errno));
	return rc;
}

static void finish(xfer *t)
{
	if (t->fd >= 0)
		close(t->fd);
	if (t->task) {
		xd_error err = XD_ERROR_INIT;
		xd_value_free(xe_client_try(t->x, "task.destroy", xe_strings(1, t->task), &err));
		xd_error_clear(&err);
	}
	free(t->task);
}

/* n bytes of buf as one HTTP chunk (n 0: the last chunk). */
static int send_chunk(int fd, const char *buf, size_t n)
{
	char line[32];
	int ln = snprintf(line, sizeof(line), "%zx\r\n", n);
	if (xe_http_send_all(fd, line, (size_t)ln) < 0 ||
	    (n && xe_http_send_all(fd, buf, n) < 0))
		return -1;
	return xe_http_send_all(fd, "\r\n", 2);
}

/* PUT path?query with the file's bytes; then the task's outcome. */
static int upload(xe_client *x, const char *what, const char *path, xd_strbuf *query,
		  const char *filename, char **result, const xfer_how *how)
{
	xfer t = { 0 };
	int rc = 1;
	int in = open(filename, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (in < 0 || fstat(in, &sb) < 0) {
		if (how && how->upstream_file) /* upstream xe's words */
			fprintf(stderr, "Operation failed. Error: file '%s' does not exist\n", filename);
		else
			xe_fail("cannot read %s: %s", filename, strerror(errno));
		if (in >= 0)
			close(in);
		return 1;
	}
	bool chunked = how && how->upstream_file && !S_ISREG(sb.st_mode);
	if (start(&t, x, what, "PUT", path, query, sb.st_size, chunked) < 0)
		goto out;
	char *buf = xe_calloc(1, PIECE);
	bool cut = false;
	for (;;) {
		ssize_t n = read(in, buf, PIECE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			xe_fail("cannot read %s: %s", filename, strerror(errno));
			free(buf);
			goto out;
		}
		if (n == 0) {
			if (chunked)
				send_chunk(t.fd, buf, 0);
			break;
		}
		if (chunked ? send_chunk(t.fd, buf, (size_t)n) < 0
			    : xe_http_send_all(t.fd, buf, (size_t)n) < 0) {
			cut = true; /* the server answered early: its answer says why */
			break;
		}
		show_progress(&t, false);
	}
	free(buf);
	int64_t len;
	int status = xe_http_read_head(t.fd, &len);
	if (status != 200 && status > 0) {
		/* the error is the task's too: printed from there */
		if (wait_task(&t, NULL) == 0 && how && how->unknown_error)
			fputs(how->unknown_error, stderr);
		goto out;
	}
	if (status < 0 && cut) {
		xe_fail("the server closed the connection");
		goto out;
	}
	rc = wait_task(&t, result);
out:
	close(in);
	finish(&t);
	return rc;
}

/* GET path?query into the file; then the task's outcome. */
static int download(xe_client *x, const char *what, const char *path, xd_strbuf *query,
		    const char *filename, const xfer_how *how)
{
	xfer t = { 0 };
	int rc = 1;
	bool excl = how && how->upstream_file, to_stdout = excl && !filename[0];
	int out = to_stdout ? dup(1)
		: open(filename, O_WRONLY | O_CREAT | (excl ? O_EXCL : O_TRUNC) | O_CLOEXEC,
		       excl ? 0600 : 0644);
	if (out < 0) {
		if (excl) /* upstream xe's words (an OCaml exception) */
			fprintf(stderr, "Operation failed. Error: Sys_error(\"%s: %s\")\n", filename,
				strerror(errno));
		else
			xe_fail("cannot write %s: %s", filename, strerror(errno));
		return 1;
	}
	if (start(&t, x, what, "GET", path, query, -1, false) < 0)
		goto out;
	int64_t len, got = 0;
	int status = xe_http_read_head(t.fd, &len);
	if (status != 200) {
		if (status < 0)
			xe_fail("no answer from the server");
		else if (wait_task(&t, NULL) == 0 && how && how->unknown_error)
			fputs(how->unknown_error, stderr);
		goto out;
	}
	char *buf = xe_calloc(1, PIECE);
	for (;;) {
		ssize_t n = recv(t.fd, buf, PIECE, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (write(out, buf, (size_t)n) != n) {
			xe_fail("cannot write %s: %s", filename, strerror(errno));
			free(buf);
			goto out;
		}
		got += n;
		show_progress(&t, false);
	}
	free(buf);
	rc = wait_task(&t, NULL);
	if (rc == 0 && len >= 0 && got != len) {
		xe_fail("the server sent %lld of %lld bytes", (long long)got, (long long)len);
		rc = 1;
	}
out:
	if (close(out) < 0 && rc == 0) {
		xe_fail("cannot write %s: %s", filename, strerror(errno));
		rc = 1;
	}
	if (rc != 0 && !to_stdout)
		unlink(filename); /* nothing half-written is left for a backup */
	finish(&t);
	return rc;
}

static const char *need(const xe_opts *o, const char *key)
{
	const char *v = xe_opts_get(o, key);
	if (!v)
		fprintf(stderr, "Required parameter not found: %s\n", key);
	return v;
}

/* ---- the commands ---- */

static int cmd_vdi_import(xe_client *x, const xe_opts *o)
{
	const char *uuid = need(o, "uuid"), *file = uuid ? need(o, "filename") : NULL;
	const char *format = xe_opts_get(o, "format");
	if (!file)
		return 1;
	xd_strbuf q = XD_STRBUF_INIT;
	xe_http_put_query(&q, "vdi", uuid);
	if (format)
		xe_http_put_query(&q, "format", format);
	int rc = upload(x, "VDI import", "/import_raw_vdi", &q, file, NULL, NULL);
	xd_strbuf_free(&q);
	return rc;
}

static int cmd_vdi_export(xe_client *x, const xe_opts *o)
{
	const char *uuid = need(o, "uuid"), *file = uuid ? need(o, "filename") : NULL;
	const char *format = xe_opts_get(o, "format"), *base = xe_opts_get(o, "base");
	if (!file)
		return 1;
	xd_strbuf q = XD_STRBUF_INIT;
	xe_http_put_query(&q, "vdi", uuid);
	if (format)
		xe_http_put_query(&q, "format", format);
	if (base)
		xe_http_put_query(&q, "base", base);
	int rc = download(x, "VDI export", "/export_raw_vdi", &q, file, NULL);
	xd_strbuf_free(&q);
	return rc;
}

/* vm= (a uuid or a name) or uuid=: the VM's ref, or NULL after the error. */
static char *vm_param(xe_client *x, const xe_opts *o)
{
	const char *uuid = xe_opts_get(o, "uuid"), *vm = xe_opts_get(o, "vm");
	if (uuid)
		return xe_client_ref_by_uuid(x, "VM", uuid);
	if (!vm) {
		fprintf(stderr, "Required parameter not found: vm\n");
		return NULL;
	}
	xd_error err = XD_ERROR_INIT;
	xd_value *r = xe_client_try(x, "VM.get_by_uuid", xe_strings(1, vm), &err);
	xd_error_clear(&err);
	if (r) {
		char *ref = xe_strdup(r->u.s);
		xd_value_free(r);
		return ref;
	}
	r = xe_client_call(x, "VM.get_by_name_label", xe_strings(1, vm));
	char *ref = NULL;
	if (r && r->u.arr.n == 1)
		ref = xe_strdup(r->u.arr.items[0]->u.s);
	else if (r)
		xe_fail("%zu VMs are named %s: give uuid=", r->u.arr.n, vm);
	xd_value_free(r);
	return ref;
}

/* GET /export (/export_metadata with metadata=true) of the VM ref into
 * filename=, with compress=; preserve-power-state=true and
 * excluded-device-types= go into the query as upstream's xe sends them
 * (this server's /export refuses them: it exports halted VMs, whole). */
static int export_vm(xe_client *x, const xe_opts *o, const char *vm)
{
	const char *file = need(o, "filename");
	const char *compress = xe_opts_get(o, "compress");
	const char *excluded = xe_opts_get(o, "excluded-device-types");
	bool metadata = xe_opts_flag(o, "metadata");
	xd_strbuf q = XD_STRBUF_INIT;
	int rc;

	if (!file)
		return 1;
	xe_http_put_query(&q, "ref", vm);
	if (compress && !metadata)
		xe_http_put_query(&q, "use_compression", compress);
	if (xe_opts_flag(o, "preserve-power-state"))
		xe_http_put_query(&q, "preserve_power_state", "true");
	if (excluded)
		xe_http_put_query(&q, "excluded_device_types", excluded);
	rc = download(x, "VM export", metadata ? "/export_metadata" : "/export", &q, file, NULL);
	xd_strbuf_free(&q);
	return rc;
}

static int cmd_vm_export(xe_client *x, const xe_opts *o)
{
	char *vm = vm_param(x, o);
	int rc = vm ? export_vm(x, o, vm) : 1;

	free(vm);
	return rc;
}

/* template-export template-uuid= / snapshot-export-to-template
 * snapshot-uuid=: upstream's vm_export_aux, which first checks the VM is
 * of that kind (field: is_a_template / is_a_snapshot). */
static int export_kind(xe_client *x, const xe_opts *o, const char *kind, const char *field)
{
	char key[32];
	const char *uuid;
	char *vm;
	xd_value *is;
	int rc = 1;

	snprintf(key, sizeof key, "%s-uuid", kind);
	uuid = need(o, key);
	if (!uuid || !need(o, "filename"))
		return 1;
	vm = xe_client_ref_by_uuid(x, "VM", uuid);
	if (!vm)
		return 1;
	is = xe_client_call(x, field, xe_strings(1, vm));
	if (is && !(is->t == XD_V_BOOL && is->u.b))
		xe_failure("This operation can only be performed on a VM %s. %s is not a VM %s.",
			   kind, uuid, kind);
	else if (is)
		rc = export_vm(x, o, vm);
	xd_value_free(is);
	free(vm);
	return rc;
}

static int cmd_template_export(xe_client *x, const xe_opts *o)
{
	return export_kind(x, o, "template", "VM.get_is_a_template");
}

static int cmd_snapshot_export(xe_client *x, const xe_opts *o)
{
	return export_kind(x, o, "snapshot", "VM.get_is_a_snapshot");
}

static int cmd_vm_import(xe_client *x, const xe_opts *o)
{
	const char *file = need(o, "filename"), *sr = xe_opts_get(o, "sr-uuid");
	if (!file)
		return 1;
	xd_strbuf q = XD_STRBUF_INIT;
	if (sr)
		xe_http_put_query(&q, "sr_uuid", sr);
	if (xe_opts_flag(o, "force"))
		xe_http_put_query(&q, "force", "true");
	if (xe_opts_flag(o, "preserve"))
		xe_http_put_query(&q, "restore", "true");
	bool metadata = xe_opts_flag(o, "metadata");
	if (xe_opts_flag(o, "dry-run")) {
		if (!metadata) { /* as xapi's xe */
			fprintf(stderr, "Only metadata import function support dry-run\n");
			xd_strbuf_free(&q);
			return 1;
		}
		xe_http_put_query(&q, "dry_run", "true");
	}
	/* vdi:<uuid in the XVA>=<uuid here>: the VDIs a metadata import uses */
	for (size_t i = 0; metadata && i < o->nparams; i++)
		if (!strncmp(o->params[i].key, "vdi:", 4))
			xe_http_put_query(&q, o->params[i].key, o->params[i].val);
	char *result = NULL;
	int rc = upload(x, "VM import", metadata ? "/import_metadata" : "/import", &q, file,
			&result, NULL);
	/* the result lists the VMs made: their uuids, one a line, as xe */
	for (char *p = result; rc == 0 && p && (p = strstr(p, "OpaqueRef:")); p += 10) {
		size_t n = strcspn(p, "<\"', ]");
		char *ref = xe_strndup(p, n);
		const char *uuid = xe_client_ref_uuid(x, "VM", ref);
		if (uuid)
			printf("%s\n", uuid);
		free(ref);
	}
	free(result);
	xd_strbuf_free(&q);
	return rc;
}

/* blob-get / blob-put uuid= filename=, as upstream's: the blob looked up
 * by uuid, its bytes moved over /blob?ref=, "Blob get succeeded" / "Blob
 * put succeeded" on stdout. */
static int blob_cmd(xe_client *x, const xe_opts *o, bool put)
{
	const char *uuid = need(o, "uuid"), *file = uuid ? need(o, "filename") : NULL;
	if (!file)
		return 1;
	char *ref = xe_client_ref_by_uuid(x, "blob", uuid);
	if (!ref)
		return 1;
	xd_strbuf q = XD_STRBUF_INIT;
	xe_http_put_query(&q, "ref", ref);
	xfer_how how = { put ? "Blob put failed, unknown error.\n"
			     : "Blob get failed, unknown error.\n", true };
	char *label = xe_printf("%s, ref=%s", put ? "Blob PUT" : "Obtaining blob", ref);
	int rc = put ? upload(x, label, "/blob", &q, file, NULL, &how)
		     : download(x, label, "/blob", &q, file, &how);
	if (rc == 0)
		printf("Blob %s succeeded\n", put ? "put" : "get");
	free(label);
	xd_strbuf_free(&q);
	free(ref);
	return rc;
}

static int cmd_blob_get(xe_client *x, const xe_opts *o)
{
	return blob_cmd(x, o, false);
}

static int cmd_blob_put(xe_client *x, const xe_opts *o)
{
	return blob_cmd(x, o, true);
}

static const xe_named_cmd cmds[] = {
	{ "blob-get", cmd_blob_get, "uuid, filename", "",
	  "Save the binary blob to the local filesystem" },
	{ "blob-put", cmd_blob_put, "uuid, filename", "",
	  "Upload a binary blob to the xapi server" },
	{ "vdi-import", cmd_vdi_import, "uuid filename", "format",
	  "Writes the file into the VDI: format raw (default: the bytes from the start of the "
	  "disk), vhd (the sectors a dynamic or differencing VHD holds, over the VDI), qcow2 or "
	  "tar (xapi's vdi/<n> chunks with checksums)." },
	{ "vdi-export", cmd_vdi_export, "uuid filename", "format base",
	  "Writes the VDI into the file: format raw (default), vhd, qcow2 or tar; with base (the "
	  "uuid of another VDI) a VHD or qcow2 of the blocks that differ from it." },
	{ "vm-export", cmd_vm_export, "vm filename", "uuid compress metadata",
	  "Writes the halted VM with its disks as an XVA into the file (compress=true|gzip|zstd); "
	  "metadata=true: its records only." },
	{ "template-export", cmd_template_export, "filename, template-uuid",
	  "compress, metadata, excluded-device-types", "Export a template to <filename>." },
	{ "snapshot-export-to-template", cmd_snapshot_export, "filename, snapshot-uuid",
	  "preserve-power-state, compress, metadata, excluded-device-types",
	  "Export a snapshot to <filename>." },
	{ "vm-import", cmd_vm_import, "filename", "sr-uuid force preserve metadata dry-run vdi:",
	  "Makes a new VM from an XVA file, its disks on sr-uuid (default: the pool's default "
	  "SR), and prints its uuid. preserve=true keeps its uuid (replacing a halted older VM "
	  "that has it) and MACs; force=true ignores bad checksums. metadata=true: an XVA of "
	  "vm-export metadata=true, the VM made on the VDIs here (vdi:<uuid in the XVA>=<uuid "
	  "here> to name them)." },
};
const size_t xe_transfer_ncmds = sizeof(cmds) / sizeof(cmds[0]);
const xe_named_cmd *const xe_transfer_cmds = cmds;
