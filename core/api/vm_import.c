/* vm_import.c - an XVA read back into new objects, as xapi's import.ml:
 *
 *   PUT /import?sr_id=<sr>|sr_uuid=<sr>[&restore=true][&force=true][&task_id=]
 *
 * As xapi, the answer (200 with task-id) goes out before the body is read;
 * what happens next is on the task: its result the new VMs' refs, or the
 * error. ova.xml comes first (else IMPORT_ERROR_UNEXPECTED_FILE
 * ["ova.xml", found]); its objects are made through the API as the client
 * (networks found by name or bridge, or made: xva_net.c; VDIs in the SR,
 * default the pool's default_SR; VMs Halted, snapshots as snapshots of the
 * imported VM; VIFs; VBDs), then each disk's chunks are written with their
 * checksums checked. A stream cut short is IMPORT_ERROR_PREMATURE_EOF, a
 * bad checksum IMPORT_ERROR_SOME_CHECKSUMS_FAILED (force=true: ignored), a
 * malformed tar IMPORT_ERROR [why]; on any failure every object made is
 * destroyed again (unless force, as xapi). restore=true keeps the VM's
 * uuid (when no VM has it) and the VIFs' MACs. An HTTP chunked body is
 * refused as xapi: 403, IMPORT_ERROR_CANNOT_HANDLE_CHUNKED. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "datapath/vdi_data.h"
#include "db/db.h"
#include "dm.h"
#include "log.h"
#include "rpc/rpc.h"
#include "storage/storage.h"
#include "tasks/tasks.h"
#include "transfer/transfer.h"
#include "wire.h"
#include "xreq.h"
#include "xva_int.h"

/* ova.xml larger than this is not an XVA we can hold */
#define OVA_MAX ((int64_t)256 << 20)

/* xapi's xe sends dry_run= (false) and sr_id= to both paths: taken, though
 * a metadata import has no use for the SR (as xapi) */
static const char *const import_params[] = { "session_id", "task_id", "sr_id", "sr_uuid",
					     "restore", "force", "dry_run", NULL };
/* vdi:<uuid in the XVA>=<uuid here>: xapi's vdi_map */
static const char *const metadata_params[] = { "session_id", "task_id", "sr_id", "sr_uuid",
					       "restore", "force", "dry_run", "live",
					       "check_cpu", "vdi:", NULL };

typedef struct vm_import {
	xd_xreq x;
	char *sr;
	bool metadata;       /* /import_metadata: the VDIs are found, not made */
	bool restore, force;
	const char *session;
	xd_value *ova;       /* the parsed ova.xml */
	xd_xva_table ids;    /* XVA id -> ref here */
	xd_xva_table undo;   /* what was made, in order (destroyed on failure) */
	xd_value *vms;       /* the result: the VMs made */
} vm_import;

static xd_value *call(vm_import *im, const char *method, xd_value *arg1, xd_value *arg2,
		      xd_error *err)
{
	xd_value *params = xd_array();
	xd_result_kind kind;
	xd_array_append_take(params, xd_string(im->session));
	if (arg1)
		xd_array_append_take(params, arg1);
	if (arg2)
		xd_array_append_take(params, arg2);
	return xd_rpc_dispatch(method, params, im->x.req->peer, &kind, err);
}

/* restore= / force=: true or false; else answered. */
static int flag(vm_import *im, const char *name, bool *out)
{
	char *v = xd_http_query_get(im->x.req->query, name);
	int rc = 0;
	*out = false;
	if (v && !strcasecmp(v, "true"))
		*out = true;
	else if (v && strcasecmp(v, "false") != 0) {
		char msg[80];
		snprintf(msg, sizeof(msg), "%s= takes true or false", name);
		xd_xreq_fail_code(&im->x, 400, "INTERNAL_ERROR", msg);
		rc = -1;
	}
	free(v);
	return rc;
}

