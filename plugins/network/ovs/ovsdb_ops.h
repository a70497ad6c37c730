/* ovsdb_ops.h - building the operations of an OVSDB transaction (RFC 7047
 * section 5.2) and reading their results: the <atom>, <set> and <map>
 * notations of section 5.1, where clauses, mutations. Every builder returns a
 * new reference (NULL only when out of memory, which the transact then
 * reports); the ones that take json_object arguments take their references. */
#ifndef OVS_OVSDB_OPS_H
#define OVS_OVSDB_OPS_H

#include <stdint.h>

#include <json-c/json.h>

/* ["uuid", "<uuid>"] and ["named-uuid", "<name>"] */
json_object *ovsdb_uuid(const char *uuid);
json_object *ovsdb_named_uuid(const char *name);
/* ["set", [elems...]]: elems is a JSON array (taken) */
json_object *ovsdb_set(json_object *elems);
/* ["set", []], the empty value of an optional column */
json_object *ovsdb_empty_set(void);
/* ["map", []] then pairs added with ovsdb_map_put */
json_object *ovsdb_map(void);
void ovsdb_map_put(json_object *map, const char *key, const char *value);

/* [[column, "==", value]] (value taken); ovsdb_where_all(): [] */
json_object *ovsdb_where_eq(const char *column, json_object *value);
json_object *ovsdb_where_str(const char *column, const char *value);
json_object *ovsdb_where_all(void);
/* [column, mutator, value] (value taken) */
json_object *ovsdb_mutation(const char *column, const char *mutator, json_object *value);

/* The operations. `columns` is a NULL-terminated list of names, or NULL for
 * all; `uuid_name` may be NULL. */
json_object *ovsdb_op_select(const char *table, json_object *where, const char *const *columns);
json_object *ovsdb_op_insert(const char *table, json_object *row, const char *uuid_name);
json_object *ovsdb_op_update(const char *table, json_object *where, json_object *row);
/* mutations: one ovsdb_mutation (wrapped into a list) */
json_object *ovsdb_op_mutate(const char *table, json_object *where, json_object *mutation);
json_object *ovsdb_op_delete(const char *table, json_object *where);
json_object *ovsdb_op_comment(const char *text);

/* ---- results ---- */

/* The rows of the select at index i of a transact's results (borrowed), or
 * NULL. */
json_object *ovsdb_result_rows(json_object *results, size_t i);
/* The row's column (borrowed), or NULL. */
json_object *ovsdb_col(json_object *row, const char *column);
/* "<uuid>" of a ["uuid", "<uuid>"] value (borrowed), or NULL. */
const char *ovsdb_uuid_of(json_object *value);
/* The _uuid of a row, or NULL. */
const char *ovsdb_row_uuid(json_object *row);
/* Elements of a set value: a bare atom is a set of one (5.1). Returns the
 * count; ovsdb_set_elem gives the i-th (borrowed). */
size_t ovsdb_set_count(json_object *set);
json_object *ovsdb_set_elem(json_object *set, size_t i);
/* Does set value `set` hold ["uuid", uuid]? */
int ovsdb_set_has_uuid(json_object *set, const char *uuid);
/* An optional integer column (["set", []] or an integer): 1 and *v, or 0. */
int ovsdb_opt_int(json_object *value, int64_t *v);
/* The value of `key` in a map value (borrowed string), or NULL. */
const char *ovsdb_map_get(json_object *map, const char *key);
/* A string column's value, "" if absent or not a string. */
const char *ovsdb_str(json_object *row, const char *column);

#endif
