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
	XD_V_RAW,      /* text already encoded for the wire format of the
	                  connection it is sent on (u.raw: a whole encoded value,
	                  e.g. "<value>...</value>" or a JSON value), appended
	                  verbatim by the encoders. Built only for results that
	                  go straight to an encoder; never stored, never parsed. */
	XD_V_LAZY,     /* a value made as it is encoded (u.lazy): answers too
	                  large to hold whole (get_all_records, the first
	                  event.from) are written piece by piece from the db,
	                  the encoder's buffer drained between pieces (strbuf.h).
	                  Built only for results that go straight to an encoder;
	                  never stored or parsed. */
} xd_vtype;

typedef struct xd_value xd_value;

/* Immutable text shared without copying by XD_V_RAW values and whoever made
 * it (the db keeps its memos of records in these). Reference counted with
 * atomics: any thread may hold and release. */
typedef struct xd_shared_text {
	unsigned refs;
	size_t len;
	char text[]; /* len bytes and a NUL */
} xd_shared_text;

struct xd_strbuf;

/* What an XD_V_LAZY value does. emit appends the whole encoded value for
 * the wire asked (json: a JSON value, else XML-RPC <value>...</value>) to
 * sb, calling xd_strbuf_drain_point(sb) between pieces and stopping early
 * when it returns -1; it may run more than once (copies share ud). free
 * releases ud with the last copy. */
typedef struct xd_lazy_ops {
	void (*emit)(void *ud, struct xd_strbuf *sb, bool json);
	void (*free)(void *ud);
} xd_lazy_ops;

typedef struct xd_lazy {
	const xd_lazy_ops *ops;
	void *ud;
	unsigned refs;
} xd_lazy;

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
		struct {
			char *s;        /* NUL terminated too */
			size_t len;
			xd_shared_text *shared; /* s is shared->text, held; else s is owned */
		} raw;
		xd_lazy *lazy;  /* shared by copies, reference counted */
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
/* Pre-encoded text (XD_V_RAW): _take takes text (NUL terminated, len bytes
 * before the NUL), xd_raw copies len bytes. */
xd_value *xd_raw_take(char *text, size_t len);
xd_value *xd_raw(const char *text, size_t len);
/* XD_V_RAW showing t's text without copying it: takes a hold of its own. */
xd_value *xd_raw_shared(xd_shared_text *t);

/* XD_V_LAZY: takes ud (ops->free releases it). */
xd_value *xd_lazy_new(const xd_lazy_ops *ops, void *ud);
/* Has the encoder of the wire (json or XML-RPC) append v's text to sb. */
void xd_lazy_emit(const xd_value *v, struct xd_strbuf *sb, bool json);

/* Shared text. _new copies len bytes of s, with one hold for the caller;
 * _wrap turns a malloc'd block whose first sizeof(xd_shared_text) bytes are
 * left for the header and whose text (len bytes, then a NUL) follows into
 * shared text (refs 1), for makers that write the text in place. */
xd_shared_text *xd_shared_text_new(const char *s, size_t len);
xd_shared_text *xd_shared_text_wrap(void *block, size_t len);
void xd_shared_text_hold(xd_shared_text *t);
void xd_shared_text_release(xd_shared_text *t); /* frees it with the last hold */

void xd_value_free(xd_value *v);
xd_value *xd_value_copy(const xd_value *v);
bool xd_value_equal(const xd_value *a, const xd_value *b);

/* Arrays. */
void xd_array_append_take(xd_value *arr, xd_value *item);
/* Removes and frees item i, keeping order. */
void xd_array_remove(xd_value *arr, size_t i);

/* Structs. set_take replaces an existing member of the same name. */
void xd_struct_set_take(xd_value *st, const char *name, xd_value *v);
/* Appends without looking for a member of the same name, for builders whose
 * names are unique by construction (the fields of a class, the refs of a
 * result map): set_take's scan makes building an n-member struct O(n^2).
 * Appending a name that is already there breaks the struct's invariant.
 * xd_struct_append copies name; _append_take takes it (heap). */
void xd_struct_append(xd_value *st, const char *name, xd_value *v);
void xd_struct_append_take(xd_value *st, char *name, xd_value *v);
/* Makes room for n members in all, so that appending them does not realloc. */
void xd_struct_reserve(xd_value *st, size_t n);
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