/* sr_id / sr_uuid, else the pool's default SR; answered if none. */
static int find_sr(vm_import *im)
{
	const xd_class *sr_cls = xd_dm_class("SR");
	xd_error err = XD_ERROR_INIT;
	char *id = xd_http_query_get(im->x.req->query, "sr_id");
	char *uuid = id ? NULL : xd_http_query_get(im->x.req->query, "sr_uuid");
	if (id) {
		if (xd_db_exists(sr_cls, id))
			im->sr = id;
		else
			xd_error_set(&err, "HANDLE_INVALID", "SR", id, NULL), free(id);
	} else if (uuid) {
		im->sr = xd_db_ref_by_uuid(sr_cls, uuid);
		if (!im->sr)
			xd_error_set(&err, "UUID_INVALID", "SR", uuid, NULL);
		free(uuid);
	} else {
		xd_value *pools = xd_db_get_all(xd_dm_class("pool"));
		xd_value *def = pools && pools->u.arr.n
					? xd_db_get_field(xd_dm_class("pool"), pools->u.arr.items[0]->u.s,
							  xd_dm_field_index(xd_dm_class("pool"),
									    "default_SR"))
					: NULL;
		if (def && xd_db_exists(sr_cls, def->u.s))
			im->sr = strdup(def->u.s);
		else
			xd_error_set(&err, "DEFAULT_SR_NOT_FOUND", def ? def->u.s : "OpaqueRef:NULL",
				     NULL);
		xd_value_free(def);
		xd_value_free(pools);
	}
	if (!im->sr) {
		xd_xreq_fail(&im->x, xd_xreq_status_of(&err), &err);
		xd_error_clear(&err);
		return -1;
	}
	xd_value *ct = xd_db_get_field(sr_cls, im->sr, xd_dm_field_index(sr_cls, "content_type"));
	bool iso = ct && !strcmp(ct->u.s, "iso");
	xd_value_free(ct);
	if (iso) {
		xd_xreq_fail_code(&im->x, 400, "SR_OPERATION_NOT_SUPPORTED", im->sr);
		return -1;
	}
	return 0;
}

/* ---- ova.xml ---------------------------------------------------------------- */

static int read_ova(vm_import *im, xd_xfer_in *in, xd_error *err)
{
	xd_tar_member m;
	int r = xd_tar_next(in, &m, err);
	if (r < 0)
		return -1;
	if (r == 0 || strcmp(m.name, XD_XVA_OVA) != 0) {
		xd_error_set(err, "IMPORT_ERROR_UNEXPECTED_FILE", XD_XVA_OVA, r ? m.name : "", NULL);
		return -1;
	}
	if (m.size > OVA_MAX)
		return xd_error_setf(err, "IMPORT_ERROR", "ova.xml is larger than %lld bytes",
				     (long long)OVA_MAX), -1;
	/* parsed as the one parameter of a methodCall: the XML-RPC reader we have */
	static const char pre[] = "<?xml version=\"1.0\"?><methodCall><methodName>ova</methodName>"
				  "<params><param>";
	static const char post[] = "</param></params></methodCall>";
	size_t len = sizeof(pre) - 1 + (size_t)m.size + sizeof(post) - 1;
	char *text = malloc(len + 1), *method = NULL, *why = NULL;
	xd_value *params = NULL;
	if (!text)
		abort();
	memcpy(text, pre, sizeof(pre) - 1);
	if (xd_tar_read(in, &m, text + sizeof(pre) - 1, err) < 0) {
		free(text);
		return -1;
	}
	memcpy(text + sizeof(pre) - 1 + m.size, post, sizeof(post));
	int rc = xd_xmlrpc_parse_call(text, len, &method, &params, &why);
	free(text);
	free(method);
	if (rc < 0 || params->u.arr.n != 1 || params->u.arr.items[0]->t != XD_V_STRUCT) {
		xd_error_setf(err, "IMPORT_ERROR", "Invalid XVA file: ova.xml: %s",
			      why ? why : "not a struct");
		free(why);
		xd_value_free(params);
		return -1;
	}
	im->ova = xd_value_copy(params->u.arr.items[0]);
	xd_value_free(params);
	const xd_value *objs = xd_struct_get(im->ova, "objects");
	if (!objs || objs->t != XD_V_ARRAY)
		return xd_error_setf(err, "IMPORT_ERROR", "Invalid XVA file: ova.xml has no objects"),
		       -1;
	for (size_t i = 0; i < objs->u.arr.n; i++) {
		const xd_value *o = objs->u.arr.items[i];
		const xd_value *cls = xd_struct_get(o, "class"), *id = xd_struct_get(o, "id"),
			       *rec = xd_struct_get(o, "snapshot");
		if (o->t != XD_V_STRUCT || !cls || cls->t != XD_V_STRING || !id ||
		    id->t != XD_V_STRING || !rec || rec->t != XD_V_STRUCT)
			return xd_error_setf(err, "IMPORT_ERROR",
					     "Invalid XVA file: ova.xml object %zu is malformed", i),
			       -1;
	}
	return 0;
}

