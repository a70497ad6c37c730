/* value.h - the dynamically typed value tree that travels between the wire
 * codecs, the rpc layer, the handlers and the db.
 *
 * Owns: nothing global. Every xd_value is a tree owned by whoever holds the
 * root pointer; xd_value_free() releases the whole tree. Functions named
 * _take/_steal take ownership of their argument; every other function borrows.
 */
#ifndef XD_VALUE_H
#define XD_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
	XD_V_NIL,      /* XML-RPC <nil/>, JSON null */
	XD_V_BOOL,
	XD_V_INT,      /* 64-bit; on the XML-RPC wire it is sent as a string */
	XD_V_FLOAT,
	XD_V_STRING,   /* UTF-8, NUL terminated */
	XD_V_DATETIME, /* seconds since the epoch, UTC (u.i) */
	XD_V_ARRAY,
	XD_V_STRUCT,   /* ordered members; names are unique */
} xd_vtype;

typedef struct xd_value xd_value;

typedef struct xd_member {
	char *name;
	xd_value *v;
} xd_member;

struct xd_value {
	xd_vtype t;
	/* XD_V_INT only: send as XML-RPC <i4> instead of xapi's usual decimal
	 * string (event.from's valid_ref_counts are the one place xapi does). */
	bool i4;
	union {
		bool b;
		int64_t i;      /* XD_V_INT and XD_V_DATETIME */
		double f;
		char *s;
		struct {
			xd_value **items;
			size_t n, cap;
		} arr;
		struct {
			xd_member *m;
			size_t n, cap;
		} st;
	} u;
};

/* Constructors. They never return NULL (allocation failure aborts: the
 * daemon cannot do anything useful without memory). */
xd_value *xd_nil(void);
xd_value *xd_bool(bool b);
xd_value *xd_int(int64_t i);
xd_value *xd_int_i4(int32_t i); /* an XD_V_INT marked i4 (see struct xd_value) */
xd_value *xd_float(double f);
xd_value *xd_string(const char *s);         /* copies s; NULL becomes "" */
xd_value *xd_string_take(char *s);          /* takes ownership of s */
xd_value *xd_string_n(const char *s, size_t n);
xd_value *xd_datetime(int64_t t);
xd_value *xd_array(void);
xd_value *xd_struct(void);

void xd_value_free(xd_value *v);
xd_value *xd_value_copy(const xd_value *v);
bool xd_value_equal(const xd_value *a, const xd_value *b);

/* Arrays. */
void xd_array_append_take(xd_value *arr, xd_value *item);
/* Removes and frees item i, keeping order. */
void xd_array_remove(xd_value *arr, size_t i);

/* Structs. set_take replaces an existing member of the same name. */
void xd_struct_set_take(xd_value *st, const char *name, xd_value *v);
xd_value *xd_struct_get(const xd_value *st, const char *name); /* borrowed or NULL */
/* Removes and frees member name; returns 0 if removed, -1 if absent. */
int xd_struct_remove(xd_value *st, const char *name);

/* Datetime text: xapi's "YYYYMMDDTHH:MM:SSZ". Parsing also accepts dashes,
 * missing Z and numeric offsets. Returns 0 on success. */
void xd_datetime_format(int64_t t, char out[32]);
int xd_datetime_parse(const char *s, int64_t *out);

/* A short human-readable rendering for logs and tests (JSON-like). Caller frees. */
char *xd_value_to_debug_string(const xd_value *v);

#endif
