/* db_codec.c - the stored form of a record (objects.data in sqlite).
 *
 * A compact binary form, keyed by field name so that the datamodel can
 * change under a stored database: a field the datamodel added since gets its
 * default at load, a stored field it no longer has is dropped. The many sides
 * of relations (VM.VBDs) are not stored: they are rebuilt at load from the
 * one sides (VBD.VM), as xapi does.
 *
 *   record := 0x01 varint(nfields) { varint(namelen) name value }*
 *   value  := 'N' | 'T' | 'F'
 *           | 'I' zigzag-varint | 'D' zigzag-varint (datetime)
 *           | 'R' 8-byte little-endian IEEE double
 *           | 'S' varint(len) bytes
 *           | 'A' varint(n) value*
 *           | 'M' varint(n) { varint(keylen) key value }*
 *
 * Varints are LEB128. Chosen over JSON because loading 60,000 records must
 * take well under two seconds and this parses without intermediate trees.
 */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "log.h"

#define DB_CODEC_VERSION 1
#define MAX_DEPTH 64

typedef struct {
	unsigned char *p;
	size_t n, cap;
} buf;

static void put(buf *b, const void *d, size_t n)
{
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p)
			abort(); /* as value.h */
		b->cap = cap;
	}
	memcpy(b->p + b->n, d, n);
	b->n += n;
}

static void put_byte(buf *b, unsigned char c)
{
	put(b, &c, 1);
}

