/* storage_ops.c - allowed and current operations of SRs and VDIs, as
 * xapi_sr_operations.ml and xapi_vdi.ml compute them (see storage.h, "Operations"). */
#include "storage.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "dm.h"
#include "ids.h"
#include "log.h"
#include "tasks/tasks.h"

static pthread_mutex_t ops_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ops_cond = PTHREAD_COND_INITIALIZER;
static double mark_timeout_s = 7200.0; /* xapi's Policy.standard */

void xd_storage_set_mark_timeout(double seconds)
{
	mark_timeout_s = seconds;
}

void xd_storage_op_key_init(xd_storage_op_key *k, const xd_call *call)
{
	k->task = call ? call->task : NULL;
	if (k->task) {
		snprintf(k->key, sizeof(k->key), "%s", k->task);
	} else {
		char *ref = xd_ref_new();
		snprintf(k->key, sizeof(k->key), "%s", ref);
		free(ref);
	}
}

/* ---- small readers -------------------------------------------------------- */

static const char *rec_str(const xd_value *rec, const char *name)
{
	const xd_value *v = rec ? xd_struct_get(rec, name) : NULL;
	return v && v->t == XD_V_STRING ? v->u.s : "";
}

static bool rec_bool(const xd_value *rec, const char *name)
{
	const xd_value *v = rec ? xd_struct_get(rec, name) : NULL;
	return v && v->t == XD_V_BOOL && v->u.b;
}

static size_t rec_count(const xd_value *rec, const char *name)
{
	const xd_value *v = rec ? xd_struct_get(rec, name) : NULL;
	if (!v)
		return 0;
	return v->t == XD_V_ARRAY ? v->u.arr.n : v->t == XD_V_STRUCT ? v->u.st.n : 0;
}

/* The features of the SR type's driver: SM.features keys, plus
 * SM.capabilities without their "/version". */
typedef struct features {
	xd_value *names;
} features;

typedef struct sm_ctx {
	const char *type;
	int type_f, feat_f, caps_f;
	xd_value *out;
} sm_ctx;

static int collect_features(const char *ref, const xd_value *const *fields, void *ud)
{
	sm_ctx *cx = ud;
	if (fields[cx->type_f]->t != XD_V_STRING || strcmp(fields[cx->type_f]->u.s, cx->type) != 0)
		return 0;
	const xd_value *feat = fields[cx->feat_f], *caps = fields[cx->caps_f];
	for (size_t i = 0; feat->t == XD_V_STRUCT && i < feat->u.st.n; i++)
		xd_array_append_take(cx->out, xd_string(feat->u.st.m[i].name));
	for (size_t i = 0; caps->t == XD_V_ARRAY && i < caps->u.arr.n; i++) {
		const char *s = caps->u.arr.items[i]->u.s;
		const char *slash = strchr(s, '/');
		xd_array_append_take(cx->out, slash ? xd_string_n(s, (size_t)(slash - s)) : xd_string(s));
	}
	return 1;
}

static features features_of(const char *type)
{
	const xd_class *sm = xd_dm_class("SM");
	sm_ctx cx = { type, xd_dm_field_index(sm, "type"), xd_dm_field_index(sm, "features"),
		      xd_dm_field_index(sm, "capabilities"), xd_array() };
	xd_db_foreach(sm, collect_features, &cx);
	return (features){ cx.out };
}

static bool has_feature(const features *f, const char *name)
{
	for (size_t i = 0; i < f->names->u.arr.n; i++)
		if (strcmp(f->names->u.arr.items[i]->u.s, name) == 0)
			return true;
	return false;
}

/* ---- the keys this process marked with ------------------------------------ */

/* An SR or VDI current_operations entry is only believed while the
 * operation that made it runs in this process: a previous run that died
 * mid-operation (SIGKILL) leaves entries nobody will remove, which must
 * not block the SR for xapi's two hours. Stale entries are ignored by the
 * checks and dropped at the next refresh. */
static pthread_mutex_t keys_lock = PTHREAD_MUTEX_INITIALIZER;
static char **live_keys;
static size_t nlive, caplive;

