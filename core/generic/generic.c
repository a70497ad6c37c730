/* generic.c - handlers derived from the declaration alone (see generic.h). */
#include "generic.h"

#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "log.h"
#include "where.h"
#include "wire.h"

#define MAX_CLASSES 128
static const xd_class_hooks *class_hooks[MAX_CLASSES];

void xd_generic_set_hooks(const char *cls, const xd_class_hooks *hooks)
{
	const xd_class *c = xd_dm_class(cls);
	if (!c || c->idx >= MAX_CLASSES) {
		xd_err("internal: hooks for unknown class %s", cls);
		return;
	}
	class_hooks[c->idx] = hooks;
}

/* ---- small shared helpers ------------------------------------------------ */

xd_value *xd_void(void)
{
	return xd_string("");
}

int xd_check_ref(const xd_class *c, const char *ref, xd_error *err)
{
	if (!ref || !xd_db_exists(c, ref))
		return xd_error_set(err, "HANDLE_INVALID", c->name, ref ? ref : "", NULL);
	return 0;
}

const char *xd_arg_str(const xd_call *call, size_t i)
{
	const xd_value *v = i < call->nargs ? call->args[i] : NULL;
	return v && v->t == XD_V_STRING ? v->u.s : "";
}

int64_t xd_arg_int(const xd_call *call, size_t i)
{
	const xd_value *v = i < call->nargs ? call->args[i] : NULL;
	return v && v->t == XD_V_INT ? v->u.i : 0;
}

int xd_arg_bool(const xd_call *call, size_t i)
{
	const xd_value *v = i < call->nargs ? call->args[i] : NULL;
	return v && v->t == XD_V_BOOL ? v->u.b : 0;
}

double xd_arg_float(const xd_call *call, size_t i)
{
	const xd_value *v = i < call->nargs ? call->args[i] : NULL;
	if (!v)
		return 0;
	return v->t == XD_V_FLOAT ? v->u.f : v->t == XD_V_INT ? (double)v->u.i : 0;
}

void xd_generic_fill_defaults(const xd_class *c, xd_value *record)
{
	for (size_t i = 0; i < c->nfields; i++) {
		const xd_field *f = &c->fields[i];
		if (!xd_struct_get(record, f->name))
			xd_struct_set_take(record, f->name, xd_dm_default_value(f));
	}
	if (c->uuid_field >= 0) {
		const xd_value *u = xd_struct_get(record, "uuid");
		if (!u || u->t != XD_V_STRING || !u->u.s[0])
			xd_struct_set_take(record, "uuid", xd_string_take(xd_uuid_new()));
	}
}

/* ---- records pre-encoded for the wire (db memos) -------------------------
 *
 * Whole-record reads answer with XD_V_RAW text taken from the db's memo of
 * each object: encoding the record once and copying it afterwards is what
 * makes a large get_all_records cheap. The text must be byte for byte what
 * the encoders make of xd_db_get_record's tree: struct members in field
 * order, each value encoded by the wire encoder itself. */

static void encode_record_xml(xd_strbuf *sb, const xd_class *c, const xd_value *const *fields)
{
	xd_strbuf_puts(sb, "<value><struct>");
	for (size_t i = 0; i < c->nfields; i++) {
		xd_strbuf_puts(sb, "<member><name>");
		xd_strbuf_put_xml_escaped(sb, c->fields[i].name);
		xd_strbuf_puts(sb, "</name>");
		xd_xmlrpc_encode_value(sb, fields[i]);
		xd_strbuf_puts(sb, "</member>");
	}
	xd_strbuf_puts(sb, "</struct></value>");
}

static void encode_record_json(xd_strbuf *sb, const xd_class *c, const xd_value *const *fields)
{
	xd_strbuf_putc(sb, '{');
	for (size_t i = 0; i < c->nfields; i++) {
		if (i)
			xd_strbuf_putc(sb, ',');
		xd_strbuf_put_json_string(sb, c->fields[i].name);
		xd_strbuf_putc(sb, ':');
		xd_json_encode_value(sb, fields[i]);
	}
	xd_strbuf_putc(sb, '}');
}