static void put_varint(buf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;
	do {
		tmp[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	put(b, tmp, n);
}

static void put_str(buf *b, const char *s)
{
	size_t n = strlen(s);
	put_varint(b, n);
	put(b, s, n);
}

static uint64_t zigzag(int64_t i)
{
	return ((uint64_t)i << 1) ^ (uint64_t)(i >> 63);
}

static int64_t unzigzag(uint64_t u)
{
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static void put_value(buf *b, const xd_value *v)
{
	switch (v->t) {
	case XD_V_NIL:
	case XD_V_RAW: /* unreachable: db_shape_ok keeps wire text out of the db */
	case XD_V_LAZY:
		put_byte(b, 'N');
		break;
	case XD_V_BOOL:
		put_byte(b, v->u.b ? 'T' : 'F');
		break;
	case XD_V_INT:
		put_byte(b, 'I');
		put_varint(b, zigzag(v->u.i));
		break;
	case XD_V_DATETIME:
		put_byte(b, 'D');
		put_varint(b, zigzag(v->u.i));
		break;
	case XD_V_FLOAT: {
		uint64_t bits;
		unsigned char le[8];
		memcpy(&bits, &v->u.f, sizeof(bits));
		for (int i = 0; i < 8; i++)
			le[i] = (unsigned char)(bits >> (8 * i));
		put_byte(b, 'R');
		put(b, le, 8);
		break;
	}
	case XD_V_STRING:
		put_byte(b, 'S');
		put_str(b, v->u.s);
		break;
	case XD_V_ARRAY:
		put_byte(b, 'A');
		put_varint(b, v->u.arr.n);
		for (size_t i = 0; i < v->u.arr.n; i++)
			put_value(b, v->u.arr.items[i]);
		break;
	case XD_V_STRUCT:
		put_byte(b, 'M');
		put_varint(b, v->u.st.n);
		for (size_t i = 0; i < v->u.st.n; i++) {
			put_str(b, v->u.st.m[i].name);
			put_value(b, v->u.st.m[i].v);
		}
		break;
	}
}

unsigned char *db_encode(const db_obj *o, size_t *len)
{
	const db_cls *dc = db_cls_of(o->cls);
	const xd_class *c = o->cls;
	buf b = { 0 };
	size_t n = 0;

	for (size_t i = 0; i < c->nfields; i++)
		n += !dc->many[i];
	put_byte(&b, DB_CODEC_VERSION);
	put_varint(&b, n);
	for (size_t i = 0; i < c->nfields; i++) {
		if (dc->many[i])
			continue;
		put_str(&b, c->fields[i].name);
		put_value(&b, o->fields[i]);
	}
	*len = b.n;
	return b.p;
}

/* ---- decoding ---- */

typedef struct {
	const unsigned char *p, *end;
} rd;

static int get_varint(rd *r, uint64_t *out)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (r->p >= r->end)
			return -1;
		unsigned char c = *r->p++;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

static int get_bytes(rd *r, const char **s, size_t *n)
{
	uint64_t len;
	if (get_varint(r, &len) < 0 || len > (uint64_t)(r->end - r->p))
		return -1;
	*s = (const char *)r->p;
	*n = (size_t)len;
	r->p += len;
	return 0;
}

static xd_value *get_value(rd *r, int depth)
{
	uint64_t u;
	const char *s;
	size_t n;
	xd_value *v = NULL;

	if (depth > MAX_DEPTH || r->p >= r->end)
		return NULL;
	switch (*r->p++) {
	case 'N':
		return xd_nil();
	case 'T':
		return xd_bool(true);
	case 'F':
		return xd_bool(false);
	case 'I':
		return get_varint(r, &u) < 0 ? NULL : xd_int(unzigzag(u));
	case 'D':
		return get_varint(r, &u) < 0 ? NULL : xd_datetime(unzigzag(u));
	case 'R': {
		uint64_t bits = 0;
		double f;
		if (r->end - r->p < 8)
			return NULL;
		for (int i = 0; i < 8; i++)
			bits |= (uint64_t)r->p[i] << (8 * i);
		r->p += 8;
		memcpy(&f, &bits, sizeof(f));
		return xd_float(f);
	}
	case 'S':
		if (get_bytes(r, &s, &n) < 0 || memchr(s, 0, n))
			return NULL;
		return xd_string_n(s, n);
	case 'A':
		if (get_varint(r, &u) < 0 || u > (uint64_t)(r->end - r->p))
			return NULL;
		v = xd_array();
		for (uint64_t i = 0; i < u; i++) {
			xd_value *it = get_value(r, depth + 1);
			if (!it)
				goto bad;
			xd_array_append_take(v, it);
		}
		return v;
	case 'M':
		if (get_varint(r, &u) < 0 || u > (uint64_t)(r->end - r->p))
			return NULL;
		v = xd_struct();
		for (uint64_t i = 0; i < u; i++) {
			char key[256];
			char *k = key;
			if (get_bytes(r, &s, &n) < 0 || memchr(s, 0, n))
				goto bad;
			if (n >= sizeof(key) && !(k = malloc(n + 1)))
				abort();
			memcpy(k, s, n);
			k[n] = 0;
			xd_value *it = get_value(r, depth + 1);
			if (it)
				xd_struct_set_take(v, k, it);
			if (k != key)
				free(k);
			if (!it)
				goto bad;
		}
		return v;
	default:
		return NULL;
	}
bad:
	xd_value_free(v);
	return NULL;
}

/* Field index of a stored name (not NUL terminated), -1 if the datamodel no
 * longer has it. Stored records list fields in declaration order, so the
 * expected position is tried first. */
static int field_of(const db_cls *dc, const char *s, size_t n, int hint)
{
	const xd_class *c = dc->cls;
	char name[128];

	if (hint >= 0 && (size_t)hint < c->nfields && strncmp(c->fields[hint].name, s, n) == 0 &&
	    c->fields[hint].name[n] == 0)
		return hint;
	if (n >= sizeof(name))
		return -1;
	memcpy(name, s, n);
	name[n] = 0;
	return db_field_by_name(dc, name, -1);
}

int db_decode(db_obj *o, const unsigned char *data, size_t len)
{
	const db_cls *dc = db_cls_of(o->cls);
	const xd_class *c = o->cls;
	rd r = { data, data + len };
	uint64_t n;
	int hint = 0;

	if (len < 1 || *r.p++ != DB_CODEC_VERSION || get_varint(&r, &n) < 0)
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		const char *s;
		size_t sn;
		if (get_bytes(&r, &s, &sn) < 0)
			return -1;
		xd_value *v = get_value(&r, 0);
		if (!v)
			return -1;
		int idx = field_of(dc, s, sn, hint);
		if (idx < 0 || dc->many[idx] || o->fields[idx]) {
			/* gone from the datamodel, derived, or a duplicate */
			xd_value_free(v);
			continue;
		}
		hint = idx + 1;
		if (!db_shape_ok(c->fields[idx].type, v)) {
			/* the field's type changed since it was stored */
			xd_error e = XD_ERROR_INIT;
			if (xd_dm_coerce(c->fields[idx].type, &v, c->fields[idx].name, &e) < 0 ||
			    !db_shape_ok(c->fields[idx].type, v)) {
				xd_warn("db: %s %s: stored %s does not fit its type; using the default",
					c->name, o->ref, c->fields[idx].name);
				xd_value_free(v);
				v = NULL;
			}
			xd_error_clear(&e);
			if (!v)
				continue;
		}
		db_obj_init_field(o, idx, v);
	}
	if (r.p != r.end)
		return -1;
	db_obj_fill_defaults(o);
	return 0;
}