static void key_add(const char *key)
{
	pthread_mutex_lock(&keys_lock);
	if (nlive == caplive) {
		caplive = caplive ? 2 * caplive : 16;
		live_keys = realloc(live_keys, caplive * sizeof(*live_keys));
		if (!live_keys)
			abort();
	}
	live_keys[nlive] = strdup(key);
	if (!live_keys[nlive])
		abort();
	nlive++;
	pthread_mutex_unlock(&keys_lock);
}

/* Drops one use of key (a key marks an SR and a VDI at most once each). */
static void key_remove(const char *key)
{
	pthread_mutex_lock(&keys_lock);
	for (size_t i = 0; i < nlive; i++)
		if (strcmp(live_keys[i], key) == 0) {
			free(live_keys[i]);
			live_keys[i] = live_keys[--nlive];
			break;
		}
	pthread_mutex_unlock(&keys_lock);
}

static bool key_live(const char *key)
{
	bool yes = false;
	pthread_mutex_lock(&keys_lock);
	for (size_t i = 0; i < nlive && !yes; i++)
		yes = strcmp(live_keys[i], key) == 0;
	pthread_mutex_unlock(&keys_lock);
	return yes;
}

/* The first (op, task) of a current_operations map, skipping entries whose
 * op is `except` (may be NULL), and, with live_only, entries of no
 * operation of this process. */
static bool first_current_of(const xd_value *cur, const char *except, bool live_only,
			     const char **op, const char **task)
{
	for (size_t i = 0; cur && cur->t == XD_V_STRUCT && i < cur->u.st.n; i++) {
		const xd_value *v = cur->u.st.m[i].v;
		if (v->t != XD_V_STRING || (except && strcmp(v->u.s, except) == 0))
			continue;
		if (live_only && !key_live(cur->u.st.m[i].name))
			continue;
		*op = v->u.s;
		*task = cur->u.st.m[i].name;
		return true;
	}
	return false;
}

/* For SR and VDI maps: our own operations only. */
static bool first_current(const xd_value *cur, const char *except, const char **op,
			  const char **task)
{
	return first_current_of(cur, except, true, op, task);
}

static bool current_has(const xd_value *cur, const char *op)
{
	for (size_t i = 0; cur && cur->t == XD_V_STRUCT && i < cur->u.st.n; i++)
		if (cur->u.st.m[i].v->t == XD_V_STRING && strcmp(cur->u.st.m[i].v->u.s, op) == 0 &&
		    key_live(cur->u.st.m[i].name))
			return true;
	return false;
}

/* Removes the entries of a previous run from obj's current_operations. */
static void drop_stale(const xd_class *c, const char *ref, const xd_value *cur)
{
	int fi = xd_dm_field_index(c, "current_operations");
	for (size_t i = 0; cur && cur->t == XD_V_STRUCT && i < cur->u.st.n; i++) {
		const char *key = cur->u.st.m[i].name;
		if (key_live(key))
			continue;
		xd_error err = XD_ERROR_INIT;
		xd_info("storage: %s %s: dropping operation %s of a previous run", c->name, ref, key);
		xd_db_map_remove(c, ref, fi, key, &err);
		xd_error_clear(&err);
	}
}

/* ---- SR ------------------------------------------------------------------- */

/* What an SR's checks need, read once. */
typedef struct sr_facts {
	const char *ref;
	xd_value *rec;
	features feat;
	bool any_attached, has_pbds, has_managed_vdis;
} sr_facts;

static const char *const sr_all_ops[] = {
	"scan", "destroy", "forget", "plug", "unplug", "vdi_create", "vdi_destroy", "vdi_resize",
	"vdi_clone", "vdi_snapshot", "vdi_mirror", "vdi_enable_cbt", "vdi_disable_cbt",
	"vdi_data_destroy", "vdi_list_changed_blocks", "vdi_set_on_boot", "vdi_introduce",
	"update", "pbd_create", "pbd_destroy", NULL,
};