/* ---- objects ------------------------------------------------------------------ */

static const char *str_of(const xd_value *rec, const char *name)
{
	const xd_value *v = xd_struct_get(rec, name);
	return v && v->t == XD_V_STRING ? v->u.s : "";
}

static bool bool_of(const xd_value *rec, const char *name)
{
	const xd_value *v = xd_struct_get(rec, name);
	return v && v->t == XD_V_BOOL && v->u.b;
}

/* The VM replaced by a restore: its VIFs, VBDs, then itself, through the
 * API as the client. */
static int destroy_vm(vm_import *im, const char *vm, xd_error *err)
{
	static const char *const devs[][2] = { { "VM.get_VIFs", "VIF.destroy" },
					       { "VM.get_VBDs", "VBD.destroy" } };
	for (size_t k = 0; k < 2; k++) {
		xd_value *list = call(im, devs[k][0], xd_string(vm), NULL, err);
		if (!list)
			return -1;
		for (size_t i = 0; i < list->u.arr.n; i++) {
			xd_value *r = call(im, devs[k][1], xd_string(list->u.arr.items[i]->u.s), NULL, err);
			if (!r) {
				xd_value_free(list);
				return -1;
			}
			xd_value_free(r);
		}
		xd_value_free(list);
	}
	xd_value *r = call(im, "VM.destroy", xd_string(vm), NULL, err);
	int rc = r ? 0 : -1;
	xd_value_free(r);
	return rc;
}

/* Makes obj through cls.create with rec (taken); its id maps to the ref. */
static int make(vm_import *im, const char *cls, const char *id, xd_value *rec, xd_error *err)
{
	char method[64];
	snprintf(method, sizeof(method), "%s.create", cls);
	xd_value *ref = call(im, method, rec, NULL, err);
	if (!ref)
		return -1;
	xd_xva_table_add(&im->ids, cls, ref->u.s, id);
	xd_xva_table_add(&im->undo, cls, ref->u.s, id);
	xd_value_free(ref);
	return 0;
}

static void set_field(const char *cls, const char *ref, const char *field, const xd_value *v)
{
	xd_error err = XD_ERROR_INIT;
	const xd_class *c = xd_dm_class(cls);
	if (v && xd_db_set_field(c, ref, xd_dm_field_index(c, field), v, &err) < 0) {
		xd_warn("import: %s %s.%s: %s", cls, ref, field, err.code);
		xd_error_clear(&err);
	}
}

/* /import_metadata: the VDI the XVA's id stands for is one here, as
 * import.ml finds it: through vdi:<uuid>=<uuid> of the query, else in the
 * SR of the XVA (found by uuid) by location. None: force skips it (its VBD
 * is left out, a CD ejected), else VDI_LOCATION_MISSING [sr, location], or
 * VDI_CONTENT_ID_MISSING [] when the SR is not here either. */
