/* ovsdb_ops.c - OVSDB operations and values (ovsdb_ops.h). */
#include <string.h>

#include "ovsdb_ops.h"

static json_object *pair(const char *tag, json_object *v)
{
	json_object *a = json_object_new_array();
	if (!a) {
		json_object_put(v);
		return NULL;
	}
	json_object_array_add(a, json_object_new_string(tag));
	json_object_array_add(a, v);
	return a;
}

json_object *ovsdb_uuid(const char *uuid)
{
	return pair("uuid", json_object_new_string(uuid));
}

json_object *ovsdb_named_uuid(const char *name)
{
	return pair("named-uuid", json_object_new_string(name));
}

json_object *ovsdb_set(json_object *elems)
{
	return pair("set", elems);
}

json_object *ovsdb_empty_set(void)
{
	return ovsdb_set(json_object_new_array());
}

json_object *ovsdb_map(void)
{
	return pair("map", json_object_new_array());
}

void ovsdb_map_put(json_object *map, const char *key, const char *value)
{
	json_object *pairs = map ? json_object_array_get_idx(map, 1) : NULL;
	json_object *kv = json_object_new_array();
	if (!pairs || !kv) {
		json_object_put(kv);
		return;
	}
	json_object_array_add(kv, json_object_new_string(key));
	json_object_array_add(kv, json_object_new_string(value));
	json_object_array_add(pairs, kv);
}

json_object *ovsdb_where_eq(const char *column, json_object *value)
{
	json_object *cond = json_object_new_array(), *where = json_object_new_array();
	if (!cond || !where) {
		json_object_put(cond);
		json_object_put(where);
		json_object_put(value);
		return NULL;
	}
	json_object_array_add(cond, json_object_new_string(column));
	json_object_array_add(cond, json_object_new_string("=="));
	json_object_array_add(cond, value);
	json_object_array_add(where, cond);
	return where;
}

json_object *ovsdb_where_str(const char *column, const char *value)
{
	return ovsdb_where_eq(column, json_object_new_string(value));
}

json_object *ovsdb_where_all(void)
{
	return json_object_new_array();
}

json_object *ovsdb_mutation(const char *column, const char *mutator, json_object *value)
{
	json_object *m = json_object_new_array();
	if (!m) {
		json_object_put(value);
		return NULL;
	}
	json_object_array_add(m, json_object_new_string(column));
	json_object_array_add(m, json_object_new_string(mutator));
	json_object_array_add(m, value);
	return m;
}

static json_object *op(const char *name, const char *table)
{
	json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "op", json_object_new_string(name));
	if (table)
		json_object_object_add(o, "table", json_object_new_string(table));
	return o;
}

json_object *ovsdb_op_select(const char *table, json_object *where, const char *const *columns)
{
	json_object *o = op("select", table);
	if (!o) {
		json_object_put(where);
		return NULL;
	}
	json_object_object_add(o, "where", where);
	if (columns) {
		json_object *cols = json_object_new_array();
		for (size_t i = 0; columns[i]; i++)
			json_object_array_add(cols, json_object_new_string(columns[i]));
		json_object_object_add(o, "columns", cols);
	}
	return o;
}

json_object *ovsdb_op_insert(const char *table, json_object *row, const char *uuid_name)
{
	json_object *o = op("insert", table);
	if (!o) {
		json_object_put(row);
		return NULL;
	}
	json_object_object_add(o, "row", row);
	if (uuid_name)
		json_object_object_add(o, "uuid-name", json_object_new_string(uuid_name));
	return o;
}

json_object *ovsdb_op_update(const char *table, json_object *where, json_object *row)
{
	json_object *o = op("update", table);
	if (!o) {
		json_object_put(where);
		json_object_put(row);
		return NULL;
	}
	json_object_object_add(o, "where", where);
	json_object_object_add(o, "row", row);
	return o;
}