/* Operations the driver must declare (xapi's sm_cap_table). */
static const char *sr_op_feature(const char *op)
{
	static const char *const table[][2] = {
		{ "vdi_create", "VDI_CREATE" },       { "vdi_destroy", "VDI_DELETE" },
		{ "vdi_resize", "VDI_RESIZE" },       { "vdi_introduce", "VDI_INTRODUCE" },
		{ "vdi_mirror", "VDI_MIRROR" },       { "vdi_enable_cbt", "VDI_CONFIG_CBT" },
		{ "vdi_disable_cbt", "VDI_CONFIG_CBT" }, { "vdi_data_destroy", "VDI_CONFIG_CBT" },
		{ "vdi_list_changed_blocks", "VDI_CONFIG_CBT" },
		{ "vdi_set_on_boot", "VDI_RESET_ON_BOOT" }, { "update", "SR_UPDATE" },
		{ "vdi_snapshot", "VDI_SNAPSHOT" },
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i][0], op) == 0)
			return table[i][1];
	return NULL;
}

static bool any_managed_vdi(const xd_value *vdis)
{
	const xd_class *c = xd_dm_class("VDI");
	int mf = xd_dm_field_index(c, "managed"), tf = xd_dm_field_index(c, "type");
	for (size_t i = 0; vdis && vdis->t == XD_V_ARRAY && i < vdis->u.arr.n; i++) {
		const char *v = vdis->u.arr.items[i]->u.s;
		xd_value *managed = xd_db_get_field(c, v, mf), *type = xd_db_get_field(c, v, tf);
		bool yes = managed && managed->u.b && type && strcmp(type->u.s, "rrd") != 0;
		xd_value_free(managed);
		xd_value_free(type);
		if (yes)
			return true;
	}
	return false;
}

static int sr_facts_read(const char *sr, sr_facts *f, xd_error *err)
{
	memset(f, 0, sizeof(*f));
	f->ref = sr;
	f->rec = xd_db_get_record(xd_dm_class("SR"), sr);
	if (!f->rec)
		return xd_error_set(err, "HANDLE_INVALID", "SR", sr, NULL);
	f->feat = features_of(rec_str(f->rec, "type"));
	f->has_pbds = rec_count(f->rec, "PBDs") > 0;
	f->any_attached = xd_storage_sr_any_attached(sr);
	f->has_managed_vdis = any_managed_vdi(xd_struct_get(f->rec, "VDIs"));
	return 0;
}

static void sr_facts_free(sr_facts *f)
{
	xd_value_free(f->rec);
	xd_value_free(f->feat.names);
}

static int sr_check_facts(const sr_facts *f, const char *op, xd_error *err)
{
	const char *feature = sr_op_feature(op);
	if (feature && !has_feature(&f->feat, feature))
		return xd_error_set(err, "SR_OPERATION_NOT_SUPPORTED", f->ref, NULL);
	bool destroy = strcmp(op, "destroy") == 0;
	if ((destroy || strcmp(op, "forget") == 0) && f->any_attached)
		return xd_error_set(err, "SR_HAS_PBD", f->ref, NULL);
	if (destroy && !f->has_pbds)
		return xd_error_set(err, "SR_HAS_NO_PBDS", f->ref, NULL);
	if (destroy && f->has_managed_vdis)
		return xd_error_set(err, "SR_NOT_EMPTY", NULL);
	/* only plug may run beside others, and only beside other plugs */
	const xd_value *cur = xd_struct_get(f->rec, "current_operations");
	const char *cop, *ctask;
	bool is_plug = strcmp(op, "plug") == 0;
	if (first_current(cur, is_plug ? "plug" : NULL, &cop, &ctask))
		return xd_error_set(err, "OTHER_OPERATION_IN_PROGRESS", "SR", f->ref, cop, ctask, NULL);
	return 0;
}

int xd_storage_sr_check(const char *sr, const char *op, xd_error *err)
{
	sr_facts f;
	int rc = sr_facts_read(sr, &f, err);
	if (rc == 0)
		rc = sr_check_facts(&f, op, err);
	sr_facts_free(&f);
	return rc;
}