static int find_vdi(vm_import *im, const char *id, const xd_value *snap, xd_error *err)
{
	const xd_class *vdi_cls = xd_dm_class("VDI");
	const char *location = str_of(snap, "location");
	const char *sr = xd_xva_ref_of(&im->ids, str_of(snap, "SR"));
	char key[64], *found = NULL;
	snprintf(key, sizeof(key), "vdi:%s", str_of(snap, "uuid"));
	char *dest = xd_http_query_get(im->x.req->query, key);
	if (dest)
		found = xd_db_ref_by_uuid(vdi_cls, dest);
	free(dest);
	if (!found && sr) {
		xd_value *all = xd_db_get_all(vdi_cls);
		int f_sr = xd_dm_field_index(vdi_cls, "SR"), f_loc = xd_dm_field_index(vdi_cls, "location");
		for (size_t i = 0; all && i < all->u.arr.n && !found; i++) {
			const char *ref = all->u.arr.items[i]->u.s;
			xd_value *vsr = xd_db_get_field(vdi_cls, ref, f_sr);
			xd_value *vloc = xd_db_get_field(vdi_cls, ref, f_loc);
			if (vsr && vloc && !strcmp(vsr->u.s, sr) && !strcmp(vloc->u.s, location))
				found = strdup(ref);
			xd_value_free(vsr);
			xd_value_free(vloc);
		}
		xd_value_free(all);
	}
	if (found) { /* found, not made: the clean-up leaves it */
		xd_xva_table_add(&im->ids, "VDI", found, id);
		free(found);
		return 0;
	}
	if (im->force) {
		xd_warn("import_metadata: no VDI with location %s: skipped (force)", location);
		return 0;
	}
	if (sr)
		xd_error_set(err, "VDI_LOCATION_MISSING", sr, location, NULL);
	else
		xd_error_set(err, "VDI_CONTENT_ID_MISSING", NULL);
	return -1;
}

static int64_t int_of(const xd_value *rec, const char *name)
{
	const xd_value *v = xd_struct_get(rec, name);
	if (v && v->t == XD_V_INT)
		return v->u.i;
	return v && v->t == XD_V_STRING ? strtoll(v->u.s, NULL, 10) : 0;
}

/* restore=true keeps the VM's uuid, replacing the VM here that has it, as
 * import.ml: that VM must be halted (else VM_BAD_POWER_STATE [vm, Halted,
 * its state]) and older than the one imported (else
 * VM_TO_IMPORT_IS_NOT_NEWER_VERSION [vm, its version, the import's]);
 * force skips a VM that is not halted and replaces one that is not older.
 * The one replaced goes with its VIFs and VBDs (not its disks). The VM's
 * version counts its restores: +1 on restore, 0 on a plain import.
 * 1: make the VM (rec), 0: skip it, -1 with err. */
static int restore_over(vm_import *im, const xd_value *snap, xd_value *rec, xd_error *err)
{
	const xd_class *vm_cls = xd_dm_class("VM");
	int64_t version = int_of(snap, "version");
	char num[32];
	snprintf(num, sizeof(num), "%lld", im->restore ? (long long)version + 1 : 0LL);
	xd_struct_set_take(rec, "version", xd_string(num));
	if (!im->restore || !*str_of(snap, "uuid"))
		return 1;
	char *old = xd_db_ref_by_uuid(vm_cls, str_of(snap, "uuid"));
	if (!old)
		return 1;
	int rc = 1;
	xd_value *ps = xd_db_get_field(vm_cls, old, xd_dm_field_index(vm_cls, "power_state"));
	xd_value *ov = xd_db_get_field(vm_cls, old, xd_dm_field_index(vm_cls, "version"));
	int64_t existing = ov ? ov->u.i : 0;
	if (ps && strcasecmp(ps->u.s, "Halted") != 0) {
		if (im->force) {
			xd_warn("import: restore skips VM %s: it is not halted (force)", old);
			rc = 0;
		} else {
			/* as import.ml: Record_util's names, capitalised */
			xd_error_set(err, "VM_BAD_POWER_STATE", old, "Halted", ps->u.s, NULL);
			rc = -1;
		}
	} else if (existing >= version && !im->force) {
		char a[32], b[32];
		snprintf(a, sizeof(a), "%lld", (long long)existing);
		snprintf(b, sizeof(b), "%lld", (long long)version);
		xd_error_set(err, "VM_TO_IMPORT_IS_NOT_NEWER_VERSION", old, a, b, NULL);
		rc = -1;
	} else {
		rc = destroy_vm(im, old, err) < 0 ? -1 : 1;
	}
	xd_value_free(ps);
	xd_value_free(ov);
	free(old);
	return rc;
}

