/* message.c - message.* (alerts for the administrator): create, destroy,
 * destroy_many, get, get_since; and the generic readers, which the
 * declaration does not mark implicit for this class.
 *
 * Messages are ordinary db objects here (xapi keeps them in files beside
 * its db), so event.from reports them like any class. Checks as xapi's
 * ocaml/xapi/xapi_message.ml: the body must be UTF-8, obj_uuid must name an
 * object of the class given.
 */
#include "api.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "rpc/rpc.h"

static const xd_class *msg_cls;
static int f_cls, f_obj_uuid, f_timestamp;

/* Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF). */
static bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p++;
		int extra;
		uint32_t cp, min;
		if (c < 0x80)
			continue;
		else if ((c & 0xe0) == 0xc0)
			extra = 1, cp = c & 0x1f, min = 0x80;
		else if ((c & 0xf0) == 0xe0)
			extra = 2, cp = c & 0x0f, min = 0x800;
		else if ((c & 0xf8) == 0xf0)
			extra = 3, cp = c & 0x07, min = 0x10000;
		else
			return false;
		for (int i = 0; i < extra; i++) {
			if ((*p & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (*p++ & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
	}
	return true;
}

/* Whether uuid names an object of the class the cls enum value stands for
 * ("Host" is class host, "Pool" pool...; a class we do not serve has none). */
static bool object_exists(const char *cls, const char *uuid)
{
	const xd_class *c = xd_dm_class_ci(cls);
	if (!c || !c->stored || c->uuid_field < 0)
		return false;
	char *ref = xd_db_ref_by_uuid(c, uuid);
	free(ref);
	return ref != NULL;
}

static xd_value *h_create(const xd_call *call, xd_error *err)
{
	const char *name = xd_arg_str(call, 0), *cls = xd_arg_str(call, 2);
	const char *obj_uuid = xd_arg_str(call, 3), *body = xd_arg_str(call, 4);
	if (!utf8_valid(body)) {
		xd_error_set(err, "INVALID_VALUE", "UTF8 expected", NULL);
		return NULL;
	}
	if (!object_exists(cls, obj_uuid)) {
		xd_error_set(err, "UUID_INVALID", cls, obj_uuid, NULL);
		return NULL;
	}
	xd_value *rec = xd_struct();
	xd_struct_set_take(rec, "name", xd_string(name));
	xd_struct_set_take(rec, "priority", xd_int(xd_arg_int(call, 1)));
	xd_struct_set_take(rec, "cls", xd_string(cls));
	xd_struct_set_take(rec, "obj_uuid", xd_string(obj_uuid));
	xd_struct_set_take(rec, "timestamp", xd_datetime((int64_t)time(NULL)));
	xd_struct_set_take(rec, "body", xd_string(body));
	xd_generic_fill_defaults(msg_cls, rec); /* uuid */
	char *ref = xd_ref_new();
	if (xd_db_create(msg_cls, ref, rec, err) < 0) {
		free(ref);
		return NULL;
	}
	xd_debug("message %s (priority %lld) about %s %s", name, (long long)xd_arg_int(call, 1),
		 cls, obj_uuid);
	return xd_string_take(ref);
}

static xd_value *h_destroy(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	if (xd_check_ref(msg_cls, self, err) < 0 || xd_db_destroy(msg_cls, self, err) < 0)
		return NULL;
	return xd_void();
}

/* All or nothing: every ref is checked before any goes (xapi stops at the
 * first bad one, having destroyed those before it). */
static xd_value *h_destroy_many(const xd_call *call, xd_error *err)
{
	const xd_value *refs = call->args[0];
	if (!refs || refs->t != XD_V_ARRAY) {
		xd_error_set(err, "FIELD_TYPE_ERROR", "messages", NULL);
		return NULL;
	}
	for (size_t i = 0; i < refs->u.arr.n; i++) {
		const xd_value *r = refs->u.arr.items[i];
		if (xd_check_ref(msg_cls, r->t == XD_V_STRING ? r->u.s : "", err) < 0)
			return NULL;
	}
	xd_db_txn *txn = xd_db_begin();
	for (size_t i = 0; i < refs->u.arr.n; i++) {
		const char *r = refs->u.arr.items[i]->u.s;
		bool dup = false; /* the same ref twice is destroyed once */
		for (size_t j = 0; j < i && !dup; j++)
			dup = strcmp(refs->u.arr.items[j]->u.s, r) == 0;
		if (!dup)
			xd_db_txn_destroy(txn, msg_cls, r, err);
	}
	if (xd_db_commit(txn, err) < 0)
		return NULL;
	return xd_void();
}

typedef struct select_ctx {
	const char *cls;       /* NULL: any */
	const char *obj_uuid;
	int64_t since;
	xd_value *out;         /* ref -> record */
} select_ctx;

static int select_one(const char *ref, const xd_value *const *fields, void *ud)
{
	select_ctx *cx = ud;
	const xd_value *ts = fields[f_timestamp], *cls = fields[f_cls], *obj = fields[f_obj_uuid];
	if (ts->t != XD_V_DATETIME || ts->u.i <= cx->since)
		return 0;
	if (cx->cls && (cls->t != XD_V_STRING || strcmp(cls->u.s, cx->cls) != 0 ||
			obj->t != XD_V_STRING || strcmp(obj->u.s, cx->obj_uuid) != 0))
		return 0;
	xd_value *rec = xd_struct();
	for (size_t i = 0; i < msg_cls->nfields; i++)
		xd_struct_set_take(rec, msg_cls->fields[i].name, xd_value_copy(fields[i]));
	xd_struct_set_take(cx->out, ref, rec);
	return 0;
}

static xd_value *select_messages(const char *cls, const char *obj_uuid, int64_t since)
{
	select_ctx cx = { cls, obj_uuid, since, xd_struct() };
	xd_db_foreach(msg_cls, select_one, &cx);
	return cx.out;
}

static int64_t arg_time(const xd_call *call, size_t i)
{
	const xd_value *v = i < call->nargs ? call->args[i] : NULL;
	return v && (v->t == XD_V_DATETIME || v->t == XD_V_INT) ? v->u.i : 0;
}

static xd_value *h_get(const xd_call *call, xd_error *err)
{
	const char *cls = xd_arg_str(call, 0), *obj_uuid = xd_arg_str(call, 1);
	if (!object_exists(cls, obj_uuid)) {
		xd_error_set(err, "UUID_INVALID", NULL); /* xapi gives no params here */
		return NULL;
	}
	return select_messages(cls, obj_uuid, arg_time(call, 2));
}

static xd_value *h_get_since(const xd_call *call, xd_error *err)
{
	return select_messages(NULL, NULL, arg_time(call, 0));
}

void xd_api_message_register(void)
{
	static const struct {
		const char *name;
		xd_handler_fn fn;
	} handlers[] = {
		{ "create", h_create },
		{ "destroy", h_destroy },
		{ "destroy_many", h_destroy_many },
		{ "get", h_get },
		{ "get_since", h_get_since },
	};
	/* declared as explicit messages of this class, served generically */
	static const char *const generic[] = {
		"get_record", "get_all", "get_all_records", "get_by_uuid", "get_all_records_where",
	};
	msg_cls = xd_dm_class("message");
	if (!msg_cls)
		return;
	f_cls = xd_dm_field_index(msg_cls, "cls");
	f_obj_uuid = xd_dm_field_index(msg_cls, "obj_uuid");
	f_timestamp = xd_dm_field_index(msg_cls, "timestamp");
	if (f_cls < 0 || f_obj_uuid < 0 || f_timestamp < 0) {
		xd_err("internal: the message class lacks cls/obj_uuid/timestamp");
		return;
	}
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (xd_dm_message(msg_cls, handlers[i].name))
			xd_rpc_register("message", handlers[i].name, handlers[i].fn);
	for (size_t i = 0; i < sizeof(generic) / sizeof(generic[0]); i++) {
		const xd_message *m = xd_dm_message(msg_cls, generic[i]);
		if (m && !(m->flags & XD_MSG_IMPLICIT))
			xd_rpc_register("message", generic[i], xd_generic_handler(msg_cls, m));
	}
}