/* Writes field `allowed_operations` of obj if the new set differs. */
static void store_allowed(const xd_class *c, const char *ref, xd_value *allowed)
{
	int fi = xd_dm_field_index(c, "allowed_operations");
	xd_value *old = xd_db_get_field(c, ref, fi);
	if (old && !xd_value_equal(old, allowed)) {
		xd_error err = XD_ERROR_INIT;
		if (xd_db_set_field(c, ref, fi, allowed, &err) < 0)
			xd_debug("storage: %s %s allowed_operations not stored: %s", c->name, ref,
				 err.code);
		xd_error_clear(&err);
	}
	xd_value_free(old);
	xd_value_free(allowed);
}

void xd_storage_sr_refresh(const char *sr)
{
	sr_facts f;
	xd_error err = XD_ERROR_INIT;
	if (sr_facts_read(sr, &f, &err) == 0) {
		xd_value *allowed = xd_array();
		for (size_t i = 0; sr_all_ops[i]; i++) {
			if (sr_check_facts(&f, sr_all_ops[i], &err) == 0)
				xd_array_append_take(allowed, xd_string(sr_all_ops[i]));
			xd_error_clear(&err);
		}
		store_allowed(xd_dm_class("SR"), sr, allowed);
		drop_stale(xd_dm_class("SR"), sr, xd_struct_get(f.rec, "current_operations"));
	}
	sr_facts_free(&f);
	xd_error_clear(&err);
}

/* ---- VDI ------------------------------------------------------------------ */

typedef struct vdi_facts {
	const char *ref;
	xd_value *rec;
	const char *sr, *sr_type;
	bool sr_is_tools, any_attached;
	features feat;
	bool active, active_rw;             /* attached VBDs (or the core's own attach) */
	const char *vbd_op, *vbd_op_task;   /* a VBD with an operation in progress */
	xd_value *vbd_ops;                  /* owns the strings above */
} vdi_facts;

static const char *const vdi_all_ops[] = {
	/* xapi lists the pre-Ely operations only, without blocked and force_unlock */
	"clone", "copy", "resize", "resize_online", "snapshot", "destroy", "forget", "update",
	"generate_config", NULL,
};

static const char *vdi_op_feature(const char *op)
{
	static const char *const table[][2] = {
		{ "snapshot", "VDI_SNAPSHOT" },       { "destroy", "VDI_DELETE" },
		{ "resize", "VDI_RESIZE" },           { "update", "VDI_UPDATE" },
		{ "resize_online", "VDI_RESIZE_ONLINE" }, { "generate_config", "VDI_GENERATE_CONFIG" },
		{ "clone", "VDI_CLONE" },             { "mirror", "VDI_MIRROR" },
		{ "enable_cbt", "VDI_CONFIG_CBT" },   { "disable_cbt", "VDI_CONFIG_CBT" },
		{ "data_destroy", "VDI_CONFIG_CBT" }, { "list_changed_blocks", "VDI_CONFIG_CBT" },
		{ "set_on_boot", "VDI_RESET_ON_BOOT" },
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i][0], op) == 0)
			return table[i][1];
	return NULL;
}

static void read_vbds(vdi_facts *f)
{
	const xd_class *vbd = xd_dm_class("VBD");
	const xd_value *vbds = xd_struct_get(f->rec, "VBDs");
	for (size_t i = 0; vbds && vbds->t == XD_V_ARRAY && i < vbds->u.arr.n; i++) {
		xd_value *r = xd_db_get_record(vbd, vbds->u.arr.items[i]->u.s);
		if (!r)
			continue;
		if (rec_bool(r, "currently_attached")) {
			f->active = true;
			if (strcmp(rec_str(r, "mode"), "RW") == 0)
				f->active_rw = true;
		}
		const xd_value *cur = xd_struct_get(r, "current_operations");
		const char *op, *task;
		if (!f->vbd_ops && first_current_of(cur, NULL, false, &op, &task)) {
			f->vbd_ops = r; /* keeps op and task alive */
			f->vbd_op = op;
			f->vbd_op_task = task;
			continue;
		}
		xd_value_free(r);
	}
	int mode = xd_storage_vdi_attach_mode(f->ref);
	if (mode) {
		f->active = true;
		if (mode == 2)
			f->active_rw = true;
	}
}

