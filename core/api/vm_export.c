/* vm_export.c - a whole VM as an XVA, as xapi's export.ml:
 *
 *   GET /export?ref=<vm>|uuid=<vm>[&use_compression=true|gzip|zstd|false][&task_id=]
 *       a tar: ova.xml (the version of the exporter and the records of the
 *       VM, its VBDs, VDIs, their SRs, VIFs and networks, every reference
 *       among them written as an id "Ref:<n>"), then each disk (not CDs, not
 *       empty drives) as Ref:<n>/<8 digits> chunks of 1 MiB with an .xxhash
 *       each, chunks of zeros left out; compressed by gzip or zstd when asked
 *       (as xapi, by the program of that name).
 *   GET /export_metadata?ref=<vm>|uuid=<vm>[&export_snapshots=true|false]
 *       ova.xml alone in a tar (with the VM's snapshots unless
 *       export_snapshots=false), with its Content-Length.
 *
 * The VM is marked with the export (metadata_export) operation for the
 * whole transfer, so xapi's rules apply: a running VM is VM_BAD_POWER_STATE
 * [vm, halted, running]. Disks are attached read-only one at a time. The
 * task ends before the client sees the end of the archive. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "datapath/vdi_data.h"
#include "db/db.h"
#include "dm.h"
#include "ids.h"
#include "log.h"
#include "storage/storage.h"
#include "strbuf.h"
#include "tasks/tasks.h"
#include "transfer/transfer.h"
#include "vm_int.h"
#include "wire.h"
#include "xreq.h"
#include "xva_int.h"

extern char **environ;

/* What export.ml's version record says of the exporter. The xapi version
 * is low so that a real xapi (which refuses XVAs of a newer xapi) takes
 * ours; export_vsn 2: inline checksums, no checksum table at the end. */
#define XVA_XAPI_MAJOR 1
#define XVA_XAPI_MINOR 1
#define XVA_EXPORT_VSN 2

static const char *const export_params[] = { "session_id", "task_id", "ref", "uuid",
					     "use_compression", NULL };
static const char *const metadata_params[] = { "session_id", "task_id", "ref", "uuid",
					       "export_snapshots", NULL };

/* ref= or uuid=: the VM, else answered. */
static char *find_vm(xd_xreq *x)
{
	const xd_class *vm_cls = xd_dm_class("VM");
	char *ref = xd_http_query_get(x->req->query, "ref");
	xd_error err = XD_ERROR_INIT;
	if (ref) {
		if (xd_db_exists(vm_cls, ref))
			return ref;
		xd_error_set(&err, "HANDLE_INVALID", "VM", ref, NULL);
		free(ref);
		ref = NULL;
	} else {
		char *uuid = xd_http_query_get(x->req->query, "uuid");
		if (!uuid) {
			xd_xreq_fail_code(x, 400, "INTERNAL_ERROR", "Missing ref or uuid query parameter");
			return NULL;
		}
		ref = xd_db_ref_by_uuid(vm_cls, uuid);
		if (!ref)
			xd_error_set(&err, "UUID_INVALID", "VM", uuid, NULL);
		free(uuid);
	}
	if (!ref) {
		xd_xreq_fail(x, 404, &err);
		xd_error_clear(&err);
	}
	return ref;
}

/* ---- the objects ------------------------------------------------------------ */

static void add(xd_xva_table *t, const char *cls, const char *ref)
{
	char id[32];
	if (!ref || !strcmp(ref, "OpaqueRef:NULL") || xd_xva_id_of(t, ref) ||
	    !xd_db_exists(xd_dm_class(cls), ref))
		return;
	snprintf(id, sizeof(id), "Ref:%zu", t->n);
	xd_xva_table_add(t, cls, ref, id);
}

static const char *field_str(const xd_value *rec, const char *name)
{
	const xd_value *v = xd_struct_get(rec, name);
	return v && v->t == XD_V_STRING ? v->u.s : NULL;
}