/* One object of ova.xml, of the class this pass makes. */
static int make_object(vm_import *im, const char *pass, const xd_value *o, xd_error *err)
{
	const char *cls = str_of(o, "class"), *id = str_of(o, "id");
	const xd_value *snap = xd_struct_get(o, "snapshot");
	if (strcmp(cls, pass) != 0)
		return 0;
	if (!strcmp(cls, "SR")) {
		if (im->metadata) { /* the SR of that uuid here, if any (as xapi) */
			char *sr = xd_db_ref_by_uuid(xd_dm_class("SR"), str_of(snap, "uuid"));
			if (sr)
				xd_xva_table_add(&im->ids, "SR", sr, id);
			free(sr);
		} else { /* every disk goes to the SR of the import */
			xd_xva_table_add(&im->ids, "SR", im->sr, id);
		}
		return 0;
	}
	if (!strcmp(cls, "VDI") && im->metadata)
		return find_vdi(im, id, snap, err);
	if (!strcmp(cls, "network")) {
		bool created;
		char *net = xd_xva_network_for(im->session, im->x.req->peer, snap, &created, err);
		if (!net)
			return -1;
		xd_xva_table_add(&im->ids, "network", net, id);
		if (created)
			xd_xva_table_add(&im->undo, "network", net, id);
		free(net);
		return 0;
	}
	xd_value *rec = xd_value_copy(snap);
	xd_xva_map_refs(rec, &im->ids, false);
	if (!strcmp(cls, "VDI")) {
		xd_struct_set_take(rec, "SR", xd_string(im->sr));
		xd_struct_set_take(rec, "sm_config", xd_struct());
		return make(im, "VDI", id, rec, err);
	}
	if (!strcmp(cls, "VM")) {
		bool is_snapshot = bool_of(snap, "is_a_snapshot");
		int r = restore_over(im, snap, rec, err);
		if (r <= 0) { /* skipped (force) or refused */
			xd_value_free(rec);
			return r;
		}
		if (!im->restore) /* as import.ml: a full restore keeps it */
			xd_xva_fresh_mac_seed(rec);
		if (make(im, "VM", id, rec, err) < 0)
			return -1;
		const char *vm = xd_xva_ref_of(&im->ids, id);
		if (is_snapshot) {
			/* RO fields: the snapshot stays a snapshot of the imported VM */
			xd_value *yes = xd_bool(true), *of = xd_string(xd_xva_ref_of(&im->ids,
										      str_of(snap, "snapshot_of")));
			set_field("VM", vm, "is_a_snapshot", yes);
			if (strcmp(of->u.s, "") != 0)
				set_field("VM", vm, "snapshot_of", of);
			set_field("VM", vm, "snapshot_time", xd_struct_get(snap, "snapshot_time"));
			xd_value_free(yes);
			xd_value_free(of);
		} else {
			xd_array_append_take(im->vms, xd_string(vm));
		}
		const char *uuid = str_of(snap, "uuid");
		char *taken = *uuid ? xd_db_ref_by_uuid(xd_dm_class("VM"), uuid) : NULL;
		if (im->restore && *uuid && !taken) { /* restore_over made room for it */
			xd_value *u = xd_string(uuid);
			set_field("VM", vm, "uuid", u);
			xd_value_free(u);
		}
		free(taken);
		return 0;
	}
	/* the devices of a VM the import skipped (force) go with it */
	if ((!strcmp(cls, "VIF") || !strcmp(cls, "VBD")) &&
	    !xd_xva_ref_of(&im->ids, str_of(snap, "VM"))) {
		xd_value_free(rec);
		return 0;
	}
	if (!strcmp(cls, "VIF")) {
		if (!im->restore)
			xd_struct_set_take(rec, "MAC", xd_string("")); /* a new one, as xapi */
		return make(im, "VIF", id, rec, err);
	}
	if (!strcmp(cls, "VBD")) {
		const char *vdi_id = str_of(snap, "VDI");
		if (strcmp(vdi_id, "OpaqueRef:NULL") != 0 && *vdi_id &&
		    !xd_xva_ref_of(&im->ids, vdi_id)) {
			/* its disk was not found (force): a CD is ejected, a disk
			 * left out, as xapi */
			if (strcmp(str_of(snap, "type"), "CD") != 0) {
				xd_value_free(rec);
				return 0;
			}
			xd_struct_set_take(rec, "empty", xd_bool(true));
		}
		xd_struct_set_take(rec, "currently_attached", xd_bool(false));
		return make(im, "VBD", id, rec, err);
	}
	xd_value_free(rec); /* hosts, metrics ...: not made, as xapi */
	return 0;
}