static int vdi_facts_read(const char *vdi, vdi_facts *f, xd_error *err)
{
	memset(f, 0, sizeof(*f));
	f->ref = vdi;
	f->rec = xd_db_get_record(xd_dm_class("VDI"), vdi);
	if (!f->rec)
		return xd_error_set(err, "HANDLE_INVALID", "VDI", vdi, NULL);
	f->sr = rec_str(f->rec, "SR");
	/* two fields, not the SR's record: its VDIs set alone may hold tens of
	 * thousands of refs, and this runs for every VDI of the SR */
	const xd_class *src = xd_dm_class("SR");
	xd_value *type = xd_db_get_field(src, f->sr, xd_dm_field_index(src, "type"));
	xd_value *tools = xd_db_get_field(src, f->sr, xd_dm_field_index(src, "is_tools_sr"));
	if (!type || type->t != XD_V_STRING) {
		xd_value_free(type);
		type = xd_string("");
	}
	f->sr_is_tools = tools && tools->t == XD_V_BOOL && tools->u.b;
	xd_value_free(tools);
	f->feat = features_of(type->u.s);
	/* keep the type string with the features (freed together) */
	xd_array_append_take(f->feat.names, type);
	f->sr_type = type->u.s;
	f->any_attached = xd_storage_sr_any_attached(f->sr);
	read_vbds(f);
	return 0;
}

static void vdi_facts_free(vdi_facts *f)
{
	xd_value_free(f->rec);
	xd_value_free(f->feat.names);
	xd_value_free(f->vbd_ops);
}

/* Operations that may run while the VDI is attached (xapi's
 * operation_can_be_performed_live). */
static bool live_op(const char *op)
{
	static const char *const ops[] = { "snapshot", "resize_online", "blocked", "clone",
					   "mirror", "enable_cbt", "disable_cbt", "data_destroy",
					   NULL };
	for (size_t i = 0; ops[i]; i++)
		if (strcmp(ops[i], op) == 0)
			return true;
	return false;
}

static bool op_in(const char *op, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], op) == 0)
			return true;
	return false;
}