/* The memo slot for the wire the result goes out on. An Async call's result
 * is stored by the task as XML-RPC text whatever the caller speaks. */
static int memo_slot(const xd_call *call)
{
	return call->peer && call->peer->json && !call->task ? XD_DB_MEMO_JSON : XD_DB_MEMO_XMLRPC;
}

static xd_db_encode_fn memo_encoder(int slot)
{
	return slot == XD_DB_MEMO_JSON ? encode_record_json : encode_record_xml;
}

xd_shared_text *xd_record_text(const xd_class *c, const char *ref, bool json)
{
	int slot = json ? XD_DB_MEMO_JSON : XD_DB_MEMO_XMLRPC;
	return xd_db_get_memo(c, ref, slot, memo_encoder(slot));
}

/* Ref-typed values (plain refs only) must name live objects of classes we
 * store; OpaqueRef:NULL is always fine. */
static int check_ref_value(const xd_type *t, const xd_value *v, xd_error *err)
{
	if (t->kind != XD_T_REF || v->t != XD_V_STRING || xd_ref_is_null(v->u.s))
		return 0;
	const xd_class *target = xd_dm_class(t->name);
	if (!target || !target->stored)
		return 0;
	return xd_check_ref(target, v->u.s, err);
}

/* ---- field accessors ----------------------------------------------------- */

static xd_value *h_get_field(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	xd_value *v = xd_db_get_field(call->cls, self, call->msg->field_idx);
	if (!v)
		xd_error_set(err, "HANDLE_INVALID", call->cls->name, self, NULL);
	return v;
}

static xd_value *h_set_field(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	const xd_field *f = &call->cls->fields[call->msg->field_idx];
	if (xd_check_ref(call->cls, self, err) < 0 || check_ref_value(f->type, call->args[1], err) < 0)
		return NULL;
	if (xd_db_set_field(call->cls, self, f->idx, call->args[1], err) < 0)
		return NULL;
	return xd_void();
}

/* The map key of an add_to_/remove_from_ call as the db stores it: map keys
 * are struct member names on the wire, so non-string keys (int, enum, ref)
 * are rendered in their db string form. Caller frees. */
static char *map_key_text(const xd_call *call)
{
	const xd_value *key = call->args[1];
	if (key->t == XD_V_STRING)
		return strdup(key->u.s);
	const xd_field *f = &call->cls->fields[call->msg->field_idx];
	return xd_dm_value_to_db_string(f->type->key, key);
}

static xd_value *h_map_add(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	if (xd_check_ref(call->cls, self, err) < 0)
		return NULL;
	char *k = map_key_text(call);
	int rc = xd_db_map_add(call->cls, self, call->msg->field_idx, k, call->args[2], err);
	free(k);
	return rc < 0 ? NULL : xd_void();
}

static xd_value *h_map_remove(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	if (xd_check_ref(call->cls, self, err) < 0)
		return NULL;
	char *k = map_key_text(call);
	int rc = xd_db_map_remove(call->cls, self, call->msg->field_idx, k, err);
	free(k);
	return rc < 0 ? NULL : xd_void();
}

static xd_value *h_set_add(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	const xd_field *f = &call->cls->fields[call->msg->field_idx];
	if (xd_check_ref(call->cls, self, err) < 0 ||
	    check_ref_value(f->type->elem, call->args[1], err) < 0)
		return NULL;
	if (xd_db_set_add(call->cls, self, f->idx, call->args[1], err) < 0)
		return NULL;
	return xd_void();
}

static xd_value *h_set_remove(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	if (xd_check_ref(call->cls, self, err) < 0)
		return NULL;
	if (xd_db_set_remove(call->cls, self, call->msg->field_idx, call->args[1], err) < 0)
		return NULL;
	return xd_void();
}

/* ---- whole-object reads -------------------------------------------------- */