static int make_objects(vm_import *im, xd_error *err)
{
	static const char *const passes[] = { "SR", "network", "VDI", "VM", "VIF", "VBD", NULL };
	const xd_value *objs = xd_struct_get(im->ova, "objects");
	for (size_t p = 0; passes[p]; p++) {
		/* VMs: the VM before its snapshots, whose snapshot_of names it */
		for (int snaps = 0; snaps < (strcmp(passes[p], "VM") ? 1 : 2); snaps++)
			for (size_t i = 0; i < objs->u.arr.n; i++) {
				const xd_value *o = objs->u.arr.items[i];
				if (!strcmp(passes[p], "VM") &&
				    bool_of(xd_struct_get(o, "snapshot"), "is_a_snapshot") != snaps)
					continue;
				if (make_object(im, passes[p], o, err) < 0)
					return -1;
			}
	}
	return 0;
}

static void undo(vm_import *im)
{
	for (size_t i = im->undo.n; i-- > 0;) {
		xd_error err = XD_ERROR_INIT;
		char method[64];
		snprintf(method, sizeof(method), "%s.destroy", im->undo.o[i].cls);
		xd_value *r = call(im, method, xd_string(im->undo.o[i].ref), NULL, &err);
		if (!r)
			xd_warn("import: clean-up of %s %s: %s", im->undo.o[i].cls, im->undo.o[i].ref,
				err.code);
		xd_value_free(r);
		xd_error_clear(&err);
	}
}

/* ---- disks -------------------------------------------------------------------- */

typedef struct open_disk {
	char *vdi;
	char *prefix;
	xd_vdi_data *d;
	xd_xfer_sink *sink; /* writes d's chunks while the next ones come */
	int64_t size;
} open_disk;

/* Waits for the chunks queued for the open disk; a write's failure
 * replaces err (it was about earlier bytes). */
static int end_writes(open_disk *o, xd_error *err)
{
	int rc = xd_xfer_sink_end(o->sink, err);
	o->sink = NULL;
	return rc;
}

static void close_disk(vm_import *im, open_disk *o)
{
	xd_error ignored = XD_ERROR_INIT;
	end_writes(o, &ignored); /* already reported when it mattered */
	xd_error_clear(&ignored);
	if (o->d) {
		xd_vdi_data_close(o->d);
		xd_storage_vdi_detach(o->vdi, im->x.task);
	}
	free(o->vdi);
	free(o->prefix);
	memset(o, 0, sizeof(*o));
}