static int vdi_check_facts(const vdi_facts *f, const char *op, xd_error *err)
{
	const xd_value *cur = xd_struct_get(f->rec, "current_operations");
	const char *cop, *ctask;
	const char *type = rec_str(f->rec, "type");
	/* anything but a copy in progress excludes every other operation */
	if (first_current(cur, "copy", &cop, &ctask))
		return xd_error_set(err, "OTHER_OPERATION_IN_PROGRESS", "VDI", f->ref, cop, ctask,
				    NULL);
	if (strcmp(op, "resize") == 0 && !f->any_attached)
		return xd_error_set(err, "SR_HAS_NO_PBDS", f->sr, NULL);
	bool blocked = live_op(op) ? false : strcmp(op, "copy") == 0 ? f->active_rw : f->active;
	if (blocked)
		return xd_error_set(err, "VDI_IN_USE", f->ref, op, NULL);
	if (f->vbd_op && strcmp(op, "data_destroy") != 0)
		return xd_error_set(err, "OTHER_OPERATION_IN_PROGRESS", "VDI", f->ref, f->vbd_op,
				    f->vbd_op_task, NULL);
	const char *feature = vdi_op_feature(op);
	if (feature && !has_feature(&f->feat, feature))
		return xd_error_set(err, "SR_OPERATION_NOT_SUPPORTED", f->sr, NULL);
	static const char *const not_for_cbt_metadata[] = {
		"clone", "copy", "disable_cbt", "enable_cbt", "mirror", "resize", "resize_online",
		"snapshot", "revert_to", "revert_from", "set_on_boot", NULL,
	};
	if (strcmp(type, "cbt_metadata") == 0 && op_in(op, not_for_cbt_metadata))
		return xd_error_set(err, "VDI_INCOMPATIBLE_TYPE", f->ref, "cbt_metadata", NULL);
	if (rec_bool(f->rec, "cbt_enabled") &&
	    (strcmp(op, "mirror") == 0 || strcmp(op, "set_on_boot") == 0))
		return xd_error_set(err, "VDI_CBT_ENABLED", f->ref, NULL);
	bool reset = strcmp(rec_str(f->rec, "on_boot"), "reset") == 0;
	bool snapshot = strcmp(op, "snapshot") == 0, copy = strcmp(op, "copy") == 0;
	if (strcmp(op, "forget") == 0 && strcmp(type, "rrd") == 0)
		return xd_error_set(err, "VDI_HAS_RRDS", f->ref, NULL);
	if (strcmp(op, "destroy") == 0) {
		if (strcmp(f->sr_type, "udev") == 0)
			return xd_error_set(err, "VDI_IS_A_PHYSICAL_DEVICE", f->ref, NULL);
		if (f->sr_is_tools)
			return xd_error_set(err, "SR_OPERATION_NOT_SUPPORTED", f->sr, NULL);
		if (strcmp(type, "rrd") == 0)
			return xd_error_set(err, "VDI_HAS_RRDS", f->ref, NULL);
	}
	if (snapshot && rec_bool(f->rec, "sharable"))
		return xd_error_set(err, "VDI_IS_SHARABLE", f->ref, NULL);
	if ((snapshot || copy) && reset)
		return xd_error_set(err, "VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION", NULL);
	if (snapshot && current_has(cur, "copy"))
		return xd_error_set(err, "OPERATION_NOT_ALLOWED",
				    "Snapshot operation not allowed during copy.", NULL);
	if (copy && (strcmp(type, "ha_statefile") == 0 || strcmp(type, "redo_log") == 0))
		return xd_error_set(err, "OPERATION_NOT_ALLOWED",
				    "VDI containing HA statefile or redo log cannot be copied (check "
				    "the VDI's allowed operations).",
				    NULL);
	if (strcmp(op, "enable_cbt") == 0 || strcmp(op, "disable_cbt") == 0) {
		if (rec_bool(f->rec, "is_a_snapshot")) {
			char msg[128];
			snprintf(msg, sizeof(msg), "VDI is a snapshot: %s", f->ref);
			return xd_error_set(err, "OPERATION_NOT_ALLOWED", msg, NULL);
		}
		if (strcmp(type, "user") != 0 && strcmp(type, "system") != 0)
			return xd_error_set(err, "VDI_INCOMPATIBLE_TYPE", f->ref, type, NULL);
		if (reset)
			return xd_error_set(err, "VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION", NULL);
	}
	return 0;
}

int xd_storage_vdi_check(const char *vdi, const char *op, xd_error *err)
{
	vdi_facts f;
	int rc = vdi_facts_read(vdi, &f, err);
	if (rc == 0)
		rc = vdi_check_facts(&f, op, err);
	vdi_facts_free(&f);
	return rc;
}

/* The operations a VDI allows now (new array). */
static xd_value *vdi_allowed(const vdi_facts *f)
{
	xd_error err = XD_ERROR_INIT;
	xd_value *allowed = xd_array();
	for (size_t i = 0; vdi_all_ops[i]; i++) {
		if (vdi_check_facts(f, vdi_all_ops[i], &err) == 0)
			xd_array_append_take(allowed, xd_string(vdi_all_ops[i]));
		xd_error_clear(&err);
	}
	return allowed;
}

void xd_storage_vdi_refresh(const char *vdi)
{
	vdi_facts f;
	xd_error err = XD_ERROR_INIT;
	if (vdi_facts_read(vdi, &f, &err) == 0) {
		store_allowed(xd_dm_class("VDI"), vdi, vdi_allowed(&f));
		drop_stale(xd_dm_class("VDI"), vdi, xd_struct_get(f.rec, "current_operations"));
	}
	vdi_facts_free(&f);
	xd_error_clear(&err);
}