static xd_value *h_get_record(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	int slot = memo_slot(call);
	xd_shared_text *memo = xd_db_get_memo(call->cls, self, slot, memo_encoder(slot));
	if (!memo) {
		xd_error_set(err, "HANDLE_INVALID", call->cls->name, self, NULL);
		return NULL;
	}
	xd_value *rec = xd_raw_shared(memo);
	xd_shared_text_release(memo);
	return rec;
}

static xd_value *h_get_all(const xd_call *call, xd_error *err)
{
	return xd_db_get_all(call->cls);
}

typedef struct collect_ctx {
	const xd_class *cls;
	const xd_where *where;     /* NULL: everything */
	int name_label_idx;        /* >= 0: match name_label against label */
	const char *label;
	xd_value *out;             /* array of refs or struct ref -> record */
} collect_ctx;

static bool collect_wanted(const char *ref, const xd_value *const *fields, void *ud)
{
	collect_ctx *cx = ud;
	if (cx->where && !xd_where_eval(cx->where, cx->cls, fields))
		return false;
	if (cx->name_label_idx >= 0) {
		const xd_value *nl = fields[cx->name_label_idx];
		if (nl->t != XD_V_STRING || strcmp(nl->u.s, cx->label) != 0)
			return false;
	}
	return true;
}

static int collect_one(const char *ref, const xd_value *const *fields, void *ud)
{
	collect_ctx *cx = ud;
	if (collect_wanted(ref, fields, ud))
		xd_array_append_take(cx->out, xd_string(ref));
	return 0;
}

/* Refs (an array) or records (a struct ref -> record, streamed as it is
 * encoded: records_stream.c) of the objects w accepts (NULL: all). */
static xd_value *collect(const xd_call *call, const xd_where *w, bool records)
{
	collect_ctx cx = { .cls = call->cls, .where = w, .name_label_idx = -1 };
	if (records)
		return xd_records_stream(call->cls, collect_wanted, &cx);
	cx.out = xd_array();
	xd_db_foreach(call->cls, collect_one, &cx);
	return cx.out;
}

static xd_value *h_get_all_records(const xd_call *call, xd_error *err)
{
	return collect(call, NULL, true);
}

static xd_value *h_where(const xd_call *call, bool records, xd_error *err)
{
	xd_where *w = xd_where_parse(xd_arg_str(call, 0), err);
	if (!w)
		return NULL;
	xd_value *out = collect(call, w, records);
	xd_where_free(w);
	return out;
}

static xd_value *h_get_all_records_where(const xd_call *call, xd_error *err)
{
	return h_where(call, true, err);
}

static xd_value *h_get_all_where(const xd_call *call, xd_error *err)
{
	return h_where(call, false, err);
}

static xd_value *h_get_by_uuid(const xd_call *call, xd_error *err)
{
	const char *uuid = xd_arg_str(call, 0);
	char *ref = xd_db_ref_by_uuid(call->cls, uuid);
	if (!ref) {
		xd_error_set(err, "UUID_INVALID", call->cls->name, uuid, NULL);
		return NULL;
	}
	return xd_string_take(ref);
}

static xd_value *h_get_by_name_label(const xd_call *call, xd_error *err)
{
	collect_ctx cx = { .cls = call->cls, .name_label_idx = call->cls->name_label_field,
			   .label = xd_arg_str(call, 0), .out = xd_array() };
	xd_db_foreach(call->cls, collect_one, &cx);
	return cx.out;
}

/* ---- create / destroy ---------------------------------------------------- */

/* The record for create(): given fields coerced, the rest defaulted. A field
 * the client must give (settable, no default) and did not is refused. */