static int open_disk_of(vm_import *im, open_disk *o, const char *prefix, xd_error *err)
{
	const char *vdi = xd_xva_ref_of(&im->ids, prefix);
	if (end_writes(o, err) < 0)
		return -1;
	close_disk(im, o);
	if (!vdi || !xd_db_exists(xd_dm_class("VDI"), vdi)) {
		xd_error_set(err, "IMPORT_ERROR_FAILED_TO_FIND_OBJECT", prefix, NULL);
		return -1;
	}
	char *uri = xd_storage_vdi_attach(vdi, true, "import", im->x.task, err);
	if (!uri)
		return -1;
	o->vdi = strdup(vdi);
	o->prefix = strdup(prefix);
	o->d = xd_vdi_data_open(uri, true, err);
	free(uri);
	if (!o->d) {
		xd_storage_vdi_detach(vdi, im->x.task);
		return -1;
	}
	o->sink = xd_xfer_sink_start(o->d, (size_t)XD_XVA_CHUNK, NULL, NULL, err);
	if (!o->sink)
		return -1; /* close_disk releases the disk */
	xd_value *v = xd_db_get_field(xd_dm_class("VDI"), vdi,
				      xd_dm_field_index(xd_dm_class("VDI"), "virtual_size"));
	o->size = v ? v->u.i : 0;
	xd_value_free(v);
	return 0;
}

static int read_disks(vm_import *im, xd_xfer_in *in, xd_error *err)
{
	open_disk o = { 0 };
	xd_vdi_progress prog;
	int rc = -1;
	xd_vdi_progress_init(&prog, im->x.task, 0.0, 1.0, in->limit);
	for (;;) {
		xd_tar_member m;
		int r = xd_tar_next(in, &m, err);
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		char *slash = strchr(m.name, '/');
		if (strncmp(m.name, "Ref:", 4) != 0 || !slash) {
			/* not a disk chunk (an old XVA's checksum table): skipped */
			if (xd_tar_skip(in, &m, err) < 0)
				goto out;
			continue;
		}
		*slash = 0;
		if ((!o.prefix || strcmp(o.prefix, m.name) != 0) && open_disk_of(im, &o, m.name, err) < 0)
			goto out;
		*slash = '/';
		if (xd_xva_recv_chunk(in, &m, o.prefix, o.sink, o.size, im->force, err) < 0)
			goto out;
		xd_vdi_progress_update(&prog, in->pos);
	}
	if (o.d && (end_writes(&o, err) < 0 || xd_vdi_data_flush(o.d, err) < 0))
		goto out;
	rc = 0;
out:
	if (end_writes(&o, err) < 0)
		rc = -1;
	close_disk(im, &o);
	return rc;
}

/* ---- the request ---------------------------------------------------------------- */

/* Reads a compressed stream to its end (its trailer checked on the way;
 * what it says is of no use once the VMs are made). */
static void drain_stream(xd_xfer_in *in)
{
	char sink[65536];
	xd_error err = XD_ERROR_INIT;

	while (xd_xfer_read_some(in, sink, sizeof(sink), &err) > 0)
		;
	if (err.code)
		xd_warn("import: after the archive: %s", err.nparams ? err.params[0] : err.code);
	xd_error_clear(&err);
}

/* dry_run= (both paths), live= and check_cpu= (/import_metadata: a
 * cross-pool migration's) are not done here: true is refused, never
 * ignored. */
static int unsupported_flags(vm_import *im)
{
	static const char *const names[] = { "dry_run", "live", "check_cpu" };
	for (size_t i = 0; i < (im->metadata ? 3 : 1); i++) {
		bool on;
		if (flag(im, names[i], &on) < 0)
			return -1;
		if (on) {
			char msg[80];
			snprintf(msg, sizeof(msg), "%s=true is not supported", names[i]);
			xd_xreq_fail_code(&im->x, 400, "INTERNAL_ERROR", msg);
			return -1;
		}
	}
	return 0;
}

/* A metadata-only XVA: what follows ova.xml (nothing, or members of no
 * use without disks) is read to the end of the archive. */