/* The VM and what goes with it (export.ml's update_table). */
static void collect(xd_xva_table *t, const char *vm, bool snapshots)
{
	xd_value *rec = xd_db_get_record(xd_dm_class("VM"), vm);
	if (!rec)
		return;
	add(t, "VM", vm);
	const xd_value *vifs = xd_struct_get(rec, "VIFs");
	for (size_t i = 0; vifs && i < vifs->u.arr.n; i++) {
		const char *vif = vifs->u.arr.items[i]->u.s;
		xd_value *r = xd_db_get_record(xd_dm_class("VIF"), vif);
		if (!r)
			continue;
		add(t, "VIF", vif);
		add(t, "network", field_str(r, "network"));
		xd_value_free(r);
	}
	const xd_value *vbds = xd_struct_get(rec, "VBDs");
	for (size_t i = 0; vbds && i < vbds->u.arr.n; i++) {
		const char *vbd = vbds->u.arr.items[i]->u.s;
		xd_value *r = xd_db_get_record(xd_dm_class("VBD"), vbd);
		if (!r)
			continue;
		add(t, "VBD", vbd);
		const xd_value *empty = xd_struct_get(r, "empty");
		const char *vdi = field_str(r, "VDI");
		if (!(empty && empty->t == XD_V_BOOL && empty->u.b) && vdi &&
		    xd_db_exists(xd_dm_class("VDI"), vdi)) {
			add(t, "VDI", vdi);
			xd_value *v = xd_db_get_field(xd_dm_class("VDI"), vdi,
						      xd_dm_field_index(xd_dm_class("VDI"), "SR"));
			if (v)
				add(t, "SR", v->u.s);
			xd_value_free(v);
		}
		xd_value_free(r);
	}
	const xd_value *snaps = xd_struct_get(rec, "snapshots");
	for (size_t i = 0; snapshots && snaps && i < snaps->u.arr.n; i++)
		collect(t, snaps->u.arr.items[i]->u.s, false);
	xd_value_free(rec);
}

static xd_value *version_record(void)
{
	char host[256] = "localhost", date[32];
	gethostname(host, sizeof(host) - 1);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	xd_value *v = xd_struct();
	xd_struct_set_take(v, "hostname", xd_string(host));
	xd_struct_set_take(v, "date", xd_string(date));
	xd_struct_set_take(v, "product_version", xd_string(PACKAGE_VERSION));
	xd_struct_set_take(v, "product_brand", xd_string("xapi-c"));
	xd_struct_set_take(v, "build_number", xd_string(PACKAGE_VERSION));
	xd_struct_set_take(v, "xapi_major", xd_int(XVA_XAPI_MAJOR));
	xd_struct_set_take(v, "xapi_minor", xd_int(XVA_XAPI_MINOR));
	xd_struct_set_take(v, "export_vsn", xd_int(XVA_EXPORT_VSN));
	return v;
}

/* ova.xml: {version, objects: [{class, id, snapshot: record}]}, every
 * reference written as the id of its object. */
static char *ova_xml(const xd_xva_table *t, size_t *len)
{
	xd_value *objects = xd_array();
	for (size_t i = 0; i < t->n; i++) {
		xd_value *rec = xd_db_get_record(xd_dm_class(t->o[i].cls), t->o[i].ref);
		if (!rec)
			continue;
		xd_xva_map_refs(rec, t, true);
		xd_value *o = xd_struct();
		xd_struct_set_take(o, "class", xd_string(t->o[i].cls));
		xd_struct_set_take(o, "id", xd_string(t->o[i].id));
		xd_struct_set_take(o, "snapshot", rec);
		xd_array_append_take(objects, o);
	}
	xd_value *header = xd_struct();
	xd_struct_set_take(header, "version", version_record());
	xd_struct_set_take(header, "objects", objects);
	xd_strbuf sb = XD_STRBUF_INIT;
	xd_xmlrpc_encode_value(&sb, header);
	xd_value_free(header);
	*len = sb.len;
	return sb.data;
}

/* ---- compression ------------------------------------------------------------ */

/* The compressor (gzip or zstd) writing to the client's socket, fed by a
 * pipe: *fd is where the archive goes. */
static pid_t start_compressor(const char *prog, int sock, int *fd, xd_error *err)
{
	int p[2];
	pid_t pid;
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)prog, (char *)"-c", (char *)"-q", NULL };
	if (pipe(p) < 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "pipe: %s", strerror(errno));
		return -1;
	}
	/* not inherited by other children the daemon starts meanwhile */
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[0], 0);
	posix_spawn_file_actions_adddup2(&fa, sock, 1);
	int rc = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[0]);
	if (rc != 0) {
		close(p[1]);
		xd_error_setf(err, "INTERNAL_ERROR", "cannot run %s: %s", prog, strerror(rc));
		return -1;
	}
	*fd = p[1];
	return pid;
}