void xd_storage_sr_refresh_all_vdis(const char *sr)
{
	const xd_class *c = xd_dm_class("SR"), *vc = xd_dm_class("VDI");
	int fi = xd_dm_field_index(vc, "allowed_operations");
	xd_value *vdis = xd_db_get_field(c, sr, xd_dm_field_index(c, "VDIs"));
	xd_value *refs = xd_array(), *vals = xd_array();
	xd_error err = XD_ERROR_INIT;
	xd_storage_sr_refresh(sr);
	/* Compute every VDI's operations first and store the changed ones in one
	 * transaction: a start with 50,000 VDIs must not make 50,000 commits. */
	for (size_t i = 0; vdis && i < vdis->u.arr.n; i++) {
		const char *vdi = vdis->u.arr.items[i]->u.s;
		vdi_facts f;
		if (vdi_facts_read(vdi, &f, &err) == 0) {
			xd_value *allowed = vdi_allowed(&f);
			const xd_value *old = xd_struct_get(f.rec, "allowed_operations");
			if (!old || !xd_value_equal(old, allowed)) {
				xd_array_append_take(refs, xd_string(vdi));
				xd_array_append_take(vals, allowed);
			} else {
				xd_value_free(allowed);
			}
			drop_stale(vc, vdi, xd_struct_get(f.rec, "current_operations"));
		}
		vdi_facts_free(&f);
		xd_error_clear(&err);
	}
	if (refs->u.arr.n) {
		xd_db_txn *t = xd_db_begin();
		for (size_t i = 0; i < refs->u.arr.n; i++)
			if (xd_db_txn_exists(t, vc, refs->u.arr.items[i]->u.s))
				xd_db_txn_set_field(t, vc, refs->u.arr.items[i]->u.s, fi,
						    vals->u.arr.items[i], &err);
		if (xd_db_commit(t, &err) < 0)
			xd_debug("storage: allowed_operations of the VDIs of %s not stored: %s", sr,
				 err.code);
		xd_error_clear(&err);
	}
	xd_value_free(refs);
	xd_value_free(vals);
	xd_value_free(vdis);
}

/* ---- marking -------------------------------------------------------------- */

static int add_current(const char *cls, const char *ref, const char *key, const char *op,
		       xd_error *err)
{
	const xd_class *c = xd_dm_class(cls);
	xd_value *v = xd_string(op);
	int rc = xd_db_map_add(c, ref, xd_dm_field_index(c, "current_operations"), key, v, err);
	xd_value_free(v);
	return rc;
}

static void remove_current(const char *cls, const char *ref, const char *key)
{
	const xd_class *c = xd_dm_class(cls);
	xd_error err = XD_ERROR_INIT;
	if (xd_db_exists(c, ref))
		xd_db_map_remove(c, ref, xd_dm_field_index(c, "current_operations"), key, &err);
	xd_error_clear(&err);
}

/* PBD.unplug also waits for the operations of the SR's VDIs (xapi's
 * with_unplug_locks): OTHER_OPERATION_IN_PROGRESS [VDI, vdi, op, task]. */
static int check_vdi_ops(const char *sr, xd_error *err)
{
	const xd_class *src = xd_dm_class("SR"), *vc = xd_dm_class("VDI");
	xd_value *vdis = xd_db_get_field(src, sr, xd_dm_field_index(src, "VDIs"));
	int fi = xd_dm_field_index(vc, "current_operations"), rc = 0;
	for (size_t i = 0; vdis && i < vdis->u.arr.n && rc == 0; i++) {
		const char *v = vdis->u.arr.items[i]->u.s;
		xd_value *cur = xd_db_get_field(vc, v, fi);
		const char *op, *task;
		if (first_current(cur, NULL, &op, &task))
			rc = xd_error_set(err, "OTHER_OPERATION_IN_PROGRESS", "VDI", v, op, task, NULL);
		xd_value_free(cur);
	}
	xd_value_free(vdis);
	return rc;
}