static int skip_rest(xd_xfer_in *in, xd_error *err)
{
	xd_tar_member m;
	int r;
	while ((r = xd_tar_next(in, &m, err)) > 0)
		if (xd_tar_skip(in, &m, err) < 0)
			return -1;
	return r;
}

static void run_import(const xd_http_request *req, bool metadata)
{
	vm_import im = { .metadata = metadata };
	xd_error err = XD_ERROR_INIT;
	xd_xfer_in in = { .fd = -1 };
	const char *label = metadata ? "VM.import_metadata" : "VM.import";
	xd_xreq_init(&im.x, req, true, metadata ? "import_metadata" : "import", label);
	im.vms = xd_array();
	xd_xreq_given_task(&im.x);
	if (xd_xreq_check_credentials(&im.x) < 0 ||
	    xd_xreq_check_params(&im.x, metadata ? metadata_params : import_params) < 0 ||
	    flag(&im, "restore", &im.restore) < 0 || flag(&im, "force", &im.force) < 0 ||
	    unsupported_flags(&im) < 0)
		goto out;
	if (req->chunked) {
		xd_xreq_fail_code(&im.x, 403, "IMPORT_ERROR_CANNOT_HANDLE_CHUNKED", NULL);
		goto out;
	}
	if (xd_xreq_take_task(&im.x, label) < 0 || (!metadata && find_sr(&im) < 0))
		goto out;
	if (!(im.session = xd_xreq_session(&im.x, &err))) {
		xd_xreq_fail(&im.x, xd_xreq_status_of(&err), &err);
		goto out;
	}
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 200 OK\r\ntask-id: %s\r\nContent-Type: text/html\r\n"
			 "Connection: close\r\n\r\n",
			 im.x.task);
	im.x.answered = true; /* as xapi: before the body is read; the rest is on the task */
	xd_xreq_send_all(req->fd, head, (size_t)n);
	xd_xfer_in_init(&in, req, im.x.task);
	xd_info("import%s: into SR %s%s%s (task %s)", metadata ? " (metadata)" : "",
		im.sr ? im.sr : "-", im.restore ? ", restore" : "", im.force ? ", force" : "",
		im.x.task);
	/* an XVA exported with use_compression= comes back compressed */
	if (xd_xfer_in_uncompress(&in, &err) < 0 || read_ova(&im, &in, &err) < 0 ||
	    (im.restore &&
	     xd_xva_check_mac_seeds(xd_struct_get(im.ova, "objects"), &err) < 0) ||
	    make_objects(&im, &err) < 0 ||
	    (metadata ? skip_rest(&in, &err) : read_disks(&im, &in, &err)) < 0) {
		im.x.consumed = in.pos;
		if (im.force)
			xd_warn("import: not cleaning up after %s: force was given", err.code);
		else
			undo(&im);
		xd_xreq_fail(&im.x, 500, &err);
		xd_xreq_drain(&im.x);
		goto out;
	}
	/* what follows the end of the archive (tar pads to its record size;
	 * compressed, the rest of the stream and its trailer) */
	if (xd_xfer_left(&in) > 0 && xd_xfer_skip(&in, xd_xfer_left(&in), "the XVA", &err) < 0)
		xd_error_clear(&err);
	else if (xd_xfer_unzip_compressed(&in))
		drain_stream(&in);
	xd_task_complete(im.x.task, im.vms);
out:
	xd_xfer_in_end(&in);
	xd_error_clear(&err);
	xd_value_free(im.ova);
	xd_value_free(im.vms);
	free(im.sr);
	xd_xva_table_free(&im.ids);
	xd_xva_table_free(&im.undo);
	xd_xreq_clear(&im.x);
}

static void h_import(const xd_http_request *req)
{
	run_import(req, false);
}

static void h_import_metadata(const xd_http_request *req)
{
	run_import(req, true);
}

void xd_api_vm_import_register(void)
{
	xd_http_register("PUT", "/import", h_import);
	xd_http_register("PUT", "/import_metadata", h_import_metadata);
}