static xd_value *build_create_record(const xd_class *c, const xd_value *in, xd_error *err)
{
	if (!in || in->t != XD_V_STRUCT) {
		xd_error_set(err, "FIELD_TYPE_ERROR", "args", NULL);
		return NULL;
	}
	xd_value *rec = xd_struct();
	for (size_t i = 0; i < c->nfields; i++) {
		const xd_field *f = &c->fields[i];
		const xd_value *given = xd_struct_get(in, f->name);
		xd_value *v;
		if (f->qual == XD_Q_RO_RUNTIME || !given) {
			if (!given && f->qual != XD_Q_RO_RUNTIME && !f->default_text) {
				xd_error_set(err, "FIELD_TYPE_ERROR", f->name, NULL);
				goto fail;
			}
			v = xd_dm_default_value(f);
		} else {
			v = xd_value_copy(given);
			if (xd_dm_coerce(f->type, &v, f->name, err) < 0 ||
			    check_ref_value(f->type, v, err) < 0) {
				xd_value_free(v);
				goto fail;
			}
		}
		xd_struct_set_take(rec, f->name, v);
	}
	if (c->uuid_field >= 0)
		xd_struct_set_take(rec, "uuid", xd_string_take(xd_uuid_new()));
	return rec;
fail:
	xd_value_free(rec);
	return NULL;
}

static xd_value *h_create(const xd_call *call, xd_error *err)
{
	const xd_class *c = call->cls;
	const xd_class_hooks *hk = class_hooks[c->idx];
	xd_value *rec = build_create_record(c, call->args[0], err);
	char *ref = NULL;
	if (!rec)
		return NULL;
	ref = xd_ref_new();
	if (hk && hk->create_check && hk->create_check(call, ref, rec, err) < 0)
		goto fail;
	xd_db_txn *txn = xd_db_begin();
	if (hk && hk->create_write && hk->create_write(call, txn, ref, rec, err) < 0) {
		xd_db_rollback(txn);
		goto fail;
	}
	xd_db_txn_create(txn, c, ref, rec, err);
	rec = NULL; /* taken */
	if (xd_db_commit(txn, err) < 0)
		goto fail;
	return xd_string_take(ref);
fail:
	xd_value_free(rec);
	free(ref);
	return NULL;
}

static xd_value *h_destroy(const xd_call *call, xd_error *err)
{
	const xd_class *c = call->cls;
	const xd_class_hooks *hk = class_hooks[c->idx];
	const char *self = xd_arg_str(call, 0);
	xd_value *rec = xd_db_get_record(c, self);
	xd_value *result = NULL;
	if (!rec) {
		xd_error_set(err, "HANDLE_INVALID", c->name, self, NULL);
		return NULL;
	}
	if (hk && hk->destroy_check && hk->destroy_check(call, self, rec, err) < 0)
		goto out;
	xd_db_txn *txn = xd_db_begin();
	if (hk && hk->destroy_write && hk->destroy_write(call, txn, self, rec, err) < 0) {
		xd_db_rollback(txn);
		goto out;
	}
	xd_db_txn_destroy(txn, c, self, err);
	if (xd_db_commit(txn, err) < 0)
		goto out;
	result = xd_void();
out:
	xd_value_free(rec);
	return result;
}

xd_handler_fn xd_generic_handler(const xd_class *c, const xd_message *m)
{
	switch (m->accessor) {
	case XD_ACC_GET: return h_get_field;
	case XD_ACC_SET: return h_set_field;
	case XD_ACC_MAP_ADD: return h_map_add;
	case XD_ACC_MAP_REMOVE: return h_map_remove;
	case XD_ACC_SET_ADD: return h_set_add;
	case XD_ACC_SET_REMOVE: return h_set_remove;
	case XD_ACC_NONE: break;
	}
	if (!c->stored)
		return NULL;
	static const struct {
		const char *name;
		xd_handler_fn fn;
	} by_name[] = {
		{ "get_record", h_get_record },
		{ "get_all", h_get_all },
		{ "get_all_records", h_get_all_records },
		{ "get_all_records_where", h_get_all_records_where },
		{ "get_all_where", h_get_all_where },
		{ "get_by_uuid", h_get_by_uuid },
		{ "get_by_name_label", h_get_by_name_label },
		{ "create", h_create },
		{ "destroy", h_destroy },
	};
	for (size_t i = 0; i < sizeof(by_name) / sizeof(by_name[0]); i++)
		if (strcmp(m->name, by_name[i].name) == 0)
			return by_name[i].fn;
	return NULL;
}