json_object *ovsdb_op_mutate(const char *table, json_object *where, json_object *mutation)
{
	json_object *o = op("mutate", table), *list = json_object_new_array();
	if (!o || !list) {
		json_object_put(o);
		json_object_put(list);
		json_object_put(where);
		json_object_put(mutation);
		return NULL;
	}
	json_object_array_add(list, mutation);
	json_object_object_add(o, "where", where);
	json_object_object_add(o, "mutations", list);
	return o;
}

json_object *ovsdb_op_delete(const char *table, json_object *where)
{
	json_object *o = op("delete", table);
	if (!o) {
		json_object_put(where);
		return NULL;
	}
	json_object_object_add(o, "where", where);
	return o;
}

json_object *ovsdb_op_comment(const char *text)
{
	json_object *o = op("comment", NULL);
	if (o)
		json_object_object_add(o, "comment", json_object_new_string(text));
	return o;
}

json_object *ovsdb_result_rows(json_object *results, size_t i)
{
	json_object *r = json_object_array_get_idx(results, i), *rows;
	if (!r || !json_object_object_get_ex(r, "rows", &rows) ||
	    !json_object_is_type(rows, json_type_array))
		return NULL;
	return rows;
}

json_object *ovsdb_col(json_object *row, const char *column)
{
	json_object *v;
	return row && json_object_object_get_ex(row, column, &v) ? v : NULL;
}

/* Is v a two-element array whose first element is the string `tag`? */
static int tagged(json_object *v, const char *tag)
{
	if (!v || !json_object_is_type(v, json_type_array) || json_object_array_length(v) != 2)
		return 0;
	json_object *t = json_object_array_get_idx(v, 0);
	return json_object_is_type(t, json_type_string) &&
	       strcmp(json_object_get_string(t), tag) == 0;
}

const char *ovsdb_uuid_of(json_object *value)
{
	return tagged(value, "uuid") ? json_object_get_string(json_object_array_get_idx(value, 1))
				     : NULL;
}

const char *ovsdb_row_uuid(json_object *row)
{
	return ovsdb_uuid_of(ovsdb_col(row, "_uuid"));
}

size_t ovsdb_set_count(json_object *set)
{
	if (!set)
		return 0;
	if (tagged(set, "set"))
		return json_object_array_length(json_object_array_get_idx(set, 1));
	return 1;
}

json_object *ovsdb_set_elem(json_object *set, size_t i)
{
	if (tagged(set, "set"))
		return json_object_array_get_idx(json_object_array_get_idx(set, 1), i);
	return i == 0 ? set : NULL;
}

int ovsdb_set_has_uuid(json_object *set, const char *uuid)
{
	size_t n = ovsdb_set_count(set);
	for (size_t i = 0; i < n; i++) {
		const char *u = ovsdb_uuid_of(ovsdb_set_elem(set, i));
		if (u && strcmp(u, uuid) == 0)
			return 1;
	}
	return 0;
}

int ovsdb_opt_int(json_object *value, int64_t *v)
{
	if (ovsdb_set_count(value) != 1)
		return 0;
	json_object *e = ovsdb_set_elem(value, 0);
	if (!json_object_is_type(e, json_type_int))
		return 0;
	*v = json_object_get_int64(e);
	return 1;
}

const char *ovsdb_map_get(json_object *map, const char *key)
{
	if (!tagged(map, "map"))
		return NULL;
	json_object *pairs = json_object_array_get_idx(map, 1);
	size_t n = json_object_array_length(pairs);
	for (size_t i = 0; i < n; i++) {
		json_object *kv = json_object_array_get_idx(pairs, i);
		json_object *k = json_object_array_get_idx(kv, 0);
		if (k && strcmp(json_object_get_string(k), key) == 0)
			return json_object_get_string(json_object_array_get_idx(kv, 1));
	}
	return NULL;
}

const char *ovsdb_str(json_object *row, const char *column)
{
	json_object *v = ovsdb_col(row, column);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}