/* One attempt, under ops_lock. */
static int try_mark(const xd_storage_op_key *k, const char *sr, const char *sr_op,
		    const char *vdi, const char *vdi_op, xd_error *err)
{
	if (sr && strcmp(sr_op, "unplug") == 0 && check_vdi_ops(sr, err) < 0)
		return -1;
	if (sr && xd_storage_sr_check(sr, sr_op, err) < 0)
		return -1;
	if (vdi && xd_storage_vdi_check(vdi, vdi_op, err) < 0)
		return -1;
	if (sr && add_current("SR", sr, k->key, sr_op, err) < 0)
		return -1;
	if (vdi && add_current("VDI", vdi, k->key, vdi_op, err) < 0) {
		if (sr)
			remove_current("SR", sr, k->key);
		return -1;
	}
	if (sr)
		key_add(k->key);
	if (vdi)
		key_add(k->key);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* How often a waiting mark looks at its task's cancel flag. */
#define MARK_POLL_S 0.25

/* The operation in the way, as task.other_config shows it: the params of
 * OTHER_OPERATION_IN_PROGRESS [class, ref, op, task], space separated. */
static void describe_obstacle(const xd_error *err, char *out, size_t n)
{
	snprintf(out, n, "%s %s %s %s", err->nparams > 0 ? err->params[0] : "?",
		 err->nparams > 1 ? err->params[1] : "?", err->nparams > 2 ? err->params[2] : "?",
		 err->nparams > 3 ? err->params[3] : "?");
}

int xd_storage_mark(const xd_storage_op_key *k, const char *sr, const char *sr_op,
		    const char *vdi, const char *vdi_op, xd_error *err)
{
	double deadline = now_s() + mark_timeout_s;
	char shown[256] = "";
	int rc;
	pthread_mutex_lock(&ops_lock);
	for (;;) {
		xd_error_clear(err);
		rc = try_mark(k, sr, sr_op, vdi, vdi_op, err);
		if (rc == 0 || !err->code || strcmp(err->code, "OTHER_OPERATION_IN_PROGRESS") != 0)
			break;
		if (k->task && xd_task_cancelling(k->task)) {
			xd_error_set(err, "TASK_CANCELLED", k->task, NULL);
			break;
		}
		double left = deadline - now_s();
		if (left <= 0)
			break;
		char what[256];
		describe_obstacle(err, what, sizeof what);
		if (strcmp(what, shown) != 0) {
			/* once per operation in the way: the caller may wait for
			 * as long as that one takes (a hung driver: its timeout) */
			snprintf(shown, sizeof shown, "%s", what);
			xd_info("storage: %s%s%s%s%s waits for %s %s: %s (task %s) is in progress",
				sr ? "SR " : "", sr ? sr_op : "", sr && vdi ? ", " : "",
				vdi ? "VDI " : "", vdi ? vdi_op : "", err->params[0],
				err->nparams > 1 ? err->params[1] : "?",
				err->nparams > 2 ? err->params[2] : "?",
				err->nparams > 3 ? err->params[3] : "?");
			xd_task_set_waiting(k->task, what);
		}
		/* woken by unmark; MARK_POLL_S at most, to notice a cancel */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		double wait = left < MARK_POLL_S ? left : MARK_POLL_S;
		ts.tv_sec += (time_t)wait;
		ts.tv_nsec += (long)((wait - (double)(time_t)wait) * 1e9);
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&ops_cond, &ops_lock, &ts);
	}
	pthread_mutex_unlock(&ops_lock);
	if (shown[0]) {
		xd_task_set_waiting(k->task, NULL);
		xd_info("storage: %s%s%s%s%s %s", sr ? "SR " : "", sr ? sr_op : "",
			sr && vdi ? ", " : "", vdi ? "VDI " : "", vdi ? vdi_op : "",
			rc == 0 ? "no longer waits" : "stopped waiting");
	}
	if (rc == 0) {
		if (sr)
			xd_storage_sr_refresh(sr);
		if (vdi)
			xd_storage_vdi_refresh(vdi);
	}
	return rc;
}

void xd_storage_unmark(const xd_storage_op_key *k, const char *sr, const char *vdi)
{
	pthread_mutex_lock(&ops_lock);
	if (sr) {
		remove_current("SR", sr, k->key);
		key_remove(k->key);
	}
	if (vdi) {
		remove_current("VDI", vdi, k->key);
		key_remove(k->key);
	}
	pthread_cond_broadcast(&ops_cond);
	pthread_mutex_unlock(&ops_lock);
	if (sr && xd_db_exists(xd_dm_class("SR"), sr))
		xd_storage_sr_refresh(sr);
	if (vdi && xd_db_exists(xd_dm_class("VDI"), vdi))
		xd_storage_vdi_refresh(vdi);
}