static int wait_compressor(pid_t pid, bool kill_it)
{
	int st = 0;
	if (kill_it)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* ---- /export ------------------------------------------------------------------- */

typedef struct vm_export {
	xd_xreq x;
	char *vm;
	char *op_key;
	xd_xva_table table;
} vm_export;

/* Each disk of the table, attached read-only while it is sent. */
static int send_disks(vm_export *e, xd_xfer_out *out, xd_error *err)
{
	int64_t total = 0, done = 0;
	const xd_class *vdi_cls = xd_dm_class("VDI");
	int size_idx = xd_dm_field_index(vdi_cls, "virtual_size");
	for (size_t i = 0; i < e->table.n; i++) {
		if (strcmp(e->table.o[i].cls, "VDI") != 0)
			continue;
		xd_value *v = xd_db_get_field(vdi_cls, e->table.o[i].ref, size_idx);
		total += v ? v->u.i : 0;
		xd_value_free(v);
	}
	xd_vdi_progress prog;
	xd_vdi_progress_init(&prog, e->x.task, 0.0, 1.0, total);
	for (size_t i = 0; i < e->table.n; i++) {
		const xd_xva_obj *o = &e->table.o[i];
		if (strcmp(o->cls, "VDI") != 0)
			continue;
		xd_value *v = xd_db_get_field(vdi_cls, o->ref, size_idx);
		int64_t size = v ? v->u.i : 0;
		xd_value_free(v);
		char *uri = xd_storage_vdi_attach(o->ref, false, "export", e->x.task, err);
		if (!uri)
			return -1;
		xd_vdi_data *d = xd_vdi_data_open(uri, false, err);
		free(uri);
		int rc = d ? xd_xva_send_disk(out, d, size, o->id, &prog, &done, err) : -1;
		xd_vdi_data_close(d);
		xd_storage_vdi_detach(o->ref, e->x.task);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* use_compression=: the program, "" for none, NULL if refused (answered). */
static const char *compressor(xd_xreq *x)
{
	char *v = xd_http_query_get(x->req->query, "use_compression");
	const char *prog = "";
	if (v && (!strcasecmp(v, "true") || !strcasecmp(v, "gzip")))
		prog = "gzip";
	else if (v && !strcasecmp(v, "zstd"))
		prog = "zstd";
	else if (v && strcasecmp(v, "false") != 0) {
		/* xapi takes any other value for "no": refused rather than ignored */
		xd_xreq_fail_code(x, 400, "INTERNAL_ERROR", "use_compression= takes true, gzip, zstd or false");
		prog = NULL;
	}
	free(v);
	return prog;
}

static bool begin_op(xd_xreq *x, const char *vm, const char *op, char **key)
{
	xd_error err = XD_ERROR_INIT;
	xd_call call = { .task = x->task };
	if (xd_vm_op_begin(&call, vm, op, key, &err) == 0)
		return true;
	xd_xreq_fail(x, xd_xreq_status_of(&err), &err);
	xd_error_clear(&err);
	return false;
}

static void h_export(const xd_http_request *req)
{
	vm_export e = { 0 };
	xd_error err = XD_ERROR_INIT;
	char *xml = NULL;
	pid_t zpid = -1;
	xd_xreq_init(&e.x, req, false, "export", "VM.export");
	xd_xreq_given_task(&e.x);
	if (xd_xreq_check_credentials(&e.x) < 0 || xd_xreq_check_params(&e.x, export_params) < 0)
		goto out;
	const char *prog = compressor(&e.x);
	if (!prog || xd_xreq_take_task(&e.x, "VM.export") < 0 || !(e.vm = find_vm(&e.x)) ||
	    !begin_op(&e.x, e.vm, "export", &e.op_key))
		goto out;
	collect(&e.table, e.vm, false);
	size_t xml_len;
	xml = ova_xml(&e.table, &xml_len);
	char head[512];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
			 "Content-Disposition: attachment; filename=\"export.xva%s\"\r\n"
			 "task-id: %s\r\nConnection: close\r\n\r\n",
			 !*prog ? "" : !strcmp(prog, "gzip") ? ".gz" : ".zst", e.x.task);
	e.x.answered = true;
	if (xd_xreq_send_all(req->fd, head, (size_t)n) < 0) {
		xd_error_setf(&err, "VDI_IO_ERROR", "the client went away");
		goto failed;
	}
	xd_xfer_out out = { .fd = req->fd, .task = e.x.task };
	if (*prog && (zpid = start_compressor(prog, req->fd, &out.fd, &err)) < 0)
		goto failed;
	xd_info("export: VM %s, %zu objects%s%s (task %s)", e.vm, e.table.n, *prog ? ", " : "",
		prog, e.x.task);
	if (xd_tar_write(&out, XD_XVA_OVA, xml, xml_len, &err) < 0 ||
	    send_disks(&e, &out, &err) < 0 || xd_tar_write_end(&out, &err) < 0)
		goto failed;
	if (zpid > 0) {
		close(out.fd);
		out.fd = -1;
		pid_t p = zpid;
		zpid = -1;
		if (wait_compressor(p, false) < 0) {
			xd_error_setf(&err, "VDI_IO_ERROR", "%s failed", prog);
			goto failed;
		}
	}
	xd_vm_op_end(e.vm, e.op_key);
	free(e.op_key);
	e.op_key = NULL;
	xd_value *result = xd_string("");
	xd_task_complete(e.x.task, result);
	xd_value_free(result);
	goto out;
failed:
	if (zpid > 0) {
		close(out.fd);
		wait_compressor(zpid, true);
	}
	xd_xreq_fail(&e.x, 500, &err); /* the task only: the answer has started */
out:
	if (e.op_key) {
		xd_vm_op_end(e.vm, e.op_key);
		free(e.op_key);
	}
	xd_error_clear(&err);
	free(xml);
	free(e.vm);
	xd_xva_table_free(&e.table);
	xd_xreq_clear(&e.x);
}

/* ---- /export_metadata ----------------------------------------------------------- */

static void h_export_metadata(const xd_http_request *req)
{
	xd_xreq x;
	xd_xva_table table = { 0 };
	char *vm = NULL, *key = NULL, *snaps = NULL;
	xd_xreq_init(&x, req, false, "export_metadata", "VM.export_metadata");
	xd_xreq_given_task(&x);
	if (xd_xreq_check_credentials(&x) < 0 || xd_xreq_check_params(&x, metadata_params) < 0)
		goto out;
	snaps = xd_http_query_get(req->query, "export_snapshots");
	if (snaps && strcasecmp(snaps, "true") && strcasecmp(snaps, "false")) {
		xd_xreq_fail_code(&x, 400, "INTERNAL_ERROR", "export_snapshots= takes true or false");
		goto out;
	}
	if (xd_xreq_take_task(&x, "VM.export_metadata") < 0 || !(vm = find_vm(&x)) ||
	    !begin_op(&x, vm, "metadata_export", &key))
		goto out;
	collect(&table, vm, !snaps || !strcasecmp(snaps, "true"));
	size_t len;
	char *xml = ova_xml(&table, &len);
	/* the tar in memory, for its Content-Length: ova.xml and the end */
	size_t pad = (XD_TAR_BLOCK - len % XD_TAR_BLOCK) % XD_TAR_BLOCK;
	size_t size = XD_TAR_BLOCK + len + pad + 2 * XD_TAR_BLOCK;
	unsigned char *tar = calloc(1, size);
	if (!tar)
		abort();
	xd_tar_header(tar, XD_XVA_OVA, len);
	memcpy(tar + XD_TAR_BLOCK, xml, len);
	free(xml);
	xd_vm_op_end(vm, key);
	free(key);
	key = NULL;
	xd_value *result = xd_string("");
	xd_task_complete(x.task, result);
	xd_value_free(result);
	char head[512];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
			 "Content-Type: application/octet-stream\r\n"
			 "Content-Disposition: attachment; filename=\"export.xva\"\r\n"
			 "task-id: %s\r\nConnection: close\r\n\r\n",
			 size, x.task);
	x.answered = true;
	if (xd_xreq_send_all(req->fd, head, (size_t)n) == 0)
		xd_xreq_send_all(req->fd, (const char *)tar, size);
	free(tar);
out:
	if (key) {
		xd_vm_op_end(vm, key);
		free(key);
	}
	free(snaps);
	free(vm);
	xd_xva_table_free(&table);
	xd_xreq_clear(&x);
}

void xd_api_vm_export_register(void)
{
	xd_http_register("GET", "/export", h_export);
	xd_http_register("GET", "/export_metadata", h_export_metadata);
}
