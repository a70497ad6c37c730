/* generic.h - the table-driven handlers every class gets from its
 * declaration: field getters/setters, map and set add/remove, get_record,
 * get_all, get_all_records, get_all_records_where, get_all_where,
 * get_by_uuid, get_by_name_label, create and destroy.
 *
 * Owns: the per-class create/destroy hooks that api/ modules install for
 * classes whose implicit constructor has side effects (VM.create makes its
 * VM_metrics object, VIF.create generates a MAC...).
 */
#ifndef XD_GENERIC_H
#define XD_GENERIC_H

#include "db/db.h"
#include "rpc/rpc.h"

/* The handler for an implicit message, or NULL if it is not one we derive. */
xd_handler_fn xd_generic_handler(const xd_class *c, const xd_message *m);

/* Per-class behaviour of the implicit create/destroy, in two steps:
 * check runs first and may read the db, refuse (-1 with err) or adjust the
 * record; write runs inside the transaction that stores (or removes) the
 * object and may only use the _txn writes (the transaction holds the db
 * write lock, so reading there would deadlock): companion objects such as
 * VM_metrics are created or destroyed there. Any of them may be NULL.
 * record: the complete record (create: every field filled, uuid set;
 * destroy: the current record). */
typedef struct xd_class_hooks {
	int (*create_check)(const xd_call *call, const char *ref, xd_value *record, xd_error *err);
	int (*create_write)(const xd_call *call, xd_db_txn *txn, const char *ref,
			    xd_value *record, xd_error *err);
	int (*destroy_check)(const xd_call *call, const char *ref, const xd_value *record,
			     xd_error *err);
	int (*destroy_write)(const xd_call *call, xd_db_txn *txn, const char *ref,
			     const xd_value *record, xd_error *err);
} xd_class_hooks;
/* hooks must stay valid for the life of the process (a static const). */
void xd_generic_set_hooks(const char *cls, const xd_class_hooks *hooks);

/* Fills every missing field of a record with its default (for code that
 * builds records itself: firstboot, api handlers). Sets a fresh uuid when
 * the class has one and the record has none or "". */
void xd_generic_fill_defaults(const xd_class *c, xd_value *record);

/* The text of ref's whole record for a wire (json, else XML-RPC), held for
 * the caller (xd_shared_text_release), or NULL if ref is not an object of
 * c: the db's memo (db.h), made if missing. */
xd_shared_text *xd_record_text(const xd_class *c, const char *ref, bool json);
/* The records of c's objects that want accepts (NULL: all), as a struct
 * ref -> record made while it is encoded (an XD_V_LAZY value: see
 * records_stream.c). Only the refs are listed now. */
xd_value *xd_records_stream(const xd_class *c, xd_db_filter_fn want, void *ud);

/* Shorthands used by handlers. */
/* 0 if ref is an object of c, else HANDLE_INVALID [class, ref]. */
int xd_check_ref(const xd_class *c, const char *ref, xd_error *err);
/* The string argument i of the call (borrowed). */
const char *xd_arg_str(const xd_call *call, size_t i);
int64_t xd_arg_int(const xd_call *call, size_t i);
int xd_arg_bool(const xd_call *call, size_t i);
double xd_arg_float(const xd_call *call, size_t i);
/* A new "" value: what void messages return. */
xd_value *xd_void(void);

#endif
